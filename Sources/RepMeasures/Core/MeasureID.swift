/// A measure's canonical id: a dotted name and its parameters, e.g. `cka`, `cka.rbf(threshold=0.5)`,
/// `rsa(rdm=correlation,compare=spearman)`. The id names every convention, so two results with the same id are
/// comparable. Parameters print in a fixed order (the measure's declared order) with every default filled in.
public struct MeasureID: Hashable, Sendable, CustomStringConvertible {
  public var name: String
  /// Parameter name to its text, as given (values are checked by the measure).
  public var parameters: [String: String]
  /// The order parameters print in: as written (a measure writes its canonical id in its declared order).
  private var order: [String]

  /// An id with parameters in the order given (`["rdm": "correlation", "compare": "spearman"]` prints as
  /// `rsa(rdm=correlation,compare=spearman)`).
  public init(name: String, parameters: KeyValuePairs<String, String> = [:]) {
    self.name = name
    self.parameters = Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    order = parameters.map(\.key)
  }

  private init(name: String, ordered: [(String, String)]) {
    self.name = name
    parameters = Dictionary(ordered, uniquingKeysWith: { _, last in last })
    order = ordered.map(\.0)
  }

  public static func == (a: MeasureID, b: MeasureID) -> Bool { a.name == b.name && a.parameters == b.parameters }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(parameters)
  }

  /// Parses `name` or `name(key=value,...)`. Whitespace around tokens is ignored.
  /// - Throws: `MeasureError.malformedID` with the column of the problem.
  public init(parsing text: String) throws(MeasureError) {
    let trimmed = text.trimmingSpaces
    guard let open = trimmed.firstIndex(of: "(") else {
      guard MeasureID.isName(trimmed) else {
        throw .malformedID(text, "expected a measure name such as cka or cka.rbf(threshold=0.5)")
      }
      self.init(name: trimmed)
      return
    }
    let name = String(trimmed[..<open]).trimmingSpaces
    guard MeasureID.isName(name) else { throw .malformedID(text, "expected a measure name before '('") }
    guard trimmed.last == ")" else { throw .malformedID(text, "missing ')' at the end") }
    let body = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
    var parameters: [(String, String)] = []
    for item in body.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
      guard parts.count == 2, MeasureID.isName(parts[0]), !parts[1].isEmpty else {
        throw .malformedID(text, "expected key=value in '\(item.trimmingSpaces)'")
      }
      guard !parameters.contains(where: { $0.0 == parts[0] }) else {
        throw .malformedID(text, "parameter '\(parts[0])' given twice")
      }
      parameters.append((parts[0], parts[1]))
    }
    self.init(name: name, ordered: parameters)
  }

  public var description: String {
    guard !parameters.isEmpty else { return name }
    return name + "(" + order.map { "\($0)=\(parameters[$0] ?? "")" }.joined(separator: ",") + ")"
  }

  static func isName(_ text: String) -> Bool {
    !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    let isSpace = { (c: Character) in c == " " || c == "\t" }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(self[first...last])
  }
}
