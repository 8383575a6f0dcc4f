import Foundation
import RepLearning
import RepMath
import RepStore

/// A measure that compares through a projection trained on standardized inputs: each side's rows must be
/// standardized by the statistics of the stored tensor they come from before the measure sees them.
package protocol StandardizedInputMeasure {
  var standardizesInputs: Bool { get }
}

/// The column standardization of stored tensors: over all rows of a tensor (its whole example set, whichever rows
/// are compared), so that comparing eight rows, or a model never seen in training, standardizes as the whole tensor
/// does. Computed once per tensor content (its digest) in a process; one streaming pass in Float64.
package final class TensorStandardizations: @unchecked Sendable {
  package static let shared = TensorStandardizations()

  private let lock = NSLock()
  private var cache: [String: ColumnStandardization] = [:]

  package init() {}

  /// The standardization of `tensor`'s columns, read from `store` unless known.
  package func standardization(of tensor: TensorInfo, in store: Store) throws -> ColumnStandardization {
    let key = "\(tensor.digest) \(tensor.rowCount)x\(tensor.columnCount)"
    lock.lock()
    let known = tensor.digest.isEmpty ? nil : cache[key]
    lock.unlock()
    if let known { return known }
    let reader = try AlignedRowReader(store: store, tensors: [tensor])
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.chunkRows * tensor.columnCount)
    defer { buffer.deallocate() }
    var moments = ColumnMoments(columnCount: tensor.columnCount)
    while true {
      let rows = try reader.nextChunk(into: [buffer])
      if rows == 0 { break }
      moments.accumulate(UnsafeBufferPointer(buffer), rows: rows)
    }
    guard moments.rowCount > 0 else {
      throw QueryError(.shape, "\(tensor.qualifiedName)@\(tensor.exampleSet) has no rows to standardize by")
    }
    let standardization = moments.standardization
    lock.lock()
    if !tensor.digest.isEmpty { cache[key] = standardization }
    lock.unlock()
    return standardization
  }
}
