import Foundation

extension ProfessionalTable {
    /// The lumbar limit searches' protocol family given as a traction protocol (the
    /// ``TractionProtocol`` JSON of a model file's `"protocol"`, what `spinetraction run --protocol`
    /// reads): an intermittent protocol whose hold (s), rest (s), rest level, ramp, table
    /// configuration, harness and pull angle (degrees) become the family's
    /// (`spinetraction limits compute --protocol`).
    ///
    /// The protocol's pull and cycles are not part of the family: the searches find the largest
    /// pull and number of cycles (the prescription, in the session file, states what is prescribed).
    /// They are returned in ``LimitProtocolFamily/notUsed`` so that a caller says so. Everything
    /// else that the family cannot represent is refused, not dropped:
    /// - another kind of protocol (static, steps, custom);
    /// - a ramp down other than the ramp up (a table cycle ramps both ways alike);
    /// - a preload other than the limit protocol's own lying preload
    ///   (``MotionSegmentLimitSearch/lyingPreload``: 17 N, ramped 10 s, held to 60 s), which the
    ///   searches apply before the cycle.
    ///
    /// The table's pull fraction is the default (0.5) and its lever arm the default (100 mm). A pull
    /// angle other than 0° is kept here and refused by the search's
    /// ``MotionSegmentLimitSearch/validate()`` (the lumbar searches apply no flexion moment).
    /// - Throws: ``LimitSearchError/unsupportedProtocol(field:value:expected:)`` naming the field.
    public static func limitFamily(_ p: TractionProtocol) throws(LimitSearchError) -> LimitProtocolFamily {
        let c = try intermittentCycle(p, family: "the professional intermittent table")
        if let preload = p.preload, preload != MotionSegmentLimitSearch.lyingPreload {
            throw .unsupportedProtocol(field: "protocol.preload", value: preload.duration,
                                       expected: "no preload, or the limit protocol's own lying preload (17 N, ramped 10 s, held to 60 s), which the searches apply before the cycle")
        }
        var table = ProfessionalTable()
        table.hold = c.hold; table.rest = c.rest; table.restLevel = c.restLevel; table.ramp = c.rampUp
        if let t = p.table { table.table = t }
        if let h = p.harness { table.harness = h }
        if let a = p.pullAngle { table.pullAngle = a }
        return LimitProtocolFamily(table: table, notUsed: "the protocol's pull (\(c.pull)) and cycles (\(c.cycles)): the searches find the largest pull and cycles")
    }
}

/// A protocol family for the limit searches, read from a traction protocol
/// (``ProfessionalTable/limitFamily(_:)``).
public struct LimitProtocolFamily: Sendable, Equatable {
    /// The family as a table (its pull fraction and cycles are the defaults: not part of the family).
    public var table: ProfessionalTable
    /// What of the protocol the family does not use, in words (for a notice).
    public var notUsed: String
}

extension ProfessionalCervicalTraction {
    /// The cervical limit searches' protocol family given as a traction protocol: an intermittent
    /// protocol whose hold (s), rest (s), rest level, ramp and pull angle (degrees, flexion positive,
    /// −10° … 45°) replace those of `base` (by default the professional cervical traction's), the
    /// posture and halter staying `base`'s (`spinetraction limits compute --protocol` for a cervical
    /// patient).
    ///
    /// As for the lumbar family (``ProfessionalTable/limitFamily(_:)``) the pull and cycles are not
    /// part of the family (``CervicalLimitFamily/notUsed``), and what the family cannot represent is
    /// refused by field: another kind of protocol, a ramp down unlike the ramp up, a preload (the
    /// cervical searches apply their own lying preload, ``CervicalLimitSearch/lyingPreload``), a
    /// table configuration (a cervical device has none) and a harness other than `cervical`.
    /// - Throws: ``LimitSearchError/unsupportedProtocol(field:value:expected:)`` naming the field.
    public static func limitFamily(_ p: TractionProtocol, base: ProfessionalCervicalTraction = ProfessionalCervicalTraction())
        throws(LimitSearchError) -> CervicalLimitFamily {
        let c = try intermittentCycle(p, family: "professional cervical traction")
        if let preload = p.preload {
            throw .unsupportedProtocol(field: "protocol.preload", value: preload.duration,
                                       expected: "no preload: the cervical limit searches apply their own lying preload")
        }
        if p.table != nil {
            throw .unsupportedProtocol(field: "protocol.table", value: .nan, expected: "no table configuration: a cervical device pulls the head, not a table")
        }
        if let h = p.harness, h != .cervical {
            throw .unsupportedProtocol(field: "protocol.harness", value: .nan, expected: "\"cervical\" or none (the halter or cradle is the session's configuration)")
        }
        var t = base
        t.hold = c.hold; t.rest = c.rest; t.restLevel = c.restLevel; t.ramp = c.rampUp
        if let a = p.pullAngle { t.geometry.pullAngle = a }
        return CervicalLimitFamily(traction: t, notUsed: "the protocol's pull (\(c.pull)) and cycles (\(c.cycles)): the searches find the largest pull and cycles")
    }
}

/// A protocol family for the cervical limit searches (``ProfessionalCervicalTraction/limitFamily(_:base:)``).
public struct CervicalLimitFamily: Sendable, Equatable {
    /// The family as a cervical traction (its pull and cycles are `base`'s: not part of the family).
    public var traction: ProfessionalCervicalTraction
    /// What of the protocol the family does not use, in words (for a notice).
    public var notUsed: String
}

/// The cycle of an intermittent protocol whose ramp down equals its ramp up: what a limit family
/// takes from a protocol file (`family` names the family in the refusal).
/// - Throws: ``LimitSearchError/unsupportedProtocol(field:value:expected:)`` naming `protocol` or
///   `protocol.intermittent.rampDown`.
func intermittentCycle(_ p: TractionProtocol, family: String) throws(LimitSearchError) -> TractionProtocol.Intermittent {
    guard case let .intermittent(c) = p.pattern else {
        throw .unsupportedProtocol(field: "protocol", value: .nan,
                                   expected: "an intermittent protocol (\"intermittent\": cycles of ramp up, hold, ramp down, rest): the limit family is \(family)")
    }
    guard c.rampDown == c.rampUp else {
        throw .unsupportedProtocol(field: "protocol.intermittent.rampDown", value: c.rampDown.duration,
                                   expected: "the ramp up's shape and duration (\(c.rampUp.duration) s): a cycle of \(family) ramps down as it ramps up")
    }
    return c
}
