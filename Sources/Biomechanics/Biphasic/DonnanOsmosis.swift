import Foundation

/// Donnan osmotic (swelling) pressure of a charged tissue in a salt bath.
///
/// `Δπ = RT(√(c_F² + 4c*²) − 2c*)` (ideal Donnan equilibrium, e.g. Lai, Hou &
/// Mow 1991; FEBio "Donnan equilibrium" material), with the fixed charge density
/// diluted by swelling `c_F = c_F0·φw0/(J − 1 + φw0)`, `φw0 = 1 − φ0` the
/// referential water volume fraction (LITERATURE.md).
///
/// Units: concentrations in mmol/L (mM = mEq/L for a univalent charge), `R` =
/// 8.314e-6 MPa/(mM·K), so at 310 K `RT = 2.577e-3 MPa/mM` (LITERATURE.md quotes
/// the number 2.577e-3; per mM it is in MPa·L/mmol). Check (LITERATURE.md mp01):
/// c_F = −200 mM, c* = 150 mM, T = 293 K → Δπ = 0.1475 MPa.
///
/// Sign convention (FEBio's): the fixed charge density of proteoglycan-rich
/// tissue is negative; a positive value is refused so a unit or sign slip in a
/// model file is caught rather than silently accepted.
public struct DonnanOsmosis: Sendable, Equatable {
    /// Universal gas constant in MPa/(mM·K) (8.314 J/(mol·K)).
    public static let gasConstant = 8.314e-6
    /// Referential fixed charge density `c_F0` (mM = mEq/L), ≤ 0 (negative charge).
    public let fixedChargeDensity: Double
    /// Bath (external) salt concentration `c*` (mM), > 0.
    public let bathConcentration: Double
    /// Absolute temperature (K), > 0.
    public let temperature: Double

    /// Validates `c_F0 ≤ 0`, `c* > 0`, `T > 0`.
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming
    ///   `osmotic.cF0`, `osmotic.bath` or `osmotic.T`.
    public init(fixedChargeDensity cF0: Double, bathConcentration cStar: Double, temperature t: Double = 310) throws {
        guard cF0.isFinite, cF0 <= 0 else {
            throw BiphasicError.invalidParameter(name: "osmotic.cF0", value: cF0,
                                                 expected: "a non-positive fixed charge density in mEq/L (negative for proteoglycans, FEBio convention; e.g. -250)")
        }
        try requirePositive("osmotic.bath", cStar, unit: "mM")
        try requirePositive("osmotic.T", t, unit: "K")
        fixedChargeDensity = cF0; bathConcentration = cStar; temperature = t
    }

    /// `RT` (MPa/mM).
    @inlinable public var rt: Double { Self.gasConstant * temperature }

    /// Fixed charge density (mM) at volume ratio `J` for solid fraction `phi0`.
    @inlinable public func chargeDensity(J: Double, solidVolumeFraction phi0: Double) -> Double {
        fixedChargeDensity * (1 - phi0) / (J - phi0)
    }

    /// Osmotic pressure `Δπ` (MPa) and its derivative `dΔπ/dJ` (MPa) at `J > φ0`.
    @inlinable public func pressure(J: Double, solidVolumeFraction phi0: Double) -> (value: Double, derivative: Double) {
        let c = chargeDensity(J: J, solidVolumeFraction: phi0)
        let cs = bathConcentration
        let root = (c * c + 4 * cs * cs).squareRoot()
        let value = rt * (root - 2 * cs)
        // dc/dJ = −c/(J − φ0); dΔπ/dc = RT c/root.
        let dc = -c / (J - phi0)
        return (value, rt * c / root * dc)
    }
}
