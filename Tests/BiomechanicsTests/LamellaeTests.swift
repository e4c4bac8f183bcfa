import Testing
import Foundation
import FiniteElements
import SparseLinearAlgebra
@testable import Biomechanics

/// Alternating annulus lamellae (one fibre family per lamella).
@Suite("Annulus lamellae")
struct LamellaeTests {
    /// Independent reference: points built on the interpolated ellipse `inner + s (outer − inner)`
    /// at a known `s` must give that `s` back (1e-10) and the lamella `⌊s N⌋`.
    @Test func normalizedRadiusRecoversTheEllipseParameter() throws {
        let lam = try AnnulusLamellae(count: 5, angles: [30, -30], xi: 1, alpha: 0, beta: 2,
                                      innerSemiAxes: SIMD2(5, 3), outerSemiAxes: SIMD2(10, 8), centre: SIMD2(1, -2))
        for s in [0.05, 0.37, 0.5, 0.93] {
            for phi in stride(from: 0.1, to: 2 * Double.pi, by: 0.7) {
                let a = 5 + s * 5, b = 3 + s * 5
                let p = SIMD3(1 + a * cos(phi), -2 + b * sin(phi), 4)
                #expect(abs(lam.normalizedRadius(of: p) - s) <= 1e-10)
                #expect(lam.lamella(at: p) == Int(s * 5))
                #expect(lam.angle(ofLamella: lam.lamella(at: p)) == (Int(s * 5) % 2 == 0 ? 30 : -30))
            }
        }
        #expect(lam.lamella(at: SIMD3(1, -2, 0)) == 0)          // inside the nucleus
        #expect(lam.lamella(at: SIMD3(40, 0, 0)) == 4)          // outside the disc
    }

    @Test func badLamellaeAreRefusedNamingTheField() throws {
        func name(_ f: () throws -> Void) -> String? {
            do { try f(); return nil } catch let BiphasicError.invalidParameter(n, _, _) { return n } catch { return "other" }
        }
        let inner = SIMD2(5.0, 3.0), outer = SIMD2(10.0, 8.0)
        #expect(name { _ = try AnnulusLamellae(count: 0, angles: [30], xi: 1, alpha: 0, beta: 2, innerSemiAxes: inner, outerSemiAxes: outer) } == "lamellae.count")
        #expect(name { _ = try AnnulusLamellae(count: 3, angles: [], xi: 1, alpha: 0, beta: 2, innerSemiAxes: inner, outerSemiAxes: outer) } == "lamellae.angles")
        #expect(name { _ = try AnnulusLamellae(count: 3, angles: [30], xi: -1, alpha: 0, beta: 2, innerSemiAxes: inner, outerSemiAxes: outer) } == "lamellae.xi")
        #expect(name { _ = try AnnulusLamellae(count: 3, angles: [30], xi: 1, alpha: 0, beta: 2, innerSemiAxes: outer, outerSemiAxes: inner) } == "lamellae.outer[0]")
    }

    /// Reaction moment about the disc axis of an annulus ring under pure axial stretch with the
    /// lateral displacements held at zero (`F = I + (λ − 1) e_z⊗e_z` exactly, interior `u_z` solved).
    /// Reference (closed form): a family at angle θ carries the Cauchy shear
    /// `σ_θz = 2Ψ'(Iₙ) cos θ sin θ`, `Iₙ = cos²θ + λ² sin²θ` (the matrix, neo-Hookean with ν = 0,
    /// carries no shear), so the moment on the top face is `Σ_i sign_i · σ_θz · 2π(R_{i+1}³ − R_i³)/3`
    /// over the lamellae, times `sin(Δ/2)/(Δ/2)` for the cell-constant fibre frame (Δ = 2π/around).
    /// Alternating lamellae cancel the single family's twist coupling down to the imbalance of
    /// the lamellae's `r³` moments.
    @Test func alternatingLamellaeCancelTheTwistCoupling() throws {
        let radius = 10.0, fraction = 0.5, around = 16, rings = 4, stretch = 1.05, xi = 10.0
        let mesh = try MeshGenerator.cylinder(radius: radius, height: 2, inner: .init(name: "nucleus", fraction: fraction),
                                              around: around, radial: rings, innerRings: 1, layers: 1, cellType: .hex20)
        let matrix = try NeoHookean(youngsModulus: 0.5, poissonRatio: 0)
        let nucleus = try BiphasicMaterial(solid: matrix, permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let axes = MaterialAxes.cylindrical(origin: (0, 0, 0), axis: (0, 0, 1))
        let annulus = Set(try mesh.cells(inRegion: "annulus"))
        let theta = 30.0 * Double.pi / 180
        let i = cos(theta) * cos(theta) + stretch * stretch * sin(theta) * sin(theta)
        let shear = 2 * xi * (i - 1) * cos(theta) * sin(theta)   // β = 2, α = 0: Ψ' = ξ (Iₙ − 1)
        let delta = 2 * Double.pi / Double(around)
        let frameFactor = sin(delta / 2) / (delta / 2)

        func moment(angles: [Double], count: Int) throws -> (ours: Double, reference: Double) {
            let lam = try AnnulusLamellae(count: count, angles: angles, xi: xi, alpha: 0, beta: 2,
                                          innerSemiAxes: SIMD2(repeating: fraction * radius), outerSemiAxes: SIMD2(repeating: radius))
            let materials: [BiphasicProblem.CellMaterial?] = try (0..<mesh.cellCount).map { c in
                let centroid = AnnulusLamellae.centroid(mesh.cellCoordinates(c))
                let frame = axes.frame(at: (centroid.x, centroid.y, centroid.z))
                guard annulus.contains(c) else { return .init(law: nucleus, axes: frame) }
                let law = try BiphasicMaterial(solid: lam.solid(matrix: matrix, lamella: lam.lamella(at: centroid)),
                                               permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
                return .init(law: law, axes: frame)
            }
            let p = try BiphasicProblem(mesh: mesh, materials: materials, finiteStrain: true)
            let all = Array(0..<mesh.nodeCount), top = try mesh.nodes(ofSurface: "top")
            p.prescribed = [PrescribedComponent(nodes: all, component: 0, value: 0), PrescribedComponent(nodes: all, component: 1, value: 0),
                            PrescribedComponent(nodes: try mesh.nodes(ofSurface: "bottom"), component: 2, value: 0),
                            PrescribedComponent(nodes: top, component: 2, value: 2 * (stretch - 1), curve: try LoadCurve(points: [(0, 0), (1, 1)]))]
            p.drained = [PrescribedComponent(nodes: all, component: 0, value: 0)]   // pure solid: p = 0 everywhere
            try p.prepare()
            let h = try BiphasicVerification.run(p, phases: [.init(end: 1, initial: 0.5, max: 0.5, growth: 1)])
            let n = h.times.count
            let r = try p.fullResidual(state: h.states[n - 1], previous: h.states[n - 2], time: 1, timeStep: h.times[n - 1] - h.times[n - 2])
            var m = 0.0
            for node in top {
                let x = mesh.nodes[node]
                m += x.x * r[p.displacementDof(node: node, component: 1)] - x.y * r[p.displacementDof(node: node, component: 0)]
            }
            var reference = 0.0
            for k in 0..<count {
                let r0 = radius * (fraction + (1 - fraction) * Double(k) / Double(count))
                let r1 = radius * (fraction + (1 - fraction) * Double(k + 1) / Double(count))
                let sign = lam.angle(ofLamella: k) > 0 ? 1.0 : -1.0
                reference += sign * shear * 2 * Double.pi * (r1 * r1 * r1 - r0 * r0 * r0) / 3
            }
            return (m, reference * frameFactor)
        }
        let single = try moment(angles: [30], count: 1)
        let alternating = try moment(angles: [30, -30], count: rings)
        print("twist coupling under axial stretch \(stretch): single family \(single.ours) N·mm (closed form \(single.reference)), alternating \(rings) lamellae \(alternating.ours) N·mm (closed form \(alternating.reference)); ratio \(alternating.ours / single.ours)")
        #expect(abs(abs(single.ours) - abs(single.reference)) <= 2e-3 * abs(single.reference))
        #expect(abs(abs(alternating.ours) - abs(alternating.reference)) <= 2e-3 * abs(single.reference))
        // Same sign convention in both runs; alternating lamellae leave under 20 % of the coupling here.
        #expect((alternating.ours / single.ours - alternating.reference / single.reference).magnitude <= 2e-3)
        #expect(abs(alternating.ours) < 0.2 * abs(single.ours))
    }
}
