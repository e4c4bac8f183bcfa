import Foundation
import Testing
@testable import SpineModel

/// `limits compute --protocol`: a traction protocol read as the lumbar limit searches' family.
@Suite("Limit protocol family from a traction protocol")
struct LimitProtocolFamilyTests {
    static func protocolJSON(_ body: String) throws -> TractionProtocol {
        try Model.decodeProtocol(try JSONValue.parse(Data(body.utf8)))
    }

    static let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    /// Every field of the family is the protocol's (hold 45 s, rest 20 s, rest level 0.3, a 10 s
    /// linear ramp, a one-piece table with μ = 0.4, the pelvic harness, 0°); the pull and cycles are
    /// named as not used; the rest is the table's defaults. The shipped surrogate (default family)
    /// refuses it by the field `surrogate.protocolFamily`, and accepts the default family read the
    /// same way.
    @Test func readsTheFamilyAndTheSurrogateRefusesAnother() throws {
        let p = try Self.protocolJSON("""
            {"intermittent": {"cycles": 12, "pull": {"newtons": 300}, "hold": 45, "rest": 20, "restLevel": 0.3,
              "rampUp": {"shape": "linear", "duration": 10}, "rampDown": {"shape": "linear", "duration": 10}},
             "preload": {"force": {"newtons": 17}, "ramp": 10, "duration": 60},
             "table": {"nonSplit": {"frictionCoefficient": 0.4}}, "harness": "pelvic", "pullAngle": 0}
            """)
        let family = try ProfessionalTable.limitFamily(p)
        var expected = ProfessionalTable()
        expected.hold = 45; expected.rest = 20; expected.restLevel = 0.3; expected.ramp = .linear(duration: 10)
        expected.table = .nonSplit(frictionCoefficient: 0.4); expected.harness = .pelvic; expected.pullAngle = 0
        #expect(family.table == expected)
        #expect(family.notUsed.contains("pull") && family.notUsed.contains("cycles (12)"))

        let patient = try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
        let surrogate = try LimitsSurrogate(json: Array(Data(contentsOf: Self.examplesDirectory.appendingPathComponent("limits/limits-surrogate.json"))))
        #expect(throws: LimitsSurrogateError.self) { try surrogate.check(MotionSegmentLimitSearch(patient: patient, table: family.table)) }
        do { _ = try surrogate.check(MotionSegmentLimitSearch(patient: patient, table: family.table)) } catch let e as LimitsSurrogateError {
            #expect(e.field == "surrogate.protocolFamily")
        }
        let table = try ProfessionalTable().tractionProtocol()
        let standard = try ProfessionalTable.limitFamily(TractionProtocol(pattern: table.pattern, pullAngle: table.pullAngle, table: table.table,
                                                                         harness: table.harness))
        #expect(standard.table == ProfessionalTable())
        _ = try surrogate.check(MotionSegmentLimitSearch(patient: patient, table: standard.table))
    }

    /// What the family cannot represent is refused by name: another kind of protocol, a ramp down
    /// unlike the ramp up, another preload; a pull angle is kept and the search refuses it.
    @Test func refusesWhatTheFamilyCannotRepresent() throws {
        func field(_ body: String) throws -> String? {
            let p = try Self.protocolJSON(body)
            do { _ = try ProfessionalTable.limitFamily(p); return nil } catch {
                guard case let .unsupportedProtocol(field, _, _) = error else { return "other: \(error)" }
                return field
            }
        }
        #expect(try field(#"{"static": {"pull": {"newtons": 300}, "ramp": {"shape": "linear", "duration": 10}, "hold": 60}}"#) == "protocol")
        #expect(try field(#"{"intermittent": {"cycles": 3, "pull": {"newtons": 300}, "hold": 60, "rest": 30, "restLevel": 0.5, "rampUp": {"shape": "linear", "duration": 10}, "rampDown": {"shape": "linear", "duration": 5}}}"#)
                == "protocol.intermittent.rampDown")
        #expect(try field(#"{"intermittent": {"cycles": 3, "pull": {"newtons": 300}, "hold": 60, "rest": 30, "restLevel": 0.5, "rampUp": {"shape": "linear", "duration": 10}, "rampDown": {"shape": "linear", "duration": 10}}, "preload": {"force": {"newtons": 30}, "ramp": 10, "duration": 60}}"#)
                == "protocol.preload")
        let angled = try ProfessionalTable.limitFamily(try Self.protocolJSON(
            #"{"intermittent": {"cycles": 3, "pull": {"newtons": 300}, "hold": 60, "rest": 30, "restLevel": 0.5, "rampUp": {"shape": "linear", "duration": 10}, "rampDown": {"shape": "linear", "duration": 10}}, "pullAngle": 10}"#))
        #expect(angled.table.pullAngle == 10)
        let patient = try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
        #expect(throws: LimitSearchError.unsupportedProtocol(field: "table.pullAngle", value: 10,
                                                             expected: "0° (a pull angle adds a flexion moment the limit search does not apply)")) {
            try MotionSegmentLimitSearch(patient: patient, table: angled.table).validate()
        }
    }

    /// The cervical family: hold 20 s, rest 8 s, rest level 0.2, a 3 s linear ramp and 15° replace
    /// the professional cervical traction's, posture and halter stay; a preload, a table and a
    /// lumbar harness are refused by field.
    @Test func readsTheCervicalFamily() throws {
        let body = #"{"intermittent": {"cycles": 4, "pull": {"newtons": 90}, "hold": 20, "rest": 8, "restLevel": 0.2, "rampUp": {"shape": "linear", "duration": 3}, "rampDown": {"shape": "linear", "duration": 3}}, "pullAngle": 15"#
        let family = try ProfessionalCervicalTraction.limitFamily(try Self.protocolJSON(body + "}"))
        var expected = ProfessionalCervicalTraction()
        expected.hold = 20; expected.rest = 8; expected.restLevel = 0.2; expected.ramp = .linear(duration: 3); expected.geometry.pullAngle = 15
        #expect(family.traction == expected)
        #expect(family.notUsed.contains("cycles (4)"))
        func field(_ extra: String) throws -> String? {
            let p = try Self.protocolJSON(body + extra + "}")
            do { _ = try ProfessionalCervicalTraction.limitFamily(p); return nil } catch {
                guard case let .unsupportedProtocol(field, _, _) = error else { return "other: \(error)" }
                return field
            }
        }
        #expect(try field(#", "preload": {"force": {"newtons": 17}, "ramp": 10, "duration": 60}"#) == "protocol.preload")
        #expect(try field(#", "table": {"split": {}}"#) == "protocol.table")
        #expect(try field(#", "harness": "pelvic""#) == "protocol.harness")
        #expect(try field(#", "harness": "cervical""#) == nil)
    }
}
