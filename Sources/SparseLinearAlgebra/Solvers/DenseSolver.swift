import CLAPACK

/// A dense LAPACK solver behind the ``LinearSolver`` protocol, for small
/// systems (a few hundred unknowns) where sparse bookkeeping does not pay:
/// Cholesky (`dpotrf`) for SPD matrices, Bunch–Kaufman `LDLᵀ` (`dsytrf`) for
/// indefinite ones, with the inertia read from the block-diagonal `D`.
public final class DenseSolver: LinearSolver {
    /// Which factorization to use.
    public let kind: MatrixKind
    public private(set) var report = SolverReport()
    private var n = 0
    private var pattern: SymmetricMatrix?
    private var factorValues: [Double] = []
    private var pivots: [Int32] = []
    private var original: SymmetricMatrix?

    public init(kind: MatrixKind) {
        self.kind = kind
        report.solver = kind == .symmetricPositiveDefinite ? "dense-cholesky" : "dense-ldlt"
        report.ordering = "natural"
    }

    public func analyze(_ matrix: SymmetricMatrix) throws {
        n = matrix.dimension
        pattern = matrix
        report.dimension = n
        report.nonzerosA = matrix.fullNonzeroCount
        report.nonzerosL = n * (n + 1) / 2
        let dn = Double(n)
        report.factorFlops = kind == .symmetricPositiveDefinite ? dn * dn * dn / 3 : dn * dn * dn / 3
    }

    public func factor(_ matrix: SymmetricMatrix) throws {
        guard let pattern, pattern.hasSamePattern(as: matrix) else {
            throw LinearAlgebraError.phaseOrder("factor: call analyze with this pattern first")
        }
        try matrix.checkFinite()
        let start = ContinuousClock.now
        var a = DenseMatrix(matrix).values
        var nn = Int32(n), lda = Int32(max(n, 1)), info: Int32 = 0
        switch kind {
        case .symmetricPositiveDefinite:
            withChar("L") { dpotrf_($0, &nn, &a, &lda, &info, 1) }
            if info < 0 { throw LinearAlgebraError.lapack(routine: "dpotrf", info: Int(info)) }
            if info > 0 { throw LinearAlgebraError.notPositiveDefinite(column: Int(info) - 1, pivot: a[(Int(info) - 1) * (n + 1)]) }
            report.inertia = Inertia(positive: n, negative: 0, zero: 0)
        case .symmetricIndefinite:
            pivots = [Int32](repeating: 0, count: n)
            var lwork: Int32 = -1, query = 0.0
            withChar("L") { dsytrf_($0, &nn, &a, &lda, &pivots, &query, &lwork, &info, 1) }
            lwork = max(Int32(query), 1)
            var work = [Double](repeating: 0, count: Int(lwork))
            withChar("L") { dsytrf_($0, &nn, &a, &lda, &pivots, &work, &lwork, &info, 1) }
            if info < 0 { throw LinearAlgebraError.lapack(routine: "dsytrf", info: Int(info)) }
            if info > 0 { throw LinearAlgebraError.singular(column: Int(info) - 1) }
            report.inertia = Self.inertia(ofFactored: a, n: n, pivots: pivots)
        }
        factorValues = a
        original = matrix
        report.factorSeconds = (ContinuousClock.now - start).seconds
    }

    public func solve(_ rhs: inout [Double], count: Int) throws {
        guard let original, !factorValues.isEmpty || n == 0 else { throw LinearAlgebraError.phaseOrder("solve: call factor first") }
        guard rhs.count == n * count else { throw LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: n * count, got: rhs.count) }
        if n == 0 { return }
        let start = ContinuousClock.now
        let b0 = Array(rhs[0..<n])
        var nn = Int32(n), nrhs = Int32(count), lda = Int32(n), info: Int32 = 0
        switch kind {
        case .symmetricPositiveDefinite:
            withChar("L") { dpotrs_($0, &nn, &nrhs, &factorValues, &lda, &rhs, &lda, &info, 1) }
        case .symmetricIndefinite:
            withChar("L") { dsytrs_($0, &nn, &nrhs, &factorValues, &lda, &pivots, &rhs, &lda, &info, 1) }
        }
        if info != 0 { throw LinearAlgebraError.lapack(routine: "potrs/sytrs", info: Int(info)) }
        report.solveSeconds = (ContinuousClock.now - start).seconds
        report.iterations = 0
        report.relativeResidual = relativeResidual(original, x: Array(rhs[0..<n]), b: b0)
    }

    /// Inertia of the block-diagonal `D` left by `dsytrf` (lower): a 2×2 block
    /// (negative pivot index) has one eigenvalue of each sign when its
    /// determinant is negative.
    static func inertia(ofFactored a: [Double], n: Int, pivots: [Int32]) -> Inertia {
        var pos = 0, neg = 0, zero = 0
        var k = 0
        while k < n {
            if pivots[k] > 0 {
                let d = a[k + k * n]
                if d > 0 { pos += 1 } else if d < 0 { neg += 1 } else { zero += 1 }
                k += 1
            } else {
                let a11 = a[k + k * n], a21 = a[k + 1 + k * n], a22 = a[k + 1 + (k + 1) * n]
                let det = a11 * a22 - a21 * a21
                if det < 0 { pos += 1; neg += 1 }
                else if det > 0 { if a11 + a22 > 0 { pos += 2 } else { neg += 2 } }
                else { zero += 1; if a11 + a22 > 0 { pos += 1 } else if a11 + a22 < 0 { neg += 1 } else { zero += 1 } }
                k += 2
            }
        }
        return Inertia(positive: pos, negative: neg, zero: zero)
    }
}

/// ‖b − A x‖₂ / ‖b‖₂ (‖r‖₂ when b = 0).
public func relativeResidual(_ a: SymmetricMatrix, x: [Double], b: [Double]) -> Double {
    let ax = a.multiply(x)
    var rr = 0.0, bb = 0.0
    for i in 0..<b.count { let r = b[i] - ax[i]; rr += r * r; bb += b[i] * b[i] }
    return bb > 0 ? (rr / bb).squareRoot() : rr.squareRoot()
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
