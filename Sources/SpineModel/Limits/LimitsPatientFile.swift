import Foundation
import TractionSafety

/// A patient as the limit computation reads it: the model's ``Patient`` and the clinical
/// findings the limits builder needs (``TractionSafety/PatientAssessment``).
///
/// The file is a ``PatientFile`` in which every member the limits depend on is required — none is
/// defaulted (unknown members are refused as in any patient file) — plus `region`:
///
/// ```json
/// {"bodyMassKg": 80, "heightCm": 178, "tScore": -1.2, "discGrade": 2, "level": "L4-L5",
///  "conditions": ["hypermobility"], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
/// {"region": "cervical", "bodyMassKg": 70, "heightCm": 175, "tScore": 0, "discGrade": 2, "level": "C5-C6",
///  "conditions": [], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
/// ```
///
/// `region` ("lumbar" or "cervical") must agree with `level`: a cervical level needs
/// `"region": "cervical"` and a lumbar level may not have it (either mismatch is refused naming
/// `level`, the region in the message); a file without `region` is a lumbar file. `bodyMassKg` (kg, [20, 300]), `heightCm`
/// (cm, > 0), `tScore` (DXA T-score, SD, [−6, 4]), `discGrade` (Pfirrmann 1…5), `level` (a lumbar
/// level, "L4-L5", or with region cervical a cervical level, "C5-C6"), `conditions` (names of
/// ``TractionSafety/Condition``), `spondylolisthesisGrade` (Meyerding 0…5),
/// `monthsSinceSpinalSurgery` (months ≥ 0, or null for never operated); `inversionConditions`
/// may be present and does not act on the limits.
///
/// For a cervical patient ``cervicalLevel`` is the treated level and ``Patient/level`` of
/// ``patient`` is not used (the cervical segment builder ignores it; it stays the patient file's
/// default lumbar level).
public struct LimitsPatient: Sendable, Equatable {
    /// The model's patient.
    public var patient: Patient
    /// The treated cervical level; nil for a lumbar patient (then ``Patient/level`` is the level).
    public var cervicalLevel: CervicalLevel?
    /// The clinical findings (the file's region and level, the same mass and T-score).
    public var assessment: PatientAssessment

    /// The members a limits patient file must have (`region` may be added).
    public static let members = ["bodyMassKg", "heightCm", "tScore", "discGrade", "level", "conditions", "spondylolisthesisGrade", "monthsSinceSpinalSurgery"]

    /// Reads and checks a patient file (see the type's discussion).
    /// - Parameter level: when given, replaces the file's `level` (the caller states it; a lumbar level).
    /// - Throws: ``PatientFileError`` naming the field.
    public init(json bytes: [UInt8], level override: LumbarLevel? = nil) throws(PatientFileError) {
        try self.init(json: bytes, levelName: override?.rawValue)
    }

    /// Reads and checks a patient file (see the type's discussion).
    /// - Parameter levelName: when given, replaces the file's `level` ("L4-L5" or "C5-C6"; it must
    ///   agree with the file's `region` as the file's own level must).
    /// - Throws: ``PatientFileError`` naming the field.
    public init(json bytes: [UInt8], levelName override: String?) throws(PatientFileError) {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes, maxDepth: 8, maxNumberLength: 64) } catch {
            throw .unreadable(path: "patient", reason: "not valid JSON (\(error))")
        }
        guard case var .object(o) = root else { throw .unreadable(path: "patient", reason: "expected a JSON object at the top level, got \(root.summary)") }
        var region = SpinalRegion.lumbar
        if let r = o.removeValue(forKey: "region") {
            guard case let .string(s) = r, let value = SpinalRegion(rawValue: s) else {
                throw .invalidValue(field: "region", value: r.summary, expected: "\"lumbar\" or \"cervical\"")
            }
            region = value
        }
        if let l = override { o["level"] = .string(l) }
        var cervical: CervicalLevel?
        if case let .string(name)? = o["level"] {
            let isCervical = CervicalLevel(rawValue: name) != nil
            switch (region, isCervical) {
            case (.cervical, true):
                cervical = CervicalLevel(rawValue: name)
                o["level"] = .string(LumbarLevel.l4l5.rawValue)   // the model's patient needs a lumbar level; not used
            case (.cervical, false):
                throw .invalidValue(field: "level", value: name, expected: "a cervical level (\(CervicalLevel.allCases.map(\.rawValue).joined(separator: ", "))) for region cervical")
            case (.lumbar, true):
                throw .invalidValue(field: "level", value: name, expected: "a lumbar level (\(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", "))) for region lumbar (a cervical level needs \"region\": \"cervical\")")
            case (.lumbar, false):
                break
            }
        } else if region == .cervical {
            throw .invalidValue(field: "level", value: o["level"]?.summary ?? "missing", expected: "a cervical level (\(CervicalLevel.allCases.map(\.rawValue).joined(separator: ", "))) for region cervical")
        }
        let input = try PatientFile.parse(Data(JSONValue.object(o).serialized().utf8), requiring: Self.members)
        patient = input.patient
        cervicalLevel = cervical
        do { assessment = try input.assessment() } catch {
            throw .invalidValue(field: error.property, value: patient.level.rawValue, expected: "\(error)")
        }
        if let c = cervical {
            guard let level = SpinalLevel(c.rawValue), level.region == .cervical else {
                throw .invalidValue(field: "level", value: c.rawValue, expected: "a cervical level the traction rules know (\(SpinalLevel.listText))")
            }
            assessment.region = .cervical
            assessment.level = level
        }
    }

    /// The treated level's text ("L4-L5" or "C5-C6").
    public var levelText: String { cervicalLevel?.rawValue ?? patient.level.rawValue }
}
