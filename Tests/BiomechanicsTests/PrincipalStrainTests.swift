import Testing
import Foundation
@testable import Biomechanics
import FiniteElements

/// ``BiphasicProblem/principalStrainExtremes(state:time:cells:)`` on affine displacement fields
/// (every node prescribed), against the principal strains computed by hand.
@Suite("Principal strains")
struct PrincipalStrainTests {
    /// A solid-only hex20 unit cube with every displacement prescribed from `field`.
    static func extremes(finiteStrain: Bool, _ field: (SIMD3<Double>) -> SIMD3<Double>) throws -> (minimum: Double, maximum: Double) {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(1, 1, 1), cellType: .hex20)
        let bone = BiphasicMaterial(solidOnly: try IsotropicLinearElastic(youngsModulus: 400, poissonRatio: 0.3))
        let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: bone)], finiteStrain: finiteStrain)
        for node in 0..<mesh.nodeCount {
            let u = field(mesh.nodes[node])
            for k in 0..<3 { p.prescribed.append(PrescribedComponent(nodes: [node], component: k, value: u[k])) }
        }
        try p.prepare()
        return try p.principalStrainExtremes(state: p.initialState(), time: 0, cells: [0])
    }

    /// Stretches (α, β, γ) = (0.01, −0.02, 0.005): small strain (−0.02, 0.01); Green–Lagrange
    /// `λ − 1 + (λ − 1)²/2`: (−0.0198, 0.01005); within 1e-12.
    @Test func stretches() throws {
        let f: (SIMD3<Double>) -> SIMD3<Double> = { SIMD3(0.01 * $0.x, -0.02 * $0.y, 0.005 * $0.z) }
        let small = try Self.extremes(finiteStrain: false, f), green = try Self.extremes(finiteStrain: true, f)
        #expect(abs(small.minimum + 0.02) <= 1e-12 && abs(small.maximum - 0.01) <= 1e-12)
        #expect(abs(green.minimum - (-0.02 + 0.0002)) <= 1e-12 && abs(green.maximum - (0.01 + 0.00005)) <= 1e-12)
    }

    /// Simple shear `u = (κ y, 0, 0)`, κ = 0.04: small strain ±κ/2; Green–Lagrange
    /// `κ²/4 ± √(κ⁴/16 + κ²/4)`; within 1e-12.
    @Test func simpleShear() throws {
        let kappa = 0.04
        let f: (SIMD3<Double>) -> SIMD3<Double> = { SIMD3(kappa * $0.y, 0, 0) }
        let small = try Self.extremes(finiteStrain: false, f), green = try Self.extremes(finiteStrain: true, f)
        #expect(abs(small.minimum + kappa / 2) <= 1e-12 && abs(small.maximum - kappa / 2) <= 1e-12)
        let r = (pow(kappa, 4) / 16 + kappa * kappa / 4).squareRoot()
        #expect(abs(green.minimum - (kappa * kappa / 4 - r)) <= 1e-12 && abs(green.maximum - (kappa * kappa / 4 + r)) <= 1e-12)
    }
}
