import Testing
import Foundation
import FiniteElements
import SparseLinearAlgebra
@testable import Biomechanics

/// Constitutive pieces of the biphasic mixture, the element tangent, and bad input.
@Suite("Biphasic materials and kernel")
struct BiphasicMaterialTests {
    @Test func holmesMowMatchesItsFormula() {
        let k = Permeability.holmesMow(k0: 2e-3, alpha: 2, M: 4)
        let j = 0.9, phi0 = 0.2
        let expected = 2e-3 * pow((j - phi0) / (1 - phi0), 2) * exp(4 * (j * j - 1) / 2)
        #expect(abs(k.value(J: j, solidVolumeFraction: phi0) - expected) <= 1e-15 * expected)
        #expect(k.value(J: 1, solidVolumeFraction: phi0) == 2e-3)
        // Argoubi & Shirazi-Adl: k0 at the reference void ratio, e = (J − φ0)/φ0.
        let a = Permeability.exponentialVoidRatio(k0: 3e-4, M: 12)
        #expect(abs(a.value(J: 1, solidVolumeFraction: 0.3) - 3e-4) <= 1e-18)
        let e = (0.95 - 0.3) / 0.3, e0 = 0.7 / 0.3
        #expect(abs(a.value(J: 0.95, solidVolumeFraction: 0.3) - 3e-4 * exp(12 * (e - e0) / (1 + e0))) <= 1e-15)
    }

    @Test func donnanPressureAndDerivative() throws {
        // LITERATURE.md mp01: c_F = −200 mM, c* = 150 mM, T = 293 K → 0.1475 MPa.
        let d = try DonnanOsmosis(fixedChargeDensity: -200, bathConcentration: 150, temperature: 293)
        let p = d.pressure(J: 1, solidVolumeFraction: 0.2)
        print("Donnan Δπ(mp01) =", p.value, "MPa (published 0.1475)")
        #expect(abs(p.value - 0.1475) <= 1e-3 * 0.1475)
        // Derivative against central differences.
        let h = 1e-6
        let fd = (d.pressure(J: 1.1 + h, solidVolumeFraction: 0.2).value - d.pressure(J: 1.1 - h, solidVolumeFraction: 0.2).value) / (2 * h)
        #expect(abs(d.pressure(J: 1.1, solidVolumeFraction: 0.2).derivative - fd) <= 1e-7 * abs(fd))
        // Dilution: c_F(J) = c_F0 φw0/(J − 1 + φw0).
        #expect(abs(d.chargeDensity(J: 1.5, solidVolumeFraction: 0.2) - (-200 * 0.8 / 1.3)) <= 1e-12)
    }

    @Test func fibreTangentMatchesFiniteDifferences() throws {
        let m = try NeoHookean(youngsModulus: 4.2, poissonRatio: 0.45)
        let law = FibreReinforcedSolid(matrix: m, fibres: [try FibreFamily(angleDegrees: 30, xi: 5, alpha: 2, beta: 2.5),
                                                            try FibreFamily(angleDegrees: -30, xi: 5, alpha: 2, beta: 2.5)])
        let axes = MaterialAxes.cylindrical(origin: (0, 0, 0), axis: (0, 0, 1)).frame(at: (10, 3, 1))
        let f = Tensor3((1.02, 0.01, 0.03), (0.0, 0.97, 0.02), (0.01, 0.04, 1.08))
        let (s, d) = try law.secondPiolaKirchhoff(deformationGradient: f, axes: axes)
        // dS/dE by central differences on C = I + 2E.
        let c = f.rightCauchyGreen
        var maxErr = 0.0, scale = 0.0
        for b in 0..<6 {
            let h = 1e-6
            func stress(_ sign: Double) throws -> SymmetricTensor {
                var e = [0.0, 0, 0, 0, 0, 0]; e[b] = sign * h
                // Engineering shear: γ = 2E_ij; C_ij = δ_ij + 2E_ij.
                let dE = SymmetricTensor(engineeringVoigt: e)
                let cp = c + 2 * dE
                // F with FᵀF = cp: use the symmetric square root via its upper Cholesky factor.
                let l11 = cp[0, 0].squareRoot(), l12 = cp[0, 1] / l11, l13 = cp[0, 2] / l11
                let l22 = (cp[1, 1] - l12 * l12).squareRoot(), l23 = (cp[1, 2] - l12 * l13) / l22
                let l33 = (cp[2, 2] - l13 * l13 - l23 * l23).squareRoot()
                let u = Tensor3((l11, l12, l13), (0, l22, l23), (0, 0, l33))
                return try law.secondPiolaKirchhoff(deformationGradient: u, axes: axes).stress
            }
            let sp = try stress(1), sm = try stress(-1)
            for a in 0..<6 {
                let fd = (sp[voigt: a] - sm[voigt: a]) / (2 * h)
                maxErr = max(maxErr, abs(fd - d[a, b])); scale = max(scale, abs(d[a, b]))
            }
        }
        print("fibre tangent: max |FD − analytic| =", maxErr, "of", scale)
        #expect(maxErr <= 1e-6 * scale)
        // Tension-only: a fibre in compression adds nothing.
        let compressed = Tensor3.diagonal(1, 0.9, 0.9)
        let (s1, _) = try law.secondPiolaKirchhoff(deformationGradient: compressed, axes: .identity)
        let (s0, _) = try m.secondPiolaKirchhoff(deformationGradient: compressed, axes: .identity)
        #expect(s1 == s0)
        _ = s
    }

    /// One hex20 cell, finite strain, neo-Hookean + Donnan osmosis, uniform
    /// pressure (so the omitted non-symmetric permeability term is exactly zero):
    /// the assembled tangent equals central differences of the residual.
    @Test func finiteStrainTangentMatchesFiniteDifferences() throws {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(1, 1, 1), cellType: .hex20)
        let law = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0.2), permeability: .holmesMow(k0: 1e-3, alpha: 2, M: 4),
                                       solidVolumeFraction: 0.2,
                                       osmosis: DonnanOsmosis(fixedChargeDensity: -250, bathConcentration: 150))
        let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: true)
        try p.prepare()
        let n = p.unknownCount
        var rng = SystemRandomNumberGenerator()
        _ = rng
        var x = [Double](repeating: 0, count: n)
        var prev = x
        for node in 0..<mesh.nodeCount {
            let X = mesh.nodes[node]
            for k in 0..<3 {
                let d = p.displacementDof(node: node, component: k)
                x[d] = 0.05 * sin(Double(3 * node + k)) * (X.x + X.y + X.z) / 3
                prev[d] = 0.5 * x[d]
            }
            if let d = p.pressureDof(node: node) { x[d] = 0.02 }
        }
        var r = [Double](repeating: 0, count: n)
        var k: SymmetricMatrix? = p.tangentPattern()
        try p.evaluate(x, previous: prev, time: 1, timeStep: 0.5, residual: &r, tangent: &k)
        var maxErr = 0.0, scale = 0.0
        for j in stride(from: 0, to: n, by: 7) {
            let h = 1e-6
            var xp = x, xm = x
            xp[j] += h; xm[j] -= h
            var rp = r, rm = r
            var none: SymmetricMatrix? = nil
            try p.evaluate(xp, previous: prev, time: 1, timeStep: 0.5, residual: &rp, tangent: &none)
            try p.evaluate(xm, previous: prev, time: 1, timeStep: 0.5, residual: &rm, tangent: &none)
            var e = [Double](repeating: 0, count: n); e[j] = 1
            let col = k!.multiply(e)
            for i in 0..<n {
                let fd = (rp[i] - rm[i]) / (2 * h)
                maxErr = max(maxErr, abs(fd - col[i])); scale = max(scale, abs(col[i]))
            }
        }
        print("u–p tangent: max |FD − analytic| =", maxErr, "of", scale)
        #expect(maxErr <= 1e-6 * scale)
    }

    @Test func badInputIsRefusedNamingTheField() throws {
        let solid = try IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0)
        #expect(throws: BiphasicError.invalidParameter(name: "permeability.k0", value: 0, expected: "a positive number (mm^4/(N s))")) {
            try BiphasicMaterial(solid: solid, permeability: .constant(k0: 0), solidVolumeFraction: 0.2)
        }
        #expect(throws: BiphasicError.invalidParameter(name: "permeability.k0", value: -1e-3, expected: "a positive number (mm^4/(N s))")) {
            try BiphasicMaterial(solid: solid, permeability: .holmesMow(k0: -1e-3, alpha: 2, M: 4), solidVolumeFraction: 0.2)
        }
        for phi in [0.0, 1.0, -0.1, 1.5, .nan] {
            do {
                _ = try BiphasicMaterial(solid: solid, permeability: .constant(k0: 1e-3), solidVolumeFraction: phi)
                Issue.record("φ0 = \(phi) accepted")
            } catch let BiphasicError.invalidParameter(name, _, _) { #expect(name == "phi0") }
        }
        #expect(throws: MaterialError.invalidParameter(name: "E", value: -4, expected: "a positive number (MPa)")) {
            try NeoHookean(youngsModulus: -4, poissonRatio: 0.2)
        }
        do {
            _ = try DonnanOsmosis(fixedChargeDensity: 200, bathConcentration: 150)
            Issue.record("positive fixed charge density accepted")
        } catch let BiphasicError.invalidParameter(name, value, expected) {
            #expect(name == "osmotic.cF0" && value == 200 && expected.contains("non-positive"))
        }
        // Equal-order (hex8) u–p is refused.
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(1, 1, 1), cellType: .hex8)
        let law = try BiphasicMaterial(solid: solid, permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        #expect(throws: BiphasicError.unstableElementPair(cell: 0, cellType: "hex8")) {
            try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: false)
        }
        // Non-positive time step.
        #expect(throws: BiphasicError.invalidTimeStep(name: "dt", value: 0)) {
            try BiphasicVerification.run(try BiphasicVerification.confinedColumn(height: 1, cells: 1, material: law, finiteStrain: false),
                                         phases: [.init(end: 1, initial: 0, max: 1, growth: 1)])
        }
    }

    /// Compressing a column faster than the fluid can leave drives J towards φ0
    /// at finite strain: the evaluation refuses J ≤ φ0 with a typed error naming
    /// the cell, Newton backtracks or the stepper cuts, and no NaN appears.
    @Test func compactionCutsTheStepInsteadOfNaN() throws {
        let law = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0), permeability: .holmesMow(k0: 1e-3, alpha: 2, M: 4),
                                       solidVolumeFraction: 0.5)
        let p = try BiphasicVerification.confinedColumn(height: 1, cells: 2, material: law, finiteStrain: true)
        let top = try p.mesh.nodes(ofSurface: "top")
        // Prescribed −0.6 mm at once: J = 0.4 < φ0 = 0.5 is inadmissible.
        p.prescribed.append(PrescribedComponent(nodes: top, component: 2, value: -0.6, curve: try LoadCurve(points: [(0, 0), (1, 1)])))
        try p.prepare()
        do {
            _ = try BiphasicVerification.run(p, phases: [.init(end: 1, initial: 1, min: 0.25, max: 1, growth: 1)])
            Issue.record("compaction below φ0 accepted")
        } catch let TimeStepperError.stepTooSmall(_, _, reason) {
            print("stepper:", reason)
            #expect(reason.contains("J =") && reason.contains("φ0 = 0.5"))
        }
        #expect(!p.compactionEvents.isEmpty)
        if case let .compactedSolid(_, j, phi) = p.compactionEvents[0] { #expect(j <= phi) } else { Issue.record("wrong event") }
    }
}
