/// What `train` says when the selected layers do not fit the positives: in words ("1 selector of 7 layers"), and with
/// the positives that would fit when the user gave two selectors of one layer each.
package enum PositivesMessages {
  /// Same-example positives need two selectors of one layer each. `counts` is the layers each selector matched;
  /// `defaulted` when the statement did not say `--positives`.
  package static func sameExample(layerCounts counts: [Int], defaulted: Bool) -> String {
    let rule = defaulted
      ? "same-example positives (the default for the layers of one model) take"
      : "--positives same-example takes"
    let hint = defaulted ? "; to pair layer l of several models instead, select two or more models" : ""
    return "\(rule) two selectors of one layer each, rows paired by example key (got \(selectors(counts)))" + hint
  }

  /// Same-layer positives need two or more models of two or more layers. `counts` is the layers each selector
  /// matched.
  package static func sameLayer(models: Int, layers: Int, layerCounts counts: [Int], defaulted: Bool) -> String {
    let rule = defaulted
      ? "same-layer positives (the default across several models) need"
      : "--positives same-layer needs"
    let got = "\(plural(models, "model")) of \(plural(layers, "layer"))\(models > 1 ? " each" : "")"
    let hint = counts.count == 2 && counts.allSatisfy { $0 == 1 }
      ? "; two selectors of one layer each pair rows by example key: use --positives same-example" : ""
    return "\(rule) at least two models of at least two layers (got \(got))" + hint
  }

  /// `1 selector of 7 layers`, `2 selectors of 1 layer each`, `2 selectors of 1 and 3 layers`.
  static func selectors(_ counts: [Int]) -> String {
    let head = plural(counts.count, "selector")
    guard let first = counts.first else { return head }
    if counts.allSatisfy({ $0 == first }) {
      return "\(head) of \(plural(first, "layer"))\(counts.count > 1 ? " each" : "")"
    }
    let numbers = counts.map(String.init)
    return "\(head) of \(numbers.dropLast().joined(separator: ", ")) and \(numbers.last!) layers"
  }

  private static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
