/// What a solver knows about the matrix it is given.
public enum MatrixKind: String, Sendable, CaseIterable, Codable {
    /// Symmetric positive definite (elasticity, diffusion, Poisson).
    case symmetricPositiveDefinite
    /// Symmetric indefinite (u–p saddle-point systems of poroelasticity).
    case symmetricIndefinite
}

/// Counts of positive, negative and zero pivots of an `LDLᵀ` factorization —
/// by Sylvester's law of inertia, the counts of eigenvalue signs of `A`.
public struct Inertia: Sendable, Equatable, Codable, CustomStringConvertible {
    public var positive: Int
    public var negative: Int
    public var zero: Int
    public init(positive: Int, negative: Int, zero: Int) {
        self.positive = positive; self.negative = negative; self.zero = zero
    }
    public var description: String { "(+\(positive), −\(negative), 0×\(zero))" }
}

/// Measurements of one solver's last analyse/factor/solve, for reports and benchmarks.
///
/// Times are wall-clock seconds; flops count floating-point operations of
/// the numeric factorization (a multiply-add is 2).
public struct SolverReport: Sendable, Equatable, Codable {
    /// Solver name, e.g. `"supernodal-cholesky"`.
    public var solver: String = ""
    /// Ordering used, e.g. `"metis-nd"`, `"amd"`, `"rcm"`, `"natural"`.
    public var ordering: String = ""
    /// Number of unknowns.
    public var dimension: Int = 0
    /// Nonzeros of the full symmetric matrix (both triangles).
    public var nonzerosA: Int = 0
    /// Nonzeros of the factor `L` (diagonal included); 0 for iterative solvers.
    public var nonzerosL: Int = 0
    /// Floating-point operations of one numeric factorization.
    public var factorFlops: Double = 0
    /// Seconds spent in `analyze` (ordering + symbolic factorization).
    public var analyzeSeconds: Double = 0
    /// Seconds spent in the last `factor`.
    public var factorSeconds: Double = 0
    /// Seconds spent in the last `solve` (all right-hand sides, refinement included).
    public var solveSeconds: Double = 0
    /// Number of supernodes (0 when not supernodal).
    public var supernodes: Int = 0
    /// Inertia of the factorized matrix, when the solver computes it.
    public var inertia: Inertia? = nil
    /// Pivots replaced by ±ε‖A‖ (static pivot perturbation) in the last factorization.
    public var perturbedPivots: Int = 0
    /// Iterative-refinement steps (direct) or iterations (Krylov) of the last solve.
    public var iterations: Int = 0
    /// Relative residual ‖b − Ax‖/‖b‖ of the last solve (first right-hand side).
    public var relativeResidual: Double = .nan

    public init() {}

    /// Factorization rate in GFLOP/s (0 when not measured).
    public var factorGFlops: Double { factorSeconds > 0 ? factorFlops / factorSeconds / 1e9 : 0 }
}

/// A solver for `A x = b` with `A` symmetric, in three phases so that physics
/// code can reuse work: ``analyze(_:)`` looks at the pattern only (ordering,
/// symbolic factorization), ``factor(_:)`` at the values (repeatable for new
/// values on the same pattern), ``solve(_:)`` at right-hand sides.
///
/// Physics code holds an `any LinearSolver` made by ``LinearSolvers/makeDefault(for:kind:)``
/// and never names a concrete solver.
public protocol LinearSolver: AnyObject {
    /// Pattern-only work: fill-reducing ordering and symbolic factorization.
    /// Values of `matrix` are ignored.
    func analyze(_ matrix: SymmetricMatrix) throws
    /// Numeric factorization (or preconditioner set-up) of `matrix`, whose
    /// pattern must equal the analysed one.
    func factor(_ matrix: SymmetricMatrix) throws
    /// Solves `A X = B` for `count` right-hand sides stored column after column
    /// in `rhs` (length `count · dimension`), overwriting `rhs` with `X`.
    func solve(_ rhs: inout [Double], count: Int) throws
    /// Measurements of the last phases.
    var report: SolverReport { get }
}

extension LinearSolver {
    /// Analyse (if needed) and factor in one call.
    public func analyzeAndFactor(_ matrix: SymmetricMatrix) throws {
        try analyze(matrix)
        try factor(matrix)
    }

    /// Solves `A x = b` for one right-hand side.
    public func solve(_ b: [Double]) throws -> [Double] {
        var x = b
        try solve(&x, count: 1)
        return x
    }
}
