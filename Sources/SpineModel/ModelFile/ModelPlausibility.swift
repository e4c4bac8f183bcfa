import Foundation
import Biomechanics
import FiniteElements

/// A finite input far outside the range its physics can plausibly take — most often a unit
/// slip (a temperature in °C where kelvin is read, a modulus in Pa where MPa is read). The model
/// still runs; ``Simulation`` reports the warning in ``Simulation/warnings`` and in the results'
/// ``SimulationResults/notices``, and refuses the model when built with `strict: true`.
///
/// ```text
/// materials.np.osmotic.T: 37 K is outside the plausible range [270, 330] K of an osmotic temperature (kelvin: body temperature is 310 K; 37 looks like °C)
/// ```
public struct PlausibilityWarning: Sendable, Equatable, CustomStringConvertible {
    /// The rule that fired (``PlausibilityRule/id``).
    public let rule: String
    /// Where: a JSON path for a model read from a file, a Swift property path for one built in code.
    public let path: String
    /// The value found, in ``unit``.
    public let value: Double
    /// The plausible range, in ``unit``.
    public let plausible: ClosedRange<Double>
    /// Unit of ``value`` and ``plausible`` (`"1"` for dimensionless).
    public let unit: String
    /// What the value is and the likely mistake.
    public let message: String

    public var description: String {
        let u = unit == "1" ? "" : " \(unit)"
        return "\(path): \(Self.format(value))\(u) is outside the plausible range [\(Self.format(plausible.lowerBound)), \(Self.format(plausible.upperBound))]\(u) \(message)"
    }

    /// The warning as the error a strict run throws (kind ``ModelError/Kind/implausible``).
    public var error: ModelError {
        ModelError(.implausible, at: path, String(description.dropFirst(path.count + 2)) + " (a strict run refuses implausible values; correct the value, or run without --strict / strict: false to accept it)")
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e7 ? String(Int(x)) : String(format: "%g", x)
    }
}

/// One plausibility rule: a quantity, the range it can plausibly take, where that range comes
/// from, and the values of a ``Model`` it applies to. ``PlausibilityRule/all`` is the table.
public struct PlausibilityRule: Sendable {
    /// Short identifier (`"osmoticTemperature"`).
    public let id: String
    /// Unit of the range (`"1"` for dimensionless).
    public let unit: String
    /// The plausible closed range, in ``unit``.
    public let plausible: ClosedRange<Double>
    /// What the value is and the likely mistake, appended to the warning ("of an osmotic temperature …").
    public let message: String
    /// Where the range comes from (a citation, or "stated engineering range" with its reasoning).
    public let source: String
    /// The values the rule checks: (path, value) pairs of `model`.
    let values: @Sendable (PlausibilityInput) -> [(ModelPath, Double)]

    /// The warnings this rule gives for `input`.
    func check(_ input: PlausibilityInput) -> [PlausibilityWarning] {
        values(input).compactMap { path, x in
            plausible.contains(x) ? nil
                : PlausibilityWarning(rule: id, path: path.description, value: x, plausible: plausible, unit: unit, message: message)
        }
    }
}

/// What the rules look at: the model and, when known, the mesh's bounding-box edge lengths (mm).
struct PlausibilityInput {
    let model: Model
    /// Bounding-box edge lengths along x, y, z (mm) of the mesh, nil when unknown before it is read.
    let extent: SIMD3<Double>?
}

extension PlausibilityRule {
    /// Every rule, in the order warnings are reported.
    ///
    /// Ranges and their sources:
    /// - Young's and shear moduli `[1e-4, 4e5]` MPa: softer than 100 Pa is below the softest soft
    ///   tissues (brain ≈ 1 kPa; Budday et al. 2015, J Mech Behav Biomed Mater 46:318); stiffer than
    ///   400 GPa is above alumina, the stiffest implant material (≈ 380 GPa); cortical bone is
    ///   12–20 GPa (Reilly & Burstein 1975, J Biomech 8:393). A modulus typed in Pa is 1e6× too large.
    /// - Poisson's ratio of an isotropic solid `[0, 0.5]`: stated engineering range — no soft tissue
    ///   or bone is auxetic in bulk; a negative value is usually a sign slip.
    /// - Fibre modulus `ξ` `[0, 4e5]` MPa: the same upper bound as the moduli (annulus fibres
    ///   358–550 MPa; Shirazi-Adl et al. 1986, Spine 11:914).
    /// - Permeability `k0` `[1e-10, 1e2]` mm⁴/(N·s) (1e-22 … 1e-10 m⁴/(N·s)): two orders beyond
    ///   cortical bone (1e-20 m⁴/(N·s)) and three beyond cancellous bone (1e-13 m⁴/(N·s)); disc
    ///   tissues are 1e-16 … 7e-15 m⁴/(N·s) (Argoubi & Shirazi-Adl 1996, J Biomech 29:1331; Périé
    ///   et al. 2005, J Biomech 38:2164). A value in m⁴/(N·s) is 1e12× too small.
    /// - Fixed charge density `cF0` `[-1000, 0]` mEq/L: nucleus 200–300 mEq/L, cartilage up to
    ///   ≈ 400 mEq/L (Urban & Maroudas 1979, Biochim Biophys Acta 586:166); −1000 mEq/L is 1 mEq/mL.
    /// - Bath concentration `[1, 6100]` mM: NaCl saturates at ≈ 6.1 mol/kg (25 °C); swelling tests
    ///   use 15–2000 mM (Urban & Maroudas 1979). Below 1 mM the value is likely in mol/L (0.15 for 150 mM).
    /// - Osmotic temperature `[270, 330]` K: liquid water at 1 atm above 273.15 K; body 310 K,
    ///   laboratory tests 293–310 K. Celsius typed as kelvin (37) falls far below.
    /// - Pressure and traction `[-1000, 1000]` MPa: five times the compressive strength of cortical
    ///   bone, 193 MPa (Reilly & Burstein 1975). A pressure in Pa or kPa falls far outside.
    /// - Force components `[-1e5, 1e5]` N: stated engineering range — ten times the compressive
    ///   strength of a lumbar motion segment (≈ 5–10 kN; Brinckmann et al. 1989, Clin Biomech 4
    ///   Suppl 2) and a hundred times any traction protocol (≤ 90 kg body weight).
    /// - Nominal strain of a prescribed displacement under small-strain kinematics `[0, 0.1]`:
    ///   stated engineering range — the neglected quadratic term of the Green–Lagrange strain
    ///   (½ε² in uniaxial stretch) is 5 % of the strain at ε = 0.1; beyond it use finite strain.
    /// - Mesh size (largest bounding-box edge) `[0.1, 2000]` mm: stated engineering range — from a
    ///   single annulus lamella (≈ 0.1–0.2 mm) to a whole body; a model in metres falls below.
    /// - Solute diffusivity `[1e-7, 1e-2]` mm²/s: small solutes in water at 37 °C are ≈ 1e-3–3e-3
    ///   mm²/s; in annulus 4.5e-5 … 1e-3 mm²/s (Jackson et al. 2008, J Biomech Eng 130:061009;
    ///   Yuan et al. 2009, J Biomech 42:2237). A value in cm²/s is 100× too small.
    public static let all: [PlausibilityRule] = [
        PlausibilityRule(id: "modulus", unit: "MPa", plausible: 1e-4...4e5,
                         message: "of an elastic modulus (MPa: nucleus ≈ 1, annulus ≈ 4, cortical bone ≈ 12 000; a value in Pa is 1e6× too large)",
                         source: "Budday et al. 2015; Reilly & Burstein 1975; alumina ≈ 380 GPa",
                         values: { $0.solids.flatMap { path, solid in solid.moduli.map { (path.field($0), $1) } } }),
        PlausibilityRule(id: "poissonRatio", unit: "1", plausible: 0...0.5,
                         message: "of an isotropic Poisson's ratio (no tissue or bone is auxetic; check the sign)",
                         source: "stated engineering range",
                         values: { $0.solids.compactMap { path, solid in solid.isotropicPoisson.map { (path.key("nu"), $0) } } }),
        PlausibilityRule(id: "fibreModulus", unit: "MPa", plausible: 0...4e5,
                         message: "of a fibre modulus ξ (MPa: annulus fibres are 358–550; a value in Pa is 1e6× too large)",
                         source: "Shirazi-Adl et al. 1986; upper bound as for moduli",
                         values: { $0.fibreModuli }),
        PlausibilityRule(id: "permeability", unit: "mm⁴/(N·s)", plausible: 1e-10...1e2,
                         message: "of a permeability k0 (mm⁴/(N·s): disc tissue ≈ 1e-4…7e-3; 1e-15 m⁴/(N·s) is 1e-3 mm⁴/(N·s), so a value in m⁴/(N·s) is 1e12× too small)",
                         source: "Argoubi & Shirazi-Adl 1996; Périé et al. 2005",
                         values: { $0.biphasics.map { ($0.path.field("permeability.k0"), $0.definition.permeability.k0) } }),
        PlausibilityRule(id: "fixedChargeDensity", unit: "mEq/L", plausible: -1000...0,
                         message: "of a fixed charge density cF0 (mEq/L = mM: nucleus ≈ −200…−300)",
                         source: "Urban & Maroudas 1979",
                         values: { $0.biphasics.compactMap { b in b.definition.osmotic.map { (b.path.field("osmotic.cF0"), $0.cF0) } } }),
        PlausibilityRule(id: "bathConcentration", unit: "mM", plausible: 1...6100,
                         message: "of a bath salt concentration (mM: physiological saline is 150; 0.15 is mol/L)",
                         source: "NaCl solubility ≈ 6.1 mol/kg; Urban & Maroudas 1979",
                         values: { $0.biphasics.compactMap { b in b.definition.osmotic.map { (b.path.field("osmotic.bath"), $0.bath) } } }),
        PlausibilityRule(id: "osmoticTemperature", unit: "K", plausible: 270...330,
                         message: "of an osmotic temperature (kelvin: body temperature is 310 K, a laboratory 293 K; 37 looks like °C)",
                         source: "liquid water at 1 atm; body temperature",
                         values: { $0.biphasics.compactMap { b in b.definition.osmotic.map { (b.path.field("osmotic.T"), $0.T) } } }),
        PlausibilityRule(id: "pressure", unit: "MPa", plausible: -1000...1000,
                         message: "of a pressure or traction (MPa: lying nucleus pressure ≈ 0.1; a value in Pa or kPa is 1e6× or 1e3× too large)",
                         source: "Reilly & Burstein 1975 (cortical bone strength 193 MPa)",
                         values: { $0.pressures }),
        PlausibilityRule(id: "force", unit: "N", plausible: -1e5...1e5,
                         message: "of a force component (N: traction protocols pull ≤ 900 N; a motion segment fails at 5–10 kN)",
                         source: "stated engineering range; Brinckmann et al. 1989",
                         values: { $0.forces }),
        PlausibilityRule(id: "smallStrain", unit: "1", plausible: 0...0.1,
                         message: "of the nominal strain a prescribed displacement imposes (|value × curve maximum| / the mesh's extent along that component) with small-strain kinematics, accurate to a few % strain: use \"kinematics\": \"finiteStrain\" (Kinematics.finiteStrain) or check the value (mm)",
                         source: "stated engineering range (½ε² is 5 % of ε at ε = 0.1)",
                         values: { $0.prescribedStrains }),
        PlausibilityRule(id: "meshSize", unit: "mm", plausible: 0.1...2000,
                         message: "of the mesh's largest bounding-box edge (mm: a lumbar disc is ≈ 40 mm across; a model in metres is 1000× too small)",
                         source: "stated engineering range",
                         values: { input in input.extent.map { e in [(input.model.rootPath.key("mesh"), e.max())] } ?? [] }),
        PlausibilityRule(id: "diffusivity", unit: "mm²/s", plausible: 1e-7...1e-2,
                         message: "of a solute diffusivity (mm²/s: glucose in water ≈ 9e-4; a value in cm²/s is 100× too small, in m²/s 1e6× too small)",
                         source: "Jackson et al. 2008; Yuan et al. 2009",
                         values: { $0.diffusivities }),
    ]
}

extension Model {
    /// Plausibility warnings for this model (see ``PlausibilityRule/all`` for the ranges and
    /// their sources), in the table's order. A generated mesh's size is checked from its
    /// generator; a Gmsh mesh's when a ``Simulation`` has read it.
    public func plausibilityWarnings() -> [PlausibilityWarning] {
        plausibilityWarnings(extent: mesh.generatedExtent)
    }

    /// Plausibility warnings with the mesh's bounding-box edge lengths (mm) when known.
    func plausibilityWarnings(extent: SIMD3<Double>?) -> [PlausibilityWarning] {
        let input = PlausibilityInput(model: self, extent: extent)
        return PlausibilityRule.all.flatMap { $0.check(input) }
    }

    /// Throws the first plausibility warning as an error (for strict checking in code or CI).
    /// - Throws: ``ModelError`` of kind ``ModelError/Kind/implausible`` naming the path, the value and the range.
    public func checkPlausibility() throws {
        if let first = plausibilityWarnings().first { throw first.error }
    }
}

extension MeshSource {
    /// Bounding-box edge lengths (mm) of a generated mesh; nil for a Gmsh file.
    var generatedExtent: SIMD3<Double>? {
        switch self {
        case let .box(_, size, _, _): return size
        case let .cylinder(a, b, height, _, _, _, _, _, _, _): return SIMD3(2 * a, 2 * b, height)
        case let .tube(ri, ro, height, angle, _, _, _, _):
            // r in [ri, ro], θ in [0, angle] (degrees, ≤ 180), z in [0, height].
            let theta = angle * .pi / 180
            let minX = cos(theta) >= 0 ? ri * cos(theta) : ro * cos(theta)
            let maxY = angle >= 90 ? ro : ro * sin(theta)
            return SIMD3(ro - minX, maxY, height)
        case .gmsh: return nil
        }
    }
}

extension SolidDefinition {
    /// The moduli (MPa) with their field names below the solid's path.
    var moduli: [(String, Double)] {
        switch self {
        case let .isotropicElastic(e, _), let .neoHookean(e, _): return [("E", e)]
        case let .orthotropicElastic(c, _):
            return [("E1", c.E1), ("E2", c.E2), ("E3", c.E3), ("G12", c.G12), ("G13", c.G13), ("G23", c.G23)]
        case .fibreReinforced: return []
        }
    }

    /// Poisson's ratio of an isotropic law; nil otherwise.
    var isotropicPoisson: Double? {
        switch self {
        case let .isotropicElastic(_, nu), let .neoHookean(_, nu): return nu
        default: return nil
        }
    }
}

extension PlausibilityInput {
    /// Every solid law (fibre-reinforced matrices included) with the path its fields hang below.
    var solids: [(ModelPath, SolidDefinition)] {
        let root = model.rootPath.key("materials")
        return model.materials.keys.sorted().flatMap { name -> [(ModelPath, SolidDefinition)] in
            let m = model.materials[name]!
            let path = m.solidPath(root.entry(name))
            if let f = m.solid.fibreReinforced { return [(path.appending(.swiftOnly("fibreReinforced")).key("matrix"), f.matrix)] }
            return [(path, m.solid)]
        }
    }

    /// Fibre moduli ξ (MPa) of fibre families and lamellae.
    var fibreModuli: [(ModelPath, Double)] {
        let root = model.rootPath.key("materials")
        return model.materials.keys.sorted().flatMap { name -> [(ModelPath, Double)] in
            let m = model.materials[name]!
            guard let f = m.solid.fibreReinforced else { return [] }
            let path = m.solidPath(root.entry(name)).appending(.swiftOnly("fibreReinforced"))
            if let l = f.lamellae { return [(path.key("lamellae").key("xi"), l.xi)] }
            return f.fibres.enumerated().map { (path.key("fibres").index($0).key("xi"), $1.xi) }
        }
    }

    /// Biphasic materials with the path their mixture fields hang below.
    var biphasics: [(path: ModelPath, definition: BiphasicDefinition)] {
        let root = model.rootPath.key("materials")
        return model.materials.keys.sorted().compactMap { name in
            model.materials[name]!.biphasic.map { (root.entry(name).appending(.swiftOnly("biphasic")), $0) }
        }
    }

    /// Pressures and traction components (MPa) of boundary conditions.
    var pressures: [(ModelPath, Double)] {
        model.boundary.enumerated().flatMap { i, c -> [(ModelPath, Double)] in
            let at = model.rootPath.key("boundary").index(i)
            switch c.kind {
            case let .pressure(p, _): return [(at.key("pressure"), p)]
            case let .fluidPressure(p, _): return [(at.key("fluidPressure"), p)]
            case let .fluidExchange(_, p, _): return [(at.key("fluidExchange").key("pressure"), p)]
            case let .traction(t, _): return (0..<3).map { (at.key("traction").index($0), t[$0]) }
            default: return []
            }
        }
    }

    /// Force components (N) of boundary conditions.
    var forces: [(ModelPath, Double)] {
        model.boundary.enumerated().flatMap { i, c -> [(ModelPath, Double)] in
            let at = model.rootPath.key("boundary").index(i)
            let key: ModelPath
            switch c.kind {
            case .force: key = at.key("force")
            case .nodalForce: key = at.key("nodalForce")
            case .rigid(.loads, _): key = at.key("rigid").key("force")
            default: return []
            }
            guard let f = c.force else { return [] }
            return (0..<3).map { (key.index($0), f[$0]) }
        }
    }

    /// Nominal strains (dimensionless) of prescribed displacement components under small-strain
    /// kinematics: |value × largest |curve value|| / the mesh's extent along the component.
    var prescribedStrains: [(ModelPath, Double)] {
        guard model.kinematics == .smallStrain, let extent else { return [] }
        let names = ["ux", "uy", "uz"]
        return model.boundary.enumerated().flatMap { i, c -> [(ModelPath, Double)] in
            let at = model.rootPath.key("boundary").index(i)
            let scale = c.curve.flatMap { model.curves[$0] }.map { $0.values.map(abs).max() ?? 0 } ?? 1
            let list: [(ModelPath, Int, Double)]
            switch c.kind {
            case let .prescribe(components, _): list = components.map { (at.key("prescribe").key(names[$0.component]), $0.component, $0.value) }
            case let .rigid(.displacement(d), _): list = (0..<3).map { (at.key("rigid").key("displacement").index($0), $0, d[$0]) }
            default: return []
            }
            return list.compactMap { path, k, v in extent[k] > 0 ? (path, abs(v) * scale / extent[k]) : nil }
        }
    }

    /// Diffusivities (mm²/s) of the transport block's constant, anisotropic and Mackie–Meares laws.
    var diffusivities: [(ModelPath, Double)] {
        guard let transport = model.transport else { return [] }
        let root = model.rootPath.key("transport").key("solutes")
        return transport.solutes.flatMap { s in
            s.materials.flatMap { region, material -> [(ModelPath, Double)] in
                let at = root.entry(s.name).key("materials").entry(region).key("diffusivity")
                switch material.diffusivity {
                case let .constant(d): return [(at.key("D"), d)]
                case let .anisotropic(a, t, _): return [(at.key("axial"), a), (at.key("transverse"), t)]
                case let .mackieMeares(d0): return [(at.key("D0"), d0)]
                default: return []
                }
            }
        }
    }
}

extension PlausibilityRule {
    /// The largest `|u_a − u_b| / |X_a − X_b|` over every pair of corners of every cell
    /// (dimensionless): a lower bound of the largest displacement-gradient norm, so of strain
    /// plus rotation. `displacement` holds 3 values (mm) per node in node order.
    static func largestRelativeDisplacement(mesh: Mesh, displacement u: [Double]) -> Double {
        var largest = 0.0
        for c in 0..<mesh.cellCount {
            let nodes = mesh.cellNodes(c)
            let corners = Array(nodes.prefix(mesh.cellType(c).cornerCount))
            for i in corners.indices {
                let a = corners[i], xa = mesh.nodes[a], ua = SIMD3(u[3 * a], u[3 * a + 1], u[3 * a + 2])
                for b in corners[(i + 1)...] {
                    let dx = mesh.nodes[b] - xa
                    let du = SIMD3(u[3 * b], u[3 * b + 1], u[3 * b + 2]) - ua
                    let length = (dx * dx).sum()
                    guard length > 0 else { continue }
                    largest = Swift.max(largest, ((du * du).sum() / length).squareRoot())
                }
            }
        }
        return largest
    }

    /// After a small-strain run: a warning when some cell's corners moved relative to each other
    /// by more than 0.1 of their distance (strain or rotation beyond the small-strain range of the
    /// `smallStrain` rule), whatever the load — force-driven 200 % strain included.
    /// - Parameters:
    ///   - displacement: the final displacement, 3 values (mm) per node.
    static func smallStrainResult(model: Model, mesh: Mesh, displacement: [Double]) -> PlausibilityWarning? {
        guard model.kinematics == .smallStrain else { return nil }
        let largest = largestRelativeDisplacement(mesh: mesh, displacement: displacement)
        let range = 0.0...0.1
        guard !range.contains(largest) else { return nil }
        return PlausibilityWarning(rule: "smallStrainResult", path: model.rootPath.key("kinematics").description, value: largest, plausible: range, unit: "1",
                                   message: "of the largest relative displacement |Δu|/|ΔX| between corners of a cell at the end of the run (strain plus rotation) with small-strain kinematics, accurate to a few % strain: the results are outside the theory's range; use \"kinematics\": \"finiteStrain\" (Kinematics.finiteStrain) or check the loads")
    }
}
