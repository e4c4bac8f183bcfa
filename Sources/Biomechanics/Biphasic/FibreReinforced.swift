import Foundation

/// One family of tension-only collagen fibres with FEBio's exponential-power
/// law ("fiber-exp-pow", FEBio User Manual §4.1.3):
/// `Ψ = ξ/(αβ)·(exp[α(Iₙ − 1)^β] − 1)` for `Iₙ = a₀·C a₀ > 1`, zero otherwise
/// (fibres carry no compression); `α = 0` gives the power law `Ψ = ξ/β (Iₙ − 1)^β`.
///
/// Annulus use (LITERATURE.md): families at ±30° to the transverse plane in
/// alternating lamellae — one family per lamella, see ``AnnulusLamellae``; with
/// cylindrical material axes (1 radial, 2 circumferential, 3 axial) the direction
/// is `cos θ e₂ + sin θ e₃`.
public struct FibreFamily: Sendable, Equatable {
    /// Fibre direction in the material axes (unit vector).
    public let direction: SIMD3<Double>
    /// Modulus-like coefficient `ξ` (MPa), ≥ 0.
    public let xi: Double
    /// Exponential coefficient `α` (dimensionless), ≥ 0.
    public let alpha: Double
    /// Power `β` (dimensionless), ≥ 2 (a smooth tangent at `Iₙ = 1`).
    public let beta: Double

    /// A family at angle `angle` (degrees) from the circumferential axis (material
    /// axis 2) towards the axial axis (3).
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming `fibres.xi`, `fibres.alpha`, `fibres.beta`.
    public init(angleDegrees angle: Double, xi: Double, alpha: Double, beta: Double) throws {
        guard angle.isFinite else { throw BiphasicError.invalidParameter(name: "fibres.angle", value: angle, expected: "a finite angle in degrees") }
        try requireNonNegative("fibres.xi", xi, unit: "MPa")
        try requireNonNegative("fibres.alpha", alpha, unit: "dimensionless")
        guard beta.isFinite, beta >= 2 else { throw BiphasicError.invalidParameter(name: "fibres.beta", value: beta, expected: "a number ≥ 2") }
        let t = angle * Double.pi / 180
        direction = SIMD3(0, Foundation.cos(t), Foundation.sin(t))
        self.xi = xi; self.alpha = alpha; self.beta = beta
    }

    /// `∂Ψ/∂Iₙ` (MPa) and `∂²Ψ/∂Iₙ²` (MPa) at `Iₙ` (zero in compression).
    @inlinable public func derivatives(_ i: Double) -> (Double, Double) {
        let d = i - 1
        guard d > 0 else { return (0, 0) }
        let e = alpha == 0 ? 1.0 : Foundation.exp(alpha * Foundation.pow(d, beta))
        let first = xi * Foundation.pow(d, beta - 1) * e
        let second = xi * e * ((beta - 1) * Foundation.pow(d, beta - 2) + alpha * beta * Foundation.pow(d, 2 * beta - 2))
        return (first, second)
    }
}

/// A ground matrix plus tension-only fibre families: `S = S_matrix + Σ 2Ψ'(Iₙ) a⊗a`,
/// `ℂ = ℂ_matrix + Σ 4Ψ''(Iₙ) a⊗a⊗a⊗a` (total Lagrangian; `a` the fibre direction in
/// global axes). At small strain only the matrix responds (the fibres are
/// tension-only, a nonlinear effect): use finite strain for the annulus.
public struct FibreReinforcedSolid: SolidMaterial {
    /// The ground substance (e.g. neo-Hookean, annulus E = 4.2 MPa, ν = 0.45).
    public let matrix: any SolidMaterial
    /// The fibre families.
    public let fibres: [FibreFamily]

    /// A fibre-reinforced solid.
    public init(matrix: any SolidMaterial, fibres: [FibreFamily]) { self.matrix = matrix; self.fibres = fibres }

    public var isLinear: Bool { false }

    public func smallStrainStiffness(axes: Tensor3) -> VoigtMatrix { matrix.smallStrainStiffness(axes: axes) }

    public func secondPiolaKirchhoff(deformationGradient f: Tensor3, axes: Tensor3) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix) {
        var (s, d) = try matrix.secondPiolaKirchhoff(deformationGradient: f, axes: axes)
        let c = f.rightCauchyGreen
        for family in fibres {
            let l = family.direction
            let a = SIMD3(axes[0, 0] * l.x + axes[0, 1] * l.y + axes[0, 2] * l.z,
                          axes[1, 0] * l.x + axes[1, 1] * l.y + axes[1, 2] * l.z,
                          axes[2, 0] * l.x + axes[2, 1] * l.y + axes[2, 2] * l.z)
            // Iₙ = a·C a.
            let ca = SIMD3(c[voigt: 0] * a.x + c[voigt: 3] * a.y + c[voigt: 5] * a.z,
                           c[voigt: 3] * a.x + c[voigt: 1] * a.y + c[voigt: 4] * a.z,
                           c[voigt: 5] * a.x + c[voigt: 4] * a.y + c[voigt: 2] * a.z)
            let i = (a * ca).sum()
            let (d1, d2) = family.derivatives(i)
            guard d1 != 0 || d2 != 0 else { continue }
            let aa = SymmetricTensor(xx: a.x * a.x, yy: a.y * a.y, zz: a.z * a.z, xy: a.x * a.y, yz: a.y * a.z, xz: a.x * a.z)
            s = s + (2 * d1) * aa
            let f4 = 4 * d2
            d.values.withUnsafeMutableBufferPointer { dv in
                for r in 0..<6 {
                    let ar = f4 * aa[voigt: r]
                    for k in 0..<6 { dv[6 * r + k] += ar * aa[voigt: k] }
                }
            }
        }
        return (s, d)
    }
}
