import Foundation
import Biomechanics
import FiniteElements

/// Records the standard quantities of a disc-like biphasic model — nucleus pressure, imbibed
/// fluid (total and per fluid boundary), height change — at the output times, and the nucleus
/// pressure's extremes over every accepted step, without any output declared in the model.
///
/// - Nucleus pressure (MPa): what a needle transducer reads (fluid + osmotic pressure) at the
///   volume centroid of region `nucleus` (present only when the mesh has that region).
/// - Imbibed volume (mm³): the mixture's volume change since t = 0, `∫(J − 1) dV₀` now minus at
///   t = 0 (with intrinsically incompressible constituents the net fluid volume drawn in); per
///   surface with a fluid condition (`fluidPressure`, `fluidExchange`), the volume through it.
/// - Height change (mm): mean `u_z` of the nodes of surface `top` minus that of `bottom`
///   (present when both surfaces exist).
struct DiscQuantityRecorder {
    let problem: BiphasicProblem
    let nucleusPoint: SIMD3<Double>?
    let locator: PointLocator
    let topNodes: [Int], bottomNodes: [Int]
    /// Surfaces with a fluid condition, their drained pressure dofs and the exchange conditions acting on them.
    let fluidSurfaces: [(name: String, drained: [Int], exchanges: [Int])]
    var startVolume = 0.0
    var imbibed: [Double]
    var series: (pressure: [Double], total: [Double], bySurface: [[Double]], height: [Double]) = ([], [], [], [])
    var extremes: TimeSeries.Extremes? = nil

    init(simulation sim: BiphasicSimulation) throws {
        problem = sim.problem
        let mesh = sim.mesh
        locator = PointLocator(mesh: mesh)
        if let cells = mesh.regions["nucleus"], !cells.isEmpty {
            let v = try mesh.integrate(cells: cells) { _ in 1 }
            nucleusPoint = SIMD3(try mesh.integrate(cells: cells) { $0.x }, try mesh.integrate(cells: cells) { $0.y },
                                 try mesh.integrate(cells: cells) { $0.z }) / v
        } else { nucleusPoint = nil }
        if mesh.surfaces["top"] != nil, mesh.surfaces["bottom"] != nil {
            topNodes = try mesh.nodes(ofSurface: "top"); bottomNodes = try mesh.nodes(ofSurface: "bottom")
        } else { topNodes = []; bottomNodes = [] }
        let constrained = problem.numbering!.equationOfDof
        var names: [String] = []
        for c in sim.model.boundary {
            switch c.kind {
            case .fluidPressure, .fluidExchange:
                if case let .surface(s) = c.target, !names.contains(s) { names.append(s) }
            default: break
            }
        }
        fluidSurfaces = try names.map { name in
            let drained = try mesh.nodes(ofSurface: name).compactMap { sim.problem.pressureDof(node: $0) }.filter { constrained[$0] < 0 }
            let exchanges = sim.exchangeSurfaces.indices.filter { sim.exchangeSurfaces[$0] == name }
            return (name, drained, exchanges)
        }
        imbibed = [Double](repeating: 0, count: fluidSurfaces.count)
        series.bySurface = Array(repeating: [], count: fluidSurfaces.count)
    }

    /// At t = 0 (after free swelling): the reference volume.
    /// The same record on `simulation`'s problem (a run continued there from a checkpoint of
    /// another simulation of the same model up to the checkpoint).
    /// - Throws: the recorder's errors for a model without a disc.
    func rebound(to simulation: BiphasicSimulation) throws -> DiscQuantityRecorder {
        var r = try DiscQuantityRecorder(simulation: simulation)
        r.startVolume = startVolume; r.imbibed = imbibed; r.series = series; r.extremes = extremes
        return r
    }

    mutating func start(state x: [Double]) throws {
        startVolume = try problem.fluidVolumeChange(state: x, time: 0)
        try trackExtremes(time: 0, state: x)
    }

    /// After an accepted step: per-surface inflow from the step's full residual and exchange outflows.
    mutating func step(time: Double, state x: [Double], residual r: [Double], exchanged: [Double]) throws {
        for (k, s) in fluidSurfaces.enumerated() {
            var out = s.drained.reduce(0.0) { $0 + r[$1] }
            for e in s.exchanges { out += exchanged[e] }
            imbibed[k] -= out
        }
        try trackExtremes(time: time, state: x)
    }

    mutating func trackExtremes(time: Double, state x: [Double]) throws {
        guard let p = try nucleusPressure(time: time, state: x) else { return }
        if var e = extremes {
            if p < e.minimum { e.minimum = p; e.minimumTime = time }
            if p > e.maximum { e.maximum = p; e.maximumTime = time }
            e.steps += 1
            extremes = e
        } else {
            extremes = TimeSeries.Extremes(minimum: p, minimumTime: time, maximum: p, maximumTime: time, steps: 1)
        }
    }

    func nucleusPressure(time: Double, state x: [Double]) throws -> Double? {
        guard let point = nucleusPoint else { return nil }
        return try problem.pressure(at: point, state: x, time: time, locator: locator)?.transducer
    }

    /// At an output time.
    mutating func record(time: Double, state x: [Double]) throws {
        if let p = try nucleusPressure(time: time, state: x) { series.pressure.append(p) }
        series.total.append(try problem.fluidVolumeChange(state: x, time: time) - startVolume)
        for k in fluidSurfaces.indices { series.bySurface[k].append(imbibed[k]) }
        if !topNodes.isEmpty {
            let v = problem.dofValues(unknowns: x, time: time)
            func mean(_ nodes: [Int]) -> Double { nodes.reduce(0.0) { $0 + v[problem.displacementDof(node: $1, component: 2)] } / Double(nodes.count) }
            series.height.append(mean(topNodes) - mean(bottomNodes))
        }
    }

    /// Writes the typed quantities into `results`.
    func finish(into results: inout SimulationResults) {
        func scalar(_ name: String, _ unit: String, _ values: [Double], source: [String: JSONValue] = [:]) -> TimeSeries {
            TimeSeries(name: name, quantity: name, unit: unit, components: ["value"], values: values.map { [$0] }, source: source)
        }
        if let point = nucleusPoint {
            var s = scalar("nucleusPressure", "MPa", series.pressure,
                           source: ["at": .array([.number(point.x), .number(point.y), .number(point.z)])])
            s.extremes = extremes
            results.nucleusPressure = s
        }
        results.imbibedVolume = scalar("imbibedVolume", "mm³", series.total)
        results.imbibedBySurface = Dictionary(uniqueKeysWithValues: fluidSurfaces.enumerated().map { k, s in
            (s.name, scalar("imbibedVolume.\(s.name)", "mm³", series.bySurface[k], source: ["surface": .string(s.name)]))
        })
        if !topNodes.isEmpty { results.heightChange = scalar("heightChange", "mm", series.height) }
    }
}
