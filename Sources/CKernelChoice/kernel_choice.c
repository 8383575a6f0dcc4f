// CPU identification for the choice of OpenBLAS kernels, and the switch to them (Sources/RepMath/KernelChoice.swift).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_choice.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// XCR0: which register states the OS saves on a context switch.
static unsigned long long xcr0(void) {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

int repstore_cpu_identify(struct repstore_cpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 1;
  unsigned int max_leaf = eax;
  memcpy(cpu->vendor, &ebx, 4);
  memcpy(cpu->vendor + 4, &edx, 4);
  memcpy(cpu->vendor + 8, &ecx, 4);
  if (max_leaf < 1) return 1;

  __cpuid(1, eax, ebx, ecx, edx);
  unsigned int family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;
  if (family == 0xf) family += (eax >> 20) & 0xff;
  if (family == 0x6 || family >= 0xf) model |= ((eax >> 16) & 0xf) << 4;
  cpu->family = family;
  cpu->model = model;
  cpu->sse3 = ecx & 1;
  cpu->ssse3 = (ecx >> 9) & 1;
  cpu->sse4_2 = (ecx >> 20) & 1;
  int osxsave = (ecx >> 27) & 1;
  unsigned long long state = osxsave ? xcr0() : 0;
  int os_ymm = (state & 0x6) == 0x6;      // SSE and AVX state
  int os_zmm = (state & 0xe6) == 0xe6;    // and opmask, ZMM0-15 upper halves, ZMM16-31
  cpu->avx = ((ecx >> 28) & 1) && os_ymm;
  cpu->fma = ((ecx >> 12) & 1) && os_ymm;
  if (max_leaf < 7) return 1;

  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  unsigned int subleaves = eax;
  cpu->avx2 = ((ebx >> 5) & 1) && os_ymm;
  cpu->avx512f = ((ebx >> 16) & 1) && os_zmm;
  cpu->avx512dq = ((ebx >> 17) & 1) && os_zmm;
  cpu->avx512bw = ((ebx >> 30) & 1) && os_zmm;
  cpu->avx512vl = ((ebx >> 31) & 1) && os_zmm;
  if (subleaves >= 1) {
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    cpu->avx512_bf16 = ((eax >> 5) & 1) && os_zmm;
  }
  return 1;
}

#else

int repstore_cpu_identify(struct repstore_cpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
  return 0;
}

#endif

// OpenBLAS built with DYNAMIC_ARCH (Debian's is) picks its kernel table once, when it loads: gotoblas_dynamic_init
// reads OPENBLAS_CORETYPE, else identifies the CPU, and sets the table's block sizes. It exports that function and
// gotoblas_dynamic_quit, which forgets the table, so the choice can be made again before the first BLAS call. They are
// looked up at run time: another OpenBLAS build may not have them.
//
// OpenBLAS's own threads, started when it loaded, may still be starting. Each one's first buffer allocation
// initialises OpenBLAS's memory, once for the process and under OpenBLAS's allocation lock, and that runs
// gotoblas_dynamic_init when no table is set. Running it on a worker while this thread runs it too is a crash:
// gotoblas_dynamic_init stores NULL before its fallback table (0.3.21 never finds "Cooperlake" by name and always
// falls back), and the other thread then calls through the NULL (seen under load in the CLI tests). So this thread
// first allocates and frees a buffer itself: that waits for a worker holding the lock, and leaves the memory
// initialised, after which no other thread selects a table. The variable is set before the table is forgotten and
// stays set for the life of the process, so any selection still made picks the same `core`.
int repstore_openblas_select_core(const char *core) {
  void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
  void *(*memory_alloc)(int) = (void *(*)(int))dlsym(RTLD_DEFAULT, "blas_memory_alloc");
  void (*memory_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "blas_memory_free");
  if (!quit || !init || !memory_alloc || !memory_free) return 0;
  setenv("OPENBLAS_CORETYPE", core, 1);
  void *buffer = memory_alloc(1);
  if (buffer) memory_free(buffer);
  quit();
  init();
  return 1;
}
