import Foundation
import Biomechanics
import FiniteElements

/// The biphasic part of the model-file format (issue 4), read by ``ModelParser``:
///
/// ```json
/// "np": {"type": "biphasic", "phi0": 0.2,
///        "solid": {"type": "neoHookean", "E": 1.0, "nu": 0.2},
///        "permeability": {"type": "holmesMow", "k0": 1e-3, "alpha": 2, "M": 4},
///        "osmotic": {"cF0": -250, "bath": 150, "T": 310}}
/// ```
/// - `solid`: any solid material of the format, or `{"type": "fibreReinforced",
///   "matrix": {…}, "axes": {…}, "fibres": [{"angle": 30, "xi": 5, "alpha": 2, "beta": 2.5}, …]}`
///   (angle in degrees from the circumferential towards the axial material axis), or instead of
///   `fibres` one family per annulus lamella: `"lamellae": {"count": 2, "angles": [30, -30],
///   "xi": 20, "alpha": 0, "beta": 2}` (optional `inner`/`outer` semi-axes in mm; see
///   ``LamellaeDefinition`` and `AnnulusLamellae`);
/// - `permeability.type`: `constant` (`k0`), `holmesMow` (`k0`, `alpha`, `M`),
///   `exponentialVoidRatio` (`k0`, `M`) — `k0` in mm⁴/(N·s);
/// - `osmotic` (optional): `cF0` fixed charge density (mEq/L, ≤ 0), `bath` (mM), `T` (K, default 310).
///
/// Conditions: `{"surface": "outer", "fluidPressure": 0}` (drained; MPa, optional
/// curve), `{"surface": "top", "fluidFlux": 1e-4}` (inflow, mm/s). Every other
/// surface is impermeable. `{"surface": "top", "fluidExchange": {"conductance": 0.012,
/// "pressure": 0}}`: a semi-permeable surface (outflow `L (p − p_ext)`, `L` in mm/(MPa·s)). Outputs: probe fields `p` (fluid pressure, MPa) and
/// `pressure` (fluid + osmotic: what a needle transducer reads, MPa); surface
/// quantities `fluidFlux` (outflow rate through the drained part of the
/// surface, mm³/s) and `fluidVolume` (volume imbibed through it since t = 0,
/// mm³); region quantity `volumeChange` (∫(J − 1) dV, mm³). Steps: the first may be
/// `{"name": "free swelling", "freeSwelling": {"tolerance": 1e-3, "maxDuration": 1e8},
/// "dt": …, "dtMin": …, "dtMax": …}` (no `duration`; see ``FreeSwellingDefinition``).
extension ModelParser {
    /// Probe / region fields added by biphasic models.
    static let biphasicFields = ["p", "pressure"]
    /// Surface quantities added by biphasic models.
    static let biphasicSurfaceQuantities = ["fluidFlux", "fluidVolume"]
    /// Region quantities added by biphasic models.
    static let biphasicRegionQuantities = ["volumeChange"]

    func parseBiphasicMaterial(_ r: inout JSONReader, path: String) throws -> MaterialDefinition {
        let phi0Path = r.child("phi0")
        let phi0 = try JSONAccess.number(try r.required("phi0"), phi0Path)
        let solidValue = try r.required("solid")
        let solidPath = r.child("solid")
        var sr = try JSONReader(solidValue, path: solidPath)
        let solid: MaterialDefinition
        var lamellae: LamellaeDefinition? = nil
        if case .string("fibreReinforced")? = sr.optional("type") {
            let matrix = try parseMaterial(try sr.required("matrix"), path: sr.child("matrix"))
            guard matrix.biphasic == nil else { throw ModelError(.invalidValue, at: sr.child("matrix"), "expected a solid material, got a biphasic one") }
            let axes = try parseAxes(sr.optional("axes"), path: sr.child("axes"))
            if let lv = sr.optional("lamellae") {
                guard !sr.has("fibres") else {
                    throw ModelError(.invalidValue, at: sr.child("lamellae"), "give either \"fibres\" (every family in every cell) or \"lamellae\" (one family per lamella), not both")
                }
                let (def, nominal) = try parseLamellae(lv, path: sr.child("lamellae"), matrix: matrix.law, axes: axes, axesPath: sr.child("axes"))
                try sr.finish(allowed: ["type", "matrix", "axes", "lamellae"])
                lamellae = def
                solid = MaterialDefinition(type: "fibreReinforced", law: nominal.solid(matrix: matrix.law, lamella: 0), axes: axes)
            } else {
            let list = try JSONAccess.array(try sr.required("fibres"), sr.child("fibres"))
            var fibres: [FibreFamily] = []
            for (i, f) in list.enumerated() {
                var fr = try JSONReader(f, path: "\(sr.child("fibres"))[\(i)]")
                func num(_ k: String) throws -> Double { try JSONAccess.number(try fr.required(k), fr.child(k)) }
                do {
                    fibres.append(try FibreFamily(angleDegrees: try num("angle"), xi: try num("xi"), alpha: try num("alpha"), beta: try num("beta")))
                } catch let BiphasicError.invalidParameter(name, value, expected) {
                    let key = name.replacingOccurrences(of: "fibres.", with: "")
                    throw ModelError(.invalidValue, at: fr.child(key), "expected \(expected), got \(JSONValue.number(value).summary)")
                }
                try fr.finish(allowed: ["angle", "xi", "alpha", "beta"])
            }
            try sr.finish(allowed: ["type", "matrix", "axes", "fibres"])
            solid = MaterialDefinition(type: "fibreReinforced", law: FibreReinforcedSolid(matrix: matrix.law, fibres: fibres), axes: axes)
            }
        } else {
            solid = try parseMaterial(solidValue, path: solidPath)
            guard solid.biphasic == nil else { throw ModelError(.invalidValue, at: solidPath, "expected a solid material, got a biphasic one") }
        }
        var pr = try JSONReader(try r.required("permeability"), path: r.child("permeability"))
        let ptype = try JSONAccess.choice(try pr.required("type"), pr.child("type"), ["constant", "holmesMow", "exponentialVoidRatio"])
        func pnum(_ k: String) throws -> Double { try JSONAccess.number(try pr.required(k), pr.child(k)) }
        let permeability: Permeability
        switch ptype {
        case "constant": permeability = .constant(k0: try pnum("k0")); try pr.finish(allowed: ["type", "k0"])
        case "holmesMow":
            permeability = .holmesMow(k0: try pnum("k0"), alpha: try pnum("alpha"), M: try pnum("M")); try pr.finish(allowed: ["type", "k0", "alpha", "M"])
        default: permeability = .exponentialVoidRatio(k0: try pnum("k0"), M: try pnum("M")); try pr.finish(allowed: ["type", "k0", "M"])
        }
        var osmosis: DonnanOsmosis? = nil
        let osmoticPath = r.child("osmotic")
        do {
            if let o = r.optional("osmotic") {
                var or = try JSONReader(o, path: osmoticPath)
                func onum(_ k: String) throws -> Double { try JSONAccess.number(try or.required(k), or.child(k)) }
                let t = try or.optional("T").map { try JSONAccess.number($0, or.child("T")) } ?? 310
                osmosis = try DonnanOsmosis(fixedChargeDensity: try onum("cF0"), bathConcentration: try onum("bath"), temperature: t)
                try or.finish(allowed: ["cF0", "bath", "T"])
            }
            try r.finish(allowed: ["type", "phi0", "solid", "permeability", "osmotic"])
            let mixture = try BiphasicMaterial(solid: solid.law, permeability: permeability, solidVolumeFraction: phi0, osmosis: osmosis)
            return MaterialDefinition(type: "biphasic", law: solid.law, axes: solid.axes, biphasic: mixture, lamellae: lamellae)
        } catch let BiphasicError.invalidParameter(name, value, expected) {
            // Map the law's field name to the JSON path.
            let at: String
            if name == "phi0" { at = phi0Path }
            else if name.hasPrefix("permeability.") { at = "\(path).\(name)" }
            else if name.hasPrefix("osmotic.") { at = "\(path).\(name)" }
            else { at = "\(path).\(name)" }
            throw ModelError(.invalidValue, at: at, "expected \(expected), got \(JSONValue.number(value).summary)")
        }
    }

    /// `lamellae` of a `fibreReinforced` solid: `{"count": N, "angles": [30, -30], "xi": …,
    /// "alpha": …, "beta": …, "inner": [ai, bi], "outer": [a, b]}` (semi-axes in mm, optional
    /// for a generated cylinder/ellipticCylinder mesh with an `inner` region). The axes must be
    /// cylindrical about z (their origin is the ellipses' centre).
    /// Returns the definition and the lamellae on placeholder ellipses (fibre law validated).
    func parseLamellae(_ v: JSONValue, path: String, matrix: any SolidMaterial, axes: MaterialAxes, axesPath: String) throws -> (LamellaeDefinition, AnnulusLamellae) {
        var r = try JSONReader(v, path: path)
        guard case let .cylindrical(origin, axis) = axes else {
            throw ModelError(.invalidValue, at: axesPath, "lamellae need cylindrical material axes about the disc axis, e.g. {\"type\": \"cylindrical\", \"origin\": [0, 0, 0], \"axis\": [0, 0, 1]}")
        }
        guard axis.0 == 0, axis.1 == 0 else {
            throw ModelError(.invalidValue, at: axesPath + ".axis", "lamellae are concentric ellipses in the x–y plane: expected an axis along z, [0, 0, 1], got [\(axis.0), \(axis.1), \(axis.2)]")
        }
        let countValue = try JSONAccess.number(try r.required("count"), r.child("count"))
        guard countValue >= 1, countValue == countValue.rounded(), countValue <= 10_000 else {
            throw ModelError(.invalidValue, at: r.child("count"), "expected a whole number of lamellae ≥ 1, got \(JSONValue.number(countValue).summary)")
        }
        let list = try JSONAccess.array(try r.required("angles"), r.child("angles"))
        guard !list.isEmpty else {
            throw ModelError(.invalidValue, at: r.child("angles"), "expected a non-empty list of fibre angles in degrees, cycled from the innermost lamella outwards (e.g. [30, -30]), got []")
        }
        let angles = try list.enumerated().map { try JSONAccess.number($1, "\(r.child("angles"))[\($0)]") }
        func num(_ k: String) throws -> Double { try JSONAccess.number(try r.required(k), r.child(k)) }
        let xi = try num("xi"), alpha = try num("alpha"), beta = try num("beta")
        func axes2(_ k: String) throws -> SIMD2<Double>? {
            guard let value = r.optional(k) else { return nil }
            let pair = try JSONAccess.array(value, r.child(k))
            guard pair.count == 2 else { throw ModelError(.invalidValue, at: r.child(k), "expected two semi-axes [along x, along y] (mm), got \(pair.count) numbers") }
            let v = SIMD2(try JSONAccess.positive(pair[0], "\(r.child(k))[0]"), try JSONAccess.positive(pair[1], "\(r.child(k))[1]"))
            return v
        }
        let inner = try axes2("inner"), outer = try axes2("outer")
        guard (inner == nil) == (outer == nil) else {
            throw ModelError(.missingKey, at: path, "give both \"inner\" and \"outer\" semi-axes (mm), or neither (taken from a generated cylinder mesh)")
        }
        try r.finish(allowed: ["count", "angles", "xi", "alpha", "beta", "inner", "outer"])
        let def = LamellaeDefinition(count: Int(countValue), angles: angles, xi: xi, alpha: alpha, beta: beta, inner: inner, outer: outer,
                                     centre: SIMD2(origin.0, origin.1), matrix: matrix, path: path)
        // Validate the fibre law and the geometry now (with placeholder ellipses when they come from the mesh).
        return (def, try def.resolve(inner: inner ?? SIMD2(1, 1), outer: outer ?? SIMD2(2, 2)))
    }

    /// A free-swelling step: `{"name": …, "freeSwelling": {"tolerance": 1e-3, "maxDuration": 1e7},
    /// "dt": …, "dtMin": …, "dtMax": …}` — no `duration` (it takes no model time).
    func parseFreeSwellingStep(_ r: inout JSONReader, name: String, path: String) throws -> StepDefinition {
        guard !r.has("duration") else {
            throw ModelError(.invalidValue, at: r.child("duration"), "a free-swelling step runs until equilibrium and takes no model time: remove \"duration\" (\"freeSwelling.maxDuration\" caps its pseudo-time)")
        }
        var fr = try JSONReader(try r.required("freeSwelling"), path: r.child("freeSwelling"))
        let tolerance = try JSONAccess.number(try fr.required("tolerance"), fr.child("tolerance"))
        guard tolerance > 0, tolerance < 1 else {
            throw ModelError(.invalidValue, at: fr.child("tolerance"), "expected a relative equilibrium tolerance in (0, 1) on max |p − p_bath| / Δπ_ref, e.g. 1e-3, got \(JSONValue.number(tolerance).summary)")
        }
        let maxDuration = try JSONAccess.positive(try fr.required("maxDuration"), fr.child("maxDuration"))
        try fr.finish(allowed: ["tolerance", "maxDuration"])
        let dtMax = try JSONAccess.positive(try r.required("dtMax"), r.child("dtMax"))
        let dtMin = try JSONAccess.positive(try r.required("dtMin"), r.child("dtMin"))
        guard dtMin <= dtMax else { throw ModelError(.invalidValue, at: r.child("dtMin"), "expected ≤ dtMax = \(dtMax) s, got \(dtMin)") }
        let dt = try r.optional("dt").map { try JSONAccess.positive($0, r.child("dt")) } ?? dtMax
        guard dt >= dtMin, dt <= dtMax else { throw ModelError(.invalidValue, at: r.child("dt"), "expected a number in [dtMin, dtMax] = [\(dtMin), \(dtMax)] s, got \(dt)") }
        try r.finish(allowed: ["name", "freeSwelling", "dt", "dtMin", "dtMax"])
        return StepDefinition(name: name, duration: 0, initialStep: dt, minStep: dtMin, maxStep: dtMax,
                              freeSwelling: FreeSwellingDefinition(tolerance: tolerance, maxDuration: maxDuration, path: fr.path))
    }

    /// Fluid conditions and outputs need at least one biphasic material.
    static func checkBiphasicUse(materials: [String: MaterialDefinition], boundary: [BoundaryCondition], outputs: OutputDefinition,
                                 steps: [StepDefinition] = []) throws {
        guard !materials.values.contains(where: { $0.biphasic != nil }) else { return }
        if let i = steps.firstIndex(where: { $0.freeSwelling != nil }) {
            throw ModelError(.invalidValue, at: "steps[\(i)].freeSwelling", "free swelling needs a biphasic material with a fixed charge (type \"biphasic\", osmotic block)")
        }
        for c in boundary {
            switch c.kind {
            case .fluidPressure, .fluidFlux, .fluidExchange: throw ModelError(.invalidValue, at: c.path, "fluid conditions need a biphasic material (type \"biphasic\")")
            default: break
            }
        }
        for p in outputs.probes where biphasicFields.contains(p.field) {
            throw ModelError(.invalidValue, at: p.path + ".field", "field \"\(p.field)\" needs a biphasic material")
        }
        for s in outputs.surfaces where biphasicSurfaceQuantities.contains(s.quantity) {
            throw ModelError(.invalidValue, at: s.path + ".quantity", "quantity \"\(s.quantity)\" needs a biphasic material")
        }
        for s in outputs.regions where biphasicRegionQuantities.contains(s.quantity) {
            throw ModelError(.invalidValue, at: s.path + ".quantity", "quantity \"\(s.quantity)\" needs a biphasic material")
        }
    }
}

extension Model {
    /// True when a region uses a biphasic material (run it with ``BiphasicSimulation``).
    public var isBiphasic: Bool { regions.contains { materials[$0.material]?.biphasic != nil } }
}

/// The `lamellae` block of a `fibreReinforced` solid as written in a model file (see
/// ``AnnulusLamellae``); the ellipses come from the block or from the generated mesh.
public struct LamellaeDefinition: Sendable {
    /// Number of lamellae (≥ 1).
    public var count: Int
    /// Fibre angles (degrees) cycled from the innermost lamella outwards.
    public var angles: [Double]
    /// Fibre law `ξ` (MPa), `α`, `β` (dimensionless), the same in every lamella.
    public var xi: Double, alpha: Double, beta: Double
    /// Inner and outer semi-axes (mm, x and y); nil: from the generated mesh.
    public var inner: SIMD2<Double>?, outer: SIMD2<Double>?
    /// Centre of the ellipses (mm): the cylindrical axes' origin.
    public var centre: SIMD2<Double>
    /// The ground matrix.
    public var matrix: any SolidMaterial
    /// JSON path of the block, for errors found when the mesh is known.
    public var path: String

    /// The lamellae with the given ellipses.
    /// - Throws: ``ModelError`` naming the offending field under ``path``.
    public func resolve(inner: SIMD2<Double>, outer: SIMD2<Double>) throws -> AnnulusLamellae {
        do {
            return try AnnulusLamellae(count: count, angles: angles, xi: xi, alpha: alpha, beta: beta,
                                       innerSemiAxes: inner, outerSemiAxes: outer, centre: centre)
        } catch let BiphasicError.invalidParameter(name, value, expected) {
            let field = name.replacingOccurrences(of: "lamellae.", with: "")
            throw ModelError(.invalidValue, at: "\(path).\(field)", "expected \(expected), got \(JSONValue.number(value).summary)")
        }
    }

    /// The lamellae on `mesh`: the block's ellipses, or for a generated (elliptic) cylinder with
    /// an inner region, inner = fraction × (a, b), outer = (a, b).
    /// - Throws: ``ModelError`` at ``path`` when the ellipses are neither given nor generated.
    public func resolve(mesh: MeshSource) throws -> AnnulusLamellae {
        if let inner, let outer { return try resolve(inner: inner, outer: outer) }
        guard case let .cylinder(a, b, _, innerName, fraction, _, _, _, _) = mesh, innerName != nil else {
            throw ModelError(.missingKey, at: path, "expected \"inner\" and \"outer\" semi-axes [along x, along y] (mm): the mesh is not a generated cylinder with an inner region")
        }
        return try resolve(inner: SIMD2(fraction * a, fraction * b), outer: SIMD2(a, b))
    }

}
