import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction solve A.mtx [--rhs b.mtx] [--solver …] [--kind …] [--json]`:
/// factor and solve one Matrix Market system and report what it cost.
///
/// Matrix kind (`--kind auto`, the default): a matrix with any diagonal entry
/// ≤ 0 cannot be SPD and goes to the indefinite (LDLᵀ) path; otherwise the
/// SPD (Cholesky) path is tried first and, if the factorization reports
/// "not positive definite", the run is repeated with the indefinite path
/// (the output says `"retriedAsIndefinite": true`). `--kind spd|indefinite`
/// forces one path. `--solver cholesky` implies SPD, `--solver ldlt` indefinite.
///
/// Without `--rhs`, b = A·1 (so the exact solution is the vector of ones).
/// A `--rhs` file is a Matrix Market `array real general` file with n rows and
/// one column per right-hand side; all are solved at once.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Factor and solve a symmetric Matrix Market system; print n, nnz(A), nnz(L), flops, times, GFLOP/s, residual, peak memory, inertia.",
        discussion: """
        Symmetric ('coordinate real symmetric') files are read as their lower triangle; \
        'general' files are accepted when the matrix is symmetric (checked to 1e-12·max|A|). \
        --kind auto picks LDLᵀ when a diagonal entry is ≤ 0, otherwise tries Cholesky and \
        retries with LDLᵀ if the matrix is not positive definite.
        """
    )

    /// Names accepted by `--solver`.
    static let solverNames = ["auto", "cholesky", "ldlt", "banded", "cg", "minres", "dense"]
    /// Names accepted by `--kind`.
    static let kindNames = ["auto", "spd", "indefinite"]

    @Argument(help: "Matrix Market file of the symmetric matrix A.")
    var matrix: String

    @Option(help: "Matrix Market array file of right-hand sides (n × k). Default: b = A·1.")
    var rhs: String?

    @Option(help: "Solver: \(SolveCommand.solverNames.joined(separator: "|")).")
    var solver: String = "auto"

    @Option(help: "Matrix kind: auto|spd|indefinite.")
    var kind: String = "auto"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Only read the file and print n, nnz(A) and the read time (for timing the reader).")
    var readOnly = false

    func validate() throws {
        guard Self.solverNames.contains(solver) else {
            throw ValidationError("--solver '\(solver)': expected one of \(Self.solverNames.joined(separator: ", "))")
        }
        guard Self.kindNames.contains(kind) else {
            throw ValidationError("--kind '\(kind)': expected one of \(Self.kindNames.joined(separator: ", "))")
        }
        if solver == "cholesky" && kind == "indefinite" {
            throw ValidationError("--solver cholesky needs an SPD matrix, but --kind indefinite was given")
        }
    }

    func run() throws {
        let totalStart = ContinuousClock.now
        let a: SymmetricMatrix
        switch try MatrixMarket.read(path: matrix) {
        case .symmetric(let s): a = s
        case .general(let g): a = try g.symmetricLowerTriangle()
        }
        let readSeconds = (ContinuousClock.now - totalStart).seconds
        let n = a.dimension
        if readOnly {
            print("n = \(n), nnz(A) = \(a.fullNonzeroCount), stored = \(a.storedCount), read s = \(readSeconds)")
            return
        }

        var b: [Double]
        var count = 1
        if let rhs {
            let d = try MatrixMarket.readDense(path: rhs)
            guard d.rows == n else {
                throw LinearAlgebraError.dimensionMismatch(what: "rows of right-hand side '\(rhs)'", expected: n, got: d.rows)
            }
            guard d.columns >= 1 else {
                throw LinearAlgebraError.dimensionMismatch(what: "columns of right-hand side '\(rhs)' (at least)", expected: 1, got: 0)
            }
            b = d.values; count = d.columns
        } else {
            b = a.multiply([Double](repeating: 1, count: n))
        }

        var matrixKind = try initialKind(a)
        var retried = false
        var result: Run
        do {
            result = try Self.factorAndSolve(a, b: b, count: count, solverName: solver, kind: matrixKind)
        } catch LinearAlgebraError.notPositiveDefinite(let column, let pivot) where kind == "auto" && solver == "auto" {
            if !json {
                print("not positive definite (column \(column), pivot \(pivot)): retrying as symmetric indefinite")
            }
            matrixKind = .symmetricIndefinite
            retried = true
            result = try Self.factorAndSolve(a, b: b, count: count, solverName: solver, kind: matrixKind)
        }

        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024   // ru_maxrss is in KiB on Linux

        let r = result.report
        let output = SolveOutput(
            matrix: matrix, n: n, nnzA: a.fullNonzeroCount, nnzL: r.nonzerosL, factorFlops: r.factorFlops,
            solver: r.solver, ordering: r.ordering, kind: matrixKind.rawValue, retriedAsIndefinite: retried,
            rhsCount: count, readSeconds: readSeconds, analyzeSeconds: result.analyzeSeconds,
            factorSeconds: result.factorSeconds, solveSeconds: result.solveSeconds,
            factorGFlops: result.factorSeconds > 0 ? r.factorFlops / result.factorSeconds / 1e9 : 0,
            relativeResidual: result.relativeResidual, errorVsOnes: rhs == nil ? result.errorVsOnes : nil,
            peakMemoryMiB: peakMiB, inertia: r.inertia, supernodes: r.supernodes,
            perturbedPivots: r.perturbedPivots, refinementSteps: r.iterations)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            print(output.text)
        }
    }

    /// The kind to start with (see the type's documentation).
    func initialKind(_ a: SymmetricMatrix) throws -> MatrixKind {
        switch (kind, solver) {
        case ("spd", _), (_, "cholesky"): return .symmetricPositiveDefinite
        case ("indefinite", _), (_, "ldlt"), (_, "minres"): return .symmetricIndefinite
        default:
            return a.diagonal.contains { $0 <= 0 } ? .symmetricIndefinite : .symmetricPositiveDefinite
        }
    }

    struct Run {
        var report: SolverReport
        var analyzeSeconds: Double, factorSeconds: Double, solveSeconds: Double
        var relativeResidual: Double
        var errorVsOnes: Double
    }

    /// Analyse, factor and solve, each phase timed by wall clock here.
    static func factorAndSolve(_ a: SymmetricMatrix, b: [Double], count: Int, solverName: String, kind: MatrixKind) throws -> Run {
        let solver = try makeSolver(named: solverName, kind: kind, dimension: a.dimension)
        let t0 = ContinuousClock.now
        try solver.analyze(a)
        let t1 = ContinuousClock.now
        try solver.factor(a)
        let t2 = ContinuousClock.now
        var x = b
        try solver.solve(&x, count: count)
        let t3 = ContinuousClock.now
        // Residual of every right-hand side, computed here (not trusted from the solver).
        let n = a.dimension
        var worst = 0.0
        for c in 0..<count {
            let xc = Array(x[(c * n)..<((c + 1) * n)]), bc = Array(b[(c * n)..<((c + 1) * n)])
            worst = max(worst, relativeResidual(a, x: xc, b: bc))
        }
        var err = 0.0
        for i in 0..<n { err = max(err, abs(x[i] - 1)) }
        return Run(report: solver.report, analyzeSeconds: (t1 - t0).seconds, factorSeconds: (t2 - t1).seconds,
                   solveSeconds: (t3 - t2).seconds, relativeResidual: worst, errorVsOnes: err)
    }
}

/// The solver behind a `--solver` name.
///
/// The solver named on the command line (`--solver`), through the library's factory.
func makeSolver(named name: String, kind: MatrixKind, dimension: Int) throws -> any LinearSolver {
    guard let choice = SolverChoice(rawValue: name) else {
        let names = SolverChoice.allCases.map(\.rawValue).joined(separator: "|")
        throw LinearAlgebraError.invalidArgument("--solver: expected one of \(names), got '\(name)'")
    }
    return try LinearSolvers.make(choice, kind: kind, dimension: dimension)
}

/// What `solve` prints; the JSON keys are this type's property names.
struct SolveOutput: Codable {
    /// Path of the matrix file.
    var matrix: String
    /// Unknowns.
    var n: Int
    /// Nonzeros of the full symmetric A.
    var nnzA: Int
    /// Nonzeros of L (diagonal included).
    var nnzL: Int
    /// Floating-point operations of the numeric factorization.
    var factorFlops: Double
    var solver: String
    var ordering: String
    /// `symmetricPositiveDefinite` or `symmetricIndefinite`.
    var kind: String
    var retriedAsIndefinite: Bool
    var rhsCount: Int
    /// Seconds to read the file (not part of analyse).
    var readSeconds: Double
    var analyzeSeconds: Double
    var factorSeconds: Double
    var solveSeconds: Double
    var factorGFlops: Double
    /// max over right-hand sides of ‖b − Ax‖₂/‖b‖₂.
    var relativeResidual: Double
    /// max |x − 1| when b = A·1.
    var errorVsOnes: Double?
    /// Peak resident set size of the process (getrusage ru_maxrss), MiB.
    var peakMemoryMiB: Double
    var inertia: Inertia?
    var supernodes: Int
    var perturbedPivots: Int
    var refinementSteps: Int

    var text: String {
        func f(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }
        var lines = [
            "matrix            \(matrix)",
            "n                 \(n)",
            "nnz(A)            \(nnzA)",
            "nnz(L)            \(nnzL)",
            "factor flops      \(String(format: "%.3e", factorFlops))",
            "solver            \(solver) (ordering \(ordering), kind \(kind)\(retriedAsIndefinite ? ", retried after Cholesky failed" : ""))",
            "read s            \(f(readSeconds))",
            "analyze s         \(f(analyzeSeconds))",
            "factor s          \(f(factorSeconds))",
            "solve s           \(f(solveSeconds)) (\(rhsCount) right-hand side\(rhsCount == 1 ? "" : "s"))",
            "factor GFLOP/s    \(f(factorGFlops, 1))",
            "rel. residual     \(String(format: "%.3e", relativeResidual))",
            "peak memory MiB   \(f(peakMemoryMiB, 1))",
        ]
        if let errorVsOnes { lines.append("max |x − 1|       \(String(format: "%.3e", errorVsOnes))") }
        if let inertia { lines.append("inertia           \(inertia)") }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
