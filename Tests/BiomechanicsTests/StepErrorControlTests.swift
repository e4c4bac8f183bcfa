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

@Suite("Error-controlled time steps")
struct StepErrorControlTests {
    /// The estimate h/(2h + h₋₁)·(x_BE − x̂) against the true local error of backward Euler on
    /// y' = −λy from exact history: x_BE − y(t)e^{−λh}. Their ratio is 1 + O(λh), so at λh = 1e-2
    /// it is within 3 % of 1 and the deviation falls ~10× when h falls 10×.
    @Test(arguments: [1.0, 2.0, 0.5]) func estimateMatchesTrueLocalErrorToLeadingOrder(previousRatio: Double) throws {
        let lambda = 3.0, y0 = 2.0
        var deviations: [Double] = []
        for lh in [1e-2, 1e-3] {
            let h = lh / lambda, hp = previousRatio * h
            var c = try StepErrorController(options: try ErrorControlOptions(relativeTolerance: 1e-3))
            c.accept(previous: [y0 * exp(lambda * hp)], timeStep: hp)   // y at t − h₋₁
            let xBE = y0 / (1 + lambda * h)
            let estimate = try #require(c.localError(solution: [xBE], current: [y0], timeStep: h))[0]
            let truth = xBE - y0 * exp(-lambda * h)
            deviations.append(abs(estimate / truth - 1))
        }
        #expect(deviations[0] <= 0.03, "ratio − 1 = \(deviations[0]) at λh = 1e-2")
        #expect(deviations[1] <= 0.003, "ratio − 1 = \(deviations[1]) at λh = 1e-3")
        #expect(deviations[0] / deviations[1] > 5, "first-order approach of the ratio to 1: \(deviations)")
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
