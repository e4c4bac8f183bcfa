import Testing
import Foundation
@testable import SpineModel

/// The model with the top's curve replaced by `points` (steps span 0 … 1 s).
private func withCurve(_ points: String, extra: String = "") -> String {
    replacing("\"curves\": {\"ramp\": [[0, 0], [1, 1]]}", "\"curves\": {\"ramp\": \(points)\(extra)}")
}

@Suite("Load curves that never act")
struct InactiveCurveTests {
    @Test func curveAfterTheLastStepIsRefused() throws {
        let e = try #require(modelError(withCurve("[[100, 0], [200, 1]]")))
        #expect(e.kind == .invalidValue && e.path == "curves.ramp")
        // Steps 0 … 1 s; the curve is nonzero from 100 s on (constant 1 after 200 s).
        #expect(e.message.contains("0 … 1 s") && e.message.contains("100 … ∞ s") && e.message.contains("boundary[1] never acts"))
    }

    @Test func curveBeforeTheFirstStepIsRefused() throws {
        let e = try #require(modelError(withCurve("[[-10, 1], [-5, 0]]")))
        #expect(e.kind == .invalidValue && e.path == "curves.ramp" && e.message.contains("−∞ … -5 s"))
    }

    /// The boundary: a curve rising from 0 at t = 1 s (the end) never acts; one rising at 0.999 s does.
    @Test func curveStartingAtTheEndIsRefusedJustBeforeItActs() throws {
        let atEnd = try #require(modelError(withCurve("[[1, 0], [2, 1]]")))
        #expect(atEnd.path == "curves.ramp" && atEnd.message.contains("1 … ∞ s"))
        #expect(modelError(withCurve("[[0.999, 0], [2, 1]]")) == nil)
        // A curve reaching only 1 % of its peak within the steps still acts.
        #expect(modelError(withCurve("[[0, 0], [100, 1]]")) == nil)
    }

    @Test func unusedLateCurveAndZeroCurve() throws {
        let unused = try #require(modelError(withCurve("[[0, 0], [1, 1]]", extra: ", \"later\": [[5, 0], [6, 1], [7, 0]]")))
        #expect(unused.path == "curves.later" && unused.message.contains("5 … 7 s") && unused.message.contains("no condition uses it"))
        // A curve that is zero everywhere is an explicit zero.
        #expect(modelError(withCurve("[[0, 0], [1, 1]]", extra: ", \"off\": [[0, 0], [1, 0]]")) == nil)
    }

    @Test func modelBuiltInCodeNamesSwiftPath() throws {
        var model = try Model.parse(Data(validModel.utf8))
        model.pathStyle = .swift
        model.curves["ramp"] = try .init(points: [(10, 0), (20, 1)])
        #expect(throws: ModelError(.invalidValue, at: "curves[\"ramp\"]", "the curve is 0 throughout the steps (0 … 1 s) and not zero only in 10 … ∞ s, so boundary[1] never acts: expected a curve with nonzero values within 0 … 1 s (shift its times into the steps, lengthen the steps, or remove it)")) {
            try model.validate()
        }
    }
}

/// Box 10 mm × 10 mm × 10 mm, `bottom` at z = 0, `top` at z = 10 (the base model's mesh).
private let topCondition = "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}"
private let bottomCondition = "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}"

@Suite("Rigid-body modes are named before solving")
struct RigidBodyModeTests {
    func unconstrained(_ text: String) throws -> ModelError {
        let e = try #require(modelError(text))
        #expect(e.kind == .unconstrained && e.path == "boundary")
        #expect(e.message.hasPrefix("the model can move as a rigid body: "))
        return e
    }

    /// Only the top's uz is prescribed: uz at nodes spread in x and y restrains t_z, ω_x, ω_y;
    /// t_x, t_y and ω_z stay free (3 of the 6 rigid motions).
    @Test func axialConditionOnlyLeavesThreeFreeMotions() throws {
        let e = try unconstrained(replacing(bottomCondition + ",", ""))
        #expect(e.message.contains("3 unrestrained motions (translation along x; translation along y; rotation about an axis along z)"))
        // The same with uz fixed on the bottom (a roller support) and nothing on the top.
        let roller = try unconstrained(replacing(bottomCondition + ",\n    " + topCondition, "{\"surface\": \"bottom\", \"fix\": [\"uz\"]}"))
        #expect(roller.message.contains("3 unrestrained motions"))
    }

    /// No displacement condition at all: all six motions are free.
    @Test func loadOnlyLeavesSixFreeMotions() throws {
        let e = try unconstrained(replacing(bottomCondition + ",\n    " + topCondition, "{\"surface\": \"top\", \"pressure\": 0.1}"))
        #expect(e.message.contains("6 unrestrained motions (translation along x; translation along y; translation along z; rotation about an axis along x; rotation about an axis along y; rotation about an axis along z)"))
        #expect(e.message.contains("the part with 8 nodes in [0, 0, 0, 10, 10, 10] mm"))
    }

    /// Symmetry planes restrain their normal component.
    @Test func symmetryPlanesCount() throws {
        // Symmetry on x- and on the bottom fixes ux on x = 0 and uz on z = 0; with uy fixed on the
        // bottom too, the motions left are none: a check that symmetry planes count.
        let three = replacing(bottomCondition + ",\n    " + topCondition,
                              "{\"surface\": \"x-\", \"symmetry\": true}, {\"surface\": \"bottom\", \"symmetry\": true}, {\"surface\": \"bottom\", \"fix\": [\"uy\"]}")
        #expect(modelError(three) == nil)
        // Without the uy condition: t_y is free (x- fixes ux, bottom fixes uz; ω_x, ω_y, ω_z restrained by their spread).
        let two = replacing(bottomCondition + ",\n    " + topCondition, "{\"surface\": \"x-\", \"symmetry\": true}, {\"surface\": \"bottom\", \"symmetry\": true}")
        let e = try unconstrained(two)
        #expect(e.message.contains("1 unrestrained motion (translation along y)") && e.message.contains("uy"))
    }

    /// Plane strain fixes uy everywhere: with uz on the bottom and ux on x-, nothing is free.
    @Test func planeStrainCounts() throws {
        let text = replacing(bottomCondition + ",\n    " + topCondition,
                             "{\"surface\": \"bottom\", \"fix\": [\"uz\"]}, {\"surface\": \"x-\", \"fix\": [\"ux\"]}")
            .replacingOccurrences(of: "\"kinematics\": \"smallStrain\",", with: "\"kinematics\": \"smallStrain\", \"planeStrain\": true,")
        #expect(modelError(text) == nil)
    }

    /// The Gram-matrix null space against a hand count: nodes on the z axis with every component
    /// fixed leave only the rotation about z.
    @Test func nodesOnALineLeaveTheRotationAboutTheLine() {
        var g = [Double](repeating: 0, count: 36)
        for z in [-0.5, 0, 0.5] {
            for k in 0..<3 {
                var r = [0.0, 0, 0]; r[k] = 1
                let d = SIMD3(0, 0, z)
                let w = (0..<3).map { j -> Double in var e = SIMD3<Double>.zero; e[j] = 1; return RigidBodyCheck.cross(e, d)[k] }
                let row = r + w
                for i in 0..<6 { for j in 0..<6 { g[i * 6 + j] += row[i] * row[j] } }
            }
        }
        #expect(RigidBodyCheck.freeModes(gram: g) == [.init(rotation: true, axis: SIMD3(0, 0, 1))])
        // Jacobi eigenvalues of a diagonal-plus-coupling matrix against the closed form 1 ± c.
        let (values, _) = RigidBodyCheck.symmetricEigen([1, 0.5, 0.5, 1], n: 2)
        #expect(abs(values.sorted()[0] - 0.5) < 1e-14 && abs(values.sorted()[1] - 1.5) < 1e-14)
    }

    /// The check against the solver itself: the Cholesky factorization of each model's stiffness
    /// (the solid engine run directly, without the check) fails exactly for the models the check
    /// refuses, and succeeds for those it passes.
    @Test func checkAgreesWithTheCholeskyFactorization() throws {
        let both = bottomCondition + ",\n    " + topCondition
        let models: [(String, Bool)] = [
            (validModel, true),
            (replacing(both, "{\"surface\": \"bottom\", \"fix\": [\"uz\"]}, {\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}}"), false),
            (replacing(both, "{\"surface\": \"top\", \"pressure\": 0.1}"), false),
            (replacing(both, "{\"surface\": \"x-\", \"symmetry\": true}, {\"surface\": \"bottom\", \"symmetry\": true}, {\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}}"), false),
            (replacing(both, "{\"surface\": \"x-\", \"symmetry\": true}, {\"surface\": \"y-\", \"symmetry\": true}, {\"surface\": \"bottom\", \"symmetry\": true}, {\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}}"), true),
        ]
        for (text, restrained) in models {
            let model = try Model.parse(Data(text.utf8))
            #expect((RigidBodyCheck.find(model: model, mesh: try SolidSimulation(model: model).mesh) == nil) == restrained)
            do {
                let r = try SolidSimulation(model: model).run()
                #expect(restrained, "the factorization succeeded on a model the check refuses")
                // Prescribed uz = −0.1 mm at the top probe, exactly.
                #expect(abs(r.probes[0].values.last![0] + 0.1) < 1e-12)
            } catch {
                #expect(!restrained, "\(error)")
                #expect("\(error)".contains("not positive definite"))
            }
        }
    }

    /// A biphasic model's LDLᵀ solve perturbs zero pivots: the free motion is a warning, and a
    /// strict simulation refuses it with the same error a solid model gets.
    @Test func biphasicModelIsWarnedAndStrictRefuses() throws {
        let text = badInputBiphasicModel.replacingOccurrences(of: "{\"surface\": \"bottom\", \"fix\": [\"uz\"]},", with: "")
        #expect(text != badInputBiphasicModel)
        let model = try Model.parse(Data(text.utf8))
        let simulation = try Simulation(model: model)
        let w = try #require(simulation.warnings.first)
        // Sides fix ux and uy: only the translation along z is free.
        #expect(w.rule == "rigidBodyMotions" && w.path == "boundary" && w.value == 1 && w.description.contains("translation along z"))
        do { _ = try Simulation(model: model, strict: true); Issue.record("strict accepted") } catch let e as ModelError {
            #expect(e.kind == .unconstrained && e.message.contains("1 unrestrained motion (translation along z)"))
        }
    }

    /// Every shipped example model is restrained (no false alarm), except the unconfined
    /// compression test (a full cylinder between frictionless platens: x, y translation and the
    /// rotation about the axis are free and unexcited), which is warned about.
    @Test func shippedExamplesAreRestrained() throws {
        let dir = packageRoot.appendingPathComponent("Examples/models")
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".json") }).sorted() {
            let model = try Model.load(path: dir.appendingPathComponent(f).path)
            do {
                let simulation = try Simulation(model: model)
                let rigid = simulation.warnings.filter { $0.rule == "rigidBodyMotions" }
                if f == "biphasic-unconfined.json" {
                    #expect(rigid.map(\.value) == [3] && rigid.first?.description.contains("translation along x; translation along y; rotation about an axis along z") == true)
                } else {
                    #expect(rigid.isEmpty, "\(f): \(rigid)")
                }
            } catch let e as ModelError {
                Issue.record("\(f): \(e)")
            }
        }
    }
}
