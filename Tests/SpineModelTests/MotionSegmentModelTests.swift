import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// The motion segment as model values: built for a patient, edited in place, written as JSON and
/// read back equal; bad values refused with the path of the offending value.
@Suite("Motion segment model values")
struct MotionSegmentModelTests {
    static func segment(_ level: LumbarLevel = .l4l5, grade: PfirrmannGrade = .ii) throws -> Model {
        try MotionSegment.lumbar(level, patient: try Patient(bodyMassKg: 70, heightCm: 175, discGrade: grade, level: level), mesh: .coarse)
    }

    /// The builder's numbers against the tables they come from: disc axes = half the level's
    /// endplate width and depth, height = disc height × the grade's height factor; each
    /// ligament's total stiffness = springs × stiffness per spring of the data set (exact);
    /// fibres end at the geometry's insertions; both facets face.
    @Test(arguments: [(LumbarLevel.l4l5, PfirrmannGrade.ii), (.l3l4, .iv)])
    func builderFollowsTheTables(level: LumbarLevel, grade: PfirrmannGrade) throws {
        let model = try Self.segment(level, grade: grade)
        let g = LevelGeometry.standard(level)
        let h = g.discHeight * grade.preset.heightFactor
        guard case let .cylinder(a, b, height, inner, _, _, _, _, _, _) = model.mesh else { Issue.record("not a cylinder"); return }
        #expect(a == g.endplateWidth / 2 && b == g.endplateDepth / 2 && abs(height - h) <= 1e-12 && inner == "nucleus")
        let ms = try #require(model.motionSegment)
        #expect(ms.vertebrae.map(\.name) == [MotionSegment.lowerVertebra(level), MotionSegment.upperVertebra(level)])
        #expect(ms.heldVertebra?.tiedTo == .surface("bottom") && ms.freeVertebrae.first?.referencePoint == SIMD3(0, 0, height))
        #expect(ms.ligaments.count == 9)   // 5 midline + ITL and CL on both sides
        for l in ms.ligaments {
            let p = try LigamentDataSet.remus2021.properties(level, l.type)
            #expect(l.fibres.count == p.springCount)
            #expect(abs(l.stiffness - p.totalStiffness) <= 1e-12 * p.totalStiffness, "\(l.name)")
            #expect(l.law.referenceStrain == p.referenceStrain && l.law.curve == p.curve)
        }
        var geometry = g
        geometry.discHeight = h
        let flavum = try #require(ms.ligaments[.flavum])
        let (lo, up) = geometry.insertion(.flavum)
        let middle = flavum.fibres[flavum.fibres.count / 2]
        #expect(abs(middle.origin.y - lo.y) <= 1e-12 && abs(middle.insertion.z - up.z) <= 1e-12)
        #expect(ms.facets.count == 2)
        for f in ms.facets { #expect((f.upperNormal * f.planeNormal).sum() < 0) }
        // Nucleus fixed charge and permeability scaled by the preset.
        let np = try #require(model.materials["np"]?.biphasic)
        #expect(abs(np.osmotic!.cF0 - (-150 * grade.preset.fixedChargeFactor)) <= 1e-12)
    }

    /// Editing in place: the whole ligament's stiffness is the fibres' sum (halving it halves
    /// every fibre's); a bilateral ligament without a side sets both sides.
    @Test func editInPlace() throws {
        var model = try Self.segment()
        let before = model.ligaments[.flavum]!.law.stiffness
        model.ligaments[.flavum]!.stiffness *= 0.5
        #expect(model.ligaments[.flavum]!.law.stiffness == 0.5 * before)
        var capsular = model.ligaments[.capsular]!
        capsular.law.damping = 0
        model.ligaments[.capsular] = capsular
        #expect(model.ligaments[.capsular, side: .left]!.law.damping == 0 && model.ligaments[.capsular, side: .right]!.law.damping == 0)
        #expect(model.ligaments[.capsular, side: .right]!.fibres.first!.origin.x > 0)   // each side keeps its fibres
    }

    /// The reference is the value itself: written as JSON and read back, the model is equal (a
    /// damage law, a bilinear law, a follower load and gravity included), and writing again gives
    /// the same bytes.
    @Test func roundTripsThroughTheModelFile() throws {
        var model = try Self.segment()
        model.ligaments[.interspinous]!.law.damage = LigamentDamage(threshold: 0.1, rate: 0.2, permanentFraction: 0.5, recoveryTime: 600)
        model.ligaments[.interspinous]!.law.failureStrain = 0.3
        model.ligaments[.supraspinous]!.law.curve = .bilinear(transitionStrain: 0.2, largeStrainStiffness: 50)
        model.curves["standing"] = try .ramp(duration: 10)
        model.motionSegment!.followerLoad = FollowerLoad(force: 500, curve: "standing")
        model.motionSegment!.gravity = GravityLoad(massKg: 37.5, angle: 60)
        try model.validate()
        let data = try model.jsonData()
        let read = try Model.parse(data)
        #expect(read == model)
        #expect(try read.jsonData() == data)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("motion-segment-\(UUID().uuidString).json")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try Model(contentsOf: url) == model)
    }

    /// A freely swollen state is shared by models that differ only in loads (follower load,
    /// gravity, forces on the vertebra), not by models whose ligaments differ (they act during
    /// the swelling).
    @Test func freeSwellingStateKey() throws {
        let model = try Self.segment()
        var loaded = model
        loaded.curves["standing"] = try .ramp(duration: 10)
        loaded.motionSegment!.followerLoad = FollowerLoad(force: 500, curve: "standing")
        loaded.motionSegment!.gravity = GravityLoad(massKg: 37.5, angle: 60)
        loaded.boundary[named: "traction"]!.force = SIMD3(0, 0, 300)
        #expect(try loaded.freeSwellingKey() == model.freeSwellingKey())
        var stiffer = model
        stiffer.ligaments[.flavum]!.stiffness *= 2
        #expect(try stiffer.freeSwellingKey() != model.freeSwellingKey())
    }

    /// Gravity at an angle: `m g sin θ` (N) along the spine.
    @Test func gravityComponent() {
        #expect(abs(GravityLoad(massKg: 37.52, angle: 90).axialForce - 37.52 * 9.81) <= 1e-9)
        #expect(abs(GravityLoad(massKg: 40, angle: 30).axialForce - 40 * 9.81 * 0.5) <= 1e-9)
    }

    /// Bad values in code: errors name the Swift path, the value and what was expected.
    @Test func badValuesNameTheSwiftPath() throws {
        let model = try Self.segment()
        let flavumIndex = try #require(model.ligaments.firstIndex { $0.type == .flavum })
        func error(_ edit: (inout Model) -> Void) throws -> ModelError {
            var m = model
            edit(&m)
            return try #require(throws: ModelError.self) { try m.validate() }
        }
        var e = try error { $0.motionSegment!.ligaments[flavumIndex].law.stiffness = -3 }
        #expect(e.path == "motionSegment.ligaments[\(flavumIndex)].law.stiffness" && e.message.contains("-3"))
        e = try error {
            $0.motionSegment!.ligaments[flavumIndex].law.failureStrain = 0.2
            $0.motionSegment!.ligaments[flavumIndex].law.damage = LigamentDamage(threshold: 0.3, rate: 0.1)
        }
        #expect(e.path == "motionSegment.ligaments[\(flavumIndex)].law.damage.threshold" && e.message.contains("0.3"))
        e = try error { $0.motionSegment!.facets[1].upperNormal = $0.motionSegment!.facets[1].planeNormal }
        #expect(e.path == "motionSegment.facets[1].upperNormal" && e.message.contains("do not face"))
        e = try error { $0.motionSegment!.ligaments[0].upper = "T12" }
        #expect(e.path == "motionSegment.ligaments[0].upper" && e.kind == .unknownName)
        e = try error { $0.motionSegment!.vertebrae[1].held = true }
        #expect(e.path == "motionSegment.vertebrae" && e.message.contains("exactly one held"))
        e = try error { $0.motionSegment!.gravity = GravityLoad(massKg: 30, angle: 120) }
        #expect(e.path == "motionSegment.gravity.angle")
        // A rigid vertebra tied to a node set the mesh does not have: refused when the simulation is built.
        var m = model
        m.motionSegment!.vertebrae[1].tiedTo = .nodeSet("endplate")
        let built = try #require(throws: ModelError.self) { _ = try Simulation(model: m) }
        #expect(built.path == "motionSegment.vertebrae[1].tiedTo" && built.kind == .unknownName && built.message.contains("endplate"))
    }

    /// Bad values in a file: errors name the JSON path.
    @Test func badValuesNameTheJSONPath() throws {
        let model = try Self.segment()
        let text = String(decoding: try model.jsonData(), as: UTF8.self)
        func parse(_ from: String, _ to: String) throws -> ModelError {
            #expect(text.contains(from), "the model file has no \(from)")
            return try #require(throws: ModelError.self) { _ = try Model.parse(Data(text.replacingOccurrences(of: from, with: to).utf8)) }
        }
        var e = try parse("\"type\": \"LF\"", "\"type\": \"XYZ\"")
        #expect(e.path.hasPrefix("motionSegment.ligaments[") && e.path.hasSuffix("].type") && e.message.contains("XYZ"))
        var tied = model
        tied.motionSegment!.vertebrae[1].tiedTo = .nodeSet("endplate")
        let read = try Model.parse(try tied.jsonData())
        let built = try #require(throws: ModelError.self) { _ = try Simulation(model: read) }
        #expect(built.path == "motionSegment.vertebrae[1].nodeSet" && built.kind == .unknownName)
        e = try parse("\"stiffness\": 30,", "\"stiffness\": -30,")
        #expect(e.path.hasSuffix(".law.stiffness") && e.message.contains("-30"))
        e = try parse("\"penalty\": 100", "\"penalty\": 100, \"friction\": 0.1")
        #expect(e.kind == .unknownKey && e.path == "motionSegment.facets[0].friction")
    }
}

/// The schema, the parser and the documentation name the same motion-segment keys and enums.
@Suite("Motion segment schema")
struct MotionSegmentSchemaTests {
    @Test func schemaParserAndDocsAgree() throws {
        let s = try SchemaParserAgreementTests.schema()
        let ms = try SchemaParserAgreementTests.at(s, ["properties", "motionSegment", "properties"])
        #expect(Set(ms.keys) == Set(MotionSegmentParser.keys))
        #expect(try SchemaParserAgreementTests.at(ms, ["level"])["enum"] as? [String] == LumbarLevel.allCases.map(\.rawValue))
        let ligament = try SchemaParserAgreementTests.at(ms, ["ligaments", "items", "properties"])
        #expect(try SchemaParserAgreementTests.at(ligament, ["type"])["enum"] as? [String] == LigamentType.allCases.map(\.rawValue))
        #expect(try SchemaParserAgreementTests.at(ligament, ["side"])["enum"] as? [String] == LevelGeometry.Side.allCases.map(\.rawValue))
        let law = try SchemaParserAgreementTests.at(ligament, ["law", "properties"])
        #expect(Set(law.keys) == Set(MotionSegmentParser.lawKeys))
        #expect(try SchemaParserAgreementTests.at(law, ["curve"])["enum"] as? [String] == MotionSegmentParser.curveNames)
        let doc = try String(contentsOf: packageRoot.appendingPathComponent("Sources/SpineModel/SpineModel.docc/ModelFile.md"), encoding: .utf8)
        for key in MotionSegmentParser.keys + MotionSegmentParser.lawKeys + MotionSegmentParser.curveNames + LigamentType.allCases.map(\.rawValue) {
            #expect(doc.contains("`\(key)`"), "ModelFile.md does not mention `\(key)`")
        }
    }

    /// A built motion segment's model file validates against the schema with Python's
    /// `jsonschema`, and one with an unknown ligament type does not.
    @Test(.enabled(if: hasJSONSchema, "needs python3 with jsonschema"))
    func builtSegmentValidatesAgainstSchema() throws {
        var model = try MotionSegmentModelTests.segment()
        model.curves["standing"] = try .ramp(duration: 10)
        model.motionSegment!.followerLoad = FollowerLoad(force: 500, curve: "standing")
        model.motionSegment!.gravity = GravityLoad(massKg: 37.5, angle: 60)
        model.ligaments[.interspinous]!.law.damage = LigamentDamage(threshold: 0.1, rate: 0.2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segment-\(UUID().uuidString).json")
        try model.jsonData().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let script = """
        import json, sys, jsonschema
        v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1] + '/Schemas/model.schema.json')))
        m = json.load(open(sys.argv[2]))
        good = len(list(v.iter_errors(m)))
        m['motionSegment']['ligaments'][0]['type'] = 'XYZ'
        print(good, 1 if list(v.iter_errors(m)) else 0)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, packageRoot.path, url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(p.terminationStatus == 0)
        #expect(out == "0 1", "schema errors / broken rejected: \(out)")
    }
}

/// The embedded `--example motion-segment` model is the shipped file.
@Suite("Motion segment example")
struct MotionSegmentExampleTests {
    @Test func exampleEqualsItsFile() throws {
        let url = packageRoot.appendingPathComponent("Examples/models/motion-segment.json")
        #expect(try ExampleModels.model(named: "motion-segment") == Model.load(path: url.path))
    }
}
