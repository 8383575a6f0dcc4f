import RepLearning
import RepMath
import RepStore

/// The text `explain` prints: one line per decision of a plan, in a fixed order and wording that scripts and tests
/// can rely on. Sizes are decimal (`byteCountText`); "reads" counts float32 bytes after decompression.
public enum PlanText {
  public static func render(_ plan: Plan) -> String {
    var lines = ["plan: \(plan.statement)"]
    switch plan.action {
    case .sim(let sim): lines += self.lines(sim)
    case .train(let training):
      lines.append("projection \(training.statement.name): train, \(description(training))")
      let bytes = training.tensors.reduce(Int64(0)) { $0 + Int64(training.exampleCount * $1.columnCount) * 4 }
      lines.append("reads \(byteCountText(bytes)), all held in memory while training")
    case .show(let show): lines.append("list \(show.subject.rawValue)")
    case .dropTable(let number): lines.append("drop stored table \(number)")
    case .dropProjections(let drop):
      for projection in drop.projections {
        let auto = ProjectionNames.isDerived(projection.name) ? ", auto-named" : ""
        lines.append("drop projection \(projection.name) (\(projection.kind)\(auto), created \(projection.createdAt))")
      }
      for table in drop.tables {
        lines.append("drop stored table \(table.table) (\(table.measure)), which compares through \(table.projection)")
      }
    case .explain(let inner): return render(inner)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func lines(_ plan: SimPlan) -> [String] {
    let cells = plan.rows.count * plan.columns.count
    var lines = [
      "examples: \(plan.alignment.rowCount) (\(plan.alignment.description))",
      "table: \(plan.rows.count) × \(plan.columns.count) layers, \(cells) cell\(cells == 1 ? "" : "s") per measure",
    ]
    for step in plan.projections {
      let measures = step.measures.joined(separator: ",")
      switch step.action {
      case .use: lines.append("projection \(step.name) (\(measures)): use the stored projection")
      case .reuse: lines.append("projection \(step.name) (\(measures)): reuse, trained earlier on the same "
        + "\(step.trainedOnOption) layers")
      case .train:
        lines.append("projection \(step.name) (\(measures)): train, " + (step.training.map(description) ?? ""))
      }
    }
    for table in plan.tables {
      let what =
        switch table.status {
        case .readBack(let id): "read back stored table \(id)"
        case .resume(let id, let stored): "complete the interrupted table \(id) (\(stored) of \(cells) cells stored)"
        case .compute: "compute"
        case .afterTraining: "compute after training its projection"
        }
      lines.append("measure \(table.measure): \(what)")
    }
    if plan.routes.isEmpty { lines.append("nothing to compute") }
    for route in plan.routes {
      let passes = route.passes == 1 ? "1 pass" : "\(route.passes) passes"
      lines.append("route \(route.kind.rawValue) (\(route.measures.map(\.description).joined(separator: ","))): "
        + "\(passes), reads \(byteCountText(route.bytesRead)), holds \(byteCountText(route.memoryBytes))"
        + (route.productPrecision == .double ? ", Float64 products" : ""))
    }
    return lines
  }

  /// `contrasim on 4 models × 6 layers, 1000 examples (digits-train), same-layer positives, 50 epochs, …`.
  static func description(_ training: TrainingPlan) -> String {
    let options = training.options
    let layers = training.models.isEmpty ? 0 : training.tensors.count / training.models.count
    let temperature = options.temperature.map { ", temperature \(CanonicalText.number($0))" } ?? ""
    return "\(options.objective.rawValue) on \(training.models.count) model\(training.models.count == 1 ? "" : "s")"
      + " × \(layers) layer\(layers == 1 ? "" : "s"), \(training.exampleCount) examples (\(training.examples)), "
      + "\(training.positives.rawValue) positives, \(options.epochs) epochs of \(options.batchSize), "
      + "lr \(options.learningRate)\(temperature), out-dim \(options.outputDimension), "
      + "seed \(options.seed), inputs \(options.standardizeInputs ? "standardized" : "raw")"
  }
}
