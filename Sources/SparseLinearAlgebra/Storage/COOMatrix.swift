/// A sparse matrix in coordinate (triplet) form: the assembly format.
///
/// Entries may repeat; ``csr()`` sums duplicates. Indices are 0-based `Int32`
/// (a 10⁶-unknown FE system has ~10⁸ triplets: 4-byte indices halve the memory).
///
/// ```swift
/// var a = COOMatrix(rows: 2, columns: 2)
/// a.append(0, 0, 4); a.append(1, 1, 3); a.append(0, 0, 1)   // A[0,0] = 5
/// let csr = try a.csr()
/// ```
public struct COOMatrix: Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row index of each triplet (0-based).
    public var rowIndices: [Int32] = []
    /// Column index of each triplet (0-based).
    public var columnIndices: [Int32] = []
    /// Value of each triplet.
    public var values: [Double] = []

    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0 && rows <= Int(Int32.max) && columns <= Int(Int32.max))
        self.rows = rows
        self.columns = columns
    }

    /// Number of stored triplets (duplicates counted).
    public var count: Int { values.count }

    /// Reserves room for `n` triplets.
    public mutating func reserve(_ n: Int) {
        rowIndices.reserveCapacity(n); columnIndices.reserveCapacity(n); values.reserveCapacity(n)
    }

    /// Appends `A[row, column] += value`. Bounds are checked in ``csr()``.
    @inlinable
    public mutating func append(_ row: Int, _ column: Int, _ value: Double) {
        rowIndices.append(Int32(truncatingIfNeeded: row))
        columnIndices.append(Int32(truncatingIfNeeded: column))
        values.append(value)
    }

    /// Converts to CSR with sorted column indices, summing duplicates.
    ///
    /// - Throws: ``LinearAlgebraError/indexOutOfRange(what:index:bound:)`` for an
    ///   index outside the matrix, ``LinearAlgebraError/nonFinite(row:column:value:)``
    ///   for NaN/Inf.
    public func csr() throws -> CSRMatrix {
        let nnzIn = values.count
        var counts = [Int](repeating: 0, count: rows + 1)
        for k in 0..<nnzIn {
            let r = Int(rowIndices[k]), c = Int(columnIndices[k])
            guard r >= 0 && r < rows else { throw LinearAlgebraError.indexOutOfRange(what: "row of triplet \(k)", index: r, bound: rows) }
            guard c >= 0 && c < columns else { throw LinearAlgebraError.indexOutOfRange(what: "column of triplet \(k)", index: c, bound: columns) }
            guard values[k].isFinite else { throw LinearAlgebraError.nonFinite(row: r, column: c, value: values[k]) }
            counts[r + 1] += 1
        }
        for i in 0..<rows { counts[i + 1] += counts[i] }
        // Bucket by row.
        var next = counts
        var cols = [Int32](repeating: 0, count: nnzIn)
        var vals = [Double](repeating: 0, count: nnzIn)
        for k in 0..<nnzIn {
            let r = Int(rowIndices[k])
            let p = next[r]; next[r] = p + 1
            cols[p] = columnIndices[k]; vals[p] = values[k]
        }
        // Sort each row by column and sum duplicates, compacting in place.
        var rowStarts = [Int](repeating: 0, count: rows + 1)
        var out = 0
        var order: [Int] = []
        for r in 0..<rows {
            let lo = counts[r], hi = counts[r + 1]
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: lo..<hi)
            order.sort { cols[$0] < cols[$1] }
            var rowCols: [Int32] = []; rowCols.reserveCapacity(hi - lo)
            var rowVals: [Double] = []; rowVals.reserveCapacity(hi - lo)
            for p in order {
                if let last = rowCols.last, last == cols[p] {
                    rowVals[rowVals.count - 1] += vals[p]
                } else {
                    rowCols.append(cols[p]); rowVals.append(vals[p])
                }
            }
            for q in 0..<rowCols.count {
                cols[out + q] = rowCols[q]; vals[out + q] = rowVals[q]
            }
            out += rowCols.count
            rowStarts[r + 1] = out
        }
        cols.removeLast(nnzIn - out)
        vals.removeLast(nnzIn - out)
        return CSRMatrix(uncheckedRows: rows, columns: columns, rowStarts: rowStarts, columnIndices: cols, values: vals)
    }
}
