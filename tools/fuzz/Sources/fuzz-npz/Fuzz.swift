import DumpHarness
import RepFormats

/// libFuzzer entry point for `.npz` archives: the zip end record, Zip64 records, central directory and local
/// headers, member names, stored and deflated members (inflated as rows are read, CRC-32 checked after the last), and
/// each member's `.npy` header.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  DumpHarness.run(UnsafeRawBufferPointer(start: data, count: size), options: DumpOptions(assumeVoid2As: .bfloat16))
  return 0
}
