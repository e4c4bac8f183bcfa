import Foundation
import TractionSafety

/// Why a patient file was refused, naming the field, what was found and what was expected.
///
/// ```text
/// patient file osteoporotic.json: tScore: expected a T-score in [−6, 4], got 7
/// ```
public enum PatientFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or is not JSON.
    case unreadable(path: String, reason: String)
    /// A required field is missing.
    case missing(field: String)
    /// A field that the format does not know.
    case unknownField(field: String, known: [String])
    /// A field's value is of the wrong kind or outside its range; `value` is the value as written.
    case invalidValue(field: String, value: String, expected: String)

    /// The field the error names (`(file)` when the file as a whole was refused).
    public var field: String {
        switch self {
        case .unreadable: return "(file)"
        case let .missing(f), let .unknownField(f, _), let .invalidValue(f, _, _): return f
        }
    }

    /// The message.
    public var description: String {
        switch self {
        case let .unreadable(p, r): return "patient file \(p): \(r)"
        case let .missing(f): return "\(f): required field missing"
        case let .unknownField(f, k): return "\(f): unknown field; expected one of \(k.joined(separator: ", "))"
        case let .invalidValue(f, v, e): return "\(f): expected \(e), got \(v)"
        }
    }
}

/// A patient file: the patient and the conditions screening reads, as small JSON.
///
/// ```json
/// {"bodyMassKg": 70, "heightCm": 175, "tScore": 0, "discGrade": 2, "level": "L4-L5",
///  "conditions": ["pregnancy"], "inversionConditions": ["glaucoma"],
///  "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
/// ```
///
/// `bodyMassKg` (kg, [20, 300]) and `heightCm` (cm) are required; `tScore` (default 0), `discGrade` (Pfirrmann
/// 1…5, default 2), `level` (default `L4-L5`), the condition lists (default empty; names of
/// `TractionSafety.Condition` and ``InversionCondition``), `spondylolisthesisGrade` (Meyerding 0…5,
/// default 0) and `monthsSinceSpinalSurgery` (≥ 0, default none) are optional — a default applies
/// only when the field is absent, never to a value that is wrong.
public enum PatientFile {
    /// The fields the format knows.
    public static let fields = ["bodyMassKg", "heightCm", "tScore", "discGrade", "level", "conditions", "inversionConditions",
                                "spondylolisthesisGrade", "monthsSinceSpinalSurgery"]

    /// Reads the file at `path`.
    /// - Throws: ``PatientFileError``.
    public static func load(path: String) throws(PatientFileError) -> ScreeningInput {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(data, path: path)
    }

    /// Body masses a patient file accepts (kg).
    public static let bodyMassRange: ClosedRange<Double> = 20...300

    /// Parses a patient file's bytes (`path` only names it in errors); every field in `requiring`
    /// must be present (a caller that must not rely on any default lists them all).
    /// - Throws: ``PatientFileError``.
    public static func parse(_ data: Data, path: String = "patient", requiring: [String] = []) throws(PatientFileError) -> ScreeningInput {
        let root: JSONValue
        do { root = try JSONValue.parse(Array(data), maxDepth: 8, maxNumberLength: 64) } catch {
            throw .unreadable(path: path, reason: "not valid JSON (\(error))")
        }
        guard case let .object(members) = root else { throw .unreadable(path: path, reason: "expected a JSON object at the top level, got \(root.summary)") }
        var object: [String: JSONValue] = [:]
        for (key, value) in members {
            guard fields.contains(key) else { throw .unknownField(field: key, known: fields) }
            object[key] = value
        }
        for key in requiring where object[key] == nil { throw .missing(field: key) }

        func number(_ key: String, required: Bool, default d: Double? = nil) throws(PatientFileError) -> Double? {
            switch object[key] {
            case nil, .null?:
                if required { throw .missing(field: key) }
                return d
            case let .number(x)?: return x
            case let v?: throw .invalidValue(field: key, value: v.summary, expected: "a number")
            }
        }
        func integer(_ key: String, default d: Int?) throws(PatientFileError) -> Int? {
            guard let x = try number(key, required: false) else { return d }
            guard x.isFinite, x == x.rounded(), abs(x) < 1e9 else { throw .invalidValue(field: key, value: "\(x)", expected: "a whole number") }
            return Int(x)
        }
        func names(_ key: String) throws(PatientFileError) -> [String] {
            switch object[key] {
            case nil, .null?: return []
            case let .array(list)?:
                var out: [String] = []
                for (i, item) in list.enumerated() {
                    guard case let .string(s) = item else { throw .invalidValue(field: "\(key)[\(i)]", value: item.summary, expected: "a condition name") }
                    out.append(s)
                }
                return out
            case let v?: throw .invalidValue(field: key, value: v.summary, expected: "a list of condition names")
            }
        }

        let mass = try number("bodyMassKg", required: true)!
        guard bodyMassRange.contains(mass) else {
            throw .invalidValue(field: "bodyMassKg", value: "\(mass)", expected: "a body mass in [20, 300] kg")
        }
        let height = try number("heightCm", required: true)!
        let tScore = try number("tScore", required: false, default: 0)!
        let gradeNumber = try integer("discGrade", default: 2)!
        guard let grade = PfirrmannGrade(rawValue: gradeNumber) else {
            throw .invalidValue(field: "discGrade", value: "\(gradeNumber)", expected: "a Pfirrmann grade 1…5")
        }
        var level = LumbarLevel.l4l5
        if let raw = object["level"], raw != .null {
            guard case let .string(s) = raw, let l = try? LumbarLevel(name: s) else {
                throw .invalidValue(field: "level", value: raw.summary, expected: "a lumbar level (\(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            level = l
        }
        let patient: Patient
        do { patient = try Patient(bodyMassKg: mass, heightCm: height, tScore: tScore, discGrade: grade, level: level) } catch let AnatomyError.invalidValue(field, value, expected) {
            throw .invalidValue(field: field.hasPrefix("patient.") ? String(field.dropFirst("patient.".count)) : field, value: "\(value)", expected: expected)
        } catch { throw .invalidValue(field: "patient", value: "\(mass) kg, \(height) cm", expected: "a valid patient (\(error))") }

        var conditions = Set<Condition>()
        for (i, n) in try names("conditions").enumerated() {
            guard let c = Condition(rawValue: n) else {
                throw .invalidValue(field: "conditions[\(i)]", value: n, expected: "one of \(Condition.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            conditions.insert(c)
        }
        var inversion = Set<InversionCondition>()
        for (i, n) in try names("inversionConditions").enumerated() {
            guard let c = InversionCondition(rawValue: n) else {
                throw .invalidValue(field: "inversionConditions[\(i)]", value: n, expected: "one of \(InversionCondition.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            inversion.insert(c)
        }
        let grade5 = try integer("spondylolisthesisGrade", default: 0)!
        guard (0...5).contains(grade5) else { throw .invalidValue(field: "spondylolisthesisGrade", value: "\(grade5)", expected: "a Meyerding grade 0…5") }
        let months = try integer("monthsSinceSpinalSurgery", default: nil)
        if let m = months, m < 0 { throw .invalidValue(field: "monthsSinceSpinalSurgery", value: "\(m)", expected: "months ≥ 0 (or null: never operated)") }
        return ScreeningInput(patient: patient, conditions: conditions, inversionConditions: inversion,
                              spondylolisthesisGrade: grade5, monthsSinceSpinalSurgery: months)
    }
}
