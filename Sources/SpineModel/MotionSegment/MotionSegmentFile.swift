import Foundation
import Biomechanics
import FiniteElements

// The `motionSegment` block of the model file: checks, reading and writing.

extension MotionSegmentDefinition {
    /// Checks every value that can be checked without the mesh: names, counts, ranges, the laws,
    /// facets facing each other, curves. Node sets and surfaces are checked when a
    /// ``Simulation`` is built.
    /// - Throws: ``ModelError`` naming the place below `path`.
    func validate(at path: ModelPath, curves: [String: LoadCurve], freeSwellingFirst: Bool) throws {
        if ligamentReference == .swollen, !freeSwellingFirst {
            throw ModelError(.invalidValue, at: path.key("ligamentReference").description,
                             "\"swollen\" sets the ligaments' reference lengths at the end of free swelling: expected a free-swelling first step, or \"built\"")
        }
        let vp = path.key("vertebrae")
        guard !vertebrae.isEmpty else { throw ModelError(.invalidValue, at: vp.description, "expected at least two vertebrae (one held)") }
        var names = Set<String>()
        for (i, v) in vertebrae.enumerated() {
            guard !v.name.isEmpty else { throw ModelError(.invalidValue, at: vp.index(i).key("name").description, "expected a non-empty name") }
            guard names.insert(v.name).inserted else {
                throw ModelError(.invalidValue, at: vp.index(i).key("name").description, "duplicate vertebra name \"\(v.name)\"")
            }
            for k in 0..<3 where !v.referencePoint[k].isFinite {
                throw ModelError(.invalidValue, at: vp.index(i).key("referencePoint").index(k).description, "expected a finite coordinate (mm), got \(v.referencePoint[k])")
            }
        }
        let held = vertebrae.indices.filter { vertebrae[$0].held }
        guard held.count == 1 else {
            throw ModelError(.invalidValue, at: vp.description, "expected exactly one held vertebra (the lower one, fixed), got \(held.count)")
        }
        guard vertebrae.count >= 2 else { throw ModelError(.invalidValue, at: vp.description, "expected at least one free vertebra besides the held one") }
        func known(_ name: String, _ at: ModelPath) throws {
            guard names.contains(name) else {
                throw ModelError(.unknownName, at: at.description, "unknown vertebra \"\(name)\"; defined: \(vertebrae.map(\.name).joined(separator: ", "))")
            }
        }
        func checkCurve(_ name: String?, _ at: ModelPath) throws {
            if let name, curves[name] == nil {
                throw ModelError(.unknownName, at: at.description, "unknown curve \"\(name)\"; defined: \(curves.keys.sorted().joined(separator: ", "))")
            }
        }
        for (i, l) in ligaments.enumerated() {
            let lp = path.key("ligaments").index(i)
            try known(l.lower, lp.key("lower")); try known(l.upper, lp.key("upper"))
            guard l.lower != l.upper else { throw ModelError(.invalidValue, at: lp.key("upper").description, "a ligament joins two different vertebrae; both ends are on \"\(l.upper)\"") }
            guard l.type.isBilateral == (l.side != .midline) else {
                throw ModelError(.invalidValue, at: lp.key("side").description, l.type.isBilateral ? "\(l.type) is bilateral: expected side \"left\" or \"right\", got \"midline\"" : "\(l.type) is a midline ligament: expected side \"midline\", got \"\(l.side.rawValue)\"")
            }
            do { try l.law.validate() } catch let MotionSegmentError.invalidParameter(name, value, expected) {
                throw ModelError(.invalidValue, at: lp.key("law").field(name).description, "expected \(expected), got \(value)")
            }
            guard !l.fibres.isEmpty else { throw ModelError(.invalidValue, at: lp.key("fibres").description, "expected at least one fibre") }
            for (k, f) in l.fibres.enumerated() {
                let d = f.insertion - f.origin, length = (d * d).sum().squareRoot()
                guard length.isFinite, length > 0 else {
                    throw ModelError(.invalidValue, at: lp.key("fibres").index(k).description, "expected distinct finite origin and insertion points (a length > 0 mm), got length \(length) mm")
                }
            }
        }
        var facetNames = Set<String>()
        for (i, f) in facets.enumerated() {
            let fp = path.key("facets").index(i)
            guard facetNames.insert(f.name).inserted else { throw ModelError(.invalidValue, at: fp.key("name").description, "duplicate facet name \"\(f.name)\"") }
            try known(f.upper, fp.key("upper")); try known(f.lower, fp.key("lower"))
            guard f.upper != f.lower else { throw ModelError(.invalidValue, at: fp.key("lower").description, "the plane must be on another vertebra than the upper surface, got \"\(f.lower)\" for both") }
            guard !(vertebra(named: f.upper)?.held ?? false) else {
                throw ModelError(.invalidValue, at: fp.key("upper").description, "the sampled surface must be on a free vertebra; \"\(f.upper)\" is held")
            }
            guard !f.points.isEmpty else { throw ModelError(.invalidValue, at: fp.key("points").description, "expected at least one sample point") }
            guard f.areas.count == f.points.count else {
                throw ModelError(.invalidValue, at: fp.key("areas").description, "expected one area per point (\(f.points.count)), got \(f.areas.count)")
            }
            for (k, a) in f.areas.enumerated() where !(a.isFinite && a > 0) {
                throw ModelError(.invalidValue, at: fp.key("areas").index(k).description, "expected an area > 0 mm², got \(a)")
            }
            guard f.penalty.isFinite, f.penalty > 0 else { throw ModelError(.invalidValue, at: fp.key("penalty").description, "expected a penalty > 0 N/mm³, got \(f.penalty)") }
            let nu = (f.upperNormal * f.upperNormal).sum().squareRoot(), np = (f.planeNormal * f.planeNormal).sum().squareRoot()
            guard nu.isFinite, nu > 0 else { throw ModelError(.invalidValue, at: fp.key("upperNormal").description, "expected a non-zero normal") }
            guard np.isFinite, np > 0 else { throw ModelError(.invalidValue, at: fp.key("planeNormal").description, "expected a non-zero normal") }
            let facing = (f.upperNormal * f.planeNormal).sum() / (nu * np)
            guard facing < 0 else {
                throw ModelError(.invalidValue, at: fp.key("upperNormal").description, "the facet surfaces do not face each other: upperNormal · planeNormal = \(facing) (unit normals), expected < 0")
            }
        }
        if let load = followerLoad {
            guard load.force.isFinite, load.force >= 0 else {
                throw ModelError(.invalidValue, at: path.key("followerLoad").key("force").description, "expected a compressive magnitude ≥ 0 N, got \(load.force)")
            }
            try checkCurve(load.curve, path.key("followerLoad").key("curve"))
        }
        if let g = gravity {
            guard g.massKg.isFinite, g.massKg > 0 else { throw ModelError(.invalidValue, at: path.key("gravity").key("massKg").description, "expected a mass > 0 kg, got \(g.massKg)") }
            guard g.angle.isFinite, (-90...90).contains(g.angle) else {
                throw ModelError(.invalidValue, at: path.key("gravity").key("angle").description, "expected a head-down angle in [−90, 90] degrees, got \(g.angle)")
            }
            try checkCurve(g.curve, path.key("gravity").key("curve"))
        }
    }
}

// MARK: - Reading

struct MotionSegmentParser {
    static let keys = ["level", "vertebrae", "ligaments", "facets", "followerLoad", "gravity", "ligamentReference"]
    static let lawKeys = ["stiffness", "curve", "transitionStrain", "largeStrainStiffness", "referenceStrain", "damping",
                          "failureForce", "failureStrain", "damage"]
    static let curveNames = ["toeLinear", "bilinear"]

    static func parse(_ v: JSONValue, path: String = "motionSegment") throws -> MotionSegmentDefinition {
        var r = try JSONReader(v, path: path)
        var level: LumbarLevel? = nil
        if let l = r.optional("level") {
            let name = try JSONAccess.string(l, r.child("level"))
            do { level = try LumbarLevel(name: name) } catch {
                throw ModelError(.invalidValue, at: r.child("level"), "expected one of \(LumbarLevel.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(name)\"")
            }
        }
        let vertebrae = try JSONAccess.array(try r.required("vertebrae"), r.child("vertebrae")).enumerated().map { i, v in
            try vertebra(v, path: "\(r.child("vertebrae"))[\(i)]")
        }
        let ligaments = try (r.optional("ligaments").map { try JSONAccess.array($0, r.child("ligaments")) } ?? []).enumerated().map { i, v in
            try ligament(v, path: "\(r.child("ligaments"))[\(i)]")
        }
        let facets = try (r.optional("facets").map { try JSONAccess.array($0, r.child("facets")) } ?? []).enumerated().map { i, v in
            try facet(v, path: "\(r.child("facets"))[\(i)]")
        }
        var follower: FollowerLoad? = nil
        if let f = r.optional("followerLoad") {
            var fr = try JSONReader(f, path: r.child("followerLoad"))
            follower = FollowerLoad(force: try JSONAccess.nonNegative(try fr.required("force"), fr.child("force")),
                                    curve: try fr.optional("curve").map { try JSONAccess.string($0, fr.child("curve")) })
            try fr.finish(allowed: ["force", "curve"])
        }
        var gravity: GravityLoad? = nil
        if let g = r.optional("gravity") {
            var gr = try JSONReader(g, path: r.child("gravity"))
            gravity = GravityLoad(massKg: try JSONAccess.positive(try gr.required("massKg"), gr.child("massKg")),
                                  angle: try JSONAccess.number(try gr.required("angle"), gr.child("angle")),
                                  curve: try gr.optional("curve").map { try JSONAccess.string($0, gr.child("curve")) })
            try gr.finish(allowed: ["massKg", "angle", "curve"])
        }
        var reference = LigamentReference.built
        if let v = r.optional("ligamentReference") {
            let name = try JSONAccess.string(v, r.child("ligamentReference"))
            guard let known = LigamentReference(rawValue: name) else {
                throw ModelError(.invalidValue, at: r.child("ligamentReference"), "expected one of \(LigamentReference.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(name)\"")
            }
            reference = known
        }
        try r.finish(allowed: keys)
        return MotionSegmentDefinition(level: level, vertebrae: vertebrae, ligaments: ligaments, facets: facets, followerLoad: follower, gravity: gravity,
                                       ligamentReference: reference)
    }

    static func vertebra(_ v: JSONValue, path: String) throws -> VertebraDefinition {
        var r = try JSONReader(v, path: path)
        let name = try JSONAccess.string(try r.required("name"), r.child("name"))
        let target: BoundaryCondition.Target
        switch (r.optional("surface"), r.optional("nodeSet")) {
        case let (s?, nil): target = .surface(try JSONAccess.string(s, r.child("surface")))
        case let (nil, n?): target = .nodeSet(try JSONAccess.string(n, r.child("nodeSet")))
        default: throw ModelError(.invalidValue, at: path, "expected exactly one of \"surface\" or \"nodeSet\": the endplate the vertebra is tied to")
        }
        let point = try JSONAccess.vector3(try r.required("referencePoint"), r.child("referencePoint"))
        let held = try r.optional("held").map { try JSONAccess.bool($0, r.child("held")) } ?? false
        let endplate = try r.optional("discEndplate").map { try JSONAccess.string($0, r.child("discEndplate")) }
        try r.finish(allowed: ["name", "surface", "nodeSet", "referencePoint", "held", "discEndplate"])
        return VertebraDefinition(name: name, tiedTo: target, referencePoint: point, held: held, discEndplate: endplate)
    }

    static func ligament(_ v: JSONValue, path: String) throws -> LigamentDefinition {
        var r = try JSONReader(v, path: path)
        let typeName = try JSONAccess.choice(try r.required("type"), r.child("type"), LigamentType.allCases.map(\.rawValue))
        let side = try r.optional("side").map {
            LevelGeometry.Side(rawValue: try JSONAccess.choice($0, r.child("side"), LevelGeometry.Side.allCases.map(\.rawValue)))!
        } ?? .midline
        let lower = try JSONAccess.string(try r.required("lower"), r.child("lower"))
        let upper = try JSONAccess.string(try r.required("upper"), r.child("upper"))
        let law = try self.law(try r.required("law"), path: r.child("law"))
        let fibres = try JSONAccess.array(try r.required("fibres"), r.child("fibres")).enumerated().map { k, f in
            var fr = try JSONReader(f, path: "\(r.child("fibres"))[\(k)]")
            let fibre = LigamentDefinition.Fibre(origin: try JSONAccess.vector3(try fr.required("origin"), fr.child("origin")),
                                                 insertion: try JSONAccess.vector3(try fr.required("insertion"), fr.child("insertion")))
            try fr.finish(allowed: ["origin", "insertion"])
            return fibre
        }
        try r.finish(allowed: ["type", "side", "lower", "upper", "law", "fibres"])
        return LigamentDefinition(type: LigamentType(rawValue: typeName)!, side: side, lower: lower, upper: upper, law: law, fibres: fibres)
    }

    /// A law, checked value by value (a `LigamentLaw` built without its validating initializer,
    /// then validated with the JSON path of the offending key).
    static func law(_ v: JSONValue, path: String) throws -> LigamentLaw {
        var r = try JSONReader(v, path: path)
        func number(_ key: String) throws -> Double { try JSONAccess.number(try r.required(key), r.child(key)) }
        func optionalNumber(_ key: String) throws -> Double? { try r.optional(key).map { try JSONAccess.number($0, r.child(key)) } }
        let stiffness = try number("stiffness")
        let shape = try JSONAccess.choice(try r.required("curve"), r.child("curve"), curveNames)
        let transition = try number("transitionStrain")
        let curve: LigamentLaw.Curve
        if shape == "bilinear" {
            curve = .bilinear(transitionStrain: transition, largeStrainStiffness: try number("largeStrainStiffness"))
        } else {
            curve = .toeLinear(transitionStrain: transition)
        }
        let referenceStrain = try optionalNumber("referenceStrain") ?? 0
        let damping = try optionalNumber("damping") ?? 0
        let failureForce = try optionalNumber("failureForce"), failureStrain = try optionalNumber("failureStrain")
        var damage: LigamentDamage? = nil
        if let d = r.optional("damage") {
            var dr = try JSONReader(d, path: r.child("damage"))
            damage = LigamentDamage(threshold: try JSONAccess.number(try dr.required("threshold"), dr.child("threshold")),
                                    rate: try JSONAccess.number(try dr.required("rate"), dr.child("rate")),
                                    permanentFraction: try dr.optional("permanentFraction").map { try JSONAccess.number($0, dr.child("permanentFraction")) } ?? 1,
                                    recoveryTime: try dr.optional("recoveryTime").map { try JSONAccess.number($0, dr.child("recoveryTime")) })
            try dr.finish(allowed: ["threshold", "rate", "permanentFraction", "recoveryTime"])
        }
        try r.finish(allowed: lawKeys)
        do {
            return try LigamentLaw(stiffness: stiffness, curve: curve, referenceStrain: referenceStrain, damping: damping,
                                   failureForce: failureForce, failureStrain: failureStrain, damage: damage)
        } catch let MotionSegmentError.invalidParameter(name, value, expected) {
            throw ModelError(.invalidValue, at: "\(path).\(name)", "expected \(expected), got \(value)")
        }
    }

    static func facet(_ v: JSONValue, path: String) throws -> FacetDefinition {
        var r = try JSONReader(v, path: path)
        func vector(_ key: String) throws -> SIMD3<Double> { try JSONAccess.vector3(try r.required(key), r.child(key)) }
        let name = try JSONAccess.string(try r.required("name"), r.child("name"))
        let upper = try JSONAccess.string(try r.required("upper"), r.child("upper"))
        let lower = try JSONAccess.string(try r.required("lower"), r.child("lower"))
        let points = try JSONAccess.array(try r.required("points"), r.child("points")).enumerated().map { try JSONAccess.vector3($1, "\(r.child("points"))[\($0)]") }
        let areas = try JSONAccess.array(try r.required("areas"), r.child("areas")).enumerated().map { try JSONAccess.number($1, "\(r.child("areas"))[\($0)]") }
        let facet = FacetDefinition(name: name, upper: upper, lower: lower, points: points, areas: areas, upperNormal: try vector("upperNormal"),
                                    planePoint: try vector("planePoint"), planeNormal: try vector("planeNormal"),
                                    penalty: try JSONAccess.number(try r.required("penalty"), r.child("penalty")))
        try r.finish(allowed: ["name", "upper", "lower", "points", "areas", "upperNormal", "planePoint", "planeNormal", "penalty"])
        return facet
    }
}

// MARK: - Writing

extension MotionSegmentDefinition {
    /// The `motionSegment` block of the model file.
    func jsonValue() -> JSONValue {
        func vector(_ v: SIMD3<Double>) -> JSONValue { .array([.number(v.x), .number(v.y), .number(v.z)]) }
        var members: JSONObject = []
        if let level { members.append(("level", .string(level.rawValue))) }
        members.append(("vertebrae", .array(vertebrae.map { v in
            var m: JSONObject = [("name", .string(v.name))]
            switch v.tiedTo {
            case let .surface(s): m.append(("surface", .string(s)))
            case let .nodeSet(s): m.append(("nodeSet", .string(s)))
            }
            m.append(("referencePoint", vector(v.referencePoint)))
            if v.held { m.append(("held", .bool(true))) }
            if let e = v.discEndplate { m.append(("discEndplate", .string(e))) }
            return .object(m)
        })))
        if !ligaments.isEmpty {
            members.append(("ligaments", .array(ligaments.map { l in
                var law: JSONObject = [("stiffness", .number(l.law.stiffness))]
                switch l.law.curve {
                case let .toeLinear(t): law += [("curve", .string("toeLinear")), ("transitionStrain", .number(t))]
                case let .bilinear(t, k2): law += [("curve", .string("bilinear")), ("transitionStrain", .number(t)), ("largeStrainStiffness", .number(k2))]
                }
                law += [("referenceStrain", .number(l.law.referenceStrain)), ("damping", .number(l.law.damping))]
                if let f = l.law.failureForce { law.append(("failureForce", .number(f))) }
                if let e = l.law.failureStrain { law.append(("failureStrain", .number(e))) }
                if let d = l.law.damage {
                    var dm: JSONObject = [("threshold", .number(d.threshold)), ("rate", .number(d.rate)), ("permanentFraction", .number(d.permanentFraction))]
                    if let tau = d.recoveryTime { dm.append(("recoveryTime", .number(tau))) }
                    law.append(("damage", .object(dm)))
                }
                var m: JSONObject = [("type", .string(l.type.rawValue))]
                if l.side != .midline { m.append(("side", .string(l.side.rawValue))) }
                m += [("lower", .string(l.lower)), ("upper", .string(l.upper)), ("law", .object(law)),
                      ("fibres", .array(l.fibres.map { .object([("origin", vector($0.origin)), ("insertion", vector($0.insertion))]) }))]
                return .object(m)
            })))
        }
        if !facets.isEmpty {
            members.append(("facets", .array(facets.map { f in
                .object([("name", .string(f.name)), ("upper", .string(f.upper)), ("lower", .string(f.lower)),
                         ("points", .array(f.points.map(vector))), ("areas", .array(f.areas.map(JSONValue.number))),
                         ("upperNormal", vector(f.upperNormal)), ("planePoint", vector(f.planePoint)), ("planeNormal", vector(f.planeNormal)),
                         ("penalty", .number(f.penalty))])
            })))
        }
        if let f = followerLoad {
            var m: JSONObject = [("force", .number(f.force))]
            if let c = f.curve { m.append(("curve", .string(c))) }
            members.append(("followerLoad", .object(m)))
        }
        if let g = gravity {
            var m: JSONObject = [("massKg", .number(g.massKg)), ("angle", .number(g.angle))]
            if let c = g.curve { m.append(("curve", .string(c))) }
            members.append(("gravity", .object(m)))
        }
        if ligamentReference != .built { members.append(("ligamentReference", .string(ligamentReference.rawValue))) }
        return .object(members)
    }
}
