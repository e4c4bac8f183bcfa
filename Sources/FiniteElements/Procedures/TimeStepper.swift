import SparseLinearAlgebra

/// A problem advanced in time by backward Euler: at each step the stepper asks
/// for the residual `R(x; x_prev, t, Δt)` of the implicit step to time `t`
/// from the converged state `x_prev` at `t − Δt`, and its tangent `∂R/∂x`.
///
/// Quasi-static problems ignore `previous` and `timeStep` (time is then the
/// load parameter); transient ones (poroelasticity, transport) use them, e.g.
/// `R = M(x − x_prev)/Δt + K x − f(t)`.
public protocol TransientSystem: AnyObject {
    /// Number of unknowns.
    var unknownCount: Int { get }
    /// The tangent's pattern (values ignored); the same at every step.
    func tangentPattern() -> SymmetricMatrix
    /// SPD or symmetric indefinite tangent.
    var matrixKind: MatrixKind { get }
    /// Evaluates the step residual and, when `tangent` is non-nil, its tangent.
    /// - Parameters:
    ///   - x: the candidate state at `time`.
    ///   - previous: the converged state at `time − timeStep`.
    ///   - time: end of the step (s).
    ///   - timeStep: step length (s), positive.
    func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep: Double,
                  residual: inout [Double], tangent: inout SymmetricMatrix?) throws
    /// The starting guess for the step to `time` (s) from the converged `previous`
    /// — e.g. `previous` with the new prescribed values inserted. Default: `previous`.
    func predictor(previous: [Double], time: Double, timeStep: Double) -> [Double]
    /// True when the step tangent is the same at every state, time and time step
    /// (e.g. quasi-static linear elasticity): factored once per run. Default false.
    var hasConstantTangent: Bool { get }
    /// True when the step tangent depends on the time step (a transient problem, e.g. the
    /// `Δt`-scaled pressure block of poroelasticity) — a quasi-Newton ``NewtonSolver`` then
    /// reforms its kept factorization when `Δt` changes by more than
    /// ``QuasiNewtonOptions/timeStepChange``. Default true; a quasi-static problem returns false.
    var tangentDependsOnTimeStep: Bool { get }
    /// The field (`0, 1, …`) of each unknown, for the per-field tolerances of an error-controlled
    /// step (``ErrorControlOptions``) — e.g. 0 displacement, 1 pressure. Default empty: one field.
    func errorFields() -> [Int]
    /// The part of the step tangent of the last ``evaluate(_:previous:time:timeStep:residual:tangent:)``
    /// with a tangent that the symmetric matrix could not hold (``NonlinearSystem/tangentCorrection``).
    /// Default nil.
    var tangentCorrection: TangentCorrection? { get }
}

extension TransientSystem {
    public func predictor(previous: [Double], time: Double, timeStep: Double) -> [Double] { previous }
    public var hasConstantTangent: Bool { false }
    public var tangentDependsOnTimeStep: Bool { true }
    public func errorFields() -> [Int] { [] }
    public var tangentCorrection: TangentCorrection? { nil }
}

/// Step-size control of ``AdaptiveTimeStepper``. Times in seconds.
public struct TimeStepperOptions: Sendable, Equatable {
    /// First step length (s).
    public var initialStep: Double
    /// Smallest step (s): a failed step at this size ends the run with an error.
    public var minStep: Double
    /// Largest step (s).
    public var maxStep: Double
    /// Factor applied to the step after an easy step (> 1).
    public var growth: Double = 1.5
    /// Factor applied after a failed step (in (0, 1)).
    public var cut: Double = 0.5
    /// A step whose Newton needed at most this many iterations is easy (full Newton).
    public var easyIterations: Int = 4
    /// With a quasi-Newton ``NewtonSolver`` (``NewtonMethod/bfgs(_:)``), whose iterations are
    /// many and cheap, a step is easy when its solve needed at most this many tangent
    /// factorizations (reformations; default 2), whatever its iteration count.
    public var easyFactorizations: Int = 2
    /// Largest number of failed attempts without progress (a count, ≥ 1; default 100) before the
    /// run stops with ``TimeStepperError/stepCollapsed(time:step:target:cuts:reason:)``.
    ///
    /// A failed attempt is one whose Newton solve failed (the step is then cut and retried; local
    /// error rejections do not count). The first failed attempt of a count aimed at a time `T`;
    /// the count returns to 0 once an accepted step reaches `T` — the run got past the point it
    /// could not reach in one step. A step that cannot get past `T` (a time at which no
    /// admissible state exists, e.g. a biphasic solid compacted to its solid volume, `J ≤ φ0`)
    /// otherwise makes the stepper approach `T` with ever shorter steps, or — once every step
    /// short enough to converge is accepted without a Newton iteration (its residual, which
    /// grows with `Δt`, already below the tolerance) while every longer one fails — crawl at
    /// ``minStep`` forever without ever failing *at* it: the 200 N cervical cycle at 20° made
    /// 0.0003 s of model time in 158 s that way (`Benchmarks/results/limits.md`).
    ///
    /// **Default.** Halving from ``maxStep`` to ``minStep`` takes ⌈log₂(maxStep/minStep)⌉ failed
    /// attempts — 26 for a scenario session (5 s to 1e-7 s), 27 for a free swelling (1e8 s to 1 s),
    /// 40 for a model with `dtMax/dtMin` = 1e12 — all of them without progress by this definition;
    /// 100 leaves 60 or more failed attempts on top for a hard but passable event (a facet or
    /// ligament engaging, a thrust's release), which pass with a handful. A collapsed run stops
    /// after at most 100 failed Newton solves and about as many accepted steps since its last
    /// progress (a crawl alternates one of each). Raise it for a model known to need more; there
    /// is no "off".
    public var maxCutsWithoutProgress: Int = 100
    /// Error-controlled steps (``StepErrorController``): nil (default) adapts the step from Newton's
    /// effort alone; otherwise a step whose estimated local error exceeds the tolerance is repeated
    /// shorter, and the next step follows from the error. Newton failures still cut the step by ``cut``.
    public var errorControl: ErrorControlOptions? = nil

    /// Validates `0 < minStep ≤ initialStep ≤ maxStep`.
    /// - Throws: ``TimeStepperError/invalidOption(name:value:expected:)``.
    public init(initialStep: Double, minStep: Double, maxStep: Double) throws {
        guard minStep.isFinite, minStep > 0 else { throw TimeStepperError.invalidOption(name: "dtMin", value: minStep, expected: "a positive number of seconds") }
        guard maxStep.isFinite, maxStep >= minStep else { throw TimeStepperError.invalidOption(name: "dtMax", value: maxStep, expected: "a number ≥ dtMin = \(minStep) s") }
        guard initialStep.isFinite, initialStep >= minStep, initialStep <= maxStep else {
            throw TimeStepperError.invalidOption(name: "dt", value: initialStep, expected: "a number in [dtMin, dtMax] = [\(minStep), \(maxStep)] s")
        }
        self.initialStep = initialStep; self.minStep = minStep; self.maxStep = maxStep
    }
}

/// Why the time stepper stopped.
public enum TimeStepperError: Error, Equatable, CustomStringConvertible {
    /// An option is out of range.
    case invalidOption(name: String, value: Double, expected: String)
    /// Newton failed at the minimum step `minStep` (s) starting from `time` (s).
    case stepTooSmall(time: Double, minStep: Double, reason: String)
    /// The step collapsed: `cuts` failed attempts (``TimeStepperOptions/maxCutsWithoutProgress``)
    /// since the run last got past a time it could not reach in one step. `time` (s) is the end of
    /// the last accepted step (the state there is converged), `step` (s) the last failed attempt's
    /// length, `target` (s) the time the first failed attempt of the count aimed at, `reason` the
    /// last Newton failure.
    case stepCollapsed(time: Double, step: Double, target: Double, cuts: Int, reason: String)
    /// The end time is not after the start time.
    case invalidInterval(start: Double, end: Double)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, expected): return "\(name): expected \(expected), got \(value)"
        case let .stepTooSmall(t, dt, reason): return "time step fell below dtMin = \(dt) s at t = \(t) s: \(reason)"
        case let .stepCollapsed(t, dt, target, cuts, reason):
            return "time step collapsed at t = \(t) s: \(cuts) failed attempts without getting past t = \(target) s (maxCutsWithoutProgress), "
                + "the last with Δt = \(dt) s: \(reason)"
        case let .invalidInterval(a, b): return "time interval [\(a), \(b)] s: expected end > start"
        }
    }
}

/// One accepted step, as reported to the observer of ``AdaptiveTimeStepper/run(_:from:to:state:mustPoints:observer:)``.
public struct AcceptedStep: Sendable, Equatable {
    /// End time of the step (s).
    public var time: Double
    /// Step length (s).
    public var timeStep: Double
    /// Newton iterations used.
    public var iterations: Int
    /// Tangent factorizations done by the step's accepted Newton solve (quasi-Newton: reformations; 0 when a kept one served).
    public var factorizations: Int = 0
    /// Failed attempts (cuts) before this step was accepted.
    public var retries: Int
    /// True when `time` is one of the must-points.
    public var isMustPoint: Bool
    /// Error-controlled steps: the weighted RMS norm of the step's estimated local error
    /// (dimensionless, ≤ 1 unless the step was at `minStep`; ``StepErrorController``); nil when not estimated.
    public var errorNorm: Double? = nil
    /// Of ``retries``, those rejected for their local error (the rest failed Newton).
    public var errorRejections: Int = 0
    /// Newton iterations (and factorizations) spent on attempts that were rejected for their local error.
    public var rejectedIterations: Int = 0
    /// Error-controlled restarts: Newton iterations of the single step that step doubling compared
    /// this pair of half steps with (reported on the first half; 0 otherwise).
    public var doublingIterations: Int = 0

    /// A step ending at `time` (s) after an increment of `timeStep` (s).
    public init(time: Double, timeStep: Double, iterations: Int, factorizations: Int = 0, retries: Int, isMustPoint: Bool,
                errorNorm: Double? = nil, errorRejections: Int = 0, rejectedIterations: Int = 0, doublingIterations: Int = 0) {
        self.time = time; self.timeStep = timeStep; self.iterations = iterations; self.factorizations = factorizations
        self.retries = retries; self.isMustPoint = isMustPoint
        self.errorNorm = errorNorm; self.errorRejections = errorRejections; self.rejectedIterations = rejectedIterations
        self.doublingIterations = doublingIterations
    }
}

/// Adaptive backward-Euler stepping: grow the step after easy steps, cut and
/// retry after a failed Newton, never step over a must-point (load-curve
/// corners, output times) — those are hit exactly.
///
/// One ``NewtonSolver`` (hence one symbolic factorization) serves every step.
public final class AdaptiveTimeStepper {
    /// Step control.
    public var options: TimeStepperOptions
    /// The Newton solver used for each step.
    public let newton: NewtonSolver
    /// The step length the next step will try (s).
    public private(set) var nextStep: Double
    /// The most failed attempts without progress reached in this stepper's runs (a count; see
    /// ``TimeStepperOptions/maxCutsWithoutProgress``, which stops a run that reaches it).
    public private(set) var mostCutsWithoutProgress = 0
    /// Failed attempts since the current run last got past the time the first of them aimed at
    /// (a count; 0 after an accepted step that made progress). An observer reads it to tell
    /// whether the step it is given ended a run of failures.
    public private(set) var currentCutsWithoutProgress = 0
    /// One adapter per system, so a constant tangent stays factored across runs.
    private var adapters: [ObjectIdentifier: AnyObject] = [:]
    /// Error control's state: the system, the time (s) the last run reached, the controller.
    private var errorRun: (system: ObjectIdentifier, end: Double, controller: StepErrorController)?
    /// Error control: the length (s) of the last step accepted by step doubling at a restart.
    private var restartStep: Double?

    /// A stepper with step control `options` and Newton `newton`.
    public init(options: TimeStepperOptions, newton: NewtonSolver = NewtonSolver()) {
        self.options = options
        self.newton = newton
        nextStep = options.initialStep
    }

    /// Advances `state` from `start` to `end` (s).
    ///
    /// With ``TimeStepperOptions/errorControl`` each converged step's local error is estimated
    /// (``StepErrorController``; a run that continues where the previous one ended keeps the
    /// history): a step above the tolerance is repeated with the step the error suggests (never
    /// below `minStep`; a step at `minStep` is accepted whatever its error), and the next step is
    /// chosen from the error — grown only when Newton found the step easy.
    ///
    /// **Restarts.** The predictor needs two accepted states on the same smooth stretch of the
    /// loading. Where it has none — the first step of a run, and the first step after a time in
    /// `restartPoints` (a load curve's corner, where the predictor through the states on both
    /// sides would measure the kink instead of the step's error) — the step is estimated by step
    /// doubling: the step of length `h` is solved once whole and once as two halves, and the
    /// halves' local error is estimated as `x_whole − x_halves` (backward Euler's local error is
    /// `C h²`, so two halves carry about `C h²/2`, which is also their difference from the whole
    /// step; ``StepErrorController/doublingError(halves:whole:)``). Accepted, the two halves are
    /// reported to `observer` as two steps (each a backward-Euler step from the state before it)
    /// and give the predictor its history; rejected, the step is repeated shorter. A restart
    /// begins no longer than the step the previous restart accepted. The whole step's Newton iterations are reported as
    /// ``AcceptedStep/doublingIterations`` on the first half. A step shorter than `2·minStep` is
    /// not doubled (and not estimated).
    /// - Parameters:
    ///   - mustPoints: times (s) to land on exactly; those outside `(start, end]` are ignored.
    ///   - restartPoints: times (s) at which the loading's rate jumps (``LoadCurve/rateJumps``); an
    ///     error-controlled run restarts its estimate after landing on one. They are not landed on
    ///     unless they are also must-points. Ignored without error control.
    ///   - observer: called after every accepted step with the new state; may throw to stop.
    /// - Throws: ``TimeStepperError/stepTooSmall(time:minStep:reason:)`` when Newton fails at `minStep`;
    ///   ``TimeStepperError/stepCollapsed(time:step:target:cuts:reason:)`` after
    ///   ``TimeStepperOptions/maxCutsWithoutProgress`` failed attempts without progress;
    ///   ``TimeStepperError/invalidOption(name:value:expected:)`` for error-control options that do
    ///   not fit the system's fields.
    public func run<S: TransientSystem>(_ system: S, from start: Double, to end: Double, state: inout [Double],
                    mustPoints: [Double] = [], restartPoints: [Double] = [],
                    observer: (AcceptedStep, [Double]) throws -> Void = { _, _ in }) throws {
        guard end > start else { throw TimeStepperError.invalidInterval(start: start, end: end) }
        guard options.maxCutsWithoutProgress >= 1 else {
            throw TimeStepperError.invalidOption(name: "maxCutsWithoutProgress", value: Double(options.maxCutsWithoutProgress), expected: "a count ≥ 1")
        }
        let tolerance = 1e-12 * max(abs(end), 1)
        var marks = mustPoints.filter { $0 > start + tolerance && $0 < end - tolerance }
        marks.append(end)
        marks.sort()
        var t = start
        var markIndex = 0
        let adapter = adapters[ObjectIdentifier(system)] as? StepSystem<S> ?? StepSystem(system)
        adapters[ObjectIdentifier(system)] = adapter
        if let e = options.errorControl {
            let continues = errorRun.map { $0.system == ObjectIdentifier(system) && abs($0.end - start) <= tolerance && $0.controller.options == e } ?? false
            if !continues { errorRun = (ObjectIdentifier(system), start, try StepErrorController(options: e, fields: system.errorFields())) }
        } else {
            errorRun = nil
        }
        // Failed attempts since the run last got past `progressTarget` (s), the time the first of them aimed at.
        var cutsWithoutProgress = 0
        var progressTarget = start
        currentCutsWithoutProgress = 0
        let restarts = restartPoints.filter { $0 > start - tolerance && $0 < end + tolerance }.sorted()
        // A failed attempt (Newton did not converge on a step of length `dt`): count it, and
        // either stop or return the shorter step to try.
        func failedAttempt(_ error: NewtonError, at t: Double, step dt: Double) throws -> Double {
            if dt <= options.minStep * (1 + 1e-12) {
                throw TimeStepperError.stepTooSmall(time: t, minStep: options.minStep, reason: error.description)
            }
            if cutsWithoutProgress == 0 { progressTarget = t + dt }
            cutsWithoutProgress += 1
            mostCutsWithoutProgress = max(mostCutsWithoutProgress, cutsWithoutProgress)
            currentCutsWithoutProgress = cutsWithoutProgress
            if cutsWithoutProgress >= options.maxCutsWithoutProgress {
                throw TimeStepperError.stepCollapsed(time: t, step: dt, target: progressTarget, cuts: cutsWithoutProgress, reason: error.description)
            }
            let shorter = max(dt * options.cut, options.minStep)
            nextStep = shorter
            return shorter
        }
        func isEasy(_ report: NewtonReport) -> Bool {
            if case .bfgs = newton.options.method, !system.hasConstantTangent { return report.factorizations <= options.easyFactorizations }
            return report.iterations <= options.easyIterations
        }
        while t < end - tolerance {
            while markIndex < marks.count && marks[markIndex] <= t + tolerance { markIndex += 1 }
            let mark = marks[markIndex]
            var dt = min(nextStep, options.maxStep)
            // A restart begins no longer than the last restart's accepted step: the transient a
            // corner of the loading sets off is like the one the previous corner set off.
            if let run = errorRun, !run.controller.canEstimate, let r = restartStep { dt = min(dt, r) }
            var retries = 0, errorRejections = 0, rejectedIterations = 0
            var refused = Double.infinity
            while true {
                // Land on the mark; avoid leaving a sliver shorter than a fifth of a step.
                var hitsMark = false
                // (Not back to the length an error rejection just refused.)
                if t + dt >= mark - tolerance || (mark - (t + dt) < 0.2 * dt && mark - t <= options.maxStep && mark - t < refused) {
                    dt = mark - t; hitsMark = true
                }
                let stepEnd = hitsMark ? mark : t + dt
                adapter.configure(previous: state, time: t + dt, timeStep: dt)
                var x = system.predictor(previous: state, time: t + dt, timeStep: dt)
                let report: NewtonReport
                do {
                    report = try newton.solve(adapter, x: &x)
                } catch let error as NewtonError {
                    dt = try failedAttempt(error, at: t, step: dt)
                    retries += 1
                    continue
                }
                var errorNorm: Double? = nil
                var errorFactor: Double? = nil
                // Step doubling where the predictor has no history on this stretch of the loading.
                if var run = errorRun, !run.controller.canEstimate, dt >= 2 * options.minStep * (1 + 1e-12) {
                    let middle = t + 0.5 * dt
                    var half = state, halves: [(x: [Double], report: NewtonReport)] = []
                    do {
                        for (from, to) in [(t, middle), (middle, stepEnd)] {
                            adapter.configure(previous: half, time: to, timeStep: to - from)
                            var y = system.predictor(previous: half, time: to, timeStep: to - from)
                            let r = try newton.solve(adapter, x: &y)
                            halves.append((y, r)); half = y
                        }
                    } catch let error as NewtonError {
                        dt = try failedAttempt(error, at: t, step: dt)
                        retries += 1
                        continue
                    }
                    let err = run.controller.doublingErrorNorm(halves: half, whole: x, current: state)
                    // A single step of length dt carries about twice the halves' error.
                    let factor = run.controller.stepFactor(error: 2 * err)
                    if err > 1 {
                        errorRun = run
                        refused = dt
                        dt = max(dt * run.controller.stepFactor(error: err), options.minStep)
                        nextStep = dt
                        retries += 1; errorRejections += 1
                        rejectedIterations += report.iterations + halves.reduce(0) { $0 + $1.report.iterations }
                        continue
                    }
                    restartStep = stepEnd - t
                    let times = [middle, stepEnd], lengths = [middle - t, stepEnd - middle]
                    for (k, h) in halves.enumerated() {
                        let previousState = state
                        t = times[k]
                        state = h.x
                        if k == 1 { run.controller.accept(previous: previousState, timeStep: stepEnd - middle) }
                        run.end = t
                        errorRun = run
                        if cutsWithoutProgress > 0 && t >= progressTarget - tolerance { cutsWithoutProgress = 0 }
                        currentCutsWithoutProgress = cutsWithoutProgress
                        try observer(AcceptedStep(time: t, timeStep: lengths[k],
                                                  iterations: h.report.iterations, factorizations: h.report.factorizations,
                                                  retries: k == 0 ? retries : 0, isMustPoint: k == 1 && hitsMark, errorNorm: err,
                                                  errorRejections: k == 0 ? errorRejections : 0, rejectedIterations: k == 0 ? rejectedIterations : 0,
                                                  doublingIterations: k == 0 ? report.iterations : 0), state)
                    }
                    let easy = halves.allSatisfy { isEasy($0.report) }
                    var proposal = dt * (easy ? factor : min(factor, 1))
                    if hitsMark, easy {
                        // Shortened onto a mark: the nominal step stays if its error (∝ Δt²) would pass.
                        let optimal = err > 0 ? dt * (options.errorControl?.safety ?? 1) / (2 * err).squareRoot() : Double.infinity
                        proposal = max(proposal, min(max(dt, nextStep), optimal))
                    }
                    nextStep = min(max(proposal, options.minStep), options.maxStep)
                    break
                }
                if var run = errorRun {
                    errorNorm = run.controller.errorNorm(solution: x, current: state, timeStep: dt)
                    if let err = errorNorm {
                        let factor = run.controller.stepFactor(error: err)
                        errorFactor = factor
                        if err > 1, dt > options.minStep * (1 + 1e-12) {
                            errorRun = run
                            refused = dt
                            dt = max(dt * factor, options.minStep)
                            nextStep = dt
                            retries += 1; errorRejections += 1; rejectedIterations += report.iterations
                            continue
                        }
                    }
                    run.controller.accept(previous: state, timeStep: dt)
                    run.end = stepEnd
                    errorRun = run
                }
                t = stepEnd
                state = x
                if cutsWithoutProgress > 0 && t >= progressTarget - tolerance { cutsWithoutProgress = 0 }
                currentCutsWithoutProgress = cutsWithoutProgress
                try observer(AcceptedStep(time: t, timeStep: dt, iterations: report.iterations, factorizations: report.factorizations,
                                          retries: retries, isMustPoint: hitsMark, errorNorm: errorNorm,
                                          errorRejections: errorRejections, rejectedIterations: rejectedIterations), state)
                // Grow after an easy step; a step shortened to hit a mark keeps the nominal size.
                let nominal = max(dt, nextStep)
                let easy = isEasy(report)
                if let factor = errorFactor {
                    // The error decides; Newton's effort may only hold the step back.
                    var proposal = dt * (easy ? factor : min(factor, 1))
                    if hitsMark, easy, let err = errorNorm {
                        // A step shortened onto a mark: the nominal step stays if its error (∝ Δt²) would pass.
                        let optimal = err > 0 ? dt * (options.errorControl?.safety ?? 1) / err.squareRoot() : Double.infinity
                        proposal = max(proposal, min(nominal, optimal))
                    }
                    nextStep = min(max(proposal, options.minStep), options.maxStep)
                } else {
                    nextStep = easy ? min(nominal * options.growth, options.maxStep) : (hitsMark ? nominal : dt)
                }
                break
            }
            // A corner of the loading just reached: the predictor starts anew on the next stretch.
            if var run = errorRun, restarts.contains(where: { abs($0 - t) <= tolerance }) {
                run.controller.reset()
                errorRun = run
            }
        }
    }
}

/// Adapts a ``TransientSystem`` at fixed `(x_prev, t, Δt)` to a ``NonlinearSystem``.
final class StepSystem<S: TransientSystem>: NonlinearSystem {
    let system: S
    var previous: [Double] = []
    var time = 0.0
    var timeStep = 0.0
    init(_ system: S) { self.system = system }
    func configure(previous: [Double], time: Double, timeStep: Double) {
        self.previous = previous; self.time = time; self.timeStep = timeStep
    }
    var unknownCount: Int { system.unknownCount }
    var matrixKind: MatrixKind { system.matrixKind }
    var hasConstantTangent: Bool { system.hasConstantTangent }
    var tangentTimeStep: Double? { system.tangentDependsOnTimeStep ? timeStep : nil }
    var tangentCorrection: TangentCorrection? { system.tangentCorrection }
    func tangentPattern() -> SymmetricMatrix { system.tangentPattern() }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        try system.evaluate(x, previous: previous, time: time, timeStep: timeStep, residual: &residual, tangent: &tangent)
    }
}
