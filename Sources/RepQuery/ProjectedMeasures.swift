import Foundation
import RepLearning
import RepMath
import RepMeasures
import RepStore

/// The learned measures: a stored projection applied to both sides, then ContraSim's similarity (the mean cosine of
/// the encoded rows, also DeepDot's), its distance form, or linear CKA of the encoded matrices (DeepCKA).
///
/// The cosine forms stream: each chunk of rows is encoded and its cosines summed, so memory is one chunk whatever n.
/// The id names the projection (`contrasim(using=probe)`); `contentIdentity` (the projection's catalog id) keeps a
/// table computed with a dropped and retrained projection of the same name from being read back.
package struct ProjectedSimilarity: RowwiseMeasure, IdentifiedMeasure, StandardizedInputMeasure {
  package enum Form: String, Sendable, CaseIterable {
    case contrasim, contrasimDistance = "contrasim.dist", deepdot
  }

  package let form: Form
  package let projectionName: String
  package let projection: Projection
  package let contentIdentity: String

  package init(form: Form, projectionName: String, projection: Projection, contentIdentity: String) {
    self.form = form
    self.projectionName = projectionName
    self.projection = projection
    self.contentIdentity = contentIdentity
  }

  package var id: MeasureID { MeasureID(name: form.rawValue, parameters: ["using": projectionName]) }
  package var standardizesInputs: Bool { projection.inputStandardization == .perTensor }
  package var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[-1, 1]", invariances: [])
  }
  package var chunkRows: Int? { nil }

  package func checkShapes(rows: Int, columns: (Int, Int)) throws {
    for width in [columns.0, columns.1] where projection.encoders[width] == nil {
      throw MeasureError.incompatibleInputs(
        measure: id.description, message: "\(ProjectionError.width(width, projection.inputWidths))")
    }
  }

  package func accumulate(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rows: Int, columns: (Int, Int),
    into state: inout RowwiseState
  ) {
    // The chunk buffers may be longer than this chunk's rows.
    let left = Matrix(rows: rows, columns: columns.0, storage: Array(x.prefix(rows * columns.0)))
    let right = Matrix(rows: rows, columns: columns.1, storage: Array(y.prefix(rows * columns.1)))
    guard rows > 0, let a = try? projection.encode(left), let b = try? projection.encode(right) else { return }
    let mean =
      form == .contrasimDistance ? EncodedSimilarity.contrasimDistance(a, b) : EncodedSimilarity.contrasim(a, b)
    if state.sums.isEmpty { state.sums = [0] }
    state.sums[0] += mean * Double(rows)
    state.rows += rows
  }

  package func value(of state: RowwiseState) -> MeasureValue {
    state.rows > 0 ? MeasureValue(state.sums[0] / Double(state.rows)) : .undefined("no rows")
  }
}

/// DeepCKA: linear CKA of the two sides' encoded matrices (whole matrices: CKA does not decompose over rows).
package struct ProjectedCKA: SimilarityMeasure, IdentifiedMeasure, StandardizedInputMeasure {
  package let projectionName: String
  package let projection: Projection
  package let contentIdentity: String

  package init(projectionName: String, projection: Projection, contentIdentity: String) {
    self.projectionName = projectionName
    self.projection = projection
    self.contentIdentity = contentIdentity
  }

  package var id: MeasureID { MeasureID(name: "deepcka", parameters: ["using": projectionName]) }
  package var standardizesInputs: Bool { projection.inputStandardization == .perTensor }
  package var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]", invariances: [])
  }

  package func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    do {
      return MeasureValue(EncodedSimilarity.deepCKA(try projection.encode(x), try projection.encode(y)))
    } catch let error as ProjectionError {
      throw MeasureError.incompatibleInputs(measure: id.description, message: "\(error)")
    }
  }
}

extension StoredProjection {
  /// What rows its encoders take: raw for a projection stored before standardization existed, or unreadable options.
  package var inputStandardization: Projection.InputStandardization {
    (try? Projection.inputStandardization(of: self)) ?? .none
  }

  /// The recorded diagnosis of a training run that collapsed (`CollapseDiagnosis`), or nil.
  package var collapse: String? { provenance?.collapse?.description }
}

/// A measure whose values depend on more than its id (a trained projection): the identity goes into the inputs
/// digest of its stored tables.
package protocol IdentifiedMeasure {
  var contentIdentity: String { get }
}

extension Projection {
  /// The projection a stored one describes.
  /// - Throws: `QueryError` (`.damagedProjection`) when its layers do not stack into encoders.
  package init(_ stored: StoredProjection) throws {
    var encoders: [Int: Encoder] = [:]
    for width in Set(stored.layers.map(\.inputWidth)) {
      let layers = stored.layers.filter { $0.inputWidth == width }.sorted { $0.index < $1.index }.map {
        DenseLayer(weights: Matrix(rows: $0.rowCount, columns: $0.columnCount, storage: $0.weights), bias: $0.bias)
      }
      guard zip(layers, layers.dropFirst()).allSatisfy({ $0.outputCount == $1.inputCount }),
        layers.first?.inputCount == width
      else {
        throw QueryError(.damagedProjection, "projection '\(stored.name)': its stored layers for width \(width) do not stack")
      }
      encoders[width] = Encoder(layers: layers)
    }
    self.init(encoders: encoders, inputStandardization: try Self.inputStandardization(of: stored))
  }

  /// The `standardize` of a stored projection's options: absent (stored before it existed) means raw rows.
  static func inputStandardization(of stored: StoredProjection) throws -> InputStandardization {
    // Read on its own: records of every age have this field or lack it, whatever else they hold.
    struct Field: Decodable { var standardize: String? }
    guard let value = try? JSONDecoder().decode(Field.self, from: Data(stored.optionsJSON.utf8)).standardize else {
      return .none
    }
    guard let standardization = InputStandardization(rawValue: value) else {
      throw QueryError(.damagedProjection, "projection '\(stored.name)': unknown input standardization \(value)")
    }
    return standardization
  }

  /// The layers to store.
  package var storedLayers: [StoredProjection.Layer] {
    encoders.keys.sorted().flatMap { width in
      encoders[width]!.layers.enumerated().map { index, layer in
        StoredProjection.Layer(
          inputWidth: width, index: index, rowCount: layer.inputCount, columnCount: layer.outputCount,
          weights: layer.weights.storage, bias: layer.bias)
      }
    }
  }
}
