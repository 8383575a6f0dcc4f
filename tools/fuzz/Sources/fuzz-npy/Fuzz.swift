import DumpHarness
import RepFormats

/// libFuzzer entry point for `.npy` files: the magic and version, the header (a Python dict literal: descr,
/// fortran_order, shape), the data's length against the shape, 3-D arrays as stacks of layers, and every row. `|V2`
/// arrays are read as bfloat16, as `--assume-dtype bfloat16` asks, so that path is reached too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  DumpHarness.run(UnsafeRawBufferPointer(start: data, count: size), options: DumpOptions(assumeVoid2As: .bfloat16))
  return 0
}
