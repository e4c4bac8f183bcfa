import Testing
import Foundation
import Biomechanics
import SparseLinearAlgebra
@testable import SpineModel

@Suite("Anatomy data and patient validation")
struct AnatomyDataTests {
    @Test func patientRefusesBadValuesNamingTheField() throws {
        #expect(throws: AnatomyError.invalidValue(field: "patient.bodyMassKg", value: 0, expected: "a mass > 0 kg")) {
            try Patient(bodyMassKg: 0, heightCm: 170)
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.bodyMassKg", value: -5, expected: "a mass > 0 kg")) {
            try Patient(bodyMassKg: -5, heightCm: 170)
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.tScore", value: 4.5, expected: "a T-score in [−6, 4]")) {
            try Patient(bodyMassKg: 70, heightCm: 170, tScore: 4.5)
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.tScore", value: -6.1, expected: "a T-score in [−6, 4]")) {
            try Patient(bodyMassKg: 70, heightCm: 170, tScore: -6.1)
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.heightCm", value: .infinity, expected: "a height > 0 cm")) {
            try Patient(bodyMassKg: 70, heightCm: .infinity)
        }
        #expect(throws: AnatomyError.unknownLevel("L6-S1")) { try LumbarLevel(name: "L6-S1") }
        #expect(throws: AnatomyError.invalidValue(field: "patient.discGrade", value: 6, expected: "a Pfirrmann grade 1…5")) {
            try PfirrmannGrade(grade: 6)
        }
        #expect(try LumbarLevel(name: "L4/L5") == .l4l5)
        #expect(try LumbarLevel(name: "l5s1") == .l5s1)
        let p = try Patient(bodyMassKg: 80, heightCm: 178, tScore: -6, discGrade: .v, level: .l5s1)   // the range's ends are valid
        #expect(p.boneCategory == .osteoporosis)
        #expect(try Patient(bodyMassKg: 80, heightCm: 178, tScore: 4).boneCategory == .normal)
        #expect(try Patient(bodyMassKg: 80, heightCm: 178, tScore: -1.7).boneCategory == .osteopenia)
        // Decoding validates like the initializer.
        let good = #"{"bodyMassKg": 80, "heightCm": 178, "tScore": -1.2, "discGrade": 2, "level": "L4-L5"}"#
        let decoded = try JSONDecoder().decode(Patient.self, from: Data(good.utf8))
        #expect(decoded == (try Patient(bodyMassKg: 80, heightCm: 178, tScore: -1.2, discGrade: .ii, level: .l4l5)))
        #expect(try JSONDecoder().decode(Patient.self, from: JSONEncoder().encode(decoded)) == decoded)
        #expect(throws: AnatomyError.invalidValue(field: "patient.tScore", value: -7, expected: "a T-score in [−6, 4]")) {
            try JSONDecoder().decode(Patient.self, from: Data(good.replacingOccurrences(of: "-1.2", with: "-7").utf8))
        }
        #expect(throws: AnatomyError.unknownLevel("L7-L8")) {
            try JSONDecoder().decode(Patient.self, from: Data(good.replacingOccurrences(of: "L4-L5", with: "L7-L8").utf8))
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.discGrade", value: 0, expected: "a Pfirrmann grade 1…5")) {
            try JSONDecoder().decode(Patient.self, from: Data(good.replacingOccurrences(of: "\"discGrade\": 2", with: "\"discGrade\": 0").utf8))
        }
    }

    /// Dempster fractions (Winter 1990): cranial to L4/L5 0.081 + 2·0.050 + 0.216 + 0.139 = 0.536 of
    /// body mass; for 80 kg the frictionless inversion tension at 60° head-down is 0.536·m·g·sin 60°.
    @Test func bodyMassCranialToALevel() throws {
        let p = try Patient(bodyMassKg: 80, heightCm: 178)
        #expect(abs(BodySegmentFractions.dempster.fractionCranial(to: .l4l5) - 0.536) < 1e-12)
        #expect(abs(p.massCranial(to: .l4l5) - 0.536 * 80) < 1e-12)
        // Frictionless inversion estimate F = 0.536·m·g·sin θ: 80 kg (785 N) → 364 N at 60° (to 1 N).
        #expect(abs(p.weightCranial(to: .l4l5) * sin(60 * Double.pi / 180) - 364) < 1)
        // T12/L1 (the abdomen excluded): 0.397.
        #expect(abs(BodySegmentFractions.dempster.fractionCranial(to: .l1l2) - (0.397 + 0.139 / 4)) < 1e-12)
        var last = 0.0
        for level in LumbarLevel.allCases {
            let f = BodySegmentFractions.dempster.fractionCranial(to: level)
            #expect(f >= last); last = f
        }
    }

    @Test(arguments: [LigamentDataSet.remus2021, LigamentDataSet.goelBilinear])
    func everySetHasAllSevenLigamentsAtEveryLevel(set: LigamentDataSet) throws {
        try set.validate()
        for level in LumbarLevel.allCases {
            for type in LigamentType.allCases {
                let p = try set.properties(level, type)
                _ = try p.bundleLaw()
                // Failure loads where given are those of the literature table (BMC 2010;11:151).
                let table: [LigamentType: Double] = [.anteriorLongitudinal: 510, .posteriorLongitudinal: 384, .flavum: 340,
                                                     .interspinous: 130, .supraspinous: 200, .intertransverse: 70]
                #expect(p.failureForce == table[type])
            }
        }
    }

    /// The published numbers: Remus et al. 2021 (PLoS ONE 16:e0250456, repository .lig files) and
    /// BMC Musculoskelet Disord 2010;11:151 Table 3.
    @Test func tablesHoldThePublishedNumbers() throws {
        let remus = LigamentDataSet.remus2021
        // L4/5 per-spring stiffness, springs, transition strain (Remus 2021 repository files).
        let l45: [(LigamentType, Double, Int, Double, Double)] = [
            (.anteriorLongitudinal, 485, 9, 0.08, -0.03), (.posteriorLongitudinal, 290, 5, 0.23, 0.12), (.flavum, 30, 11, 0.09, -0.03),
            (.interspinous, 2.5, 8, 0.05, -0.02), (.supraspinous, 28, 1, 0.20, -0.08), (.intertransverse, 150, 2, 0.10, 0.02),
            (.capsular, 40, 10, 0.95, 0.55)]
        for (type, k, n, et, er) in l45 {
            let p = try remus.properties(.l4l5, type)
            #expect(p.stiffnessPerSpring == k && p.springCount == n && p.curve.transitionStrain == et)
            // Rest length L₀(1 + ε_r) ⇔ slack length L₀/(1 + ε_ref).
            #expect(abs(1 / (1 + p.referenceStrain) - (1 + er)) < 1e-15)
            #expect(abs(p.dampingPerSpring - 0.003 * k) < 1e-15)
        }
        #expect(try remus.properties(.l1l2, .supraspinous).stiffnessPerSpring == 35.84)
        #expect(try remus.properties(.l5s1, .anteriorLongitudinal).stiffnessPerSpring == 291)
        // The flavum is prestrained (≈ 3 %), the PLL and capsule slack.
        #expect(try remus.properties(.l4l5, .flavum).referenceStrain > 0.03)
        #expect(try remus.properties(.l4l5, .posteriorLongitudinal).referenceStrain < 0)
        // Literature table: k = E·A and the large-strain slope, e.g. ALL 7.8·53 and 20·53 N per unit strain.
        let goel = LigamentDataSet.goelBilinear
        let all = try goel.properties(.l3l4, .anteriorLongitudinal)
        #expect(all.stiffnessPerSpring == 7.8 * 53)
        #expect(all.curve == .bilinear(transitionStrain: 0.12, largeStrainStiffness: 20 * 53))
        #expect(try goel.properties(.l4l5, .capsular).curve == .bilinear(transitionStrain: 0.25, largeStrainStiffness: 33 * 30))
        // Stiffness at the linear region spans 1–2 orders of magnitude between the sets (§3.1 note).
        let ratio = (try remus.properties(.l4l5, .anteriorLongitudinal).totalStiffness) / all.stiffnessPerSpring
        #expect(ratio > 5 && ratio < 20)
    }

    /// The data sets survive a JSON round trip unchanged (they are the model file's ligament tables).
    @Test(arguments: [LigamentDataSet.remus2021, LigamentDataSet.goelBilinear])
    func dataSetsRoundTripThroughJSON(set: LigamentDataSet) throws {
        var withDamage = set
        withDamage[.l4l5, .flavum]?.damage = LigamentDamage(threshold: 0.12, rate: 0.05, permanentFraction: 0.5, recoveryTime: 564)
        let json = try JSONEncoder().encode(withDamage)
        #expect(try JSONDecoder().decode(LigamentDataSet.self, from: json) == withDamage)
        #expect(String(decoding: json, as: UTF8.self).contains("\"L4-L5\""))        // levels are readable keys
    }

    @Test func ligamentPropertiesRefuseNegativeStiffnessAndThresholdAboveFailure() throws {
        var set = LigamentDataSet.remus2021
        set[.l3l4, .flavum]?.stiffnessPerSpring = -1
        #expect(throws: AnatomyError.invalidValue(field: "ligaments[remus2021].L3-L4.LF.stiffnessPerSpring", value: -1, expected: "a stiffness ≥ 0 N per unit strain")) {
            try set.validate()
        }
        var q = try LigamentDataSet.goelBilinear.properties(.l4l5, .supraspinous)
        q.failureStrain = 0.3
        q.damage = LigamentDamage(threshold: 0.4, rate: 0.1)
        #expect(throws: AnatomyError.invalidValue(field: "SSL.damage.threshold", value: 0.4, expected: "a strain ≤ the failure strain 0.3")) {
            try q.validate(field: "SSL")
        }
        set = .remus2021
        set.entries[.l2l3]?[.capsular] = nil
        #expect(throws: AnatomyError.missingEntry(field: "ligaments[remus2021].L2-L3.CL")) { try set.validate() }
    }

    @Test func levelGeometryIsConsistent() throws {
        for level in LumbarLevel.allCases {
            let g = LevelGeometry.standard(level)
            try g.validate()
            // Wedge: (h_a − h_p)/D = tan α.
            #expect(abs((g.anteriorDiscHeight - g.posteriorDiscHeight) / g.endplateDepth - tan(g.wedgeAngle * .pi / 180)) < 1e-14)
            // Facets face each other: the lower facet normal points medially (towards x = 0) and is a unit vector.
            for side in [LevelGeometry.Side.left, .right] {
                let n = g.lowerFacetNormal(side: side), c = g.facetCentre(side: side)
                #expect(abs((n * n).sum() - 1) < 1e-15)
                #expect(n.x * c.x < 0)
            }
            // Every ligament but the capsule spans the disc: upper insertion above the lower one by
            // at least the posterior disc height; the capsule straddles the facet centre.
            for type in LigamentType.allCases where type != .capsular {
                let (lo, up) = g.insertion(type, side: type.isBilateral ? .right : .midline)
                #expect(up.z - lo.z > g.posteriorDiscHeight - 1e-12)
            }
            let (lo, up) = g.insertion(.capsular, side: .left)
            #expect(abs((lo + up).x / 2 - g.facetCentre(side: .left).x) < 1e-14 && abs((lo + up).z / 2 - g.facetCentre(side: .left).z) < 1e-14)
        }
        var bad = LevelGeometry.standard(.l4l5)
        bad.discHeight = -1
        #expect(throws: AnatomyError.invalidValue(field: "geometry.L4-L5.discHeight", value: -1, expected: "a length > 0 mm")) { try bad.validate() }
    }

    @Test func degenerationPresetsAreMonotone() throws {
        var last = DegenerationPreset.standard(.i)
        for g in PfirrmannGrade.allCases {
            let p = g.preset
            try p.validate()
            #expect(p.heightFactor <= last.heightFactor && p.fixedChargeFactor <= last.fixedChargeFactor && p.permeabilityFactor >= last.permeabilityFactor)
            last = p
        }
        // 3e-16 → 7e-16 m⁴/(N·s): the permeability factor of the degenerated presets.
        #expect(abs(PfirrmannGrade.v.preset.permeabilityFactor - 7.0 / 3) < 1e-15)
        #expect(abs(BoneDensityAssumption().density(tScore: -2.5) - 0.20 * (1 - 0.275)) < 1e-15)
    }
}

@Suite("Rigid motion segment parts from anatomy tables")
struct RigidSegmentPartsTests {
    @Test func bundlesCarryTheTableAndItsPrestrain() throws {
        let g = LevelGeometry.standard(.l4l5)
        let set = LigamentDataSet.remus2021
        let bundles = try g.ligamentBundles(set)
        #expect(bundles.count == 9 + 5 + 11 + 8 + 1 + 2 * 2 + 2 * 10)
        let bodies = [RigidBodyPose(referencePoint: SIMD3(0, 0, g.discHeight))]
        // In the reference configuration every spring has its reference strain, so each ligament
        // carries n · F(ε_ref) with F the toe–linear law evaluated by hand.
        for type in LigamentType.allCases {
            let p = try set.properties(.l4l5, type)
            let mine = bundles.filter { $0.name.hasPrefix("L4-L5 \(type) ") }
            #expect(mine.count == p.springCount * (type.isBilateral ? 2 : 1))
            let e = p.referenceStrain, et = p.curve.transitionStrain, k = p.stiffnessPerSpring
            let perSpring = e <= 0 ? 0 : (e < et ? k * e * e / (2 * et) : k * (e - et / 2))
            let total = mine.reduce(0.0) { $0 + $1.result(bodies).force }
            #expect(abs(total - Double(mine.count) * perSpring) <= 1e-12 * max(1, total), "\(type)")
            if let ff = p.failureForce {
                let ratio = mine[0].result(bodies).failureRatio ?? -1
                #expect(abs(ratio - perSpring / (ff / Double(p.springCount))) < 1e-12)
            }
        }
        let facets = try g.facetContacts()
        #expect(facets.count == 2)
        for f in facets { for gap in f.gaps(bodies) { #expect(abs(gap - 0.5) < 1e-12) } }
    }

    /// L4-L5 with the Remus set, facets and a disc stand-in under a 300 N pull: the reported
    /// ligament forces (along their current lines), the facet forces and the bushing force balance
    /// the pull (conservation of momentum), and every ligament is below its failure load.
    @Test func tractionOnTheRigidSegmentBalances() throws {
        let g = LevelGeometry.standard(.l4l5)
        let bundles = try g.ligamentBundles(.remus2021)
        var k = DenseMatrix(rows: 6, columns: 6)
        for i in 0..<3 { k[i, i] = 500 }                               // N/mm: an assumed disc stand-in
        for i in 3..<6 { k[i, i] = 5e5 }                               // N·mm/rad
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(0, 0, g.discHeight))],
                                          ligaments: bundles, facets: try g.facetContacts(),
                                          bushings: [try LinearBushing(body: 0, stiffness: k)],
                                          options: .init(penetrationTolerance: 1e-3))
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, 300))
        let report = try eq.solve()
        var sum: SIMD3<Double> = eq.loads[0].linear + eq.bushings[0].force(eq.bodies).linear
        for (b, r) in zip(eq.ligaments, report.ligaments) {
            let d = b.insertion.position(eq.bodies) - b.origin.position(eq.bodies)
            sum -= r.force * d / (d * d).sum().squareRoot()
            if let ratio = r.failureRatio { #expect(ratio < 1) }
        }
        for (f, r) in zip(eq.facets, report.facets) {
            let n = f.planeNormal
            sum += r.force * n
            #expect(r.minimumGap >= -1e-3)
        }
        #expect((sum * sum).sum().squareRoot() < 1e-8 * 300)
        #expect(eq.bodies[0].translation.z > 0)                        // the segment distracts
    }
}
