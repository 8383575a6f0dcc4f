#ifndef REPSTORE_KERNEL_CHOICE_H
#define REPSTORE_KERNEL_CHOICE_H

// What an x86 CPU and its operating system can run, read with cpuid and xgetbv, for the choice of OpenBLAS kernels
// (Sources/RepMath/KernelChoice.swift). A feature counts only when the OS saves the registers it uses.
struct repstore_cpu {
  char vendor[13];  // "GenuineIntel", "AuthenticAMD", ...
  unsigned family;  // display family (base + extended)
  unsigned model;   // display model (extended << 4 | base)
  int sse3, ssse3, sse4_2, avx, fma, avx2;
  int avx512f, avx512bw, avx512dq, avx512vl, avx512_bf16;
};

// Fills `cpu` and returns 1 on x86; returns 0 (and leaves `cpu` zeroed) elsewhere.
int repstore_cpu_identify(struct repstore_cpu *cpu);

// Makes the OpenBLAS loaded in this process run the kernels of `core` (an OPENBLAS_CORETYPE name), as it would have
// chosen them at load time with OPENBLAS_CORETYPE=core, which it sets for good. Call it before any BLAS call, from one
// thread. Returns 1 when done; 0 when this OpenBLAS has no run-time kernel selection (a build without DYNAMIC_ARCH),
// and nothing changed.
int repstore_openblas_select_core(const char *core);

#endif
