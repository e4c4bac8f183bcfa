import Foundation
import Biomechanics
import FiniteElements
import SparseLinearAlgebra

/// A biphasic model file, built and run: the mesh, a ``BiphasicProblem`` with
/// the model's conditions, and the adaptive backward-Euler stepping through the
/// model's steps, recording the outputs (see ``ModelParser`` biphasic keys).
///
/// Every region must use a biphasic material. Outputs:
/// - probes `ux`, `uy`, `uz` (mm), `p` (fluid pressure, MPa), `pressure`
///   (fluid + Donnan osmotic pressure: what a needle transducer reads, MPa);
/// - surfaces `reactionForce` (N, x y z), `area` (mm²), `fluidFlux` (mm³/s out of
///   the body through the drained nodes of the surface, over the last step),
///   `fluidVolume` (mm³ imbibed through them since t = 0); both include the
///   exchange through a `fluidExchange` condition on the same surface. A drained node on
///   the edge shared by two output surfaces (e.g. the rim between `top` and
///   `outer`) counts for each of them: their sum can exceed the total;
///   a region's `volumeChange` over the whole body is the exact total;
/// - regions `volume` (deformed, mm³), `volumeChange` (∫(J − 1) dV₀, mm³).
///
/// Writes `results.json`, `results.csv`, VTU + PVD (displacement, fluid
/// pressure) and `pressure.svg` (pressure probes vs time) when an output
/// directory is given.
public final class BiphasicSimulation {
    /// The model.
    public let model: Model
    /// The mesh.
    public let mesh: Mesh
    /// The discrete problem.
    public let problem: BiphasicProblem
    /// Where each probe lies.
    let probeLocations: [(cell: Int, reference: SIMD3<Double>)]
    /// Surface name of each of the problem's exchange conditions.
    let exchangeSurfaces: [String]
    /// Force-driven rigid surfaces: the surface, the node carrying the applied force (N) and its curve.
    /// A surface's reaction counts that force back in: it is what the platen transmits.
    let rigidDrives: [(surface: String, node: Int, force: SIMD3<Double>, curve: LoadCurve)]
    /// Messages about cut steps (solid compaction), in order.
    public private(set) var notices: [String] = []
    /// What the free-swelling step of the last ``run`` did (nil without one). The swelling
    /// precedes t = 0: outputs at t = 0 show the swollen state, `fluidVolume` counts from there,
    /// `volumeChange` stays relative to the reference (unswollen) mesh, and ``stepObserver``
    /// is not called during it.
    public private(set) var freeSwellingReport: FreeSwellingReport?
    /// Wall-clock seconds the last ``run`` spent in the linear solver (analyse + factor + solve, s).
    public private(set) var linearSolverSeconds = 0.0
    /// Newton's time per phase (assembly, analyse, factor, solve) and counts over the last ``run``.
    public private(set) var newtonStatistics = NewtonStatistics()
    /// The nonlinear solver's method for every step of ``run`` (``NewtonOptions/method``):
    /// full Newton or quasi-Newton on a kept factorization; initially the model's ``Model/newtonMethod``.
    public var newtonMethod: NewtonMethod
    /// Failed time-step attempts without progress after which a run stops with
    /// ``SimulationError/stepCollapsed(time:step:cause:detail:)`` (a count, ≥ 1; default 100;
    /// ``FiniteElements/TimeStepperOptions/maxCutsWithoutProgress`` says what counts and why 100),
    /// for every step, free swelling included. A biphasic solid driven to its solid volume
    /// (`J ≤ φ0`) otherwise makes the stepper crawl: every step that would cross the bound fails,
    /// and steps short enough to pass are accepted without changing the state.
    public var maxCutsWithoutProgress = 100
    /// The most failed attempts without progress any step of the last ``run`` reached (a count,
    /// free swelling excluded): how close the run came to ``maxCutsWithoutProgress``.
    public private(set) var mostCutsWithoutProgress = 0
    /// Error-controlled time steps (``FiniteElements/ErrorControlOptions``) or nil to adapt the
    /// steps from Newton's effort alone; initially the model's ``Model/errorControl``.
    public var errorControl: ErrorControlOptions?
    /// Called after every accepted step (staggered coupling, e.g. ``NutrientTractionSimulation``)
    /// with the step's end time (s), its length (s) and the unknown vectors at the end and
    /// start of the step; an error thrown here stops the run.
    public var stepObserver: ((_ time: Double, _ timeStep: Double, _ state: [Double], _ previous: [Double]) throws -> Void)? = nil
    /// Called after every accepted increment, free swelling included, with the step index
    /// (into the model's steps), the time (s; pseudo-time during free swelling) and the Newton
    /// iterations of the increment; an error thrown here (e.g. `CancellationError`) stops the run,
    /// which then throws ``SimulationCancelled`` carrying the results so far when the error is a `CancellationError`.
    var incrementObserver: ((_ step: Int, _ time: Double, _ iterations: Int) throws -> Void)? = nil

    /// Number of unknowns.
    public var unknownCount: Int { problem.unknownCount }
    /// The model's motion segment as the problem's rigid bodies (nil without one).
    let motionSegment: MotionSegmentCoupling?
    /// The rigid bodies as built, before any step (a run starts from them: ligament history and
    /// facet multipliers reset).
    let initialRigidBodies: CoupledRigidBodies

    /// Builds the problem.
    /// - Throws: ``ModelError`` naming the JSON path of the offending entry.
    public init(model: Model) throws {
        let model = model.positioned
        self.model = model
        newtonMethod = model.newtonMethod
        errorControl = model.errorControl
        let mesh = try SolidSimulation.buildMesh(model.mesh)
        do { try mesh.validate() } catch { throw ModelError(.invalidValue, at: "mesh", String(describing: error)) }
        self.mesh = mesh
        var materials = [BiphasicProblem.CellMaterial?](repeating: nil, count: mesh.cellCount)
        var lamellaOfCell = [Int?](repeating: nil, count: mesh.cellCount)
        for (region, name) in model.regions {
            guard let cells = mesh.regions[region] else {
                throw ModelError(.unknownName, at: "regions.\(region)", "unknown region \"\(region)\"; \(mesh.regions.keys.meshHas("regions"))")
            }
            guard let def = model.materials[name] else {
                throw ModelError(.unknownName, at: model.rootPath.key("regions").description, "region \"\(region)\" names material \"\(name)\", which is not defined; defined: \(model.materials.keys.sorted().joined(separator: ", "))")
            }
            let materialPath = model.rootPath.key("materials").entry(name)
            // A solid (not biphasic) material in a biphasic model is a solid without pore fluid
            // (bone next to the disc): its cells carry no pressure, flow or mass balance.
            guard let fluid = def.biphasic else {
                let law = BiphasicMaterial(solidOnly: try def.law(at: materialPath))
                for c in cells {
                    let centroid = AnnulusLamellae.centroid(mesh.cellCoordinates(c))
                    materials[c] = .init(law: law, axes: def.axes.frame(at: (centroid.x, centroid.y, centroid.z)))
                }
                continue
            }
            guard let mixture = try def.mixture(at: materialPath) else { continue }
            // Lamellae: each cell takes the fibre family of the lamella holding its centroid.
            var lamellaLaws: [BiphasicMaterial] = []
            var lamellae: AnnulusLamellae? = nil
            if let fibre = def.solid.fibreReinforced, let spec = fibre.lamellae {
                let solidPath = def.solidPath(materialPath).appending(.swiftOnly("fibreReinforced"))
                let resolved = try spec.resolve(mesh: model.mesh, axes: fibre.axes, at: solidPath)
                lamellae = resolved
                if case let .cylinder(_, _, _, inner?, _, rings, _, _, _, _) = model.mesh, inner != region, rings % resolved.count != 0 {
                    notices.append("regions.\(region): \(resolved.count) lamellae on \(rings) annulus cell ring(s): lamella boundaries do not fall on ring boundaries, each cell takes the lamella of its centroid (use a number of rings that is a multiple of the lamella count)")
                }
                let matrix = try fibre.matrix.law(at: solidPath.key("matrix"))
                lamellaLaws = try (0..<resolved.count).map {
                    try fluid.mixture(solid: resolved.solid(matrix: matrix, lamella: $0), at: materialPath.appending(.swiftOnly("biphasic")))
                }
            }
            for c in cells {
                let centroid = AnnulusLamellae.centroid(mesh.cellCoordinates(c))
                lamellaOfCell[c] = lamellae?.lamella(at: centroid)
                let law = lamellaOfCell[c].map { lamellaLaws[$0] } ?? mixture
                materials[c] = .init(law: law, axes: def.axes.frame(at: (centroid.x, centroid.y, centroid.z)))
            }
        }
        if let c = materials.firstIndex(where: { $0 == nil }) {
            throw ModelError(.invalidValue, at: "regions", "cell \(c) lies in no listed region: every cell needs a material")
        }
        let problem: BiphasicProblem
        do { problem = try BiphasicProblem(mesh: mesh, materials: materials, finiteStrain: model.kinematics == .finiteStrain) } catch {
            throw ModelError(.invalidValue, at: "mesh.element", String(describing: error))
        }
        var exchangeSurfaces: [String] = []
        var rigidDrives: [(surface: String, node: Int, force: SIMD3<Double>, curve: LoadCurve)] = []
        motionSegment = model.motionSegment == nil ? nil
            : try MotionSegmentCoupling.build(model: model, mesh: mesh, problem: problem, lamellaOfCell: lamellaOfCell)
        initialRigidBodies = problem.rigidBodies
        for c in model.boundary {
            // Forces and moments on a rigid vertebra's endplate act on the vertebra (MotionSegmentCoupling).
            if MotionSegmentCoupling.drivesVertebra(c, model.motionSegment) { continue }
            try Self.apply(c, model: model, mesh: mesh, to: problem, exchangeSurfaces: &exchangeSurfaces)
            if case let .rigid(.loads(force, _, _, _, _), curve) = c.kind, case let .surface(surface) = c.target {
                rigidDrives.append((surface, try mesh.nodes(ofSurface: surface)[0], force, curve.map { model.curves[$0]! } ?? .constant))
            }
        }
        self.exchangeSurfaces = exchangeSurfaces
        self.rigidDrives = rigidDrives
        if model.planeStrain { problem.prescribed.append(PrescribedComponent(nodes: Array(0..<mesh.nodeCount), component: 1, value: 0)) }
        do { try problem.prepare() } catch { throw ModelError(.invalidValue, at: "boundary", String(describing: error)) }
        if let swelling = model.steps.first?.freeSwelling {
            do { _ = try problem.freeSwellingBath() } catch { throw ModelError(.invalidValue, at: swelling.path, String(describing: error)) }
        }
        self.problem = problem
        for s in model.outputs.surfaces where mesh.surfaces[s.surface] == nil {
            throw ModelError(.unknownName, at: s.path + ".surface", "unknown surface \"\(s.surface)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
        }
        for s in model.outputs.surfaces where s.quantity == "tractionIntegral" {
            throw ModelError(.invalidValue, at: s.path + ".quantity", "tractionIntegral is not available in biphasic models; use reactionForce")
        }
        for r in model.outputs.regions {
            guard mesh.regions[r.region] != nil else {
                throw ModelError(.unknownName, at: r.path + ".region", "unknown region \"\(r.region)\"; \(mesh.regions.keys.meshHas("regions"))")
            }
            guard ["volume", "volumeChange"].contains(r.quantity) else {
                throw ModelError(.invalidValue, at: r.path + ".quantity", "biphasic models record volume or volumeChange over regions, got \"\(r.quantity)\"")
            }
        }
        let locator = PointLocator(mesh: mesh)
        probeLocations = try model.outputs.probes.map { p in
            guard ["ux", "uy", "uz", "p", "pressure"].contains(p.field) else {
                throw ModelError(.invalidValue, at: p.path + ".field", "biphasic models probe ux, uy, uz, p or pressure, got \"\(p.field)\"")
            }
            guard let hit = locator.locate(p.at) else {
                throw ModelError(.invalidValue, at: p.path + ".at", "point [\(p.at.x), \(p.at.y), \(p.at.z)] mm lies outside the mesh")
            }
            return hit
        }
    }

    static func apply(_ c: BoundaryCondition, model: Model, mesh: Mesh, to problem: BiphasicProblem, exchangeSurfaces: inout [String]) throws {
        let nodes = try SolidSimulation.targetNodes(c, mesh: mesh)
        func curve(_ name: String?) -> LoadCurve { name.map { model.curves[$0]! } ?? .constant }
        var surface: String { if case let .surface(s) = c.target { return s }; return "" }
        do {
            if try SolidSimulation.applyMechanical(c, nodes: nodes, surface: surface, mesh: mesh, curve: curve,
                                              prescribed: &problem.prescribed, loads: &problem.loads) { return }
            switch c.kind {
            case .fix, .prescribe, .symmetry, .pressure, .traction, .force, .nodalForce:
                break  // applied above
            case let .rigid(drive, name):
                switch drive {
                case let .displacement(d):
                    for k in 0..<3 { problem.prescribed.append(PrescribedComponent(nodes: nodes, component: k, value: d[k], curve: curve(name))) }
                case let .loads(f, moment, rotationFree, _, slide):
                    guard moment == .zero, !rotationFree else {
                        throw ModelError(.invalidValue, at: c.path + ".rigid", "biphasic models drive rigid surfaces in translation only (no moment, rotationFree false)")
                    }
                    for k in 0..<3 where !slide.contains(k) { problem.ties.append(TiedComponent(nodes: nodes, component: k)) }
                    problem.loads.append(NodalLoad(nodes: [nodes[0]], forces: [f], curve: curve(name)))
                }
            case let .fluidPressure(p, name):
                problem.drained.append(PrescribedComponent(nodes: nodes, component: 0, value: p, curve: curve(name)))
            case let .fluidFlux(q, name):
                problem.fluxes.append(try FluidFluxLoad(mesh: mesh, surface: surface, value: q, curve: curve(name)))
            case let .fluidExchange(l, pe, name):
                problem.exchanges.append(try FluidExchange(mesh: mesh, surface: surface, conductance: l, pressure: pe, curve: curve(name)))
                exchangeSurfaces.append(surface)
            }
        } catch let e as ModelError { throw e } catch {
            throw ModelError(.invalidValue, at: c.path, String(describing: error))
        }
    }

    /// Runs every step; writes files into `outputDirectory` when given.
    /// - Parameter progress: called after each accepted step with (fraction done, time in s).
    /// - Throws: ``ModelError`` for file problems; ``SimulationError/stepCollapsed(time:step:cause:detail:)``
    ///   when the time step collapses (a compacted solid, or ``maxCutsWithoutProgress`` failed
    ///   attempts without progress); the solver's error when a step fails at `dtMin` otherwise.
    public func run(outputDirectory: URL? = nil, progress: (Double, Double) -> Void = { _, _ in }) throws -> SimulationResults {
        try run(outputDirectory: outputDirectory, progress: progress, start: nil, stopAfterFreeSwelling: false)
    }

    /// The unknowns at t = 0 of the last run (after free swelling, when the model has it).
    private(set) var startState: [Double]? = nil
    /// Free-swelling steps run by this instance (a sweep from a kept state runs none).
    private(set) var freeSwellingRuns = 0

    /// The checkpoint of the last run made with `checkpointAfterStep` (nil otherwise).
    private(set) var lastCheckpoint: RunCheckpoint? = nil

    /// Runs from `start` (unknowns at t = 0 and the report of the free swelling that produced
    /// them) instead of swelling freely, or stops after the free-swelling step; with
    /// `checkpointAfterStep` (an index into the model's steps, not the free-swelling one) it stops
    /// at the end of that step, keeps the run's state as ``lastCheckpoint`` and returns the
    /// results so far marked incomplete; with `resume` it continues a checkpoint's run after its
    /// step instead of starting (the caller has checked that the checkpoint fits this model:
    /// ``Simulation``'s `runSynchronously(resuming:)`), without an output directory.
    func run(outputDirectory: URL?, progress: (Double, Double) -> Void, start: (unknowns: [Double], report: FreeSwellingReport?)?,
             stopAfterFreeSwelling: Bool, checkpointAfterStep: Int? = nil, resume: RunCheckpoint? = nil) throws -> SimulationResults {
        if resume != nil, outputDirectory != nil || start != nil || stopAfterFreeSwelling || checkpointAfterStep != nil {
            throw ModelError(.invalidValue, at: "", "a run resumed from a checkpoint starts nowhere else, writes no output directory and makes no checkpoint")
        }
        lastCheckpoint = nil
        let outputs = model.outputs
        var results = SimulationResults()
        let units = ["ux": "mm", "uy": "mm", "uz": "mm", "p": "MPa", "pressure": "MPa"]
        results.probes = outputs.probes.map { p in
            TimeSeries(name: p.name, quantity: p.field, unit: units[p.field]!, components: ["value"], values: [],
                       source: ["at": .array([.number(p.at.x), .number(p.at.y), .number(p.at.z)])])
        }
        results.surfaces = outputs.surfaces.map { s in
            let unit = ["area": "mm²", "reactionForce": "N", "fluidFlux": "mm³/s", "fluidVolume": "mm³"][s.quantity]!
            return TimeSeries(name: s.name, quantity: s.quantity, unit: unit, components: s.quantity == "reactionForce" ? ["x", "y", "z"] : ["value"],
                              values: [], source: ["surface": .string(s.surface)])
        }
        results.regions = outputs.regions.map { r in
            TimeSeries(name: r.name, quantity: r.quantity, unit: "mm³", components: ["value"], values: [], source: ["region": .string(r.region)])
        }
        if let dir = outputDirectory {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                if outputs.vtu { try FileManager.default.createDirectory(at: dir.appendingPathComponent("vtu"), withIntermediateDirectories: true) }
            } catch { throw ModelError(.file, at: dir.path, "cannot create the output directory: \(error.localizedDescription)") }
        }
        // Drained pressure dofs of each output surface (for fluid flux / volume).
        let constrained = problem.numbering!.equationOfDof
        let surfaceDrained: [[Int]] = try outputs.surfaces.map { s in
            try mesh.nodes(ofSurface: s.surface).compactMap { problem.pressureDof(node: $0) }.filter { constrained[$0] < 0 }
        }
        var imbibed = [Double](repeating: 0, count: outputs.surfaces.count)
        var rate = [Double](repeating: 0, count: outputs.surfaces.count)
        var lastResidual: [Double]? = nil
        let locator = PointLocator(mesh: mesh)
        var vtuFiles: [(Double, String)] = []
        let endTime = model.steps.reduce(0) { $0 + $1.duration }
        let tolerance = 1e-9 * max(endTime, 1)
        var nextOutput = 0

        problem.rigidBodies = initialRigidBodies
        var motion = motionSegment.map { MotionSegmentRecorder(coupling: $0) }
        var lastTimeStep: Double? = nil

        func record(_ t: Double, _ x: [Double]) throws {
            let v = problem.dofValues(unknowns: x, time: t)
            results.times.append(t)
            try disc?.record(time: t, state: x)
            motion?.record(problem: problem, time: t, state: x, timeStep: lastTimeStep)
            for (k, p) in outputs.probes.enumerated() {
                let value: Double
                switch p.field {
                case "p", "pressure":
                    let r = try problem.pressure(at: p.at, state: x, time: t, locator: locator)!
                    value = p.field == "p" ? r.fluid : r.transducer
                default:
                    let comp = ["ux": 0, "uy": 1, "uz": 2][p.field]!
                    let loc = probeLocations[k]
                    value = problem.dofMap.evaluate(field: 0, cell: loc.cell, reference: loc.reference, dofValues: v)![comp]
                }
                results.probes[k].values.append([value])
            }
            for (k, s) in outputs.surfaces.enumerated() {
                switch s.quantity {
                case "area": results.surfaces[k].values.append([try mesh.surfaceArea(s.surface)])
                case "fluidFlux": results.surfaces[k].values.append([rate[k]])
                case "fluidVolume": results.surfaces[k].values.append([imbibed[k]])
                default:
                    // Σ (internal − external) nodal forces over the surface; a force-driven rigid
                    // platen's own drive is not subtracted (it is what the surface transmits).
                    var f = SIMD3<Double>.zero
                    if let r = lastResidual {
                        let fext = problem.externalForces(time: t)
                        for node in try mesh.nodes(ofSurface: s.surface) {
                            for c in 0..<3 { let d = problem.displacementDof(node: node, component: c); f[c] += r[d] - fext[d] }
                        }
                        for drive in rigidDrives where drive.surface == s.surface { f += drive.force * drive.curve.value(at: t) }
                    }
                    results.surfaces[k].values.append([f.x, f.y, f.z])
                }
            }
            for (k, r) in outputs.regions.enumerated() {
                let cells = try mesh.cells(inRegion: r.region)
                let dv = try problem.volumeChange(state: x, time: t, cells: cells)
                if r.quantity == "volume" {
                    var v0 = 0.0
                    for c in cells { v0 += try mesh.integrate(cells: [c]) { _ in 1 } }
                    results.regions[k].values.append([v0 + dv])
                } else { results.regions[k].values.append([dv]) }
            }
            if outputs.vtu {
                let u = try problem.dofMap.nodalValues(field: 0, from: v)
                let p = try problem.dofMap.nodalValues(field: 1, from: v)
                let point = [VTUField(name: "displacement", components: 3, values: u), .scalar("fluid pressure", values: p)]
                if results.fields == nil { results.fields = FieldFrames(mesh: mesh) }
                results.fields!.frames.append(.init(time: t, pointData: point, cellData: []))
                if let dir = outputDirectory {
                    let name = String(format: "vtu/state_%04d.vtu", vtuFiles.count)
                    do {
                        try VTUWriter.write(mesh: mesh, pointData: point, to: dir.appendingPathComponent(name).path)
                    } catch { throw ModelError(.file, at: dir.appendingPathComponent(name).path, String(describing: error)) }
                    vtuFiles.append((t, name))
                }
            }
        }

        var newtonOptions = NewtonOptions()
        newtonOptions.maxIterations = 40
        newtonOptions.method = newtonMethod
        let newton = NewtonSolver(options: newtonOptions, linearSolver: LinearSolvers.makeDefault(for: problem.unknownCount, kind: .symmetricIndefinite))
        var seenEvents = 0
        // Compaction events from here on belong to the current run of failed attempts (the
        // stepper's count without progress); a step that makes progress moves it on.
        var unresolvedEvents = 0
        var state = problem.initialState()
        freeSwellingReport = nil
        mostCutsWithoutProgress = 0
        var disc: DiscQuantityRecorder? = nil
        var stepStart = 0.0, previous = state, previousTime = 0.0
        var firstStep = 0
        var carried = (statistics: NewtonStatistics(), linearSolverSeconds: 0.0)
        // The run's Newton statistics and linear-solver seconds: a resumed run's include its checkpoint's.
        func totals() -> (statistics: NewtonStatistics, linearSolverSeconds: Double) {
            var statistics = carried.statistics
            statistics.accumulate(newton.statistics)
            return (statistics, carried.linearSolverSeconds + newton.linearSolverSeconds)
        }
        do {
        if let cp = resume {
            // Everything the loop below carries from step to step, as the checkpoint's run left it
            // at the end of its step; the rigid bodies' loads stay this model's own.
            state = cp.state; previous = cp.state; stepStart = cp.time; previousTime = cp.time
            freeSwellingReport = cp.freeSwellingReport; startState = cp.startState
            problem.rigidBodies.ligaments = cp.ligaments; problem.rigidBodies.facets = cp.facets
            results = cp.results; imbibed = cp.imbibed; rate = cp.rate; lastResidual = cp.lastResidual
            lastTimeStep = cp.lastTimeStep; nextOutput = cp.nextOutput; notices = cp.notices
            newton.options.referenceNorm = cp.referenceNorm
            carried = (cp.statistics, cp.linearSolverSeconds)
            mostCutsWithoutProgress = cp.mostCutsWithoutProgress
            disc = try cp.disc.rebound(to: self)
            motion = try cp.motion.map { try $0.rebound(to: motionSegment) }
            firstStep = cp.afterStep + 1
        } else {
        if let start {
            state = start.unknowns
            freeSwellingReport = start.report
        } else if let first = model.steps.first, let swelling = first.freeSwelling {
            freeSwellingRuns += 1
            var options = try TimeStepperOptions(initialStep: first.initialStep, minStep: first.minStep, maxStep: first.maxStep)
            options.easyIterations = 6
            options.maxCutsWithoutProgress = maxCutsWithoutProgress
            // A swollen ligament reference: the bundles pull with their reference-strain forces while the disc swells.
            if model.motionSegment?.ligamentReference == .swollen { problem.rigidBodies.holdReferenceForces(true) }
            do {
                freeSwellingReport = try problem.swellFreely(state: &state, tolerance: swelling.tolerance, maxDuration: swelling.maxDuration,
                                                             options: options, newton: newton) { [incrementObserver] time, iterations in
                    try incrementObserver?(0, time, iterations)
                }
            } catch let e as BiphasicError {
                switch e {
                case .freeSwellingNotConverged: throw ModelError(.invalidValue, at: swelling.path + ".maxDuration", e.description)
                case .freeSwellingImpossible: throw ModelError(.invalidValue, at: swelling.path, e.description)
                default: throw e
                }
            }
            while seenEvents < problem.compactionEvents.count {
                notices.append("during free swelling: \(problem.compactionEvents[seenEvents].description)")
                seenEvents += 1
            }
        }
        startState = state
        // A swollen ligament reference: each bundle is at its reference strain in the swollen state
        // (set the same way whether the state was just solved or given).
        if model.motionSegment?.ligamentReference == .swollen { problem.setLigamentReferenceLengths(state: state) }
        // The swollen state is where the ligaments' history starts (no rate across the swelling).
        problem.commitRigidBodies(state: state, timeStep: nil)
        if stopAfterFreeSwelling {
            results.freeSwelling = freeSwellingReport; results.notices = notices
            return results
        }
        disc = try DiscQuantityRecorder(simulation: self)
        try disc!.start(state: state)
        motion?.step(problem: problem, time: 0, state: state, timeStep: nil)
        if let first = outputs.times.first, abs(first) <= tolerance { try record(0, state); nextOutput = 1 }
        previous = state
        }
        var must = outputs.times
        for curve in model.curves.values { must += curve.mustPoints }
        let rateJumps = model.curves.values.flatMap(\.rateJumps)
        for (stepIndex, step) in model.steps.enumerated() where step.freeSwelling == nil && stepIndex >= firstStep {
            var options = try TimeStepperOptions(initialStep: step.initialStep, minStep: step.minStep, maxStep: step.maxStep)
            options.easyIterations = 6
            options.maxCutsWithoutProgress = maxCutsWithoutProgress
            options.errorControl = errorControl
            let stepper = AdaptiveTimeStepper(options: options, newton: newton)
            defer { mostCutsWithoutProgress = max(mostCutsWithoutProgress, stepper.mostCutsWithoutProgress) }
            unresolvedEvents = problem.compactionEvents.count   // the stepper's count starts anew with each run
            try stepper.run(problem, from: stepStart, to: stepStart + step.duration, state: &state, mustPoints: must, restartPoints: rateJumps) { accepted, x in
                results.steps.append(accepted)
                let dt = accepted.time - previousTime
                let r = try problem.fullResidual(state: x, previous: previous, time: accepted.time, timeStep: dt)
                lastResidual = r
                let exchanged = try problem.exchangeOutflow(state: x, time: accepted.time, timeStep: dt)
                for k in 0..<surfaceDrained.count {
                    var out = surfaceDrained[k].reduce(0.0) { $0 + r[$1] }
                    for (e, name) in exchangeSurfaces.enumerated() where name == outputs.surfaces[k].surface { out += exchanged[e] }
                    imbibed[k] -= out
                    rate[k] = out / dt
                }
                try disc!.step(time: accepted.time, state: x, residual: r, exchanged: exchanged)
                motion?.step(problem: problem, time: accepted.time, state: x, timeStep: dt)
                lastTimeStep = dt
                while seenEvents < problem.compactionEvents.count {
                    notices.append("before t = \(accepted.time) s: \(problem.compactionEvents[seenEvents].description)")
                    seenEvents += 1
                }
                if stepper.currentCutsWithoutProgress == 0 { unresolvedEvents = seenEvents }
                newton.options.referenceNorm = max(newton.options.referenceNorm, newton.lastReport.residualNorms.first ?? 0)
                while nextOutput < outputs.times.count, outputs.times[nextOutput] <= accepted.time + tolerance {
                    if abs(outputs.times[nextOutput] - accepted.time) <= tolerance { try record(accepted.time, x) }
                    nextOutput += 1
                }
                problem.commitRigidBodies(state: x, timeStep: dt)
                try stepObserver?(accepted.time, dt, x, previous)
                previous = x; previousTime = accepted.time
                progress(min(accepted.time / endTime, 1), accepted.time)
                try incrementObserver?(stepIndex, accepted.time, accepted.iterations)
            }
            stepStart += step.duration
            if stepIndex == checkpointAfterStep {
                (newtonStatistics, linearSolverSeconds) = totals()
                let statistics = newtonStatistics
                lastCheckpoint = RunCheckpoint(
                    afterStep: stepIndex, time: stepStart, state: state, startState: startState ?? state, freeSwellingReport: freeSwellingReport,
                    ligaments: problem.rigidBodies.ligaments, facets: problem.rigidBodies.facets, results: results, disc: disc!, motion: motion,
                    imbibed: imbibed, rate: rate, lastResidual: lastResidual, lastTimeStep: lastTimeStep, nextOutput: nextOutput,
                    notices: notices, referenceNorm: newton.options.referenceNorm, statistics: statistics,
                    linearSolverSeconds: linearSolverSeconds,
                    mostCutsWithoutProgress: mostCutsWithoutProgress, modelPrefix: try model.actingPrefix(throughStep: stepIndex))
                var partial = results
                disc!.finish(into: &partial)
                partial.motionSegment = motion?.results()
                partial.isComplete = false
                partial.notices = notices; partial.freeSwelling = freeSwellingReport; partial.statistics = statistics
                return partial
            }
        }
        } catch {
            (newtonStatistics, linearSolverSeconds) = totals()
            disc?.finish(into: &results)
            results.motionSegment = motion?.results()
            results.isComplete = false
            results.notices = notices; results.freeSwelling = freeSwellingReport; results.statistics = newtonStatistics
            if error is CancellationError { throw SimulationCancelled(partial: results) }
            // The cause: the last compaction since the run of failed attempts began (tiny accepted
            // steps in between do not end it, so events before them count).
            throw collapse(error, compactionSince: problem.compactionEvents[min(unresolvedEvents, problem.compactionEvents.count)...].last) ?? error
        }
        (newtonStatistics, linearSolverSeconds) = totals()
        disc!.finish(into: &results)
        results.motionSegment = motion?.results()
        results.notices = notices; results.freeSwelling = freeSwellingReport; results.statistics = newtonStatistics
        if let dir = outputDirectory {
            var doc = results.json(nodeCount: mesh.nodeCount, cellCount: mesh.cellCount, unknowns: unknownCount)
            if let r = freeSwellingReport, case var .object(members) = doc {
                // Before the loading clock starts: units s, mm³, MPa; residual dimensionless.
                let entry: JSONObject = [
                    ("pseudoTime", .number(r.duration)), ("steps", .number(Double(r.steps))), ("iterations", .number(Double(r.iterations))),
                    ("retries", .number(Double(r.retries))), ("volumeChange", .number(r.volumeChange)), ("imbibed", .number(r.imbibed)),
                    ("lastStepVolumeChange", .number(r.lastStepVolumeChange)), ("residual", .number(r.residual)),
                    ("bathPressure", .number(r.bathPressure)), ("referenceOsmoticPressure", .number(r.referenceOsmoticPressure))]
                members.append(("freeSwelling", .object(entry)))
                doc = .object(members)
            }
            try writeResultFiles(document: doc, results: results, vtuFiles: outputs.vtu ? vtuFiles : nil, into: dir)
            let pressures = results.probes.filter { $0.quantity == "p" || $0.quantity == "pressure" }
            if !pressures.isEmpty {
                var plot = SVGPlot(title: "Pressure", xLabel: "time (s)", yLabel: "pressure (MPa)")
                for s in pressures { plot.add(name: s.name, x: results.times, y: s.values.map { $0[0] }) }
                try write(plot.svg(), to: dir.appendingPathComponent("pressure.svg"))
            }
            let volumes = results.surfaces.filter { $0.quantity == "fluidVolume" }
            if !volumes.isEmpty {
                var plot = SVGPlot(title: "Imbibed fluid volume", xLabel: "time (s)", yLabel: "volume (mm³)")
                for s in volumes { plot.add(name: s.name, x: results.times, y: s.values.map { $0[0] }) }
                try write(plot.svg(), to: dir.appendingPathComponent("fluid-volume.svg"))
            }
        }
        return results
    }

    func write(_ text: String, to url: URL) throws { try writeText(text, to: url) }

    /// The stepper's `error` as a collapsed step: every ``FiniteElements/TimeStepperError/stepCollapsed(time:step:target:cuts:reason:)``,
    /// and a failure at `dtMin` when the attempts since the last accepted step compacted the
    /// solid (`compaction`, the last such event); nil for any other error.
    func collapse(_ error: Error, compactionSince compaction: BiphasicError?) -> SimulationError? {
        guard let e = error as? TimeStepperError else { return nil }
        var cause: StepCollapseCause? = nil
        if case let .compactedSolid(cell, j, phi)? = compaction { cause = .solidCompacted(cell: cell, J: j, solidVolumeFraction: phi) }
        switch e {
        case let .stepCollapsed(t, dt, _, _, reason):
            return .stepCollapsed(time: t, step: dt, cause: cause ?? .solverFailure(reason), detail: e.description)
        case let .stepTooSmall(t, dt, _):
            return cause.map { .stepCollapsed(time: t, step: dt, cause: $0, detail: e.description) }
        default:
            return nil
        }
    }
}
