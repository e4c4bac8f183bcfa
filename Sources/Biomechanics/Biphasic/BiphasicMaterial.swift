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
    /// True for a solid without pore fluid in a biphasic model (``init(solidOnly:)``): bone next
    /// to the disc. Its cells add only the solid's effective stress; they carry no fluid
    /// pressure, flow or mass balance, and ``permeability`` (0) and ``solidVolumeFraction`` (0)
    /// are not used but to refuse `J ≤ 0`.
    public let isSolidOnly: Bool

    /// Validates `φ0 ∈ (0, 1)` and the permeability.
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming `phi0` or the permeability field.
    public init(solid: any SolidMaterial, permeability: Permeability, solidVolumeFraction phi0: Double, osmosis: DonnanOsmosis? = nil) throws {
        guard phi0.isFinite, phi0 > 0, phi0 < 1 else {
            throw BiphasicError.invalidParameter(name: "phi0", value: phi0, expected: "a solid volume fraction in (0, 1)")
        }
        try permeability.validate()
        self.solid = solid; self.permeability = permeability; solidVolumeFraction = phi0; self.osmosis = osmosis
        isSolidOnly = false
    }

    /// A solid without pore fluid inside a biphasic problem — the vertebral bone of a motion
    /// segment whose disc is biphasic. Its cells contribute the solid's effective stress only:
    /// no `−p I`, no Darcy flow, no mass balance. Pressures are continuous at the nodes it
    /// shares with fluid-carrying cells, where the fluid cells alone decide them (the disc's
    /// total stress loads the shared nodes); a pressure unknown that only solid-only cells
    /// touch carries no equation and ``BiphasicProblem/prepare()`` holds it at 0.
    public init(solidOnly solid: any SolidMaterial) {
        self.solid = solid; permeability = .constant(k0: 0); solidVolumeFraction = 0; osmosis = nil
        isSolidOnly = true
    }
}
