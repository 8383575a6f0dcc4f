import Foundation

/// Where heatmaps are written, and how: whole or not at all.
public enum HeatmapFiles {
  /// One SVG per table: the given path for one table, `NAME-MEASURE.svg` for several.
  public static func paths(for tables: [SimilarityTable], given path: String) -> [(SimilarityTable, String)] {
    tables.map { table in
      let measure = String(table.measure.description.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" })
      return (table, tables.count == 1 ? path : String(path.dropLast(4)) + "-" + measure + ".svg")
    }
  }

  /// Writes an SVG beside `target` and renames it over it: a reader never sees half a picture.
  /// - Throws: `QueryError` (`.heatmap`) naming the file and the system's reason.
  public static func write(_ svg: String, to target: String) throws {
    let temporary = target + ".tmp-\(getpid())"
    do {
      try Data(svg.utf8).write(to: URL(fileURLWithPath: temporary))
      guard rename(temporary, target) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
      }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
      throw QueryError(.heatmap, "\(target): cannot write the heatmap (\(reason))", path: target)
    }
  }
}
