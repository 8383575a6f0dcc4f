import RepStore

/// Short labels for the text matrix, so that a 7×7 table of one model against another is not 190 columns wide. Per
/// side, a tensor is named by the parts of MODEL/LAYER@SET that differ between that side's tensors (the layer when
/// none does, as for a single tensor); what every tensor of a side shares is said once, in a caption line above the
/// table ("rows seed0/{layer}, columns seed1/{layer}"). CSV, TSV and JSON keep the full labels of
/// `SimilarityTable.label`, so scripts never see these.
struct TableLabels {
  let rows: [String]
  let columns: [String]
  /// What the short labels leave out; nil when they are the full labels.
  let caption: String?

  init(_ table: SimilarityTable) {
    let mixesSets = Set((table.rows + table.columns).map(\.exampleSet)).count > 1
    let rowSide = Side(table.rows, mixesSets: mixesSets)
    let columnSide = Side(table.columns, mixesSets: mixesSets)
    rows = table.rows.map(rowSide.label)
    columns = table.columns.map(columnSide.label)
    let parts = [("rows", rowSide), ("columns", columnSide)].compactMap { name, side in
      side.pattern.map { "\(name) \($0)" }
    }
    caption = parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  /// Which parts one side's labels show.
  struct Side {
    let showsModel: Bool
    let showsLayer: Bool
    let showsSet: Bool
    /// The side's shared parts with `{model}`, `{layer}` or `{set}` where the labels vary; nil when nothing is shared.
    let pattern: String?

    init(_ tensors: [TensorInfo], mixesSets: Bool) {
      let varies = { (part: (TensorInfo) -> String) in Set(tensors.map(part)).count > 1 }
      showsModel = varies(\.model)
      showsSet = mixesSets && varies(\.exampleSet)
      showsLayer = varies(\.layer) || !(showsModel || showsSet)
      guard let first = tensors.first, !(showsModel && showsLayer && (showsSet || !mixesSets)) else {
        pattern = nil
        return
      }
      pattern = (showsModel ? "{model}" : first.model) + "/" + (showsLayer ? "{layer}" : first.layer)
        + (mixesSets ? "@" + (showsSet ? "{set}" : first.exampleSet) : "")
    }

    func label(_ tensor: TensorInfo) -> String {
      let name = [showsModel ? tensor.model : nil, showsLayer ? tensor.layer : nil].compactMap { $0 }
        .joined(separator: "/")
      guard showsSet else { return name }
      return name.isEmpty ? tensor.exampleSet : "\(name)@\(tensor.exampleSet)"
    }
  }
}
