import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements

/// The full lower-triangle pattern of an `n × n` matrix.
private func fullPattern(_ n: Int) -> SymmetricMatrix {
    var starts = [0], rows: [Int32] = []
    for j in 0..<n { for i in j..<n { rows.append(Int32(i)) }; starts.append(rows.count) }
    return try! SymmetricMatrix(dimension: n, columnStarts: starts, rowIndices: rows, values: [Double](repeating: 0, count: rows.count))
}

/// `R(x) = s·(x∘x∘x + A x − b)`, `b` chosen so that `x*` is the root: the same problem at every
/// scale `s` (a stiffness, MPa), as a material `s` times softer gives the same equations times `s`.
private final class ScaledCubic: NonlinearSystem {
    let a: [[Double]] = [[4, 1, 0], [1, 3, -1], [0, -1, 5]]
    let root = [1.5, -2.0, 0.5]
    let scale: Double
    var b: [Double] = []
    init(scale: Double) {
        self.scale = scale
        b = (0..<3).map { i in pow(root[i], 3) + (0..<3).map { a[i][$0] * root[$0] }.reduce(0, +) }
    }
    var unknownCount: Int { 3 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { fullPattern(3) }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        for i in 0..<3 { residual[i] = scale * (pow(x[i], 3) + (0..<3).map { a[i][$0] * x[$0] }.reduce(0, +) - b[i]) }
        if tangent != nil {
            var p = 0
            for j in 0..<3 { for i in j..<3 { tangent!.values[p] = scale * (a[i][j] + (i == j ? 3 * x[i] * x[i] : 0)); p += 1 } }
        }
    }
}

/// `R(x) = K x − f` with `K = c·B` (`B` a fixed SPD 3×3, c = 10⁸) and a root `x*` of order 1,
/// started next to the root: `‖R(x₀)‖` is a few orders above round-off, and
/// `10⁻¹⁰ ‖R(x₀)‖` is below what the arithmetic can resolve (`ε·‖|K||x|‖ ≈ 10⁻⁷`).
private final class StiffLinear: NonlinearSystem {
    let c = 1e8
    let b: [[Double]] = [[4, 1, 0.3], [1, 3, -1], [0.3, -1, 5]]
    let root = [Double.pi / 7, -exp(1.0) / 9, 2.0.squareRoot() / 5]
    var k: [[Double]] { b.map { $0.map { c * $0 } } }
    var f: [Double] { (0..<3).map { i in (0..<3).reduce(0.0) { $0 + k[i][$1] * root[$1] } } }
    var unknownCount: Int { 3 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { fullPattern(3) }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        let k = self.k, f = self.f
        for i in 0..<3 { residual[i] = (0..<3).reduce(0.0) { $0 + k[i][$1] * x[$1] } - f[i] }
        if tangent != nil {
            var p = 0
            for j in 0..<3 { for i in j..<3 { tangent!.values[p] = k[i][j]; p += 1 } }
        }
    }
}

/// `R(x) = x² + 1` (1 unknown, tangent `2x` made positive): no root, so Newton must fail and say why.
private final class NoRoot: NonlinearSystem {
    var unknownCount: Int { 1 }
    var matrixKind: MatrixKind { .symmetricIndefinite }
    func tangentPattern() -> SymmetricMatrix { fullPattern(1) }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        residual[0] = x[0] * x[0] + 1
        if tangent != nil { tangent!.values[0] = 2 * x[0] }
    }
}

@Suite("Newton acceptance: scale-free tolerances, round-off, named failures")
struct NewtonAcceptanceTests {
    /// A system scaled by 10⁻¹⁵ (a material that soft) converges in the same iterations to the
    /// same root as the unscaled one — reference: the root `x*` built into `b` (closed form).
    @Test(arguments: [1.0, 1e-6, 1e-15, 1e6])
    func convergenceDoesNotDependOnScale(scale: Double) throws {
        var unit = [0.0, 0.0, 0.0], scaled = [0.0, 0.0, 0.0]
        let reference = try NewtonSolver().solve(ScaledCubic(scale: 1), x: &unit)
        let system = ScaledCubic(scale: scale)
        let report = try NewtonSolver().solve(system, x: &scaled)
        #expect(report.iterations == reference.iterations)
        #expect(report.iterations >= 4)
        for i in 0..<3 { #expect(abs(scaled[i] - system.root[i]) <= 1e-12 * abs(system.root[i])) }
    }

    /// Started next to the root of a stiff linear system, `10⁻¹⁰‖R(x₀)‖` is unattainable: the
    /// iterate is accepted at the round-off level instead of failing, and it is the dense
    /// LAPACK solution to 1e-14 relative.
    @Test func roundOffResidualIsAccepted() throws {
        let system = StiffLinear()
        var x = system.root.enumerated().map { $0.element * (1 + 1e-9 * Double($0.offset + 1)) }
        let newton = NewtonSolver()
        let report = try newton.solve(system, x: &x)
        var dense = DenseMatrix(rows: 3, columns: 3)
        for i in 0..<3 { for j in 0..<3 { dense[i, j] = system.k[i][j] } }
        let exact = try dense.solve(system.f)
        #expect(report.target < report.roundOffLevel)            // the relative tolerance was out of reach
        if report.residualNorms.last! > report.target {
            #expect(report.convergence == .roundOff || report.convergence == .increment)
            #expect(newton.statistics.roundOffAcceptances + newton.statistics.incrementAcceptances == 1)
        }
        for i in 0..<3 { #expect(abs(x[i] - exact[i]) <= 1e-13 * abs(exact[i])) }
        print("stiff linear: residuals \(report.residualNorms), target \(report.target), round-off level \(report.roundOffLevel), accepted by \(String(describing: report.convergence))")
    }

    /// A system without a root fails with ``NewtonError/stalled`` naming the norm, its value and
    /// the target; the residual reported is ‖R‖₂ at the last iterate (≥ 1, the minimum of x² + 1).
    @Test func noRootFailsNamingTheNorm() throws {
        var x = [2.0]
        do {
            try NewtonSolver().solve(NoRoot(), x: &x)
            Issue.record("Newton converged on x² + 1 = 0")
        } catch let error as NewtonError {
            let message = error.description
            #expect(message.contains("‖R‖₂"))
            #expect(message.contains("target"))
            switch error {
            case let .stalled(_, r, _, target, _): #expect(r >= 1 && target > 0 && target < 1e-9)
            case let .notConverged(_, r, target): #expect(r >= 1 && target < 1e-9)
            default: Issue.record("unexpected failure \(error)")
            }
        }
    }
}
