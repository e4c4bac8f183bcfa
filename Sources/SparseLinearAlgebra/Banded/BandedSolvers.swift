import CLAPACK

/// The pattern-only part shared by the banded solvers: a bandwidth-reducing
/// ordering, the permuted pattern and the map that refills it with new values.
struct BandAnalysis {
    /// The ordering applied (`permutation[new] = old`).
    let ordering: Ordering
    /// Column starts of the permuted lower triangle `P A Pᵀ`.
    let columnStarts: [Int]
    /// Row indices of the permuted lower triangle.
    let rowIndices: [Int32]
    /// For each permuted entry, the index of the original stored entry.
    let sourceOfEntry: [Int]
    /// Semi-bandwidth `max(i − j)` of `P A Pᵀ`.
    let bandwidth: Int
    /// The analysed pattern (to check `factor`'s input against).
    let pattern: SymmetricMatrix

    init(_ matrix: SymmetricMatrix, method: OrderingMethod) throws {
        let ordering = try Ordering.compute(method, for: matrix)
        let (permuted, source) = matrix.permuted(by: ordering.permutation)
        var kd = 0
        for j in 0..<permuted.dimension where permuted.columnStarts[j] < permuted.columnStarts[j + 1] {
            // Rows are sorted: the last one is the farthest from the diagonal.
            kd = max(kd, Int(permuted.rowIndices[permuted.columnStarts[j + 1] - 1]) - j)
        }
        self.ordering = ordering
        self.columnStarts = permuted.columnStarts
        self.rowIndices = permuted.rowIndices
        self.sourceOfEntry = source
        self.bandwidth = kd
        self.pattern = matrix
    }

    /// `y[new] = x[permutation[new]]` for `count` stacked vectors.
    func permute(_ x: [Double], count: Int) -> [Double] {
        let n = ordering.permutation.count
        var y = [Double](repeating: 0, count: x.count)
        for c in 0..<count { for new in 0..<n { y[c * n + new] = x[c * n + ordering.permutation[new]] } }
        return y
    }

    /// `x[permutation[new]] = y[new]` for `count` stacked vectors.
    func unpermute(_ y: [Double], into x: inout [Double], count: Int) {
        let n = ordering.permutation.count
        for c in 0..<count { for new in 0..<n { x[c * n + ordering.permutation[new]] = y[c * n + new] } }
    }

    /// Throws unless `matrix` has the analysed pattern and finite values.
    func check(_ matrix: SymmetricMatrix) throws {
        guard pattern.hasSamePattern(as: matrix) else {
            throw LinearAlgebraError.patternMismatch("factor: dimension \(matrix.dimension) with \(matrix.storedCount) stored entries, analysed dimension \(pattern.dimension) with \(pattern.storedCount)")
        }
        try matrix.checkFinite()
    }
}
/// The analyse phase both band solvers share: orders `matrix`, refuses a band of
/// `bandRows(kd)` rows that exceeds `limit` doubles, and fills `report` (band storage
/// as `nonzerosL`, `Σⱼ columnFlops(mⱼ, uⱼ)` as `factorFlops` with `mⱼ = min(kd, n−1−j)`,
/// `uⱼ = min(2kd, n−1−j)`).
func analyzeBand(
    _ matrix: SymmetricMatrix, method: OrderingMethod, limit: Int, solver: String,
    bandRows: (Int) -> Int, columnFlops: (_ m: Double, _ u: Double) -> Double,
    report: inout SolverReport
) throws -> BandAnalysis {
    let start = ContinuousClock.now
    let a = try BandAnalysis(matrix, method: method)
    let n = matrix.dimension
    try checkBandStorage(rows: bandRows(a.bandwidth), n: n, limit: limit, solver: solver)
    report.dimension = n
    report.nonzerosA = matrix.fullNonzeroCount
    report.nonzerosL = n * bandRows(a.bandwidth)
    var flops = 0.0
    for j in 0..<n {
        flops += columnFlops(Double(min(a.bandwidth, n - 1 - j)), Double(min(2 * a.bandwidth, n - 1 - j)))
    }
    report.factorFlops = flops
    report.analyzeSeconds = (ContinuousClock.now - start).seconds
    return a
}

/// The solve phase both band solvers share: checks the right-hand sides, permutes
/// them, lets `lapackSolve` overwrite the permuted block (`n × count`, column-major),
/// permutes back and records the time and the first column's residual.
func solveBand(
    _ a: BandAnalysis, _ matrix: SymmetricMatrix, _ rhs: inout [Double], count: Int,
    report: inout SolverReport, lapackSolve: (inout [Double]) throws -> Void
) throws {
    let n = matrix.dimension
    try checkRightHandSides(rhs, n: n, count: count)
    if n == 0 || count == 0 { return }
    let start = ContinuousClock.now
    let b0 = Array(rhs[0..<n])
    var y = a.permute(rhs, count: count)
    try lapackSolve(&y)
    a.unpermute(y, into: &rhs, count: count)
    report.solveSeconds = (ContinuousClock.now - start).seconds
    report.iterations = 0
    report.relativeResidual = relativeResidual(matrix, x: Array(rhs[0..<n]), b: b0)
}


/// Checks that a band of `rows × n` doubles stays below `limit`.
func checkBandStorage(rows: Int, n: Int, limit: Int, solver: String) throws {
    let (size, overflow) = rows.multipliedReportingOverflow(by: n)
    guard !overflow, size <= limit else {
        throw LinearAlgebraError.invalidArgument("\(solver): band storage \(rows) × \(n) doubles exceeds the limit of \(limit) (maxBandStorage); use a sparse direct solver")
    }
}

/// Banded Cholesky `P A Pᵀ = L Lᵀ` for symmetric positive definite matrices,
/// after a bandwidth-reducing ordering (reverse Cuthill–McKee by default),
/// with LAPACK `dpbtrf`/`dpbtrs` on lower band storage.
///
/// Fill stays inside the band, so the factor needs `n·(kd + 1)` doubles for
/// semi-bandwidth `kd` and about `n·kd²` flops: good for long, thin meshes
/// (a lumbar segment's ligament line, 1D/2D strips), poor for compact 3D
/// meshes where a supernodal solver wins.
///
/// ```swift
/// let solver = BandedCholesky()
/// try solver.analyzeAndFactor(a)
/// let x = try solver.solve(b)
/// ```
public final class BandedCholesky: LinearSolver {
    /// Measurements of the last phases: `nonzerosL` is the band storage
    /// `n·(kd+1)`, `factorFlops` counts `Σⱼ (mⱼ² + 2mⱼ + 1)` with `mⱼ = min(kd, n−1−j)`.
    public private(set) var report = SolverReport()
    /// The ordering method used by ``analyze(_:)``.
    public let orderingMethod: OrderingMethod
    /// Largest band, in doubles, that ``analyze(_:)`` accepts (`n·(kd+1)`); default 2²⁸ (2 GiB).
    public let maxBandStorage: Int
    private var analysis: BandAnalysis?
    private var band: [Double] = []
    private var factored: SymmetricMatrix?

    /// - Parameters:
    ///   - ordering: bandwidth-reducing ordering (default reverse Cuthill–McKee).
    ///   - maxBandStorage: refuse bands larger than this many doubles.
    public init(ordering: OrderingMethod = .reverseCuthillMcKee, maxBandStorage: Int = 1 << 28) {
        self.orderingMethod = ordering
        self.maxBandStorage = maxBandStorage
        report.solver = "banded-cholesky"
        report.ordering = ordering.rawValue
    }

    /// The ordering of the last analysis (`permutation[new] = old`), nil before ``analyze(_:)``.
    public var ordering: Ordering? { analysis?.ordering }
    /// Semi-bandwidth `kd` of the reordered matrix (0 before ``analyze(_:)``).
    public var bandwidth: Int { analysis?.bandwidth ?? 0 }

    /// Orders the pattern and measures its bandwidth; values are ignored.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when the band would exceed ``maxBandStorage``.
    public func analyze(_ matrix: SymmetricMatrix) throws {
        // Column j: 1 square root, m divisions, m(m+1) for the rank-1 update of the m×m lower triangle.
        analysis = try analyzeBand(matrix, method: orderingMethod, limit: maxBandStorage, solver: "BandedCholesky",
                                   bandRows: { $0 + 1 }, columnFlops: { m, _ in m * m + 2 * m + 1 }, report: &report)
        band = []
        factored = nil
    }

    /// Fills the band with `matrix`'s values and factors it (`dpbtrf`).
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(column:pivot:)`` with the
    ///   original (unpermuted) column where a pivot was not positive;
    ///   ``LinearAlgebraError/phaseOrder(_:)`` before ``analyze(_:)``;
    ///   ``LinearAlgebraError/patternMismatch(_:)``; ``LinearAlgebraError/nonFinite(row:column:value:)``.
    public func factor(_ matrix: SymmetricMatrix) throws {
        guard let a = analysis else { throw LinearAlgebraError.phaseOrder("BandedCholesky.factor: call analyze first") }
        try a.check(matrix)
        let start = ContinuousClock.now
        let n = matrix.dimension, kd = a.bandwidth, ldab = kd + 1
        var ab = [Double](repeating: 0, count: max(ldab * n, 1))
        ab.withUnsafeMutableBufferPointer { abp in
            matrix.values.withUnsafeBufferPointer { v in
                for j in 0..<n {
                    for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                        abp[Int(a.rowIndices[p]) - j + j * ldab] = v[a.sourceOfEntry[p]]
                    }
                }
            }
        }
        factored = nil
        var nn = Int32(n), kk = Int32(kd), ld = Int32(ldab), info: Int32 = 0
        withChar("L") { dpbtrf_($0, &nn, &kk, &ab, &ld, &info, 1) }
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dpbtrf", info: Int(info)) }
        if info > 0 {
            let k = Int(info) - 1
            // dpbtrf/dpotf2 leave the failed pivot value on the diagonal.
            throw LinearAlgebraError.notPositiveDefinite(column: a.ordering.permutation[k], pivot: ab[k * ldab])
        }
        band = ab
        factored = matrix
        report.inertia = Inertia(positive: n, negative: 0, zero: 0)
        report.factorSeconds = (ContinuousClock.now - start).seconds
    }

    /// Solves for `count` right-hand sides stored column after column (`dpbtrs`).
    public func solve(_ rhs: inout [Double], count: Int) throws {
        guard let a = analysis, let matrix = factored else { throw LinearAlgebraError.phaseOrder("BandedCholesky.solve: call factor first") }
        try solveBand(a, matrix, &rhs, count: count, report: &report) { y in
            var nn = Int32(matrix.dimension), kk = Int32(a.bandwidth), ld = Int32(a.bandwidth + 1), nrhs = Int32(count), ldb = Int32(matrix.dimension), info: Int32 = 0
            withChar("L") { dpbtrs_($0, &nn, &kk, &nrhs, band, &ld, &y, &ldb, &info, 1) }
            if info != 0 { throw LinearAlgebraError.lapack(routine: "dpbtrs", info: Int(info)) }
        }
    }
}

/// Banded LU with partial pivoting (`dgbtrf`/`dgbtrs`) of `P A Pᵀ` after a
/// bandwidth-reducing ordering, for symmetric indefinite (or any nonsingular
/// symmetric) matrices: the symmetric input is expanded to a general band
/// with `kl = ku = kd`, and row interchanges widen the upper band to `2·kd`.
///
/// Storage `n·(3·kd + 1)` doubles; flops about `n·(2·kd·2kd + kd)` at worst.
/// No inertia is reported (LU does not reveal it).
public final class BandedLU: LinearSolver {
    /// Measurements of the last phases: `nonzerosL` is the band storage
    /// `n·(3kd+1)` of `L` and `U`, `factorFlops` the worst-case (full pivoting
    /// fill) count `Σⱼ (mⱼ + 2·mⱼ·uⱼ)`, `mⱼ = min(kd, n−1−j)`, `uⱼ = min(2kd, n−1−j)`.
    public private(set) var report = SolverReport()
    /// The ordering method used by ``analyze(_:)``.
    public let orderingMethod: OrderingMethod
    /// Largest band, in doubles, that ``analyze(_:)`` accepts (`n·(3kd+1)`); default 2²⁸ (2 GiB).
    public let maxBandStorage: Int
    private var analysis: BandAnalysis?
    private var band: [Double] = []
    private var pivots: [Int32] = []
    private var factored: SymmetricMatrix?

    /// - Parameters:
    ///   - ordering: bandwidth-reducing ordering (default reverse Cuthill–McKee).
    ///   - maxBandStorage: refuse bands larger than this many doubles.
    public init(ordering: OrderingMethod = .reverseCuthillMcKee, maxBandStorage: Int = 1 << 28) {
        self.orderingMethod = ordering
        self.maxBandStorage = maxBandStorage
        report.solver = "banded-lu"
        report.ordering = ordering.rawValue
    }

    /// The ordering of the last analysis (`permutation[new] = old`), nil before ``analyze(_:)``.
    public var ordering: Ordering? { analysis?.ordering }
    /// Semi-bandwidth `kd` of the reordered matrix (0 before ``analyze(_:)``).
    public var bandwidth: Int { analysis?.bandwidth ?? 0 }

    /// Orders the pattern and measures its bandwidth; values are ignored.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when the band would exceed ``maxBandStorage``.
    public func analyze(_ matrix: SymmetricMatrix) throws {
        // Column j: m divisions and a rank-1 update of m rows × u columns (u ≤ kl + ku with pivoting).
        analysis = try analyzeBand(matrix, method: orderingMethod, limit: maxBandStorage, solver: "BandedLU",
                                   bandRows: { 3 * $0 + 1 }, columnFlops: { m, u in m + 2 * m * u }, report: &report)
        band = []
        factored = nil
    }

    /// Fills the general band with both triangles of `matrix` and factors it (`dgbtrf`).
    /// - Throws: ``LinearAlgebraError/singular(column:)`` with the original column of
    ///   an exactly zero pivot of `U`; ``LinearAlgebraError/phaseOrder(_:)``,
    ///   ``LinearAlgebraError/patternMismatch(_:)``, ``LinearAlgebraError/nonFinite(row:column:value:)``.
    public func factor(_ matrix: SymmetricMatrix) throws {
        guard let a = analysis else { throw LinearAlgebraError.phaseOrder("BandedLU.factor: call analyze first") }
        try a.check(matrix)
        let start = ContinuousClock.now
        let n = matrix.dimension, kd = a.bandwidth, ldab = 3 * kd + 1, diagonalRow = 2 * kd
        var ab = [Double](repeating: 0, count: max(ldab * n, 1))
        ab.withUnsafeMutableBufferPointer { abp in
            matrix.values.withUnsafeBufferPointer { v in
                for j in 0..<n {
                    for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                        let i = Int(a.rowIndices[p]), value = v[a.sourceOfEntry[p]]
                        // General band: A(i, j) at row kl + ku + i − j of column j.
                        abp[diagonalRow + i - j + j * ldab] = value
                        if i != j { abp[diagonalRow + j - i + i * ldab] = value }
                    }
                }
            }
        }
        factored = nil
        var piv = [Int32](repeating: 0, count: n)
        var nn = Int32(n), kl = Int32(kd), ld = Int32(ldab), info: Int32 = 0
        dgbtrf_(&nn, &nn, &kl, &kl, &ab, &ld, &piv, &info)
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dgbtrf", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.singular(column: a.ordering.permutation[Int(info) - 1]) }
        band = ab
        pivots = piv
        factored = matrix
        report.inertia = nil
        report.factorSeconds = (ContinuousClock.now - start).seconds
    }

    /// Solves for `count` right-hand sides stored column after column (`dgbtrs`).
    public func solve(_ rhs: inout [Double], count: Int) throws {
        guard let a = analysis, let matrix = factored else { throw LinearAlgebraError.phaseOrder("BandedLU.solve: call factor first") }
        try solveBand(a, matrix, &rhs, count: count, report: &report) { y in
            var nn = Int32(matrix.dimension), kl = Int32(a.bandwidth), ld = Int32(3 * a.bandwidth + 1), nrhs = Int32(count), ldb = Int32(matrix.dimension), info: Int32 = 0
            withChar("N") { dgbtrs_($0, &nn, &kl, &kl, &nrhs, band, &ld, pivots, &y, &ldb, &info, 1) }
            if info != 0 { throw LinearAlgebraError.lapack(routine: "dgbtrs", info: Int(info)) }
        }
    }
}
