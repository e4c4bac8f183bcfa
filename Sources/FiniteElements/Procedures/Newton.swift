import SparseLinearAlgebra

/// A nonlinear algebraic system `R(x) = 0` with a symmetric tangent
/// `K = ∂R/∂x` on a fixed sparsity pattern — what ``NewtonSolver`` solves.
///
/// Physics code implements this (or ``TransientSystem``, which the time
/// stepper turns into one per step). Units of `x` and `R` are the physics'
/// own (e.g. mm and N for solid mechanics).
public protocol NonlinearSystem: AnyObject {
    /// Number of unknowns.
    var unknownCount: Int { get }
    /// The tangent's pattern (values ignored); the same every call.
    func tangentPattern() -> SymmetricMatrix
    /// Whether the tangent is SPD or symmetric indefinite.
    var matrixKind: MatrixKind { get }
    /// Evaluates `R(x)` into `residual` (length ``unknownCount``, overwritten)
    /// and, when `tangent` is non-nil, `∂R/∂x` into its values (pattern of
    /// ``tangentPattern()``, overwritten).
    /// - Throws: any error that makes this `x` inadmissible (e.g. an inverted
    ///   element); Newton reports it and the time stepper cuts the step.
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws
    /// True when `∂R/∂x` is the same at every `x` (a linear system): ``NewtonSolver``
    /// then assembles and factors it once and reuses the factorization. Default false.
    var hasConstantTangent: Bool { get }
    /// The time step (s) the tangent depends on, nil when it depends on none (the default).
    /// A backward-Euler step of a transient problem returns its `Δt`: a quasi-Newton
    /// ``NewtonSolver`` (``NewtonMethod/bfgs(_:)``) then reforms a factorization kept from a
    /// step whose `Δt` differs by more than ``QuasiNewtonOptions/timeStepChange``.
    var tangentTimeStep: Double? { get }
    /// The part of `∂R/∂x` that the symmetric tangent of the last ``evaluate(_:residual:tangent:)``
    /// with a tangent could not hold, when it acts on a few unknowns only (see
    /// ``TangentCorrection``); nil (the default) when the symmetric tangent is the whole of it.
    /// Full Newton solves with it; the quasi-Newton mode (``NewtonMethod/bfgs(_:)``) solves with
    /// the correction of its kept factorization (the one reported with that tangent) under its updates.
    var tangentCorrection: TangentCorrection? { get }
}

extension NonlinearSystem {
    public var hasConstantTangent: Bool { false }
    public var tangentTimeStep: Double? { nil }
    public var tangentCorrection: TangentCorrection? { nil }
}

/// A dense, possibly non-symmetric block `E` added to a symmetric tangent on a few unknowns:
/// the Jacobian is `J = K + P E Pᵀ`, `P` the columns of the identity at ``unknowns``.
///
/// Some Jacobians are symmetric except on a handful of unknowns — a rigid body under an applied
/// moment fixed in space has a non-symmetric rotational stiffness (such a moment has no
/// potential under finite rotations; the skew part at equilibrium is `−½[M]×`, derived and
/// checked against a finite-difference Jacobian with the rigid-vertebra condensation in
/// Biomechanics) — and a symmetric factorization of `K` alone
/// makes Newton converge linearly, or not at all when `‖K⁻¹ P E Pᵀ‖ ≥ 1`. ``NewtonSolver`` solves with `J` exactly by the
/// Sherman–Morrison–Woodbury formula on its symmetric factorization of `K`:
/// `Z = K⁻¹P` (`m` more solves per factorization), then per correction
/// `Δ = y − Z (I + E PᵀZ)⁻¹ E Pᵀy` with `y = K⁻¹b` (Golub & Van Loan 2013, Matrix
/// Computations, 4th ed., §2.1.4); the quasi-Newton mode does so with the `J` of its kept
/// factorization and applies its BFGS updates on top.
public struct TangentCorrection: Sendable, Equatable {
    /// The unknowns `E` acts on (distinct indices into the system's unknowns), `m` of them.
    public var unknowns: [Int]
    /// `E`, `m × m` row-major: entry `(i, j)` is added to `∂R_{unknowns[i]}/∂x_{unknowns[j]}`
    /// (units of the tangent's entries there).
    public var values: [Double]

    /// A correction `values` (row-major, `unknowns.count²` entries) on `unknowns`.
    /// - Throws: ``TangentCorrectionError/invalidValue(field:value:expected:)`` naming `values`
    ///   when it does not hold `unknowns.count²` entries, and `unknowns[i]` when an index is
    ///   negative or repeats an earlier one.
    public init(unknowns: [Int], values: [Double]) throws {
        let m = unknowns.count
        guard values.count == m * m else {
            throw TangentCorrectionError.invalidValue(field: "values", value: Double(values.count),
                                                      expected: "\(m * m) entries (\(m)² for \(m) unknowns, row-major)")
        }
        var seen = Set<Int>()
        for (i, u) in unknowns.enumerated() {
            guard u >= 0 else {
                throw TangentCorrectionError.invalidValue(field: "unknowns[\(i)]", value: Double(u), expected: "an index ≥ 0 into the system's unknowns")
            }
            guard seen.insert(u).inserted else {
                throw TangentCorrectionError.invalidValue(field: "unknowns[\(i)]", value: Double(u), expected: "an index not already listed (the unknowns are distinct)")
            }
        }
        self.unknowns = unknowns; self.values = values
    }
}

/// An invalid ``TangentCorrection``.
public enum TangentCorrectionError: Error, Equatable, CustomStringConvertible {
    /// `field` (`values` — its entry count —, or `unknowns[i]`) has `value`; `expected` says
    /// what is allowed.
    case invalidValue(field: String, value: Double, expected: String)

    public var description: String {
        switch self {
        case let .invalidValue(field, value, expected):
            let shown = value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
            return "\(field): expected \(expected), got \(shown)"
        }
    }
}

/// How ``NewtonSolver`` obtains the linear operator of each iteration.
public enum NewtonMethod: Sendable, Equatable {
    /// Assemble and factor the tangent at every iteration (quadratic convergence, one
    /// tangent assembly and one factorization per iteration).
    case fullNewton
    /// Quasi-Newton on a kept factorization: the tangent is assembled and factored only at a
    /// *reformation*; in between, each iteration evaluates the residual alone and applies the
    /// kept factor corrected by the BFGS rank-two updates of Matthies & Strang (1979), see
    /// ``QuasiNewtonOptions``.
    case bfgs(QuasiNewtonOptions)
}

/// Parameters of the quasi-Newton mode ``NewtonMethod/bfgs(_:)``.
///
/// The inverse-tangent approximation after `k` updates is
/// `H_k = (I + w_k v_kᵀ) ⋯ (I + w_1 v_1ᵀ) K₀⁻¹ (I + v_1 w_1ᵀ) ⋯ (I + v_k w_kᵀ)`, with `K₀`
/// the last factored tangent. An accepted step `s = αd` (with `d = −H_k R_k`), residual change
/// `y = R_{k+1} − R_k` and `B_k s = −α R_k` give `r = sᵀy / sᵀB_k s`, `c = √r`,
/// `v = −c B_k s − y`, `w = s / sᵀy`, and `H_{k+1} y = s` (the secant condition) — Matthies,
/// H. & Strang, G. (1979), "The solution of nonlinear finite element equations",
/// *Int. J. Numer. Methods Eng.* 14(11):1613–1626, eq. (the product form of the BFGS inverse).
///
/// The update needs only `r > 0`, not a positive-definite tangent: it holds for the
/// symmetric indefinite u–p tangent whenever `sᵀy` and `sᵀB_k s` have the same sign, i.e. the
/// tangent's curvature along the step has not changed sign since the factorization. That is
/// the safeguard: an update with `r ≤ 0`, or with `c` outside `[1/maxConditionNumber,
/// maxConditionNumber]` (the factor `(I + v wᵀ)` would amplify errors by about `c`), is not
/// applied and the tangent is reformed instead.
///
/// Reformation (tangent assembly + factorization at the current iterate, updates cleared) when
/// - no factorization is kept for this system, or the kept one was made for a time step
///   `Δt_f` with `|Δt/Δt_f − 1| > timeStepChange` (see ``NonlinearSystem/tangentTimeStep``:
///   the pressure block of a biphasic tangent scales with `Δt`);
/// - convergence slows: `‖R_{k+1}‖₂ / ‖R_k‖₂ > reformRatio`;
/// - the full quasi-Newton step does not decrease `‖R‖₂` (Armijo) — with a factorization
///   made at the current iterate the line search backtracks as in full Newton;
/// - `maxUpdates` updates are held, or an update is rejected by the safeguard.
/// The kept factorization and its updates carry over to the next ``NewtonSolver/solve(_:x:)``
/// of the same system (the next time step) unless one of these triggers.
public struct QuasiNewtonOptions: Sendable, Equatable {
    /// Rank-two updates held on one factorization before it is reformed (≥ 0; 0 = a modified
    /// Newton method: the kept factor alone). Default 30 (FEBio's BFGS: 10); each update costs
    /// two vectors of storage and two dot products and axpys per solve.
    public let maxUpdates: Int
    /// Reform when the residual ratio `‖R_{k+1}‖₂ / ‖R_k‖₂` of an iteration exceeds this
    /// (dimensionless, in (0, 1]). Default 0.9: on the default disc a stricter 0.5 reformed
    /// more often for the same steps (no literature value; a tuning parameter).
    public let reformRatio: Double
    /// Reform when the step's time step differs from the one the kept factorization was made
    /// for by more than this relative amount, `|Δt/Δt_f − 1| > timeStepChange` (dimensionless, ≥ 0).
    public let timeStepChange: Double
    /// Largest accepted `c = √(sᵀy / sᵀB s)` of an update (and smallest `1/maxConditionNumber`),
    /// dimensionless, > 1; FEBio's BFGS uses 1e5.
    public let maxConditionNumber: Double

    /// Validated parameters.
    /// - Throws: ``NewtonOptionError/invalidOption(name:value:expected:)`` naming the parameter.
    public init(maxUpdates: Int = 30, reformRatio: Double = 0.9, timeStepChange: Double = 0.25,
                maxConditionNumber: Double = 1e5) throws {
        guard maxUpdates >= 0 else { throw NewtonOptionError.invalidOption(name: "maxUpdates", value: Double(maxUpdates), expected: "an integer ≥ 0") }
        guard reformRatio.isFinite, reformRatio > 0, reformRatio <= 1 else {
            throw NewtonOptionError.invalidOption(name: "reformRatio", value: reformRatio, expected: "a number in (0, 1]")
        }
        guard timeStepChange.isFinite, timeStepChange >= 0 else {
            throw NewtonOptionError.invalidOption(name: "timeStepChange", value: timeStepChange, expected: "a number ≥ 0")
        }
        guard maxConditionNumber.isFinite, maxConditionNumber > 1 else {
            throw NewtonOptionError.invalidOption(name: "maxConditionNumber", value: maxConditionNumber, expected: "a number > 1")
        }
        self.maxUpdates = maxUpdates; self.reformRatio = reformRatio
        self.timeStepChange = timeStepChange; self.maxConditionNumber = maxConditionNumber
    }
}

/// An invalid Newton option.
public enum NewtonOptionError: Error, Equatable, CustomStringConvertible {
    /// Option `name` has `value`; `expected` says what is allowed.
    case invalidOption(name: String, value: Double, expected: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, expected): return "\(name): expected \(expected), got \(value)"
        }
    }
}

/// Tolerances of ``NewtonSolver``.
///
/// An iterate `x` is accepted when one of these holds:
/// - **residual**: `‖R(x)‖₂ ≤ max(relativeTolerance · max(‖R(x₀)‖₂, referenceNorm), absoluteTolerance)`;
/// - **round-off**: `‖R(x)‖₂ ≤ roundOffFactor · ε · ‖|K||x|‖₂`, with `ε` the machine epsilon and
///   `|K||x|` the entrywise absolute tangent times the absolute iterate — the size of the
///   assembled terms whose sum is `R`, hence the smallest residual the arithmetic can resolve;
/// - **increment**: the Newton correction is at round-off relative to the iterate,
///   `‖αΔ‖∞ ≤ incrementFactor · ε · ‖x‖∞`.
/// All three are invariant under a change of the problem's units or scale (a material a
/// million times softer converges in the same iterations to the same relative accuracy): no
/// absolute floor is applied unless `absoluteTolerance` is set. A line search that finds no
/// decrease is accepted only at the round-off level (``NewtonError/stalled(iteration:residualNorm:bestTrialNorm:target:roundOffLevel:)`` otherwise).
public struct NewtonOptions: Sendable, Equatable {
    /// Relative residual tolerance (dimensionless): converged when
    /// `‖R‖₂ ≤ relativeTolerance · max(‖R(x₀)‖₂, referenceNorm)`.
    public var relativeTolerance: Double = 1e-10
    /// Absolute residual tolerance (unit of `R`; default 0 = none): converged when `‖R‖₂` is at
    /// most this. A fixed absolute floor is wrong for some scale of the problem (a soft material
    /// whose residuals are all below it would be "converged" before it moves), hence off by default.
    public var absoluteTolerance: Double = 0
    /// An external scale of `R` (e.g. the norm of the applied forces, N) so that a
    /// step starting near equilibrium is not asked for an impossible relative reduction.
    public var referenceNorm: Double = 0
    /// Multiple of `ε · ‖|K||x|‖₂` (dimensionless) at or below which a residual is round-off
    /// and accepted (default 1000: a row of `R` sums tens to hundreds of element terms, each
    /// rounded at `ε` relative to its size); 0 disables the test.
    public var roundOffFactor: Double = 1000
    /// Multiple of `ε` (dimensionless) below which a Newton correction relative to the iterate,
    /// `‖αΔ‖∞ / ‖x‖∞`, is at round-off and the iterate accepted (default 1000); 0 disables the test.
    public var incrementFactor: Double = 1000
    /// When the tangent is singular — the ``SupernodalLDLT`` factorization met tiny pivots where
    /// the matrix really is singular (``SupernodalLDLT/nullSpaceBasis(maxDimension:pivotTolerance:tolerance:)``),
    /// as for a body with unconstrained rigid-body motions — remove the Newton correction's
    /// components along that null space (default true). Without it every correction would carry an
    /// arbitrary null-space motion of size (round-off of `R` along it) / (tiny pivot), which
    /// accumulates over steps into displacements far larger than the physical ones: a solve whose
    /// factorization reports zero pivots (``SparseLinearAlgebra/SolverReport/singular``) that were
    /// not projected out throws ``NewtonError/singularTangent(iteration:zeroPivots:projected:)``.
    public var projectNullSpace: Bool = true
    /// Newton iterations allowed before failing.
    public var maxIterations: Int = 25
    /// Backtracking line search on `‖R‖₂` (Armijo, halving, then a safeguarded
    /// quadratic fit); off = full Newton steps.
    public var lineSearch: Bool = true
    /// Backtracking steps allowed per iteration.
    public var maxBacktracks: Int = 8
    /// Sufficient decrease constant `c` of `‖R(x + αΔ)‖ ≤ (1 − cα)‖R(x)‖`.
    public var armijo: Double = 1e-4
    /// Full Newton (default) or quasi-Newton on a kept factorization. The acceptance tests
    /// above are the same for both. Systems with ``NonlinearSystem/hasConstantTangent`` are
    /// always solved on their one factorization; ``GeneralNewtonSolver`` uses full Newton.
    public var method: NewtonMethod = .fullNewton
    /// Defaults.
    public init() {}
}

/// Which test accepted a Newton solve (see ``NewtonOptions``).
public enum NewtonConvergence: String, Sendable, Equatable {
    /// `‖R‖₂` reached the relative (or absolute) tolerance.
    case residual
    /// `‖R‖₂` reached the round-off level `roundOffFactor · ε · ‖|K||x|‖₂`.
    case roundOff
    /// The Newton correction was at round-off relative to the iterate.
    case increment
}

/// Why Newton stopped without converging.
public enum NewtonError: Error, Equatable, CustomStringConvertible {
    /// The residual did not reach the tolerance in `iterations` iterations.
    case notConverged(iterations: Int, residualNorm: Double, target: Double)
    /// The residual became NaN/∞ or the line search found no decrease.
    case diverged(iteration: Int, residualNorm: Double)
    /// The system refused an iterate (message of the underlying error).
    case systemFailed(iteration: Int, message: String)
    /// The linear solver failed (message of the underlying error).
    case linearSolverFailed(iteration: Int, message: String)
    /// The line search found no step length that decreased `‖R‖₂` (unit of `R`) while it
    /// was above both the tolerance `target` and the round-off level `roundOffLevel`
    /// (`roundOffFactor · ε · ‖|K||x|‖₂`); `bestTrialNorm` is the smallest `‖R‖₂` tried.
    case stalled(iteration: Int, residualNorm: Double, bestTrialNorm: Double, target: Double, roundOffLevel: Double)
    /// The factored tangent is singular (``SparseLinearAlgebra/SolverReport/singular``: `zeroPivots`
    /// numerically zero pivots) and only `projected` of those null directions were removed from the
    /// correction (``NewtonOptions/projectNullSpace`` off, a solver without a null-space basis, or
    /// null vectors the basis did not find): the correction would carry an arbitrary component of
    /// size (round-off) / (tiny pivot), so the iteration stops instead of taking it.
    case singularTangent(iteration: Int, zeroPivots: Int, projected: Int)

    public var description: String {
        switch self {
        case let .notConverged(i, r, t):
            return "Newton did not converge in \(i) iterations: ‖R‖₂ = \(r), target \(t)"
                + (t > 0 && r.isFinite && r >= t ? " (\(Int(min(r / t, 1e15).rounded()))× the target)" : "")
                + "; the increment asks too much of one Newton solve — smaller time steps or load increments (a shorter dtMax, more steps) usually help; "
                + "if not, look for a cause that no step size fixes: an element turned inside out by the load, a material parameter far outside its plausible range, a part held only weakly"
        case let .diverged(i, r):
            return "Newton diverged at iteration \(i): ‖R‖₂ = \(r)"
                + (r.isFinite ? "" : " (an element turned inside out or a material law left its domain; smaller load increments or time steps may help)")
        case let .stalled(i, r, b, t, f):
            return "Newton stalled at iteration \(i): the line search found no decrease of ‖R‖₂ = \(r) (smallest tried \(b)); target \(t), round-off level ε‖|K||x|‖₂-based \(f)"
        case let .systemFailed(i, m): return "Newton iteration \(i): \(m)"
        case let .linearSolverFailed(i, m): return "Newton iteration \(i): linear solve failed: \(m)"
        case let .singularTangent(i, z, p):
            return "Newton iteration \(i): the tangent matrix is singular (\(z) zero pivot\(z == 1 ? "" : "s"), \(p) null direction\(p == 1 ? "" : "s") removed): "
                + "the correction is not determined — a part of the model is free to move (add a support or a spring) or a material has no stiffness in some direction"
        }
    }
}

/// What one Newton solve did.
public struct NewtonReport: Sendable, Equatable {
    /// Iterations (linear solves) used; in full Newton each factors a new tangent.
    public var iterations: Int = 0
    /// Numeric factorizations done in this solve (quasi-Newton: reformations).
    public var factorizations: Int = 0
    /// `‖R‖₂` after each iteration, the initial residual first.
    public var residualNorms: [Double] = []
    /// Line-search step lengths `α` accepted per iteration.
    public var stepLengths: [Double] = []
    /// Residual evaluations (assemblies, with or without tangent).
    public var evaluations: Int = 0
    /// The test that accepted the solve (nil before a successful solve).
    public var convergence: NewtonConvergence? = nil
    /// The residual tolerance of the solve, `max(relativeTolerance · max(‖R(x₀)‖₂, referenceNorm), absoluteTolerance)` (unit of `R`).
    public var target: Double = 0
    /// The round-off level `roundOffFactor · ε · ‖|K||x|‖₂` at the accepted iterate (unit of `R`).
    public var roundOffLevel: Double = 0
}

/// Where a ``NewtonSolver``'s time went, summed over every call of
/// ``NewtonSolver/solve(_:x:)`` (failed calls included): wall-clock seconds of
/// the linear solver's phases and of the system's evaluations, and counts.
public struct NewtonStatistics: Sendable, Equatable {
    /// Newton iterations (linear solves) done, failed attempts included.
    public var iterations = 0
    /// Residual evaluations (with or without tangent).
    public var evaluations = 0
    /// Evaluations that also assembled the tangent.
    public var tangentEvaluations = 0
    /// Trials evaluated without tangent because they were expected to converge, that
    /// did not, and were evaluated again with the tangent (the cost of that guess).
    public var tangentRetries = 0
    /// Symbolic analyses (ordering + symbolic factorization).
    public var analyses = 0
    /// Numeric factorizations.
    public var factorizations = 0
    /// Seconds in the linear solver's `analyze` (s).
    public var analyzeSeconds = 0.0
    /// Seconds in the linear solver's `factor` (numeric factorization, s).
    public var factorSeconds = 0.0
    /// Seconds in the linear solver's `solve` (triangular solves and iterative refinement, s).
    public var solveSeconds = 0.0
    /// Seconds in the system's `evaluate` (residual and tangent assembly, s).
    public var evaluationSeconds = 0.0
    /// Iterative-refinement steps summed over all solves (direct solvers).
    public var refinementSteps = 0
    /// Largest number of perturbed pivots reported by one factorization.
    public var maxPerturbedPivots = 0
    /// Largest null-space dimension found in a factored tangent (see ``NewtonOptions/projectNullSpace``).
    public var nullSpaceDimension = 0
    /// Newton corrections whose null-space component was removed.
    public var projectedCorrections = 0
    /// Solves accepted by the round-off test (``NewtonConvergence/roundOff``).
    public var roundOffAcceptances = 0
    /// Solves accepted by the increment test (``NewtonConvergence/increment``).
    public var incrementAcceptances = 0
    /// Quasi-Newton (``NewtonMethod/bfgs(_:)``): tangent reformations (assembly + factorization),
    /// by reason — no kept factorization for the system (first solve, other system, or a full
    /// Newton solve in between).
    public var reformationsInitial = 0
    /// Quasi-Newton reformations because `Δt` changed by more than ``QuasiNewtonOptions/timeStepChange``.
    public var reformationsTimeStep = 0
    /// Quasi-Newton reformations because `‖R_{k+1}‖/‖R_k‖` exceeded ``QuasiNewtonOptions/reformRatio``.
    public var reformationsSlowConvergence = 0
    /// Quasi-Newton reformations because the full step did not decrease `‖R‖₂`.
    public var reformationsLineSearch = 0
    /// Quasi-Newton reformations because ``QuasiNewtonOptions/maxUpdates`` updates were held.
    public var reformationsUpdateLimit = 0
    /// Quasi-Newton reformations because an update failed the safeguard (`sᵀy / sᵀBs ≤ 0` or ill-conditioned).
    public var reformationsRejectedUpdate = 0
    /// Quasi-Newton BFGS updates applied.
    public var quasiNewtonUpdates = 0
    /// Quasi-Newton reformations, all reasons.
    public var reformations: Int {
        reformationsInitial + reformationsTimeStep + reformationsSlowConvergence + reformationsLineSearch
            + reformationsUpdateLimit + reformationsRejectedUpdate
    }
    /// Seconds in the linear solver: analyse + factor + solve (s).
    public var linearSolverSeconds: Double { analyzeSeconds + factorSeconds + solveSeconds }
    /// Zero counters.
    public init() {}

    /// Adds `other`'s counts and seconds to these (the largest-of fields take the larger value):
    /// the statistics of two solvers' calls together, e.g. a run continued by another solver.
    public mutating func accumulate(_ other: NewtonStatistics) {
        iterations += other.iterations; evaluations += other.evaluations; tangentEvaluations += other.tangentEvaluations
        tangentRetries += other.tangentRetries; analyses += other.analyses; factorizations += other.factorizations
        analyzeSeconds += other.analyzeSeconds; factorSeconds += other.factorSeconds; solveSeconds += other.solveSeconds
        evaluationSeconds += other.evaluationSeconds; refinementSteps += other.refinementSteps
        maxPerturbedPivots = max(maxPerturbedPivots, other.maxPerturbedPivots)
        nullSpaceDimension = max(nullSpaceDimension, other.nullSpaceDimension)
        projectedCorrections += other.projectedCorrections; roundOffAcceptances += other.roundOffAcceptances
        incrementAcceptances += other.incrementAcceptances
        reformationsInitial += other.reformationsInitial; reformationsTimeStep += other.reformationsTimeStep
        reformationsSlowConvergence += other.reformationsSlowConvergence; reformationsLineSearch += other.reformationsLineSearch
        reformationsUpdateLimit += other.reformationsUpdateLimit; reformationsRejectedUpdate += other.reformationsRejectedUpdate
        quasiNewtonUpdates += other.quasiNewtonUpdates
    }
}

/// Newton's method with backtracking line search for a ``NonlinearSystem``.
///
/// Holds one ``LinearSolver`` for its lifetime: the symbolic analysis
/// (ordering, elimination tree) runs once on the first call and every later
/// iteration, step and call refactors values only. All systems solved by one
/// instance must share the tangent pattern.
///
/// ```swift
/// let newton = NewtonSolver(options: NewtonOptions())
/// let report = try newton.solve(system, x: &x)
/// ```
public final class NewtonSolver {
    /// Tolerances.
    public var options: NewtonOptions
    /// The linear solver (made by ``LinearSolvers/makeDefault(for:kind:)`` on first use unless given).
    public private(set) var linearSolver: (any LinearSolver)?
    /// Number of symbolic analyses done (1 after the first solve, whatever the number of iterations).
    public private(set) var analyses = 0
    /// The report of the last successful ``solve(_:x:)``.
    public private(set) var lastReport = NewtonReport()
    private var analyzedPattern: SymmetricMatrix?
    private var tangent: SymmetricMatrix?
    /// The system whose constant tangent is currently factored (reuse across calls).
    private var constantFactorOwner: ObjectIdentifier?
    /// Numeric factorizations done.
    public private(set) var factorizations = 0
    /// Wall-clock seconds spent inside the linear solver (analyse + factor + solve), summed over
    /// every call of ``solve(_:x:)`` — with the total run time this gives the share of the
    /// factorization in a simulation (the line search's evaluations are not counted).
    public var linearSolverSeconds: Double { statistics.linearSolverSeconds }
    /// Time per phase and counts, summed over every call of ``solve(_:x:)``.
    public private(set) var statistics = NewtonStatistics()
    private var residual: [Double] = []
    private var trialResidual: [Double] = []
    private var scratch: [Double] = []
    /// The quasi-Newton correction (length n).
    private var step: [Double] = []
    /// The Woodbury data of the factored tangent's ``TangentCorrection`` (nil: none).
    private var woodbury: Woodbury?

    /// `Z = K⁻¹P` and `M = (I + E PᵀZ)⁻¹ E` of a ``TangentCorrection`` on the factored `K`.
    private struct Woodbury {
        /// The correction's unknowns (`m`).
        var unknowns: [Int]
        /// `Z`, `n × m` column-major.
        var z: [Double]
        /// `M`, `m × m` column-major.
        var m: [Double]
        /// Scratch `Pᵀy` and `M Pᵀy` (length m each).
        var py: [Double]
        var w: [Double]
    }
    /// Null-space basis of the current factorization (nil: not computed yet).
    private var nullBasis: [[Double]]?
    /// Iterations the last successful solve needed (0: none yet) — predicts the converging trial.
    private var previousIterations = 0
    /// The quasi-Newton state kept across solves: whose tangent is factored, for which time
    /// step, and the BFGS update pairs on it (nil: no factorization usable by quasi-Newton).
    private var kept: KeptFactorization?

    /// A factorization kept by the quasi-Newton mode and its BFGS updates.
    private struct KeptFactorization {
        /// The system whose tangent was factored (weak: a new system at the same address is not it).
        weak var system: AnyObject?
        /// Its ``NonlinearSystem/tangentTimeStep`` at the factorization (s).
        var timeStep: Double?
        /// Update vectors `v_i` and `w_i`, oldest first.
        var v: [[Double]] = []
        var w: [[Double]] = []
    }

    /// A solver with the given options and, optionally, a specific linear solver.
    public init(options: NewtonOptions = NewtonOptions(), linearSolver: (any LinearSolver)? = nil) {
        self.options = options
        self.linearSolver = linearSolver
    }

    /// Solves `R(x) = 0` starting from (and overwriting) `x`.
    /// - Throws: ``NewtonError``; `x` then holds the last iterate.
    @discardableResult
    public func solve(_ system: some NonlinearSystem, x: inout [Double]) throws -> NewtonReport {
        let n = system.unknownCount
        precondition(x.count == n, "x has \(x.count) entries, the system \(n) unknowns")
        if tangent == nil || tangent!.dimension != n {
            tangent = system.tangentPattern()
        }
        if residual.count != n { residual = [Double](repeating: 0, count: n); trialResidual = residual }
        let solver = linearSolver ?? LinearSolvers.makeDefault(for: n, kind: system.matrixKind)
        linearSolver = solver
        if case let .bfgs(quasi) = options.method, !system.hasConstantTangent {
            return try solveQuasiNewton(system, x: &x, options: quasi, solver: solver)
        }
        var report = NewtonReport()

        func evaluate(_ point: [Double], into r: inout [Double], withTangent: Bool, iteration: Int) throws {
            try evaluateSystem(system, point, into: &r, withTangent: withTangent, iteration: iteration, report: &report)
        }

        // A constant tangent already factored for this system is reused: no assembly, no factorization.
        let constant = system.hasConstantTangent
        if !constant || constantFactorOwner != ObjectIdentifier(system) { constantFactorOwner = nil }
        var haveFactor = constantFactorOwner != nil
        try evaluate(x, into: &residual, withTangent: !haveFactor, iteration: 0)
        var norm = l2(residual)
        report.residualNorms.append(norm)
        guard norm.isFinite else { throw NewtonError.diverged(iteration: 0, residualNorm: norm) }
        let target = max(options.relativeTolerance * max(norm, options.referenceNorm), options.absoluteTolerance)
        report.target = target
        let eps = Double.ulpOfOne
        /// Round-off level of the residual at `point` with the latest tangent.
        func roundOffLevel(at point: [Double]) -> Double {
            options.roundOffLevel(tangent.map { absoluteProductNorm($0, point, scratch: &scratch) })
        }
        func accept(_ how: NewtonConvergence, iterations: Int, roundOff: Double) -> NewtonReport {
            report.accept(how, roundOffLevel: roundOff, statistics: &statistics)
            lastReport = report; previousIterations = iterations
            return report
        }
        if n == 0 || norm <= target { return accept(.residual, iterations: 0, roundOff: 0) }
        var floor = roundOffLevel(at: x)
        if norm <= floor { return accept(.roundOff, iterations: 0, roundOff: floor) }

        var step = [Double](repeating: 0, count: n)
        var trial = x
        for iteration in 1...options.maxIterations {
            // Δ = −K⁻¹R, one symbolic analysis per pattern.
            statistics.iterations += 1
            do {
                if !haveFactor {
                    try factorTangent(solver, report: &report)
                    kept = nil
                    if constant { haveFactor = true; constantFactorOwner = ObjectIdentifier(system) }
                    try prepareCorrection(system.tangentCorrection, solver: solver, n: n)
                }
                for i in 0..<n { step[i] = -residual[i] }
                let start = ContinuousClock.now
                try solver.solve(&step, count: 1)
                applyCorrection(&step)
                try projectNullSpace(&step, solver: solver, iteration: iteration)
                statistics.solveSeconds += seconds(since: start)
                statistics.refinementSteps += solver.report.iterations
            } catch let error as NewtonError {
                throw error
            } catch {
                throw NewtonError.linearSolverFailed(iteration: iteration, message: String(describing: error))
            }
            report.iterations = iteration
            // Backtracking on ‖R‖₂. The full step is evaluated with its tangent
            // (the usual case: accepted, no second assembly) — unless this trial is
            // expected to converge, whose tangent would never be factored: when the
            // last solve converged at this iteration count, or the last contraction
            // repeated (‖R‖²/‖R_prev‖) reaches the target. A wrong guess costs one
            // residual evaluation (counted in `statistics.tangentRetries`).
            let threshold = max(target, floor)
            let expectConverged: Bool
            if haveFactor {
                expectConverged = false
            } else if previousIterations > 0 && iteration >= previousIterations {
                expectConverged = true
            } else if report.residualNorms.count >= 2, let before = report.residualNorms.dropLast().last, before > 0 {
                expectConverged = norm * (norm / before) <= threshold
            } else {
                expectConverged = false
            }
            var tangentAtX = false
            var alpha = 1.0, trialNorm = Double.infinity, bestTrial = Double.infinity
            var accepted = false, lastBacktrack = 0
            for backtrack in 0...(options.lineSearch ? options.maxBacktracks : 0) {
                lastBacktrack = backtrack
                for i in 0..<n { trial[i] = x[i] + alpha * step[i] }
                var admissible = true
                let withTangent = backtrack == 0 && !haveFactor && !expectConverged
                do { try evaluate(trial, into: &trialResidual, withTangent: withTangent, iteration: iteration); tangentAtX = withTangent }
                catch { if !options.lineSearch || backtrack == options.maxBacktracks { throw error }; admissible = false }
                trialNorm = admissible ? l2(trialResidual) : .infinity
                bestTrial = min(bestTrial, trialNorm)
                if !options.lineSearch || trialNorm <= (1 - options.armijo * alpha) * norm { accepted = true; break }
                // A full step at round-off (relative to x, or in ‖R‖) is not asked to decrease ‖R‖.
                if backtrack == 0 && trialNorm.isFinite {
                    if options.incrementFactor > 0 && maxAbs(step) <= options.incrementFactor * eps * maxAbs(trial) { accepted = true; break }
                    if trialNorm <= max(threshold, roundOffLevel(at: trial)) { accepted = true; break }
                }
                // Safeguarded quadratic model of φ(α) = ½‖R(x+αΔ)‖², φ'(0) = −‖R‖².
                let phi0 = 0.5 * norm * norm, phiA = 0.5 * trialNorm * trialNorm
                var next = 0.5 * alpha
                if trialNorm.isFinite {
                    let q = norm * norm * alpha * alpha / (2 * (phiA - phi0 + norm * norm * alpha))
                    if q.isFinite { next = min(max(q, 0.1 * alpha), 0.5 * alpha) }
                }
                if backtrack < options.maxBacktracks { alpha = next }
            }
            if !accepted {
                if trialNorm.isFinite && trialNorm < norm {
                    // The last (shortest) step decreased ‖R‖, if not by Armijo's margin: take it.
                } else {
                    // No decrease: accept x if it is at round-off, otherwise say why it stopped.
                    if norm <= max(threshold, floor) { return accept(norm <= target ? .residual : .roundOff, iterations: iteration, roundOff: floor) }
                    throw NewtonError.stalled(iteration: iteration, residualNorm: norm, bestTrialNorm: bestTrial, target: target, roundOffLevel: floor)
                }
            }
            let increment = alpha * maxAbs(step)
            swap(&x, &trial)
            report.stepLengths.append(alpha)
            if lastBacktrack == 0 {
                swap(&residual, &trialResidual)
            } else {
                try evaluate(x, into: &residual, withTangent: !haveFactor, iteration: iteration)
                tangentAtX = true
            }
            norm = l2(residual)
            report.residualNorms.append(norm)
            guard norm.isFinite else { throw NewtonError.diverged(iteration: iteration, residualNorm: norm) }
            if norm <= target { return accept(.residual, iterations: iteration, roundOff: floor) }
            floor = roundOffLevel(at: x)
            if norm <= floor { return accept(.roundOff, iterations: iteration, roundOff: floor) }
            if options.incrementFactor > 0 && increment <= options.incrementFactor * eps * maxAbs(x) {
                return accept(.increment, iterations: iteration, roundOff: floor)
            }
            if !haveFactor && !tangentAtX {
                statistics.tangentRetries += 1
                try evaluate(x, into: &residual, withTangent: true, iteration: iteration)
                norm = l2(residual)
                report.residualNorms[report.residualNorms.count - 1] = norm
            }
        }
        throw NewtonError.notConverged(iterations: options.maxIterations, residualNorm: norm, target: max(target, floor))
    }
}

extension NewtonSolver {
    /// One evaluation of `system` at `point` (residual, and the tangent into ``tangent`` when
    /// `withTangent`), counted in `report` and ``statistics``; the system's own errors become
    /// ``NewtonError/systemFailed(iteration:message:)``.
    private func evaluateSystem(_ system: some NonlinearSystem, _ point: [Double], into r: inout [Double], withTangent: Bool,
                                iteration: Int, report: inout NewtonReport) throws {
        report.evaluations += 1
        statistics.evaluations += 1
        if withTangent { statistics.tangentEvaluations += 1 }
        let start = ContinuousClock.now
        defer { statistics.evaluationSeconds += seconds(since: start) }
        var none: SymmetricMatrix? = nil
        do {
            if withTangent { try system.evaluate(point, residual: &r, tangent: &tangent) }
            else { try system.evaluate(point, residual: &r, tangent: &none) }
        } catch let error as NewtonError { throw error }
        catch { throw NewtonError.systemFailed(iteration: iteration, message: String(describing: error)) }
    }

    /// Prepares the Woodbury solve of ``TangentCorrection`` `correction` on the just-factored
    /// tangent (`m` solves with it); nil or an all-zero correction removes it.
    /// - Throws: ``NewtonError/linearSolverFailed(iteration:message:)`` when `I + E PᵀZ` is singular.
    private func prepareCorrection(_ correction: TangentCorrection?, solver: any LinearSolver, n: Int) throws {
        guard let c = correction, !c.unknowns.isEmpty, c.values.contains(where: { $0 != 0 }) else { woodbury = nil; return }
        let m = c.unknowns.count
        var z = [Double](repeating: 0, count: n * m)
        for (j, u) in c.unknowns.enumerated() { z[j * n + u] = 1 }
        let start = ContinuousClock.now
        try solver.solve(&z, count: m)
        statistics.solveSeconds += seconds(since: start)
        // S = I + E PᵀZ and E, column-major, then M = S⁻¹ E.
        var s = DenseMatrix(rows: m, columns: m), e = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                var sum = i == j ? 1.0 : 0.0
                for k in 0..<m { sum += c.values[i * m + k] * z[j * n + c.unknowns[k]] }
                s[i, j] = sum
                e[i + j * m] = c.values[i * m + j]
            }
        }
        let mm = try s.solve(e, count: m)
        woodbury = Woodbury(unknowns: c.unknowns, z: z, m: mm, py: [Double](repeating: 0, count: m), w: [Double](repeating: 0, count: m))
    }

    /// Turns `y = K⁻¹b` into `J⁻¹b` for `J = K + P E Pᵀ` (``TangentCorrection``): `y − Z M Pᵀy`.
    private func applyCorrection(_ y: inout [Double]) {
        guard var wb = woodbury else { return }
        woodbury = nil   // sole owner of the scratch arrays while they are written
        let m = wb.unknowns.count, n = y.count
        for k in 0..<m { wb.py[k] = y[wb.unknowns[k]] }
        for i in 0..<m {
            var sum = 0.0
            for k in 0..<m { sum += wb.m[i + k * m] * wb.py[k] }
            wb.w[i] = sum
        }
        wb.z.withUnsafeBufferPointer { z in
            y.withUnsafeMutableBufferPointer { out in
                for j in 0..<m {
                    let wj = wb.w[j]
                    if wj == 0 { continue }
                    let base = j * n
                    for i in 0..<n { out[i] -= z[base + i] * wj }
                }
            }
        }
        woodbury = wb
    }

    /// Factors ``tangent`` (a symbolic analysis first when its pattern is new), counted in `report`
    /// and ``statistics``; the null-space basis of the previous factor is dropped.
    private func factorTangent(_ solver: any LinearSolver, report: inout NewtonReport) throws {
        if analyzedPattern == nil || !analyzedPattern!.hasSamePattern(as: tangent!) {
            let start = ContinuousClock.now
            try solver.analyze(tangent!)
            statistics.analyzeSeconds += seconds(since: start)
            analyzedPattern = tangent
            analyses += 1
            statistics.analyses += 1
        }
        let start = ContinuousClock.now
        try solver.factor(tangent!)
        statistics.factorSeconds += seconds(since: start)
        factorizations += 1
        statistics.factorizations += 1
        report.factorizations += 1
        statistics.maxPerturbedPivots = max(statistics.maxPerturbedPivots, solver.report.perturbedPivots)
        nullBasis = nil
        woodbury = nil
    }

    /// A singular tangent (e.g. unconstrained rigid-body motions): drops the correction's arbitrary
    /// null-space component (LDLᵀ factors, when ``NewtonOptions/projectNullSpace``).
    /// - Throws: ``NewtonError/singularTangent(iteration:zeroPivots:projected:)`` when the factorization
    ///   reports more zero pivots (``SolverReport/singular``) than null directions were removed.
    private func projectNullSpace(_ step: inout [Double], solver: any LinearSolver, iteration: Int) throws {
        var removed = 0
        if options.projectNullSpace, let ldlt = solver as? SupernodalLDLT {
            if nullBasis == nil {
                nullBasis = ldlt.nullSpaceBasis()
                statistics.nullSpaceDimension = max(statistics.nullSpaceDimension, nullBasis!.count)
            }
            if let basis = nullBasis, !basis.isEmpty {
                project(&step, outOf: basis)
                statistics.projectedCorrections += 1
                removed = basis.count
            }
        }
        // Backstop: a zero pivot whose direction was not removed leaves an undetermined correction.
        if solver.report.singular, let zero = solver.report.inertia?.zero, zero > removed {
            throw NewtonError.singularTangent(iteration: iteration, zeroPivots: zero, projected: removed)
        }
    }
}

extension NewtonSolver {
    /// Quasi-Newton (``NewtonMethod/bfgs(_:)``) solve of `R(x) = 0` from `x`: the acceptance tests
    /// of ``NewtonOptions`` on a kept factorization with BFGS updates (``QuasiNewtonOptions``).
    private func solveQuasiNewton(_ system: some NonlinearSystem, x: inout [Double], options quasi: QuasiNewtonOptions,
                                  solver: any LinearSolver) throws -> NewtonReport {
        let n = system.unknownCount
        var report = NewtonReport()
        constantFactorOwner = nil

        func evaluate(_ point: [Double], into r: inout [Double], withTangent: Bool, iteration: Int) throws {
            try evaluateSystem(system, point, into: &r, withTangent: withTangent, iteration: iteration, report: &report)
        }

        // Is the kept factorization usable for this solve?
        let timeStep = system.tangentTimeStep
        var reform = ReformReason.none
        if let k = kept, k.system === system, tangent != nil, analyzedPattern != nil {
            if let dt = timeStep, let df = k.timeStep, df > 0, abs(dt / df - 1) > quasi.timeStepChange { reform = .timeStep }
            else if (timeStep == nil) != (k.timeStep == nil) { reform = .timeStep }
            else if k.v.count >= quasi.maxUpdates && quasi.maxUpdates > 0 { reform = .limit }
        } else { reform = .initial }
        if reform != .none { kept = nil }

        var tangentAtX = reform != .none
        try evaluate(x, into: &residual, withTangent: tangentAtX, iteration: 0)
        var norm = l2(residual)
        report.residualNorms.append(norm)
        guard norm.isFinite else { throw NewtonError.diverged(iteration: 0, residualNorm: norm) }
        let target = max(options.relativeTolerance * max(norm, options.referenceNorm), options.absoluteTolerance)
        report.target = target
        let eps = Double.ulpOfOne
        func roundOffLevel(at point: [Double]) -> Double {
            options.roundOffLevel(tangent.map { absoluteProductNorm($0, point, scratch: &scratch) })
        }
        func accept(_ how: NewtonConvergence, roundOff: Double) -> NewtonReport {
            report.accept(how, roundOffLevel: roundOff, statistics: &statistics)
            lastReport = report
            return report
        }
        if n == 0 || norm <= target { return accept(.residual, roundOff: 0) }
        var floor = roundOffLevel(at: x)
        if norm <= floor { return accept(.roundOff, roundOff: floor) }

        if step.count != n { step = [Double](repeating: 0, count: n) }
        var trial = x
        var previousResidual = [Double](repeating: 0, count: n)
        /// True when the kept factorization was made at the current iterate (a Newton step).
        var fresh = false
        for iteration in 1...options.maxIterations {
            statistics.iterations += 1
            do {
                if reform != .none {
                    switch reform {
                    case .initial: statistics.reformationsInitial += 1
                    case .timeStep: statistics.reformationsTimeStep += 1
                    case .slow: statistics.reformationsSlowConvergence += 1
                    case .lineSearch: statistics.reformationsLineSearch += 1
                    case .limit: statistics.reformationsUpdateLimit += 1
                    case .rejected: statistics.reformationsRejectedUpdate += 1
                    case .none: break
                    }
                    if !tangentAtX {
                        try evaluate(x, into: &residual, withTangent: true, iteration: iteration)
                        tangentAtX = true
                        norm = l2(residual)
                        report.residualNorms[report.residualNorms.count - 1] = norm
                    }
                    try factorTangent(solver, report: &report)
                    try prepareCorrection(system.tangentCorrection, solver: solver, n: n)
                    kept = KeptFactorization(system: system, timeStep: timeStep)
                    reform = .none
                    fresh = true
                }
                // d = −H R with H = (I + w_k v_kᵀ)⋯ K₀⁻¹ ⋯(I + v_k w_kᵀ).
                let start = ContinuousClock.now
                for i in 0..<n { step[i] = -residual[i] }
                let pairs = kept!.v.count
                for i in stride(from: pairs - 1, through: 0, by: -1) { axpy(dot(kept!.w[i], step), kept!.v[i], &step) }
                try solver.solve(&step, count: 1)
                applyCorrection(&step)
                for i in 0..<pairs { axpy(dot(kept!.v[i], step), kept!.w[i], &step) }
                try projectNullSpace(&step, solver: solver, iteration: iteration)
                statistics.solveSeconds += seconds(since: start)
                statistics.refinementSteps += solver.report.iterations
            } catch let error as NewtonError {
                throw error
            } catch {
                throw NewtonError.linearSolverFailed(iteration: iteration, message: String(describing: error))
            }
            report.iterations = iteration
            // Line search on ‖R‖₂, residual-only evaluations. With a factorization older than
            // this iterate a full step that does not decrease ‖R‖ reforms instead of backtracking.
            let threshold = max(target, floor)
            var alpha = 1.0, trialNorm = Double.infinity, bestTrial = Double.infinity
            var accepted = false
            for backtrack in 0...(options.lineSearch ? options.maxBacktracks : 0) {
                for i in 0..<n { trial[i] = x[i] + alpha * step[i] }
                var admissible = true
                do { try evaluate(trial, into: &trialResidual, withTangent: false, iteration: iteration) }
                catch {
                    if !options.lineSearch || (fresh && backtrack == options.maxBacktracks) { throw error }
                    admissible = false
                }
                trialNorm = admissible ? l2(trialResidual) : .infinity
                bestTrial = min(bestTrial, trialNorm)
                if !options.lineSearch || trialNorm <= (1 - options.armijo * alpha) * norm { accepted = true; break }
                if backtrack == 0 && trialNorm.isFinite {
                    if options.incrementFactor > 0 && maxAbs(step) <= options.incrementFactor * eps * maxAbs(trial) { accepted = true; break }
                    if trialNorm <= max(threshold, roundOffLevel(at: trial)) { accepted = true; break }
                }
                if !fresh { break }
                let phi0 = 0.5 * norm * norm, phiA = 0.5 * trialNorm * trialNorm
                var next = 0.5 * alpha
                if trialNorm.isFinite {
                    let q = norm * norm * alpha * alpha / (2 * (phiA - phi0 + norm * norm * alpha))
                    if q.isFinite { next = min(max(q, 0.1 * alpha), 0.5 * alpha) }
                }
                if backtrack < options.maxBacktracks { alpha = next }
            }
            if !accepted {
                if !fresh { reform = .lineSearch; continue }
                if trialNorm.isFinite && trialNorm < norm {
                    // The last (shortest) step decreased ‖R‖, if not by Armijo's margin: take it.
                } else {
                    if norm <= max(threshold, floor) { return accept(norm <= target ? .residual : .roundOff, roundOff: floor) }
                    throw NewtonError.stalled(iteration: iteration, residualNorm: norm, bestTrialNorm: bestTrial, target: target, roundOffLevel: floor)
                }
            }
            let increment = alpha * maxAbs(step)
            let previousNorm = norm
            swap(&x, &trial)
            swap(&residual, &previousResidual)
            swap(&residual, &trialResidual)
            tangentAtX = false
            fresh = false
            report.stepLengths.append(alpha)
            norm = l2(residual)
            report.residualNorms.append(norm)
            guard norm.isFinite else { throw NewtonError.diverged(iteration: iteration, residualNorm: norm) }
            if norm <= target { return accept(.residual, roundOff: floor) }
            floor = roundOffLevel(at: x)
            if norm <= floor { return accept(.roundOff, roundOff: floor) }
            if options.incrementFactor > 0 && increment <= options.incrementFactor * eps * maxAbs(x) {
                return accept(.increment, roundOff: floor)
            }
            if norm > quasi.reformRatio * previousNorm { reform = .slow; continue }
            if quasi.maxUpdates == 0 { continue }
            if kept!.v.count >= quasi.maxUpdates { reform = .limit; continue }
            // BFGS update from s = α d (stored back in `step`), y = R_{k+1} − R_k, B s = −α R_k.
            var sy = 0.0, sBs = 0.0
            for i in 0..<n {
                let s = alpha * step[i]
                sy += s * (residual[i] - previousResidual[i])
                sBs -= s * alpha * previousResidual[i]
            }
            let r = sy / sBs
            let c = r.squareRoot()
            guard r > 0, r.isFinite, c <= quasi.maxConditionNumber, c >= 1 / quasi.maxConditionNumber else { reform = .rejected; continue }
            var v = [Double](repeating: 0, count: n), w = v
            for i in 0..<n {
                // v = −c B s − y = c α R_k − (R_{k+1} − R_k); w = s / sᵀy.
                v[i] = c * alpha * previousResidual[i] - (residual[i] - previousResidual[i])
                w[i] = alpha * step[i] / sy
            }
            kept!.v.append(v)
            kept!.w.append(w)
            statistics.quasiNewtonUpdates += 1
        }
        throw NewtonError.notConverged(iterations: options.maxIterations, residualNorm: norm, target: max(target, floor))
    }
}

/// Why the quasi-Newton mode reforms the tangent (`none`: it does not).
private enum ReformReason { case none, initial, timeStep, slow, lineSearch, limit, rejected }

/// `y ← y + a x`.
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            for i in 0..<yb.count { yb[i] += a * xb[i] }
        }
    }
}

/// `xᵀy`.
func dot(_ x: [Double], _ y: [Double]) -> Double {
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeBufferPointer { yb in
            var s = 0.0
            for i in 0..<xb.count { s += xb[i] * yb[i] }
            return s
        }
    }
}

/// Wall-clock seconds from `start` to now.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = (ContinuousClock.now - start).components
    return Double(d.seconds) + Double(d.attoseconds) * 1e-18
}

@inlinable
func l2(_ v: [Double]) -> Double {
    var s = 0.0
    for x in v { s += x * x }
    return s.squareRoot()
}

/// `v ← v − Σ b (bᵀv)` for orthonormal `basis` vectors.
func project(_ v: inout [Double], outOf basis: [[Double]]) {
    for b in basis {
        var d = 0.0
        for i in 0..<v.count { d += b[i] * v[i] }
        for i in 0..<v.count { v[i] -= d * b[i] }
    }
}

extension NewtonOptions {
    /// The round-off level `roundOffFactor · ε · ‖|K||x|‖₂` of a residual, given `‖|K||x|‖₂`
    /// (nil: no tangent yet; 0 when the test is off).
    func roundOffLevel(_ absoluteProductNorm: Double?) -> Double {
        guard roundOffFactor > 0, let size = absoluteProductNorm else { return 0 }
        return roundOffFactor * Double.ulpOfOne * size
    }
}

extension NewtonReport {
    /// Records which test accepted the solve and the round-off level there, and counts a
    /// round-off or increment acceptance in `statistics`.
    mutating func accept(_ how: NewtonConvergence, roundOffLevel level: Double, statistics: inout NewtonStatistics) {
        convergence = how
        roundOffLevel = level
        switch how {
        case .roundOff: statistics.roundOffAcceptances += 1
        case .increment: statistics.incrementAcceptances += 1
        case .residual: break
        }
    }
}

/// `max |vᵢ|` (0 for an empty vector).
func maxAbs(_ v: [Double]) -> Double {
    var m = 0.0
    for x in v { m = max(m, abs(x)) }
    return m
}

/// `‖|K||x|‖₂` of a general (CSR) matrix: the size of the terms whose sum is `K x`, row by row.
func absoluteProductNorm(_ k: CSRMatrix, _ x: [Double], scratch: inout [Double]) -> Double {
    if scratch.count != k.rows { scratch = [Double](repeating: 0, count: k.rows) }
    for i in 0..<k.rows {
        scratch[i] = (k.rowStarts[i]..<k.rowStarts[i + 1]).reduce(0.0) { $0 + abs(k.values[$1]) * abs(x[Int(k.columnIndices[$1])]) }
    }
    return l2(scratch)
}

/// `‖|K||x|‖₂` for the symmetric `k` (lower triangle stored): the size of the terms whose
/// sums make `K x`, so `ε` times it is the round-off level of a residual assembled from them.
/// `scratch` is resized to `k.dimension` and overwritten.
func absoluteProductNorm(_ k: SymmetricMatrix, _ x: [Double], scratch: inout [Double]) -> Double {
    let n = k.dimension
    if scratch.count != n { scratch = [Double](repeating: 0, count: n) } else { for i in 0..<n { scratch[i] = 0 } }
    k.columnStarts.withUnsafeBufferPointer { cs in
        k.rowIndices.withUnsafeBufferPointer { ri in
            k.values.withUnsafeBufferPointer { v in
                x.withUnsafeBufferPointer { xb in
                    scratch.withUnsafeMutableBufferPointer { y in
                        for j in 0..<n {
                            let xj = abs(xb[j])
                            var sum = 0.0
                            for p in cs[j]..<cs[j + 1] {
                                let i = Int(ri[p]), a = abs(v[p])
                                y[i] += a * xj
                                if i != j { sum += a * abs(xb[i]) }
                            }
                            y[j] += sum
                        }
                    }
                }
            }
        }
    }
    return l2(scratch)
}
