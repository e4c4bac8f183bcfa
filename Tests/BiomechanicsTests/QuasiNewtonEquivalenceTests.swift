import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements
@testable import Biomechanics

/// Quasi-Newton (BFGS on a kept factorization) against full Newton on the biphasic verification
/// problems, with fixed time steps and a tight Newton tolerance: the two solve the same discrete
/// equations, so every accepted state must agree — the reference is the full-Newton run, the
/// tolerance 1e-8 relative per field (displacement, pressure), over every step.
@Suite("Quasi-Newton gives full Newton's fields")
struct QuasiNewtonEquivalenceTests {
    /// Runs `make()`'s problem through `phases` with full Newton and with BFGS and returns the
    /// largest difference of each field over every accepted step, relative to that field's
    /// largest magnitude in the full-Newton run, and the two solvers' statistics.
    func compare(_ make: () throws -> BiphasicProblem, phases: [BiphasicVerification.Phase])
        throws -> (displacement: Double, pressure: Double, full: NewtonStatistics, quasi: NewtonStatistics) {
        var options = NewtonOptions()
        options.relativeTolerance = 1e-12
        let fullNewton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        options.method = .bfgs(try QuasiNewtonOptions())
        let quasiNewton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        let p1 = try make(), p2 = try make()
        let h1 = try BiphasicVerification.run(p1, phases: phases, newton: fullNewton)
        let h2 = try BiphasicVerification.run(p2, phases: phases, newton: quasiNewton)
        #expect(h1.times == h2.times, "the two runs took different steps")
        guard h1.times == h2.times else { return (.infinity, .infinity, fullNewton.statistics, quasiNewton.statistics) }
        var du = 0.0, dp = 0.0, su = 0.0, sp = 0.0
        let pressureDofs = Set((0..<p1.mesh.nodeCount).compactMap { p1.pressureDof(node: $0) })
        for (i, t) in h1.times.enumerated() {
            let a = p1.dofValues(unknowns: h1.states[i], time: t), b = p2.dofValues(unknowns: h2.states[i], time: t)
            for d in 0..<a.count {
                if pressureDofs.contains(d) { dp = max(dp, abs(a[d] - b[d])); sp = max(sp, abs(a[d])) }
                else { du = max(du, abs(a[d] - b[d])); su = max(su, abs(a[d])) }
            }
        }
        return (du / su, dp / sp, fullNewton.statistics, quasiNewton.statistics)
    }

    func check(_ name: String, _ r: (displacement: Double, pressure: Double, full: NewtonStatistics, quasi: NewtonStatistics)) {
        print("\(name): max relative difference u \(r.displacement), p \(r.pressure); factorizations full \(r.full.factorizations) vs BFGS \(r.quasi.factorizations), tangent assemblies \(r.full.tangentEvaluations) vs \(r.quasi.tangentEvaluations), iterations \(r.full.iterations) vs \(r.quasi.iterations)")
        #expect(r.displacement <= 1e-8, "\(name): displacement differs by \(r.displacement)")
        #expect(r.pressure <= 1e-8, "\(name): pressure differs by \(r.pressure)")
        #expect(r.quasi.factorizations <= r.full.factorizations)
    }

    /// Terzaghi creep (linear solid, step load on the drained top), 40 steps of 5 s.
    @Test func terzaghi() throws {
        let r = try compare({
            let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0),
                                           permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
            let p = try BiphasicVerification.confinedColumn(height: 1, cells: 10, material: law, finiteStrain: false, grading: 0.25)
            var forces = [SIMD3<Double>](repeating: .zero, count: p.mesh.nodeCount)
            try SurfaceLoads.pressure(0.1, mesh: p.mesh, surface: "top", into: &forces)
            p.loads = [NodalLoad(nodalForces: forces)]
            try p.prepare()
            return p
        }, phases: [.init(end: 200, initial: 5, max: 5, growth: 1)])
        check("Terzaghi", r)
    }

    /// bp04 with FEBio's neo-Hookean solid at finite strain (−0.1 mm ramp over 100 s, then
    /// relaxation), 40 steps of 5 s: the nonlinear case.
    @Test func confinedRampRelaxNeoHookean() throws {
        let r = try compare({
            let law = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0), permeability: .constant(k0: 1e-3),
                                           solidVolumeFraction: 0.2)
            let p = try BiphasicVerification.confinedColumn(height: 1, cells: 4, material: law, finiteStrain: true, grading: 0.2)
            p.prescribed.append(PrescribedComponent(nodes: try p.mesh.nodes(ofSurface: "top"), component: 2, value: -0.1,
                                                    curve: try LoadCurve(points: [(0, 0), (100, 1)])))
            try p.prepare()
            return p
        }, phases: [.init(end: 200, initial: 5, max: 5, growth: 1)])
        check("bp04 neo-Hookean", r)
    }

    /// Mandel's problem (rigid tied plate under a step force, lateral face drained), 50 steps of
    /// 0.01 of the consolidation time `a²/c`.
    @Test func mandel() throws {
        let a = 1.0, thickness = 0.1, sigma0 = 0.1
        let ref = PoroelasticClosedForm.Mandel(halfWidth: a, youngsModulus: 1, poissonRatio: 0, permeability: 1e-3, stress: sigma0)
        let tScale = a * a / ref.consolidationCoefficient
        let r = try compare({
            let mesh = try MeshGenerator.box(x: .geometric(from: 0, to: a, cells: 8, ratio: 0.2), y: .uniform(from: 0, to: 1, cells: 2),
                                             z: .uniform(from: 0, to: thickness, cells: 1), cellType: .hex20)
            let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0),
                                           permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
            let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: false)
            let top = try mesh.nodes(ofSurface: "y+")
            p.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x-"), component: 0, value: 0),
                            PrescribedComponent(nodes: try mesh.nodes(ofSurface: "y-"), component: 1, value: 0),
                            PrescribedComponent(nodes: Array(0..<mesh.nodeCount), component: 2, value: 0)]
            p.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x+"), component: 0, value: 0)]
            p.ties = [TiedComponent(nodes: top, component: 1)]
            p.loads = [NodalLoad(nodes: [top[0]], forces: [SIMD3(0, -sigma0 * a * thickness, 0)])]
            try p.prepare()
            return p
        }, phases: [.init(end: 0.5 * tScale, initial: 0.01 * tScale, max: 0.01 * tScale, growth: 1)])
        check("Mandel", r)
    }

    /// Unconfined compression (bp05 geometry: 1 % axial strain applied over the first step
    /// between frictionless impermeable platens, lateral surface drained), 50 steps of 0.02 `a²/c`.
    @Test func unconfinedCompression() throws {
        let a = 3.0, height = 1.0, nu = 0.1
        let tScale = a * a / (1e-3 * (1 - nu) / ((1 + nu) * (1 - 2 * nu)))
        let dt = 0.02 * tScale
        let r = try compare({
            let mesh = try MeshGenerator.cylinder(radius: a, height: height, inner: nil, outerName: "disk", around: 12, radial: 4,
                                                  layers: 1, cellType: .hex20)
            let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: nu),
                                           permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
            let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: false)
            let tol = 1e-9 * a
            p.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "bottom"), component: 2, value: 0),
                            PrescribedComponent(nodes: try mesh.nodes(ofSurface: "top"), component: 2, value: -0.01 * height,
                                                curve: try LoadCurve(points: [(0, 0), (dt, 1)])),
                            PrescribedComponent(nodes: BiphasicVerification.nodes(mesh) { abs($0.x) < tol }, component: 0, value: 0),
                            PrescribedComponent(nodes: BiphasicVerification.nodes(mesh) { abs($0.y) < tol }, component: 1, value: 0)]
            p.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "outer"), component: 0, value: 0)]
            try p.prepare()
            return p
        }, phases: [.init(end: 50 * dt, initial: dt, max: dt, growth: 1)])
        check("bp05", r)
    }
}
