import Foundation
import RepQuery
import RepStore

extension Repstore.Import {
  /// The line an import ends with: how many tensors of which example sets went where, and how well they compressed.
  static func summaryLine(_ summary: ImportSummary, store: String, seconds: Double) -> String {
    let count = summary.tensors.count
    let sets = summary.tensors.map(\.exampleSet).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let quoted = sets.map { "'\($0)'" }
    let setText = quoted.count <= 1
      ? "set \(quoted.first ?? "")" : "sets \(quoted.dropLast().joined(separator: ", ")) and \(quoted.last!)"
    let ratio = summary.rawByteCount > 0 ? Double(summary.storedByteCount) / Double(summary.rawByteCount) : 0
    return "imported \(count) tensor\(count == 1 ? "" : "s") of \(setText)"
      + (summary.replacedCount > 0 ? " (\(summary.replacedCount) replaced)" : "")
      + " into \(store)\(summary.createdStore ? " (new store)" : ""): "
      + "\(byteCountText(summary.rawByteCount)) as \(byteCountText(summary.storedByteCount)) "
      + String(format: "(%.2f of raw) in %.1f s", ratio, seconds)
  }

  /// Said after the summary when neither --examples nor an {examples} placeholder named the set: the tensors went to
  /// `default`, which a selector with another set (`m/L1@sents`) will not find.
  static let defaultSetHint =
    "no --examples given, so the set is 'default' (select it with @default); name the examples with --examples NAME"

  /// Whether the example set was left to the default.
  var setIsDefaulted: Bool { exampleSet == nil && !files.contains { $0.contains("{examples}") } }
}
