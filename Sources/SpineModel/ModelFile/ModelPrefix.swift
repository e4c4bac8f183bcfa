import Foundation
import FiniteElements

extension Model {
    /// Model time (s) at the end of step `index` of ``steps`` (the free-swelling step takes none).
    func endTime(ofStep index: Int) -> Double {
        steps[...index].reduce(0) { $0 + ($1.freeSwelling == nil ? $1.duration : 0) }
    }

    /// Everything of the model that acts on a run up to the end of step `index`, in a form in
    /// which two models that act alike there are equal: what a checkpoint at the end of that step
    /// may be continued with (``Simulation``'s `runSynchronously(resuming:)`).
    ///
    /// With `T` the step's end time (s):
    /// - the steps after `index` are dropped, and so are the output times after `T` and the notes;
    /// - every load (a condition's value, force, moment, traction, prescribed displacement, fluid
    ///   pressure or flux, an exchange's external pressure; the follower load; the gravity load's mass) is multiplied by its
    ///   curve's largest magnitude on `[0, T]` and the curve divided by it, each condition getting
    ///   its curve restricted to `[0, T]` (its points before `T` and its value at `T`) under a name
    ///   of its own; a load whose curve is zero throughout `[0, T]` becomes zero. So a pull that
    ///   starts after `T` does not count, whatever its size;
    /// - the times before `T` of every curve (the stepper lands on them) are kept as one list.
    ///
    /// Equal prefixes mean equal loads on `[0, T]` as piecewise-linear functions and equal
    /// everything else up to `T`. The converse does not hold (the same load written with other
    /// curve points, or split differently between value and curve, gives another prefix), so a
    /// comparison of prefixes may refuse models that act alike, never accept ones that do not.
    /// - Throws: ``ModelError`` for a step index out of range or a condition naming a missing curve.
    func actingPrefix(throughStep index: Int) throws -> Model {
        guard steps.indices.contains(index) else {
            throw ModelError(.invalidValue, at: rootPath.key("steps").description, "step index \(index): expected 0 ..< \(steps.count)")
        }
        let end = endTime(ofStep: index)
        var prefix = self
        prefix.steps = Array(steps[...index])
        prefix.notes = nil
        prefix.pathStyle = .swift
        prefix.outputs.times = outputs.times.filter { $0 <= end }
        var curves: [String: LoadCurve] = [:]
        // The restricted curve of `name` (nil: constant 1) and its largest magnitude on [0, end].
        func restricted(_ name: String?, at path: String) throws -> (curve: LoadCurve, scale: Double) {
            let c: LoadCurve
            if let name {
                guard let found = self.curves[name] else { throw ModelError(.unknownName, at: path, "unknown curve \"\(name)\"") }
                c = found
            } else { c = .constant }
            var points = zip(c.times, c.values).filter { $0.0 < end }.map { (time: $0.0, value: $0.1) }
            points.append((end, c.value(at: end)))
            let scale = points.map { abs($0.value) }.max() ?? 0
            return (try LoadCurve(points: points.map { ($0.time, scale > 0 ? $0.value / scale : 0) }), scale)
        }
        for i in boundary.indices {
            let key = "boundary[\(i)]"
            let (curve, s) = try restricted(boundary[i].curve, at: key)
            guard let kind = boundary[i].kind.scaled(by: s, curve: key) else { continue }
            prefix.boundary[i].kind = kind
            curves[key] = curve
        }
        if let f = motionSegment?.followerLoad {
            let (curve, s) = try restricted(f.curve, at: "motionSegment.followerLoad")
            prefix.motionSegment!.followerLoad = FollowerLoad(force: f.force * s, curve: "followerLoad")
            curves["followerLoad"] = curve
        }
        if let g = motionSegment?.gravity {
            let (curve, s) = try restricted(g.curve, at: "motionSegment.gravity")
            prefix.motionSegment!.gravity = GravityLoad(massKg: g.massKg * s, angle: g.angle, curve: "gravity")
            curves["gravity"] = curve
        }
        let landings = Set(self.curves.values.flatMap(\.mustPoints).filter { $0 < end }).sorted()
        if !landings.isEmpty { curves["mustPoints"] = try LoadCurve(points: landings.map { ($0, 0) }) }
        prefix.curves = curves
        return prefix
    }
}

extension BoundaryCondition.Kind {
    /// The kind with every load value multiplied by `s` and its curve named `curve`; nil for the
    /// kinds without a curve (`fix`, `symmetry`), which stay as they are.
    func scaled(by s: Double, curve: String) -> Self? {
        switch self {
        case .fix, .symmetry: return nil
        case let .prescribe(values, _): return .prescribe(values.map { ($0.component, $0.value * s) }, curve: curve)
        case let .pressure(v, _): return .pressure(v * s, curve: curve)
        case let .traction(v, _): return .traction(v * s, curve: curve)
        case let .force(v, _): return .force(v * s, curve: curve)
        case let .nodalForce(v, _): return .nodalForce(v * s, curve: curve)
        case let .rigid(.loads(f, m, free, reference, slide), _):
            return .rigid(.loads(force: f * s, moment: m * s, rotationFree: free, reference: reference, slide: slide), curve: curve)
        case let .rigid(.displacement(d), _): return .rigid(.displacement(d * s), curve: curve)
        case let .fluidPressure(v, _): return .fluidPressure(v * s, curve: curve)
        case let .fluidFlux(v, _): return .fluidFlux(v * s, curve: curve)
        case let .fluidExchange(k, p, _): return .fluidExchange(conductance: k, pressure: p * s, curve: curve)
        }
    }
}
