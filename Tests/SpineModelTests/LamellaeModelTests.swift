import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// `lamellae` on a fibre-reinforced annulus in a model file.
@Suite("Annulus lamellae in model files")
struct LamellaeModelTests {
    static func model(lamellae: String, axes: String = #"{"type": "cylindrical", "origin": [0, 0, 0], "axis": [0, 0, 1]}"#,
                      mesh: String = #"{"generate": {"cylinder": {"radius": 10, "height": 2, "inner": {"name": "nucleus", "fraction": 0.5}, "divisions": {"radial": 4, "around": 8, "height": 1}, "element": "hex20"}}}"#) -> Data {
        Data("""
        {"units": "mm-N-s-MPa", "mesh": \(mesh), "kinematics": "finiteStrain",
         "regions": {"nucleus": "np", "annulus": "af"},
         "materials": {"np": {"type": "biphasic", "phi0": 0.2, "solid": {"type": "neoHookean", "E": 0.3, "nu": 0.1}, "permeability": {"type": "constant", "k0": 1e-3}},
                       "af": {"type": "biphasic", "phi0": 0.3, "permeability": {"type": "constant", "k0": 1e-3},
                              "solid": {"type": "fibreReinforced", "matrix": {"type": "neoHookean", "E": 0.6, "nu": 0.2}, "axes": \(axes), "lamellae": \(lamellae)}}},
         "boundary": [{"surface": "bottom", "fix": ["ux", "uy", "uz"]}, {"surface": "outer", "fluidPressure": 0}],
         "steps": [{"duration": 1, "dtMin": 0.1, "dtMax": 1}], "outputs": {"times": [1]}}
        """.utf8)
    }

    /// Element level: every annulus cell carries one family whose global direction is
    /// `cos θ e_φ + sin θ e_z` at its centroid's angle φ, with θ = +30° in rings 0, 2 and −30°
    /// in rings 1, 3 — the ring found independently from the cell's innermost node radius
    /// (the generator puts ring k's inner nodes at r = R (f + (1 − f) k/N)).
    @Test func eachCellTakesTheAngleOfItsRing() throws {
        let sim = try BiphasicSimulation(model: Model.parse(Self.model(lamellae: #"{"count": 4, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2}"#)))
        let annulus = try sim.mesh.cells(inRegion: "annulus")
        #expect(annulus.count == 4 * 8)
        var counts = [0, 0, 0, 0]
        for c in annulus {
            let pts = sim.mesh.cellCoordinates(c)
            let rMin = pts.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }.min()!
            let ring = Int(((rMin / 10 - 0.5) / 0.5 * 4).rounded())
            counts[ring] += 1
            let m = sim.problem.cellMaterials[c]
            let solid = try #require(m.law.solid as? FibreReinforcedSolid)
            #expect(solid.fibres.count == 1)
            let d = solid.fibres[0].direction
            let global = SIMD3((0..<3).map { i in m.axes[i, 0] * d.x + m.axes[i, 1] * d.y + m.axes[i, 2] * d.z })
            let centroid = pts.reduce(SIMD3<Double>.zero, +) / Double(pts.count)
            let phi = atan2(centroid.y, centroid.x), theta = (ring % 2 == 0 ? 30.0 : -30.0) * Double.pi / 180
            let expected = SIMD3(-sin(phi) * cos(theta), cos(phi) * cos(theta), sin(theta))
            #expect(((global - expected) * (global - expected)).sum().squareRoot() <= 1e-12, "cell \(c) ring \(ring): \(global) vs \(expected)")
        }
        #expect(counts == [8, 8, 8, 8])
        // Nucleus cells keep their isotropic law.
        for c in try sim.mesh.cells(inRegion: "nucleus") { #expect(!(sim.problem.cellMaterials[c].law.solid is FibreReinforcedSolid)) }
    }

    @Test func badLamellaeNameTheJSONPath() throws {
        let cases: [(Data, String)] = [
            (Self.model(lamellae: #"{"count": 0, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2}"#), "materials.af.solid.lamellae.count"),
            (Self.model(lamellae: #"{"count": -3, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2}"#), "materials.af.solid.lamellae.count"),
            (Self.model(lamellae: #"{"count": 2.5, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2}"#), "materials.af.solid.lamellae.count"),
            (Self.model(lamellae: #"{"count": 4, "angles": [], "xi": 10, "alpha": 0, "beta": 2}"#), "materials.af.solid.lamellae.angles"),
            (Self.model(lamellae: #"{"count": 4, "angles": [30, -30], "xi": -1, "alpha": 0, "beta": 2}"#), "materials.af.solid.lamellae.xi"),
            (Self.model(lamellae: #"{"count": 4, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2, "inner": [5, 5]}"#), "materials.af.solid.lamellae"),
            (Self.model(lamellae: #"{"count": 4, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2, "inner": [5, 5], "outer": [4, 10]}"#), "materials.af.solid.lamellae.outer[0]"),
            (Self.model(lamellae: #"{"count": 4, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2}"#, axes: #"{"type": "global"}"#), "materials.af.solid.axes"),
        ]
        for (data, path) in cases {
            do {
                _ = try Model.parse(data)
                Issue.record("accepted a model that should fail at \(path)")
            } catch let e as ModelError {
                print(e)
                #expect(e.path == path, "\(e)")
            }
        }
        // A mesh that is not a generated cylinder needs the ellipses: refused when the simulation is built.
        let box = #"{"generate": {"box": {"size": [1, 1, 1], "divisions": [1, 1, 1], "element": "hex20"}}}"#
        var data = String(decoding: Self.model(lamellae: #"{"count": 2, "angles": [30, -30], "xi": 10, "alpha": 0, "beta": 2}"#, mesh: box), as: UTF8.self)
        data = data.replacingOccurrences(of: #""regions": {"nucleus": "np", "annulus": "af"}"#, with: #""regions": {"all": "af"}"#)
            .replacingOccurrences(of: #"{"surface": "outer", "fluidPressure": 0}"#, with: #"{"surface": "top", "fluidPressure": 0}"#)
        do {
            _ = try BiphasicSimulation(model: Model.parse(Data(data.utf8)))
            Issue.record("lamellae without ellipses accepted on a box mesh")
        } catch let e as ModelError {
            print(e)
            #expect(e.path == "materials.af.solid.lamellae", "\(e)")
        }
    }
}
