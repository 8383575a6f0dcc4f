import Testing
import RepMath

@Suite("DerivedCache")
struct DerivedCacheTests {
  @Test("a value is computed once per key, an optional nil included")
  func computedOnce() {
    let cache = DerivedCache()
    var calls = 0
    let make = { () -> Int? in
      calls += 1
      return nil
    }
    #expect(cache.value("absent", make) == nil)
    #expect(cache.value("absent", make) == nil)
    #expect(calls == 1)
    let cached: Int?? = cache.cached("absent")
    #expect(cached == .some(nil))
    let missing: Int? = cache.cached("never computed")
    #expect(missing == nil)
    #expect(cache.value("seven") { 7 } == 7)
    #expect(cache.value("seven") { 8 } == 7)
  }
}
