// The zstd C API, as Debian's libzstd-dev installs it. Only RepStore/Codec/Zstd.swift and Zstd+Streaming.swift import this module.
#include <zstd.h>
#include <zstd_errors.h>

// ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are macros written as `(0ULL - 1)` and `(0ULL - 2)`, which
// Swift does not import; these wrappers hand their values to Swift under the same names.
static inline unsigned long long repstore_ZSTD_CONTENTSIZE_UNKNOWN(void) { return ZSTD_CONTENTSIZE_UNKNOWN; }
static inline unsigned long long repstore_ZSTD_CONTENTSIZE_ERROR(void) { return ZSTD_CONTENTSIZE_ERROR; }
