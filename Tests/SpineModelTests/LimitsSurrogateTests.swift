import Foundation
import Testing
import TractionSafety
@testable import SpineModel

/// The limits surrogate: interpolation against closed forms, the surrogate limit against full
/// solves on a cheap configuration (short protocol, coarse mesh, one data set), determinism, and
/// every refusal naming its field.
@Suite("Limits surrogate: interpolation, full-solve agreement, refusals")
struct LimitsSurrogateTests {
    /// A short protocol family: 3 s logarithmic ramps, 5 s hold, 5 s rest (the model's 60 s lying
    /// preload stays), so that a full solve takes a fraction of the default cycle's time.
    static let shortTable = ProfessionalTable(hold: 5, rest: 5, ramp: .logarithmic(duration: 3))

    static func patient(mass: Double, grade: PfirrmannGrade = .ii, level: LumbarLevel = .l4l5, tScore: Double = 0) throws -> Patient {
        try Patient(bodyMassKg: mass, heightCm: 175, tScore: tScore, discGrade: grade, level: level)
    }

    static func search(_ p: Patient) -> MotionSegmentLimitSearch {
        MotionSegmentLimitSearch(patient: p, table: shortTable, ligamentDataSets: [.remus2021], mesh: .coarse)
    }

    /// A surrogate with one L4-L5 grade II cell whose one criterion is `ratio(F)` at `forces`
    /// (its model digest is the real one, so that only the responses are synthetic).
    static func synthetic(forces: [Double], ratio: (Double) -> Double) throws -> LimitsSurrogate {
        let s = search(try patient(mass: 70))
        let digest = try LimitsSurrogate.cellModelDigest(level: .l4l5, grade: .ii, search: s)
        let cell = LimitsSurrogate.Cell(level: .l4l5, grade: .ii, modelDigest: digest, responses: [
            .init(dataSet: "remus2021", forces: forces, criteria: [.init(id: "ligament.ALL.failureForce", marginFraction: 0.5, ratios: forces.map(ratio))])])
        return LimitsSurrogate(libraryVersion: Simulation.libraryVersion, modelDigest: LimitsSurrogate.modelDigest(ofCells: [cell]),
                               protocolFamilyDigest: try LimitsSurrogate.protocolFamilyDigest(shortTable),
                               protocolFamilyDescription: LimitsSurrogate.protocolFamilyDescription(shortTable), mesh: .coarse,
                               ligamentDataSets: ["remus2021"], criteria: s.criteria, buildRelativeTolerance: 0.005,
                               forceRange: forces.first!...forces.last!, cells: [cell])
    }

    static func field(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as LimitsSurrogateError { return e.field } catch { return "unexpected \(error)" }
    }

    /// On a response that is linear in the force (ratio F / F*) the surrogate's limit brackets the
    /// closed-form root F* to the search's 1 %: limit ≤ F* ≤ upper bracket, bracket ≤ 1 %. A
    /// ceiling above the sampled top (95 kg: 1864 N > 1600 N) starts the search at the top.
    @Test(arguments: [(60.0, 432.1), (70.0, 777.7), (95.0, 1234.5)])
    func linearResponseGivesTheClosedFormRoot(mass: Double, root: Double) throws {
        let s = try Self.synthetic(forces: [100, 400, 800, 1200, 1600]) { $0 / root }
        let r = try s.limit(for: Self.search(Self.patient(mass: mass)))
        let l = r.perDataSet[0].limit
        #expect(r.limit <= root && root <= l.upperBracket!)
        #expect(l.relativeBracketWidth <= 0.01)
        #expect(r.criterion == "model.motionSegment.remus2021.ligament.ALL.failureForce")
        #expect(r.method == .surrogate(digest: s.digest, sampledTopN: mass == 95 ? 1600 : nil))
    }

    /// A response that holds everywhere: a patient whose ceiling (2 × body weight) lies inside the
    /// range gets the ceiling; one whose ceiling lies above the range is refused (the limit may lie
    /// above it) naming the body mass; a response that fails at every sample needs loads below the
    /// range and is refused naming the body mass too.
    @Test func ceilingInsideTheRangeAndRefusalsOutsideIt() throws {
        let holds = try Self.synthetic(forces: [100, 800, 1600]) { $0 / 5000 }
        let light = try holds.limit(for: Self.search(Self.patient(mass: 50)))
        #expect(light.limit == 2 * 50 * 9.81 && light.perDataSet[0].limit.reachedCeiling)
        #expect(Self.field { _ = try holds.limit(for: Self.search(Self.patient(mass: 90))) } == "patient.bodyMassKg")
        let fails = try Self.synthetic(forces: [100, 800, 1600]) { _ in 2 }
        #expect(Self.field { _ = try fails.limit(for: Self.search(Self.patient(mass: 70))) } == "patient.bodyMassKg")
    }

    /// The file round-trips (equal value, equal digest); a changed byte, another library version,
    /// another model digest, another protocol family, mesh, data sets or criteria, and a level or
    /// grade the file does not cover are refused naming the field.
    @Test func fileRoundTripAndRefusals() throws {
        let s = try Self.synthetic(forces: [100, 400, 800, 1200, 1600]) { $0 / 777.7 }
        let bytes = [UInt8](s.jsonData)
        let back = try LimitsSurrogate(json: bytes)
        #expect(back == s && back.digest == s.digest)
        let text = String(decoding: bytes, as: UTF8.self)
        let tampered = Array(text.replacingOccurrences(of: "\"forcesN\": [100, 400", with: "\"forcesN\": [100, 401").utf8)
        #expect(tampered != bytes)
        #expect(Self.field { _ = try LimitsSurrogate(json: tampered) } == "surrogate.digest")
        #expect(Self.field { _ = try LimitsSurrogate(json: Array(text.replacingOccurrences(of: "\"mesh\"", with: "\"meshes\"").utf8)) } == "surrogate.meshes")

        let p = try Self.patient(mass: 70)
        var v = s; v.libraryVersion = "0.0.1"
        #expect(Self.field { _ = try LimitsSurrogate(json: [UInt8](v.jsonData)).limit(for: Self.search(p)) } == "surrogate.libraryVersion")
        var m = s; m.cells[0].modelDigest = String(repeating: "0", count: 64); m.modelDigest = LimitsSurrogate.modelDigest(ofCells: m.cells)
        #expect(Self.field { _ = try LimitsSurrogate(json: [UInt8](m.jsonData)).limit(for: Self.search(p)) } == "surrogate.modelDigest")
        var other = Self.search(p); other.table.rest = 6
        #expect(Self.field { _ = try s.limit(for: other) } == "surrogate.protocolFamily")
        other = Self.search(p); other.table.table = .nonSplit(frictionCoefficient: 0.5)
        #expect(Self.field { _ = try s.limit(for: other) } == "surrogate.protocolFamily")
        other = Self.search(p); other.mesh = .standard
        #expect(Self.field { _ = try s.limit(for: other) } == "surrogate.mesh")
        other = Self.search(p); other.ligamentDataSets = [.remus2021, .goelBilinear]
        #expect(Self.field { _ = try s.limit(for: other) } == "surrogate.ligamentDataSets")
        other = Self.search(p); other.criteria.maxDistraction = 3
        #expect(Self.field { _ = try s.limit(for: other) } == "surrogate.criteria")
        other = Self.search(p); other.deformableVertebrae = .forPatient(p)
        #expect(Self.field { _ = try s.limit(for: other) } == "search.deformableVertebrae")
        #expect(Self.field { _ = try s.limit(for: Self.search(Self.patient(mass: 70, level: .l3l4))) } == "patient.level")
        #expect(Self.field { _ = try s.limit(for: Self.search(Self.patient(mass: 70, grade: .iv))) } == "patient.discGrade")
        // The T-score does not act on the model: another T-score is no refusal and the same limit.
        #expect(try s.limit(for: Self.search(Self.patient(mass: 70, tScore: -3))).limit == s.limit(for: Self.search(p)).limit)
    }

    /// On a split table the searched model does not see the body mass (no gravity, no friction):
    /// the model file of the motion segment with the limit protocol at 900 N applied is the same
    /// for 45 and 120 kg apart from its notes text, every number to a relative 1e-12 (the
    /// protocol's shape is normalised by a mass-dependent peak: round-off only); on a one-piece
    /// table it differs (friction), which is why the surrogate refuses that family.
    @Test func theSearchedModelDoesNotSeeTheMassOnASplitTable() throws {
        func model(_ mass: Double, _ table: ProfessionalTable) throws -> JSONValue {
            let p = try Self.patient(mass: mass)
            var m = try MotionSegment.lumbar(.l4l5, patient: p, mesh: .coarse, ligaments: .remus2021)
            try MotionSegmentLimitSearch.apply(MotionSegmentLimitSearch(patient: p, table: table).limitProtocol(tableForce: 900), to: &m, bodyMassKg: mass)
            m.notes = ""
            return try m.jsonValue()
        }
        func close(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case let (.number(x), .number(y)): return abs(x - y) <= 1e-12 * max(abs(x), abs(y), 1e-300)
            case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { close($0, $1) }
            case let (.object(x), .object(y)): return x.keys == y.keys && zip(x, y).allSatisfy { close($0.value, $1.value) }
            default: return a == b
            }
        }
        #expect(close(try model(45, Self.shortTable), try model(120, Self.shortTable)))
        var oneP = Self.shortTable; oneP.table = .nonSplit(frictionCoefficient: 0.5)
        #expect(!close(try model(45, oneP), try model(120, oneP)))
    }

    /// Surrogate against full solves on the cheap configuration: a surrogate of L4-L5 grade II
    /// (grade I shares its responses: equal preset) sampled on [100, 1600] N, and for a 95 kg
    /// patient (ceiling 1864 N, above the range) the surrogate limit within 2 % of the full-solve
    /// limit (bracketed to 1 %). The full solve runs through the fallback of `LimitsComputation`
    /// with a tampered surrogate file, which must say so. Equal inputs give byte-identical
    /// documents from the surrogate. (The verification on the shipped surrogate, ≥ 6 patients
    /// with the default protocol, is in Benchmarks/results/limits.md: it takes minutes.)
    @Test func surrogateAgreesWithFullSolvesAndFallsBackSayingSo() throws {
        let template = Self.search(try Self.patient(mass: 70))
        let surrogate = try LimitsSurrogate.build(levels: [.l4l5], grades: [.i, .ii], search: template, forceRange: 100...1600)
        #expect(surrogate.cells.count == 2 && surrogate.cells[0].responses == surrogate.cells[1].responses)
        #expect(surrogate.cells[0].modelDigest != surrogate.cells[1].modelDigest)

        let heavyPatient = try LimitsPatient(json: LimitSearchTests.patientFile(mass: 95))
        let heavy = Self.search(heavyPatient.patient)
        let other = String(surrogate.digest.dropLast()) + (surrogate.digest.hasSuffix("0") ? "1" : "0")
        let bytes = Array(String(decoding: surrogate.jsonData, as: UTF8.self).replacingOccurrences(of: surrogate.digest, with: other).utf8)
        let fallback = try LimitsComputation.compute(patient: heavyPatient, session: LimitSearchTests.session, search: heavy, surrogateFile: bytes)
        #expect(fallback.surrogateRefusal?.field == "surrogate.digest")
        #expect(fallback.document.provenance.modelId == LimitsComputation.fallbackModelId(mesh: .coarse))
        let exactHeavy = try #require(fallback.modelLimit)
        #expect(exactHeavy.method == .fullSolve && exactHeavy.perDataSet[0].limit.relativeBracketWidth <= 0.01)
        let fromSurrogateHeavy = try surrogate.limit(for: heavy)
        #expect(abs(fromSurrogateHeavy.limit - exactHeavy.limit) <= 0.02 * exactHeavy.limit,
                "surrogate \(fromSurrogateHeavy.limit) N, full solves \(exactHeavy.limit) N")

        let a = try LimitsComputation.compute(patient: heavyPatient, session: LimitSearchTests.session, search: heavy, surrogate: surrogate)
        let b = try LimitsComputation.compute(patient: try LimitsPatient(json: LimitSearchTests.patientFile(mass: 95)), session: LimitSearchTests.session,
                                              search: heavy, surrogateFile: [UInt8](surrogate.jsonData))
        #expect(a.surrogateRefusal == nil && a.document.provenance.modelId == LimitsComputation.surrogateModelId(mesh: .coarse, digest: surrogate.digest))
        #expect(a.document.canonicalUnsignedJSON == b.document.canonicalUnsignedJSON)
        #expect(a.modelLimit?.limit == fromSurrogateHeavy.limit)
    }
}
