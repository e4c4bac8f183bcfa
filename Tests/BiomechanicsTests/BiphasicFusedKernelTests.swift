import Testing
import Foundation
import FiniteElements
@testable import Biomechanics

/// The fused finite-strain u–p kernel (``BiphasicKernel/evaluateFiniteStrain``) against
/// the generic path it replaces in ``BiphasicProblem`` (``SolidKernel/finiteStrain`` +
/// ``BiphasicKernel/evaluate`` with `finiteStrain: true`): the two are algebraically
/// identical (pressure terms pulled back into `S` and `ℂ`), so they must agree to round-off.
@Suite("Fused finite-strain biphasic kernel")
struct BiphasicFusedKernelTests {
    struct Result { var residual: [Double]; var stiffness: [Double] }

    /// One distorted hex20 cell, a deformation with stretched fibres (tension) and a
    /// pressure field; both kernels evaluated on the same inputs.
    func evaluateBoth(law: BiphasicMaterial, axes: Tensor3, amplitude: Double, withStiffness: Bool) throws -> (fused: Result, generic: Result) {
        let mesh = try MeshGenerator.box(size: SIMD3(2, 1.5, 1), cells: SIMD3(1, 1, 1), cellType: .hex20)
        var cv = CellValues(cellType: .hex20)
        try cv.reinit(mesh: mesh, cell: 0)
        let table = ShapeTable(cellType: .hex8, rule: ShapeTable.cached(.hex20, degree: CellType.hex20.defaultQuadratureDegree).rule)
        var pg = [Double](repeating: 0, count: cv.quadratureCount * table.basisCount * 3)
        pg.withUnsafeMutableBufferPointer { cv.physicalGradients(of: table, into: $0) }
        let n = 20, m = 8, nu = 60, nt = 68, nq = cv.quadratureCount
        let nodes = Array(mesh.cellNodes(0))
        // Uniaxial stretch along the fibres' plane plus a pseudo-random perturbation.
        var u = [Double](repeating: 0, count: nu), u0 = u
        for a in 0..<n {
            let x = mesh.nodes[nodes[a]]
            for i in 0..<3 {
                let smooth = i == 1 ? 0.12 * x.y : (i == 2 ? 0.08 * x.z : -0.03 * x.x)
                u[3 * a + i] = smooth + amplitude * sin(Double(7 * a + 3 * i) * 1.37 + 0.4)
                u0[3 * a + i] = 0.6 * u[3 * a + i] + 0.01 * cos(Double(a + i))
            }
        }
        let p = (0..<m).map { 0.05 + 0.02 * sin(Double($0) * 2.1) }
        var fused = Result(residual: .init(repeating: 0, count: nt), stiffness: .init(repeating: 0, count: nt * nt))
        var generic = fused
        var sf = [Double](repeating: 0, count: nu), sk = [Double](repeating: 0, count: nu * nu)
        try cv.gradients.withUnsafeBufferPointer { g in try cv.jxw.withUnsafeBufferPointer { w in try pg.withUnsafeBufferPointer { pgp in
        try table.values.withUnsafeBufferPointer { pv in
        try u.withUnsafeBufferPointer { up in try u0.withUnsafeBufferPointer { u0p in try p.withUnsafeBufferPointer { pp in
            try fused.residual.withUnsafeMutableBufferPointer { r in try fused.stiffness.withUnsafeMutableBufferPointer { k in
                try BiphasicKernel.evaluateFiniteStrain(cell: 0, nodeCount: n, pressureCount: m, quadratureCount: nq, gradients: g,
                                                        pressureValues: pv, pressureGradients: pgp, jxw: w, displacement: up,
                                                        previousDisplacement: u0p, pressure: pp, timeStep: 0.7, material: law, axes: axes,
                                                        residual: r, stiffness: withStiffness ? k : nil)
            } }
            try sf.withUnsafeMutableBufferPointer { f in try sk.withUnsafeMutableBufferPointer { k in
                try SolidKernel.finiteStrain(nodeCount: n, quadratureCount: nq, gradients: g, jxw: w, displacement: up, material: law.solid,
                                             axes: axes, force: f, stiffness: withStiffness ? k : nil)
            } }
            try sf.withUnsafeBufferPointer { f in try sk.withUnsafeBufferPointer { ks in
            try generic.residual.withUnsafeMutableBufferPointer { r in try generic.stiffness.withUnsafeMutableBufferPointer { k in
                try BiphasicKernel.evaluate(cell: 0, nodeCount: n, pressureCount: m, quadratureCount: nq, gradients: g, pressureValues: pv,
                                            pressureGradients: pgp, jxw: w, displacement: up, previousDisplacement: u0p, pressure: pp,
                                            timeStep: 0.7, material: law, finiteStrain: true, solidForce: f,
                                            solidStiffness: withStiffness ? ks : nil, residual: r, stiffness: withStiffness ? k : nil)
            } } } }
        } } } } } } }
        return (fused, generic)
    }

    /// Largest |a − b| over the largest |b| (relative to the block's scale).
    func relativeDifference(_ a: [Double], _ b: [Double], _ indices: some Sequence<Int>) -> Double {
        var diff = 0.0, scale = 0.0
        for i in indices { diff = max(diff, abs(a[i] - b[i])); scale = max(scale, abs(b[i])) }
        return scale == 0 ? diff : diff / scale
    }

    @Test(arguments: [false, true])
    func fusedKernelMatchesGenericPath(fibres: Bool) throws {
        let matrix = try NeoHookean(youngsModulus: 4.2, poissonRatio: 0.45)
        let solid: any SolidMaterial = fibres
            ? FibreReinforcedSolid(matrix: matrix, fibres: [try FibreFamily(angleDegrees: 30, xi: 5, alpha: 2, beta: 2.5),
                                                             try FibreFamily(angleDegrees: -30, xi: 3, alpha: 0, beta: 2)])
            : matrix
        let law = try BiphasicMaterial(solid: solid, permeability: .exponentialVoidRatio(k0: 3e-4, M: 12), solidVolumeFraction: 0.3,
                                       osmosis: DonnanOsmosis(fixedChargeDensity: -250, bathConcentration: 150))
        // Cylindrical-like axes: a rotation about z by 0.4 rad.
        let (c, s) = (cos(0.4), sin(0.4))
        let axes = Tensor3((c, -s, 0), (s, c, 0), (0, 0, 1))
        let nu = 60, nt = 68
        for withStiffness in [true, false] {
            let (fused, generic) = try evaluateBoth(law: law, axes: axes, amplitude: 0.04, withStiffness: withStiffness)
            print("fused vs generic (fibres \(fibres), K \(withStiffness)): R_u", relativeDifference(fused.residual, generic.residual, 0..<nu), "R_p", relativeDifference(fused.residual, generic.residual, nu..<nt), "K", relativeDifference(fused.stiffness, generic.stiffness, 0..<nt * nt))
            // Round-off only: 1e-12 of each block's largest entry.
            #expect(relativeDifference(fused.residual, generic.residual, 0..<nu) < 1e-12)
            #expect(relativeDifference(fused.residual, generic.residual, nu..<nt) < 1e-12)
            guard withStiffness else { continue }
            let uu = (0..<nu).flatMap { r in (0..<nu).map { r * nt + $0 } }
            let up = (0..<nu).flatMap { r in (nu..<nt).map { r * nt + $0 } } + (nu..<nt).flatMap { r in (0..<nu).map { r * nt + $0 } }
            let pp = (nu..<nt).flatMap { r in (nu..<nt).map { r * nt + $0 } }
            #expect(relativeDifference(fused.stiffness, generic.stiffness, uu) < 1e-12)
            #expect(relativeDifference(fused.stiffness, generic.stiffness, up) < 1e-12)
            #expect(relativeDifference(fused.stiffness, generic.stiffness, pp) < 1e-12)
        }
    }

    @Test func fusedKernelRefusesCompaction() throws {
        let law = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0.2), permeability: .constant(k0: 1e-3),
                                       solidVolumeFraction: 0.3)
        // A large perturbation inverts points: J ≤ φ0 must be reported as compaction of cell 0.
        #expect {
            _ = try evaluateBoth(law: law, axes: .identity, amplitude: 0.9, withStiffness: true)
        } throws: { error in
            guard case let BiphasicError.compactedSolid(cell, j, phi0) = error else { return false }
            return cell == 0 && j <= phi0 && phi0 == 0.3
        }
    }
}
