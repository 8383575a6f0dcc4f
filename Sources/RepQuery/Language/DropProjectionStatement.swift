/// `drop projection NAME [NAME …] [--force]`: delete the stored projections the names pick. A name may be a pattern
/// as in selectors (`contrasim-*` picks every projection `sim --train-on` named after the measure); projection names
/// hold no pattern characters, so a plain name picks itself.
///
/// Stored tables that compare through a projection would be left naming one that no longer exists: the statement is
/// refused, naming them, unless `--force`, which drops them with it.
public struct DropProjectionStatement: Sendable, Equatable, CustomStringConvertible {
  /// The names or patterns, in the order written; at least one. Not yet checked against the store.
  public var names: [String]
  public var options: DropProjectionOptions

  /// Creates a statement; `names` must not be empty.
  public init(names: [String], options: DropProjectionOptions = DropProjectionOptions()) {
    precondition(!names.isEmpty, "a drop projection statement needs at least one name")
    self.names = names
    self.options = options
  }

  /// `drop projection probe 'contrasim-*' --force`.
  public var description: String {
    CanonicalText.statement(["drop", "projection"] + names.map(CanonicalText.token), options: options)
  }
}

/// The options of `drop projection`.
public struct DropProjectionOptions: Sendable, Equatable {
  /// `--force`: drop the stored tables that compare through the projections too, instead of refusing.
  public var force = false

  public init() {}

  public init(force: Bool) { self.force = force }
}

extension DropProjectionOptions: StatementOptions {
  static var definitions: [OptionDefinition<DropProjectionOptions>] { [.flag("force", \.force)] }
}
