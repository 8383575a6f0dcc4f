import Foundation
import RepStore

/// The examples a projection trained on, kept with its provenance: stored rows of one example set, as half-open
/// ranges. With the store's keys they tell whether rows compared later were seen in training.
///
/// An example is its key when its set has explicit keys (the same key in two sets is one example seen two ways, as
/// `--intersect` aligns them), and its set and position when the set's keys are only positions.
public struct TrainedExamples: Codable, Sendable, Equatable {
  /// The example set the rows belong to (the first training tensor's).
  public var set: String
  /// Stored rows of `set`, each `[start, end)`, ascending.
  public var rows: [[Int]]

  public init(set: String, rows positions: [Int]) {
    self.set = set
    var ranges: [[Int]] = []
    for position in positions.sorted() {
      if let last = ranges.last, last[1] == position {
        ranges[ranges.count - 1][1] = position + 1
      } else if ranges.last.map({ position >= $0[1] }) ?? true {
        ranges.append([position, position + 1])
      }
    }
    rows = ranges
  }

  /// The examples of an alignment: the stored rows of its first tensor's set.
  public init(_ alignment: ExampleAlignment, firstTensor: TensorInfo) {
    let set = firstTensor.exampleSet
    self.init(set: set, rows: alignment.rowIndices?[set] ?? Array(0 ..< alignment.rowCount))
  }

  /// The rows, one by one.
  public var positions: [Int] { rows.flatMap { $0[0] ..< $0[1] } }

  /// How many of `other`'s examples are among these.
  public func overlap(with other: TrainedExamples, in store: Store) throws -> Int {
    let mine = Set(try Self.identities(set: set, positions: positions, in: store))
    return try Self.identities(set: other.set, positions: other.positions, in: store).filter(mine.contains).count
  }

  /// What identifies each example (see the type's note).
  static func identities(set: String, positions: [Int], in store: Store) throws -> [String] {
    guard let info = try store.exampleSets().first(where: { $0.name == set }) else { return [] }
    switch info.keyKind {
    case .ordinal:
      return positions.map { "\(set)#\($0)" }
    case .explicit:
      let keys = try store.exampleKeys(ofSet: set)
      return positions.filter { $0 < keys.count }.map { keys[$0] }
    }
  }
}

extension StoredProjection {
  /// The examples it trained on, when its provenance records them (projections stored before it did: nil).
  public var trainedExamples: TrainedExamples? { provenance?.trainedExamples }
}

/// Whether rows compared through a projection were among those it trained on.
public enum TrainingOverlap {
  /// How many of the examples `request` compares the projection trained on, and how many it compares; nil when the
  /// projection does not record its examples (stored before it did).
  public static func count(
    _ projection: StoredProjection, comparedBy request: TableRequest, in store: Store
  ) throws -> (overlap: Int, compared: Int)? {
    guard let trained = projection.trainedExamples, let first = (request.rows + request.columns).first else {
      return nil
    }
    let alignment = try request.alignment ?? ExampleAlignment.align(
      request.rows + request.columns, in: store, intersect: request.intersect, subset: request.subset)
    let compared = TrainedExamples(alignment, firstTensor: first)
    return (try trained.overlap(with: compared, in: store), alignment.rowCount)
  }

  /// The note `sim` prints when some compared rows were trained on; nil when none were (or it cannot tell).
  public static func note(_ projection: StoredProjection, comparedBy request: TableRequest, in store: Store) throws
    -> String?
  {
    guard let (overlap, compared) = try count(projection, comparedBy: request, in: store), overlap > 0 else {
      return nil
    }
    return "note: projection '\(projection.name)' was trained on \(overlap) of the \(compared) examples compared: "
      + "their scores are inflated; compare on held-out examples"
  }
}
