/// Shared driver of the supernodal solvers: analysis, numeric factor, solve
/// with permutation and iterative refinement, and the report.
final class SupernodalDriver {
    let indefinite: Bool
    let orderingMethod: OrderingMethod
    let explicitOrdering: Ordering?
    let relaxation: SupernodeRelaxation
    var maxRefinementSteps: Int
    /// Worker threads for independent subtrees, and the flops below which none are used.
    var threads = SupernodalSchedule.defaultThreads
    var parallelWorkThreshold = SupernodalSchedule.defaultParallelWorkThreshold
    /// Fronts with less off-diagonal work than this stay on the calling thread (see ``MultifrontalFactor/defaultSerialFrontWork``).
    var serialFrontWork = MultifrontalFactor.defaultSerialFrontWork
    var pivotTolerance: Double
    var report = SolverReport()
    var analysis: SupernodalAnalysis?
    var numeric: MultifrontalFactor?
    var factored: SymmetricMatrix?

    init(indefinite: Bool, orderingMethod: OrderingMethod, ordering: Ordering?, relaxation: SupernodeRelaxation,
         maxRefinementSteps: Int, pivotTolerance: Double) {
        self.indefinite = indefinite
        self.orderingMethod = orderingMethod
        self.explicitOrdering = ordering
        self.relaxation = relaxation
        self.maxRefinementSteps = maxRefinementSteps
        self.pivotTolerance = pivotTolerance
        report.solver = indefinite ? "supernodal-ldlt" : "supernodal-cholesky"
    }

    func analyze(_ matrix: SymmetricMatrix) throws {
        let start = ContinuousClock.now
        if let explicitOrdering, explicitOrdering.permutation.count != matrix.dimension {
            throw LinearAlgebraError.dimensionMismatch(what: "ordering", expected: matrix.dimension, got: explicitOrdering.permutation.count)
        }
        let ordering = try explicitOrdering ?? Ordering.compute(orderingMethod, for: matrix)
        let a = try SupernodalAnalysis(matrix, ordering: ordering, relaxation: relaxation,
                                       threads: threads, parallelWorkThreshold: parallelWorkThreshold)
        analysis = a
        numeric = nil
        factored = nil
        numeric = MultifrontalFactor(analysis: a, indefinite: indefinite)
        report.ordering = ordering.method.rawValue
        report.dimension = a.dimension
        report.nonzerosA = matrix.fullNonzeroCount
        report.nonzerosL = a.storedNonzerosL
        report.factorFlops = a.factorFlops
        report.supernodes = a.supernodeCount
        report.inertia = nil
        report.perturbedPivots = 0
        report.analyzeSeconds = (ContinuousClock.now - start).seconds
    }

    func factor(_ matrix: SymmetricMatrix) throws {
        guard let analysis, let numeric else { throw LinearAlgebraError.phaseOrder("factor: call analyze first") }
        try analysis.checkPattern(matrix)
        var largest = 0.0
        var finite = true
        matrix.values.withUnsafeBufferPointer { v in
            for x in v { if !x.isFinite { finite = false; break }; largest = max(largest, abs(x)) }
        }
        if !finite { try matrix.checkFinite() }
        factored = nil
        let start = ContinuousClock.now
        numeric.serialFrontWork = serialFrontWork
        try numeric.factor(matrix, pivotThreshold: pivotTolerance * largest)
        report.factorSeconds = (ContinuousClock.now - start).seconds
        report.inertia = numeric.inertia
        report.perturbedPivots = numeric.perturbedPivots
        factored = matrix
    }

    func solve(_ rhs: inout [Double], count: Int) throws {
        guard let analysis, let numeric, let a = factored else { throw LinearAlgebraError.phaseOrder("solve: call factor first") }
        let n = analysis.dimension
        guard count >= 0 else { throw LinearAlgebraError.invalidArgument("right-hand side count must be ≥ 0, got \(count)") }
        guard rhs.count == n * count else {
            throw LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: n * count, got: rhs.count)
        }
        for (p, v) in rhs.enumerated() where !v.isFinite {
            throw LinearAlgebraError.invalidArgument("right-hand side entry \(p % max(n, 1)) of column \(p / max(n, 1)) is \(v): expected a finite number")
        }
        if n == 0 || count == 0 { report.relativeResidual = 0; report.iterations = 0; return }
        let start = ContinuousClock.now
        let perm = analysis.ordering.permutation
        let b = rhs
        var work = [Double](repeating: 0, count: n * count)
        func permutedSolve(_ v: inout [Double]) {
            for c in 0..<count { for i in 0..<n { work[c * n + i] = v[c * n + perm[i]] } }
            work.withUnsafeMutableBufferPointer { numeric.solvePermuted($0.baseAddress!, count: count) }
            for c in 0..<count { for i in 0..<n { v[c * n + perm[i]] = work[c * n + i] } }
        }
        permutedSolve(&rhs)
        // Residuals of every column; refinement x += A⁻¹(b − A x) while it helps.
        var residual = [Double](repeating: 0, count: n * count)
        var column = [Double](repeating: 0, count: n), product = [Double](repeating: 0, count: n)
        func residuals() -> [Double] {
            var rel = [Double](repeating: 0, count: count)
            for c in 0..<count {
                for i in 0..<n { column[i] = rhs[c * n + i] }
                a.multiply(column, into: &product)
                var rr = 0.0, bb = 0.0
                for i in 0..<n {
                    let r = b[c * n + i] - product[i]
                    residual[c * n + i] = r; rr += r * r; bb += b[c * n + i] * b[c * n + i]
                }
                rel[c] = bb > 0 ? (rr / bb).squareRoot() : rr.squareRoot()
            }
            return rel
        }
        var rel = residuals()
        var steps = 0
        let target = 1e-14
        while steps < maxRefinementSteps, let worst = rel.max(), worst > target {
            let saved = rhs
            permutedSolve(&residual)
            for p in 0..<(n * count) { rhs[p] += residual[p] }
            let next = residuals()
            steps += 1
            if next.max()! >= worst {
                // No improvement: keep the previous iterate.
                rhs = saved
                rel = residuals()
                break
            }
            let improved = next.max()! < 0.5 * worst
            rel = next
            if !improved { break }
        }
        report.iterations = steps
        report.relativeResidual = rel[0]
        report.solveSeconds = (ContinuousClock.now - start).seconds
    }
}

/// What ``SupernodalCholesky`` and ``SupernodalLDLT`` share: one driver (analysis, multifrontal
/// factorization, refined solves) and the settings and measurements it exposes.
public class SupernodalFactorization: LinearSolver {
    let driver: SupernodalDriver

    init(driver: SupernodalDriver) { self.driver = driver }

    /// Measurements of the last analyse/factor/solve: nnz(L) counts stored
    /// entries (relaxed supernodes' explicit zeros included), flops those of the
    /// factorization as performed.
    public var report: SolverReport { driver.report }

    /// Bins of independent subtrees of the assembly tree (default
    /// ``SupernodalSchedule/defaultThreads``, i.e. ``ThreadBudget/total``; 1 = none),
    /// used from the next ``analyze(_:)``. Which threads run the bins is decided at
    /// each ``factor(_:)`` by ``ThreadBudget``; the result does not depend on it.
    public var threads: Int {
        get { driver.threads }
        set { driver.threads = max(1, newValue) }
    }

    /// Factorizations with fewer flops than this run on one thread (default 2·10⁸),
    /// used from the next ``analyze(_:)``.
    public var parallelWorkThreshold: Double {
        get { driver.parallelWorkThreshold }
        set { driver.parallelWorkThreshold = newValue }
    }
    /// Fronts whose off-diagonal work `k²u + ku²` (flops, with `k` the front's
    /// columns and `u` its update order) is below this do their off-diagonal work
    /// on the calling thread with light kernels: the triangular solve in a plain loop,
    /// the update as small `dgemm` calls (the pivot block's `dpotrf`/`dsytrf` is
    /// unchanged); larger fronts use `dtrsm`/`dgemm` in pieces that helper threads may
    /// take (default 4·10⁶; 0 = every front is pieced). Used from the next ``factor(_:)``.
    public var serialFrontWork: Double {
        get { driver.serialFrontWork }
        set {
            precondition(newValue >= 0, "serialFrontWork must be ≥ 0, got \(newValue)")
            driver.serialFrontWork = newValue
        }
    }
    /// The symbolic factorization of the last ``analyze(_:)``.
    public var analysis: SupernodalAnalysis? { driver.analysis }

    /// Orders the pattern (METIS nested dissection unless another ordering was
    /// given) and computes the symbolic factorization; values are ignored.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(what:expected:got:)`` for an ordering of the wrong size.
    public func analyze(_ matrix: SymmetricMatrix) throws { try driver.analyze(matrix) }

    /// Factorizes new values on the analysed pattern.
    /// - Throws: ``LinearAlgebraError/patternMismatch(_:)``, ``LinearAlgebraError/nonFinite(row:column:value:)``;
    ///   for ``SupernodalCholesky`` also ``LinearAlgebraError/notPositiveDefinite(column:pivot:)`` naming the original column.
    public func factor(_ matrix: SymmetricMatrix) throws { try driver.factor(matrix) }

    /// Solves for `count` right-hand sides stored column after column in `rhs`,
    /// then refines iteratively while the worst relative residual exceeds 10⁻¹⁴
    /// and halves per step (at most `maxRefinementSteps` steps).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(what:expected:got:)`` when
    ///   `rhs.count ≠ count · n`; ``LinearAlgebraError/phaseOrder(_:)`` before a successful `factor`;
    ///   ``LinearAlgebraError/invalidArgument(_:)`` for a NaN/Inf right-hand side entry.
    public func solve(_ rhs: inout [Double], count: Int) throws { try driver.solve(&rhs, count: count) }

    /// Entries of the computed factor that are not exactly zero (diagnostic; O(nnz(L))).
    public var numericNonzerosL: Int { driver.factored == nil ? 0 : driver.numeric?.nonzeroEntryCount() ?? 0 }
}

/// Sparse supernodal Cholesky `P A Pᵀ = L Lᵀ` for symmetric positive definite
/// matrices (elasticity, diffusion): METIS nested dissection by default,
/// relaxed supernodes, and a multifrontal numeric phase whose dense work is
/// `dpotrf`/`dtrsm`/`dsyrk` per front (see ``SupernodalAnalysis``).
///
/// `factor` may be called any number of times with new values on the analysed
/// pattern. Parallelism: independent subtrees in bins, then the large fronts at
/// the top of the tree in fixed pieces, on the threads ``ThreadBudget`` grants at
/// the time (the BLAS itself single-threaded) — see ``SupernodalSchedule/defaultThreads``
/// and ``threads``. The factor does not depend on how many threads were granted.
public final class SupernodalCholesky: SupernodalFactorization {
    /// - Parameters:
    ///   - ordering: fill-reducing ordering method (default METIS nested dissection).
    ///   - relaxation: supernode amalgamation rules (default CHOLMOD's).
    ///   - maxRefinementSteps: iterative-refinement steps allowed per solve (default 2).
    public init(ordering: OrderingMethod = .nestedDissection, relaxation: SupernodeRelaxation = .cholmod, maxRefinementSteps: Int = 2) {
        super.init(driver: SupernodalDriver(indefinite: false, orderingMethod: ordering, ordering: nil, relaxation: relaxation,
                                            maxRefinementSteps: maxRefinementSteps, pivotTolerance: 0))
    }

    /// Uses a given ordering (its size must match the matrix given to ``analyze(_:)``).
    public init(ordering: Ordering, relaxation: SupernodeRelaxation = .cholmod, maxRefinementSteps: Int = 2) {
        super.init(driver: SupernodalDriver(indefinite: false, orderingMethod: ordering.method, ordering: ordering, relaxation: relaxation,
                                            maxRefinementSteps: maxRefinementSteps, pivotTolerance: 0))
    }
}

/// Sparse supernodal `P A Pᵀ = L D Lᵀ` for symmetric indefinite matrices (the
/// u–p saddle-point systems of poroelasticity).
///
/// Same analysis and multifrontal scheme as ``SupernodalCholesky``. Inside each
/// front the fully-summed block is factorized by Bunch–Kaufman (`dsytrf`, 1×1
/// and 2×2 pivots, interchanges restricted to the supernode), the off-diagonal
/// block becomes `L₂₁ = F₂₁ P L₁₁⁻ᵀ D⁻¹` (`dtrsm` + block-diagonal solve) and the
/// Schur complement `F₂₂ − L₂₁ D L₂₁ᵀ` is formed with `dgemm` on column blocks.
///
/// Static pivot perturbation (as PARDISO, Schenk & Gärtner, "On fast
/// factorization pivoting methods for sparse symmetric indefinite systems",
/// ETNA 23 (2006) 158–179): a 1×1 pivot with |d| < ε·max|aᵢⱼ| becomes
/// ±ε·max|aᵢⱼ| (sign kept, + for an exact zero) and is counted in
/// ``SolverReport/perturbedPivots``. Default ε = 10⁻¹³ (PARDISO's default
/// perturbation for nonsymmetric matrices), not PARDISO's symmetric-indefinite
/// 10⁻⁸: without PARDISO's matching-based 2×2 preprocessing, the pressure pivots
/// of a Biot u–p matrix are as small as κΔt·|H| and must not be perturbed.
/// Measured on the generated Biot matrix (12³ hexes, n = 8112): κΔt = 10⁻⁸ with
/// ε = 10⁻⁸ perturbs 83 genuine pivots of size ≈ ε·max|a| and refinement stalls
/// at residual 0.25; with ε = 10⁻¹³ nothing is perturbed and the residual is
/// 2.6·10⁻¹⁵. A zero pressure block (κΔt = 0) perturbs 101 exact zeros and
/// refinement reaches 2.5·10⁻¹⁵ in 2 steps. Pivots within a few orders of ε·max|a|
/// remain the weak spot (no delayed pivoting).
/// Iterative refinement in ``solve(_:count:)`` (default up to 10 steps, until
/// ‖b − Ax‖ ≤ 10⁻¹⁴‖b‖ or no halving of the residual) removes the perturbation's
/// error. The inertia counts `D`'s eigenvalue signs (2×2 blocks by determinant
/// and trace). A perturbed pivot whose whole column in its front is below
/// ε·max|aᵢⱼ| (no coupling left to any unknown) is a null direction and counts
/// as zero — ``SolverReport/singular`` is then true; a perturbed pivot still
/// coupled to later unknowns (an artifact of pivoting restricted to the
/// supernode) counts by its new sign.
public final class SupernodalLDLT: SupernodalFactorization {
    /// - Parameters:
    ///   - ordering: fill-reducing ordering method (default METIS nested dissection).
    ///   - relaxation: supernode amalgamation rules (default CHOLMOD's).
    ///   - pivotTolerance: ε of the static pivot perturbation, relative to max|aᵢⱼ| (dimensionless, default 1e-13).
    ///   - maxRefinementSteps: iterative-refinement steps allowed per solve (default 10).
    public init(ordering: OrderingMethod = .nestedDissection, relaxation: SupernodeRelaxation = .cholmod,
                pivotTolerance: Double = 1e-13, maxRefinementSteps: Int = 10) {
        super.init(driver: SupernodalDriver(indefinite: true, orderingMethod: ordering, ordering: nil, relaxation: relaxation,
                                            maxRefinementSteps: maxRefinementSteps, pivotTolerance: pivotTolerance))
    }

    /// Uses a given ordering (its size must match the matrix given to ``analyze(_:)``).
    public init(ordering: Ordering, relaxation: SupernodeRelaxation = .cholmod,
                pivotTolerance: Double = 1e-13, maxRefinementSteps: Int = 10) {
        super.init(driver: SupernodalDriver(indefinite: true, orderingMethod: ordering.method, ordering: ordering, relaxation: relaxation,
                                            maxRefinementSteps: maxRefinementSteps, pivotTolerance: pivotTolerance))
    }
}

extension SupernodalDriver {
    /// Orthonormal null vectors of the factored matrix found at its tiny pivots (see
    /// ``SupernodalLDLT/nullSpaceBasis(maxDimension:pivotTolerance:tolerance:)``).
    func nullSpace(maxDimension: Int, pivotTolerance: Double, tolerance: Double) -> [[Double]] {
        guard indefinite, let analysis, let numeric, let a = factored else { return [] }
        var largest = 0.0
        for v in a.values { largest = max(largest, abs(v)) }
        let candidates = numeric.smallPivots(threshold: max(numeric.lastPivotThreshold, pivotTolerance * largest))
        guard !candidates.isEmpty else { return [] }
        let n = analysis.dimension
        let perm = analysis.ordering.permutation
        var basis: [[Double]] = []
        var product = [Double](repeating: 0, count: n)
        for pivot in candidates.prefix(maxDimension) {
            let permuted = numeric.inverseTransposeColumn(pivot)
            var v = [Double](repeating: 0, count: n)
            for i in 0..<n { v[perm[i]] = permuted[i] }
            // A null vector: ‖A v‖ ≤ tolerance · max|aᵢⱼ| · ‖v‖ (a zero pivot of a nonsingular
            // matrix gives ‖A v‖ of the size of its Schur-complement column instead).
            a.multiply(v, into: &product)
            var av = 0.0, vv = 0.0
            for i in 0..<n { av += product[i] * product[i]; vv += v[i] * v[i] }
            guard vv > 0, av.squareRoot() <= tolerance * largest * vv.squareRoot() else { continue }
            // Modified Gram–Schmidt, twice, against the vectors kept so far.
            for _ in 0..<2 {
                for b in basis {
                    var d = 0.0
                    for i in 0..<n { d += b[i] * v[i] }
                    for i in 0..<n { v[i] -= d * b[i] }
                }
            }
            var norm = 0.0
            for x in v { norm += x * x }
            norm = norm.squareRoot()
            guard norm > 1e-8 * vv.squareRoot() else { continue }
            for i in 0..<n { v[i] /= norm }
            basis.append(v)
        }
        return basis
    }
}

extension SupernodalLDLT {
    /// An orthonormal basis of the null space the last ``factor(_:)`` met, in the original
    /// numbering: one vector per tiny pivot (or 2×2 pivot eigenvalue) at which the matrix really is singular.
    ///
    /// A 1×1 pivot at position `j` with |d| ≤ `pivotTolerance`·max|aᵢⱼ| (a perturbed pivot,
    /// see ``SolverReport/perturbedPivots``, or one just above the perturbation threshold)
    /// gives the candidate `v = Pᵀ L⁻ᵀ eⱼ`, for which `A v` equals the Schur-complement column
    /// eliminated at `j` (a 2×2 pivot with an eigenvalue that small: `v = Pᵀ L⁻ᵀ w` with `w`
    /// its eigenvector, `A v` the Schur-complement block times `w`): zero when `A` is singular in that direction (an unconstrained
    /// rigid-body motion of a structure, a floating pressure level), of the size of `A`'s
    /// entries when only the pivot was small (a zero pivot of a nonsingular saddle-point
    /// matrix, which the static perturbation and refinement handle). Candidates with
    /// `‖A v‖₂ ≤ tolerance · max|aᵢⱼ| · ‖v‖₂` are kept and orthonormalized.
    ///
    /// A caller solving a consistent singular system (`b` orthogonal to the null space up to
    /// round-off) removes the solution's components along these vectors: the solve otherwise
    /// adds a null-space component of size (round-off of `b` along it) / (tiny pivot),
    /// arbitrary and often larger than the solution itself.
    ///
    /// - Parameters:
    ///   - maxDimension: candidates examined, smallest pivot first (default 12: the rigid-body
    ///     modes of two free bodies).
    ///   - pivotTolerance: pivots at most this times max|aᵢⱼ| are candidates (default 1e-10).
    ///   - tolerance: relative size of `A v` below which `v` is a null vector (default 1e-8).
    /// - Returns: empty before a factorization or when no pivot is that small. Cost: one
    ///   triangular solve and one product with `A` per candidate.
    public func nullSpaceBasis(maxDimension: Int = 12, pivotTolerance: Double = 1e-10, tolerance: Double = 1e-8) -> [[Double]] {
        driver.nullSpace(maxDimension: maxDimension, pivotTolerance: pivotTolerance, tolerance: tolerance)
    }
}
