// The zstd C API, as Debian's libzstd-dev installs it. Only RepStore/Codec/Zstd.swift imports this module.
#include <zstd.h>
#include <zstd_errors.h>
