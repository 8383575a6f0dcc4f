import Foundation
import RepStore
import Testing

@testable import RepQuery

@Suite("Plans and explain") struct PlanTests {
  /// Plans `text` (an `explain …` statement) and returns what explain prints.
  static func explain(_ text: String, in store: Store) throws -> String {
    let sink = CollectedOutput()
    try QuerySession(store: store, sink: sink).execute(try QueryParser.parseStatement(text))
    return sink.output
  }

  @Test("explain prints routes, passes, bytes and what is read back, in a fixed text")
  func explainText() throws {
    let fixture = try TableFixture(rows: 50, widths: [4, 4, 4], blockBytes: 400, seed: 3)
    let before = try Self.explain("explain sim cka,cka.debiased,dot,rsa m/* m/*", in: fixture.store)
    // 50 rows of widths 4+4+4 are 2,400 float32 bytes. The statistics hold 3·4² per-layer and 3·4·4 cross Float64s
    // (768 B) and a 2,048-row chunk of every layer (98,304 B); dot holds a chunk and its standardized copy; RSA
    // holds the layers twice.
    #expect(before == """
      plan: sim cka,cka.debiased,dot,rsa model:m/* model:m/*
      examples: 50 (default)
      table: 3 × 3 layers, 9 cells per measure
      measure cka: compute
      measure cka.debiased: compute
      measure dot: compute
      measure rsa: compute
      route features (cka,cka.debiased): 1 pass, reads 2.40 KB, holds 99.1 KB
      route rowwise (dot): 1 pass, reads 2.40 KB, holds 197 KB
      route whole (rsa): 1 pass, reads 2.40 KB, holds 4.80 KB

      """)

    let sink = CollectedOutput()
    try QuerySession(store: fixture.store, sink: sink).execute(
      try QueryParser.parseStatement("sim cka,dot m/* m/* --format csv"))
    #expect(sink.output.hasPrefix("a,b,value,reason,measure\n"))
    #expect(sink.notes.contains { $0.hasPrefix("cka: stored as table") })
    let after = try Self.explain("explain sim cka,dot m/* m/*", in: fixture.store)
    #expect(after.contains("measure cka: read back stored table 1\nmeasure dot: read back stored table 2\n"))
    #expect(after.hasSuffix("nothing to compute\n"))
  }

  @Test("the route a plan shows is the route the table is computed by")
  func planRouteIsRunRoute() throws {
    // 20 examples of 64-wide layers: the n×n Grams are cheaper than the 64×64 statistics.
    for (widths, expected) in [([64, 64], RouteStep.Kind.grams), ([4, 4], .features)] {
      let fixture = try TableFixture(rows: 20, widths: widths, blockBytes: 4096, seed: 5)
      let session = QuerySession(store: fixture.store, sink: CollectedOutput())
      guard case .sim(let sim) = try QueryParser.parseStatement("sim cka m/* m/*") else { return }
      let plan = try session.planSim(sim)
      #expect(plan.routes.map(\.kind) == [expected])
      let run = try session.materialize(sim)
      #expect(run.tables[0].route?.rawValue == expected.rawValue)
    }
  }

  @Test("a plan refuses what cannot run, before anything is computed")
  func refusals() throws {
    let fixture = try TableFixture(rows: 20, widths: [4, 4], blockBytes: 4096, seed: 6)
    let session = QuerySession(store: fixture.store, sink: CollectedOutput())
    func kind(_ text: String) -> QueryError.Kind? {
      do { _ = try session.plan(try QueryParser.parseStatement(text)) } catch let error as QueryError {
        return error.kind
      } catch { return nil }
      return nil
    }
    #expect(kind("sim contrasim m/* m/* --using nothing") == .notFound)
    #expect(kind("sim contrasim m/* m/* --using p --train-on m/*") == .usage)
    #expect(kind("sim cka m/* m/* --epochs 3") == .usage)
    #expect(kind("sim contrasim m/* m/*") == .usage)
    #expect(kind("sim cka,cca.mean m/* m/* --route grams") == .usage)
    #expect(kind("explain train nothing p on m/*") == .notFound)
    #expect(kind("show tables m/*") == .usage)
    for name in ["'x y'", "a/b", "''", "'p(1)'", String(repeating: "p", count: 256)] {
      #expect(kind("train contrasim \(name) on m/*") == .usage, "\(name)")
    }
    #expect(try session.store.resultTables().isEmpty)
  }

  @Test("a projection --train-on needs is planned for training, then reused")
  func trainThenReuse() throws {
    let fixture = try TableFixture(rows: 40, widths: [4, 6], blockBytes: 4096, seed: 8)
    let sim = "sim contrasim m/L0@default[20:40] m/L1@default[20:40] --train-on 'm/L0@default[0:20]' "
      + "--train-on 'm/L1@default[0:20]' --epochs 2 --batch 8 --out-dim 4"
    let first = try Self.explain("explain " + sim, in: fixture.store)
    let name = try #require(first.split(separator: "\n").first { $0.hasPrefix("projection ") }?
      .split(separator: " ")[1])
    #expect(first.contains("projection \(name) (contrasim): train, contrasim on 1 model × 2 layers, 20 examples "
      + "(default[0:20]), same-example positives, 2 epochs of 8, lr 0.0001, out-dim 4, seed 0, inputs standardized"))
    #expect(first.contains("measure contrasim: compute after training its projection\n"))
    #expect(first.contains("route rowwise (contrasim): "))

    let sink = CollectedOutput()
    try QuerySession(store: fixture.store, sink: sink).execute(try QueryParser.parseStatement(sim))
    #expect(sink.notes.contains { $0.hasPrefix("training projection '\(name)'") })
    #expect(sink.warnings.isEmpty, "trained on rows 0–19, compared on 20–39: \(sink.warnings)")
    #expect(sink.notes.contains { $0.hasPrefix("contrasim(using=\(name)): stored as table") }, "\(sink.notes)")
    let second = try Self.explain("explain " + sim, in: fixture.store)
    #expect(second.contains("projection \(name) (contrasim): reuse, trained earlier on the same --train-on layers"))
    #expect(second.contains("measure contrasim: read back stored table"))
  }
}
