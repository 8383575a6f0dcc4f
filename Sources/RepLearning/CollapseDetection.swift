import Foundation

/// A training run whose encoders map every row to (nearly) one point: the contrastive loss sits at the value a
/// constant encoder gets, or the encoded rows have no spread left. Such a projection scores every pair alike.
public struct CollapseDiagnosis: Sendable, Equatable, CustomStringConvertible {
  /// The first epoch of the run of collapsed epochs.
  public var sinceEpoch: Int
  /// The last collapsed epoch's loss.
  public var loss: Double
  /// The loss of a constant encoder for the epoch's batches (contrastive objectives only).
  public var collapsedLoss: Double?
  /// 1 − ‖mean encoded row‖² over a sample of training rows: 0 when every row encodes to one point, near 1 when
  /// the encoded rows spread over the sphere.
  public var spread: Double

  public var description: String {
    let plateau = collapsedLoss.flatMap { collapsed in
      abs(loss - collapsed) <= CollapseDetector.lossTolerance * abs(collapsed)
        ? String(format: "the loss has stayed within 1%% of %.4f (that of an encoder mapping every row to one point)",
                 collapsed)
        : nil
    }
    let flat = spread < CollapseDetector.minimumSpread
      ? String(format: "the encoded rows have almost no spread (%.4f)", spread) : nil
    return "since epoch \(sinceEpoch), " + [plateau, flat].compactMap { $0 }.joined(separator: " and ")
  }

  /// What to try instead, for messages.
  public static let remedy =
    "standardize the inputs (--standardize), lower the learning rate (--lr), or train with hard negatives "
    + "(--negatives knn:K)"
}

/// Watches a contrastive run's epochs for collapse: the loss within 1% of the collapsed loss, or the spread of the
/// encoded rows below `minimumSpread`, for `epochs` epochs in a row (or for every epoch of a shorter run).
public struct CollapseDetector: Sendable {
  /// Spread (1 − ‖mean encoded row‖²) below which the encoded rows count as one point.
  public static let minimumSpread = 0.01
  /// The relative distance to the collapsed loss within which the loss counts as collapsed.
  public static let lossTolerance = 0.01

  /// Consecutive collapsed epochs that make a diagnosis.
  public let epochs: Int
  private var streakStart: Int?

  public init(epochs: Int = 3) {
    precondition(epochs >= 1, "CollapseDetector: epochs must be positive")
    self.epochs = epochs
  }

  /// Whether one epoch looks collapsed. Only a contrastive run (one with a `collapsedLoss`) can be: the positive-only
  /// objectives (DeepDot, DeepCKA) have no negatives, a constant encoder is where they head, and they rank pairs by
  /// what spread remains (DeepDot's encodings of the shipped text keep a spread of 0.001 and find 99% of the pairs).
  public static func isCollapsed(loss: Double, collapsedLoss: Double?, spread: Double?) -> Bool {
    guard let collapsedLoss else { return false }
    if abs(loss - collapsedLoss) <= lossTolerance * abs(collapsedLoss) { return true }
    if let spread, spread < minimumSpread { return true }
    return false
  }

  /// Takes the next epoch; returns the diagnosis while the run has been collapsed for `epochs` epochs in a row, or
  /// for every epoch so far when `isLast` and the run is shorter than that.
  public mutating func observe(_ report: EpochReport, isLast: Bool = false) -> CollapseDiagnosis? {
    guard Self.isCollapsed(loss: report.loss, collapsedLoss: report.collapsedLoss, spread: report.spread) else {
      streakStart = nil
      return nil
    }
    let start = streakStart ?? report.epoch
    streakStart = start
    let length = report.epoch - start + 1
    guard length >= epochs || (isLast && start == 1) else { return nil }
    return CollapseDiagnosis(
      sinceEpoch: start, loss: report.loss, collapsedLoss: report.collapsedLoss, spread: report.spread ?? .nan)
  }
}
