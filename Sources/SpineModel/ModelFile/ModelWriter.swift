import Foundation
import Biomechanics
import FiniteElements

extension Model {
    /// The model file of this model: JSON that ``Model/parse(_:baseDirectory:)`` reads back into
    /// an equal model (`Model(contentsOf:)` after writing `jsonData()` gives `==`).
    ///
    /// ```swift
    /// var model = try DefaultDiscModel.model()
    /// model.materials["np"]!.biphasic!.permeability.k0 *= 0.5
    /// try model.jsonData().write(to: URL(fileURLWithPath: "degenerated.json"))
    /// ```
    /// - Throws: ``ModelError`` naming a value the file format cannot express (fixed material
    ///   axes given as a rotation, a time-dependent solute concentration).
    public func jsonData() throws -> Data {
        Data((try jsonValue().serialized() + "\n").utf8)
    }

    /// The model file's JSON tree (see ``jsonData()``).
    public func jsonValue() throws -> JSONValue {
        let root = rootPath
        // A JSON object holds each key once: refuse what the file could not express instead of trapping.
        var seenRegions = Set<String>()
        for r in regions where !seenRegions.insert(r.region).inserted {
            throw ModelError(.invalidValue, at: root.key("regions").description, "region \"\(r.region)\" is listed twice; expected each region once")
        }
        for (i, c) in boundary.enumerated() {
            if case let .prescribe(list, _) = c.kind, Set(list.map(\.component)).count != list.count {
                throw ModelError(.invalidValue, at: root.key("boundary").index(i).key("prescribe").description,
                                 "a component is prescribed twice; expected each component once")
            }
        }
        var members: JSONObject = [("units", .string(Model.units))]
        if let notes { members.append(("description", .string(notes))) }
        members.append(("mesh", Self.json(mesh)))
        let transportOnly = isTransportOnly
        if transportOnly {
            // No solid: validate() has checked that no mechanical value would be dropped here.
            try validateTransportOnly()
        } else {
            members.append(("kinematics", .string(kinematics.rawValue)))
            if planeStrain { members.append(("planeStrain", .bool(true))) }
            members.append(("regions", .object(JSONObject(regions.map { ($0.region, .string($0.material)) }))))
            members.append(("materials", .object(JSONObject(try materials.keys.sorted().map { name in
                (name, try materials[name]!.jsonValue(at: root.key("materials").entry(name)))
            }))))
        }
        if !curves.isEmpty {
            members.append(("curves", .object(JSONObject(curves.keys.sorted().map { name in
                let c = curves[name]!
                return (name, .array(zip(c.times, c.values).map { .array([.number($0), .number($1)]) }))
            }))))
        }
        if !transportOnly { members.append(("boundary", .array(boundary.map(Self.json)))) }
        members.append(("steps", .array(steps.map { Self.json($0, transportOnly: transportOnly) })))
        members.append(("outputs", Self.json(outputs)))
        if let transport { members.append(("transport", try transport.jsonValue())) }
        if let p = tractionProtocol { members.append(("protocol", try Model.encodeProtocol(p))) }
        if let m = bodyMassKg { members.append(("bodyMassKg", .number(m))) }
        if let n = newtonJSON { members.append(("newton", n)) }
        if let c = timeControlJSON { members.append(("timeControl", c)) }
        if let motionSegment { members.append(("motionSegment", motionSegment.jsonValue())) }
        return .object(members)
    }

    static func vector(_ v: SIMD3<Double>) -> JSONValue { .array([.number(v.x), .number(v.y), .number(v.z)]) }
    static let componentNames = ["ux", "uy", "uz"]

    static func json(_ mesh: MeshSource) -> JSONValue {
        func divisions(_ radial: Int, _ around: Int, _ axial: Int) -> JSONValue {
            .object([("radial", .number(Double(radial))), ("around", .number(Double(around))), ("height", .number(Double(axial)))])
        }
        let generator: (String, JSONObject)
        switch mesh {
        case let .gmsh(path): return .object([("file", .string(path))])
        case let .box(origin, size, d, element):
            generator = ("box", [("size", vector(size)), ("origin", vector(origin)),
                                 ("divisions", .array([.number(Double(d.x)), .number(Double(d.y)), .number(Double(d.z))])),
                                 ("element", .string(element.rawValue))])
        case let .cylinder(a, b, height, innerName, fraction, radial, around, axial, element, bodies):
            var m: JSONObject = a == b ? [("radius", .number(a))] : [("a", .number(a)), ("b", .number(b))]
            m.append(("height", .number(height)))
            if let innerName { m.append(("inner", .object([("name", .string(innerName)), ("fraction", .number(fraction))]))) }
            m += [("divisions", divisions(radial, around, axial)), ("element", .string(element.rawValue))]
            if let bodies { m.append(("vertebrae", .object([("height", .number(bodies.height)), ("layers", .number(Double(bodies.layers)))]))) }
            generator = (a == b ? "cylinder" : "ellipticCylinder", m)
        case let .tube(ri, ro, height, angle, radial, around, axial, element):
            generator = ("tube", [("innerRadius", .number(ri)), ("outerRadius", .number(ro)), ("height", .number(height)),
                                  ("angle", .number(angle)), ("divisions", divisions(radial, around, axial)), ("element", .string(element.rawValue))])
        }
        return .object([("generate", .object([(generator.0, .object(generator.1))]))])
    }

    static func json(_ c: BoundaryCondition) -> JSONValue {
        var m: JSONObject = []
        if let name = c.name { m.append(("name", .string(name))) }
        switch c.target {
        case let .surface(s): m.append(("surface", .string(s)))
        case let .nodeSet(s): m.append(("nodeSet", .string(s)))
        }
        switch c.kind {
        case let .fix(list): m.append(("fix", .array(list.map { .string(componentNames[$0]) })))
        case let .prescribe(list, _): m.append(("prescribe", .object(JSONObject(list.map { (componentNames[$0.component], .number($0.value)) }))))
        case .symmetry: m.append(("symmetry", .bool(true)))
        case let .pressure(p, _): m.append(("pressure", .number(p)))
        case let .traction(t, _): m.append(("traction", vector(t)))
        case let .force(f, _): m.append(("force", vector(f)))
        case let .nodalForce(f, _): m.append(("nodalForce", vector(f)))
        case let .fluidPressure(p, _): m.append(("fluidPressure", .number(p)))
        case let .fluidFlux(q, _): m.append(("fluidFlux", .number(q)))
        case let .fluidExchange(l, p, _): m.append(("fluidExchange", .object([("conductance", .number(l)), ("pressure", .number(p))])))
        case let .rigid(.displacement(d), _): m.append(("rigid", .object([("displacement", vector(d))])))
        case let .rigid(.loads(force, moment, rotationFree, reference, slide), _):
            var r: JSONObject = [("force", vector(force))]
            if moment != .zero { r.append(("moment", vector(moment))) }
            if rotationFree { r.append(("rotation", .string("free"))) }
            if let reference { r.append(("reference", vector(reference))) }
            if !slide.isEmpty { r.append(("slide", .array(slide.map { .string(componentNames[$0]) }))) }
            m.append(("rigid", .object(r)))
        }
        if let curve = c.curve { m.append(("curve", .string(curve))) }
        return .object(m)
    }

    static func json(_ s: StepDefinition, transportOnly: Bool) -> JSONValue {
        var m: JSONObject = [("name", .string(s.name))]
        if let f = s.freeSwelling {
            m.append(("freeSwelling", .object([("tolerance", .number(f.tolerance)), ("maxDuration", .number(f.maxDuration))])))
        } else {
            m.append(("duration", .number(s.duration)))
        }
        if !transportOnly { m += [("dt", .number(s.initialStep)), ("dtMin", .number(s.minStep)), ("dtMax", .number(s.maxStep))] }
        if s.steady { m.append(("steady", .bool(true))) }
        if let c = s.transportTimeStep {
            var t: JSONObject = [("dt", .number(c.initial))]
            if !c.isFixed { t += [("dtMin", .number(c.minimum)), ("dtMax", .number(c.maximum))] }
            m.append(("transport", .object(t)))
        }
        return .object(m)
    }

    static func json(_ o: OutputDefinition) -> JSONValue {
        var m: JSONObject = [("times", .array(o.times.map(JSONValue.number)))]
        if !o.probes.isEmpty {
            m.append(("probes", .array(o.probes.map { .object([("name", .string($0.name)), ("field", .string($0.field)), ("at", vector($0.at))]) })))
        }
        if !o.surfaces.isEmpty {
            m.append(("surfaces", .array(o.surfaces.map { .object([("name", .string($0.name)), ("surface", .string($0.surface)), ("quantity", .string($0.quantity))]) })))
        }
        if !o.regions.isEmpty {
            m.append(("regions", .array(o.regions.map { .object([("name", .string($0.name)), ("region", .string($0.region)), ("quantity", .string($0.quantity))]) })))
        }
        m.append(("vtu", .bool(o.vtu)))
        return .object(m)
    }
}

extension MaterialDefinition {
    func jsonValue(at path: ModelPath) throws -> JSONValue {
        guard let b = biphasic else { return try solid.jsonValue(at: solidPath(path)) }
        var m: JSONObject = [("type", .string("biphasic")), ("phi0", .number(b.phi0)),
                                                    ("solid", try solid.jsonValue(at: solidPath(path)))]
        let p: JSONObject
        switch b.permeability {
        case let .constant(k0): p = [("type", .string("constant")), ("k0", .number(k0))]
        case let .holmesMow(k0, alpha, mm): p = [("type", .string("holmesMow")), ("k0", .number(k0)), ("alpha", .number(alpha)), ("M", .number(mm))]
        case let .exponentialVoidRatio(k0, mm): p = [("type", .string("exponentialVoidRatio")), ("k0", .number(k0)), ("M", .number(mm))]
        }
        m.append(("permeability", .object(p)))
        if let o = b.osmotic { m.append(("osmotic", .object([("cF0", .number(o.cF0)), ("bath", .number(o.bath)), ("T", .number(o.T))]))) }
        return .object(m)
    }
}

extension SolidDefinition {
    func jsonValue(at path: ModelPath) throws -> JSONValue {
        switch self {
        case let .isotropicElastic(e, nu), let .neoHookean(e, nu):
            return .object([("type", .string(type)), ("E", .number(e)), ("nu", .number(nu))])
        case let .orthotropicElastic(c, axes):
            let values = [c.E1, c.E2, c.E3, c.nu12, c.nu13, c.nu23, c.G12, c.G13, c.G23]
            let names = ["E1", "E2", "E3", "nu12", "nu13", "nu23", "G12", "G13", "G23"]
            return .object(JSONObject([("type", .string(type))] + zip(names, values).map { ($0, .number($1)) } + [("axes", try Self.json(axes, at: path.key("axes")))]))
        case let .fibreReinforced(f):
            let fp = path.appending(.swiftOnly("fibreReinforced"))
            var m: JSONObject = [("type", .string(type)), ("matrix", try f.matrix.jsonValue(at: fp.key("matrix"))),
                                                        ("axes", try Self.json(f.axes, at: fp.key("axes")))]
            if let l = f.lamellae {
                var lm: JSONObject = [("count", .number(Double(l.count))), ("angles", .array(l.angles.map(JSONValue.number))),
                                                             ("xi", .number(l.xi)), ("alpha", .number(l.alpha)), ("beta", .number(l.beta))]
                if let i = l.inner { lm.append(("inner", .array([.number(i.x), .number(i.y)]))) }
                if let o = l.outer { lm.append(("outer", .array([.number(o.x), .number(o.y)]))) }
                m.append(("lamellae", .object(lm)))
            } else {
                m.append(("fibres", .array(f.fibres.map {
                    .object([("angle", .number($0.angle)), ("xi", .number($0.xi)), ("alpha", .number($0.alpha)), ("beta", .number($0.beta))])
                })))
            }
            return .object(m)
        }
    }

    static func json(_ axes: MaterialAxes, at path: ModelPath) throws -> JSONValue {
        switch axes {
        case .global: return .object([("type", .string("global"))])
        case let .cylindrical(o, a):
            return .object([("type", .string("cylindrical")), ("origin", .array([.number(o.0), .number(o.1), .number(o.2)])),
                            ("axis", .array([.number(a.0), .number(a.1), .number(a.2)]))])
        case .fixed:
            throw ModelError(.invalidValue, at: path.description, "fixed material axes (a rotation matrix) have no model-file form: use global or cylindrical axes to write the model as JSON")
        }
    }
}

extension TransportDefinition {
    func jsonValue() throws -> JSONValue {
        func law(_ d: DiffusivityLaw) -> JSONValue {
            switch d {
            case let .constant(v): return .object([("type", .string("constant")), ("D", .number(v))])
            case let .anisotropic(a, t, axis):
                return .object([("type", .string("anisotropic")), ("axial", .number(a)), ("transverse", .number(t)), ("axis", Model.vector(axis))])
            case let .mackieMeares(d0): return .object([("type", .string("mackieMeares")), ("D0", .number(d0))])
            case let .strainTable(axial, transverse, axis):
                var m: JSONObject = [("type", .string("strainTable")), ("strains", .array(axial.strains.map(JSONValue.number))),
                                                            ("axial", .array(axial.diffusivities.map(JSONValue.number)))]
                if let t = transverse { m.append(("transverse", .array(t.diffusivities.map(JSONValue.number)))) }
                m.append(("axis", Model.vector(axis)))
                return .object(m)
            }
        }
        // A JSON object holds each key once: refuse what the file could not express instead of trapping.
        var names = Set<String>()
        for s in solutes {
            guard names.insert(s.name).inserted else {
                throw ModelError(.invalidValue, at: "transport.solutes", "solute \"\(s.name)\" is listed twice; expected each solute once")
            }
            var regions = Set<String>()
            for r in s.materials where !regions.insert(r.region).inserted {
                throw ModelError(.invalidValue, at: "transport.solutes.\(s.name).materials", "region \"\(r.region)\" is listed twice; expected each region once")
            }
        }
        let solutesJSON: JSONValue = .object(JSONObject(solutes.map { s in
            (s.name, .object([("unit", .string(s.unit)), ("initial", .number(s.initialConcentration)),
                              ("materials", .object(JSONObject(s.materials.map { r in
                                  (r.region, .object([("diffusivity", law(r.material.diffusivity)),
                                                      ("capacity", r.material.capacityIsPorosity ? .string("porosity") : .number(r.material.capacity)),
                                                      ("partition", .number(r.material.partition))]))
                              })))]))
        }))
        var reactionsJSON: [JSONValue] = []
        for (i, r) in reactions.enumerated() {
            if let mm = r.reaction as? MichaelisMentenUptake {
                reactionsJSON.append(.object([("region", .string(r.region)), ("type", .string("michaelisMenten")), ("solute", .string(mm.solute)),
                                              ("Vmax", .number(mm.maximumRate)), ("Km", .number(mm.halfSaturation))]))
            } else if let d = r.reaction as? DiscCellMetabolism {
                let c = d.lactateCoefficients
                reactionsJSON.append(.object([
                    ("region", .string(r.region)), ("type", .string("discCellMetabolism")), ("cellDensity", .number(d.cellDensity)),
                    ("oxygen", .string(d.oxygen)), ("glucose", .string(d.glucose)), ("lactate", .string(d.lactate)),
                    ("oxygenSolubility", .number(d.oxygenSolubility)), ("glucoseHalfSaturation", .number(d.glucoseHalfSaturation)),
                    ("oxygenRateCoefficient", .number(d.oxygenRateCoefficient)), ("oxygenPHThreshold", .number(d.oxygenPHThreshold)),
                    ("oxygenHalfSaturation", .number(d.oxygenHalfSaturation)), ("oxygenHalfSaturationPerPH", .number(d.oxygenHalfSaturationPerPH)),
                    ("lactateCoefficients", .array([.number(c[0]), .number(c[1]), .number(c[2]), .number(c[3])])),
                    ("pHAtZeroLactate", .number(d.pHAtZeroLactate)), ("pHPerLactate", .number(d.pHPerLactate)),
                    ("glucoseDeathThreshold", .number(d.glucoseDeathThreshold)), ("pHDeathThreshold", .number(d.pHDeathThreshold))]))
            } else {
                throw ModelError(.invalidValue, at: "transport.reactions[\(i)]", "a reaction of type \(type(of: r.reaction)) has no model-file form (michaelisMenten and discCellMetabolism have)")
            }
        }
        var boundaryJSON: [JSONValue] = []
        for (i, b) in boundary.enumerated() {
            switch b.condition {
            case let .concentration(s, surface, value, curve):
                guard curve == nil else {
                    throw ModelError(.invalidValue, at: "transport.boundary[\(i)]", "a time-dependent concentration has no model-file form")
                }
                boundaryJSON.append(.object([("solute", .string(s)), ("surface", .string(surface)), ("concentration", .number(value))]))
            case let .flux(s, surface, inflow):
                boundaryJSON.append(.object([("solute", .string(s)), ("surface", .string(surface)), ("flux", .number(inflow))]))
            case let .exchange(s, surface, value, fraction, centre):
                var x: JSONObject = [("value", .number(value)), ("openFraction", .number(fraction))]
                if let centre { x.append(("centre", Model.vector(centre))) }
                boundaryJSON.append(.object([("solute", .string(s)), ("surface", .string(surface)), ("exchange", .object(x))]))
            }
        }
        var o: JSONObject = []
        if !outputs.probes.isEmpty {
            o.append(("probes", .array(outputs.probes.map { .object([("name", .string($0.name)), ("solute", .string($0.solute)), ("at", Model.vector($0.at))]) })))
        }
        if !outputs.regions.isEmpty {
            o.append(("regions", .array(outputs.regions.map { .object([("name", .string($0.name)), ("solute", .string($0.solute)), ("region", .string($0.region))]) })))
        }
        if !outputs.surfaces.isEmpty {
            o.append(("surfaces", .array(outputs.surfaces.map { .object([("name", .string($0.name)), ("solute", .string($0.solute)), ("surface", .string($0.surface))]) })))
        }
        if !outputs.viable.isEmpty {
            o.append(("viable", .array(outputs.viable.map { v in
                var m: JSONObject = [("name", .string(v.name)), ("reaction", .number(Double(v.reaction)))]
                if let r = v.region { m.append(("region", .string(r))) }
                return .object(m)
            })))
        }
        var m: JSONObject = [("solutes", solutesJSON)]
        if !reactionsJSON.isEmpty { m.append(("reactions", .array(reactionsJSON))) }
        m += [("boundary", .array(boundaryJSON)), ("steadyStart", .bool(steadyStart))]
        if let timeStep { m.append(("timeStep", .number(timeStep))) }
        if !o.isEmpty { m.append(("outputs", .object(o))) }
        return .object(m)
    }
}
