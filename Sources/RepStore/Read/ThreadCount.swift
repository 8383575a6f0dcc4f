import Foundation

/// The number of worker threads to use by default: one per core.
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
