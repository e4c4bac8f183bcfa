import Foundation
import Biomechanics
import FiniteElements

/// Disc nutrition under a traction protocol: the biphasic disc model (default:
/// ``DefaultDiscModel``) solved by ``BiphasicSimulation`` and, staggered after every
/// accepted biphasic step, O₂, glucose and lactate transport (``DiscNutritionModel``'s
/// solutes, diffusivities, blood values and Bibby 2005 cell metabolism) on the same mesh
/// over the same step.
///
/// **Staggering.** Before the run the transport is solved to steady state with the tissue
/// of the reference (unloaded) state. After each accepted biphasic step `tⁿ → tⁿ⁺¹`
/// the tissue state is rebuilt from the biphasic solution at `tⁿ⁺¹` (porosity, compressive
/// strain for the strain-dependent annulus O₂ diffusivity, Darcy flux `−k∇p`, `∇·w` from
/// the volume change; see `TissueState.init(biphasic:dofValues:previous:timeStep:)`) and the transport
/// takes one backward-Euler step of the same length. The solute balance of each step is
/// exact (conservative convection), so the run's balance is exact up to the Newton
/// tolerance; the mechanics do not feel the solutes (one-way coupling).
///
/// **Transport set-up on the biphasic mesh.** The model's mesh must have regions
/// `nucleus` and `annulus` and surfaces `top`, `bottom`, `outer`. The cartilage endplates
/// are not meshed mechanically (the default disc has rigid bony endplates), so for
/// transport the nucleus cells touching `top`/`bottom` form a region `endplate` (endplate
/// diffusivities and cell density; one cell layer, 1.67 mm in the default mesh against
/// ~0.75 mm anatomically), and blood concentrations are prescribed on the `top`/`bottom`
/// faces of those cells (`endplate-top`, `endplate-bottom`: exchange over the nucleus, as in
/// Soukane 2007) and on `outer`; the rest of top and bottom is impermeable to solutes.
/// Capacity is the current porosity (solutes live in the fluid; rates per tissue volume).
/// By default transport runs on the linear cells of the biphasic mesh's corner nodes
/// (``cornerMesh(of:)``; hex8 with lumped capacity and nodal reactions, like
/// ``DiscNutritionModel/axisymmetricMesh(wedgeAngle:)``): the per-cell tissue state is shared
/// by cell index. Quadratic transport (`cornerMesh: false`) costs more per step (its measured
/// cost against the corner mesh is in `Benchmarks/results/`), and the two meshes differ in the
/// answer on this coarse mesh (chord vs curved geometry, lumped nodal vs consistent reactions).
///
/// ```swift
/// let sim = try NutrientTractionSimulation()
/// let r = try sim.run()
/// print(r.cycles.map(\.glucoseImbibed))   // mmol per traction cycle
/// ```
public final class NutrientTractionSimulation {
    /// The mechanics.
    public let biphasic: BiphasicSimulation
    /// The transport problem (on a copy of the biphasic mesh with the `endplate` region and surfaces added).
    public let transport: SoluteTransportProblem
    /// The nutrition parameters.
    public let nutrition: DiscNutritionModel
    /// The traction cycles `[start, end]` (s) over which imbibed glucose is reported.
    public let cycles: [ClosedRange<Double>]

    /// Builds both problems.
    /// - Parameters:
    ///   - model: a biphasic model (default: the embedded default disc).
    ///   - nutrition: solutes, diffusivities, blood values and metabolism (its geometry fields are unused).
    ///   - cycles: report windows (s); nil (default): one per traction cycle of the model's
    ///     `traction` condition, read off its curve (``Model/tractionCycleWindows(condition:)``) —
    ///     for the default disc
    ///     `[60, 170]`, `[170, 280]`, `[280, 390]` (10 s ramp, 60 s hold, 10 s release, 30 s rest).
    /// - Throws: ``ModelError`` for a model without the needed regions/surfaces, the transport layer's errors.
    ///   - cornerMesh: true (default): transport on the linear cells spanned by the biphasic
    ///     mesh's corner nodes (hex20 → hex8, same cell numbering, regions and surfaces); false:
    ///     on the biphasic mesh itself (quadratic; about 20× slower, see the type's documentation).
    public init(model: Model? = nil, nutrition: DiscNutritionModel = DiscNutritionModel(),
                cycles: [ClosedRange<Double>]? = nil, cornerMesh: Bool = true) throws {
        let model = try model ?? DefaultDiscModel.model()
        let biphasic = try BiphasicSimulation(model: model)
        self.biphasic = biphasic
        self.nutrition = nutrition
        self.cycles = try cycles ?? model.tractionCycleWindows()
        var mesh = cornerMesh ? try Self.cornerMesh(of: biphasic.mesh) : biphasic.mesh
        for r in ["nucleus", "annulus"] where mesh.regions[r] == nil {
            throw ModelError(.unknownName, at: "mesh", "nutrient transport needs region \"\(r)\"; \(mesh.regions.keys.meshHas("regions"))")
        }
        for s in ["top", "bottom", "outer"] where mesh.surfaces[s] == nil {
            throw ModelError(.unknownName, at: "mesh", "nutrient transport needs surface \"\(s)\"; \(mesh.surfaces.keys.meshHas("surfaces"))")
        }
        let nucleus = Set(try mesh.cells(inRegion: "nucleus"))
        let top = try mesh.faces(ofSurface: "top").filter { nucleus.contains($0.cell) }
        let bottom = try mesh.faces(ofSurface: "bottom").filter { nucleus.contains($0.cell) }
        try mesh.addRegion("endplate", cells: Array(Set(top.map(\.cell) + bottom.map(\.cell))).sorted())
        try mesh.addSurface("endplate-top", faces: top)
        try mesh.addSurface("endplate-bottom", faces: bottom)
        var n = nutrition
        n.capacityIsPorosity = true
        transport = try n.makeProblem(mesh: mesh)
    }

    /// The mesh of linear cells on the corner nodes of `mesh` (hex20/hex27 → hex8, tet10 → tet4),
    /// with the same cell numbering, regions and surfaces (face numbering is shared by a cell
    /// type and its linear counterpart). Curved quadratic boundaries become straight chords, so
    /// volumes differ slightly (mm³) from the quadratic mesh.
    public static func cornerMesh(of mesh: Mesh) throws -> Mesh {
        var index = [Int](repeating: -1, count: mesh.nodeCount)
        var nodes: [SIMD3<Double>] = [], types: [CellType] = [], connectivity: [Int] = []
        for c in 0..<mesh.cellCount {
            let lin = mesh.cellType(c).linear
            types.append(lin)
            for n in mesh.cellNodes(c).prefix(lin.nodeCount) {
                if index[n] < 0 { index[n] = nodes.count; nodes.append(mesh.nodes[n]) }
                connectivity.append(index[n])
            }
        }
        var linear = try Mesh(nodes: nodes, cellTypes: types, connectivity: connectivity)
        for (name, cells) in mesh.regions { try linear.addRegion(name, cells: cells) }
        for (name, faces) in mesh.surfaces { try linear.addSurface(name, faces: faces) }
        return linear
    }

    /// Concentration summary at one instant.
    public struct Snapshot: Sendable {
        /// Time (s).
        public var time: Double
        /// Smallest O₂ tension (kPa), smallest glucose (mM), largest lactate (mM) over the disc nodes.
        public var minOxygen: Double, minGlucose: Double, maxLactate: Double
        /// Viable volume fraction of the disc (1).
        public var viableFraction: Double
    }

    /// One traction cycle's glucose budget (mmol).
    public struct Cycle: Sendable {
        /// The window (s).
        public var window: ClosedRange<Double>
        /// Net glucose that entered through the disc's whole surface (`top`, `bottom`, `outer`:
        /// diffusion through the blood-side faces plus convection), `∫ inflow dt` (mmol).
        public var glucoseImbibed: Double
        /// Glucose consumed by the cells, `∫∫Q dV dt` (mmol).
        public var glucoseConsumed: Double
        /// Change of the glucose content `∫φc dV` over the window (mmol).
        public var contentChange: Double
    }

    /// The run's results.
    public struct Results: Sendable {
        /// At steady state before loading, and at the end of the protocol.
        public var steady: Snapshot, final: Snapshot
        /// Extremes over the whole protocol (min O₂ kPa, min glucose mM, max lactate mM, min viable fraction).
        public var extremes: Snapshot
        /// Per-cycle glucose budgets.
        public var cycles: [Cycle]
        /// Whole-run glucose balance: `|Δcontent − Σ Δt(inflow − consumption)|` divided by the
        /// throughput `Σ Δt(|inflow| + |consumption|)` (1).
        public var glucoseBalanceError: Double
        /// Accepted biphasic steps (= transport steps).
        public var steps: Int
        /// Wall time (s): total, spent in transport (tissue state + step + outputs), and the rest (mechanics).
        public var wallTime: Double, transportTime: Double, mechanicsTime: Double
        /// Unknowns: biphasic, transport.
        public var biphasicUnknowns: Int, transportUnknowns: Int
    }

    func snapshot(_ t: Double) throws -> Snapshot {
        let o2 = try transport.statistics(solute: "oxygen"), g = try transport.statistics(solute: "glucose"), l = try transport.statistics(solute: "lactate")
        return Snapshot(time: t, minOxygen: o2.min / nutrition.nucleusCells.oxygenSolubility, minGlucose: g.min, maxLactate: l.max,
                        viableFraction: try transport.viableFraction(metabolism: nutrition.nucleusCells))
    }

    /// Solves the transport steady state, then the protocol; `progress` is called after each step with the time (s).
    public func run(progress: @escaping (Double) -> Void = { _ in }) throws -> Results {
        try runCoupled(start: nil, progress: progress).nutrients
    }

    /// The run of ``run(progress:)`` from `start` (the unknowns at t = 0 of a kept state, e.g. the
    /// freely swollen disc, and the report of the swelling that produced them) instead of the
    /// model's own start; the transport's steady state is solved with the tissue of that start.
    /// Returns the mechanics' results too. `increment` is the biphasic run's increment observer
    /// (step index, time s, Newton iterations); an error thrown there stops the run. With
    /// `transportUntil` (s) the transport stops stepping after the biphasic step that reaches that
    /// time (the mechanics run on): the budgets, balance and extremes then cover the run up to there.
    func runCoupled(start: (unknowns: [Double], report: FreeSwellingReport?)?, progress: @escaping (Double) -> Void = { _ in },
                    increment: ((Int, Double, Int) throws -> Void)? = nil,
                    transportUntil: Double? = nil) throws -> (mechanics: SimulationResults, nutrients: Results) {
        if let start, start.unknowns.count != biphasic.unknownCount {
            throw ModelError(.invalidValue, at: "state.unknowns", "the start has \(start.unknowns.count) unknowns, the biphasic model \(biphasic.unknownCount)")
        }
        let clock = ContinuousClock()
        let began = clock.now
        var transportTime = Duration.zero
        let problem = biphasic.problem
        let t0 = clock.now
        transport.startTissue(try TissueState(biphasic: problem, dofValues: problem.dofValues(unknowns: start?.unknowns ?? problem.initialState(), time: 0)))
        try transport.solveSteady()
        let steady = try snapshot(0)
        var extremes = steady
        // The whole boundary: diffusion enters through the blood-side faces, convection
        // (c·w·n) also leaves through the solute-impermeable annulus faces of top/bottom.
        let surfaces = ["top", "bottom", "outer"]
        let nmolToMmol = 1e-6
        var cycleResults = cycles.map { Cycle(window: $0, glucoseImbibed: 0, glucoseConsumed: 0, contentChange: 0) }
        var cycleStartContent = [Double?](repeating: nil, count: cycles.count)
        let content0 = try transport.content(solute: "glucose")
        var content = content0
        for (k, w) in cycles.enumerated() where w.lowerBound <= 0 { cycleStartContent[k] = content0 }
        var balance = 0.0, throughput = 0.0, steps = 0
        transportTime += clock.now - t0
        let stop = transportUntil ?? .infinity
        biphasic.stepObserver = { [self] time, dt, x, previous in
            if time - dt >= stop - 1e-9 * max(1, abs(stop)) { return }
            let ts = clock.now
            defer { transportTime += clock.now - ts }
            let v = problem.dofValues(unknowns: x, time: time)
            let vp = problem.dofValues(unknowns: previous, time: time - dt)
            transport.tissue = try TissueState(biphasic: problem, dofValues: v, previous: vp, timeStep: dt)
            try transport.step(dt)
            steps += 1
            let inflow = try surfaces.reduce(0.0) { $0 + (try transport.boundaryInflow(solute: "glucose", surface: $1)) }
            let consumed = try transport.consumptionRate(solute: "glucose")
            balance += dt * (inflow - consumed)
            throughput += dt * (abs(inflow) + abs(consumed))
            let mid = time - dt / 2
            let before = content
            content = try transport.content(solute: "glucose")
            for k in cycles.indices {
                if cycles[k].contains(mid) {
                    if cycleStartContent[k] == nil { cycleStartContent[k] = before }
                    cycleResults[k].glucoseImbibed += dt * inflow * nmolToMmol
                    cycleResults[k].glucoseConsumed += dt * consumed * nmolToMmol
                    cycleResults[k].contentChange = (content - cycleStartContent[k]!) * nmolToMmol
                }
            }
            let s = try snapshot(time)
            extremes.minOxygen = min(extremes.minOxygen, s.minOxygen)
            extremes.minGlucose = min(extremes.minGlucose, s.minGlucose)
            extremes.maxLactate = max(extremes.maxLactate, s.maxLactate)
            extremes.viableFraction = min(extremes.viableFraction, s.viableFraction)
            extremes.time = time
            progress(time)
        }
        biphasic.incrementObserver = increment
        defer { biphasic.stepObserver = nil; biphasic.incrementObserver = nil }
        let mechanics = try biphasic.run(outputDirectory: nil, progress: { _, _ in }, start: start, stopAfterFreeSwelling: false)
        let t1 = clock.now
        let final = try snapshot(extremes.time)
        transportTime += clock.now - t1
        let wall = clock.now - began
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        return (mechanics, Results(steady: steady, final: final, extremes: extremes, cycles: cycleResults,
                       glucoseBalanceError: abs(content - content0 - balance) / max(throughput, .leastNormalMagnitude),
                       steps: steps, wallTime: seconds(wall), transportTime: seconds(transportTime),
                       mechanicsTime: seconds(wall - transportTime),
                       biphasicUnknowns: biphasic.unknownCount, transportUnknowns: transport.dofMap.dofCount))
    }

    /// The default disc, coarsened for the coupled-conservation check (seconds): 8 cells
    /// around, 1 annulus ring, 2 layers (hex20); no free-swelling step (the balance does not
    /// need the swollen state), preload 20 s and one shortened traction cycle (10 s ramp,
    /// 20 s hold, 10 s release, 10 s rest; window `[20, 70]` s).
    public static func coarseVerificationModel() throws -> Model {
        var model = try DefaultDiscModel.model()
        model.mesh = .cylinder(a: 25, b: 17, height: 10, innerName: "nucleus", innerFraction: 0.55, radial: 1, around: 8, axial: 2, element: .hex20)
        model.steps.removeAll { $0.freeSwelling != nil }
        guard model.steps.map(\.name) == ["preload", "traction"] else {
            throw ModelError(.invalidValue, at: "steps", "the default disc's steps changed (\(model.steps.map(\.name))); coarseVerificationModel expects preload then traction")
        }
        model.steps[0].duration = 20
        model.steps[1].duration = 50
        model.curves["traction"] = try LoadCurve(points: [(0, 0), (20, 0), (30, 1), (50, 1), (60, 0), (70, 0)])
        model.outputs.times = stride(from: 0.0, through: 70, by: 10).map { $0 }
        return model
    }

    /// Rows for `spinetraction verify`: the glucose conservation law of the staggered
    /// transport–biphasic run on ``coarseVerificationModel()`` (independent reference: the
    /// balance `Δcontent = Σ Δt·(inflow − consumption)`; per cycle, imbibed − consumed =
    /// content change), each to 1e-8 relative to the throughput.
    public static func verificationRows() throws -> [VerificationRow] {
        let sim = try NutrientTractionSimulation(model: coarseVerificationModel(), cycles: [20...70])
        let r = try sim.run()
        let c = r.cycles[0]
        let scale = abs(c.glucoseImbibed) + abs(c.glucoseConsumed)
        let mismatch = scale > 0 ? abs(c.glucoseImbibed - c.glucoseConsumed - c.contentChange) / scale : .infinity
        let name = "coupled transport + biphasic disc (coarse, \(r.steps) steps)"
        return [
            VerificationRow(problem: name, quantity: "glucose balance over the run / throughput", ours: r.glucoseBalanceError, reference: 0,
                            error: r.glucoseBalanceError, tolerance: 1e-8),
            VerificationRow(problem: name, quantity: "cycle: imbibed − consumed − Δcontent (mmol) / (|imbibed| + |consumed|)",
                            ours: c.glucoseImbibed - c.glucoseConsumed, reference: c.contentChange, error: mismatch, tolerance: 1e-8),
        ]
    }
}
