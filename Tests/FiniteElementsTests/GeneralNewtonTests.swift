import Testing
import FiniteElements
import SparseLinearAlgebra

/// `R(x) = A x + x³ − b` (componentwise cube) with `A` the nonsymmetric tridiagonal
/// `[−1 − γ, 4, −1 + γ]`; `b` is made from a chosen `x*`, the closed-form root.
private final class CubicSystem: GeneralNonlinearSystem {
    let n: Int, gamma: Double, cubic: Bool
    let exact: [Double]
    let a: CSRMatrix
    var b: [Double] = []

    init(n: Int, gamma: Double, cubic: Bool) throws {
        self.n = n; self.gamma = gamma; self.cubic = cubic
        exact = (0..<n).map { 1 + 0.5 * Double($0 % 7) / 7 }
        var coo = COOMatrix(rows: n, columns: n)
        for i in 0..<n {
            if i > 0 { coo.append(i, i - 1, -1 - gamma) }
            coo.append(i, i, 4)
            if i < n - 1 { coo.append(i, i + 1, -1 + gamma) }
        }
        a = try coo.csr()
        let ax = a.multiply(exact)
        b = (0..<n).map { ax[$0] + (cubic ? exact[$0] * exact[$0] * exact[$0] : 0) }
    }

    var unknownCount: Int { n }
    var hasConstantTangent: Bool { !cubic }
    func tangentPattern() -> CSRMatrix { a }

    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout CSRMatrix?) throws {
        let ax = a.multiply(x)
        for i in 0..<n { residual[i] = ax[i] + (cubic ? x[i] * x[i] * x[i] : 0) - b[i] }
        guard tangent != nil else { return }
        var v = a.values
        for i in 0..<n where cubic {
            for p in a.rowStarts[i]..<a.rowStarts[i + 1] where Int(a.columnIndices[p]) == i { v[p] += 3 * x[i] * x[i] }
        }
        tangent!.values = v
    }
}

@Suite("General (nonsymmetric) Newton")
struct GeneralNewtonTests {
    @Test("Nonsymmetric cubic system: Newton reaches the closed-form root to 1e-10 relative")
    func cubic() throws {
        let system = try CubicSystem(n: 300, gamma: 2.5, cubic: true)
        var x = [Double](repeating: 0, count: 300)
        let newton = GeneralNewtonSolver()
        let report = try newton.solve(system, x: &x)
        let error = zip(x, system.exact).map { abs($0 - $1) }.max()!
        #expect(error <= 1e-10 * 1.5)
        #expect(report.residualNorms.last! <= 1e-10 * report.residualNorms[0] + 1e-12)
        #expect(newton.statistics.analyses == 1)
        #expect(newton.statistics.factorizations == report.iterations)
    }

    @Test("Linear system (constant tangent): one factorization, one solve, the exact solution")
    func linear() throws {
        let system = try CubicSystem(n: 200, gamma: 3, cubic: false)
        var x = [Double](repeating: 0, count: 200)
        let newton = GeneralNewtonSolver()
        let report = try newton.solve(system, x: &x)
        let error = zip(x, system.exact).map { abs($0 - $1) }.max()!
        #expect(error <= 1e-13)
        #expect(report.iterations == 1)
        #expect(newton.statistics.factorizations == 1)
    }
}
