import Testing
import Foundation
import FiniteElements
@testable import Biomechanics

@Suite("Rigid surfaces")
struct RigidBodyTests {
    /// A 1 × 1 × 4 mm column, bottom clamped, top a rigid body loaded by a force and a moment.
    func column(rotationFree: Bool, force: SIMD3<Double>, moment: SIMD3<Double>) throws -> (SolidMechanicsProblem, [Double], [Double]) {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 4), cells: SIMD3(2, 2, 8), cellType: .hex20)
        let law = try IsotropicLinearElastic(youngsModulus: 100, poissonRatio: 0.3)
        let problem = try SolidMechanicsProblem(mesh: mesh, cellMaterials: uniformMaterials(mesh, law), finiteStrain: false)
        problem.prescribed = (0..<3).map { PrescribedComponent(nodes: try! mesh.nodes(ofSurface: "bottom"), component: $0, value: 0) }
        problem.rigidBodies = [.init(nodes: try mesh.nodes(ofSurface: "top"), reference: SIMD3(0.5, 0.5, 4), rotationFree: rotationFree,
                                     force: force, moment: moment)]
        try problem.prepare()
        var x = [Double](repeating: 0, count: problem.unknownCount)
        try NewtonSolver().solve(StaticEquilibrium(problem, time: 1), x: &x)
        return (problem, x, problem.displacement(unknowns: x, time: 1))
    }

    @Test func forceAndMomentAreTransmittedAndBalanced() throws {
        let force = SIMD3(1.0, -0.5, 2.0), moment = SIMD3(0.3, 2.0, -0.7)
        let (problem, x, u) = try column(rotationFree: true, force: force, moment: moment)
        let mesh = problem.mesh
        let motion = problem.rigidBodyMotion(unknowns: x, time: 1)[0]
        // Rigidity: every top node moves as U + θ × (X − X_ref).
        var rigidError = 0.0
        for n in try mesh.nodes(ofSurface: "top") {
            let r = mesh.nodes[n] - SIMD3(0.5, 0.5, 4)
            let th = motion.rotation
            let expected = motion.translation + SIMD3(th.y * r.z - th.z * r.y, th.z * r.x - th.x * r.z, th.x * r.y - th.y * r.x)
            for c in 0..<3 { rigidError = max(rigidError, abs(u[3 * n + c] - expected[c])) }
        }
        #expect(rigidError < 1e-14)
        #expect(abs(motion.rotation.y) > 1e-4)   // the moment about y tilts the plate
        // Equilibrium (conservation of momentum): support reactions balance the applied force and moment.
        let fint = try problem.internalForces(displacement: u), fext = problem.externalForces(time: 1)
        var reaction = SIMD3<Double>.zero, reactionMoment = SIMD3<Double>.zero
        for n in try mesh.nodes(ofSurface: "bottom") {
            let r = SIMD3(fint[3 * n] - fext[3 * n], fint[3 * n + 1] - fext[3 * n + 1], fint[3 * n + 2] - fext[3 * n + 2])
            let xn = mesh.nodes[n]
            reaction += r
            reactionMoment += SIMD3(xn.y * r.z - xn.z * r.y, xn.z * r.x - xn.x * r.z, xn.x * r.y - xn.y * r.x)
        }
        let xr = SIMD3(0.5, 0.5, 4.0)
        let appliedMoment = moment + SIMD3(xr.y * force.z - xr.z * force.y, xr.z * force.x - xr.x * force.z, xr.x * force.y - xr.y * force.x)
        print("rigid plate: |ΣR + F| = \(sqrt(((reaction + force) * (reaction + force)).sum())), |ΣX×R + M_applied| = \(sqrt(((reactionMoment + appliedMoment) * (reactionMoment + appliedMoment)).sum())), rigidity error \(rigidError) mm")
        for c in 0..<3 {
            #expect(abs(reaction[c] + force[c]) < 1e-10)
            #expect(abs(reactionMoment[c] + appliedMoment[c]) < 1e-9)
        }
        // The top nodes transmit exactly the applied force.
        var transmitted = SIMD3<Double>.zero
        for n in try mesh.nodes(ofSurface: "top") { transmitted += SIMD3(fint[3 * n], fint[3 * n + 1], fint[3 * n + 2]) }
        for c in 0..<3 { #expect(abs(transmitted[c] - force[c]) < 1e-10) }
    }

    @Test func lockedRotationTranslatesOnly() throws {
        let (problem, x, u) = try column(rotationFree: false, force: SIMD3(1, 0, 0), moment: .zero)
        let motion = problem.rigidBodyMotion(unknowns: x, time: 1)[0]
        #expect(motion.rotation == .zero)
        for n in try problem.mesh.nodes(ofSurface: "top") { for c in 0..<3 { #expect(abs(u[3 * n + c] - motion.translation[c]) < 1e-15) } }
        #expect(motion.translation.x > 0)
        // A prescribed node of a rotating body is refused.
        let mesh = problem.mesh
        let p2 = try SolidMechanicsProblem(mesh: mesh, cellMaterials: uniformMaterials(mesh, try IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0)), finiteStrain: false)
        p2.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x-"), component: 0, value: 0)]
        p2.rigidBodies = [.init(nodes: try mesh.nodes(ofSurface: "top"), reference: .zero, rotationFree: true)]
        #expect(throws: LoadError.self) { try p2.prepare() }
    }
}
