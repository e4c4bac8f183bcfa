/// Every way a sparse-linear-algebra call can refuse its input or fail.
///
/// Each case carries what a user needs to find the problem: the offending
/// row/column (0-based unless the case says otherwise), the value, and what was
/// expected. Nothing in this module silently drops or clamps bad input.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The matrix must be square but is `rows × columns`.
    case notSquare(rows: Int, columns: Int)
    /// A vector or matrix has the wrong size: `what` names it.
    case dimensionMismatch(what: String, expected: Int, got: Int)
    /// An index lies outside `0..<bound`.
    case indexOutOfRange(what: String, index: Int, bound: Int)
    /// A symmetric solver was given a matrix whose entries (row, column) and
    /// (column, row) differ.
    case notSymmetric(row: Int, column: Int, value: Double, transposeValue: Double)
    /// Cholesky met a non-positive pivot: the matrix is not positive definite.
    /// `column` is the original (unpermuted, 0-based) column.
    case notPositiveDefinite(column: Int, pivot: Double)
    /// A factorization met an exactly singular pivot at the original column.
    case singular(column: Int)
    /// An entry is NaN or ±Inf.
    case nonFinite(row: Int, column: Int, value: Double)
    /// A numeric factorization was given a matrix whose pattern differs from
    /// the analysed one.
    case patternMismatch(String)
    /// `factor`/`solve` was called before the phase it depends on.
    case phaseOrder(String)
    /// A Matrix Market file is malformed; `line` is 1-based.
    case matrixMarket(line: Int, message: String)
    /// A LAPACK routine returned a negative `info` (an argument error: a bug here).
    case lapack(routine: String, info: Int)
    /// An iterative method stopped before reaching its tolerance.
    case notConverged(method: String, iterations: Int, relativeResidual: Double)
    /// An option is not valid for this call.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .notSquare(r, c):
            return "matrix must be square, got \(r) × \(c)"
        case let .dimensionMismatch(what, expected, got):
            return "\(what): expected size \(expected), got \(got)"
        case let .indexOutOfRange(what, index, bound):
            return "\(what): index \(index) is outside 0..<\(bound)"
        case let .notSymmetric(r, c, v, t):
            return "matrix is not symmetric: A[\(r),\(c)] = \(v) but A[\(c),\(r)] = \(t)"
        case let .notPositiveDefinite(column, pivot):
            return "matrix is not positive definite: pivot \(pivot) at column \(column) (for a stiffness matrix: an unconstrained rigid-body motion, or a material or step that lost stability)"
        case let .singular(column):
            return "matrix is singular: zero pivot at column \(column) (for a stiffness matrix: an unconstrained rigid-body motion or a disconnected part)"
        case let .nonFinite(r, c, v):
            return "entry A[\(r),\(c)] is \(v): expected a finite number"
        case let .patternMismatch(message):
            return "sparsity pattern differs from the analysed one: \(message)"
        case let .phaseOrder(message):
            return message
        case let .matrixMarket(line, message):
            return "Matrix Market line \(line): \(message)"
        case let .lapack(routine, info):
            return "LAPACK \(routine) rejected argument \(-info) (info = \(info))"
        case let .notConverged(method, iterations, residual):
            return "\(method) did not converge in \(iterations) iterations (relative residual \(residual))"
        case let .invalidArgument(message):
            return message
        }
    }
}
