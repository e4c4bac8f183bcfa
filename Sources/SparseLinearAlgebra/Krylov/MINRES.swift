/// Preconditioners for ``MINRES`` (which needs a symmetric positive definite `M`).
public enum MINRESPreconditioner: String, Sendable, CaseIterable, Codable {
    /// No preconditioning (`M = I`).
    case none
    /// `M = diag(|aᵢᵢ|)`; every diagonal entry must be nonzero.
    case absoluteDiagonal = "abs-diagonal"
}

/// MINRES (Paige & Saunders 1975, SIAM J. Numer. Anal. 12:617) for symmetric,
/// possibly indefinite, nonsingular systems, behind ``LinearSolver``.
///
/// Lanczos tridiagonalization with the `M`-inner product, QR of the
/// tridiagonal by Givens rotations, and the short-recurrence update of `x`
/// that minimizes ‖r‖ in the `M⁻¹`-norm over the Krylov space (the
/// recurrences of the authors' reference implementation, written from the
/// paper). The rotation estimate of the residual norm decides when to look
/// at the true residual; convergence is declared on the true ‖b − A x‖₂/‖b‖₂.
///
/// ```swift
/// let solver = MINRES(preconditioner: .absoluteDiagonal)
/// try solver.analyzeAndFactor(saddlePointMatrix)
/// let x = try solver.solve(b)
/// ```
public final class MINRES: LinearSolver {
    /// Measurements; `iterations` is the largest count over the right-hand
    /// sides of the last solve, `relativeResidual` the first one's true residual.
    public var report: SolverReport { phases.report }
    /// The preconditioner.
    public let preconditioner: MINRESPreconditioner
    /// Stopping rules.
    public let options: KrylovOptions
    /// Iterations used for each right-hand side of the last solve.
    public var lastIterations: [Int] { phases.lastIterations }
    /// True relative residual ‖b − A x‖₂/‖b‖₂ of each right-hand side of the last solve.
    public var lastRelativeResiduals: [Double] { phases.lastRelativeResiduals }

    private var phases: KrylovPhases
    private var inverseDiagonal: [Double] = []

    /// - Parameters:
    ///   - preconditioner: default none.
    ///   - options: tolerance and iteration limit (checked in ``analyze(_:)``).
    public init(preconditioner: MINRESPreconditioner = .none, options: KrylovOptions = KrylovOptions()) {
        self.preconditioner = preconditioner
        self.options = options
        phases = KrylovPhases(method: "MINRES", solver: "minres-\(preconditioner.rawValue)")
    }

    /// Stores the pattern. - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for bad ``options``.
    public func analyze(_ matrix: SymmetricMatrix) throws {
        try phases.analyze(matrix, options: options)
    }

    /// Takes the values and builds the preconditioner.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming a zero diagonal
    ///   entry when ``MINRESPreconditioner/absoluteDiagonal`` is requested;
    ///   ``LinearAlgebraError/phaseOrder(_:)``, ``LinearAlgebraError/patternMismatch(_:)``,
    ///   ``LinearAlgebraError/nonFinite(row:column:value:)``.
    public func factor(_ matrix: SymmetricMatrix) throws {
        try phases.beginFactor(matrix)
        switch preconditioner {
        case .none:
            inverseDiagonal = []
        case .absoluteDiagonal:
            let d = matrix.diagonal
            for j in 0..<d.count where d[j] == 0 {
                throw LinearAlgebraError.invalidArgument("MINRES abs-diagonal preconditioner: A[\(j),\(j)] = 0, expected a nonzero diagonal (use preconditioner .none)")
            }
            inverseDiagonal = d.map { 1 / abs($0) }
        }
        phases.report.factorFlops = Double(inverseDiagonal.count)
        phases.matrix = matrix
    }

    private func applyPreconditioner(_ r: [Double], into z: inout [Double]) {
        if inverseDiagonal.isEmpty { z = r; return }
        z.withUnsafeMutableBufferPointer { zp in
            r.withUnsafeBufferPointer { rp in
                inverseDiagonal.withUnsafeBufferPointer { dp in for i in 0..<zp.count { zp[i] = rp[i] * dp[i] } }
            }
        }
    }

    /// Solves for `count` right-hand sides stored column after column, one after another.
    /// - Throws: ``LinearAlgebraError/notConverged(method:iterations:relativeResidual:)``
    ///   when a right-hand side misses the tolerance within ``KrylovOptions/maxIterations``
    ///   or the Lanczos process stops (singular or inconsistent system).
    public func solve(_ rhs: inout [Double], count: Int) throws {
        try phases.solveColumns(&rhs, count: count) { a, b in try self.solveOne(a, b) }
    }

    private func solveOne(_ a: SymmetricMatrix, _ b: [Double]) throws -> (x: [Double], iterations: Int, relativeResidual: Double) {
        let n = a.dimension
        var x = [Double](repeating: 0, count: n)
        let bNorm = blasNorm(b)
        if bNorm == 0 { return (x, 0, 0) }
        let tol = options.relativeTolerance
        var scratch = [Double](repeating: 0, count: n)

        // Lanczos vectors: r1 = β_{k-1}·M·v_{k-1}, r2 = β_k·M·v_k, y = M⁻¹ r2.
        var r1 = b, r2 = b
        var y = [Double](repeating: 0, count: n)
        applyPreconditioner(b, into: &y)
        let beta1Squared = blasDot(b, y)
        guard beta1Squared > 0 else {
            throw LinearAlgebraError.invalidArgument("MINRES: bᵀM⁻¹b = \(beta1Squared) ≤ 0: the preconditioner is not positive definite")
        }
        let beta1 = beta1Squared.squareRoot()
        var v = [Double](repeating: 0, count: n)
        var w = [Double](repeating: 0, count: n), w1 = w, w2 = w
        var oldBeta = 0.0, beta = beta1
        var dbar = 0.0, epsilon = 0.0, phibar = beta1
        var cs = -1.0, sn = 0.0
        // Look at the true residual when the estimate drops below `target`.
        var target = tol
        var iteration = 0
        while iteration < options.maxIterations {
            iteration += 1
            // Lanczos step: v = y/β, y = A v − (β/β_old) r1 − (α/β) r2.
            let s = 1 / beta
            v.withUnsafeMutableBufferPointer { vp in y.withUnsafeBufferPointer { yp in
                for i in 0..<n { vp[i] = s * yp[i] }
            } }
            a.multiply(v, into: &y)
            if iteration >= 2 { blasAxpy(-beta / oldBeta, r1, &y) }
            let alpha = blasDot(v, y)
            blasAxpy(-alpha / beta, r2, &y)
            swap(&r1, &r2)   // r1 ← r2
            swap(&r2, &y)    // r2 ← new vector
            applyPreconditioner(r2, into: &y)
            oldBeta = beta
            let betaSquared = blasDot(r2, y)
            guard betaSquared >= 0 else {
                throw LinearAlgebraError.invalidArgument("MINRES: rᵀM⁻¹r = \(betaSquared) < 0: the preconditioner is not positive definite")
            }
            beta = betaSquared.squareRoot()

            // Apply the previous rotation, then make the new one.
            let oldEpsilon = epsilon
            let delta = cs * dbar + sn * alpha
            let gbar = sn * dbar - cs * alpha
            epsilon = sn * beta
            dbar = -cs * beta
            let gamma = max((gbar * gbar + beta * beta).squareRoot(), Double.ulpOfOne)
            cs = gbar / gamma
            sn = beta / gamma
            let phi = cs * phibar
            phibar = sn * phibar

            // w_k = (v_k − ε_k w_{k−2} − δ_k w_{k−1}) / γ_k;  x += φ_k w_k.
            swap(&w1, &w2)   // w1 ← w_{k−2}
            swap(&w2, &w)    // w2 ← w_{k−1}
            let inverseGamma = 1 / gamma
            w.withUnsafeMutableBufferPointer { wp in
                v.withUnsafeBufferPointer { vp in w1.withUnsafeBufferPointer { w1p in w2.withUnsafeBufferPointer { w2p in
                    for i in 0..<n { wp[i] = (vp[i] - oldEpsilon * w1p[i] - delta * w2p[i]) * inverseGamma }
                } } }
            }
            blasAxpy(phi, w, &x)

            let estimate = phibar / beta1
            if estimate <= target || beta == 0 {
                let trueRelative = trueResidualNorm(a, x: x, b: b, scratch: &scratch) / bNorm
                if trueRelative <= tol { return (x, iteration, trueRelative) }
                if beta == 0 {
                    // Lanczos broke down: the Krylov space is invariant and holds no better x.
                    throw LinearAlgebraError.notConverged(method: "MINRES(\(preconditioner.rawValue))", iterations: iteration, relativeResidual: trueRelative)
                }
                // The M⁻¹-norm estimate and the 2-norm differ: aim lower by the observed ratio.
                target = estimate * tol / trueRelative * 0.5
            }
        }
        let finalRelative = trueResidualNorm(a, x: x, b: b, scratch: &scratch) / bNorm
        throw LinearAlgebraError.notConverged(method: "MINRES(\(preconditioner.rawValue))", iterations: iteration, relativeResidual: finalRelative)
    }
}
