import Foundation
import RepLearning
import RepStore

/// Where a trained projection came from: stored as its `trained_on` JSON, written and read with `JSONEncoder` and
/// `JSONDecoder` (snake_case keys). Records written before a field existed decode with it nil.
public struct ProjectionProvenance: StoredRecord, Sendable, Equatable {
  /// One tensor trained on, by name and content digest.
  public struct Input: Codable, Sendable, Equatable {
    public var model: String
    public var layer: String
    public var examples: String
    public var digest: String
  }

  /// The held-out part of the examples and its loss per epoch.
  public struct Validation: Codable, Sendable, Equatable {
    public var fraction: Double
    public var rows: Int
    public var losses: [Double]
    public var keptEpoch: Int
  }

  /// A run that ended collapsed (`CollapseDiagnosis`).
  public struct Collapse: Codable, Sendable, Equatable {
    public var sinceEpoch: Int
    public var loss: Double
    public var collapsedLoss: Double?
    /// Nil when not finite (JSON has no infinity).
    public var spread: Double?
    public var description: String
  }

  /// A run stopped by Ctrl-C or SIGTERM (`repstore train` keeps what it had).
  public struct Interrupted: Codable, Sendable, Equatable {
    /// The epochs that ended before the signal, of `epochsAsked`.
    public var epochsRun: Int
    public var epochsAsked: Int
    /// The epoch whose encoders were kept (the best held-out one, else the last that ended).
    public var keptEpoch: Int
  }

  /// The version of the training code (`ProjectionProvenance.currentCodeVersion`).
  public var codeVersion: String?
  /// The aligned examples, as `ExampleAlignment` describes them.
  public var examples: String
  public var rows: Int
  /// The exact stored rows trained on, so that later comparisons can tell whether they reuse them.
  public var trainedExamples: TrainedExamples?
  /// `same-layer` or `same-example`.
  public var positives: String
  public var tensors: [Input]
  /// The seed of the initialisation, the batch order and the held-out split.
  public var seed: UInt64?
  public var validation: Validation?
  public var collapse: Collapse?
  /// Set when training was interrupted and the projection holds a shorter run than asked for.
  public var interrupted: Interrupted?

  /// Bumped when training would give other encoders for the same inputs and options.
  public static let currentCodeVersion = "training-2"

  init(
    alignment: ExampleAlignment, tensors: [TensorInfo], positives: PositivePairs, options: TrainingOptions,
    trained: TrainedProjection
  ) {
    codeVersion = Self.currentCodeVersion
    examples = alignment.description
    rows = alignment.rowCount
    trainedExamples = tensors.first.map { TrainedExamples(alignment, firstTensor: $0) }
    self.positives = positives.rawValue
    self.tensors = tensors.map { Input(model: $0.model, layer: $0.layer, examples: $0.exampleSet, digest: $0.digest) }
    seed = options.seed
    if !trained.validationRows.isEmpty {
      validation = Validation(
        fraction: options.validationFraction, rows: trained.validationRows.count,
        losses: trained.epochs.compactMap(\.validationLoss), keptEpoch: trained.keptEpoch)
    }
    if trained.wasInterrupted {
      interrupted = Interrupted(epochsRun: trained.epochs.count, epochsAsked: options.epochs, keptEpoch: trained.keptEpoch)
    }
    collapse = trained.collapse.map {
      Collapse(sinceEpoch: $0.sinceEpoch, loss: $0.loss, collapsedLoss: $0.collapsedLoss,
               spread: $0.spread.isFinite ? $0.spread : nil, description: $0.description)
    }
  }
}

/// The options a projection was trained with, stored as its `options` JSON: every value resolved (defaults
/// included), so the record does not change meaning when a default does.
public struct RecordedTrainingOptions: StoredRecord, Sendable, Equatable {
  public var objective: String
  public var epochs: Int
  public var batch: Int
  public var lr: Float
  public var weightDecay: Float
  public var temperature: Double?
  public var hidden: [Int]
  public var outDim: Int
  public var seed: UInt64
  public var validation: Double
  public var patience: Int
  /// `none` or `per-tensor`; absent in records written before standardization existed (raw inputs).
  public var standardize: String?

  init(_ options: TrainingOptions) {
    objective = options.objective.rawValue
    epochs = options.epochs
    batch = options.batchSize
    lr = options.learningRate
    weightDecay = options.weightDecay
    temperature = options.temperature
    hidden = options.hidden
    outDim = options.outputDimension
    seed = options.seed
    validation = options.validationFraction
    patience = options.patience
    standardize = options.inputStandardization.rawValue
  }

}

/// A record stored as JSON in the catalog: snake_case keys, sorted, so that equal records are equal text.
public protocol StoredRecord: Codable {}

extension StoredRecord {
  /// The record as stored. Its fields are numbers, strings and arrays of them: encoding cannot fail.
  public var json: String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
  }

  /// Reads a stored record; nil when the text is not one (hand-made or damaged).
  public init?(json: String) {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    guard let value = try? decoder.decode(Self.self, from: Data(json.utf8)) else { return nil }
    self = value
  }
}

extension StoredProjection {
  /// Its provenance, when the record reads as one.
  public var provenance: ProjectionProvenance? { ProjectionProvenance(json: trainedOnJSON) }

  /// Its recorded options, when the record reads as one.
  public var recordedOptions: RecordedTrainingOptions? { RecordedTrainingOptions(json: optionsJSON) }
}
