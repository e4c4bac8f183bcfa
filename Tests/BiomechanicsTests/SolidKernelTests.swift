import Testing
import Foundation
@testable import Biomechanics

/// Physical gradients and jxw of a trilinear hex (2×2×2 Gauss), computed here
/// independently of FiniteElements: corners in VTK order.
func hex8Data(_ x: [SIMD3<Double>]) -> (gradients: [Double], jxw: [Double]) {
    let signs: [SIMD3<Double>] = [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]]
    let gp = 1 / 3.0.squareRoot()
    var grads: [Double] = [], jxw: [Double] = []
    for qz in [-gp, gp] { for qy in [-gp, gp] { for qx in [-gp, gp] {
        let xi = SIMD3(qx, qy, qz)
        var dref = [SIMD3<Double>](repeating: .zero, count: 8)
        for a in 0..<8 {
            let s = signs[a]
            let f = SIMD3(1 + s.x * xi.x, 1 + s.y * xi.y, 1 + s.z * xi.z)
            dref[a] = SIMD3(s.x * f.y * f.z, f.x * s.y * f.z, f.x * f.y * s.z) / 8
        }
        // J[i][j] = ∂x_i/∂ξ_j
        var j = [[Double]](repeating: [0, 0, 0], count: 3)
        for a in 0..<8 { for i in 0..<3 { for k in 0..<3 { j[i][k] += x[a][i] * dref[a][k] } } }
        let det = j[0][0] * (j[1][1] * j[2][2] - j[1][2] * j[2][1]) - j[0][1] * (j[1][0] * j[2][2] - j[1][2] * j[2][0]) + j[0][2] * (j[1][0] * j[2][1] - j[1][1] * j[2][0])
        var inv = [[Double]](repeating: [0, 0, 0], count: 3)
        for r in 0..<3 { for c in 0..<3 {
            let r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3
            inv[r][c] = (j[r1][c1] * j[r2][c2] - j[r1][c2] * j[r2][c1]) / det
        } }
        // ∂N/∂x_d = Σ_k ∂N/∂ξ_k (J⁻¹)_{k d}
        for a in 0..<8 { for d in 0..<3 { grads.append((0..<3).map { dref[a][$0] * inv[$0][d] }.reduce(0, +)) } }
        jxw.append(det)
    } } }
    return (grads, jxw)
}

let distortedHex: [SIMD3<Double>] = [[0, 0, 0], [2.1, 0.1, -0.1], [2.0, 1.9, 0.2], [-0.1, 2.0, 0], [0.1, -0.1, 1.8], [2.2, 0, 2.1], [1.9, 2.2, 2.0], [0, 1.9, 2.2]]

@Suite("Solid element kernels")
struct SolidKernelTests {
    func evaluate(_ u: [Double], material: some SolidMaterial, finite: Bool, withK: Bool) throws -> ([Double], [Double]) {
        let (g, w) = hex8Data(distortedHex)
        var f = [Double](repeating: 0, count: 24), k = [Double](repeating: 0, count: 576)
        try g.withUnsafeBufferPointer { gp in try w.withUnsafeBufferPointer { wp in try u.withUnsafeBufferPointer { up in
            try f.withUnsafeMutableBufferPointer { fp in try k.withUnsafeMutableBufferPointer { kp in
                if finite {
                    try SolidKernel.finiteStrain(nodeCount: 8, quadratureCount: 8, gradients: gp, jxw: wp, displacement: up, material: material,
                                                 axes: .identity, force: fp, stiffness: withK ? kp : nil)
                } else {
                    SolidKernel.smallStrain(nodeCount: 8, quadratureCount: 8, gradients: gp, jxw: wp, displacement: up,
                                            elasticity: material.smallStrainStiffness(axes: .identity), force: fp, stiffness: withK ? kp : nil)
                }
            } }
        } } }
        return (f, k)
    }

    @Test(arguments: [true, false])
    func tangentIsDerivativeOfForce(finite: Bool) throws {
        let m = try NeoHookean(youngsModulus: 3, poissonRatio: 0.3)
        let u = (0..<24).map { 0.15 * sin(Double($0) * 1.7 + 0.3) }
        let (_, k) = try evaluate(u, material: m, finite: finite, withK: true)
        var maxErr = 0.0, maxK = 0.0
        let h = 1e-6
        for j in 0..<24 {
            var up = u, um = u
            up[j] += h; um[j] -= h
            let fp = try evaluate(up, material: m, finite: finite, withK: false).0
            let fm = try evaluate(um, material: m, finite: finite, withK: false).0
            for i in 0..<24 {
                maxErr = max(maxErr, abs((fp[i] - fm[i]) / (2 * h) - k[i * 24 + j]))
                maxK = max(maxK, abs(k[i * 24 + j]))
            }
        }
        print("element tangent vs FD (finite: \(finite)): relative error \(maxErr / maxK)")
        #expect(maxErr / maxK < 1e-6)
        for i in 0..<24 { for j in 0..<i { #expect(abs(k[i * 24 + j] - k[j * 24 + i]) <= 1e-12 * maxK) } }
    }

    @Test func rigidMotionsAreStressFree() throws {
        let m = try IsotropicLinearElastic(youngsModulus: 5, poissonRatio: 0.25)
        // Translation: no force in either kinematics.
        let t = (0..<8).flatMap { _ in [0.3, -0.2, 0.5] }
        for finite in [true, false] {
            let f = try evaluate(t, material: m, finite: finite, withK: false).0
            #expect(f.allSatisfy { abs($0) < 1e-13 })
        }
        // Finite rotation by 40° about z: exactly stress-free in the finite-strain kernel.
        let c = cos(0.7), s = sin(0.7)
        let rot: [Double] = distortedHex.flatMap { (x: SIMD3<Double>) -> [Double] in [c * x.x - s * x.y - x.x, s * x.x + c * x.y - x.y, 0.0] }
        let f = try evaluate(rot, material: try NeoHookean(youngsModulus: 5, poissonRatio: 0.25), finite: true, withK: false).0
        #expect(f.allSatisfy { abs($0) < 1e-12 })
    }
}
