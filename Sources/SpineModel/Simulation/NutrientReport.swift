import Foundation
import Biomechanics

/// Disc nutrition over a run whose transport block has a `discCellMetabolism` reaction (O₂,
/// glucose and lactate with the Bibby 2005 cell metabolism): concentrations at the start, at the
/// end and at their extremes over every accepted increment, the viable cell fraction, and the
/// glucose budget per traction cycle — ``SimulationResults/nutrients``, printed by
/// `spinetraction run` and written under `nutrients` in `transport.json` (`results.json` for a
/// transport-only model).
///
/// The glucose that enters is the sum of the transport block's glucose **surface outputs**
/// (``TransportDefinition/Outputs/surfaces``: diffusion and convection through each surface),
/// so they should cover the disc's whole boundary; ``glucoseBalanceError`` measures how well
/// they do: the change of glucose content against the integrated inflow minus consumption.
public struct NutrientReport: Sendable, Equatable {
    /// Concentrations over the mesh's nodes at one instant.
    public struct Snapshot: Sendable, Equatable {
        /// Time (s).
        public var time: Double
        /// Smallest O₂ tension (kPa: concentration / the metabolism's O₂ solubility) over the nodes.
        public var minOxygen: Double
        /// Smallest glucose concentration (mM) over the nodes.
        public var minGlucose: Double
        /// Largest lactate concentration (mM) over the nodes.
        public var maxLactate: Double
        /// Viable volume fraction (1) by the metabolism's glucose and pH thresholds.
        public var viableFraction: Double
    }

    /// One traction cycle's glucose budget (mmol).
    public struct Cycle: Sendable, Equatable {
        /// The window (s): one traction cycle of the model's `traction` condition (``Model/tractionCycleWindows(condition:)``).
        public var window: ClosedRange<Double>
        /// Net glucose that entered through the glucose surface outputs, `∫ inflow dt` (mmol).
        public var glucoseImbibed: Double
        /// Glucose consumed by the cells, `∫∫ Q dV dt` (mmol).
        public var glucoseConsumed: Double
        /// Change of the glucose content `∫ φc dV` over the window (mmol).
        public var contentChange: Double
    }

    /// At t = 0 (after the steady start, if any).
    public var start: Snapshot
    /// At the end of the run.
    public var final: Snapshot
    /// Extremes over every accepted increment: min O₂, min glucose, max lactate, min viable
    /// fraction; ``Snapshot/time`` is the end of the run.
    public var extremes: Snapshot
    /// Glucose budgets per traction cycle (empty without a `traction` condition).
    public var cycles: [Cycle]
    /// `|Δcontent − Σ Δt (inflow − consumption)|` over the run divided by the throughput
    /// `Σ Δt (|inflow| + |consumption|)` (1): ≈ 0 (Newton tolerance) when the glucose surface
    /// outputs cover the whole boundary.
    public var glucoseBalanceError: Double
    /// The glucose surface outputs whose inflow is summed.
    public var inflowSurfaces: [String]

    /// The report as a JSON object (times s, concentrations mM, O₂ kPa, glucose mmol).
    public var jsonValue: JSONValue {
        func snapshot(_ s: Snapshot) -> JSONValue {
            .object([("time", .number(s.time)), ("minOxygen", .number(s.minOxygen)), ("minGlucose", .number(s.minGlucose)),
                     ("maxLactate", .number(s.maxLactate)), ("viableFraction", .number(s.viableFraction))])
        }
        return .object([
            ("units", .object([("oxygen", .string("kPa")), ("glucose", .string("mM")), ("lactate", .string("mM")), ("budget", .string("mmol"))])),
            ("start", snapshot(start)), ("final", snapshot(final)), ("extremes", snapshot(extremes)),
            ("cycles", .array(cycles.map { c in
                .object([("start", .number(c.window.lowerBound)), ("end", .number(c.window.upperBound)),
                         ("glucoseImbibed", .number(c.glucoseImbibed)), ("glucoseConsumed", .number(c.glucoseConsumed)),
                         ("contentChange", .number(c.contentChange))])
            })),
            ("glucoseBalanceError", .number(glucoseBalanceError)),
            ("inflowSurfaces", .array(inflowSurfaces.map(JSONValue.string))),
        ])
    }
}

/// Accumulates a ``NutrientReport`` increment by increment (a helper of the transport recorder).
final class NutrientAccumulator {
    let problem: SoluteTransportProblem
    let metabolism: DiscCellMetabolism
    /// Indices (into the transport's surface outputs) of the glucose surfaces.
    let glucoseSurfaces: [Int]
    let surfaceNames: [String]
    var cycles: [NutrientReport.Cycle]
    var cycleStartContent: [Double?]
    var start: NutrientReport.Snapshot? = nil
    var extremes: NutrientReport.Snapshot? = nil
    var content0 = 0.0, content = 0.0, balance = 0.0, throughput = 0.0
    static let nmolToMmol = 1e-6

    /// nil when the transport has no `discCellMetabolism` reaction.
    init?(simulation sim: TransportSimulation) throws {
        guard let reaction = sim.definition.reactions.first(where: { $0.reaction is DiscCellMetabolism })?.reaction else { return nil }
        problem = sim.problem
        let metabolism = reaction as! DiscCellMetabolism
        self.metabolism = metabolism
        let outputs = sim.definition.outputs.surfaces
        glucoseSurfaces = outputs.indices.filter { outputs[$0].solute == metabolism.glucose }
        surfaceNames = glucoseSurfaces.map { outputs[$0].name }
        let model = sim.model
        let windows = model.boundary[named: "traction"] != nil ? try model.tractionCycleWindows() : []
        cycles = windows.map { NutrientReport.Cycle(window: $0, glucoseImbibed: 0, glucoseConsumed: 0, contentChange: 0) }
        cycleStartContent = [Double?](repeating: nil, count: windows.count)
    }

    func snapshot(_ t: Double) throws -> NutrientReport.Snapshot {
        let o2 = try problem.statistics(solute: metabolism.oxygen), g = try problem.statistics(solute: metabolism.glucose)
        let l = try problem.statistics(solute: metabolism.lactate)
        return NutrientReport.Snapshot(time: t, minOxygen: o2.min / metabolism.oxygenSolubility, minGlucose: g.min, maxLactate: l.max,
                                       viableFraction: try problem.viableFraction(metabolism: metabolism))
    }

    /// The state at t = 0.
    func begin() throws {
        let s = try snapshot(0)
        start = s; extremes = s
        content0 = try problem.content(solute: metabolism.glucose)
        content = content0
        for k in cycles.indices where cycles[k].window.lowerBound <= 0 { cycleStartContent[k] = content0 }
    }

    /// After an increment ending at `time` (s) of length `dt` (s); `rates` are the surface outputs'
    /// end-of-increment inflow rates (mmol/s).
    func stepped(time: Double, dt: Double, rates: [Double]) throws {
        guard dt > 0 else { return }
        let inflow = glucoseSurfaces.reduce(0.0) { $0 + rates[$1] } / Self.nmolToMmol        // nmol/s
        let consumed = try problem.consumptionRate(solute: metabolism.glucose)               // nmol/s
        balance += dt * (inflow - consumed)
        throughput += dt * (abs(inflow) + abs(consumed))
        let mid = time - dt / 2, before = content
        content = try problem.content(solute: metabolism.glucose)
        for k in cycles.indices where cycles[k].window.contains(mid) {
            if cycleStartContent[k] == nil { cycleStartContent[k] = before }
            cycles[k].glucoseImbibed += dt * inflow * Self.nmolToMmol
            cycles[k].glucoseConsumed += dt * consumed * Self.nmolToMmol
            cycles[k].contentChange = (content - cycleStartContent[k]!) * Self.nmolToMmol
        }
        let s = try snapshot(time)
        extremes!.minOxygen = min(extremes!.minOxygen, s.minOxygen)
        extremes!.minGlucose = min(extremes!.minGlucose, s.minGlucose)
        extremes!.maxLactate = max(extremes!.maxLactate, s.maxLactate)
        extremes!.viableFraction = min(extremes!.viableFraction, s.viableFraction)
        extremes!.time = time
    }

    func report(endTime: Double) throws -> NutrientReport {
        var extremes = self.extremes!
        extremes.time = endTime
        return NutrientReport(start: start!, final: try snapshot(endTime), extremes: extremes, cycles: cycles,
                              glucoseBalanceError: abs(content - content0 - balance) / max(throughput, .leastNormalMagnitude),
                              inflowSurfaces: surfaceNames)
    }
}
