/// Zero-fill incomplete Cholesky `A ≈ L Lᵀ` (IC(0)): `L` keeps exactly the
/// stored lower pattern of `A` (Meijerink & van der Vorst 1977, Math. Comp.
/// 31:148), computed right-looking column by column.
///
/// **Breakdown.** IC(0) of an SPD matrix that is not an M-/H-matrix can meet a
/// non-positive pivot. Then the factorization is restarted on the shifted
/// matrix `A + α·diag(A)` — Manteuffel's shifted incomplete Cholesky
/// (Manteuffel 1980, Math. Comp. 34:473, which scales the off-diagonal part by
/// `1/(1+α)`; the same preconditioner up to a constant factor) — with the
/// shift sequence of Lin & Moré (1999, SIAM J. Sci. Comput. 21:24):
/// `α₀ = 10⁻³`, then `α ← 2α` until every pivot exceeds `10⁻¹²·(1+α)·aⱼⱼ`.
/// The shift used is reported in ``shift`` (0 when none was needed); it is
/// never applied silently.
struct IncompleteCholesky {
    let n: Int
    let columnStarts: [Int]
    let rowIndices: [Int32]
    /// Values of `L` on the pattern of `A` (diagonal first in each column).
    private(set) var values: [Double] = []
    /// The Manteuffel shift `α` that made the factorization succeed (dimensionless).
    private(set) var shift = 0.0
    /// Number of restarts (failed attempts) before success.
    private(set) var restarts = 0
    /// Floating-point operations of the successful attempt.
    private(set) var flops = 0.0

    /// Factors `a`; throws ``LinearAlgebraError/notPositiveDefinite(column:pivot:)``
    /// for a missing or non-positive diagonal entry (no shift of `diag(A)` can help then).
    init(_ a: SymmetricMatrix) throws {
        n = a.dimension
        columnStarts = a.columnStarts
        rowIndices = a.rowIndices
        for j in 0..<n {
            let s = a.columnStarts[j]
            guard s < a.columnStarts[j + 1], Int(a.rowIndices[s]) == j else {
                throw LinearAlgebraError.notPositiveDefinite(column: j, pivot: 0)
            }
            guard a.values[s] > 0 else { throw LinearAlgebraError.notPositiveDefinite(column: j, pivot: a.values[s]) }
        }
        var alpha = 0.0
        while true {
            if let (l, f) = Self.attempt(a, shift: alpha) {
                values = l; shift = alpha; flops = f
                return
            }
            restarts += 1
            alpha = max(2 * alpha, 1e-3)
            // A + α·diag(A) is strictly diagonally dominant for α above max row sum |aᵢⱼ|/aᵢᵢ,
            // and IC(0) of such an H-matrix cannot break down; 2⁴⁰·10⁻³ is far beyond that.
            guard alpha < 1e9 else {
                throw LinearAlgebraError.invalidArgument("IC(0): no Manteuffel shift up to α = 1e9 gave positive pivots")
            }
        }
    }

    /// One IC(0) attempt on `A + shift·diag(A)`; nil on breakdown.
    private static func attempt(_ a: SymmetricMatrix, shift: Double) -> ([Double], Double)? {
        let n = a.dimension
        var l = a.values
        var flops = 0.0
        let ok = a.columnStarts.withUnsafeBufferPointer { cp in
            a.rowIndices.withUnsafeBufferPointer { ri in
                l.withUnsafeMutableBufferPointer { lp -> Bool in
                    for j in 0..<n { lp[cp[j]] *= 1 + shift }
                    for k in 0..<n {
                        let diag = cp[k], end = cp[k + 1]
                        let pivot = lp[diag]
                        // The diagonal of A + α·diag(A) is (1+α)·a_kk = a.values[diag]·(1+α).
                        guard pivot > 1e-12 * a.values[diag] * (1 + shift) else { return false }
                        let d = pivot.squareRoot()
                        lp[diag] = d
                        for p in (diag + 1)..<end { lp[p] /= d }
                        flops += 1 + Double(end - diag - 1)
                        // Update column j = row[p] at the rows i ≥ j present in both column k and column j.
                        for p in (diag + 1)..<end {
                            let j = Int(ri[p]), ljk = lp[p]
                            var t = cp[j]
                            let tEnd = cp[j + 1]
                            for q in p..<end {
                                let i = ri[q]
                                while t < tEnd && ri[t] < i { t += 1 }
                                if t == tEnd { break }
                                if ri[t] == i { lp[t] -= lp[q] * ljk; flops += 2 }
                            }
                        }
                    }
                    return true
                }
            }
        }
        return ok ? (l, flops) : nil
    }

    /// `z = (L Lᵀ)⁻¹ r`.
    func apply(_ r: [Double], into z: inout [Double]) {
        let n = self.n
        columnStarts.withUnsafeBufferPointer { cp in
            rowIndices.withUnsafeBufferPointer { ri in
                values.withUnsafeBufferPointer { lp in
                    r.withUnsafeBufferPointer { rp in
                        z.withUnsafeMutableBufferPointer { zp in
                            for i in 0..<n { zp[i] = rp[i] }
                            // L y = r, column-oriented.
                            for k in 0..<n {
                                let diag = cp[k]
                                let yk = zp[k] / lp[diag]
                                zp[k] = yk
                                for p in (diag + 1)..<cp[k + 1] { zp[Int(ri[p])] -= lp[p] * yk }
                            }
                            // Lᵀ z = y: column k of L is row k of Lᵀ.
                            var k = n - 1
                            while k >= 0 {
                                let diag = cp[k]
                                var s = zp[k]
                                for p in (diag + 1)..<cp[k + 1] { s -= lp[p] * zp[Int(ri[p])] }
                                zp[k] = s / lp[diag]
                                k -= 1
                            }
                        }
                    }
                }
            }
        }
    }
}
