import Testing
import SparseLinearAlgebra
import _TestSupport

// MARK: - Independent helpers

/// ‖b − A x‖₂ / ‖b‖₂ with the dense product (a code path separate from the solvers').
func denseRelativeResidual(_ a: SymmetricMatrix, x: ArraySlice<Double>, b: ArraySlice<Double>) -> Double {
    let ax = DenseMatrix(a).multiply(Array(x))
    var rr = 0.0, bb = 0.0
    for (k, (bi, axi)) in zip(b, ax).enumerated() { _ = k; rr += (bi - axi) * (bi - axi); bb += bi * bi }
    return (rr / bb).squareRoot()
}

/// ‖x − y‖₂ / ‖y‖₂.
func relativeError(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
    var dd = 0.0, yy = 0.0
    for (xi, yi) in zip(x, y) { dd += (xi - yi) * (xi - yi); yy += yi * yi }
    return (dd / yy).squareRoot()
}

/// 2-norm condition number from `dsyev` eigenvalues.
func conditionNumber(_ a: SymmetricMatrix) throws -> Double {
    let magnitudes = try DenseMatrix(a).symmetricEigenvalues().map(abs)
    return magnitudes.max()! / magnitudes.min()!
}

/// A symmetric indefinite matrix that is not diagonally dominant: the
/// diagonal of `randomSymmetric` scaled by 0.3 with alternating signs.
func randomIndefinite(_ n: Int, seed: UInt64) -> SymmetricMatrix {
    var a = TestMatrices.randomSymmetric(dimension: n, perRow: 3, diagonalShift: 0.5, seed: seed)
    for j in 0..<n where a.columnStarts[j] < a.columnStarts[j + 1] && Int(a.rowIndices[a.columnStarts[j]]) == j {
        a.values[a.columnStarts[j]] *= j % 2 == 0 ? 0.3 : -0.3
    }
    return a
}

func deterministicRHS(_ n: Int, count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<(n * count)).map { _ in Double.random(in: -1...1, using: &rng) }
}

// MARK: - Tests

@Suite("Banded solvers")
struct BandedTests {
    @Test("Banded Cholesky matches dposv on shuffled 3D Laplacian and random SPD, three right-hand sides")
    func choleskyMatchesDense() throws {
        let lap = TestMatrices.laplacian3D(6, 7, 9)
        let cases = [try symmetricallyPermuted(lap, inverse: randomPermutation(lap.dimension, seed: 4)),
                     TestMatrices.randomSymmetric(dimension: 300, perRow: 2, diagonalShift: 0.01, seed: 8)]
        for a in cases {
            let n = a.dimension, count = 3
            let b = deterministicRHS(n, count: count, seed: 1)
            let solver = BandedCholesky()
            try solver.analyzeAndFactor(a)
            var x = b
            try solver.solve(&x, count: count)
            let reference = try DenseMatrix(a).choleskySolve(b, count: count)
            let kappa = try conditionNumber(a)
            let kd = solver.bandwidth
            #expect(kd == referenceBandwidth(a, inverse: try #require(solver.ordering).inverse))
            #expect(solver.report.nonzerosL == n * (kd + 1))
            print("BandedCholesky n=\(n): bandwidth \(referenceBandwidth(a)) → \(kd) after RCM, κ = \(kappa)")
            for c in 0..<count {
                let r = c * n..<(c + 1) * n
                #expect(denseRelativeResidual(a, x: x[r], b: b[r]) <= 1e-12)
                // Both solutions are backward stable: forward error ≲ κ·ε each.
                #expect(relativeError(x[r], reference[r]) <= 20 * kappa * 2.2e-16)
            }
            #expect(solver.report.relativeResidual <= 1e-12)
        }
    }

    @Test("Refactoring with new values on the same pattern gives the new solution")
    func refactor() throws {
        var a = TestMatrices.laplacian3D(5, 6, 7)
        let b = deterministicRHS(a.dimension, count: 1, seed: 2)
        let solver = BandedCholesky()
        try solver.analyzeAndFactor(a)
        let first = try solver.solve(b)
        for p in a.values.indices { a.values[p] *= a.values[p] > 0 ? 2.5 : 0.5 }  // still SPD: diag 15, offdiag −0.5
        try solver.factor(a)
        let second = try solver.solve(b)
        let reference = try DenseMatrix(a).choleskySolve(b)
        #expect(relativeError(second[...], reference[...]) <= 1e-13)
        #expect(relativeError(first[...], reference[...]) > 0.1)
    }

    @Test("Not positive definite: the error names the original column")
    func notPositiveDefinite() throws {
        let lap = TestMatrices.laplacian3D(6, 6, 6)
        var a = try symmetricallyPermuted(lap, inverse: randomPermutation(lap.dimension, seed: 11))
        let bad = 17
        a.values[a.columnStarts[bad]] = -1  // the diagonal of column 17
        let solver = BandedCholesky()
        try solver.analyze(a)
        #expect(solver.ordering!.inverse[bad] != bad)
        do {
            try solver.factor(a)
            Issue.record("factor accepted an indefinite matrix")
        } catch let LinearAlgebraError.notPositiveDefinite(column, pivot) {
            // Every leading block without column 17 is a principal submatrix of an SPD Laplacian,
            // so the first non-positive pivot is column 17's: pivot ≤ a₁₇,₁₇ = −1.
            #expect(column == bad)
            #expect(pivot <= -1)
        }
        #expect(throws: LinearAlgebraError.self) { try DenseMatrix(a).choleskySolve([Double](repeating: 1, count: a.dimension)) }
    }

    @Test("Banded LU matches dgesv on symmetric indefinite matrices")
    func luMatchesDense() throws {
        for seed: UInt64 in [3, 4] {
            let a = randomIndefinite(400, seed: seed)
            let eigenvalues = try DenseMatrix(a).symmetricEigenvalues()
            #expect(eigenvalues.first! < 0 && eigenvalues.last! > 0)
            let n = a.dimension, count = 2
            let b = deterministicRHS(n, count: count, seed: seed)
            let solver = BandedLU()
            try solver.analyzeAndFactor(a)
            var x = b
            try solver.solve(&x, count: count)
            let reference = try DenseMatrix(a).solve(b, count: count)
            let kappa = try conditionNumber(a)
            #expect(solver.report.nonzerosL == n * (3 * solver.bandwidth + 1))
            for c in 0..<count {
                let r = c * n..<(c + 1) * n
                #expect(denseRelativeResidual(a, x: x[r], b: b[r]) <= 1e-12)
                #expect(relativeError(x[r], reference[r]) <= 100 * kappa * 2.2e-16)
            }
        }
    }

    @Test("Banded LU reports an exactly singular column by its original index")
    func luSingular() throws {
        var a = TestMatrices.laplacian3D(5, 5, 2)
        let dead = 7
        // Zero row/column 7 (values only; the pattern keeps the entries).
        for j in 0..<a.dimension {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] where j == dead || Int(a.rowIndices[p]) == dead { a.values[p] = 0 }
        }
        let solver = BandedLU()
        try solver.analyze(a)
        #expect(throws: LinearAlgebraError.singular(column: dead)) { try solver.factor(a) }
    }

    @Test("Phase order, pattern, size and NaN errors are typed", arguments: [true, false])
    func badInput(cholesky: Bool) throws {
        let solver: any LinearSolver = cholesky ? BandedCholesky() : BandedLU()
        let a = TestMatrices.laplacian3D(4, 4, 4)
        #expect(throws: LinearAlgebraError.self) { try solver.factor(a) }
        var x = [Double](repeating: 1, count: a.dimension)
        #expect(throws: LinearAlgebraError.self) { try solver.solve(&x, count: 1) }
        try solver.analyze(a)
        let other = TestMatrices.laplacian3D(4, 4, 3)
        #expect(throws: LinearAlgebraError.self) { try solver.factor(other) }
        var nan = a
        nan.values[5] = .nan
        do {
            try solver.factor(nan)
            Issue.record("factor accepted NaN")
        } catch let LinearAlgebraError.nonFinite(row, column, value) {
            // Entry 5 of the 4×4×4 Laplacian's lower CSC lies in column 1.
            #expect(row == Int(a.rowIndices[5]) && column == 1 && value.isNaN)
        }
        try solver.factor(a)
        var short = [Double](repeating: 1, count: a.dimension - 1)
        #expect(throws: LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: a.dimension, got: a.dimension - 1)) { try solver.solve(&short, count: 1) }
        // Large bands are refused up front, not allocated.
        let tiny = cholesky ? BandedCholesky(maxBandStorage: 100) as any LinearSolver : BandedLU(maxBandStorage: 100)
        #expect(throws: LinearAlgebraError.self) { try tiny.analyze(a) }
    }
}
