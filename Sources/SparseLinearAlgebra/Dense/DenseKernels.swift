import CLAPACK

/// `C ← α·op(A)·op(B) + β·C` for column-major matrices (BLAS `dgemm`), for
/// modules that must not call BLAS themselves.
///
/// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc`
/// are the leading dimensions (≥ the stored rows). A row-major matrix is the
/// column-major transpose of itself, so row-major callers swap the operands.
/// `transposeA`/`transposeB` select `op(X) = Xᵀ` instead of `X`.
/// Sizes are not checked: the caller owns the buffers.
@inlinable
package func denseMultiplyAdd(transposeA: Bool, transposeB: Bool,
                              m: Int, n: Int, k: Int, alpha: Double,
                              a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                              beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
    var ta = CChar(UInt8(ascii: transposeA ? "T" : "N"))
    var tb = CChar(UInt8(ascii: transposeB ? "T" : "N"))
    var mm = Int32(m), nn = Int32(n), kk = Int32(k)
    var la = Int32(lda), lb = Int32(ldb), lc = Int32(ldc)
    var al = alpha, be = beta
    dgemm_(&ta, &tb, &mm, &nn, &kk, &al, a, &la, b, &lb, &be, c, &lc, 1, 1)
}
