import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements

/// `R(x) = (K + P E Pᵀ) x + c·x∘x∘x − f` on 8 unknowns: `K` symmetric positive definite
/// (tridiagonal), `E` a non-symmetric 3 × 3 block on unknowns 1, 4, 6 — the shape of a rigid body's
/// rotational stiffness under an applied moment inside a symmetric finite-element tangent. `f` is
/// built from the root `x*` (closed form). The symmetric tangent is `K + diag(3c x²)`; `E` is
/// reported as the ``TangentCorrection`` when `reportsCorrection`.
private final class SkewBlockSystem: NonlinearSystem {
    let n = 8
    let unknowns = [1, 4, 6]
    /// `E` row-major; skew part ±0.9·(diagonal of K) plus a small symmetric-breaking part.
    let e: [Double]
    let cubic: Double
    let reportsCorrection: Bool
    let root: [Double] = [0.3, -0.7, 1.1, 0.25, -0.4, 0.9, -1.2, 0.6]
    var f: [Double] = []
    /// `E` on ``unknowns``.
    let correction: TangentCorrection
    init(skew: Double, cubic: Double, reportsCorrection: Bool) throws {
        e = [0, skew, 0.1, -skew, 0, skew, 0.2, -skew, 0]
        correction = try TangentCorrection(unknowns: unknowns, values: e)
        self.cubic = cubic; self.reportsCorrection = reportsCorrection
        f = apply(root).enumerated().map { $1 + cubic * pow(root[$0], 3) }
    }
    func k(_ i: Int, _ j: Int) -> Double { i == j ? 4 : (abs(i - j) == 1 ? -1 : 0) }
    /// `(K + P E Pᵀ) x`.
    func apply(_ x: [Double]) -> [Double] {
        var y = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + k(i, $1) * x[$1] } }
        for (a, i) in unknowns.enumerated() { for (b, j) in unknowns.enumerated() { y[i] += e[3 * a + b] * x[j] } }
        return y
    }
    var unknownCount: Int { n }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix {
        var starts = [0], rows: [Int32] = []
        for j in 0..<n { for i in j..<n { rows.append(Int32(i)) }; starts.append(rows.count) }
        return try! SymmetricMatrix(dimension: n, columnStarts: starts, rowIndices: rows, values: [Double](repeating: 0, count: rows.count))
    }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        let y = apply(x)
        for i in 0..<n { residual[i] = y[i] + cubic * pow(x[i], 3) - f[i] }
        if tangent != nil {
            var p = 0
            for j in 0..<n { for i in j..<n { tangent!.values[p] = k(i, j) + (i == j ? 3 * cubic * x[i] * x[i] : 0); p += 1 } }
        }
    }
    var tangentCorrection: TangentCorrection? { reportsCorrection ? correction : nil }
}

@Suite("Newton with a non-symmetric tangent correction (Woodbury on the symmetric factor)")
struct NewtonTangentCorrectionTests {
    /// Linear system: one Newton iteration with the correction solves `(K + P E Pᵀ) x = f`
    /// exactly — reference: the root `x*` built into `f`, and a dense `dgesv` solve of the same
    /// matrix; tolerance 1e-12 relative (the system's condition number is below 10).
    @Test func linearSystemSolvedInOneIteration() throws {
        let system = try SkewBlockSystem(skew: 3.6, cubic: 0, reportsCorrection: true)
        var x = [Double](repeating: 0, count: 8)
        let report = try NewtonSolver().solve(system, x: &x)
        #expect(report.iterations == 1)
        var dense = DenseMatrix(rows: 8, columns: 8)
        for j in 0..<8 {
            var unit = [Double](repeating: 0, count: 8); unit[j] = 1
            let column = system.apply(unit)
            for i in 0..<8 { dense[i, j] = column[i] }
        }
        let reference = try dense.solve(system.f)
        let scale = system.root.map(abs).max()!
        for i in 0..<8 {
            #expect(abs(x[i] - system.root[i]) <= 1e-12 * scale)
            #expect(abs(x[i] - reference[i]) <= 1e-12 * scale)
        }
    }

    /// Nonlinear system: with the correction Newton converges quadratically — every residual
    /// ratio `‖R_{k+1}‖/‖R_k‖²` stays bounded (≤ 10 here, the cubic's second derivative
    /// scale), and the root `x*` is reached to 1e-10 relative. Without it (same residual, the
    /// symmetric `K` alone) the correction's skew part `±3.6` is 0.9 × `K`'s diagonal: the
    /// iteration `e ← −K⁻¹PEPᵀe` does not contract, and Newton fails instead of converging.
    @Test func nonlinearSystemQuadraticOnlyWithCorrection() throws {
        let with = try SkewBlockSystem(skew: 3.6, cubic: 0.5, reportsCorrection: true)
        var x = [Double](repeating: 0, count: 8)
        let report = try NewtonSolver().solve(with, x: &x)
        let scale = with.root.map(abs).max()!
        for i in 0..<8 { #expect(abs(x[i] - with.root[i]) <= 1e-10 * scale) }
        let norms = report.residualNorms
        for k in 1..<norms.count where norms[k - 1] < 1 {
            #expect(norms[k] <= 10 * norms[k - 1] * norms[k - 1], "iteration \(k): \(norms[k]) after \(norms[k - 1])")
        }
        #expect(report.iterations <= 8)

        let without = try SkewBlockSystem(skew: 3.6, cubic: 0.5, reportsCorrection: false)
        var y = [Double](repeating: 0, count: 8)
        #expect(throws: NewtonError.self) { try NewtonSolver().solve(without, x: &y) }
    }

    /// The quasi-Newton mode solves with the correction of its kept factorization: on the linear
    /// system its first step is the exact solve (one iteration, the root `x*` to 1e-12), and on
    /// the nonlinear one it reaches `x*` to 1e-10 relative on one factorization (the BFGS updates
    /// absorb the cubic's change of the tangent); without the correction it does not converge.
    @Test func quasiNewtonUsesTheCorrection() throws {
        var options = NewtonOptions()
        options.method = .bfgs(try QuasiNewtonOptions())
        let linear = try SkewBlockSystem(skew: 3.6, cubic: 0, reportsCorrection: true)
        var x = [Double](repeating: 0, count: 8)
        let first = try NewtonSolver(options: options).solve(linear, x: &x)
        let scale = linear.root.map(abs).max()!
        #expect(first.iterations == 1)
        for i in 0..<8 { #expect(abs(x[i] - linear.root[i]) <= 1e-12 * scale) }

        let with = try SkewBlockSystem(skew: 3.6, cubic: 0.5, reportsCorrection: true)
        var z = [Double](repeating: 0, count: 8)
        let report = try NewtonSolver(options: options).solve(with, x: &z)
        for i in 0..<8 { #expect(abs(z[i] - with.root[i]) <= 1e-10 * scale) }
        #expect(report.factorizations == 1, "factorizations \(report.factorizations), iterations \(report.iterations)")

        let without = try SkewBlockSystem(skew: 3.6, cubic: 0.5, reportsCorrection: false)
        var y = [Double](repeating: 0, count: 8)
        #expect(throws: NewtonError.self) { try NewtonSolver(options: options).solve(without, x: &y) }
    }

    /// Bad input is a typed error naming the field, the value and what was expected: 8 values on
    /// 3 unknowns (9 expected), a negative unknown, an unknown listed twice.
    @Test func badInputNamesTheField() throws {
        #expect(throws: TangentCorrectionError.invalidValue(field: "values", value: 8, expected: "9 entries (3² for 3 unknowns, row-major)")) {
            try TangentCorrection(unknowns: [1, 4, 6], values: [Double](repeating: 0, count: 8))
        }
        #expect(throws: TangentCorrectionError.invalidValue(field: "unknowns[1]", value: -2, expected: "an index ≥ 0 into the system's unknowns")) {
            try TangentCorrection(unknowns: [1, -2], values: [0, 0, 0, 0])
        }
        #expect(throws: TangentCorrectionError.invalidValue(field: "unknowns[2]", value: 4, expected: "an index not already listed (the unknowns are distinct)")) {
            try TangentCorrection(unknowns: [4, 5, 4], values: [Double](repeating: 0, count: 9))
        }
        let description = String(describing: TangentCorrectionError.invalidValue(field: "values", value: 8, expected: "9 entries (3² for 3 unknowns, row-major)"))
        #expect(description == "values: expected 9 entries (3² for 3 unknowns, row-major), got 8")
        #expect(throws: Never.self) { try TangentCorrection(unknowns: [], values: []) }
    }
}
