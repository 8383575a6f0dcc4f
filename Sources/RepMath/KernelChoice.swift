import CKernelChoice

/// What an x86 CPU and its operating system can run: the facts the choice of OpenBLAS kernels rests on.
///
/// An instruction-set extension counts only when the OS also saves the registers it uses (XCR0), as OpenBLAS checks.
public struct CPUFeatures: Sendable, Equatable {
  /// The extensions that tell OpenBLAS's x86 kernels apart.
  public enum Extension: String, Sendable {
    case sse3, ssse3, sse4_2, avx, fma, avx2, avx512f, avx512bw, avx512dq, avx512vl, avx512_bf16
  }

  /// The cpuid vendor string: "GenuineIntel", "AuthenticAMD", ...
  public var vendor: String
  /// Display family and model (base plus extended fields), as `lscpu` prints them.
  public var family: Int
  public var model: Int
  public var extensions: Set<Extension>

  public init(vendor: String, family: Int, model: Int, extensions: Set<Extension>) {
    self.vendor = vendor
    self.family = family
    self.model = model
    self.extensions = extensions
  }

  /// This machine's CPU, or nil on a processor that is not x86.
  public static let current: CPUFeatures? = {
    var cpu = repstore_cpu()
    guard repstore_cpu_identify(&cpu) != 0 else { return nil }
    let vendor = withUnsafeBytes(of: cpu.vendor) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    let flags: [(Extension, Int32)] = [
      (.sse3, cpu.sse3), (.ssse3, cpu.ssse3), (.sse4_2, cpu.sse4_2), (.avx, cpu.avx), (.fma, cpu.fma),
      (.avx2, cpu.avx2), (.avx512f, cpu.avx512f), (.avx512bw, cpu.avx512bw), (.avx512dq, cpu.avx512dq),
      (.avx512vl, cpu.avx512vl), (.avx512_bf16, cpu.avx512_bf16),
    ]
    return CPUFeatures(
      vendor: vendor, family: Int(cpu.family), model: Int(cpu.model),
      extensions: Set(flags.filter { $0.1 != 0 }.map(\.0)))
  }()

  public var isAMD: Bool { vendor == "AuthenticAMD" }

  /// The AVX-512 subsets OpenBLAS's SkylakeX kernels need.
  public var hasAVX512: Bool { extensions.isSuperset(of: [.avx512f, .avx512bw, .avx512dq, .avx512vl]) }

  /// "Intel family 6 model 207 (AVX2, FMA, AVX-512 F/BW/DQ/VL, AVX512_BF16)".
  public var summary: String {
    let maker = isAMD ? "AMD" : vendor == "GenuineIntel" ? "Intel" : vendor.isEmpty ? "x86" : vendor
    var named: [String] = []
    if extensions.contains(.avx2) { named.append("AVX2") } else if extensions.contains(.avx) { named.append("AVX") }
    if extensions.contains(.fma) { named.append("FMA") }
    if hasAVX512 { named.append("AVX-512 F/BW/DQ/VL") }
    if extensions.contains(.avx512_bf16) { named.append("AVX512_BF16") }
    return "\(maker) family \(family) model \(model) (\(named.isEmpty ? "no AVX" : named.joined(separator: ", ")))"
  }
}

/// Which OpenBLAS kernels ("core") the product-heavy commands should run, decided from the CPU's features.
///
/// OpenBLAS picks its kernels by CPU model number when the library loads. A model it does not know (a CPU newer than
/// the library) gets a generic fallback: Debian's OpenBLAS 0.3.21 runs its SSE3 "Prescott" kernels on an Intel Xeon
/// of family 6 model 207, three to four times slower for `sim` than its AVX-512 ones. The choice here looks at what the
/// CPU can run instead, and is a pure function so that every case is tested without that CPU.
public enum KernelChoice {
  public enum Decision: Equatable, Sendable {
    /// Run what OpenBLAS picked (or what the user asked for), for this reason.
    case keep(reason: String)
    /// Run `core` instead, for this reason.
    case use(core: String, reason: String)

    public var core: String? {
      if case .use(let core, _) = self { return core }
      return nil
    }
  }

  /// How much of an x86 CPU a core's kernels use: 0 SSE, 1 AVX, 2 AVX2 and FMA, 3 AVX-512. OpenBLAS's names, as
  /// `openblas_get_corename` returns them. A name missing here (a newer library's core) is left alone.
  static let coreLevels: [String: Int] = [
    "Katmai": 0, "Coppermine": 0, "Northwood": 0, "Prescott": 0, "Banias": 0, "Atom": 0, "Core2": 0, "Penryn": 0,
    "Dunnington": 0, "Nehalem": 0, "Opteron": 0, "Opteron(SSE3)": 0, "Barcelona": 0, "Bobcat": 0, "Nano": 0,
    "Sandybridge": 1, "Bulldozer": 1, "Piledriver": 1, "Steamroller": 1,
    "Haswell": 2, "Excavator": 2, "Zen": 2,
    "SkylakeX": 3, "Cooperlake": 3, "SapphireRapids": 3,
  ]

  /// The best core Debian's OpenBLAS ships for these features, and its level.
  static func bestCore(for cpu: CPUFeatures) -> (core: String, level: Int)? {
    let avx2 = cpu.extensions.isSuperset(of: [.avx2, .fma])
    // AMD's own kernels: on Zen 4 they run a table's sgemm shapes 3.5% faster than the AVX-512 ones (BENCHMARKS.md).
    if cpu.isAMD && avx2 { return ("Zen", 2) }
    if cpu.hasAVX512 { return (cpu.extensions.contains(.avx512_bf16) ? "Cooperlake" : "SkylakeX", 3) }
    if avx2 { return ("Haswell", 2) }
    if cpu.extensions.contains(.avx) { return ("Sandybridge", 1) }
    return nil
  }

  /// The decision for this CPU, given OpenBLAS's own pick and the user's `OPENBLAS_CORETYPE` (nil when unset).
  public static func decide(cpu: CPUFeatures?, openBLASPick pick: String, userSetting: String?) -> Decision {
    if let userSetting { return .keep(reason: "OPENBLAS_CORETYPE=\(userSetting) is set") }
    guard let cpu else { return .keep(reason: "OpenBLAS's own pick (not an x86 CPU)") }
    guard let best = bestCore(for: cpu) else { return .keep(reason: "OpenBLAS's own pick (\(cpu.summary))") }
    guard let pickLevel = coreLevels[pick] else { return .keep(reason: "OpenBLAS's own pick") }
    if pick == best.core { return .keep(reason: "OpenBLAS's own pick, the best for \(cpu.summary)") }
    if pickLevel < best.level {
      return .use(
        core: best.core,
        reason: "OpenBLAS picked \(pick), made for older CPUs, on \(cpu.summary)")
    }
    // Zen 4 (family 25) runs 512-bit instructions as two 256-bit halves; later AMD families are not measured.
    if cpu.isAMD && cpu.family == 0x19 && pickLevel == 3 {
      return .use(
        core: best.core,
        reason: "OpenBLAS picked \(pick); its Zen kernels are faster on \(cpu.summary)")
    }
    return .keep(reason: "OpenBLAS's own pick suits \(cpu.summary)")
  }

  /// Makes OpenBLAS run the kernels of `core` in this process, as if it had been loaded with OPENBLAS_CORETYPE=`core`;
  /// the variable stays set (OpenBLAS's threads may read it while they start), so child processes inherit the choice.
  ///
  /// Call it before any BLAS call, while no other thread of ours uses BLAS or the environment. Returns false, changing
  /// nothing, when this OpenBLAS cannot select kernels at run time (a build without dynamic architecture support).
  public static func select(core: String) -> Bool {
    repstore_openblas_select_core(core) != 0
  }
}
