import Foundation
import RepMath
@testable import RepMeasures
import Testing

/// The n×n kernel, RSA and neighbourhood measures (`cka.rbf`, `cka.rbf.debiased`, `cka.minibatch`, `rsa`, `mknn`)
/// against the golden fixtures, their declared properties, identities between them, and their input limits.
@Suite struct KernelMeasureTests {
  init() { BLAS.setThreadCount(1) }

  // MARK: Fixtures

  /// Every case × every kernel id of the fixture: the Float32 inputs give `value_f32_inputs` to 1e-5 relative (1e-6
  /// absolute near 0), or NaN with the fixture's reason. Ids the fixture marks `float64_only` (mknn with neighbour
  /// margins below 1e-3) must match too: mknn ranks by Float64 cosines.
  @Test(arguments: try KernelMeasures.fixturePairs(names: KernelMeasures.pairwiseNames))
  func agreesWithFixture(_ pair: MeasureFixturePair) throws {
    let measure = try #require(try KernelMeasures.make(pair.id))
    #expect(measure.id == (try MeasureID(parsing: pair.id)))
    let value = try measure.similarity(pair.fixture.x, pair.fixture.y)
    if pair.fixture.float64Only.contains(pair.id), let expected = pair.expected.valueF32Inputs {
      // Neighbour margins below 1e-3 (down to 1e-8 in realistic_relu), which Float32 similarities cannot resolve:
      // mknn ranks neighbours by their Float64 cosines (`CosineNeighbours`), so it matches the Float64 value.
      #expect(abs(value.value - expected) <= 1e-12, "\(pair.fixture.name) · \(pair.id): got \(value), \(pair.expected)")
      return
    }
    #expect(pair.expected.matchesFloat32Path(value), "\(pair.fixture.name) · \(pair.id): got \(value), \(pair.expected)")
  }

  /// A golden value of the reference notes, by case and id.
  struct Golden: Sendable, CustomTestStringConvertible {
    let fixture: String
    let id: String
    let value: Double
    /// Absolute tolerance; nil for the default 1e-5 relative.
    var tolerance: Double? = nil
    let source: String
    var testDescription: String { "\(source): \(id) = \(value)" }
  }

  static let goldens: [Golden] = [
    Golden(fixture: "contrasim_golden", id: "cka.rbf(threshold=1.0)", value: 0.511358340194395, source: "contrasim §2.9"),
    Golden(fixture: "contrasim_golden", id: "cka.rbf.debiased(threshold=1.0)", value: 0.087586191942543,
           source: "contrasim §2.9"),
    Golden(fixture: "contrasim_golden", id: "cka.rbf(threshold=0.5)", value: 0.806283183875949, source: "contrasim §2.9"),
    Golden(fixture: "closed_form_E", id: "cka.rbf(threshold=0.5)", value: 0.6599400954958323, source: "§6E"),
    Golden(fixture: "closed_form_E", id: "cka.rbf(threshold=1.0)", value: 0.48943034811605884, source: "§6E"),
    Golden(fixture: "closed_form_E", id: "rsa(rdm=correlation,compare=pearson)", value: 0.051212675577960304,
           source: "§6E"),
    Golden(fixture: "closed_form_E", id: "rsa(rdm=correlation,compare=spearman)", value: 0.052416240475941976,
           source: "§6E"),
    Golden(fixture: "closed_form_E", id: "mknn(k=3)", value: 7.0 / 18.0, source: "§6E"),
    Golden(fixture: "closed_form_E", id: "cka.minibatch(batch=6)", value: -0.10430835294804722, source: "§6E"),
    Golden(fixture: "closed_form_E", id: "cka.minibatch(batch=4)", value: -0.35861656463016556, source: "§6E"),
    Golden(fixture: "kornblith_A", id: "cka.rbf(threshold=0.5)", value: 0.65483, tolerance: 5e-6,
           source: "§6A (Kornblith colab, 5 decimals)"),
  ]

  /// The golden values computed in Float64 from the Float64 inputs; ours come from the Float32-rounded inputs.
  @Test(arguments: goldens)
  func reproducesGoldenValue(_ golden: Golden) throws {
    let fixture = try MeasureFixtures.case(named: golden.fixture)
    let measure = try #require(try KernelMeasures.make(golden.id))
    let value = try measure.similarity(fixture.x, fixture.y)
    let tolerance = golden.tolerance ?? 1e-5 * abs(golden.value)
    #expect(abs(value.value - golden.value) <= tolerance, "\(golden.id) = \(value), golden \(golden.value)")
  }

  // MARK: Declared properties

  /// Range and invariances exactly as in the table of docs/measures.md.
  @Test func propertiesFollowTheTable() {
    let rbfInvariances: Set<Invariance> = [.orthogonal, .isotropicScaling, .translation]
    let table: [(any SimilarityMeasure, String, Set<Invariance>)] = [
      (RBFCKA(), "[0, 1]", rbfInvariances),
      (DebiasedRBFCKA(), "≤ 1", rbfInvariances),
      (MinibatchCKA(), "≤ 1", rbfInvariances),
      (RSA(rdm: .euclidean), "[−1, 1]", [.orthogonal, .translation, .isotropicScaling]),
      (RSA(rdm: .sqeuclidean), "[−1, 1]", [.orthogonal, .translation, .isotropicScaling]),
      (RSA(rdm: .correlation), "[−1, 1]", [.isotropicScaling, .rowScaling]),
      (MutualKNN(), "[0, 1]", [.orthogonal, .isotropicScaling, .rowScaling]),
    ]
    for (measure, range, invariances) in table {
      #expect(measure.properties.range == range, "\(measure.id)")
      #expect(measure.properties.invariances == invariances, "\(measure.id)")
      #expect(measure.properties.largerIsMoreSimilar && measure.properties.isSymmetric, "\(measure.id)")
    }
  }

  static let invarianceIDs = [
    "cka.rbf(threshold=1.0)", "cka.rbf(threshold=0.5)", "cka.rbf.debiased(threshold=1.0)", "cka.minibatch(batch=8)",
    "rsa(rdm=euclidean,compare=pearson)", "rsa(rdm=euclidean,compare=spearman)",
    "rsa(rdm=correlation,compare=pearson)", "rsa(rdm=correlation,compare=spearman)", "mknn(k=3)",
  ]

  /// Each declared invariance, applied with random parameters to each side in turn over 3 seeds, leaves the value
  /// unchanged to 1e-5. The data are the `mknn_margin` case, whose k = 3 neighbour margins (> 1e-3) survive the
  /// Float32 rounding of the transformed inputs.
  @Test(arguments: invarianceIDs)
  func declaredInvariancesHold(_ id: String) throws {
    let measure = try #require(try KernelMeasures.make(id))
    let fixture = try MeasureFixtures.case(named: "mknn_margin")
    let base = try measure.similarity(fixture.x, fixture.y)
    #expect(base.isDefined)
    for seed: UInt64 in 1 ... 3 {
      var generator = KernelSplitMix64(seed: seed)
      for invariance in measure.properties.invariances.sorted() {
        for side in 0 ... 1 {
          let (x, y) = try kernelTestTransform(invariance, side: side, fixture.x, fixture.y, using: &generator)
          let value = try measure.similarity(x, y)
          #expect(kernelTestIsClose(value.value, base.value),
                  "\(id) under \(invariance) of side \(side), seed \(seed): \(value) vs \(base)")
        }
      }
    }
  }

  /// Not declared in the table, but true for every full-batch measure here: they see the examples as a set.
  @Test(arguments: [
    "cka.rbf(threshold=1.0)", "cka.rbf.debiased(threshold=0.5)", "cka.minibatch(batch=256)",
    "rsa(rdm=euclidean,compare=spearman)", "rsa(rdm=correlation,compare=pearson)", "mknn(k=3)",
  ])
  func fullBatchMeasuresIgnoreAJointRowPermutation(_ id: String) throws {
    let measure = try #require(try KernelMeasures.make(id))
    let fixture = try MeasureFixtures.case(named: "mknn_margin")
    var generator = KernelSplitMix64(seed: 7)
    let (x, y) = try kernelTestTransform(.rowPermutation, side: 0, fixture.x, fixture.y, using: &generator)
    let (before, after) = (try measure.similarity(fixture.x, fixture.y), try measure.similarity(x, y))
    #expect(kernelTestIsClose(after.value, before.value, relative: 1e-9, absolute: 1e-12), "\(id): \(after) vs \(before)")
  }

  /// Negative controls: transformations outside the declared set do change the value.
  @Test func undeclaredTransformationsChangeTheValue() throws {
    let fixture = try MeasureFixtures.case(named: "mknn_margin")
    var generator = KernelSplitMix64(seed: 11)
    func change(_ measure: some SimilarityMeasure, _ invariance: Invariance) throws -> Double {
      let (x, y) = try kernelTestTransform(invariance, side: 0, fixture.x, fixture.y, using: &generator)
      return abs(try measure.similarity(x, y).value - (try measure.similarity(fixture.x, fixture.y).value))
    }
    #expect(try change(RBFCKA(), .invertibleLinear) > 1e-3, "RBF CKA under a general invertible map")
    #expect(try change(DebiasedRBFCKA(), .invertibleLinear) > 1e-3, "debiased RBF CKA under an invertible map")
    #expect(try change(MutualKNN(k: 3), .translation) > 1e-2, "mknn under a translation")
    #expect(try change(RSA(rdm: .correlation, compare: .pearson), .translation) > 1e-3, "correlation RDM, translation")
    #expect(try change(RSA(rdm: .correlation, compare: .pearson), .orthogonal) > 1e-3, "correlation RDM, orthogonal")
    #expect(try change(MinibatchCKA(batch: 8), .rowPermutation) > 1e-3, "minibatch CKA: the partition changes")
    #expect(try change(MinibatchCKA(batch: 8), .invertibleLinear) > 1e-3, "minibatch CKA under an invertible map")
  }

  // MARK: Identities

  /// With one batch (b ≥ n), minibatch CKA is debiased linear CKA, here computed from its feature-space definition.
  @Test(arguments: ["closed_form_E", "kornblith_A", "realistic_relu", "collinear_wide", "n_le_d", "zero_row"])
  func oneBatchMinibatchIsDebiasedLinearCKA(_ name: String) throws {
    let fixture = try MeasureFixtures.case(named: name)
    let expected = kernelTestDebiasedLinearCKA(fixture.x, fixture.y)
    for batch in [fixture.rowCount, 256] {
      let value = try MinibatchCKA(batch: batch).similarity(fixture.x, fixture.y)
      #expect(kernelTestIsClose(value.value, expected, relative: 1e-9, absolute: 1e-12),
              "\(name), batch \(batch): \(value) vs \(expected)")
    }
  }

  /// A representation compared with itself: 1 (exactly for mknn, whose neighbour sets coincide).
  @Test(arguments: ["contrasim_golden", "kornblith_A", "realistic_relu", "mknn_margin", "mknn_ties"])
  func selfSimilarityIsOne(_ name: String) throws {
    let x = try MeasureFixtures.case(named: name).x
    let measures: [any SimilarityMeasure] = [
      RBFCKA(), RBFCKA(threshold: 0.5), DebiasedRBFCKA(), MinibatchCKA(batch: 256),
      RSA(rdm: .euclidean, compare: .pearson), RSA(rdm: .euclidean, compare: .spearman),
      RSA(rdm: .correlation, compare: .pearson), RSA(rdm: .correlation, compare: .spearman),
    ]
    for measure in measures {
      let value = try measure.similarity(x, x)
      #expect(kernelTestIsClose(value.value, 1, relative: 1e-12, absolute: 1e-12), "\(name) · \(measure.id): \(value)")
    }
    #expect(try MutualKNN(k: 3).similarity(x, x) == MeasureValue(1), "\(name) · mknn(k=3)")
  }

  /// The measures are symmetric: swapping X and Y gives the same value.
  @Test(arguments: invarianceIDs)
  func swappingTheInputsKeepsTheValue(_ id: String) throws {
    let measure = try #require(try KernelMeasures.make(id))
    let fixture = try MeasureFixtures.case(named: "kornblith_A")
    let (forward, backward) = (try measure.similarity(fixture.x, fixture.y), try measure.similarity(fixture.y, fixture.x))
    #expect(kernelTestIsClose(backward.value, forward.value, relative: 1e-12, absolute: 1e-14), "\(id)")
  }

  // MARK: Streaming

  /// Minibatch CKA fed batch by batch, through a `RowChunker` receiving blocks of awkward sizes, gives exactly the
  /// in-memory value: the chunks are the batches whatever the blocks were.
  @Test(arguments: [("kornblith_A", 30), ("kornblith_A", 32), ("realistic_relu", 66), ("zero_row", 8),
                    ("contrasim_golden", 4)])
  func minibatchStreamsBatchByBatch(_ name: String, _ batch: Int) throws {
    let fixture = try MeasureFixtures.case(named: name)
    let measure = MinibatchCKA(batch: batch)
    let chunkRows = try #require(measure.chunkRows)
    var chunker = RowChunker(columnCounts: [fixture.x.columns, fixture.y.columns], chunkRows: chunkRows)
    var state = RowwiseState(count: 0)
    let add = { (chunk: RowChunk) in
      measure.accumulate(chunk[0], chunk[1], rows: chunk.rows, columns: (fixture.x.columns, fixture.y.columns),
                         into: &state)
    }
    var pushed = [0, 0]
    let blockSizes = [7, 3, 11]
    var step = 0
    while pushed[chunker.laggingMatrix] < fixture.rowCount {
      let matrix = chunker.laggingMatrix
      let rows = min(blockSizes[step % blockSizes.count], fixture.rowCount - pushed[matrix])
      step += 1
      chunker.push((matrix == 0 ? fixture.x : fixture.y).rowRange(pushed[matrix] ..< pushed[matrix] + rows),
                   matrix: matrix, add)
      pushed[matrix] += rows
    }
    chunker.finish(add)
    #expect(state.rows == fixture.rowCount)
    #expect(measure.value(of: state) == (try measure.similarity(fixture.x, fixture.y)))
  }

  // MARK: Degenerate inputs

  /// Rules not reached by the fixture: a short non-final batch, σ² = 0, a constant RDM.
  @Test func reportsTheRemainingDegenerateCases() throws {
    let fixture = try MeasureFixtures.case(named: "kornblith_A")
    #expect(try MinibatchCKA(batch: 3).similarity(fixture.x, fixture.y).reason == "batch < 4")
    #expect(try MinibatchCKA(batch: 2).similarity(fixture.x.rowRange(0 ..< 3), fixture.y.rowRange(0 ..< 3)).reason
      == "n < 4")
    // Four equal rows of five: 17 of the 25 squared distances are 0, so the median and σ² are 0.
    var rows = [Float](repeating: 1, count: 5 * 2)
    rows[8] = 3
    let x = Matrix(rows: 5, columns: 2, storage: rows)
    let y = fixture.y.rowRange(0 ..< 5)
    for measure in [RBFCKA() as any SimilarityMeasure, DebiasedRBFCKA(), RBFCKA(threshold: 0.5)] {
      #expect(try measure.similarity(x, y).reason == "median squared distance is zero", "\(measure.id)")
      #expect(try measure.similarity(y, x).reason == "median squared distance is zero", "\(measure.id)")
    }
    // Two rows: one RDM entry, a constant triangle.
    let two = fixture.x.rowRange(0 ..< 2)
    #expect(try RSA().similarity(two, fixture.y.rowRange(0 ..< 2)).reason == "constant RDM")
  }

  /// Ties in a Spearman comparison take their average rank.
  @Test func averageRanksShareTies() {
    #expect(RSA.averageRanks([0.5, 0.1, 0.5, 0.3, 0.5]) == [4, 1, 4, 2, 4])
    #expect(RSA.averageRanks([2, 2, 1, 1]) == [3.5, 3.5, 1.5, 1.5])
    #expect(RSA.averageRanks([]) == [])
  }

  // MARK: Limits and parameters

  /// Above `rowLimit` rows the n×n measures throw `tooManyRows` before any work; at the limit they compute.
  @Test func refusesMoreRowsThanTheLimit() throws {
    let fixture = try MeasureFixtures.case(named: "kornblith_A")
    let limited: [any RowLimitedMeasure] = [
      RBFCKA(rowLimit: 40), DebiasedRBFCKA(rowLimit: 40), RSA(rowLimit: 40), MutualKNN(k: 3, rowLimit: 40),
    ]
    for measure in limited {
      #expect(throws: MeasureError.tooManyRows(measure: measure.id.description, rows: 41, limit: 40)) {
        try measure.similarity(fixture.x.rowRange(0 ..< 41), fixture.y.rowRange(0 ..< 41))
      }
      #expect(try measure.similarity(fixture.x.rowRange(0 ..< 40), fixture.y.rowRange(0 ..< 40)).isDefined)
    }
    #expect(RBFCKA.defaultRowLimit == 20_000)
    #expect(RBFCKA().rowLimit == 20_000 && DebiasedRBFCKA().rowLimit == 20_000)
    #expect(RSA().rowLimit == 20_000 && MutualKNN().rowLimit == 20_000)
  }

  /// Misaligned inputs are an error, not a NaN.
  @Test func rejectsDifferentRowCounts() throws {
    let fixture = try MeasureFixtures.case(named: "kornblith_A")
    for id in Self.invarianceIDs {
      let measure = try #require(try KernelMeasures.make(id))
      #expect(throws: MeasureError.self, "\(id)") { try measure.similarity(fixture.x, fixture.y.rowRange(0 ..< 99)) }
    }
  }

  /// Ids fill every default; out-of-range parameters are `badParameter` errors.
  @Test func idsAndParameters() throws {
    func make(_ name: String, _ values: [String: String] = [:]) throws -> any SimilarityMeasure {
      let text = values.isEmpty ? name : "\(name)(" + values.map { "\($0)=\($1)" }.joined(separator: ",") + ")"
      return try #require(try KernelMeasures.make(text))
    }
    #expect(try make("cka.rbf").id.description == "cka.rbf(threshold=1.0)")
    #expect(try make("cka.rbf", ["threshold": "0.5"]).id.description == "cka.rbf(threshold=0.5)")
    #expect(try make("cka.rbf.debiased").id.description == "cka.rbf.debiased(threshold=1.0)")
    #expect(try make("cka.minibatch").id.description == "cka.minibatch(batch=256)")
    #expect(try make("mknn").id.description == "mknn(k=10)")
    #expect(try make("rsa").id == (try MeasureID(parsing: "rsa(rdm=correlation,compare=spearman)")))
    #expect(try make("rsa", ["rdm": "euclidean"]).id == (try MeasureID(parsing: "rsa(compare=spearman,rdm=euclidean)")))
    let bad: [(String, [String: String])] = [
      ("cka.rbf", ["threshold": "0"]), ("cka.rbf", ["threshold": "-1"]), ("cka.rbf.debiased", ["threshold": "x"]),
      ("cka.rbf", ["threshold": "inf"]), ("cka.minibatch", ["batch": "1"]), ("cka.minibatch", ["batch": "4.5"]),
      ("mknn", ["k": "0"]), ("rsa", ["rdm": "cosine"]), ("rsa", ["compare": "kendall"]),
    ]
    for (name, values) in bad {
      #expect(throws: MeasureError.self, "\(name) \(values)") { try make(name, values) }
    }
  }

  /// Constructing a measure with an impossible parameter is a programmer error and traps.
  @Test func invalidParametersTrap() async {
    await #expect(processExitsWith: .failure) { _ = RBFCKA(threshold: 0) }
    await #expect(processExitsWith: .failure) { _ = MinibatchCKA(batch: 1) }
    await #expect(processExitsWith: .failure) { _ = MutualKNN(k: 0) }
    await #expect(processExitsWith: .failure) { _ = DebiasedRBFCKA(threshold: -1) }
    // A chunk longer than the batch means the caller ignored `chunkRows`.
    await #expect(processExitsWith: .failure) {
      let rows = [Float](repeating: 1, count: 5)
      var state = RowwiseState(count: 0)
      rows.withUnsafeBufferPointer { MinibatchCKA(batch: 4).accumulate($0, $0, rows: 5, columns: (1, 1), into: &state) }
    }
  }
}
