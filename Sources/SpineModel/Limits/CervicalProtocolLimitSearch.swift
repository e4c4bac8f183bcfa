import Foundation

/// The largest halter ramp-up rate, hold and number of cycles per session for which every
/// ``LimitCriteria`` criterion holds in the patient's cervical motion segment, each with the other
/// protocol values at the cervical traction's (``CervicalLimitSearch/traction``) and the peak pull
/// at ``peakPull``, found with full solves, worst case over the ligament data sets: the cervical
/// counterpart of ``ProtocolLimitSearch``, with the same definitions.
///
/// - **Peak pull** (N at the halter): the largest pull the limits document can allow whatever the
///   bone density and conditions, ``LimitsComputation/protocolSearchForce(modelLimit:inputs:)``
///   (the smallest of the cervical force limit, the 45 lbf clinical hard cap and the device rating).
/// - **Ramp-up rate** (N/s at the halter): the largest rising slope of one cycle's pull curve; a
///   rate `r` is reached by scaling the ramp's duration, `T(r) = T₀ r₀ / r` (the ramp down with it),
///   and checked on the curve it produces. One cycle; the range ends at ``rampUpRateCeiling``.
/// - **Hold** (s at the pull): one cycle with the hold replaced; the range ends at ``holdCeiling``.
/// - **Cycles per session**: the whole session of `n` cycles (creep builds up from cycle to
///   cycle); integer bisection; the range ends at ``cyclesCeiling``.
///
/// Every searched run starts with the same lying preload, solved once per data set (a
/// ``RunCheckpoint``), and stops at its first violation as the force search's do
/// (``CervicalLimitSearch/stopsAtFirstViolation``). Never extrapolated: when every criterion holds
/// at a range's end, no model limit is claimed for that quantity (``ProtocolLimit/noneInRange``).
///
/// ```swift
/// let force = CervicalLimitSearch(patient: p, level: .c5c6)
/// let s = CervicalProtocolLimitSearch(force: force, peakPull: 79, rampUpRateCeiling: 50, holdCeiling: 60, cyclesCeiling: 15)
/// let limits = try s.run()          // [rampUpRate, hold, cycles]
/// ```
public struct CervicalProtocolLimitSearch: Sendable {
    /// The force search this one shares its patient, level, protocol, criteria, data sets, mesh and
    /// bracket tolerance with.
    public var force: CervicalLimitSearch
    /// Peak halter pull of every searched protocol (N, in (0, 445]).
    public var peakPull: Double
    /// End of the searched ramp-up rates (N/s at the halter, > 0).
    public var rampUpRateCeiling: Double
    /// End of the searched holds (s, > 0).
    public var holdCeiling: Double
    /// End of the searched numbers of cycles (1 … 200).
    public var cyclesCeiling: Int
    /// The quantities searched, in this order.
    public var quantities: [ProtocolQuantity]

    /// A search of `quantities` (all three by default); see the type's discussion for each parameter.
    public init(force: CervicalLimitSearch, peakPull: Double, rampUpRateCeiling: Double, holdCeiling: Double, cyclesCeiling: Int,
                quantities: [ProtocolQuantity] = ProtocolQuantity.allCases) {
        self.force = force; self.peakPull = peakPull; self.rampUpRateCeiling = rampUpRateCeiling
        self.holdCeiling = holdCeiling; self.cyclesCeiling = cyclesCeiling; self.quantities = quantities
    }

    /// Checks every parameter.
    /// - Throws: ``LimitSearchError`` naming the field; the force search's errors.
    public func validate() throws {
        try force.validate()
        guard peakPull.isFinite, peakPull > 0, peakPull <= 445 else {
            throw LimitSearchError.invalidParameter(field: "peakPull", value: peakPull, expected: "a halter pull in (0, 445] N")
        }
        try ProtocolLimitSearch.validateRanges(rampUpRateCeiling: rampUpRateCeiling, holdCeiling: holdCeiling, cyclesCeiling: cyclesCeiling,
                                               cycles: 1...200, quantities: quantities)
    }

    /// The protocol a run applies: `cycles` cycles of `traction` at ``peakPull``.
    func session(_ traction: ProfessionalCervicalTraction, cycles: Int) -> ProfessionalCervicalTraction {
        var t = traction
        t.pull = peakPull; t.cycles = cycles
        return t
    }

    /// The largest rising slope (N/s) of the halter pull curve of one cycle of `traction` at ``peakPull``.
    /// - Throws: ``ScenarioError``; ``TractionProtocolError``.
    public func rampUpRate(_ traction: ProfessionalCervicalTraction) throws -> Double {
        let c = try session(traction, cycles: 1).tractionProtocol().resolve().tractionForceCurve
        return ProtocolLimitSearch.steepestRise(times: c.times, values: c.values)
    }

    /// The cervical traction with the ramp time that gives the ramp-up rate `rate` (N/s) at
    /// ``peakPull``; the rate of the result is checked.
    /// - Throws: ``LimitSearchError/invalidResponse(load:criterion:ratio:)`` when the curve's rate
    ///   differs from `rate` by more than 1e-9 relative; the protocol's errors.
    public func traction(rampUpRate rate: Double) throws -> ProfessionalCervicalTraction {
        let base = force.traction
        let r0 = try rampUpRate(base)
        var t = base
        t.ramp.duration = base.ramp.duration * r0 / rate
        let achieved = try rampUpRate(t)
        guard abs(achieved - rate) <= 1e-9 * rate else {
            throw LimitSearchError.invalidResponse(load: rate, criterion: "rampUpRate.achieved", ratio: achieved / rate)
        }
        return t
    }

    /// The end of the searched range of `q` (its unit).
    public func ceiling(of q: ProtocolQuantity) -> Double {
        ProtocolLimitSearch.ceiling(of: q, rampUpRate: rampUpRateCeiling, hold: holdCeiling, cycles: cyclesCeiling)
    }

    /// Runs every search in ``quantities`` (every data set, full solves on the calling thread).
    /// - Throws: ``LimitSearchError``; the model's and solver's errors.
    public func run() throws -> [ProtocolLimit] {
        try validate()
        var perQuantity: [ProtocolQuantity: [DataSetForceLimit]] = [:]
        for set in force.ligamentDataSets {
            let base = try MotionSegment.cervical(force.level, patient: force.patient, mesh: force.mesh, ligaments: set)
            let reference = try force.model(traction: session(force.traction, cycles: 1), segment: base)
            let swollen = try Simulation(model: reference).freeSwollenStateSynchronously()
            guard let preload = reference.steps.firstIndex(where: { $0.name == ScenarioRunner.preloadStepName }) else {
                throw ModelError(.unknownName, at: reference.rootPath.key("steps").description, "no lying-preload step in the cervical limit protocol's model")
            }
            let start = MotionSegmentLimitSearch.SearchStart(
                swollen: swollen, checkpoint: try Simulation(model: reference).checkpointSynchronously(from: swollen, afterStep: preload))
            func criteria(_ traction: ProfessionalCervicalTraction, cycles: Int) throws -> [CriterionValue] {
                let m = try force.model(traction: session(traction, cycles: cycles), segment: base)
                return force.stopsAtFirstViolation ? try CervicalLimitSearch.evaluateStoppingAtViolation(m, from: start, criteria: force.criteria)
                                                   : try MotionSegmentLimitSearch.evaluate(m, from: start, criteria: force.criteria)
            }
            for q in quantities {
                let limit: BracketedLimit
                switch q {
                case .rampUpRate:
                    limit = try LimitBracketing.largestAdmissibleLoad(ceiling: rampUpRateCeiling, relativeTolerance: force.relativeTolerance) { rate in
                        try criteria(traction(rampUpRate: rate), cycles: 1)
                    }
                case .hold:
                    limit = try LimitBracketing.largestAdmissibleLoad(ceiling: holdCeiling, relativeTolerance: force.relativeTolerance) { hold in
                        var t = force.traction
                        t.hold = hold
                        return try criteria(t, cycles: 1)
                    }
                case .cycles:
                    limit = try ProtocolLimitSearch.largestAdmissibleCount(ceiling: cyclesCeiling) { n in try criteria(force.traction, cycles: n) }
                }
                perQuantity[q, default: []].append(DataSetForceLimit(dataSet: set.name, limit: limit))
            }
        }
        return quantities.map {
            var l = ProtocolLimit(quantity: $0, peakTableForce: peakPull, ceiling: ceiling(of: $0), perDataSet: perQuantity[$0]!)
            l.modelName = "cervicalSegment"; l.peakName = "halter pull"
            return l
        }
    }
}
