import Foundation
import Testing
import Biomechanics
import FiniteElements
@testable import SpineModel

/// Transport-only models (no solid), steady steps and per-step transport increments, through the
/// model file and the one ``Simulation``.
@Suite("Transport-only models")
struct TransportOnlyModelTests {
    /// bs01 slab diffusion as a transport-only model file: a unit column (20 hex8 cells, D = 1e-3
    /// mm²/s) initially at 0, its top (x = 1 mm) held at 1 mM, its base impermeable; probes at
    /// x = 0, 0.25, 0.5, 0.75 mm; outputs at 250, 500, 1000 s. `step` is the step's JSON.
    static func slabFile(step: String) -> String {
        """
        {"units": "mm-N-s-MPa", "description": "bs01 slab diffusion",
         "mesh": {"generate": {"box": {"size": [1, 1, 1], "divisions": [20, 1, 1], "element": "hex8"}}},
         "steps": [\(step)],
         "outputs": {"times": [250, 500, 1000], "vtu": false},
         "transport": {
           "solutes": {"s": {"unit": "mM", "initial": 0, "materials": {"all": {"diffusivity": {"type": "constant", "D": 1e-3}}}}},
           "boundary": [{"solute": "s", "surface": "x+", "concentration": 1}],
           "outputs": {"probes": [{"name": "c0", "solute": "s", "at": [0, 0, 0]}, {"name": "c25", "solute": "s", "at": [0.25, 0, 0]},
                                  {"name": "c50", "solute": "s", "at": [0.5, 0, 0]}, {"name": "c75", "solute": "s", "at": [0.75, 0, 0]}]}
         }}
        """
    }

    /// Largest probe error against Crank's series (eq. 4.17, ``TransportVerification/slabSeries``),
    /// relative to |c0 − cb| = 1, at every output time after t = 0.
    static func slabError(_ results: SimulationResults) throws -> Double {
        var worst = 0.0
        for (name, x) in [("c0", 0.0), ("c25", 0.25), ("c50", 0.5), ("c75", 0.75)] {
            let series = try #require(results.series(named: name))
            for (i, t) in results.times.enumerated() where t > 0 {
                let exact = TransportVerification.slabSeries(z: x, t: t, halfThickness: 1, diffusivity: 1e-3, initial: 0, boundary: 1)
                worst = max(worst, abs(series.values[i][0] - exact))
            }
        }
        return worst
    }

    @Test("Slab diffusion, transport-only model file, fixed 2.5 s increments: within 0.5 % of Crank's series at 250, 500, 1000 s")
    func slabFixed() async throws {
        let model = try Model.parse(Data(Self.slabFile(step: #"{"name": "diffuse", "duration": 1000, "transport": {"dt": 2.5}}"#).utf8))
        #expect(model.isTransportOnly)
        let simulation = try Simulation(model: model)
        #expect(simulation.kind == .transport)
        let results = try await simulation.run()
        #expect(results.times == [0, 250, 500, 1000])
        #expect(results.steps.count == 400)
        let error = try Self.slabError(results)
        print("transport-only slab, fixed Δt = 2.5 s: max error \(error) (of |c0 − cb|)")
        #expect(error < 5e-3)
    }

    @Test("Adaptive transport increments (0.5 s growing to 2.5 s): each ≤ dtMax, output times landed exactly, same 0.5 % accuracy")
    func slabAdaptive() throws {
        let model = try Model.parse(Data(Self.slabFile(step: #"{"name": "diffuse", "duration": 1000, "transport": {"dt": 0.5, "dtMin": 0.1, "dtMax": 2.5}}"#).utf8))
        #expect(model.steps[0].transportTimeStep == TransportTimeControl(initial: 0.5, minimum: 0.1, maximum: 2.5))
        let results = try Simulation(model: model).runSynchronously()
        let increments = results.steps.map(\.timeStep)
        // A linear problem converges in one Newton iteration: 0.5, 1, 2, then 2.5 s.
        #expect(Array(increments.prefix(4)) == [0.5, 1, 2, 2.5])
        #expect(increments.allSatisfy { $0 <= 2.5 })
        for t in [250.0, 500, 1000] { #expect(results.steps.contains { $0.time == t && $0.isMustPoint }) }
        #expect(abs(increments.reduce(0, +) - 1000) <= 1e-9)
        let error = try Self.slabError(results)
        print("transport-only slab, adaptive: \(results.steps.count) increments, max error \(error)")
        #expect(error < 5e-3)
    }

    @Test("Steady Michaelis–Menten step, transport-only model built in Swift: within 0.5 % of c0 of the independent finite-difference reference")
    func steadyMichaelisMenten() async throws {
        let p = TransportVerification.michaelisMentenParameters
        let solute = Solute(name: "glucose", materials: [("all", SoluteMaterial(diffusivity: .constant(p.D)))], initialConcentration: p.c0)
        var transport = TransportDefinition(solutes: [solute], reactions: [("all", MichaelisMentenUptake(solute: "glucose", maximumRate: p.V, halfSaturation: p.K))],
                                            boundary: [.concentration(solute: "glucose", surface: "x-", value: p.c0)])
        let samples = stride(from: 0.0, through: p.L, by: 0.5).map { $0 }
        transport.outputs.probes = samples.enumerated().map { ("x\($0)", "glucose", SIMD3($1, 0, 0), "") }
        let model = Model.transportOnly(mesh: .box(origin: .zero, size: SIMD3(p.L, 1, 1), divisions: SIMD3(50, 1, 1), element: .hex8),
                                        transport: transport, steps: [.transport(name: "steady", duration: 1, steady: true)],
                                        outputs: OutputDefinition(times: [1], vtu: false))
        try model.validate()
        let results = try await Simulation(model: model).run()
        // Reference: 201 samples of [0, L] from Richardson-extrapolated finite differences.
        let reference = TransportVerification.michaelisMentenFiniteDifference(intervals: 8000, points: 201)
        var worst = 0.0
        for (k, x) in samples.enumerated() {
            let exact = reference[Int((x / p.L * 200).rounded())]
            let series = try #require(results.series(named: "x\(k)"))
            #expect(series.values.count == 2)
            #expect(series.values[0] == series.values[1])   // the steady state holds through the step
            worst = max(worst, abs(series.values[1][0] - exact) / p.c0)
        }
        print("transport-only steady Michaelis–Menten: max error \(worst) of c0")
        #expect(worst < 5e-3)
        #expect(results.steps.count == 1 && results.steps[0].iterations > 1)
    }

    @Test("A transport-only model built in code → JSON → model is equal; the file has no mechanical keys")
    func roundTrip() throws {
        var model = try Model.parse(Data(Self.slabFile(step: #"{"name": "a", "duration": 100, "transport": {"dt": 1, "dtMin": 0.5, "dtMax": 4}}, {"name": "b", "duration": 900, "steady": true}"#).utf8))
        model.outputs.times = [100, 1000]
        let data = try model.jsonData()
        let back = try Model.parse(data)
        #expect(back == model)
        guard case let .object(top) = try JSONValue.parse(data) else { Issue.record("not an object"); return }
        #expect(top.keys == ["units", "description", "mesh", "steps", "outputs", "transport"])
        #expect(try back.jsonData() == data)
        // Built in Swift: the same values.
        let swift = Model.transportOnly(mesh: model.mesh, transport: model.transport!,
                                        steps: [.transport(name: "a", duration: 100, timeStep: TransportTimeControl(initial: 1, minimum: 0.5, maximum: 4)),
                                                .transport(name: "b", duration: 900, steady: true)],
                                        outputs: model.outputs, notes: model.notes)
        #expect(swift == model)
    }

    @Test("A steady step in the middle: inflow accumulates at the steady rate, the state jumps to the steady one")
    func steadyAfterTransient() throws {
        let model = try Model.parse(Data(Self.slabFile(step: #"{"name": "a", "duration": 250, "transport": {"dt": 2.5}}, {"name": "b", "duration": 750, "steady": true}"#).utf8))
        let results = try Simulation(model: model).runSynchronously()
        // Without reaction the steady state is the boundary value everywhere.
        let base = try #require(results.series(named: "c0"))
        #expect(base.values[1][0] < 0.5)                    // t = 250 s: still diffusing
        #expect(abs(base.values[2][0] - 1) <= 1e-10)       // t = 500 s: steady
        #expect(abs(base.values[3][0] - 1) <= 1e-10)
    }

    @Test("Bad transport-only and transport-step input names the place", arguments: [
        (#""kinematics": "smallStrain","#, "kinematics"),
        (#""boundary": [],"#, "boundary"),
        (#""regions": {"all": "x"},"#, "regions"),
    ])
    func badTopLevel(extra: String, path: String) throws {
        let text = Self.slabFile(step: #"{"name": "a", "duration": 1000, "transport": {"dt": 2.5}}"#)
            .replacingOccurrences(of: #""steps":"#, with: extra + #" "steps":"#)
        let error = try #require(throws: ModelError.self) { try Model.parse(Data(text.utf8)) }
        #expect(error.path == path, "\(error)")
        #expect("\(error)".contains("transport-only"))
    }

    @Test("Bad steps of a transport-only model name the step key", arguments: [
        (#"{"name": "a", "duration": 1000, "dt": 2.5, "dtMin": 1, "dtMax": 5}"#, "steps[0].dt"),
        (#"{"name": "a", "duration": 1000}"#, "steps[0].transport"),
        (#"{"name": "a", "duration": 1000, "transport": {"dt": 2.5, "dtMin": 3}}"#, "steps[0].transport.dtMin"),
        (#"{"name": "a", "duration": 1000, "transport": {"dt": 2.5, "dtMax": 1}}"#, "steps[0].transport.dtMax"),
        (#"{"name": "a", "duration": 1000, "transport": {"dt": -1}}"#, "steps[0].transport.dt"),
        (#"{"name": "a", "duration": 1000, "steady": true, "transport": {"dt": 1}}"#, "steps[0].transport"),
        (#"{"name": "a", "duration": 1000, "transport": {"dt": 1e-9}}"#, "steps[0].transport.dtMax"),
        (#"{"name": "a", "freeSwelling": {"tolerance": 1e-3, "maxDuration": 10}}"#, "steps[0].freeSwelling"),
    ])
    func badSteps(step: String, path: String) throws {
        let error = try #require(throws: ModelError.self) { try Model.parse(Data(Self.slabFile(step: step).utf8)) }
        #expect(error.path == path, "\(error)")
    }

    @Test("Values built in code: mechanical leftovers and a biphasic steady step are refused with Swift paths")
    func badValues() throws {
        let base = try Model.parse(Data(Self.slabFile(step: #"{"name": "a", "duration": 1000, "transport": {"dt": 2.5}}"#).utf8))
        var model = base; model.pathStyle = .swift
        model.kinematics = .finiteStrain
        #expect((try? model.validate()) == nil)
        #expect(throws: ModelError.self) { try model.validate() }
        do { try model.validate() } catch let e as ModelError { #expect(e.path == "kinematics") }
        model = base; model.pathStyle = .swift
        model.steps[0].maxStep = 5
        do { try model.validate(); Issue.record("accepted a mechanical increment") } catch let e as ModelError { #expect(e.path == "steps[0].maxStep") }
        model = base; model.pathStyle = .swift
        model.steps[0].transportTimeStep = TransportTimeControl(initial: 1, minimum: 2, maximum: 4)
        do { try model.validate(); Issue.record("accepted minimum > initial") } catch let e as ModelError { #expect(e.path == "steps[0].transportTimeStep.initial") }
        // A biphasic model steps its solutes with the mechanics.
        var biphasic = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/nutrient-traction.json").path)
        biphasic.pathStyle = .swift
        biphasic.steps[1].steady = true
        do { try biphasic.validate(); Issue.record("accepted a steady biphasic step") } catch let e as ModelError { #expect(e.path == "steps[1].steady") }
        biphasic.steps[1].steady = false
        biphasic.steps[1].transportTimeStep = .fixed(1)
        do { try biphasic.validate(); Issue.record("accepted transport increments in a biphasic model") } catch let e as ModelError { #expect(e.path == "steps[1].transportTimeStep") }
    }

    @Test("Cancelling a transport-only run stops at the increment in progress and keeps the results so far")
    func cancellation() async throws {
        let model = try Model.parse(Data(Self.slabFile(step: #"{"name": "diffuse", "duration": 1000, "transport": {"dt": 2.5}}"#).utf8))
        let simulation = try Simulation(model: model)
        // Deterministic: the progress handler of increment 120 (t = 300 s) waits until the task is cancelled.
        let e = try #require(try await runCancelledAt(increment: 120, simulation))   // incomplete, stopped at increment 120
        #expect(e.partial.times == [0, 250])
    }
}

@Suite("Results written as VTU")
struct ResultsVTUTests {
    @Test("write(to:formats: [.vtu]) writes one VTU per output time and a PVD whose times are the output times; the point data are the run's")
    func vtu() throws {
        var model = try Model.parse(Data(TransportOnlyModelTests.slabFile(step: #"{"name": "diffuse", "duration": 1000, "transport": {"dt": 2.5}}"#).utf8))
        model.outputs.vtu = true
        let simulation = try Simulation(model: model)
        let results = try simulation.runSynchronously()
        let fields = try #require(results.fields)
        #expect(fields.frames.map(\.time) == results.times)
        // The probe at x = 0.5 mm is a node (20 cells on [0, 1]): the field's value there equals it.
        let node = try #require(fields.mesh.nodes.indices.first { fields.mesh.nodes[$0] == SIMD3(0.5, 0, 0) })
        let probe = try #require(results.series(named: "c50"))
        for (k, frame) in fields.frames.enumerated() { #expect(frame.pointData[0].values[node] == probe.values[k][0]) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vtu-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try results.write(to: dir, formats: [.vtu, .json])
        let pvd = try String(contentsOf: dir.appendingPathComponent("results.pvd"), encoding: .utf8)
        for k in 0..<results.times.count {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(String(format: "vtu/results-%04d.vtu", k)).path))
            #expect(pvd.contains(String(format: "vtu/results-%04d.vtu", k)))
        }
        // Results without fields: a typed error, nothing complete-looking left behind.
        var bare = results; bare.fields = nil
        let other = dir.appendingPathComponent("bare")
        #expect(throws: ModelError.self) { try bare.write(to: other, formats: [.vtu]) }
        #expect(!FileManager.default.fileExists(atPath: other.appendingPathComponent("results.pvd").path))
    }
}
