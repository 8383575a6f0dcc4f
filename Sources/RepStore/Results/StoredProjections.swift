import Foundation

/// A trained projection as the catalog keeps it: what made it, and its dense layers by input width.
public struct StoredProjection: Sendable, Equatable {
  /// One dense layer of one encoder: y = x·W + b with W `rowCount` × `columnCount`.
  public struct Layer: Sendable, Equatable {
    public var inputWidth: Int
    public var index: Int
    public var rowCount: Int
    public var columnCount: Int
    public var weights: [Float]
    public var bias: [Float]

    public init(inputWidth: Int, index: Int, rowCount: Int, columnCount: Int, weights: [Float], bias: [Float]) {
      self.inputWidth = inputWidth
      self.index = index
      self.rowCount = rowCount
      self.columnCount = columnCount
      self.weights = weights
      self.bias = bias
    }
  }

  /// Catalog id (never reused); 0 before it is stored.
  public var id: Int64 = 0
  public var name: String
  /// The objective it was trained with (`contrasim`, `contrasim.dist`, `deepdot`, `deepcka`).
  public var kind: String
  /// The canonical `train` statement.
  public var statement: String
  /// The hyper-parameters, as a JSON object.
  public var optionsJSON: String
  /// The training inputs (tensors and example sets), as a JSON array.
  public var trainedOnJSON: String
  public var losses: [Double]
  public var seconds: Double
  public var createdAt = ""
  public var layers: [Layer]

  public init(
    name: String, kind: String, statement: String, optionsJSON: String, trainedOnJSON: String, losses: [Double],
    seconds: Double, layers: [Layer]
  ) {
    self.name = name
    self.kind = kind
    self.statement = statement
    self.optionsJSON = optionsJSON
    self.trainedOnJSON = trainedOnJSON
    self.losses = losses
    self.seconds = seconds
    self.layers = layers
  }
}
