/// Why a statement cannot be planned or run, in one line the CLI prints as is; `kind` tells scripts and tests what
/// went wrong without reading the text, and `path` names the file involved when there is one.
public struct QueryError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// The tensors compared use different example sets (or have no key in common).
    case exampleSets
    /// An example subset that does not fit the examples (out of range, a key list that cannot be read or is empty).
    case subset
    /// Options or arguments that do not go together, or that the statement's measures do not use.
    case usage
    /// A name the store does not hold: a projection, a table, a kind of projection.
    case notFound
    /// A name the store holds already.
    case conflict
    /// Layers or models whose shapes do not fit: different layer lists or widths, too few models, layers or rows.
    case shape
    /// Training examples that overlap the examples a benchmark tests on.
    case trainTestOverlap
    /// A stored projection that cannot be used (its layers do not stack, an unknown input standardization).
    case damagedProjection
    /// Statement text that is not UTF-8.
    case encoding
    /// A heatmap file that cannot be written.
    case heatmap
    /// The result was computed but the store could not keep it (a read-only store).
    case notStored
  }

  public let kind: Kind
  /// The file the error is about (a key list, a heatmap), if any.
  public let path: String?
  /// What went wrong, and what would be accepted.
  public let message: String

  init(_ kind: Kind, _ message: String, path: String? = nil) {
    self.kind = kind
    self.message = message
    self.path = path
  }

  public var description: String { message }
}
