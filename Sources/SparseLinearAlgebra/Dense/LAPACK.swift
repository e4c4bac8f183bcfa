import CLAPACK

// Thin wrappers over the Fortran BLAS/LAPACK entry points of `CLAPACK`.
// No `Int32` or pointer leaves this module's public API.

@inline(__always) @usableFromInline
func withChar<R>(_ c: Character, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
    var ch = CChar(c.asciiValue!)
    return try withUnsafePointer(to: &ch) { try body($0) }
}

/// A dense column-major matrix, used as the small-system reference and by
/// tests to check the sparse solvers.
public struct DenseMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Column-major storage: entry (i, j) at `values[i + j·rows]`.
    public var values: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = rows; self.columns = columns
        values = [Double](repeating: value, count: rows * columns)
    }

    /// Entry (i, j).
    public subscript(i: Int, j: Int) -> Double {
        get { values[i + j * rows] }
        set { values[i + j * rows] = newValue }
    }

    /// The full dense form of a symmetric sparse matrix.
    public init(_ a: SymmetricMatrix) {
        self.init(rows: a.dimension, columns: a.dimension)
        for j in 0..<a.dimension {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                let i = Int(a.rowIndices[p])
                self[i, j] = a.values[p]; self[j, i] = a.values[p]
            }
        }
    }

    /// Solves `A X = B` by LU with partial pivoting (`dgesv`).
    /// - Throws: ``LinearAlgebraError/singular(column:)`` for an exactly singular `A`.
    public func solve(_ b: [Double], count: Int = 1) throws -> [Double] {
        guard rows == columns else { throw LinearAlgebraError.notSquare(rows: rows, columns: columns) }
        guard b.count == rows * count else { throw LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: rows * count, got: b.count) }
        var a = values, x = b
        var n = Int32(rows), nrhs = Int32(count), lda = Int32(max(rows, 1)), info: Int32 = 0
        var ipiv = [Int32](repeating: 0, count: rows)
        dgesv_(&n, &nrhs, &a, &lda, &ipiv, &x, &lda, &info)
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dgesv", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.singular(column: Int(info) - 1) }
        return x
    }

    /// Solves `A X = B` by Cholesky (`dposv`), `A` symmetric positive definite.
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(column:pivot:)``.
    public func choleskySolve(_ b: [Double], count: Int = 1) throws -> [Double] {
        guard rows == columns else { throw LinearAlgebraError.notSquare(rows: rows, columns: columns) }
        guard b.count == rows * count else { throw LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: rows * count, got: b.count) }
        var a = values, x = b
        var n = Int32(rows), nrhs = Int32(count), lda = Int32(max(rows, 1)), info: Int32 = 0
        withChar("L") { dposv_($0, &n, &nrhs, &a, &lda, &x, &lda, &info, 1) }
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dposv", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(column: Int(info) - 1, pivot: .nan) }
        return x
    }

    /// Eigenvalues of a symmetric matrix in ascending order (`dsyev`).
    public func symmetricEigenvalues() throws -> [Double] {
        guard rows == columns else { throw LinearAlgebraError.notSquare(rows: rows, columns: columns) }
        var a = values
        var n = Int32(rows), lda = Int32(max(rows, 1)), info: Int32 = 0
        var w = [Double](repeating: 0, count: rows)
        var lwork: Int32 = -1
        var query = 0.0
        withChar("N") { jobz in withChar("L") { uplo in dsyev_(jobz, uplo, &n, &a, &lda, &w, &query, &lwork, &info, 1, 1) } }
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: max(Int(lwork), 1))
        withChar("N") { jobz in withChar("L") { uplo in dsyev_(jobz, uplo, &n, &a, &lda, &w, &work, &lwork, &info, 1, 1) } }
        if info != 0 { throw LinearAlgebraError.lapack(routine: "dsyev", info: Int(info)) }
        return w
    }

    /// `y = A·x`.
    public func multiply(_ x: [Double]) -> [Double] {
        precondition(x.count == columns)
        var y = [Double](repeating: 0, count: rows)
        for j in 0..<columns { let xj = x[j]; for i in 0..<rows { y[i] += values[i + j * rows] * xj } }
        return y
    }
}
