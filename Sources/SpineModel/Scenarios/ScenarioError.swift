/// Why a scenario preset (``ProfessionalTable``, ``InversionTable``, ``SelfManipulation``,
/// ``RepeatedThrustDamage``) was refused, naming the property, its value and what was expected.
///
/// ```text
/// inversion.angle: expected an angle in [20, 90] degrees, got 95.0
/// ```
public enum ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The number at `property` is outside its range; `value` is in the property's unit.
    case invalidValue(property: String, value: Double, expected: String)
    /// The count at `property` (cycles, thrusts, days) is outside its range.
    case invalidCount(property: String, count: Int, expected: String)

    /// The property path of the offending value, e.g. `table.pullFraction`.
    public var property: String {
        switch self {
        case let .invalidValue(p, _, _), let .invalidCount(p, _, _): return p
        }
    }

    /// The message: the property, what was expected and the value found.
    public var description: String {
        switch self {
        case let .invalidValue(p, v, e): return "\(p): expected \(e), got \(v)"
        case let .invalidCount(p, c, e): return "\(p): expected \(e), got \(c)"
        }
    }
}

/// Checks that `value` is finite and in `range`, else throws ``ScenarioError/invalidValue(property:value:expected:)``.
func requireValue(_ value: Double, in range: ClosedRange<Double>, _ property: String, _ expected: String) throws(ScenarioError) {
    guard value.isFinite, range.contains(value) else { throw .invalidValue(property: property, value: value, expected: expected) }
}

/// Checks that `value` is finite and > `lower`, else throws ``ScenarioError/invalidValue(property:value:expected:)``.
func requireValue(_ value: Double, above lower: Double, _ property: String, _ expected: String) throws(ScenarioError) {
    guard value.isFinite, value > lower else { throw .invalidValue(property: property, value: value, expected: expected) }
}

/// Checks that `count` is in `range`, else throws ``ScenarioError/invalidCount(property:count:expected:)``.
func requireCount(_ count: Int, in range: ClosedRange<Int>, _ property: String, _ expected: String) throws(ScenarioError) {
    guard range.contains(count) else { throw .invalidCount(property: property, count: count, expected: expected) }
}

/// Checks an (edited) patient, reporting its ``AnatomyError`` as a ``ScenarioError`` on the same field.
func requireValidPatient(_ patient: Patient) throws(ScenarioError) {
    do { try patient.validate() } catch let AnatomyError.invalidValue(field, value, expected) {
        throw .invalidValue(property: field, value: value, expected: expected)
    } catch { throw .invalidValue(property: "patient", value: .nan, expected: "a valid patient (\(error))") }
}
