/// A symmetric sparse matrix stored as its lower triangle, column by column
/// (CSC) — the input of every symmetric solver in this module.
///
/// Index order: column `j` holds rows `rowIndices[columnStarts[j] ..< columnStarts[j+1]]`,
/// all `≥ j`, strictly increasing (so the diagonal, when stored, comes first).
/// The same arrays read as CSR are the upper triangle by rows.
///
/// Physics code assembles into a fixed pattern once and refills ``values``
/// every Newton iteration or time step; solvers reuse their analysis as long
/// as the pattern is unchanged.
public struct SymmetricMatrix: Sendable, Equatable {
    /// Number of rows = number of columns.
    public let dimension: Int
    /// `dimension + 1` offsets into ``rowIndices`` / ``values``.
    public let columnStarts: [Int]
    /// Row index (`≥` column) of each stored lower-triangle entry.
    public let rowIndices: [Int32]
    /// Stored values, same order as ``rowIndices``.
    public var values: [Double]

    /// Builds the matrix, checking the layout: monotone `columnStarts`, row
    /// indices in `j..<dimension`, strictly increasing within a column, finite values.
    public init(dimension: Int, columnStarts: [Int], rowIndices: [Int32], values: [Double]) throws {
        guard dimension >= 0 else { throw LinearAlgebraError.invalidArgument("dimension must be ≥ 0, got \(dimension)") }
        guard columnStarts.count == dimension + 1 else {
            throw LinearAlgebraError.dimensionMismatch(what: "columnStarts", expected: dimension + 1, got: columnStarts.count)
        }
        guard rowIndices.count == values.count, columnStarts.first == 0, columnStarts.last == values.count else {
            throw LinearAlgebraError.dimensionMismatch(what: "rowIndices/values", expected: columnStarts.last ?? 0, got: values.count)
        }
        for j in 0..<dimension {
            guard columnStarts[j] <= columnStarts[j + 1] else {
                throw LinearAlgebraError.invalidArgument("columnStarts must be non-decreasing (column \(j))")
            }
            var previous = j - 1
            for p in columnStarts[j]..<columnStarts[j + 1] {
                let i = Int(rowIndices[p])
                guard i < dimension else { throw LinearAlgebraError.indexOutOfRange(what: "row in column \(j)", index: i, bound: dimension) }
                guard i > previous else {
                    throw LinearAlgebraError.invalidArgument("column \(j): row indices must be ≥ \(j), increasing and unique (row \(i))")
                }
                guard values[p].isFinite else { throw LinearAlgebraError.nonFinite(row: i, column: j, value: values[p]) }
                previous = i
            }
        }
        self.init(uncheckedDimension: dimension, columnStarts: columnStarts, rowIndices: rowIndices, values: values)
    }

    @usableFromInline
    init(uncheckedDimension dimension: Int, columnStarts: [Int], rowIndices: [Int32], values: [Double]) {
        self.dimension = dimension
        self.columnStarts = columnStarts
        self.rowIndices = rowIndices
        self.values = values
    }

    /// Stored entries of the lower triangle (diagonal included).
    public var storedCount: Int { values.count }

    /// Entries of the full symmetric matrix: 2·stored − diagonal.
    public var fullNonzeroCount: Int {
        var diagonal = 0
        for j in 0..<dimension where columnStarts[j] < columnStarts[j + 1] && Int(rowIndices[columnStarts[j]]) == j { diagonal += 1 }
        return 2 * storedCount - diagonal
    }

    /// True when both matrices have the same dimension and stored pattern.
    public func hasSamePattern(as other: SymmetricMatrix) -> Bool {
        dimension == other.dimension && columnStarts == other.columnStarts && rowIndices == other.rowIndices
    }

    /// Throws ``LinearAlgebraError/nonFinite(row:column:value:)`` for the first NaN/Inf value.
    public func checkFinite() throws {
        for j in 0..<dimension {
            for p in columnStarts[j]..<columnStarts[j + 1] where !values[p].isFinite {
                throw LinearAlgebraError.nonFinite(row: Int(rowIndices[p]), column: j, value: values[p])
            }
        }
    }

    /// The diagonal (0 where not stored).
    public var diagonal: [Double] {
        var d = [Double](repeating: 0, count: dimension)
        for j in 0..<dimension where columnStarts[j] < columnStarts[j + 1] && Int(rowIndices[columnStarts[j]]) == j {
            d[j] = values[columnStarts[j]]
        }
        return d
    }

    /// `y = A·x` using both triangles.
    @inlinable
    public func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        multiply(x, into: &y)
        return y
    }

    /// `y = A·x` into a caller-provided vector of length ``dimension``.
    @inlinable
    public func multiply(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == dimension && y.count == dimension)
        let n = dimension
        columnStarts.withUnsafeBufferPointer { cp in
            rowIndices.withUnsafeBufferPointer { ri in
                values.withUnsafeBufferPointer { v in
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            for i in 0..<n { yp[i] = 0 }
                            for j in 0..<n {
                                let xj = xp[j]
                                var s = 0.0
                                for p in cp[j]..<cp[j + 1] {
                                    let i = Int(ri[p])
                                    let a = v[p]
                                    if i == j { s += a * xj } else { yp[i] += a * xj; s += a * xp[i] }
                                }
                                yp[j] += s
                            }
                        }
                    }
                }
            }
        }
    }

    /// The full symmetric matrix as CSR (both triangles).
    public func fullCSR() -> CSRMatrix {
        var coo = COOMatrix(rows: dimension, columns: dimension)
        coo.reserve(2 * storedCount)
        for j in 0..<dimension {
            for p in columnStarts[j]..<columnStarts[j + 1] {
                let i = Int(rowIndices[p])
                coo.append(i, j, values[p])
                if i != j { coo.append(j, i, values[p]) }
            }
        }
        // Indices are in range and values were validated at construction.
        return try! coo.csr()
    }

    /// The matrix with rows and columns renumbered: entry (i, j) moves to
    /// (`inversePermutation[i]`, `inversePermutation[j]`), i.e. `PAPᵀ` with
    /// `permutation[new] = old`. Returns the permuted matrix and, for each new
    /// stored entry, the index of the old stored entry it came from (a scatter
    /// map that lets a refactorization permute new values in O(nnz)).
    public func permuted(by permutation: [Int]) -> (matrix: SymmetricMatrix, sourceOfEntry: [Int]) {
        let n = dimension
        precondition(permutation.count == n)
        var inverse = [Int](repeating: 0, count: n)
        for (new, old) in permutation.enumerated() { inverse[old] = new }
        var counts = [Int](repeating: 0, count: n + 1)
        for j in 0..<n {
            for p in columnStarts[j]..<columnStarts[j + 1] {
                let a = inverse[Int(rowIndices[p])], b = inverse[j]
                counts[min(a, b) + 1] += 1
            }
        }
        for j in 0..<n { counts[j + 1] += counts[j] }
        var next = counts
        var rows = [Int32](repeating: 0, count: storedCount)
        var source = [Int](repeating: 0, count: storedCount)
        for j in 0..<n {
            for p in columnStarts[j]..<columnStarts[j + 1] {
                let a = inverse[Int(rowIndices[p])], b = inverse[j]
                let col = min(a, b), row = max(a, b)
                let q = next[col]; next[col] = q + 1
                rows[q] = Int32(row); source[q] = p
            }
        }
        // Sort rows within each column (carrying the source index).
        var newValues = [Double](repeating: 0, count: storedCount)
        var pairs: [(Int32, Int)] = []
        for j in 0..<n {
            let lo = counts[j], hi = counts[j + 1]
            if hi - lo > 1 {
                pairs.removeAll(keepingCapacity: true)
                for q in lo..<hi { pairs.append((rows[q], source[q])) }
                pairs.sort { $0.0 < $1.0 }
                for (k, pair) in pairs.enumerated() { rows[lo + k] = pair.0; source[lo + k] = pair.1 }
            }
            for q in lo..<hi { newValues[q] = values[source[q]] }
        }
        return (SymmetricMatrix(uncheckedDimension: n, columnStarts: counts, rowIndices: rows, values: newValues), source)
    }
}
