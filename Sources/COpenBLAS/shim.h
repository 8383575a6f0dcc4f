// OpenBLAS's CBLAS interface, and the few LAPACK routines repstore calls. Debian's libopenblas exports the
// Fortran LAPACK symbols but ships no lapack.h, so they are declared here (gfortran ABI: every argument by
// pointer, each CHARACTER argument followed at the end by its hidden length). Only RepMath/BLAS.swift and
// RepMath/LAPACK.swift import this module.
#include <stddef.h>
#include <cblas.h>

// INTEGER is `blasint` (cblas.h): a 32-bit int in Debian's LP64 build, the integer the library's LAPACK was built with.
// Argument names follow the LAPACK reference pages (https://netlib.org/lapack/explore-html/).

// Eigenvalues and, with jobz = 'V', eigenvectors of a real symmetric matrix, by divide and conquer.
void dsyevd_(const char *jobz, const char *uplo, const blasint *n, double *a, const blasint *lda, double *w,
             double *work, const blasint *lwork, blasint *iwork, const blasint *liwork, blasint *info,
             size_t jobz_len, size_t uplo_len);

// Singular value decomposition by divide and conquer; jobz = 'N' (values only), 'S' (thin U and Vᵀ), 'A', 'O'.
void dgesdd_(const char *jobz, const blasint *m, const blasint *n, double *a, const blasint *lda, double *s,
             double *u, const blasint *ldu, double *vt, const blasint *ldvt, double *work, const blasint *lwork,
             blasint *iwork, blasint *info, size_t jobz_len);

// QR factorisation A = QR (R in the upper triangle, Q as Householder reflectors below it and in tau).
void dgeqrf_(const blasint *m, const blasint *n, double *a, const blasint *lda, double *tau, double *work,
             const blasint *lwork, blasint *info);

// Forms the m×n matrix Q with orthonormal columns from dgeqrf's reflectors.
void dorgqr_(const blasint *m, const blasint *n, const blasint *k, double *a, const blasint *lda, const double *tau,
             double *work, const blasint *lwork, blasint *info);

// Cholesky factorisation of a symmetric positive definite matrix.
void dpotrf_(const char *uplo, const blasint *n, double *a, const blasint *lda, blasint *info, size_t uplo_len);

// Inverse of a triangular matrix, in place.
void dtrtri_(const char *uplo, const char *diag, const blasint *n, double *a, const blasint *lda, blasint *info,
             size_t uplo_len, size_t diag_len);
