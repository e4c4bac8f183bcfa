import Foundation
import TractionSafety

/// Why a patient file was refused: the field, its value and what was expected.
public struct PatientFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON field (`bodyMassKg`, `conditions[2]`, …).
    public var field: String
    /// What was wrong and what was expected.
    public var message: String
    public var description: String { "\(field): \(message)" }
}

/// A patient as the limit computation reads it: the model's ``Patient`` and the clinical
/// findings the limits builder needs (``TractionSafety/PatientAssessment``).
///
/// The file is one JSON object with exactly these members (unknown members are refused, none is
/// defaulted):
///
/// ```json
/// {"bodyMassKg": 80, "heightCm": 178, "tScore": -1.2, "discGrade": 2, "level": "L4-L5",
///  "conditions": ["hypermobility"], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
/// ```
///
/// `bodyMassKg` (kg, [20, 300]), `heightCm` (cm, > 0), `tScore` (DXA T-score, SD, [−6, 4]),
/// `discGrade` (Pfirrmann 1…5), `level` (a lumbar level, "L4-L5"), `conditions` (names of
/// ``TractionSafety/Condition``), `spondylolisthesisGrade` (Meyerding 0…5),
/// `monthsSinceSpinalSurgery` (months ≥ 0, or null for never operated).
public struct LimitsPatient: Sendable, Equatable {
    /// The model's patient.
    public var patient: Patient
    /// The clinical findings (region lumbar, the same mass, level and T-score).
    public var assessment: PatientAssessment

    /// The members a patient file has.
    public static let members = ["bodyMassKg", "heightCm", "tScore", "discGrade", "level", "conditions", "spondylolisthesisGrade", "monthsSinceSpinalSurgery"]

    /// Reads and checks a patient file (see the type's discussion).
    /// - Parameter level: when given, replaces the file's `level` (the caller states it).
    /// - Throws: ``PatientFileError`` naming the field.
    public init(json bytes: [UInt8], level override: LumbarLevel? = nil) throws(PatientFileError) {
        let tree: JSONValue
        do { tree = try JSONValue.parse(bytes, maxDepth: 4, maxNumberLength: 64) } catch {
            throw PatientFileError(field: "(file)", message: "not valid JSON: \(error)")
        }
        guard case let .object(o) = tree else { throw PatientFileError(field: "(file)", message: "expected one JSON object, got \(tree.summary)") }
        for k in o.keys where !Self.members.contains(k) {
            throw PatientFileError(field: k, message: "unknown member; a patient file has exactly \(Self.members.joined(separator: ", "))")
        }
        func value(_ k: String) throws(PatientFileError) -> JSONValue {
            guard let v = o[k] else { throw PatientFileError(field: k, message: "missing (no value is defaulted)") }
            return v
        }
        func number(_ k: String) throws(PatientFileError) -> Double {
            guard case let .number(x) = try value(k) else { throw PatientFileError(field: k, message: "expected a number, got \(try value(k).summary)") }
            return x
        }
        func integer(_ k: String, _ range: ClosedRange<Int>, _ what: String) throws(PatientFileError) -> Int {
            let x = try number(k)
            guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
                throw PatientFileError(field: k, message: "\(x) is not \(what)")
            }
            return Int(x)
        }
        let mass = try number("bodyMassKg")
        guard mass.isFinite, (20...300).contains(mass) else { throw PatientFileError(field: "bodyMassKg", message: "\(mass) kg is outside [20, 300] kg") }
        let height = try number("heightCm")
        let tScore = try number("tScore")
        let grade = try integer("discGrade", 1...5, "a Pfirrmann grade 1…5")
        guard case let .string(levelText) = try value("level") else { throw PatientFileError(field: "level", message: "expected a level such as \"L4-L5\"") }
        let fileLevel: LumbarLevel
        do { fileLevel = try LumbarLevel(name: levelText) } catch {
            throw PatientFileError(field: "level", message: "\"\(levelText)\" is not a lumbar level; expected one of \(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let level = override ?? fileLevel
        guard case let .array(list) = try value("conditions") else { throw PatientFileError(field: "conditions", message: "expected an array of condition names") }
        var conditions: Set<Condition> = []
        for (k, v) in list.enumerated() {
            guard case let .string(s) = v, let c = Condition(rawValue: s) else {
                throw PatientFileError(field: "conditions[\(k)]", message: "\(v.summary) is not a condition; expected one of \(Condition.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            conditions.insert(c)
        }
        let spondylolisthesis = try integer("spondylolisthesisGrade", 0...5, "a Meyerding grade 0…5")
        let months: Int?
        if case .null = try value("monthsSinceSpinalSurgery") { months = nil } else {
            months = try integer("monthsSinceSpinalSurgery", 0...100_000, "a whole number of months ≥ 0 (or null)")
        }
        do {
            patient = try Patient(bodyMassKg: mass, heightCm: height, tScore: tScore, discGrade: PfirrmannGrade(grade: grade), level: level)
        } catch let AnatomyError.invalidValue(field, value, expected) {
            throw PatientFileError(field: field.replacingOccurrences(of: "patient.", with: ""), message: "\(value) is not \(expected)")
        } catch {
            throw PatientFileError(field: "(patient)", message: "\(error)")
        }
        guard let safetyLevel = SpinalLevel(level.rawValue) else {
            throw PatientFileError(field: "level", message: "\(level.rawValue) is not a treated level of the limits document")
        }
        assessment = PatientAssessment(bodyMassKg: mass, region: .lumbar, level: safetyLevel, boneDensity: .tScore(tScore), conditions: conditions,
                                       spondylolisthesisGrade: spondylolisthesis, monthsSinceSpinalSurgery: months)
    }
}
