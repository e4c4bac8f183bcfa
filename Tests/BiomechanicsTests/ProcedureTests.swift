import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements

/// A dense symmetric pattern (all lower-triangle entries) of size n.
func densePattern(_ n: Int) -> SymmetricMatrix {
    var starts = [0], rows: [Int32] = []
    for j in 0..<n { for i in j..<n { rows.append(Int32(i)) }; starts.append(rows.count) }
    return try! SymmetricMatrix(dimension: n, columnStarts: starts, rowIndices: rows, values: [Double](repeating: 0, count: rows.count))
}

/// Sets entry (i, j), i ≥ j, of a dense-pattern matrix.
func setDense(_ a: inout SymmetricMatrix, _ i: Int, _ j: Int, _ v: Double) {
    let (r, c) = i >= j ? (i, j) : (j, i)
    a.values[a.columnStarts[c] + (r - c)] = v
}

/// ∇Φ for Φ(x) = Σ xᵢ⁴/4 + ½xᵀAx − bᵀx, with b chosen so that x* is the root.
final class QuarticGradient: NonlinearSystem {
    let a: [[Double]] = [[4, 1, 0], [1, 3, -1], [0, -1, 5]]
    let solution = [1.5, -2.0, 0.5]
    var b: [Double] = []
    init() { b = (0..<3).map { i in pow(solution[i], 3) + (0..<3).map { a[i][$0] * solution[$0] }.reduce(0, +) } }
    var unknownCount: Int { 3 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { densePattern(3) }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        for i in 0..<3 { residual[i] = pow(x[i], 3) + (0..<3).map { a[i][$0] * x[$0] }.reduce(0, +) - b[i] }
        if tangent != nil {
            for i in 0..<3 { for j in 0...i { setDense(&tangent!, i, j, a[i][j] + (i == j ? 3 * x[i] * x[i] : 0)) } }
        }
    }
}

/// R(x) = arctan(x − 1): full Newton from x₀ = 4 diverges (|x₀ − 1| > 1.39), line search converges.
final class Arctan: NonlinearSystem {
    var unknownCount: Int { 1 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { densePattern(1) }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        residual[0] = atan(x[0] - 1)
        if tangent != nil { tangent!.values[0] = 1 / (1 + (x[0] - 1) * (x[0] - 1)) }
    }
}

/// A spy that counts analyses and factorizations of a dense solver.
final class CountingSolver: LinearSolver {
    let inner = DenseSolver(kind: .symmetricPositiveDefinite)
    var analyses = 0, factorizations = 0
    func analyze(_ matrix: SymmetricMatrix) throws { analyses += 1; try inner.analyze(matrix) }
    func factor(_ matrix: SymmetricMatrix) throws { factorizations += 1; try inner.factor(matrix) }
    func solve(_ rhs: inout [Double], count: Int) throws { try inner.solve(&rhs, count: count) }
    var report: SolverReport { inner.report }
}

/// ẋ = −K x + f(t), K = [[2, 1], [1, 2]] with eigenpairs (3, (1,1)), (1, (1,−1)).
/// Backward Euler: (I + Δt K) xₙ₊₁ = xₙ + Δt f(tₙ₊₁). Optionally refuses steps longer than `failAbove`.
final class LinearODE: TransientSystem {
    var failAbove = Double.infinity
    var forcing: (Double) -> [Double] = { _ in [0, 0] }
    struct TooLong: Error {}
    var unknownCount: Int { 2 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { densePattern(2) }
    func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep dt: Double,
                  residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        if dt > failAbove { throw TooLong() }
        let f = forcing(time)
        residual[0] = (x[0] - previous[0]) / dt + 2 * x[0] + x[1] - f[0]
        residual[1] = (x[1] - previous[1]) / dt + x[0] + 2 * x[1] - f[1]
        if tangent != nil { setDense(&tangent!, 0, 0, 1 / dt + 2); setDense(&tangent!, 1, 0, 1); setDense(&tangent!, 1, 1, 1 / dt + 2) }
    }
}

@Suite("Newton and time stepping")
struct ProcedureTests {
    @Test func newtonConvergesQuadraticallyAndAnalyzesOnce() throws {
        let system = QuarticGradient()
        let spy = CountingSolver()
        let newton = NewtonSolver(linearSolver: spy)
        var x = [0.0, 0.0, 0.0]
        let report = try newton.solve(system, x: &x)
        for i in 0..<3 { #expect(abs(x[i] - system.solution[i]) < 1e-12) }
        print("Newton residuals (quartic gradient): \(report.residualNorms)")
        // Quadratic convergence: the last ratios r_{k+1}/r_k² stay bounded.
        let r = report.residualNorms
        #expect(r.count >= 4)
        if r.count >= 3 { #expect(r[r.count - 2] / (r[r.count - 3] * r[r.count - 3]) < 10) }
        // Second solve from another start: still one analysis, one factorization per iteration.
        var y = [3.0, 3.0, -3.0]
        let second = try newton.solve(system, x: &y)
        #expect(spy.analyses == 1)
        #expect(spy.factorizations == report.iterations + second.iterations)
        for i in 0..<3 { #expect(abs(y[i] - system.solution[i]) < 1e-12) }
        // Newton's own statistics count the same phases as the spy and the reports.
        let stats = newton.statistics
        #expect(stats.analyses == spy.analyses && stats.factorizations == spy.factorizations)
        #expect(stats.iterations == report.iterations + second.iterations)
        #expect(stats.evaluations == report.evaluations + second.evaluations)
        #expect(stats.linearSolverSeconds == stats.analyzeSeconds + stats.factorSeconds + stats.solveSeconds)
        #expect(newton.linearSolverSeconds == stats.linearSolverSeconds)
    }

    @Test func lineSearchRescuesArctan() throws {
        var x = [4.0]
        var plain = NewtonOptions(); plain.lineSearch = false; plain.maxIterations = 10
        #expect(throws: NewtonError.self) { try NewtonSolver(options: plain).solve(Arctan(), x: &x) }
        x = [4.0]
        let report = try NewtonSolver().solve(Arctan(), x: &x)
        #expect(abs(x[0] - 1) < 1e-12)
        #expect(report.stepLengths.first! < 1)
    }

    @Test func backwardEulerMatchesClosedFormWithAdaptiveSteps() throws {
        // x₀ = c₁v₁ + c₂v₂ ⇒ xₙ = Σ cⱼ vⱼ Πᵢ 1/(1 + λⱼ Δtᵢ) over the accepted steps.
        let system = LinearODE()
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 0.01, minStep: 1e-4, maxStep: 0.4))
        var state = [1.0, 0.2]
        let c1 = (state[0] + state[1]) / 2, c2 = (state[0] - state[1]) / 2
        var g1 = 1.0, g2 = 1.0
        var steps: [AcceptedStep] = []
        try stepper.run(system, from: 0, to: 3, state: &state, mustPoints: [0.5, 1.7]) { step, x in
            g1 /= 1 + 3 * step.timeStep; g2 /= 1 + 1 * step.timeStep
            let exact = [c1 * g1 + c2 * g2, c1 * g1 - c2 * g2]
            #expect(abs(x[0] - exact[0]) < 1e-12 && abs(x[1] - exact[1]) < 1e-12)
            steps.append(step)
        }
        #expect(abs(steps.last!.time - 3) < 1e-12)
        #expect(steps.contains { abs($0.time - 0.5) < 1e-14 && $0.isMustPoint })
        #expect(steps.contains { abs($0.time - 1.7) < 1e-14 && $0.isMustPoint })
        #expect(steps.allSatisfy { $0.timeStep <= 0.4 + 1e-15 })
        // Linear ⇒ every step is easy ⇒ the step grew from 0.01 to dtMax.
        #expect(steps.contains { abs($0.timeStep - 0.4) < 1e-12 })
        print("adaptive BE: \(steps.count) steps, dt from \(steps.first!.timeStep) to \(steps.map(\.timeStep).max()!)")
    }

    @Test func fixedStepBackwardEulerPower() throws {
        // Constant Δt (dtMin = dtMax): xₙ = Σ cⱼ vⱼ (1 + λⱼΔt)⁻ⁿ exactly.
        let system = LinearODE()
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 0.1, minStep: 0.1, maxStep: 0.1))
        var state = [0.0, 1.0]
        try stepper.run(system, from: 0, to: 2, state: &state)
        let c1 = 0.5, c2 = -0.5
        let n = 20.0
        let exact = [c1 * pow(1.3, -n) + c2 * pow(1.1, -n), c1 * pow(1.3, -n) - c2 * pow(1.1, -n)]
        #expect(abs(state[0] - exact[0]) < 1e-13 && abs(state[1] - exact[1]) < 1e-13)
    }

    @Test func failedStepsAreCutAndRetried() throws {
        let system = LinearODE()
        system.failAbove = 0.3
        system.forcing = { t in [t < 1 ? t : 1, 0] }
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 0.25, minStep: 1e-3, maxStep: 1))
        var state = [0.0, 0.0]
        var steps: [AcceptedStep] = []
        // Reference: the same BE recursion, solved with LAPACK on the accepted steps.
        var reference = state
        try stepper.run(system, from: 0, to: 2, state: &state, mustPoints: [1]) { step, x in
            steps.append(step)
            let dt = step.timeStep
            var a = DenseMatrix(rows: 2, columns: 2)
            a[0, 0] = 1 + 2 * dt; a[1, 1] = 1 + 2 * dt; a[0, 1] = dt; a[1, 0] = dt
            let f = system.forcing(step.time)
            reference = try a.solve([reference[0] + dt * f[0], reference[1] + dt * f[1]])
            #expect(abs(x[0] - reference[0]) < 1e-13 && abs(x[1] - reference[1]) < 1e-13)
        }
        #expect(steps.allSatisfy { $0.timeStep <= 0.3 })
        #expect(steps.contains { $0.retries > 0 })
        #expect(steps.contains { abs($0.time - 1) < 1e-14 })
        system.failAbove = 1e-4
        var s2 = [0.0, 0.0]
        #expect(throws: TimeStepperError.self) { try stepper.run(system, from: 0, to: 1, state: &s2) }
    }

    @Test func loadCurveInterpolatesAndRejectsDisorder() throws {
        let c = try LoadCurve(points: [(0, 0), (10, 1), (70, 1), (80, 0)])
        #expect(c.value(at: 5) == 0.5)
        #expect(abs(c.value(at: 75) - 0.5) < 1e-15)
        #expect(c.value(at: -1) == 0 && c.value(at: 100) == 0)
        #expect(c.mustPoints == [0, 10, 70, 80])
        #expect(throws: LoadCurveError.notIncreasing(index: 2, time: 10, previous: 10)) {
            try LoadCurve(points: [(0, 0), (10, 1), (10, 2)])
        }
        #expect(throws: LoadCurveError.empty) { try LoadCurve(points: []) }
    }
}

/// R = K x − f(t), K constant SPD: quasi-static linear.
final class ConstantTangentSystem: TransientSystem {
    let k: [[Double]] = [[4, 1, 0], [1, 3, 1], [0, 1, 2]]
    func f(_ t: Double) -> [Double] { [t, -2 * t * t, 1 + t] }
    var unknownCount: Int { 3 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    var hasConstantTangent: Bool { true }
    func tangentPattern() -> SymmetricMatrix { densePattern(3) }
    func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep: Double,
                  residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        let load = f(time)
        for i in 0..<3 { residual[i] = (0..<3).map { k[i][$0] * x[$0] }.reduce(0, +) - load[i] }
        if tangent != nil { for i in 0..<3 { for j in 0...i { setDense(&tangent!, i, j, k[i][j]) } } }
    }
}

@Suite("Tangent reuse")
struct TangentReuseTests {
    @Test func constantTangentIsFactoredOncePerRun() throws {
        let system = ConstantTangentSystem()
        let spy = CountingSolver()
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 0.1, minStep: 0.01, maxStep: 0.3),
                                          newton: NewtonSolver(linearSolver: spy))
        var state = [0.0, 0.0, 0.0]
        var steps = 0
        var dense = DenseMatrix(rows: 3, columns: 3)
        for i in 0..<3 { for j in 0..<3 { dense[i, j] = system.k[i][j] } }
        try stepper.run(system, from: 0, to: 2, state: &state) { step, x in
            steps += 1
            let exact = try dense.solve(system.f(step.time))
            for i in 0..<3 { #expect(abs(x[i] - exact[i]) < 1e-12 * max(1, abs(exact[i]))) }
        }
        #expect(steps > 5)
        #expect(spy.factorizations == 1)
        #expect(spy.analyses == 1)
    }
}
