import Foundation
import Biomechanics
import FiniteElements

/// The optional `transport` block of a model file: solutes (O₂, glucose, lactate, …)
/// on regions, reactions, solute boundary conditions and outputs. Concentrations in
/// mM (mmol/L), diffusivities in mm²/s, fluxes in mM·mm/s (1e-6 mmol/(mm²·s)), times in s.
///
/// ```json
/// "transport": {
///   "solutes": {"glucose": {"unit": "mM", "initial": 4,
///                "materials": {"all": {"diffusivity": {"type": "constant", "D": 9.3e-4}}}}},
///   "reactions": [{"region": "all", "type": "michaelisMenten", "solute": "glucose", "Vmax": 4e-4, "Km": 0.5}],
///   "boundary": [{"solute": "glucose", "surface": "x-", "concentration": 4}],
///   "steadyStart": true, "timeStep": 60,
///   "outputs": {"probes": [{"name": "cMid", "solute": "glucose", "at": [2.5, 0.5, 0.5]}],
///               "regions": [{"name": "gluAll", "solute": "glucose", "region": "all"}],
///               "surfaces": [{"name": "gluIn", "solute": "glucose", "surface": "x-"}],
///               "viable": [{"name": "viable", "reaction": 0}]}
/// }
/// ```
public struct TransportDefinition: Sendable, Equatable {
    /// The solutes, in file order.
    public var solutes: [Solute]
    /// Reactions by region, in file order (a cell takes the first listed region containing it).
    public var reactions: [(region: String, reaction: any SoluteReaction)]
    /// Solute boundary conditions, with their JSON paths.
    public var boundary: [(condition: SoluteBoundaryCondition, path: String)]
    /// Solve the steady state before the first step (the initial state of a transient run).
    public var steadyStart: Bool
    /// Fixed backward-Euler time step (s) of the transport in steps that give no
    /// ``StepDefinition/transportTimeStep`` of their own; nil when every such step does (or the
    /// model is biphasic: the mechanics choose the steps).
    public var timeStep: Double?
    /// Outputs.
    public var outputs: Outputs

    /// A transport block; `timeStep` in s.
    public init(solutes: [Solute], reactions: [(region: String, reaction: any SoluteReaction)] = [],
                boundary: [SoluteBoundaryCondition], steadyStart: Bool = false, timeStep: Double? = nil, outputs: Outputs = Outputs()) {
        self.solutes = solutes; self.reactions = reactions
        self.boundary = boundary.enumerated().map { ($1, "transport.boundary[\($0)]") }
        self.steadyStart = steadyStart; self.timeStep = timeStep; self.outputs = outputs
    }

    /// Equal blocks: the same solutes, reactions (of the library's reaction types), conditions,
    /// time step and outputs (JSON paths are not compared).
    public static func == (a: TransportDefinition, b: TransportDefinition) -> Bool {
        func same(_ x: any SoluteReaction, _ y: any SoluteReaction) -> Bool {
            if let x = x as? MichaelisMentenUptake, let y = y as? MichaelisMentenUptake { return x == y }
            if let x = x as? DiscCellMetabolism, let y = y as? DiscCellMetabolism { return x == y }
            return false
        }
        return a.solutes == b.solutes && a.reactions.count == b.reactions.count
            && zip(a.reactions, b.reactions).allSatisfy { $0.region == $1.region && same($0.reaction, $1.reaction) }
            && a.boundary.map(\.condition) == b.boundary.map(\.condition)
            && a.steadyStart == b.steadyStart && a.timeStep == b.timeStep && a.outputs == b.outputs
    }

    /// Transport outputs.
    public struct Outputs: Sendable, Equatable {
        /// Concentration at a point (mM): `(name, solute, point mm, JSON path)`.
        public var probes: [(name: String, solute: String, at: SIMD3<Double>, path: String)] = []
        /// Average/min/max (mM) of a solute over a region.
        public var regions: [(name: String, solute: String, region: String, path: String)] = []
        /// Inflow rate (mmol/s) through a surface and its time integral (mmol).
        public var surfaces: [(name: String, solute: String, surface: String, path: String)] = []
        /// Viable volume fraction over a region (nil: all) by the thresholds of a
        /// `discCellMetabolism` reaction (index into the reactions list).
        public var viable: [(name: String, reaction: Int, region: String?, path: String)] = []

        /// No outputs.
        public init() {}

        /// Equal entries in the same order (JSON paths are not compared).
        public static func == (a: Outputs, b: Outputs) -> Bool {
            a.probes.map(\.name) == b.probes.map(\.name) && a.probes.map(\.solute) == b.probes.map(\.solute) && a.probes.map(\.at) == b.probes.map(\.at)
                && a.regions.map(\.name) == b.regions.map(\.name) && a.regions.map(\.solute) == b.regions.map(\.solute) && a.regions.map(\.region) == b.regions.map(\.region)
                && a.surfaces.map(\.name) == b.surfaces.map(\.name) && a.surfaces.map(\.solute) == b.surfaces.map(\.solute) && a.surfaces.map(\.surface) == b.surfaces.map(\.surface)
                && a.viable.map(\.name) == b.viable.map(\.name) && a.viable.map(\.reaction) == b.viable.map(\.reaction) && a.viable.map(\.region) == b.viable.map(\.region)
        }
    }
}

/// Parser of the `transport` block; every error is a ``ModelError`` naming the JSON path.
enum TransportParser {
    static func parse(_ v: JSONValue) throws -> TransportDefinition {
        var r = try JSONReader(v, path: "transport")
        var sr = try JSONReader(try r.required("solutes"), path: "transport.solutes")
        var solutes: [Solute] = []
        for name in sr.keys {
            let path = sr.child(name)
            var s = try JSONReader(sr.optional(name)!, path: path)
            let unit = try JSONAccess.string(try s.required("unit"), s.child("unit"))
            guard unit == "mM" else { throw ModelError(.units, at: s.child("unit"), "expected \"mM\" (mmol/L = mol/m³; give O₂ in mM with its solubility), got \"\(unit)\"") }
            let initial = try s.optional("initial").map { try JSONAccess.nonNegative($0, s.child("initial")) } ?? 0
            var mr = try JSONReader(try s.required("materials"), path: s.child("materials"))
            var materials: [(String, SoluteMaterial)] = []
            for region in mr.keys {
                materials.append((region, try material(mr.optional(region)!, path: mr.child(region))))
            }
            try mr.finish(allowed: mr.keys)
            guard !materials.isEmpty else { throw ModelError(.invalidValue, at: s.child("materials"), "expected at least one region") }
            try s.finish(allowed: ["unit", "initial", "materials"])
            solutes.append(Solute(name: name, materials: materials, initialConcentration: initial, unit: unit))
        }
        guard !solutes.isEmpty else { throw ModelError(.invalidValue, at: "transport.solutes", "expected at least one solute") }
        let names = solutes.map(\.name)
        func solute(_ v: JSONValue, _ path: String) throws -> String {
            let s = try JSONAccess.string(v, path)
            guard names.contains(s) else { throw ModelError(.unknownName, at: path, "unknown solute \"\(s)\"; defined: \(names.joined(separator: ", "))") }
            return s
        }
        var reactions: [(String, any SoluteReaction)] = []
        let reactionsItems: [JSONValue] = try r.optional("reactions").map { try JSONAccess.array($0, "transport.reactions") } ?? []
        for (i, item) in reactionsItems.enumerated() {
            let path = "transport.reactions[\(i)]"
            var x = try JSONReader(item, path: path)
            let region = try JSONAccess.string(try x.required("region"), x.child("region"))
            let type = try JSONAccess.choice(try x.required("type"), x.child("type"), ["michaelisMenten", "discCellMetabolism"])
            if type == "michaelisMenten" {
                let s = try solute(try x.required("solute"), x.child("solute"))
                let vmax = try JSONAccess.nonNegative(try x.required("Vmax"), x.child("Vmax"))
                let km = try JSONAccess.number(try x.required("Km"), x.child("Km"))
                guard km > 0 else { throw ModelError(.invalidValue, at: x.child("Km"), "expected a half-saturation concentration > 0 mM, got \(km)") }
                try x.finish(allowed: ["region", "type", "solute", "Vmax", "Km"])
                reactions.append((region, MichaelisMentenUptake(solute: s, maximumRate: vmax, halfSaturation: km)))
            } else {
                var m = DiscCellMetabolism(cellDensity: try JSONAccess.nonNegative(try x.required("cellDensity"), x.child("cellDensity")))
                if let o = x.optional("oxygen") { m.oxygen = try solute(o, x.child("oxygen")) }
                if let g = x.optional("glucose") { m.glucose = try solute(g, x.child("glucose")) }
                if let l = x.optional("lactate") { m.lactate = try solute(l, x.child("lactate")) }
                for s in m.species where !names.contains(s) {
                    throw ModelError(.unknownName, at: path, "the metabolism reads solute \"\(s)\", which is not defined (set \"oxygen\"/\"glucose\"/\"lactate\")")
                }
                if let a = x.optional("oxygenSolubility") { m.oxygenSolubility = try JSONAccess.positive(a, x.child("oxygenSolubility")) }
                if let k = x.optional("glucoseHalfSaturation") { m.glucoseHalfSaturation = try JSONAccess.positive(k, x.child("glucoseHalfSaturation")) }
                // The kinetic constants (defaults: Bibby 2005 via the cited implementation, see DiscCellMetabolism).
                let positive: [(String, WritableKeyPath<DiscCellMetabolism, Double>)] = [
                    ("oxygenHalfSaturation", \.oxygenHalfSaturation), ("pHPerLactate", \.pHPerLactate)]
                let nonNegative: [(String, WritableKeyPath<DiscCellMetabolism, Double>)] = [
                    ("oxygenRateCoefficient", \.oxygenRateCoefficient), ("oxygenHalfSaturationPerPH", \.oxygenHalfSaturationPerPH),
                    ("glucoseDeathThreshold", \.glucoseDeathThreshold)]
                let any: [(String, WritableKeyPath<DiscCellMetabolism, Double>)] = [
                    ("oxygenPHThreshold", \.oxygenPHThreshold), ("pHAtZeroLactate", \.pHAtZeroLactate), ("pHDeathThreshold", \.pHDeathThreshold)]
                for (key, kp) in positive { if let v = x.optional(key) { m[keyPath: kp] = try JSONAccess.positive(v, x.child(key)) } }
                for (key, kp) in nonNegative { if let v = x.optional(key) { m[keyPath: kp] = try JSONAccess.nonNegative(v, x.child(key)) } }
                for (key, kp) in any { if let v = x.optional(key) { m[keyPath: kp] = try JSONAccess.number(v, x.child(key)) } }
                if let v = x.optional("lactateCoefficients") {
                    let lp = x.child("lactateCoefficients")
                    let list = try JSONAccess.array(v, lp)
                    guard list.count == 4 else {
                        throw ModelError(.invalidValue, at: lp, "expected 4 numbers (a0, a_pH, a_P per kPa, a_P² per kPa²) of exp(a0 + a_pH·pH + a_P·P + a_P²·P²), got \(list.count)")
                    }
                    m.lactateCoefficients = SIMD4(try list.enumerated().map { try JSONAccess.number($1, "\(lp)[\($0)]") })
                }
                try x.finish(allowed: ["region", "type", "cellDensity", "oxygen", "glucose", "lactate", "oxygenSolubility", "glucoseHalfSaturation",
                                       "oxygenRateCoefficient", "oxygenPHThreshold", "oxygenHalfSaturation", "oxygenHalfSaturationPerPH",
                                       "lactateCoefficients", "pHAtZeroLactate", "pHPerLactate", "glucoseDeathThreshold", "pHDeathThreshold"])
                reactions.append((region, m))
            }
        }
        var boundary: [(SoluteBoundaryCondition, String)] = []
        for (i, item) in try JSONAccess.array(try r.required("boundary"), "transport.boundary").enumerated() {
            let path = "transport.boundary[\(i)]"
            var b = try JSONReader(item, path: path)
            let s = try solute(try b.required("solute"), b.child("solute"))
            let surface = try JSONAccess.string(try b.required("surface"), b.child("surface"))
            if let c = b.optional("concentration") {
                boundary.append((.concentration(solute: s, surface: surface, value: try JSONAccess.nonNegative(c, b.child("concentration"))), path))
                try b.finish(allowed: ["solute", "surface", "concentration"])
            } else if let f = b.optional("flux") {
                boundary.append((.flux(solute: s, surface: surface, inflow: try JSONAccess.number(f, b.child("flux"))), path))
                try b.finish(allowed: ["solute", "surface", "flux"])
            } else if let e = b.optional("exchange") {
                var x = try JSONReader(e, path: b.child("exchange"))
                let value = try JSONAccess.nonNegative(try x.required("value"), x.child("value"))
                let fraction = try JSONAccess.nonNegative(try x.required("openFraction"), x.child("openFraction"))
                guard fraction <= 1 else { throw ModelError(.invalidValue, at: x.child("openFraction"), "expected a fraction in [0, 1], got \(fraction)") }
                let centre = try x.optional("centre").map { try JSONAccess.vector3($0, x.child("centre")) }
                try x.finish(allowed: ["value", "openFraction", "centre"])
                try b.finish(allowed: ["solute", "surface", "exchange"])
                boundary.append((.exchange(solute: s, surface: surface, value: value, openFraction: fraction, centre: centre), path))
            } else {
                throw ModelError(.missingKey, at: path, "expected one of \"concentration\" (mM), \"flux\" (mM·mm/s) or \"exchange\"")
            }
        }
        let steady = try r.optional("steadyStart").map { try JSONAccess.bool($0, "transport.steadyStart") } ?? false
        let dt = try r.optional("timeStep").map { try JSONAccess.positive($0, "transport.timeStep") }
        var outputs = TransportDefinition.Outputs()
        if let o = r.optional("outputs") {
            var or = try JSONReader(o, path: "transport.outputs")
            let probesItems: [JSONValue] = try or.optional("probes").map { try JSONAccess.array($0, "transport.outputs.probes") } ?? []
        for (i, item) in probesItems.enumerated() {
                var p = try JSONReader(item, path: "transport.outputs.probes[\(i)]")
                outputs.probes.append((try JSONAccess.string(try p.required("name"), p.child("name")), try solute(try p.required("solute"), p.child("solute")),
                                       try JSONAccess.vector3(try p.required("at"), p.child("at")), p.path))
                try p.finish(allowed: ["name", "solute", "at"])
            }
            let regionsItems: [JSONValue] = try or.optional("regions").map { try JSONAccess.array($0, "transport.outputs.regions") } ?? []
        for (i, item) in regionsItems.enumerated() {
                var p = try JSONReader(item, path: "transport.outputs.regions[\(i)]")
                outputs.regions.append((try JSONAccess.string(try p.required("name"), p.child("name")), try solute(try p.required("solute"), p.child("solute")),
                                        try JSONAccess.string(try p.required("region"), p.child("region")), p.path))
                try p.finish(allowed: ["name", "solute", "region"])
            }
            let surfacesItems: [JSONValue] = try or.optional("surfaces").map { try JSONAccess.array($0, "transport.outputs.surfaces") } ?? []
        for (i, item) in surfacesItems.enumerated() {
                var p = try JSONReader(item, path: "transport.outputs.surfaces[\(i)]")
                outputs.surfaces.append((try JSONAccess.string(try p.required("name"), p.child("name")), try solute(try p.required("solute"), p.child("solute")),
                                         try JSONAccess.string(try p.required("surface"), p.child("surface")), p.path))
                try p.finish(allowed: ["name", "solute", "surface"])
            }
            let viableItems: [JSONValue] = try or.optional("viable").map { try JSONAccess.array($0, "transport.outputs.viable") } ?? []
        for (i, item) in viableItems.enumerated() {
                var p = try JSONReader(item, path: "transport.outputs.viable[\(i)]")
                let k = try JSONAccess.integer(try p.required("reaction"), p.child("reaction"), minimum: 0)
                guard k < reactions.count, reactions[k].1 is DiscCellMetabolism else {
                    throw ModelError(.invalidValue, at: p.child("reaction"), "expected the index of a discCellMetabolism reaction, got \(k)")
                }
                let region = try p.optional("region").map { try JSONAccess.string($0, p.child("region")) }
                outputs.viable.append((try JSONAccess.string(try p.required("name"), p.child("name")), k, region, p.path))
                try p.finish(allowed: ["name", "reaction", "region"])
            }
            try or.finish(allowed: ["probes", "regions", "surfaces", "viable"])
        }
        try r.finish(allowed: ["solutes", "reactions", "boundary", "steadyStart", "timeStep", "outputs"])
        return TransportDefinition(solutes: solutes, reactions: reactions, boundary: boundary.map(\.0), steadyStart: steady, timeStep: dt, outputs: outputs)
    }

    static func material(_ v: JSONValue, path: String) throws -> SoluteMaterial {
        var r = try JSONReader(v, path: path)
        let law = try diffusivity(try r.required("diffusivity"), path: r.child("diffusivity"))
        var m = SoluteMaterial(diffusivity: law)
        if let c = r.optional("capacity") {
            if case .string(let s) = c, s == "porosity" { m.capacityIsPorosity = true } else { m.capacity = try JSONAccess.positive(c, r.child("capacity")) }
        }
        if let k = r.optional("partition") { m.partition = try JSONAccess.positive(k, r.child("partition")) }
        try r.finish(allowed: ["diffusivity", "capacity", "partition"])
        return m
    }

    static func diffusivity(_ v: JSONValue, path: String) throws -> DiffusivityLaw {
        var r = try JSONReader(v, path: path)
        let type = try JSONAccess.choice(try r.required("type"), r.child("type"),
                                         ["constant", "anisotropic", "mackieMeares", "strainTable", "yuan2009AnnulusOxygen", "jackson2008AnnulusGlucose"])
        func positive(_ key: String) throws -> Double {
            let x = try JSONAccess.number(try r.required(key), r.child(key))
            guard x > 0, x.isFinite else { throw ModelError(.invalidValue, at: r.child(key), "expected a diffusivity > 0 mm²/s, got \(x)") }
            return x
        }
        let law: DiffusivityLaw
        switch type {
        case "constant":
            law = .constant(try positive("D")); try r.finish(allowed: ["type", "D"])
        case "anisotropic":
            let axis = try r.optional("axis").map { try JSONAccess.vector3($0, r.child("axis")) } ?? SIMD3(0, 0, 1)
            law = .anisotropic(axial: try positive("axial"), transverse: try positive("transverse"), axis: axis)
            try r.finish(allowed: ["type", "axial", "transverse", "axis"])
        case "mackieMeares":
            law = .mackieMeares(freeDiffusivity: try positive("D0")); try r.finish(allowed: ["type", "D0"])
        case "strainTable":
            let strains = try JSONAccess.array(try r.required("strains"), r.child("strains")).enumerated().map { try JSONAccess.number($1, r.child("strains") + "[\($0)]") }
            func table(_ key: String) throws -> StrainDiffusivityTable {
                let values = try JSONAccess.array(try r.required(key), r.child(key)).enumerated().map { try JSONAccess.number($1, r.child(key) + "[\($0)]") }
                do { return try StrainDiffusivityTable(strains: strains, diffusivities: values, field: r.child(key)) } catch let e as TransportError {
                    throw ModelError(.invalidValue, at: r.child(key), e.description)
                }
            }
            let axial = try table("axial")
            let transverse = r.has("transverse") ? try table("transverse") : nil
            let axis = try r.optional("axis").map { try JSONAccess.vector3($0, r.child("axis")) } ?? SIMD3(0, 0, 1)
            law = .strainTable(axial: axial, transverse: transverse, axis: axis)
            try r.finish(allowed: ["type", "strains", "axial", "transverse", "axis"])
        case "yuan2009AnnulusOxygen": law = .yuan2009AnnulusOxygen; try r.finish(allowed: ["type"])
        default: law = .jackson2008AnnulusGlucose; try r.finish(allowed: ["type"])
        }
        do { try law.validate(field: path) } catch let e as TransportError { throw ModelError(.invalidValue, at: path, e.description) }
        return law
    }
}
