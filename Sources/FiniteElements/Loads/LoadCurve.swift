/// Why a load curve was refused. Indices are 0-based positions in the point list.
public enum LoadCurveError: Error, Equatable, CustomStringConvertible {
    /// The curve has no points.
    case empty
    /// Point `index` has a NaN or infinite time (s) or value.
    case nonFinite(index: Int, time: Double, value: Double)
    /// Point `index` has time `time` (s), not greater than the previous point's `previous` (s).
    case notIncreasing(index: Int, time: Double, previous: Double)

    public var description: String {
        switch self {
        case .empty: return "load curve has no points: expected at least one [time, value] pair"
        case let .nonFinite(i, t, v): return "point \(i): expected finite time and value, got [\(t), \(v)]"
        case let .notIncreasing(i, t, p): return "point \(i): time \(t) s is not greater than the previous time \(p) s (times must increase strictly)"
        }
    }
}

/// A piecewise-linear function of time: the amplitude of a load or a
/// prescribed value (`value × curve(t)`).
///
/// Times are in seconds and strictly increasing; values are dimensionless
/// multipliers. Before the first point the first value holds and after the
/// last point the last value holds (constant extrapolation, as FEBio's
/// default). The interior points are corners of the curve: a time stepper
/// lands on them exactly (``mustPoints``), so a ramp–hold history is
/// reproduced without smearing.
///
/// ```swift
/// let ramp = try LoadCurve(points: [(0, 0), (10, 1), (70, 1), (80, 0)])
/// ramp.value(at: 5)   // 0.5
/// ```
public struct LoadCurve: Sendable, Equatable {
    /// Point times (s), strictly increasing.
    public let times: [Double]
    /// Point values (dimensionless), one per time.
    public let values: [Double]

    /// Builds the curve, checking that it is non-empty, finite and strictly increasing in time.
    /// - Throws: ``LoadCurveError``.
    public init(points: [(time: Double, value: Double)]) throws {
        guard !points.isEmpty else { throw LoadCurveError.empty }
        for (i, p) in points.enumerated() {
            guard p.time.isFinite, p.value.isFinite else { throw LoadCurveError.nonFinite(index: i, time: p.time, value: p.value) }
            if i > 0, !(p.time > points[i - 1].time) {
                throw LoadCurveError.notIncreasing(index: i, time: p.time, previous: points[i - 1].time)
            }
        }
        times = points.map(\.time)
        values = points.map(\.value)
    }

    /// A curve that is 1 at all times.
    public static let constant = try! LoadCurve(points: [(0, 1)])
    /// The ramp from 0 at `t = 0` to 1 at `t = duration` (s), held after.
    public static func ramp(duration: Double) throws -> LoadCurve { try LoadCurve(points: [(0, 0), (duration, 1)]) }

    /// The curve's value at time `t` (s).
    @inlinable
    public func value(at t: Double) -> Double {
        if t <= times[0] { return values[0] }
        if t >= times[times.count - 1] { return values[values.count - 1] }
        // Binary search for the interval [times[lo], times[lo+1]] containing t.
        var lo = 0, hi = times.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid } else { hi = mid }
        }
        let w = (t - times[lo]) / (times[hi] - times[lo])
        return values[lo] + w * (values[hi] - values[lo])
    }

    /// Times (s) where the slope changes — every point time, since a
    /// time stepper must land on each corner (and the ends) exactly.
    public var mustPoints: [Double] { times }

    /// Times (s) at which the curve's rate jumps: the points whose slopes on the two sides differ
    /// (the ends count where the adjacent segment is not flat, since the curve is constant
    /// outside). An error-controlled time stepper restarts its error estimate there
    /// (``AdaptiveTimeStepper/run(_:from:to:state:mustPoints:restartPoints:observer:)``): a
    /// predictor through states on both sides of a kink measures the kink, not the step's error.
    /// Slopes are compared in value per second, relative to the larger of the two (1e-9).
    public var rateJumps: [Double] {
        var out: [Double] = []
        for i in times.indices {
            let before = i > 0 ? (values[i] - values[i - 1]) / (times[i] - times[i - 1]) : 0
            let after = i + 1 < times.count ? (values[i + 1] - values[i]) / (times[i + 1] - times[i]) : 0
            if abs(after - before) > 1e-9 * max(abs(after), abs(before)) { out.append(times[i]) }
        }
        return out
    }
}
