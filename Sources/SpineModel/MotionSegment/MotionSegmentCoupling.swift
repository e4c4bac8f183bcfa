import Foundation
import Biomechanics
import FiniteElements

/// A model's motion segment turned into the biphasic problem's rigid bodies (``BiphasicProblem/rigidBodies``),
/// with what the recorder needs to report it.
struct MotionSegmentCoupling {
    /// The definition.
    let definition: MotionSegmentDefinition
    /// Per free vertebra: its definition index and its endplate's anterior and posterior rim
    /// points (mm, reference configuration; through the reference point, level with it).
    let free: [(index: Int, anterior: SIMD3<Double>, posterior: SIMD3<Double>)]
    /// Per ligament definition: the range of its bundles in ``BiphasicProblem/rigidBodies``.
    let ligamentBundles: [Range<Int>]
    /// The fibre stretch of the disc's fibre-reinforced cells (the annulus), nil when the disc has none.
    let fibreStrain: FibreStrainSampler?
    /// The annulus lamella of each cell (nil for a cell of a material without lamellae).
    let lamellaOfCell: [Int?]
    /// With deformable vertebral bodies (``VertebraDefinition/discEndplate``): the disc's endplate
    /// nodes at the anterior rim, the centre and the posterior rim of the midsagittal plane, each
    /// upper one above its lower one (disc height change is their axial displacement difference);
    /// nil for vertebrae tied to the endplates themselves.
    var endplateNodes: [(upper: Int, lower: Int)]? = nil
    /// The cells of solid-only materials (the vertebral bodies' bone), whose principal strains are
    /// reported; empty without.
    var boneCells: [Int] = []

    /// True when `c` is a force- or moment-driven `rigid` condition on a free vertebra's endplate
    /// (applied to the vertebra by ``build(model:mesh:problem:)``, not as a tie).
    static func drivesVertebra(_ c: BoundaryCondition, _ segment: MotionSegmentDefinition?) -> Bool {
        guard let segment, case .rigid = c.kind else { return false }
        return segment.freeVertebrae.contains { $0.tiedTo == c.target }
    }

    /// Ties the vertebrae to the mesh, applies the held vertebra's fixity and the loads on the free
    /// ones, and sets ``BiphasicProblem/rigidBodies`` (before ``BiphasicProblem/prepare()``).
    /// - Throws: ``ModelError`` naming the place in the model.
    static func build(model: Model, mesh: Mesh, problem: BiphasicProblem, lamellaOfCell: [Int?] = []) throws -> MotionSegmentCoupling {
        guard let ms = model.motionSegment else { throw ModelError(.invalidValue, at: "motionSegment", "no motion segment") }
        let root = model.rootPath.key("motionSegment")
        func curve(_ name: String?) -> LoadCurve { name.flatMap { model.curves[$0] } ?? .constant }
        var nodesOf: [[Int]] = []
        for (i, v) in ms.vertebrae.enumerated() {
            let at = root.key("vertebrae").index(i).appending(.swiftOnly("tiedTo"))
            switch v.tiedTo {
            case let .surface(s):
                guard mesh.surfaces[s] != nil else {
                    throw ModelError(.unknownName, at: at.appending(.jsonOnly("surface")).description, "vertebra \"\(v.name)\" is tied to unknown surface \"\(s)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
                }
                nodesOf.append(try mesh.nodes(ofSurface: s))
            case let .nodeSet(s):
                guard mesh.nodeSets[s] != nil else {
                    throw ModelError(.unknownName, at: at.appending(.jsonOnly("nodeSet")).description, "vertebra \"\(v.name)\" is tied to unknown node set \"\(s)\"; \(mesh.nodeSets.keys.meshHas("node sets"))")
                }
                nodesOf.append(try mesh.nodes(inSet: s))
            }
        }
        let freeIndices = ms.vertebrae.indices.filter { !ms.vertebrae[$0].held }
        var bodyOf: [String: Int] = [:]
        for (b, i) in freeIndices.enumerated() { bodyOf[ms.vertebrae[i].name] = b }
        func anchor(_ vertebra: String, _ p: SIMD3<Double>) -> RigidAnchor { bodyOf[vertebra].map { .body($0, p) } ?? .ground(p) }

        // The held vertebra: its endplate is fixed.
        for (i, v) in ms.vertebrae.enumerated() where v.held {
            problem.prescribed += (0..<3).map { PrescribedComponent(nodes: nodesOf[i], component: $0, value: 0) }
        }
        var vertebrae: [RigidVertebra] = []
        var free: [(index: Int, anterior: SIMD3<Double>, posterior: SIMD3<Double>)] = []
        var referenceNode: [Int?] = []
        for i in freeIndices {
            let v = ms.vertebrae[i]
            vertebrae.append(RigidVertebra(name: v.name, referencePoint: v.referencePoint, nodes: nodesOf[i]))
            let ys = nodesOf[i].map { mesh.nodes[$0].y }
            free.append((index: i, anterior: SIMD3(v.referencePoint.x, ys.max()!, v.referencePoint.z), posterior: SIMD3(v.referencePoint.x, ys.min()!, v.referencePoint.z)))
            let nearest = nodesOf[i].min { distance(mesh.nodes[$0], v.referencePoint) < distance(mesh.nodes[$1], v.referencePoint) }!
            referenceNode.append(distance(mesh.nodes[nearest], v.referencePoint) <= 1e-6 * max(1, length(v.referencePoint)) ? nearest : nil)
        }
        /// A force (N) at free vertebra `b`'s reference point: a nodal load on its tied node there.
        func addForce(_ f: SIMD3<Double>, curve c: LoadCurve, body b: Int, at path: String) throws {
            guard let node = referenceNode[b] else {
                throw ModelError(.invalidValue, at: root.key("vertebrae").index(freeIndices[b]).key("referencePoint").description,
                                 "forces on vertebra \"\(vertebrae[b].name)\" (\(path)) act at its reference point, which must be a node of its endplate; no tied node lies at \(vertebrae[b].referencePoint)")
            }
            problem.loads.append(NodalLoad(nodes: [node], forces: [f], curve: c))
        }
        var momentCurve: [String?] = Array(repeating: nil, count: freeIndices.count)
        for (k, c) in model.boundary.enumerated() where drivesVertebra(c, ms) {
            let at = model.rootPath.key("boundary").index(k)
            guard let b = freeIndices.firstIndex(where: { ms.vertebrae[$0].tiedTo == c.target }), case let .rigid(drive, curveName) = c.kind else { continue }
            switch drive {
            case .displacement:
                throw ModelError(.invalidValue, at: at.key("rigid").description, "surface of vertebra \"\(vertebrae[b].name)\": a rigid vertebra is driven by forces and moments, not by a displacement")
            case let .loads(force, moment, _, reference, slide):
                guard slide.isEmpty else {
                    throw ModelError(.invalidValue, at: at.key("rigid").key("slide").description, "a rigid vertebra's endplate is bonded: expected no sliding components")
                }
                if let reference, distance(reference, vertebrae[b].referencePoint) > 1e-9 * max(1, length(reference)) {
                    throw ModelError(.invalidValue, at: at.key("rigid").key("reference").description, "loads on vertebra \"\(vertebrae[b].name)\" act at its reference point \(vertebrae[b].referencePoint); expected no reference or that point")
                }
                if force != .zero { try addForce(force, curve: curve(curveName), body: b, at: at.description) }
                if moment != .zero {
                    if vertebrae[b].moment != .zero, momentCurve[b] != curveName {
                        throw ModelError(.invalidValue, at: at.key("curve").description, "vertebra \"\(vertebrae[b].name)\" already carries a moment with curve \(momentCurve[b] ?? "none"); moments on one vertebra share one curve")
                    }
                    vertebrae[b].moment += moment
                    vertebrae[b].curve = curve(curveName)
                    momentCurve[b] = curveName
                }
            }
        }
        if !freeIndices.isEmpty {
            if let f = ms.followerLoad, f.force > 0 {
                try addForce(SIMD3(0, 0, -f.force), curve: curve(f.curve), body: 0, at: root.key("followerLoad").description)
            }
            if let g = ms.gravity, g.axialForce != 0 {
                try addForce(SIMD3(0, 0, g.axialForce), curve: curve(g.curve), body: 0, at: root.key("gravity").description)
            }
        }
        var bundles: [LigamentBundle] = [], ranges: [Range<Int>] = []
        for (i, l) in ms.ligaments.enumerated() {
            let start = bundles.count
            for (k, fibre) in l.fibres.enumerated() {
                do {
                    bundles.append(try LigamentBundle(name: "\(l.name) \(k + 1)", origin: anchor(l.lower, fibre.origin),
                                                      insertion: anchor(l.upper, fibre.insertion), law: l.law))
                } catch let MotionSegmentError.invalidParameter(name, value, expected) {
                    throw ModelError(.invalidValue, at: root.key("ligaments").index(i).description, "\(name): expected \(expected), got \(value)")
                }
            }
            ranges.append(start..<bundles.count)
        }
        var facets: [FacetContact] = []
        for (i, f) in ms.facets.enumerated() {
            do {
                facets.append(try FacetContact(name: f.name, upperBody: bodyOf[f.upper]!, points: f.points, areas: f.areas, upperNormal: f.upperNormal,
                                               plane: anchor(f.lower, f.planePoint), planeNormal: f.planeNormal, penalty: f.penalty))
            } catch let e as MotionSegmentError {
                throw ModelError(.invalidValue, at: root.key("facets").index(i).description, e.description)
            }
        }
        problem.rigidBodies = CoupledRigidBodies(vertebrae: vertebrae, ligaments: bundles, facets: facets)
        let fibres: FibreStrainSampler
        do { fibres = try FibreStrainSampler(problem: problem) } catch {
            throw ModelError(.invalidValue, at: "mesh", "annulus fibre strain: \(error)")
        }
        var coupling = MotionSegmentCoupling(definition: ms, free: free, ligamentBundles: ranges, fibreStrain: fibres.sampleCount > 0 ? fibres : nil,
                                             lamellaOfCell: lamellaOfCell)
        coupling.boneCells = problem.cellMaterials.indices.filter { problem.cellMaterials[$0].law.isSolidOnly }
        coupling.endplateNodes = try endplatePairs(ms, mesh: mesh, freeIndex: freeIndices.first, root: root)
        return coupling
    }

    /// The anterior, central and posterior node pairs of the disc's endplates (``endplateNodes``).
    /// - Throws: ``ModelError`` when only one vertebra names its disc endplate, the surface is
    ///   unknown, or the lower endplate has no node below an upper one.
    static func endplatePairs(_ ms: MotionSegmentDefinition, mesh: Mesh, freeIndex: Int?, root: ModelPath) throws -> [(upper: Int, lower: Int)]? {
        guard let freeIndex, let held = ms.vertebrae.firstIndex(where: \.held) else { return nil }
        let names = (upper: ms.vertebrae[freeIndex].discEndplate, lower: ms.vertebrae[held].discEndplate)
        if names.upper == nil && names.lower == nil { return nil }
        guard let upperName = names.upper, let lowerName = names.lower else {
            let i = names.upper == nil ? freeIndex : held
            throw ModelError(.invalidValue, at: root.key("vertebrae").index(i).key("discEndplate").description,
                             "expected the disc endplate of both vertebrae or of neither (deformable vertebral bodies need both)")
        }
        var nodes: [[Int]] = []
        for (i, name) in [(freeIndex, upperName), (held, lowerName)] {
            guard mesh.surfaces[name] != nil else {
                throw ModelError(.unknownName, at: root.key("vertebrae").index(i).key("discEndplate").description,
                                 "unknown surface \"\(name)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
            }
            nodes.append(try mesh.nodes(ofSurface: name))
        }
        let scale = max(1, nodes[0].map { length(mesh.nodes[$0]) }.max() ?? 1)
        let midline = nodes[0].filter { abs(mesh.nodes[$0].x) <= 1e-9 * scale }
        guard let anterior = midline.max(by: { mesh.nodes[$0].y < mesh.nodes[$1].y }),
              let posterior = midline.min(by: { mesh.nodes[$0].y < mesh.nodes[$1].y }),
              let middle = midline.min(by: { abs(mesh.nodes[$0].y) < abs(mesh.nodes[$1].y) }) else {
            throw ModelError(.invalidValue, at: root.key("vertebrae").index(freeIndex).key("discEndplate").description,
                             "surface \"\(upperName)\" has no node on the midsagittal plane x = 0")
        }
        return try [anterior, middle, posterior].map { u in
            let p = mesh.nodes[u]
            guard let l = nodes[1].first(where: { abs(mesh.nodes[$0].x - p.x) <= 1e-9 * scale && abs(mesh.nodes[$0].y - p.y) <= 1e-9 * scale }) else {
                throw ModelError(.invalidValue, at: root.key("vertebrae").index(held).key("discEndplate").description,
                                 "surface \"\(lowerName)\" has no node below the upper endplate's node at \(p)")
            }
            return (u, l)
        }
    }
}

private func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
private func distance(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { length(a - b) }
