import Testing
import Foundation
import FiniteElements
@testable import Biomechanics

/// Fibre stretch at the integration points (``FibreStrainSampler``) under prescribed homogeneous
/// deformations, against the closed form `λ = |F a₀|` worked by hand for a fibre at angle θ.
/// A quadratic (hex20) cell reproduces a linear displacement field exactly, so `F` is exact at
/// every point and the only error is round-off: tolerance 1e-12 relative on `λ − 1`.
@Suite("Fibre strain at the integration points")
struct FibreStrainTests {
    static let angles = [30.0, -30.0, 60.0]

    /// A 2 × 1 × 1 box of hex20 cells, identity material axes (axis 2 = y circumferential, 3 = z
    /// axial), every cell with the three families of ``angles``.
    func boxProblem() throws -> BiphasicProblem {
        let mesh = try MeshGenerator.box(origin: SIMD3(-1, 2, 0.5), size: SIMD3(4, 3, 2), cells: SIMD3(2, 1, 1), cellType: .hex20)
        let matrix = try NeoHookean(youngsModulus: 0.5, poissonRatio: 0.2)
        let fibres = try Self.angles.map { try FibreFamily(angleDegrees: $0, xi: 10, alpha: 0, beta: 2) }
        let law = try BiphasicMaterial(solid: FibreReinforcedSolid(matrix: matrix, fibres: fibres), permeability: .constant(k0: 1e-3),
                                       solidVolumeFraction: 0.2)
        return try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: true)
    }

    /// The full dof vector of `u(X) = (F − I) X + c` at every node (pressures 0).
    func values(_ p: BiphasicProblem, _ f: [[Double]], shift c: SIMD3<Double> = SIMD3(0.3, -0.2, 0.1)) -> [Double] {
        var v = [Double](repeating: 0, count: p.dofMap.dofCount)
        for (n, x) in p.mesh.nodes.enumerated() {
            for i in 0..<3 {
                var u = c[i]
                for j in 0..<3 { u += (f[i][j] - (i == j ? 1 : 0)) * x[j] }
                v[p.displacementDof(node: n, component: i)] = u
            }
        }
        return v
    }

    func expectEveryPoint(_ p: BiphasicProblem, _ f: [[Double]], reference: (Double) -> Double) throws {
        let sampler = try FibreStrainSampler(problem: p)
        let v = values(p, f)
        #expect(sampler.cells == [0, 1])
        #expect(sampler.sampleCount == 2 * 27 * Self.angles.count)   // hex20: 27-point rule
        var largest = -Double.infinity
        for s in 0..<sampler.sampleCount {
            let e = sampler.strain(sample: s, dofValues: v)
            let info = sampler.sample(s, strain: e)
            let theta = info.angleDegrees * .pi / 180
            #expect(abs(info.angleDegrees - Self.angles[info.family]) <= 1e-12)
            let expected = reference(theta)
            #expect(abs(e - expected) <= 1e-12 * abs(expected), "sample \(s): \(e) vs \(expected)")
            largest = max(largest, expected)
        }
        let peak = try #require(sampler.peak(dofValues: v))
        #expect(abs(peak.strain - largest) <= 1e-12 * abs(largest))
        #expect(abs(peak.greenLagrangeStrain - 0.5 * ((1 + largest) * (1 + largest) - 1)) <= 1e-12 * abs(largest))
    }

    /// Uniaxial stretch `s` along the circumferential axis (y): `F a₀ = (0, s cos θ, sin θ)`,
    /// `λ = √(s² cos²θ + sin²θ)`.
    @Test func uniaxialStretchAlongTheCircumferentialAxis() throws {
        let s = 1.08
        try expectEveryPoint(try boxProblem(), [[1, 0, 0], [0, s, 0], [0, 0, 1]]) { t in
            (s * s * cos(t) * cos(t) + sin(t) * sin(t)).squareRoot() - 1
        }
    }

    /// Simple shear `u_y = γ z`: `F a₀ = (0, cos θ + γ sin θ, sin θ)`,
    /// `λ = √(1 + γ sin 2θ + γ² sin²θ)` — the +30° and +60° fibres lengthen, the −30° one shortens.
    @Test func simpleShearInTheCircumferentialAxialPlane() throws {
        let g = 0.15
        try expectEveryPoint(try boxProblem(), [[1, 0, 0], [0, 1, g], [0, 0, 1]]) { t in
            (1 + g * sin(2 * t) + g * g * sin(t) * sin(t)).squareRoot() - 1
        }
    }

    /// Annulus-like ring with cylindrical axes (one frame per cell, as the disc model builds it):
    /// an axial stretch `s` (`F = diag(1, 1, s)`) gives `λ = √(cos²θ + s² sin²θ)` in every cell
    /// whatever its frame's orientation about the axis, and a finite rigid rotation by 40° about
    /// the axis (followed by the stretch) leaves it unchanged. Only the annulus (fibre) cells are sampled.
    @Test func annulusRingUnderAxialStretchAndRotation() throws {
        let mesh = try MeshGenerator.cylinder(radius: 10, height: 2, inner: .init(name: "nucleus", fraction: 0.5),
                                              around: 8, radial: 2, innerRings: 1, layers: 1, cellType: .hex20)
        let matrix = try NeoHookean(youngsModulus: 0.5, poissonRatio: 0.2)
        let nucleus = try BiphasicMaterial(solid: matrix, permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let lam = try AnnulusLamellae(count: 1, angles: [30], xi: 10, alpha: 0, beta: 2,
                                      innerSemiAxes: SIMD2(repeating: 5), outerSemiAxes: SIMD2(repeating: 10))
        let annulusLaw = try BiphasicMaterial(solid: lam.solid(matrix: matrix, lamella: 0), permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let annulus = Set(try mesh.cells(inRegion: "annulus"))
        let axes = MaterialAxes.cylindrical(origin: (0, 0, 0), axis: (0, 0, 1))
        let materials: [BiphasicProblem.CellMaterial?] = (0..<mesh.cellCount).map { c in
            let x = AnnulusLamellae.centroid(mesh.cellCoordinates(c))
            return .init(law: annulus.contains(c) ? annulusLaw : nucleus, axes: axes.frame(at: (x.x, x.y, x.z)))
        }
        let p = try BiphasicProblem(mesh: mesh, materials: materials, finiteStrain: true)
        let sampler = try FibreStrainSampler(problem: p)
        #expect(Set(sampler.cells) == annulus)
        let s = 1.06, t = 30.0 * Double.pi / 180, r = 40.0 * Double.pi / 180
        let expected = (cos(t) * cos(t) + s * s * sin(t) * sin(t)).squareRoot() - 1
        for f in [[[1, 0, 0], [0, 1, 0], [0, 0, s]],
                  [[cos(r), -sin(r), 0], [sin(r), cos(r), 0], [0, 0, s]]] {
            let v = values(p, f)
            for k in 0..<sampler.sampleCount {
                #expect(abs(sampler.strain(sample: k, dofValues: v) - expected) <= 1e-12 * expected)
            }
        }
        // A rigid rotation alone: no fibre strain (absolute 1e-13, round-off of |R a₀| = 1).
        let v = values(p, [[cos(r), -sin(r), 0], [sin(r), cos(r), 0], [0, 0, 1]])
        let peak = try #require(sampler.peak(dofValues: v))
        #expect(abs(peak.strain) <= 1e-13)
    }

    /// A problem without fibre-reinforced cells has nothing to sample.
    @Test func noFibresNoSamples() throws {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(1, 1, 1), cellType: .hex20)
        let law = try BiphasicMaterial(solid: try NeoHookean(youngsModulus: 1, poissonRatio: 0.2), permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let sampler = try FibreStrainSampler(problem: try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: true))
        #expect(sampler.sampleCount == 0)
        #expect(sampler.peak(dofValues: [Double](repeating: 0, count: 100)) == nil)
    }
}
