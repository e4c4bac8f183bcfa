import Foundation
import FiniteElements

extension Model {
    /// Drives the model by a traction protocol: the force-driven condition named `traction` takes
    /// the protocol's peak force (N, along the direction the condition already pulls) and its
    /// curve; the condition named `preload` takes the preload force (N, along its own direction)
    /// and curve; the loading steps become the protocol's (`preload`, `traction`), keeping the
    /// model's free-swelling step and its increment settings (those of its first loading step);
    /// output times keep their spacing and end with the protocol. The protocol and body mass are
    /// kept in ``tractionProtocol`` and ``bodyMassKg`` (the model file's `"protocol"`, `"bodyMassKg"`)
    /// when the conditions have the default names.
    ///
    /// ```swift
    /// var disc = try DefaultDiscModel.model()
    /// let plan = try disc.apply(.intermittent(cycles: 15, pull: .newtons(110), hold: 60, rest: 30,
    ///                                         ramp: .logarithmic(duration: 10),
    ///                                         preload: .init(force: .newtons(17), ramp: 10, duration: 60)))
    /// plan.reportWindows   // one window (s) per cycle
    /// ```
    /// - Parameter bodyMassKg: body mass (kg) for forces given as a fraction of body weight.
    /// - Returns: the resolved protocol (curves, steps, report windows).
    /// - Throws: ``TractionProtocolError`` for an invalid protocol; ``ModelError`` naming the
    ///   condition when `traction` is missing or not force-driven, or when the model has a
    ///   `preload` condition and the protocol no preload (or the other way round).
    @discardableResult
    public mutating func apply(_ p: TractionProtocol, bodyMassKg: Double? = nil,
                               traction: String = "traction", preload: String = "preload") throws -> ResolvedTractionProtocol {
        let plan = try p.resolve(bodyMassKg: bodyMassKg)
        let root = rootPath.key("boundary")
        guard let pull = boundary[named: traction], let pullForce = pull.force else {
            throw ModelError(.unknownName, at: root.description, "expected a force-driven condition named \"\(traction)\" (force, nodalForce or rigid force) to apply the protocol to; named conditions: \(boundary.compactMap(\.name).joined(separator: ", "))")
        }
        func direction(_ f: SIMD3<Double>, default d: SIMD3<Double>) -> SIMD3<Double> {
            let n = (f * f).sum().squareRoot()
            return n > 0 ? f / n : d
        }
        boundary[named: traction]!.force = direction(pullForce, default: SIMD3(0, 0, 1)) * plan.peakForce
        setCurve(of: traction, named: traction, to: plan.tractionCurve)
        switch (boundary[named: preload], plan.preloadForce, plan.preloadCurve) {
        case let (condition?, force?, curve?):
            guard let current = condition.force else {
                throw ModelError(.invalidValue, at: root.description, "condition \"\(preload)\" is not force-driven: the protocol's preload needs a force, nodalForce or rigid force condition")
            }
            boundary[named: preload]!.force = direction(current, default: SIMD3(0, 0, -1)) * force
            setCurve(of: preload, named: preload, to: curve)
        case (nil, nil, _):
            break
        case (_?, nil, _):
            throw ModelError(.invalidValue, at: root.description, "the model has a condition named \"\(preload)\" but the protocol no preload: give the protocol a preload (TractionProtocol.preload) or remove the condition")
        default:
            throw ModelError(.unknownName, at: root.description, "the protocol has a preload but the model no force-driven condition named \"\(preload)\" to apply it to")
        }
        let template = steps.first { $0.freeSwelling == nil }
        let swelling = steps.filter { $0.freeSwelling != nil }
        steps = swelling + plan.steps.map { s in
            StepDefinition(name: s.name, duration: s.duration, initialStep: template.map { min($0.initialStep, s.duration) },
                           minStep: min(template?.minStep ?? s.duration / 1000, s.duration), maxStep: min(template?.maxStep ?? s.duration / 10, s.duration))
        }
        let spacing = outputs.times.count > 1 ? outputs.times[1] - outputs.times[0] : plan.duration / 10
        var times = Array(stride(from: 0.0, to: plan.duration * (1 - 1e-12), by: spacing))
        times.append(plan.duration)
        outputs.times = times
        // Kept with what it generated (written as the file's "protocol"); the check that re-applies
        // it reads the conditions by their default names, so a protocol applied to other names is not kept.
        let defaultNames = traction == "traction" && preload == "preload"
        tractionProtocol = defaultNames ? p : nil
        self.bodyMassKg = defaultNames ? bodyMassKg : nil
        return plan
    }

    /// Points condition `name` at curve `curveName` and stores `curve` under that name.
    private mutating func setCurve(of name: String, named curveName: String, to curve: LoadCurve) {
        curves[curveName] = curve
        guard var c = boundary[named: name] else { return }
        switch c.kind {
        case let .force(f, _): c.kind = .force(f, curve: curveName)
        case let .nodalForce(f, _): c.kind = .nodalForce(f, curve: curveName)
        case let .rigid(drive, _): c.kind = .rigid(drive, curve: curveName)
        default: return
        }
        boundary[named: name] = c
    }
}

extension Model {
    /// One report window (s) per traction cycle of the condition named `condition`, read off its
    /// load curve: a cycle starts where the curve leaves its lowest value and ends where the next
    /// one starts (the last at the curve's last point). For the default disc's curve
    /// `[[0, 0], [60, 0], [70, 1], …, [390, 0]]`: `60...170`, `170...280`, `280...390`.
    /// - Throws: ``ModelError`` naming the condition when it is missing, has no curve, or the
    ///   curve never rises.
    public func tractionCycleWindows(condition: String = "traction") throws -> [ClosedRange<Double>] {
        let at = rootPath.key("boundary").description
        guard let c = boundary[named: condition] else {
            throw ModelError(.unknownName, at: at, "expected a condition named \"\(condition)\" to read traction cycles from")
        }
        guard let name = c.curve, let curve = curves[name] else {
            throw ModelError(.invalidValue, at: at, "condition \"\(condition)\" has no load curve: no traction cycles to report")
        }
        let low = curve.values.min()!
        var starts: [Double] = []
        for i in 0..<(curve.times.count - 1) where curve.values[i] == low && curve.values[i + 1] > low {
            starts.append(curve.times[i])
        }
        guard !starts.isEmpty else {
            throw ModelError(.invalidValue, at: at, "the curve \"\(name)\" of condition \"\(condition)\" never rises from its lowest value \(low): no traction cycles")
        }
        let end = curve.times.last!
        return starts.indices.map { k in starts[k]...(k + 1 < starts.count ? starts[k + 1] : max(end, starts[k])) }
    }
}
