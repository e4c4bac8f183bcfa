import Testing
import Foundation
import Biomechanics
@testable import SpineModel

/// Every kind of bad patient or ligament input is refused with a typed error naming the field,
/// the value and what was expected.
@Suite("Anatomy: bad input")
struct AnatomyBadInputTests {
    private let patientJSON = #"{"bodyMassKg": 80, "heightCm": 178, "tScore": -1.2, "discGrade": 2, "level": "L4-L5"}"#
    private func decode(_ replacing: String, _ with: String) throws -> Patient {
        try JSONDecoder().decode(Patient.self, from: Data(patientJSON.replacingOccurrences(of: replacing, with: with).utf8))
    }

    @Test func unknownLevelString() throws {
        for name in ["L6-S1", "L4-L6", "", "T12-L1"] {
            #expect(throws: AnatomyError.unknownLevel(name)) { try LumbarLevel(name: name) }
        }
        #expect(throws: AnatomyError.unknownLevel("L9")) { try decode("L4-L5", "L9") }
        #expect(AnatomyError.unknownLevel("L9").description == "level: expected one of L1-L2, L2-L3, L3-L4, L4-L5, L5-S1, got \"L9\"")
    }

    @Test func tScoreOutsideMinusSixToFour() throws {
        for t in [-6.000001, 4.000001, -10, .nan, .infinity] {
            #expect(throws: (any Error).self) { try Patient(bodyMassKg: 70, heightCm: 170, tScore: t) }
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.tScore", value: 4.5, expected: "a T-score in [−6, 4]")) {
            try Patient(bodyMassKg: 70, heightCm: 170, tScore: 4.5)
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.tScore", value: -7, expected: "a T-score in [−6, 4]")) { try decode("-1.2", "-7") }
        _ = try Patient(bodyMassKg: 70, heightCm: 170, tScore: -6)
        _ = try Patient(bodyMassKg: 70, heightCm: 170, tScore: 4)
    }

    @Test func massNotPositive() throws {
        for m in [0.0, -70] {
            #expect(throws: AnatomyError.invalidValue(field: "patient.bodyMassKg", value: m, expected: "a mass > 0 kg")) { try Patient(bodyMassKg: m, heightCm: 170) }
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.bodyMassKg", value: 0, expected: "a mass > 0 kg")) { try decode("80", "0") }
        var p = try Patient(bodyMassKg: 70, heightCm: 170)
        p.bodyMassKg = -1
        #expect(throws: AnatomyError.invalidValue(field: "patient.bodyMassKg", value: -1, expected: "a mass > 0 kg")) { try p.validate() }
    }

    @Test func heightNotPositive() throws {
        for h in [0.0, -170] {
            #expect(throws: AnatomyError.invalidValue(field: "patient.heightCm", value: h, expected: "a height > 0 cm")) { try Patient(bodyMassKg: 70, heightCm: h) }
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.heightCm", value: -178, expected: "a height > 0 cm")) { try decode("178", "-178") }
    }

    @Test func pfirrmannGradeOutsideOneToFive() throws {
        for g in [0, 6, -1] {
            #expect(throws: AnatomyError.invalidValue(field: "patient.discGrade", value: Double(g), expected: "a Pfirrmann grade 1…5")) { try PfirrmannGrade(grade: g) }
        }
        #expect(throws: AnatomyError.invalidValue(field: "patient.discGrade", value: 6, expected: "a Pfirrmann grade 1…5")) {
            try decode("\"discGrade\": 2", "\"discGrade\": 6")
        }
    }

    @Test func ligamentWithNegativeStiffness() throws {
        var set = LigamentDataSet.remus2021
        set[.l4l5, .interspinous]?.stiffnessPerSpring = -2.5
        #expect(throws: AnatomyError.invalidValue(field: "ligaments[remus2021].L4-L5.ISL.stiffnessPerSpring", value: -2.5, expected: "a stiffness ≥ 0 N per unit strain")) {
            try set.validate()
        }
        // The geometry refuses to build bundles from it, with the same error.
        #expect(throws: AnatomyError.invalidValue(field: "ligaments[remus2021].L4-L5.ISL.stiffnessPerSpring", value: -2.5, expected: "a stiffness ≥ 0 N per unit strain")) {
            try LevelGeometry.standard(.l4l5).ligamentBundles(set)
        }
        var goel = LigamentDataSet.goelBilinear
        goel[.l2l3, .anteriorLongitudinal]?.curve = .bilinear(transitionStrain: 0.12, largeStrainStiffness: -1)
        #expect(throws: AnatomyError.invalidValue(field: "ligaments[goelBilinear].L2-L3.ALL.largeStrainStiffness", value: -1, expected: "a stiffness ≥ 0 N per unit strain")) {
            try goel.validate()
        }
    }

    @Test func damageThresholdAboveFailureStrain() throws {
        var set = LigamentDataSet.remus2021
        set[.l4l5, .flavum]?.failureStrain = 0.5
        set[.l4l5, .flavum]?.damage = LigamentDamage(threshold: 0.6, rate: 0.05)
        #expect(throws: AnatomyError.invalidValue(field: "ligaments[remus2021].L4-L5.LF.damage.threshold", value: 0.6, expected: "a strain ≤ the failure strain 0.5")) {
            try set.validate()
        }
        set[.l4l5, .flavum]?.damage = LigamentDamage(threshold: 0.5, rate: 0.05)     // equal is admissible
        try set.validate()
    }
}
