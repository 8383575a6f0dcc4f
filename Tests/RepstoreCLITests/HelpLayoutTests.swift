import Foundation
import Testing

/// Help text at 80 columns. ArgumentParser wraps every line of a discussion to the terminal's width, keeping its line
/// breaks: a paragraph written over several lines shows short lines mid-sentence, and an example longer than 79
/// columns (with its indent) is broken mid-command. So paragraphs are single lines, and examples fit.
@Suite("Help layout")
struct HelpLayoutTests {
  /// `repstore COMMAND --help` as a terminal of `columns` columns gets it.
  static func help(_ command: [String], columns: Int, in scratch: Scratch) throws -> String {
    let result = try scratch.run(command + ["--help"], environment: ["COLUMNS": String(columns)])
    #expect(result.succeeded, "\(result)")
    return result.stdout
  }

  @Test("discussions are single-line paragraphs, and examples fit in 80 columns", arguments: CommandLineTests.commands)
  func discussion(command: [String]) throws {
    try withScratch { scratch in
      // Wide enough that nothing wraps: the lines are the discussion's own.
      let wide = try Self.help(command, columns: 1000, in: scratch)
      let narrow = Set(try Self.help(command, columns: 80, in: scratch).components(separatedBy: "\n"))
      let lines = (wide.components(separatedBy: "\nUSAGE: ").first ?? "").components(separatedBy: "\n")
      for (index, line) in lines.enumerated() where !line.isEmpty && !line.hasPrefix(" ") {
        let next = index + 1 < lines.count ? lines[index + 1] : ""
        #expect(next.isEmpty || next.hasPrefix(" "), "a paragraph broken by a line break:\n\(line)\n\(next)")
      }
      for line in lines where line.hasPrefix(" ") {
        #expect(line.count < 80 && narrow.contains(line), "broken at 80 columns (\(line.count) wide):\n\(line)")
      }
    }
  }

  @Test("every option gives its default once", arguments: CommandLineTests.commands)
  func defaultsOnce(command: [String]) throws {
    try withScratch { scratch in
      let wide = try Self.help(command, columns: 1000, in: scratch)
      let options = wide.components(separatedBy: "\nUSAGE: ").dropFirst().joined()
      // An option's entry starts with its name ("  -q, --quiet", "  --store <dir>") and continues with deeper lines.
      var entries: [String] = []
      for line in options.components(separatedBy: "\n") {
        if line.hasPrefix("  -") { entries.append(line) } else if line.hasPrefix("   "), !entries.isEmpty {
          entries[entries.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
        }
      }
      #expect(entries.count >= 2, "\(wide)")
      for entry in entries {
        #expect(entry.components(separatedBy: "(default").count <= 2, "the default given twice: \(entry)")
      }
    }
  }

  /// The statuses `ExitStatus` (Sources/repstore/Support/Failure.swift) and ArgumentParser (64) return.
  static let exitStatuses = [0, 1, 2, 64, 75, 130]

  @Test("README's exit statuses and repstore --help's are the ones the code returns")
  func exitStatuses() throws {
    let readme = try String(contentsOf: PackageFiles.root.appendingPathComponent("README.md"), encoding: .utf8)
    let section = readme.components(separatedBy: "### Exit status\n").dropFirst().first?
      .components(separatedBy: "\n## ").first ?? ""
    // Each status starts the text or follows "· ": "0 success · 1 error (…) · 2 `verify` found damage · …".
    let documented = section.replacingOccurrences(of: "\n", with: " ").components(separatedBy: "· ").compactMap {
      Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
    }
    #expect(documented == Self.exitStatuses, "\(section)")
    try withScratch { scratch in
      let help = try scratch.run(["--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
      let paragraph = help.components(separatedBy: "Exit status: ").dropFirst().first?
        .components(separatedBy: "  ").first ?? ""
      let listed = paragraph.components(separatedBy: "; ").compactMap { Int($0.prefix { $0.isNumber }) }
      #expect(listed == Self.exitStatuses, "\(paragraph)")
    }
  }
}
