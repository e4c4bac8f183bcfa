import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements
@testable import Biomechanics

/// y' = −λ y (closed form y = y₀ e^{−λt}); backward Euler: (1/Δt + λ) y − y_prev/Δt = 0.
final class ScalarDecay: TransientSystem {
    let lambda: Double
    init(lambda: Double) { self.lambda = lambda }
    var unknownCount: Int { 1 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { densePattern(1) }
    func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep dt: Double,
                  residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        residual[0] = (x[0] - previous[0]) / dt + lambda * x[0]
        if tangent != nil { setDense(&tangent!, 0, 0, 1 / dt + lambda) }
    }
}

/// The closed form of y' = −λ (y − f(t)) for a piecewise-linear load curve f (a first-order lag
/// behind a ramp–hold history, like a disc's creep behind its load).
struct FirstOrderLag {
    let lambda: Double
    let curve: LoadCurve
    /// The exact solution from y(t₀) = y₀ at t₀ = the curve's first time: on a segment with
    /// f = a + b t it is a + b t − b/λ plus the start's offset decaying like e^{−λ(t − t_k)}.
    func exact(at t: Double, y0: Double) -> Double {
        var y = y0, tk = curve.times[0]
        let times = curve.times + [max(t, curve.times.last!) + 1]
        for k in 0..<(times.count - 1) where tk < t {
            let t1 = min(times[k + 1], t)
            let b = k + 1 < curve.times.count ? (curve.values[k + 1] - curve.values[k]) / (curve.times[k + 1] - curve.times[k]) : 0
            let a = curve.value(at: tk) - b * tk
            func particular(_ s: Double) -> Double { a + b * s - b / lambda }
            y = particular(t1) + (y - particular(tk)) * exp(-lambda * (t1 - tk))
            tk = t1
        }
        return y
    }
}

/// A standard linear solid under a force history f(t) (a spring k₁ in parallel with a spring k₂
/// in series with a dashpot c; N, N/mm, N·s/mm): unknowns u (mm, the instantaneous response, which
/// kinks where f does, as a biphasic disc's pressure and displacement do) and v (the dashpot's
/// displacement, a lag). Backward Euler: k₁u + k₂(u − v) = f(t), c(v − v_prev)/Δt = k₂(u − v);
/// symmetric tangent. Eliminating u: v' = −λ(v − f/k₁) with λ = k₁k₂/(c(k₁ + k₂)), and
/// u = (f + k₂v)/(k₁ + k₂).
final class StandardLinearSolid: TransientSystem {
    let k1 = 1.0, k2 = 1.0, c = 1.0
    let curve: LoadCurve
    init(curve: LoadCurve) { self.curve = curve }
    var unknownCount: Int { 2 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { densePattern(2) }
    func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep dt: Double,
                  residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        residual[0] = k1 * x[0] + k2 * (x[0] - x[1]) - curve.value(at: time)
        residual[1] = c * (x[1] - previous[1]) / dt - k2 * (x[0] - x[1])
        if tangent != nil {
            setDense(&tangent!, 0, 0, k1 + k2); setDense(&tangent!, 1, 0, -k2); setDense(&tangent!, 1, 1, c / dt + k2)
        }
    }
    /// The exact u at time t from rest at the curve's start (k₁ = 1, so v lags f itself).
    func exactU(at t: Double) -> Double {
        let v = FirstOrderLag(lambda: k1 * k2 / (c * (k1 + k2)), curve: curve).exact(at: t, y0: 0)
        return (curve.value(at: t) + k2 * v) / (k1 + k2)
    }
}

@Suite("Error-controlled time steps")
struct StepErrorControlTests {
    /// Step doubling's estimate `x_whole − x_halves` against the true local error of the two
    /// backward-Euler half steps on y' = −λy: `x_halves − y₀e^{−λh}` with x_whole = y₀/(1 + λh),
    /// x_halves = y₀/(1 + λh/2)². Both are y₀λ²h²/4 to leading order, so their ratio is 1 + O(λh):
    /// within 3 % of 1 at λh = 1e-2 and 0.3 % at 1e-3, the deviation falling ~10× with h.
    @Test func doublingEstimateMatchesTrueLocalError() throws {
        let lambda = 3.0, y0 = 2.0
        let c = try StepErrorController(options: try ErrorControlOptions(relativeTolerance: 1e-3))
        try Self.expectRatioApproachesOne(lambda: lambda) { h in
            let whole = y0 / (1 + lambda * h), halves = y0 / ((1 + 0.5 * lambda * h) * (1 + 0.5 * lambda * h))
            return (c.doublingError(halves: [halves], whole: [whole])[0], halves - y0 * exp(-lambda * h))
        }
    }

    /// An error estimate against the true local error at λh = 1e-2 and 1e-3 (`estimateAndTruth`
    /// of the step h, s): their ratio within 3 % and 0.3 % of 1, the deviation falling more than
    /// 5× when h falls 10× (first order in λh).
    static func expectRatioApproachesOne(lambda: Double, _ estimateAndTruth: (Double) throws -> (estimate: Double, truth: Double)) throws {
        var deviations: [Double] = []
        for lh in [1e-2, 1e-3] {
            let (estimate, truth) = try estimateAndTruth(lh / lambda)
            deviations.append(abs(estimate / truth - 1))
        }
        #expect(deviations[0] <= 0.03, "ratio − 1 = \(deviations[0]) at λh = 1e-2")
        #expect(deviations[1] <= 0.003, "ratio − 1 = \(deviations[1]) at λh = 1e-3")
        #expect(deviations[0] / deviations[1] > 5, "first-order approach of the ratio to 1: \(deviations)")
    }

    /// The rate jumps of a load curve: every point where the slopes on the two sides differ, the
    /// ends where the adjacent segment is not flat; not a point on a straight line.
    @Test func rateJumpsOfALoadCurve() throws {
        let c = try LoadCurve(points: [(0, 0), (10, 1), (20, 2), (30, 2), (40, 0), (50, 0)])
        #expect(c.rateJumps == [0, 20, 30, 40])
        #expect(try LoadCurve(points: [(0, 1), (5, 1)]).rateJumps.isEmpty)
        #expect(try LoadCurve.ramp(duration: 10).rateJumps == [0, 10])
    }

    /// A standard linear solid (``StandardLinearSolid``, λ = 0.5/s) under a ramp–hold–release
    /// force history with six corners, error control at tol 1e-3, steps up to 10 s: with the
    /// corners as restart points (step doubling after each) every estimated step has err ≤ 1, the
    /// corners and the outputs are landed, and u at every output time is within tol^{1/2} (u's
    /// scale is 1 mm) of the closed form. Each corner sets off a transient that needs steps of
    /// 0.2–0.6 s after 10 s ones; a restart begins at the last restart's accepted step, so after
    /// the first corners almost no step is rejected, where the predictor reaching across the
    /// corners cuts from 10 s by rejections at every corner: fewer rejections asserted (measured
    /// 2 against 19), the Newton iterations of both printed.
    @Test func restartsAtLoadCurveCorners() throws {
        let curve = try LoadCurve(points: [(0, 0), (10, 1), (70, 1), (80, 0), (110, 0), (120, 1), (180, 1), (190, 0)])
        let system = StandardLinearSolid(curve: curve)
        let outputs = stride(from: 10.0, through: 230, by: 10).map { $0 }
        var counts: [(steps: Int, rejections: Int, error: Double, iterations: Int)] = []
        for restarts in [curve.rateJumps, []] {
            var options = try TimeStepperOptions(initialStep: 1, minStep: 1e-6, maxStep: 10)
            options.errorControl = try ErrorControlOptions(relativeTolerance: 1e-3)
            let stepper = AdaptiveTimeStepper(options: options)
            var state = [0.0, 0.0], steps = 0, rejections = 0, worst = 0.0, landed: [Double] = [], iterations = 0
            try stepper.run(system, from: 0, to: 230, state: &state, mustPoints: outputs + curve.mustPoints, restartPoints: restarts) { step, x in
                steps += 1; rejections += step.errorRejections
                iterations += step.iterations + step.rejectedIterations + step.doublingIterations
                if let e = step.errorNorm, step.timeStep > options.minStep { #expect(e <= 1, "err \(e) at t = \(step.time)") }
                if step.isMustPoint { landed.append(step.time) }
                if outputs.contains(step.time) { worst = max(worst, abs(x[0] - system.exactU(at: step.time))) }
            }
            #expect(landed == Array(Set(outputs + curve.times.filter { $0 > 0 })).sorted())
            counts.append((steps, rejections, worst, iterations))
        }
        print("standard linear solid under a ramp-hold history, tol 1e-3: with restarts \(counts[0]), predictor across corners \(counts[1]) (steps, rejections, largest error of u at the outputs in mm, Newton iterations)")
        #expect(counts[0].error <= 1e-3.squareRoot(), "error \(counts[0].error)")
        #expect(counts[0].rejections < counts[1].rejections)
    }

    /// The estimate h/(2h + h₋₁)·(x_BE − x̂) against the true local error of backward Euler on
    /// y' = −λy from exact history: x_BE − y(t)e^{−λh}. Their ratio is 1 + O(λh), so at λh = 1e-2
    /// it is within 3 % of 1 and the deviation falls ~10× when h falls 10×.
    @Test(arguments: [1.0, 2.0, 0.5]) func estimateMatchesTrueLocalErrorToLeadingOrder(previousRatio: Double) throws {
        let lambda = 3.0, y0 = 2.0
        try Self.expectRatioApproachesOne(lambda: lambda) { h in
            let hp = previousRatio * h
            var c = try StepErrorController(options: try ErrorControlOptions(relativeTolerance: 1e-3))
            c.accept(previous: [y0 * exp(lambda * hp)], timeStep: hp)   // y at t − h₋₁
            let xBE = y0 / (1 + lambda * h)
            let estimate = try #require(c.localError(solution: [xBE], current: [y0], timeStep: h))[0]
            return (estimate, xBE - y0 * exp(-lambda * h))
        }
    }

    /// The weighted RMS norm against its definition evaluated by hand for two fields with
    /// absolute tolerances (mm and MPa): sqrt(mean((eᵢ/(atol_f + rtol|xᵢ|))²)).
    @Test func weightedNormPerField() throws {
        let rtol = 1e-2
        var c = try StepErrorController(options: try ErrorControlOptions(relativeTolerance: rtol, absoluteTolerances: [1e-3, 1e-4]), fields: [0, 1, 0])
        let old = [0.0, 0.0, 0.0], current = [1.0, 0.1, -2.0], x = [2.5, 0.1, -3.0]
        c.accept(previous: old, timeStep: 1)
        // Equal steps: x̂ = 2·current − old; e = (x − x̂)/3.
        let e = [(2.5 - 2.0) / 3, (0.1 - 0.2) / 3, (-3.0 + 4.0) / 3]
        let w = [1e-3 + rtol * 2.5, 1e-4 + rtol * 0.1, 1e-3 + rtol * 3.0]
        let expected = (zip(e, w).map { ($0 / $1) * ($0 / $1) }.reduce(0, +) / 3).squareRoot()
        let normValue = c.errorNorm(solution: x, current: current, timeStep: 1)
        let norm = try #require(normValue)
        #expect(abs(norm - expected) <= 1e-14 * expected)
        // Without absolute tolerances a field's scale stands in: atol_f = rtol·max|x_f| over the
        // three states (3 mm, 0.1 MPa).
        var d = try StepErrorController(options: try ErrorControlOptions(relativeTolerance: rtol), fields: [0, 1, 0])
        d.accept(previous: old, timeStep: 1)
        let w2 = [rtol * 3 + rtol * 2.5, rtol * 0.1 + rtol * 0.1, rtol * 3 + rtol * 3.0]
        let expected2 = (zip(e, w2).map { ($0 / $1) * ($0 / $1) }.reduce(0, +) / 3).squareRoot()
        let norm2Value = d.errorNorm(solution: x, current: current, timeStep: 1)
        let norm2 = try #require(norm2Value)
        #expect(abs(norm2 - expected2) <= 1e-14 * expected2)
        #expect(d.fieldScales == [3, 0.1])
    }

    /// y' = −λy, y(0) = 1 through the adaptive stepper with error control: every accepted
    /// estimated step has err ≤ 1, the must-points are landed exactly, and the error at t = 1
    /// against e^{−λ} falls like tol^{1/2} (a first-order method under per-step control,
    /// Hairer–Nørsett–Wanner §II.4): the fitted exponent over tol = 1e-2 … 1e-5 is in [0.4, 0.6]
    /// and the error is at most tol^{1/2} at each tolerance.
    @Test func globalErrorScalesWithTolerance() throws {
        let lambda = 2.0
        var errors: [Double] = [], steps: [Int] = []
        let tolerances = [1e-2, 1e-3, 1e-4, 1e-5]
        for tol in tolerances {
            var options = try TimeStepperOptions(initialStep: 1e-4, minStep: 1e-9, maxStep: 1)
            options.errorControl = try ErrorControlOptions(relativeTolerance: tol)
            let stepper = AdaptiveTimeStepper(options: options)
            var state = [1.0]
            var atOne: Double? = nil, count = 0, landed: [Double] = []
            try stepper.run(ScalarDecay(lambda: lambda), from: 0, to: 2, state: &state, mustPoints: [0.3, 1]) { step, x in
                count += 1
                if let e = step.errorNorm, step.timeStep > options.minStep { #expect(e <= 1, "err \(e) at t = \(step.time)") }
                if step.isMustPoint { landed.append(step.time) }
                if step.time == 1 { atOne = x[0] }
            }
            #expect(landed == [0.3, 1, 2])
            let y1 = try #require(atOne)
            errors.append(abs(y1 - exp(-lambda)))
            steps.append(count)
        }
        let xs = tolerances.map { log($0) }, ys = errors.map { log($0) }
        let mx = xs.reduce(0, +) / 4, my = ys.reduce(0, +) / 4
        var sxy = 0.0, sxx = 0.0
        for k in 0..<4 { sxy += (xs[k] - mx) * (ys[k] - my); sxx += (xs[k] - mx) * (xs[k] - mx) }
        let slope = sxy / sxx
        print("error control on y' = -2y: tol \(tolerances) -> error at t = 1 \(errors), steps \(steps), exponent \(slope)")
        #expect(slope >= 0.4 && slope <= 0.6, "exponent \(slope)")
        // The constant: |y(1) − e^{−λ}| ≤ tol^{1/2} (y's scale is 1; observed ≈ 0.3–0.45·tol^{1/2}).
        for (tol, e) in zip(tolerances, errors) { #expect(e <= tol.squareRoot(), "error \(e) at tol \(tol)") }
    }

    /// Terzaghi consolidation (linear biphasic column under a step load, closed form
    /// ``PoroelasticClosedForm/ConfinedCreep``) with error-controlled steps (tol 1e-4, pressure and
    /// displacement fields): the top displacement at every accepted step with c t/h² ≥ 1e-3 and the
    /// pressure profile at the output times within 1 % of the applied stress / final settlement
    /// (the verification row's tolerance), output times landed, every estimated step err ≤ 1.
    @Test func terzaghiWithErrorControl() throws {
        let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0),
                                       permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let p = try BiphasicVerification.confinedColumn(height: 1, cells: 10, material: law, finiteStrain: false, grading: 0.25)
        var forces = [SIMD3<Double>](repeating: .zero, count: p.mesh.nodeCount)
        try SurfaceLoads.pressure(0.1, mesh: p.mesh, surface: "top", into: &forces)
        p.loads = [NodalLoad(nodalForces: forces)]
        try p.prepare()
        let fields = p.errorFields()
        #expect(fields.count == p.unknownCount)
        #expect(Set(fields) == [0, 1])
        var options = try TimeStepperOptions(initialStep: 0.05, minStep: 1e-4, maxStep: 200)
        options.errorControl = try ErrorControlOptions(relativeTolerance: 1e-4)
        let stepper = AdaptiveTimeStepper(options: options, newton: NewtonSolver(linearSolver: SupernodalLDLT()))
        let outputs = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2].map { $0 * 1000 }
        let ref = PoroelasticClosedForm.ConfinedCreep(height: 1, aggregateModulus: 1, permeability: 1e-3, stress: 0.1)
        let mesh = p.mesh
        let top = BiphasicVerification.nodes(mesh) { $0.z == 1 && $0.x == 0 && $0.y == 0 }[0]
        let column = BiphasicVerification.nodes(mesh) { $0.x == 0 && $0.y == 0 }.filter { p.pressureDof(node: $0) != nil }
        var state = p.initialState()
        var uErr = 0.0, pErr = 0.0, steps = 0, rejections = 0, landed: [Double] = []
        try stepper.run(p, from: 0, to: 2000, state: &state, mustPoints: outputs) { step, x in
            steps += 1; rejections += step.errorRejections
            if let e = step.errorNorm { #expect(e <= 1) }
            let v = p.dofValues(unknowns: x, time: step.time)
            if step.time >= 1 { uErr = max(uErr, abs(v[p.displacementDof(node: top, component: 2)] - ref.topDisplacement(t: step.time)) / 0.1) }
            if step.isMustPoint {
                landed.append(step.time)
                for node in column { pErr = max(pErr, abs(v[p.pressureDof(node: node)!] - ref.pressure(z: mesh.nodes[node].z, t: step.time)) / 0.1) }
            }
        }
        print("Terzaghi with error control (tol 1e-4): \(steps) steps, \(rejections) rejected for error; max error u \(uErr), p \(pErr)")
        #expect(landed == outputs)
        #expect(uErr <= 0.01, "top displacement error \(uErr)")
        #expect(pErr <= 0.01, "pressure error \(pErr)")
    }

    @Test(arguments: [(0.0, "errorTolerance"), (1.5, "errorTolerance"), (Double.nan, "errorTolerance")])
    func badToleranceIsRefused(value: Double, name: String) {
        #expect(throws: TimeStepperError.self) { try ErrorControlOptions(relativeTolerance: value) }
        do { _ = try ErrorControlOptions(relativeTolerance: value); Issue.record("accepted \(value)") } catch let TimeStepperError.invalidOption(n, _, _) { #expect(n == name) } catch { Issue.record("\(error)") }
        do { _ = try ErrorControlOptions(relativeTolerance: 1e-3, absoluteTolerances: [1, -1]); Issue.record("accepted −1") } catch let TimeStepperError.invalidOption(n, v, _) {
            #expect(n == "absoluteTolerances[1]" && v == -1)
        } catch { Issue.record("\(error)") }
        do { _ = try StepErrorController(options: try ErrorControlOptions(relativeTolerance: 1e-3, absoluteTolerances: [1]), fields: [0, 1]); Issue.record("accepted one tolerance for two fields") }
        catch let TimeStepperError.invalidOption(n, _, _) { #expect(n == "absoluteTolerances") } catch { Issue.record("\(error)") }
    }
}
