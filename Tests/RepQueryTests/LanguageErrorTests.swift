import Testing

@testable import RepQuery

/// One malformed statement: its text, the column the caret must point at, and a fragment of the message.
struct MalformedCase: Sendable, CustomTestStringConvertible {
  var text: String
  var column: Int
  var fragment: String
  var testDescription: String { "'\(text)' fails at \(column): \(fragment)" }
}

private func bad(_ text: String, _ column: Int, _ fragment: String) -> MalformedCase {
  MalformedCase(text: text, column: column, fragment: fragment)
}

private let malformedStatements: [MalformedCase] = [
  // Verbs and empty statements.
  bad("", 0, "empty statement"),
  bad("   # only a comment", 0, "empty statement"),
  bad("simm cka a b", 0, "found 'simm'; did you mean 'sim'?"),
  bad("SIM cka a b", 0, "did you mean 'sim'?"),
  bad("select * from t", 0, "expected a statement (sim, train, show, drop or explain), found 'select'"),
  bad(", sim", 0, "found ','"),
  bad("show models; show layers", 13, "expected end of statement (a script takes several), found 'show'"),
  // sim: measures and selectors.
  bad("sim", 3, "expected a measure id (e.g. cka or cka.rbf(threshold=0.5)), found end of statement"),
  bad("sim cka", 7, "expected a selector, found end of statement"),
  bad("sim cka a/* with reduce=argmax", 12, "expected a selector, found 'with'"),
  bad("sim cka a b c", 12, "or end of statement, found 'c'"),
  bad("sim cka,, a b", 8, "expected a measure id after ',', found ','"),
  bad("sim cka, a b", 9, "expected a measure id after ',' (the last two values are the selectors), found 'a'"),
  bad("sim cka.rbf(threshold=0.5 a b", 11, "unclosed '('"),
  bad("sim cka(x) a b", 8, "measure 'cka(x)': expected key=value in 'x'"),
  bad("sim cka(k=1,k=2) a b", 12, "parameter 'k' given twice"),
  bad("sim cka(k=) a b", 9, "expected key=value in 'k='"),
  bad("sim 1ab/* a b", 7, "expected a measure name"),
  // Lexical problems.
  bad("sim cka 'a b", 8, "unclosed quote: no closing ' on this line"),
  bad("sim \"cka a b", 4, "no closing \" on this line"),
  bad("sim cka model:'a b'/L3 c", 14, "quotes must enclose a whole token"),
  bad("sim cka 'a'b c", 11, "quotes must enclose a whole token"),
  // Selectors, their columns re-based onto the statement.
  bad("sim cka a/{L1 b", 10, "unclosed '{'"),
  bad("sim cka a/ b", 10, "empty layer pattern after '/'"),
  bad("sim cka a@val@x b", 13, "unexpected second '@'"),
  bad("sim cka 'a b/L[z-a]' c", 15, "reversed character range 'z-a'"),
  bad("sim cka 'x''y/{}' c", 14, "empty alternation"),
  // Subsets.
  bad("sim cka a/L3@val[1:x] b", 19, "found 'x'"),
  bad("sim cka a/L3@val[5:2] b", 17, "row range [5:2] ends before it starts"),
  bad("sim cka a/L3@val[5:5] b", 17, "row range [5:5] selects no rows"),
  bad("sim cka a/L3@val[1:2:3] b", 20, "expected a row range such as [0:1000], [:500] or [100:], found ':'"),
  bad("sim cka a/L3@val[-1:5] b", 17, "found '-1'"),
  bad("sim cka a/L3@val[99999999999999999999:] b", 17, "found '99999999999999999999'"),
  bad("sim cka a/L3[0:10] b", 12, "a row subset follows an example set"),
  bad("sim cka a/L3@val[keys=] b", 22, "expected a file of example keys after 'keys='"),
  bad("sim cka 'a/L3@val[keys=x' b", 17, "unclosed '['"),
  // Option names.
  bad("sim cka a b --redcue argmax", 12, "unknown option '--redcue' for sim; did you mean '--reduce'?"),
  bad("sim cka a b with redcue=argmax", 17, "unknown option 'redcue' for sim; did you mean 'reduce'?"),
  bad("sim cka a b --validation 1", 25, "expects a fraction from 0 up to (not including) 1, found '1'"),
  bad("train k p on a --reduce argmax", 15, "'--reduce' is an option of sim, not of train"),
  bad("sim cka a b --", 12, "unknown option '--' for sim"),
  bad("sim cka a b --reduce argmax --reduce max", 28, "option '--reduce' is given twice"),
  bad("sim cka a b --reduce argmax with reduce=max", 33, "option '--reduce' is given twice"),
  bad("sim cka a b with", 16, "expected an option name after 'with'"),
  bad("sim cka a b with reduce=argmax,", 31, "expected an option name after ','"),
  bad("sim cka a b with --reduce=argmax", 17, "without '--'"),
  bad("sim cka a b with reduce=argmax intersect", 31, "expected ',' before the next option, or end of statement"),
  bad("sim cka a b = 3", 12, "found '='"),
  // Option values.
  bad("sim cka a b --threads x", 22, "option '--threads' expects a positive integer, found 'x'"),
  bad("sim cka a b --threads 0", 22, "expects a positive integer, found '0'"),
  bad("sim cka a b --threads 99999999999999999999", 22, "expects a positive integer"),
  bad("sim cka a b --threads", 21, "option '--threads' needs a value: a positive integer"),
  bad("sim cka a b --threads --intersect", 22, "needs a value"),
  bad("sim cka a b with reduce", 23, "option '--reduce' needs a value: argmax, max or diag"),
  bad("sim cka a b with reduce argmax", 24, "needs a value"),
  bad("sim cka a b --reduce mean", 21, "option '--reduce' expects argmax, max or diag, found 'mean'"),
  bad("sim cka a b --reduce argmx", 21, "did you mean 'argmax'?"),
  bad("sim cka a b --format xml", 21, "expects table, csv, tsv, json or ndjson, found 'xml'"),
  bad("sim cka a b --route gram", 20, "did you mean 'grams'?"),
  bad("sim cka a b --heatmap out.png", 22, "expects an .svg file name, found 'out.png'"),
  bad("sim cka a b --using ''", 20, "expects a projection name, found ''"),
  bad("sim cka a b --train-on a/{L1", 25, "unclosed '{'"),
  bad("sim cka a b with intersect=yes", 26, "option '--intersect' is a flag and takes no value"),
  bad("sim cka a b --intersect=yes", 23, "is a flag and takes no value"),
  bad("train k p on a --lr -1", 20, "option '--lr' expects a positive number, found '-1'"),
  bad("train k p on a --lr 1e", 20, "expects a positive number, found '1e'"),
  bad("train k p on a --temperature inf", 29, "expects a positive number, found 'inf'"),
  bad("train k p on a --negatives knn:0", 27, "expects batch or knn:K with K a positive integer, found 'knn:0'"),
  bad("train k p on a --validation 1", 28, "expects a fraction from 0 up to (not including) 1"),
  bad("train k p on a --seed -3", 22, "expects a non-negative integer, found '-3'"),
  bad("train k p on a --epochs 2.5", 24, "expects a positive integer, found '2.5'"),
  bad("train k p on a --positives same_layer", 27, "did you mean 'same-layer'?"),
  // train.
  bad("train", 5, "expected the kind of projection to train (e.g. contrasim), found end of statement"),
  bad("train contrasim on a", 16, "expected a name for the trained projection (e.g. probe1), found 'on'"),
  bad("train contrasim p a/L3", 18, "expected 'on' and the selectors to train on, found 'a/L3'"),
  bad("train contrasim p on", 20, "expected a selector after 'on', found end of statement"),
  bad("train k p on a, b", 14, "found ','"),
  // show and drop.
  bad("show", 4, "expected what to show: models, layers, examples, tables, projections, measures or benchmarks"),
  bad("show nothing", 5, "found 'nothing'"),
  bad("show model", 5, "did you mean 'models'?"),
  bad("show models a b", 14, "expected end of statement, found 'b'"),
  bad("show models --format csv", 12, "show takes no options"),
  bad("show models with x=1", 12, "show takes no options"),
  bad("drop table x", 11, "expected a table number (a positive integer), found 'x'"),
  bad("drop table 0", 11, "found '0'"),
  bad("drop table +3", 11, "found '+3'"),
  bad("drop table", 10, "found end of statement"),
  bad("drop tables 3", 5,
      "expected 'table' or 'projection' (drop table N, drop projection NAME), found 'tables'; did you mean 'table'?"),
  bad("drop projections p", 5, "found 'projections'; did you mean 'projection'?"),
  bad("drop projection", 15, "expected the name of a stored projection (or a pattern such as 'contrasim-*'), found"),
  bad("drop projection p --forse", 18, "unknown option '--forse' for drop projection; did you mean '--force'?"),
  bad("drop projection p --force=yes", 25, "option '--force' is a flag and takes no value"),
  bad("drop table 3 4", 13, "expected end of statement, found '4'"),
  bad("drop table 1 --x", 13, "drop takes no options"),
]

/// Malformed command-line arguments: the arguments, the column in them joined by spaces, a fragment of the message.
private let malformedArguments: [(arguments: [String], column: Int, fragment: String)] = [
  (["sim", "cka", "a", "b", "with", "reduce=argmax"], 12, "'with name=value' options are for query text"),
  (["sim", "cka,", "a", "b"], 8, "expected a measure id on each side of ','"),
  (["sim", "cka,(", "a", "b"], 8, "measure '(': expected a measure name before '('"),
  (["sim", "cka,rsa(rdm=x", "a", "b"], 11, "missing ')' at the end"),
  (["sim", "cka", "a", "b", "--format=xml"], 21, "found 'xml'"),
  (["sim", "cka", "a", "b", "--intersect=1"], 23, "is a flag and takes no value"),
  (["sim", "cka", "my model/L[3", "b"], 18, "unclosed '['"),
  ([], 0, "empty statement"),
]

@Suite("Malformed statements")
struct MalformedStatementTests {
  @Test(arguments: malformedStatements)
  func reportsWhereAndWhat(_ malformed: MalformedCase) {
    #expect {
      try QueryParser.parseStatement(malformed.text)
    } throws: { error in
      guard let error = error as? QuerySyntaxError else { return false }
      #expect(error.column == malformed.column)
      #expect(error.message.contains(malformed.fragment), "\(error.message)")
      #expect(error.description == "statement 1, column \(malformed.column): \(error.message)")
      // The caret sits under the column.
      let lines = error.caretDiagnostic.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(lines.count == 3 && lines[0] == malformed.text && lines[1].count == malformed.column + 1)
      return true
    }
  }

  @Test func atLeastThirtyCases() { #expect(malformedStatements.count >= 30) }

  @Test(arguments: malformedArguments.indices)
  func argumentsReportIntoTheJoinedLine(_ index: Int) {
    let malformed = malformedArguments[index]
    #expect {
      try QueryParser.parseArguments(malformed.arguments)
    } throws: { error in
      guard let error = error as? QuerySyntaxError else { return false }
      #expect(error.source == malformed.arguments.joined(separator: " "))
      #expect(error.column == malformed.column)
      #expect(error.message.contains(malformed.fragment), "\(error.message)")
      return true
    }
  }

  /// Found by fuzzing: such an argument parsed, and the statement's canonical text did not parse back.
  @Test(arguments: ["b\nc", "b\u{0C}c", "b\u{2028}"])
  func argumentWithLineBreakIsRefused(_ argument: String) {
    #expect {
      try QueryParser.parseArguments(["sim", "cka", "a", argument])
    } throws: { error in
      guard let error = error as? QuerySyntaxError else { return false }
      #expect(error.message == "expected an argument on one line (names hold no line breaks), found a line break")
      #expect(error.line == 1 && error.column == 11)
      return true
    }
  }

  @Test func scriptErrorsNameTheLine() throws {
    #expect {
      try QueryParser.parseScript("show models\n\n\tsim cka a b --threads x")
    } throws: { error in
      guard let error = error as? QuerySyntaxError else { return false }
      #expect(error.statementNumber == 2 && error.line == 3 && error.column == 23)
      #expect(error.description == "statement 2, line 3, column 23: " + error.message)
      #expect(error.caretDiagnostic == "\tsim cka a b --threads x\n\t                      ^\n" + error.message)
      #expect(error.expected == "a positive integer" && error.found == "'x'")
      return true
    }
  }

  @Test func errorsCarryTheirKind() {
    #expect {
      try QueryParser.parseStatement("sim cka a b --redcue x")
    } throws: { error in
      (error as? QuerySyntaxError)?.kind
        == .unknownOption("--redcue", statement: "sim", suggestions: ["--reduce"], owner: nil)
    }
  }
}
