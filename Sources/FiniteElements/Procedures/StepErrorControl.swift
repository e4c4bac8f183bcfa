/// Tolerances of the error-controlled time step (``StepErrorController``).
///
/// The controller keeps the estimated local truncation error of each backward-Euler step,
/// measured in a weighted root-mean-square norm, at or below one:
///
/// ```
/// err = sqrt( (1/n) Σᵢ ( eᵢ / (atol_f(i) + rtol·|xᵢ|) )² ) ≤ 1
/// ```
///
/// where `eᵢ` is the estimated local error of unknown `i` (in that unknown's unit), `f(i)` its
/// field (displacement, pressure, concentration, …), `rtol` = ``relativeTolerance`` and `atol_f`
/// = ``absoluteTolerances```[f]` or, when those are not given, `rtol` times the field's scale —
/// the largest `|x|` of that field seen so far in the run. So `rtol = 1e-3` asks that one
/// step add an error of about 0.1 % of each field's magnitude (e.g. 1 kPa on a 1 MPa nucleus
/// pressure); the error at a fixed time then falls like `rtol^(1/2)` (first-order method with
/// per-step control).
///
/// ```swift
/// var options = try TimeStepperOptions(initialStep: 0.1, minStep: 1e-4, maxStep: 20)
/// options.errorControl = try ErrorControlOptions(relativeTolerance: 1e-3)
/// ```
public struct ErrorControlOptions: Sendable, Equatable {
    /// Relative tolerance `rtol` (dimensionless, > 0): the local error allowed per step as a
    /// fraction of each field's magnitude.
    public var relativeTolerance: Double
    /// Absolute tolerance per field, in that field's unit (mm, MPa, mmol/L, …), indexed as the
    /// system's ``TransientSystem/errorFields()`` numbers them; nil: `rtol` × the field's scale.
    public var absoluteTolerances: [Double]?
    /// Safety factor (in (0, 1]) applied to the optimal step `Δt·(1/err)^(1/2)`.
    public var safety: Double = 0.9
    /// Largest factor by which one step may grow the next (> 1).
    public var maxGrowth: Double = 2
    /// Smallest factor by which a rejected or accepted step may shrink the next (in (0, 1)).
    public var minShrink: Double = 0.2

    /// Options with relative tolerance `relativeTolerance` (dimensionless) and optional absolute
    /// tolerances per field (field units).
    /// - Throws: ``TimeStepperError/invalidOption(name:value:expected:)`` naming `errorTolerance`
    ///   or `absoluteTolerances[f]`.
    public init(relativeTolerance: Double, absoluteTolerances: [Double]? = nil) throws {
        guard relativeTolerance.isFinite, relativeTolerance > 0, relativeTolerance < 1 else {
            throw TimeStepperError.invalidOption(name: "errorTolerance", value: relativeTolerance, expected: "a relative tolerance in (0, 1)")
        }
        if let a = absoluteTolerances {
            for (f, v) in a.enumerated() where !(v.isFinite && v > 0) {
                throw TimeStepperError.invalidOption(name: "absoluteTolerances[\(f)]", value: v, expected: "a positive tolerance in the field's unit")
            }
        }
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerances = absoluteTolerances
    }

    /// Checks ``safety``, ``maxGrowth`` and ``minShrink`` (they are `var`s).
    /// - Throws: ``TimeStepperError/invalidOption(name:value:expected:)`` naming the option.
    public func validate() throws {
        guard safety.isFinite, safety > 0, safety <= 1 else { throw TimeStepperError.invalidOption(name: "safety", value: safety, expected: "a factor in (0, 1]") }
        guard maxGrowth.isFinite, maxGrowth > 1 else { throw TimeStepperError.invalidOption(name: "maxGrowth", value: maxGrowth, expected: "a factor > 1") }
        guard minShrink.isFinite, minShrink > 0, minShrink < 1 else { throw TimeStepperError.invalidOption(name: "minShrink", value: minShrink, expected: "a factor in (0, 1)") }
    }
}

/// Local-error control of a backward-Euler integration: a second-order explicit predictor
/// (linear extrapolation through the last two accepted states) against the implicit solution.
///
/// With accepted states `x₋₁` at `t − h₋₁` and `x₀` at `t`, the predictor of the step to `t + h` is
/// `x̂ = x₀ + (h/h₋₁)(x₀ − x₋₁)`; its error is `−h(h + h₋₁)/2 · x″`, the backward-Euler
/// solution's local error is `+h²/2 · x″`, so the local error of the step is estimated as
///
/// ```
/// e = h/(2h + h₋₁) · (x_BE − x̂)
/// ```
///
/// (correct to leading order in `h`; the Milne-device construction of predictor–corrector
/// pairs, Gresho, Griffiths & Silvester, SIAM J. Sci. Comput. 30 (2008) 2018–2054, applied to
/// backward Euler). Its weighted RMS norm (``ErrorControlOptions``) decides: a step with
/// `err ≤ 1` is accepted, a larger one is repeated with a shorter step; the next step is
/// `h·min(maxGrowth, max(minShrink, safety·err^(−1/2)))` (Hairer, Nørsett & Wanner, *Solving
/// Ordinary Differential Equations I*, 2nd ed., Springer 1993, §II.4).
///
/// Without history (the first step of a run, or after ``reset()`` at a corner of the loading) a
/// step is estimated by step doubling instead (``doublingErrorNorm(halves:whole:current:)``).
/// The controller works on any state vector; ``AdaptiveTimeStepper`` drives it for a ``TransientSystem`` and the transport
/// engine for its concentrations.
public struct StepErrorController: Sendable {
    /// The tolerances.
    public let options: ErrorControlOptions
    /// Field of each unknown (empty: one field).
    private let fields: [Int32]
    private let fieldCount: Int
    /// Largest `|x|` per field over the states seen (field units).
    public private(set) var fieldScales: [Double]
    /// The accepted state before the current one and the step that led from it (nil at the start).
    private var history: (state: [Double], timeStep: Double)?

    /// A controller for states whose unknown `i` belongs to field `fields[i]` (`0..<fieldCount`);
    /// an empty `fields` puts every unknown in field 0.
    /// - Throws: ``TimeStepperError/invalidOption(name:value:expected:)`` when a field index is
    ///   negative or the absolute tolerances do not cover every field.
    public init(options: ErrorControlOptions, fields: [Int] = []) throws {
        try options.validate()
        var count = 1
        for (i, f) in fields.enumerated() {
            guard f >= 0, f < Int(Int32.max) else { throw TimeStepperError.invalidOption(name: "fields[\(i)]", value: Double(f), expected: "a field index ≥ 0") }
            count = max(count, f + 1)
        }
        if let a = options.absoluteTolerances, a.count < count {
            throw TimeStepperError.invalidOption(name: "absoluteTolerances", value: Double(a.count), expected: "one tolerance per field (\(count) fields)")
        }
        self.options = options
        self.fields = fields.map { Int32($0) }
        fieldCount = count
        fieldScales = [Double](repeating: 0, count: count)
    }

    /// True when two accepted states are known, so the next step can be estimated.
    public var canEstimate: Bool { history != nil }

    /// Forgets the history (e.g. across a discontinuity); the next step is not estimated.
    public mutating func reset() { history = nil }

    /// Records the step of length `timeStep` (s) accepted from `previous`; the state it reached
    /// is the `current` of the next estimate.
    public mutating func accept(previous: [Double], timeStep: Double) {
        history = (previous, timeStep)
    }

    /// The linear extrapolation `x̂` (field units) to `current + timeStep` (s), nil without history.
    public func predictor(current: [Double], timeStep h: Double) -> [Double]? {
        guard let (old, hp) = history, old.count == current.count else { return nil }
        let r = h / hp
        var out = current
        for i in out.indices { out[i] += r * (current[i] - old[i]) }
        return out
    }

    /// The estimated local error `e` of each unknown (field units) of the step of length
    /// `timeStep` (s) from `current` to `solution`; nil without history.
    public func localError(solution: [Double], current: [Double], timeStep h: Double) -> [Double]? {
        guard let hp = history?.timeStep, let xhat = predictor(current: current, timeStep: h), solution.count == current.count else { return nil }
        let c = h / (2 * h + hp)
        var e = solution
        for i in e.indices { e[i] = c * (solution[i] - xhat[i]) }
        return e
    }

    /// The weighted RMS norm of the step's estimated local error (dimensionless; ≤ 1 accepts),
    /// nil without history. Updates the field scales with the three states involved.
    public mutating func errorNorm(solution: [Double], current: [Double], timeStep h: Double) -> Double? {
        guard let e = localError(solution: solution, current: current, timeStep: h), let old = history?.state else { return nil }
        let n = solution.count
        guard n > 0 else { return 0 }
        let oneField = fields.count != n
        for i in 0..<n {
            let f = oneField ? 0 : Int(fields[i])
            fieldScales[f] = max(fieldScales[f], abs(solution[i]), abs(current[i]), abs(old[i]))
        }
        return weightedNorm(n, error: { e[$0] }, solution: { solution[$0] })
    }

    /// The estimated local error (field units) of a step solved as two backward-Euler halves, by
    /// step doubling: `whole − halves`, for the state `halves` reached by the two half steps and
    /// the state `whole` of one step of the same length `h` from the same state. With backward
    /// Euler's local error `C h²` per step, the whole step carries `C h²` and the halves `2·C(h/2)²
    /// = C h²/2`, so their difference is the halves' error to leading order (Hairer, Nørsett &
    /// Wanner 1993, §II.4, "step doubling").
    public func doublingError(halves: [Double], whole: [Double]) -> [Double] {
        zip(whole, halves).map { $0 - $1 }
    }

    /// The weighted RMS norm (dimensionless; ≤ 1 accepts) of ``doublingError(halves:whole:)``,
    /// the halves' estimated local error; `current` is the state both solves started from. Needs
    /// no history; updates the field scales with the three states.
    public mutating func doublingErrorNorm(halves: [Double], whole: [Double], current: [Double]) -> Double {
        let n = halves.count
        guard n > 0, whole.count == n, current.count == n else { return n == 0 ? 0 : .infinity }
        let oneField = fields.count != n
        for i in 0..<n {
            let f = oneField ? 0 : Int(fields[i])
            fieldScales[f] = max(fieldScales[f], abs(halves[i]), abs(whole[i]), abs(current[i]))
        }
        return weightedNorm(n, error: { whole[$0] - halves[$0] }, solution: { halves[$0] })
    }

    /// `sqrt(mean((eᵢ / (atol_f(i) + rtol·|xᵢ|))²))` over `n` unknowns, with the current field scales.
    private func weightedNorm(_ n: Int, error e: (Int) -> Double, solution x: (Int) -> Double) -> Double {
        let oneField = fields.count != n
        let rtol = options.relativeTolerance
        let atol = (0..<fieldCount).map { options.absoluteTolerances?[$0] ?? rtol * fieldScales[$0] }
        var sum = 0.0
        for i in 0..<n {
            let w = atol[oneField ? 0 : Int(fields[i])] + rtol * abs(x(i))
            let ei = e(i)
            if w > 0 { let q = ei / w; sum += q * q }
            else if ei != 0 { return .infinity }
        }
        return (sum / Double(n)).squareRoot()
    }

    /// The factor (dimensionless) by which to scale the step after one with error norm `error`:
    /// `safety·error^(−1/2)` bounded by ``ErrorControlOptions/minShrink`` and ``ErrorControlOptions/maxGrowth``.
    public func stepFactor(error: Double) -> Double {
        guard error.isFinite else { return options.minShrink }
        guard error > 0 else { return options.maxGrowth }
        return min(options.maxGrowth, max(options.minShrink, options.safety / error.squareRoot()))
    }
}
