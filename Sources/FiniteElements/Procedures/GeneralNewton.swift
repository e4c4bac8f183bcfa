import SparseLinearAlgebra

/// A nonlinear algebraic system `R(x) = 0` whose tangent `K = ∂R/∂x` is
/// nonsymmetric (convection, reaction Jacobians) on a fixed general pattern —
/// what ``GeneralNewtonSolver`` solves. Units of `x` and `R` are the physics'.
public protocol GeneralNonlinearSystem: AnyObject {
    /// Number of unknowns.
    var unknownCount: Int { get }
    /// The tangent's pattern (values ignored); the same every call.
    func tangentPattern() -> CSRMatrix
    /// Evaluates `R(x)` into `residual` (length ``unknownCount``, overwritten)
    /// and, when `tangent` is non-nil, `∂R/∂x` into its values (pattern of
    /// ``tangentPattern()``, overwritten).
    /// - Throws: any error that makes this `x` inadmissible.
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout CSRMatrix?) throws
    /// True when `∂R/∂x` does not depend on `x` (a linear system): the tangent is
    /// assembled and factored once per ``GeneralNewtonSolver/solve(_:x:)`` and the one
    /// direct solve is the answer (no line search, no further steps). Default false.
    var hasConstantTangent: Bool { get }
    /// The system's own convergence test on a full Newton update `step` taken to
    /// `x` (e.g. largest update below a fraction of the largest unknown); when
    /// true, Newton takes the step without line search and stops. Default false
    /// (only the residual test of ``NewtonOptions`` applies).
    func updateIsConverged(step: [Double], x: [Double]) -> Bool
}

extension GeneralNonlinearSystem {
    public var hasConstantTangent: Bool { false }
    public func updateIsConverged(step: [Double], x: [Double]) -> Bool { false }
}

/// Newton's method with backtracking line search for a ``GeneralNonlinearSystem``,
/// on a ``GeneralLinearSolver`` (default ``SparseLU``) whose symbolic analysis
/// runs once for the instance's lifetime: every later iteration, step and call
/// refactors values only. Tolerances, statistics and reports are those of
/// ``NewtonSolver`` and so are its acceptance tests (``NewtonOptions``): the residual
/// test `‖R‖₂ ≤ relativeTolerance · max(‖R(x₀)‖₂, referenceNorm) + absoluteTolerance`,
/// the round-off test `‖R‖₂ ≤ roundOffFactor · ε · ‖|K||x|‖₂`, the increment test
/// `‖αΔ‖∞ ≤ incrementFactor · ε · ‖x‖∞`, and in addition the system's own
/// ``GeneralNonlinearSystem/updateIsConverged(step:x:)``. A line search that finds no
/// decrease is accepted only at the round-off level; otherwise
/// ``NewtonError/stalled(iteration:residualNorm:bestTrialNorm:target:roundOffLevel:)``.
///
/// ```swift
/// let newton = GeneralNewtonSolver()
/// try newton.solve(system, x: &x)
/// ```
public final class GeneralNewtonSolver {
    /// Tolerances.
    public var options: NewtonOptions
    /// The linear solver.
    public let linearSolver: any GeneralLinearSolver
    /// Time per phase and counts, summed over every call of ``solve(_:x:)``.
    public private(set) var statistics = NewtonStatistics()
    /// The report of the last successful ``solve(_:x:)``.
    public private(set) var lastReport = NewtonReport()
    private var tangent: CSRMatrix?
    private var analyzed = false
    private var residual: [Double] = []
    private var trialResidual: [Double] = []
    /// Iterations the last successful solve needed (0: none yet): from that count on, a trial
    /// is expected to converge and is evaluated without its tangent.
    private var previousIterations = 0

    /// A solver with the given options and linear solver (default ``SparseLU``).
    public init(options: NewtonOptions = NewtonOptions(), linearSolver: (any GeneralLinearSolver)? = nil) {
        self.options = options
        self.linearSolver = linearSolver ?? LinearSolvers.makeGeneral()
    }

    /// Solves `R(x) = 0` starting from (and overwriting) `x`.
    /// - Throws: ``NewtonError/notConverged(iterations:residualNorm:target:)`` or
    ///   ``NewtonError/diverged(iteration:residualNorm:)``; the system's own errors and the
    ///   linear solver's `LinearAlgebraError` unchanged (typed, e.g. the singular column),
    ///   except that an inadmissible trial point inside the line search only shortens the step.
    ///   `x` then holds the last accepted iterate.
    @discardableResult
    public func solve(_ system: some GeneralNonlinearSystem, x: inout [Double]) throws -> NewtonReport {
        let n = system.unknownCount
        precondition(x.count == n, "x has \(x.count) entries, the system \(n) unknowns")
        if tangent == nil || tangent!.rows != n { tangent = system.tangentPattern(); analyzed = false }
        if residual.count != n { residual = [Double](repeating: 0, count: n); trialResidual = residual }
        var report = NewtonReport()
        var none: CSRMatrix? = nil

        func evaluate(_ point: [Double], into r: inout [Double], withTangent: Bool, iteration: Int) throws {
            report.evaluations += 1
            statistics.evaluations += 1
            if withTangent { statistics.tangentEvaluations += 1 }
            let start = ContinuousClock.now
            defer { statistics.evaluationSeconds += seconds(since: start) }
            if withTangent { try system.evaluate(point, residual: &r, tangent: &tangent) }
            else { try system.evaluate(point, residual: &r, tangent: &none) }
        }

        let constant = system.hasConstantTangent
        var haveFactor = false
        try evaluate(x, into: &residual, withTangent: true, iteration: 0)
        var norm = l2(residual)
        report.residualNorms.append(norm)
        guard norm.isFinite else { throw NewtonError.diverged(iteration: 0, residualNorm: norm) }
        let target = options.relativeTolerance * max(norm, options.referenceNorm) + options.absoluteTolerance
        report.target = target
        let eps = Double.ulpOfOne
        var scratch: [Double] = []
        /// Round-off level of the residual at `point` with the latest tangent.
        func roundOffLevel(at point: [Double]) -> Double {
            options.roundOffLevel(tangent.map { absoluteProductNorm($0, point, scratch: &scratch) })
        }
        func accept(_ how: NewtonConvergence, iterations: Int, roundOff: Double) -> NewtonReport {
            report.accept(how, roundOffLevel: roundOff, statistics: &statistics)
            lastReport = report; previousIterations = iterations
            return report
        }
        if n == 0 || norm <= target { return accept(.residual, iterations: 0, roundOff: 0) }
        var floor = roundOffLevel(at: x)
        if norm <= floor { return accept(.roundOff, iterations: 0, roundOff: floor) }

        var step = [Double](repeating: 0, count: n)
        var trial = x
        for iteration in 1...options.maxIterations {
            statistics.iterations += 1
            if !analyzed {
                let start = ContinuousClock.now
                try linearSolver.analyze(tangent!)
                statistics.analyzeSeconds += seconds(since: start)
                statistics.analyses += 1
                analyzed = true
            }
            if !haveFactor {
                let start = ContinuousClock.now
                try linearSolver.factor(tangent!)
                statistics.factorSeconds += seconds(since: start)
                statistics.factorizations += 1
                statistics.maxPerturbedPivots = max(statistics.maxPerturbedPivots, linearSolver.report.perturbedPivots)
                haveFactor = constant
            }
            for i in 0..<n { step[i] = -residual[i] }
            let start = ContinuousClock.now
            try linearSolver.solve(&step, count: 1)
            // No null-space projection here: a zero pivot leaves the correction undetermined.
            if linearSolver.report.singular, let zero = linearSolver.report.inertia?.zero {
                throw NewtonError.singularTangent(iteration: iteration, zeroPivots: zero, projected: 0)
            }
            statistics.solveSeconds += seconds(since: start)
            statistics.refinementSteps += linearSolver.report.iterations
            report.iterations = iteration
            for i in 0..<n { trial[i] = x[i] + step[i] }
            // A linear system is solved by its one direct solve: further steps would only chase
            // the round-off floor of the residual. A nonlinear one stops on the system's update test.
            if (constant && iteration == 1) || system.updateIsConverged(step: step, x: trial) {
                swap(&x, &trial)
                report.stepLengths.append(1)
                try evaluate(x, into: &residual, withTangent: false, iteration: iteration)
                report.residualNorms.append(l2(residual))
                if constant { lastReport = report; previousIterations = iteration; return report }
                return accept(.increment, iterations: iteration, roundOff: floor)
            }
            // Backtracking on ‖R‖₂ (Armijo, halving); the full step is evaluated with its tangent.
            let threshold = max(target, floor)
            var alpha = 1.0, trialNorm = Double.infinity, bestTrial = Double.infinity
            var accepted = false, tangentAtTrial = false
            for backtrack in 0...(options.lineSearch ? options.maxBacktracks : 0) {
                if backtrack > 0 { for i in 0..<n { trial[i] = x[i] + alpha * step[i] } }
                let expectConverged = previousIterations > 0 && iteration >= previousIterations
                let withTangent = backtrack == 0 && !haveFactor && !expectConverged
                var admissible = true
                do { try evaluate(trial, into: &trialResidual, withTangent: withTangent, iteration: iteration); tangentAtTrial = withTangent }
                catch { if !options.lineSearch || backtrack == options.maxBacktracks { throw error }; admissible = false }
                trialNorm = admissible ? l2(trialResidual) : .infinity
                bestTrial = min(bestTrial, trialNorm)
                if !options.lineSearch || trialNorm <= (1 - options.armijo * alpha) * norm { accepted = true; break }
                // A full step at round-off (relative to x, or in ‖R‖) is not asked to decrease ‖R‖.
                if backtrack == 0 && trialNorm.isFinite {
                    if options.incrementFactor > 0 && maxAbs(step) <= options.incrementFactor * eps * maxAbs(trial) { accepted = true; break }
                    if trialNorm <= max(threshold, roundOffLevel(at: trial)) { accepted = true; break }
                }
                if backtrack < options.maxBacktracks { alpha *= 0.5 }
            }
            if !accepted && !(trialNorm.isFinite && trialNorm < norm) {
                // No decrease: accept x if it is at round-off, otherwise say why it stopped.
                if norm <= threshold { return accept(norm <= target ? .residual : .roundOff, iterations: iteration, roundOff: floor) }
                throw NewtonError.stalled(iteration: iteration, residualNorm: norm, bestTrialNorm: bestTrial, target: target, roundOffLevel: floor)
            }
            let increment = alpha * maxAbs(step)
            swap(&x, &trial)
            swap(&residual, &trialResidual)
            report.stepLengths.append(alpha)
            norm = trialNorm
            report.residualNorms.append(norm)
            if norm <= target { return accept(.residual, iterations: iteration, roundOff: floor) }
            floor = roundOffLevel(at: x)
            if norm <= floor { return accept(.roundOff, iterations: iteration, roundOff: floor) }
            if options.incrementFactor > 0 && increment <= options.incrementFactor * eps * maxAbs(x) {
                return accept(.increment, iterations: iteration, roundOff: floor)
            }
            // The system's update test on the step actually taken (a damped one here).
            if alpha < 1 {
                var taken = step
                for i in 0..<n { taken[i] *= alpha }
                if system.updateIsConverged(step: taken, x: x) { return accept(.increment, iterations: iteration, roundOff: floor) }
            }
            if !haveFactor && !tangentAtTrial {
                statistics.tangentRetries += 1
                try evaluate(x, into: &residual, withTangent: true, iteration: iteration)
                norm = l2(residual)
                report.residualNorms[report.residualNorms.count - 1] = norm
            }
        }
        throw NewtonError.notConverged(iterations: options.maxIterations, residualNorm: norm, target: max(target, floor))
    }
}
