/// Batches for same-example training with hard negatives: each example comes with its nearest neighbours in the raw
/// space, so the other examples of its batch are the ones it is easiest to confuse with (the paper's FAISS path).
///
/// An epoch visits the examples in a seeded random order; an example not yet placed opens a group with its
/// neighbours not yet placed, and groups fill batches of about `size` rows. Every example is in exactly one batch per
/// epoch.
public struct HardNegativeBatches: Sendable {
  public let neighbours: NearestNeighbours
  public let size: Int
  public let seed: UInt64

  public init(neighbours: NearestNeighbours, size: Int, seed: UInt64) {
    self.neighbours = neighbours
    self.size = max(2, size)
    self.seed = seed
  }

  /// The batches of epoch `epoch` (from 1).
  public func batches(epoch: Int) -> [[Int]] {
    var generator = SplitMixGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
    let count = neighbours.queryCount
    var placed = [Bool](repeating: false, count: count)
    var batches: [[Int]] = []
    var current: [Int] = []
    for anchor in Array(0 ..< count).shuffled(using: &generator) where !placed[anchor] {
      var group = [anchor]
      placed[anchor] = true
      for neighbour in neighbours.indices(ofQuery: anchor) where !placed[neighbour] {
        group.append(neighbour)
        placed[neighbour] = true
      }
      if !current.isEmpty && current.count + group.count > size {
        batches.append(current)
        current = []
      }
      current += group
    }
    if !current.isEmpty { batches.append(current) }
    return batches
  }
}
