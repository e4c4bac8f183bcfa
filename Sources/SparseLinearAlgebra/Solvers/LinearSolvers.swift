/// The solvers a caller (or the CLI's `--solver` option) can ask for by name.
public enum SolverChoice: String, Sendable, CaseIterable, Codable {
    /// Chosen from size and kind by ``LinearSolvers/makeDefault(for:kind:)``.
    case auto
    /// ``SupernodalCholesky`` (SPD only).
    case cholesky
    /// ``SupernodalLDLT`` (any symmetric nonsingular matrix).
    case ldlt
    /// Banded Cholesky/LU after RCM.
    case banded
    /// Preconditioned conjugate gradients (SPD).
    case cg
    /// MINRES (symmetric indefinite).
    case minres
    /// ``DenseSolver`` (dense LAPACK; small systems only).
    case dense
}

/// Factory for the solvers behind ``LinearSolver``.
public enum LinearSolvers {
    /// Systems up to this many unknowns go to the dense LAPACK solver, where
    /// sparse bookkeeping does not pay.
    public static let denseLimit = 100

    /// The solver to use when the caller does not choose: dense LAPACK for
    /// tiny systems (≤ ``denseLimit`` unknowns), otherwise the supernodal direct
    /// solvers — Cholesky for SPD, Bunch–Kaufman `LDLᵀ` for indefinite matrices.
    ///
    /// - Parameters:
    ///   - dimension: number of unknowns.
    ///   - kind: SPD or symmetric indefinite.
    public static func makeDefault(for dimension: Int, kind: MatrixKind) -> any LinearSolver {
        if dimension <= denseLimit { return DenseSolver(kind: kind) }
        // Extension point: iterative solvers for systems too large to factor
        // (judged by nnz(L) from a symbolic analysis) would be chosen here.
        switch kind {
        case .symmetricPositiveDefinite: return SupernodalCholesky()
        case .symmetricIndefinite: return SupernodalLDLT()
        }
    }

    /// The solver named by `choice`.
    ///
    /// - Parameters:
    ///   - choice: which solver.
    ///   - kind: SPD or symmetric indefinite.
    ///   - dimension: number of unknowns, used by `.auto` (when `nil`, `.auto` picks a supernodal solver).
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for Cholesky or CG
    ///   asked to handle an indefinite matrix.
    public static func make(_ choice: SolverChoice, kind: MatrixKind, dimension: Int? = nil) throws -> any LinearSolver {
        switch choice {
        case .auto:
            return makeDefault(for: dimension ?? (denseLimit + 1), kind: kind)
        case .cholesky:
            guard kind == .symmetricPositiveDefinite else {
                throw LinearAlgebraError.invalidArgument("solver cholesky needs a symmetric positive definite matrix, got kind \(kind.rawValue): use ldlt")
            }
            return SupernodalCholesky()
        case .ldlt:
            return SupernodalLDLT()
        case .dense:
            return DenseSolver(kind: kind)
        case .banded:
            switch kind {
            case .symmetricPositiveDefinite: return BandedCholesky()
            case .symmetricIndefinite: return BandedLU()
            }
        case .cg:
            guard kind == .symmetricPositiveDefinite else {
                throw LinearAlgebraError.invalidArgument("solver cg needs a symmetric positive definite matrix, got kind \(kind.rawValue): use minres or ldlt")
            }
            return ConjugateGradient()
        case .minres:
            return MINRES()
        }
    }
}
