#define _GNU_SOURCE
#include <sys/mman.h>
#include "CMemoryFile.h"

int repstore_fuzz_memory_file(void) { return memfd_create("repstore-fuzz", MFD_CLOEXEC); }
