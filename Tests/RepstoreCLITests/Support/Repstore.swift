import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `repstore` executable under test, built beside the test bundle.
enum Repstore {
  /// Where the binary was found, or why it was not.
  static let location: Result<URL, BinaryNotFound> = locate()

  /// The binary, or an error that says where it was looked for.
  static func binary() throws -> URL { try location.get() }

  struct BinaryNotFound: Error, CustomStringConvertible {
    var searched: [String]
    var description: String {
      "the repstore executable was not found (searched \(searched.joined(separator: ", "))); "
        + "build it with `swift build --build-tests` before `swift test --skip-build`"
    }
  }

  /// Looks in the folder of the running test executable (Linux: `.build/debug/repstorePackageTests.xctest`), the
  /// folder holding an `.xctest` bundle (macOS), then the package's `.build/debug`.
  private static func locate() -> Result<URL, BinaryNotFound> {
    var folders: [URL] = []
    if let executable = Bundle.main.executableURL {
      folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
    }
    if let first = CommandLine.arguments.first {
      folders.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      folders.append(bundle.bundleURL.deletingLastPathComponent())
    }
    folders.append(Bundle.main.bundleURL)
    folders.append(PackageFiles.root.appendingPathComponent(".build/debug"))
    var searched: [String] = []
    for folder in folders {
      let candidate = folder.appendingPathComponent("repstore")
      if searched.contains(candidate.path) { continue }
      searched.append(candidate.path)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
        FileManager.default.isExecutableFile(atPath: candidate.path)
      {
        return .success(candidate)
      }
    }
    return .failure(BinaryNotFound(searched: searched))
  }

  /// The environment every run starts from: no `REPSTORE`, nothing from the test runner.
  /// What every run sees, plus OPENBLAS_CORETYPE when the tests run under it (`OPENBLAS_CORETYPE=Prescott make test`
  /// then runs the commands on those kernels too).
  static let cleanEnvironment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"].merging(
    ProcessInfo.processInfo.environment.filter { $0.key == "OPENBLAS_CORETYPE" }) { $1 }
}

/// What a finished `repstore` run left: exit status (or the signal that ended it), stdout and stderr.
struct CommandResult: CustomStringConvertible {
  var arguments: [String]
  /// The exit status, or the signal number when `wasSignaled`.
  var status: Int32
  var wasSignaled: Bool
  var stdoutData: Data
  var stderrData: Data

  var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
  var stderr: String { String(decoding: stderrData, as: UTF8.self) }
  /// Non-empty lines of stderr.
  var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
  var succeeded: Bool { !wasSignaled && status == 0 }

  var description: String {
    "repstore \(arguments.joined(separator: " ")) -> \(wasSignaled ? "signal" : "exit") \(status)\n"
      + "stdout: \(stdout.prefix(2000))\nstderr: \(stderr.prefix(2000))"
  }
}

/// A `repstore` process started in the background.
final class RunningCommand: @unchecked Sendable {
  let arguments: [String]
  private let process: Process
  private let finished = DispatchSemaphore(value: 0)
  private let stdoutURL: URL
  private let stderrURL: URL
  private var result: CommandResult?

  /// Starts `repstore arguments` in `folder` with exactly `environment`; stdout and stderr go to files in `outputFolder`
  /// (files, not pipes: nothing can block on a full pipe, and stderr is no terminal).
  /// What a command reads on standard input: nothing (/dev/null), a file, or bytes through a pipe.
  enum Input {
    case none
    case file(String)
    case pipe([UInt8])
  }

  init(
    _ arguments: [String], in folder: URL, environment: [String: String], outputFolder: URL, executable: URL? = nil,
    input: Input = .none
  ) throws {
    self.arguments = arguments
    let stem = outputFolder.appendingPathComponent(UUID().uuidString).path
    stdoutURL = URL(fileURLWithPath: stem + ".stdout")
    stderrURL = URL(fileURLWithPath: stem + ".stderr")
    for url in [stdoutURL, stderrURL] where !FileManager.default.createFile(atPath: url.path, contents: nil) {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
    }
    process = Process()
    process.executableURL = try executable ?? Repstore.binary()
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = folder
    var feed: (pipe: Pipe, bytes: [UInt8])?
    switch input {
    case .none: process.standardInput = FileHandle.nullDevice
    case .file(let path):
      guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
      process.standardInput = handle
    case .pipe(let bytes):
      let pipe = Pipe()
      process.standardInput = pipe
      feed = (pipe, bytes)
    }
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    let finished = self.finished
    process.terminationHandler = { _ in finished.signal() }
    try process.run()
    if let feed {
      // Written from another thread, so that input larger than the pipe's buffer cannot block the test.
      Thread.detachNewThread {
        feed.pipe.fileHandleForWriting.write(Data(feed.bytes))
        try? feed.pipe.fileHandleForWriting.close()
      }
    }
  }

  var pid: pid_t { process.processIdentifier }
  /// What the process has written to stderr so far.
  var stderrSoFar: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
  var isRunning: Bool { process.isRunning }

  /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT) to the process; nothing once it has ended (its pid may be reused).
  func send(_ signal: Int32) {
    guard result == nil, process.isRunning else { return }
    if kill(pid, signal) != 0 && errno != ESRCH { Issue.record("kill(\(pid), \(signal)) failed: errno \(errno)") }
  }

  /// Waits for the process to end (at most `timeout` seconds, then kills it and records an issue).
  @discardableResult
  func wait(timeout: Double = 900) -> CommandResult {
    if let result { return result }
    if finished.wait(timeout: .now() + timeout) == .timedOut {
      Issue.record("repstore \(arguments.joined(separator: " ")) still running after \(timeout) s; killing it")
      send(SIGKILL)
      finished.wait()
    }
    let done = CommandResult(
      arguments: arguments, status: process.terminationStatus,
      wasSignaled: process.terminationReason == .uncaughtSignal,
      stdoutData: (try? Data(contentsOf: stdoutURL)) ?? Data(), stderrData: (try? Data(contentsOf: stderrURL)) ?? Data()
    )
    try? FileManager.default.removeItem(at: stdoutURL)
    try? FileManager.default.removeItem(at: stderrURL)
    result = done
    return done
  }

  /// Waits up to `timeout` seconds for `condition`, polling every 2 ms; returns whether it became true.
  static func poll(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if condition() { return true }
      usleep(2_000)
    }
    return condition()
  }
}
