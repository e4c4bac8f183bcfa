import Foundation
import Testing
import TractionSafety
@testable import SpineModel

/// The bracketing search on closed-form responses, and the document path from a model limit to a
/// signed document the controller module loads.
@Suite("Limit search: bracketing, properties, documents")
struct LimitSearchTests {
    /// A cubic response r(F) = (F / F*)³: the exact root is F*. The limit must be admissible
    /// (≤ F*), the failing bracket end above F*, and the bracket ≤ 1 % of the limit — so the limit
    /// lies in [F*/1.01, F*].
    @Test(arguments: [37.5, 123.456, 420.0, 999.0])
    func bracketsTheRootOfAMonotoneClosedForm(root: Double) throws {
        let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000, relativeTolerance: 0.01) { f in
            [CriterionValue(criterion: "cubic", ratio: pow(f / root, 3), marginFraction: 0.5)]
        }
        #expect(r.limit <= root)
        #expect(r.limit >= root / 1.01)
        let upper = try #require(r.upperBracket)
        #expect(upper > root)
        #expect(upper - r.limit <= 0.01 * r.limit)
        #expect(r.governing.criterion == "cubic" && r.governing.marginFraction == 0.5)
        // Every evaluation is an exact evaluation of the closed form (nothing extrapolated).
        for e in r.evaluations { #expect(e.worstRatio == pow(e.load / root, 3)) }
        #expect(r.evaluations.contains { $0.load == r.limit })
    }

    /// A response whose ratio is known only where it holds (+∞ above the root, as a run stopped
    /// at its first violation reports): linear r = F / 420 N below. By hand: 1000 and 500 N fail,
    /// 250 N holds (0.595), bisection to 375 N (0.893); the line through the two admissible loads
    /// has its root at 420 N, so the next loads are 420 × 1.004 (fails) and 420 × 0.996 (holds),
    /// a 0.8 % bracket: 6 solves, where bisection alone needs 9.
    @Test func aimsWithTheAdmissibleSideWhenTheFailingRatioIsUnknown() throws {
        let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000, relativeTolerance: 0.01) { f in
            [CriterionValue(criterion: "stopped", ratio: f <= 420 ? f / 420 : .infinity, marginFraction: 0)]
        }
        #expect(r.limit <= 420 && r.limit >= 420 / 1.01)
        #expect(try #require(r.upperBracket) > 420)
        #expect(r.relativeBracketWidth <= 0.01)
        let loads = r.evaluations.map(\.load)
        #expect(loads.count == 6)
        #expect(loads.prefix(4) == [1000, 500, 250, 375])
        #expect(abs(loads[4] - 420 * 1.004) <= 1e-9 * 420 && abs(loads[5] - 420 * 0.996) <= 1e-9 * 420)
    }

    /// A strongly curved response (r = e^{20(F/F* − 1)}, exact root F* = 333 N) still ends with a
    /// 1 % bracket around the root: the safeguard's bisection steps carry it where the
    /// interpolation is poor.
    @Test func bracketsAStronglyCurvedResponse() throws {
        let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000) { f in
            [CriterionValue(criterion: "exp", ratio: exp(20 * (f / 333 - 1)), marginFraction: 0)]
        }
        #expect(r.limit <= 333 && r.limit >= 333 / 1.01)
        #expect(try #require(r.upperBracket) > 333)
        #expect(r.relativeBracketWidth <= 0.01)
    }

    /// Two criteria: the one with the smaller root governs (roots 300 and 500 N, linear ratios).
    @Test func theSmallerRootGoverns() throws {
        let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000) { f in
            [CriterionValue(criterion: "a", ratio: f / 500, marginFraction: 0), CriterionValue(criterion: "b", ratio: f / 300, marginFraction: 0)]
        }
        #expect(r.governing.criterion == "b")
        #expect(r.limit <= 300 && r.limit >= 300 / 1.01)
        // The governing ratio at the limit is the closed form's: limit / 300.
        #expect(abs(r.governingRatioAtLimit - r.limit / 300) <= 1e-15)
    }

    /// A response admissible at the ceiling gives the ceiling itself, flagged.
    @Test func ceilingWhenEveryCriterionHolds() throws {
        let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 700) { f in [CriterionValue(criterion: "lin", ratio: f / 800, marginFraction: 0)] }
        #expect(r.limit == 700 && r.reachedCeiling && r.evaluations.count == 1)
        #expect(r.governingRatioAtLimit == 0.875)
    }

    /// A response that falls with the load is refused (no limit), and so is one that fails everywhere.
    @Test func refusesNonMonotoneAndNowhereAdmissible() {
        // Ratio 0.9 up to 600 N, 0.5 from 600 to 900 N, 2 above: the search's probes end in the
        // 0.5 band, so an evaluated load in the 0.9 band lies below one in the 0.5 band.
        do {
            _ = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000) { f in
                [CriterionValue(criterion: "bumpy", ratio: f > 900 ? 2 : (f > 600 ? 0.5 : 0.9), marginFraction: 0)]
            }
            Issue.record("expected a refusal")
        } catch let e as LimitSearchError {
            guard case let .nonMonotone(f0, r0, f1, r1, _) = e else { Issue.record("\(e)"); return }
            #expect(f0 <= 600 && r0 == 0.9 && f1 > 600 && f1 <= 900 && r1 == 0.5)
        } catch { Issue.record("\(error)") }
        do {
            _ = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000, maxHalvings: 3) { _ in [CriterionValue(criterion: "always", ratio: 2, marginFraction: 0)] }
            Issue.record("expected a refusal")
        } catch let e as LimitSearchError {
            #expect(e == .noAdmissibleLoad(smallestLoad: 125, criterion: "always", ratio: 2))
        } catch { Issue.record("\(error)") }
        #expect(throws: LimitSearchError.invalidParameter(field: "ceiling", value: -1, expected: "a finite load > 0 N")) {
            try LimitBracketing.largestAdmissibleLoad(ceiling: -1) { _ in [] }
        }
    }

    /// The ratios of the criteria against hand-computed values for made-up series: ligament force
    /// 65 N of a 130 N failure force at fraction 0.5 → 1.0; distraction 2 mm of 4 mm → 0.5; any
    /// laxity with bound 0 → +∞.
    @Test func criterionRatiosByHand() {
        func series(_ v: [Double]) -> TimeSeries { TimeSeries(name: "s", quantity: "q", unit: "1", components: ["value"], values: v.map { [$0] }) }
        var isl = LigamentSeries(type: .interspinous, side: .midline, fibreCount: 1, strain: series([0, 0.1]), force: series([0, 65]),
                                 failureRatio: series([0, 0.5]), thresholdRatio: nil, laxity: series([0, 0]), failureForce: 130)
        let results = MotionSegmentResults(ligaments: [isl], translation: series([0]), rotation: series([0]), discHeightChange: series([0]),
                                           distraction: series([0, 2]))
        let v = LimitCriteria().evaluate(results)
        #expect(v.first { $0.criterion == "ligament.ISL.failureForce" }?.ratio == 1.0)
        #expect(v.first { $0.criterion == "ligament.ISL.failureForce" }?.marginFraction == 0.5)
        #expect(v.first { $0.criterion == "distraction" }?.ratio == 0.5)
        #expect(v.first { $0.criterion == "laxity" }?.ratio == 0)
        isl.laxity = series([0, 1e-6])
        let w = LimitCriteria().evaluate(MotionSegmentResults(ligaments: [isl], translation: series([0]), rotation: series([0]),
                                                              discHeightChange: series([0]), distraction: series([0, 2])))
        #expect(w.first { $0.criterion == "laxity" }?.ratio == .infinity)
    }

    /// The limit protocol's peak at the level is the table force on a split table and
    /// F − μ·(1 − 0.536)·m·g on a one-piece table (μ = 0.5, 80 kg, F = 400 N: 400 − 0.5 × 0.464 × 784.8 = 217.9264 N).
    @Test func limitProtocolPeakAgainstTheTableClosedForm() throws {
        let patient = try Patient(bodyMassKg: 80, heightCm: 178, tScore: 0, discGrade: .ii, level: .l4l5)
        let split = MotionSegmentLimitSearch(patient: patient)
        let a = try split.limitProtocol(tableForce: 400).resolve(bodyMassKg: 80)
        #expect(abs(a.peakForce - 400) <= 1e-9 * 400)
        var table = ProfessionalTable()
        table.table = .nonSplit(frictionCoefficient: 0.5)
        let b = try MotionSegmentLimitSearch(patient: patient, table: table).limitProtocol(tableForce: 400).resolve(bodyMassKg: 80)
        let expected = 400 - 0.5 * (1 - BodySegmentFractions.dempster.fractionCranial(to: .l4l5)) * 80 * 9.81
        #expect(abs(b.peakForce - expected) <= 1e-9 * expected)
        #expect(abs(expected - 217.9264) <= 1e-9 * 217.9264)
        // Below one body weight the protocol's force curve is the table's own history at the level
        // (ProfessionalTable.historyAtLevel, one cycle at 400 N), point for point, to 1e-9 N.
        var oneCycle = table
        oneCycle.cycles = 1; oneCycle.pullFraction = 400 / patient.bodyWeight
        let history = try oneCycle.historyAtLevel(patient: patient)
        let curve = try MotionSegmentLimitSearch(patient: patient, table: table).limitProtocol(tableForce: 400)
        guard case let .custom(c) = curve.pattern else { Issue.record("expected a custom curve"); return }
        #expect(c.times.count == history.times.count)
        for (k, t) in c.times.enumerated() where k < history.times.count {
            #expect(abs(t - (history.times[k] - history.times[0])) <= 1e-9 && abs(c.forces[k] - history.axialForce[k]) <= 1e-9)
        }
        // Above one body weight (1.5 × 784.8 N on the split table) the peak is the table force.
        let c15 = try split.limitProtocol(tableForce: 1.5 * 784.8).resolve(bodyMassKg: 80)
        #expect(abs(c15.peakForce - 1177.2) <= 1e-9 * 1177.2)
        // A pull angle is refused (its flexion moment is not applied), naming the field.
        table.pullAngle = 10
        #expect(throws: LimitSearchError.unsupportedProtocol(field: "table.pullAngle", value: 10, expected: "0° (a pull angle adds a flexion moment the limit search does not apply)")) {
            try MotionSegmentLimitSearch(patient: patient, table: table).validate()
        }
    }

    /// The model a limit is searched on does not depend on the T-score (the vertebrae are rigid):
    /// the motion segment with the limit protocol applied is the same value for T = 2 … −5, so the
    /// model limit is the same for every T-score and only the builder's bone-density factor acts.
    @Test func theSearchedModelDoesNotSeeTheTScore() throws {
        func model(_ t: Double) throws -> Model {
            let p = try Patient(bodyMassKg: 70, heightCm: 175, tScore: t, discGrade: .ii, level: .l4l5)
            var m = try MotionSegment.lumbar(.l4l5, patient: p, mesh: .coarse, ligaments: .goelBilinear)
            try m.apply(MotionSegmentLimitSearch(patient: p).limitProtocol(tableForce: 300), bodyMassKg: 70)
            return m
        }
        let reference = try model(0)
        for t in [2.0, -1.5, -3, -5] { #expect(try model(t) == reference, "T = \(t)") }
    }

    // MARK: - Documents

    static let session = try! LimitsComputation.Session(json: Array("""
        {"configuration": {"surface": "splitTable", "harness": "thoracoPelvic"},
         "device": {"deviceId": "TestTable-1", "maxForceN": 900, "maxRampUpNPerS": 50, "maxRampDownNPerS": 100, "minAngleDeg": 0, "maxAngleDeg": 30},
         "prescription": {"softMaxForceN": 300, "minHoldS": 30, "maxHoldS": 75, "minRestS": 20, "maxCycles": 15, "maxSessionS": 1500,
                          "restForceFractionMax": 0.5, "minAngleDeg": 0, "maxAngleDeg": 20},
         "monitoring": {"trackingToleranceN": 15, "trackingToleranceDurationS": 1, "overshootN": 10, "overshootDurationS": 0.5,
                        "sensorFreshnessTimeoutS": 0.5, "frozenSensorTimeoutS": 1, "frozenSensorMinCommandChangeN": 5},
         "createdAtUnixS": 1795564800, "validityS": 604800}
        """.utf8))

    /// A stand-in model digest for the closed-form model limit of these tests.
    static let testModelDigest = String(repeating: "cd", count: 32)

    static func patientFile(mass: Double = 70, tScore: Double = 0, conditions: [String] = [], level: String = "L4-L5") -> [UInt8] {
        let c = conditions.map { "\"\($0)\"" }.joined(separator: ", ")
        return Array("""
            {"bodyMassKg": \(mass), "heightCm": 175, "tScore": \(tScore), "discGrade": 2, "level": "\(level)",
             "conditions": [\(c)], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
            """.utf8)
    }

    /// A model limit from the closed-form search (root 250 N: below the 0.5 BW = 343.2 N clinical cap of a 70 kg patient).
    static func modelCandidate() throws -> LimitCandidate {
        let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 686.47) { f in [CriterionValue(criterion: "ligament.ISL.failureForce", ratio: f / 250, marginFraction: 0.5)] }
        return LimitCandidate(.maxForceN, r.limit, kind: .modelCriterion, criterion: "model.motionSegment.test.\(r.governing.criterion)", marginFraction: 0.5)
    }

    static func document(_ patient: LimitsPatient, candidate: LimitCandidate) throws -> ForceSafetyLimits {
        try LimitsBuilder.build(LimitsComputation.inputs(patient: patient, session: session, modelLimits: [candidate], modelId: "test",
                                                           modelDigestSHA256: Self.testModelDigest, surrogateDigestSHA256: Provenance.none))
    }

    /// Limits never rise as the T-score falls (T from 2 down to −5 in 0.25 steps), for the hard
    /// and soft force: the model limit does not depend on bone (rigid vertebrae) and the builder's
    /// bone-density factor is non-increasing.
    @Test func limitsNeverRiseAsTScoreFalls() throws {
        let c = try Self.modelCandidate()
        var previous: (hard: Double, soft: Double)?
        for k in 0...28 {
            let t = 2 - 0.25 * Double(k)
            let d = try Self.document(LimitsPatient(json: Self.patientFile(tScore: t)), candidate: c)
            if let p = previous {
                #expect(d.limits.maxForceN.value <= p.hard, "T = \(t)")
                #expect(d.limits.softMaxForceN.value <= p.soft, "T = \(t)")
            }
            previous = (d.limits.maxForceN.value, d.limits.softMaxForceN.value)
        }
        // At T = 0 the model limit governs: the hard limit is the bracketed model limit itself.
        let d0 = try Self.document(LimitsPatient(json: Self.patientFile(tScore: 0)), candidate: c)
        #expect(d0.limits.maxForceN.value == c.value && d0.limits.maxForceN.kind == .modelCriterion)
    }

    /// No relative contraindication raises any limit (each one alone and all together), against
    /// the same patient without conditions.
    @Test func noRelativeContraindicationRaisesALimit() throws {
        let c = try Self.modelCandidate()
        let base = try Self.document(LimitsPatient(json: Self.patientFile()), candidate: c)
        let relative: [Condition] = [.hypermobility, .cardiacInsufficiency, .respiratoryInsufficiency, .uncontrolledHypertension, .hiatalHernia, .claustrophobia, .temporomandibularDisorder]
        for conditions in relative.map({ [$0] }) + [relative] {
            let d = try Self.document(LimitsPatient(json: Self.patientFile(conditions: conditions.map(\.rawValue))), candidate: c)
            #expect(!d.blocked)
            for (name, kp) in Limits.fields {
                let q = LimitQuantity(rawValue: name)!
                if q.isLowerBound { #expect(d.limits[keyPath: kp].value >= base.limits[keyPath: kp].value, "\(name) \(conditions)") }
                else { #expect(d.limits[keyPath: kp].value <= base.limits[keyPath: kp].value, "\(name) \(conditions)") }
            }
        }
    }

    /// A computed document, signed, loads in the controller module, and the envelope replays a
    /// session trace against it: a trapezoid cycle to 0.9 × the model limit passes every sample; a
    /// set-point 10 N above the model limit is clamped to the limit (the model value, to the bit).
    @Test func signedDocumentLoadsAndTheEnvelopeReplaysATrace() throws {
        let c = try Self.modelCandidate()
        let patient = try LimitsPatient(json: Self.patientFile())
        let inputs = try LimitsComputation.inputs(patient: patient, session: Self.session, modelLimits: [c], modelId: "test",
                                                  modelDigestSHA256: Self.testModelDigest, surrogateDigestSHA256: Provenance.none)
        let document = try LimitsBuilder.build(inputs)
        let key = try LimitsSigningKey(rawRepresentation: Array(1...32))
        let signed = try LimitsSigner.sign(ForceSafetyLimits(unsignedJSON: document.canonicalUnsignedJSON), with: key)
        let expectations = ControllerExpectations(
            trustedKeys: [key.publicKey],
            ceilings: ControllerCeilings(maxForceN: 1000, maxRampUpNPerS: 100, maxRampDownNPerS: 200, maxHoldS: 600, maxSessionS: 3600, maxCycles: 50),
            region: .lumbar, level: SpinalLevel("L4-L5")!, configuration: inputs.configuration, inputsDigestSHA256: inputs.digestSHA256, nowUnixS: 1_795_564_800 + 3600)
        let loaded = try LimitsLoader.load(signed, expecting: expectations)
        #expect(loaded.document.limits.maxForceN.value == c.value)
        #expect(loaded.document.limits.maxForceN.criterion == c.criterion)
        // Tampering with the model-derived limit is refused: its number in the signed bytes is
        // replaced by one 50 N higher (everything else, signature included, unchanged).
        let text = String(decoding: signed, as: UTF8.self)
        if let field = text.range(of: #""maxForceN":{"#), let value = text.range(of: #""value":"#, range: field.upperBound..<text.endIndex),
           let close = text.range(of: "}", range: value.upperBound..<text.endIndex) {
            #expect(Double(text[value.upperBound..<close.lowerBound]) == c.value)
            let tampered = Array(text.replacingCharacters(in: value.upperBound..<close.lowerBound, with: "\(c.value + 50)").utf8)
            #expect(throws: LimitsRefusal.self) { try LimitsLoader.load(tampered, expecting: expectations) }
        } else { Issue.record("no limits.maxForceN.value in the signed document") }

        // Trace: 10 Hz; ramp 0 → peak in 15 s (≤ 50 N/s for a peak ≤ 750 N), hold 40 s, ramp down
        // 15 s, rest to 100 s: the pull phase (until the set-point falls to half the peak) lasts 62.5 s ≤ 75 s.
        let peak = 0.9 * c.value
        var envelope = TractionEnvelope(limits: loaded)
        var t = 0.0
        for k in 0...1000 {
            t = Double(k) * 0.1
            let f = t < 15 ? peak * t / 15 : (t < 55 ? peak : max(0, peak * (70 - t) / 15))
            let decision = envelope.check(timeS: t, commandedN: f, measuredN: f, sensorTimeS: t)
            #expect(decision == .continue, "t = \(t) s, \(f) N")
        }
        // A second envelope: a set-point above the model limit, reached within the ramp rate.
        var over = TractionEnvelope(limits: loaded)
        var last: EnvelopeDecision = .continue
        for k in 0...400 {
            t = Double(k) * 0.1
            let f = min(c.value + 10, 8 * t)  // 8 N/s
            last = over.check(timeS: t, commandedN: f, measuredN: min(f, c.value), sensorTimeS: t)
        }
        guard case let .clamp(toN, _) = last else { Issue.record("expected a clamp, got \(last)"); return }
        #expect(toN == c.value)
    }

    /// Equal inputs give byte-identical unsigned documents (two builds from two parses).
    @Test func equalInputsGiveByteIdenticalDocuments() throws {
        let a = try Self.document(LimitsPatient(json: Self.patientFile(mass: 82.5, tScore: -1.3, conditions: ["hypermobility", "claustrophobia"])),
                                  candidate: Self.modelCandidate())
        let b = try Self.document(LimitsPatient(json: Self.patientFile(mass: 82.5, tScore: -1.3, conditions: ["claustrophobia", "hypermobility"])),
                                  candidate: Self.modelCandidate())
        #expect(a.canonicalUnsignedJSON == b.canonicalUnsignedJSON)
    }

    /// Bad patient and session files are refused naming the field.
    @Test func badFilesNameTheField() {
        func field(_ bytes: [UInt8]) -> String? {
            do { _ = try LimitsPatient(json: bytes); return nil } catch { return error.field }
        }
        #expect(field(Self.patientFile(mass: 10)) == "bodyMassKg")
        #expect(field(Self.patientFile(tScore: -7)) == "tScore")
        #expect(field(Self.patientFile(conditions: ["gout"])) == "conditions[0]")
        #expect(field(Self.patientFile(level: "C5-C6")) == "level")
        #expect(field(Array(#"{"bodyMassKg": 70}"#.utf8)) == "heightCm")
        #expect(field(Array(#"{"bodyMassKg": 70, "weight": 3}"#.utf8)) == "weight")
        do { _ = try LimitsComputation.Session(json: Array(#"{"device": {}, "patient": {}}"#.utf8)); Issue.record("expected a refusal") } catch {
            #expect(error.field == "session.patient")
        }
    }
}
