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
        guard case let .intermittent(c) = p.pattern else {
            throw .unsupportedProtocol(field: "protocol", value: .nan,
                                       expected: "an intermittent protocol (\"intermittent\": cycles of ramp up, hold, ramp down, rest): the limit searches' family is the professional intermittent table")
        }
        guard c.rampDown == c.rampUp else {
            throw .unsupportedProtocol(field: "protocol.intermittent.rampDown", value: c.rampDown.duration,
                                       expected: "the ramp up's shape and duration (\(c.rampUp.duration) s): a table cycle ramps down as it ramps up")
        }
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
