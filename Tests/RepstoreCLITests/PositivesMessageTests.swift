import Foundation
import Testing

/// What `train` says when the selected layers do not fit the positives, given or defaulted.
@Suite("Positives messages")
struct PositivesMessageTests {
  static let cases: [(arguments: [String], message: String)] = [
    (
      ["seed0/*@digits-test", "--positives", "same-example"],
      "--positives same-example takes two selectors of one layer each, rows paired by example key (got 1 selector "
        + "of 7 layers)"
    ),
    (
      ["seed0/*@digits-test"],
      "same-example positives (the default for the layers of one model) take two selectors of one layer each, rows "
        + "paired by example key (got 1 selector of 7 layers); to pair layer l of several models instead, select two "
        + "or more models"
    ),
    (
      ["seed0/L1@digits-test", "seed0/L2..L3@digits-test", "--positives", "same-example"],
      "--positives same-example takes two selectors of one layer each, rows paired by example key (got 2 selectors "
        + "of 1 and 2 layers)"
    ),
    (
      ["seed0/L1@digits-test", "seed0/L2@digits-test", "--positives", "same-layer"],
      "--positives same-layer needs at least two models of at least two layers (got 1 model of 2 layers); two "
        + "selectors of one layer each pair rows by example key: use --positives same-example"
    ),
    (
      ["seed0/L1@digits-test", "seed1/L1@digits-test"],
      "same-layer positives (the default across several models) need at least two models of at least two layers "
        + "(got 2 models of 1 layer each); two selectors of one layer each pair rows by example key: use --positives "
        + "same-example"
    ),
  ]

  @Test("train names the selectors and layers it got, and the positives that would fit", arguments: cases)
  func message(arguments: [String], message: String) throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let result = try scratch.run(["train", "contrasim", "p"] + arguments + ["--epochs", "1", "--store", scratch.store])
      #expect(result.status == 1, "\(result)")
      #expect(result.stderr == "repstore: \(message)\n", "\(result)")
      #expect(try scratch.repstore("query", "show projections", "--format", "csv").stdout.split(separator: "\n").count
        == 1)
    }
  }
}
