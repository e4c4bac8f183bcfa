/// A solver for `A x = b` with `A` square and general (nonsymmetric values,
/// any pattern), in the same three phases as ``LinearSolver``: ``analyze(_:)``
/// reads the pattern only, ``factor(_:)`` the values (repeatable for new
/// values on the analysed pattern), ``solve(_:count:)`` right-hand sides.
///
/// Physics code with a nonsymmetric tangent (convection, reaction Jacobians)
/// holds an `any GeneralLinearSolver` made by ``LinearSolvers/makeGeneral()``.
///
/// ```swift
/// let lu = LinearSolvers.makeGeneral()
/// try lu.analyzeAndFactor(a)
/// let x = try lu.solve(b)
/// ```
public protocol GeneralLinearSolver: AnyObject {
    /// Pattern-only work: fill-reducing ordering and symbolic factorization.
    /// Values of `matrix` are ignored.
    func analyze(_ matrix: CSRMatrix) throws
    /// Numeric factorization of `matrix`, whose pattern must equal the analysed one.
    func factor(_ matrix: CSRMatrix) throws
    /// Solves `A X = B` for `count` right-hand sides stored column after column
    /// in `rhs` (length `count · dimension`), overwriting `rhs` with `X`.
    func solve(_ rhs: inout [Double], count: Int) throws
    /// Measurements of the last phases.
    var report: SolverReport { get }
}

extension GeneralLinearSolver {
    /// Analyse and factor in one call.
    public func analyzeAndFactor(_ matrix: CSRMatrix) throws {
        try analyze(matrix)
        try factor(matrix)
    }

    /// Solves `A x = b` for one right-hand side.
    public func solve(_ b: [Double]) throws -> [Double] {
        var x = b
        try solve(&x, count: 1)
        return x
    }
}

extension LinearSolvers {
    /// The solver for a general (nonsymmetric) square matrix: ``SparseLU``
    /// with its default options (tiny systems become one dense front).
    public static func makeGeneral() -> any GeneralLinearSolver {
        SparseLU()
    }
}
