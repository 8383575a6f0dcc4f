import RepSupport
import Testing

@Suite("EditDistance")
struct EditDistanceTests {
  @Test(arguments: [
    ("kitten", "sitting", 3), ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("cka", "cka", 0), ("cka", "ckb", 1),
    ("sim", "smi", 2), ("--reduc", "--reduce", 1), ("é", "e\u{301}", 0), ("flaw", "lawn", 2),
  ])
  func levenshtein(_ a: String, _ b: String, _ distance: Int) {
    #expect(EditDistance.levenshtein(a, b) == distance)
    #expect(EditDistance.levenshtein(b, a) == distance)
  }

  /// The row-by-row evaluation against the textbook recursion, on short words over a small alphabet.
  @Test func matchesTheRecursion() {
    func reference(_ a: Substring, _ b: Substring) -> Int {
      guard let x = a.first else { return b.count }
      guard let y = b.first else { return a.count }
      let rest = reference(a.dropFirst(), b.dropFirst()) + (x == y ? 0 : 1)
      return min(rest, reference(a.dropFirst(), b) + 1, reference(a, b.dropFirst()) + 1)
    }
    var generator = SplitMix64(seed: 7)
    func word() -> String {
      String((0 ..< Int.random(in: 0 ... 5, using: &generator)).map { _ in "abc".randomElement(using: &generator)! })
    }
    for _ in 0 ..< 300 {
      let (a, b) = (word(), word())
      #expect(EditDistance.levenshtein(a, b) == reference(a[...], b[...]), "'\(a)' to '\(b)'")
    }
  }
}
