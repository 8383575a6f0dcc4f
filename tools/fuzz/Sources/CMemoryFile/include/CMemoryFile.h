#ifndef REPSTORE_FUZZ_MEMORY_FILE_H
#define REPSTORE_FUZZ_MEMORY_FILE_H

/// A new anonymous in-memory file (memfd_create), or -1 with errno set. Declared here because Swift's Glibc module
/// does not export memfd_create.
int repstore_fuzz_memory_file(void);

#endif
