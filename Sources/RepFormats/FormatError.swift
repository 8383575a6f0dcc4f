/// Why a dump could not be opened or read: the only error RepFormats throws.
///
/// `description` is one line that the command-line tool prints as is:
///
///     <path>[: byte <offset>][: <part>]: <what was found>, expected <what>
///
/// where `part` names the npz member or safetensors tensor concerned. When the offset counts bytes inside an npz
/// member's uncompressed data rather than bytes of the file, the part comes first:
/// `a.npz: member 'layer3.npy': byte 10: …`.
public struct FormatError: Error, CustomStringConvertible, Sendable {
  /// The kind of problem, for callers that branch on it.
  public enum Kind: String, Sendable, CaseIterable {
    /// The file could not be opened, examined or read (the errno text is in `found`).
    case io
    /// The file has no bytes.
    case empty
    /// The file, a header, or a member ends before the structure being read.
    case truncated
    /// The leading bytes match none of the accepted formats, or not the one the structure requires.
    case badMagic
    /// A header is malformed: absurd length, syntax error, missing or ill-typed keys, invalid values.
    case badHeader
    /// The dtype is valid but not a floating-point type RepFormats decodes (ints, bools, complex, strings, …).
    case unsupportedDType
    /// The array holds Python objects, which numpy stores as a pickle.
    case objectArray
    /// The array is not 2-D (one layer) or, for a plain `.npy`, 3-D (a stack of layers).
    case unsupportedShape
    /// The amount of data disagrees with the shape: too short or with trailing bytes.
    case sizeMismatch
    /// The zip structure is broken: end record missing, directory out of range, local header mismatch.
    case badArchive
    /// The zip archive uses what RepFormats does not read: encryption, other compression methods, non-`.npy` members.
    case unsupportedArchive
    /// Stored data fails a check: CRC-32 mismatch or an invalid deflate stream.
    case corruptData
    /// `DumpOptions` do not fit the file, such as a layer-name count unequal to the number of layers.
    case badOption
  }

  /// The kind of problem.
  public var kind: Kind
  /// The path of the dump, as given to `Dump.open(path:options:)`.
  public var path: String
  /// The part of the file concerned, already quoted for display: "member 'layer3.npy'", "tensor 'h.3'"; or `nil`.
  public var part: String?
  /// The byte offset where decoding stopped, when known; see `isOffsetInPart` for what it counts from.
  public var offset: Int?
  /// Whether `offset` counts bytes of the uncompressed npz member named by `part` instead of bytes of the file.
  public var isOffsetInPart: Bool
  /// What was found, e.g. "dtype '<i8' (int64)".
  public var found: String
  /// What was expected, e.g. "float16, bfloat16, float32 or float64".
  public var expected: String

  /// Creates an error; `found` and `expected` must each be a single line.
  public init(
    _ kind: Kind, path: String, part: String? = nil, offset: Int? = nil, isOffsetInPart: Bool = false,
    found: String, expected: String
  ) {
    self.kind = kind
    self.path = path
    self.part = part
    self.offset = offset
    self.isOffsetInPart = isOffsetInPart
    self.found = found
    self.expected = expected
  }

  /// The one-line message: `<path>[: byte <offset>][: <part>]: <found>, expected <expected>`.
  public var description: String {
    var pieces = [path]
    let byte = offset.map { "byte \($0)" }
    if isOffsetInPart {
      pieces += [part, byte].compactMap { $0 }
    } else {
      pieces += [byte, part].compactMap { $0 }
    }
    pieces.append("\(found), expected \(expected)")
    return String(pieces.joined(separator: ": ").map { $0.isNewline ? " " : $0 })
  }
}
