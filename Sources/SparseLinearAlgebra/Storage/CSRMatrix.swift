/// A general sparse matrix in compressed sparse row form, columns sorted
/// within each row, no duplicates.
///
/// Index order: row `i` holds `columnIndices[rowStarts[i] ..< rowStarts[i+1]]`
/// with the matching `values`. Column indices are `Int32`, row starts `Int`
/// (the number of stored entries can exceed 2³¹).
public struct CSRMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `rows + 1` offsets into ``columnIndices`` / ``values``.
    public let rowStarts: [Int]
    /// Column index of each stored entry, sorted within a row.
    public let columnIndices: [Int32]
    /// Stored values, same order as ``columnIndices``.
    public var values: [Double]

    /// Builds a CSR matrix and validates it: monotone `rowStarts`, sorted and
    /// unique in-range column indices, finite values.
    public init(rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Double]) throws {
        guard rowStarts.count == rows + 1 else {
            throw LinearAlgebraError.dimensionMismatch(what: "rowStarts", expected: rows + 1, got: rowStarts.count)
        }
        guard columnIndices.count == values.count, rowStarts.last == values.count, rowStarts.first == 0 else {
            throw LinearAlgebraError.dimensionMismatch(what: "columnIndices/values", expected: rowStarts.last ?? 0, got: values.count)
        }
        for i in 0..<rows {
            guard rowStarts[i] <= rowStarts[i + 1] else {
                throw LinearAlgebraError.invalidArgument("rowStarts must be non-decreasing (row \(i))")
            }
            var previous = -1
            for p in rowStarts[i]..<rowStarts[i + 1] {
                let j = Int(columnIndices[p])
                guard j >= 0 && j < columns else { throw LinearAlgebraError.indexOutOfRange(what: "column in row \(i)", index: j, bound: columns) }
                guard j > previous else { throw LinearAlgebraError.invalidArgument("columns of row \(i) must be sorted and unique (column \(j))") }
                guard values[p].isFinite else { throw LinearAlgebraError.nonFinite(row: i, column: j, value: values[p]) }
                previous = j
            }
        }
        self.init(uncheckedRows: rows, columns: columns, rowStarts: rowStarts, columnIndices: columnIndices, values: values)
    }

    @usableFromInline
    init(uncheckedRows rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Double]) {
        self.rows = rows; self.columns = columns
        self.rowStarts = rowStarts; self.columnIndices = columnIndices; self.values = values
    }

    /// Number of stored entries.
    public var nonzeroCount: Int { values.count }

    /// The value at (row, column), 0 when not stored. O(log nnz(row)).
    public subscript(row: Int, column: Int) -> Double {
        var lo = rowStarts[row], hi = rowStarts[row + 1]
        let c = Int32(column)
        while lo < hi {
            let mid = (lo + hi) / 2
            if columnIndices[mid] < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowStarts[row + 1] && columnIndices[lo] == c ? values[lo] : 0
    }

    /// `y = A·x`.
    @inlinable
    public func multiply(_ x: [Double]) -> [Double] {
        precondition(x.count == columns, "x has \(x.count) entries, matrix has \(columns) columns")
        var y = [Double](repeating: 0, count: rows)
        rowStarts.withUnsafeBufferPointer { rp in
            columnIndices.withUnsafeBufferPointer { ci in
                values.withUnsafeBufferPointer { v in
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            for i in 0..<rows {
                                var s = 0.0
                                for p in rp[i]..<rp[i + 1] { s += v[p] * xp[Int(ci[p])] }
                                yp[i] = s
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// The transpose, as CSR.
    public func transposed() -> CSRMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { counts[Int(c) + 1] += 1 }
        for j in 0..<columns { counts[j + 1] += counts[j] }
        var next = counts
        var ci = [Int32](repeating: 0, count: values.count)
        var v = [Double](repeating: 0, count: values.count)
        for i in 0..<rows {
            for p in rowStarts[i]..<rowStarts[i + 1] {
                let j = Int(columnIndices[p]); let q = next[j]; next[j] = q + 1
                ci[q] = Int32(i); v[q] = values[p]
            }
        }
        return CSRMatrix(uncheckedRows: columns, columns: rows, rowStarts: counts, columnIndices: ci, values: v)
    }

    /// The lower triangle of a symmetric matrix, after checking that the
    /// matrix is square and symmetric to `relativeTolerance`·max|A|.
    ///
    /// - Throws: ``LinearAlgebraError/notSquare(rows:columns:)``,
    ///   ``LinearAlgebraError/notSymmetric(row:column:value:transposeValue:)``.
    public func symmetricLowerTriangle(relativeTolerance: Double = 1e-12) throws -> SymmetricMatrix {
        guard rows == columns else { throw LinearAlgebraError.notSquare(rows: rows, columns: columns) }
        let t = transposed()
        let scale = values.reduce(0) { max($0, abs($1)) }
        let tol = relativeTolerance * scale
        for i in 0..<rows {
            var p = rowStarts[i], q = t.rowStarts[i]
            let pe = rowStarts[i + 1], qe = t.rowStarts[i + 1]
            while p < pe || q < qe {
                let jp = p < pe ? Int(columnIndices[p]) : Int.max
                let jq = q < qe ? Int(t.columnIndices[q]) : Int.max
                let j = min(jp, jq)
                let a = jp == j ? values[p] : 0
                let b = jq == j ? t.values[q] : 0
                if abs(a - b) > tol { throw LinearAlgebraError.notSymmetric(row: i, column: j, value: a, transposeValue: b) }
                if jp == j { p += 1 }
                if jq == j { q += 1 }
            }
        }
        // Lower triangle in CSC = upper triangle of rows of A (A symmetric): column j holds rows i >= j.
        var starts = [Int](repeating: 0, count: rows + 1)
        var idx: [Int32] = []; idx.reserveCapacity((values.count + rows) / 2)
        var v: [Double] = []; v.reserveCapacity((values.count + rows) / 2)
        for j in 0..<rows {
            for p in rowStarts[j]..<rowStarts[j + 1] where Int(columnIndices[p]) >= j {
                idx.append(columnIndices[p]); v.append(values[p])
            }
            starts[j + 1] = idx.count
        }
        return SymmetricMatrix(uncheckedDimension: rows, columnStarts: starts, rowIndices: idx, values: v)
    }
}
