/// Preconditioners for ``ConjugateGradient``.
public enum CGPreconditioner: String, Sendable, CaseIterable, Codable {
    /// No preconditioning (`M = I`).
    case none
    /// Jacobi: `M = diag(A)`.
    case jacobi
    /// Zero-fill incomplete Cholesky on the stored lower pattern, with a
    /// reported Manteuffel diagonal shift on breakdown.
    case incompleteCholesky = "ic0"
}

/// Preconditioned conjugate gradients (Hestenes & Stiefel 1952) for
/// symmetric positive definite systems, behind ``LinearSolver``.
///
/// `analyze` stores the pattern, `factor` builds the preconditioner
/// (Jacobi or IC(0)), `solve` iterates from `x₀ = 0` for each right-hand side
/// in turn. Convergence is declared on the *true* residual
/// ‖b − A x‖₂/‖b‖₂ ≤ ``KrylovOptions/relativeTolerance``: when the recursively
/// updated residual says so, the true one is computed; if it is still too
/// large, the residual is replaced by the true one and the iteration restarts
/// from the current `x` (residual replacement).
///
/// ```swift
/// let cg = ConjugateGradient(preconditioner: .incompleteCholesky)
/// try cg.analyzeAndFactor(a)
/// let x = try cg.solve(b)          // cg.report.iterations, .relativeResidual
/// ```
public final class ConjugateGradient: LinearSolver {
    /// Measurements; `iterations` is the largest count over the right-hand
    /// sides of the last solve, `relativeResidual` the first one's true residual;
    /// `perturbedPivots` is `n` when IC(0) needed a Manteuffel shift (every
    /// diagonal entry is shifted), else 0; `nonzerosL` is the preconditioner's
    /// stored entries (IC(0): nnz of the lower triangle; Jacobi: n; none: 0).
    public var report: SolverReport { phases.report }
    /// The preconditioner built by ``factor(_:)``.
    public let preconditioner: CGPreconditioner
    /// Stopping rules.
    public let options: KrylovOptions
    /// Manteuffel shift `α` of the last IC(0) (IC(0) of `A + α·diag(A)`;
    /// dimensionless, 0 when no breakdown occurred or another preconditioner is used).
    public private(set) var incompleteCholeskyShift = 0.0
    /// Iterations used for each right-hand side of the last solve.
    public var lastIterations: [Int] { phases.lastIterations }
    /// True relative residual ‖b − A x‖₂/‖b‖₂ of each right-hand side of the last solve.
    public var lastRelativeResiduals: [Double] { phases.lastRelativeResiduals }

    private var phases: KrylovPhases
    private var inverseDiagonal: [Double] = []
    private var ic: IncompleteCholesky?

    /// - Parameters:
    ///   - preconditioner: default IC(0).
    ///   - options: tolerance and iteration limit (checked in ``analyze(_:)``).
    public init(preconditioner: CGPreconditioner = .incompleteCholesky, options: KrylovOptions = KrylovOptions()) {
        self.preconditioner = preconditioner
        self.options = options
        phases = KrylovPhases(method: "ConjugateGradient", solver: "pcg-\(preconditioner.rawValue)")
    }

    /// Stores the pattern. - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for bad ``options``.
    public func analyze(_ matrix: SymmetricMatrix) throws {
        try phases.analyze(matrix, options: options)
    }

    /// Builds the preconditioner from `matrix`'s values.
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(column:pivot:)`` for a
    ///   missing or non-positive diagonal entry (Jacobi, IC(0));
    ///   ``LinearAlgebraError/phaseOrder(_:)``, ``LinearAlgebraError/patternMismatch(_:)``,
    ///   ``LinearAlgebraError/nonFinite(row:column:value:)``.
    public func factor(_ matrix: SymmetricMatrix) throws {
        try phases.beginFactor(matrix)
        let start = ContinuousClock.now
        ic = nil
        incompleteCholeskyShift = 0
        phases.report.perturbedPivots = 0
        switch preconditioner {
        case .none:
            inverseDiagonal = []
            phases.report.factorFlops = 0
            phases.report.nonzerosL = 0
        case .jacobi:
            let d = matrix.diagonal
            for j in 0..<d.count where !(d[j] > 0) { throw LinearAlgebraError.notPositiveDefinite(column: j, pivot: d[j]) }
            inverseDiagonal = d.map { 1 / $0 }
            phases.report.factorFlops = Double(d.count)
            phases.report.nonzerosL = d.count
        case .incompleteCholesky:
            let f = try IncompleteCholesky(matrix)
            incompleteCholeskyShift = f.shift
            phases.report.perturbedPivots = f.shift > 0 ? matrix.dimension : 0
            phases.report.factorFlops = f.flops
            phases.report.nonzerosL = matrix.storedCount
            ic = f
        }
        phases.matrix = matrix
        phases.report.factorSeconds = (ContinuousClock.now - start).seconds
    }

    /// `z = M⁻¹ r`.
    private func applyPreconditioner(_ r: [Double], into z: inout [Double]) {
        switch preconditioner {
        case .none:
            z = r
        case .jacobi:
            z.withUnsafeMutableBufferPointer { zp in
                r.withUnsafeBufferPointer { rp in
                    inverseDiagonal.withUnsafeBufferPointer { dp in for i in 0..<zp.count { zp[i] = rp[i] * dp[i] } }
                }
            }
        case .incompleteCholesky:
            ic!.apply(r, into: &z)
        }
    }

    /// Solves for `count` right-hand sides stored column after column, one after another.
    /// - Throws: ``LinearAlgebraError/notConverged(method:iterations:relativeResidual:)``
    ///   when a right-hand side misses the tolerance within ``KrylovOptions/maxIterations``;
    ///   ``LinearAlgebraError/invalidArgument(_:)`` when `pᵀAp ≤ 0` shows `A` is not positive definite.
    public func solve(_ rhs: inout [Double], count: Int) throws {
        try phases.solveColumns(&rhs, count: count) { a, b in try self.solveOne(a, b) }
    }

    private func solveOne(_ a: SymmetricMatrix, _ b: [Double]) throws -> (x: [Double], iterations: Int, relativeResidual: Double) {
        let n = a.dimension
        var x = [Double](repeating: 0, count: n)
        let bNorm = blasNorm(b)
        if bNorm == 0 { return (x, 0, 0) }
        let tol = options.relativeTolerance
        var r = b
        var z = [Double](repeating: 0, count: n)
        var q = [Double](repeating: 0, count: n)
        applyPreconditioner(r, into: &z)
        var p = z
        var rz = blasDot(r, z)
        var iteration = 0
        while iteration < options.maxIterations {
            iteration += 1
            a.multiply(p, into: &q)
            let pq = blasDot(p, q)
            guard pq > 0 else {
                throw LinearAlgebraError.invalidArgument("ConjugateGradient: pᵀAp = \(pq) ≤ 0 at iteration \(iteration): the matrix is not positive definite (use MINRES)")
            }
            let alpha = rz / pq
            blasAxpy(alpha, p, &x)
            blasAxpy(-alpha, q, &r)
            var restart = false
            if blasNorm(r) <= tol * bNorm {
                let trueNorm = trueResidualNorm(a, x: x, b: b, scratch: &q)
                if trueNorm <= tol * bNorm { return (x, iteration, trueNorm / bNorm) }
                // Residual replacement: continue from the true residual.
                for i in 0..<n { r[i] = b[i] - q[i] }
                restart = true
            }
            applyPreconditioner(r, into: &z)
            let rzNew = blasDot(r, z)
            if restart {
                p = z
            } else {
                let beta = rzNew / rz
                p.withUnsafeMutableBufferPointer { pp in z.withUnsafeBufferPointer { zp in
                    for i in 0..<n { pp[i] = zp[i] + beta * pp[i] }
                } }
            }
            rz = rzNew
        }
        let finalNorm = trueResidualNorm(a, x: x, b: b, scratch: &q) / bNorm
        throw LinearAlgebraError.notConverged(method: "CG(\(preconditioner.rawValue))", iterations: iteration, relativeResidual: finalNorm)
    }
}
