/// Why a biphasic (poroelastic) material, problem or step was refused.
///
/// Every case names the offending field (by the name a model file uses), the
/// value, and what was expected.
public enum BiphasicError: Error, Equatable, CustomStringConvertible {
    /// A material parameter is outside its admissible range.
    case invalidParameter(name: String, value: Double, expected: String)
    /// The solid is compacted to its solid volume: `J ≤ φ0` at a quadrature point
    /// of `cell` (no pore space left; permeability and Donnan laws undefined).
    case compactedSolid(cell: Int, J: Double, solidVolumeFraction: Double)
    /// A cell's element pair is not inf–sup stable (equal-order u–p without stabilization).
    case unstableElementPair(cell: Int, cellType: String)
    /// A cell has no biphasic material.
    case cellWithoutMaterial(cell: Int)
    /// A time step is not a positive finite number of seconds.
    case invalidTimeStep(name: String, value: Double)
    /// A node listed for a pressure condition carries no pressure dof.
    case nodeWithoutPressure(node: Int)
    /// Free swelling cannot be posed on this problem (`reason` says why: no bath surface,
    /// unequal bath pressures, no fixed charge).
    case freeSwellingImpossible(reason: String)
    /// Free swelling did not reach equilibrium (`residual` > `tolerance`) within `maxDuration` (s).
    case freeSwellingNotConverged(maxDuration: Double, residual: Double, tolerance: Double)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, expected): return "\(name): expected \(expected), got \(value)"
        case let .compactedSolid(c, j, phi):
            return "cell \(c): volume ratio J = \(j) ≤ solid volume fraction φ0 = \(phi) (solid compacted, no pore space left): the time step is cut"
        case let .unstableElementPair(c, t):
            return "cell \(c) is \(t): equal-order displacement–pressure elements are not inf–sup stable; use a quadratic cell (hex20, hex27, tet10) for Taylor–Hood u–p"
        case let .cellWithoutMaterial(c): return "cell \(c) lies in no region with a biphasic material"
        case let .invalidTimeStep(name, v): return "\(name): expected a positive number of seconds, got \(v)"
        case let .nodeWithoutPressure(n): return "node \(n) carries no fluid-pressure dof (pressure lives on corner nodes of biphasic cells)"
        case let .freeSwellingImpossible(reason): return "free swelling: \(reason)"
        case let .freeSwellingNotConverged(t, r, tol):
            return "free swelling did not reach equilibrium within maxDuration = \(t) s: max |p − p_bath| / Δπ_ref = \(r) > tolerance \(tol) (raise maxDuration or dtMax)"
        }
    }
}

@usableFromInline
func requirePositive(_ name: String, _ v: Double, unit: String) throws {
    guard v.isFinite, v > 0 else { throw BiphasicError.invalidParameter(name: name, value: v, expected: "a positive number (\(unit))") }
}

@usableFromInline
func requireNonNegative(_ name: String, _ v: Double, unit: String) throws {
    guard v.isFinite, v >= 0 else { throw BiphasicError.invalidParameter(name: name, value: v, expected: "a non-negative number (\(unit))") }
}
