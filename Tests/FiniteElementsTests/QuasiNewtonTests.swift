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

/// A nonlinear saddle-point system shaped like a backward-Euler biphasic step, 4 "displacements"
/// `u` and 2 "pressures" `p`:
/// `R_u = A u + κ u∘u∘u − B p − f`, `R_p = −Bᵀ u − Δt C p − g`,
/// tangent `[[A + 3κ diag(u²), −B], [−Bᵀ, −Δt C]]` (symmetric indefinite: 4 positive and 2
/// negative eigenvalues), with `f`, `g` chosen so that `(u*, p*)` is the root at every `Δt`.
private final class SaddleCubic: NonlinearSystem {
    let a: [[Double]] = [[5, 1, 0, 0.5], [1, 4, -1, 0], [0, -1, 6, 1], [0.5, 0, 1, 3]]
    let b: [[Double]] = [[1, 0], [0.5, 1], [0, -1], [1, 0.5]]
    let c: [[Double]] = [[2, 0.3], [0.3, 1]]
    let kappa = 2.0
    let root = [0.8, -1.1, 0.6, 1.3, 0.4, -0.7]
    var timeStep = 1.0
    var tangentTimeStep: Double? { timeStep }
    var unknownCount: Int { 6 }
    var matrixKind: MatrixKind { .symmetricIndefinite }
    func tangentPattern() -> SymmetricMatrix { fullPattern(6) }

    /// `R` without the constant terms, at `x`.
    func operatorValue(_ x: [Double]) -> [Double] {
        var r = [Double](repeating: 0, count: 6)
        for i in 0..<4 {
            r[i] = kappa * x[i] * x[i] * x[i]
            for j in 0..<4 { r[i] += a[i][j] * x[j] }
            for k in 0..<2 { r[i] -= b[i][k] * x[4 + k] }
        }
        for k in 0..<2 {
            for j in 0..<4 { r[4 + k] -= b[j][k] * x[j] }
            for l in 0..<2 { r[4 + k] -= timeStep * c[k][l] * x[4 + l] }
        }
        return r
    }

    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        let r = operatorValue(x), r0 = operatorValue(root)
        for i in 0..<6 { residual[i] = r[i] - r0[i] }
        guard tangent != nil else { return }
        var full = [[Double]](repeating: [Double](repeating: 0, count: 6), count: 6)
        for i in 0..<4 { for j in 0..<4 { full[i][j] = a[i][j] }; full[i][i] += 3 * kappa * x[i] * x[i] }
        for i in 0..<4 { for k in 0..<2 { full[i][4 + k] = -b[i][k]; full[4 + k][i] = -b[i][k] } }
        for k in 0..<2 { for l in 0..<2 { full[4 + k][4 + l] = -timeStep * c[k][l] } }
        var p = 0
        for j in 0..<6 { for i in j..<6 { tangent!.values[p] = full[i][j]; p += 1 } }
    }
}

@Suite("Quasi-Newton (BFGS on a kept factorization)")
struct QuasiNewtonTests {
    /// BFGS on the indefinite saddle system reaches the root built into `f`, `g` (closed form)
    /// to 1e-12 relative — with fewer factorizations than iterations (updates were applied,
    /// none rejected by the indefiniteness safeguard) — and full Newton reaches the same root.
    @Test func bfgsSolvesIndefiniteSaddleSystem() throws {
        let quasi = try QuasiNewtonOptions(maxUpdates: 10, reformRatio: 0.9)
        var options = NewtonOptions()
        options.relativeTolerance = 1e-14
        options.method = .bfgs(quasi)
        let system = SaddleCubic()
        let newton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        var x = [Double](repeating: 0, count: 6)
        let report = try newton.solve(system, x: &x)
        for i in 0..<6 { #expect(abs(x[i] - system.root[i]) <= 1e-12 * abs(system.root[i]), "unknown \(i): \(x[i]) vs \(system.root[i])") }
        #expect(report.factorizations < report.iterations)
        #expect(newton.statistics.quasiNewtonUpdates > 0)
        #expect(newton.statistics.reformationsRejectedUpdate == 0)
        #expect(newton.statistics.tangentEvaluations == report.factorizations)

        var full = [Double](repeating: 0, count: 6)
        var fullOptions = options
        fullOptions.method = .fullNewton
        try NewtonSolver(options: fullOptions, linearSolver: SupernodalLDLT()).solve(SaddleCubic(), x: &full)
        for i in 0..<6 { #expect(abs(full[i] - x[i]) <= 1e-12 * abs(system.root[i])) }
    }

    /// The kept factorization carries over to the next solve of the same system (no new
    /// factorization when started next to the root at the same Δt) and is reformed for a Δt
    /// change when that exceeds `timeStepChange` (here 0.25: 1 → 1.2 does not count as one,
    /// 1 → 2 does);
    /// every solve reaches the root (closed form) to 1e-12 relative.
    @Test func keptFactorizationFollowsTheTimeStep() throws {
        var options = NewtonOptions()
        options.relativeTolerance = 1e-14
        options.method = .bfgs(try QuasiNewtonOptions(maxUpdates: 20, reformRatio: 0.9, timeStepChange: 0.25))
        let system = SaddleCubic()
        let newton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        func solve(from start: [Double], timeStep: Double) throws -> NewtonReport {
            system.timeStep = timeStep
            var x = start
            let report = try newton.solve(system, x: &x)
            for i in 0..<6 { #expect(abs(x[i] - system.root[i]) <= 1e-12 * abs(system.root[i])) }
            return report
        }
        let near = system.root.map { $0 * 1.01 }
        _ = try solve(from: [Double](repeating: 0, count: 6), timeStep: 1)
        #expect(newton.statistics.reformationsInitial == 1)
        let same = try solve(from: near, timeStep: 1)
        #expect(same.factorizations == 0)
        _ = try solve(from: near, timeStep: 1.2)
        #expect(newton.statistics.reformationsTimeStep == 0)
        _ = try solve(from: near, timeStep: 2)
        #expect(newton.statistics.reformationsTimeStep == 1)
    }

    /// A full Newton solve in between invalidates the kept factorization (it refactored another
    /// tangent): the next quasi-Newton solve reforms first, and still reaches the root.
    @Test func fullNewtonInBetweenForcesReformation() throws {
        var options = NewtonOptions()
        options.relativeTolerance = 1e-14
        let quasi = NewtonMethod.bfgs(try QuasiNewtonOptions())
        options.method = quasi
        let system = SaddleCubic()
        let newton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        var x = [Double](repeating: 0, count: 6)
        try newton.solve(system, x: &x)
        newton.options.method = .fullNewton
        x = system.root.map { $0 * 0.9 }
        try newton.solve(system, x: &x)
        newton.options.method = quasi
        x = system.root.map { $0 * 1.05 }
        let report = try newton.solve(system, x: &x)
        #expect(report.factorizations >= 1)
        #expect(newton.statistics.reformationsInitial == 2)
        for i in 0..<6 { #expect(abs(x[i] - system.root[i]) <= 1e-12 * abs(system.root[i])) }
    }

    /// Invalid parameters are refused with a typed error naming the parameter and the value.
    @Test func invalidOptionsAreNamed() {
        #expect(throws: NewtonOptionError.invalidOption(name: "maxUpdates", value: -1, expected: "an integer ≥ 0")) {
            try QuasiNewtonOptions(maxUpdates: -1)
        }
        #expect(throws: NewtonOptionError.invalidOption(name: "reformRatio", value: 1.5, expected: "a number in (0, 1]")) {
            try QuasiNewtonOptions(reformRatio: 1.5)
        }
        #expect(throws: NewtonOptionError.invalidOption(name: "timeStepChange", value: -0.1, expected: "a number ≥ 0")) {
            try QuasiNewtonOptions(timeStepChange: -0.1)
        }
        #expect(throws: NewtonOptionError.invalidOption(name: "maxConditionNumber", value: 1, expected: "a number > 1")) {
            try QuasiNewtonOptions(maxConditionNumber: 1)
        }
        let message = NewtonOptionError.invalidOption(name: "reformRatio", value: 0, expected: "a number in (0, 1]").description
        #expect(message.contains("reformRatio") && message.contains("0.0"))
    }
}
