extension Store {
  /// Removes tensors from the catalog in one transaction. Their blocks stay on disk, unreferenced, until `gc`.
  /// Models and example sets left without tensors are removed too.
  public func remove(_ tensors: [TensorInfo], waitForLock: Bool = false) throws {
    let lock = try lockForWriting(wait: waitForLock, purpose: "rm of \(tensors.count) tensors")
    defer { withExtendedLifetime(lock) {} }
    try catalog.removeTensors(ids: tensors.map(\.id))
  }
}
