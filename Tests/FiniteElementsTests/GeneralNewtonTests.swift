import Testing
import FiniteElements
import SparseLinearAlgebra

/// `R(x) = A x + x³ − b` (componentwise cube) with `A` the nonsymmetric tridiagonal
/// `[−1 − γ, 4, −1 + γ]`; `b` is made from a chosen `x*`, the closed-form root.
private final class CubicSystem: GeneralNonlinearSystem {
    let n: Int, gamma: Double, cubic: Bool
    let exact: [Double]
    /// Adds to each residual entry `noise · ε · (|A||x|)ᵢ` with a sign that changes with `x`'s bits:
    /// round-off of the size a sum of the entry's terms can carry, which no step can remove.
    var noise = 0.0
    /// Assembles `−K` instead of `K` (a wrong tangent: every Newton direction increases `‖R‖`).
    var wrongTangent = false
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
        if noise > 0 {
            for i in 0..<n {
                var size = 0.0
                for p in a.rowStarts[i]..<a.rowStarts[i + 1] { size += abs(a.values[p] * x[Int(a.columnIndices[p])]) }
                let bits = x[i].bitPattern &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i)
                residual[i] += (bits >> 63 == 0 ? 1 : -1) * noise * Double.ulpOfOne * size
            }
        }
        guard tangent != nil else { return }
        var v = a.values
        for i in 0..<n where cubic {
            for p in a.rowStarts[i]..<a.rowStarts[i + 1] where Int(a.columnIndices[p]) == i { v[p] += 3 * x[i] * x[i] }
        }
        tangent!.values = wrongTangent ? v.map { -$0 } : v
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

    @Test("Residual at round-off: accepted by the round-off test (not refused as a diverged line search), the root to 1e-12 relative")
    func roundOffAcceptance() throws {
        let system = try CubicSystem(n: 300, gamma: 2.5, cubic: true)
        system.noise = 50   // below the default roundOffFactor (1000) × ε · ‖|K||x|‖₂
        var x = [Double](repeating: 0, count: 300)
        var options = NewtonOptions()
        options.relativeTolerance = 1e-30   // unreachable: only the round-off test can accept
        options.incrementFactor = 0
        let newton = GeneralNewtonSolver(options: options)
        let report = try newton.solve(system, x: &x)
        #expect(report.convergence == .roundOff)
        #expect(newton.statistics.roundOffAcceptances == 1)
        // Closed-form root; the noise moves it by ≈ 50 ε · ‖|A||x|‖ / σ_min(K) ≪ 1e-12 relative.
        let error = zip(x, system.exact).map { abs($0 - $1) / $1 }.max()!
        #expect(error <= 1e-12)
        #expect(report.residualNorms.last! <= report.roundOffLevel)
    }

    @Test("A line search with no decrease above round-off stops with `stalled`, naming the residual and the round-off level")
    func stalledLineSearch() throws {
        let system = try CubicSystem(n: 50, gamma: 2.5, cubic: true)
        system.wrongTangent = true
        var x = [Double](repeating: 0, count: 50)
        let newton = GeneralNewtonSolver()
        #expect {
            try newton.solve(system, x: &x)
        } throws: { error in
            guard case let NewtonError.stalled(iteration, residual, best, _, floor)? = error as? NewtonError else { return false }
            // From x = 0 the residual is ‖b‖₂ (A·0 + 0³ − b), far above its round-off level.
            let b = system.b.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return iteration == 1 && abs(residual - b) <= 1e-12 * b && best > residual && floor < 1e-10 * b
        }
        #expect(x.allSatisfy { $0 == 0 })   // the last accepted iterate: the start
    }
}
