import Foundation
import Biomechanics
import FiniteElements

/// Runs the `transport` block of a model file: builds the model's mesh and a
/// ``SoluteTransportProblem``, optionally solves the steady state first, then steps
/// with the block's fixed time step through the model's steps, landing on every
/// output time, and records probes (mM), region average/min/max (mM), surface inflow
/// (mmol/s) with its running time integral (mmol), and viable fractions.
///
/// ``run(outputDirectory:)`` sees a tissue at rest (no Darcy flux, reference porosity): the
/// mechanics of a solid model file are solved separately by ``Simulation``. For a biphasic
/// model, ``runCoupled(with:outputDirectory:progress:)`` steps the transport after every
/// biphasic step with the tissue state of that step (`spinetraction run` does this for a
/// biphasic model with a `transport` block; `Examples/models/nutrient-traction.json`).
///
/// ```swift
/// let model = try Model.load(path: "Examples/models/nutrient-disc.json")
/// let results = try TransportSimulation(model: model).run(outputDirectory: out)
/// ```
public final class TransportSimulation {
    /// The model.
    public let model: Model
    /// The transport block.
    public let definition: TransportDefinition
    /// The mesh (mm).
    public let mesh: Mesh
    /// The transport problem.
    public let problem: SoluteTransportProblem

    /// Builds mesh and problem; errors name the JSON path (`transport.…`).
    /// - Parameter mesh: the mesh to solve on instead of the model's (the coupled run passes the
    ///   linear corner-node mesh of the biphasic mesh, which keeps its cell numbering, regions
    ///   and surfaces).
    public init(model: Model, mesh: Mesh? = nil) throws {
        guard let definition = model.transport else { throw ModelError(.missingKey, at: "transport", "the model has no transport block") }
        self.model = model
        self.definition = definition
        let mesh = try mesh ?? SolidSimulation.buildMesh(model.mesh)
        self.mesh = mesh
        for s in definition.solutes {
            for (region, _) in s.materials where mesh.regions[region] == nil {
                throw ModelError(.unknownName, at: "transport.solutes.\(s.name).materials.\(region)", "unknown region \"\(region)\"; \(mesh.regions.keys.meshHas("regions"))")
            }
        }
        for (i, r) in definition.reactions.enumerated() where mesh.regions[r.region] == nil {
            throw ModelError(.unknownName, at: "transport.reactions[\(i)].region", "unknown region \"\(r.region)\"; \(mesh.regions.keys.meshHas("regions"))")
        }
        // In a biphasic model a solid (not biphasic) material — vertebral bone — has no pore
        // fluid: solutes and cell reactions there would make it a pool of fluid. Refused by name.
        if model.materials.values.contains(where: { $0.biphasic != nil }) {
            var dry: [Int: String] = [:]   // cell → its solid region
            for (region, material) in model.regions where model.materials[material]?.biphasic == nil && mesh.regions[region] != nil {
                for c in try mesh.cells(inRegion: region) { dry[c] = region }
            }
            func refuseDry(_ region: String, _ path: String) throws {
                guard let c = try mesh.cells(inRegion: region).first(where: { dry[$0] != nil }) else { return }
                throw ModelError(.invalidValue, at: path, "region \"\(region)\" takes in cells of the solid region \"\(dry[c]!)\" (cell \(c)), which has no pore fluid to carry solutes; expected regions of biphasic materials")
            }
            for s in definition.solutes { for (region, _) in s.materials { try refuseDry(region, "transport.solutes.\(s.name).materials.\(region)") } }
            for (i, r) in definition.reactions.enumerated() { try refuseDry(r.region, "transport.reactions[\(i)].region") }
        }
        for (c, path) in definition.boundary where mesh.surfaces[c.surface] == nil {
            throw ModelError(.unknownName, at: path + ".surface", "unknown surface \"\(c.surface)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
        }
        do {
            problem = try SoluteTransportProblem(mesh: mesh, solutes: definition.solutes, reactions: definition.reactions,
                                                 boundaryConditions: definition.boundary.map(\.condition))
        } catch let e as TransportError {
            // Map the transport layer's field names to JSON paths.
            if case let .surfaceOutsideSoluteRegions(field, _, _) = e, let i = Int(field.dropFirst("boundary[".count).prefix { $0.isNumber }) {
                throw ModelError(.invalidValue, at: definition.boundary[i].path + ".surface", e.description)
            }
            throw ModelError(.invalidValue, at: "transport", e.description)
        }
        let locator = PointLocator(mesh: mesh)
        for p in definition.outputs.probes {
            guard let (cell, _) = locator.locate(p.at) else {
                throw ModelError(.invalidValue, at: p.path + ".at", "point [\(p.at.x), \(p.at.y), \(p.at.z)] mm lies outside the mesh")
            }
            // A probe where the solute does not live (e.g. in vertebral bone) would only record NaN.
            guard try problem.carries(solute: p.solute, cell: cell) else {
                throw ModelError(.invalidValue, at: p.path + ".at", "point [\(p.at.x), \(p.at.y), \(p.at.z)] mm lies in cell \(cell), where \(p.solute) does not live; expected a point in one of its regions \(definition.solutes.first { $0.name == p.solute }?.materials.map(\.region) ?? [])")
            }
        }
        for r in definition.outputs.regions {
            guard mesh.regions[r.region] != nil else {
                throw ModelError(.unknownName, at: r.path + ".region", "unknown region \"\(r.region)\"; \(mesh.regions.keys.meshHas("regions"))")
            }
            guard try mesh.cells(inRegion: r.region).contains(where: { try problem.carries(solute: r.solute, cell: $0) }) else {
                throw ModelError(.invalidValue, at: r.path + ".region", "\(r.solute) lives in no cell of region \"\(r.region)\"; expected a region that overlaps \(definition.solutes.first { $0.name == r.solute }?.materials.map(\.region) ?? [])")
            }
        }
        for s in definition.outputs.surfaces where mesh.surfaces[s.surface] == nil {
            throw ModelError(.unknownName, at: s.path + ".surface", "unknown surface \"\(s.surface)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
        }
        for v in definition.outputs.viable {
            if let region = v.region, mesh.regions[region] == nil { throw ModelError(.unknownName, at: v.path + ".region", "unknown region \"\(region)\"; \(mesh.regions.keys.meshHas("regions"))") }
        }
    }

    /// Called on the running thread after every accepted transport increment with the step index,
    /// the time reached (s) and the Newton iterations; an error thrown here stops the run (a
    /// `CancellationError` becomes ``SimulationCancelled`` carrying the results so far).
    var incrementObserver: ((_ step: Int, _ time: Double, _ iterations: Int) throws -> Void)? = nil

    /// The solute (field index) of every entry of ``SoluteTransportProblem/concentrations``, so
    /// error control weighs each solute against its own magnitude (mM).
    var concentrationFields: [Int] {
        let map = problem.dofMap
        var fields = [Int](repeating: 0, count: map.dofCount)
        for f in 0..<map.fields.count { for node in map.nodes(ofField: f) { if let d = map.dof(field: f, node: node, component: 0) { fields[d] = f } } }
        return fields
    }

    /// Runs the model's steps and writes `transport.json` and `transport.csv` (and, if the model
    /// asks for VTU, `vtu/transport-NNNN.vtu` + `transport.pvd` with one point field per solute, mM)
    /// into `outputDirectory` — `results.json`, `results.csv` and `results.pvd` for a transport-only model.
    ///
    /// Each step runs with its own ``StepDefinition/transportTimeStep`` (or the block's fixed
    /// ``TransportDefinition/timeStep``): backward-Euler increments, halved when Newton fails
    /// (down to the control's minimum) and doubled after an increment that took at most three
    /// Newton iterations (up to its maximum), landing exactly on every output time and step end.
    /// With the model's ``Model/errorControl`` an adaptive step's increments follow the estimated
    /// local error of the concentrations instead (``FiniteElements/StepErrorController``, one field
    /// per solute): an increment above the tolerance is taken again shorter, and the next one
    /// follows from the error; Newton failures still halve it.
    /// A steady step (``StepDefinition/steady``) solves the steady state of its conditions at its
    /// start and keeps it through the step; surface inflow then accumulates at the steady rate.
    /// Results are recorded at t = 0 and at every output time.
    public func run(outputDirectory: URL? = nil) throws -> SimulationResults {
        let recorder = try TransportRecorder(self, outputDirectory: outputDirectory)
        let initialIterations = problem.profile.newtonIterations
        if definition.steadyStart { try problem.solveSteady() }
        if model.steps.first?.steady == true { try problem.solveSteady() }
        try recorder.begin()
        let endTime = model.steps.reduce(0) { $0 + $1.duration }
        var times = model.outputs.times.filter { $0 <= endTime * (1 + 1e-12) }
        if times.first != 0 { times.insert(0, at: 0) }
        let tolerance = 1e-9 * max(endTime, 1)
        var next = 0
        func recordDue(upTo t: Double) throws {
            while next < times.count, times[next] <= t + tolerance {
                try recorder.record(times[next])
                next += 1
            }
        }
        do {
            try recordDue(upTo: 0)
            var start = 0.0
            for (index, step) in model.steps.enumerated() {
                let end = start + step.duration
                if step.steady {
                    let before = index == 0 ? initialIterations : problem.profile.newtonIterations
                    if index > 0 {
                        try problem.solveSteady()
                        try recorder.refreshRates()
                    }
                    recorder.results.steps.append(AcceptedStep(time: end, timeStep: step.duration, iterations: problem.profile.newtonIterations - before,
                                                               retries: 0, isMustPoint: true))
                    // The steady state holds through the step: inflow accumulates at the steady rate.
                    var t = start
                    while next < times.count, times[next] <= end + tolerance {
                        try recorder.accumulate(times[next] - t, endingAt: times[next], rates: recorder.lastRates)
                        t = times[next]
                        try recorder.record(t)
                        next += 1
                    }
                    try recorder.accumulate(end - t, endingAt: end, rates: recorder.lastRates)
                    try incrementObserver?(index, end, 0)
                } else {
                    let control = step.transportTimeStep ?? definition.timeStep.map(TransportTimeControl.fixed)
                    guard let control else {
                        throw ModelError(.missingKey, at: "steps[\(index)].transport", "expected the transport's increments for this step (a step \"transport\": {\"dt\": …} or the block's \"timeStep\")")
                    }
                    var t = start, dt = control.initial, retries = 0, errorRejections = 0, rejectedIterations = 0
                    // Error control (the model's `timeControl`) on adaptive increments: one controller per step.
                    var controller = try control.isFixed ? nil : model.errorControl.map { try StepErrorController(options: $0, fields: concentrationFields) }
                    while t < end - tolerance {
                        let target = next < times.count && times[next] < end - tolerance ? times[next] : end
                        let lands = dt >= target - t - tolerance
                        let h = lands ? target - t : dt
                        let before = problem.profile.newtonIterations
                        let checkpoint = controller == nil ? nil : problem.checkpoint()
                        let current = problem.concentrations
                        do {
                            try problem.step(h)
                        } catch TransportError.notConverged where h / 2 >= control.minimum * (1 - 1e-12) {
                            dt = h / 2
                            retries += 1
                            continue
                        }
                        let iterations = problem.profile.newtonIterations - before
                        var errorNorm: Double? = nil, factor: Double? = nil
                        if var c = controller {
                            errorNorm = c.errorNorm(solution: problem.concentrations, current: current, timeStep: h)
                            if let err = errorNorm {
                                factor = c.stepFactor(error: err)
                                if err > 1, h > control.minimum * (1 + 1e-12), let checkpoint {
                                    problem.restore(checkpoint)
                                    dt = max(h * factor!, control.minimum)
                                    retries += 1; errorRejections += 1; rejectedIterations += iterations
                                    controller = c
                                    continue
                                }
                            }
                            c.accept(previous: current, timeStep: h)
                            controller = c
                        }
                        t = lands ? target : t + h
                        recorder.results.steps.append(AcceptedStep(time: t, timeStep: h, iterations: iterations, retries: retries, isMustPoint: lands,
                                                                   errorNorm: errorNorm, errorRejections: errorRejections, rejectedIterations: rejectedIterations))
                        retries = 0; errorRejections = 0; rejectedIterations = 0
                        try recorder.accumulate(h, endingAt: t)
                        try recordDue(upTo: t)
                        try incrementObserver?(index, t, iterations)
                        if let factor, let err = errorNorm {
                            // The error decides; a hard Newton solve only holds the increment back.
                            var proposal = h * (iterations <= 3 ? factor : min(factor, 1))
                            if lands, iterations <= 3 {
                                let optimal = err > 0 ? h * (model.errorControl?.safety ?? 1) / err.squareRoot() : Double.infinity
                                proposal = max(proposal, min(dt, optimal))
                            }
                            dt = min(max(proposal, control.minimum), control.maximum)
                        } else if !control.isFixed, iterations <= 3 { dt = min(2 * dt, control.maximum) }
                    }
                }
                start = end
            }
        } catch {
            var partial = recorder.results
            partial.isComplete = false
            if error is CancellationError { throw SimulationCancelled(partial: partial) }
            throw error
        }
        return try recorder.finish()
    }

    /// Runs the transport staggered with a biphasic simulation of the same model (solutes
    /// carried by its fluid and living in its deforming pores): the tissue state
    /// (porosity, strain, Darcy flux `−k∇p`, `∇·w`; ``TissueState``) is rebuilt from the
    /// biphasic solution after every accepted mechanical step and the transport takes one
    /// backward-Euler step of the same length (one-way coupling, as in
    /// ``NutrientTractionSimulation``; each step's solute balance is exact, so the run
    /// conserves solute to the Newton tolerance). The transport's own `timeStep` is not used:
    /// the mechanics choose the steps. With `steadyStart` the initial steady state is solved
    /// for the tissue of the reference (unswollen, unloaded) state. Outputs land on the
    /// model's output times (the mechanics step onto them).
    ///
    /// Build this simulation on the biphasic mesh's corner-node mesh
    /// (`TransportSimulation(model:mesh: NutrientTractionSimulation.cornerMesh(of: biphasic.mesh))`)
    /// or on the biphasic mesh itself; cells must be numbered as in the biphasic mesh.
    /// - Returns: the mechanical and the transport results; files as ``BiphasicSimulation/run(outputDirectory:progress:)`` and ``run(outputDirectory:)`` write them.
    public func runCoupled(with biphasic: BiphasicSimulation, outputDirectory: URL? = nil,
                           progress: (Double, Double) -> Void = { _, _ in }) throws -> (mechanics: SimulationResults, transport: SimulationResults) {
        guard biphasic.mesh.cellCount == mesh.cellCount else {
            throw ModelError(.invalidValue, at: "transport", "the transport mesh has \(mesh.cellCount) cells, the biphasic mesh \(biphasic.mesh.cellCount); they must share the cell numbering")
        }
        let recorder = try TransportRecorder(self, outputDirectory: outputDirectory)
        let bp = biphasic.problem
        problem.startTissue(try TissueState(biphasic: bp, dofValues: bp.dofValues(unknowns: bp.initialState(), time: 0)))
        if definition.steadyStart { try problem.solveSteady() }
        try recorder.begin()
        let times = model.outputs.times
        let tolerance = 1e-9 * max(times.last ?? 1, 1)
        var next = 0
        if let first = times.first, abs(first) <= tolerance { try recorder.record(0); next = 1 }
        biphasic.stepObserver = { [self] time, dt, x, previous in
            problem.tissue = try TissueState(biphasic: bp, dofValues: bp.dofValues(unknowns: x, time: time),
                                             previous: bp.dofValues(unknowns: previous, time: time - dt), timeStep: dt)
            try problem.step(dt)
            try recorder.accumulate(dt, endingAt: time)
            while next < times.count, times[next] <= time + tolerance {
                if abs(times[next] - time) <= tolerance { try recorder.record(time) }
                next += 1
            }
        }
        defer { biphasic.stepObserver = nil }
        let mechanics = try biphasic.run(outputDirectory: outputDirectory, progress: progress)
        return (mechanics, try recorder.finish())
    }
}

/// Collects a transport run's outputs — probes (mM), region average/min/max (mM), surface
/// inflow (mmol/s) and its running integral (mmol), viable fractions — and writes
/// `transport.json`, `transport.csv` and the optional VTU series.
final class TransportRecorder {
    let sim: TransportSimulation
    let outputDirectory: URL?
    var results = SimulationResults()
    /// Running ∫ inflow dt per output surface (mmol) and the last inflow rates (mmol/s).
    var cumulative: [Double], lastRates: [Double]
    var pvd: PVDCollection? = nil
    /// The disc-nutrition summary, when the transport has a cell metabolism.
    let nutrients: NutrientAccumulator?
    /// End of the last accepted increment (s).
    var lastTime = 0.0

    init(_ sim: TransportSimulation, outputDirectory: URL?) throws {
        self.sim = sim
        self.outputDirectory = outputDirectory
        let out = sim.definition.outputs
        results.probes = out.probes.map { p in
            TimeSeries(name: p.name, quantity: p.solute, unit: "mM", components: ["value"], values: [],
                       source: ["at": .array([.number(p.at.x), .number(p.at.y), .number(p.at.z)])])
        }
        results.surfaces = out.surfaces.map { s in
            TimeSeries(name: s.name, quantity: "\(s.solute) inflow", unit: "mmol/s | mmol", components: ["rate", "cumulative"], values: [],
                       source: ["surface": .string(s.surface)])
        }
        results.regions = out.regions.map { r in
            TimeSeries(name: r.name, quantity: r.solute, unit: "mM", components: ["average", "min", "max"], values: [], source: ["region": .string(r.region)])
        } + out.viable.map { v in
            TimeSeries(name: v.name, quantity: "viableFraction", unit: "1", components: ["value"], values: [],
                       source: ["region": .string(v.region ?? "all")])
        }
        cumulative = [Double](repeating: 0, count: out.surfaces.count)
        lastRates = cumulative
        nutrients = try NutrientAccumulator(simulation: sim)
        if let dir = outputDirectory {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                if sim.model.outputs.vtu {
                    try FileManager.default.createDirectory(at: dir.appendingPathComponent("vtu"), withIntermediateDirectories: true)
                    pvd = PVDCollection(path: dir.appendingPathComponent(sim.model.isTransportOnly ? "results.pvd" : "transport.pvd").path)
                }
            } catch { throw ModelError(.file, at: dir.path, "cannot create the output directory: \(error.localizedDescription)") }
        }
    }

    private func rates() throws -> [Double] {
        try sim.definition.outputs.surfaces.map { try sim.problem.boundaryInflow(solute: $0.solute, surface: $0.surface) * 1e-6 }  // nmol → mmol
    }

    /// Reads the current inflow rates (after a steady solve).
    func refreshRates() throws { lastRates = try rates() }

    /// The state at t = 0 is in place (after the steady start).
    func begin() throws {
        try refreshRates()
        try nutrients?.begin()
    }

    /// After a backward-Euler step of `dt` (s): the step's inflow is the end-of-step rate × Δt
    /// (exactly the discrete balance).
    func accumulate(_ dt: Double, endingAt time: Double, rates given: [Double]? = nil) throws {
        let r = try given ?? rates()
        for k in r.indices { cumulative[k] += r[k] * dt }
        lastRates = r
        lastTime = time
        try nutrients?.stepped(time: time, dt: dt, rates: r)
    }

    /// Records every output at time `t` (s).
    func record(_ t: Double) throws {
        let out = sim.definition.outputs, problem = sim.problem
        results.times.append(t)
        for (k, p) in out.probes.enumerated() { results.probes[k].values.append([try problem.probe(solute: p.solute, at: p.at) ?? .nan]) }
        for (k, _) in out.surfaces.enumerated() { results.surfaces[k].values.append([lastRates[k], cumulative[k]]) }
        for (k, r) in out.regions.enumerated() {
            let s = try problem.statistics(solute: r.solute, region: r.region)
            results.regions[k].values.append([s.average, s.min, s.max])
        }
        for (k, v) in out.viable.enumerated() {
            let m = sim.definition.reactions[v.reaction].reaction as! DiscCellMetabolism
            results.regions[out.regions.count + k].values.append([try problem.viableFraction(metabolism: m, region: v.region)])
        }
        if sim.model.outputs.vtu {
            let fields = try sim.definition.solutes.map { VTUField.scalar($0.name, values: try problem.nodalValues(solute: $0.name)) }
            if results.fields == nil { results.fields = FieldFrames(mesh: sim.mesh) }
            results.fields!.frames.append(.init(time: t, pointData: fields, cellData: []))
            if let dir = outputDirectory, pvd != nil {
                let name = String(format: "vtu/transport-%04d.vtu", results.times.count - 1)
                try VTUWriter.write(mesh: sim.mesh, pointData: fields, to: dir.appendingPathComponent(name).path)
                try pvd!.add(time: t, file: name)
            }
        }
    }

    /// Writes the files (when an output directory was given) and returns the results.
    func finish() throws -> SimulationResults {
        results.nutrients = try nutrients?.report(endTime: lastTime)
        if let dir = outputDirectory {
            var doc = results.json(nodeCount: sim.mesh.nodeCount, cellCount: sim.mesh.cellCount, unknowns: sim.problem.dofMap.dofCount)
            if let n = results.nutrients, case var .object(members) = doc {
                members.append(("nutrients", n.jsonValue))
                doc = .object(members)
            }
            do {
                // A transport-only model's results are the run's results; beside mechanics they are `transport.*`.
                let stem = sim.model.isTransportOnly ? "results" : "transport"
                try (doc.serialized() + "\n").write(to: dir.appendingPathComponent("\(stem).json"), atomically: true, encoding: .utf8)
                try results.csv.write(to: dir.appendingPathComponent("\(stem).csv"), atomically: true, encoding: .utf8)
                try pvd?.write()
            } catch let e as ModelError { throw e } catch {
                throw ModelError(.file, at: dir.path, "cannot write transport results: \(error.localizedDescription)")
            }
        }
        return results
    }
}
