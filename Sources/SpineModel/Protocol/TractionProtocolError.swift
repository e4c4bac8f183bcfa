/// Why a ``TractionProtocol`` was refused.
///
/// Every case names the property path of the offending value — written as the JSON path of the
/// model file's `"protocol"` object, which is the Swift property path too (`protocol.intermittent.hold`
/// is `proto.intermittent?.hold`; a ramp's `segments` and `curvature` are the associated values of
/// its ``TractionProtocol/Ramp/Shape/logarithmic(segments:curvature:)`` shape), the value found and
/// what was expected.
///
/// ```text
/// protocol.intermittent.hold: expected a finite time > 0 s, got -5.0
/// ```
public enum TractionProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The number at `path` is outside its range (non-finite, ≤ 0, …): `value` in the property's unit.
    case invalidValue(path: String, value: Double, expected: String)
    /// The count at `path` (cycles, segments, number of points or levels) is outside its range.
    case invalidCount(path: String, count: Int, expected: String)
    /// A force at `path` is a fraction of body weight, but no body mass (kg) was given to resolve it.
    case bodyMassRequired(path: String)
    /// The body mass (kg) given to resolve body-weight fractions is not a finite number > 0.
    case invalidBodyMass(value: Double)
    /// Point `index` of the custom curve at `path` has time `time` (s), not greater than the previous `previous` (s).
    case notIncreasing(path: String, index: Int, time: Double, previous: Double)
    /// The arrays at `path` (times) and its sibling (forces) differ in length.
    case lengthMismatch(path: String, times: Int, forces: Int)

    /// The property path of the offending value (`protocol.intermittent.hold`), or `bodyMassKg`.
    public var path: String {
        switch self {
        case let .invalidValue(p, _, _), let .invalidCount(p, _, _), let .bodyMassRequired(p),
             let .notIncreasing(p, _, _, _), let .lengthMismatch(p, _, _):
            return p
        case .invalidBodyMass: return "bodyMassKg"
        }
    }

    public var description: String {
        switch self {
        case let .invalidValue(p, v, e): return "\(p): expected \(e), got \(v)"
        case let .invalidCount(p, n, e): return "\(p): expected \(e), got \(n)"
        case let .bodyMassRequired(p):
            return "\(p): a force given as a fraction of body weight needs the body mass (kg); pass bodyMassKg, or give the force in newtons"
        case let .invalidBodyMass(v): return "bodyMassKg: expected a finite body mass > 0 kg, got \(v)"
        case let .notIncreasing(p, i, t, prev):
            return "\(p)[\(i)]: time \(t) s is not greater than the previous time \(prev) s (times must increase strictly)"
        case let .lengthMismatch(p, nt, nf):
            return "\(p): \(nt) times but \(nf) forces (expected one force per time)"
        }
    }
}
