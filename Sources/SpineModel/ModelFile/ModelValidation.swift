import Foundation
import Biomechanics
import FiniteElements
import SparseLinearAlgebra

extension Model {
    /// Checks everything that can be checked without the mesh — every material parameter,
    /// names referred to (materials, curves), steps and output times — the checks a model file
    /// gets when it is read, for a model built or changed in code.
    ///
    /// Names of regions, surfaces and node sets are checked against the mesh when a
    /// ``Simulation`` is built.
    /// - Throws: ``ModelError`` naming the place in this model's ``pathStyle``
    ///   (`materials["np"].biphasic.permeability.k0` for a model built in code).
    public func validate() throws {
        let root = rootPath
        if isTransportOnly { try validateTransportOnly() } else {
            guard !regions.isEmpty else { throw ModelError(.invalidValue, at: root.key("regions").description, "expected at least one region → material entry") }
            for (i, r) in regions.enumerated() where materials[r.material] == nil {
                let at = pathStyle == .json ? root.key("regions").entry(r.region) : root.key("regions").index(i).key("material")
                throw ModelError(.unknownName, at: at.description, "unknown material \"\(r.material)\"; defined: \(materials.keys.sorted().joined(separator: ", "))")
            }
            for name in materials.keys.sorted() { try materials[name]!.validate(at: root.key("materials").entry(name)) }
        }
        var names = Set<String>()
        for (i, c) in boundary.enumerated() {
            let at = root.key("boundary").index(i)
            if let curve = c.curve, curves[curve] == nil {
                throw ModelError(.unknownName, at: at.key("curve").description, "unknown curve \"\(curve)\"; defined: \(curves.keys.sorted().joined(separator: ", "))")
            }
            if let n = c.name, !names.insert(n).inserted {
                throw ModelError(.invalidValue, at: at.key("name").description, "duplicate condition name \"\(n)\"")
            }
        }
        guard !steps.isEmpty else { throw ModelError(.invalidValue, at: root.key("steps").description, "expected at least one step") }
        for (i, step) in steps.enumerated() {
            try step.validate(at: root.key("steps").index(i), first: i == 0)
            // Bounded work, said up front: the fewest increments a step can take is duration / maxStep.
            let fewest = step.duration / step.maxStep
            guard fewest <= Double(Self.maxIncrementsPerStep) else {
                throw ModelError(.invalidValue, at: root.key("steps").index(i).key(pathStyle == .json ? "dtMax" : "maxStep").description,
                                 "a \(step.duration) s step with increments of at most \(step.maxStep) s takes at least \(String(format: "%.0f", fewest.rounded(.up))) increments; the limit is \(Self.maxIncrementsPerStep) (Model.maxIncrementsPerStep): expected a larger maximum increment or a shorter step")
            }
        }
        try validateTransportSteps()
        try checkCurvesAct()
        if let motionSegment {
            guard isBiphasic else {
                throw ModelError(.invalidValue, at: root.key("motionSegment").description, "a motion segment needs a biphasic disc: every region a biphasic material")
            }
            try motionSegment.validate(at: root.key("motionSegment"), curves: curves, freeSwellingFirst: steps.first?.freeSwelling != nil)
        }
        try mesh.checkSize(at: root.key("mesh"))
        try outputs.validate(at: root.key("outputs"), endTime: steps.reduce(0) { $0 + $1.duration })
        try ModelParser.checkBiphasicUse(materials: materials, boundary: positioned.boundary, outputs: positioned.outputs, steps: steps)
        try validateProtocol()
        try validateNewtonMethod()
        try validateTimeControl()
    }

    /// Most increments one step may need (duration / largest increment): a larger request is refused
    /// before anything runs. 1 000 000, or the environment variable `SPINETRACTION_MAX_INCREMENTS`.
    public static var maxIncrementsPerStep: Int {
        ProcessInfo.processInfo.environment["SPINETRACTION_MAX_INCREMENTS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 1_000_000
    }

    /// The model with every condition's, output's and free-swelling block's ``BoundaryCondition/path``
    /// set from its position (`boundary[3]`, `outputs.probes[0]`), for errors found later.
    var positioned: Model {
        var m = self
        for i in m.boundary.indices { m.boundary[i].path = "boundary[\(i)]" }
        for i in m.outputs.probes.indices { m.outputs.probes[i].path = "outputs.probes[\(i)]" }
        for i in m.outputs.surfaces.indices { m.outputs.surfaces[i].path = "outputs.surfaces[\(i)]" }
        for i in m.outputs.regions.indices { m.outputs.regions[i].path = "outputs.regions[\(i)]" }
        for i in m.steps.indices where m.steps[i].freeSwelling != nil { m.steps[i].freeSwelling!.path = "steps[\(i)].freeSwelling" }
        return m
    }
}

extension StepDefinition {
    /// Checks the step's times (s) and, for a free-swelling step, that it comes first.
    func validate(at path: ModelPath, first: Bool) throws {
        func positive(_ key: String, _ x: Double) throws {
            guard x > 0, x.isFinite else { throw ModelError(.invalidValue, at: path.key(key).description, "expected a positive number (s), got \(JSONValue.number(x).summary)") }
        }
        if let swelling = freeSwelling {
            guard first else {
                throw ModelError(.invalidValue, at: path.key("freeSwelling").description, "a free-swelling step must be the first step (it sets the initial state before loading)")
            }
            guard duration == 0 else {
                throw ModelError(.invalidValue, at: path.key("duration").description, "a free-swelling step takes no model time: expected 0, got \(JSONValue.number(duration).summary)")
            }
            guard swelling.tolerance > 0, swelling.tolerance < 1 else {
                throw ModelError(.invalidValue, at: path.key("freeSwelling").key("tolerance").description, "expected a relative equilibrium tolerance in (0, 1) on max |p − p_bath| / Δπ_ref, e.g. 1e-3, got \(JSONValue.number(swelling.tolerance).summary)")
            }
            try positive("maxDuration", swelling.maxDuration)
        } else {
            try positive("duration", duration)
        }
        let keys = (dt: path.style == .json ? "dt" : "initialStep", dtMin: path.style == .json ? "dtMin" : "minStep",
                    dtMax: path.style == .json ? "dtMax" : "maxStep")
        try positive(keys.dtMax, maxStep)
        try positive(keys.dtMin, minStep)
        guard minStep <= maxStep else { throw ModelError(.invalidValue, at: path.key(keys.dtMin).description, "expected ≤ \(keys.dtMax) = \(maxStep) s, got \(minStep)") }
        guard initialStep >= minStep, initialStep <= maxStep else {
            throw ModelError(.invalidValue, at: path.key(keys.dt).description, "expected a number in [\(keys.dtMin), \(keys.dtMax)] = [\(minStep), \(maxStep)] s, got \(initialStep)")
        }
    }
}

extension OutputDefinition {
    /// Checks output times (s, increasing, within `[0, endTime]`) and unique names.
    func validate(at path: ModelPath, endTime: Double) throws {
        guard !times.isEmpty else { throw ModelError(.invalidValue, at: path.key("times").description, "expected at least one output time") }
        for (i, t) in times.enumerated() {
            guard t >= 0, t.isFinite else { throw ModelError(.invalidValue, at: path.key("times").index(i).description, "expected a time ≥ 0 s, got \(t)") }
            if i > 0, !(t > times[i - 1]) { throw ModelError(.invalidValue, at: path.key("times").index(i).description, "expected times increasing strictly, got \(t) after \(times[i - 1])") }
            if t > endTime * (1 + 1e-12) { throw ModelError(.invalidValue, at: path.key("times").index(i).description, "expected a time ≤ the end of the last step (\(endTime) s), got \(t)") }
        }
        var names = Set<String>()
        let all = probes.enumerated().map { ($1.name, path.key("probes").index($0)) } + surfaces.enumerated().map { ($1.name, path.key("surfaces").index($0)) }
            + regions.enumerated().map { ($1.name, path.key("regions").index($0)) }
        for (name, at) in all {
            let field = at.key("name").description
            do { try OutputName.validate(name, field: field) } catch {
                throw ModelError(.invalidValue, at: field, "\(error)".replacingOccurrences(of: "\(field): ", with: ""))
            }
            guard names.insert(name).inserted else { throw ModelError(.invalidValue, at: field, "duplicate output name \"\(name)\"") }
        }
    }
}

extension MeshSource {
    /// Most cells a generated mesh may have: 2 000 000 (hex20 cells of that many need several GB
    /// of mesh and tens of GB of sparse factor), or the environment variable `SPINETRACTION_MAX_CELLS`.
    public static var maxGeneratedCells: Int {
        ProcessInfo.processInfo.environment["SPINETRACTION_MAX_CELLS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 2_000_000
    }

    /// Checks a generator's declared size before anything is allocated: the product of the
    /// divisions against ``maxGeneratedCells``, then ``estimatedMemoryBytes`` against
    /// `limits.memoryCapBytes` (by default half the physical memory, the cap the Gmsh and
    /// Matrix Market readers use).
    /// - Throws: ``ModelError`` naming the divisions, their product and the limit or the estimate and the cap.
    func checkSize(at path: ModelPath, limits: InputLimits = .default) throws {
        let counts: [Int], key: String
        switch self {
        case let .box(_, _, d, _): counts = [d.x, d.y, d.z]; key = "box"
        case let .cylinder(_, _, _, inner, _, radial, around, axial, _, bodies): counts = [radial * (inner == nil ? 1 : 2), around, axial + 2 * (bodies?.layers ?? 0)]; key = "cylinder"
        case let .tube(_, _, _, _, radial, around, axial, _): counts = [radial, around, axial]; key = "tube"
        case .gmsh: return
        }
        var cells = 1, overflow = false
        for c in counts {
            guard c >= 1 else {
                throw ModelError(.invalidValue, at: path.key("generate").key(key).key("divisions").description, "expected whole numbers ≥ 1, got \(counts)")
            }
            let (p, o) = cells.multipliedReportingOverflow(by: c)
            cells = p; overflow = overflow || o
        }
        guard !overflow, cells <= Self.maxGeneratedCells else {
            throw ModelError(.invalidValue, at: path.key("generate").key(key).key("divisions").description,
                             "\(counts.map(String.init).joined(separator: " × ")) = \(overflow ? "more than \(Int.max)" : String(cells)) cells; the limit is \(Self.maxGeneratedCells) (MeshSource.maxGeneratedCells)")
        }
        if let estimate = estimatedMemoryBytes, let element, estimate > limits.memoryCapBytes {
            throw ModelError(.invalidValue, at: path.key("generate").key(key).key("divisions").description,
                             "\(counts.map(String.init).joined(separator: " × ")) = \(cells) blocks of \(element.rawValue) need at least \(estimate) bytes (nodes, cells and the assembled tangent); the memory cap is \(limits.memoryCapBytes) bytes (InputLimits.memoryCapBytes, half the physical memory): expected fewer divisions")
        }
    }

    /// The element type of a generated mesh (nil for a Gmsh file).
    var element: CellType? {
        switch self {
        case let .box(_, _, _, e), let .cylinder(_, _, _, _, _, _, _, _, e, _), let .tube(_, _, _, _, _, _, _, e): e
        case .gmsh: nil
        }
    }

    /// A lower bound of the memory (bytes) a run on this generated mesh needs, from its blocks
    /// (the product of the divisions) and element type: node coordinates (24 bytes a node),
    /// connectivity (8 bytes a cell node) and the assembled tangent's nonzeros (a 3 × 3 block of
    /// 8-byte values and 4-byte column indices for every pair of nodes sharing a cell).
    /// Per block of the structured lattice: nodes owned (hex8, tet4 1; hex20 4; hex27, tet10 8),
    /// cells (hexahedra 1; tetrahedra 6, the Kuhn split) and node pairs sharing a cell (hex8 27,
    /// hex20 234, hex27 512, tet4 15, tet10 230 — counted on a periodic lattice, so a bounded
    /// mesh, whose boundary adds nodes, needs more). The blocks of a cylinder are counted as for
    /// ``maxGeneratedCells`` (outer rings twice with an inner region), an approximation of its
    /// lattice. The sparse factor's fill-in comes on top. Nil for a Gmsh file (its reader checks
    /// its declared sizes); `Int.max` when the product overflows.
    public var estimatedMemoryBytes: Int? {
        guard let element else { return nil }
        let counts: [Int]
        switch self {
        case let .box(_, _, d, _): counts = [d.x, d.y, d.z]
        case let .cylinder(_, _, _, inner, _, radial, around, axial, _, bodies): counts = [radial * (inner == nil ? 1 : 2), around, axial + 2 * (bodies?.layers ?? 0)]
        case let .tube(_, _, _, _, radial, around, axial, _): counts = [radial, around, axial]
        case .gmsh: return nil
        }
        let (nodes, cells, pairs): (Int, Int, Int) = switch element {
        case .hex8: (1, 1, 27)
        case .hex20: (4, 1, 234)
        case .hex27: (8, 1, 512)
        case .tet4: (1, 6, 15)
        case .tet10: (8, 6, 230)
        }
        let perBlock = nodes * 24 + cells * element.nodeCount * 8 + pairs * 9 * 12
        var total = perBlock
        for c in counts {
            let (p, o) = total.multipliedReportingOverflow(by: max(c, 0))
            if o { return Int.max }
            total = p
        }
        return total
    }
}
