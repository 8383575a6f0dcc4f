import Foundation
import RepMeasures
import RepStore

/// A benchmark result as text (a table for people, CSV, TSV, JSON, ndjson) and as an SVG heatmap of accuracies.
public enum BenchmarkRenderer {
  /// The result in `format`. CSV and TSV: one row per measure and subject, header
  /// `measure,SUBJECT,correct,total,accuracy,chance,collapsed`, then one `all` row per measure (`collapsed`: the
  /// decisions came through a projection whose training collapsed). JSON: one object with the benchmark, examples,
  /// chance, the projections (by measure, or by measure and layer) and, per measure, its overall accuracy and its
  /// subjects.
  public static func render(_ result: BenchmarkResult, as format: TableFormat) -> String {
    switch format {
    case .table: return table(result)
    case .csv: return delimited(result, separator: ",", field: TextEscaping.csvField)
    case .tsv: return delimited(result, separator: "\t", field: TextEscaping.tsvField)
    case .json: return json(result) + "\n"
    case .ndjson: return lines(result).joined(separator: "\n") + "\n"
    }
  }

  /// A heatmap of accuracies: rows are measures, columns the subjects and `all`, colours on [0, 1]. A subject
  /// without decisions (n/a in the table) is hatched, not coloured as 0.
  public static func heatmap(_ result: BenchmarkResult) -> String {
    func axis(_ title: String, _ labels: [String]) -> [TensorInfo] {
      labels.enumerated().map { TensorInfo(id: Int64($0), model: title, layer: $1, exampleSet: result.examples,
                                            rowCount: 0, columnCount: 0) }
    }
    let values = result.measures.indices.map { m in
      (result.scores[m] + [result.overall(m)]).map { score in
        score.total > 0
          ? MeasureValue(score.accuracy) : MeasureValue.undefined("n/a: no decisions, undefined on every input")
      }
    }
    let table = SimilarityTable(
      measure: MeasureID(name: "accuracy"),
      properties: MeasureProperties(largerIsMoreSimilar: true, isSymmetric: false, range: "[0, 1]", invariances: []),
      rows: axis("measure", result.measures), columns: axis(result.subjectTitle, result.subjects + ["all"]),
      values: values, examples: result.examples, exampleCount: result.exampleCount, seconds: result.seconds,
      route: nil)
    let title = "\(result.kind): accuracy on \(result.exampleCount) examples of \(result.examples) "
      + "(chance \(percent(result.chance)))"
    return HeatmapSVG.render(
      table,
      options: HeatmapOptions(
        colourRange: .fixed(0 ... 1), highlightsBestMatches: false, title: title,
        valueCaption: "(right decisions / all)", undefinedLegend: "n/a: no decisions (undefined on every input)"))
  }

  static func percent(_ value: Double) -> String {
    value.isNaN ? "NaN" : String(format: "%.1f%%", 100 * value)
  }

  private static func table(_ result: BenchmarkResult) -> String {
    let header = ["measure"] + result.subjects + ["all"]
    // A cell that came through a collapsed projection is marked, with a note under the table.
    let mark = { (collapsed: Bool) in collapsed ? "*" : "" }
    let rows = result.measures.indices.map { m in
      let overall = result.overall(m)
      // A subject without decisions (its measure undefined on every input) has no score: n/a, never 0%.
      return [result.measures[m]]
        + result.scores[m].enumerated().map { s, score in
          (score.total > 0 ? "\(score.correct)/\(score.total)" : "n/a") + mark(result.isCollapsed(m, s))
        }
        + [(overall.total > 0 ? "\(overall.correct)/\(overall.total) = \(percent(overall.accuracy))" : "n/a")
          + mark(result.isCollapsed(m))]
    }
    let widths = header.indices.map { j in ([header] + rows).map { $0[j].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { j, cell in
        j == 0 ? cell.padding(toLength: widths[j], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[j] - cell.count) + cell
      }.joined(separator: "  ")
    }
    var text = "\(result.kind) on \(result.exampleCount) examples of \(result.examples); chance \(percent(result.chance))\n"
    text += ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    if !result.collapsed.isEmpty {
      text += "* through a projection whose training collapsed (it maps every row to nearly one point); "
        + "retrain with --standardize, a lower --lr or hard negatives\n"
    }
    return text
  }

  private static func delimited(_ result: BenchmarkResult, separator: String, field: (String) -> String) -> String {
    var lines = [
      ["measure", result.subjectTitle, "correct", "total", "accuracy", "chance", "collapsed"].joined(separator: separator)
    ]
    for m in result.measures.indices {
      for (s, score) in (result.scores[m] + [result.overall(m)]).enumerated() {
        let subject = s < result.subjects.count ? result.subjects[s] : "all"
        let collapsed = s < result.subjects.count ? result.isCollapsed(m, s) : result.isCollapsed(m)
        lines.append([field(result.measures[m]), field(subject), "\(score.correct)", "\(score.total)",
                      number(score.accuracy), number(result.chance), "\(collapsed)"].joined(separator: separator))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func json(_ result: BenchmarkResult) -> String {
    let measures = result.measures.indices.map { m in
      let subjects = result.subjects.indices.map { s in
        "{\"\(result.subjectTitle)\": \(TextEscaping.jsonString(result.subjects[s])), "
          + "\"correct\": \(result.scores[m][s].correct), \"total\": \(result.scores[m][s].total), "
          + "\"accuracy\": \(jsonNumber(result.scores[m][s].accuracy)), \"collapsed\": \(result.isCollapsed(m, s))}"
      }
      let overall = result.overall(m)
      return "{\"measure\": \(TextEscaping.jsonString(result.measures[m])), "
        + "\"correct\": \(overall.correct), \"total\": \(overall.total), \"accuracy\": \(jsonNumber(overall.accuracy)), "
        + "\"collapsed\": \(result.isCollapsed(m)), "
        + "\"\(result.subjectTitle)s\": [" + subjects.joined(separator: ", ") + "]}"
    }
    let projections = result.projections.sorted { $0.key < $1.key }.map {
      "\(TextEscaping.jsonString($0.key)): \(TextEscaping.jsonString($0.value))"
    }
    return "{\"benchmark\": \(TextEscaping.jsonString(result.kind)), "
      + "\"statement\": \(TextEscaping.jsonString(result.statement)), "
      + "\"projections\": {" + projections.joined(separator: ", ") + "}, "
      + "\"examples\": \(TextEscaping.jsonString(result.examples)), \"example_count\": \(result.exampleCount), "
      + "\"chance\": \(jsonNumber(result.chance)), \"measures\": [" + measures.joined(separator: ", ") + "]}"
  }

  private static func lines(_ result: BenchmarkResult) -> [String] {
    result.measures.indices.flatMap { m in
      result.subjects.indices.map { s in
        "{\"benchmark\": \(TextEscaping.jsonString(result.kind)), \"measure\": \(TextEscaping.jsonString(result.measures[m])), "
          + "\"\(result.subjectTitle)\": \(TextEscaping.jsonString(result.subjects[s])), "
          + "\"correct\": \(result.scores[m][s].correct), \"total\": \(result.scores[m][s].total), "
          + "\"accuracy\": \(jsonNumber(result.scores[m][s].accuracy)), \"chance\": \(jsonNumber(result.chance)), "
          + "\"collapsed\": \(result.isCollapsed(m, s))}"
      }
    }
  }

  private static func number(_ value: Double) -> String { value.isNaN ? "NaN" : String(format: "%.6g", value) }
  private static func jsonNumber(_ value: Double) -> String { value.isNaN ? "null" : String(format: "%.6g", value) }
}
