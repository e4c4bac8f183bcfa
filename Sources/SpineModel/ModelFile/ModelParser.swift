import Foundation
import Biomechanics
import FiniteElements

/// Field names a probe or region output may ask for, with their units.
public enum SolidField: String, Sendable, CaseIterable {
    /// Displacement components (mm).
    case ux, uy, uz
    /// Displacement magnitude (mm).
    case displacement
    /// Cauchy stress components (MPa).
    case sxx, syy, szz, sxy, syz, sxz
    /// Von Mises equivalent Cauchy stress (MPa).
    case vonMises
    /// Volume ratio `J = det F` (dimensionless; `1 + tr ε` at small strain).
    case J

    /// Unit of the field.
    public var unit: String {
        switch self {
        case .ux, .uy, .uz, .displacement: return "mm"
        case .J: return "1"
        default: return "MPa"
        }
    }
}

struct ModelParser {
    let baseDirectory: URL
    static let components = ["ux": 0, "uy": 1, "uz": 2]

    func parse(_ root: JSONValue) throws -> Model {
        var r = try JSONReader(root, path: "")
        let topKeys = ["units", "mesh", "kinematics", "planeStrain", "regions", "materials", "curves", "boundary", "steps", "outputs", "description", "transport", "protocol", "bodyMassKg", "motionSegment", "newton", "timeControl"]
        // Units first: a file in other units is refused before anything else is read.
        let units = try JSONAccess.string(try r.required("units"), "units")
        guard units == Model.units else {
            throw ModelError(.units, at: "units", "expected \"\(Model.units)\", got \"\(units)\" (convert the model to mm, N, s, MPa)")
        }
        let notes = try r.optional("description").map { try JSONAccess.string($0, "description") }
        if !r.has("materials") && r.has("transport") { return try parseTransportOnly(&r, notes: notes) }
        let mesh = try parseMesh(try r.required("mesh"))
        let kin = try JSONAccess.choice(try r.required("kinematics"), "kinematics", Kinematics.allCases.map(\.rawValue))
        let curves = try parseCurves(r.optional("curves"))
        let materials = try parseMaterials(try r.required("materials"))
        var regionReader = try JSONReader(try r.required("regions"), path: "regions")
        var regions: [(String, String)] = []
        for key in regionReader.keys {
            let name = try JSONAccess.string(regionReader.optional(key)!, regionReader.child(key))
            guard materials[name] != nil else {
                throw ModelError(.unknownName, at: regionReader.child(key), "unknown material \"\(name)\"; defined: \(materials.keys.sorted().joined(separator: ", "))")
            }
            regions.append((key, name))
        }
        guard !regions.isEmpty else { throw ModelError(.invalidValue, at: "regions", "expected at least one region → material entry") }
        let boundary = try JSONAccess.array(try r.required("boundary"), "boundary").enumerated().map { try parseCondition($1, path: "boundary[\($0)]", curves: curves) }
        let stepValues = try JSONAccess.array(try r.required("steps"), "steps")
        guard !stepValues.isEmpty else { throw ModelError(.invalidValue, at: "steps", "expected at least one step") }
        let steps = try stepValues.enumerated().map { try parseStep($1, path: "steps[\($0)]", transportOnly: false) }
        for (i, step) in steps.enumerated().dropFirst() where step.freeSwelling != nil {
            throw ModelError(.invalidValue, at: "steps[\(i)].freeSwelling", "a free-swelling step must be the first step (it sets the initial state before loading)")
        }
        let endTime = steps.reduce(0) { $0 + $1.duration }
        let outputs = try parseOutputs(try r.required("outputs"), endTime: endTime)
        let transport = try r.optional("transport").map { try TransportParser.parse($0) }
        let motionSegment = try r.optional("motionSegment").map { try MotionSegmentParser.parse($0) }
        let planeStrain = try r.optional("planeStrain").map { try JSONAccess.bool($0, "planeStrain") } ?? false
        let tractionProtocol = try r.optional("protocol").map(Model.decodeProtocol)
        let bodyMassKg = try r.optional("bodyMassKg").map { try JSONAccess.positive($0, "bodyMassKg") }
        let newtonMethod = try r.optional("newton").map(Model.parseNewtonMethod) ?? .fullNewton
        let errorControl = try r.optional("timeControl").map(Model.parseTimeControl)
        try r.finish(allowed: topKeys)
        try Self.checkBiphasicUse(materials: materials, boundary: boundary, outputs: outputs, steps: steps)
        var names = Set<String>()
        for (i, c) in boundary.enumerated() {
            if let n = c.name, !names.insert(n).inserted { throw ModelError(.invalidValue, at: "boundary[\(i)].name", "duplicate condition name \"\(n)\"") }
        }
        var model = Model(mesh: mesh, kinematics: Kinematics(rawValue: kin)!, regions: regions, materials: materials, curves: curves,
                          boundary: boundary, steps: steps, outputs: outputs, transport: transport, notes: notes, baseDirectory: baseDirectory)
        model.planeStrain = planeStrain
        model.motionSegment = motionSegment
        model.pathStyle = .json
        try model.validateTransportSteps()
        model.tractionProtocol = tractionProtocol
        model.bodyMassKg = bodyMassKg
        try model.validateProtocol()
        model.newtonMethod = newtonMethod
        try model.validateNewtonMethod()
        model.errorControl = errorControl
        try model.validateTimeControl()
        if let motionSegment {
            try motionSegment.validate(at: model.rootPath.key("motionSegment"), curves: curves, freeSwellingFirst: model.steps.first?.freeSwelling != nil)
        }
        return model
    }

    func element(_ r: inout JSONReader) throws -> CellType {
        let names = CellType.allCases.map(\.rawValue)
        return CellType(rawValue: try JSONAccess.choice(try r.required("element"), r.child("element"), names))!
    }

    func parseMesh(_ v: JSONValue) throws -> MeshSource {
        var r = try JSONReader(v, path: "mesh")
        defer { }
        if let file = r.optional("file") {
            let p = try JSONAccess.string(file, "mesh.file")
            try r.finish(allowed: ["file"])
            let url = p.hasPrefix("/") ? URL(fileURLWithPath: p) : baseDirectory.appendingPathComponent(p)
            return .gmsh(path: url.path)
        }
        guard let generate = r.optional("generate") else {
            throw ModelError(.missingKey, at: "mesh", "expected \"generate\" (box, cylinder, ellipticCylinder, tube) or \"file\" (a Gmsh .msh 4.1 path)")
        }
        try r.finish(allowed: ["generate", "file"])
        var g = try JSONReader(generate, path: "mesh.generate")
        guard g.keys.count == 1, let kind = g.keys.first else {
            throw ModelError(.invalidValue, at: "mesh.generate", "expected exactly one of box, cylinder, ellipticCylinder, tube; got \(g.keys)")
        }
        let body = g.optional(kind)!
        var b = try JSONReader(body, path: g.child(kind))
        switch kind {
        case "box":
            let size = try JSONAccess.vector3(try b.required("size"), b.child("size"))
            for k in 0..<3 where !(size[k] > 0) { throw ModelError(.invalidValue, at: "\(b.child("size"))[\(k)]", "expected a positive length (mm), got \(size[k])") }
            let origin = try b.optional("origin").map { try JSONAccess.vector3($0, b.child("origin")) } ?? .zero
            let dv = try JSONAccess.array(try b.required("divisions"), b.child("divisions"))
            guard dv.count == 3 else { throw ModelError(.invalidValue, at: b.child("divisions"), "expected 3 whole numbers [nx, ny, nz], got \(dv.count) values") }
            let d = SIMD3(try JSONAccess.integer(dv[0], b.child("divisions") + "[0]", minimum: 1),
                          try JSONAccess.integer(dv[1], b.child("divisions") + "[1]", minimum: 1),
                          try JSONAccess.integer(dv[2], b.child("divisions") + "[2]", minimum: 1))
            let e = try element(&b)
            try b.finish(allowed: ["size", "origin", "divisions", "element"])
            return .box(origin: origin, size: size, divisions: d, element: e)
        case "cylinder", "ellipticCylinder":
            let a: Double, bb: Double
            var allowed = ["height", "element", "divisions", "inner", "vertebrae"]
            if kind == "cylinder" {
                a = try JSONAccess.positive(try b.required("radius"), b.child("radius")); bb = a
                allowed += ["radius"]
            } else {
                a = try JSONAccess.positive(try b.required("a"), b.child("a"))
                bb = try JSONAccess.positive(try b.required("b"), b.child("b"))
                allowed += ["a", "b"]
            }
            let height = try JSONAccess.positive(try b.required("height"), b.child("height"))
            var innerName: String? = nil, fraction = 0.0
            if let inner = b.optional("inner") {
                var ir = try JSONReader(inner, path: b.child("inner"))
                innerName = try JSONAccess.string(try ir.required("name"), ir.child("name"))
                fraction = try JSONAccess.number(try ir.required("fraction"), ir.child("fraction"))
                guard fraction > 0, fraction < 1 else { throw ModelError(.invalidValue, at: ir.child("fraction"), "expected a number in (0, 1), got \(fraction)") }
                try ir.finish(allowed: ["name", "fraction"])
            }
            let (radial, around, axial) = try divisions(&b)
            guard around % 4 == 0 else { throw ModelError(.invalidValue, at: b.child("divisions") + ".around", "expected a multiple of 4, got \(around)") }
            let e = try element(&b)
            guard !e.isSimplex else { throw ModelError(.invalidValue, at: b.child("element"), "expected hex8, hex20 or hex27 for a cylinder, got \"\(e.rawValue)\"") }
            var bodies: VertebralBodies? = nil
            if let v = b.optional("vertebrae") {
                var vr = try JSONReader(v, path: b.child("vertebrae"))
                bodies = VertebralBodies(height: try JSONAccess.positive(try vr.required("height"), vr.child("height")),
                                         layers: try JSONAccess.integer(try vr.required("layers"), vr.child("layers"), minimum: 1))
                try vr.finish(allowed: ["height", "layers"])
            }
            try b.finish(allowed: allowed)
            return .cylinder(a: a, b: bb, height: height, innerName: innerName, innerFraction: fraction,
                             radial: radial, around: around, axial: axial, element: e, vertebrae: bodies)
        case "tube":
            let ri = try JSONAccess.positive(try b.required("innerRadius"), b.child("innerRadius"))
            let ro = try JSONAccess.positive(try b.required("outerRadius"), b.child("outerRadius"))
            guard ro > ri else { throw ModelError(.invalidValue, at: b.child("outerRadius"), "expected greater than innerRadius = \(ri) mm, got \(ro)") }
            let height = try JSONAccess.positive(try b.required("height"), b.child("height"))
            let angle = try JSONAccess.positive(try b.required("angle"), b.child("angle"))
            guard angle <= 180 else { throw ModelError(.invalidValue, at: b.child("angle"), "expected an angle in (0, 180] degrees, got \(angle)") }
            let (radial, around, axial) = try divisions(&b)
            let e = try element(&b)
            try b.finish(allowed: ["innerRadius", "outerRadius", "height", "angle", "divisions", "element"])
            return .tube(innerRadius: ri, outerRadius: ro, height: height, angle: angle, radial: radial, around: around, axial: axial, element: e)
        default:
            throw ModelError(.unknownKey, at: g.child(kind), "unknown generator; expected one of: box, cylinder, ellipticCylinder, tube")
        }
    }

    func divisions(_ b: inout JSONReader) throws -> (Int, Int, Int) {
        var dr = try JSONReader(try b.required("divisions"), path: b.child("divisions"))
        let radial = try JSONAccess.integer(try dr.required("radial"), dr.child("radial"), minimum: 1)
        let around = try JSONAccess.integer(try dr.required("around"), dr.child("around"), minimum: 1)
        let axial = try JSONAccess.integer(try dr.required("height"), dr.child("height"), minimum: 1)
        try dr.finish(allowed: ["radial", "around", "height"])
        return (radial, around, axial)
    }

    func parseCurves(_ v: JSONValue?) throws -> [String: LoadCurve] {
        guard let v else { return [:] }
        var r = try JSONReader(v, path: "curves")
        var out: [String: LoadCurve] = [:]
        for key in r.keys {
            let path = r.child(key)
            let pts = try JSONAccess.array(r.optional(key)!, path).enumerated().map { (i, p) -> (time: Double, value: Double) in
                let pair = try JSONAccess.array(p, "\(path)[\(i)]")
                guard pair.count == 2 else { throw ModelError(.invalidValue, at: "\(path)[\(i)]", "expected [time (s), value], got \(pair.count) numbers") }
                return (try JSONAccess.number(pair[0], "\(path)[\(i)][0]"), try JSONAccess.number(pair[1], "\(path)[\(i)][1]"))
            }
            do { out[key] = try LoadCurve(points: pts) } catch let e as LoadCurveError {
                switch e {
                case let .notIncreasing(index, _, _): throw ModelError(.invalidValue, at: "\(path)[\(index)][0]", e.description)
                case let .nonFinite(index, _, _): throw ModelError(.invalidValue, at: "\(path)[\(index)]", e.description)
                case .empty: throw ModelError(.invalidValue, at: path, e.description)
                }
            }
        }
        return out
    }

    func parseMaterials(_ v: JSONValue) throws -> [String: MaterialDefinition] {
        var r = try JSONReader(v, path: "materials")
        var out: [String: MaterialDefinition] = [:]
        guard !r.keys.isEmpty else { throw ModelError(.invalidValue, at: "materials", "expected at least one material") }
        for key in r.keys {
            let material = try parseMaterial(r.optional(key)!, path: r.child(key))
            try material.validate(at: ModelPath(style: .json).key("materials").entry(key))
            out[key] = material
        }
        return out
    }

    /// Material `type`s this version reads; later physics add theirs here.
    static let materialTypes = ["isotropicElastic", "orthotropicElastic", "neoHookean", "biphasic"]

    /// A material's value (structure and types checked here; parameter ranges by ``MaterialDefinition/validate(at:)``).
    func parseMaterial(_ v: JSONValue, path: String) throws -> MaterialDefinition {
        var r = try JSONReader(v, path: path)
        let type = try JSONAccess.choice(try r.required("type"), r.child("type"), Self.materialTypes)
        if type == "biphasic" { return try parseBiphasicMaterial(&r, path: path) }
        return MaterialDefinition(solid: try parseSolid(&r, type: type))
    }

    /// A solid law's parameters from an object whose `type` was read already.
    func parseSolid(_ r: inout JSONReader, type: String) throws -> SolidDefinition {
        func param(_ name: String) throws -> Double { try JSONAccess.number(try r.required(name), r.child(name)) }
        switch type {
        case "isotropicElastic", "neoHookean":
            let e = try param("E"), nu = try param("nu")
            try r.finish(allowed: ["type", "E", "nu"])
            return type == "neoHookean" ? .neoHookean(E: e, nu: nu) : .isotropicElastic(E: e, nu: nu)
        default:
            let names = ["E1", "E2", "E3", "nu12", "nu13", "nu23", "G12", "G13", "G23"]
            let p = try names.map(param)
            let axes = try parseAxes(r.optional("axes"), path: r.child("axes"))
            try r.finish(allowed: ["type", "axes"] + names)
            return .orthotropicElastic(OrthotropicConstants(E1: p[0], E2: p[1], E3: p[2], nu12: p[3], nu13: p[4], nu23: p[5],
                                                            G12: p[6], G13: p[7], G23: p[8]), axes: axes)
        }
    }

    func parseAxes(_ v: JSONValue?, path: String) throws -> MaterialAxes {
        guard let v else { return .global }
        var r = try JSONReader(v, path: path)
        let type = try JSONAccess.choice(try r.required("type"), r.child("type"), ["global", "cylindrical"])
        if type == "global" { try r.finish(allowed: ["type"]); return .global }
        let o = try JSONAccess.vector3(try r.required("origin"), r.child("origin"))
        let a = try JSONAccess.vector3(try r.required("axis"), r.child("axis"))
        guard (a * a).sum() > 0 else { throw ModelError(.invalidValue, at: r.child("axis"), "expected a non-zero direction, got [0, 0, 0]") }
        try r.finish(allowed: ["type", "origin", "axis"])
        return .cylindrical(origin: (o.x, o.y, o.z), axis: (a.x, a.y, a.z))
    }

    /// Every probe field the format defines (solid fields, then biphasic ones).
    static var probeFields: [String] { SolidField.allCases.map(\.rawValue) + biphasicFields }
    /// Every surface quantity the format defines.
    static var surfaceQuantities: [String] { ["reactionForce", "tractionIntegral", "area"] + biphasicSurfaceQuantities }
    /// Every region quantity the format defines.
    static var regionQuantities: [String] { probeFields + ["volume"] + biphasicRegionQuantities }

    /// Most output times a model may ask for (each writes a row and, with VTU, a file).
    static let maxOutputTimes = 100_000

    static let conditionKinds = ["fix", "prescribe", "symmetry", "pressure", "traction", "force", "nodalForce", "rigid", "fluidPressure", "fluidFlux", "fluidExchange"]

    func parseCondition(_ v: JSONValue, path: String, curves: [String: LoadCurve]) throws -> BoundaryCondition {
        var r = try JSONReader(v, path: path)
        let targets = ["surface", "nodeSet"].filter { r.has($0) }
        guard targets.count == 1 else {
            throw ModelError(targets.isEmpty ? .missingKey : .invalidValue, at: path, "expected exactly one of \"surface\" or \"nodeSet\", got \(targets.isEmpty ? "none" : targets.joined(separator: " and "))")
        }
        let targetName = try JSONAccess.string(r.optional(targets[0])!, r.child(targets[0]))
        let target: BoundaryCondition.Target = targets[0] == "surface" ? .surface(targetName) : .nodeSet(targetName)
        let kinds = Self.conditionKinds.filter { r.has($0) }
        guard kinds.count == 1 else {
            throw ModelError(kinds.isEmpty ? .missingKey : .invalidValue, at: path, "expected exactly one of \(Self.conditionKinds.joined(separator: ", ")), got \(kinds.isEmpty ? "none" : kinds.joined(separator: " and "))")
        }
        var curve: String? = nil
        if let c = r.optional("curve") {
            let name = try JSONAccess.string(c, r.child("curve"))
            guard curves[name] != nil else {
                throw ModelError(.unknownName, at: r.child("curve"), "unknown curve \"\(name)\"; defined: \(curves.keys.sorted().joined(separator: ", "))")
            }
            curve = name
        }
        let kindKey = kinds[0], kp = r.child(kindKey)
        let value = r.optional(kindKey)!
        let kind: BoundaryCondition.Kind
        func requireSurface() throws {
            guard case .surface = target else { throw ModelError(.invalidValue, at: kp, "\(kindKey) acts on a surface: use \"surface\", not \"nodeSet\"") }
        }
        func noCurve() throws { if curve != nil { throw ModelError(.invalidValue, at: r.child("curve"), "\(kindKey) takes no curve") } }
        switch kindKey {
        case "fix":
            let list = try JSONAccess.array(value, kp)
            guard !list.isEmpty else { throw ModelError(.invalidValue, at: kp, "expected a non-empty list of ux, uy, uz") }
            kind = .fix(try list.enumerated().map { Self.components[try JSONAccess.choice($1, "\(kp)[\($0)]", ["ux", "uy", "uz"])]! })
            try noCurve()
        case "prescribe":
            var pr = try JSONReader(value, path: kp)
            var comps: [(Int, Double)] = []
            for k in pr.keys {
                guard let c = Self.components[k] else { throw ModelError(.unknownKey, at: pr.child(k), "unknown component; expected one of: ux, uy, uz") }
                comps.append((c, try JSONAccess.number(pr.optional(k)!, pr.child(k))))
            }
            guard !comps.isEmpty else { throw ModelError(.invalidValue, at: kp, "expected at least one of ux, uy, uz (mm)") }
            kind = .prescribe(comps, curve: curve)
        case "symmetry":
            guard try JSONAccess.bool(value, kp) else { throw ModelError(.invalidValue, at: kp, "expected true (omit the entry for no symmetry)") }
            try requireSurface(); try noCurve()
            kind = .symmetry
        case "pressure":
            try requireSurface()
            kind = .pressure(try JSONAccess.number(value, kp), curve: curve)
        case "traction":
            try requireSurface()
            kind = .traction(try JSONAccess.vector3(value, kp), curve: curve)
        case "force":
            try requireSurface()
            kind = .force(try JSONAccess.vector3(value, kp), curve: curve)
        case "fluidPressure":
            try requireSurface()
            kind = .fluidPressure(try JSONAccess.number(value, kp), curve: curve)
        case "fluidFlux":
            try requireSurface()
            kind = .fluidFlux(try JSONAccess.number(value, kp), curve: curve)
        case "fluidExchange":
            try requireSurface()
            var er = try JSONReader(value, path: kp)
            let l = try JSONAccess.positive(try er.required("conductance"), er.child("conductance"))
            let pe = try er.optional("pressure").map { try JSONAccess.number($0, er.child("pressure")) } ?? 0
            try er.finish(allowed: ["conductance", "pressure"])
            kind = .fluidExchange(conductance: l, pressure: pe, curve: curve)
        case "nodalForce":
            guard case .nodeSet = target else { throw ModelError(.invalidValue, at: kp, "nodalForce acts on a node set: use \"nodeSet\"") }
            kind = .nodalForce(try JSONAccess.vector3(value, kp), curve: curve)
        default: // rigid
            try requireSurface()
            var rr = try JSONReader(value, path: kp)
            let allowed = ["force", "moment", "displacement", "rotation", "reference", "slide"]
            let rotation = try rr.optional("rotation").map { try JSONAccess.choice($0, rr.child("rotation"), ["locked", "free"]) } ?? "locked"
            let reference = try rr.optional("reference").map { try JSONAccess.vector3($0, rr.child("reference")) }
            if let d = rr.optional("displacement") {
                let vec = try JSONAccess.vector3(d, rr.child("displacement"))
                for k in ["force", "moment"] where rr.has(k) {
                    throw ModelError(.invalidValue, at: rr.child(k), "a rigid surface is driven either by a displacement or by force/moment, not both")
                }
                guard rotation == "locked" else {
                    throw ModelError(.invalidValue, at: rr.child("rotation"), "a displacement-driven rigid surface has its rotation locked; expected \"locked\", got \"free\"")
                }
                try rr.finish(allowed: allowed)
                kind = .rigid(.displacement(vec), curve: curve)
            } else {
                guard rr.has("force") || rr.has("moment") else {
                    throw ModelError(.missingKey, at: kp, "expected \"force\" (N) and/or \"moment\" (N·mm), or \"displacement\" (mm)")
                }
                let force = try rr.optional("force").map { try JSONAccess.vector3($0, rr.child("force")) } ?? .zero
                let moment = try rr.optional("moment").map { try JSONAccess.vector3($0, rr.child("moment")) } ?? .zero
                if moment != .zero, rotation == "locked" {
                    throw ModelError(.invalidValue, at: rr.child("moment"), "a moment needs \"rotation\": \"free\" (the rotation is locked by default)")
                }
                var slide: [Int] = []
                if let list = rr.optional("slide") {
                    let sp = rr.child("slide")
                    guard rotation == "locked" else {
                        throw ModelError(.invalidValue, at: sp, "a sliding (frictionless) rigid surface has its rotation locked; expected \"rotation\": \"locked\"")
                    }
                    slide = try JSONAccess.array(list, sp).enumerated().map { Self.components[try JSONAccess.choice($1, "\(sp)[\($0)]", ["ux", "uy", "uz"])]! }
                    guard Set(slide).count == slide.count, slide.count < 3 else {
                        throw ModelError(.invalidValue, at: sp, "expected one or two distinct components of ux, uy, uz (the surface must stay tied in at least one)")
                    }
                    for k in slide where force[k] != 0 {
                        throw ModelError(.invalidValue, at: rr.child("force"), "force component \(force[k]) N acts in the sliding direction \(["ux", "uy", "uz"][k]); a frictionless surface carries no force there, expected 0")
                    }
                }
                try rr.finish(allowed: allowed)
                kind = .rigid(.loads(force: force, moment: moment, rotationFree: rotation == "free", reference: reference, slide: slide.sorted()), curve: curve)
            }
        }
        let name = try r.optional("name").map { try JSONAccess.string($0, r.child("name")) }
        try r.finish(allowed: ["name", "surface", "nodeSet", "curve"] + Self.conditionKinds)
        var condition = BoundaryCondition(name: name, target: target, kind: kind)
        condition.path = path
        return condition
    }

    func parseStep(_ v: JSONValue, path: String, transportOnly: Bool) throws -> StepDefinition {
        var r = try JSONReader(v, path: path)
        let name = try r.optional("name").map { try JSONAccess.string($0, r.child("name")) } ?? path
        if r.has("freeSwelling") {
            if transportOnly { throw ModelError(.invalidValue, at: r.child("freeSwelling"), "a transport-only model has no solid to swell: expected a step with \"duration\"") }
            return try parseFreeSwellingStep(&r, name: name, path: path)
        }
        let duration = try JSONAccess.positive(try r.required("duration"), r.child("duration"))
        let steady = try r.optional("steady").map { try JSONAccess.bool($0, r.child("steady")) } ?? false
        let control = try r.optional("transport").map { try parseTransportTimeControl($0, path: r.child("transport")) }
        if steady, control != nil {
            throw ModelError(.invalidValue, at: r.child("transport"), "a steady step takes no transport increments: remove \"transport\" or \"steady\"")
        }
        if transportOnly {
            for key in ["dt", "dtMin", "dtMax"] where r.has(key) {
                throw ModelError(.invalidValue, at: r.child(key), "a transport-only model has no mechanical increments: give the transport's increments as \"transport\": {\"dt\": …} (s), or the block's \"timeStep\"")
            }
            try r.finish(allowed: ["name", "duration", "steady", "transport"])
            return .transport(name: name, duration: duration, timeStep: control, steady: steady)
        }
        let dtMax = try JSONAccess.positive(try r.required("dtMax"), r.child("dtMax"))
        let dtMin = try JSONAccess.positive(try r.required("dtMin"), r.child("dtMin"))
        guard dtMin <= dtMax else { throw ModelError(.invalidValue, at: r.child("dtMin"), "expected ≤ dtMax = \(dtMax) s, got \(dtMin)") }
        let dt = try r.optional("dt").map { try JSONAccess.positive($0, r.child("dt")) } ?? dtMax
        guard dt >= dtMin, dt <= dtMax else { throw ModelError(.invalidValue, at: r.child("dt"), "expected a number in [dtMin, dtMax] = [\(dtMin), \(dtMax)] s, got \(dt)") }
        try r.finish(allowed: ["name", "duration", "dt", "dtMin", "dtMax", "steady", "transport"])
        var step = StepDefinition(name: name, duration: duration, initialStep: dt, minStep: dtMin, maxStep: dtMax)
        step.steady = steady
        step.transportTimeStep = control
        return step
    }

    /// A step's `"transport": {"dt": …, "dtMin": …, "dtMax": …}` (s; `dtMin`/`dtMax` default to `dt`: a fixed increment).
    func parseTransportTimeControl(_ v: JSONValue, path: String) throws -> TransportTimeControl {
        var r = try JSONReader(v, path: path)
        let dt = try JSONAccess.positive(try r.required("dt"), r.child("dt"))
        let dtMin = try r.optional("dtMin").map { try JSONAccess.positive($0, r.child("dtMin")) } ?? dt
        let dtMax = try r.optional("dtMax").map { try JSONAccess.positive($0, r.child("dtMax")) } ?? dt
        guard dtMin <= dt else { throw ModelError(.invalidValue, at: r.child("dtMin"), "expected ≤ dt = \(dt) s, got \(dtMin)") }
        guard dt <= dtMax else { throw ModelError(.invalidValue, at: r.child("dtMax"), "expected ≥ dt = \(dt) s, got \(dtMax)") }
        try r.finish(allowed: ["dt", "dtMin", "dtMax"])
        return TransportTimeControl(initial: dt, minimum: dtMin, maximum: dtMax)
    }

    /// A model with a `transport` block and no `materials`: solutes on the mesh's regions, no solid.
    func parseTransportOnly(_ r: inout JSONReader, notes: String?) throws -> Model {
        for key in ["kinematics", "planeStrain", "regions", "boundary", "curves"] where r.has(key) {
            throw ModelError(.invalidValue, at: key, "a transport-only model (a \"transport\" block and no \"materials\") has no solid: remove \"\(key)\", or give \"materials\" for a solid model")
        }
        let mesh = try parseMesh(try r.required("mesh"))
        let stepValues = try JSONAccess.array(try r.required("steps"), "steps")
        guard !stepValues.isEmpty else { throw ModelError(.invalidValue, at: "steps", "expected at least one step") }
        let steps = try stepValues.enumerated().map { try parseStep($1, path: "steps[\($0)]", transportOnly: true) }
        let endTime = steps.reduce(0) { $0 + $1.duration }
        let outputs = try parseOutputs(try r.required("outputs"), endTime: endTime)
        let transport = try TransportParser.parse(try r.required("transport"))
        let errorControl = try r.optional("timeControl").map(Model.parseTimeControl)
        try r.finish(allowed: ["units", "mesh", "steps", "outputs", "description", "transport", "timeControl"])
        var model = Model.transportOnly(mesh: mesh, transport: transport, steps: steps, outputs: outputs, notes: notes, baseDirectory: baseDirectory)
        model.errorControl = errorControl
        model.pathStyle = .json
        try model.validateTransportOnly()
        try model.validateTransportSteps()
        return model
    }

    func parseOutputs(_ v: JSONValue, endTime: Double) throws -> OutputDefinition {
        var r = try JSONReader(v, path: "outputs")
        var times: [Double] = []
        let tv = try r.required("times")
        if case .array(let list) = tv {
            times = try list.enumerated().map { try JSONAccess.nonNegative($1, "outputs.times[\($0)]") }
            for i in times.indices {
                if i > 0, !(times[i] > times[i - 1]) { throw ModelError(.invalidValue, at: "outputs.times[\(i)]", "expected times increasing strictly, got \(times[i]) after \(times[i - 1])") }
                if times[i] > endTime * (1 + 1e-12) { throw ModelError(.invalidValue, at: "outputs.times[\(i)]", "expected a time ≤ the end of the last step (\(endTime) s), got \(times[i])") }
            }
        } else {
            var tr = try JSONReader(tv, path: "outputs.times")
            let every = try JSONAccess.positive(try tr.required("every"), "outputs.times.every")
            try tr.finish(allowed: ["every"])
            guard endTime / every <= Double(Self.maxOutputTimes) else {
                throw ModelError(.invalidValue, at: "outputs.times.every", "\(JSONValue.number(every).summary) s over \(JSONValue.number(endTime).summary) s gives \(JSONValue.number((endTime / every).rounded(.up)).summary) output times; the limit is \(Self.maxOutputTimes): expected every ≥ \(endTime / Double(Self.maxOutputTimes)) s")
            }
            let n = Int((endTime / every * (1 + 1e-12)).rounded(.down))
            times = (0...n).map { Double($0) * every }
            if endTime - times.last! > 1e-9 * endTime { times.append(endTime) }
        }
        guard !times.isEmpty else { throw ModelError(.invalidValue, at: "outputs.times", "expected at least one output time") }
        var names = Set<String>()
        func uniqueName(_ r: inout JSONReader) throws -> String {
            let n = try JSONAccess.string(try r.required("name"), r.child("name"))
            do { try OutputName.validate(n, field: r.child("name")) } catch {
                throw ModelError(.invalidValue, at: r.child("name"), "\(error)".replacingOccurrences(of: "\(r.child("name")): ", with: ""))
            }
            guard names.insert(n).inserted else { throw ModelError(.invalidValue, at: r.child("name"), "duplicate output name \"\(n)\"") }
            return n
        }
        let fieldNames = Self.probeFields
        let probes = try (r.optional("probes").map { try JSONAccess.array($0, "outputs.probes") } ?? []).enumerated().map { (i, p) in
            var pr = try JSONReader(p, path: "outputs.probes[\(i)]")
            var probe = OutputDefinition.Probe(name: try uniqueName(&pr), field: try JSONAccess.choice(try pr.required("field"), pr.child("field"), fieldNames),
                                               at: try JSONAccess.vector3(try pr.required("at"), pr.child("at")))
            probe.path = pr.path
            try pr.finish(allowed: ["name", "field", "at"])
            return probe
        }
        let surfaces = try (r.optional("surfaces").map { try JSONAccess.array($0, "outputs.surfaces") } ?? []).enumerated().map { (i, p) in
            var sr = try JSONReader(p, path: "outputs.surfaces[\(i)]")
            var out = OutputDefinition.SurfaceOutput(name: try uniqueName(&sr), surface: try JSONAccess.string(try sr.required("surface"), sr.child("surface")),
                                                     quantity: try JSONAccess.choice(try sr.required("quantity"), sr.child("quantity"), Self.surfaceQuantities))
            out.path = sr.path
            try sr.finish(allowed: ["name", "surface", "quantity"])
            return out
        }
        let regions = try (r.optional("regions").map { try JSONAccess.array($0, "outputs.regions") } ?? []).enumerated().map { (i, p) in
            var rr = try JSONReader(p, path: "outputs.regions[\(i)]")
            var out = OutputDefinition.RegionOutput(name: try uniqueName(&rr), region: try JSONAccess.string(try rr.required("region"), rr.child("region")),
                                                    quantity: try JSONAccess.choice(try rr.required("quantity"), rr.child("quantity"), Self.regionQuantities))
            out.path = rr.path
            try rr.finish(allowed: ["name", "region", "quantity"])
            return out
        }
        let vtu = try r.optional("vtu").map { try JSONAccess.bool($0, "outputs.vtu") } ?? true
        try r.finish(allowed: ["times", "probes", "surfaces", "regions", "vtu"])
        return OutputDefinition(times: times, probes: probes, surfaces: surfaces, regions: regions, vtu: vtu)
    }
}
