import Foundation
import RepMath

/// SplitMix64 (Steele, Lea, Flood 2014): a small repeatable generator, so a failing seed can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A standard normal draw (Box–Muller).
  mutating func gaussian() -> Double {
    let u = Double.random(in: Double.ulpOfOne ..< 1, using: &self)
    let v = Double.random(in: 0 ..< 1, using: &self)
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// A rows×columns matrix of standard normal draws.
  mutating func gaussianMatrix(rows: Int, columns: Int) -> DoubleMatrix {
    DoubleMatrix(rows: rows, columns: columns, storage: (0 ..< rows * columns).map { _ in gaussian() })
  }

  /// A d×d orthogonal matrix: the Q factor of the QR decomposition of a Gaussian matrix.
  mutating func orthogonalMatrix(_ d: Int) throws -> DoubleMatrix {
    try LAPACK.qr(gaussianMatrix(rows: d, columns: d)).q
  }

  /// A random permutation of 0..<n.
  mutating func permutation(_ n: Int) -> [Int] { Array(0 ..< n).shuffled(using: &self) }
}
