import CLAPACK

/// Stopping rules shared by the Krylov solvers.
public struct KrylovOptions: Sendable, Equatable, Codable {
    /// Stop when the true relative residual ‖b − A x‖₂ / ‖b‖₂ is at most this
    /// (dimensionless, in `(0, 1)`); default `1e-10`.
    public var relativeTolerance: Double
    /// Give up (throwing ``LinearAlgebraError/notConverged(method:iterations:relativeResidual:)``)
    /// after this many iterations per right-hand side; default 10 000.
    public var maxIterations: Int

    /// - Parameters:
    ///   - relativeTolerance: target ‖b − A x‖₂ / ‖b‖₂, in `(0, 1)`.
    ///   - maxIterations: iteration limit per right-hand side, ≥ 1.
    public init(relativeTolerance: Double = 1e-10, maxIterations: Int = 10_000) {
        self.relativeTolerance = relativeTolerance
        self.maxIterations = maxIterations
    }

    /// Throws ``LinearAlgebraError/invalidArgument(_:)`` for a tolerance outside `(0, 1)` or fewer than one iteration.
    func validate(_ method: String) throws {
        guard relativeTolerance > 0, relativeTolerance < 1 else {
            throw LinearAlgebraError.invalidArgument("\(method): relativeTolerance must lie in (0, 1), got \(relativeTolerance)")
        }
        guard maxIterations >= 1 else {
            throw LinearAlgebraError.invalidArgument("\(method): maxIterations must be ≥ 1, got \(maxIterations)")
        }
    }
}

// Level-1 BLAS on whole arrays.

@inline(__always)
func blasDot(_ x: [Double], _ y: [Double]) -> Double {
    var n = Int32(x.count), one: Int32 = 1
    return ddot_(&n, x, &one, y, &one)
}

@inline(__always)
func blasNorm(_ x: [Double]) -> Double {
    var n = Int32(x.count), one: Int32 = 1
    return dnrm2_(&n, x, &one)
}

/// `y += alpha·x`.
@inline(__always)
func blasAxpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    var n = Int32(x.count), one: Int32 = 1, a = alpha
    daxpy_(&n, &a, x, &one, &y, &one)
}

/// ‖b − A x‖₂ computed from scratch into `scratch`.
func trueResidualNorm(_ a: SymmetricMatrix, x: [Double], b: [Double], scratch: inout [Double]) -> Double {
    a.multiply(x, into: &scratch)
    var s = 0.0
    scratch.withUnsafeBufferPointer { ax in b.withUnsafeBufferPointer { bp in
        for i in 0..<bp.count { let r = bp[i] - ax[i]; s += r * r }
    } }
    return s.squareRoot()
}

/// Checks `rhs` against `n·count` and `count ≥ 0`.
func checkRightHandSides(_ rhs: [Double], n: Int, count: Int) throws {
    guard count >= 0 else { throw LinearAlgebraError.invalidArgument("solve: count must be ≥ 0, got \(count)") }
    guard rhs.count == n * count else { throw LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: n * count, got: rhs.count) }
}

/// The phase bookkeeping ``ConjugateGradient`` and ``MINRES`` share: the analysed
/// pattern, the factored values, the report, and the per-right-hand-side loop.
struct KrylovPhases {
    /// Name used in error messages (e.g. "MINRES").
    let method: String
    var report = SolverReport()
    var pattern: SymmetricMatrix?
    var matrix: SymmetricMatrix?
    var lastIterations: [Int] = []
    var lastRelativeResiduals: [Double] = []

    init(method: String, solver: String) {
        self.method = method
        report.solver = solver
        report.ordering = "natural"
    }

    /// Validates `options` and stores the pattern (a Krylov method has no symbolic phase).
    mutating func analyze(_ a: SymmetricMatrix, options: KrylovOptions) throws {
        try options.validate(method)
        pattern = a
        matrix = nil
        report.dimension = a.dimension
        report.nonzerosA = a.fullNonzeroCount
        report.nonzerosL = 0
        report.factorFlops = 0
        report.analyzeSeconds = 0
    }

    /// Checks phase order, pattern and finiteness before a preconditioner is built,
    /// and forgets the previous values.
    mutating func beginFactor(_ a: SymmetricMatrix) throws {
        guard let pattern else { throw LinearAlgebraError.phaseOrder("\(method).factor: call analyze first") }
        guard pattern.hasSamePattern(as: a) else {
            throw LinearAlgebraError.patternMismatch("\(method).factor: dimension \(a.dimension) with \(a.storedCount) stored entries, analysed \(pattern.dimension) with \(pattern.storedCount)")
        }
        try a.checkFinite()
        matrix = nil
    }

    /// Solves the `count` right-hand sides stored column after column with `solveOne`,
    /// recording iterations, true residuals and the solve time.
    mutating func solveColumns(
        _ rhs: inout [Double], count: Int,
        _ solveOne: (SymmetricMatrix, [Double]) throws -> (x: [Double], iterations: Int, relativeResidual: Double)
    ) throws {
        guard let a = matrix else { throw LinearAlgebraError.phaseOrder("\(method).solve: call factor first") }
        let n = a.dimension
        try checkRightHandSides(rhs, n: n, count: count)
        let start = ContinuousClock.now
        lastIterations = []
        lastRelativeResiduals = []
        defer {
            report.solveSeconds = (ContinuousClock.now - start).seconds
            report.iterations = lastIterations.max() ?? 0
            report.relativeResidual = lastRelativeResiduals.first ?? .nan
        }
        for c in 0..<count {
            let b = Array(rhs[(c * n)..<((c + 1) * n)])
            let (x, iterations, residual) = try solveOne(a, b)
            lastIterations.append(iterations)
            lastRelativeResiduals.append(residual)
            rhs.replaceSubrange((c * n)..<((c + 1) * n), with: x)
        }
    }
}
