/// The container formats `Dump.open(path:options:)` recognizes, by their leading bytes.
///
/// - `npy`: NumPy's array file, format versions 1.0, 2.0 and 3.0 (magic `\x93NUMPY`).
///   Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
/// - `npz`: a zip archive of `.npy` members, as `numpy.savez` and `numpy.savez_compressed` write it (magic `PK`).
/// - `safetensors`: an 8-byte little-endian header length, a JSON header, then the tensor bytes.
///   Spec: https://huggingface.co/docs/safetensors/index
public enum DumpFormat: String, Sendable {
  case npy, npz, safetensors
}
