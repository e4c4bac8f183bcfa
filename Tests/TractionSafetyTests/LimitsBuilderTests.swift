import Foundation
import PropertyBased
import Testing
@testable import TractionSafety

@Suite("Limits builder, clinical caps and contraindications")
struct LimitsBuilderTests {
    @Test func lumbarCapsFromBodyMass() throws {
        let d = try LimitsBuilder.build(Fixtures.inputs)
        // 50 % and 40 % of 70 kg × 9.80665 m/s² (hand: 343.23275 N, 274.5862 N).
        #expect(abs(d.limits.maxForceN.value - 343.23275) < 1e-9)
        #expect(d.limits.maxForceN.kind == .clinicalRule)
        #expect(abs(d.limits.softMaxForceN.value - 274.5862) < 1e-9)
        #expect(d.limits.softMaxForceN.criterion == "clinical.lumbar.fortyPercentBodyWeight")
        // Device governs ramps; prescription governs timing and the 20° angle; clinical governs the session? No:
        // prescription 1500 s < clinical 1800 s.
        #expect(d.limits.maxRampUpNPerS == GovernedLimit(value: 50, kind: .deviceRating, criterion: "device.TestTable-1.maxRampUp", marginFraction: 0))
        #expect(d.limits.maxSessionS.value == 1500 && d.limits.maxSessionS.kind == .prescription)
        #expect(d.limits.maxAngleDeg.value == 20 && d.limits.maxAngleDeg.kind == .prescription)
        #expect(d.limits.restForceFractionMax.value == 0.5)
        #expect(d.blocked == false && d.blockReasons.isEmpty)
    }

    @Test func cervicalCapsInPoundsForce() throws {
        var inputs = Fixtures.inputs
        inputs.patient.region = .cervical
        inputs.patient.level = SpinalLevel("C5-C6")!
        inputs.configuration = Fixtures.cervicalConfiguration
        inputs.prescription.maxHoldS = 100
        inputs.modelLimits = []
        let d = try LimitsBuilder.build(inputs)
        // 45 lbf and 25 lbf (1 lbf = 4.4482216152605 N): 200.16997 N, 111.20554 N.
        #expect(abs(d.limits.maxForceN.value - 200.16997268672247) < 1e-9)
        #expect(abs(d.limits.softMaxForceN.value - 111.20554038151249) < 1e-9)
        // Flexion 15–25° (clinical) ∩ device 0–30° ∩ prescription 0–20° = 15–20°.
        #expect(d.limits.minAngleDeg.value == 15 && d.limits.minAngleDeg.kind == .clinicalRule)
        #expect(d.limits.maxAngleDeg.value == 20)
        // Hold:rest ≤ 4:1 → rest ≥ 100/4 = 25 s (> prescribed 20 s).
        #expect(d.limits.minRestS.value == 25 && d.limits.minRestS.criterion == "clinical.cervical.holdRestAtMost4to1")
    }

    @Test func modelAndDeviceLimitsGovernWhenLower() throws {
        var inputs = Fixtures.inputs
        inputs.modelLimits = [LimitCandidate(.maxForceN, 300, kind: .modelCriterion, criterion: "model.ligamentStrain.PLL", marginFraction: 0.5),
                              LimitCandidate(.maxRampUpNPerS, 40, kind: .modelCriterion, criterion: "model.annulusFibreStrain", marginFraction: 0.3)]
        var d = try LimitsBuilder.build(inputs)
        #expect(d.limits.maxForceN == GovernedLimit(value: 300, kind: .modelCriterion, criterion: "model.ligamentStrain.PLL", marginFraction: 0.5))
        #expect(d.limits.maxRampUpNPerS.value == 40 && d.limits.maxRampUpNPerS.criterion == "model.annulusFibreStrain")
        inputs.device.maxForceN = 250
        d = try LimitsBuilder.build(inputs)
        #expect(d.limits.maxForceN.value == 250 && d.limits.maxForceN.kind == .deviceRating)
        // Soft never above hard: 274.6 N soft candidate → takes the hard limit 250 N.
        #expect(d.limits.softMaxForceN.value == 250)
    }

    @Test func boneDensityFactor() {
        // WHO normal (T ≥ −1): no reduction; T = −2.5: (1 − 0.12 × 1.5)^1.56 = 0.82^1.56 = 0.733753 (hand/python).
        #expect(ContraindicationRules.boneDensityForceFactor(.tScore(0)) == 1)
        #expect(ContraindicationRules.boneDensityForceFactor(.tScore(-1)) == 1)
        #expect(abs(ContraindicationRules.boneDensityForceFactor(.tScore(-2.5)) - 0.7337525266) < 1e-9)
        #expect(ContraindicationRules.boneDensityForceFactor(.notAssessed) == 1)
    }

    @Test func relativeContraindicationLowersAndIsNamed() throws {
        var inputs = Fixtures.inputs
        inputs.patient.conditions = [.hypermobility]
        inputs.patient.boneDensity = .tScore(-2.5)
        let d = try LimitsBuilder.build(inputs)
        let expected = 343.23275 * 0.8 * 0.7337525266215845
        #expect(abs(d.limits.maxForceN.value - expected) < 1e-9)
        #expect(d.limits.maxForceN.kind == .relativeContraindication)
        #expect(d.limits.maxForceN.criterion == "relative.boneDensity+hypermobility")
        #expect(abs(d.limits.maxRampUpNPerS.value - 25) < 1e-12)            // 50 × 0.5
        #expect(d.limits.maxRampDownNPerS.value == 100)                       // release never slowed
    }

    static var triggers: [(BlockReason, SpinalRegion, (inout PatientAssessment) -> Void)] { [
        (.spinalTumour, .lumbar, { $0.conditions.insert(.spinalTumour) }),
        (.spinalInfection, .lumbar, { $0.conditions.insert(.spinalInfection) }),
        (.acuteFracture, .lumbar, { $0.conditions.insert(.acuteFracture) }),
        (.spinalInstability, .lumbar, { $0.conditions.insert(.spinalInstability) }),
        (.spinalInstability, .lumbar, { $0.conditions.insert(.parsDefect) }),
        (.spinalInstability, .lumbar, { $0.spondylolisthesisGrade = 2 }),
        (.abdominalAorticAneurysm, .lumbar, { $0.conditions.insert(.abdominalAorticAneurysm) }),
        (.pregnancy, .lumbar, { $0.conditions.insert(.pregnancy) }),
        (.severeOsteoporosis, .lumbar, { $0.boneDensity = .tScore(-2.5); $0.conditions.insert(.fragilityFracture) }),
        (.recentSurgeryOrInstrumentation, .lumbar, { $0.monthsSinceSpinalSurgery = 5 }),
        (.recentSurgeryOrInstrumentation, .lumbar, { $0.conditions.insert(.spinalInstrumentation) }),
        (.cordOrCaudaEquinaCompression, .lumbar, { $0.conditions.insert(.cordOrCaudaEquinaCompression) }),
        (.inflammatoryJointDisease, .cervical, { $0.conditions.insert(.inflammatoryJointDisease) }),
        (.cervicalArterialDysfunction, .cervical, { $0.conditions.insert(.cervicalArterialDysfunction) }),
        (.craniovertebralInstability, .cervical, { $0.conditions.insert(.craniovertebralLigamentLaxity) }),
    ] }

    @Test func eachAbsoluteContraindicationBlocks() throws {
        #expect(Set(Self.triggers.map(\.0)) == Set(BlockReason.allCases))
        for (reason, region, apply) in Self.triggers {
            var inputs = Fixtures.inputs
            inputs.patient.region = region
            if region == .cervical { inputs.configuration = Fixtures.cervicalConfiguration }
            inputs.patient.level = region == .lumbar ? SpinalLevel("L4-L5")! : SpinalLevel("C5-C6")!
            apply(&inputs.patient)
            let d = try LimitsBuilder.build(inputs)
            #expect(d.blocked && d.blockReasons == [reason], "\(reason)")
            #expect(d.limits.maxForceN.value == 0 && d.limits.maxForceN.kind == .absoluteContraindication)
            #expect(d.limits.maxForceN.criterion == "absolute.\(reason.rawValue)")
            // The signed blocked document is refused by every controller.
            var e = Fixtures.expectations
            e.region = region
            e.level = inputs.patient.level
            e.configuration = inputs.configuration
            e.inputsDigestSHA256 = inputs.digestSHA256
            #expect(Fixtures.refusal(try LimitsSigner.sign(d, with: Fixtures.key), e)?.reason == .treatmentBlocked)
        }
    }

    @Test func thresholdsOfNumericContraindications() throws {
        func reasons(_ f: (inout PatientAssessment) -> Void) throws -> [BlockReason] {
            var inputs = Fixtures.inputs
            f(&inputs.patient)
            return try LimitsBuilder.build(inputs).blockReasons
        }
        let grade1 = try reasons { $0.spondylolisthesisGrade = 1 }
        let sixMonths = try reasons { $0.monthsSinceSpinalSurgery = 6 }
        let osteoporosisNear = try reasons { $0.boneDensity = .tScore(-2.4); $0.conditions = [.fragilityFracture] }
        let osteoporosisNoFracture = try reasons { $0.boneDensity = .tScore(-3); $0.conditions = [] }
        let inflammatoryLumbar = try reasons { $0.conditions = [.inflammatoryJointDisease] }
        let arterialLumbar = try reasons { $0.conditions = [.cervicalArterialDysfunction] }
        let laxityLumbar = try reasons { $0.conditions = [.craniovertebralLigamentLaxity] }
        #expect(grade1 == [] && sixMonths == [] && osteoporosisNear == [] && osteoporosisNoFracture == [])
        // Region-specific rules do not fire in the other region.
        #expect(inflammatoryLumbar == [] && arterialLumbar == [] && laxityLumbar == [])
        var cervical = Fixtures.inputs
        cervical.patient.region = .cervical
        cervical.patient.level = SpinalLevel("C5-C6")!
        cervical.configuration = Fixtures.cervicalConfiguration
        cervical.patient.conditions = [.abdominalAorticAneurysm]
        #expect(try LimitsBuilder.build(cervical).blockReasons == [])
    }

    @Test func relativeRuleFactorsNeverExceedOne() {
        for r in ContraindicationRules.relative {
            #expect(r.forceFactor > 0 && r.forceFactor <= 1 && r.rampUpFactor > 0 && r.rampUpFactor <= 1 && r.sessionFactor > 0 && r.sessionFactor <= 1)
        }
    }

    static let relativeConditions = ContraindicationRules.relative.map(\.condition)

    static func limits(mass: Double, tScore: Double, mask: Int, region: SpinalRegion) -> ForceSafetyLimits {
        var inputs = Fixtures.inputs
        inputs.patient.bodyMassKg = mass
        inputs.patient.boneDensity = .tScore(tScore)
        inputs.patient.region = region
        inputs.patient.level = region == .lumbar ? SpinalLevel("L4-L5")! : SpinalLevel("C5-C6")!
        if region == .cervical { inputs.configuration = Fixtures.cervicalConfiguration }
        inputs.patient.conditions = Set(relativeConditions.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
        // Monitoring force amounts small enough for the lowest hard maximum these inputs give
        // (15.7 N: cervical, T-score −6, every relative condition); they must stay ≤ a quarter of it.
        inputs.monitoring.trackingToleranceN = 2
        inputs.monitoring.overshootN = 1
        inputs.monitoring.frozenSensorMinCommandChangeN = 1
        return try! LimitsBuilder.build(inputs)
    }

    /// Every upper limit is ≤ and every lower limit is ≥ its counterpart in `base`.
    static func noLimitRaised(_ worse: ForceSafetyLimits, from base: ForceSafetyLimits) -> Bool {
        LimitQuantity.allCases.allSatisfy { q in
            let a = worse.limits[keyPath: q.keyPath].value, b = base.limits[keyPath: q.keyPath].value
            return q.isLowerBound ? a >= b : a <= b
        }
    }

    @Test func noRelativeContraindicationEverRaisesAnyLimit() async {
        let n = Self.relativeConditions.count
        await propertyCheck(count: 200, input: Gen.double(in: 40...150), Gen.double(in: -4...2), Gen.int(in: 0...(1 << n) - 1),
                            Gen.int(in: 0...(n - 1))) { mass, t, mask, extra in
            for region in SpinalRegion.allCases {
                let base = Self.limits(mass: mass, tScore: t, mask: mask, region: region)
                let more = Self.limits(mass: mass, tScore: t, mask: mask | (1 << extra), region: region)
                #expect(Self.noLimitRaised(more, from: base), "mass \(mass) T \(t) mask \(mask) + \(extra) \(region)")
                let none = Self.limits(mass: mass, tScore: t, mask: 0, region: region)
                #expect(Self.noLimitRaised(base, from: none))
            }
        }
    }

    @Test func lowerTScoreNeverRaisesAnyLimit() async {
        await propertyCheck(count: 200, input: Gen.double(in: 40...150), Gen.double(in: -6...4), Gen.double(in: 0...5),
                            Gen.int(in: 0...127)) { mass, t, drop, mask in
            let lower = max(-6, t - drop)
            for region in SpinalRegion.allCases {
                let base = Self.limits(mass: mass, tScore: t, mask: mask, region: region)
                let worse = Self.limits(mass: mass, tScore: lower, mask: mask, region: region)
                #expect(Self.noLimitRaised(worse, from: base), "mass \(mass) T \(t) → \(lower)")
            }
        }
    }

    @Test func sameInputsGiveByteIdenticalDocuments() throws {
        let a = try LimitsSigner.sign(try LimitsBuilder.build(Fixtures.inputs), with: Fixtures.key)
        let b = try LimitsSigner.sign(try LimitsBuilder.build(Fixtures.inputs), with: Fixtures.key)
        #expect(a == b)
        // And identical to the committed golden document (built by an earlier run): determinism across runs.
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/corpus/valid-lumbar.json").standardizedFileURL
        if ProcessInfo.processInfo.environment["TRACTION_SAFETY_WRITE_GOLDEN"] == "1" {
            // The golden document and the other seeds of the loader's fuzz corpus.
            try Data(a).write(to: golden)
            try Data(Fixtures.document.canonicalUnsignedJSON).write(to: golden.deletingLastPathComponent().appendingPathComponent("unsigned-lumbar.json"))
            var cervical = Fixtures.inputs
            cervical.patient.region = .cervical
            cervical.patient.level = SpinalLevel("C5-C6")!
            cervical.configuration = Fixtures.cervicalConfiguration
            cervical.prescription.minAngleDeg = 15
            cervical.prescription.maxAngleDeg = 25
            try Data(try LimitsSigner.sign(try LimitsBuilder.build(cervical), with: Fixtures.key))
                .write(to: golden.deletingLastPathComponent().appendingPathComponent("valid-cervical.json"))
        }
        #expect([UInt8](try Data(contentsOf: golden)) == a)
        var later = Fixtures.inputs
        later.createdAtUnixS += 1
        #expect(try LimitsSigner.sign(try LimitsBuilder.build(later), with: Fixtures.key) != a)
    }

    @Test func inputsJSONRoundTripsAndRefusesMissingFields() throws {
        var inputs = Fixtures.inputs
        inputs.patient.boneDensity = .notAssessed
        inputs.patient.monthsSinceSpinalSurgery = 14
        inputs.patient.conditions = [.hypermobility, .claustrophobia]
        for i in [Fixtures.inputs, inputs] {
            let decoded = try LimitsBuilder.Inputs(json: i.canonicalJSON)
            #expect(decoded == i)
            #expect(decoded.digestSHA256 == i.digestSHA256)
        }
        for path in Fixtures.inputs.jsonValue.memberPaths {
            var tree = Fixtures.inputs.jsonValue
            tree.remove(path)
            #expect(throws: LimitsRefusal.self, "\(path)") { try LimitsBuilder.Inputs(json: CanonicalJSON.encode(tree)) }
        }
        // The digest changes with any input (here: 0.1 kg of body mass).
        var heavier = Fixtures.inputs
        heavier.patient.bodyMassKg += 0.1
        #expect(heavier.digestSHA256 != Fixtures.inputs.digestSHA256)
    }

    @Test func badInputsAreRefusedByField() {
        for (field, modify) in [("patient.bodyMassKg", { (i: inout LimitsBuilder.Inputs) in i.patient.bodyMassKg = .nan }),
                                ("patient.bodyMassKg", { $0.patient.bodyMassKg = 700 }),
                                ("patient.boneDensity.tScore", { $0.patient.boneDensity = .tScore(-7) }),
                                ("device.maxForceN", { $0.device.maxForceN = -1 }),
                                ("prescription.maxCycles", { $0.prescription.maxCycles = 0 }),
                                ("monitoring.overshootN", { $0.monitoring.overshootN = 0 }),
                                ("modelLimits[0].value", { $0.modelLimits[0].value = .infinity }),
                                ("validityS", { $0.validityS = 0 })] as [(String, (inout LimitsBuilder.Inputs) -> Void)] {
            var i = Fixtures.inputs
            modify(&i)
            #expect(throws: LimitsBuildError.self) { try LimitsBuilder.build(i) }
            do { _ = try LimitsBuilder.build(i) } catch { #expect(error.field == field) }
        }
    }
}
