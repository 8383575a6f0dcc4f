import Foundation
import RepStore

/// Where a running statement's output and notes go. The CLI writes output to stdout and notes to stderr (dropping
/// notes when `--quiet`); tests collect them (`CollectedOutput`).
public protocol QuerySink: Sendable {
  /// Output text, in order: tables, listings, streamed cells, plans.
  func write(_ text: String)
  /// A line for people about progress and provenance (trained or reused projections, stored tables).
  func note(_ line: String)
  /// A line that matters to the result (a collapsed projection, scores inflated by training on compared rows).
  func warning(_ line: String)
  /// Reports the progress of long passes over the data; nil for none.
  var progress: (any ProgressReporter)? { get }
  /// Whether tables written to it may use terminal colours.
  var colour: Bool { get }
  /// Whether `status` lines are shown: one live line, redrawn in place (a terminal); when false, long work reports
  /// through a few `note` lines instead.
  var showsStatus: Bool { get }
  /// Replaces the live status line (training: the epoch, its loss, the time left); "" clears it.
  func status(_ line: String)
  /// The columns a text table may take before it folds (`TableRenderer.textWidth`); nil for no limit.
  var width: Int? { get }
}

extension QuerySink {
  public var showsStatus: Bool { false }
  public func status(_ line: String) {}
  public var width: Int? { nil }
}

/// A sink that keeps everything, for tests and for callers that render output themselves.
public final class CollectedOutput: QuerySink, @unchecked Sendable {
  private let lock = NSLock()
  private var texts: [String] = []
  private var noteLines: [String] = []
  private var warningLines: [String] = []

  public init() {}

  public func write(_ text: String) { lock.withLock { texts.append(text) } }
  public func note(_ line: String) { lock.withLock { noteLines.append(line) } }
  public func warning(_ line: String) { lock.withLock { warningLines.append(line) } }
  public var progress: (any ProgressReporter)? { nil }
  public var colour: Bool { false }

  /// Everything written, joined.
  public var output: String { lock.withLock { texts.joined() } }
  public var notes: [String] { lock.withLock { noteLines } }
  public var warnings: [String] { lock.withLock { warningLines } }
}
