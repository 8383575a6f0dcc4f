import RepStore

extension Listings {
  /// What `repstore projections` and `show projections` say instead of an empty table.
  public static let noProjectionsNote =
    "no projections yet: `repstore train contrasim NAME SEL...` trains one, and so does `sim ... --train-on SEL`"

  /// One row per stored projection, oldest first: its kind, whether its name was derived (`sim --train-on`), what it
  /// was trained on (models, layers, examples, rows, positives, epochs), the stored tables that compare through it,
  /// and when it was made. `detailed` (for scripts) lists every layer and adds the final loss, collapse, interruption
  /// (Ctrl-C during `train`), input standardization, seed, seconds and the `train` statement; the table for people
  /// writes layer runs as ranges (`L1..L6 out`).
  public static func projections(_ store: Store, detailed: Bool) throws -> Listing {
    var columns = ["name", "kind", "auto", "models", "layers", "examples", "rows", "positives", "epochs", "tables",
                   "created"]
    if detailed { columns += ["final_loss", "collapsed", "interrupted", "inputs", "seed", "seconds", "statement"] }
    var listing = Listing(columns: columns, numericColumns: ["rows", "epochs", "final_loss", "seed", "seconds"])
    let dependents = try ProjectionRemoval.dependents(in: store)
    for projection in try store.projections() {
      let provenance = projection.provenance
      let inputs = provenance?.tensors ?? []
      let models = distinct(inputs.map(\.model))
      let layers = distinct(inputs.map(\.layer))
      let tables = dependents.filter { $0.projection == projection.name }.map { String($0.table) }
      var row: [ListingCell] = [
        .text(projection.name), .text(projection.kind),
        .text(ProjectionNames.isDerived(projection.name) ? "yes" : "no"),
        provenance == nil ? .null : .text(models.joined(separator: " ")),
        provenance == nil ? .null : .text(detailed ? layers.joined(separator: " ") : LayerRuns.compact(layers)),
        provenance.map { .text($0.examples) } ?? .null, provenance.map { .integer(Int64($0.rows)) } ?? .null,
        provenance.map { .text($0.positives) } ?? .null, .integer(Int64(projection.losses.count)),
        .text(tables.joined(separator: " ")), .text(projection.createdAt),
      ]
      if detailed {
        row += [
          projection.losses.last.map { .number(($0 * 1e5).rounded() / 1e5) } ?? .null,
          .text(projection.collapse == nil ? "no" : "yes"),
          .text(provenance?.interrupted.map { "after \($0.epochsRun) of \($0.epochsAsked) epochs" } ?? "no"),
          .text(projection.inputStandardization == .perTensor ? "standardized" : "raw"),
          projection.recordedOptions.map { Int64(exactly: $0.seed).map(ListingCell.integer) ?? .text(String($0.seed)) }
            ?? .null,
          .number((projection.seconds * 10).rounded() / 10), .text(projection.statement),
        ]
      }
      listing.rows.append(row)
    }
    return listing
  }

  /// The names in natural order, each once.
  private static func distinct(_ names: [String]) -> [String] {
    Array(Set(names)).sorted(by: NaturalOrder.areInIncreasingOrder)
  }
}

/// Layer names written short for a listing: a run of three or more that differ only in one consecutive number
/// becomes a selector range (`L1 L2 L3 L4 out` → `L1..L4 out`), which selects exactly those layers.
enum LayerRuns {
  static func compact(_ names: [String]) -> String {
    var words: [String] = []
    var run: [(name: String, number: Int)] = []
    var runKey: (prefix: String, suffix: String)?
    func flush() {
      if run.count >= 3 { words.append("\(run[0].name)..\(run[run.count - 1].name)") } else { words += run.map(\.name) }
      run = []
    }
    for name in names {
      let parts = numbered(name)
      if let parts, let key = runKey, let last = run.last, key == (parts.prefix, parts.suffix),
        parts.number == last.number + 1
      {
        run.append((name, parts.number))
        continue
      }
      flush()
      if let parts {
        run = [(name, parts.number)]
        runKey = (parts.prefix, parts.suffix)
      } else {
        words.append(name)
        runKey = nil
      }
    }
    flush()
    return words.joined(separator: " ")
  }

  /// `L12` → ("L", 12, ""), `h3.out` → ("h", 3, ".out"): the last digit run without leading zeros, else nil.
  private static func numbered(_ name: String) -> (prefix: String, number: Int, suffix: String)? {
    guard let end = name.lastIndex(where: \.isASCIIDigit) else { return nil }
    var start = end
    while start > name.startIndex, name[name.index(before: start)].isASCIIDigit { start = name.index(before: start) }
    let digits = name[start...end]
    guard digits.count <= 9, digits.first != "0" || digits.count == 1, let number = Int(digits) else { return nil }
    return (String(name[..<start]), number, String(name[name.index(after: end)...]))
  }
}
