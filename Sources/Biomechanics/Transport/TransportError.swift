/// Errors of the solute-transport layer: every case names the offending field,
/// the value and what was expected.
public enum TransportError: Error, Equatable, CustomStringConvertible {
    /// A parameter is out of its admissible range (e.g. a negative diffusivity, `Km ≤ 0`).
    case invalidParameter(field: String, value: String, expected: String)
    /// A concentration unit other than `mM` (mmol/L).
    case unsupportedUnit(field: String, value: String)
    /// A name (solute, region, surface) that the problem does not know.
    case unknownName(field: String, name: String, known: [String])
    /// A boundary condition on a surface none of whose faces belongs to the solute's regions.
    case surfaceOutsideSoluteRegions(field: String, surface: String, solute: String)
    /// The reaction of a region reads a solute that is not defined in that region.
    case reactionSpeciesMissing(region: String, solute: String)
    /// Newton did not converge.
    case notConverged(iterations: Int, residual: Double)
    /// The linear system is singular at the given (permuted) column.
    case singularMatrix(column: Int)
    /// A non-finite number appeared in the named quantity.
    case nonFinite(what: String)

    /// A readable message.
    public var description: String {
        switch self {
        case let .invalidParameter(field, value, expected): return "\(field): expected \(expected), got \(value)"
        case let .unsupportedUnit(field, value): return "\(field): concentrations are in \"mM\" (mmol/L = mol/m³), got \"\(value)\""
        case let .unknownName(field, name, known): return "\(field): unknown name \"\(name)\" (known: \(known.sorted().joined(separator: ", ")))"
        case let .surfaceOutsideSoluteRegions(field, surface, solute):
            return "\(field): surface \"\(surface)\" has no face on the regions of solute \"\(solute)\""
        case let .reactionSpeciesMissing(region, solute): return "reaction in region \"\(region)\" reads solute \"\(solute)\", which is not defined there"
        case let .notConverged(iterations, residual): return "transport Newton did not converge in \(iterations) iterations (residual \(residual))"
        case let .singularMatrix(column): return "transport matrix is singular at column \(column)"
        case let .nonFinite(what): return "non-finite value in \(what)"
        }
    }
}

@inline(__always) func requirePositive(_ v: Double, _ field: String, unit: String) throws {
    guard v.isFinite && v > 0 else { throw TransportError.invalidParameter(field: field, value: "\(v)", expected: "a finite number > 0 \(unit)") }
}

@inline(__always) func requireNonNegative(_ v: Double, _ field: String, unit: String) throws {
    guard v.isFinite && v >= 0 else { throw TransportError.invalidParameter(field: field, value: "\(v)", expected: "a finite number ≥ 0 \(unit)") }
}
