import Foundation
import Testing
import FiniteElements
@testable import SpineModel

/// A run continued from the end of a shared step (``RunCheckpoint``) against the same run from
/// the start, and the check that refuses a model acting otherwise before the checkpoint.
@Suite("Run checkpoints: a run continued from a shared step")
struct RunCheckpointTests {
    /// A short member of the cervical limit protocol (20° flexed pull, so the vertebra carries a
    /// moment; 10 s of lying preload, a 1 s ramp, 2 s hold, 1 s rest) on the coarse C5-C6 segment.
    static func search() throws -> CervicalLimitSearch {
        var s = CervicalLimitSearch(patient: try CervicalValidation.subject(), level: .c5c6)
        s.traction.ramp = .logarithmic(duration: 1)
        s.traction.hold = 2
        s.traction.rest = 1
        s.preloadDuration = 10
        return s
    }

    /// Everything a run reports but its timings and solver counts, as text.
    static func reported(_ r: SimulationResults) -> String {
        var r = r
        r.statistics = nil
        return r.json(nodeCount: 0, cellCount: 0, unknowns: 0).serialized()
    }

    /// True when `a` and `b` are the same text but for their numbers, and every pair of numbers
    /// agrees to `relative` × max(1, |number|).
    static func agree(_ a: String, _ b: String, relative: Double) -> Bool {
        let number = /-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/
        guard a.replacing(number, with: "#") == b.replacing(number, with: "#") else { return false }
        let x = a.matches(of: number).map { Double(a[$0.range])! }, y = b.matches(of: number).map { Double(b[$0.range])! }
        return x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= relative * max(1, abs($0)) }
    }

    /// The checkpoint is made at the end of the lying preload by the model pulled at 150 N; the
    /// model pulled at 60 N continued from it reports what the 60 N model run from the swollen
    /// state reports: the same output times and accepted steps, and every output, motion-segment
    /// series and peak and disc quantity to 1e-12 relative (the same arithmetic but for the
    /// continuing Newton solver's first decisions, which have no previous solve to go by:
    /// round-off; measured equal bits here, 1e-15 relative on a lumbar search), so every limit
    /// criterion too.
    @Test func continuedRunIsTheRunFromTheStart() throws {
        let s = try Self.search()
        let segment = try MotionSegment.cervical(s.level, patient: s.patient, mesh: s.mesh, ligaments: .yoganandan2000)
        let maker = try s.model(pull: 150, segment: segment), target = try s.model(pull: 60, segment: segment)
        let step = try #require(maker.steps.firstIndex { $0.name == ScenarioRunner.preloadStepName })
        let swollen = try Simulation(model: maker).freeSwollenStateSynchronously()
        let checkpoint = try Simulation(model: maker).checkpointSynchronously(from: swollen, afterStep: step)
        #expect(checkpoint.time == 10)
        let reference = try Simulation(model: target).runSynchronously(from: swollen)
        let continued = try Simulation(model: target).runSynchronously(resuming: checkpoint)
        #expect(reference.isComplete && continued.isComplete)
        #expect(continued.times == reference.times)
        #expect(continued.steps == reference.steps)
        #expect(Self.agree(Self.reported(continued), Self.reported(reference), relative: 1e-12))
        let a = try #require(continued.motionSegment), b = try #require(reference.motionSegment)
        for (x, y) in zip(s.criteria.evaluate(a), s.criteria.evaluate(b)) {
            #expect(x.criterion == y.criterion && abs(x.ratio - y.ratio) <= 1e-12 * max(1, y.ratio))
        }
        // Full Newton: the same iterations; one more symbolic analysis (the continuing solver's own).
        let (ca, ra) = (try #require(continued.statistics), try #require(reference.statistics))
        #expect(ca.iterations == ra.iterations && ca.factorizations == ra.factorizations && ca.analyses == ra.analyses + 1)
    }

    /// A different lying preload acts before the checkpoint: refused with a ``ModelError`` naming
    /// the steps, not run. A pull of another size that starts after the checkpoint has the same
    /// acting prefix; one that starts earlier (a curve corner moved into the preload) does not.
    @Test func refusesAModelThatActsOtherwiseBeforeTheCheckpoint() throws {
        var s = try Self.search()
        let segment = try MotionSegment.cervical(s.level, patient: s.patient, mesh: s.mesh, ligaments: .yoganandan2000)
        let maker = try s.model(pull: 150, segment: segment)
        let step = try #require(maker.steps.firstIndex { $0.name == ScenarioRunner.preloadStepName })
        #expect(try maker.actingPrefix(throughStep: step) == (try s.model(pull: 60, segment: segment).actingPrefix(throughStep: step)))
        var early = maker
        let traction = try #require(early.boundary[named: "traction"]?.curve)
        let c = try #require(early.curves[traction])
        early.curves[traction] = try LoadCurve(points: [(0, 0), (5, 0.1)] + zip(c.times, c.values).filter { $0.0 > 5 }.map { ($0.0, $0.1) })
        #expect(try early.actingPrefix(throughStep: step) != (try maker.actingPrefix(throughStep: step)))

        let swollen = try Simulation(model: maker).freeSwollenStateSynchronously()
        let checkpoint = try Simulation(model: maker).checkpointSynchronously(from: swollen, afterStep: step)
        s.lyingPreload = 20
        let other = try s.model(pull: 60, segment: segment)
        do {
            _ = try Simulation(model: other).runSynchronously(resuming: checkpoint)
            Issue.record("expected a refusal")
        } catch let e as ModelError {
            #expect(e.kind == .invalidValue && e.path == "steps")
        }
        // The partial run that made the checkpoint does not look complete.
        #expect(checkpoint.results.times.last ?? 0 <= 10)
    }
}
