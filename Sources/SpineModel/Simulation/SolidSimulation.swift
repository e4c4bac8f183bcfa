import Foundation
import Biomechanics
import FiniteElements
import SparseLinearAlgebra

/// The solid-mechanics engine behind ``Simulation`` for models without biphasic materials:
/// builds the mesh, materials, constraints and loads, steps through time with the adaptive
/// backward-Euler stepper (Newton with line search at every step), and records the requested
/// outputs. Use ``Simulation``; this type is its engine.
public final class SolidSimulation {
    /// The model.
    public let model: Model
    /// The mesh (mm).
    public let mesh: Mesh
    /// The solid-mechanics problem built from the model.
    public let problem: SolidMechanicsProblem
    /// Located probes: cell and reference coordinates.
    let probeLocations: [(cell: Int, reference: SIMD3<Double>)]

    /// Called after every accepted increment with the step index, the time (s) and the Newton
    /// iterations; an error thrown here stops the run (``SimulationInterrupted``).
    var incrementObserver: ((_ step: Int, _ time: Double, _ iterations: Int) throws -> Void)? = nil

    /// Number of unknowns of the discrete system.
    public var unknownCount: Int { problem.unknownCount }

    /// Builds everything the model describes, checking names against the mesh.
    /// - Throws: ``ModelError`` naming the JSON path of the offending entry.
    public init(model: Model) throws {
        let model = model.positioned
        self.model = model
        let mesh = try Self.buildMesh(model.mesh)
        do { try mesh.validate() } catch { throw ModelError(.invalidValue, at: "mesh", String(describing: error)) }
        self.mesh = mesh
        // Materials per cell (later region entries override earlier ones).
        var cellMaterials = [SolidMechanicsProblem.CellMaterial?](repeating: nil, count: mesh.cellCount)
        for (region, name) in model.regions {
            guard let cells = mesh.regions[region] else {
                throw ModelError(.unknownName, at: "regions.\(region)", "unknown region \"\(region)\"; \(mesh.regions.keys.meshHas("regions"))")
            }
            guard let def = model.materials[name] else {
                throw ModelError(.unknownName, at: model.rootPath.key("regions").description, "region \"\(region)\" names material \"\(name)\", which is not defined; defined: \(model.materials.keys.sorted().joined(separator: ", "))")
            }
            guard def.biphasic == nil else {
                throw ModelError(.invalidValue, at: model.rootPath.key("materials").entry(name).description, "a biphasic material in a solid model: every region of a biphasic model must be biphasic, and the whole model then runs as biphasic")
            }
            let law = try def.law(at: model.rootPath.key("materials").entry(name))
            for c in cells {
                let centroid = mesh.cellCoordinates(c).reduce(SIMD3<Double>.zero, +) / Double(mesh.cellType(c).nodeCount)
                cellMaterials[c] = .init(law: law, axes: def.axes.frame(at: (centroid.x, centroid.y, centroid.z)))
            }
        }
        if let c = cellMaterials.firstIndex(where: { $0 == nil }) {
            throw ModelError(.invalidValue, at: "regions", "cell \(c) lies in no listed region: every cell needs a material (the mesh's regions: \(mesh.regions.keys.sorted().joined(separator: ", ")))")
        }
        let problem = try SolidMechanicsProblem(mesh: mesh, cellMaterials: cellMaterials, finiteStrain: model.kinematics == .finiteStrain)
        for condition in model.boundary { try Self.apply(condition, model: model, mesh: mesh, to: problem) }
        if model.planeStrain { problem.prescribed.append(PrescribedComponent(nodes: Array(0..<mesh.nodeCount), component: 1, value: 0)) }
        do { try problem.prepare() } catch { throw ModelError(.invalidValue, at: "boundary", String(describing: error)) }
        self.problem = problem
        // Outputs: names must exist, probes must lie in the mesh.
        for s in model.outputs.surfaces where mesh.surfaces[s.surface] == nil {
            throw ModelError(.unknownName, at: s.path + ".surface", "unknown surface \"\(s.surface)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
        }
        for r in model.outputs.regions where mesh.regions[r.region] == nil {
            throw ModelError(.unknownName, at: r.path + ".region", "unknown region \"\(r.region)\"; \(mesh.regions.keys.meshHas("regions"))")
        }
        let locator = PointLocator(mesh: mesh)
        probeLocations = try model.outputs.probes.map { p in
            guard let hit = locator.locate(p.at) else {
                throw ModelError(.invalidValue, at: p.path + ".at", "point [\(p.at.x), \(p.at.y), \(p.at.z)] mm lies outside the mesh")
            }
            return hit
        }
    }

    static func buildMesh(_ source: MeshSource) throws -> Mesh {
        do {
            switch source {
            case let .box(origin, size, divisions, element):
                return try MeshGenerator.box(origin: origin, size: size, cells: divisions, cellType: element)
            case let .cylinder(a, b, height, innerName, fraction, radial, around, axial, element, bodies):
                let inner = innerName.map { MeshGenerator.InnerRegion(name: $0, fraction: fraction) }
                func cylinder(_ h: Double, _ layers: Int) throws -> Mesh {
                    try MeshGenerator.ellipticCylinder(a: a, b: b, height: h, inner: inner, around: around, radial: radial, layers: layers, cellType: element)
                }
                let disc = try cylinder(height, axial)
                guard let bodies else { return disc }
                return try withVertebralBodies(disc, height: height, bodies: bodies, a: a, b: b, body: try cylinder(bodies.height, bodies.layers))
            case let .tube(ri, ro, height, angle, radial, around, axial, element):
                return try tube(innerRadius: ri, outerRadius: ro, height: height, angle: angle, radial: radial, around: around, axial: axial, element: element)
            case let .gmsh(path):
                return try readGmsh(path)
            }
        } catch let e as ModelError { throw e } catch {
            throw ModelError(.invalidValue, at: "mesh", String(describing: error))
        }
    }

    /// `disc` (a generated cylinder of height `height`, semi-axes `a`, `b`, mm) with the vertebral
    /// bodies of ``VertebralBodies`` bonded under and over it; `body` is one body on the disc's
    /// lattice at z ∈ [0, bodies.height]. The shell is the ring of cells on the body's lateral
    /// surface.
    static func withVertebralBodies(_ disc: Mesh, height: Double, bodies: VertebralBodies, a: Double, b: Double,
                                    body generatedBody: Mesh) throws -> Mesh {
        var mesh = disc
        try mesh.addRegion("disc", cells: Array(0..<disc.cellCount))
        for (name, z0, end) in [("lowerVertebra", -bodies.height, "bottom"), ("upperVertebra", height, "top")] {
            let generated = generatedBody.translated(by: SIMD3(0, 0, z0))
            var part = generated
            for r in generated.regions.keys { part.removeRegion(r) }
            for s in generated.surfaces.keys { part.removeSurface(s) }
            let shell = Set(try generated.faces(ofSurface: "outer").map(\.cell))
            try part.addRegion(name, cells: (0..<generated.cellCount).filter { !shell.contains($0) })
            try part.addRegion(name + "Shell", cells: Array(shell))
            try part.addRegion("all", cells: Array(0..<generated.cellCount))
            try part.addSurface(name + "End", faces: try generated.faces(ofSurface: end))
            mesh = try mesh.merged(with: part, weldTolerance: 1e-9 * max(a, b, height))
        }
        // Every disc endplate node must now be shared with a body: the lattices conform.
        let expected = disc.nodeCount + 2 * generatedBody.nodeCount - (try disc.nodes(ofSurface: "top").count) - (try disc.nodes(ofSurface: "bottom").count)
        guard mesh.nodeCount == expected else {
            throw ModelError(.invalidValue, at: "mesh.generate.vertebrae", "the vertebral bodies did not weld to the disc's endplates node for node (\(mesh.nodeCount) nodes, expected \(expected))")
        }
        return mesh
    }

    /// A tube sector: a box in (r, θ, z) mapped to Cartesian coordinates, so
    /// every node (mid-edge ones included) lies exactly on its arc.
    static func tube(innerRadius ri: Double, outerRadius ro: Double, height: Double, angle: Double,
                     radial: Int, around: Int, axial: Int, element: CellType) throws -> Mesh {
        var mesh = try MeshGenerator.box(size: SIMD3(ro - ri, 1, height), cells: SIMD3(radial, around, axial), cellType: element)
        let sweep = angle * Double.pi / 180
        for i in 0..<mesh.nodeCount {
            let q = mesh.nodes[i]
            let r = ri + q.x, theta = q.y * sweep
            mesh.nodes[i] = SIMD3(r * cos(theta), r * sin(theta), q.z)
        }
        for (new, old) in [("inner", "x-"), ("outer", "x+"), ("start", "y-"), ("end", "y+")] {
            try mesh.addSurface(new, faces: try mesh.faces(ofSurface: old))
        }
        return mesh
    }

    /// Nodes of a condition's target, or an unknown-name error at its path.
    static func targetNodes(_ c: BoundaryCondition, mesh: Mesh) throws -> [Int] {
        switch c.target {
        case let .surface(name):
            guard mesh.surfaces[name] != nil else {
                throw ModelError(.unknownName, at: c.path + ".surface", "unknown surface \"\(name)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
            }
            return try mesh.nodes(ofSurface: name)
        case let .nodeSet(name):
            guard mesh.nodeSets[name] != nil else {
                throw ModelError(.unknownName, at: c.path + ".nodeSet", "unknown node set \"\(name)\"; " + (mesh.nodeSets.isEmpty
                    ? "the mesh has no node sets (node sets come from a Gmsh file's physical groups; a generated mesh has surfaces: \(mesh.surfaces.keys.sorted().joined(separator: ", ")))"
                    : "\(mesh.nodeSets.keys.meshHas("node sets"))"))
            }
            return try mesh.nodes(inSet: name)
        }
    }

    /// Applies a condition that means the same for every problem with a displacement field —
    /// fixed or prescribed components, symmetry planes, surface and nodal loads — to that
    /// problem's prescribed components and loads. Returns `false` for the kinds each problem
    /// handles itself (rigid surfaces, fluid conditions), leaving both lists untouched.
    static func applyMechanical(_ c: BoundaryCondition, nodes: [Int], surface: String, mesh: Mesh,
                                curve: (String?) -> LoadCurve,
                                prescribed: inout [PrescribedComponent], loads: inout [NodalLoad]) throws -> Bool {
        switch c.kind {
        case let .fix(components):
            for k in components { prescribed.append(PrescribedComponent(nodes: nodes, component: k, value: 0)) }
        case let .prescribe(list, name):
            for (k, v) in list { prescribed.append(PrescribedComponent(nodes: nodes, component: k, value: v, curve: curve(name))) }
        case .symmetry:
            let axis: Int
            do { axis = try SymmetryPlane.axis(mesh: mesh, surface: surface) } catch {
                throw ModelError(.invalidValue, at: c.path + ".symmetry", String(describing: error))
            }
            prescribed.append(PrescribedComponent(nodes: nodes, component: axis, value: 0))
        case let .pressure(p, name):
            var f = [SIMD3<Double>](repeating: .zero, count: mesh.nodeCount)
            try SurfaceLoads.pressure(p, mesh: mesh, surface: surface, into: &f)
            loads.append(NodalLoad(nodalForces: f, curve: curve(name)))
        case let .traction(t, name):
            var f = [SIMD3<Double>](repeating: .zero, count: mesh.nodeCount)
            try SurfaceLoads.accumulate(mesh: mesh, surface: surface, into: &f) { _, _ in t }
            loads.append(NodalLoad(nodalForces: f, curve: curve(name)))
        case let .force(total, name):
            var f = [SIMD3<Double>](repeating: .zero, count: mesh.nodeCount)
            try SurfaceLoads.totalForce(total, mesh: mesh, surface: surface, into: &f)
            loads.append(NodalLoad(nodalForces: f, curve: curve(name)))
        case let .nodalForce(force, name):
            loads.append(NodalLoad(nodes: nodes, forces: Array(repeating: force, count: nodes.count), curve: curve(name)))
        case .rigid, .fluidPressure, .fluidFlux, .fluidExchange:
            return false
        }
        return true
    }

    static func apply(_ c: BoundaryCondition, model: Model, mesh: Mesh, to problem: SolidMechanicsProblem) throws {
        let nodes = try targetNodes(c, mesh: mesh)
        func curve(_ name: String?) -> LoadCurve { name.map { model.curves[$0]! } ?? .constant }
        var surface: String { if case let .surface(s) = c.target { return s }; return "" }
        do {
            if try applyMechanical(c, nodes: nodes, surface: surface, mesh: mesh, curve: curve,
                                   prescribed: &problem.prescribed, loads: &problem.loads) { return }
            switch c.kind {
            case .fix, .prescribe, .symmetry, .pressure, .traction, .force, .nodalForce:
                break  // applied above
            case .fluidPressure, .fluidFlux, .fluidExchange:
                throw ModelError(.invalidValue, at: c.path, "fluid conditions need a biphasic model (run it with BiphasicSimulation)")
            case let .rigid(drive, name):
                switch drive {
                case let .displacement(d):
                    for k in 0..<3 { problem.prescribed.append(PrescribedComponent(nodes: nodes, component: k, value: d[k], curve: curve(name))) }
                case let .loads(force, moment, rotationFree, reference, slide):
                    guard slide.isEmpty else {
                        throw ModelError(.invalidValue, at: c.path + ".rigid.slide", "sliding (frictionless) rigid surfaces are available in biphasic models only; for a solid model use symmetry or prescribed components instead")
                    }
                    // Master–slave: the nodes' displacements follow the reference point's translation (and rotation).
                    let area = try mesh.surfaceArea(surface)
                    let centroid = SIMD3(try mesh.integrate(surface: surface) { x, _ in x.x }, try mesh.integrate(surface: surface) { x, _ in x.y },
                                         try mesh.integrate(surface: surface) { x, _ in x.z }) / area
                    problem.rigidBodies.append(.init(nodes: nodes, reference: reference ?? centroid, rotationFree: rotationFree,
                                                     force: force, moment: moment, curve: curve(name)))
                }
            }
        } catch let e as ModelError { throw e } catch {
            throw ModelError(.invalidValue, at: c.path, String(describing: error))
        }
    }

    static func readGmsh(_ path: String) throws -> Mesh {
        do { return try GmshReader.read(path: path) } catch {
            throw ModelError(.invalidValue, at: "mesh.file", String(describing: error))
        }
    }
}
