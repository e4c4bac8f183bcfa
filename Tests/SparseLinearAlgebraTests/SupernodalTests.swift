import Testing
import SparseLinearAlgebra
import _TestSupport

/// Machine epsilon times a safety factor: the solution error bound is
/// `errorFactor · ε · cond(A)` (backward-stable solve, forward error ≲ cond · backward error).
private let errorFactor = 1000.0 * Double.ulpOfOne

private func rhs(_ n: Int, count: Int = 1, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<(n * count)).map { _ in Double.random(in: -1...1, using: &rng) }
}

@Suite("Supernodal symbolic analysis")
struct SupernodalAnalysisTests {
    @Test("nnz(L) and flops equal a dense symbolic elimination", arguments: [0, 1, 2])
    func symbolicCountsMatchBruteForce(_ which: Int) throws {
        let a: SymmetricMatrix
        switch which {
        case 0: a = TestMatrices.randomSymmetric(dimension: 80, perRow: 3, diagonalShift: 1, seed: 5)
        case 1: a = TestMatrices.laplacian3D(5, 4, 6)
        default: a = SupernodalTestMatrices.saddle(3, 3, 4, pressureScale: 1e-3, seed: 2)
        }
        for relaxation in [SupernodeRelaxation.none, .cholmod] {
            let analysis = try SupernodalAnalysis(a, relaxation: relaxation)
            let brute = SupernodalTestMatrices.bruteForceSymbolic(a, permutation: analysis.ordering.permutation)
            #expect(analysis.exactNonzerosL == brute.nonzeros)
            #expect(analysis.exactFactorFlops == brute.flops)
            if relaxation == .none {
                // Fundamental supernodes store no explicit zeros.
                #expect(analysis.storedNonzerosL == brute.nonzeros)
                #expect(analysis.factorFlops == brute.flops)
            } else {
                #expect(analysis.storedNonzerosL >= brute.nonzeros)
                #expect(analysis.supernodeCount <= (try SupernodalAnalysis(a, relaxation: .none)).supernodeCount)
            }
        }
    }

    @Test("The final ordering is a permutation and the elimination tree is postordered")
    func orderingIsPermutation() throws {
        let a = TestMatrices.laplacian3D(7, 6, 5)
        let analysis = try SupernodalAnalysis(a)
        #expect(analysis.ordering.permutation.sorted() == Array(0..<a.dimension))
        for j in 0..<a.dimension {
            #expect(analysis.ordering.inverse[analysis.ordering.permutation[j]] == j)
            let p = analysis.eliminationParent[j]
            #expect(p == -1 || p > j)
        }
    }

    @Test("An ordering of the wrong size is refused")
    func wrongOrderingSize() throws {
        let a = TestMatrices.laplacian3D(3, 3, 3)
        let ordering = try Ordering(method: .natural, permutation: Array(0..<5))
        #expect(throws: LinearAlgebraError.dimensionMismatch(what: "ordering", expected: 27, got: 5)) {
            try SupernodalAnalysis(a, ordering: ordering)
        }
    }
}

@Suite("Supernodal Cholesky")
struct SupernodalCholeskyTests {
    static let cases: [(String, SymmetricMatrix)] = [
        ("random SPD n=400", TestMatrices.randomSymmetric(dimension: 400, perRow: 4, diagonalShift: 0.5, seed: 21)),
        ("3D Laplacian 10×9×8", TestMatrices.laplacian3D(10, 9, 8)),
    ]

    @Test("Solution equals dense dposv within cond(A)·ε", arguments: 0..<2)
    func matchesDense(_ index: Int) throws {
        let a = Self.cases[index].1
        let n = a.dimension
        let b = rhs(n, seed: 3)
        let solver = SupernodalCholesky()
        try solver.analyzeAndFactor(a)
        let x = try solver.solve(b)
        let reference = try DenseMatrix(a).choleskySolve(b)
        let (condition, _) = try SupernodalTestMatrices.spectrum(a)
        #expect(solver.report.relativeResidual <= 1e-12)
        #expect(relativeResidual(a, x: x, b: b) <= 1e-12)
        #expect(SupernodalTestMatrices.relativeError(x, reference) <= errorFactor * condition)
        #expect(solver.report.inertia == Inertia(positive: n, negative: 0, zero: 0))
        #expect(solver.report.nonzerosL == solver.analysis!.storedNonzerosL)
        #expect(solver.report.supernodes > 0 && solver.report.supernodes < n)
    }

    @Test("Numeric factor's nonzeros equal the symbolic count (no relaxation)")
    func numericNonzerosMatchSymbolic() throws {
        let a = TestMatrices.randomSymmetric(dimension: 300, perRow: 3, diagonalShift: 1, seed: 8)
        let solver = SupernodalCholesky(relaxation: .none)
        try solver.analyzeAndFactor(a)
        #expect(solver.numericNonzerosL == solver.analysis!.storedNonzerosL)
        #expect(solver.numericNonzerosL == solver.analysis!.exactNonzerosL)
    }

    @Test("Refactorization with new values on the same pattern gives the new solution")
    func refactor() throws {
        var a = TestMatrices.laplacian3D(8, 7, 6)
        let b = rhs(a.dimension, seed: 4)
        let solver = SupernodalCholesky()
        try solver.analyzeAndFactor(a)
        let x1 = try solver.solve(b)
        #expect(SupernodalTestMatrices.relativeError(x1, try DenseMatrix(a).choleskySolve(b)) <= 1e-12)
        var rng = SeededGenerator(seed: 9)
        for j in 0..<a.dimension {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                a.values[p] *= Int(a.rowIndices[p]) == j ? 1 + Double.random(in: 0...1, using: &rng) : Double.random(in: 0.5...1, using: &rng)
            }
        }
        try solver.factor(a)
        let x2 = try solver.solve(b)
        let reference = try DenseMatrix(a).choleskySolve(b)
        #expect(SupernodalTestMatrices.relativeError(x2, reference) <= 1e-12)
        #expect(SupernodalTestMatrices.relativeError(x1, reference) > 1e-3)
    }

    @Test("Several right-hand sides at once equal dense solves")
    func multipleRightHandSides() throws {
        let a = TestMatrices.randomSymmetric(dimension: 250, perRow: 5, diagonalShift: 2, seed: 13)
        let n = a.dimension, count = 4
        let b = rhs(n, count: count, seed: 14)
        let solver = SupernodalCholesky()
        try solver.analyzeAndFactor(a)
        var x = b
        try solver.solve(&x, count: count)
        let reference = try DenseMatrix(a).choleskySolve(b, count: count)
        #expect(SupernodalTestMatrices.relativeError(x, reference) <= 1e-12)
        for c in 0..<count {
            #expect(relativeResidual(a, x: Array(x[(c * n)..<((c + 1) * n)]), b: Array(b[(c * n)..<((c + 1) * n)])) <= 1e-12)
        }
    }

    @Test("A failing leading minor is reported at its original column", arguments: [0, 7, 23, 39])
    func notPositiveDefinite(_ failing: Int) throws {
        let a = SupernodalTestMatrices.failingAt(failing, dimension: 40)
        // Natural order: a banded matrix has a chain elimination tree, so the
        // postorder keeps the natural order and column `failing` fails first.
        let solver = SupernodalCholesky(ordering: .natural)
        try solver.analyze(a)
        #expect(solver.analysis!.ordering.permutation == Array(0..<40))
        do {
            try solver.factor(a)
            Issue.record("factor accepted an indefinite matrix")
        } catch let LinearAlgebraError.notPositiveDefinite(column, pivot) {
            #expect(column == failing)
            #expect(pivot <= 0)
        }
        // With nested dissection the failure is still named in original numbering:
        // the decoupled entry −1 on a diagonal-only matrix fails wherever it is ordered.
        var coo = COOMatrix(rows: 30, columns: 30)
        for i in 0..<30 { coo.append(i, i, i == 17 ? -1 : 2); if i + 1 < 30 && i != 16 && i != 17 { coo.append(i, i + 1, 0.5); coo.append(i + 1, i, 0.5) } }
        let d = try coo.csr().symmetricLowerTriangle()
        let nd = SupernodalCholesky()
        try nd.analyze(d)
        #expect(throws: LinearAlgebraError.notPositiveDefinite(column: 17, pivot: -1)) { try nd.factor(d) }
    }

    @Test("Indefinite matrices are refused with a non-positive pivot at an original column")
    func indefiniteRefused() throws {
        for a in [TestMatrices.randomSymmetric(dimension: 300, perRow: 4, diagonalShift: -3.5, seed: 31),
                  SupernodalTestMatrices.saddle(4, 4, 4, pressureScale: 1e-4, seed: 1)] {
            let (_, inertia) = try SupernodalTestMatrices.spectrum(a)
            #expect(inertia.negative > 0)
            let solver = SupernodalCholesky()
            try solver.analyze(a)
            do {
                try solver.factor(a)
                Issue.record("factor accepted an indefinite matrix")
            } catch let LinearAlgebraError.notPositiveDefinite(column, pivot) {
                #expect(column >= 0 && column < a.dimension)
                #expect(pivot <= 0 || pivot.isNaN)
            }
            var b = [Double](repeating: 1, count: a.dimension)
            #expect(throws: LinearAlgebraError.phaseOrder("solve: call factor first")) { try solver.solve(&b, count: 1) }
        }
    }

    @Test("NaN, pattern mismatch, wrong sizes and phase order are typed errors")
    func badInput() throws {
        let a = TestMatrices.laplacian3D(4, 4, 4)
        let solver = SupernodalCholesky()
        #expect(throws: LinearAlgebraError.phaseOrder("factor: call analyze first")) { try solver.factor(a) }
        try solver.analyze(a)
        var b = [Double](repeating: 1, count: 10)
        #expect(throws: LinearAlgebraError.phaseOrder("solve: call factor first")) { try solver.solve(&b, count: 1) }
        var bad = a
        bad.values[5] = .nan
        let row = Int(a.rowIndices[5])
        var col = 0
        while a.columnStarts[col + 1] <= 5 { col += 1 }
        do {
            try solver.factor(bad)
            Issue.record("NaN accepted")
        } catch let LinearAlgebraError.nonFinite(r, c, v) {
            #expect(r == row && c == col && v.isNaN)
        }
        let other = TestMatrices.laplacian3D(4, 4, 3)
        #expect(throws: LinearAlgebraError.patternMismatch("dimension 48, analysed 64")) { try solver.factor(other) }
        let different = TestMatrices.randomSymmetric(dimension: 64, perRow: 3, diagonalShift: 1, seed: 1)
        #expect(throws: LinearAlgebraError.self) { try solver.factor(different) }
        do { try solver.factor(different) } catch let error as LinearAlgebraError {
            guard case .patternMismatch = error else { Issue.record("expected patternMismatch, got \(error)"); return }
        }
        try solver.factor(a)
        #expect(throws: LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: 64, got: 10)) { try solver.solve(&b, count: 1) }
        var two = [Double](repeating: 1, count: 64)
        #expect(throws: LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: 128, got: 64)) { try solver.solve(&two, count: 2) }
        var coo = COOMatrix(rows: 3, columns: 4)
        coo.append(0, 0, 1)
        #expect(throws: LinearAlgebraError.notSquare(rows: 3, columns: 4)) { try coo.csr().symmetricLowerTriangle() }
    }
}

@Suite("Supernodal LDLᵀ")
struct SupernodalLDLTTests {
    static let cases: [(String, SymmetricMatrix)] = [
        ("random indefinite n=400", TestMatrices.randomSymmetric(dimension: 400, perRow: 4, diagonalShift: -3.5, seed: 31)),
        ("u–p saddle 6×5×5, ε=1e-4", SupernodalTestMatrices.saddle(6, 5, 5, pressureScale: 1e-4, seed: 3)),
        ("u–p saddle 5×5×4, zero pressure block", SupernodalTestMatrices.saddle(5, 5, 4, pressureScale: 0, seed: 4)),
        ("3D Laplacian 9×8×7 (SPD)", TestMatrices.laplacian3D(9, 8, 7)),
        ("u–p saddle 6×5×4, ε=1e-9 (tiny pressure pivots)", SupernodalTestMatrices.saddle(6, 5, 4, pressureScale: 1e-9, seed: 5)),
    ]

    @Test("Solution, residual and inertia against dense LAPACK", arguments: 0..<5)
    func matchesDense(_ index: Int) throws {
        let a = Self.cases[index].1
        let n = a.dimension
        let b = rhs(n, seed: 5)
        let solver = SupernodalLDLT()
        try solver.analyzeAndFactor(a)
        let x = try solver.solve(b)
        let reference = try DenseMatrix(a).solve(b)
        let (condition, inertia) = try SupernodalTestMatrices.spectrum(a)
        #expect(solver.report.relativeResidual <= 1e-12, "\(Self.cases[index].0): \(solver.report)")
        #expect(relativeResidual(a, x: x, b: b) <= 1e-12)
        #expect(SupernodalTestMatrices.relativeError(x, reference) <= errorFactor * condition)
        #expect(solver.report.inertia == inertia, "\(Self.cases[index].0)")
    }

    @Test("The saddle matrix has 3·nodes positive and nodes negative pivots")
    func saddleInertiaClosedForm() throws {
        let a = SupernodalTestMatrices.saddle(7, 6, 5, pressureScale: 1e-4, seed: 6)
        let solver = SupernodalLDLT()
        try solver.analyzeAndFactor(a)
        #expect(solver.report.inertia == Inertia(positive: 3 * 210, negative: 210, zero: 0))
        #expect(solver.numericNonzerosL <= solver.analysis!.storedNonzerosL)
    }

    @Test("Refactorization and several right-hand sides")
    func refactorAndManyRightHandSides() throws {
        var a = SupernodalTestMatrices.saddle(5, 4, 4, pressureScale: 1e-3, seed: 7)
        let n = a.dimension, count = 3
        let solver = SupernodalLDLT()
        try solver.analyzeAndFactor(a)
        for p in 0..<a.values.count { a.values[p] *= 1 + 0.1 * Double(p % 7) / 7 }
        // The scaled matrix stays symmetric (scaling is per stored entry) but changes values.
        try solver.factor(a)
        let b = rhs(n, count: count, seed: 8)
        var x = b
        try solver.solve(&x, count: count)
        let reference = try DenseMatrix(a).solve(b, count: count)
        let (condition, inertia) = try SupernodalTestMatrices.spectrum(a)
        #expect(SupernodalTestMatrices.relativeError(x, reference) <= errorFactor * condition)
        #expect(solver.report.inertia == inertia)
        for c in 0..<count {
            #expect(relativeResidual(a, x: Array(x[(c * n)..<((c + 1) * n)]), b: Array(b[(c * n)..<((c + 1) * n)])) <= 1e-12)
        }
    }

    @Test("Serial small-front kernels and threaded BLAS give the dense LAPACK solution",
          arguments: [0.0, 4e6, Double.infinity], [0, 1, 3])
    func serialFrontPath(_ serialWork: Double, _ index: Int) throws {
        // serialWork 0: every front through dtrsm/dgemm/dsyrk; ∞: every front through the
        // plain-loop triangular solve and the volume-capped dgemm calls.
        let a = Self.cases[index].1
        let b = rhs(a.dimension, count: 2, seed: 9)
        let reference = try DenseMatrix(a).solve(b, count: 2)
        let (condition, inertia) = try SupernodalTestMatrices.spectrum(a)
        let ldlt = SupernodalLDLT()
        ldlt.serialFrontWork = serialWork
        try ldlt.analyzeAndFactor(a)
        var x = b
        try ldlt.solve(&x, count: 2)
        #expect(SupernodalTestMatrices.relativeError(x, reference) <= errorFactor * condition, "\(Self.cases[index].0)")
        #expect(ldlt.report.inertia == inertia)
        if index == 3 {  // the SPD case through the Cholesky's kernels too
            let cholesky = SupernodalCholesky()
            cholesky.serialFrontWork = serialWork
            try cholesky.analyzeAndFactor(a)
            var y = b
            try cholesky.solve(&y, count: 2)
            #expect(SupernodalTestMatrices.relativeError(y, reference) <= errorFactor * condition)
        }
    }

    @Test("Tiny pivots are perturbed and refinement recovers the solution")
    func perturbation() throws {
        // Diagonal 1e-20 on a decoupled unknown: replaced by ε·max|a| and counted.
        var coo = COOMatrix(rows: 3, columns: 3)
        coo.append(0, 0, 2); coo.append(1, 1, 1e-20); coo.append(2, 2, -3); coo.append(0, 2, 1); coo.append(2, 0, 1)
        let a = try coo.csr().symmetricLowerTriangle()
        let solver = SupernodalLDLT(ordering: .natural)
        try solver.analyzeAndFactor(a)
        #expect(solver.report.perturbedPivots == 1)
        // The perturbed pivot (1e-20 < ε·max|a|) is numerically zero: it counts as zero.
        #expect(solver.report.inertia == Inertia(positive: 1, negative: 1, zero: 1) && solver.report.singular)
    }
}

@Suite("Supernodal subtree parallelism")
struct SupernodalParallelTests {
    @Test("Worker threads give the same factor as one thread (Cholesky and LDLᵀ)", arguments: [false, true])
    func parallelEqualsSequential(_ indefinite: Bool) throws {
        let a = indefinite ? SupernodalTestMatrices.saddle(8, 7, 6, pressureScale: 1e-4, seed: 12) : TestMatrices.laplacian3D(12, 11, 10)
        let b = rhs(a.dimension, seed: 2)
        func run(threads: Int) throws -> (x: [Double], report: SolverReport, workers: Int) {
            let solver: any LinearSolver
            if indefinite {
                let s = SupernodalLDLT(); s.threads = threads; s.parallelWorkThreshold = 0; solver = s
            } else {
                let s = SupernodalCholesky(); s.threads = threads; s.parallelWorkThreshold = 0; solver = s
            }
            try solver.analyzeAndFactor(a)
            let workers = (solver as? SupernodalCholesky)?.analysis?.schedule.workerCount ?? (solver as? SupernodalLDLT)?.analysis?.schedule.workerCount ?? -1
            return (try solver.solve(b), solver.report, workers)
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        #expect(one.workers == 0)
        #expect(two.workers == 2)
        // Same fronts and the same kernels; only the BLAS's internal threading
        // (summation order) may differ between the runs.
        #expect(SupernodalTestMatrices.relativeError(two.x, one.x) <= 1e-12)
        #expect(one.report.inertia == two.report.inertia)
        #expect(two.report.relativeResidual <= 1e-12)
        let reference = try DenseMatrix(a).solve(b)
        #expect(SupernodalTestMatrices.relativeError(two.x, reference) <= 1e-10)
    }

    @Test("Fronts large enough for two-thread assembly still solve to 1e-12 residual")
    func largeFronts() throws {
        // 20³ Laplacian: the top separator front has ~400 columns (> 2¹⁷ entries),
        // so its zeroing, assembly and extend-add run split over two threads.
        let a = TestMatrices.laplacian3D(20, 20, 20)
        let solver = SupernodalCholesky()
        try solver.analyzeAndFactor(a)
        #expect(solver.analysis!.largestFront >= 363)
        let b = rhs(a.dimension, seed: 6)
        let x = try solver.solve(b)
        #expect(relativeResidual(a, x: x, b: b) <= 1e-12)
        let saddle = SupernodalTestMatrices.saddle(11, 10, 10, pressureScale: 1e-4, seed: 9)
        let ldlt = SupernodalLDLT()
        try ldlt.analyzeAndFactor(saddle)
        #expect(ldlt.analysis!.largestFront >= 363)
        let c = rhs(saddle.dimension, seed: 7)
        let y = try ldlt.solve(c)
        #expect(relativeResidual(saddle, x: y, b: c) <= 1e-12)
        #expect(ldlt.report.inertia == Inertia(positive: 3 * 1100, negative: 1100, zero: 0))
    }

    @Test("A failure inside a worker's subtree is reported with its original column")
    func failureInWorker() throws {
        var a = TestMatrices.laplacian3D(10, 10, 10)
        // Make one diagonal entry very negative: the matrix is no longer SPD.
        let column = 123
        a.values[a.columnStarts[column]] = -50
        let solver = SupernodalCholesky()
        solver.threads = 2; solver.parallelWorkThreshold = 0
        try solver.analyze(a)
        #expect(solver.analysis!.schedule.workerCount == 2)
        do {
            try solver.factor(a)
            Issue.record("factor accepted an indefinite matrix")
        } catch let LinearAlgebraError.notPositiveDefinite(failed, pivot) {
            // Columns eliminated before it are untouched by the change, so column 123 fails first.
            #expect(pivot <= 0)
            #expect(failed == column)
        }
    }
}

@Suite("Default solver choice")
struct SolverChoiceTests {
    @Test("Size and kind select dense or supernodal solvers")
    func defaults() throws {
        #expect(LinearSolvers.makeDefault(for: 50, kind: .symmetricPositiveDefinite) is DenseSolver)
        #expect(LinearSolvers.makeDefault(for: 5000, kind: .symmetricPositiveDefinite) is SupernodalCholesky)
        #expect(LinearSolvers.makeDefault(for: 5000, kind: .symmetricIndefinite) is SupernodalLDLT)
        #expect(try LinearSolvers.make(.cholesky, kind: .symmetricPositiveDefinite) is SupernodalCholesky)
        #expect(try LinearSolvers.make(.ldlt, kind: .symmetricPositiveDefinite) is SupernodalLDLT)
        #expect(try LinearSolvers.make(.dense, kind: .symmetricIndefinite) is DenseSolver)
        #expect(throws: LinearAlgebraError.self) { try LinearSolvers.make(.cholesky, kind: .symmetricIndefinite) }
        #expect(try LinearSolvers.make(.banded, kind: .symmetricPositiveDefinite) is BandedCholesky)
        #expect(try LinearSolvers.make(.banded, kind: .symmetricIndefinite) is BandedLU)
        #expect(try LinearSolvers.make(.cg, kind: .symmetricPositiveDefinite) is ConjugateGradient)
        #expect(try LinearSolvers.make(.minres, kind: .symmetricIndefinite) is MINRES)
        #expect(throws: LinearAlgebraError.self) { try LinearSolvers.make(.cg, kind: .symmetricIndefinite) }
        #expect(SolverChoice(rawValue: "ldlt") == .ldlt)
        // The solver made by `auto` for a 1000-unknown Laplacian solves it like dense Cholesky.
        let a = TestMatrices.laplacian3D(10, 10, 10)
        let solver = try LinearSolvers.make(.auto, kind: .symmetricPositiveDefinite, dimension: a.dimension)
        try solver.analyzeAndFactor(a)
        let b = rhs(a.dimension, seed: 1)
        #expect(SupernodalTestMatrices.relativeError(try solver.solve(b), try DenseMatrix(a).choleskySolve(b)) <= 1e-12)
    }
}
