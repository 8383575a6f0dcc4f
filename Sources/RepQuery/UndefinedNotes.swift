import RepMeasures

/// One line for the measures that are undefined (NaN) on all their inputs, with why and, when the measure knows
/// (`RemedyingMeasure`), what would work instead: a table of NaN, or a benchmark without a single decision, says
/// neither.
public enum UndefinedNotes {
  /// A measure undefined on every input, the reasons its cells gave, and how many examples they were on.
  public struct Entry: Sendable {
    public var measure: MeasureID
    public var reasons: Set<String>
    public var rowCount: Int

    public init(measure: MeasureID, reasons: Set<String>, rowCount: Int) {
      (self.measure, self.reasons, self.rowCount) = (measure, reasons, rowCount)
    }
  }

  /// One line per reason (and remedy), naming its measures: "pwcca, svcca(var=0.99): `what` (n too small: …);
  /// svcca(k=20) or cka work with n < 2·d". Measures keep the order given.
  public static func lines(_ entries: [Entry], what: String) -> [String] {
    var groups: [(key: String, measures: [String])] = []
    for entry in entries {
      let reasons = entry.reasons.sorted()
      let remedy = reasons.count == 1
        ? MeasureRegistry.remedy(for: entry.measure, reason: reasons[0], rowCount: entry.rowCount) : nil
      let key = "\(what) (\(reasons.joined(separator: "; ")))" + (remedy.map { "; \($0)" } ?? "")
      if let index = groups.firstIndex(where: { $0.key == key }) {
        groups[index].measures.append(entry.measure.description)
      } else {
        groups.append((key, [entry.measure.description]))
      }
    }
    return groups.map { $0.measures.joined(separator: ", ") + ": " + $0.key }
  }

  /// The notes of a `sim`: its measures whose every cell is NaN.
  public static func notes(for tables: [SimilarityTable]) -> [String] {
    let entries = tables.compactMap { table -> Entry? in
      let cells = table.values.joined()
      guard !cells.isEmpty, cells.allSatisfy({ !$0.isDefined }) else { return nil }
      return Entry(measure: table.measure, reasons: Set(cells.map { $0.reason ?? "not a number" }),
                   rowCount: table.exampleCount)
    }
    return lines(entries, what: "every cell is NaN")
  }
}
