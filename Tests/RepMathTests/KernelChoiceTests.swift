import Testing
@testable import RepMath

/// The choice of OpenBLAS kernels, one CPU per row: what the CPU can run and what OpenBLAS picked, in; the core to
/// run, out.
@Suite("Kernel choice")
struct KernelChoiceTests {
  static let avx512: Set<CPUFeatures.Extension> = [
    .sse3, .ssse3, .sse4_2, .avx, .fma, .avx2, .avx512f, .avx512bw, .avx512dq, .avx512vl,
  ]
  static let avx2: Set<CPUFeatures.Extension> = [.sse3, .ssse3, .sse4_2, .avx, .fma, .avx2]

  /// An Intel Xeon that Debian's OpenBLAS 0.3.21 does not know (family 6 model 207, AVX-512 with BF16).
  static let xeon207 = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 207, extensions: avx512.union([.avx512_bf16]))
  static let skylakeServer = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 85, extensions: avx512)
  static let zen4 = CPUFeatures(vendor: "AuthenticAMD", family: 25, model: 17, extensions: avx512.union([.avx512_bf16]))
  static let zen5 = CPUFeatures(vendor: "AuthenticAMD", family: 26, model: 2, extensions: avx512.union([.avx512_bf16]))
  static let zen3 = CPUFeatures(vendor: "AuthenticAMD", family: 25, model: 33, extensions: avx2)
  static let haswellDesktop = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 60, extensions: avx2)
  static let sandyBridge = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 42, extensions: [.sse3, .ssse3, .sse4_2, .avx])
  static let oldCore = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 23, extensions: [.sse3, .ssse3])
  /// AVX-512 in the CPU but not enabled by the OS: cpuid reports it, XCR0 does not, so the extension is absent.
  static let avx512DisabledByOS = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 85, extensions: avx2)

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var cpu: CPUFeatures?
    var pick: String
    var user: String?
    /// The core to switch to, or nil to keep OpenBLAS's (or the user's) choice.
    var expected: String?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "Xeon 6/207, OpenBLAS falls back to Prescott", cpu: xeon207, pick: "Prescott", expected: "Cooperlake"),
    Case(name: "Xeon 6/207, OpenBLAS picks Haswell", cpu: xeon207, pick: "Haswell", expected: "Cooperlake"),
    Case(name: "Xeon 6/207, OpenBLAS already picks Cooperlake", cpu: xeon207, pick: "Cooperlake", expected: nil),
    Case(name: "Xeon 6/207, OpenBLAS picks SkylakeX", cpu: xeon207, pick: "SkylakeX", expected: nil),
    Case(name: "Xeon 6/207, user asked for Prescott", cpu: xeon207, pick: "Prescott", user: "Prescott", expected: nil),
    Case(name: "Skylake server without BF16, fallback", cpu: skylakeServer, pick: "Prescott", expected: "SkylakeX"),
    Case(name: "Zen 4, OpenBLAS picks Cooperlake", cpu: zen4, pick: "Cooperlake", expected: "Zen"),
    Case(name: "Zen 4, OpenBLAS picks SkylakeX", cpu: zen4, pick: "SkylakeX", expected: "Zen"),
    Case(name: "Zen 4, OpenBLAS picks Zen", cpu: zen4, pick: "Zen", expected: nil),
    Case(name: "Zen 4, user asked for Cooperlake", cpu: zen4, pick: "Cooperlake", user: "Cooperlake", expected: nil),
    Case(name: "Zen 5 (not measured), OpenBLAS picks Cooperlake", cpu: zen5, pick: "Cooperlake", expected: nil),
    Case(name: "Zen 5, OpenBLAS falls back to Prescott", cpu: zen5, pick: "Prescott", expected: "Zen"),
    Case(name: "AVX2-only AMD, fallback", cpu: zen3, pick: "Prescott", expected: "Zen"),
    Case(name: "AVX2-only AMD, OpenBLAS picks Zen", cpu: zen3, pick: "Zen", expected: nil),
    Case(name: "AVX2-only Intel, fallback", cpu: haswellDesktop, pick: "Nehalem", expected: "Haswell"),
    Case(name: "AVX2-only Intel, OpenBLAS picks Haswell", cpu: haswellDesktop, pick: "Haswell", expected: nil),
    Case(name: "AVX-only Intel, fallback", cpu: sandyBridge, pick: "Prescott", expected: "Sandybridge"),
    Case(name: "no AVX at all", cpu: oldCore, pick: "Core2", expected: nil),
    Case(name: "AVX-512 not enabled by the OS", cpu: avx512DisabledByOS, pick: "Prescott", expected: "Haswell"),
    Case(name: "a core this table does not know", cpu: xeon207, pick: "Graniterapids", expected: nil),
    Case(name: "not x86 (arm64)", cpu: nil, pick: "NEOVERSEN1", expected: nil),
    Case(name: "user setting wins on Zen 4 too", cpu: zen4, pick: "Cooperlake", user: "SkylakeX", expected: nil),
  ]

  @Test("the core for each CPU and pick", arguments: cases)
  func choice(_ row: Case) {
    let decision = KernelChoice.decide(cpu: row.cpu, openBLASPick: row.pick, userSetting: row.user)
    #expect(decision.core == row.expected, "\(decision)")
  }

  @Test("a switch says what OpenBLAS picked and on which CPU")
  func reason() {
    let decision = KernelChoice.decide(cpu: Self.xeon207, openBLASPick: "Prescott", userSetting: nil)
    guard case .use(let core, let reason) = decision else {
      Issue.record("expected a switch, got \(decision)")
      return
    }
    #expect(core == "Cooperlake")
    #expect(reason.contains("Prescott"))
    #expect(reason.contains("Intel family 6 model 207 (AVX2, FMA, AVX-512 F/BW/DQ/VL, AVX512_BF16)"))
  }

  @Test("a user's setting is named in the reason")
  func userSetting() {
    let decision = KernelChoice.decide(cpu: Self.xeon207, openBLASPick: "Prescott", userSetting: "Haswell")
    #expect(decision == .keep(reason: "OPENBLAS_CORETYPE=Haswell is set"))
  }

  /// Every core the choice can switch to is one Debian's OpenBLAS knows, by the name it reports.
  @Test("chosen cores are known levels")
  func chosenCoresAreKnown() {
    for cpu in [Self.xeon207, Self.skylakeServer, Self.zen4, Self.zen3, Self.haswellDesktop, Self.sandyBridge] {
      let best = KernelChoice.bestCore(for: cpu)
      #expect(best.map { KernelChoice.coreLevels[$0.core] == $0.level } == true, "\(cpu.summary)")
    }
  }

  /// On this machine: the features read are consistent (AVX-512 implies AVX2 and FMA; AVX2 implies AVX).
  @Test("this CPU's features are consistent")
  func currentCPU() {
    guard let cpu = CPUFeatures.current else { return }
    if cpu.hasAVX512 { #expect(cpu.extensions.isSuperset(of: [.avx2, .fma])) }
    if cpu.extensions.contains(.avx2) { #expect(cpu.extensions.contains(.avx)) }
    #expect(!cpu.vendor.isEmpty)
  }
}
