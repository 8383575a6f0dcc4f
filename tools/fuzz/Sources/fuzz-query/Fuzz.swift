import RepQuery
import RepStore

/// libFuzzer entry point for the query language and selectors: the same bytes go to every parser a user's text
/// reaches, and every input must end in a value or a thrown error.
///
/// - `repstore query --file` (statement files): `ScriptText.decode`, then `QueryParser.parseEachStatement`;
/// - the command-line form: lines as arguments to `parseArguments` and `parseTrainingOverrides`;
/// - one argument as a selector, an example set, a measure list (`repstore bench`);
/// - the first line as a `NamePattern`, matched against the other lines as names.
///
/// Parsed values are checked against their documented canonical text: `description` parses back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  // A statement file that is not UTF-8 stops at ScriptText; arguments arrive already decoded, with replacements.
  let text = (try? ScriptText.decode(bytes, from: "fuzz")) ?? String(decoding: bytes, as: UTF8.self)
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

  for statement in QueryParser.parseEachStatement(in: text) {
    switch statement.result {
    case .success(let query): checkCanonicalText(of: query)
    case .failure(let error): _ = error.caretDiagnostic
    }
  }
  do { checkCanonicalText(of: try QueryParser.parseArguments(lines)) } catch { _ = error.caretDiagnostic }
  do { _ = try QueryParser.parseTrainingOverrides(lines) } catch { _ = error.caretDiagnostic }
  do { _ = try QueryParser.parseSelector(text) } catch { _ = error.caretDiagnostic }
  do { _ = try QueryParser.parseExampleSet(text) } catch { _ = error.caretDiagnostic }
  do { _ = try QueryParser.parseMeasures(text) } catch { _ = error.caretDiagnostic }

  if let first = lines.first, let pattern = try? NamePattern(parsing: first) {
    let again = try? NamePattern(parsing: pattern.description)
    precondition(again == pattern, "pattern \(first.debugDescription) prints as \(pattern.description.debugDescription)")
    for name in lines.dropFirst() { _ = pattern.matches(name) }
  }
  do { _ = try Selector.parse(text) } catch { _ = "\(error)" }
  return 0
}

/// Traps unless `query.description` parses back to `query`, as `QueryStatement` documents.
private func checkCanonicalText(of query: QueryStatement) {
  let canonical = query.description
  do {
    let again = try QueryParser.parseStatement(canonical)
    precondition(again == query, "\(canonical.debugDescription) parses to \(again.description.debugDescription)")
  } catch {
    preconditionFailure("canonical text \(canonical.debugDescription) does not parse: \(error)")
  }
}
