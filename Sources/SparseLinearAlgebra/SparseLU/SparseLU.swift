import CLAPACK

/// Sparse direct solver for general square matrices: multifrontal LU with
/// partial pivoting inside each front's fully-summed block, on LAPACK `dgetrf`
/// and BLAS-3 kernels.
///
/// - ``analyze(_:)``: a row permutation `P` that puts a stored entry on every
///   diagonal position (maximum transversal, preferring large values of the
///   matrix given to it; with all-zero values the stored diagonal is kept),
///   fill-reducing ordering (METIS nested dissection; AMD below 200 unknowns)
///   and supernodal symbolic factorization of the symmetrized pattern
///   `P A + (P A)ᵀ` (I. S. Duff and J. K. Reid, "The multifrontal
///   solution of unsymmetric sets of linear equations", SIAM J. Sci. Stat.
///   Comput. 5 (1984) 633–641), reused by every ``factor(_:)`` on the pattern.
/// - ``factor(_:)``: each front `F = [F11 F12; F21 F22]` (its `k` fully-summed
///   columns first) gets `P F11 = L11 U11` by `dgetrf` (row interchanges among
///   the fully-summed rows only), `U12 = L11⁻¹ P F12`, `L21 = F21 U11⁻¹`
///   (`dtrsm`) and the update `F22 − L21 U12` (`dgemm`), passed to the parent
///   front by extend-add. A pivot whose magnitude is at most
///   ``Options/pivotPerturbation``·max|A| after the search is replaced by that
///   value with the sign of the pivot (static pivoting: X. S. Li and J. W.
///   Demmel, "SuperLU_DIST", ACM TOMS 29 (2003) 110–140), counted in
///   ``SolverReport/perturbedPivots``, and ``solve(_:count:)`` then refines
///   iteratively. A column whose remaining entries in its front are all at
///   round-off level (≤ 16·ε·max|A|) is reported as singular.
/// - ``solve(_:count:)``: forward and back substitution by supernode (`dtrsm`,
///   `dgemm` for several right-hand sides), optional iterative refinement.
///
/// ```swift
/// let lu = SparseLU()
/// try lu.analyze(a)          // once per pattern
/// try lu.factor(a)           // per new values
/// var x = b
/// try lu.solve(&x, count: 1)
/// ```
public final class SparseLU: GeneralLinearSolver {
    /// Choices of ``SparseLU``.
    public struct Options: Sendable, Equatable {
        /// Fill-reducing ordering; `nil`: METIS nested dissection, AMD below 200 unknowns.
        public var ordering: OrderingMethod? = nil
        /// Pivots of magnitude at most this times max|A| are perturbed to it
        /// (dimensionless; default √ε ≈ 1.5·10⁻⁸).
        public var pivotPerturbation: Double = Double.ulpOfOne.squareRoot()
        /// Largest number of iterative-refinement steps per solve.
        public var maximumRefinementSteps: Int = 10
        /// Refine every solve, not only after perturbed pivots.
        public var refineAlways: Bool = false
        public init() {}
    }

    /// The choices in force (change before ``analyze(_:)``).
    public var options: Options
    /// Measurements of the last phases. For this solver ``SolverReport/nonzerosL``
    /// counts the stored entries of `L` and `U` together (explicit zeros of relaxed
    /// supernodes included) and ``SolverReport/factorFlops`` the LU's flops.
    public private(set) var report = SolverReport()

    private var symbolic: SparseLUSymbolic?
    private var factored = false
    // The factorized matrix (for refinement residuals) and its largest magnitude.
    private var matrix: CSRMatrix?
    private var maxAbs = 0.0
    // Factor storage (layout in SparseLUSymbolic) and the row interchanges:
    // pivot[j] = local row (0-based, within j's supernode) swapped with local row j.
    private var lower = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var lowerCapacity = 1
    private var upper = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var upperCapacity = 1
    private var pivot: [Int32] = []

    /// A solver with the given options.
    public init(options: Options = Options()) {
        self.options = options
        report.solver = "multifrontal-lu"
    }

    deinit {
        lower.deallocate()
        upper.deallocate()
    }

    /// Orders the pattern of `matrix` and builds the symbolic factorization. The
    /// values, when nonzero, steer the row matching towards large entries; every
    /// later ``factor(_:)`` reuses it.
    /// - Throws: ``LinearAlgebraError/notSquare(rows:columns:)``;
    ///   ``LinearAlgebraError/singular(column:)`` for a structurally singular pattern
    ///   (no row can be matched to that column).
    public func analyze(_ matrix: CSRMatrix) throws {
        guard matrix.rows == matrix.columns else { throw LinearAlgebraError.notSquare(rows: matrix.rows, columns: matrix.columns) }
        let t0 = ContinuousClock.now
        let sym = try SparseLUSymbolic(matrix, ordering: options.ordering)
        symbolic = sym
        factored = false
        self.matrix = nil
        if sym.lowerCount > lowerCapacity {
            lower.deallocate(); lowerCapacity = sym.lowerCount
            lower = UnsafeMutablePointer<Double>.allocate(capacity: lowerCapacity)
        }
        if sym.upperCount > upperCapacity {
            upper.deallocate(); upperCapacity = sym.upperCount
            upper = UnsafeMutablePointer<Double>.allocate(capacity: upperCapacity)
        }
        pivot = [Int32](repeating: 0, count: matrix.rows)
        var r = SolverReport()
        r.solver = "multifrontal-lu"
        r.ordering = sym.analysis.ordering.method.rawValue
        r.dimension = matrix.rows
        r.nonzerosA = matrix.nonzeroCount
        r.nonzerosL = sym.storedNonzeros
        r.factorFlops = sym.flops
        r.supernodes = sym.analysis.supernodeCount
        r.analyzeSeconds = (ContinuousClock.now - t0).seconds
        report = r
    }

    /// Numeric factorization of `matrix` (pattern as analysed).
    /// - Throws: ``LinearAlgebraError/phaseOrder(_:)`` before ``analyze(_:)``;
    ///   ``LinearAlgebraError/patternMismatch(_:)``; ``LinearAlgebraError/nonFinite(row:column:value:)``
    ///   for a NaN/Inf entry; ``LinearAlgebraError/singular(column:)`` naming the
    ///   original column whose remaining entries vanished.
    public func factor(_ matrix: CSRMatrix) throws {
        guard let sym = symbolic else { throw LinearAlgebraError.phaseOrder("SparseLU.factor called before analyze") }
        factored = false
        try sym.checkPattern(matrix)
        var big = 0.0
        for i in 0..<matrix.rows {
            for p in matrix.rowStarts[i]..<matrix.rowStarts[i + 1] {
                let v = matrix.values[p]
                guard v.isFinite else { throw LinearAlgebraError.nonFinite(row: i, column: Int(matrix.columnIndices[p]), value: v) }
                big = max(big, abs(v))
            }
        }
        guard big > 0 || sym.dimension == 0 else { throw LinearAlgebraError.singular(column: 0) }
        let t0 = ContinuousClock.now
        let perturbed = try matrix.values.withUnsafeBufferPointer { values in
            try pivot.withUnsafeMutableBufferPointer { piv in
                try numeric(sym, values: values.baseAddress!, pivots: piv.baseAddress!, maxAbs: big)
            }
        }
        self.matrix = matrix
        maxAbs = big
        factored = true
        report.factorSeconds = (ContinuousClock.now - t0).seconds
        report.perturbedPivots = perturbed
    }

    /// Solves `A X = B` for `count` right-hand sides (column after column in `rhs`).
    /// - Throws: ``LinearAlgebraError/phaseOrder(_:)`` before ``factor(_:)``;
    ///   ``LinearAlgebraError/dimensionMismatch(what:expected:got:)`` when `rhs`
    ///   does not hold `count` columns; ``LinearAlgebraError/nonFinite(row:column:value:)``
    ///   for a NaN/Inf right-hand side (row = unknown, column = right-hand side).
    public func solve(_ rhs: inout [Double], count: Int) throws {
        guard factored, let sym = symbolic, let a = matrix else { throw LinearAlgebraError.phaseOrder("SparseLU.solve called before factor") }
        let n = sym.dimension
        guard count >= 1 else { throw LinearAlgebraError.invalidArgument("SparseLU.solve: count must be ≥ 1, got \(count)") }
        guard rhs.count == n * count else { throw LinearAlgebraError.dimensionMismatch(what: "right-hand sides (\(count) × \(n))", expected: n * count, got: rhs.count) }
        for (k, v) in rhs.enumerated() where !v.isFinite { throw LinearAlgebraError.nonFinite(row: k % max(n, 1), column: k / max(n, 1), value: v) }
        if n == 0 { return }
        let t0 = ContinuousClock.now
        let b = rhs
        substitute(sym, &rhs, count: count)
        var steps = 0
        var residual = [Double](repeating: 0, count: n * count)
        func backwardError() -> Double {
            // max over columns of ‖b − Ax‖∞ / (‖A‖∞‖x‖∞ + ‖b‖∞), and the residual in `residual`.
            var worst = 0.0
            a.rowStarts.withUnsafeBufferPointer { rp in
                a.columnIndices.withUnsafeBufferPointer { ci in
                    a.values.withUnsafeBufferPointer { v in
                        for c in 0..<count {
                            var rmax = 0.0, xmax = 0.0, bmax = 0.0, anorm = 0.0
                            for i in 0..<n {
                                var s = b[c * n + i], rowSum = 0.0
                                for p in rp[i]..<rp[i + 1] { s -= v[p] * rhs[c * n + Int(ci[p])]; rowSum += abs(v[p]) }
                                residual[c * n + i] = s
                                rmax = max(rmax, abs(s)); xmax = max(xmax, abs(rhs[c * n + i])); bmax = max(bmax, abs(b[c * n + i]))
                                anorm = max(anorm, rowSum)
                            }
                            let d = anorm * xmax + bmax
                            worst = max(worst, d > 0 ? rmax / d : 0)
                        }
                    }
                }
            }
            return worst
        }
        if report.perturbedPivots > 0 || options.refineAlways {
            var error = backwardError()
            while steps < options.maximumRefinementSteps && error > 2 * Double.ulpOfOne {
                substitute(sym, &residual, count: count)
                for k in 0..<rhs.count { rhs[k] += residual[k] }
                steps += 1
                let e = backwardError()
                if !(e < 0.5 * error) { error = e; break }
                error = e
            }
        }
        var r2 = 0.0, b2 = 0.0
        let ax = a.multiply(Array(rhs[0..<n]))
        for i in 0..<n { let d = b[i] - ax[i]; r2 += d * d; b2 += b[i] * b[i] }
        report.iterations = steps
        report.relativeResidual = b2 > 0 ? (r2 / b2).squareRoot() : r2.squareRoot()
        report.solveSeconds = (ContinuousClock.now - t0).seconds
        for (k, v) in rhs.enumerated() where !v.isFinite {
            throw LinearAlgebraError.nonFinite(row: k % n, column: k / n, value: v)
        }
    }

    // MARK: - Numeric factorization

    /// Fronts whose work `k²(k + u) + k·u²` (width `k`, update order `u`) is below this
    /// run without BLAS threads (as the supernodal Cholesky's small fronts do).
    static let serialFrontWork = 4.0e6
    /// OpenBLAS 0.3 runs `dgemm` on the calling thread when m·n·k ≤ 65536·4.
    static let serialGemmVolume = 65536 * 4

    private static let characters: (l: CChar, u: CChar, n: CChar, r: CChar) =
        (CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "U")), CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "R")))

    /// Factorizes all fronts in postorder; returns the number of perturbed pivots.
    private func numeric(_ sym: SparseLUSymbolic, values: UnsafePointer<Double>, pivots: UnsafeMutablePointer<Int32>,
                         maxAbs: Double) throws -> Int {
        let an = sym.analysis
        let ns = an.supernodeCount
        let sStart = an.superStart.base, rStart = an.rowStart.base
        let cStart = an.childStart.base, cList = an.childList.base
        let relStart = an.relStart.base, relMap = an.relMap.base
        let eStart = sym.entryStart.base, eSource = sym.entrySource.base, eOffset = sym.entryOffset.base
        let lStart = sym.lowerStart.base, uStart = sym.upperStart.base
        let perm = an.ordering.permutation
        let largest = an.largestFront
        let front = UnsafeMutablePointer<Double>.allocate(capacity: max(largest * largest, 1))
        defer { front.deallocate() }
        let saved = UnsafeMutablePointer<Double>.allocate(capacity: max(an.largestWidth * an.largestWidth, 1))
        defer { saved.deallocate() }
        let stack = UnsafeMutablePointer<Double>.allocate(capacity: max(sym.stackPeak, 1))
        defer { stack.deallocate() }
        var stackOffset = [Int](repeating: 0, count: ns)
        var top = 0
        let tau = options.pivotPerturbation * maxAbs
        let vanishing = 16 * Double.ulpOfOne * maxAbs
        var perturbed = 0
        var (cL, cU, cN, cR) = Self.characters
        var one = 1.0, minusOne = -1.0

        for s in 0..<ns {
            let first = sStart[s], k = sStart[s + 1] - first
            let m = rStart[s + 1] - rStart[s], u = m - k
            front.update(repeating: 0, count: m * m)
            for e in eStart[s]..<eStart[s + 1] { front[eOffset[e]] += values[eSource[e]] }
            // Extend-add the children's update matrices (on top of the stack).
            var lowest = top
            for c in cStart[s]..<cStart[s + 1] {
                let t = Int(cList[c])
                let rel = relMap + relStart[t]
                let ut = rStart[t + 1] - rStart[t] - (sStart[t + 1] - sStart[t])
                let src = stack + stackOffset[t]
                lowest = min(lowest, stackOffset[t])
                for j in 0..<ut {
                    let col = front + Int(rel[j]) * m, sc = src + j * ut
                    for i in 0..<ut { col[Int(rel[i])] += sc[i] }
                }
            }
            top = lowest

            // P F11 = L11 U11: dgetrf, or the perturbing elimination when a pivot is too small.
            // Small fronts stay on the calling thread (plain loops, dgemm below OpenBLAS's
            // threading volume): waking BLAS threads costs more than their work.
            let piv = pivots + first
            let serial = Double(k) * Double(k) * Double(k + u) + Double(k) * Double(u) * Double(u) < Self.serialFrontWork
            var kk = Int32(k), ld = Int32(m), info: Int32 = 0
            var acceptable = false
            if !serial {
                for j in 0..<k { for i in 0..<k { saved[i + j * k] = front[i + j * m] } }
                dgetrf_(&kk, &kk, front, &ld, piv, &info)
                acceptable = info == 0
                if acceptable { for j in 0..<k where !(abs(front[j + j * m]) > tau) { acceptable = false; break } }
                if !acceptable { for j in 0..<k { for i in 0..<k { front[i + j * m] = saved[i + j * k] } } }
            }
            if acceptable {
                for j in 0..<k { piv[j] -= 1 }
            } else {
                // Eliminate the whole panel (F11 restored when dgetrf's pivots were too small).
                perturbed += try perturbingElimination(front, k: k, m: m, pivots: piv, tau: tau, vanishing: vanishing,
                                                       column: { perm[first + $0] })
            }
            if u > 0 {
                // Row interchanges on F12, then U12 = L11⁻¹ P F12, L21 = F21 U11⁻¹, F22 −= L21 U12.
                for j in 0..<k {
                    let p = Int(piv[j])
                    if p != j { for c in k..<m { let x = front[j + c * m]; front[j + c * m] = front[p + c * m]; front[p + c * m] = x } }
                }
                var uu = Int32(u)
                if serial {
                    for c in k..<m {
                        let col = front + c * m
                        for j in 0..<k {
                            let x = col[j]
                            if x == 0 { continue }
                            let lj = front + j * m
                            for i in (j + 1)..<k { col[i] -= lj[i] * x }
                        }
                    }
                    let chunk = max(1, Self.serialGemmVolume / max(u * k, 1))
                    var c0 = 0
                    while c0 < u {
                        var nb = Int32(min(chunk, u - c0))
                        dgemm_(&cN, &cN, &uu, &nb, &kk, &minusOne, front + k, &ld, front + (k + c0) * m, &ld, &one,
                               front + k + (k + c0) * m, &ld, 1, 1)
                        c0 += Int(nb)
                    }
                } else {
                    dtrsm_(&cL, &cL, &cN, &cU, &kk, &uu, &one, front, &ld, front + k * m, &ld, 1, 1, 1, 1)
                    if acceptable { dtrsm_(&cR, &cU, &cN, &cN, &uu, &kk, &one, front, &ld, front + k, &ld, 1, 1, 1, 1) }
                    dgemm_(&cN, &cN, &uu, &uu, &kk, &minusOne, front + k, &ld, front + k * m, &ld, &one, front + k + k * m, &ld, 1, 1)
                }
                let dst = stack + top
                for j in 0..<u {
                    let col = front + k + (k + j) * m, d = dst + j * u
                    for i in 0..<u { d[i] = col[i] }
                }
                stackOffset[s] = top
                top += u * u
                let ub = upper + uStart[s]
                for j in 0..<u { for i in 0..<k { ub[i + j * k] = front[i + (k + j) * m] } }
            }
            let lb = lower + lStart[s]
            for j in 0..<k { for i in 0..<m { lb[i + j * m] = front[i + j * m] } }
        }
        return perturbed
    }

    /// Right-looking LU of the front's `m × k` panel (leading dimension `m`) with
    /// partial pivoting among its first `k` rows, perturbing pivots of magnitude
    /// ≤ `tau`: leaves `L11\U11` over `L21` in the panel. Returns the number of
    /// perturbed pivots; throws ``LinearAlgebraError/singular(column:)`` when all
    /// remaining entries of a column (they are fully summed) are ≤ `vanishing`.
    private func perturbingElimination(_ f: UnsafeMutablePointer<Double>, k: Int, m: Int, pivots: UnsafeMutablePointer<Int32>,
                                       tau: Double, vanishing: Double, column: (Int) -> Int) throws -> Int {
        var perturbed = 0
        for j in 0..<k {
            let cj = f + j * m
            var p = j, best = abs(cj[j])
            for i in (j + 1)..<k where abs(cj[i]) > best { best = abs(cj[i]); p = i }
            if best <= tau {
                var rest = best
                for i in k..<m { rest = max(rest, abs(cj[i])) }
                if rest <= vanishing { throw LinearAlgebraError.singular(column: column(j)) }
                p = j
                cj[j] = cj[j] < 0 ? -tau : tau
                perturbed += 1
            }
            pivots[j] = Int32(p)
            if p != j { for c in 0..<k { let x = f[j + c * m]; f[j + c * m] = f[p + c * m]; f[p + c * m] = x } }
            let d = 1 / cj[j]
            for i in (j + 1)..<m { cj[i] *= d }
            for c in (j + 1)..<k {
                let cc = f + c * m
                let x = cc[j]
                if x == 0 { continue }
                for i in (j + 1)..<m { cc[i] -= cj[i] * x }
            }
        }
        return perturbed
    }

    // MARK: - Substitution

    /// Overwrites `x` (count columns of length n, original numbering) with `A⁻¹ x`.
    private func substitute(_ sym: SparseLUSymbolic, _ x: inout [Double], count nrhs: Int) {
        let an = sym.analysis
        let n = sym.dimension, ns = an.supernodeCount
        let perm = an.ordering.permutation
        let sStart = an.superStart.base, rStart = an.rowStart.base, rows = an.superRows.base
        let lStart = sym.lowerStart.base, uStart = sym.upperStart.base
        let y = UnsafeMutablePointer<Double>.allocate(capacity: n * nrhs)
        defer { y.deallocate() }
        let w = UnsafeMutablePointer<Double>.allocate(capacity: max(an.largestFront * nrhs, 1))
        defer { w.deallocate() }
        let matched = sym.matchedRow
        x.withUnsafeBufferPointer { xb in
            for c in 0..<nrhs { for k in 0..<n { y[c * n + k] = xb[c * n + matched[perm[k]]] } }
        }
        var (cL, cU, cN, _) = Self.characters
        var one = 1.0, minusOne = -1.0, zero = 0.0
        var nr = Int32(nrhs)
        pivot.withUnsafeBufferPointer { pb in
            let piv = pb.baseAddress!
            // Forward: row interchanges, L11 solve, L21 update of the rows below.
            for s in 0..<ns {
                let first = sStart[s], k = sStart[s + 1] - first
                let m = rStart[s + 1] - rStart[s], u = m - k
                let lb = lower + lStart[s], ri = rows + rStart[s]
                for c in 0..<nrhs {
                    let yc = y + c * n, wc = w + c * m
                    for j in 0..<k {
                        let p = Int(piv[first + j])
                        if p != j { let t = yc[first + j]; yc[first + j] = yc[first + p]; yc[first + p] = t }
                    }
                    for i in 0..<k { wc[i] = yc[first + i] }
                }
                var kk = Int32(k), ld = Int32(m), uu = Int32(u)
                dtrsm_(&cL, &cL, &cN, &cU, &kk, &nr, &one, lb, &ld, w, &ld, 1, 1, 1, 1)
                if u > 0 { dgemm_(&cN, &cN, &uu, &nr, &kk, &one, lb + k, &ld, w, &ld, &zero, w + k, &ld, 1, 1) }
                for c in 0..<nrhs {
                    let yc = y + c * n, wc = w + c * m
                    for i in 0..<k { yc[first + i] = wc[i] }
                    for r in k..<m { yc[Int(ri[r])] -= wc[r] }
                }
            }
            // Backward: x1 = U11⁻¹ (y1 − U12 x2).
            for s in stride(from: ns - 1, through: 0, by: -1) {
                let first = sStart[s], k = sStart[s + 1] - first
                let m = rStart[s + 1] - rStart[s], u = m - k
                let lb = lower + lStart[s], ub = upper + uStart[s], ri = rows + rStart[s]
                for c in 0..<nrhs {
                    let yc = y + c * n, wc = w + c * m
                    for i in 0..<k { wc[i] = yc[first + i] }
                    for r in k..<m { wc[r] = yc[Int(ri[r])] }
                }
                var kk = Int32(k), ld = Int32(m), uu = Int32(u), ldu = Int32(max(k, 1))
                if u > 0 { dgemm_(&cN, &cN, &kk, &nr, &uu, &minusOne, ub, &ldu, w + k, &ld, &one, w, &ld, 1, 1) }
                dtrsm_(&cL, &cU, &cN, &cN, &kk, &nr, &one, lb, &ld, w, &ld, 1, 1, 1, 1)
                for c in 0..<nrhs {
                    let yc = y + c * n, wc = w + c * m
                    for i in 0..<k { yc[first + i] = wc[i] }
                }
            }
        }
        x.withUnsafeMutableBufferPointer { xb in
            for c in 0..<nrhs { for k in 0..<n { xb[c * n + perm[k]] = y[c * n + k] } }
        }
    }
}
