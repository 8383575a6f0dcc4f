import Foundation

/// Builds SVG text one element per line. Every attribute value and text node passes through `TextEscaping.xml`
/// here, so no caller can forget to escape a label.
struct SVGWriter {
  private(set) var text = ""
  private var depth = 0

  /// Opens `<name …>`; pair with `close(_:)`.
  mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
    line("<\(name)\(Self.attributes(attributes))>")
    depth += 1
  }

  mutating func close(_ name: String) {
    depth -= 1
    line("</\(name)>")
  }

  /// `<name …/>`.
  mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String>) {
    line("<\(name)\(Self.attributes(attributes))/>")
  }

  /// `<name …>content</name>` with `content` escaped.
  mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], content: String) {
    line("<\(name)\(Self.attributes(attributes))>\(TextEscaping.xml(content))</\(name)>")
  }

  /// `<name …><title>tooltip</title></name>`: a shape whose hover text browsers show.
  mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, tooltip: String) {
    line("<\(name)\(Self.attributes(attributes))><title>\(TextEscaping.xml(tooltip))</title></\(name)>")
  }

  /// A line of markup written as given: only for text this file's callers built from escaped parts.
  mutating func line(_ markup: String) {
    text += String(repeating: "  ", count: depth) + markup + "\n"
  }

  /// A length or coordinate with at most two decimals and no trailing zeros: short, and exact enough for pixels.
  static func number(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
  }

  private static func attributes(_ pairs: KeyValuePairs<String, String>) -> String {
    pairs.map { " \($0.key)=\"\(TextEscaping.xml($0.value))\"" }.joined()
  }
}
