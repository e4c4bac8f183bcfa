import Testing
import Foundation
@testable import SpineModel

/// A valid model; each test breaks one thing.
let validModel = """
{
  "units": "mm-N-s-MPa",
  "mesh": {"generate": {"box": {"size": [10, 10, 10], "divisions": [1, 1, 1], "element": "hex8"}}},
  "kinematics": "smallStrain",
  "regions": {"all": "gel"},
  "materials": {"gel": {"type": "isotropicElastic", "E": 100, "nu": 0.3}},
  "curves": {"ramp": [[0, 0], [1, 1]]},
  "boundary": [
    {"surface": "bottom", "fix": ["ux", "uy", "uz"]},
    {"surface": "top", "prescribe": {"uz": -0.1}, "curve": "ramp"}
  ],
  "steps": [{"duration": 1, "dtMin": 0.1, "dtMax": 1}],
  "outputs": {"times": [1], "probes": [{"name": "p", "field": "uz", "at": [5, 5, 10]}]}
}
"""

/// Parses (and builds) `text`, expecting a ModelError.
func modelError(_ text: String) -> ModelError? {
    do {
        let model = try Model.parse(Data(text.utf8))
        _ = try Simulation(model: model)
        return nil
    } catch let e as ModelError { return e } catch { return nil }
}

func replacing(_ old: String, _ new: String) -> String {
    precondition(validModel.contains(old), "test bug: \(old) not in the model")
    return validModel.replacingOccurrences(of: old, with: new)
}

@Suite("Model file errors name the place")
struct BadInputTests {
    @Test func validModelBuildsAndSolves() throws {
        let results = try Simulation(model: try Model.parse(Data(validModel.utf8))).runSynchronously()
        #expect(abs(results.probes[0].values[0][0] + 0.1) < 1e-12)
    }

    @Test func malformedJSONNamesLineAndColumn() throws {
        let e = try #require(modelError(replacing("\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\",,")))
        #expect(e.kind == .syntax)
        #expect(e.path == "line 4, column 31")
        let e2 = try #require(modelError("{\"units\": \"mm-N-s-MPa\""))
        #expect(e2.kind == .syntax && e2.message.contains("end of file"))
    }

    @Test func unknownKeysAreRefused() throws {
        let e = try #require(modelError(replacing("\"E\": 100,", "\"E\": 100, \"colour\": \"red\",")))
        #expect(e.kind == .unknownKey && e.path == "materials.gel.colour")
        let top = try #require(modelError(replacing("\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\", \"solver\": 1,")))
        #expect(top.kind == .unknownKey && top.path == "solver")
        let deep = try #require(modelError(replacing("\"dtMax\": 1}", "\"dtMax\": 1, \"dtmin\": 0.1}")))
        #expect(deep.kind == .unknownKey && deep.path == "steps[0].dtmin")
    }

    @Test func missingKeysAreNamed() throws {
        let e = try #require(modelError(replacing("\"nu\": 0.3", "\"poisson\": 0.3")))
        #expect(e.kind == .missingKey && e.path == "materials.gel.nu")
        let steps = try #require(modelError(replacing("\"steps\": [{\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}],", "")))
        #expect(steps.kind == .missingKey && steps.path == "steps")
    }

    @Test func wrongUnitsAreRefused() throws {
        let e = try #require(modelError(replacing("\"mm-N-s-MPa\"", "\"m-N-s-Pa\"")))
        #expect(e.kind == .units && e.path == "units")
        #expect(e.description == "units: expected \"mm-N-s-MPa\", got \"m-N-s-Pa\" (convert the model to mm, N, s, MPa)")
    }

    @Test func invalidMaterialParameterNamesPathAndValue() throws {
        let e = try #require(modelError(replacing("\"E\": 100", "\"E\": -4")))
        #expect(e.description == "materials.gel.E: expected a positive number (MPa), got -4")
        let nu = try #require(modelError(replacing("\"nu\": 0.3", "\"nu\": 0.5")))
        #expect(nu.kind == .invalidValue && nu.path == "materials.gel.nu")
        let type = try #require(modelError(replacing("\"isotropicElastic\"", "\"viscoelastic\"")))
        #expect(type.kind == .invalidValue && type.path == "materials.gel.type")
    }

    @Test func unknownNamesAreNamed() throws {
        let material = try #require(modelError(replacing("\"all\": \"gel\"", "\"all\": \"jelly\"")))
        #expect(material.kind == .unknownName && material.path == "regions.all")
        let region = try #require(modelError(replacing("\"all\": \"gel\"", "\"nucleus\": \"gel\"")))
        #expect(region.kind == .unknownName && region.path == "regions.nucleus")
        let surface = try #require(modelError(replacing("\"surface\": \"top\"", "\"surface\": \"topp\"")))
        #expect(surface.kind == .unknownName && surface.path == "boundary[1].surface")
        #expect(surface.message.contains("top"))
        let curve = try #require(modelError(replacing("\"curve\": \"ramp\"", "\"curve\": \"rampp\"")))
        #expect(curve.kind == .unknownName && curve.path == "boundary[1].curve")
    }

    @Test func rigidSurfaceOptionsAreChecked() throws {
        let moment = try #require(modelError(replacing("{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                       "{\"surface\": \"top\", \"rigid\": {\"moment\": [0, 1, 0]}}")))
        #expect(moment.kind == .invalidValue && moment.path == "boundary[1].rigid.moment")
        let both = try #require(modelError(replacing("{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                     "{\"surface\": \"top\", \"rigid\": {\"displacement\": [0, 0, 1], \"force\": [0, 0, 1]}}")))
        #expect(both.kind == .invalidValue && both.path == "boundary[1].rigid.force")
        let rotation = try #require(modelError(replacing("{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                         "{\"surface\": \"top\", \"rigid\": {\"force\": [0, 0, 1], \"rotation\": \"wobbly\"}}")))
        #expect(rotation.kind == .invalidValue && rotation.path == "boundary[1].rigid.rotation")
        let slideName = try #require(modelError(replacing("{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                          "{\"surface\": \"top\", \"rigid\": {\"force\": [0, 0, 1], \"slide\": [\"ux\", \"uw\"]}}")))
        #expect(slideName.kind == .invalidValue && slideName.path == "boundary[1].rigid.slide[1]")
        let slideAll = try #require(modelError(replacing("{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                         "{\"surface\": \"top\", \"rigid\": {\"force\": [0, 0, 1], \"slide\": [\"ux\", \"uy\", \"uz\"]}}")))
        #expect(slideAll.kind == .invalidValue && slideAll.path == "boundary[1].rigid.slide")
        let slideForce = try #require(modelError(replacing("{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                           "{\"surface\": \"top\", \"rigid\": {\"force\": [1, 0, 1], \"slide\": [\"ux\"]}}")))
        #expect(slideForce.kind == .invalidValue && slideForce.path == "boundary[1].rigid.force" && slideForce.message.contains("ux"))
    }

    @Test func loadCurveMustIncrease() throws {
        let e = try #require(modelError(replacing("[[0, 0], [1, 1]]", "[[0, 0], [1, 1], [1, 2]]")))
        #expect(e.kind == .invalidValue && e.path == "curves.ramp[2][0]")
        #expect(e.message.contains("not greater than the previous time"))
    }

    @Test func wrongTypesAndRanges() throws {
        let e = try #require(modelError(replacing("\"divisions\": [1, 1, 1]", "\"divisions\": [1, 0, 1]")))
        #expect(e.kind == .invalidValue && e.path == "mesh.generate.box.divisions[1]")
        let t = try #require(modelError(replacing("\"fix\": [\"ux\", \"uy\", \"uz\"]", "\"fix\": [\"ux\", \"uq\"]")))
        #expect(t.kind == .invalidValue && t.path == "boundary[0].fix[1]")
        let probe = try #require(modelError(replacing("\"at\": [5, 5, 10]", "\"at\": [5, 5, 11]")))
        #expect(probe.kind == .invalidValue && probe.path == "outputs.probes[0].at")
        let dt = try #require(modelError(replacing("\"dtMin\": 0.1", "\"dtMin\": 2")))
        #expect(dt.kind == .invalidValue && dt.path == "steps[0].dtMin")
        let units = try #require(modelError(replacing("\"units\": \"mm-N-s-MPa\"", "\"units\": 1")))
        #expect(units.kind == .wrongType && units.path == "units")
        let time = try #require(modelError(replacing("\"times\": [1]", "\"times\": [2]")))
        #expect(time.kind == .invalidValue && time.path == "outputs.times[0]")
    }
}

@Suite("Inverted mesh")
struct InvertedMeshTests {
    /// A gmsh-written hex8 box with the first element's bottom and top corners
    /// swapped (turned inside out): the model is refused naming that cell.
    @Test func invertedElementIsNamed() throws {
        let fixture = packageRoot.appendingPathComponent("Tests/FiniteElementsTests/Fixtures/box_hex8.msh")
        var lines = try String(contentsOf: fixture, encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "$Elements"))
        // The first 3D block: find a block header "3 <tag> 5 <count>" and invert its first element.
        var k = start + 2
        while !lines[k].hasPrefix("3 ") { let count = Int(lines[k].split(separator: " ")[3])!; k += count + 1 }
        var fields = lines[k + 1].split(separator: " ").map(String.init)
        // Element tag, then nodes 0…7: swap the bottom face (0–3) with the top face (4–7).
        fields = [fields[0]] + Array(fields[5...8]) + Array(fields[1...4])
        lines[k + 1] = fields.joined(separator: " ")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inverted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("box.msh"), atomically: true, encoding: .utf8)
        let text = validModel.replacingOccurrences(of: "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}",
                                                   with: "{\"file\": \"box.msh\"}")
        #expect(text != validModel)
        do {
            _ = try Simulation(model: try Model.parse(Data(text.utf8), baseDirectory: dir))
            Issue.record("expected the inverted cell to be refused")
        } catch let e as ModelError {
            // The Gmsh reader names the file line and the element; generated meshes are checked under `mesh`.
            #expect(e.kind == .invalidValue && e.path == "mesh.file")
            #expect(e.message.contains("line \(k + 2)") && e.message.contains("cell 0"))
            print("inverted mesh: \(e)")
        }
    }
}
