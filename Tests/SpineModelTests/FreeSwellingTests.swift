import Testing
import Foundation
@testable import SpineModel
import Biomechanics

/// The free-swelling step (`steps[0].freeSwelling`).
@Suite("Free-swelling step")
struct FreeSwellingTests {
    /// Examples/models/biphasic-free-swelling.json: the confined Donnan column swells with no
    /// load to the closed-form equilibrium stretch (1 %), the fluid imbibed through the drained
    /// top equals the mixture volume change (1e-8 relative, mass balance), and at t = 0 the
    /// transducer reads Δπ(λ) with p = p_bath. Then under a 0.05 MPa dead load it creeps to the
    /// closed-form loaded equilibrium μ(λ − 1/λ) = Δπ(λ) − 0.05 (bisection here, 1 %).
    @Test func confinedColumnReachesDonnanEquilibrium() throws {
        let model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/biphasic-free-swelling.json").path)
        let sim = try BiphasicSimulation(model: model)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spinetraction-swelling-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = try sim.run(outputDirectory: dir)
        let report = try #require(sim.freeSwellingReport)
        // results.json carries the report (read back with an independent JSON reader).
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results.json"))) as? [String: Any])
        let written = try #require(doc["freeSwelling"] as? [String: Any])
        let writtenImbibed = try #require((written["imbibed"] as? NSNumber)?.doubleValue)
        #expect(abs(writtenImbibed - report.imbibed) <= 1e-12 * abs(report.imbibed), "\(writtenImbibed) vs \(report.imbibed)")
        #expect((written["steps"] as? NSNumber)?.intValue == report.steps)
        let osmosis = try DonnanOsmosis(fixedChargeDensity: -200, bathConcentration: 150, temperature: 293)
        let stretch = PoroelasticClosedForm.confinedSwellingStretch(youngsModulus: 1, poissonRatio: 0, osmosis: osmosis, solidVolumeFraction: 0.2)
        let uz = try #require(results.probes.first { $0.name == "topUz" }).values.map { $0[0] }
        print("free swelling: \(report.steps) steps, \(report.iterations) Newton iterations, pseudo-time \(report.duration) s, volume change \(report.volumeChange) mm³, imbibed \(report.imbibed) mm³, residual \(report.residual), last step ΔV \(report.lastStepVolumeChange) mm³; stretch \(1 + uz[0]) vs closed form \(stretch)")
        #expect(results.times.first == 0)
        #expect(abs(1 + uz[0] - stretch) <= 0.01 * (stretch - 1))
        #expect(abs(report.imbibed - report.volumeChange) <= 1e-8 * abs(report.volumeChange))
        #expect(abs(report.volumeChange - (stretch - 1)) <= 0.01 * (stretch - 1))
        #expect(report.residual <= 1e-4)
        let transducer = try #require(results.probes.first { $0.name == "bottomTransducer" }).values[0][0]
        let pi = osmosis.pressure(J: stretch, solidVolumeFraction: 0.2).value
        #expect(abs(transducer - pi) <= 1e-3 * pi)
        // Loaded equilibrium after the creep step.
        let mu = 1.0 / 2
        var lo = 1.0, hi = stretch
        for _ in 0..<200 {
            let m = 0.5 * (lo + hi)
            if mu * (m - 1 / m) - osmosis.pressure(J: m, solidVolumeFraction: 0.2).value + 0.05 > 0 { hi = m } else { lo = m }
        }
        let loaded = 0.5 * (lo + hi)
        print("creep under 0.05 MPa: stretch \(1 + uz.last!) vs closed form \(loaded)")
        #expect(abs(1 + uz.last! - loaded) <= 0.01 * (stretch - loaded))
    }

    @Test func badFreeSwellingInputNamesTheJSONPath() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Examples/models/biphasic-free-swelling.json"), encoding: .utf8)
        let original = #""freeSwelling": {"tolerance": 1e-4, "maxDuration": 1e6}"#
        #expect(text.contains(original))
        let cases: [(String, String, String)] = [
            (original, #""freeSwelling": {"tolerance": 0, "maxDuration": 1e6}"#, "steps[0].freeSwelling.tolerance"),
            (original, #""freeSwelling": {"tolerance": 1.5, "maxDuration": 1e6}"#, "steps[0].freeSwelling.tolerance"),
            (original, #""freeSwelling": {"tolerance": -1e-3, "maxDuration": 1e6}"#, "steps[0].freeSwelling.tolerance"),
            (original, #""freeSwelling": {"tolerance": "tight", "maxDuration": 1e6}"#, "steps[0].freeSwelling.tolerance"),
            (original, #""freeSwelling": {"tolerance": 1e-4, "maxDuration": 0}"#, "steps[0].freeSwelling.maxDuration"),
            (original, #""freeSwelling": {"tolerance": 1e-4}"#, "steps[0].freeSwelling.maxDuration"),
            (original, #""duration": 5, "freeSwelling": {"tolerance": 1e-4, "maxDuration": 1e6}"#, "steps[0].duration"),
            // A free-swelling step that is not the first one.
            (#"{"name": "creep", "duration": 20000,"#, #"{"name": "creep", "freeSwelling": {"tolerance": 1e-4, "maxDuration": 1e6},"#, "steps[1].freeSwelling"),
        ]
        for (from, to, path) in cases {
            do {
                _ = try Model.parse(Data(text.replacingOccurrences(of: from, with: to).utf8))
                Issue.record("accepted: \(to)")
            } catch let e as ModelError {
                print(e)
                #expect(e.path == path, "\(e)")
            }
        }
        // No bath surface: nothing can enter; refused when the simulation is built.
        let sealed = text.replacingOccurrences(of: #"{"surface": "top", "fluidPressure": 0},"#, with: "")
        do {
            _ = try BiphasicSimulation(model: Model.parse(Data(sealed.utf8)))
            Issue.record("free swelling without a bath surface was accepted")
        } catch let e as ModelError {
            print(e)
            #expect(e.path == "steps[0].freeSwelling", "\(e)")
        }
        // maxDuration too short: the run stops with an error naming maxDuration.
        let short = text.replacingOccurrences(of: original, with: #""freeSwelling": {"tolerance": 1e-4, "maxDuration": 20}"#)
        do {
            _ = try BiphasicSimulation(model: Model.parse(Data(short.utf8))).run()
            Issue.record("free swelling stopped early without an error")
        } catch let e as ModelError {
            print(e)
            #expect(e.path == "steps[0].freeSwelling.maxDuration", "\(e)")
        }
    }
}
