import Foundation
import FiniteElements
import Biomechanics

/// One recorded quantity over the output times.
public struct TimeSeries: Sendable, Equatable {
    /// Output name (from the model file).
    public var name: String
    /// What is recorded: a field name (`uz`, `sxx`, …), `reactionForce`, `tractionIntegral`, `area`, `volume`.
    public var quantity: String
    /// Unit of the values (`mm`, `MPa`, `N`, `mm²`, `mm³`, `1`).
    public var unit: String
    /// Names of the components of each sample: `["value"]`, `["x", "y", "z"]` or `["average", "min", "max"]`.
    public var components: [String]
    /// One sample per output time, each with `components.count` numbers.
    public var values: [[Double]]
    /// Extra description for the results file (the probe point, surface or region).
    public var source: [String: JSONValue]
    /// Extremes over every accepted time step (not only the output times), where the run
    /// tracked them (the nucleus pressure does); nil otherwise.
    public var extremes: Extremes? = nil

    /// A series (values: one sample per output time, `components.count` numbers each).
    public init(name: String, quantity: String, unit: String, components: [String], values: [[Double]],
                source: [String: JSONValue] = [:], extremes: Extremes? = nil) {
        self.name = name; self.quantity = quantity; self.unit = unit; self.components = components
        self.values = values; self.source = source; self.extremes = extremes
    }

    /// Smallest and largest value over every accepted step, with their times (s); unit of the series.
    public struct Extremes: Sendable, Equatable {
        /// Smallest value (the series' unit) and when (s).
        public var minimum: Double, minimumTime: Double
        /// Largest value (the series' unit) and when (s).
        public var maximum: Double, maximumTime: Double
        /// Accepted steps inspected.
        public var steps: Int
    }

    /// The first component at every output time (the value of a scalar series).
    public var scalars: [Double] { values.map { $0[0] } }
    /// Smallest value of the first component: over every accepted step when ``extremes`` were
    /// tracked, else over the output times (nil for an empty series).
    public var minimum: Double? { extremes?.minimum ?? scalars.min() }
    /// Largest value of the first component (see ``minimum``).
    public var maximum: Double? { extremes?.maximum ?? scalars.max() }
    /// The first component at the last output time.
    public var final: Double? { values.last?[0] }
}

/// What a ``Simulation`` run produced.
public struct SimulationResults: Sendable {
    /// Output times (s).
    public var times: [Double] = []
    /// Point probes, in model order.
    public var probes: [TimeSeries] = []
    /// Surface quantities, in model order.
    public var surfaces: [TimeSeries] = []
    /// Region statistics, in model order.
    public var regions: [TimeSeries] = []
    /// Every accepted time step.
    public var steps: [AcceptedStep] = []
    /// Solute series of a transport model or of the transport staggered with a biphasic one
    /// (probes and region statistics in mM, surface inflow in mmol/s and mmol, viable fractions),
    /// at ``times``.
    public var solutes: [TimeSeries] = []

    /// Nucleus pressure (MPa, what a needle transducer reads: fluid + osmotic) at the volume
    /// centroid of region `nucleus`, for biphasic models that have one; its ``TimeSeries/extremes``
    /// cover every accepted step.
    public var nucleusPressure: TimeSeries? = nil
    /// Fluid imbibed since t = 0 (mm³; the mixture's volume change), for biphasic models.
    public var imbibedVolume: TimeSeries? = nil
    /// Fluid imbibed since t = 0 through each surface with a fluid condition (mm³), by surface name.
    /// A node on the edge shared by two such surfaces counts for both; ``imbibedVolume`` is the exact total.
    public var imbibedBySurface: [String: TimeSeries] = [:]
    /// Height change (mm): mean `u_z` of surface `top` minus that of `bottom`, for biphasic models with both.
    public var heightChange: TimeSeries? = nil
    /// Ligaments, facets and kinematics of a model with a motion segment (nil without one).
    public var motionSegment: MotionSegmentResults? = nil

    /// False when the run stopped early (cancelled or failed): the series end at the last output
    /// time reached. Results returned by a successful ``Simulation/run(outputDirectory:)`` are complete.
    public var isComplete = true
    /// Messages about the run (cut steps, lamellae not on ring boundaries, …), in order.
    public var notices: [String] = []
    /// What the free-swelling step did (biphasic models with one).
    public var freeSwelling: FreeSwellingReport? = nil
    /// Disc nutrition (O₂, glucose, lactate, viable fraction, glucose per traction cycle) when the
    /// model's transport has a `discCellMetabolism` reaction.
    public var nutrients: NutrientReport? = nil
    /// Nodal and cell fields at every output time (the VTU data), kept when the model's
    /// ``OutputDefinition/vtu`` is true; ``write(to:formats:)`` writes them as VTU + PVD.
    public var fields: FieldFrames? = nil
    /// Newton's counts and time per phase over the run.
    public var statistics: NewtonStatistics? = nil
    /// Size of the discrete problem: mesh nodes and cells, unknowns of the mechanical system.
    public var nodeCount = 0, cellCount = 0, unknownCount = 0

    /// Empty results.
    public init() {}

    /// The user-declared output (probe, surface, region or solute series) named `name`.
    public func series(named name: String) -> TimeSeries? {
        (probes + surfaces + regions + solutes).first { $0.name == name }
    }

    /// The results document (`results.json`).
    public func json(nodeCount: Int, cellCount: Int, unknowns: Int) -> JSONValue {
        func group(_ list: [TimeSeries]) -> JSONValue {
            .object(JSONObject(list.map { s in
                var members: JSONObject = [("quantity", .string(s.quantity)), ("unit", .string(s.unit))]
                for k in s.source.keys.sorted() { members.append((k, s.source[k]!)) }
                if s.components == ["value"] {
                    members.append(("values", .array(s.values.map { .number($0[0]) })))
                } else if s.components == ["x", "y", "z"] {
                    members.append(("values", .array(s.values.map { .array($0.map(JSONValue.number)) })))
                } else {
                    for (k, c) in s.components.enumerated() { members.append((c, .array(s.values.map { .number($0[k]) }))) }
                }
                return (s.name, JSONValue.object(members))
            }))
        }
        let mesh: JSONValue = .object([("nodes", .number(Double(nodeCount))), ("cells", .number(Double(cellCount))),
                                       ("unknowns", .number(Double(unknowns)))])
        var stepList: [JSONValue] = []
        for s in steps {
            let entry: JSONObject = [("time", .number(s.time)), ("dt", .number(s.timeStep)),
                                                            ("iterations", .number(Double(s.iterations))), ("retries", .number(Double(s.retries)))]
            stepList.append(.object(entry))
        }
        var members: JSONObject = [
            ("units", .string("mm-N-s-MPa")), ("mesh", mesh), ("times", .array(times.map { JSONValue.number($0) })),
            ("probes", group(probes)), ("surfaces", group(surfaces)), ("regions", group(regions)), ("steps", .array(stepList)),
        ]
        var standard = [nucleusPressure, imbibedVolume, heightChange].compactMap { $0 }
        standard += imbibedBySurface.keys.sorted().map { imbibedBySurface[$0]! }
        if !standard.isEmpty {
            var doc = group(standard)
            if let e = nucleusPressure?.extremes, case var .object(items) = doc, let i = items.firstIndex(where: { $0.key == "nucleusPressure" }),
               case var .object(entry) = items[i].value {
                entry.append(("overEveryStep", .object([("minimum", .number(e.minimum)), ("minimumTime", .number(e.minimumTime)),
                                                        ("maximum", .number(e.maximum)), ("maximumTime", .number(e.maximumTime)),
                                                        ("steps", .number(Double(e.steps)))])))
                items[i] = (items[i].key, .object(entry)); doc = .object(items)
            }
            members.append(("standard", doc))
        }
        if let motionSegment { members.append(("motionSegment", motionSegment.json())) }
        if !isComplete { members.insert(("complete", .bool(false)), at: 1) }
        return .object(members)
    }

    /// The CSV table (`results.csv`): one row per output time, one column per
    /// component (`name` for scalars, `name.x` …, `name.average` …), units in a second header row.
    public var csv: String {
        let all = probes + surfaces + regions
        // Names and units are text: quoted and formula-escaped (CSV.escapeText); numbers are plain.
        var header = ["time"], units = ["s"]
        for s in all {
            for c in s.components {
                header.append(CSV.escapeText(s.components == ["value"] ? s.name : "\(s.name).\(c)")); units.append(CSV.escapeText(s.unit))
            }
        }
        var lines = [header.joined(separator: ","), units.joined(separator: ",")]
        for (i, t) in times.enumerated() {
            var row = [String(t)]
            for s in all { row += s.values[i].map { String($0) } }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The fields of a run at its output times, as written to VTU: the mesh (mm) and, per output
/// time, point data (displacement mm, fluid pressure MPa, concentrations mM, …) and cell data
/// (stress MPa, …), each named with the quantity.
public struct FieldFrames: Sendable, Equatable {
    /// One output time's fields.
    public struct Frame: Sendable, Equatable {
        /// Time (s).
        public var time: Double
        /// Fields at the nodes.
        public var pointData: [VTUField]
        /// Fields per cell.
        public var cellData: [VTUField]
    }
    /// The mesh the fields live on (mm).
    public var mesh: Mesh
    /// The frames, in time order.
    public var frames: [Frame] = []
}
