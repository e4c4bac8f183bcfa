import FiniteElements

/// A ``TractionProtocol`` turned into what a simulation applies: the load curves, the analysis steps
/// with their must-points, and the report windows — all generated from the one protocol value.
///
/// Times are protocol times (s; `t = 0` is the start of the preload). The traction force at time `t`
/// is `peakForce × tractionCurve.value(at: t)` (N, a pull); the preload force is
/// `preloadForce × preloadCurve.value(at: t)` (N, compressive magnitude), held through traction.
///
/// ```swift
/// let plan = try TractionProtocol.defaultDisc.resolve()
/// plan.tractionCurve.times      // [0, 60, 70, 130, 140, 170, 180, …, 390]
/// plan.reportWindows            // [60...170, 170...280, 280...390]
/// plan.steps.map(\.duration)    // [60, 330]: "preload", "traction"
/// ```
public struct ResolvedTractionProtocol: Sendable, Equatable {
    /// An analysis step: a time interval with the times (s) the time stepper must land on.
    public struct Step: Sendable, Equatable {
        /// `"preload"` or `"traction"`.
        public var name: String
        /// Start time (s).
        public var start: Double
        /// End time (s).
        public var end: Double
        /// Curve corners (s) in `(start, end]`, increasing; the last is `end`.
        public var mustPoints: [Double]
        /// Length (s).
        public var duration: Double { end - start }
    }

    /// Largest traction force of the protocol (N, > 0).
    public var peakForce: Double
    /// Traction multiplier (dimensionless, 0 … 1, peak 1): 0 through the preload, then the pattern.
    public var tractionCurve: LoadCurve
    /// Preload force (N, compressive magnitude), or nil without a preload.
    public var preloadForce: Double?
    /// Preload multiplier (dimensionless): `[[0, 0], [ramp, 1]]`, 1 afterwards; nil without a preload.
    public var preloadCurve: LoadCurve?
    /// When traction starts (s): the preload's duration, or 0.
    public var tractionStart: Double
    /// End of the protocol (s): the last traction curve point.
    public var duration: Double
    /// The analysis steps: `"preload"` (when there is one) and `"traction"`.
    public var steps: [Step]
    /// Report windows (s): one per cycle (intermittent) or level (steps), one for the whole traction
    /// phase otherwise. Consecutive windows share their end points and together span the traction phase.
    public var reportWindows: [ClosedRange<Double>]

    /// Every corner (s) of both curves from 0 to ``duration``, increasing.
    public var mustPoints: [Double] {
        var all = Set(tractionCurve.times)
        if let c = preloadCurve { all.formUnion(c.times.filter { $0 <= duration }) }
        return all.sorted()
    }

    /// Traction force (N) at time `t` (s).
    public func tractionForce(at t: Double) -> Double { peakForce * tractionCurve.value(at: t) }

    /// The traction curve with values in N (`peakForce × tractionCurve`).
    public var tractionForceCurve: LoadCurve {
        // Same times as tractionCurve, which was already checked: cannot throw.
        try! LoadCurve(points: zip(tractionCurve.times, tractionCurve.values).map { ($0, peakForce * $1) })
    }
}

extension TractionProtocol {
    /// Generates the load curves, steps and report windows (see ``ResolvedTractionProtocol``).
    ///
    /// Every ramp's corner (each piece end of a logarithmic ramp), hold end and rest end is a point of
    /// the traction curve and a must-point of its step.
    /// - Parameter bodyMassKg: body mass (kg) for forces given as a fraction of body weight
    ///   (`f × bodyMassKg × 9.81` N); nil when every force is in N.
    /// - Throws: ``TractionProtocolError`` naming the first invalid property, or
    ///   ``TractionProtocolError/bodyMassRequired(path:)`` for a fraction without a body mass.
    public func resolve(bodyMassKg: Double? = nil) throws(TractionProtocolError) -> ResolvedTractionProtocol {
        try validate()
        if let m = bodyMassKg, !(m.isFinite && m > 0) { throw .invalidBodyMass(value: m) }

        var preloadForce: Double?
        var preloadCurve: LoadCurve?
        var start = 0.0
        if let p = preload {
            preloadForce = try p.force.newtons(bodyMassKg: bodyMassKg, path: "protocol.preload.force")
            preloadCurve = try Self.curve([(0, 0), (p.ramp, 1)], path: "protocol.preload")
            start = p.duration
        }

        // Points in N, then normalized by the peak.
        var points: [(time: Double, value: Double)] = [(0, 0)]
        if start > 0 { points.append((start, 0)) }
        func ramp(_ r: Ramp, from a: Double, to b: Double, at t0: Double) {
            for s in r.cornerFractions {
                // The end is the target exactly; inner corners stay within [a, b] despite rounding.
                let f = s == 1 ? b : min(max(a + (b - a) * r.progress(atFraction: s), min(a, b)), max(a, b))
                points.append((t0 + s * r.duration, f))
            }
        }
        var windows: [ClosedRange<Double>] = []
        let peak: Double
        switch pattern {
        case let .static(s):
            let f = try s.pull.newtons(bodyMassKg: bodyMassKg, path: "protocol.static.pull")
            peak = f
            ramp(s.ramp, from: 0, to: f, at: start)
            let holdEnd = start + s.ramp.duration + s.hold
            points.append((holdEnd, f))
            if let r = s.release { ramp(r, from: f, to: 0, at: holdEnd) }
        case let .intermittent(s):
            let f = try s.pull.newtons(bodyMassKg: bodyMassKg, path: "protocol.intermittent.pull")
            peak = f
            let restForce = s.restLevel * f
            // Each cycle starts exactly where the previous one ended (its rest end is a curve corner),
            // so the windows tile the traction phase on corners without rounding gaps.
            var t0 = start
            for i in 0..<s.cycles {
                ramp(s.rampUp, from: i == 0 ? 0 : restForce, to: f, at: t0)
                let holdEnd = t0 + s.rampUp.duration + s.hold
                points.append((holdEnd, f))
                let low = i == s.cycles - 1 ? 0 : restForce
                ramp(s.rampDown, from: f, to: low, at: holdEnd)
                let restEnd = holdEnd + s.rampDown.duration + s.rest
                points.append((restEnd, low))
                windows.append(t0...restEnd)
                t0 = restEnd
            }
        case let .steps(s):
            var previous = 0.0
            var t = start
            var forces: [Double] = []
            for (i, l) in s.levels.enumerated() {
                forces.append(try l.force.newtons(bodyMassKg: bodyMassKg, path: "protocol.steps.levels[\(i)].force"))
            }
            peak = forces.max()!
            var windowStart = start
            for (i, f) in forces.enumerated() {
                if i > 0 { windows.append(windowStart...t); windowStart = t }
                ramp(s.ramp, from: previous, to: f, at: t)
                t += s.ramp.duration + s.levels[i].hold
                points.append((t, f))
                previous = f
            }
            if let r = s.release { ramp(r, from: previous, to: 0, at: t) }
        case let .custom(c):
            let scale: Double
            switch c.unit {
            case .newtons: scale = 1
            case .bodyWeightFraction:
                guard let m = bodyMassKg else { throw .bodyMassRequired(path: "protocol.custom.forces") }
                scale = m * Force.gravity
            }
            peak = c.forces.max()! * scale
            for (t, f) in zip(c.times, c.forces).dropFirst() { points.append((start + t, f * scale)) }
        }
        let end = points[points.count - 1].time
        if windows.isEmpty || windows[windows.count - 1].upperBound < end {
            let from = windows.last?.upperBound ?? start
            windows.append(from...end)
        }
        guard peak.isFinite, peak > 0 else {
            throw .invalidValue(path: "protocol", value: peak, expected: "a finite peak traction force > 0 N")
        }
        let normalized = points.map { (time: $0.time, value: $0.value / peak) }
        let traction = try Self.curve(normalized, path: "protocol")

        var steps: [ResolvedTractionProtocol.Step] = []
        func corners(in range: ClosedRange<Double>) -> [Double] {
            var all = Set(traction.times)
            if let c = preloadCurve { all.formUnion(c.times) }
            all.insert(range.upperBound)
            return all.filter { $0 > range.lowerBound && $0 <= range.upperBound }.sorted()
        }
        if start > 0 { steps.append(.init(name: "preload", start: 0, end: start, mustPoints: corners(in: 0...start))) }
        steps.append(.init(name: "traction", start: start, end: end, mustPoints: corners(in: start...end)))

        return ResolvedTractionProtocol(peakForce: peak, tractionCurve: traction, preloadForce: preloadForce,
                                        preloadCurve: preloadCurve, tractionStart: start, duration: end,
                                        steps: steps, reportWindows: windows)
    }

    /// A load curve, or an error at `path` when the times collapse in floating point.
    private static func curve(_ points: [(time: Double, value: Double)], path: String) throws(TractionProtocolError) -> LoadCurve {
        do {
            return try LoadCurve(points: points)
        } catch let LoadCurveError.notIncreasing(index, time, _) {
            throw .invalidValue(path: path, value: time,
                                expected: "durations large enough that corner \(index) falls after the previous one in double precision")
        } catch let LoadCurveError.nonFinite(_, time, value) {
            throw .invalidValue(path: path, value: time.isFinite ? value : time, expected: "finite curve times (s) and forces (N)")
        } catch {
            throw .invalidValue(path: path, value: .nan, expected: "a non-empty curve")
        }
    }
}
