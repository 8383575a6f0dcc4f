import RepFormats
import Testing

@Suite("JSONString")
struct JSONStringTests {
  /// The escapes of serde_json and Python's json.dumps(ensure_ascii=False).
  @Test(arguments: [
    ("plain", #""plain""#), ("a\"b\\c", #""a\"b\\c""#), ("\n\r\t", #""\n\r\t""#), ("\u{08}\u{0C}", #""\b\f""#),
    ("\u{01}\u{1F}", #""\u0001\u001f""#), ("\u{7F}é✓", "\"\u{7F}é✓\""), ("", #""""#),
  ])
  func literal(_ text: String, _ expected: String) {
    #expect(JSONString.literal(text) == expected)
  }
}
