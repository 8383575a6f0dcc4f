#ifndef REPSTORE_KERNEL_CHOICE_H
#define REPSTORE_KERNEL_CHOICE_H

// Whether this CPU is an AMD Zen 4 (family 0x19 with AVX-512F), whose 512-bit instructions run as two 256-bit halves.
int repstore_cpu_is_amd_zen4(void);

#endif
