import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import SpineModel
import Biomechanics

/// Runs a biphasic example through `BiphasicSimulation` and reads results.json
/// back with JSONSerialization (an independent reader).
func runBiphasicExample(_ name: String) throws -> (doc: [String: Any], dir: URL) {
    let model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/\(name).json").path)
    #expect(model.isBiphasic)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spinetraction-\(name)-\(UUID().uuidString)")
    try BiphasicSimulation(model: model).run(outputDirectory: dir)
    let data = try Data(contentsOf: dir.appendingPathComponent("results.json"))
    return (try #require(JSONSerialization.jsonObject(with: data) as? [String: Any]), dir)
}

@Suite("Biphasic model files")
struct BiphasicModelTests {
    @Test func confinedRampRelaxExampleMatchesMow1980() throws {
        let (doc, dir) = try runBiphasicExample("biphasic-confined-ramp-relax")
        defer { try? FileManager.default.removeItem(at: dir) }
        let reaction = try series(doc, "surfaces", "topReaction").map(vector)
        let reference = PoroelasticClosedForm.ConfinedRampRelax(height: 1, aggregateModulus: 1, permeability: 1e-3, depth: 0.1, rampTime: 100)
        for (i, t) in [100.0, 200, 1000].enumerated() {
            let ours = -reaction[i + 1][2], ref = reference.stress(t: t)
            print("example bp04: t = \(t) s, reaction stress \(ours) MPa, Mow 1980 \(ref), error \(abs(ours - ref) / ref)")
            #expect(abs(ours - ref) <= 0.01 * ref)
        }
        // Mass: imbibed through the top = mixture volume change.
        let imbibed = try series(doc, "surfaces", "topOutflow").map(number), dv = try series(doc, "regions", "volumeChange").map(number)
        #expect(abs(imbibed.last! - dv.last!) <= 1e-8 * abs(dv.last!))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pressure.svg").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results.pvd").path))
    }

    @Test func donnanExampleReachesClosedFormSwelling() throws {
        let (doc, dir) = try runBiphasicExample("biphasic-donnan-swelling")
        defer { try? FileManager.default.removeItem(at: dir) }
        let osmosis = try DonnanOsmosis(fixedChargeDensity: -200, bathConcentration: 150, temperature: 293)
        let stretch = PoroelasticClosedForm.confinedSwellingStretch(youngsModulus: 1, poissonRatio: 0, osmosis: osmosis, solidVolumeFraction: 0.2)
        let uz = try series(doc, "probes", "topUz").map(number).last!
        print("example Donnan: stretch \(1 + uz), closed form \(stretch)")
        #expect(abs(1 + uz - stretch) <= 0.01 * (stretch - 1))
        // Transducer pressure = fluid + osmotic; at equilibrium p = 0 and it equals Δπ(λ).
        let transducer = try series(doc, "probes", "bottomTransducer").map(number).last!
        let pi = osmosis.pressure(J: stretch, solidVolumeFraction: 0.2).value
        #expect(abs(transducer - pi) <= 1e-3 * pi)
        let imbibed = try series(doc, "surfaces", "imbibed").map(number).last!
        let dv = try series(doc, "regions", "volumeChange").map(number).last!
        #expect(abs(imbibed - dv) <= 1e-8 * abs(dv))
    }

    @Test func terzaghiExampleFollowsTheSeries() throws {
        let (doc, dir) = try runBiphasicExample("biphasic-terzaghi-creep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let times = try #require(doc["times"] as? [Double])
        let p = try series(doc, "probes", "bottomPressure").map(number)
        let reference = PoroelasticClosedForm.ConfinedCreep(height: 1, aggregateModulus: 1, permeability: 1e-3, stress: 0.1)
        var worst = 0.0
        for (t, ours) in zip(times, p) where t >= 100 {
            worst = max(worst, abs(ours - reference.pressure(z: 0, t: t)) / 0.1)
        }
        print("example Terzaghi: bottom pressure, max error / sigma0 over t in [100, 2000] s = \(worst)")
        #expect(worst <= 0.01)
        let imbibed = try series(doc, "surfaces", "topOutflow").map(number), dv = try series(doc, "regions", "volumeChange").map(number)
        #expect(abs(imbibed.last! - dv.last!) <= 1e-8 * abs(dv.last!))
    }

    @Test func mandelExampleShowsTheMandelCryerEffect() throws {
        let (doc, dir) = try runBiphasicExample("biphasic-mandel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let times = try #require(doc["times"] as? [Double])
        let p = try series(doc, "probes", "centrePressure").map(number)
        let reference = PoroelasticClosedForm.Mandel(halfWidth: 1, youngsModulus: 1, poissonRatio: 0, permeability: 1e-3, stress: 0.1)
        let p0 = reference.initialPressure
        // Undrained response at t = 0+: p0 = σ0/2 for ν = 0 with incompressible constituents.
        print("example Mandel: p(0+) = \(p[0]) MPa, closed form \(p0); peak \(p.max()! / p0) p0")
        #expect(abs(p[0] - p0) <= 0.02 * p0)
        // The overshoot exists (coarse uniform mesh: within 3 % of p0 of the closed form everywhere).
        #expect(p.max()! > 1.1 * p0)
        for (t, ours) in zip(times, p) where t >= 5 {
            #expect(abs(ours - reference.pressure(x: 0, t: t)) <= 0.03 * p0, "t = \(t) s: \(ours) vs \(reference.pressure(x: 0, t: t))")
        }
    }

    @Test func unconfinedExampleRatio() throws {
        let (doc, dir) = try runBiphasicExample("biphasic-unconfined")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try series(doc, "surfaces", "platenForce").map(vector).map { -$0[2] }
        let ratio = f.first! / f.last!, expected = 3 / (2 * 1.1)
        print("example unconfined: F(0+)/F(inf) = \(ratio), expected \(expected)")
        #expect(abs(ratio - expected) <= 0.01 * expected)
        #expect(abs(f.last! - Double.pi * 9 * 0.01) <= 0.01 * Double.pi * 9 * 0.01)
    }

    @Test func badBiphasicInputNamesTheJSONPath() throws {
        func model(_ material: String, extra: String = "") -> Data {
            Data("""
            {"units": "mm-N-s-MPa", "mesh": {"generate": {"box": {"size": [1, 1, 1], "divisions": [1, 1, 1], "element": "hex20"}}},
             "kinematics": "smallStrain", "regions": {"all": "m"}, "materials": {"m": \(material)},
             "boundary": [{"surface": "top", "fluidPressure": 0}\(extra)], "steps": [{"duration": 1, "dtMin": 0.1, "dtMax": 1}],
             "outputs": {"times": [1]}}
            """.utf8)
        }
        let solid = #"{"type": "isotropicElastic", "E": 1, "nu": 0}"#
        let cases: [(String, String)] = [
            (#"{"type": "biphasic", "phi0": 1.2, "solid": \#(solid), "permeability": {"type": "constant", "k0": 1e-3}}"#, "materials.m.phi0"),
            (#"{"type": "biphasic", "phi0": 0.2, "solid": \#(solid), "permeability": {"type": "constant", "k0": -1}}"#, "materials.m.permeability.k0"),
            (#"{"type": "biphasic", "phi0": 0.2, "solid": {"type": "isotropicElastic", "E": 0, "nu": 0}, "permeability": {"type": "constant", "k0": 1e-3}}"#, "materials.m.solid.E"),
            (#"{"type": "biphasic", "phi0": 0.2, "solid": \#(solid), "permeability": {"type": "constant", "k0": 1e-3}, "osmotic": {"cF0": 200, "bath": 150}}"#, "materials.m.osmotic.cF0"),
            (#"{"type": "biphasic", "phi0": 0.2, "solid": \#(solid), "permeability": {"type": "darcy", "k0": 1e-3}}"#, "materials.m.permeability.type"),
        ]
        for (material, path) in cases {
            do {
                _ = try Model.parse(model(material))
                Issue.record("accepted: \(material)")
            } catch let e as ModelError {
                print(e)
                #expect(String(describing: e).contains(path), "\(e)")
            }
        }
        // A fluid condition without a biphasic material.
        do {
            _ = try Model.parse(model(solid))
            Issue.record("fluidPressure accepted on a solid model")
        } catch let e as ModelError { #expect(String(describing: e).contains("boundary[0]"), "\(e)") }
        // A non-positive time step is refused by the step parser.
        let bad = String(decoding: model(#"{"type": "biphasic", "phi0": 0.2, "solid": \#(solid), "permeability": {"type": "constant", "k0": 1e-3}}"#), as: UTF8.self)
            .replacingOccurrences(of: "\"dtMin\": 0.1", with: "\"dtMin\": 0")
        do {
            _ = try Model.parse(Data(bad.utf8))
            Issue.record("dtMin = 0 accepted")
        } catch let e as ModelError { #expect(String(describing: e).contains("steps[0].dtMin"), "\(e)") }
    }
}

@Suite("Default disc model")
struct BiphasicDefaultDiscTests {
    /// The embedded copy equals Examples/models/default-disc.json and parses.
    @Test func embeddedCopyMatchesTheFile() throws {
        let file = try String(contentsOf: packageRoot.appendingPathComponent("Examples/models/default-disc.json"), encoding: .utf8)
        #expect(file == DefaultDiscModel.json + "\n")
        let model = try DefaultDiscModel.model()
        #expect(model.isBiphasic)
        #expect(model.regions.map(\.region) == ["nucleus", "annulus"])
    }
}

@Suite("SVG plot")
struct BiphasicSVGPlotTests {
    /// The document parses as XML, has one polyline per series with one point per
    /// finite sample, and maps the data range into the plot frame.
    @Test func plotIsWellFormedAndScaled() throws {
        var plot = SVGPlot(title: "Nucleus pressure", xLabel: "time (s)", yLabel: "pressure (MPa)")
        plot.add(name: "nucleus", x: [0, 10, 20, 30], y: [0.1, -0.013, .nan, 0.05])
        plot.add(name: "fluid", x: [0, 10], y: [0, -0.02])
        final class Collector: NSObject, XMLParserDelegate {
            var polylines: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "polyline", let p = attributes["points"] { polylines.append(p) }
            }
        }
        let parser = XMLParser(data: Data(plot.svg().utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse())
        #expect(collector.polylines.count == 2)
        let points = collector.polylines[0].split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(points.count == 3)   // the NaN sample is skipped
        // x = 0 and x = 30 land on the frame's left (80 px) and right (720 − 20 px) edges.
        #expect(abs(points[0][0] - 80) < 1e-9 && abs(points[2][0] - 700) < 1e-9)
        // Higher pressure is drawn higher (smaller y).
        #expect(points[0][1] < points[1][1])
    }
}
