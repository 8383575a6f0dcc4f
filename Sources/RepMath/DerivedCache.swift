import Foundation

/// Quantities derived from one statistics value (an eigendecomposition, a norm), computed once and shared by every
/// cell of a table that uses the same layer. A similarity table of L layers evaluates O(L²) cells but needs each
/// layer's whitening only once.
///
/// The cache belongs to one statistics value: `ColumnStatistics` replaces it whenever rows are added, so a derived
/// quantity can never describe other data. It takes no part in equality. Thread-safe: a value is computed under the
/// lock, so two threads asking for the same key compute it once.
public final class DerivedCache: @unchecked Sendable, Equatable {
  private let lock = NSRecursiveLock()  // a derived value may derive from another one
  private var values: [String: Any] = [:]

  public init() {}

  /// The value stored under `key`, computing and storing it first if absent.
  public func value<T>(_ key: String, _ make: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    // Looked up first, then cast: an absent key cast to an optional T would read as a cached nil.
    if let stored = values[key], let cached = stored as? T { return cached }
    let made = try make()
    values[key] = made
    return made
  }

  /// The value stored under `key`, if it has been computed.
  public func cached<T>(_ key: String) -> T? {
    lock.lock()
    defer { lock.unlock() }
    guard let stored = values[key] else { return nil }
    return stored as? T
  }

  /// Caches never affect the equality of the values they belong to.
  public static func == (a: DerivedCache, b: DerivedCache) -> Bool { true }
}
