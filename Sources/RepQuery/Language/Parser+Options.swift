/// Options, in two spellings that mean the same:
///
///     options     := (long-option | with-list)*
///     long-option := "--" name ( ["="] value )?          (a flag takes no value)
///     with-list   := "with" item ("," item)*             (query text only)
///     item        := name ( "=" value )?
///
/// Names are looked up in the statement's `OptionDefinition`s; each option may be given once, whichever spelling is
/// used. Messages name options canonically (`--reduce`) except an unknown name, which is echoed as written.
extension StatementParser {
  /// Parses options up to the end of the statement.
  ///
  /// - Parameter statement: The verb, for messages (`unknown option '--epochs' for sim`).
  /// - Throws: `SyntaxProblem` for an unknown or repeated option, a missing, unexpected or invalid value, a `with`
  ///   among command-line arguments, or a token that is not an option.
  mutating func parseOptions<Options: StatementOptions>(statement: String) throws(SyntaxProblem) -> Options {
    var options = Options()
    var given: Set<String> = []
    while current.kind != .end {
      if current.isBare("with") {
        guard form == .text else { throw SyntaxProblem(kind: .optionListInArguments, offset: current.offset) }
        advance()
        try parseWithList(into: &options, given: &given, statement: statement)
      } else if current.isOptionWord {
        try parseLongOption(into: &options, given: &given, statement: statement)
      } else {
        throw unexpected(
          form == .text ? "an option (--name value, or with name=value) or end of statement"
            : "an option (--name value) or end of statement")
      }
    }
    return options
  }

  /// `--name value`, `--name=value` or `--flag`.
  private mutating func parseLongOption<Options: StatementOptions>(
    into options: inout Options, given: inout Set<String>, statement: String
  ) throws(SyntaxProblem) {
    let nameToken = advance()
    var name = String(nameToken.text.dropFirst(2))
    var attachedValue: Token? = nil
    // An argument such as `--format=csv` arrives as one token; in text, the lexer has already split off the `=`.
    if let equals = name.firstIndex(of: "=") {
      let valueOffset = nameToken.offset + 2 + name.distance(from: name.startIndex, to: equals) + 1
      let value = String(name[name.index(after: equals)...])
      attachedValue = Token(kind: .word, text: value, offset: valueOffset, length: value.count)
      name = String(name[..<equals])
    }
    let definition: OptionDefinition<Options> = try lookUp(
      name, writtenAs: "--\(name)", at: nameToken, given: &given, statement: statement)
    if definition.isFlag {
      if let attachedValue { throw flagWithValue(definition, at: attachedValue.offset - 1) }
      if current.kind == .equals { throw flagWithValue(definition, at: current.offset) }
      try definition.store(&options, nil)
      return
    }
    if let attachedValue {
      try definition.store(&options, attachedValue)
      return
    }
    if current.kind == .equals { advance() }
    try definition.store(&options, try value(for: definition))
  }

  /// `item ("," item)*` after `with`: `name=value` or a flag's bare name.
  private mutating func parseWithList<Options: StatementOptions>(
    into options: inout Options, given: inout Set<String>, statement: String
  ) throws(SyntaxProblem) {
    var after = "'with'"
    while true {
      guard current.kind == .word, !current.text.hasPrefix("-") else {
        let example = current.isOptionWord ? " without '--' (with reduce=argmax)" : " (with reduce=argmax)"
        throw unexpected("an option name after \(after)" + example)
      }
      let nameToken = advance()
      let definition: OptionDefinition<Options> = try lookUp(
        nameToken.text, writtenAs: nameToken.text, at: nameToken, given: &given, statement: statement)
      if definition.isFlag {
        if current.kind == .equals { throw flagWithValue(definition, at: current.offset) }
        try definition.store(&options, nil)
      } else {
        guard current.kind == .equals else { throw missingValue(definition) }
        advance()
        try definition.store(&options, try value(for: definition))
      }
      guard current.kind == .comma else {
        // Only another option spelling or the end may follow a list; a bare value means a missing comma.
        if current.isValue && !current.isBare("with") {
          throw unexpected("',' before the next option, or end of statement")
        }
        return
      }
      advance()
      after = "','"
    }
  }

  /// The current token as the value of `definition`, which takes one.
  private mutating func value<Options>(for definition: OptionDefinition<Options>) throws(SyntaxProblem) -> Token {
    guard current.isValue else { throw missingValue(definition) }
    return advance()
  }

  /// The definition named `name`, recorded as given.
  ///
  /// - Throws: `.unknownOption` with near names (or the statement that has the option), `.duplicateOption`.
  private func lookUp<Options: StatementOptions>(
    _ name: String, writtenAs written: String, at token: Token, given: inout Set<String>, statement: String
  ) throws(SyntaxProblem) -> OptionDefinition<Options> {
    guard let definition = Options.definitions.first(where: { $0.name == name }) else {
      let owners = [("sim", SimOptions.definitions.map(\.name)), ("train", TrainingOverrides.definitions.map(\.name))]
      let owner = owners.first { $0.0 != statement && $0.1.contains(name) }?.0
      let prefix = written.hasPrefix("--") ? "--" : ""
      let suggestions = owner != nil ? [] : Suggestions.nearest(to: name, among: Options.definitions.map(\.name))
      let kind = QuerySyntaxError.Kind.unknownOption(
        written, statement: statement, suggestions: suggestions.map { prefix + $0 }, owner: owner)
      throw SyntaxProblem(kind: kind, offset: token.offset)
    }
    guard given.insert(name).inserted || definition.isRepeatable else {
      throw SyntaxProblem(kind: .duplicateOption("--\(name)"), offset: token.offset)
    }
    return definition
  }

  private func flagWithValue<Options>(_ definition: OptionDefinition<Options>, at offset: Int) -> SyntaxProblem {
    SyntaxProblem(kind: .flagWithValue(option: "--\(definition.name)"), offset: offset)
  }

  private func missingValue<Options>(_ definition: OptionDefinition<Options>) -> SyntaxProblem {
    SyntaxProblem(kind: .missingValue(option: "--\(definition.name)", expected: definition.expectation ?? ""),
                  offset: current.offset)
  }
}
