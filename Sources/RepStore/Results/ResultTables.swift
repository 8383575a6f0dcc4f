import Foundation

/// One axis entry of a stored result table: the tensor a row or column was computed from, by name and content.
public struct ResultAxisEntry: Sendable, Hashable {
  public var model: String
  public var layer: String
  public var exampleSet: String
  /// The tensor's content digest when the table was computed.
  public var tensorDigest: String

  public init(model: String, layer: String, exampleSet: String, tensorDigest: String) {
    self.model = model
    self.layer = layer
    self.exampleSet = exampleSet
    self.tensorDigest = tensorDigest
  }

  /// The entry for a stored tensor as it is now.
  public init(_ tensor: TensorInfo) {
    self.init(model: tensor.model, layer: tensor.layer, exampleSet: tensor.exampleSet, tensorDigest: tensor.digest)
  }
}

/// What describes a result table apart from its cells.
public struct ResultTableHeader: Sendable, Equatable {
  /// Catalog id, the N of `repstore table N`; 0 before the table is stored.
  public var id: Int64 = 0
  /// The canonical statement that asked for it.
  public var statement: String
  /// The canonical measure id.
  public var measure: String
  public var largerIsSimilar: Bool
  public var isSymmetric: Bool
  /// Digest of everything the values depend on (see `TableMaterializer`); the lookup key.
  public var inputsDigest: String
  /// The version of the code that computed the values.
  public var codeVersion: String
  /// For statistics measures, "features" or "grams".
  public var route: String?
  public var examples: String
  public var exampleCount: Int
  public var rows: [ResultAxisEntry]
  public var columns: [ResultAxisEntry]
  /// Whether every cell has been stored.
  public var isComplete = false
  public var createdAt = ""
  /// Compute time, summed over the runs that made the cells.
  public var seconds = 0.0

  public init(
    statement: String, measure: String, largerIsSimilar: Bool, isSymmetric: Bool, inputsDigest: String,
    codeVersion: String, route: String?, examples: String, exampleCount: Int, rows: [ResultAxisEntry],
    columns: [ResultAxisEntry]
  ) {
    self.statement = statement
    self.measure = measure
    self.largerIsSimilar = largerIsSimilar
    self.isSymmetric = isSymmetric
    self.inputsDigest = inputsDigest
    self.codeVersion = codeVersion
    self.route = route
    self.examples = examples
    self.exampleCount = exampleCount
    self.rows = rows
    self.columns = columns
  }
}

/// One stored cell: `value` nil means undefined, with `reason`.
public struct ResultCell: Sendable, Equatable {
  public var row: Int
  public var column: Int
  public var value: Double?
  public var reason: String?

  public init(row: Int, column: Int, value: Double?, reason: String?) {
    self.row = row
    self.column = column
    self.value = value
    self.reason = reason
  }
}

/// A stored table: its header and the cells stored so far.
public struct ResultTable: Sendable {
  public var header: ResultTableHeader
  public var cells: [ResultCell]

  public init(header: ResultTableHeader, cells: [ResultCell]) {
    self.header = header
    self.cells = cells
  }
}

/// A listed table with whether its inputs still hold the content it was computed from.
public struct ResultTableSummary: Sendable {
  public var header: ResultTableHeader
  public var storedCellCount: Int
  /// Some input tensor was replaced or removed since.
  public var isStale: Bool
}
