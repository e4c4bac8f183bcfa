import SparseLinearAlgebra

/// Master–slave elimination of tied equations: groups of equations forced to
/// take one common value (e.g. every displacement-x of a rigid surface equals
/// that of its reference node) are merged into one unknown.
///
/// With the 0/1 matrix `T` mapping reduced unknowns to full ones (`x = T y`),
/// the reduced system is `TᵀKT y = TᵀR`: rows and columns of a group are
/// summed. An entry `(i, j)` of the full lower triangle lands at
/// `(g(i), g(j))`; an off-diagonal entry whose two equations merge lands twice
/// on the diagonal (`K_ij + K_ji`). The reduced pattern and the entry map are
/// built once; each refill costs one pass over the stored entries.
public struct EquationCondensation: Sendable {
    /// Reduced index of each full equation.
    public let reducedIndex: [Int]
    /// Number of reduced unknowns.
    public let reducedCount: Int
    /// Pattern of the reduced matrix (zero values).
    public let reducedPattern: SymmetricMatrix
    /// Target stored entry in the reduced matrix of each full stored entry.
    let entryTarget: [Int]
    /// 2 for an off-diagonal full entry that lands on the reduced diagonal, else 1.
    let entryFactor: [Double]

    /// Builds the condensation of the matrix pattern `full` merging each of `groups`
    /// (lists of full equation indices; an equation in no group stays alone).
    /// Reduced unknowns keep the order of their first full equation.
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
        for e in 0..<n { index[e] = index[leader[e]] }
        reducedIndex = index
        reducedCount = count
        // Reduced pattern: sorted unique (row ≥ col) pairs per column.
        var columns = [[Int32]](repeating: [], count: count)
        for j in 0..<n {
            for p in full.columnStarts[j]..<full.columnStarts[j + 1] {
                let a = index[Int(full.rowIndices[p])], b = index[j]
                columns[min(a, b)].append(Int32(max(a, b)))
            }
        }
        var starts = [0], rows: [Int32] = []
        for c in 0..<count {
            let unique = Array(Set(columns[c])).sorted()
            rows.append(contentsOf: unique)
            starts.append(rows.count)
        }
        reducedPattern = try! SymmetricMatrix(dimension: count, columnStarts: starts, rowIndices: rows, values: [Double](repeating: 0, count: rows.count))
        var target = [Int](repeating: 0, count: full.storedCount), factor = [Double](repeating: 1, count: full.storedCount)
        for j in 0..<n {
            for p in full.columnStarts[j]..<full.columnStarts[j + 1] {
                let i = Int(full.rowIndices[p])
                let a = index[i], b = index[j]
                let col = min(a, b), row = Int32(max(a, b))
                var lo = starts[col], hi = starts[col + 1]
                while lo < hi { let mid = (lo + hi) / 2; if rows[mid] < row { lo = mid + 1 } else { hi = mid } }
                target[p] = lo
                factor[p] = (a == b && i != j) ? 2 : 1
            }
        }
        entryTarget = target
        entryFactor = factor
    }

    /// `TᵀKT` into `reduced` (pattern ``reducedPattern``; values overwritten).
    public func condense(_ full: SymmetricMatrix, into reduced: inout SymmetricMatrix) {
        let m = reduced.values.count
        reduced.values.withUnsafeMutableBufferPointer { out in
            for k in 0..<m { out[k] = 0 }
            full.values.withUnsafeBufferPointer { v in
                entryTarget.withUnsafeBufferPointer { t in
                    entryFactor.withUnsafeBufferPointer { f in
                        for p in 0..<v.count { out[t[p]] += f[p] * v[p] }
                    }
                }
            }
        }
    }

    /// `Tᵀr`: sums the entries of each group.
    public func condense(vector full: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: reducedCount)
        for (e, r) in reducedIndex.enumerated() { out[r] += full[e] }
        return out
    }

    /// `T y`: each full equation takes its group's value.
    public func expand(_ reduced: [Double]) -> [Double] {
        reducedIndex.map { reduced[$0] }
    }
}
