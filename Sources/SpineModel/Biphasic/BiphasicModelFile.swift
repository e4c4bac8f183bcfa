import Foundation
import Biomechanics
import FiniteElements

/// The biphasic part of the model-file format, read by ``ModelParser``:
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
        let phi0 = try JSONAccess.number(try r.required("phi0"), r.child("phi0"))
        let solidPath = r.child("solid")
        var sr = try JSONReader(try r.required("solid"), path: solidPath)
        let solidType = try JSONAccess.choice(try sr.required("type"), sr.child("type"), ["isotropicElastic", "orthotropicElastic", "neoHookean", "fibreReinforced", "biphasic"])
        let solid: SolidDefinition
        switch solidType {
        case "biphasic":
            throw ModelError(.invalidValue, at: solidPath, "expected a solid material, got a biphasic one")
        case "fibreReinforced":
            var mr = try JSONReader(try sr.required("matrix"), path: sr.child("matrix"))
            let matrixType = try JSONAccess.choice(try mr.required("type"), mr.child("type"), ["isotropicElastic", "orthotropicElastic", "neoHookean", "biphasic"])
            guard matrixType != "biphasic" else { throw ModelError(.invalidValue, at: sr.child("matrix"), "expected a solid material, got a biphasic one") }
            let matrix = try parseSolid(&mr, type: matrixType)
            let axes = try parseAxes(sr.optional("axes"), path: sr.child("axes"))
            if let lv = sr.optional("lamellae") {
                guard !sr.has("fibres") else {
                    throw ModelError(.invalidValue, at: sr.child("lamellae"), "give either \"fibres\" (every family in every cell) or \"lamellae\" (one family per lamella), not both")
                }
                let lamellae = try parseLamellae(lv, path: sr.child("lamellae"))
                try sr.finish(allowed: ["type", "matrix", "axes", "lamellae"])
                solid = .fibreReinforced(FibreReinforcedDefinition(matrix: matrix, axes: axes, lamellae: lamellae))
            } else {
                let list = try JSONAccess.array(try sr.required("fibres"), sr.child("fibres"))
                var fibres: [FibreDefinition] = []
                for (i, f) in list.enumerated() {
                    var fr = try JSONReader(f, path: "\(sr.child("fibres"))[\(i)]")
                    func num(_ k: String) throws -> Double { try JSONAccess.number(try fr.required(k), fr.child(k)) }
                    fibres.append(FibreDefinition(angle: try num("angle"), xi: try num("xi"), alpha: try num("alpha"), beta: try num("beta")))
                    try fr.finish(allowed: ["angle", "xi", "alpha", "beta"])
                }
                try sr.finish(allowed: ["type", "matrix", "axes", "fibres"])
                solid = .fibreReinforced(FibreReinforcedDefinition(matrix: matrix, axes: axes, fibres: fibres))
            }
        default:
            solid = try parseSolid(&sr, type: solidType)
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
        var osmotic: OsmoticDefinition? = nil
        if let o = r.optional("osmotic") {
            var or = try JSONReader(o, path: r.child("osmotic"))
            func onum(_ k: String) throws -> Double { try JSONAccess.number(try or.required(k), or.child(k)) }
            let t = try or.optional("T").map { try JSONAccess.number($0, or.child("T")) } ?? 310
            osmotic = OsmoticDefinition(cF0: try onum("cF0"), bath: try onum("bath"), T: t)
            try or.finish(allowed: ["cF0", "bath", "T"])
        }
        try r.finish(allowed: ["type", "phi0", "solid", "permeability", "osmotic"])
        return .biphasic(phi0: phi0, solid: solid, permeability: permeability, osmotic: osmotic)
    }

    /// `lamellae` of a `fibreReinforced` solid: `{"count": N, "angles": [30, -30], "xi": …,
    /// "alpha": …, "beta": …, "inner": [ai, bi], "outer": [a, b]}` (semi-axes in mm, optional
    /// for a generated cylinder/ellipticCylinder mesh with an `inner` region). The axes must be
    /// cylindrical about z (their origin is the ellipses' centre; checked by validation).
    func parseLamellae(_ v: JSONValue, path: String) throws -> LamellaeDefinition {
        var r = try JSONReader(v, path: path)
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
            return SIMD2(try JSONAccess.positive(pair[0], "\(r.child(k))[0]"), try JSONAccess.positive(pair[1], "\(r.child(k))[1]"))
        }
        let inner = try axes2("inner"), outer = try axes2("outer")
        try r.finish(allowed: ["count", "angles", "xi", "alpha", "beta", "inner", "outer"])
        return LamellaeDefinition(count: Int(countValue), angles: angles, xi: xi, alpha: alpha, beta: beta, inner: inner, outer: outer)
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
        var step = StepDefinition.freeSwelling(name: name, tolerance: tolerance, maxDuration: maxDuration, initialStep: dt, minStep: dtMin, maxStep: dtMax)
        step.freeSwelling!.path = fr.path
        return step
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
    /// True when a region uses a biphasic material.
    public var isBiphasic: Bool { regions.contains { materials[$0.material]?.biphasic != nil } }
}

