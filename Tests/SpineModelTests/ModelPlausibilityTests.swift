import Testing
import Foundation
import Biomechanics
import FiniteElements
@testable import SpineModel

/// The biphasic base for the osmotic and permeability rules (the mp01 Donnan column, T = 310 K):
/// the bad-input suite's column with two cells along z.
private let biphasicModel = badInputBiphasicModel.replacingOccurrences(of: "\"divisions\": [1, 1, 1]", with: "\"divisions\": [1, 1, 2]")

/// One boundary case of one rule: `edit` applied to a base model (JSON text or a value change),
/// whether a warning is expected, and its path and value when it is.
struct PlausibilityCase: CustomTestStringConvertible, Sendable {
    let rule: String
    let base: String
    let old: String, new: String
    let warns: Bool
    let path: String
    let value: Double
    /// A second edit (old, new), applied after the first.
    var also: (String, String)? = nil
    var testDescription: String { "\(rule): \(new) → \(warns ? "warning" : "none")" }

    func model() throws -> Model {
        precondition(base.contains(old), "test bug: \(old) not in the base model")
        var text = base.replacingOccurrences(of: old, with: new)
        if let (o, n) = also { precondition(text.contains(o)); text = text.replacingOccurrences(of: o, with: n) }
        return try Model.parse(Data(text.utf8))
    }
}

private func solid(_ rule: String, _ old: String, _ new: String, warns: Bool, _ path: String, _ value: Double,
                   also: (String, String)? = nil) -> PlausibilityCase {
    PlausibilityCase(rule: rule, base: validModel, old: old, new: new, warns: warns, path: path, value: value, also: also)
}
/// Finite strain: a small mesh with the base's 0.1 mm displacement is no small-strain case.
private let finite = ("\"smallStrain\"", "\"finiteStrain\"")
private func biphasic(_ rule: String, _ old: String, _ new: String, warns: Bool, _ path: String, _ value: Double) -> PlausibilityCase {
    PlausibilityCase(rule: rule, base: biphasicModel, old: old, new: new, warns: warns, path: path, value: value)
}

private let topCondition = "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}"

/// Each rule just inside and just outside its range (both ends where a unit slip can land).
let plausibilityCases: [PlausibilityCase] = [
    solid("modulus", "\"E\": 100", "\"E\": 400000", warns: false, "materials.gel.E", 4e5),
    solid("modulus", "\"E\": 100", "\"E\": 400001", warns: true, "materials.gel.E", 400001),
    solid("modulus", "\"E\": 100", "\"E\": 1e-4", warns: false, "materials.gel.E", 1e-4),
    solid("modulus", "\"E\": 100", "\"E\": 0.99e-4", warns: true, "materials.gel.E", 0.99e-4),
    solid("poissonRatio", "\"nu\": 0.3", "\"nu\": 0", warns: false, "materials.gel.nu", 0),
    solid("poissonRatio", "\"nu\": 0.3", "\"nu\": -0.01", warns: true, "materials.gel.nu", -0.01),
    biphasic("permeability", "\"k0\": 1e-3", "\"k0\": 1e-10", warns: false, "materials.cartilage.permeability.k0", 1e-10),
    biphasic("permeability", "\"k0\": 1e-3", "\"k0\": 0.99e-10", warns: true, "materials.cartilage.permeability.k0", 0.99e-10),
    biphasic("permeability", "\"k0\": 1e-3", "\"k0\": 100", warns: false, "materials.cartilage.permeability.k0", 100),
    biphasic("permeability", "\"k0\": 1e-3", "\"k0\": 101", warns: true, "materials.cartilage.permeability.k0", 101),
    biphasic("fixedChargeDensity", "\"cF0\": -200", "\"cF0\": -1000", warns: false, "materials.cartilage.osmotic.cF0", -1000),
    biphasic("fixedChargeDensity", "\"cF0\": -200", "\"cF0\": -1001", warns: true, "materials.cartilage.osmotic.cF0", -1001),
    biphasic("fixedChargeDensity", "\"cF0\": -200", "\"cF0\": -1e5", warns: true, "materials.cartilage.osmotic.cF0", -1e5),
    biphasic("bathConcentration", "\"bath\": 150", "\"bath\": 1", warns: false, "materials.cartilage.osmotic.bath", 1),
    biphasic("bathConcentration", "\"bath\": 150", "\"bath\": 0.15", warns: true, "materials.cartilage.osmotic.bath", 0.15),
    biphasic("bathConcentration", "\"bath\": 150", "\"bath\": 6100", warns: false, "materials.cartilage.osmotic.bath", 6100),
    biphasic("bathConcentration", "\"bath\": 150", "\"bath\": 6101", warns: true, "materials.cartilage.osmotic.bath", 6101),
    biphasic("osmoticTemperature", "\"T\": 310", "\"T\": 270", warns: false, "materials.cartilage.osmotic.T", 270),
    biphasic("osmoticTemperature", "\"T\": 310", "\"T\": 37", warns: true, "materials.cartilage.osmotic.T", 37),
    biphasic("osmoticTemperature", "\"T\": 310", "\"T\": 269.9", warns: true, "materials.cartilage.osmotic.T", 269.9),
    biphasic("osmoticTemperature", "\"T\": 310", "\"T\": 330", warns: false, "materials.cartilage.osmotic.T", 330),
    biphasic("osmoticTemperature", "\"T\": 310", "\"T\": 330.1", warns: true, "materials.cartilage.osmotic.T", 330.1),
    solid("pressure", topCondition, "{\"surface\": \"top\", \"pressure\": -1000}", warns: false, "boundary[1].pressure", -1000),
    solid("pressure", topCondition, "{\"surface\": \"top\", \"pressure\": 1e5}", warns: true, "boundary[1].pressure", 1e5),
    solid("pressure", topCondition, "{\"surface\": \"top\", \"traction\": [0, 0, 1000.1]}", warns: true, "boundary[1].traction[2]", 1000.1),
    solid("force", topCondition, "{\"surface\": \"top\", \"force\": [0, 0, -100000]}", warns: false, "boundary[1].force[2]", -1e5),
    solid("force", topCondition, "{\"surface\": \"top\", \"force\": [0, 0, -100001]}", warns: true, "boundary[1].force[2]", -100001),
    solid("force", topCondition, "{\"surface\": \"top\", \"rigid\": {\"force\": [100001, 0, 0]}}", warns: true, "boundary[1].rigid.force[0]", 100001),
    // The box is 10 mm tall: |uz| / 10 mm is the nominal strain (curve maximum 1).
    solid("smallStrain", "\"uz\": -0.1", "\"uz\": -1", warns: false, "boundary[1].prescribe.uz", 0.1),
    solid("smallStrain", "\"uz\": -0.1", "\"uz\": -1.001", warns: true, "boundary[1].prescribe.uz", 0.1001),
    solid("smallStrain", "\"uz\": -0.1", "\"uz\": -20", warns: true, "boundary[1].prescribe.uz", 2),
    solid("smallStrain", "[[0, 0], [1, 1]]", "[[0, 0], [1, 10.01]]", warns: true, "boundary[1].prescribe.uz", 0.1001),
    solid("meshSize", "\"size\": [10, 10, 10]", "\"size\": [10, 10, 2000]", warns: false, "mesh", 2000),
    solid("meshSize", "\"size\": [10, 10, 10]", "\"size\": [10, 10, 2000.5]", warns: true, "mesh", 2000.5),
    solid("meshSize", "\"size\": [10, 10, 10]", "\"size\": [0.1, 0.1, 0.1]", warns: false, "mesh", 0.1, also: finite),
    solid("meshSize", "\"size\": [10, 10, 10]", "\"size\": [0.04, 0.04, 0.01]", warns: true, "mesh", 0.04, also: finite),
]

@Suite("Plausibility warnings")
struct ModelPlausibilityTests {
    @Test(arguments: plausibilityCases)
    func ruleBoundary(_ c: PlausibilityCase) throws {
        let model = try c.model()
        let found = model.plausibilityWarnings()
        let mine = found.filter { $0.rule == c.rule }
        #expect(found.count == mine.count, "other rules fired: \(found)")
        if c.warns {
            let w = try #require(mine.first, "expected a \(c.rule) warning")
            #expect(mine.count == 1)
            #expect(w.path == c.path)
            #expect(abs(w.value - c.value) <= 1e-12 * abs(c.value))
            let rule = try #require(PlausibilityRule.all.first { $0.id == c.rule })
            #expect(!rule.plausible.contains(w.value))
            #expect(w.description.hasPrefix("\(c.path): "))
            #expect(w.description.contains("plausible range [\(PlausibilityWarning.format(rule.plausible.lowerBound)), \(PlausibilityWarning.format(rule.plausible.upperBound))]"))
            // Strict: the same warning refuses the model, naming path and value.
            #expect(throws: w.error) { try model.checkPlausibility() }
            #expect(w.error.kind == .implausible && w.error.path == c.path)
        } else {
            #expect(mine.isEmpty, "unexpected: \(mine)")
            try model.checkPlausibility()
        }
    }

    /// Fibre moduli (ξ) and diffusivities are set in code (no base file carries both).
    @Test func fibreModulusAndDiffusivityBoundaries() throws {
        var model = try Model.parse(Data(biphasicModel.utf8))
        func fibres(_ xi: Double) -> SolidDefinition {
            .fibreReinforced(FibreReinforcedDefinition(matrix: .neoHookean(E: 1, nu: 0), axes: .cylindrical(origin: (0.5, 0.5, 0), axis: (0, 0, 1)),
                                                       fibres: [FibreDefinition(angle: 30, xi: xi, alpha: 2, beta: 2.5)]))
        }
        model.materials["cartilage"]!.solid = fibres(4e5)
        #expect(model.plausibilityWarnings().isEmpty)
        model.materials["cartilage"]!.solid = fibres(4e5 * (1 + 1e-9))
        let w = try #require(model.plausibilityWarnings().first)
        #expect(w.rule == "fibreModulus" && w.path == "materials.cartilage.solid.fibres[0].xi" && w.value == 4e5 * (1 + 1e-9))
        model.materials["cartilage"]!.solid = .neoHookean(E: 1, nu: 0)

        func transport(_ d: Double) -> TransportDefinition {
            TransportDefinition(solutes: [Solute(name: "glucose", materials: [("all", SoluteMaterial(diffusivity: .constant(d)))])],
                                boundary: [], timeStep: 1)
        }
        model.transport = transport(1e-7)
        #expect(model.plausibilityWarnings().isEmpty)
        model.transport = transport(0.99e-7)
        let low = try #require(model.plausibilityWarnings().first)
        #expect(low.rule == "diffusivity" && low.path == "transport.solutes.glucose.materials.all.diffusivity.D" && low.value == 0.99e-7)
        model.transport = transport(1e-2)
        #expect(model.plausibilityWarnings().isEmpty)
        model.transport = transport(1.01e-2)
        #expect(model.plausibilityWarnings().map(\.rule) == ["diffusivity"])
    }

    /// A model built in code names Swift property paths.
    @Test func swiftPathsForModelsBuiltInCode() throws {
        var model = try Model.parse(Data(biphasicModel.utf8))
        model.pathStyle = .swift
        model.materials["cartilage"]!.biphasic!.osmotic!.T = 37
        let w = try #require(model.plausibilityWarnings().first)
        #expect(w.path == "materials[\"cartilage\"].biphasic.osmotic.T")
        #expect(w.description == "materials[\"cartilage\"].biphasic.osmotic.T: 37 K is outside the plausible range [270, 330] K of an osmotic temperature (kelvin: body temperature is 310 K, a laboratory 293 K; 37 looks like °C)")
    }

    /// Warnings reach the results' notices; a strict simulation refuses the model.
    @Test func simulationReportsOrRefuses() throws {
        let text = validModel.replacingOccurrences(of: "\"E\": 100", with: "\"E\": 1e8")
        let model = try Model.parse(Data(text.utf8))
        let simulation = try Simulation(model: model)
        #expect(simulation.warnings.map(\.path) == ["materials.gel.E"])
        let results = try simulation.runSynchronously()
        #expect(results.notices.first == simulation.warnings[0].description)
        // The linear solution does not depend on E with a prescribed displacement: uz(top) = −0.1 mm.
        #expect(abs(results.probes[0].values[0][0] + 0.1) < 1e-12)
        #expect(throws: ModelError.self) { try Simulation(model: model, strict: true) }
        do { _ = try Simulation(model: model, strict: true) } catch let e as ModelError {
            #expect(e.kind == .implausible && e.path == "materials.gel.E" && e.message.contains("1e+08 MPa"))
        }
    }

    /// The post-run small-strain check on closed-form fields over the base box (10 mm, hex8):
    /// a uniaxial stretch u = ε·x gives |Δu|/|ΔX| = ε exactly on x edges, a translation 0, a
    /// linearized rotation θ about z gives θ on edges normal to z.
    @Test func smallStrainResultOnClosedFormFields() throws {
        let model = try Model.parse(Data(validModel.utf8))
        let mesh = try SolidSimulation(model: model).mesh
        func field(_ f: (SIMD3<Double>) -> SIMD3<Double>) -> [Double] { mesh.nodes.flatMap { x in let u = f(x); return [u.x, u.y, u.z] } }
        #expect(PlausibilityRule.largestRelativeDisplacement(mesh: mesh, displacement: field { SIMD3(5, -3, 2) + 0 * $0 }) == 0)
        let theta = 0.05
        #expect(abs(PlausibilityRule.largestRelativeDisplacement(mesh: mesh, displacement: field { SIMD3(-theta * $0.y, theta * $0.x, 0) }) - theta) < 1e-15)
        #expect(PlausibilityRule.smallStrainResult(model: model, mesh: mesh, displacement: field { SIMD3(0.1 * $0.x, 0, 0) }) == nil)
        let w = try #require(PlausibilityRule.smallStrainResult(model: model, mesh: mesh, displacement: field { SIMD3(0.1001 * $0.x, 0, 0) }))
        #expect(w.rule == "smallStrainResult" && w.path == "kinematics" && abs(w.value - 0.1001) < 1e-15)
    }

    /// A force-driven 200 % strain with small-strain kinematics: the pre-run rules cannot see it
    /// (no prescribed displacement), the run's notices name it. E = 100 MPa, 100 mm² top, 20 kN:
    /// nominal σ/E = 2.
    @Test func forceDrivenLargeStrainIsNoticedAfterTheRun() throws {
        let text = validModel.replacingOccurrences(of: "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}",
                                                   with: "{\"surface\": \"top\", \"force\": [0, 0, 20000], \"curve\": \"ramp\"}")
        let simulation = try Simulation(model: try Model.parse(Data(text.utf8)))
        #expect(simulation.warnings.isEmpty)
        let results = try simulation.runSynchronously()
        let uz = results.probes[0].values.last![0]     // top centre (mm)
        let notice = try #require(results.notices.first { $0.hasPrefix("kinematics: ") })
        // The vertical edges stretch by at least uz over 10 mm (the corners move at least as the centre here).
        let value = try #require(Double(notice.dropFirst("kinematics: ".count).prefix { $0 != " " }))
        #expect(uz > 10 && value >= uz / 10 * 0.99, "\(uz) \(notice)")
        #expect(notice.contains("finiteStrain"))
    }

    /// The shipped examples are plausible: no warning from any of them.
    @Test func shippedExamplesGiveNoWarning() throws {
        let dir = packageRoot.appendingPathComponent("Examples/models")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 10)
        for f in files {
            let model = try Model.load(path: dir.appendingPathComponent(f).path)
            #expect(model.plausibilityWarnings().isEmpty, "\(f): \(model.plausibilityWarnings())")
        }
        #expect(try DefaultDiscModel.model().plausibilityWarnings().isEmpty)
    }
}
