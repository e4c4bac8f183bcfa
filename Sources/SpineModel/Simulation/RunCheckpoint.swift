import Foundation
import Biomechanics
import FiniteElements

/// A biphasic run stopped at the end of one of its model steps, with everything its stepping
/// carries into the next step, so that a run of another model that acts alike up to there
/// (``Model/actingPrefix(throughStep:)``) continues from it as if it had run from the start.
///
/// Every model step starts its time stepping afresh (its own initial step), so the end of a step
/// is a point where nothing of the stepper is lost. What carries over: the unknowns, the
/// ligaments' history (reference lengths, damping rate, damage) and the facets' state, the results
/// and the recorders' peaks so far, the imbibed fluid, the Newton reference norm and statistics.
/// The rigid bodies' loads are the continuing model's own.
///
/// A limit search uses it to solve the lying preload, which every searched pull shares, once
/// instead of once per pull. A continued run with the default full Newton gives the same numbers
/// as the run from the start (`RunCheckpointTests`); with quasi-Newton the kept factorization does
/// not carry over, so the first step after the checkpoint refactors and the numbers agree to the
/// Newton tolerance.
struct RunCheckpoint {
    /// Index in the model's steps of the step the run stopped after.
    var afterStep: Int
    /// Model time at the checkpoint (s).
    var time: Double
    /// Unknowns at the checkpoint (mm, MPa; the simulation's equation order).
    var state: [Double]
    /// Unknowns at t = 0 (after free swelling).
    var startState: [Double]
    var freeSwellingReport: FreeSwellingReport?
    var ligaments: [LigamentBundle]
    var facets: [FacetContact]
    var results: SimulationResults
    var disc: DiscQuantityRecorder
    var motion: MotionSegmentRecorder?
    /// Fluid imbibed through each output surface since t = 0 (mm³) and its last rate (mm³/s).
    var imbibed: [Double], rate: [Double]
    var lastResidual: [Double]?
    /// The last accepted step's length (s).
    var lastTimeStep: Double?
    /// The next output time's index.
    var nextOutput: Int
    var notices: [String]
    /// Newton's reference residual norm so far (N).
    var referenceNorm: Double
    var statistics: NewtonStatistics
    /// Linear-solver seconds so far (s).
    var linearSolverSeconds: Double
    var mostCutsWithoutProgress: Int
    /// ``Model/actingPrefix(throughStep:)`` of the model that made it.
    var modelPrefix: Model
}

extension Simulation {
    /// Runs a biphasic model without solutes from `state` (its freely swollen state) to the end of
    /// model step `step` and returns the checkpoint there (see ``RunCheckpoint``).
    /// - Throws: ``ModelError`` for another kind of model, a state of another model, a step index
    ///   that is not a loading step before the last; the solver's errors.
    func checkpointSynchronously(from state: SimulationState, afterStep step: Int) throws -> RunCheckpoint {
        guard case let .biphasic(engine) = engine else {
            throw ModelError(.invalidValue, at: "", "checkpoints are available for biphasic models without solutes")
        }
        guard model.steps.indices.contains(step), step < model.steps.count - 1, model.steps[step].freeSwelling == nil else {
            throw ModelError(.invalidValue, at: model.rootPath.key("steps").description,
                             "checkpoint after step \(step): expected a loading step before the last of \(model.steps.count)")
        }
        try checkStart(state)
        _ = try engine.run(outputDirectory: nil, progress: { _, _ in }, start: (state.unknowns, state.freeSwelling), stopAfterFreeSwelling: false,
                           checkpointAfterStep: step)
        guard let checkpoint = engine.lastCheckpoint else {
            throw ModelError(.invalidValue, at: "", "the run ended without reaching the end of step \(step)")
        }
        return checkpoint
    }

    /// Continues `checkpoint`'s run with this model's steps after the checkpoint's step: the same
    /// results as a run of this model from the checkpoint's swollen state (see ``RunCheckpoint``).
    /// - Throws: ``ModelError`` when this model does not act like the checkpoint's up to it
    ///   (``Model/actingPrefix(throughStep:)`` differs) or is not biphasic without solutes; the
    ///   solver's errors, as a run from the start.
    func runSynchronously(resuming checkpoint: RunCheckpoint) throws -> SimulationResults {
        guard case let .biphasic(engine) = engine else {
            throw ModelError(.invalidValue, at: "", "checkpoints are available for biphasic models without solutes")
        }
        guard checkpoint.state.count == unknownCount, try model.actingPrefix(throughStep: checkpoint.afterStep) == checkpoint.modelPrefix else {
            throw ModelError(.invalidValue, at: model.rootPath.key("steps").description,
                             "the checkpoint at t = \(checkpoint.time) s was made by a model that acts otherwise up to it (mesh, materials, steps, outputs or loads differ there)")
        }
        return try engine.run(outputDirectory: nil, progress: { _, _ in }, start: nil, stopAfterFreeSwelling: false, resume: checkpoint)
    }
}
