import Foundation

/// Compressible neo-Hookean solid in FEBio's form (FEBio User Manual,
/// "Neo-Hookean"):
/// `W = μ/2 (I₁ − 3) − μ ln J + λ/2 (ln J)²`, so that
/// `S = μ (I − C⁻¹) + λ ln J C⁻¹` and the material tangent
/// `ℂ = λ C⁻¹⊗C⁻¹ + 2(μ − λ ln J) 𝕀(C⁻¹)` with
/// `𝕀_ijkl = ½(C⁻¹_ik C⁻¹_jl + C⁻¹_il C⁻¹_jk)`.
/// At small strain it reduces to isotropic Hooke's law with the same `E`, `ν`.
public struct NeoHookean: SolidMaterial, Equatable {
    /// Young's modulus `E` at small strain (MPa), positive.
    public let youngsModulus: Double
    /// Poisson's ratio `ν` at small strain (dimensionless), in (−1, 0.5).
    public let poissonRatio: Double

    /// Validates `E > 0` and `−1 < ν < 0.5`.
    /// - Throws: ``MaterialError/invalidParameter(name:value:expected:)`` naming `E` or `nu`.
    public init(youngsModulus e: Double, poissonRatio nu: Double) throws {
        let linear = try IsotropicLinearElastic(youngsModulus: e, poissonRatio: nu)
        youngsModulus = linear.youngsModulus; poissonRatio = linear.poissonRatio
    }

    /// Lamé's `λ` (MPa).
    public var lambda: Double { youngsModulus * poissonRatio / ((1 + poissonRatio) * (1 - 2 * poissonRatio)) }
    /// Shear modulus `μ` (MPa).
    public var mu: Double { youngsModulus / (2 * (1 + poissonRatio)) }

    public var isLinear: Bool { false }

    public func smallStrainStiffness(axes: Tensor3) -> VoigtMatrix { isotropicStiffness(lambda: lambda, mu: mu) }

    public func secondPiolaKirchhoff(deformationGradient f: Tensor3, axes: Tensor3) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix) {
        let j = f.determinant
        guard j > 0 else { throw MaterialError.nonPositiveJacobian(J: j) }
        return try response(rightCauchyGreen: f.rightCauchyGreen)
    }

    /// Stress (MPa) and tangent (MPa) as functions of `C = FᵀF`.
    /// - Throws: ``MaterialError/nonPositiveJacobian(J:)`` when `det C ≤ 0`.
    public func response(rightCauchyGreen c: SymmetricTensor) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix) {
        let j2 = c.determinant
        guard j2 > 0 else { throw MaterialError.nonPositiveJacobian(J: j2 >= 0 ? 0 : -(-j2).squareRoot()) }
        let lnJ = 0.5 * Foundation.log(j2)
        let ci = c.inverse
        let (lam, m) = (lambda, mu)
        let s = m * (SymmetricTensor.identity - ci) + (lam * lnJ) * ci
        let g = m - lam * lnJ
        // C⁻¹ as a full 3×3 (row-major) and the Voigt pairs (xx, yy, zz, xy, yz, xz), on the
        // stack: one array allocation (the result) per call.
        var full = (ci[0, 0], ci[0, 1], ci[0, 2], ci[1, 0], ci[1, 1], ci[1, 2], ci[2, 0], ci[2, 1], ci[2, 2])
        let values = withUnsafeBytes(of: &full) { raw in
            let cf = raw.bindMemory(to: Double.self)
            return [Double](unsafeUninitializedCapacity: 36) { out, count in
                for a in 0..<6 {
                    let i = a < 3 ? a : (a == 4 ? 1 : 0), j = a < 3 ? a : (a == 3 ? 1 : 2)
                    for b in 0..<6 {
                        let k = b < 3 ? b : (b == 4 ? 1 : 0), l = b < 3 ? b : (b == 3 ? 1 : 2)
                        out[6 * a + b] = lam * cf[3 * i + j] * cf[3 * k + l] + g * (cf[3 * i + k] * cf[3 * j + l] + cf[3 * i + l] * cf[3 * j + k])
                    }
                }
                count = 36
            }
        }
        let d = VoigtMatrix(rowMajor: values)
        return (s, d)
    }
}
