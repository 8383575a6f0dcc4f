import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A store on a disk with no space left: every read works, and a `sim` that cannot store its table still prints it,
/// then fails in one line. Needs a small tmpfs (root, or a container that allows mounts); skipped elsewhere.
@Suite("Full disk", .enabled(if: canMountTmpfs, "mounting a tmpfs is not permitted here"))
struct FullDiskTests {
  @Test("reads work, and sim prints its table and says it could not store it")
  func simOnAFullDisk() throws {
    try withScratch { scratch in
      let disk = scratch.path("disk")
      #expect(mkdir(disk, 0o755) == 0)
      try #require(mount("tmpfs", disk, "tmpfs", 0, "size=4m") == 0, "mount: errno \(errno)")
      defer { umount2(disk, Int32(MNT_DETACH)) }
      let store = disk + "/store.repstore"
      for (model, seed) in [("a", UInt64(1)), ("b", 2)] {
        try scratch.writeNpy(Matrix.seeded(rows: 200, columns: 16, seed: seed), to: "\(model).npy")
        let imported = try scratch.run(["import", scratch.path("\(model).npy"), "--model", model, "--store", store, "-q"])
        try #require(imported.status == 0, "\(imported)")
      }
      // Fill the disk to the last byte.
      let filler = disk + "/filler"
      #expect(FileManager.default.createFile(atPath: filler, contents: nil))
      let handle = try #require(FileHandle(forWritingAtPath: filler))
      let chunk = Data(count: 64 << 10)
      while (try? handle.write(contentsOf: chunk)) != nil {}
      for size in [4096, 512, 1] { while (try? handle.write(contentsOf: Data(count: size))) != nil {} }
      try? handle.close()

      for read in [["ls"], ["verify"], ["export", "a/*", "-o", scratch.path("a-out.npy")], ["tables"]] {
        let result = try scratch.run(read + ["--store", store])
        #expect(result.status == 0, "\(read): \(result)")
      }
      let sim = try scratch.run(["sim", "cka", "a/*", "b/*", "--format", "csv", "--store", store])
      #expect(sim.status == 1, "\(sim)")
      #expect(sim.stdout.split(separator: "\n").count == 2 && sim.stdout.contains("a/a,"), "\(sim)")
      let errors = sim.stderrLines.filter { $0.hasPrefix("repstore:") }
      #expect(errors.count == 1 && errors[0].contains("the table was computed but not stored"), "\(sim)")
      #expect(errors.first?.contains("while executing") == false, "\(sim)")
      // Nothing half-stored: no table, and the store is as it was.
      let tables = try scratch.run(["tables", "--format", "csv", "--store", store])
      #expect(tables.status == 0 && tables.stdout.split(separator: "\n").count == 1, "\(tables)")
      #expect(try scratch.run(["verify", "--store", store]).status == 0)
    }
  }
}

/// Whether this process may mount a tmpfs (root, or a container that allows it).
private let canMountTmpfs: Bool = {
  let probe = FileManager.default.temporaryDirectory.appendingPathComponent("repstore-mount-\(getpid())").path
  guard mkdir(probe, 0o700) == 0 else { return false }
  defer { rmdir(probe) }
  guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
  umount(probe)
  return true
}()
