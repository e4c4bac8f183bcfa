import Foundation

/// Isotropic hydraulic permeability of the solid matrix, `k(J)` in mm⁴/(N·s),
/// as a function of the volume ratio `J = det F` (1 in the reference state).
///
/// Units: 1e-15 m⁴/(N·s) = 1e-3 mm⁴/(N·s) (DESIGN.md). The permeability acts in
/// the current configuration (Darcy `w = −k ∇ₓp`), as in FEBio's biphasic
/// formulation (FEBio Theory Manual §5.7).
public enum Permeability: Sendable, Equatable {
    /// Constant `k0` (mm⁴/(N·s)).
    case constant(k0: Double)
    /// Holmes & Mow 1990 (J Biomech 23:1145), as FEBio implements it:
    /// `k = k0·((J − φ0)/(1 − φ0))^α·exp(M(J² − 1)/2)`; `k0` mm⁴/(N·s), `α`, `M` dimensionless.
    case holmesMow(k0: Double, alpha: Double, M: Double)
    /// Exponential void-ratio law of Argoubi & Shirazi-Adl 1996 (J Biomech 29:1331)
    /// for disc tissues: `k = k0·exp(M(e − e0)/(1 + e0))` with void ratio
    /// `e = (J − φ0)/φ0` and `e0 = (1 − φ0)/φ0`. LITERATURE.md values (m⁴/Ns):
    /// annulus k0 = 3e-16, e0 = 2.33, M = 12; nucleus k0 = 3e-16…7e-16, e0 = 4…2.88.
    /// (Only the exponential factor is used; the sources disagree on an extra
    /// power-law factor, LITERATURE.md.)
    case exponentialVoidRatio(k0: Double, M: Double)

    /// Checks the parameters.
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming
    ///   `permeability.k0`, `permeability.alpha` or `permeability.M`.
    public func validate() throws {
        switch self {
        case let .constant(k0): try requirePositive("permeability.k0", k0, unit: "mm^4/(N s)")
        case let .holmesMow(k0, alpha, m):
            try requirePositive("permeability.k0", k0, unit: "mm^4/(N s)")
            try requireNonNegative("permeability.alpha", alpha, unit: "dimensionless")
            try requireNonNegative("permeability.M", m, unit: "dimensionless")
        case let .exponentialVoidRatio(k0, m):
            try requirePositive("permeability.k0", k0, unit: "mm^4/(N s)")
            try requireNonNegative("permeability.M", m, unit: "dimensionless")
        }
    }

    /// True when `k` does not depend on `J`.
    public var isConstant: Bool { if case .constant = self { return true } else { return false } }

    /// `k(J)` (mm⁴/(N·s)) for solid volume fraction `phi0`; requires `J > φ0`.
    @inlinable
    public func value(J: Double, solidVolumeFraction phi0: Double) -> Double {
        switch self {
        case let .constant(k0): return k0
        case let .holmesMow(k0, alpha, m):
            return k0 * Foundation.pow((J - phi0) / (1 - phi0), alpha) * Foundation.exp(0.5 * m * (J * J - 1))
        case let .exponentialVoidRatio(k0, m):
            let e = (J - phi0) / phi0, e0 = (1 - phi0) / phi0
            return k0 * Foundation.exp(m * (e - e0) / (1 + e0))
        }
    }
}
