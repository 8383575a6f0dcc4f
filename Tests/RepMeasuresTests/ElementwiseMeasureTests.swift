import Foundation
import RepMath
@testable import RepMeasures
import Testing

/// The elementwise measures `dot` and `norm`: fixtures, golden values, invariances, and streaming over any chunking.
@Suite struct ElementwiseMeasureTests {
  init() { BLAS.setThreadCount(1) }

  /// Every case × `dot`, `norm`: the Float32 inputs give `value_f32_inputs` to 1e-5 relative (dot reaches ~10³), or
  /// NaN with the fixture's reason. The fixture's NaN ("width mismatch") is an error here, as docs/measures.md
  /// prescribes: `incompatibleInputs`, thrown before computing.
  @Test(arguments: try KernelMeasures.fixturePairs(names: KernelMeasures.elementwiseNames))
  func agreesWithFixture(_ pair: MeasureFixturePair) throws {
    let measure = try #require(try KernelMeasures.make(pair.id))
    #expect(measure.id == (try MeasureID(parsing: pair.id)))
    if pair.expected.reasonF32Inputs == "width mismatch" {
      let error = #expect(throws: MeasureError.self) { try measure.similarity(pair.fixture.x, pair.fixture.y) }
      guard case .incompatibleInputs(let name, let message)? = error else {
        Issue.record("\(pair.id): expected incompatibleInputs, got \(String(describing: error))")
        return
      }
      #expect(name == pair.id && message.hasPrefix("width mismatch"))
      return
    }
    let value = try measure.similarity(pair.fixture.x, pair.fixture.y)
    #expect(pair.expected.matchesFloat32Path(value), "\(pair.fixture.name) · \(pair.id): got \(value), \(pair.expected)")
  }

  /// The ContraSim reference values (contrasim-spec §2.9, X and Y4).
  @Test func reproducesTheContraSimGoldenValues() throws {
    let fixture = try MeasureFixtures.case(named: "contrasim_golden_y4")
    let dot = try Dot().similarity(fixture.x, fixture.y)
    let norm = try Norm().similarity(fixture.x, fixture.y)
    #expect(kernelTestIsClose(dot.value, 16.12503891854024), "dot = \(dot)")
    #expect(kernelTestIsClose(norm.value, 0.18333501293896903), "norm = \(norm)")
  }

  /// Ids and the declared properties of the table in docs/measures.md.
  @Test func idsAndProperties() {
    #expect(Dot().id.description == "dot" && Norm().id.description == "norm")
    #expect(Dot().properties == MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "ℝ",
                                                  invariances: [.jointOrthogonal]))
    #expect(Norm().properties == MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[−1, 1]",
                                                   invariances: [.rowScaling]))
    #expect(Dot().chunkRows == nil && Norm().chunkRows == nil)
  }

  /// Each declared invariance holds over 3 seeds (joint orthogonal for dot, per-row positive scaling of either
  /// side for norm); and the negative controls: an orthogonal map of one side changes dot, a translation changes norm.
  @Test func invariancesAndNegativeControls() throws {
    let fixture = try MeasureFixtures.case(named: "mknn_margin")
    let measures: [any SimilarityMeasure] = [Dot(), Norm()]
    for measure in measures {
      let base = try measure.similarity(fixture.x, fixture.y)
      for seed: UInt64 in 1 ... 3 {
        var generator = KernelSplitMix64(seed: seed)
        for invariance in measure.properties.invariances.sorted() {
          for side in 0 ... 1 {
            let (x, y) = try kernelTestTransform(invariance, side: side, fixture.x, fixture.y, using: &generator)
            let value = try measure.similarity(x, y)
            #expect(kernelTestIsClose(value.value, base.value),
                    "\(measure.id) under \(invariance) of side \(side), seed \(seed): \(value) vs \(base)")
          }
        }
      }
    }
    var generator = KernelSplitMix64(seed: 5)
    let (rotated, _) = try kernelTestTransform(.orthogonal, side: 0, fixture.x, fixture.y, using: &generator)
    #expect(abs(try Dot().similarity(rotated, fixture.y).value - (try Dot().similarity(fixture.x, fixture.y).value)) > 1)
    let (shifted, _) = try kernelTestTransform(.translation, side: 0, fixture.x, fixture.y, using: &generator)
    #expect(abs(try Norm().similarity(shifted, fixture.y).value - (try Norm().similarity(fixture.x, fixture.y).value))
      > 1e-2)
  }

  /// Streaming through a `RowChunker` with chunk lengths from 1 row to all rows gives the in-memory value (up to
  /// the order of the Float64 additions), and the same NaN for a constant side.
  @Test(arguments: ["kornblith_A", "zero_row", "mknn_ties", "constant_x", "n3"], [1, 2, 3, 7, 16, 1000])
  func streamingEqualsInMemory(_ name: String, _ chunkRows: Int) throws {
    let fixture = try MeasureFixtures.case(named: name)
    let measures: [any RowwiseMeasure] = [Dot(), Norm()]
    for measure in measures {
      var chunker = RowChunker(columnCounts: [fixture.x.columns, fixture.y.columns], chunkRows: chunkRows)
      var state = RowwiseState(count: 0)
      let add = { (chunk: RowChunk) in
        measure.accumulate(chunk[0], chunk[1], rows: chunk.rows, columns: (fixture.x.columns, fixture.y.columns),
                           into: &state)
      }
      chunker.push(fixture.x, matrix: 0, add)
      chunker.push(fixture.y, matrix: 1, add)
      chunker.finish(add)
      let (streamed, inMemory) = (measure.value(of: state), try measure.similarity(fixture.x, fixture.y))
      #expect(streamed.reason == inMemory.reason, "\(name) · \(measure.id), chunks of \(chunkRows)")
      if inMemory.isDefined {
        #expect(kernelTestIsClose(streamed.value, inMemory.value, relative: 1e-13, absolute: 1e-13),
                "\(name) · \(measure.id), chunks of \(chunkRows): \(streamed) vs \(inMemory)")
      }
    }
  }

  /// No rows: dot is the empty sum 0; norm is NaN (an empty side counts as constant, as numpy's `all` of nothing).
  @Test func emptyInputs() throws {
    let empty = Matrix(rows: 0, columns: 4)
    #expect(try Dot().similarity(empty, empty) == MeasureValue(0))
    #expect(try Norm().similarity(empty, empty).reason == "constant representation")
  }

  /// A zero row stays zero: it contributes 1 − ‖0 − ŷ‖ = 0 to norm, or 1 when both rows are zero.
  @Test func zeroRowsInNorm() throws {
    let x = Matrix(rows: 2, columns: 2, storage: [0, 0, 3, 4])
    let y = Matrix(rows: 2, columns: 2, storage: [1, 0, 6, 8])
    #expect(try Norm().similarity(x, y) == MeasureValue(0.5))
    let z = Matrix(rows: 2, columns: 2, storage: [0, 0, 1, 0])
    #expect(try Norm().similarity(z, z) == MeasureValue(1))
  }
}
