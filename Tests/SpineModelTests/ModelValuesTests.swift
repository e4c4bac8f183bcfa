import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// Models as values: built in code, edited in place, written as JSON and read back equal; errors
/// from values built in code name the Swift property path.
@Suite("Model values")
struct ModelValuesTests {
    static var exampleFiles: [String] {
        let dir = packageRoot.appendingPathComponent("Examples/models")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// The reference is the file itself: reading the written JSON gives the same value, and
    /// writing that value again gives the same bytes (the writer is a fixed point).
    @Test(arguments: exampleFiles)
    func everyExampleRoundTrips(file: String) throws {
        let url = packageRoot.appendingPathComponent("Examples/models/\(file)")
        let model = try Model(contentsOf: url)
        let data = try model.jsonData()
        let again = try Model.parse(data, baseDirectory: url.deletingLastPathComponent())
        #expect(again == model, "\(file)")
        #expect(try again.jsonData() == data, "\(file)")
    }

    @Test func defaultDiscRoundTripsAndEditsAreSeen() throws {
        let disc = try DefaultDiscModel.model()
        #expect(try Model.parse(try disc.jsonData()) == disc)
        var edited = disc
        edited.materials["np"]!.biphasic!.permeability.k0 *= 0.5
        #expect(edited != disc)
        #expect(try Model.parse(try edited.jsonData()) == edited)
        #expect(edited.materials["np"]!.biphasic!.permeability.k0 == 1.5e-4)
    }

    /// The annulus's permeability lives in one place: changing it changes every annulus cell's
    /// law (lamellae included), which the old three-copies material silently ignored.
    @Test func annulusPermeabilityEditReachesEveryLamella() throws {
        var disc = try DefaultDiscModel.model()
        disc.materials["af"]!.biphasic!.permeability = .constant(k0: 2e-3)
        disc.materials["af"]!.solid.fibreReinforced!.lamellae!.count = 4
        disc.mesh = .cylinder(a: 25, b: 17, height: 10, innerName: "nucleus", innerFraction: 0.55, radial: 4, around: 16, axial: 2, element: .hex20)
        let sim = try BiphasicSimulation(model: disc)
        let cells = try sim.mesh.cells(inRegion: "annulus")
        #expect(!cells.isEmpty)
        var angles = Set<Double>()
        for c in cells {
            let law = sim.problem.cellMaterials[c].law
            #expect(law.permeability == .constant(k0: 2e-3))
            let solid = try #require(law.solid as? FibreReinforcedSolid)
            angles.insert((solid.fibres[0].direction.z * 1e9).rounded())
        }
        #expect(angles.count == 2)  // ±30° alternate over the 4 lamellae
    }

    /// A small model written entirely in Swift equals the same model read from its JSON text.
    @Test func modelBuiltInCodeEqualsTheFile() throws {
        let json = #"""
        {"units": "mm-N-s-MPa",
         "mesh": {"generate": {"box": {"size": [10, 10, 10], "divisions": [2, 2, 2], "element": "hex8"}}},
         "kinematics": "finiteStrain", "regions": {"all": "rubber"},
         "materials": {"rubber": {"type": "neoHookean", "E": 1, "nu": 0.3}},
         "curves": {"ramp": [[0, 0], [1, 1]]},
         "boundary": [{"surface": "z-", "fix": ["ux", "uy", "uz"]},
                      {"name": "pull", "surface": "z+", "prescribe": {"uz": 1.5}, "curve": "ramp"}],
         "steps": [{"name": "load", "duration": 1, "dt": 0.25, "dtMin": 0.01, "dtMax": 0.5}],
         "outputs": {"times": [0, 0.5, 1], "probes": [{"name": "tip", "field": "uz", "at": [10, 10, 10]}], "vtu": false}}
        """#
        let file = try Model.parse(Data(json.utf8))
        let code = Model(
            mesh: .box(origin: .zero, size: SIMD3(10, 10, 10), divisions: SIMD3(2, 2, 2), element: .hex8),
            kinematics: .finiteStrain,
            regions: [("all", "rubber")],
            materials: ["rubber": MaterialDefinition(solid: .neoHookean(E: 1, nu: 0.3))],
            curves: ["ramp": try LoadCurve(points: [(0, 0), (1, 1)])],
            boundary: [BoundaryCondition(target: .surface("z-"), kind: .fix([0, 1, 2])),
                       BoundaryCondition(name: "pull", target: .surface("z+"), kind: .prescribe([(2, 1.5)], curve: "ramp"))],
            steps: [StepDefinition(name: "load", duration: 1, initialStep: 0.25, minStep: 0.01, maxStep: 0.5)],
            outputs: OutputDefinition(times: [0, 0.5, 1], probes: [.init(name: "tip", field: "uz", at: SIMD3(10, 10, 10))], vtu: false))
        #expect(code == file)
        try code.validate()
        // Both run to the same numbers (the neo-Hookean stretch of the top face is prescribed: u_z = 1.5 mm).
        let a = try Simulation(model: code).runSynchronously(), b = try Simulation(model: file).runSynchronously()
        #expect(a.probes[0].values == b.probes[0].values)
        #expect(abs(a.probes[0].values.last![0] - 1.5) < 1e-12)
    }

    /// Values built in code are checked with errors naming the Swift property path.
    @Test(arguments: [
        ("k0", #"materials["np"].biphasic.permeability.k0"#),
        ("phi0", #"materials["np"].biphasic.phi0"#),
        ("cF0", #"materials["np"].biphasic.osmotic.cF0"#),
        ("E", #"materials["np"].solid.E"#),
        ("count", #"materials["af"].solid.fibreReinforced.lamellae.count"#),
        ("xi", #"materials["af"].solid.fibreReinforced.lamellae.xi"#),
        ("matrixNu", #"materials["af"].solid.fibreReinforced.matrix.nu"#),
        ("curve", "boundary[1].curve"),
        ("dtMin", "steps[1].minStep"),
        ("times", "outputs.times[1]"),
        ("region", "regions[0].material"),
        ("duplicateName", "boundary[2].name"),
    ])
    func codeErrorsNameTheSwiftPath(change: String, path: String) throws {
        var m = try DefaultDiscModel.model()
        m.pathStyle = .swift
        switch change {
        case "k0": m.materials["np"]!.biphasic!.permeability.k0 = -1
        case "phi0": m.materials["np"]!.biphasic!.phi0 = 1.2
        case "cF0": m.materials["np"]!.biphasic!.osmotic!.cF0 = 50
        case "E": m.materials["np"]!.solid = .neoHookean(E: -0.3, nu: 0.1)
        case "count": m.materials["af"]!.solid.fibreReinforced!.lamellae!.count = 0
        case "xi": m.materials["af"]!.solid.fibreReinforced!.lamellae!.xi = -2
        case "matrixNu": m.materials["af"]!.solid.fibreReinforced!.matrix = .neoHookean(E: 0.6, nu: 0.7)
        case "curve": m.boundary[1].kind = .rigid(.loads(force: SIMD3(0, 0, -17), moment: .zero, rotationFree: false, reference: nil, slide: []), curve: "nope")
        case "dtMin": m.steps[1].minStep = 100
        case "times": m.outputs.times = [0, 1e9]
        case "region": m.regions[0].material = "missing"
        default:
            m.boundary[1].name = "load"; m.boundary[2].name = "load"
        }
        let error = try #require(throws: ModelError.self) { try m.validate() }
        #expect(error.path == path, "\(error)")
        // The same model through the file names the JSON path instead (when the value can be written).
        if change != "region", change != "count" {
            let text = try m.jsonData()
            let fileError = try #require(throws: ModelError.self) { _ = try Model.parse(text) }
            #expect(!fileError.path.contains("[\""), "\(fileError)")
        }
    }
}

@Suite("Example models and named conditions")
struct ExampleModelValueTests {
    /// The embedded examples equal their files (`run --example` runs what the files say).
    @Test func embeddedExamplesEqualTheirFiles() throws {
        #expect(try ExampleModels.model(named: "disc") == Model.load(path: packageRoot.appendingPathComponent("Examples/models/default-disc.json").path))
        #expect(try ExampleModels.model(named: "nutrient-traction") == Model.load(path: packageRoot.appendingPathComponent("Examples/models/nutrient-traction.json").path))
        let error = try #require(throws: ModelError.self) { _ = try ExampleModels.model(named: "spine") }
        #expect(error.path == "--example" && error.kind == .unknownName)
    }

    /// A condition found by name changes in place: the traction force, a pressure value.
    @Test func conditionsByName() throws {
        var disc = try DefaultDiscModel.model()
        #expect(disc.boundary[named: "traction"]?.force == SIMD3(0, 0, 110))
        disc.boundary[named: "traction"]!.force = SIMD3(0, 0, 300)
        let i = try #require(disc.boundary.firstIndex { $0.name == "traction" })
        #expect(disc.boundary[i].kind == .rigid(.loads(force: SIMD3(0, 0, 300), moment: .zero, rotationFree: false, reference: nil, slide: []), curve: "traction"))
        #expect(disc.boundary[named: "preload"]?.force == SIMD3(0, 0, -17))
        #expect(disc.boundary[named: "missing"] == nil)
        var exchange = BoundaryCondition(name: "bath", target: .surface("top"), kind: .fluidPressure(0.01, curve: nil))
        exchange.magnitude = 0.02
        #expect(exchange.kind == .fluidPressure(0.02, curve: nil))
        #expect(exchange.force == nil)
    }
}

/// The schema, the parser and the documentation name the same things.
@Suite("Schema and parser agree")
struct SchemaParserAgreementTests {
    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("Schemas/model.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func at(_ root: [String: Any], _ keys: [String]) throws -> [String: Any] {
        var node = root
        for k in keys { node = try #require(node[k] as? [String: Any], "schema has no \(keys)") }
        return node
    }

    @Test func everyOutputQuantityAgrees() throws {
        let s = try Self.schema()
        let fields = try #require(try Self.at(s, ["$defs", "field"])["enum"] as? [String])
        #expect(fields == ModelParser.probeFields)
        let surfaces = try #require(try Self.at(s, ["properties", "outputs", "properties", "surfaces", "items", "properties", "quantity"])["enum"] as? [String])
        #expect(surfaces == ModelParser.surfaceQuantities)
        let regionQuantity = try Self.at(s, ["properties", "outputs", "properties", "regions", "items", "properties", "quantity"])
        let consts = try #require(regionQuantity["oneOf"] as? [[String: Any]]).compactMap { $0["const"] as? String }
        #expect(fields + consts == ModelParser.regionQuantities)
        // Every quantity the parser accepts is documented in ModelFile.md.
        let doc = try String(contentsOf: packageRoot.appendingPathComponent("Sources/SpineModel/SpineModel.docc/ModelFile.md"), encoding: .utf8)
        for q in Set(ModelParser.probeFields + ModelParser.surfaceQuantities + ModelParser.regionQuantities) {
            #expect(doc.contains("`\(q)`"), "ModelFile.md does not mention `\(q)`")
        }
    }

    @Test func everyConditionKindAndMaterialTypeAgrees() throws {
        let s = try Self.schema()
        let boundary = try Self.at(s, ["properties", "boundary", "items", "properties"])
        #expect(Set(boundary.keys) == Set(ModelParser.conditionKinds + ["name", "surface", "nodeSet", "curve"]))
        #expect(try Self.at(s, ["properties", "kinematics"])["enum"] as? [String] == Kinematics.allCases.map(\.rawValue))
        let generators = try Self.at(s, ["properties", "mesh", "properties", "generate", "properties"])
        #expect(Set(generators.keys) == ["box", "cylinder", "ellipticCylinder", "tube"])
    }
}

/// A force-driven frictionless platen of a biphasic model transmits the applied force.
@Suite("Biphasic platen reaction")
struct PlatenReactionTests {
    @Test func reactionEqualsAppliedForce() throws {
        var model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/biphasic-mandel.json").path)
        model.steps[1].duration = 9.99
        model.outputs.times = [0.01, 5, 10]
        model.outputs.vtu = false
        let results = try Simulation(model: model).runSynchronously()
        let force = try #require(results.series(named: "platenForce"))
        #expect(force.values.count == 3)
        for sample in force.values {
            // Applied: (0, 0, −0.01) N × curve = 1 after t = 0.01 s; x is the sliding direction (no force).
            #expect(abs(sample[2] + 0.01) <= 1e-9 * 0.01, "\(sample)")
            #expect(abs(sample[0]) <= 1e-9 * 0.01, "\(sample)")
        }
    }
}

/// A protocol applied to a model generates what the model file says by hand.
@Suite("Protocols applied to models")
struct ModelProtocolTests {
    /// The default disc's hand-written curves, steps and output times are exactly what its
    /// protocol (3 cycles of 10 s ramp, 60 s hold, 10 s release, 30 s rest at 110 N after a 60 s,
    /// 17 N lying preload) generates.
    @Test func defaultDiscProtocolReproducesTheFile() throws {
        let file = try DefaultDiscModel.model()
        var model = file
        model.curves = [:]
        model.boundary[named: "traction"]!.force = SIMD3(0, 0, 1)
        let plan = try model.apply(.defaultDisc)
        var expected = file
        expected.tractionProtocol = .defaultDisc      // kept with what it generated
        #expect(model == expected)
        #expect(plan.reportWindows == [60...170, 170...280, 280...390])
    }

    /// A model driven by a protocol keeps it: written with `"protocol"` and `"bodyMassKg"`, read back
    /// equal; the protocol is the source of truth, so generated values edited alone are refused.
    @Test func protocolInTheModelFile() throws {
        var model = try DefaultDiscModel.model(mesh: .coarse)
        let table = TractionProtocol.intermittent(cycles: 2, pull: .bodyWeightFraction(0.2), hold: 30, rest: 20, restLevel: 0.5,
                                                  ramp: .logarithmic(duration: 10), preload: .init(force: .newtons(17), ramp: 10, duration: 60))
        try model.apply(table, bodyMassKg: 70)
        #expect(model.tractionProtocol == table && model.bodyMassKg == 70)
        let data = try model.jsonData()
        let back = try Model.parse(data)
        #expect(back == model)
        #expect(back.tractionProtocol == table && back.bodyMassKg == 70)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"protocol\"") && text.contains("\"bodyMassKg\": 70"))

        // The file's traction curve edited without the protocol: refused, naming the curve.
        guard case var .object(top) = try JSONValue.parse(data), case var .object(curves) = top["curves"]! else { Issue.record("shape"); return }
        curves["traction"] = .array([.array([.number(0), .number(0)]), .array([.number(500), .number(1)])])
        top["curves"] = .object(curves)
        let edited = Data(JSONValue.object(top).serialized().utf8)
        let error = try #require(throws: ModelError.self) { try Model.parse(edited) }
        #expect(error.path == "curves.traction")
        // A different body mass changes the generated force: refused at the traction condition.
        top = try { guard case let .object(t) = try JSONValue.parse(data) else { throw CancellationError() }; return t }()
        top["bodyMassKg"] = .number(80)
        let heavier = try #require(throws: ModelError.self) { try Model.parse(Data(JSONValue.object(top).serialized().utf8)) }
        #expect(heavier.path == "curves.traction" || heavier.path.hasPrefix("boundary["))
        // A protocol's own bad value names its path under protocol; a body mass without a protocol is refused.
        let badHold = text.replacingOccurrences(of: "\"hold\": 30", with: "\"hold\": -5")
        #expect(badHold != text)
        #expect(try #require(throws: ModelError.self) { try Model.parse(Data(badHold.utf8)) }.path == "protocol.intermittent.hold")
        let unknownKey = text.replacingOccurrences(of: "\"hold\": 30", with: "\"hold\": 30, \"colour\": 1")
        #expect(try #require(throws: ModelError.self) { try Model.parse(Data(unknownKey.utf8)) }.path.hasPrefix("protocol.intermittent"))

        // In Swift: editing the force after applying is refused by validate() with the Swift path;
        // clearing the protocol makes the model the curves' own again.
        var swift = model
        swift.boundary[named: "traction"]!.force = SIMD3(0, 0, 200)
        #expect(throws: ModelError.self) { try swift.validate() }
        swift.tractionProtocol = nil; swift.bodyMassKg = nil
        try swift.validate()
        var massOnly = model
        massOnly.tractionProtocol = nil
        #expect(try #require(throws: ModelError.self) { try massOnly.validate() }.path == "bodyMassKg")
    }

    @Test func logarithmicProtocolAndItsErrors() throws {
        var model = try DefaultDiscModel.model(mesh: .coarse)
        let table = TractionProtocol.intermittent(cycles: 2, pull: .bodyWeightFraction(0.2), hold: 30, rest: 20, restLevel: 0.5,
                                                  ramp: .logarithmic(duration: 10), preload: .init(force: .newtons(17), ramp: 10, duration: 60))
        let plan = try model.apply(table, bodyMassKg: 70)
        #expect(abs(model.boundary[named: "traction"]!.force!.z - 0.2 * 70 * 9.81) <= 1e-12)
        #expect(model.steps.map(\.name) == ["free swelling", "preload", "traction"])
        #expect(model.outputs.times.last == plan.duration)
        try model.validate()
        // A fraction of body weight without a body mass, and a model without the named condition.
        #expect(throws: TractionProtocolError.self) { var m = model; try m.apply(table) }
        var unnamed = model
        unnamed.boundary[named: "traction"] = nil
        let error = try #require(throws: ModelError.self) { try unnamed.apply(table, bodyMassKg: 70) }
        #expect(error.path == "boundary" && error.kind == .unknownName)
    }
}

/// Plane strain as a model option instead of hand-written `u_y` fixes.
@Suite("Plane strain")
struct PlaneStrainTests {
    /// Mandel's problem with `planeStrain` and no `u_y` conditions equals the shipped example
    /// (which fixes `u_y` on y− and y+ of its one-cell slice) and meets the Mandel–Cryer closed form
    /// within 3 % of p0 (the example's own tolerance on this coarse uniform mesh).
    @Test func mandelPeakWithPlaneStrainOption() throws {
        var shipped = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/biphasic-mandel.json").path)
        shipped.steps[1].duration = 99.99
        shipped.outputs.times = [0.01, 5, 10, 20, 50, 100]
        shipped.outputs.vtu = false
        var plane = shipped
        plane.boundary.removeAll { if case .fix([1]) = $0.kind { return true }; return false }
        plane.planeStrain = true
        #expect(plane.boundary.count == shipped.boundary.count - 2)
        #expect(try Model.parse(try plane.jsonData()) == plane)
        let a = try Simulation(model: shipped).runSynchronously(), b = try Simulation(model: plane).runSynchronously()
        let pa = try #require(a.series(named: "centrePressure")).scalars, pb = try #require(b.series(named: "centrePressure")).scalars
        for (x, y) in zip(pa, pb) { #expect(abs(x - y) <= 1e-10 * 0.05) }
        let reference = PoroelasticClosedForm.Mandel(halfWidth: 1, youngsModulus: 1, poissonRatio: 0, permeability: 1e-3, stress: 0.1)
        let p0 = reference.initialPressure
        #expect(pb.max()! > 1.1 * p0)
        for (t, p) in zip(b.times, pb) where t >= 5 { #expect(abs(p - reference.pressure(x: 0, t: t)) <= 0.03 * p0, "t = \(t)") }
    }
}

/// Output names become CSV headers and file names: checked, and CSV text is formula-safe.
@Suite("Output names")
struct OutputNameModelTests {
    @Test(arguments: ["", "a/b", "tip\u{200B}", "run.json"])
    func badProbeNamesAreRefusedWithThePath(name: String) throws {
        var model = try DefaultDiscModel.model(mesh: .coarse)
        model.outputs.probes[0].name = name
        let error = try #require(throws: ModelError.self) { try model.validate() }
        #expect(error.path == "outputs.probes[0].name", "\(error)")
        let file = try #require(throws: ModelError.self) { _ = try Model.parse(try model.jsonData()) }
        #expect(file.path == "outputs.probes[0].name", "\(file)")
    }

    @Test func csvHeaderIsFormulaSafe() throws {
        var r = SimulationResults()
        r.times = [0, 1]
        r.probes = [TimeSeries(name: "=cmd()", quantity: "uz", unit: "mm", components: ["value"], values: [[0], [-0.5]]),
                    TimeSeries(name: "a,b", quantity: "uz", unit: "mm", components: ["value"], values: [[1], [2]])]
        let lines = r.csv.split(separator: "\n").map(String.init)
        #expect(lines[0] == "time,\"'=cmd()\",\"a,b\"")
        #expect(lines[3] == "1.0,-0.5,2.0")
    }
}

@Suite("Results written by value")
struct ResultsWritingTests {
    /// `write(to:formats:)` writes what the run wrote (results.json byte-identical to the engine's
    /// own for a solid model), through the run directory (a complete manifest), and one SVG per unit.
    @Test func writeMatchesTheRunsFiles() throws {
        var model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/compression-box.json").path)
        model.outputs.vtu = false
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("results-write-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let results = try Simulation(model: model).runSynchronously(outputDirectory: base.appendingPathComponent("run"))
        try results.write(to: base.appendingPathComponent("again"), formats: [.json, .csv, .svg])
        let a = try Data(contentsOf: base.appendingPathComponent("run/results.json"))
        let b = try Data(contentsOf: base.appendingPathComponent("again/results.json"))
        #expect(a == b)
        #expect(try Data(contentsOf: base.appendingPathComponent("run/results.csv")) == Data(contentsOf: base.appendingPathComponent("again/results.csv")))
        #expect(try RunDirectory.status(of: base.appendingPathComponent("again")).status == .complete)
        let svgs = try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent("again").path).filter { $0.hasSuffix(".svg") }.sorted()
        #expect(svgs == Set(results.probes.map(\.unit) + results.surfaces.map(\.unit) + results.regions.map(\.unit)).sorted().map { "plot-\(SimulationResults.fileStem($0)).svg" }.sorted())
    }
}

@Suite("Traction cycle windows")
struct TractionCycleWindowTests {
    /// The windows read off a model's traction curve equal the protocol generator's windows
    /// (an independent computation from the protocol value).
    @Test func windowsFromTheCurveEqualTheProtocols() throws {
        #expect(try DefaultDiscModel.model().tractionCycleWindows() == [60...170, 170...280, 280...390])
        #expect(try NutrientTractionSimulation.coarseVerificationModel().tractionCycleWindows() == [20...70])
        var model = try DefaultDiscModel.model(mesh: .coarse)
        let plan = try model.apply(.intermittent(cycles: 4, pull: .newtons(90), hold: 45, rest: 25, ramp: .logarithmic(duration: 8),
                                                 preload: .init(force: .newtons(17), ramp: 10, duration: 60)))
        #expect(try model.tractionCycleWindows() == plan.reportWindows)
        var flat = model
        flat.curves["traction"] = try LoadCurve(points: [(0, 1)])
        #expect(throws: ModelError.self) { _ = try flat.tractionCycleWindows() }
    }
}

/// Sizes a model declares are checked before anything is allocated or run.
@Suite("Declared sizes")
struct DeclaredSizeTests {
    @Test func hugeBoxIsRefusedBeforeMeshing() throws {
        var model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/compression-box.json").path)
        model.mesh = .box(origin: .zero, size: SIMD3(10, 10, 10), divisions: SIMD3(1000, 1000, 1000), element: .hex8)
        let e = try #require(throws: ModelError.self) { try model.validate() }
        #expect(e.path == "mesh.generate.box.divisions" && e.message.contains("1000000000 cells"), "\(e)")
        model.mesh = .box(origin: .zero, size: SIMD3(10, 10, 10), divisions: SIMD3(Int.max / 2, 4, 4), element: .hex8)
        let o = try #require(throws: ModelError.self) { try model.validate() }
        #expect(o.message.contains("more than"), "\(o)")
    }

    @Test func endlessStepsAreRefusedUpFront() throws {
        var model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/compression-box.json").path)
        model.steps[0].duration = 1
        model.steps[0].initialStep = 1e-12; model.steps[0].minStep = 1e-12; model.steps[0].maxStep = 1e-12
        model.outputs.times = [0, 1]
        let e = try #require(throws: ModelError.self) { try model.validate() }
        #expect(e.path == "steps[0].dtMax" && e.message.contains("1000000000000 increments"), "\(e)")
        model.steps[0].duration = 1e300; model.steps[0].maxStep = 1; model.steps[0].initialStep = 1
        model.outputs.times = [0]
        #expect(throws: ModelError.self) { try model.validate() }
    }
}

/// The model file's `newton` object: quasi-Newton chosen in the file reaches the biphasic engine.
@Suite("Nonlinear iteration in the model file")
struct ModelNewtonMethodTests {
    @Test("bfgs in the file: round trip, the engine runs quasi-Newton (fewer factorizations than iterations) and the fields equal full Newton's to 1e-6 of their largest value")
    func bfgsFromTheFile() throws {
        let url = packageRoot.appendingPathComponent("Examples/models/biphasic-terzaghi-creep.json")
        let full = try Model.load(path: url.path)
        guard case var .object(top) = try JSONValue.parse(try Data(contentsOf: url)) else { Issue.record("shape"); return }
        top["newton"] = .object([("method", .string("bfgs")), ("maxUpdates", .number(20))])
        let quasi = try Model.parse(Data(JSONValue.object(top).serialized().utf8))
        #expect(quasi.newtonMethod == .bfgs(try QuasiNewtonOptions(maxUpdates: 20)))
        #expect(try Model.parse(quasi.jsonData()) == quasi)
        let a = try Simulation(model: full).runSynchronously(), b = try Simulation(model: quasi).runSynchronously()
        let sb = try #require(b.statistics), sa = try #require(a.statistics)
        print("Terzaghi: full Newton \(sa.factorizations) factorizations / \(sa.iterations) iterations; bfgs \(sb.factorizations) / \(sb.iterations)")
        #expect(sb.factorizations < sb.iterations && sb.factorizations < sa.factorizations)
        #expect(a.times == b.times)
        for (x, y) in zip(a.probes + a.surfaces + a.regions, b.probes + b.surfaces + b.regions) {
            let scale = x.values.joined().map(abs).max() ?? 0
            for (u, v) in zip(x.values.joined(), y.values.joined()) { #expect(abs(u - v) <= 1e-6 * max(scale, 1e-300), "\(x.name)") }
        }
    }

    @Test("Bad newton objects and bfgs on a solid model name the place", arguments: [
        (#"{"method": "broyden"}"#, "newton.method"),
        (#"{"method": "bfgs", "reformRatio": 1.5}"#, "newton.reformRatio"),
        (#"{"method": "bfgs", "maxConditionNumber": 1}"#, "newton.maxConditionNumber"),
        (#"{"method": "bfgs", "colour": 1}"#, "newton.colour"),
    ])
    func badNewton(object: String, path: String) throws {
        let url = packageRoot.appendingPathComponent("Examples/models/biphasic-terzaghi-creep.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\"units\":", with: "\"newton\": \(object), \"units\":")
        #expect(edited != text)
        let error = try #require(throws: ModelError.self) { try Model.parse(Data(edited.utf8)) }
        #expect(error.path == path, "\(error)")
        var solid = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/compression-box.json").path)
        solid.newtonMethod = .bfgs(try QuasiNewtonOptions())
        solid.pathStyle = .swift
        #expect(try #require(throws: ModelError.self) { try solid.validate() }.path == "newtonMethod")
    }
}
