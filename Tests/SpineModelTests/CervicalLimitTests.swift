import Foundation
import Testing
import TractionSafety
@testable import SpineModel

/// The cervical limits: the patient file's region, the cervical search on the coarse segment, and
/// the document it gives, signed and loaded by the controller module for a cervical level.
@Suite("Cervical limits: patient file, search, signed document")
struct CervicalLimitTests {
    static func file(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: packageRoot.appendingPathComponent(name)))
    }

    static func patientFile(region: String?, level: String) -> [UInt8] {
        let r = region.map { #""region": "\#($0)", "# } ?? ""
        return Array("""
            {\(r)"bodyMassKg": 70, "heightCm": 175, "tScore": 0, "discGrade": 2, "level": "\(level)",
             "conditions": [], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}
            """.utf8)
    }

    /// The example cervical patient is read as cervical (C5-C6, region cervical in the clinical
    /// findings); a level that disagrees with the region, either way, and an unknown region are
    /// refused naming the field.
    @Test func patientFileRegionAndLevel() throws {
        let p = try LimitsPatient(json: Self.file("Examples/patients/limits-cervical.json"))
        #expect(p.cervicalLevel == .c5c6)
        #expect(p.assessment.region == .cervical)
        #expect(p.assessment.level == SpinalLevel("C5-C6"))
        #expect(p.patient.bodyMassKg == 70)
        let lumbar = try LimitsPatient(json: Self.patientFile(region: "lumbar", level: "L5-S1"))
        #expect(lumbar.cervicalLevel == nil && lumbar.assessment.level == SpinalLevel("L5-S1"))
        func field(_ bytes: [UInt8], level: String? = nil) -> String? {
            do { _ = try LimitsPatient(json: bytes, levelName: level); return nil } catch { return error.field }
        }
        #expect(field(Self.patientFile(region: nil, level: "C5-C6")) == "level")
        #expect(field(Self.patientFile(region: "lumbar", level: "C5-C6")) == "level")
        #expect(field(Self.patientFile(region: "cervical", level: "L4-L5")) == "level")
        #expect(field(Self.patientFile(region: "cervical", level: "C1-C2")) == "level")
        #expect(field(Self.patientFile(region: "thoracic", level: "T6-T7")) == "region")
        #expect(field(Self.patientFile(region: "cervical", level: "C5-C6"), level: "L4-L5") == "level")
        #expect(field(Self.patientFile(region: nil, level: "L4-L5"), level: "C6-C7") == "level")
        #expect(try LimitsPatient(json: Self.patientFile(region: "cervical", level: "C5-C6"), levelName: "C6-C7").cervicalLevel == .c6c7)
    }

    /// Refusals before any solve: a lumbar search or a lumbar session configuration for a cervical
    /// patient, a cervical search for a lumbar patient, a non-cervical harness.
    @Test func mismatchesAreRefusedBeforeSolving() throws {
        let p = try LimitsPatient(json: Self.file("Examples/patients/limits-cervical.json"))
        let cervicalSession = try LimitsComputation.Session(json: Self.file("Examples/patients/limits-session-cervical.json"))
        let lumbarSession = try LimitsComputation.Session(json: Self.file("Examples/patients/limits-session.json"))
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let e as LimitsComputationError { return e.field } catch { return "\(error)" }
        }
        #expect(field { _ = try LimitsComputation.compute(patient: p, session: cervicalSession, search: MotionSegmentLimitSearch(patient: p.patient)) } == "search")
        // The lumbar session's thoraco-pelvic harness is named as not cervical (the default search
        // takes the session's harness, so the refusal must come before it is built).
        #expect(field { _ = try LimitsComputation.compute(patient: p, session: lumbarSession) } == "session.configuration.harness")
        do { _ = try LimitsComputation.compute(patient: p, session: lumbarSession); Issue.record("the lumbar session was accepted") } catch let e as LimitsComputationError {
            #expect(e.message.contains("thoracoPelvic is not a cervical harness"), "\(e.message)")
        }
        // A cervical harness on a lumbar table: refused on the whole configuration (surface).
        let tableBytes = String(decoding: try Self.file("Examples/patients/limits-session-cervical.json"), as: UTF8.self)
            .replacingOccurrences(of: #""surface": "supine""#, with: #""surface": "splitTable""#)
        #expect(tableBytes.contains("splitTable"))
        let tableSession = try LimitsComputation.Session(json: Array(tableBytes.utf8))
        #expect(field { _ = try LimitsComputation.compute(patient: p, session: tableSession) } == "session.configuration")
        let lumbar = try LimitsPatient(json: Self.file("Examples/patients/limits-healthy.json"))
        #expect(field { _ = try LimitsComputation.compute(patient: lumbar, session: cervicalSession, cervicalSearch: nil) } == "patient.region")
        var pelvic = CervicalLimitSearch(patient: p.patient)
        pelvic.harness = .pelvic
        #expect(throws: LimitSearchError.self) { try pelvic.validate() }
        // The limit protocol's load at the level, by hand: supine on a sliding headpiece at 20°,
        // axial = F cos 20°, moment = F sin 20° × 120 mm.
        let load = try CervicalLimitSearch(patient: p.patient).loadAtLevel(pull: 150)
        #expect(abs(load.axialForce - 150 * cos(20 * Double.pi / 180)) <= 1e-12 * 150)
        #expect(abs(load.flexionMoment - 150 * sin(20 * Double.pi / 180) * 120) <= 1e-12 * 150 * 120)
    }

    /// The example cervical patient and session, with the lumbar surrogate: the surrogate is
    /// refused (typed, field `patient.region`) and the limit comes from full solves of the coarse
    /// cervical segment. Checked:
    /// - the bracket: width ≤ the search's tolerance (5 % here), and fresh full solves (their own free swelling)
    ///   give a worst criterion ratio ≤ 1 at the limit and > 1 at the upper bracket end, where
    ///   the search's own solve was stopped at the first violation (ratio +∞);
    /// - the document's hard force = min(model limit, 45 lbf = 200.17 N, device 445 N) and its soft
    ///   force = min(25 lbf = 111.21 N, prescribed 110 N, hard), by hand (T-score 0, no condition:
    ///   no factor);
    /// - signed with a test key, the controller module loads it expecting cervical C5-C6 supine
    ///   with a head halter; a model-derived limit changed in the signed bytes is refused.
    @Test func cervicalDocumentComputedSignedAndLoaded() throws {
        let p = try LimitsPatient(json: Self.file("Examples/patients/limits-cervical.json"))
        let session = try LimitsComputation.Session(json: Self.file("Examples/patients/limits-session-cervical.json"))
        // A short member of the family keeps the debug-build runtime small: one 1 s / 2 s / 1 s
        // cycle along the neck (0°: no flexion moment), 10 s of preload, bracketed to 5 %.
        var search = CervicalLimitSearch(patient: p.patient, level: .c5c6)
        search.traction.geometry.pullAngle = 0
        search.traction.ramp = .logarithmic(duration: 1)
        search.traction.hold = 2
        search.traction.rest = 1
        search.preloadDuration = 10
        search.relativeTolerance = 0.05
        // Along the neck every default criterion holds up to the 400 N ceiling (distraction 1.9 mm
        // of the 4 mm bound there): a 1 mm distraction bound makes one bind inside the range, so
        // the bracket and the fresh solves at its ends are exercised.
        search.criteria.maxDistraction = 1
        let surrogate = try LimitsSurrogate(json: Self.file("Examples/limits/limits-surrogate.json"))
        let r = try LimitsComputation.compute(patient: p, session: session, search: nil, surrogateOrRefusal: .success(surrogate), cervicalSearch: search)
        #expect(r.surrogateRefusal?.field == "patient.region")
        #expect(r.document.provenance.modelId == LimitsComputation.cervicalModelId(mesh: .coarse) + ".surrogateRefused")
        #expect(r.document.provenance.modelDigestSHA256 == (try search.modelDigestSHA256()))
        let m = try #require(r.modelLimit)
        #expect(m.cervicalLevel == .c5c6)
        #expect(abs(m.ceiling - 2 * 45 * 4.4482216152605) <= 1e-9)
        let bracket = try #require(m.perDataSet.first?.limit)
        let upper = try #require(bracket.upperBracket, "every criterion held at the ceiling: no bracket to check")
        #expect(upper > bracket.limit && (upper - bracket.limit) / bracket.limit <= search.relativeTolerance)
        let below = try search.evaluate(pull: bracket.limit, ligaments: .yoganandan2000).map(\.ratio).max() ?? .infinity
        let above = try search.evaluate(pull: upper, ligaments: .yoganandan2000).map(\.ratio).max() ?? 0
        #expect(below <= 1, "worst ratio \(below) at the limit \(bracket.limit) N")
        #expect(above > 1, "worst ratio \(above) at the upper bracket \(upper) N")
        // The search stopped its solve at the upper end once a criterion passed its bound
        // (reported as +∞); the fresh full solve above agrees that the pull is inadmissible.
        #expect(bracket.evaluations.first { $0.load == upper }?.worstRatio == .infinity)

        let hardCap = 45 * 4.4482216152605, softCap = 25 * 4.4482216152605
        let hard = min(m.limit, hardCap, 445)
        let d = r.document
        #expect(!d.blocked)
        #expect(d.limits.maxForceN.value == hard)
        #expect(d.limits.maxForceN.criterion == (m.limit < hardCap ? m.criterion : "clinical.cervical.45lbf"))
        #expect(d.limits.softMaxForceN.value == min(softCap, 110, hard))

        let key = try LimitsSigningKey(rawRepresentation: Array(1...32))
        let signed = try LimitsSigner.sign(ForceSafetyLimits(unsignedJSON: d.canonicalUnsignedJSON), with: key)
        let expectations = ControllerExpectations(
            trustedKeys: [key.publicKey],
            ceilings: ControllerCeilings(maxForceN: 445, maxRampUpNPerS: 20, maxRampDownNPerS: 40, maxHoldS: 600, maxSessionS: 3600, maxCycles: 50),
            region: .cervical, level: SpinalLevel("C5-C6")!, configuration: TractionConfiguration(surface: .supine, harness: .headHalter),
            inputsDigestSHA256: r.inputs.digestSHA256, nowUnixS: 1_796_500_000 + 3600)
        let loaded = try LimitsLoader.load(signed, expecting: expectations)
        #expect(loaded.document.limits.maxForceN.value == hard)
        #expect(loaded.document.level == SpinalLevel("C5-C6"))
        // A lumbar expectation refuses the cervical document.
        var lumbarExpectations = expectations
        lumbarExpectations.region = .lumbar
        lumbarExpectations.level = SpinalLevel("L4-L5")!
        #expect(throws: LimitsRefusal.self) { try LimitsLoader.load(signed, expecting: lumbarExpectations) }
        // Tampering: the model-derived limit's number in the signed bytes raised by 20 N.
        let text = String(decoding: signed, as: UTF8.self)
        let name = m.limit < hardCap ? #""maxForceN":{"# : #""softMaxForceN":{"#
        if let field = text.range(of: name), let value = text.range(of: #""value":"#, range: field.upperBound..<text.endIndex),
           let close = text.range(of: "}", range: value.upperBound..<text.endIndex) {
            let original = try #require(Double(text[value.upperBound..<close.lowerBound]))
            let tampered = Array(text.replacingCharacters(in: value.upperBound..<close.lowerBound, with: "\(original + 20)").utf8)
            #expect(throws: LimitsRefusal.self) { try LimitsLoader.load(tampered, expecting: expectations) }
        } else { Issue.record("no \(name) value in the signed document") }
    }
}
