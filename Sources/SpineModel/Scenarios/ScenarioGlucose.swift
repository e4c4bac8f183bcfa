import Foundation
import Biomechanics
import FiniteElements

/// The glucose budget of one scenario's session on the motion segment's disc: O₂, glucose and
/// lactate transport (``DiscNutritionModel``: diffusivities, blood values, Bibby et al. 2005 cell
/// metabolism) stepped after every accepted biphasic step of the run, with convection by the
/// disc's fluid flux (``NutrientTractionSimulation``).
///
/// Conservation holds step by step: `contentChange = imbibed − consumed` over the session, and
/// ``balanceError`` is the mismatch of that law from the start of the run to the end of the session, over its throughput.
public struct GlucoseBudget: Sendable, Equatable, Codable {
    /// The session (s, from the start of the run: lying preload, session, recovery).
    public var sessionStart: Double, sessionEnd: Double
    /// Net glucose that entered the disc through its whole surface over the session (mmol):
    /// diffusion through the blood-side faces plus convection with the fluid.
    public var imbibed: Double
    /// Glucose consumed by the disc cells over the session (mmol).
    public var consumed: Double
    /// Change of the disc's glucose content `∫ φ c dV` over the session (mmol).
    public var contentChange: Double
    /// From the start of the run to the end of the session (the transport stops there):
    /// `|Δcontent − Σ Δt (inflow − consumption)|` over the throughput `Σ Δt (|inflow| + |consumption|)` (1).
    public var balanceError: Double
    /// Smallest glucose concentration in the disc from the start of the run to the end of the session (mM).
    public var minimumConcentration: Double

    /// Creates a value from its parts (units as documented on each property).
    public init(sessionStart: Double, sessionEnd: Double, imbibed: Double, consumed: Double, contentChange: Double,
                balanceError: Double, minimumConcentration: Double) {
        self.sessionStart = sessionStart; self.sessionEnd = sessionEnd; self.imbibed = imbibed; self.consumed = consumed
        self.contentChange = contentChange; self.balanceError = balanceError; self.minimumConcentration = minimumConcentration
    }
}

extension ScenarioRunner {
    /// Runs `model` with the nutrient transport coupled to its disc, from the swollen state of
    /// `swollen` (computed and kept when missing), on a thread of its own (the solves are
    /// synchronous); the session is `window` (s). Cancelling the task stops the run after the
    /// current increment.
    static func simulateWithGlucose(_ model: Model, window: ClosedRange<Double>, nutrition: DiscNutritionModel,
                                    swollen: inout [String: SimulationState]) async throws -> (SimulationResults, GlucoseBudget) {
        let key = try model.freeSwellingKey()
        let state: SimulationState
        if let s = swollen[key] { state = s } else {
            state = try await Simulation(model: model).freeSwollenState()
            swollen[key] = state
        }
        let sim = try NutrientTractionSimulation(model: model, nutrition: nutrition, cycles: [window])
        let flag = CancellationFlag()
        let start = (unknowns: state.unknowns, report: state.freeSwelling)
        nonisolated(unsafe) let unshared = sim
        let (mechanics, nutrients) = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<(SimulationResults, NutrientTractionSimulation.Results), any Error>) in
                let thread = Thread {
                    do {
                        // The transport stops with the session: the recovery's glucose is not reported.
                        let r = try unshared.runCoupled(start: start, increment: { _, _, _ in if flag.isCancelled { throw CancellationError() } },
                                                        transportUntil: window.upperBound)
                        c.resume(returning: r)
                    } catch { c.resume(throwing: error) }
                }
                thread.stackSize = 16 << 20
                thread.start()
            }
        } onCancel: { flag.cancel() }
        let cycle = nutrients.cycles[0]
        return (mechanics, GlucoseBudget(sessionStart: window.lowerBound, sessionEnd: window.upperBound, imbibed: cycle.glucoseImbibed,
                                         consumed: cycle.glucoseConsumed, contentChange: cycle.contentChange,
                                         balanceError: nutrients.glucoseBalanceError, minimumConcentration: nutrients.extremes.minGlucose))
    }
}
