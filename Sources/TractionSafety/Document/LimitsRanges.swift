/// The closed range of every numeric field of a limits document: the one table that the builder,
/// the signer, `limits check` and the loader all enforce (through ``LimitsValidation``).
///
/// A value is accepted when `range.lowerBound ≤ value ≤ range.upperBound` (both ends included, so
/// a value one ulp outside is refused). Cross-field rules (soft ≤ hard, min ≤ max, monitoring
/// amounts ≤ ``monitoringForceFractionOfMaxForce`` × hard maximum, validity ≤
/// ``maxValidityS``) are checked after the ranges.
///
/// Why the monitoring bounds keep every stop effective (``TractionEnvelope``):
/// - `sensorFreshnessTimeoutS` ≤ 1 s: a load cell whose timestamp stops advancing (a dead or
///   disconnected cell) stops the session within 1 s plus one sample, at any setting.
/// - `frozenSensorTimeoutS` ≤ 2 s and `frozenSensorMinCommandChangeN` ≤ 50 N (and ≤ a quarter of
///   the hard maximum): a cell whose reading sticks while the set-point moves stops within
///   2 s + (50 N / ramp rate) plus one sample.
/// - `trackingToleranceN` ≤ 100 N (and ≤ a quarter of the hard maximum) with
///   `trackingToleranceDurationS` ≤ 2 s: a gross loss of force control (a measured force a quarter
///   of the hard maximum away from the set-point) ramps down within 2 s plus one sample.
/// - `overshootN` ≤ 50 N (and ≤ a quarter of the hard maximum): a measured force more than 50 N
///   above the hard maximum stops at once; `overshootDurationS` ≤ 1 s bounds a sustained overshoot.
/// - The lower bounds (0.1 N, 0.01 s, 1 ms) only exclude zero and denormal-like settings; smaller
///   settings would make the envelope stop on noise, which is safe but unusable.
///
/// The force, rate and time bounds are the largest values a traction session can plausibly need
/// (50 % of the body weight of a 300 kg patient is 1471 N; clinical sessions last ≤ 30 min,
/// Saunders' and the decompression tables' protocols); controllers apply their own, lower
/// ceilings (``ControllerCeilings``) on top.
///
/// Times are seconds since 1970-01-01T00:00:00Z within ``plausibleUnixS`` (2020-01-01 to
/// 2100-01-01): a millisecond timestamp (≈ 1.7e12) is refused instead of read as year 55 000.
public enum LimitsRanges {
    /// One row of the table.
    public struct Row: Sendable {
        /// Dotted path of the field in the document, e.g. `limits.maxForceN.value`.
        public let field: String
        /// The closed range accepted.
        public let range: ClosedRange<Double>
        /// Unit of the field (empty for a count or fraction).
        public let unit: String
        /// True when the value must also be a whole number.
        public let whole: Bool
    }

    /// Largest monitoring force amount (tracking tolerance, overshoot, frozen-sensor command change)
    /// as a fraction of the hard maximum force in a document that does not block treatment.
    public static let monitoringForceFractionOfMaxForce = 0.25
    /// Longest validity (expiry − creation), s: 90 days.
    public static let maxValidityS = 90.0 * 86_400
    /// Plausible times, s since 1970-01-01T00:00:00Z: 2020-01-01T00:00:00Z … 2100-01-01T00:00:00Z.
    public static let plausibleUnixS: ClosedRange<Double> = 1_577_836_800...4_102_444_800
    /// Largest (1 − ε) margin fraction: margins lie in [0, 1), i.e. the closed range [0, 1⁻].
    public static let maxMarginFraction = (1.0).nextDown

    /// The range of each ``Limits`` field's value, by field name, with its unit.
    public static let limitValues: [(name: String, range: ClosedRange<Double>, unit: String)] = [
        ("maxForceN", 0...1500, "N"),
        ("softMaxForceN", 0...1500, "N"),
        ("maxRampUpNPerS", 0...1000, "N/s"),
        ("maxRampDownNPerS", 0...1000, "N/s"),
        ("minHoldS", 0...3600, "s"),
        ("maxHoldS", 0...3600, "s"),
        ("minRestS", 0...3600, "s"),
        ("maxCycles", 0...1000, ""),
        ("maxSessionS", 0...3600, "s"),
        ("minAngleDeg", 0...90, "deg"),
        ("maxAngleDeg", 0...90, "deg"),
        ("restForceFractionMax", 0...1, ""),
    ]

    /// The range of each ``MonitoringSettings`` field, by field name, with its unit.
    public static let monitoringValues: [(name: String, range: ClosedRange<Double>, unit: String)] = [
        ("trackingToleranceN", 0.1...100, "N"),
        ("trackingToleranceDurationS", 0.01...2, "s"),
        ("overshootN", 0.1...50, "N"),
        ("overshootDurationS", 0.01...1, "s"),
        ("sensorFreshnessTimeoutS", 0.001...1, "s"),
        ("frozenSensorTimeoutS", 0.01...2, "s"),
        ("frozenSensorMinCommandChangeN", 0.1...50, "N"),
    ]

    /// Every numeric field of a document with its range, in the order of ``Limits/fields`` and
    /// ``MonitoringSettings/fields`` (the order ``values(of:)`` reads them in).
    public static let rows: [Row] = {
        var rows: [Row] = []
        for (name, _) in Limits.fields {
            let (_, range, unit) = limitValues.first { $0.name == name }!   // every field has a row (tested)
            rows.append(Row(field: "limits.\(name).value", range: range, unit: unit, whole: name == "maxCycles"))
            rows.append(Row(field: "limits.\(name).marginFraction", range: 0...maxMarginFraction, unit: "", whole: false))
        }
        for (name, _) in MonitoringSettings.fields {
            let (_, range, unit) = monitoringValues.first { $0.name == name }!
            rows.append(Row(field: "monitoring.\(name)", range: range, unit: unit, whole: false))
        }
        rows.append(Row(field: "provenance.createdAtUnixS", range: plausibleUnixS, unit: "s", whole: false))
        rows.append(Row(field: "provenance.expiresAtUnixS", range: plausibleUnixS, unit: "s", whole: false))
        return rows
    }()

    /// The row for `field`, or nil.
    public static func row(_ field: String) -> Row? { rows.first { $0.field == field } }

    /// The numeric values of `d` by field path, in the order of ``rows``.
    static func values(of d: ForceSafetyLimits) -> [Double] {
        var out: [Double] = []
        for (_, kp) in Limits.fields {
            out.append(d.limits[keyPath: kp].value)
            out.append(d.limits[keyPath: kp].marginFraction)
        }
        for (_, kp) in MonitoringSettings.fields { out.append(d.monitoring[keyPath: kp]) }
        out.append(d.provenance.createdAtUnixS)
        out.append(d.provenance.expiresAtUnixS)
        return out
    }

    /// Refuses `x` unless it is finite and within `row`'s range (and whole if required).
    static func check(_ row: Row, _ x: Double) throws(LimitsRefusal) {
        let unit = row.unit.isEmpty ? "" : " \(row.unit)"
        guard x.isFinite else {
            throw LimitsRefusal(.nonFiniteValue, field: row.field, "\(row.field) = \(x) is not a finite number")
        }
        guard row.range.contains(x) else {
            let reason: RefusalReason = x < 0 && row.range.lowerBound >= 0 ? .negativeValue : .invalidValue
            var hint = ""
            if row.field.hasSuffix("UnixS"), x > 1e11 { hint = " (a millisecond timestamp? times are in seconds)" }
            throw LimitsRefusal(reason, field: row.field,
                                "\(row.field) = \(x)\(unit) is outside [\(row.range.lowerBound), \(row.range.upperBound)]\(unit)\(hint)")
        }
        if row.whole, x != x.rounded(.towardZero) {
            throw LimitsRefusal(.invalidValue, field: row.field, "\(row.field) = \(x) is not a whole number")
        }
    }
}
