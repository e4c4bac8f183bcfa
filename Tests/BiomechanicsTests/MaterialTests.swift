import Testing
import Foundation
import SparseLinearAlgebra
@testable import Biomechanics

/// Relative max-norm difference of two Voigt matrices.
func relativeDifference(_ a: VoigtMatrix, _ b: VoigtMatrix) -> Double {
    var d = 0.0
    for i in 0..<36 { d = max(d, abs(a.values[i] - b.values[i])) }
    return d / max(a.maxAbs, b.maxAbs)
}

/// Central finite difference of `S(C)` w.r.t. engineering Green–Lagrange strain.
func finiteDifferenceTangent(_ c0: SymmetricTensor, h: Double, stress: (SymmetricTensor) throws -> SymmetricTensor) rethrows -> VoigtMatrix {
    var d = VoigtMatrix()
    for b in 0..<6 {
        // Engineering strain increment h in component b ⇒ ΔC = 2h (normal) or h (shear, both entries).
        var dc = SymmetricTensor.zero
        dc[voigt: b] = b < 3 ? 2 * h : h
        let sp = try stress(c0 + dc), sm = try stress(c0 - dc)
        for a in 0..<6 { d[a, b] = (sp[voigt: a] - sm[voigt: a]) / (2 * h) }
    }
    return d
}

@Suite("Constitutive laws")
struct MaterialTests {
    let f = Tensor3((1.10, 0.05, -0.02), (0.03, 0.92, 0.07), (-0.04, 0.02, 1.05))

    @Test func neoHookeanTangentMatchesFiniteDifference() throws {
        let m = try NeoHookean(youngsModulus: 10, poissonRatio: 0.3)
        let c = f.rightCauchyGreen
        let analytic = try m.response(rightCauchyGreen: c).tangent
        let fd = try finiteDifferenceTangent(c, h: 1e-6) { try m.response(rightCauchyGreen: $0).stress }
        let err = relativeDifference(analytic, fd)
        print("neo-Hookean tangent vs finite difference: relative error \(err)")
        #expect(err < 1e-6)
        // Major symmetry ℂ_abcd = ℂ_cdab.
        for a in 0..<6 { for b in 0..<6 { #expect(abs(analytic[a, b] - analytic[b, a]) <= 1e-12 * analytic.maxAbs) } }
    }

    @Test func stVenantKirchhoffTangentMatchesFiniteDifference() throws {
        let m = try OrthotropicLinearElastic(E1: 20, E2: 5, E3: 8, nu12: 0.3, nu13: 0.25, nu23: 0.2, G12: 3, G13: 4, G23: 2)
        let axes = MaterialAxes.cylindrical(origin: (0, 0, 0), axis: (0, 0, 1)).frame(at: (3, 4, 1))
        let c = f.rightCauchyGreen
        // S(C) through a deformation gradient with the same C: use F = U = any with FᵀF = C; S depends on C only.
        let d = m.smallStrainStiffness(axes: axes)
        let fd = finiteDifferenceTangent(c, h: 1e-6) { cc in d.apply(engineering: (0.5 * (cc - .identity)).engineeringVoigt) }
        #expect(relativeDifference(d, fd) < 1e-6)
        let response = try m.secondPiolaKirchhoff(deformationGradient: f, axes: axes)
        #expect(relativeDifference(response.tangent, fd) < 1e-6)
    }

    @Test func neoHookeanUniaxialClosedForm() throws {
        // F = diag(λ1, λ2, λ2): S11 = μ(1 − λ1⁻²) + λ ln J λ1⁻², J = λ1 λ2².
        let m = try NeoHookean(youngsModulus: 1.5, poissonRatio: 0.35)
        for (l1, l2) in [(1.3, 0.9), (0.7, 1.1), (2.0, 0.8)] {
            let s = try m.secondPiolaKirchhoff(deformationGradient: .diagonal(l1, l2, l2), axes: .identity).stress
            let lnJ = log(l1 * l2 * l2)
            let s11 = m.mu * (1 - 1 / (l1 * l1)) + m.lambda * lnJ / (l1 * l1)
            let s22 = m.mu * (1 - 1 / (l2 * l2)) + m.lambda * lnJ / (l2 * l2)
            #expect(abs(s[voigt: 0] - s11) <= 1e-12 * abs(s11))
            #expect(abs(s[voigt: 1] - s22) <= 1e-12 * max(abs(s22), 1e-12))
            #expect(abs(s[voigt: 3]) < 1e-15)
        }
    }

    @Test func neoHookeanReducesToHookeAtSmallStrain() throws {
        let m = try NeoHookean(youngsModulus: 7, poissonRatio: 0.2)
        let linear = try IsotropicLinearElastic(youngsModulus: 7, poissonRatio: 0.2)
        let d0 = try m.secondPiolaKirchhoff(deformationGradient: .identity, axes: .identity).tangent
        #expect(relativeDifference(d0, linear.smallStrainStiffness(axes: .identity)) < 1e-14)
    }

    @Test func isotropicUniaxialStressGivesYoungsModulus() throws {
        // Invert D with LAPACK: the compliance's 1/S11 is E and −S12/S11 is ν.
        let m = try IsotropicLinearElastic(youngsModulus: 12_000, poissonRatio: 0.3)
        let s = try inverse(m.smallStrainStiffness(axes: .identity))
        #expect(abs(1 / s[0, 0] - 12_000) < 1e-9 * 12_000)
        #expect(abs(-s[0, 1] / s[0, 0] - 0.3) < 1e-12)
        #expect(abs(1 / s[3, 3] - m.mu) < 1e-9 * m.mu)
    }

    @Test func orthotropicComplianceInverseIsStiffness() throws {
        let m = try OrthotropicLinearElastic(E1: 20, E2: 5, E3: 8, nu12: 0.3, nu13: 0.25, nu23: 0.2, G12: 3, G13: 4, G23: 2)
        let inv = try inverse(m.compliance)
        let err = relativeDifference(inv, m.localStiffness)
        print("orthotropic: ‖S⁻¹ − D‖/‖D‖ = \(err)")
        #expect(err < 1e-13)
    }

    @Test func orthotropicRotationPreservesEnergy() throws {
        // Energy ½ εᵀDε is frame-invariant: global strain in global D equals local strain in local D.
        let m = try OrthotropicLinearElastic(E1: 20, E2: 5, E3: 8, nu12: 0.3, nu13: 0.25, nu23: 0.2, G12: 3, G13: 4, G23: 2)
        let q = MaterialAxes.cylindrical(origin: (1, 2, 0), axis: (0.2, 0.1, 1)).frame(at: (4, -3, 2))
        let eps = SymmetricTensor(xx: 0.01, yy: -0.004, zz: 0.002, xy: 0.003, yz: -0.001, xz: 0.0025)
        let globalStress = m.smallStrainStiffness(axes: q).apply(engineering: eps.engineeringVoigt)
        let local = eps.rotatedToLocal(q)
        let localStress = m.localStiffness.apply(engineering: local.engineeringVoigt)
        let w1 = zip(globalStress.engineeringVoigt.prefix(3) + [0, 0, 0], eps.engineeringVoigt).map(*).reduce(0, +)
            + 2 * (globalStress[voigt: 3] * eps[voigt: 3] + globalStress[voigt: 4] * eps[voigt: 4] + globalStress[voigt: 5] * eps[voigt: 5])
        let w2 = (0..<3).map { localStress[voigt: $0] * local[voigt: $0] }.reduce(0, +)
            + 2 * (localStress[voigt: 3] * local[voigt: 3] + localStress[voigt: 4] * local[voigt: 4] + localStress[voigt: 5] * local[voigt: 5])
        #expect(abs(w1 - w2) < 1e-13 * abs(w2))
        // And the stress rotates as a tensor.
        let back = globalStress.rotatedToLocal(q)
        for v in 0..<6 { #expect(abs(back[voigt: v] - localStress[voigt: v]) < 1e-12) }
    }

    @Test func invalidParametersAreNamed() {
        #expect(throws: MaterialError.invalidParameter(name: "E", value: -4, expected: "a positive number (MPa)")) {
            try IsotropicLinearElastic(youngsModulus: -4, poissonRatio: 0.3)
        }
        #expect(throws: MaterialError.invalidParameter(name: "nu", value: 0.5, expected: "a number in (-1, 0.5)")) {
            try NeoHookean(youngsModulus: 1, poissonRatio: 0.5)
        }
        #expect(throws: MaterialError.invalidParameter(name: "nu", value: -1, expected: "a number in (-1, 0.5)")) {
            try IsotropicLinearElastic(youngsModulus: 1, poissonRatio: -1)
        }
        #expect(throws: MaterialError.invalidParameter(name: "G13", value: 0, expected: "a positive number (MPa)")) {
            try OrthotropicLinearElastic(E1: 1, E2: 1, E3: 1, nu12: 0.3, nu13: 0.3, nu23: 0.3, G12: 1, G13: 0, G23: 1)
        }
        // Each pairwise bound holds (|ν| < 1) but the 3×3 determinant is negative.
        do {
            _ = try OrthotropicLinearElastic(E1: 1, E2: 1, E3: 1, nu12: 0.7, nu13: 0.7, nu23: 0.7, G12: 1, G13: 1, G23: 1)
            Issue.record("expected notPositiveDefinite")
        } catch let MaterialError.notPositiveDefinite(detail) {
            #expect(detail.contains("nu12 = 0.7"))
        } catch { Issue.record("unexpected \(error)") }
        do {
            _ = try OrthotropicLinearElastic(E1: 1, E2: 4, E3: 1, nu12: 0.6, nu13: 0.1, nu23: 0.1, G12: 1, G13: 1, G23: 1)
            Issue.record("expected invalidParameter nu12")
        } catch let MaterialError.invalidParameter(name, value, _) {
            #expect(name == "nu12" && value == 0.6)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func invertedDeformationIsRefused() throws {
        let m = try NeoHookean(youngsModulus: 1, poissonRatio: 0.3)
        #expect(throws: MaterialError.self) { try m.secondPiolaKirchhoff(deformationGradient: .diagonal(1, 1, -0.5), axes: .identity) }
    }
}

/// Dense inverse through LAPACK `dgesv` (the independent reference).
func inverse(_ a: VoigtMatrix) throws -> VoigtMatrix {
    var dense = DenseMatrix(rows: 6, columns: 6)
    for i in 0..<6 { for j in 0..<6 { dense[i, j] = a[i, j] } }
    var identity = [Double](repeating: 0, count: 36)
    for i in 0..<6 { identity[i * 7] = 1 }
    let x = try dense.solve(identity, count: 6)
    var out = VoigtMatrix()
    for i in 0..<6 { for j in 0..<6 { out[i, j] = x[i + 6 * j] } }
    return out
}
