/// A value of the small Python literal language numpy writes into `.npy` headers:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
indirect enum PythonLiteral: Equatable, Sendable {
  case string(String)
  case integer(Int)
  case boolean(Bool)
  case none
  case tuple([PythonLiteral])
  case list([PythonLiteral])
  /// Entries in file order, each with the offset of its value.
  case dictionary([PythonDictionaryEntry])

  /// A short description of the value for messages, e.g. `(3, 4)`, `'<f4'`, `True`, `[…]`.
  var summary: String {
    switch self {
    case .string(let text): quoted(text)
    case .integer(let value): String(value)
    case .boolean(let value): value ? "True" : "False"
    case .none: "None"
    case .tuple(let items):
      items.count == 1
        ? "(\(items[0].summary),)"
        : items.count > 8 ? "(…)" : "(" + items.map(\.summary).joined(separator: ", ") + ")"
    case .list(let items): items.count > 4 ? "[…]" : "[" + items.map(\.summary).joined(separator: ", ") + "]"
    case .dictionary: "{…}"
    }
  }
}

/// One `key: value` pair of a `PythonLiteral.dictionary`.
struct PythonDictionaryEntry: Equatable, Sendable {
  var key: String
  var value: PythonLiteral
  /// The offset of the value's first byte, in the error site's coordinates.
  var offset: Int
}
