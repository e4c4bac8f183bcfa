#if canImport(Glibc)
import Glibc
#endif

/// Rules for relaxed supernode amalgamation: a child supernode is merged into
/// its parent (when it is the parent's last child, so that columns stay
/// contiguous) if the merged supernode is small, or if the explicit zeros the
/// merge stores are a small fraction of its entries.
///
/// The defaults are CHOLMOD's (`Common->nrelax = {4, 16, 48}`,
/// `Common->zrelax = {0.8, 0.1, 0.05}`; Davis & Hager, CHOLMOD user guide,
/// "cholmod_super_symbolic"), which trade a few percent more entries of `L`
/// for supernodes wide enough to keep BLAS-3 kernels efficient.
public struct SupernodeRelaxation: Sendable, Equatable {
    /// Always merge when the merged supernode has at most this many columns.
    public var alwaysMergeColumns: Int
    /// Column limit of the "small" class.
    public var smallColumns: Int
    /// Column limit of the "medium" class.
    public var mediumColumns: Int
    /// Largest fraction of explicit zeros (dimensionless, 0…1) for small merged supernodes.
    public var smallZeroFraction: Double
    /// Largest fraction of explicit zeros for medium merged supernodes.
    public var mediumZeroFraction: Double
    /// Largest fraction of explicit zeros for larger merged supernodes.
    public var largeZeroFraction: Double

    /// Creates a rule set; see the property docs for the meaning of each value.
    public init(alwaysMergeColumns: Int, smallColumns: Int, mediumColumns: Int,
                smallZeroFraction: Double, mediumZeroFraction: Double, largeZeroFraction: Double) {
        self.alwaysMergeColumns = alwaysMergeColumns
        self.smallColumns = smallColumns
        self.mediumColumns = mediumColumns
        self.smallZeroFraction = smallZeroFraction
        self.mediumZeroFraction = mediumZeroFraction
        self.largeZeroFraction = largeZeroFraction
    }

    /// CHOLMOD's defaults: nrelax = (4, 16, 48), zrelax = (0.8, 0.1, 0.05).
    public static let cholmod = SupernodeRelaxation(
        alwaysMergeColumns: 4, smallColumns: 16, mediumColumns: 48,
        smallZeroFraction: 0.8, mediumZeroFraction: 0.1, largeZeroFraction: 0.05)

    /// No amalgamation: fundamental supernodes only (`L` stores no explicit zeros).
    public static let none = SupernodeRelaxation(
        alwaysMergeColumns: 0, smallColumns: 0, mediumColumns: 0,
        smallZeroFraction: 0, mediumZeroFraction: 0, largeZeroFraction: 0)

    func merges(columns: Int, zeroFraction: Double) -> Bool {
        if columns <= alwaysMergeColumns { return true }
        if columns <= smallColumns { return zeroFraction < smallZeroFraction }
        if columns <= mediumColumns { return zeroFraction < mediumZeroFraction }
        return zeroFraction < largeZeroFraction
    }
}

/// The symbolic (pattern-only) supernodal factorization of a symmetric
/// matrix: fill-reducing ordering composed with an elimination-tree
/// postorder, column counts, fundamental and relaxed supernodes, their row
/// structures, and everything the numeric multifrontal factorization needs
/// that does not depend on values (where each entry of `A` lands in which
/// front, the extend-add index maps, the update-matrix stack layout).
///
/// Algorithms: elimination tree by Liu's algorithm with path compression
/// (J. W. H. Liu, "The role of elimination trees in sparse factorization",
/// SIAM J. Matrix Anal. Appl. 11 (1990) 134–172); column counts exactly, by
/// walking each row subtree of the tree (cost O(nnz(L))); fundamental supernodes
/// (Liu, Ng & Peyton, "On finding supernodes for sparse matrix computations",
/// SIAM J. Matrix Anal. Appl. 14 (1993) 242–252); relaxed amalgamation by
/// ``SupernodeRelaxation`` (Ashcraft & Grimes 1989, CHOLMOD's rules).
public struct SupernodalAnalysis: Sendable {
    /// Number of unknowns.
    public let dimension: Int
    /// The final ordering: the fill-reducing ordering followed by an
    /// elimination-tree postorder (`permutation[new] = old`).
    public let ordering: Ordering
    /// The relaxation rules used.
    public let relaxation: SupernodeRelaxation
    /// Elimination-tree parent of each permuted column (−1 for a root).
    public let eliminationParent: [Int]
    /// Number of (relaxed) supernodes.
    public let supernodeCount: Int
    /// Entries stored in `L` (diagonal included, explicit zeros of relaxed supernodes included).
    public let storedNonzerosL: Int
    /// Structural nonzeros of `L` (diagonal included) without relaxation: Σ column counts.
    public let exactNonzerosL: Int
    /// Floating-point operations of the numeric factorization as performed
    /// on the stored supernodes: Σ over stored columns of c², `c` = entries of the
    /// column of `L` (diagonal included).
    public let factorFlops: Double
    /// Floating-point operations of an ideal (unrelaxed) factorization: Σ colcount².
    public let exactFactorFlops: Double
    /// Largest front order (rows of a supernode, diagonal block included).
    public let largestFront: Int

    // Pattern of the analysed (unpermuted) matrix, for pattern checks.
    let patternColumnStarts: [Int]
    let patternRows: [Int32]
    // Permuted lower CSC: column starts, and for each permuted entry the
    // index of the original entry it comes from.
    let permutedColumnStarts: PinnedBuffer<Int>
    let sourceOfEntry: PinnedBuffer<Int>
    // For each permuted entry, its row's position in its supernode's front.
    let entryLocalRow: PinnedBuffer<Int32>
    // Supernodes: columns superStart[s] ..< superStart[s+1].
    let superStart: PinnedBuffer<Int>
    // Row structure of supernode s: superRows[rowStart[s] ..< rowStart[s+1]],
    // its own columns first (in order), then the rows below, increasing.
    let rowStart: PinnedBuffer<Int>
    let superRows: PinnedBuffer<Int32>
    // Offset of supernode s's dense m×k block in the factor storage.
    let factorStart: PinnedBuffer<Int>
    // Supernode parent (−1 for a root); children of s: childList[childStart[s] ..< childStart[s+1]].
    let superParent: [Int]
    let childStart: PinnedBuffer<Int>
    let childList: PinnedBuffer<Int32>
    // Extend-add map: for each update row of s, its position in the parent's front.
    let relStart: PinnedBuffer<Int>
    let relMap: PinnedBuffer<Int32>
    // Multifrontal stack: where s's update matrix (u×u) is formed, where it rests
    // until its parent consumes it, and the stack's peak size (doubles).
    let stackTemp: PinnedBuffer<Int>
    let stackFinal: PinnedBuffer<Int>
    /// Peak size of the update-matrix stacks (doubles).
    public let stackSize: Int
    /// Which supernodes run on which worker thread, and which after them.
    public let schedule: SupernodalSchedule
    // Largest supernode width and update-matrix order.
    let largestWidth: Int
    let largestUpdate: Int
    // Largest (m − k)·k over supernodes: the LDLᵀ panel size.
    let largestPanel: Int

    /// Analyses the pattern of `matrix` (values are ignored).
    ///
    /// - Parameters:
    ///   - matrix: the symmetric matrix (lower triangle); only its pattern is read.
    ///   - ordering: a fill-reducing ordering; `nil` computes METIS nested dissection.
    ///   - relaxation: amalgamation rules (default CHOLMOD's).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(what:expected:got:)`` when
    ///   the ordering's size differs from the matrix's.
    ///   - threads: bins of independent subtrees (default
    ///     ``SupernodalSchedule/defaultThreads``; 1 disables subtree parallelism).
    ///     The bins fix the work; the threads that run them are granted by
    ///     ``ThreadBudget`` at each factorization.
    ///   - parallelWorkThreshold: factorizations with fewer flops than this run
    ///     on one thread (default 2·10⁸: below it, starting threads does not pay).
    public init(_ matrix: SymmetricMatrix, ordering: Ordering? = nil, relaxation: SupernodeRelaxation = .cholmod,
                threads: Int = SupernodalSchedule.defaultThreads,
                parallelWorkThreshold: Double = SupernodalSchedule.defaultParallelWorkThreshold) throws {
        let n = matrix.dimension
        let base = try ordering ?? Ordering.compute(.nestedDissection, for: matrix)
        guard base.permutation.count == n else {
            throw LinearAlgebraError.dimensionMismatch(what: "ordering", expected: n, got: base.permutation.count)
        }
        let graph = AdjacencyGraph(matrix)

        // 1. Elimination tree in the base ordering, then its postorder.
        let parent0 = Self.eliminationTree(graph, permutation: base.permutation, inverse: base.inverse)
        let post = Self.postorder(parent0)
        var finalPerm = [Int](repeating: 0, count: n)
        var postInverse = [Int](repeating: 0, count: n)
        for k in 0..<n { finalPerm[k] = base.permutation[post[k]]; postInverse[post[k]] = k }
        var parent = [Int](repeating: -1, count: n)
        for k in 0..<n { let p = parent0[post[k]]; parent[k] = p < 0 ? -1 : postInverse[p] }
        var finalOrdering = try Ordering(method: base.method, permutation: finalPerm)
        let inv = finalOrdering.inverse

        // 2. Column counts (off-diagonal), Gilbert–Ng–Peyton.
        let below = Self.columnCounts(graph, parent: parent, permutation: finalPerm, inverse: inv)
        var exactNnz = 0
        var exactFlops = 0.0
        for j in 0..<n { let c = below[j] + 1; exactNnz += c; exactFlops += Double(c) * Double(c) }

        // 3. Fundamental supernodes.
        var childCount = [Int](repeating: 0, count: n)
        for j in 0..<n where parent[j] >= 0 { childCount[parent[j]] += 1 }
        var fStart: [Int] = []
        fStart.reserveCapacity(n / 2 + 1)
        for j in 0..<n {
            let continues = j > 0 && parent[j - 1] == j && childCount[j] == 1 && below[j - 1] == below[j] + 1
            if !continues { fStart.append(j) }
        }
        let nf = fStart.count
        fStart.append(n)
        var colSuper = [Int](repeating: 0, count: n)
        for f in 0..<nf { for j in fStart[f]..<fStart[f + 1] { colSuper[j] = f } }
        var fParent = [Int](repeating: -1, count: nf)
        for f in 0..<nf { let p = parent[fStart[f + 1] - 1]; fParent[f] = p < 0 ? -1 : colSuper[p] }

        // 4. Relaxed amalgamation (merge f into f+1 when f is its last child).
        var gCols = [Int](repeating: 0, count: nf)
        var gRows = [Int](repeating: 0, count: nf)
        var gExact = [Int](repeating: 0, count: nf)
        var mergedIntoPrevious = [Bool](repeating: false, count: nf)
        for f in 0..<nf {
            let k = fStart[f + 1] - fStart[f]
            gCols[f] = k
            gRows[f] = below[fStart[f]] + 1
            var e = 0
            for j in fStart[f]..<fStart[f + 1] { e += below[j] + 1 }
            gExact[f] = e
        }
        if nf >= 2 {
            for f in stride(from: nf - 2, through: 0, by: -1) where fParent[f] == f + 1 {
                let p = f + 1
                let k = fStart[f + 1] - fStart[f]
                let cols = k + gCols[p], rows = k + gRows[p]
                let stored = cols * rows - cols * (cols - 1) / 2
                let exact = gExact[p] + gExact[f]
                let fraction = Double(stored - exact) / Double(stored)
                if relaxation.merges(columns: cols, zeroFraction: fraction) {
                    gCols[f] = cols; gRows[f] = rows; gExact[f] = exact
                    mergedIntoPrevious[p] = true
                }
            }
        }
        var superStart: [Int] = []
        var superRowCount: [Int] = []
        for f in 0..<nf where !mergedIntoPrevious[f] { superStart.append(fStart[f]); superRowCount.append(gRows[f]) }
        let ns = superStart.count
        superStart.append(n)
        for s in 0..<ns { for j in superStart[s]..<superStart[s + 1] { colSuper[j] = s } }
        var superParent = [Int](repeating: -1, count: ns)
        for s in 0..<ns { let p = parent[superStart[s + 1] - 1]; superParent[s] = p < 0 ? -1 : colSuper[p] }
        var childStart = [Int](repeating: 0, count: ns + 1)
        for s in 0..<ns where superParent[s] >= 0 { childStart[superParent[s] + 1] += 1 }
        for s in 0..<ns { childStart[s + 1] += childStart[s] }
        var childList = [Int32](repeating: 0, count: childStart[ns])
        do {
            var next = childStart
            for s in 0..<ns where superParent[s] >= 0 {
                let p = superParent[s]; childList[next[p]] = Int32(s); next[p] += 1
            }
        }

        // 4b. Reorder children so that the multifrontal stack peak is minimal
        //     (J. W. H. Liu, "On the storage requirement in the out-of-core
        //     multifrontal method for sparse factorization", ACM TOMS 12 (1986)
        //     249–264: visit children by decreasing peak(c) − |update(c)|).
        //     Any such postorder of the supernodal tree is a topological order
        //     of the elimination tree, so fill and flops are unchanged.
        do {
            var peak = [Int](repeating: 0, count: ns)
            var order: [Int32] = []
            for sn in 0..<ns {
                let u = superRowCount[sn] - (superStart[sn + 1] - superStart[sn])
                var kids = Array(childList[childStart[sn]..<childStart[sn + 1]])
                kids.sort {
                    let a = Int($0), b = Int($1)
                    let ua = superRowCount[a] - (superStart[a + 1] - superStart[a])
                    let ub = superRowCount[b] - (superStart[b + 1] - superStart[b])
                    let ka = peak[a] - ua * ua, kb = peak[b] - ub * ub
                    return ka != kb ? ka > kb : a < b
                }
                var running = 0, best = 0
                for c in kids {
                    let uc = superRowCount[Int(c)] - (superStart[Int(c) + 1] - superStart[Int(c)])
                    best = max(best, running + peak[Int(c)]); running += uc * uc
                }
                peak[sn] = max(best, running + u * u)
                for (i, c) in kids.enumerated() { childList[childStart[sn] + i] = c }
            }
            // Postorder with the sorted children (iterative DFS from the roots, in index order).
            order.reserveCapacity(ns)
            var stackNodes: [(node: Int, next: Int)] = []
            for root in 0..<ns where superParent[root] < 0 {
                stackNodes.append((root, childStart[root]))
                while let top = stackNodes.last {
                    if top.next < childStart[top.node + 1] {
                        stackNodes[stackNodes.count - 1].next += 1
                        let c = Int(childList[top.next])
                        stackNodes.append((c, childStart[c]))
                    } else {
                        order.append(Int32(top.node)); stackNodes.removeLast()
                    }
                }
            }
            var newIndex = [Int](repeating: 0, count: ns)
            for (i, sn) in order.enumerated() { newIndex[Int(sn)] = i }
            var newColumn = [Int](repeating: 0, count: n)
            var newStart = [Int](repeating: 0, count: ns + 1)
            var newRowCount = [Int](repeating: 0, count: ns)
            var next = 0
            for (i, sn32) in order.enumerated() {
                let sn = Int(sn32)
                newStart[i] = next
                newRowCount[i] = superRowCount[sn]
                for j in superStart[sn]..<superStart[sn + 1] { newColumn[j] = next; next += 1 }
            }
            newStart[ns] = n
            var newPerm = [Int](repeating: 0, count: n)
            var newParent = [Int](repeating: -1, count: n)
            for j in 0..<n {
                newPerm[newColumn[j]] = finalPerm[j]
                newParent[newColumn[j]] = parent[j] < 0 ? -1 : newColumn[parent[j]]
            }
            var newSuperParent = [Int](repeating: -1, count: ns)
            for sn in 0..<ns where superParent[sn] >= 0 { newSuperParent[newIndex[sn]] = newIndex[superParent[sn]] }
            finalPerm = newPerm
            parent = newParent
            superStart = newStart
            superRowCount = newRowCount
            superParent = newSuperParent
            finalOrdering = try Ordering(method: base.method, permutation: finalPerm)
            childStart = [Int](repeating: 0, count: ns + 1)
            for sn in 0..<ns where superParent[sn] >= 0 { childStart[superParent[sn] + 1] += 1 }
            for sn in 0..<ns { childStart[sn + 1] += childStart[sn] }
            var fill = childStart
            for sn in 0..<ns where superParent[sn] >= 0 {
                let p = superParent[sn]; childList[fill[p]] = Int32(sn); fill[p] += 1
            }
        }

        // 5. Permute A once (scatter map kept for refactorizations).
        let (pa, source) = matrix.permuted(by: finalPerm)

        // 6. Row structures, extend-add maps and entry positions, supernode by supernode.
        var rowStart = [Int](repeating: 0, count: ns + 1)
        var superRows: [Int32] = []
        superRows.reserveCapacity(n * 4)
        var entryLocalRow = [Int32](repeating: 0, count: pa.storedCount)
        var relStart = [Int](repeating: 0, count: ns + 1)
        var updateSize = [Int](repeating: 0, count: ns)
        var position = [Int32](repeating: -1, count: n)
        var stamp = [Int](repeating: -1, count: n)
        var relMap: [Int32] = []
        var scratch: [Int32] = []
        var storedNnz = 0
        var flops = 0.0
        var largestFront = 0, largestWidth = 0, largestUpdate = 0, largestPanel = 0
        var factorStart = [Int](repeating: 0, count: ns + 1)
        // relStart is filled when the parent is processed; children precede parents.
        var relOffsets = [Int](repeating: 0, count: ns)
        for s in 0..<ns {
            let first = superStart[s], last = superStart[s + 1]
            let k = last - first
            rowStart[s] = superRows.count
            for j in first..<last { superRows.append(Int32(j)); stamp[j] = s }
            scratch.removeAll(keepingCapacity: true)
            for j in first..<last {
                for p in pa.columnStarts[j]..<pa.columnStarts[j + 1] {
                    let i = Int(pa.rowIndices[p])
                    if stamp[i] != s { stamp[i] = s; scratch.append(Int32(i)) }
                }
            }
            for c in childStart[s]..<childStart[s + 1] {
                let t = Int(childList[c])
                let tk = superStart[t + 1] - superStart[t]
                for q in (rowStart[t] + tk)..<rowStart[t + 1] {
                    let i = Int(superRows[q])
                    if stamp[i] != s { stamp[i] = s; scratch.append(Int32(i)) }
                }
            }
            scratch.sort()
            superRows.append(contentsOf: scratch)
            let m = k + scratch.count
            for (local, q) in (rowStart[s]..<(rowStart[s] + m)).enumerated() { position[Int(superRows[q])] = Int32(local) }
            for j in first..<last {
                for p in pa.columnStarts[j]..<pa.columnStarts[j + 1] { entryLocalRow[p] = position[Int(pa.rowIndices[p])] }
            }
            for c in childStart[s]..<childStart[s + 1] {
                let t = Int(childList[c])
                let tk = superStart[t + 1] - superStart[t]
                relOffsets[t] = relMap.count
                for q in (rowStart[t] + tk)..<(rowStart[t] + tk + updateSize[t]) { relMap.append(position[Int(superRows[q])]) }
            }
            updateSize[s] = m - k
            factorStart[s + 1] = factorStart[s] + m * k
            storedNnz += m * k - k * (k - 1) / 2
            for c in 0..<k { let len = Double(m - c); flops += len * len }
            largestFront = max(largestFront, m)
            largestWidth = max(largestWidth, k)
            largestUpdate = max(largestUpdate, m - k)
            largestPanel = max(largestPanel, (m - k) * k)
        }
        rowStart[ns] = superRows.count
        for s in 0..<ns { relStart[s] = relOffsets[s] }
        relStart[ns] = relMap.count

        // 7. Schedule: independent subtrees for worker threads, the rest (the
        //    top of the tree) afterwards; then the update-stack layout of each.
        var nodeWork = [Double](repeating: 0, count: ns)
        for sn in 0..<ns {
            let k = superStart[sn + 1] - superStart[sn], m = k + updateSize[sn]
            var w = 0.0
            for c in 0..<k { let len = Double(m - c); w += len * len }
            nodeWork[sn] = w + Double(updateSize[sn] * updateSize[sn])
        }
        let plan = SupernodalSchedule(parent: superParent, childStart: childStart, childList: childList,
                                      work: nodeWork, threads: threads, minimumWork: parallelWorkThreshold)
        var stackTemp = [Int](repeating: 0, count: ns)
        var stackFinal = [Int](repeating: 0, count: ns)
        var stackBase = 0
        // One stack per worker, then the main stack; children resting on the same
        // stack as their parent are on its top, in order, when the parent starts.
        for order in plan.threadRanges.map({ ranges in ranges.flatMap { Array($0) } }) + [plan.top] {
            var top = 0, peak = 0
            for sn in order {
                let u = updateSize[sn]
                var childTotal = 0
                for c in childStart[sn]..<childStart[sn + 1] {
                    let t = Int(childList[c])
                    if plan.stackOf[t] == plan.stackOf[sn] { childTotal += updateSize[t] * updateSize[t] }
                }
                stackTemp[sn] = stackBase + top
                peak = max(peak, top + u * u)
                top -= childTotal
                stackFinal[sn] = stackBase + top
                top += u * u
            }
            stackBase += peak
        }
        let peak = stackBase

        self.dimension = n
        self.ordering = finalOrdering
        self.relaxation = relaxation
        self.eliminationParent = parent
        self.supernodeCount = ns
        self.storedNonzerosL = storedNnz
        self.exactNonzerosL = exactNnz
        self.factorFlops = flops
        self.exactFactorFlops = exactFlops
        self.largestFront = largestFront
        self.patternColumnStarts = matrix.columnStarts
        self.patternRows = matrix.rowIndices
        self.permutedColumnStarts = PinnedBuffer(pa.columnStarts)
        self.sourceOfEntry = PinnedBuffer(source)
        self.entryLocalRow = PinnedBuffer(entryLocalRow)
        self.superStart = PinnedBuffer(superStart)
        self.rowStart = PinnedBuffer(rowStart)
        self.superRows = PinnedBuffer(superRows)
        self.factorStart = PinnedBuffer(factorStart)
        self.superParent = superParent
        self.childStart = PinnedBuffer(childStart)
        self.childList = PinnedBuffer(childList)
        self.relStart = PinnedBuffer(relStart)
        self.relMap = PinnedBuffer(relMap)
        self.stackTemp = PinnedBuffer(stackTemp)
        self.stackFinal = PinnedBuffer(stackFinal)
        self.stackSize = peak
        self.schedule = plan
        self.largestWidth = largestWidth
        self.largestUpdate = largestUpdate
        self.largestPanel = largestPanel
    }

    /// Number of rows of supernode `s`'s front (its columns included).
    func frontRows(_ s: Int) -> Int { rowStart[s + 1] - rowStart[s] }
    /// Number of columns of supernode `s`.
    func width(_ s: Int) -> Int { superStart[s + 1] - superStart[s] }

    /// Throws ``LinearAlgebraError/patternMismatch(_:)`` unless `matrix` has the analysed pattern.
    func checkPattern(_ matrix: SymmetricMatrix) throws {
        guard matrix.dimension == dimension else {
            throw LinearAlgebraError.patternMismatch("dimension \(matrix.dimension), analysed \(dimension)")
        }
        if matrix.columnStarts != patternColumnStarts {
            var j = 0
            while j < dimension - 1 && matrix.columnStarts[j + 1] == patternColumnStarts[j + 1] { j += 1 }
            let got: Int = matrix.columnStarts[j + 1] - matrix.columnStarts[j]
            let expected: Int = patternColumnStarts[j + 1] - patternColumnStarts[j]
            throw LinearAlgebraError.patternMismatch("column \(j) has \(got) stored entries, analysed \(expected)")
        }
        if matrix.rowIndices != patternRows {
            let p = (0..<patternRows.count).first { matrix.rowIndices[$0] != patternRows[$0] } ?? 0
            var j = 0
            while patternColumnStarts[j + 1] <= p { j += 1 }
            throw LinearAlgebraError.patternMismatch("column \(j) has row \(matrix.rowIndices[p]) where the analysed pattern has row \(patternRows[p])")
        }
    }

    /// Off-diagonal column counts of the Cholesky factor of `P A Pᵀ`, whose
    /// elimination tree `parent` is postordered (every subtree is a contiguous
    /// range ending at its root), in O(nnz(A)·α) time: J. R. Gilbert, E. G. Ng
    /// and B. W. Peyton, "An efficient algorithm to compute row and column counts
    /// for sparse Cholesky factorization", SIAM J. Matrix Anal. Appl. 15 (1994)
    /// 1075–1091 — each row subtree's leaves add 1 to their column, and the least
    /// common ancestor of consecutive leaves subtracts 1 (found with a
    /// path-compressed disjoint-set forest); counts are then summed up the tree.
    static func columnCounts(_ g: AdjacencyGraph, parent: [Int], permutation: [Int], inverse: [Int]) -> [Int] {
        let n = parent.count
        var delta = [Int](repeating: 0, count: n)
        var first = [Int](repeating: -1, count: n)
        var maxFirst = [Int](repeating: -1, count: n)
        var previousLeaf = [Int](repeating: -1, count: n)
        var ancestor = Array(0..<n)
        // first[j]: smallest (postorder) index in j's subtree; leaves of the tree get delta 1.
        for k in 0..<n {
            delta[k] = first[k] == -1 ? 1 : 0
            var j = k
            while j != -1 && first[j] == -1 { first[j] = k; j = parent[j] }
        }
        g.starts.withUnsafeBufferPointer { gs in
            g.neighbours.withUnsafeBufferPointer { gn in
                delta.withUnsafeMutableBufferPointer { dl in
                    first.withUnsafeBufferPointer { fs in
                        maxFirst.withUnsafeMutableBufferPointer { mf in
                            previousLeaf.withUnsafeMutableBufferPointer { pl in
                                ancestor.withUnsafeMutableBufferPointer { anc in
                                    for j in 0..<n {
                                        if parent[j] != -1 { dl[parent[j]] -= 1 }
                                        let v = permutation[j]
                                        for q in gs[v]..<gs[v + 1] {
                                            let i = inverse[Int(gn[q])]
                                            // Is j a leaf of row i's subtree?
                                            if i <= j || fs[j] <= mf[i] { continue }
                                            mf[i] = fs[j]
                                            let previous = pl[i]
                                            pl[i] = j
                                            dl[j] += 1
                                            if previous == -1 { continue }
                                            // Subsequent leaf: subtract at the least common ancestor.
                                            var lca = previous
                                            while lca != anc[lca] { lca = anc[lca] }
                                            var x = previous
                                            while x != lca { let next = anc[x]; anc[x] = lca; x = next }
                                            dl[lca] -= 1
                                        }
                                        if parent[j] != -1 { anc[j] = parent[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for j in 0..<n where parent[j] != -1 { delta[parent[j]] += delta[j] }
        for j in 0..<n { delta[j] -= 1 }
        return delta
    }

    /// Elimination tree of `P A Pᵀ` by Liu's algorithm with path compression.
    static func eliminationTree(_ g: AdjacencyGraph, permutation: [Int], inverse: [Int]) -> [Int] {
        let n = g.vertexCount
        var parent = [Int](repeating: -1, count: n)
        var ancestor = [Int](repeating: -1, count: n)
        g.starts.withUnsafeBufferPointer { gs in
            g.neighbours.withUnsafeBufferPointer { gn in
                parent.withUnsafeMutableBufferPointer { par in
                    ancestor.withUnsafeMutableBufferPointer { anc in
                        for k in 0..<n {
                            let v = permutation[k]
                            for q in gs[v]..<gs[v + 1] {
                                var r = inverse[Int(gn[q])]
                                if r >= k { continue }
                                while anc[r] != -1 && anc[r] != k {
                                    let next = anc[r]; anc[r] = k; r = next
                                }
                                if anc[r] == -1 { anc[r] = k; par[r] = k }
                            }
                        }
                    }
                }
            }
        }
        return parent
    }

    /// Postorder of a forest: `post[k]` is the k-th node visited (children in increasing order).
    static func postorder(_ parent: [Int]) -> [Int] {
        let n = parent.count
        var head = [Int](repeating: -1, count: n)
        var next = [Int](repeating: -1, count: n)
        for j in stride(from: n - 1, through: 0, by: -1) where parent[j] >= 0 {
            next[j] = head[parent[j]]; head[parent[j]] = j
        }
        var post = [Int](repeating: 0, count: n)
        var stack: [Int] = []
        var k = 0
        for root in 0..<n where parent[root] < 0 {
            stack.append(root)
            while let p = stack.last {
                let i = head[p]
                if i == -1 { stack.removeLast(); post[k] = p; k += 1 } else { head[p] = next[i]; stack.append(i) }
            }
        }
        return post
    }
}

/// An immutable array copied once into manually managed memory, so that hot
/// loops can index it through a plain pointer without nesting closures.
/// Never mutated after `init`, hence safe to share across threads.
final class PinnedBuffer<Element>: @unchecked Sendable {
    /// First element.
    let base: UnsafeMutablePointer<Element>
    /// Number of elements.
    let count: Int

    init(_ array: [Element]) {
        count = array.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        array.withUnsafeBufferPointer { src in
            if let a = src.baseAddress { base.initialize(from: a, count: count) }
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) subscript(i: Int) -> Element { base[i] }
}

/// How the multifrontal factorization uses several cores: the assembly tree
/// is cut into disjoint subtrees, distributed over worker threads by
/// longest-processing-time-first so that the workers' flops are balanced; the
/// supernodes above the cut (near the root, where fronts are largest) run
/// afterwards on the calling thread, which hands the pieces of each large dense
/// kernel to helper threads. (Subtree-to-thread mapping as in Geist & Ng, "Task
/// scheduling for parallel sparse Cholesky factorization", Int. J. Parallel
/// Programming 18 (1989) 291–314.)
public struct SupernodalSchedule: Sendable {
    /// Subtree bins made when the caller does not choose: ``ThreadBudget/total``.
    ///
    /// The BLAS runs single-threaded (``ThreadBudget/configureBLAS()``), and the
    /// factorization parallelizes above it: independent subtrees in bins, then the
    /// large fronts at the top of the tree in fixed pieces (column blocks of the
    /// Schur update, row blocks of the triangular solve, halves of the assembly),
    /// each phase on as many threads as ``ThreadBudget`` grants at that moment.
    /// Waiting threads block instead of spinning, so a busy machine or a second
    /// factorization in the same process slows a run by its share of the cores only.
    /// Measured on the 30k u–p matrix (2 cores, load ≈ 15 from compilers): the
    /// two-thread OpenBLAS under the old schedule 23–40 s, single-threaded OpenBLAS 7–9 s.
    public static var defaultThreads: Int { ThreadBudget.total }

    /// Threads the library may use: ``ThreadBudget/total`` (`SPINETRACTION_THREADS`,
    /// else the online processors, at most 8).
    public static var threadBudget: Int { ThreadBudget.total }

    /// Total work (flops) below which no worker threads are started.
    public static let defaultParallelWorkThreshold = 2e8
    /// Number of worker threads used for independent subtrees (0 when sequential).
    public var workerCount: Int { threadRanges.count }

    /// Per worker: ascending ranges of supernodes (each one whole subtree, in postorder).
    let threadRanges: [[Range<Int>]]
    /// Supernodes processed after the workers, ascending.
    let top: [Int]
    /// Stack of each supernode: worker index, or `threadRanges.count` for the main stack.
    let stackOf: [Int]

    init(parent: [Int], childStart: [Int], childList: [Int32], work: [Double], threads: Int, minimumWork: Double) {
        let ns = parent.count
        var subtreeWork = work
        var subtreeSize = [Int](repeating: 1, count: ns)
        for sn in 0..<ns where parent[sn] >= 0 { subtreeWork[parent[sn]] += subtreeWork[sn]; subtreeSize[parent[sn]] += subtreeSize[sn] }
        let total = (0..<ns).filter { parent[$0] < 0 }.reduce(0.0) { $0 + subtreeWork[$1] }
        guard threads > 1, total >= minimumWork else {
            threadRanges = []
            top = Array(0..<ns)
            stackOf = [Int](repeating: 0, count: ns)
            return
        }
        var candidates = (0..<ns).filter { parent[$0] < 0 }
        var isTop = [Bool](repeating: false, count: ns)
        var bins: [[Int]] = []
        for _ in 0..<min(4 * ns, 256) {
            candidates.sort { subtreeWork[$0] > subtreeWork[$1] }
            var load = [Double](repeating: 0, count: threads)
            bins = [[Int]](repeating: [], count: threads)
            for c in candidates {
                let t = load.indices.min { load[$0] < load[$1] }!
                load[t] += subtreeWork[c]; bins[t].append(c)
            }
            let assigned = load.reduce(0, +)
            let balanced = load.max()! <= 1.05 * assigned / Double(threads) && candidates.count >= threads
            // Stop when balanced, or when the cut would move too much work to the top.
            if balanced { break }
            guard let largest = candidates.first, childStart[largest + 1] > childStart[largest] else { break }
            candidates.removeFirst()
            isTop[largest] = true
            for q in childStart[largest]..<childStart[largest + 1] { candidates.append(Int(childList[q])) }
        }
        var stackOf = [Int](repeating: threads, count: ns)
        var ranges: [[Range<Int>]] = []
        for (t, roots) in bins.enumerated() {
            let r = roots.sorted().map { ($0 - subtreeSize[$0] + 1)..<($0 + 1) }
            for range in r { for sn in range { stackOf[sn] = t } }
            ranges.append(r)
        }
        self.threadRanges = ranges
        self.top = (0..<ns).filter { isTop[$0] || stackOf[$0] == threads }
        self.stackOf = stackOf
    }
}
