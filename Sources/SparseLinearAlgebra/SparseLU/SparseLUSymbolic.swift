/// Everything the multifrontal LU needs that depends on the pattern only: the
/// supernodal analysis of the symmetrized pattern `A + Aᵀ` (ordering, supernodes,
/// row structures, extend-add maps), where each stored entry of `A` lands in
/// which front, the factor layout and the update-stack peak.
///
/// Before that, a row permutation from a maximum transversal puts a stored entry
/// on every diagonal position (I. S. Duff, "On algorithms for obtaining a maximum
/// transversal", ACM TOMS 7 (1981) 315–330: depth-first augmenting paths after a
/// cheap assignment), preferring large entries of the values given to
/// ``init(_:ordering:)`` and, among equal ones, the diagonal itself — with zero
/// values (a pattern-only call) the diagonal is kept wherever it is stored.
/// Pivoting inside the fronts then starts from a zero-free diagonal.
///
/// With the symmetrized pattern every front is square: its rows and columns are
/// the same index set (the supernode's columns, then the rows below), so one
/// extend-add map serves both dimensions.
final class SparseLUSymbolic {
    let dimension: Int
    let analysis: SupernodalAnalysis
    // Row matching: row `matchedRow[j]` of A is row j of B = P A (zero-free diagonal).
    let matchedRow: [Int]
    // Analysed pattern of A (CSR), for pattern checks.
    let rowStarts: [Int]
    let columnIndices: [Int32]
    // Entries of A by supernode: for supernode s, entries entryStart[s] ..< entryStart[s+1];
    // entrySource = index into A's values, entryOffset = column-major offset in the m×m front.
    let entryStart: PinnedBuffer<Int>
    let entrySource: PinnedBuffer<Int>
    let entryOffset: PinnedBuffer<Int>
    // Factor layout: supernode s keeps its m×k panel (L11\U11 over L21, column-major, ld m)
    // at lowerStart[s] and its k×(m−k) block U12 (column-major, ld k) at upperStart[s].
    let lowerStart: PinnedBuffer<Int>
    let upperStart: PinnedBuffer<Int>
    let lowerCount: Int
    let upperCount: Int
    // Peak of the update-matrix stack (doubles).
    let stackPeak: Int
    // Stored entries of L and U (diagonal counted once), and LU flops.
    let storedNonzeros: Int
    let flops: Double

    init(_ a: CSRMatrix, ordering: OrderingMethod?) throws {
        let n = a.rows
        dimension = n
        rowStarts = a.rowStarts
        columnIndices = a.columnIndices
        let match = try Self.maximumTransversal(a)
        matchedRow = match
        var rowPosition = [Int](repeating: 0, count: n)
        for j in 0..<n { rowPosition[match[j]] = j }
        // B = P A: row j of B is row match[j] of A.
        var bStarts = [Int](repeating: 0, count: n + 1)
        var bColumns = [Int32]()
        bColumns.reserveCapacity(a.nonzeroCount)
        for j in 0..<n {
            let i = match[j]
            bColumns.append(contentsOf: a.columnIndices[a.rowStarts[i]..<a.rowStarts[i + 1]])
            bStarts[j + 1] = bColumns.count
        }
        let b = CSRMatrix(uncheckedRows: n, columns: n, rowStarts: bStarts, columnIndices: bColumns,
                          values: [Double](repeating: 0, count: bColumns.count))

        // Lower triangle (CSC) of the pattern of B + Bᵀ + I.
        var count = [Int](repeating: 1, count: n + 1)   // the diagonal
        count[n] = 0
        for i in 0..<n {
            for p in b.rowStarts[i]..<b.rowStarts[i + 1] {
                let j = Int(b.columnIndices[p])
                if j != i { count[min(i, j)] += 1 }
            }
        }
        var starts = [Int](repeating: 0, count: n + 1)
        for j in 0..<n { starts[j + 1] = starts[j] + count[j] }
        var rows = [Int32](repeating: 0, count: starts[n])
        var fill = starts
        for j in 0..<n { rows[fill[j]] = Int32(j); fill[j] += 1 }
        for i in 0..<n {
            for p in b.rowStarts[i]..<b.rowStarts[i + 1] {
                let j = Int(b.columnIndices[p])
                if j != i { let lo = min(i, j); rows[fill[lo]] = Int32(max(i, j)); fill[lo] += 1 }
            }
        }
        var compactStarts = [Int](repeating: 0, count: n + 1)
        var compact = [Int32]()
        compact.reserveCapacity(rows.count)
        for j in 0..<n {
            var column = rows[starts[j]..<starts[j + 1]].sorted()
            var w = 0
            for r in 0..<column.count where r == 0 || column[r] != column[r - 1] { column[w] = column[r]; w += 1 }
            compact.append(contentsOf: column[0..<w])
            compactStarts[j + 1] = compact.count
        }
        let pattern = SymmetricMatrix(uncheckedDimension: n, columnStarts: compactStarts, rowIndices: compact,
                                      values: [Double](repeating: 0, count: compact.count))
        let method = ordering ?? (n < 200 ? .approximateMinimumDegree : .nestedDissection)
        let base = try Ordering.compute(method, for: pattern)
        let an = try SupernodalAnalysis(pattern, ordering: base, threads: 1)
        analysis = an

        // Supernode of each permuted column; position of each A entry in its front.
        let ns = an.supernodeCount
        var colSuper = [Int](repeating: 0, count: n)
        for s in 0..<ns { for j in an.superStart[s]..<an.superStart[s + 1] { colSuper[j] = s } }
        let inv = an.ordering.inverse
        let nnz = a.nonzeroCount
        var bucket = [Int](repeating: 0, count: ns + 1)
        var superOf = [Int](repeating: 0, count: nnz)
        for i in 0..<n {
            let pi = inv[rowPosition[i]]
            for p in a.rowStarts[i]..<a.rowStarts[i + 1] {
                let s = colSuper[min(pi, inv[Int(a.columnIndices[p])])]
                superOf[p] = s; bucket[s + 1] += 1
            }
        }
        for s in 0..<ns { bucket[s + 1] += bucket[s] }
        var source = [Int](repeating: 0, count: nnz)
        var next = bucket
        for p in 0..<nnz { let s = superOf[p]; source[next[s]] = p; next[s] += 1 }
        var rowOf = [Int](repeating: 0, count: nnz)
        for i in 0..<n { for p in a.rowStarts[i]..<a.rowStarts[i + 1] { rowOf[p] = i } }
        var offset = [Int](repeating: 0, count: nnz)
        var position = [Int](repeating: -1, count: n)
        var lower = [Int](repeating: 0, count: ns + 1)
        var upper = [Int](repeating: 0, count: ns + 1)
        var stored = 0
        var flops = 0.0
        for s in 0..<ns {
            let r0 = an.rowStart[s], m = an.rowStart[s + 1] - r0
            let k = an.superStart[s + 1] - an.superStart[s]
            for q in 0..<m { position[Int(an.superRows[r0 + q])] = q }
            for e in bucket[s]..<bucket[s + 1] {
                let p = source[e]
                let r = position[inv[rowPosition[rowOf[p]]]], c = position[inv[Int(a.columnIndices[p])]]
                precondition(r >= 0 && c >= 0, "SparseLU: entry outside its front (analysis bug)")
                offset[e] = r + c * m
            }
            for q in 0..<m { position[Int(an.superRows[r0 + q])] = -1 }
            lower[s + 1] = lower[s] + m * k
            upper[s + 1] = upper[s] + k * (m - k)
            stored += m * k + k * (m - k) + k * (k - 1) / 2
            // Column c of the front: (m−c−1) multipliers and a (m−c−1)×(m−c−1) rank-1 update.
            for c in 0..<k { let r = Double(m - c - 1); flops += r + 2 * r * r }
        }
        // Update-stack peak: children's update matrices are consumed by their parent
        // (they sit on top of the stack, in postorder), then the parent's is pushed.
        var top = 0, peak = 0
        var pushed = [Int](repeating: 0, count: ns)
        for s in 0..<ns {
            for c in an.childStart[s]..<an.childStart[s + 1] { top -= pushed[Int(an.childList[c])] }
            let u = an.rowStart[s + 1] - an.rowStart[s] - (an.superStart[s + 1] - an.superStart[s])
            pushed[s] = u * u
            top += u * u
            peak = max(peak, top)
        }
        entryStart = PinnedBuffer(bucket)
        entrySource = PinnedBuffer(source)
        entryOffset = PinnedBuffer(offset)
        lowerStart = PinnedBuffer(lower)
        upperStart = PinnedBuffer(upper)
        lowerCount = lower[ns]
        upperCount = upper[ns]
        stackPeak = peak
        storedNonzeros = stored
        self.flops = flops
    }

    /// A row for every column (`result[column] = row`) with `A[row, column]` stored, all
    /// rows distinct: cheap assignment by decreasing |value| (the diagonal first among
    /// ties), then depth-first augmenting paths for the columns left over.
    /// - Throws: ``LinearAlgebraError/singular(column:)`` naming a column no matching
    ///   can cover (the matrix is structurally singular).
    static func maximumTransversal(_ a: CSRMatrix) throws -> [Int] {
        let n = a.rows
        let t = a.transposed()   // CSC of A: column j's rows in t's row j
        var candidates = [Int32](repeating: 0, count: t.nonzeroCount)
        for j in 0..<n {
            let lo = t.rowStarts[j], hi = t.rowStarts[j + 1]
            let order = (lo..<hi).sorted { p, q in
                let vp = abs(t.values[p]), vq = abs(t.values[q])
                if vp != vq { return vp > vq }
                let dp = Int(t.columnIndices[p]) == j, dq = Int(t.columnIndices[q]) == j
                if dp != dq { return dp }
                return t.columnIndices[p] < t.columnIndices[q]
            }
            for (k, p) in order.enumerated() { candidates[lo + k] = t.columnIndices[p] }
        }
        var rowOfColumn = [Int](repeating: -1, count: n)
        var columnOfRow = [Int](repeating: -1, count: n)
        for j in 0..<n {
            for p in t.rowStarts[j]..<t.rowStarts[j + 1] where columnOfRow[Int(candidates[p])] < 0 {
                let i = Int(candidates[p])
                rowOfColumn[j] = i; columnOfRow[i] = j
                break
            }
        }
        // Augmenting paths: from an unmatched column, try its rows; a matched row's column
        // is searched in turn (iterative depth-first search, rows visited once per search).
        var visited = [Int](repeating: -1, count: n)
        var next = [Int](repeating: 0, count: n)       // next candidate position per column on the path
        var path: [Int] = []
        for root in 0..<n where rowOfColumn[root] < 0 {
            path.removeAll(keepingCapacity: true)
            path.append(root)
            next[root] = t.rowStarts[root]
            var found = -1
            while let j = path.last, found < 0 {
                var advanced = false
                while next[j] < t.rowStarts[j + 1] {
                    let i = Int(candidates[next[j]])
                    next[j] += 1
                    if visited[i] == root { continue }
                    visited[i] = root
                    if columnOfRow[i] < 0 { found = i; break }
                    let c = columnOfRow[i]
                    next[c] = t.rowStarts[c]
                    path.append(c)
                    advanced = true
                    break
                }
                if found >= 0 { break }
                if !advanced { path.removeLast() }
            }
            guard found >= 0 else { throw LinearAlgebraError.singular(column: root) }
            // Flip the path: each column on it takes the row found below it.
            var row = found
            for j in path.reversed() {
                let previous = rowOfColumn[j]
                rowOfColumn[j] = row; columnOfRow[row] = j
                row = previous
            }
        }
        return rowOfColumn
    }

    /// Throws ``LinearAlgebraError/patternMismatch(_:)`` unless `a` has the analysed pattern.
    func checkPattern(_ a: CSRMatrix) throws {
        guard a.rows == dimension, a.columns == dimension else {
            throw LinearAlgebraError.patternMismatch("matrix is \(a.rows) × \(a.columns), analysed \(dimension) × \(dimension)")
        }
        if a.rowStarts != rowStarts {
            let i = (0..<dimension).first { a.rowStarts[$0 + 1] != rowStarts[$0 + 1] } ?? 0
            throw LinearAlgebraError.patternMismatch("row \(i) ends at entry \(a.rowStarts[i + 1]), analysed \(rowStarts[i + 1])")
        }
        if a.columnIndices != columnIndices {
            let p = (0..<columnIndices.count).first { a.columnIndices[$0] != columnIndices[$0] } ?? 0
            var i = 0
            while rowStarts[i + 1] <= p { i += 1 }
            throw LinearAlgebraError.patternMismatch("row \(i) has column \(a.columnIndices[p]) where the analysed pattern has column \(columnIndices[p])")
        }
    }
}
