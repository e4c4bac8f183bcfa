import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements
import Biomechanics

/// bp05 as shipped in `Examples/models/biphasic-unconfined.json`: a disk of radius 3 mm and height
/// 1 mm (O-grid, 6 radial × 12 around × 1 layer of hex20), E = 1 MPa, ν = 0.1, φ₀ = 0.2,
/// k = 1e-3 mm⁴/(N·s), 1 % axial strain applied in 0.001 s between frictionless impermeable
/// platens, lateral surface drained — and, as in the example, no in-plane support: the tangent
/// is singular in the two in-plane translations and the rotation about the axis.
private func shippedUnconfined() throws -> (problem: BiphasicProblem, top: [Int]) {
    let mesh = try MeshGenerator.cylinder(radius: 3, height: 1, inner: nil, outerName: "disk", around: 12, radial: 6,
                                          layers: 1, cellType: .hex20)
    let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0.1),
                                   permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
    let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: false)
    let top = try mesh.nodes(ofSurface: "top")
    p.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "bottom"), component: 2, value: 0),
                    PrescribedComponent(nodes: top, component: 2, value: -0.01, curve: try LoadCurve(points: [(0, 0), (0.001, 1)]))]
    p.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "outer"), component: 0, value: 0)]
    try p.prepare()
    return (p, top)
}

/// Runs `problem` to 40 000 s the way the model-file simulation does (Newton with at most 40
/// iterations, reference norm = the largest initial residual seen so far, easy steps ≤ 6
/// iterations) and returns the platen force (N, compression positive) and the state at `times`.
private func platenHistory(_ problem: BiphasicProblem, top: [Int], options: TimeStepperOptions, times: [Double],
                           newton: NewtonSolver) throws -> [(force: Double, state: [Double])] {
    var stepping = options
    stepping.easyIterations = 6
    let stepper = AdaptiveTimeStepper(options: stepping, newton: newton)
    var state = problem.initialState(), previous = state, previousTime = 0.0
    var out: [(force: Double, state: [Double])] = []
    try stepper.run(problem, from: 0, to: 40_000, state: &state, mustPoints: times + [0.001]) { step, x in
        newton.options.referenceNorm = max(newton.options.referenceNorm, newton.lastReport.residualNorms.first ?? 0)
        if times.contains(where: { abs($0 - step.time) <= 1e-9 * max(1, $0) }) {
            let f = try problem.stepFluxes(state: x, previous: previous, time: step.time, timeStep: step.time - previousTime,
                                           reactionSets: [(top, 2)])
            out.append((-f.reactions[0], x))
        }
        previous = x; previousTime = step.time
    }
    return out
}

/// Net in-plane translation (mm) and rotation about the axis (rad) of a displacement field:
/// least-squares rigid motion of the nodes, zero for the axisymmetric solution.
private func inPlaneRigidMotion(_ problem: BiphasicProblem, state: [Double], time: Double) throws -> (tx: Double, ty: Double, rz: Double, scale: Double) {
    let mesh = problem.mesh
    let full = problem.dofValues(unknowns: state, time: time)
    var tx = 0.0, ty = 0.0, moment = 0.0, inertia = 0.0, scale = 0.0
    for node in 0..<mesh.nodeCount {
        let ux = full[problem.displacementDof(node: node, component: 0)], uy = full[problem.displacementDof(node: node, component: 1)]
        let p = mesh.nodes[node]
        tx += ux; ty += uy
        moment += p.x * uy - p.y * ux; inertia += p.x * p.x + p.y * p.y
        scale = max(scale, (ux * ux + uy * uy).squareRoot())
    }
    let n = Double(mesh.nodeCount)
    return (tx / n, ty / n, moment / inertia, scale)
}

@Suite("Newton at round-off: bp05 with fixed steps, soft materials, absurd loads")
struct NewtonRoundOffTests {
    /// The shipped bp05 with fixed 100 s steps (400 steps; it stopped at t = 700 s with
    /// "Newton diverged, ‖R‖ = 1.9e-11") completes, and matches the adaptive run and the closed form.
    /// References: Armstrong, Lai & Mow 1984 (F(∞) = E ε π a² = 0.28274 N, within 0.1 %); the
    /// adaptive run at 100, 1000, 10 000 and 40 000 s within 1 % of F(∞) (the two backward-Euler
    /// step sequences differ by that much at most); the axisymmetric solution's zero net in-plane
    /// motion (below 1e-9 of the largest in-plane displacement).
    @Test func shippedUnconfinedWithFixedStepsCompletes() throws {
        let times = [100.0, 1000, 10_000, 40_000]
        let (fixedProblem, top) = try shippedUnconfined()
        let fixedNewton = NewtonSolver(options: { var o = NewtonOptions(); o.maxIterations = 40; return o }())
        let fixed = try platenHistory(fixedProblem, top: top, options: try TimeStepperOptions(initialStep: 100, minStep: 100, maxStep: 100),
                                      times: times, newton: fixedNewton)
        let (adaptiveProblem, _) = try shippedUnconfined()
        let adaptive = try platenHistory(adaptiveProblem, top: top,
                                         options: try TimeStepperOptions(initialStep: 0.001, minStep: 1e-5, maxStep: 2000),
                                         times: times, newton: NewtonSolver(options: { var o = NewtonOptions(); o.maxIterations = 40; return o }()))
        #expect(fixed.count == times.count && adaptive.count == times.count)
        let fInf = 1 * 0.01 * Double.pi * 9
        for i in 0..<min(fixed.count, adaptive.count) {
            print("bp05 t = \(times[i]) s: fixed-step force \(fixed[i].force) N, adaptive \(adaptive[i].force) N")
            #expect(abs(fixed[i].force - adaptive[i].force) <= 0.01 * fInf)
        }
        #expect(abs(fixed.last!.force - fInf) <= 1e-3 * fInf)
        #expect(abs(adaptive.last!.force - fInf) <= 1e-3 * fInf)
        // The singular directions were found (the three in-plane rigid motions) and kept out of the solution.
        #expect(fixedNewton.statistics.nullSpaceDimension == 3)
        for (run, problem) in [(fixed, fixedProblem), (adaptive, adaptiveProblem)] {
            for (i, t) in times.enumerated() where i < run.count {
                let m = try inPlaneRigidMotion(problem, state: run[i].state, time: t)
                #expect(abs(m.tx) <= 1e-9 * m.scale && abs(m.ty) <= 1e-9 * m.scale && abs(m.rz) * 3 <= 1e-9 * m.scale)
            }
        }
        // At equilibrium the lateral surface has moved out by ν ε a = 0.003 mm (closed form, 1e-6 relative).
        let rim = try inPlaneRigidMotion(fixedProblem, state: fixed.last!.state, time: 40_000)
        #expect(abs(rim.scale - 0.1 * 0.01 * 3) <= 1e-6 * 0.003)
    }

    /// A neo-Hookean unit cube (2×2×2 hex8, symmetry on x−, y−, z−) stretched to λ = 1.5 along x
    /// with free lateral faces, as `Examples/models/neohookean-stretch.json`, for E from 2 MPa down
    /// to 1e-12 MPa: J = 1.5 λ₂² with μ(λ₂² − 1) + λ ln(1.5 λ₂²) = 0 (closed form, independent of E),
    /// to 1e-9 relative — the soft cube moves like the stiff one.
    @Test(arguments: [2.0, 1e-9, 1e-12])
    func softNeoHookeanStretchReachesClosedForm(youngsModulus e: Double) throws {
        let nu = 0.3
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(2, 2, 2), cellType: .hex8)
        let law = try NeoHookean(youngsModulus: e, poissonRatio: nu)
        let problem = try SolidMechanicsProblem(mesh: mesh, cellMaterials: Array(repeating: .init(law: law), count: mesh.cellCount), finiteStrain: true)
        problem.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x-"), component: 0, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "y-"), component: 1, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "z-"), component: 2, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x+"), component: 0, value: 0.5,
                                                  curve: try LoadCurve(points: [(0, 0), (1, 1)]))]
        try problem.prepare()
        let newton = NewtonSolver()
        var state = [Double](repeating: 0, count: problem.unknownCount)
        try newton.solve(StaticEquilibrium(problem, time: 0), x: &state)
        newton.options.referenceNorm = newton.lastReport.residualNorms.first ?? 0
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 0.25, minStep: 0.01, maxStep: 0.5), newton: newton)
        var iterations: [Int] = []
        try stepper.run(problem, from: 0, to: 1, state: &state, mustPoints: [0.5]) { step, _ in
            iterations.append(step.iterations)
            newton.options.referenceNorm = max(newton.options.referenceNorm, newton.lastReport.residualNorms.first ?? 0)
        }
        let u = problem.displacement(unknowns: state, time: 1)
        let corner = (0..<mesh.nodeCount).first { let d = mesh.nodes[$0] - SIMD3(1, 1, 1); return (d * d).sum() < 1e-24 }!
        let j = 1.5 * (1 + u[3 * corner + 1]) * (1 + u[3 * corner + 2])
        // Closed form by bisection on μ(y − 1) + λ ln(1.5 y) = 0, y = λ₂².
        let mu = 1 / (2 * (1 + nu)), lambda = nu / ((1 + nu) * (1 - 2 * nu))   // per unit E
        var lo = 0.5, hi = 1.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if (mu * (lo - 1) + lambda * log(1.5 * lo)) * (mu * (mid - 1) + lambda * log(1.5 * mid)) <= 0 { hi = mid } else { lo = mid }
        }
        let exact = 1.5 * lo
        print("neo-Hookean stretch, E = \(e) MPa: J = \(j) (closed form \(exact)), Newton iterations per step \(iterations)")
        #expect(abs(j - exact) <= 1e-9 * exact)
        #expect(iterations.allSatisfy { $0 >= 2 })
    }

    /// An absurd load — the cube's x+ face pushed 1.5 mm through its x− face in one step — fails
    /// (no step length down to dtMin gives an admissible state) with a message naming the cause.
    @Test func absurdLoadFailsNamingTheCause() throws {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(2, 2, 2), cellType: .hex8)
        let law = try NeoHookean(youngsModulus: 2, poissonRatio: 0.3)
        let problem = try SolidMechanicsProblem(mesh: mesh, cellMaterials: Array(repeating: .init(law: law), count: mesh.cellCount), finiteStrain: true)
        problem.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x-"), component: 0, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "y-"), component: 1, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "z-"), component: 2, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x+"), component: 0, value: -1.5,
                                                  curve: try LoadCurve(points: [(0, 0), (1, 1)]))]
        try problem.prepare()
        var state = [Double](repeating: 0, count: problem.unknownCount)
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 1, minStep: 0.5, maxStep: 1))
        do {
            try stepper.run(problem, from: 0, to: 1, state: &state)
            Issue.record("the cube was pushed through itself without an error")
        } catch let error as TimeStepperError {
            print("absurd load: \(error)")
            guard case let .stepTooSmall(time, _, reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(time >= 0 && time < 1)
            #expect(reason.contains("det F") || reason.contains("‖R‖₂"))
        }
    }
}
