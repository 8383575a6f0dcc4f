import Foundation
import RepFormats

/// A layer of an input file, named and checked against the catalog, ready to be written.
private struct PlannedTensor {
  /// Which of the import's sources holds the tensor.
  var sourceIndex: Int
  var path: String
  var layerIndex: Int
  var model: String
  var layer: String
  var exampleSet: String
  var rowCount: Int
  var columnCount: Int
  var elementType: ElementType
  var source: String
  var replacing: Int64?
}

extension Store {
  /// Imports activation dumps as one atomic change: every tensor lands, or none does.
  ///
  /// Headers, names, example sets and conflicts are all checked before any data is written. Data is then
  /// streamed block by block into new segment files (memory: a few blocks per thread), the segments are synced,
  /// and one catalog transaction makes the tensors visible. On any failure the new segments are deleted; a first
  /// import builds its store out of sight (`Store.create`) and leaves nothing when it fails. A killed import leaves
  /// only unreferenced segment bytes, which readers never see and `gc` reclaims (or, killed in a first import, a
  /// hidden folder that the next first import removes).
  /// - Throws: `FormatError` for unreadable input; `StoreError` for names, conflicts, non-finite values, locks, I/O.
  public static func importDumps(
    _ sources: [ImportSource], intoStoreAt path: String, options: ImportOptions = ImportOptions(),
    progress: (any ProgressReporter)? = nil
  ) throws -> ImportSummary {
    precondition(!sources.isEmpty, "importDumps needs at least one source")
    let purpose = "import of \(sources.count) file\(sources.count == 1 ? "" : "s")"
    if !exists(at: path) {
      // The first import builds the store out of sight; nil: another process created it meanwhile.
      let created = try create(at: path, wait: options.waitForLock) { store in
        let lock = try store.lockForWriting(wait: false, purpose: purpose)
        defer { withExtendedLifetime(lock) {} }
        return try store.importLocked(sources, options: options, progress: progress)
      }
      if var summary = created {
        summary.createdStore = true
        return summary
      }
    }
    let store = try Store.open(at: path)
    let lock = try store.lockForWriting(wait: options.waitForLock, purpose: purpose)
    defer { withExtendedLifetime(lock) {} }
    return try store.importLocked(sources, options: options, progress: progress)
  }

  private func importLocked(
    _ sources: [ImportSource], options: ImportOptions, progress: (any ProgressReporter)?
  ) throws -> ImportSummary {
    let (plan, sets) = try planImport(sources, options: options)
    var writer = BlockWriter(store: self, options: options)
    do {
      let total = plan.reduce(Int64(0)) { $0 + Int64($1.rowCount) * Int64($1.columnCount) * 4 }
      progress?.begin("import", totalByteCount: total)
      var newTensors: [NewTensor] = []
      var dump: Dump?
      var dumpSourceIndex: Int?
      var finished: Int64 = 0
      for tensor in plan {
        // Files are opened again one at a time (planning closed them), so a bulk import of thousands of files
        // never holds more than one open; standard input stays open from the start.
        if dumpSourceIndex != tensor.sourceIndex {
          dump = nil
          dump = try sources[tensor.sourceIndex].opened ?? Dump.open(path: tensor.path, options: Store.formatOptions(options))
          dumpSourceIndex = tensor.sourceIndex
        }
        guard let dump, tensor.layerIndex < dump.layers.count,
          dump.layers[tensor.layerIndex].rowCount == tensor.rowCount,
          dump.layers[tensor.layerIndex].columnCount == tensor.columnCount
        else {
          throw StoreError.invalidInput(path: tensor.source, detail: "the file changed while it was being imported")
        }
        let written = try writer.write(dump, layer: tensor.layerIndex, name: tensor.source) { done in
          progress?.advance(to: finished + done)
        }
        finished += Int64(tensor.rowCount) * Int64(tensor.columnCount) * 4
        newTensors.append(
          NewTensor(
            model: tensor.model, layer: tensor.layer, exampleSet: tensor.exampleSet, rowCount: tensor.rowCount,
            columnCount: tensor.columnCount, sourceDType: tensor.elementType.rawValue, source: tensor.source,
            digest: written.digest, blocks: written.blocks))
      }
      progress?.end()
      try writer.finish()
      try catalog.commitImport(sets: sets, tensors: newTensors, replacing: plan.compactMap(\.replacing))
    } catch {
      progress?.end()
      writer.discard()
      throw error
    }
    let keys = Set(plan.map { "\($0.model)\u{0}\($0.layer)\u{0}\($0.exampleSet)" })
    let imported = try catalog.read { db in try Catalog.allTensors(db) }.filter { tensor in
      keys.contains("\(tensor.model)\u{0}\(tensor.layer)\u{0}\(tensor.exampleSet)")
    }
    return ImportSummary(
      tensors: imported.sorted { ($0.model, $0.layer) < ($1.model, $1.layer) },
      replacedCount: plan.filter { $0.replacing != nil }.count,
      rawByteCount: imported.reduce(0) { $0 + $1.rawByteCount },
      storedByteCount: imported.reduce(0) { $0 + $1.storedByteCount }, createdStore: false)
  }

  /// Opens every input, names its layers and checks everything against the catalog. Writes nothing.
  private func planImport(_ sources: [ImportSource], options: ImportOptions) throws -> (
    [PlannedTensor], [NewExampleSet]
  ) {
    let existing = try catalog.read { db in try Catalog.allTensors(db) }
    var existingByName: [String: TensorInfo] = [:]
    for tensor in existing { existingByName["\(tensor.model)\u{0}\(tensor.layer)\u{0}\(tensor.exampleSet)"] = tensor }

    var plan: [PlannedTensor] = []
    var plannedSources: [String: String] = [:]
    for (sourceIndex, source) in sources.enumerated() {
      try NameRules.check(source.model, kind: "model", source: source.path)
      try NameRules.check(source.exampleSet, kind: "example set", source: source.path)
      let dump = try source.opened ?? Dump.open(path: source.path, options: Store.formatOptions(options))
      if source.opened != nil, source.layer == nil, dump.layers.count == 1, dump.layers[0].name == nil {
        throw StoreError.invalidInput(
          path: source.path, found: "a 2-D .npy with no name", expected: "--layer NAME for the layer it holds")
      }
      // A 3-D array's layers are named by --layers inside Dump.open; a 2-D .npy has no L axis to name.
      if options.layerNames != nil, dump.format == .npy, dump.layers.first?.name == nil {
        throw StoreError.invalidInput(
          path: source.path, detail: "--layers names the L axis of a 3-D (L, n, d) array; this .npy is 2-D (use --layer)")
      }
      if source.layer != nil, dump.layers.count != 1 || dump.layers[0].name != nil {
        throw StoreError.invalidInput(
          path: source.path,
          detail: "a layer name was given but this \(dump.format.rawValue) names its own \(dump.layers.count) layer(s)")
      }
      guard !dump.layers.isEmpty else {
        throw StoreError.invalidInput(path: source.path, found: "holds no arrays", expected: "at least one 2-D layer")
      }
      for (index, layer) in dump.layers.enumerated() {
        let name = layer.name ?? source.layer ?? Store.stem(of: source.path)
        try NameRules.check(name, kind: "layer", source: layer.location)
        guard layer.rowCount > 0, layer.columnCount > 0 else {
          throw StoreError.invalidInput(
            path: layer.location, found: "shape (\(layer.rowCount), \(layer.columnCount)) has no data",
            expected: "n ≥ 1 rows and d ≥ 1 columns")
        }
        let rowBytes = Int64(layer.columnCount) * Int64(MemoryLayout<Float>.size)
        guard rowBytes <= options.maximumRowByteCount else {
          throw StoreError.invalidInput(
            path: layer.location,
            found: "rows of \(layer.columnCount) columns (\(rowBytes) bytes each as float32)",
            expected: "rows of at most \(options.maximumRowByteCount / 4) columns (\(options.maximumRowByteCount) bytes)")
        }
        let key = "\(source.model)\u{0}\(name)\u{0}\(source.exampleSet)"
        if let other = plannedSources[key] {
          throw StoreError.invalidInput(
            path: layer.location,
            detail: "tensor \(source.model)/\(name)@\(source.exampleSet) also comes from \(other) in this import")
        }
        plannedSources[key] = layer.location
        var replacing: Int64?
        if let current = existingByName[key] {
          guard options.replace else {
            throw StoreError.invalidInput(
              path: layer.location,
              detail: "tensor \(current.fullName) already exists (imported from \(current.source)); "
                + "pass --replace to overwrite it")
          }
          replacing = current.id
        }
        plan.append(
          PlannedTensor(
            sourceIndex: sourceIndex, path: source.path, layerIndex: index, model: source.model, layer: name, exampleSet: source.exampleSet,
            rowCount: layer.rowCount, columnCount: layer.columnCount, elementType: layer.elementType,
            source: layer.location, replacing: replacing))
      }
    }
    return (plan, try planExampleSets(plan, options: options))
  }

  /// Checks that every tensor's row count and keys agree with its example set, new or existing.
  private func planExampleSets(_ plan: [PlannedTensor], options: ImportOptions) throws -> [NewExampleSet] {
    let keysFromFile = try options.keysFile.map { try ExampleKeys.read(path: $0) }
    var sets: [NewExampleSet] = []
    var firstTensor: [String: PlannedTensor] = [:]
    for tensor in plan {
      if let first = firstTensor[tensor.exampleSet] {
        guard first.rowCount == tensor.rowCount else {
          throw StoreError.invalidInput(
            path: tensor.source,
            detail: "has \(tensor.rowCount) rows but \(first.source) has \(first.rowCount), and both go "
              + "to example set '\(tensor.exampleSet)'; use --examples to put them in different sets")
        }
        continue
      }
      firstTensor[tensor.exampleSet] = tensor
      if let keysFromFile, keysFromFile.count != tensor.rowCount {
        throw StoreError.invalidInput(
          path: options.keysFile,
          detail: "has \(keysFromFile.count) keys but \(tensor.source) has \(tensor.rowCount) rows")
      }
      let keys = keysFromFile ?? ExampleKeys.ordinal(count: tensor.rowCount)
      if let current = try catalog.read({ db in try Catalog.exampleSet(db, named: tensor.exampleSet) }) {
        let replacedAll =
          current.tensorCount > 0
          && plan.filter { $0.exampleSet == tensor.exampleSet && $0.replacing != nil }.count == current.tensorCount
        if !(replacedAll && keys.digest != current.keysDigest) {
          try checkSame(keys, as: current, source: tensor.source)
          sets.append(
            NewExampleSet(
              name: current.name, rowCount: current.rowCount, keyKind: current.keyKind, keysDigest: current.keysDigest,
              keys: nil))
          continue
        }
        // Every tensor of the set is being replaced with different keys: this import redefines the set.
        sets.append(
          NewExampleSet(
            name: tensor.exampleSet, rowCount: keys.count, keyKind: keys.explicitKeys == nil ? .ordinal : .explicit,
            keysDigest: keys.digest, keys: keys.explicitKeys, redefines: true))
        continue
      }
      sets.append(
        NewExampleSet(
          name: tensor.exampleSet, rowCount: keys.count, keyKind: keys.explicitKeys == nil ? .ordinal : .explicit,
          keysDigest: keys.digest, keys: keys.explicitKeys))
    }
    return sets
  }

  /// Throws a message saying how `keys` differ from an existing set.
  private func checkSame(_ keys: ExampleKeys, as current: ExampleSetInfo, source: String) throws {
    guard keys.count == current.rowCount else {
      throw StoreError.invalidInput(
        path: source,
        detail: "has \(keys.count) rows but example set '\(current.name)' has \(current.rowCount); "
          + "use --examples NAME for a different set")
    }
    guard keys.digest != current.keysDigest else { return }
    let stored = try catalog.read { db in try Catalog.exampleKeys(db, of: current) }
    try catalog.requireKeys(stored, of: current)
    let given = keys.explicitKeys ?? (0..<keys.count).map(String.init)
    // Compare bytes, as the digest does: String's == treats canonically equivalent keys (NFC é, NFD e + U+0301) as equal.
    let position = zip(stored, given).enumerated().first { !$0.element.0.utf8.elementsEqual($0.element.1.utf8) }?.offset ?? 0
    throw StoreError.invalidInput(
      path: source,
      detail: "example keys differ from set '\(current.name)' at row \(position): stored '\(stored[position])', "
        + "given '\(given[position])'; use --examples NAME for a different set")
  }

  static func formatOptions(_ options: ImportOptions) -> DumpOptions {
    DumpOptions(assumeVoid2As: options.assumeBFloat16 ? .bfloat16 : nil, layerNames: options.layerNames)
  }

  /// The file name without folders and extension.
  static func stem(of path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
    return String(name[..<dot])
  }
}
