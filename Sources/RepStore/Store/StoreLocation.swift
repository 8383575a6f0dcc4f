import Foundation

/// Where a command finds its store: `--store DIR`, else `$REPSTORE`, else `./store.repstore`.
public enum StoreLocation {
  /// The folder name used when neither `--store` nor `REPSTORE` is given.
  public static let defaultFolderName = "store.repstore"

  /// Resolves the store folder from an explicit option and the environment.
  public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> String
  {
    if let explicit, !explicit.isEmpty { return explicit }
    if let fromEnvironment = environment["REPSTORE"], !fromEnvironment.isEmpty { return fromEnvironment }
    return defaultFolderName
  }
}
