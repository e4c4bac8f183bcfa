import Foundation
import TractionSafety

/// A protocol quantity a ``ProtocolLimitSearch`` bounds, besides the peak force.
public enum ProtocolQuantity: String, Sendable, Equatable, CaseIterable {
    /// The table's largest ramp-up rate (N/s at the table, before friction).
    case rampUpRate
    /// The hold at the pull (s).
    case hold
    /// The number of pull cycles of a session (count).
    case cycles

    /// The limits-document quantity the limit becomes.
    public var limitQuantity: LimitQuantity {
        switch self {
        case .rampUpRate: return .maxRampUpNPerS
        case .hold: return .maxHoldS
        case .cycles: return .maxCycles
        }
    }

    /// The unit of the searched value.
    public var unit: String {
        switch self {
        case .rampUpRate: return "N/s"
        case .hold: return "s"
        case .cycles: return "cycles"
        }
    }
}

/// The largest table ramp-up rate, hold and number of cycles per session for which every
/// ``LimitCriteria`` criterion holds in the patient's lumbar motion segment, each with the other
/// protocol values at the table's (``MotionSegmentLimitSearch/table``) and the peak at
/// ``peakTableForce``, found with full solves, worst case over the ligament data sets.
///
/// **Peak force.** ``peakTableForce`` (N, table force) is the largest peak the limits document can
/// allow the patient whatever the bone density and conditions:
/// ``LimitsComputation/protocolSearchForce(modelLimit:inputs:)`` takes the smallest of the
/// motion segment's force limit (``MotionSegmentForceLimit/limit``) and the hard force caps that
/// depend on neither the T-score nor any contraindication (the clinical cap, the device rating).
/// Every force the controller can reach is at most this peak, and the force criteria are checked
/// monotone in the force, so the limits found hold for every such force; since the peak does not
/// depend on the T-score or any contraindication (the builder's factors only lower the force
/// afterwards), neither can raise these limits.
///
/// **Ramp-up rate** (N/s at the table). The rate of a ramp is its largest slope: the table force
/// curve is piecewise linear, and its steepest rising piece (the first piece of a logarithmic
/// ramp, from 0 N in the first cycle) is what a controller measures against `maxRampUpNPerS`.
/// The family has one ramp (up and down); a rate `r` is reached by scaling the ramp's duration,
/// `T(r) = T₀ · r₀ / r` (`r₀` the rate at the table's duration `T₀`): every slope of the ramp
/// scales as `1/T`, so the ramp-down speeds up with it. Each rate is checked on the curve it
/// produces (``rampUpRate(tableForce:table:)``). Criteria: one representative cycle, as for the
/// force. The searched range ends at ``rampUpRateCeiling`` (the device's rated ramp-up rate).
/// A slower ramp keeps the segment loaded longer, so the biphasic disc creeps further: the worst
/// ratio can *fall* as the rate rises, and then the search refuses (non-monotone or no admissible
/// rate) instead of giving a limit.
///
/// **Hold** (s at the pull, the ramps not included). One representative cycle with the table's
/// `hold` replaced. A controller's `maxHoldS` bounds the whole pull phase, ramps included, so the
/// hold limit used as `maxHoldS` is conservative: a pull phase no longer than it spends no longer
/// at its peak. The range ends at ``holdCeiling`` (the prescription's largest hold).
///
/// **Cycles per session** (count). The whole session of `n` cycles (every cycle as the table's,
/// the last ramping to 0 N), so every criterion sees the creep that builds up from cycle to
/// cycle, and the accumulated laxity criterion (``LimitCriteria/maxAccumulatedLaxity``) sees the
/// ligament damage law (``Biomechanics/LigamentDamage``) integrated over the session. With the
/// shipped data sets (no damage law) the laxity stays 0. Laxity forms only where a fibre exceeds
/// its damage threshold, which the per-cycle damage-threshold criterion already forbids (ratio
/// > 1): ``SessionDamageCriterion/thresholdEveryCycle`` (the default, conservative) keeps it in
/// every cycle, so laxity can never govern; ``SessionDamageCriterion/accumulatedLaxity`` drops it
/// from the session search and lets the accumulated laxity (against
/// ``LimitCriteria/maxAccumulatedLaxity``; no published allowable laxity was found — a parameter)
/// decide instead. The range ends at ``cyclesCeiling``
/// (the prescription's largest number of cycles). Integer bisection: the limit is a number of
/// cycles that was simulated and held; the next one failed.
///
/// **Never extrapolated.** Each search is ``LimitBracketing`` (rate, hold) or its integer form
/// (cycles), monotonicity checked: when every criterion holds at the range's end, the limit is
/// that end and *no* model criterion is claimed (``ProtocolLimit/noneInRange``; no
/// ``ProtocolLimit/candidate``): the device or clinical limit governs the document.
///
/// ```swift
/// let force = MotionSegmentLimitSearch(patient: p)
/// let f = try force.run()
/// let peak = LimitsComputation.protocolSearchForce(modelLimit: f.candidate, inputs: inputs)   // N, and what set it
/// let s = ProtocolLimitSearch(force: force, peakTableForce: peak.value, rampUpRateCeiling: 50, holdCeiling: 75, cyclesCeiling: 15)
/// let limits = try s.run()          // [rampUpRate, hold, cycles]
/// limits.compactMap(\.candidate)    // .modelCriterion candidates for LimitsBuilder
/// ```
public struct ProtocolLimitSearch: Sendable {
    /// The force search this one shares its patient, table, criteria, data sets, mesh and
    /// bracket tolerance with.
    public var force: MotionSegmentLimitSearch
    /// Peak table force of every searched protocol (N, > 0).
    public var peakTableForce: Double
    /// End of the searched ramp-up rates (N/s at the table, > 0).
    public var rampUpRateCeiling: Double
    /// End of the searched holds (s, > 0).
    public var holdCeiling: Double
    /// End of the searched numbers of cycles (1 … 100).
    public var cyclesCeiling: Int
    /// The quantities searched, in this order.
    public var quantities: [ProtocolQuantity]
    /// How the cycles search treats ligament damage (see the type's discussion).
    public var sessionDamage: SessionDamageCriterion = .thresholdEveryCycle

    /// How the cycles-per-session search treats ligament damage.
    public enum SessionDamageCriterion: String, Sendable, Equatable {
        /// Every cycle keeps each fibre below the allowable fraction of its damage threshold (and
        /// the accumulated laxity within its bound).
        case thresholdEveryCycle
        /// Fibres may exceed their damage threshold; the laxity accumulated over the session must
        /// stay within ``LimitCriteria/maxAccumulatedLaxity``.
        case accumulatedLaxity
    }

    /// A search of `quantities` (all three by default); see the type's discussion for each parameter.
    public init(force: MotionSegmentLimitSearch, peakTableForce: Double, rampUpRateCeiling: Double, holdCeiling: Double,
                cyclesCeiling: Int, quantities: [ProtocolQuantity] = ProtocolQuantity.allCases) {
        self.force = force; self.peakTableForce = peakTableForce; self.rampUpRateCeiling = rampUpRateCeiling
        self.holdCeiling = holdCeiling; self.cyclesCeiling = cyclesCeiling; self.quantities = quantities
    }

    /// Checks every parameter.
    /// - Throws: ``LimitSearchError`` naming the field; the force search's errors.
    public func validate() throws {
        try force.validate()
        guard peakTableForce.isFinite, peakTableForce > 0 else {
            throw LimitSearchError.invalidParameter(field: "peakTableForce", value: peakTableForce, expected: "a finite table force > 0 N")
        }
        try Self.validateRanges(rampUpRateCeiling: rampUpRateCeiling, holdCeiling: holdCeiling, cyclesCeiling: cyclesCeiling,
                                cycles: 1...100, quantities: quantities)
    }

    /// Checks the searched ranges' ends and the quantities (shared with ``CervicalProtocolLimitSearch``).
    /// - Throws: ``LimitSearchError/invalidParameter(field:value:expected:)`` naming the field.
    static func validateRanges(rampUpRateCeiling: Double, holdCeiling: Double, cyclesCeiling: Int, cycles: ClosedRange<Int>,
                               quantities: [ProtocolQuantity]) throws(LimitSearchError) {
        guard rampUpRateCeiling.isFinite, rampUpRateCeiling > 0 else {
            throw .invalidParameter(field: "rampUpRateCeiling", value: rampUpRateCeiling, expected: "a finite rate > 0 N/s")
        }
        guard holdCeiling.isFinite, holdCeiling > 0 else {
            throw .invalidParameter(field: "holdCeiling", value: holdCeiling, expected: "a finite hold > 0 s")
        }
        guard cycles.contains(cyclesCeiling) else {
            throw .invalidParameter(field: "cyclesCeiling", value: Double(cyclesCeiling), expected: "\(cycles.lowerBound) … \(cycles.upperBound) cycles")
        }
        guard !quantities.isEmpty, Set(quantities).count == quantities.count else {
            throw .invalidParameter(field: "quantities", value: Double(quantities.count), expected: "each protocol quantity at most once, at least one")
        }
    }

    /// The end of the searched range of `q` (its unit) for the given ends.
    static func ceiling(of q: ProtocolQuantity, rampUpRate: Double, hold: Double, cycles: Int) -> Double {
        switch q {
        case .rampUpRate: return rampUpRate
        case .hold: return hold
        case .cycles: return Double(cycles)
        }
    }

    /// The table force curve (N at the table, before friction) of `cycles` cycles of `table` at
    /// `tableForce`: times (s) from the start of traction and forces.
    /// - Throws: ``ScenarioError``; ``TractionProtocolError``.
    public static func tableForceCurve(tableForce: Double, table: ProfessionalTable, cycles: Int, bodyMassKg: Double) throws -> (times: [Double], forces: [Double]) {
        var session = table
        session.cycles = cycles
        session.pullFraction = 1
        let shape = try session.tractionProtocol().resolve(bodyMassKg: bodyMassKg).tractionCurve   // dimensionless, peak 1
        let t0 = shape.times[0]
        return (shape.times.map { $0 - t0 }, shape.values.map { tableForce * $0 })
    }

    /// The largest rising slope (N/s) of the table force curve of one cycle of `table` at `tableForce`.
    /// - Throws: as ``tableForceCurve(tableForce:table:cycles:bodyMassKg:)``.
    public func rampUpRate(tableForce: Double, table: ProfessionalTable) throws -> Double {
        let c = try Self.tableForceCurve(tableForce: tableForce, table: table, cycles: 1, bodyMassKg: force.patient.bodyMassKg)
        return Self.steepestRise(times: c.times, values: c.forces)
    }

    /// The largest rising slope of a piecewise-linear curve (value unit per s; 0 when it never rises).
    static func steepestRise(times: [Double], values: [Double]) -> Double {
        var rate = 0.0
        for i in times.indices.dropFirst() where times[i] > times[i - 1] {
            rate = max(rate, (values[i] - values[i - 1]) / (times[i] - times[i - 1]))
        }
        return rate
    }

    /// The table of the protocol family with the ramp time that gives the ramp-up rate `rate` (N/s)
    /// at ``peakTableForce`` (see the type's discussion); the rate of the result is checked.
    /// - Throws: ``LimitSearchError/invalidResponse(load:criterion:ratio:)`` when the curve's rate
    ///   differs from `rate` by more than 1e-9 relative; the table's errors.
    public func table(rampUpRate rate: Double) throws -> ProfessionalTable {
        let base = force.table
        let r0 = try rampUpRate(tableForce: peakTableForce, table: base)
        var t = base
        t.ramp.duration = base.ramp.duration * r0 / rate
        let achieved = try rampUpRate(tableForce: peakTableForce, table: t)
        guard abs(achieved - rate) <= 1e-9 * rate else {
            throw LimitSearchError.invalidResponse(load: rate, criterion: "rampUpRate.achieved", ratio: achieved / rate)
        }
        return t
    }

    /// The protocol a run applies: `cycles` cycles of `table` at table force `tableForce`, each
    /// point mapped to the axial force at the level (``ProfessionalTable/loadAtLevel(tableForce:patient:fractions:)``,
    /// a point added where a one-piece table's friction is crossed), after the lying preload —
    /// for one cycle the same curve as ``MotionSegmentLimitSearch/limitProtocol(tableForce:)``.
    /// - Throws: ``ScenarioError``; ``TractionProtocolError``.
    public func sessionProtocol(tableForce: Double, table: ProfessionalTable, cycles: Int) throws -> TractionProtocol {
        let patient = force.patient
        let curve = try Self.tableForceCurve(tableForce: tableForce, table: table, cycles: cycles, bodyMassKg: patient.bodyMassKg)
        let caudalFriction = table.frictionCoefficient * (1 - BodySegmentFractions.dempster.fractionCranial(to: patient.level)) * patient.bodyWeight
        var times: [Double] = [], forces: [Double] = []
        for i in curve.times.indices {
            if i > 0, caudalFriction > 0 {
                let (t0, t1) = (curve.times[i - 1], curve.times[i])
                let a0 = curve.forces[i - 1] - caudalFriction, a1 = curve.forces[i] - caudalFriction
                if (a0 < 0) != (a1 < 0), a0 != 0, a1 != 0 {
                    times.append(t0 + a0 / (a0 - a1) * (t1 - t0)); forces.append(0)
                }
            }
            times.append(curve.times[i])
            forces.append(try table.loadAtLevel(tableForce: max(0, curve.forces[i]), patient: patient).axialForce)
        }
        var p = TractionProtocol.custom(times: times, forces: forces, unit: .newtons, preload: MotionSegmentLimitSearch.lyingPreload)
        p.table = table.table; p.harness = table.harness; p.pullAngle = table.pullAngle
        return p
    }

    /// Runs every search in ``quantities`` (every data set, full solves on the calling thread).
    /// - Throws: ``LimitSearchError``; the model's and solver's errors.
    public func run() throws -> [ProtocolLimit] {
        try validate()
        let patient = force.patient
        var perQuantity: [ProtocolQuantity: [DataSetForceLimit]] = [:]
        let bounds = force.effectiveCriteria   // with the bone-strain factor of the mesh, once
        for set in force.ligamentDataSets {
            let base = try force.segment(set)
            var swellModel = base
            try MotionSegmentLimitSearch.apply(sessionProtocol(tableForce: peakTableForce, table: force.table, cycles: 1), to: &swellModel,
                                               bodyMassKg: patient.bodyMassKg)
            let swollen = try Simulation(model: swellModel).freeSwollenStateSynchronously()
            func criteria(table: ProfessionalTable, cycles: Int) throws -> [CriterionValue] {
                var m = base
                try MotionSegmentLimitSearch.apply(sessionProtocol(tableForce: peakTableForce, table: table, cycles: cycles), to: &m,
                                                   bodyMassKg: patient.bodyMassKg)
                let r = try Simulation(model: m).runSynchronously(from: swollen)
                guard let segment = r.motionSegment else {
                    throw LimitSearchError.invalidParameter(field: "model.motionSegment", value: 0, expected: "a motion-segment model")
                }
                return bounds.evaluate(segment)
            }
            for q in quantities {
                let limit: BracketedLimit
                switch q {
                case .rampUpRate:
                    limit = try LimitBracketing.largestAdmissibleLoad(ceiling: rampUpRateCeiling, relativeTolerance: force.relativeTolerance) { rate in
                        try criteria(table: table(rampUpRate: rate), cycles: 1)
                    }
                case .hold:
                    limit = try LimitBracketing.largestAdmissibleLoad(ceiling: holdCeiling, relativeTolerance: force.relativeTolerance) { hold in
                        var t = force.table
                        t.hold = hold
                        return try criteria(table: t, cycles: 1)
                    }
                case .cycles:
                    limit = try Self.largestAdmissibleCount(ceiling: cyclesCeiling) { n in
                        let all = try criteria(table: force.table, cycles: n)
                        return sessionDamage == .thresholdEveryCycle ? all : all.filter { !$0.criterion.hasSuffix(".damageThreshold") }
                    }
                }
                perQuantity[q, default: []].append(DataSetForceLimit(dataSet: set.name, limit: limit))
            }
        }
        return quantities.map { ProtocolLimit(quantity: $0, peakTableForce: peakTableForce, ceiling: ceiling(of: $0), perDataSet: perQuantity[$0]!) }
    }

    /// The end of the searched range of `q` (its unit).
    public func ceiling(of q: ProtocolQuantity) -> Double {
        Self.ceiling(of: q, rampUpRate: rampUpRateCeiling, hold: holdCeiling, cycles: cyclesCeiling)
    }

    /// The largest count in 1 … `ceiling` at which every criterion holds, assuming (and checking,
    /// as ``LimitBracketing/largestAdmissibleLoad(ceiling:relativeTolerance:maxHalvings:monotonicityTolerance:response:)``
    /// does) that the worst ratio does not fall as the count rises: the ceiling first; if it fails,
    /// halving (rounded down) until a count holds; then integer bisection until the admissible and
    /// the failing count are neighbours. The limit is an evaluated, admissible count.
    /// - Throws: ``LimitSearchError``, or what `response` throws.
    public static func largestAdmissibleCount(ceiling: Int, monotonicityTolerance: Double = 1e-6,
                                              response: (Int) throws -> [CriterionValue]) throws -> BracketedLimit {
        guard ceiling >= 1 else { throw LimitSearchError.invalidParameter(field: "ceiling", value: Double(ceiling), expected: "a count ≥ 1") }
        var evaluations: [LimitEvaluation] = []
        func evaluate(_ n: Int) throws -> LimitEvaluation {
            let values = try response(n)
            for v in values where !(v.ratio == .infinity || (v.ratio.isFinite && v.ratio >= 0)) {
                throw LimitSearchError.invalidResponse(load: Double(n), criterion: v.criterion, ratio: v.ratio)
            }
            let e = LimitEvaluation(load: Double(n), criteria: values)
            evaluations.append(e)
            return e
        }
        var upper = try evaluate(ceiling)
        if upper.admissible {
            try LimitBracketing.checkMonotone(evaluations, tolerance: monotonicityTolerance)
            return BracketedLimit(limit: Double(ceiling), upperBracket: nil, governing: upper.governing ?? CriterionValue(criterion: "none", ratio: 0, marginFraction: 0),
                                  governingRatioAtLimit: upper.worstRatio, evaluations: evaluations)
        }
        var n = ceiling
        var lower: LimitEvaluation?
        while n > 1 {
            n /= 2
            let e = try evaluate(n)
            if e.admissible { lower = e; break }
            upper = e
        }
        guard var lo = lower else {
            let g = upper.governing!
            throw LimitSearchError.noAdmissibleLoad(smallestLoad: 1, criterion: g.criterion, ratio: g.ratio)
        }
        while Int(upper.load) - Int(lo.load) > 1 {
            let e = try evaluate((Int(lo.load) + Int(upper.load)) / 2)
            if e.admissible { lo = e } else { upper = e }
        }
        try LimitBracketing.checkMonotone(evaluations, tolerance: monotonicityTolerance)
        let governing = upper.governing!
        let atLimit = lo.criteria.first { $0.criterion == governing.criterion }?.ratio ?? lo.worstRatio
        return BracketedLimit(limit: lo.load, upperBracket: upper.load, governing: governing, governingRatioAtLimit: atLimit, evaluations: evaluations)
    }
}

/// One protocol quantity's limit (worst case over the data sets).
public struct ProtocolLimit: Sendable, Equatable {
    /// The quantity.
    public var quantity: ProtocolQuantity
    /// The peak table force of every searched protocol (N).
    public var peakTableForce: Double
    /// The end of the searched range (the quantity's unit).
    public var ceiling: Double
    /// Every data set's bracketed limit, in the order searched (the quantity's unit).
    public var perDataSet: [DataSetForceLimit]
    /// The force candidate that set ``peakTableForce`` (value in N: the model's force limit or a
    /// clinical or device cap, see ``LimitsComputation/protocolSearchForce(modelLimit:inputs:)``);
    /// nil when the peak was given directly.
    public var peakSetBy: LimitCandidate? = nil
    /// The model's name in the criterion identifier: `motionSegment` (lumbar) or `cervicalSegment`.
    public var modelName = "motionSegment"
    /// What ``peakTableForce`` is, in words: `table force` (lumbar) or `halter pull` (cervical).
    public var peakName = "table force"

    /// The governing data set: the one with the smallest limit (the first one on a tie).
    public var governingDataSet: DataSetForceLimit {
        var best = perDataSet[0]
        for d in perDataSet.dropFirst() where d.limit.limit < best.limit.limit { best = d }
        return best
    }

    /// The limit (the quantity's unit): the smallest of the data sets' limits.
    public var limit: Double { governingDataSet.limit.limit }

    /// True when every criterion held at the end of the searched range for every data set: no
    /// model criterion binds there, and the device or clinical limit governs.
    public var noneInRange: Bool { governingDataSet.limit.reachedCeiling }

    /// Criterion identifier: `model.<model name>.<data set>.<quantity>.<criterion>`, or
    /// `model.<model name>.<quantity>.noneInRange` when no criterion binds in the range; with
    /// ``peakSetBy``, `.atPeak.<its kind>` appended (e.g. `….atPeak.clinicalRule`: searched at the
    /// clinical cap) when the identifier stays within 128 characters (the report always names it).
    public var criterion: String {
        if noneInRange { return "model.\(modelName).\(quantity.rawValue).noneInRange" }
        let g = governingDataSet
        let id = "model.\(modelName).\(g.dataSet).\(quantity.rawValue).\(g.limit.governing.criterion)"
        guard let peak = peakSetBy else { return id }
        let full = id + ".atPeak." + peak.kind.rawValue
        return full.utf8.count <= 128 ? full : id
    }

    /// The limit as a `.modelCriterion` candidate; nil when no criterion binds in the searched
    /// range (then no model limit is claimed).
    public var candidate: LimitCandidate? {
        if noneInRange { return nil }
        return LimitCandidate(quantity.limitQuantity, limit, kind: .modelCriterion, criterion: criterion,
                              marginFraction: governingDataSet.limit.governing.marginFraction)
    }

    /// A plain-text report line per data set.
    public var report: String {
        let u = quantity.unit
        var s = "\(quantity.rawValue) limit \(MotionSegmentForceLimit.format(limit)) \(u) at a peak \(peakName) of \(MotionSegmentForceLimit.format(peakTableForce)) N"
        if let peak = peakSetBy { s += " (set by \(peak.criterion))" }
        s += noneInRange ? ": no criterion binds up to the end of the searched range, \(MotionSegmentForceLimit.format(ceiling)) \(u) (the device or clinical limit governs)\n"
                         : ", governed by \(criterion)\n"
        for d in perDataSet {
            let l = d.limit
            let bracket = l.upperBracket.map { "[\(MotionSegmentForceLimit.format(l.limit)), \(MotionSegmentForceLimit.format($0))] \(u)" }
                ?? "every criterion holds at the range's end \(MotionSegmentForceLimit.format(l.limit)) \(u)"
            s += "  \(d.dataSet): \(bracket); worst \(l.governing.criterion) (ratio \(MotionSegmentForceLimit.format(l.governing.ratio)) above, \(MotionSegmentForceLimit.format(l.governingRatioAtLimit)) at the limit); \(l.evaluations.count) solves\n"
        }
        return s
    }
}
