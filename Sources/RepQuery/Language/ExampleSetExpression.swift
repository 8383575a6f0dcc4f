import RepStore

/// An example set as a benchmark option names it: a name pattern and an optional subset, `digits-test[0:300]`.
public struct ExampleSetExpression: Sendable, Equatable, CustomStringConvertible {
  public var pattern: NamePattern
  public var subset: ExampleSubset?

  public init(_ pattern: NamePattern, subset: ExampleSubset? = nil) {
    self.pattern = pattern
    self.subset = subset
  }

  /// `digits-test[0:300]`.
  public var description: String {
    SubsetSuffix.escapingLookalike(in: pattern.description, isFollowedBySubset: subset != nil)
      + (subset?.description ?? "")
  }
}

extension SelectorExpression {
  /// The expression with `examples` as its example set (and subset), unless it names a set of its own.
  public func withExamples(_ examples: ExampleSetExpression?) -> SelectorExpression {
    guard let examples, selector.exampleSet == nil else { return self }
    var expression = self
    expression.selector.exampleSet = examples.pattern
    expression.subset = examples.subset
    return expression
  }

  /// The expression narrowed to one model, its layers and examples kept.
  public func narrowed(toModel model: String) -> SelectorExpression {
    var expression = self
    expression.selector.model = NamePattern(exactly: model)
    return expression
  }
}

extension QueryParser {
  /// Parses one command-line argument naming an example set, with an optional subset: `digits-test[0:300]`.
  ///
  /// - Throws: `QuerySyntaxError` whose column points into the argument.
  public static func parseExampleSet(_ argument: String) throws(QuerySyntaxError) -> ExampleSetExpression {
    // Read as the example-set part of a selector, so that patterns and subsets are the selector's.
    let prefix = "*@"
    do {
      let expression = try parseSelector(prefix + argument)
      return ExampleSetExpression(expression.selector.exampleSet ?? .any, subset: expression.subset)
    } catch {
      throw QuerySyntaxError(
        source: argument, statementNumber: 1, offset: max(0, error.column - prefix.count), kind: error.kind)
    }
  }
}
