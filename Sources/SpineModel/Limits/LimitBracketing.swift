import Foundation

/// One criterion's value at one load: how much of its allowable bound the response uses.
///
/// `ratio` is the response over the allowable bound (dimensionless): ≤ 1 holds, > 1 is violated.
/// A criterion that allows no response at all (bound 0) reports 0 while the response is 0 and
/// `+∞` as soon as it is not.
public struct CriterionValue: Sendable, Equatable {
    /// Criterion identifier (ASCII letters, digits, `.`, `_`, `-`, `+`), e.g. `ligament.ISL.failureForce`.
    public var criterion: String
    /// Response over the allowable bound (dimensionless).
    public var ratio: Double
    /// Safety margin the bound builds in: 1 − the allowable fraction of the damage or failure
    /// value it is derived from (dimensionless, [0, 1)).
    public var marginFraction: Double

    /// A criterion value (units as documented on each property).
    public init(criterion: String, ratio: Double, marginFraction: Double) {
        self.criterion = criterion; self.ratio = ratio; self.marginFraction = marginFraction
    }
}

/// One evaluation the search made: the load and every criterion's value there.
public struct LimitEvaluation: Sendable, Equatable {
    /// The searched load (N for a force).
    public var load: Double
    /// Every criterion's value at ``load``.
    public var criteria: [CriterionValue]

    /// The criterion with the largest ratio (the first one on a tie: deterministic).
    public var governing: CriterionValue? {
        var best: CriterionValue?
        for c in criteria where best == nil || c.ratio > best!.ratio { best = c }
        return best
    }

    /// The largest ratio (0 without criteria).
    public var worstRatio: Double { governing?.ratio ?? 0 }

    /// True when every criterion holds (ratio ≤ 1).
    public var admissible: Bool { worstRatio <= 1 }
}

/// The largest admissible load a search found, bracketed by evaluated loads.
public struct BracketedLimit: Sendable, Equatable {
    /// The limit (N for a force): the largest evaluated load at which every criterion held. Never
    /// extrapolated: it is a load that was simulated.
    public var limit: Double
    /// The smallest evaluated load above ``limit`` at which a criterion failed; nil when every
    /// criterion held up to the search ceiling (then ``limit`` is the ceiling).
    public var upperBracket: Double?
    /// The criterion that failed at ``upperBracket`` (the one with the largest ratio there), or,
    /// when the ceiling held, the criterion closest to its bound at the ceiling.
    public var governing: CriterionValue
    /// The governing criterion's ratio at ``limit`` (dimensionless, ≤ 1): how close the limit
    /// comes to its bound.
    public var governingRatioAtLimit: Double
    /// Every evaluation, in the order made.
    public var evaluations: [LimitEvaluation]

    /// True when the search stopped at its ceiling with every criterion holding.
    public var reachedCeiling: Bool { upperBracket == nil }

    /// Width of the bracket over the limit (dimensionless); 0 at the ceiling.
    public var relativeBracketWidth: Double { upperBracket.map { ($0 - limit) / limit } ?? 0 }
}

/// Why a limit search refused to give a limit.
public enum LimitSearchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A search parameter is out of range (`field`, value, what was expected).
    case invalidParameter(field: String, value: Double, expected: String)
    /// The worst criterion ratio fell while the load rose: bisection on a non-monotone response
    /// would not find the largest admissible load, so no limit is given.
    case nonMonotone(lowerLoad: Double, lowerRatio: Double, higherLoad: Double, higherRatio: Double, criterion: String)
    /// A criterion already fails at the smallest load the search tries.
    case noAdmissibleLoad(smallestLoad: Double, criterion: String, ratio: Double)
    /// A response returned a non-finite or negative ratio other than `+∞`.
    case invalidResponse(load: Double, criterion: String, ratio: Double)
    /// The protocol family is outside what the search supports.
    case unsupportedProtocol(field: String, value: Double, expected: String)

    public var description: String {
        switch self {
        case let .invalidParameter(field, value, expected):
            return "\(field) = \(value): expected \(expected)"
        case let .nonMonotone(f0, r0, f1, r1, c):
            return "the response is not monotone: worst criterion ratio \(r0) at \(f0) N but \(r1) at \(f1) N (\(c)); no limit is given"
        case let .noAdmissibleLoad(f, c, r):
            return "criterion \(c) already fails at the smallest load tried, \(f) N (ratio \(r)); no limit is given"
        case let .invalidResponse(f, c, r):
            return "criterion \(c) returned the ratio \(r) at \(f) N; expected a finite ratio ≥ 0 or +∞"
        case let .unsupportedProtocol(field, value, expected):
            return "\(field) = \(value): expected \(expected)"
        }
    }
}

/// Bracketing and bisection for the largest load at which every criterion holds.
///
/// The search assumes the worst criterion ratio rises with the load, and checks it: every
/// evaluation is kept, and when, sorted by load, the worst ratio ever falls by more than
/// `monotonicityTolerance` the search refuses (``LimitSearchError/nonMonotone(lowerLoad:lowerRatio:higherLoad:higherRatio:criterion:)``).
///
/// 1. The ceiling is evaluated; if every criterion holds there, the limit is the ceiling.
/// 2. Otherwise the load is halved until every criterion holds (at most `maxHalvings` times);
///    if none does, the search refuses.
/// 3. Between the admissible and the failing load, a safeguarded regula falsi until
///    `upper − lower ≤ relativeTolerance · lower`: the next load is placed 0.4 × the tolerance past
///    the root of the line through the two ends' worst ratios (on the side that would close the
///    bracket), kept 2 % of the width inside it; after two such steps one bisection step
///    follows, so the bracket at least halves every three steps whatever the response's shape.
///    (For a nearly linear response the bracket closes in two or three solves instead of the
///    six or seven of plain bisection.) When the failing end's ratio is `+∞` (a run stopped at
///    its first violation reports no finite ratio), the line is the one through the two largest
///    admissible loads evaluated in this phase, once there are two; it only places the next
///    evaluation inside the bracket (the halving's admissible load counts: it is the first lower end).
///
/// The limit is always an evaluated, admissible load (the lower end of the bracket).
///
/// ```swift
/// let r = try LimitBracketing.largestAdmissibleLoad(ceiling: 1000) { f in
///     [CriterionValue(criterion: "linear", ratio: f / 420, marginFraction: 0)]
/// }
/// r.limit            // in [415.8, 420] N
/// ```
public enum LimitBracketing {
    /// Runs the search (see the type's discussion).
    /// - Parameters:
    ///   - ceiling: largest load searched (N), finite and > 0.
    ///   - relativeTolerance: bracket width over the limit at which the search stops (dimensionless, in (0, 0.5]).
    ///   - maxHalvings: how often the load may be halved to find an admissible one (1 … 60).
    ///   - monotonicityTolerance: largest fall of the worst ratio with rising load accepted as
    ///     round-off (dimensionless, ≥ 0).
    ///   - response: every criterion's value at a load.
    /// - Throws: ``LimitSearchError``, or what `response` throws.
    public static func largestAdmissibleLoad(ceiling: Double, relativeTolerance: Double = 0.01, maxHalvings: Int = 10,
                                             monotonicityTolerance: Double = 1e-6,
                                             response: (Double) throws -> [CriterionValue]) throws -> BracketedLimit {
        guard ceiling.isFinite, ceiling > 0 else { throw LimitSearchError.invalidParameter(field: "ceiling", value: ceiling, expected: "a finite load > 0 N") }
        guard relativeTolerance.isFinite, relativeTolerance > 0, relativeTolerance <= 0.5 else {
            throw LimitSearchError.invalidParameter(field: "relativeTolerance", value: relativeTolerance, expected: "a fraction in (0, 0.5]")
        }
        guard (1...60).contains(maxHalvings) else {
            throw LimitSearchError.invalidParameter(field: "maxHalvings", value: Double(maxHalvings), expected: "1 … 60 halvings")
        }
        guard monotonicityTolerance.isFinite, monotonicityTolerance >= 0 else {
            throw LimitSearchError.invalidParameter(field: "monotonicityTolerance", value: monotonicityTolerance, expected: "a finite tolerance ≥ 0")
        }
        var evaluations: [LimitEvaluation] = []
        func evaluate(_ load: Double) throws -> LimitEvaluation {
            let values = try response(load)
            for v in values where !(v.ratio == .infinity || (v.ratio.isFinite && v.ratio >= 0)) {
                throw LimitSearchError.invalidResponse(load: load, criterion: v.criterion, ratio: v.ratio)
            }
            let e = LimitEvaluation(load: load, criteria: values)
            evaluations.append(e)
            return e
        }

        var upper = try evaluate(ceiling)
        var lower: LimitEvaluation
        if upper.admissible {
            try checkMonotone(evaluations, tolerance: monotonicityTolerance)
            return BracketedLimit(limit: ceiling, upperBracket: nil, governing: upper.governing ?? CriterionValue(criterion: "none", ratio: 0, marginFraction: 0),
                                  governingRatioAtLimit: upper.worstRatio, evaluations: evaluations)
        }
        var load = ceiling
        var found: LimitEvaluation?
        for _ in 0..<maxHalvings {
            load *= 0.5
            let e = try evaluate(load)
            if e.admissible { found = e; break }
            upper = e
        }
        guard let start = found else {
            let g = upper.governing!
            throw LimitSearchError.noAdmissibleLoad(smallestLoad: load, criterion: g.criterion, ratio: g.ratio)
        }
        lower = start
        var lastAdmissible = true
        var interpolations = 0
        // The admissible evaluation below `lower` with the largest load (for the secant when the
        // failing end's ratio is not known).
        var belowLower: LimitEvaluation? = nil
        while upper.load - lower.load > relativeTolerance * lower.load {
            let width = upper.load - lower.load
            var next = lower.load + 0.5 * width
            let (rl, ru) = (lower.worstRatio, upper.worstRatio)
            // The root of the line through the two ends, or, when the failing end's ratio is not
            // known (+∞: a run stopped at its first violation), through the two largest admissible
            // loads; either is only where to evaluate next, never the limit.
            var root: Double? = nil
            if ru.isFinite, ru > rl { root = lower.load + (1 - rl) / (ru - rl) * width }
            else if !ru.isFinite, let b = belowLower, rl > b.worstRatio, rl < 1 {
                root = lower.load + (1 - rl) * (lower.load - b.load) / (rl - b.worstRatio)
            }
            if interpolations < 2, let root {
                // Aim just past the estimated root, on the side that closes the bracket.
                let aim = root * (lastAdmissible ? 1 + 0.4 * relativeTolerance : 1 - 0.4 * relativeTolerance)
                next = min(max(aim, lower.load + 0.02 * width), upper.load - 0.02 * width)
                interpolations += 1
            } else {
                interpolations = 0
            }
            let e = try evaluate(next)
            lastAdmissible = e.admissible
            if e.admissible { belowLower = lower; lower = e } else { upper = e }
        }
        try checkMonotone(evaluations, tolerance: monotonicityTolerance)
        let governing = upper.governing!
        let atLimit = lower.criteria.first { $0.criterion == governing.criterion }?.ratio ?? lower.worstRatio
        return BracketedLimit(limit: lower.load, upperBracket: upper.load, governing: governing, governingRatioAtLimit: atLimit,
                              evaluations: evaluations)
    }

    /// Refuses when the worst ratio falls with rising load by more than `tolerance`.
    static func checkMonotone(_ evaluations: [LimitEvaluation], tolerance: Double) throws(LimitSearchError) {
        let sorted = evaluations.sorted { $0.load < $1.load }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let falls = a.worstRatio == .infinity ? b.worstRatio < .infinity : b.worstRatio < a.worstRatio - tolerance * max(1, a.worstRatio)
            guard falls else { continue }
            throw .nonMonotone(lowerLoad: a.load, lowerRatio: a.worstRatio, higherLoad: b.load, higherRatio: b.worstRatio,
                               criterion: b.governing?.criterion ?? "none")
        }
    }
}
