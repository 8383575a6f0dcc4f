// OpenBLAS's CBLAS interface, and the few LAPACK routines repstore calls. Debian's libopenblas exports the
// Fortran LAPACK symbols but ships no lapack.h, so they are declared here (gfortran ABI: every argument by
// pointer, each CHARACTER argument followed at the end by its hidden length). Only RepMath/BLAS.swift and
// RepMath/LAPACK.swift import this module.
#include <stddef.h>
#include <cblas.h>
