// CPU identification for the choice of OpenBLAS kernels (Sources/repstore/Support/BLASKernels.swift).
#include <cpuid.h>

#include "kernel_choice.h"

int repstore_cpu_is_amd_zen4(void) {
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx) || eax < 7) return 0;
  // "AuthenticAMD" in EBX, EDX, ECX.
  if (ebx != 0x68747541 || edx != 0x69746e65 || ecx != 0x444d4163) return 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  unsigned int family = (eax >> 8) & 0xf;
  if (family == 0xf) family += (eax >> 20) & 0xff;
  if (family != 0x19) return 0;
  // Zen 3 is family 0x19 too, without AVX-512 (leaf 7, EBX bit 16).
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return (ebx >> 16) & 1;
}
