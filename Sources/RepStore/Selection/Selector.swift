/// Picks stored tensors by model, layer and example set, each a `NamePattern`.
///
/// Text form (see `parse(_:)`): `[model:]MODEL[/LAYER][@SET]`, e.g. `model:a/L3`, `a/L2..L7@val`, `'gpt*/layer{1..4}'`,
/// `*`. A missing layer means every layer; a missing `@SET` means any example set.
///
/// ## Topics
/// - `parse(_:)`, `description`: text form and back.
/// - `matches(model:layer:exampleSet:)`: filtering catalog entries.
/// - `NamePattern.literal`, `NamePattern.suggestions(for:among:limit:maxDistance:)`: direct lookup and "did you mean".
public struct Selector: Sendable, Equatable, CustomStringConvertible {
  /// Which models.
  public var model: NamePattern
  /// Which layers of each model; `.any` for all.
  public var layer: NamePattern
  /// Which example sets; `nil` for any (unlike `.any`, it prints no `@` part).
  public var exampleSet: NamePattern?

  /// Creates a selector from its patterns.
  public init(model: NamePattern, layer: NamePattern = .any, exampleSet: NamePattern? = nil) {
    self.model = model
    self.layer = layer
    self.exampleSet = exampleSet
  }

  /// Every layer of every model, any example set: `model:*/*`.
  public static let all = Selector(model: .any)

  /// Whether the tensor (model, layer, example set) is selected.
  ///
  /// - Complexity: the sum of the three patterns' `matches(_:)`.
  public func matches(model: String, layer: String, exampleSet: String) -> Bool {
    self.model.matches(model) && self.layer.matches(layer) && (self.exampleSet?.matches(exampleSet) ?? true)
  }

  /// The canonical text, `model:` + model + `/` + layer, then `@` + set when there is one.
  /// `Selector.parse(s.description) == s`.
  public var description: String {
    "model:\(model)/\(layer)" + (exampleSet.map { "@\($0)" } ?? "")
  }
}
