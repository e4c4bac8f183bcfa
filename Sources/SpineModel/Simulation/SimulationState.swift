import Foundation
import Biomechanics
import FiniteElements

/// The state of a biphasic model at the start of loading — the freely swollen disc — kept in
/// memory or written as a restart file, and used as the start of many runs, so that a sweep
/// over loads swells the disc once.
///
/// ```swift
/// let disc = try DefaultDiscModel.model()
/// let swollen = try await Simulation(model: disc).freeSwollenState()
/// for force in [50.0, 110, 200] {
///     var member = disc
///     member.boundary[named: "traction"]!.force = SIMD3(0, 0, force)   // N
///     let r = try await Simulation(model: member).run(from: swollen)
///     print(force, r.nucleusPressure!.minimum!)
/// }
/// ```
///
/// A state belongs to the model it was computed for: ``Simulation/run(from:outputDirectory:)``
/// refuses it unless the mesh, kinematics, regions, materials, the constraints, prescribed
/// values and fluid conditions and the free-swelling step are the same (force and pressure
/// loads and their curves may differ: they do not act during free swelling).
public struct SimulationState: Sendable, Equatable {
    /// Model time of the state (s); 0 is the start of loading (after free swelling).
    public var time: Double
    /// The unknowns of the discrete system (displacements mm, fluid pressures MPa), in the
    /// simulation's equation order.
    public var unknowns: [Double]
    /// What the free-swelling step did to reach this state.
    public var freeSwelling: FreeSwellingReport?
    /// What the state depends on (canonical JSON of the model's parts that shape the free-swelling problem).
    public var modelKey: String

    /// The restart-file format's name and version.
    public static let format = "spinetraction-state-1"

    /// Writes a restart file (JSON; numbers in shortest round-trip form, so reading it back
    /// gives the same bits).
    /// - Throws: ``ModelError`` of kind `.file`.
    public func write(to url: URL) throws {
        var members: JSONObject = [("format", .string(Self.format)), ("units", .string(Model.units)),
                                                          ("time", .number(time)), ("modelKey", .string(modelKey))]
        if let r = freeSwelling {
            members.append(("freeSwelling", .object([
                ("duration", .number(r.duration)), ("steps", .number(Double(r.steps))), ("iterations", .number(Double(r.iterations))),
                ("retries", .number(Double(r.retries))), ("volumeChange", .number(r.volumeChange)), ("imbibed", .number(r.imbibed)),
                ("lastStepVolumeChange", .number(r.lastStepVolumeChange)), ("residual", .number(r.residual)),
                ("bathPressure", .number(r.bathPressure)), ("referenceOsmoticPressure", .number(r.referenceOsmoticPressure))])))
        }
        members.append(("unknowns", .array(unknowns.map(JSONValue.number))))
        do { try Data((JSONValue.object(members).serialized() + "\n").utf8).write(to: url, options: .atomic) } catch {
            throw ModelError(.file, at: url.path, "cannot write the state: \(error.localizedDescription)")
        }
    }

    /// Reads a restart file written by ``write(to:)``.
    /// - Throws: ``ModelError`` naming the key that is missing or wrong.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError(.file, at: url.path, "cannot read the state: \(error.localizedDescription)")
        }
        var r = try JSONReader(try JSONValue.parse(data), path: "")
        let format = try JSONAccess.string(try r.required("format"), "format")
        guard format == Self.format else { throw ModelError(.invalidValue, at: "format", "expected \"\(Self.format)\", got \"\(format)\"") }
        let units = try JSONAccess.string(try r.required("units"), "units")
        guard units == Model.units else { throw ModelError(.units, at: "units", "expected \"\(Model.units)\", got \"\(units)\"") }
        time = try JSONAccess.nonNegative(try r.required("time"), "time")
        modelKey = try JSONAccess.string(try r.required("modelKey"), "modelKey")
        unknowns = try JSONAccess.array(try r.required("unknowns"), "unknowns").enumerated().map { try JSONAccess.number($1, "unknowns[\($0)]") }
        if let f = r.optional("freeSwelling") {
            var fr = try JSONReader(f, path: "freeSwelling")
            func num(_ k: String) throws -> Double { try JSONAccess.number(try fr.required(k), fr.child(k)) }
            func int(_ k: String) throws -> Int { try JSONAccess.integer(try fr.required(k), fr.child(k), minimum: 0) }
            freeSwelling = FreeSwellingReport(duration: try num("duration"), steps: try int("steps"), iterations: try int("iterations"),
                                              retries: try int("retries"), volumeChange: try num("volumeChange"), imbibed: try num("imbibed"),
                                              lastStepVolumeChange: try num("lastStepVolumeChange"), residual: try num("residual"),
                                              bathPressure: try num("bathPressure"), referenceOsmoticPressure: try num("referenceOsmoticPressure"))
            try fr.finish(allowed: ["duration", "steps", "iterations", "retries", "volumeChange", "imbibed", "lastStepVolumeChange",
                                    "residual", "bathPressure", "referenceOsmoticPressure"])
        } else { freeSwelling = nil }
        try r.finish(allowed: ["format", "units", "time", "modelKey", "freeSwelling", "unknowns"])
    }

    /// A state (see the type's discussion for `modelKey`).
    public init(time: Double, unknowns: [Double], freeSwelling: FreeSwellingReport?, modelKey: String) {
        self.time = time; self.unknowns = unknowns; self.freeSwelling = freeSwelling; self.modelKey = modelKey
    }
}

extension Model {
    /// The canonical key of the parts of this model a free-swelling state depends on: mesh,
    /// kinematics, regions, materials, constraints, prescribed values and fluid conditions, with
    /// every force and pressure load set to zero (they do not act during free swelling), and the
    /// free-swelling step.
    func freeSwellingKey() throws -> String {
        var m = self
        m.notes = nil
        m.outputs = OutputDefinition(times: [0], vtu: false)
        m.transport = nil
        // The follower load and gravity on a vertebra are loads: off during free swelling.
        m.motionSegment?.followerLoad = nil
        m.motionSegment?.gravity = nil
        m.steps = steps.filter { $0.freeSwelling != nil }
        m.boundary = boundary.map { c in
            var c = c
            c.name = nil
            switch c.kind {
            case .pressure: c.kind = .pressure(0, curve: nil)
            case .traction: c.kind = .traction(.zero, curve: nil)
            case .force: c.kind = .force(.zero, curve: nil)
            case .nodalForce: c.kind = .nodalForce(.zero, curve: nil)
            case let .rigid(.loads(_, _, free, reference, slide), _):
                c.kind = .rigid(.loads(force: .zero, moment: .zero, rotationFree: free, reference: reference, slide: slide), curve: nil)
            default: break  // constraints, prescribed values and fluid conditions shape the swollen state
            }
            return c
        }
        let used = Set(m.boundary.compactMap(\.curve))
        m.curves = m.curves.filter { used.contains($0.key) }
        if m.steps.isEmpty { m.steps = [StepDefinition(name: "none", duration: 1, minStep: 1, maxStep: 1)] }
        return try m.jsonValue().serialized()
    }
}
