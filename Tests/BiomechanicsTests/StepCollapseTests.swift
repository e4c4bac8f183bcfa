import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements

/// ẋ = 1 (so x = t from x(0) = 0) with a state bound: an evaluation at x > 1 is refused, as a
/// biphasic solid refuses `J ≤ φ0`. No admissible state exists past t = 1. Backward Euler:
/// `R = x − x_prev − Δt`, tangent 1.
final class BoundedCreep: TransientSystem {
    struct Compacted: Error {}
    var unknownCount: Int { 1 }
    var matrixKind: MatrixKind { .symmetricPositiveDefinite }
    func tangentPattern() -> SymmetricMatrix { densePattern(1) }
    func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep dt: Double,
                  residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        if x[0] > 1 { throw Compacted() }
        residual[0] = x[0] - previous[0] - dt
        if tangent != nil { tangent!.values[0] = 1 }
    }
}

@Suite("Time stepper: a collapsed step stops the run")
struct StepCollapseTests {
    /// The crawl of `Benchmarks/results/limits.md`, reduced to one unknown: with Newton's absolute
    /// tolerance at 1e-9, a step of Δt ≤ 1e-9 s is accepted without an iteration (its residual Δt
    /// is already below it) and leaves x unchanged, while every longer step past x = 1 fails. Before
    /// ``TimeStepperOptions/maxCutsWithoutProgress`` the run alternated one failure and one such
    /// step forever (1e9 steps to the end at t = 2). Now it stops with `stepCollapsed` after exactly
    /// `maxCutsWithoutProgress` failed attempts, at t = 1 (the closed form: x = t reaches the bound
    /// at t = 1) within 100 × 2e-9 s (each failure is followed by at most one frozen step of at most
    /// twice the tolerance-sized step; tolerance stated 1e-6 s), and in bounded work: at most
    /// 60 accepted steps to approach t = 1 with steps ≤ 0.1 s (10 at dtMax, then a halving approach
    /// of ⌈log₂(0.1 / 1e-10)⌉ = 30 distance halvings) plus one per failure. Every frozen step is
    /// seen by the observer with ``AdaptiveTimeStepper/currentCutsWithoutProgress`` > 0 (it does not
    /// end the run of failures: what a biphasic run uses to name the compaction behind a collapse).
    @Test func aStateBoundStopsTheRunInsteadOfCrawling() throws {
        var options = try TimeStepperOptions(initialStep: 0.1, minStep: 1e-10, maxStep: 0.1)
        options.maxCutsWithoutProgress = 100
        var newtonOptions = NewtonOptions()
        newtonOptions.absoluteTolerance = 1e-9
        let stepper = AdaptiveTimeStepper(options: options, newton: NewtonSolver(options: newtonOptions))
        var state = [0.0]
        var accepted = 0, frozen = 0, frozenInAFailureRun = 0
        var previous = 0.0
        do {
            try stepper.run(BoundedCreep(), from: 0, to: 2, state: &state) { _, x in
                accepted += 1
                if x[0] == previous {
                    frozen += 1
                    // A frozen step does not end the run of failures: the observer sees the count still open.
                    if stepper.currentCutsWithoutProgress > 0 { frozenInAFailureRun += 1 }
                }
                previous = x[0]
            }
            Issue.record("the run passed the state bound")
        } catch let TimeStepperError.stepCollapsed(time, step, target, cuts, reason) {
            print("collapsed at t = \(time) s, Δt = \(step) s, target \(target) s, \(cuts) cuts, \(accepted) accepted (\(frozen) frozen): \(reason)")
            #expect(cuts == 100)
            #expect(abs(time - 1) <= 1e-6)
            #expect(target > 1 && target <= 1.1 + 1e-12)
            #expect(state[0] <= 1)
            #expect(accepted <= 60 + cuts)
            #expect(frozen > 0)  // the crawl's signature: steps accepted without changing the state
            #expect(frozenInAFailureRun == frozen)
        }
    }

    /// Failures the run gets past do not stop it: every attempt longer than 0.05 s fails (as at a
    /// stiff event), so the step saw-tooths below 0.05 s for 3 s; with the limit one above the
    /// most failed attempts without progress the run reached, the states and steps are exactly
    /// those of a run without limit (the count returns to 0 whenever the run passes the time a
    /// failed attempt aimed at), and a limit at that count stops it.
    @Test func passableFailuresDoNotStopTheRun() throws {
        func run(limit: Int) throws -> ([Double], Int, Int) {
            var options = try TimeStepperOptions(initialStep: 0.4, minStep: 1e-4, maxStep: 0.4)
            options.maxCutsWithoutProgress = limit
            let system = LinearODE()
            system.failAbove = 0.05
            let stepper = AdaptiveTimeStepper(options: options)
            var state = [1.0, 0.2], steps = 0
            try stepper.run(system, from: 0, to: 3, state: &state) { _, _ in steps += 1 }
            return (state, steps, stepper.mostCutsWithoutProgress)
        }
        let (y, m, most) = try run(limit: Int.max)
        print("saw-tooth below 0.05 s: \(m) steps, at most \(most) failed attempts without progress")
        #expect(most >= 3)  // 0.4 → 0.2 → 0.1 fail before 0.05 passes
        let (x, n, _) = try run(limit: most + 1)
        #expect(n == m && x == y)
        #expect(n >= 60)  // 3 s in steps ≤ 0.05 s
        #expect(throws: TimeStepperError.self) { _ = try run(limit: most) }
    }

    @Test func aLimitBelowOneIsRefused() throws {
        var options = try TimeStepperOptions(initialStep: 0.1, minStep: 0.1, maxStep: 0.1)
        options.maxCutsWithoutProgress = 0
        var state = [0.0]
        #expect(throws: TimeStepperError.invalidOption(name: "maxCutsWithoutProgress", value: 0, expected: "a count ≥ 1")) {
            try AdaptiveTimeStepper(options: options).run(BoundedCreep(), from: 0, to: 1, state: &state)
        }
    }
}
