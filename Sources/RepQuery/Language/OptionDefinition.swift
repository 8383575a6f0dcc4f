/// One option of a statement: its name, what value it takes, and how that value is stored in and printed from the
/// statement's typed options (`SimOptions`, `TrainingOverrides`).
///
/// The definitions of a statement are its single source of truth: the parser looks names up in them, "did you
/// mean" suggests among them, values are checked by them, and the printer writes options in their order.
struct OptionDefinition<Options> {
  typealias Text = OptionText

  /// The name without `--`, e.g. `reduce`.
  let name: String
  /// What the value must be, for messages (`argmax, max or diag`, `a positive integer`); `nil` for a flag.
  let expectation: String?
  /// Stores the option: `nil` for a flag, the value's token otherwise.
  let store: (inout Options, Token?) throws(SyntaxProblem) -> Void
  /// How the option is written back, or `nil` when it is not set.
  let text: (Options) -> Text?
  /// Whether the option may be given more than once, each time adding a value.
  var isRepeatable = false

  /// Whether the option is a flag, which takes no value.
  var isFlag: Bool { expectation == nil }

  /// This option of a part of a larger set of options, e.g. `train`'s `--epochs` in `sim`'s options, where it
  /// applies to the projection that `sim --train-on` trains.
  func lifted<Outer>(_ path: WritableKeyPath<Outer, Options>) -> OptionDefinition<Outer> {
    let (store, text) = (self.store, self.text)
    return OptionDefinition<Outer>(
      name: name, expectation: expectation,
      store: { options, token throws(SyntaxProblem) in try store(&options[keyPath: path], token) },
      text: { text($0[keyPath: path]) }, isRepeatable: isRepeatable)
  }
}

extension OptionDefinition {
  /// A flag such as `--intersect`: set means `true`.
  static func flag(_ name: String, _ path: WritableKeyPath<Options, Bool>) -> Self {
    Self(name: name, expectation: nil, store: { options, _ in options[keyPath: path] = true },
         text: { $0[keyPath: path] ? .flag : nil })
  }

  /// A pair of flags for a choice whose default is decided later: `--name` sets `true`, `--no-name` sets `false`,
  /// neither leaves `nil` (the last one given wins).
  static func flags(_ name: String, _ path: WritableKeyPath<Options, Bool?>) -> [Self] {
    [true, false].map { value in
      Self(name: value ? name : "no-" + name, expectation: nil, store: { options, _ in options[keyPath: path] = value },
           text: { $0[keyPath: path] == value ? .flag : nil })
    }
  }

  /// An option whose value is read from the token text by `read`, which returns `nil` for a value of the wrong type or
  /// out of range; `write` prints it back so that `read(write(v)) == v`.
  static func value<Value>(
    _ name: String, _ path: WritableKeyPath<Options, Value?>, expecting expectation: String,
    suggesting candidates: [String] = [], read: @escaping (String) -> Value?, write: @escaping (Value) -> String
  ) -> Self {
    Self(
      name: name, expectation: expectation,
      store: { options, token throws(SyntaxProblem) in
        guard let token else { return }
        guard let value = read(token.text) else {
          let kind = QuerySyntaxError.Kind.invalidValue(
            option: "--\(name)", expected: expectation, found: token.text,
            suggestions: Suggestions.nearest(to: token.text, among: candidates))
          throw SyntaxProblem(kind: kind, offset: token.offset)
        }
        options[keyPath: path] = value
      },
      text: { options in options[keyPath: path].map { .value(write($0)) } })
  }

  /// One of an enumeration's raw values, e.g. `--format csv`; a near miss gets a suggestion.
  static func choice<Value: CaseIterable & RawRepresentable>(_ name: String, _ path: WritableKeyPath<Options, Value?>)
    -> Self where Value.RawValue == String
  {
    let names = Value.allCases.map(\.rawValue)
    return value(name, path, expecting: OptionValues.list(names), suggesting: names,
                 read: Value.init(rawValue:), write: \.rawValue)
  }

  /// An integer of at least `minimum`, e.g. `--threads 8`.
  static func integer(_ name: String, _ path: WritableKeyPath<Options, Int?>, minimum: Int) -> Self {
    let expectation = minimum == 1 ? "a positive integer" : "an integer of at least \(minimum)"
    return value(name, path, expecting: expectation, read: { Int($0).flatMap { $0 >= minimum ? $0 : nil } },
                 write: String.init)
  }

  /// A finite decimal number that `accepts` allows, e.g. `--lr 0.001`; `expectation` says which.
  static func number(
    _ name: String, _ path: WritableKeyPath<Options, Double?>, expecting expectation: String,
    accepting accepts: @escaping (Double) -> Bool
  ) -> Self {
    value(name, path, expecting: expectation, read: { OptionValues.number($0).flatMap { accepts($0) ? $0 : nil } },
          write: CanonicalText.number)
  }

  /// A non-empty name or path, checked by `accepts`, e.g. `--using probe1`.
  static func text(
    _ name: String, _ path: WritableKeyPath<Options, String?>, expecting expectation: String,
    accepting accepts: @escaping (String) -> Bool = { _ in true }
  ) -> Self {
    value(name, path, expecting: expectation, read: { !$0.isEmpty && accepts($0) ? $0 : nil }, write: { $0 })
  }

  /// Selector expressions, one per use of a repeatable option, e.g. `--train-on model:a/L3@train --train-on
  /// model:b/L3@train`; a selector's errors point inside its value.
  static func selectors(_ name: String, _ path: WritableKeyPath<Options, [SelectorExpression]>) -> Self {
    Self(
      name: name, expectation: "a selector",
      store: { options, token throws(SyntaxProblem) in
        guard let token else { return }
        options[keyPath: path].append(try SelectorExpression.parse(token))
      },
      text: { options in options[keyPath: path].isEmpty ? nil : .values(options[keyPath: path].map(\.description)) },
      isRepeatable: true)
  }
}

/// How a set option is written back.
enum OptionText: Equatable {
  /// A flag: `--name` alone.
  case flag
  /// `--name value`, the value not yet quoted.
  case value(String)
  /// `--name value` once per value, for an option that may be repeated.
  case values([String])
}

/// Reading option values that are more than a lookup.
enum OptionValues {
  /// A decimal number such as `0.5`, `-2`, `1e-4` or `.5`; `nil` for anything else, including `inf`, `nan` and
  /// hexadecimal, which `Double(_:)` alone would accept.
  static func number(_ text: String) -> Double? {
    let allowed = text.allSatisfy { $0.isASCIIDigit || $0 == "." || $0 == "e" || $0 == "E" || $0 == "-" || $0 == "+" }
    guard allowed, text.contains(where: \.isASCIIDigit), let value = Double(text), value.isFinite else { return nil }
    return value
  }

  /// `a`, `a or b`, `a, b or c`: a list of choices for messages.
  static func list(_ names: [String]) -> String {
    guard let last = names.last else { return "" }
    return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
  }
}

/// A statement's options as a value: the empty options, the definitions that fill them in, and the canonical text.
protocol StatementOptions: Equatable {
  /// No option set.
  init()
  /// The options in canonical order.
  static var definitions: [OptionDefinition<Self>] { get }
}

extension StatementOptions {
  /// The set options as tokens, in canonical order: `--reduce`, `argmax`, `--intersect`.
  var canonicalTokens: [String] {
    Self.definitions.flatMap { definition -> [String] in
      switch definition.text(self) {
      case nil: []
      case .flag: ["--\(definition.name)"]
      case .value(let text): ["--\(definition.name)", CanonicalText.token(text)]
      case .values(let texts): texts.flatMap { ["--\(definition.name)", CanonicalText.token($0)] }
      }
    }
  }
}
