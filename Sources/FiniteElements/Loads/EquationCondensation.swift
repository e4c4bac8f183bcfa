import SparseLinearAlgebra

/// Master–slave elimination of linear multi-point constraints: every full
/// equation `e` is a linear combination of reduced unknowns,
/// `x_e = Σ_k c_k y_{r_k}` (`x = T y`). A free equation maps to itself; the
/// nodes of a rigid surface map to its reference node's translation and
/// rotation (`u = U + θ × (X − X_ref)`), or — translation only — all to one
/// shared unknown per direction.
///
/// The reduced system is `TᵀKT y = TᵀR`. Its pattern and, for every stored
/// entry of the full lower triangle, the reduced entries it feeds (with
/// coefficients) are built once; each refill is one pass over that list.
public struct EquationCondensation: Sendable {
    /// For each full equation, its reduced unknowns and coefficients.
    public let map: [[(index: Int, coefficient: Double)]]
    /// Number of reduced unknowns.
    public let reducedCount: Int
    /// Pattern of the reduced matrix (zero values).
    public let reducedPattern: SymmetricMatrix
    /// (full stored entry, reduced stored entry, coefficient) triples.
    let contributions: [(source: Int32, target: Int32, coefficient: Double)]

    /// Merges each of `groups` (lists of full equation indices) into one
    /// unknown; an equation in no group stays alone. Reduced unknowns keep the
    /// order of their first full equation.
    public init(full: SymmetricMatrix, groups: [[Int]]) {
        let n = full.dimension
        var leader = Array(0..<n)
        for g in groups where !g.isEmpty {
            let l = g.min()!
            for e in g { leader[e] = l }
        }
        var index = [Int](repeating: -1, count: n)
        var count = 0
        for e in 0..<n where leader[e] == e { index[e] = count; count += 1 }
        self.init(full: full, map: (0..<n).map { [(index[leader[$0]], 1.0)] }, reducedCount: count)
    }

    /// The general form: `map[e]` lists the reduced unknowns (in `0..<reducedCount`)
    /// and coefficients of full equation `e`.
    public init(full: SymmetricMatrix, map: [[(index: Int, coefficient: Double)]], reducedCount: Int) {
        precondition(map.count == full.dimension)
        self.map = map
        self.reducedCount = reducedCount
        // Pass 1: the reduced pattern.
        var columns = [Set<Int32>](repeating: [], count: reducedCount)
        func visit(_ body: (Int, Int, Int, Double) -> Void) {
            for j in 0..<full.dimension {
                for p in full.columnStarts[j]..<full.columnStarts[j + 1] {
                    let i = Int(full.rowIndices[p])
                    if i == j {
                        let list = map[i]
                        for x in 0..<list.count { for y in 0...x {
                            body(p, list[x].index, list[y].index, list[x].coefficient * list[y].coefficient)
                        } }
                    } else {
                        for a in map[i] { for b in map[j] {
                            body(p, a.index, b.index, (a.index == b.index ? 2 : 1) * a.coefficient * b.coefficient)
                        } }
                    }
                }
            }
        }
        visit { _, a, b, _ in columns[min(a, b)].insert(Int32(max(a, b))) }
        var starts = [0], rows: [Int32] = []
        for c in 0..<reducedCount {
            rows.append(contentsOf: columns[c].sorted())
            starts.append(rows.count)
        }
        reducedPattern = try! SymmetricMatrix(dimension: reducedCount, columnStarts: starts, rowIndices: rows,
                                              values: [Double](repeating: 0, count: rows.count))
        // Pass 2: where each full entry goes.
        var list: [(Int32, Int32, Double)] = []
        visit { p, a, b, coefficient in
            let col = min(a, b), row = Int32(max(a, b))
            var lo = starts[col], hi = starts[col + 1]
            while lo < hi { let mid = (lo + hi) / 2; if rows[mid] < row { lo = mid + 1 } else { hi = mid } }
            list.append((Int32(p), Int32(lo), coefficient))
        }
        contributions = list
    }

    /// `TᵀKT` into `reduced` (pattern ``reducedPattern``; values overwritten).
    public func condense(_ full: SymmetricMatrix, into reduced: inout SymmetricMatrix) {
        let m = reduced.values.count
        reduced.values.withUnsafeMutableBufferPointer { out in
            for k in 0..<m { out[k] = 0 }
            full.values.withUnsafeBufferPointer { v in
                contributions.withUnsafeBufferPointer { c in
                    for t in c { out[Int(t.target)] += t.coefficient * v[Int(t.source)] }
                }
            }
        }
    }

    /// `Tᵀr`.
    public func condense(vector full: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: reducedCount)
        for (e, list) in map.enumerated() { for (r, c) in list { out[r] += c * full[e] } }
        return out
    }

    /// `T y`.
    public func expand(_ reduced: [Double]) -> [Double] {
        map.map { list in list.reduce(0) { $0 + $1.coefficient * reduced[$1.index] } }
    }
}
