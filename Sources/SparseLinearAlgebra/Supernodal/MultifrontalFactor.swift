import CLAPACK
import Dispatch
import Synchronization

/// A read-only pointer handed to worker threads (the values of the matrix
/// being factorized, not mutated while they run).
struct SharedPointer: @unchecked Sendable {
    let base: UnsafePointer<Double>
}


/// The numeric multifrontal factorization on a ``SupernodalAnalysis``:
/// Cholesky (`LLᵀ`) or Bunch–Kaufman `LDLᵀ`, one dense front per supernode.
///
/// Why multifrontal: every front is one contiguous column-major block on
/// which `dpotrf`/`dsytrf`, `dtrsm` and `dsyrk`/`dgemm` run at BLAS-3 speed; the
/// only sparse work is the extend-add of children's update matrices through
/// index maps precomputed by the analysis; and pivoting for `LDLᵀ` stays inside
/// the front's fully-summed block. The front's first `k` columns are formed
/// directly in the factor's storage (an `m × k` block, leading dimension `m`),
/// and its Schur complement directly on the update stack, so nothing is copied
/// except one move of each update matrix down the stack.
///
/// Storage per supernode `s` with `k` columns and `m` front rows: an `m × k`
/// column-major block whose upper `k × k` part holds `L₁₁` (and `D` on its
/// diagonal for `LDLᵀ`) and whose lower `(m−k) × k` part holds `L₂₁`.
final class MultifrontalFactor: @unchecked Sendable {
    // @unchecked Sendable: during `factor` worker threads write disjoint factor
    // blocks, disjoint stack regions and their own workspaces; nothing else is
    // mutated concurrently.
    let analysis: SupernodalAnalysis
    let indefinite: Bool
    /// Factor blocks.
    let values: UnsafeMutablePointer<Double>
    let valueCount: Int
    /// Update-matrix stack.
    let stack: UnsafeMutablePointer<Double>
    /// `LDLᵀ` only: subdiagonal of 2×2 pivots of `D` (entry `j` couples columns j, j+1).
    let subdiagonal: UnsafeMutablePointer<Double>
    /// `LDLᵀ` only: local pivot order inside each supernode: permuted column
    /// `first + i` is the original (pre-pivoting) column `first + localOrder[first + i]`.
    let localOrder: UnsafeMutablePointer<Int32>
    /// `LDLᵀ` only: 0 = 1×1 pivot, 1 = first column of a 2×2 pivot, 2 = second.
    let pivotKind: UnsafeMutablePointer<UInt8>
    /// Scratch per worker thread (index 0 also serves the calling thread).
    let workspaces: [Workspace]

    /// Pivots perturbed in the last `LDLᵀ` factorization.
    private(set) var perturbedPivots = 0
    /// Inertia of the last factorization.
    private(set) var inertia = Inertia(positive: 0, negative: 0, zero: 0)
    /// `LDLᵀ` only: the perturbation threshold of the last factorization (unit of the matrix).
    private(set) var lastPivotThreshold = 0.0

    init(analysis: SupernodalAnalysis, indefinite: Bool) {
        self.analysis = analysis
        self.indefinite = indefinite
        let ns = analysis.supernodeCount
        valueCount = analysis.factorStart[ns]
        // Not initialized here: `factor` zeroes every block before assembling into
        // it, so the pages are first touched (and faulted in) by the factorization.
        // (Transparent huge pages were tried: they made the first factorization
        // 1.5–2.5× slower here, the kernel compacting memory in the page faults.)
        values = .allocate(capacity: max(valueCount, 1))
        stack = .allocate(capacity: max(analysis.stackSize, 1))
        let n = analysis.dimension
        subdiagonal = .allocate(capacity: max(n, 1))
        subdiagonal.initialize(repeating: 0, count: max(n, 1))
        localOrder = .allocate(capacity: max(n, 1))
        localOrder.initialize(repeating: 0, count: max(n, 1))
        pivotKind = .allocate(capacity: max(n, 1))
        pivotKind.initialize(repeating: 0, count: max(n, 1))
        let panelCount = indefinite ? max(analysis.largestPanel, 1) : 1
        let pivotCount = max(analysis.largestWidth, 1)
        let workCount = indefinite ? max(analysis.largestWidth * 64, 1) : 1
        workspaces = (0..<max(analysis.schedule.threadRanges.count, 1)).map { _ in
            let panel = UnsafeMutablePointer<Double>.allocate(capacity: panelCount)
            panel.initialize(repeating: 0, count: panelCount)
            let ipiv = UnsafeMutablePointer<Int32>.allocate(capacity: pivotCount)
            ipiv.initialize(repeating: 0, count: pivotCount)
            let work = UnsafeMutablePointer<Double>.allocate(capacity: workCount)
            work.initialize(repeating: 0, count: workCount)
            return Workspace(panel: panel, ipiv: ipiv, sytrfWork: work, sytrfWorkCount: workCount)
        }
    }

    deinit {
        values.deallocate(); stack.deallocate(); subdiagonal.deallocate(); localOrder.deallocate()
        pivotKind.deallocate()
        for w in workspaces { w.panel.deallocate(); w.ipiv.deallocate(); w.sytrfWork.deallocate() }
    }

    /// Fronts with fewer entries than this are assembled on one thread.
    static let parallelAssemblyEntries = 1 << 17

    /// Default of ``serialFrontWork``: fronts whose off-diagonal work `k²u + ku²` (≈ the flops of their `dtrsm` and
    /// Schur update) is below this are factorized on the calling thread with light kernels:
    /// the triangular solve runs in a plain loop and the Schur update as `dgemm` calls of
    /// at most ``serialGemmVolume``. Larger fronts use `dtrsm` on row pieces and `dgemm` on
    /// column blocks, handed to helper threads at the top of the tree. The choice depends on
    /// the front's shape alone. (Measured on the default disc, n = 435 and 6083, 2 cores,
    /// load ≈ 4, with a threaded BLAS: 38 factorizations of the coarse disc took 144 ms with
    /// threaded calls on small fronts against 15 ms on one thread.)
    static let defaultSerialFrontWork = 4.0e6
    /// The threshold in use (see ``defaultSerialFrontWork``; 0 = every front takes the pieced path).
    var serialFrontWork = MultifrontalFactor.defaultSerialFrontWork

    /// OpenBLAS 0.3 runs `dgemm` on the calling thread when m·n·k ≤ 65536·4
    /// (`SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD`, interface/gemm.c).
    static let serialGemmVolume = 65536 * 4

    /// True when supernode fronts of width `k` and update order `u` take the serial path.
    @inline(__always) func isSerialFront(k: Int, u: Int) -> Bool {
        let kd = Double(k), ud = Double(u)
        return kd * kd * ud + kd * ud * ud < serialFrontWork
    }

    /// `B ← B · L⁻ᵀ` for `B` (`rows × k`, leading dimension `ldb`) and `L` the unit
    /// (`unit`) or non-unit lower triangle of a `k × k` block (leading dimension
    /// `ldl`): column `j` of the result is `(B[:, j] − Σ_{i<j} L[j, i]·X[:, i]) / L[j, j]`.
    /// The serial stand-in for `dtrsm('R','L','T',diag)` on small fronts.
    static func solveRightLowerTransposed(rows: Int, k: Int, l: UnsafePointer<Double>, ldl: Int,
                                          b: UnsafeMutablePointer<Double>, ldb: Int, unit: Bool) {
        for j in 0..<k {
            let xj = b + j * ldb
            for i in 0..<j {
                let lji = l[j + i * ldl]
                if lji == 0 { continue }
                let xi = UnsafePointer(b + i * ldb)
                for q in 0..<rows { xj[q] -= lji * xi[q] }
            }
            if !unit {
                let r = 1 / l[j + j * ldl]
                for q in 0..<rows { xj[q] *= r }
            }
        }
    }

    /// Lower triangle of `C −= A Bᵀ` on the trailing `u × u` block, `A` and `B`
    /// `u × k` (leading dimensions `lda`, `ldb`), `C` leading dimension `ldc`, as
    /// `dgemm` calls of at most ``serialGemmVolume`` (single-threaded in OpenBLAS);
    /// `B == A` gives `dsyrk`'s update.
    static func serialLowerUpdate(u: Int, k: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                                  b: UnsafeMutablePointer<Double>, ldb: Int, c: UnsafeMutablePointer<Double>, ldc: Int) {
        var one = 1.0, minusOne = -1.0
        var cN = CChar(UInt8(ascii: "N")), cT = CChar(UInt8(ascii: "T"))
        var kk = Int32(k), la = Int32(lda), lb = Int32(ldb), lc = Int32(ldc)
        var j0 = 0
        while j0 < u {
            let rowsTotal = u - j0
            // Columns per call so that rows·jb·k stays under the volume (at least 1),
            // and rows per call when even one column is too much.
            let rowCap = max(1, serialGemmVolume / max(k, 1))
            let jb = max(1, min(96, serialGemmVolume / max(rowsTotal * k, 1), rowsTotal))
            var i0 = 0
            while i0 < rowsTotal {
                let rows = min(rowsTotal - i0, max(rowCap / jb, 1))
                var r = Int32(rows), cols = Int32(jb)
                dgemm_(&cN, &cT, &r, &cols, &kk, &minusOne, a + j0 + i0, &la, b + j0, &lb,
                       &one, c + (j0 + i0) + j0 * ldc, &lc, 1, 1)
                i0 += rows
            }
            j0 += jb
        }
    }

    /// Rows per piece of ``rightLowerTransposedSolve(rows:k:l:ldl:b:ldb:unit:parallel:)``.
    static let solvePieceRows = 256

    /// `B ← B · L⁻ᵀ` (`dtrsm('R','L','T',diag)`) for `B` `rows × k` (leading dimension
    /// `ldb`) and `L` the unit (`unit`) or non-unit lower triangle of a `k × k` block
    /// (leading dimension `ldl`), in pieces of ``solvePieceRows`` rows (rows of `B` are
    /// independent), handed to helper threads when `parallel`. The pieces depend on
    /// `rows` alone: the result is the same whatever the number of threads.
    static func rightLowerTransposedSolve(rows: Int, k: Int, l: UnsafeMutablePointer<Double>, ldl: Int,
                                          b: UnsafeMutablePointer<Double>, ldb: Int, unit: Bool, parallel: Bool) {
        let pieces = (rows + solvePieceRows - 1) / solvePieceRows
        nonisolated(unsafe) let ls = l, bs = b
        let body: (Int) -> Void = { p in
            var one = 1.0
            var cR = CChar(UInt8(ascii: "R")), cL = CChar(UInt8(ascii: "L")), cT = CChar(UInt8(ascii: "T"))
            var diag = CChar(UInt8(ascii: unit ? "U" : "N"))
            let r0 = p * solvePieceRows
            var r = Int32(min(solvePieceRows, rows - r0)), kk = Int32(k), la = Int32(ldl), lb = Int32(ldb)
            dtrsm_(&cR, &cL, &cT, &diag, &r, &kk, &one, ls, &la, bs + r0, &lb, 1, 1, 1, 1)
        }
        if parallel { ThreadBudget.parallelFor(pieces, body) } else { for p in 0..<pieces { body(p) } }
    }

    /// Lower triangle of `C −= A Bᵀ` on a `u × u` block (`A`, `B` `u × k`, leading
    /// dimensions `lda`, `ldb`; `C` leading dimension `ldc`) by column blocks (96 columns,
    /// 256 when `u > 1024`): block `j` updates rows `j0..<u` of columns `j0..<j0+jb` with one
    /// `dgemm`. Blocks are handed to helper threads when `parallel`, largest first; they
    /// depend on `u` alone, so the result is the same whatever the number of threads.
    static func lowerUpdate(u: Int, k: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                            b: UnsafeMutablePointer<Double>, ldb: Int, c: UnsafeMutablePointer<Double>, ldc: Int, parallel: Bool) {
        let nb = u > 1024 ? 256 : 96
        let pieces = (u + nb - 1) / nb
        nonisolated(unsafe) let aS = a, bS = b, cS = c
        let body: (Int) -> Void = { p in
            var one = 1.0, minusOne = -1.0
            var cN = CChar(UInt8(ascii: "N")), cT = CChar(UInt8(ascii: "T"))
            let j0 = p * nb
            var jb = Int32(min(nb, u - j0)), rows = Int32(u - j0), kk = Int32(k)
            var la = Int32(lda), lb = Int32(ldb), lc = Int32(ldc)
            dgemm_(&cN, &cT, &rows, &jb, &kk, &minusOne, aS + j0, &la, bS + j0, &lb, &one, cS + j0 + j0 * ldc, &lc, 1, 1)
        }
        if parallel { ThreadBudget.parallelFor(pieces, body) } else { for p in 0..<pieces { body(p) } }
    }

    /// The column that halves the entries of a lower triangle of order n:
    /// columns 0..<cut hold as many as cut..<n (cut = n(1 − 1/√2)).
    @inline(__always) static func triangularCut(_ n: Int) -> Int { Int(Double(n) * (1 - 0.5.squareRoot())) }

    /// Counts gathered while factorizing.
    struct Counts { var positive = 0, negative = 0, zero = 0, perturbed = 0 }

    /// Moves a perturbed pivot `d` (counted by its sign) to the zero count.
    @inline(__always)
    static func recountAsZero(_ d: Double, _ counts: inout Counts) {
        if d > 0 { counts.positive -= 1 } else { counts.negative -= 1 }
        counts.zero += 1
    }

    /// Per-thread scratch of the dense kernels.
    struct Workspace {
        let panel: UnsafeMutablePointer<Double>
        let ipiv: UnsafeMutablePointer<Int32>
        let sytrfWork: UnsafeMutablePointer<Double>
        let sytrfWorkCount: Int
    }

    nonisolated(unsafe) static var cL = CChar(UInt8(ascii: "L")), cR = CChar(UInt8(ascii: "R")), cT = CChar(UInt8(ascii: "T"))
    nonisolated(unsafe) static var cN = CChar(UInt8(ascii: "N")), cU = CChar(UInt8(ascii: "U")), cC = CChar(UInt8(ascii: "C"))

    /// Factorizes `matrix` (its pattern must be the analysed one: checked by the caller).
    ///
    /// Independent subtrees of the schedule (bins) run on the threads ``ThreadBudget``
    /// grants, then the top of the tree on the calling thread, its large fronts in pieces
    /// handed to helper threads.
    ///
    /// - Parameter pivotThreshold: `LDLᵀ` only: 1×1 pivots with |d| below it are
    ///   replaced by ±`pivotThreshold` (sign kept; + for an exact zero).
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(column:pivot:)`` (Cholesky)
    ///   naming the original column; the one of the first failing supernode in postorder.
    func factor(_ matrix: SymmetricMatrix, pivotThreshold: Double) throws {
        ThreadBudget.configureBLAS()
        lastPivotThreshold = pivotThreshold
        let plan = analysis.schedule
        var total = Counts()
        let topParallel = ThreadBudget.total > 1
        try matrix.values.withUnsafeBufferPointer { vb in
            let vals = vb.baseAddress!
            let shared = SharedPointer(base: vals)
            let bins = plan.threadRanges.count
            if bins > 0 {
                // Each bin (a set of whole subtrees with its own stack region and workspace)
                // is one piece; the budget decides how many threads take them.
                let results = Mutex<[(failedAt: Int, error: (any Error)?, counts: Counts)]>([])
                ThreadBudget.parallelFor(bins) { t in
                    var counts = Counts()
                    var failure: (Int, any Error)? = nil
                    outer: for range in plan.threadRanges[t] {
                        for s in range {
                            do { try processSupernode(s, vals: shared.base, ws: workspaces[t], tau: pivotThreshold, parallel: false, counts: &counts) }
                            catch { failure = (s, error); break outer }
                        }
                    }
                    let result = (failedAt: failure?.0 ?? Int.max, error: failure?.1, counts: counts)
                    results.withLock { $0.append(result) }
                }
                let all = results.withLock { $0 }
                if let first = all.filter({ $0.error != nil }).min(by: { $0.failedAt < $1.failedAt }), let error = first.error { throw error }
                for r in all {
                    total.positive += r.counts.positive; total.negative += r.counts.negative
                    total.zero += r.counts.zero; total.perturbed += r.counts.perturbed
                }
            }
            for s in plan.top {
                try processSupernode(s, vals: vals, ws: workspaces[0], tau: pivotThreshold, parallel: topParallel, counts: &total)
            }
        }
        #if SUPERNODAL_PROFILE
        print("profile: zero+A \(profile[0]) s, extend-add \(profile[1]) s, dense \(profile[2]) s, move \(profile[3]) s")
        profile = [0, 0, 0, 0]
        #endif
        inertia = Inertia(positive: total.positive, negative: total.negative, zero: total.zero)
        perturbedPivots = total.perturbed
    }

    /// Assembles, factorizes and forms the update matrix of supernode `s`.
    #if SUPERNODAL_PROFILE
    var profile: [Double] = [0, 0, 0, 0]
    #endif
    ///
    /// `parallel`: the front may hand pieces of its work to helper threads (the
    /// top of the tree, after the subtree bins); the pieces are fixed by the
    /// front's shape alone, so the result does not depend on how many run at once.
    private func processSupernode(_ s: Int, vals: UnsafePointer<Double>, ws: Workspace, tau: Double,
                                  parallel: Bool, counts: inout Counts) throws {
        #if SUPERNODAL_PROFILE
        var clock = ContinuousClock.now
        func lap(_ i: Int) { let t = ContinuousClock.now; let d = (t - clock).components; profile[i] += Double(d.seconds) + Double(d.attoseconds) * 1e-18; clock = t }
        defer { lap(3) }
        #endif
        let an = analysis
        let sStart = an.superStart.base, rStart = an.rowStart.base, fStart = an.factorStart.base
        let cStart = an.childStart.base, cList = an.childList.base
        let relS = an.relStart.base, rel = an.relMap.base
        let sTemp = an.stackTemp.base, sFinal = an.stackFinal.base
        nonisolated(unsafe) let pcs = an.permutedColumnStarts.base, src = an.sourceOfEntry.base, loc = an.entryLocalRow.base
        let first = sStart[s], k = sStart[s + 1] - first
        let m = rStart[s + 1] - rStart[s], u = m - k
        let lb = values + fStart[s]
        let ub = stack + sTemp[s]
        // Zero the front (the m×k factor block and the lower triangle of the
        // u×u update), add A's entries of this supernode's columns, then the
        // children's update matrices (extend-add). Large fronts split these
        // column loops over two threads: each thread owns whole destination
        // columns, and no BLAS call runs meanwhile.
        let split = parallel && m * k + u * u / 2 >= Self.parallelAssemblyEntries
        nonisolated(unsafe) let lbs = lb, ubs = ub, valss = vals
        let assembleColumns: @Sendable (Range<Int>, Range<Int>) -> Void = { cols, ucols in
            for c in cols {
                let dst = lbs + c * m
                dst.update(repeating: 0, count: m)
                let col = first + c
                for p in pcs[col]..<pcs[col + 1] { dst[Int(loc[p])] += valss[src[p]] }
            }
            for j in ucols { (ubs + j * u + j).update(repeating: 0, count: u - j) }
        }
        if split {
            let cut = Self.triangularCut(u)
            ThreadBudget.parallelFor(2) { t in
                if t == 0 { assembleColumns(0..<(k / 2), 0..<cut) } else { assembleColumns((k / 2)..<k, cut..<u) }
            }
        } else {
            assembleColumns(0..<k, 0..<u)
        }
        #if SUPERNODAL_PROFILE
        lap(0)
        #endif
        for ci in cStart[s]..<cStart[s + 1] {
            let t = Int(cList[ci])
            let ut = rStart[t + 1] - rStart[t] - (sStart[t + 1] - sStart[t])
            nonisolated(unsafe) let uSrc = stack + sFinal[t]
            nonisolated(unsafe) let map = rel + relS[t]
            let extendAdd: @Sendable (Range<Int>) -> Void = { columns in
                for jj in columns {
                    let cj = Int(map[jj])
                    let dst: UnsafeMutablePointer<Double>
                    let shift: Int
                    if cj < k { dst = lbs + cj * m; shift = 0 } else { dst = ubs + (cj - k) * u; shift = k }
                    let colSrc = uSrc + jj * ut
                    let base = Int(map[jj]) - shift
                    if Int(map[ut - 1]) - Int(map[jj]) == ut - 1 - jj {
                        // The rows land contiguously (the map is increasing): a plain, vectorizable loop.
                        let d = dst + base, c = colSrc + jj
                        for q in 0..<(ut - jj) { d[q] += c[q] }
                    } else {
                        for ii in jj..<ut { dst[Int(map[ii]) - shift] += colSrc[ii] }
                    }
                }
            }
            if split && ut * ut / 2 >= Self.parallelAssemblyEntries {
                let cut = Self.triangularCut(ut)
                ThreadBudget.parallelFor(2) { t in extendAdd(t == 0 ? 0..<cut : cut..<ut) }
            } else {
                extendAdd(0..<ut)
            }
        }
        #if SUPERNODAL_PROFILE
        lap(1)
        #endif
        var kk = Int32(k), ld = Int32(m), info: Int32 = 0
        if !indefinite {
            dpotrf_(&Self.cL, &kk, lb, &ld, &info, 1)
            if info < 0 { throw LinearAlgebraError.lapack(routine: "dpotrf", info: Int(info)) }
            if info > 0 {
                let j = Int(info) - 1
                throw LinearAlgebraError.notPositiveDefinite(column: an.ordering.permutation[first + j], pivot: lb[j + j * m])
            }
            counts.positive += k
            if u > 0 && isSerialFront(k: k, u: u) {
                Self.solveRightLowerTransposed(rows: u, k: k, l: lb, ldl: m, b: lb + k, ldb: m, unit: false)
                Self.serialLowerUpdate(u: u, k: k, a: lb + k, lda: m, b: lb + k, ldb: m, c: ub, ldc: u)
            } else if u > 0 {
                Self.rightLowerTransposedSolve(rows: u, k: k, l: lb, ldl: m, b: lb + k, ldb: m, unit: false, parallel: parallel)
                Self.lowerUpdate(u: u, k: k, a: lb + k, lda: m, b: lb + k, ldb: m, c: ub, ldc: u, parallel: parallel)
            }
        } else {
            var lwork = Int32(ws.sytrfWorkCount)
            dsytrf_(&Self.cL, &kk, lb, &ld, ws.ipiv, ws.sytrfWork, &lwork, &info, 1)
            if info < 0 { throw LinearAlgebraError.lapack(routine: "dsytrf", info: Int(info)) }
            // info > 0: an exactly zero 1×1 pivot; it is perturbed below.
            let e = subdiagonal + first
            dsyconv_(&Self.cL, &Self.cC, &kk, lb, &ld, ws.ipiv, e, &info, 1, 1)
            if info < 0 { throw LinearAlgebraError.lapack(routine: "dsyconv", info: Int(info)) }
            // Local pivot order from the interchanges, applied in sequence.
            let order = localOrder + first
            let kinds = pivotKind + first
            for i in 0..<k { order[i] = Int32(i) }
            var i = 0
            while i < k {
                if ws.ipiv[i] > 0 {
                    let q = Int(ws.ipiv[i]) - 1
                    let tmp = order[i]; order[i] = order[q]; order[q] = tmp
                    kinds[i] = 0
                    i += 1
                } else {
                    let q = Int(-ws.ipiv[i]) - 1
                    let tmp = order[i + 1]; order[i + 1] = order[q]; order[q] = tmp
                    kinds[i] = 1; kinds[i + 1] = 2
                    i += 2
                }
            }
            // Static pivot perturbation and inertia.
            var perturbedHere = 0
            i = 0
            while i < k {
                if kinds[i] == 0 {
                    var d = lb[i + i * m]
                    if abs(d) < tau {
                        d = d < 0 ? -tau : tau
                        lb[i + i * m] = d
                        counts.perturbed += 1
                        perturbedHere += 1
                    }
                    if d > 0 { counts.positive += 1 } else if d < 0 { counts.negative += 1 } else { counts.zero += 1 }
                    i += 1
                } else {
                    let a = lb[i + i * m], b = e[i], c = lb[(i + 1) + (i + 1) * m]
                    let det = a * c - b * b
                    if det < 0 { counts.positive += 1; counts.negative += 1 }
                    else if det > 0 { if a + c > 0 { counts.positive += 2 } else { counts.negative += 2 } }
                    else { counts.zero += 2 }
                    i += 2
                }
            }
            // A perturbed pivot whose column is numerically zero in the whole front (a tiny
            // Bunch–Kaufman 1×1 pivot implies a tiny fully-summed column; here also no coupling to
            // the unknowns eliminated later, |G| < τ) is a null direction of the Schur complement:
            // it counts as zero in the inertia, not by the sign it was given. A perturbed pivot
            // still coupled to later unknowns is an artifact of the restricted pivoting and keeps
            // its sign.
            // In a root front (no later unknowns) the same holds for a 2×2 block's eigenvalue
            // below τ: the block was chosen among all remaining unknowns, so it is a null direction.
            if u == 0 {
                var p = 0
                while p < k {
                    if kinds[p] == 0 {
                        if perturbedHere > 0 && abs(lb[p + p * m]) == tau { Self.recountAsZero(lb[p + p * m], &counts) }
                        p += 1
                    } else {
                        let a = lb[p + p * m], b = e[p], c = lb[(p + 1) + (p + 1) * m]
                        let mean = 0.5 * (a + c), radius = (0.25 * (a - c) * (a - c) + b * b).squareRoot()
                        for lambda in [mean + radius, mean - radius] where abs(lambda) < tau && lambda != 0 {
                            Self.recountAsZero(lambda, &counts)
                        }
                        p += 2
                    }
                }
            }
            if u > 0 {
                // G = F₂₁ P L₁₁⁻ᵀ in the panel (u × k, leading dimension u).
                let g = ws.panel
                for c in 0..<k {
                    (g + c * u).update(from: lb + Int(order[c]) * m + k, count: u)
                }
                let serial = isSerialFront(k: k, u: u)
                if serial {
                    Self.solveRightLowerTransposed(rows: u, k: k, l: lb, ldl: m, b: g, ldb: u, unit: true)
                } else {
                    Self.rightLowerTransposedSolve(rows: u, k: k, l: lb, ldl: m, b: g, ldb: u, unit: true, parallel: parallel)
                }
                if perturbedHere > 0 {
                    for p in 0..<k where kinds[p] == 0 && abs(lb[p + p * m]) == tau {
                        let gc = g + p * u
                        var coupled = false
                        for q in 0..<u where abs(gc[q]) >= tau { coupled = true; break }
                        if !coupled { Self.recountAsZero(lb[p + p * m], &counts) }
                    }
                }
                // L₂₁ = G D⁻¹ into the factor block.
                i = 0
                while i < k {
                    if kinds[i] == 0 {
                        let r = 1 / lb[i + i * m]
                        let gc = g + i * u, lc = lb + i * m + k
                        for q in 0..<u { lc[q] = gc[q] * r }
                        i += 1
                    } else {
                        let a = lb[i + i * m], b = e[i], c = lb[(i + 1) + (i + 1) * m]
                        let det = a * c - b * b
                        let ia = c / det, ib = -b / det, ic = a / det
                        let g0 = g + i * u, g1 = g + (i + 1) * u
                        let l0 = lb + i * m + k, l1 = lb + (i + 1) * m + k
                        for q in 0..<u {
                            let x = g0[q], y = g1[q]
                            l0[q] = x * ia + y * ib
                            l1[q] = x * ib + y * ic
                        }
                        i += 2
                    }
                }
                // Schur complement, lower triangle: U −= L₂₁ Gᵀ, by column blocks.
                if serial { Self.serialLowerUpdate(u: u, k: k, a: lb + k, lda: m, b: g, ldb: u, c: ub, ldc: u) }
                else { Self.lowerUpdate(u: u, k: k, a: lb + k, lda: m, b: g, ldb: u, c: ub, ldc: u, parallel: parallel) }
            }
        }
        #if SUPERNODAL_PROFILE
        lap(2)
        #endif
        // Rest the update matrix on the stack where the parent expects it.
        // Lower triangle only, column by column (moving down: a column
        // never lands on a column not yet moved).
        if u > 0 && sFinal[s] != sTemp[s] {
            let dst = stack + sFinal[s]
            for j in 0..<u {
                UnsafeMutableRawPointer(dst + j * u + j).copyMemory(from: ub + j * u + j, byteCount: (u - j) * MemoryLayout<Double>.stride)
            }
        }
    }

    /// Solves `L (D) Lᵀ X = B` in the permuted numbering, in place; `x` holds
    /// `count` columns of length `n`. `backwardOnly`: only `Lᵀ X = B`, with `B` indexed by
    /// pivot position (column `first + i` of supernode `first…` is its `i`-th pivot) — the
    /// step that turns a unit vector at a pivot into the matching column of `L⁻ᵀ`.
    func solvePermuted(_ x: UnsafeMutablePointer<Double>, count nrhs: Int, backwardOnly: Bool = false) {
        let an = analysis
        let n = an.dimension
        let ns = an.supernodeCount
        let sStart = an.superStart.base, rStart = an.rowStart.base, fStart = an.factorStart.base
        let rows = an.superRows.base
        let w = UnsafeMutablePointer<Double>.allocate(capacity: max(an.largestFront * nrhs, 1))
        defer { w.deallocate() }
        var cL = CChar(UInt8(ascii: "L")), cT = CChar(UInt8(ascii: "T"))
        var cN = CChar(UInt8(ascii: "N")), cU = CChar(UInt8(ascii: "U"))
        var diag = indefinite ? cU : cN
        var one = 1.0, minusOne = -1.0, zero = 0.0
        var nr = Int32(nrhs)
        var incOne: Int32 = 1

        if !backwardOnly {
            // Forward: L Z = B.
            for s in 0..<ns {
                let first = sStart[s], k = sStart[s + 1] - first
                let m = rStart[s + 1] - rStart[s], u = m - k
                let lb = values + fStart[s]
                let ri = rows + rStart[s]
                let order = localOrder + first
                for c in 0..<nrhs {
                    let xc = x + c * n, wc = w + c * m
                    if indefinite { for i in 0..<k { wc[i] = xc[first + Int(order[i])] } }
                    else { for i in 0..<k { wc[i] = xc[first + i] } }
                }
                var kk = Int32(k), ld = Int32(m), uu = Int32(u)
                if nrhs == 1 {
                    dtrsv_(&cL, &cN, &diag, &kk, lb, &ld, w, &incOne, 1, 1, 1)
                    if u > 0 { dgemv_(&cN, &uu, &kk, &one, lb + k, &ld, w, &incOne, &zero, w + k, &incOne, 1) }
                } else {
                    dtrsm_(&cL, &cL, &cN, &diag, &kk, &nr, &one, lb, &ld, w, &ld, 1, 1, 1, 1)
                    if u > 0 { dgemm_(&cN, &cN, &uu, &nr, &kk, &one, lb + k, &ld, w, &ld, &zero, w + k, &ld, 1, 1) }
                }
                for c in 0..<nrhs {
                    let xc = x + c * n, wc = w + c * m
                    for i in 0..<k { xc[first + i] = wc[i] }
                    for r in k..<m { xc[Int(ri[r])] -= wc[r] }
                }
            }
            // Diagonal: D Y = Z (LDLᵀ only).
            if indefinite {
                for s in 0..<ns {
                    let first = sStart[s], k = sStart[s + 1] - first
                    let m = rStart[s + 1] - rStart[s]
                    let lb = values + fStart[s]
                    var i = 0
                    while i < k {
                        if pivotKind[first + i] == 0 {
                            let r = 1 / lb[i + i * m]
                            for c in 0..<nrhs { x[c * n + first + i] *= r }
                            i += 1
                        } else {
                            let a = lb[i + i * m], b = subdiagonal[first + i], d = lb[(i + 1) + (i + 1) * m]
                            let det = a * d - b * b
                            for c in 0..<nrhs {
                                let p = x + c * n + first + i
                                let y0 = p[0], y1 = p[1]
                                p[0] = (d * y0 - b * y1) / det
                                p[1] = (a * y1 - b * y0) / det
                            }
                            i += 2
                        }
                    }
                }
            }
        }
        // Backward: Lᵀ X = Y.
        for s in stride(from: ns - 1, through: 0, by: -1) {
            let first = sStart[s], k = sStart[s + 1] - first
            let m = rStart[s + 1] - rStart[s], u = m - k
            let lb = values + fStart[s]
            let ri = rows + rStart[s]
            let order = localOrder + first
            for c in 0..<nrhs {
                let xc = x + c * n, wc = w + c * m
                for i in 0..<k { wc[i] = xc[first + i] }
                for r in k..<m { wc[r] = xc[Int(ri[r])] }
            }
            var kk = Int32(k), ld = Int32(m), uu = Int32(u)
            if nrhs == 1 {
                if u > 0 { dgemv_(&cT, &uu, &kk, &minusOne, lb + k, &ld, w + k, &incOne, &one, w, &incOne, 1) }
                dtrsv_(&cL, &cT, &diag, &kk, lb, &ld, w, &incOne, 1, 1, 1)
            } else {
                if u > 0 { dgemm_(&cT, &cN, &kk, &nr, &uu, &minusOne, lb + k, &ld, w + k, &ld, &one, w, &ld, 1, 1) }
                dtrsm_(&cL, &cL, &cT, &diag, &kk, &nr, &one, lb, &ld, w, &ld, 1, 1, 1, 1)
            }
            for c in 0..<nrhs {
                let xc = x + c * n, wc = w + c * m
                if indefinite { for i in 0..<k { xc[first + Int(order[i])] = wc[i] } }
                else { for i in 0..<k { xc[first + i] = wc[i] } }
            }
        }
    }

    /// Entries of the stored factor blocks (lower trapezoids) that are not zero.
    func nonzeroEntryCount() -> Int {
        let an = analysis
        var count = 0
        for s in 0..<an.supernodeCount {
            let k = an.width(s), m = an.frontRows(s)
            let lb = values + an.factorStart[s]
            for c in 0..<k { for r in c..<m where lb[r + c * m] != 0 { count += 1 } }
        }
        return count
    }
}

extension MultifrontalFactor {
    /// A pivot of `D` whose (smallest) eigenvalue is tiny: position `position` (permuted
    /// numbering, pivot order), `magnitude` = |eigenvalue|, and the eigenvector's entries at
    /// `position` and, for a 2×2 pivot, `position + 1`.
    struct SmallPivot { let position: Int; let magnitude: Double; let first: Double; let second: Double }

    /// `LDLᵀ` only: the 1×1 pivots with |d| ≤ `threshold` and the 2×2 pivots whose smaller
    /// eigenvalue in magnitude is ≤ `threshold` (perturbed pivots, whose |d| is the
    /// perturbation threshold, included when `threshold` is at least that), smallest first.
    func smallPivots(threshold: Double) -> [SmallPivot] {
        guard indefinite else { return [] }
        let an = analysis
        var found: [SmallPivot] = []
        for s in 0..<an.supernodeCount {
            let first = an.superStart[s], k = an.width(s), m = an.frontRows(s)
            let lb = values + an.factorStart[s]
            var i = 0
            while i < k {
                if pivotKind[first + i] == 0 {
                    let d = abs(lb[i + i * m])
                    if d <= threshold { found.append(SmallPivot(position: first + i, magnitude: d, first: 1, second: 0)) }
                    i += 1
                } else {
                    // Eigen-decomposition of [[a, b], [b, c]]: the small eigenvalue as det / large one.
                    let a = lb[i + i * m], b = subdiagonal[first + i], c = lb[(i + 1) + (i + 1) * m]
                    let mean = 0.5 * (a + c), radius = (0.25 * (a - c) * (a - c) + b * b).squareRoot()
                    let large = mean >= 0 ? mean + radius : mean - radius
                    let small = large != 0 ? (a * c - b * b) / large : 0
                    if abs(small) <= threshold {
                        // Eigenvector of `small`: the better conditioned of (b, small − a) and (small − c, b);
                        // the other eigenvector is orthogonal to it (both count when both eigenvalues are tiny).
                        var v0 = b, v1 = small - a
                        if abs(small - c) + abs(b) > abs(b) + abs(small - a) { v0 = small - c; v1 = b }
                        var norm = (v0 * v0 + v1 * v1).squareRoot()
                        if norm == 0 { v0 = 1; v1 = 0; norm = 1 }
                        found.append(SmallPivot(position: first + i, magnitude: abs(small), first: v0 / norm, second: v1 / norm))
                        if abs(large) <= threshold {
                            found.append(SmallPivot(position: first + i, magnitude: abs(large), first: -v1 / norm, second: v0 / norm))
                        }
                    }
                    i += 2
                }
            }
        }
        return found.sorted { $0.magnitude < $1.magnitude }
    }

    /// `L⁻ᵀ w` in the permuted (pre-pivoting) numbering, for `w` the pivot's eigenvector
    /// (nonzero at its position(s) only). For a pivot whose Schur-complement column (block)
    /// was zero, it is a null vector of the matrix (see
    /// ``SupernodalLDLT/nullSpaceBasis(maxDimension:pivotTolerance:tolerance:)``).
    func inverseTransposeColumn(_ pivot: SmallPivot) -> [Double] {
        var x = [Double](repeating: 0, count: analysis.dimension)
        x[pivot.position] = pivot.first
        if pivotKind[pivot.position] == 1 { x[pivot.position + 1] = pivot.second }
        x.withUnsafeMutableBufferPointer { solvePermuted($0.baseAddress!, count: 1, backwardOnly: true) }
        return x
    }
}
