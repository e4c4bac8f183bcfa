// Fortran BLAS / LAPACK prototypes (gfortran calling convention: every
// argument by reference, one hidden `size_t` length per CHARACTER argument,
// appended after the visible arguments). 32-bit integers (LP64 BLAS).
#ifndef SPINETRACTION_CLAPACK_H
#define SPINETRACTION_CLAPACK_H
#include <stddef.h>

typedef int lapack_int;

// ---- BLAS level 1
double ddot_(const lapack_int *n, const double *x, const lapack_int *incx, const double *y, const lapack_int *incy);
void daxpy_(const lapack_int *n, const double *alpha, const double *x, const lapack_int *incx, double *y, const lapack_int *incy);
double dnrm2_(const lapack_int *n, const double *x, const lapack_int *incx);
void dscal_(const lapack_int *n, const double *alpha, double *x, const lapack_int *incx);
void dcopy_(const lapack_int *n, const double *x, const lapack_int *incx, double *y, const lapack_int *incy);
lapack_int idamax_(const lapack_int *n, const double *x, const lapack_int *incx);

// ---- BLAS level 2
void dgemv_(const char *trans, const lapack_int *m, const lapack_int *n, const double *alpha,
            const double *a, const lapack_int *lda, const double *x, const lapack_int *incx,
            const double *beta, double *y, const lapack_int *incy, size_t trans_len);
void dsymv_(const char *uplo, const lapack_int *n, const double *alpha, const double *a, const lapack_int *lda,
            const double *x, const lapack_int *incx, const double *beta, double *y, const lapack_int *incy,
            size_t uplo_len);
void dtrsv_(const char *uplo, const char *trans, const char *diag, const lapack_int *n,
            const double *a, const lapack_int *lda, double *x, const lapack_int *incx,
            size_t uplo_len, size_t trans_len, size_t diag_len);
void dger_(const lapack_int *m, const lapack_int *n, const double *alpha, const double *x, const lapack_int *incx,
           const double *y, const lapack_int *incy, double *a, const lapack_int *lda);

// ---- BLAS level 3
void dgemm_(const char *transa, const char *transb, const lapack_int *m, const lapack_int *n, const lapack_int *k,
            const double *alpha, const double *a, const lapack_int *lda, const double *b, const lapack_int *ldb,
            const double *beta, double *c, const lapack_int *ldc, size_t transa_len, size_t transb_len);
void dsyrk_(const char *uplo, const char *trans, const lapack_int *n, const lapack_int *k,
            const double *alpha, const double *a, const lapack_int *lda,
            const double *beta, double *c, const lapack_int *ldc, size_t uplo_len, size_t trans_len);
void dtrsm_(const char *side, const char *uplo, const char *transa, const char *diag,
            const lapack_int *m, const lapack_int *n, const double *alpha, const double *a, const lapack_int *lda,
            double *b, const lapack_int *ldb, size_t side_len, size_t uplo_len, size_t transa_len, size_t diag_len);
void dtrmm_(const char *side, const char *uplo, const char *transa, const char *diag,
            const lapack_int *m, const lapack_int *n, const double *alpha, const double *a, const lapack_int *lda,
            double *b, const lapack_int *ldb, size_t side_len, size_t uplo_len, size_t transa_len, size_t diag_len);

// ---- LAPACK: Cholesky
void dpotrf_(const char *uplo, const lapack_int *n, double *a, const lapack_int *lda, lapack_int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const lapack_int *n, const lapack_int *nrhs, const double *a, const lapack_int *lda,
             double *b, const lapack_int *ldb, lapack_int *info, size_t uplo_len);
void dposv_(const char *uplo, const lapack_int *n, const lapack_int *nrhs, double *a, const lapack_int *lda,
            double *b, const lapack_int *ldb, lapack_int *info, size_t uplo_len);

// ---- LAPACK: general LU
void dgesv_(const lapack_int *n, const lapack_int *nrhs, double *a, const lapack_int *lda, lapack_int *ipiv,
            double *b, const lapack_int *ldb, lapack_int *info);
void dgetrf_(const lapack_int *m, const lapack_int *n, double *a, const lapack_int *lda, lapack_int *ipiv, lapack_int *info);
void dgetrs_(const char *trans, const lapack_int *n, const lapack_int *nrhs, const double *a, const lapack_int *lda,
             const lapack_int *ipiv, double *b, const lapack_int *ldb, lapack_int *info, size_t trans_len);

// ---- LAPACK: symmetric indefinite (Bunch–Kaufman and rook)
void dsytrf_(const char *uplo, const lapack_int *n, double *a, const lapack_int *lda, lapack_int *ipiv,
             double *work, const lapack_int *lwork, lapack_int *info, size_t uplo_len);
void dsytrs_(const char *uplo, const lapack_int *n, const lapack_int *nrhs, const double *a, const lapack_int *lda,
             const lapack_int *ipiv, double *b, const lapack_int *ldb, lapack_int *info, size_t uplo_len);
void dsysv_(const char *uplo, const lapack_int *n, const lapack_int *nrhs, double *a, const lapack_int *lda,
            lapack_int *ipiv, double *b, const lapack_int *ldb, double *work, const lapack_int *lwork,
            lapack_int *info, size_t uplo_len);
// Converts dsytrf's product-form L (lower/upper) into a unit triangular L with the
// interchanges applied, moving the off-diagonal entries of 2×2 pivots into e (way = 'C').
void dsyconv_(const char *uplo, const char *way, const lapack_int *n, double *a, const lapack_int *lda,
              const lapack_int *ipiv, double *e, lapack_int *info, size_t uplo_len, size_t way_len);
void dsytrf_rook_(const char *uplo, const lapack_int *n, double *a, const lapack_int *lda, lapack_int *ipiv,
                  double *work, const lapack_int *lwork, lapack_int *info, size_t uplo_len);
void dsytrs_rook_(const char *uplo, const lapack_int *n, const lapack_int *nrhs, const double *a, const lapack_int *lda,
                  const lapack_int *ipiv, double *b, const lapack_int *ldb, lapack_int *info, size_t uplo_len);

// ---- LAPACK: symmetric eigenvalues
void dsyev_(const char *jobz, const char *uplo, const lapack_int *n, double *a, const lapack_int *lda, double *w,
            double *work, const lapack_int *lwork, lapack_int *info, size_t jobz_len, size_t uplo_len);

// ---- LAPACK: banded
void dpbtrf_(const char *uplo, const lapack_int *n, const lapack_int *kd, double *ab, const lapack_int *ldab,
             lapack_int *info, size_t uplo_len);
void dpbtrs_(const char *uplo, const lapack_int *n, const lapack_int *kd, const lapack_int *nrhs, const double *ab,
             const lapack_int *ldab, double *b, const lapack_int *ldb, lapack_int *info, size_t uplo_len);
void dgbtrf_(const lapack_int *m, const lapack_int *n, const lapack_int *kl, const lapack_int *ku, double *ab,
             const lapack_int *ldab, lapack_int *ipiv, lapack_int *info);
void dgbtrs_(const char *trans, const lapack_int *n, const lapack_int *kl, const lapack_int *ku, const lapack_int *nrhs,
             const double *ab, const lapack_int *ldab, const lapack_int *ipiv, double *b, const lapack_int *ldb,
             lapack_int *info, size_t trans_len);

#endif
