import RepFormats

/// One file to import and the names it gets.
public struct ImportSource: Sendable {
  public var path: String
  public var model: String
  /// The layer name for a 2-D .npy; nil means the file's stem. Ignored by formats that name their layers.
  public var layer: String?
  public var exampleSet: String
  /// The dump already open, for input that cannot be opened again by path (standard input); nil: open `path`.
  public var opened: Dump?

  public init(path: String, model: String, layer: String?, exampleSet: String, opened: Dump? = nil) {
    self.path = path
    self.model = model
    self.layer = layer
    self.exampleSet = exampleSet
    self.opened = opened
  }
}

/// How an import behaves.
public struct ImportOptions: Sendable {
  /// Names for the L axis of 3-D `.npy` files; nil means L0, L1, ...
  public var layerNames: [String]?
  /// Treat 2-byte void `.npy` data (`|V2`) as bfloat16.
  public var assumeBFloat16 = false
  /// Store NaN and ±Inf instead of rejecting the file.
  public var allowNonFinite = false
  /// Replace tensors that already exist under the same (model, layer, example set).
  public var replace = false
  /// A file of example keys (one per line) for the example sets of this import.
  public var keysFile: String?
  /// zstd level for new blocks.
  public var compressionLevel = 1
  /// Raw bytes per block (rows are never split; a block holds at least one row).
  public var targetBlockByteCount = 2 << 20
  /// The largest row accepted, in float32 bytes: a row is read and encoded whole, a few at a time, so a row of
  /// 2³¹ columns would need tens of GiB. 1 GiB is 268,435,456 columns, far beyond any layer's width.
  public var maximumRowByteCount: Int64 = 1 << 30
  public var threads = defaultThreadCount
  /// Wait for another writer instead of failing.
  public var waitForLock = false

  public init() {}
}

/// What an import added.
public struct ImportSummary: Sendable {
  public var tensors: [TensorInfo]
  public var replacedCount: Int
  public var rawByteCount: Int64
  public var storedByteCount: Int64
  public var createdStore: Bool
}

/// Receives progress of long operations (bytes of Float32 data processed out of a known total).
public protocol ProgressReporter: AnyObject {
  func begin(_ label: String, totalByteCount: Int64)
  func advance(to byteCount: Int64)
  func end()
}

extension ImportSource {
  /// Standard input as a source (`repstore import -`): one `.npy`, `.npz` or `.safetensors` dump, recognised by its
  /// content and named "stdin" in messages. A pipe is copied to an unnamed scratch file in `directory` first (see
  /// `Dump.openStandardInput`); choose the store's parent folder, which has room for the data.
  public static func standardInput(
    model: String, layer: String?, exampleSet: String, options: ImportOptions, spoolingIn directory: String
  ) throws -> ImportSource {
    let dump = try Dump.openStandardInput(spoolingIn: directory, options: Store.formatOptions(options))
    return ImportSource(path: "stdin", model: model, layer: layer, exampleSet: exampleSet, opened: dump)
  }
}
