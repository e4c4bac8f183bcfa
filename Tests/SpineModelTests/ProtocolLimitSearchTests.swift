import Foundation
import Testing
import TractionSafety
@testable import SpineModel

/// The ramp-up rate, hold and cycles limits: the integer search on closed forms, the protocols
/// the searches apply against the table's own closed forms, and the document properties with
/// model limits on every protocol quantity.
@Suite("Protocol limit search: ramp-up rate, hold, cycles")
struct ProtocolLimitSearchTests {
    /// Integer search on r(n) = n / k*: the limit is ⌊k*⌋ (admissible), the failing bracket end
    /// ⌊k*⌋ + 1; a ceiling that holds is the limit with no bracket; every evaluation is the closed form.
    @Test(arguments: [(7.5, 15), (1.2, 100), (14.0, 15), (99.9, 100), (3.0, 64)])
    func countSearchBracketsTheClosedForm(root: Double, ceiling: Int) throws {
        let r = try ProtocolLimitSearch.largestAdmissibleCount(ceiling: ceiling) { n in
            [CriterionValue(criterion: "linear", ratio: Double(n) / root, marginFraction: 0.5)]
        }
        let expected = min(Double(ceiling), root.rounded(.down))
        #expect(r.limit == expected)
        if Double(ceiling) <= root {
            #expect(r.reachedCeiling)
        } else {
            #expect(r.upperBracket == expected + 1)
            #expect(r.governing.criterion == "linear" && r.governing.ratio > 1)
        }
        #expect(r.governingRatioAtLimit == expected / root && r.governingRatioAtLimit <= 1)
        for e in r.evaluations { #expect(e.worstRatio == e.load / root) }
    }

    /// A count search refuses a response that falls with the count, and one that fails at 1.
    @Test func countSearchRefusesNonMonotoneAndNowhereAdmissible() {
        // Ratio 2 at 16 cycles, 3 from 8 to 15, 0.5 below: the probes 16 and 8 fail, 4 holds, the
        // bisection closes on 7 | 8 — and 8 (ratio 3) lies below 16 (ratio 2): refused.
        do {
            _ = try ProtocolLimitSearch.largestAdmissibleCount(ceiling: 16) { n in
                [CriterionValue(criterion: "bumpy", ratio: n >= 16 ? 2 : (n >= 8 ? 3 : 0.5), marginFraction: 0)]
            }
            Issue.record("expected a refusal")
        } catch let e as LimitSearchError {
            guard case let .nonMonotone(n0, r0, n1, r1, _) = e else { Issue.record("\(e)"); return }
            #expect(n0 < n1 && r0 == 3 && n1 == 16 && r1 == 2)
        } catch { Issue.record("\(error)") }
        #expect(throws: LimitSearchError.noAdmissibleLoad(smallestLoad: 1, criterion: "always", ratio: 2)) {
            try ProtocolLimitSearch.largestAdmissibleCount(ceiling: 15) { _ in [CriterionValue(criterion: "always", ratio: 2, marginFraction: 0)] }
        }
    }

    static let patient = try! Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)

    /// The ramp-up rate of the default table (logarithmic, 8 pieces, a = e − 1, 15 s) is its first
    /// piece's slope from 0 N: F · ln(1 + a/8) / ln(1 + a) / (15/8) — 400 N: 41.5197… N/s. A table
    /// for a rate r has ramp time 15 · r₀ / r and its curve's largest slope is r (1e-12 relative).
    @Test func rampUpRateAgainstTheLogarithmicClosedForm() throws {
        let s = ProtocolLimitSearch(force: MotionSegmentLimitSearch(patient: Self.patient), peakTableForce: 400, rampUpRateCeiling: 50,
                                    holdCeiling: 75, cyclesCeiling: 15)
        let a = M_E - 1
        let closedForm = 400 * log(1 + a / 8) / log(1 + a) / (15.0 / 8)
        let r0 = try s.rampUpRate(tableForce: 400, table: s.force.table)
        #expect(abs(r0 - closedForm) <= 1e-12 * closedForm)
        for rate in [5.0, 20, 41.5, 120] {
            let t = try s.table(rampUpRate: rate)
            #expect(abs(t.ramp.duration - 15 * closedForm / rate) <= 1e-12 * t.ramp.duration)
            #expect(abs(try s.rampUpRate(tableForce: 400, table: t) - rate) <= 1e-12 * rate)
            #expect(t.hold == 60 && t.rest == 30 && t.restLevel == 0.5)
        }
    }

    /// The session protocol of one cycle is the force search's limit protocol, point for point;
    /// of n cycles below one body weight it is the table's own history at the level
    /// (``ProfessionalTable/historyAtLevel(patient:fractions:)``, n cycles at the force), to 1e-9 N,
    /// on a split and a one-piece table.
    @Test(arguments: [1, 3, 15])
    func sessionProtocolIsTheTablesHistory(cycles: Int) throws {
        for split in [true, false] {
            var table = ProfessionalTable()
            if !split { table.table = .nonSplit(frictionCoefficient: 0.5) }
            let force = MotionSegmentLimitSearch(patient: Self.patient, table: table)
            let s = ProtocolLimitSearch(force: force, peakTableForce: 300, rampUpRateCeiling: 50, holdCeiling: 75, cyclesCeiling: 15)
            let p = try s.sessionProtocol(tableForce: 300, table: table, cycles: cycles)
            guard case let .custom(c) = p.pattern else { Issue.record("expected a custom curve"); return }
            var session = table
            session.cycles = cycles; session.pullFraction = 300 / Self.patient.bodyWeight
            let history = try session.historyAtLevel(patient: Self.patient)
            #expect(c.times.count == history.times.count, "split \(split)")
            for (k, t) in c.times.enumerated() where k < history.times.count {
                #expect(abs(t - (history.times[k] - history.times[0])) <= 1e-9 && abs(c.forces[k] - history.axialForce[k]) <= 1e-9)
            }
            if cycles == 1 {
                guard case let .custom(l) = try force.limitProtocol(tableForce: 300).pattern else { Issue.record("expected a custom curve"); return }
                #expect(l.times.count == c.times.count)
                for k in l.times.indices where k < c.times.count {
                    #expect(abs(l.times[k] - c.times[k]) <= 1e-9 && abs(l.forces[k] - c.forces[k]) <= 1e-9)
                }
            }
        }
    }

    /// The model every protocol search solves does not see the T-score (rigid vertebrae): the
    /// motion segment with a 15-cycle session applied is the same value for T = 2 … −5, so the
    /// rate, hold and cycles limits are the same and only the builder's factors (which only lower)
    /// act.
    @Test func theSessionModelDoesNotSeeTheTScore() throws {
        func model(_ t: Double) throws -> Model {
            let p = try Patient(bodyMassKg: 70, heightCm: 175, tScore: t, discGrade: .ii, level: .l4l5)
            let s = ProtocolLimitSearch(force: MotionSegmentLimitSearch(patient: p), peakTableForce: 300, rampUpRateCeiling: 50, holdCeiling: 75, cyclesCeiling: 15)
            var m = try MotionSegment.lumbar(.l4l5, patient: p, mesh: .coarse, ligaments: .goelBilinear)
            try m.apply(s.sessionProtocol(tableForce: 300, table: s.table(rampUpRate: 20), cycles: 15), bodyMassKg: 70)
            return m
        }
        let reference = try model(0)
        for t in [2.0, -1.5, -3, -5] { #expect(try model(t) == reference, "T = \(t)") }
    }

    /// Model candidates on every protocol quantity, from closed-form searches: force 250 N, ramp-up
    /// rate 30 N/s (below the session's 50 N/s device rating), hold 62 s (below 75 s), 9 cycles (below 15).
    static func modelCandidates() throws -> [LimitCandidate] {
        func bracket(_ root: Double, _ ceiling: Double) throws -> Double {
            try LimitBracketing.largestAdmissibleLoad(ceiling: ceiling) { x in [CriterionValue(criterion: "c", ratio: x / root, marginFraction: 0.5)] }.limit
        }
        let cycles = try ProtocolLimitSearch.largestAdmissibleCount(ceiling: 15) { n in [CriterionValue(criterion: "c", ratio: Double(n) / 9.5, marginFraction: 0.5)] }
        return [try LimitSearchTests.modelCandidate(),
                LimitCandidate(.maxRampUpNPerS, try bracket(30, 50), kind: .modelCriterion, criterion: "model.motionSegment.test.rampUpRate.c", marginFraction: 0.5),
                LimitCandidate(.maxHoldS, try bracket(62, 75), kind: .modelCriterion, criterion: "model.motionSegment.test.hold.c", marginFraction: 0.5),
                LimitCandidate(.maxCycles, cycles.limit, kind: .modelCriterion, criterion: "model.motionSegment.test.cycles.c", marginFraction: 0.5)]
    }

    static func document(_ patient: LimitsPatient, candidates: [LimitCandidate]) throws -> ForceSafetyLimits {
        try LimitsBuilder.build(LimitsComputation.inputs(patient: patient, session: LimitSearchTests.session, modelLimits: candidates, modelId: "test",
                                                           modelDigestSHA256: LimitSearchTests.testModelDigest, surrogateDigestSHA256: Provenance.none))
    }

    /// With model limits on force, ramp-up rate, hold and cycles: no limit rises as the T-score
    /// falls (2 → −5 in 0.25 steps; lower bounds never fall), and at T = 0 each model limit is the
    /// document's value, kind `.modelCriterion`, to the bit.
    @Test func noLimitRisesAsTScoreFalls() throws {
        let c = try Self.modelCandidates()
        var previous: ForceSafetyLimits?
        for k in 0...28 {
            let t = 2 - 0.25 * Double(k)
            let d = try Self.document(LimitsPatient(json: LimitSearchTests.patientFile(tScore: t)), candidates: c)
            if let p = previous {
                for (name, kp) in Limits.fields {
                    let q = LimitQuantity(rawValue: name)!
                    if q.isLowerBound { #expect(d.limits[keyPath: kp].value >= p.limits[keyPath: kp].value, "\(name) T = \(t)") }
                    else { #expect(d.limits[keyPath: kp].value <= p.limits[keyPath: kp].value, "\(name) T = \(t)") }
                }
            }
            previous = d
        }
        let d0 = try Self.document(LimitsPatient(json: LimitSearchTests.patientFile(tScore: 0)), candidates: c)
        for candidate in c.dropFirst() {
            let g = d0.limits[keyPath: Limits.fields.first { $0.name == candidate.quantity.rawValue }!.keyPath]
            #expect(g.value == candidate.value && g.kind == .modelCriterion && g.criterion == candidate.criterion, "\(candidate.quantity)")
        }
        #expect(d0.limits.maxCycles.value == 9)
    }

    /// With model limits on every protocol quantity, no relative contraindication (alone or all
    /// together) raises any limit against the same patient without conditions.
    @Test func noRelativeContraindicationRaisesAProtocolLimit() throws {
        let c = try Self.modelCandidates()
        let base = try Self.document(LimitsPatient(json: LimitSearchTests.patientFile()), candidates: c)
        let relative: [Condition] = [.hypermobility, .cardiacInsufficiency, .respiratoryInsufficiency, .uncontrolledHypertension, .hiatalHernia, .claustrophobia, .temporomandibularDisorder]
        for conditions in relative.map({ [$0] }) + [relative] {
            let d = try Self.document(LimitsPatient(json: LimitSearchTests.patientFile(conditions: conditions.map(\.rawValue))), candidates: c)
            #expect(!d.blocked)
            for (name, kp) in Limits.fields {
                let q = LimitQuantity(rawValue: name)!
                if q.isLowerBound { #expect(d.limits[keyPath: kp].value >= base.limits[keyPath: kp].value, "\(name) \(conditions)") }
                else { #expect(d.limits[keyPath: kp].value <= base.limits[keyPath: kp].value, "\(name) \(conditions)") }
            }
        }
    }

    /// A protocol limit with no binding criterion in its range gives no candidate (the device or
    /// clinical limit governs) and says so in its criterion; a bracketed one gives a
    /// `.modelCriterion` candidate on the document quantity with its criterion and margin.
    @Test func candidatesOnlyWhereACriterionBinds() throws {
        let held = try LimitBracketing.largestAdmissibleLoad(ceiling: 50) { r in [CriterionValue(criterion: "distraction", ratio: r / 80, marginFraction: 0)] }
        let none = ProtocolLimit(quantity: .rampUpRate, peakTableForce: 400, ceiling: 50, perDataSet: [DataSetForceLimit(dataSet: "a", limit: held)])
        #expect(none.noneInRange && none.candidate == nil && none.limit == 50)
        #expect(none.criterion == "model.motionSegment.rampUpRate.noneInRange")
        let bound = try LimitBracketing.largestAdmissibleLoad(ceiling: 75) { h in [CriterionValue(criterion: "ligament.ISL.failureForce", ratio: h / 64, marginFraction: 0.5)] }
        let other = try LimitBracketing.largestAdmissibleLoad(ceiling: 75) { h in [CriterionValue(criterion: "distraction", ratio: h / 70, marginFraction: 0)] }
        let hold = ProtocolLimit(quantity: .hold, peakTableForce: 400, ceiling: 75,
                                 perDataSet: [DataSetForceLimit(dataSet: "b", limit: other), DataSetForceLimit(dataSet: "a", limit: bound)])
        let c = try #require(hold.candidate)
        #expect(c.quantity == .maxHoldS && c.value == bound.limit && c.kind == .modelCriterion && c.marginFraction == 0.5)
        #expect(c.criterion == "model.motionSegment.a.hold.ligament.ISL.failureForce")
    }
}
