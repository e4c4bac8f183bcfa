import Testing
import SparseLinearAlgebra
import _TestSupport

/// Inertia of the supernodal LDLᵀ counts perturbed (numerically zero) pivots as zero and reports
/// the matrix singular; checked against the eigenvalue signs from LAPACK `dsyev`.
@Suite("LDLᵀ inertia of singular matrices")
struct InertiaSingularTests {
    static func dense(_ a: [[Double]]) throws -> SymmetricMatrix {
        var coo = COOMatrix(rows: a.count, columns: a.count)
        for i in a.indices { for j in a.indices where a[i][j] != 0 { coo.append(i, j, a[i][j]) } }
        return try coo.csr().symmetricLowerTriangle()
    }

    /// Eigenvalue sign counts from `dsyev`, an eigenvalue with |λ| ≤ 1e-10·max|λ| counting as zero.
    static func reference(_ a: SymmetricMatrix) throws -> Inertia {
        let w = try DenseMatrix(a).symmetricEigenvalues()
        let scale = w.map(abs).max() ?? 0
        var r = Inertia(positive: 0, negative: 0, zero: 0)
        for x in w {
            if abs(x) <= 1e-10 * scale { r.zero += 1 } else if x > 0 { r.positive += 1 } else { r.negative += 1 }
        }
        return r
    }

    /// [[1, 1], [1, 1]] has eigenvalues 2 and 0 (closed form): inertia (+1, −0, 0×1), singular.
    @Test func twoByTwoOnes() throws {
        let a = try Self.dense([[1, 1], [1, 1]])
        #expect(try Self.reference(a) == Inertia(positive: 1, negative: 0, zero: 1))
        for ordering in [OrderingMethod.natural, .nestedDissection] {
            let solver = SupernodalLDLT(ordering: ordering)
            try solver.analyzeAndFactor(a)
            #expect(solver.report.inertia == Inertia(positive: 1, negative: 0, zero: 1))
            #expect(solver.report.singular && solver.report.perturbedPivots == 1)
        }
    }

    /// A = B Bᵀ − C Cᵀ with integer B (n × p), C (n × q) is exactly representable, of rank p + q:
    /// inertia (p, q, n − p − q) in exact arithmetic; the LDLᵀ count equals the `dsyev` count.
    @Test(arguments: 1...8 as ClosedRange<UInt64>)
    func randomSingular(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let n = 12, p = 4 + Int(seed % 3), q = 2 + Int(seed % 2)
        let b = (0..<n).map { _ in (0..<p).map { _ in Double(Int.random(in: -3...3, using: &rng)) } }
        let c = (0..<n).map { _ in (0..<q).map { _ in Double(Int.random(in: -3...3, using: &rng)) } }
        var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n {
            m[i][j] = (0..<p).reduce(0) { $0 + b[i][$1] * b[j][$1] } - (0..<q).reduce(0) { $0 + c[i][$1] * c[j][$1] }
        } }
        let a = try Self.dense(m)
        let expected = try Self.reference(a)
        #expect(expected.zero >= n - p - q)
        let solver = SupernodalLDLT(ordering: .natural, pivotTolerance: 1e-10)
        try solver.analyzeAndFactor(a)
        #expect(solver.report.inertia == expected, "seed \(seed): dsyev \(expected)")
        #expect(solver.report.singular)
    }

    /// A nonsingular indefinite matrix: nothing perturbed, not singular, inertia equals `dsyev`'s.
    @Test func nonsingularIndefinite() throws {
        let a = TestMatrices.randomSymmetric(dimension: 60, perRow: 4, diagonalShift: -2.5, seed: 3)
        let solver = SupernodalLDLT()
        try solver.analyzeAndFactor(a)
        #expect(solver.report.inertia == (try Self.reference(a)))
        #expect(!solver.report.singular && solver.report.perturbedPivots == 0)
    }
}
