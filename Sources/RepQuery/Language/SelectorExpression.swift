import RepStore

/// A selector as the query language writes it: a `Selector` and, after its `@SET` part, an optional subset of the
/// examples, `@val[0:1000]` (rows 0 to 999) or `@val[keys=keep.txt]` (the keys listed in a file).
///
/// The subset belongs to the selector token because it narrows the examples of that side only. Parsing lives in
/// `SelectorExpression+Parsing.swift`; the text form is `description`.
public struct SelectorExpression: Sendable, Equatable, CustomStringConvertible {
  /// Which tensors.
  public var selector: Selector
  /// Which examples of them, or `nil` for all.
  public var subset: ExampleSubset?

  /// Creates an expression from a selector and an optional subset.
  public init(_ selector: Selector, subset: ExampleSubset? = nil) {
    self.selector = selector
    self.subset = subset
  }

  /// The canonical text: `selector.description` and the subset, e.g. `model:a/L3@val[0:1000]`.
  ///
  /// A character class that would read as a subset is written escaped (`@v[\:]`, `@[\keys=x]`), so parsing the text
  /// gives an equal expression.
  public var description: String {
    SubsetSuffix.escapingLookalike(in: selector.description, isFollowedBySubset: subset != nil)
      + (subset?.description ?? "")
  }
}

/// A subset of the examples a selector's tensors hold.
public enum ExampleSubset: Sendable, Equatable, CustomStringConvertible {
  /// The half-open row range `[lowerBound:upperBound]` in stored order; `upperBound == nil` runs to the last row.
  /// Written `[0:1000]`, `[:500]` (from row 0) or `[100:]`; never empty or reversed.
  case rows(lowerBound: Int, upperBound: Int?)
  /// The examples whose keys are listed in a file, one key per line: `[keys=PATH]`.
  case keys(file: String)

  /// `[0:1000]`, `[100:]` or `[keys=PATH]`; a range from 0 prints its 0.
  public var description: String {
    switch self {
    case .rows(let lower, let upper): "[\(lower):\(upper.map(String.init) ?? "")]"
    case .keys(let file): "[keys=\(file)]"
    }
  }
}
