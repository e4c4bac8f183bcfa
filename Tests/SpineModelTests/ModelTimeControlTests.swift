import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// The model file's `timeControl` object: error-controlled steps chosen in the file reach the
/// biphasic engine.
@Suite("Error-controlled steps in the model file")
struct ModelTimeControlTests {
    static func terzaghi(_ timeControl: String?) throws -> Model {
        let url = packageRoot.appendingPathComponent("Examples/models/biphasic-terzaghi-creep.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        // Let the creep step grow to 500 s so that the step control, not dtMax, sets the accuracy.
        text = text.replacingOccurrences(of: #""dt": 0.1, "dtMin": 0.001, "dtMax": 10}"#, with: #""dt": 0.1, "dtMin": 0.001, "dtMax": 500}"#)
        if let timeControl { text = text.replacingOccurrences(of: "\"units\":", with: "\"timeControl\": \(timeControl), \"units\":") }
        return try Model.parse(Data(text.utf8))
    }

    @Test("timeControl in the file: round trip, every estimated step within tolerance, bottom pressure and settlement at the output times ≥ 100 s within 1 % of the applied stress / final settlement of Terzaghi's series")
    func errorControlFromTheFile() throws {
        let model = try Self.terzaghi(#"{"errorTolerance": 1e-4}"#)
        #expect(model.errorControl == (try ErrorControlOptions(relativeTolerance: 1e-4)))
        #expect(try Model.parse(model.jsonData()) == model)
        let plain = try Self.terzaghi(nil)
        #expect(plain.errorControl == nil)
        let ref = PoroelasticClosedForm.ConfinedCreep(height: 1, aggregateModulus: 1, permeability: 1e-3, stress: 0.1)
        func worst(_ r: SimulationResults) throws -> (p: Double, u: Double) {
            let p = try #require(r.series(named: "bottomPressure")).scalars, u = try #require(r.series(named: "settlement")).scalars
            var ep = 0.0, eu = 0.0
            for (i, t) in r.times.enumerated() where t >= 100 {
                ep = max(ep, abs(p[i] - ref.pressure(z: 0, t: t)) / 0.1)
                eu = max(eu, abs(u[i] - ref.topDisplacement(t: t)) / 0.1)
            }
            return (ep, eu)
        }
        let controlled = try Simulation(model: model).runSynchronously()
        let uncontrolled = try Simulation(model: plain).runSynchronously()
        let a = try worst(controlled), b = try worst(uncontrolled)
        print("Terzaghi, dtMax 500 s: error-controlled \(controlled.steps.count) steps, error p \(a.p) u \(a.u); Newton-effort control \(uncontrolled.steps.count) steps, error p \(b.p) u \(b.u)")
        #expect(controlled.steps.contains { $0.errorNorm != nil })
        for s in controlled.steps { if let e = s.errorNorm { #expect(e <= 1, "err \(e) at t = \(s.time)") } }
        #expect(a.p <= 0.01 && a.u <= 0.01, "\(a)")
    }

    @Test("Bad timeControl objects and timeControl on a solid model name the place", arguments: [
        (#"{"errorTolerance": 0}"#, "timeControl.errorTolerance"),
        (#"{"errorTolerance": 2}"#, "timeControl.errorTolerance"),
        (#"{"errorTolerance": "tight"}"#, "timeControl.errorTolerance"),
        (#"{}"#, "timeControl.errorTolerance"),
        (#"{"errorTolerance": 1e-3, "safety": 0.9}"#, "timeControl.safety"),
    ])
    func badTimeControl(object: String, path: String) throws {
        let error = try #require(throws: ModelError.self) { try Self.terzaghi(object) }
        #expect(error.path == path, "\(error)")
        var solid = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/compression-box.json").path)
        solid.errorControl = try ErrorControlOptions(relativeTolerance: 1e-3)
        solid.pathStyle = .swift
        #expect(try #require(throws: ModelError.self) { try solid.validate() }.path == "errorControl")
    }
}

/// Error control on the transport engine's adaptive increments.
@Suite("Error-controlled transport increments")
struct TransportTimeControlTests {
    @Test("Slab diffusion with timeControl (tol 5e-5, increments 0.01 s … 200 s): every estimated increment err ≤ 1, output times landed, within 0.5 % of Crank's series (the fixed-step test's tolerance)")
    func slabWithErrorControl() throws {
        var text = TransportOnlyModelTests.slabFile(step: #"{"name": "diffuse", "duration": 1000, "transport": {"dt": 0.05, "dtMin": 0.01, "dtMax": 200}}"#)
        text = text.replacingOccurrences(of: "\"units\":", with: "\"timeControl\": {\"errorTolerance\": 5e-5}, \"units\":")
        let model = try Model.parse(Data(text.utf8))
        #expect(model.errorControl == (try ErrorControlOptions(relativeTolerance: 5e-5)))
        #expect(try Model.parse(model.jsonData()) == model)
        let results = try Simulation(model: model).runSynchronously()
        #expect(results.steps.contains { $0.errorNorm != nil })
        for s in results.steps { if let e = s.errorNorm { #expect(e <= 1, "err \(e) at t = \(s.time)") } }
        for t in [250.0, 500, 1000] { #expect(results.steps.contains { $0.time == t && $0.isMustPoint }) }
        #expect(abs(results.steps.map(\.timeStep).reduce(0, +) - 1000) <= 1e-9)
        let error = try TransportOnlyModelTests.slabError(results)
        let rejected = results.steps.reduce(0) { $0 + $1.errorRejections }
        print("transport-only slab, error-controlled: \(results.steps.count) increments (\(rejected) rejected), largest \(results.steps.map(\.timeStep).max() ?? 0) s, max error \(error)")
        #expect(error < 5e-3)
    }
}
