/// A biphasic mixture: a porous solid saturated by an incompressible fluid,
/// both constituents intrinsically incompressible (Biot coefficient 1, no
/// storage), with optional Donnan osmotic swelling.
///
/// Total Cauchy stress `σ = σ_e(F) − (p + Δπ(J)) I`, where `σ_e` is the solid's
/// effective stress, `p` the (effective) fluid pressure that drives Darcy flow
/// `w = −k(J) ∇ₓp`, and `Δπ` the Donnan osmotic pressure (zero without
/// ``osmosis``). A needle transducer reads `p + Δπ` (the reported intradiscal pressure).
///
/// ```swift
/// let np = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0.2),
///                               permeability: .holmesMow(k0: 1e-3, alpha: 2, M: 4),
///                               solidVolumeFraction: 0.2)
/// ```
public struct BiphasicMaterial: Sendable {
    /// The solid matrix's effective-stress law.
    public let solid: any SolidMaterial
    /// Permeability law.
    public let permeability: Permeability
    /// Referential solid volume fraction `φ0` (dimensionless), in (0, 1).
    public let solidVolumeFraction: Double
    /// Donnan osmotic swelling (nil: uncharged tissue).
    public let osmosis: DonnanOsmosis?

    /// Validates `φ0 ∈ (0, 1)` and the permeability.
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming `phi0` or the permeability field.
    public init(solid: any SolidMaterial, permeability: Permeability, solidVolumeFraction phi0: Double, osmosis: DonnanOsmosis? = nil) throws {
        guard phi0.isFinite, phi0 > 0, phi0 < 1 else {
            throw BiphasicError.invalidParameter(name: "phi0", value: phi0, expected: "a solid volume fraction in (0, 1)")
        }
        try permeability.validate()
        self.solid = solid; self.permeability = permeability; solidVolumeFraction = phi0; self.osmosis = osmosis
    }
}
