import Foundation
import Testing
@testable import SpineModel

/// Runs `simulation` in a task and cancels that task while the progress handler of increment
/// `increment` waits for it, so the run is certainly still going when the cancellation arrives
/// (deterministic), and expects what every cancelled run must show: results marked incomplete
/// that stop at exactly that increment.
/// - Returns: the ``SimulationCancelled`` thrown, or nil (recorded as an issue) when the run finished.
func runCancelledAt(increment: Int, _ simulation: Simulation) async throws -> SimulationCancelled? {
    final class Gate: @unchecked Sendable {
        let lock = NSLock(); var increments = 0; var cancelled = false
        let (reached, signal) = AsyncStream.makeStream(of: Int.self)
    }
    let gate = Gate()
    simulation.onProgress = { _ in
        gate.lock.lock(); gate.increments += 1; let n = gate.increments; gate.lock.unlock()
        guard n == increment else { return }
        gate.signal.yield(n)
        // At most 600 s: the test's task that cancels needs a thread of the cooperative pool, which
        // on a 2-core machine other suites' synchronous tests can hold for tens of seconds.
        for _ in 0..<60_000 {
            gate.lock.lock(); let done = gate.cancelled; gate.lock.unlock()
            if done { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
    let task = Task { try await simulation.run() }
    for await _ in gate.reached {
        task.cancel()
        gate.lock.withLock { gate.cancelled = true }
        break
    }
    do {
        _ = try await task.value
        Issue.record("the run was not cancelled")
        return nil
    } catch let e as SimulationCancelled {
        #expect(!e.partial.isComplete)
        #expect(e.partial.steps.count == increment)   // stopped at the increment in progress
        return e
    }
}
