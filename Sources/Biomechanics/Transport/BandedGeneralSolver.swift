import CLAPACK

/// A general (nonsymmetric) sparse matrix with a fixed pattern, factored by a
/// banded LU with partial pivoting after a reverse Cuthill–McKee renumbering.
///
/// Advection (and its SUPG stabilisation) and the coupled reaction Jacobian make
/// the transport tangent nonsymmetric, which the symmetric solvers of
/// `SparseLinearAlgebra` do not take. Transport systems are small next to the
/// mechanics (one scalar per node and solute), so a band solver is enough;
/// storage is `n·(2·kd + kd + 1)` doubles and the factorization costs about
/// `n·kd·3kd` multiply–adds for the RCM semi-bandwidth `kd`.
///
/// Index conventions: rows/columns are the problem's equations `0..<n`;
/// ``values`` follow ``rowStarts``/``columns`` (CSR, columns sorted per row).
public struct GeneralSparseMatrix: Sendable {
    /// Number of rows (= columns).
    public let dimension: Int
    /// CSR row starts (length `dimension + 1`).
    public let rowStarts: [Int]
    /// CSR column indices, sorted within each row.
    public let columns: [Int32]
    /// CSR values, same order as ``columns``.
    public var values: [Double]

    /// A matrix with the pattern given by sorted, duplicate-free column lists per row; values zero.
    public init(rows: [[Int32]]) {
        dimension = rows.count
        var starts = [0]
        starts.reserveCapacity(rows.count + 1)
        var cols: [Int32] = []
        for r in rows { cols.append(contentsOf: r); starts.append(cols.count) }
        rowStarts = starts
        columns = cols
        values = [Double](repeating: 0, count: cols.count)
    }

    /// Position of entry `(i, j)` in ``values``, nil if outside the pattern.
    public func position(row i: Int, column j: Int) -> Int? {
        var lo = rowStarts[i], hi = rowStarts[i + 1]
        let key = Int32(j)
        while lo < hi {
            let mid = (lo + hi) / 2
            if columns[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowStarts[i + 1] && columns[lo] == key ? lo : nil
    }

    /// `y = A x`.
    public func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension {
            var s = 0.0
            for p in rowStarts[i]..<rowStarts[i + 1] { s += values[p] * x[Int(columns[p])] }
            y[i] = s
        }
        return y
    }
}

/// Banded LU with partial pivoting (LAPACK `dgbtrf`/`dgbtrs`: blocked, BLAS-3 for
/// semi-bandwidths above the block size) of a ``GeneralSparseMatrix`` renumbered by
/// reverse Cuthill–McKee.
public final class BandedGeneralLU {
    /// `permutation[new] = old` of the RCM renumbering.
    public let permutation: [Int]
    /// `inverse[old] = new`.
    public let inverse: [Int]
    /// Semi-bandwidth of the renumbered matrix.
    public let bandwidth: Int
    private let n: Int
    private var band: [Double] = []
    private var pivots: [Int32] = []

    /// Orders the (structurally symmetric) pattern of `matrix` and measures its bandwidth.
    public init(pattern matrix: GeneralSparseMatrix) {
        n = matrix.dimension
        permutation = BandedGeneralLU.reverseCuthillMcKee(matrix)
        var inv = [Int](repeating: 0, count: n)
        for (new, old) in permutation.enumerated() { inv[old] = new }
        inverse = inv
        var bw = 0
        for i in 0..<n {
            for p in matrix.rowStarts[i]..<matrix.rowStarts[i + 1] { bw = max(bw, abs(inv[i] - inv[Int(matrix.columns[p])])) }
        }
        bandwidth = bw
    }

    /// Factors `matrix` (same pattern as at init) with `dgbtrf`.
    /// - Throws: ``TransportError/singularMatrix(column:)`` on an exactly zero pivot,
    ///   ``TransportError/nonFinite(what:)`` on a non-finite entry.
    public func factor(_ matrix: GeneralSparseMatrix) throws {
        let kl = bandwidth, ku = bandwidth, kv = kl + ku, ld = 2 * kl + ku + 1
        band = [Double](repeating: 0, count: max(ld * n, 1))
        pivots = [Int32](repeating: 0, count: max(n, 1))
        guard n > 0 else { return }
        let n = self.n
        var finite = true
        band.withUnsafeMutableBufferPointer { ab in
            matrix.values.withUnsafeBufferPointer { v in
                matrix.columns.withUnsafeBufferPointer { cols in
                    for i in 0..<n {
                        let pi = inverse[i]
                        for p in matrix.rowStarts[i]..<matrix.rowStarts[i + 1] {
                            let pj = inverse[Int(cols[p])]
                            ab[kv + pi - pj + pj * ld] += v[p]
                            if !v[p].isFinite { finite = false }
                        }
                    }
                }
            }
        }
        guard finite else { throw TransportError.nonFinite(what: "transport tangent") }
        var m = Int32(n), l = Int32(kl), u = Int32(ku), ldab = Int32(ld), info: Int32 = 0
        dgbtrf_(&m, &m, &l, &u, &band, &ldab, &pivots, &info)
        precondition(info >= 0, "dgbtrf: illegal argument \(-info)")
        if info > 0 { throw TransportError.singularMatrix(column: permutation[Int(info) - 1]) }
    }

    /// Solves `A x = b` in place (`b` in the original numbering) with `dgbtrs`.
    public func solve(_ b: inout [Double]) {
        guard n > 0 else { return }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n { y[inverse[i]] = b[i] }
        var m = Int32(n), l = Int32(bandwidth), one: Int32 = 1, ldab = Int32(2 * bandwidth + bandwidth + 1), info: Int32 = 0
        var trans = CChar(UInt8(ascii: "N"))
        dgbtrs_(&trans, &m, &l, &l, &one, band, &ldab, pivots, &y, &m, &info, 1)
        precondition(info == 0, "dgbtrs: illegal argument \(-info)")
        for i in 0..<n { b[i] = y[inverse[i]] }
    }

    /// Reverse Cuthill–McKee on the symmetrised pattern, each connected component
    /// started from a pseudo-peripheral vertex (two breadth-first sweeps).
    static func reverseCuthillMcKee(_ a: GeneralSparseMatrix) -> [Int] {
        let n = a.dimension
        var adjacency = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for p in a.rowStarts[i]..<a.rowStarts[i + 1] {
                let j = Int(a.columns[p])
                if j != i { adjacency[i].append(j); adjacency[j].append(i) }
            }
        }
        for i in 0..<n { adjacency[i] = Array(Set(adjacency[i])).sorted() }
        var visited = [Bool](repeating: false, count: n)
        var order: [Int] = []
        order.reserveCapacity(n)
        func bfs(_ start: Int, mark: Bool) -> [Int] {
            var seen = visited
            var queue = [start]
            seen[start] = true
            var head = 0
            while head < queue.count {
                let v = queue[head]; head += 1
                for w in adjacency[v].sorted(by: { adjacency[$0].count < adjacency[$1].count }) where !seen[w] {
                    seen[w] = true; queue.append(w)
                }
            }
            if mark { visited = seen }
            return queue
        }
        for s in 0..<n where !visited[s] {
            var start = s
            for _ in 0..<2 { start = bfs(start, mark: false).last ?? start }
            order.append(contentsOf: bfs(start, mark: true))
        }
        return order.reversed()
    }
}
