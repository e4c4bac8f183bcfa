import Foundation
import TractionSafety

/// A patient as the limit computation reads it: the model's ``Patient`` and the clinical
/// findings the limits builder needs (``TractionSafety/PatientAssessment``).
///
/// The file is a ``PatientFile`` in which every member the limits depend on is required — none is
/// defaulted (unknown members are refused as in any patient file):
///
/// ```json
/// {"bodyMassKg": 80, "heightCm": 178, "tScore": -1.2, "discGrade": 2, "level": "L4-L5",
///  "conditions": ["hypermobility"], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
/// ```
///
/// `bodyMassKg` (kg, [20, 300]), `heightCm` (cm, > 0), `tScore` (DXA T-score, SD, [−6, 4]),
/// `discGrade` (Pfirrmann 1…5), `level` (a lumbar level, "L4-L5"), `conditions` (names of
/// ``TractionSafety/Condition``), `spondylolisthesisGrade` (Meyerding 0…5),
/// `monthsSinceSpinalSurgery` (months ≥ 0, or null for never operated); `inversionConditions`
/// may be present and does not act on the limits.
public struct LimitsPatient: Sendable, Equatable {
    /// The model's patient.
    public var patient: Patient
    /// The clinical findings (region lumbar, the same mass, level and T-score).
    public var assessment: PatientAssessment

    /// The members a limits patient file must have.
    public static let members = ["bodyMassKg", "heightCm", "tScore", "discGrade", "level", "conditions", "spondylolisthesisGrade", "monthsSinceSpinalSurgery"]

    /// Reads and checks a patient file (see the type's discussion).
    /// - Parameter level: when given, replaces the file's `level` (the caller states it).
    /// - Throws: ``PatientFileError`` naming the field.
    public init(json bytes: [UInt8], level override: LumbarLevel? = nil) throws(PatientFileError) {
        var input = try PatientFile.parse(Data(bytes), requiring: Self.members)
        if let level = override {
            let p = input.patient
            do { input.patient = try Patient(bodyMassKg: p.bodyMassKg, heightCm: p.heightCm, tScore: p.tScore, discGrade: p.discGrade, level: level) } catch {
                throw .invalidValue(field: "level", value: level.rawValue, expected: "a level the patient can be built at (\(error))")
            }
        }
        patient = input.patient
        do { assessment = try input.assessment() } catch {
            throw .invalidValue(field: error.property, value: patient.level.rawValue, expected: "\(error)")
        }
    }
}
