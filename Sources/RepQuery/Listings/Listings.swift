import Foundation
import RepMeasures
import RepStore

/// The listings `show` statements and the listing commands print.
public enum Listings {
  /// One row per model: its layers and example sets.
  public static func models(_ tensors: [TensorInfo]) -> Listing {
    var listing = Listing(columns: ["model", "layers", "examples", "first", "last"], numericColumns: ["layers"])
    var order: [String] = []
    var byModel: [String: [TensorInfo]] = [:]
    for tensor in tensors {
      if byModel[tensor.model] == nil { order.append(tensor.model) }
      byModel[tensor.model, default: []].append(tensor)
    }
    for model in order {
      let layers = byModel[model] ?? []
      let distinctLayers = layers.map(\.layer).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      let sets = layers.map(\.exampleSet).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      listing.rows.append([
        .text(model), .integer(Int64(distinctLayers.count)), .text(sets.joined(separator: " ")),
        .text(distinctLayers.first ?? ""), .text(distinctLayers.last ?? ""),
      ])
    }
    return listing
  }

  public static func exampleSets(_ store: Store) throws -> Listing {
    var listing = Listing(columns: ["examples", "rows", "keys", "tensors", "keys_digest"])
    listing.numericColumns = ["rows", "tensors"]
    for set in try store.exampleSets() {
      listing.rows.append([
        .text(set.name), .integer(Int64(set.rowCount)), .text(set.keyKind.rawValue), .integer(Int64(set.tensorCount)),
        .text(set.keysDigest),
      ])
    }
    return listing
  }

  public static func tables(_ store: Store) throws -> Listing {
    var listing = Listing(
      columns: ["id", "measure", "shape", "cells", "state", "seconds", "created", "statement"],
      numericColumns: ["id", "cells", "seconds"])
    for summary in try store.resultTables() {
      let header = summary.header
      let total = header.rows.count * header.columns.count
      let state = summary.isStale ? "stale" : header.isComplete ? "complete" : "partial"
      listing.rows.append([
        .integer(header.id), .text(header.measure), .text("\(header.rows.count)×\(header.columns.count)"),
        .text("\(summary.storedCellCount)/\(total)"), .text(state),
        .number((header.seconds * 100).rounded() / 100), .text(header.createdAt), .text(header.statement),
      ])
    }
    return listing
  }

  public static func benchmarkRuns(_ store: Store) throws -> Listing {
    var listing = Listing(
      columns: ["id", "benchmark", "examples", "measures", "chance", "seconds", "created", "statement"],
      numericColumns: ["id", "measures", "chance", "seconds"])
    for run in try store.benchmarkRuns() {
      let measures = Set(run.scores.map(\.measure)).count
      listing.rows.append([
        .integer(run.id), .text(run.kind), .text(run.examples), .integer(Int64(measures)),
        .number((run.chance * 1e4).rounded() / 1e4), .number((run.seconds * 10).rounded() / 10), .text(run.createdAt),
        .text(run.statement),
      ])
    }
    return listing
  }

  public static func measures() throws -> Listing {
    var listing = Listing(columns: ["id", "larger_is_similar", "symmetric", "range", "invariances", "definition"])
    for type in MeasureRegistry.types {
      let measure = try MeasureRegistry.make(MeasureID(name: type.name))
      let properties = measure.properties
      listing.rows.append([
        .text(measure.id.description), .text(properties.largerIsMoreSimilar ? "yes" : "no (distance)"),
        .text(properties.isSymmetric ? "yes" : "no"), .text(properties.range),
        .text(properties.invariances.sorted().map(\.rawValue).joined(separator: " ")), .text(type.summary),
      ])
    }
    return listing
  }

  /// Every column, raw numbers: for scripts.
  public static func layers(_ tensors: [TensorInfo]) -> Listing {
    var listing = Listing(
      columns: [
        "model", "layer", "examples", "rows", "columns", "source_dtype", "stored_bytes", "raw_bytes", "ratio",
        "blocks", "digest", "source", "imported_at",
      ])
    for tensor in tensors {
      listing.rows.append([
        .text(tensor.model), .text(tensor.layer), .text(tensor.exampleSet), .integer(Int64(tensor.rowCount)),
        .integer(Int64(tensor.columnCount)), .text(tensor.sourceDType), .integer(tensor.storedByteCount),
        .integer(tensor.rawByteCount), .number(ratio(tensor.storedByteCount, tensor.rawByteCount)),
        .integer(Int64(tensor.blockCount)), .text(tensor.digest), .text(tensor.source), .text(tensor.importedAt),
      ])
    }
    return listing
  }

  /// The essentials with readable sizes and a totals line: for people.
  public static func layerSummary(_ tensors: [TensorInfo]) -> Listing {
    var listing = Listing(columns: ["model", "layer", "examples", "rows", "cols", "dtype", "stored", "raw", "ratio"])
    listing.numericColumns = ["rows", "cols", "stored", "raw", "ratio"]
    for tensor in tensors {
      listing.rows.append([
        .text(tensor.model), .text(tensor.layer), .text(tensor.exampleSet), .integer(Int64(tensor.rowCount)),
        .integer(Int64(tensor.columnCount)), .text(tensor.sourceDType), .text(byteCountText(tensor.storedByteCount)),
        .text(byteCountText(tensor.rawByteCount)),
        .text(fixedPoint(ratio(tensor.storedByteCount, tensor.rawByteCount), decimals: 2)),
      ])
    }
    let stored = tensors.reduce(Int64(0)) { $0 + $1.storedByteCount }
    let raw = tensors.reduce(Int64(0)) { $0 + $1.rawByteCount }
    let models = Set(tensors.map(\.model)).count
    listing.footer =
      "\(tensors.count) tensor\(tensors.count == 1 ? "" : "s") in \(models) model\(models == 1 ? "" : "s"): "
      + "\(byteCountText(stored)) stored, \(byteCountText(raw)) raw"
      + " (\(fixedPoint(ratio(stored, raw), decimals: 2)))"
    return listing
  }

  static func ratio(_ stored: Int64, _ raw: Int64) -> Double { raw > 0 ? Double(stored) / Double(raw) : 0 }
}
