import DumpHarness
import RepFormats

/// libFuzzer entry point for `.safetensors` files: the 8-byte header length, the JSON header (objects, strings with
/// escapes, numbers), each tensor's dtype, shape and data offsets against the file's length, and every row.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  DumpHarness.run(UnsafeRawBufferPointer(start: data, count: size), options: DumpOptions())
  return 0
}
