import Testing
import SparseLinearAlgebra
import _TestSupport

@Suite("Storage")
struct StorageTests {
    @Test("COO sums duplicates and sorts columns")
    func cooSumsDuplicates() throws {
        var a = COOMatrix(rows: 3, columns: 3)
        a.append(2, 1, 1); a.append(0, 2, 5); a.append(0, 0, 4); a.append(2, 1, 2); a.append(0, 0, 1)
        let csr = try a.csr()
        #expect(csr.rowStarts == [0, 2, 2, 3])
        #expect(csr.columnIndices == [0, 2, 1])
        #expect(csr.values == [5, 5, 3])
    }

    @Test("COO refuses out-of-range indices and NaN")
    func cooRefusesBadInput() {
        var a = COOMatrix(rows: 2, columns: 2)
        a.append(0, 2, 1)
        #expect(throws: LinearAlgebraError.indexOutOfRange(what: "column of triplet 0", index: 2, bound: 2)) { try a.csr() }
        var b = COOMatrix(rows: 2, columns: 2)
        b.append(1, 0, .nan)
        #expect(throws: LinearAlgebraError.self) { try b.csr() }
    }

    @Test("Symmetric multiply equals the dense product")
    func symmetricMultiply() throws {
        let a = TestMatrices.randomSymmetric(dimension: 60, perRow: 4, diagonalShift: 1, seed: 7)
        let x = (0..<60).map { Double($0) * 0.1 - 2 }
        let dense = DenseMatrix(a).multiply(x)
        let sparse = a.multiply(x)
        let full = a.fullCSR().multiply(x)
        for i in 0..<60 {
            #expect(abs(dense[i] - sparse[i]) <= 1e-13 * (1 + abs(dense[i])))
            #expect(abs(dense[i] - full[i]) <= 1e-13 * (1 + abs(dense[i])))
        }
    }

    @Test("Non-symmetric input is refused by the symmetric conversion")
    func notSymmetric() throws {
        var a = COOMatrix(rows: 2, columns: 2)
        a.append(0, 0, 2); a.append(1, 1, 2); a.append(0, 1, 1); a.append(1, 0, 1.5)
        #expect(throws: LinearAlgebraError.notSymmetric(row: 0, column: 1, value: 1, transposeValue: 1.5)) {
            try a.csr().symmetricLowerTriangle()
        }
    }

    @Test("Permutation round-trips PAPᵀ against the dense form")
    func permutation() throws {
        let a = TestMatrices.randomSymmetric(dimension: 30, perRow: 3, diagonalShift: 1, seed: 3)
        var rng = SeededGenerator(seed: 11)
        let perm = Array(0..<30).shuffled(using: &rng)
        let (pa, _) = a.permuted(by: perm)
        let d = DenseMatrix(a), dp = DenseMatrix(pa)
        for i in 0..<30 { for j in 0..<30 { #expect(dp[i, j] == d[perm[i], perm[j]]) } }
    }
}

@Suite("Dense reference solver")
struct DenseSolverTests {
    @Test("Dense LDLᵀ inertia equals the eigenvalue sign count from dsyev")
    func denseInertia() throws {
        let a = TestMatrices.randomSymmetric(dimension: 80, perRow: 5, diagonalShift: -3, seed: 5)
        let solver = DenseSolver(kind: .symmetricIndefinite)
        try solver.analyzeAndFactor(a)
        let eig = try DenseMatrix(a).symmetricEigenvalues()
        let inertia = try #require(solver.report.inertia)
        #expect(inertia.positive == eig.filter { $0 > 0 }.count)
        #expect(inertia.negative == eig.filter { $0 < 0 }.count)
        let b = (0..<80).map { sin(Double($0)) }
        let x = try solver.solve(b)
        let reference = try DenseMatrix(a).solve(b)
        for i in 0..<80 { #expect(abs(x[i] - reference[i]) <= 1e-9 * (1 + abs(reference[i]))) }
        #expect(solver.report.relativeResidual <= 1e-12)
    }
}

import Foundation

@Suite("Orderings")
struct OrderingBasicsTests {
    @Test("METIS nested dissection is a permutation and cuts fill of a 3D Laplacian")
    func metisIsPermutation() throws {
        let a = TestMatrices.laplacian3D(10, 10, 10)
        let ordering = try Ordering.compute(.nestedDissection, for: a)
        #expect(Set(ordering.permutation) == Set(0..<1000))
        for old in 0..<1000 { #expect(ordering.permutation[ordering.inverse[old]] == old) }
    }
}
