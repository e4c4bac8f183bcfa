import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// The one `Simulation`: typed standard quantities against the model's own declared outputs,
/// cancellation, and concurrent runs against runs alone.
@Suite("Simulation API")
struct SimulationAPITests {
    /// The coarse default disc (no free swelling, 70 s) with fixed 5 s increments.
    static func coarseDisc(fixedStep: Double? = nil) throws -> Model {
        var model = try NutrientTractionSimulation.coarseVerificationModel()
        if let dt = fixedStep {
            for i in model.steps.indices { model.steps[i].initialStep = dt; model.steps[i].minStep = dt; model.steps[i].maxStep = dt }
        }
        return model
    }

    /// The typed quantities equal the outputs the default disc declares by name: the transducer
    /// probe at the nucleus centroid (0, 0, 5), the `uz` probe on the rigid top, the per-surface
    /// `fluidVolume` outputs and the whole-disc `volumeChange` (minus its value at t = 0) — each
    /// computed by a different path in the engine.
    @Test func standardQuantitiesMatchDeclaredOutputs() throws {
        let results = try Simulation(model: try Self.coarseDisc()).runSynchronously()
        let pressure = try #require(results.nucleusPressure)
        #expect(pressure.unit == "MPa")
        let probe = try #require(results.series(named: "nucleusPressure")).scalars
        #expect(pressure.scalars.count == probe.count)
        for (a, b) in zip(pressure.scalars, probe) { #expect(abs(a - b) <= 1e-12 * max(abs(b), 1e-3)) }
        // Extremes over every accepted step bound the output-time values and are hit at accepted steps.
        let e = try #require(pressure.extremes)
        #expect(e.steps == results.steps.count + 1)
        #expect(e.minimum <= probe.min()! && e.maximum >= probe.max()!)
        #expect(results.steps.contains { $0.time == e.minimumTime })
        let height = try #require(results.heightChange).scalars, uz = try #require(results.series(named: "discHeightChange")).scalars
        for (a, b) in zip(height, uz) { #expect(abs(a - b) <= 1e-12) }
        let total = try #require(results.imbibedVolume).scalars, dv = try #require(results.series(named: "discVolumeChange")).scalars
        for (a, b) in zip(total, dv) { #expect(abs(a - (b - dv[0])) <= 1e-9 * max(abs(dv.map(abs).max()!), 1)) }
        let top = try #require(results.imbibedBySurface["top"]).scalars, declared = try #require(results.series(named: "imbibedEndplates")).scalars
        for (a, b) in zip(top, declared) { #expect(abs(a - b) <= 1e-12 * max(abs(b), 1)) }
        #expect(Set(results.imbibedBySurface.keys) == ["top", "bottom", "outer"])
        #expect(results.isComplete)
    }

    /// A run stopped from its increment observer stops at that increment and hands back the
    /// results so far, marked incomplete.
    @Test func cancellationStopsWithinOneIncrement() throws {
        let model = try Self.coarseDisc(fixedStep: 5)
        let full = try Simulation(model: model).runSynchronously()
        let simulation = try Simulation(model: model)
        guard case let .biphasic(engine) = simulation.engine else { Issue.record("expected a biphasic engine"); return }
        var increments = 0
        engine.incrementObserver = { _, _, _ in
            increments += 1
            if increments == 5 { throw CancellationError() }
        }
        let error = try #require(throws: SimulationCancelled.self) { _ = try engine.run() }
        #expect(error.partial.steps.count == 5)
        #expect(!error.partial.isComplete)
        #expect(error.partial.times == full.times.filter { $0 <= error.partial.steps.last!.time + 1e-9 })
        #expect(error.partial.times.count < full.times.count)
        #expect(error.partial.nucleusPressure?.scalars == Array(full.nucleusPressure!.scalars.prefix(error.partial.times.count)))
    }

    /// Cancelling the awaiting task stops the run at the increment in progress with
    /// ``SimulationCancelled``. Deterministic: the progress handler of the third increment waits
    /// until the test has cancelled the task, so the run is certainly still going.
    @Test func taskCancellationThrowsWithPartialResults() async throws {
        let model = try Self.coarseDisc(fixedStep: 5)
        let simulation = try Simulation(model: model)
        _ = try #require(try await runCancelledAt(increment: 3, simulation))   // incomplete, stopped at increment 3
    }

    /// Two simulations in one process, concurrently, give what each gives alone.
    @Test func concurrentRunsEqualRunsAlone() async throws {
        var soft = try Self.coarseDisc(fixedStep: 5)
        soft.materials["np"]!.biphasic!.permeability.k0 *= 0.5
        let stiff = try Self.coarseDisc(fixedStep: 5)
        let alone = [try await Simulation(model: soft).run(), try await Simulation(model: stiff).run()]
        let together = try await withThrowingTaskGroup(of: (Int, SimulationResults).self) { group in
            for (i, m) in [soft, stiff].enumerated() { group.addTask { (i, try await Simulation(model: m).run()) } }
            var out = [SimulationResults?](repeating: nil, count: 2)
            for try await (i, r) in group { out[i] = r }
            return out.map { $0! }
        }
        for k in 0..<2 {
            let a = alone[k].nucleusPressure!.scalars, b = together[k].nucleusPressure!.scalars
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-10 * max(abs(x), 1e-3)) }
            let va = alone[k].imbibedVolume!.scalars, vb = together[k].imbibedVolume!.scalars
            for (x, y) in zip(va, vb) { #expect(abs(x - y) <= 1e-10 * max(abs(x), 1e-3)) }
        }
        // The two members differ (the sweep is not trivially equal).
        #expect(alone[0].nucleusPressure!.scalars != alone[1].nucleusPressure!.scalars)
    }
}

/// States as values: one free swelling, many runs.
@Suite("Simulation states")
struct SimulationStateTests {
    /// The coarse disc with the default disc's free-swelling step first and fixed 5 s loading increments.
    static func swellingCoarseDisc() throws -> Model {
        var model = try SimulationAPITests.coarseDisc(fixedStep: 5)
        let swelling = try #require(try DefaultDiscModel.model().steps.first { $0.freeSwelling != nil })
        model.steps.insert(swelling, at: 0)
        return model
    }

    /// A 5-member pull-force sweep from one kept swollen state equals five full runs (each with
    /// its own free swelling) to 1e-10, and free swelling ran once.
    @Test func sweepFromOneSwollenStateEqualsFullRuns() async throws {
        let base = try Self.swellingCoarseDisc()
        let keeper = try Simulation(model: base)
        let swollen = try await keeper.freeSwollenState()
        #expect(keeper.freeSwellingRuns == 1)
        #expect(swollen.freeSwelling != nil && swollen.time == 0)
        // The restart file gives back the same bits.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try swollen.write(to: file)
        let reread = try SimulationState(contentsOf: file)
        #expect(reread == swollen)

        let forces = [50.0, 80, 110, 140, 170]
        func member(_ f: Double) -> Model {
            var m = base
            m.boundary[named: "traction"]!.force = SIMD3(0, 0, f)
            return m
        }
        let fromState = try await withThrowingTaskGroup(of: (Int, SimulationResults, Int).self) { group in
            for (i, f) in forces.enumerated() {
                group.addTask {
                    let s = try Simulation(model: member(f))
                    let r = try await s.run(from: reread)
                    return (i, r, s.freeSwellingRuns)
                }
            }
            var out = [(SimulationResults, Int)?](repeating: nil, count: forces.count)
            for try await (i, r, runs) in group { out[i] = (r, runs) }
            return out.map { $0! }
        }
        for (i, f) in forces.enumerated() {
            let full = try await Simulation(model: member(f)).run()
            let (r, swellings) = fromState[i]
            #expect(swellings == 0)
            #expect(r.freeSwelling == full.freeSwelling)
            let a = r.nucleusPressure!.scalars, b = full.nucleusPressure!.scalars
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-10 * max(abs(y), 1e-3), "force \(f) N") }
            for (x, y) in zip(r.imbibedVolume!.scalars, full.imbibedVolume!.scalars) { #expect(abs(x - y) <= 1e-10 * max(abs(y), 1e-3)) }
        }
        // Larger pulls give lower minimum pressures (the members differ as they should).
        let minima = fromState.map { $0.0.nucleusPressure!.minimum! }
        #expect(zip(minima, minima.dropFirst()).allSatisfy { $0 > $1 })
    }

    /// A state is refused by a model whose free-swelling problem differs.
    @Test func stateOfAnotherModelIsRefused() throws {
        let base = try Self.swellingCoarseDisc()
        let swollen = try Simulation(model: base).freeSwollenStateSynchronously()
        var other = base
        other.materials["np"]!.biphasic!.osmotic!.cF0 = -200
        let error = try #require(throws: ModelError.self) { _ = try Simulation(model: other).runSynchronously(from: swollen) }
        #expect(error.path == "state.modelKey")
        var shifted = swollen
        shifted.time = 60
        let timeError = try #require(throws: ModelError.self) { _ = try Simulation(model: base).runSynchronously(from: shifted) }
        #expect(timeError.path == "state.time")
    }
}
