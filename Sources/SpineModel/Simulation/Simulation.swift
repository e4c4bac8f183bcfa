import Crypto
import Foundation
import Biomechanics
import FiniteElements
import SparseLinearAlgebra

/// A run stopped by task cancellation, with the results it had produced: the series end at the
/// last output time reached and ``SimulationResults/isComplete`` is false.
public struct SimulationCancelled: Error, CustomStringConvertible, Sendable {
    /// The results so far (incomplete).
    public let partial: SimulationResults
    public var description: String {
        "simulation cancelled at t = \(partial.steps.last?.time ?? 0) s after \(partial.steps.count) accepted steps; the results so far are incomplete"
    }
}

/// Where a run is: sent on ``Simulation/progress`` after every accepted time increment.
public struct SimulationProgress: Sendable, Equatable {
    /// What the run is doing.
    public enum Phase: String, Sendable {
        /// The free-swelling step before loading (``time`` is pseudo-time, s).
        case freeSwelling
        /// A loading step.
        case loading
    }
    /// The phase.
    public var phase: Phase
    /// Index of the model step being run.
    public var step: Int
    /// Its name.
    public var stepName: String
    /// Time reached (s): model time, or pseudo-time during free swelling.
    public var time: Double
    /// Fraction of the model's loading time done (0 during free swelling, 1 at the end).
    public var fraction: Double
    /// Newton iterations of the accepted increment.
    public var iterations: Int
}

/// Runs a ``Model`` of any kind — solid, biphasic, biphasic with solutes staggered on its
/// fluid, transport on a solid model at rest, or transport only (no solid) — and returns typed
/// ``SimulationResults``.
///
/// ```swift
/// var model = try DefaultDiscModel.model()
/// model.materials["np"]!.biphasic!.permeability.k0 *= 0.5
/// let simulation = try Simulation(model: model)
/// Task { for await p in simulation.progress { print(p.time, p.fraction) } }
/// let results = try await simulation.run()
/// print(results.nucleusPressure!.minimum!, results.imbibedVolume!.final!)   // MPa, mm³
/// ```
///
/// **Cancellation.** Cancelling the task that awaits ``run(outputDirectory:)`` stops the run
/// after the accepted increment in progress (free swelling included) and throws
/// ``SimulationCancelled`` with the results so far.
///
/// **Concurrency.** A simulation is a reference type: it owns its factorizations and caches and
/// runs once at a time (a second concurrent ``run(outputDirectory:)`` on the same instance is
/// refused). Separate instances run concurrently (e.g. a parameter sweep in a `TaskGroup`); each
/// runs on a thread of its own, outside Swift's cooperative pool.
public final class Simulation: @unchecked Sendable {
    /// The kinds of model a ``Simulation`` runs.
    public enum Kind: String, Sendable {
        /// Solid mechanics (small or finite strain); a transport block is solved after it on the same mesh.
        case solid
        /// Biphasic (u–p) mechanics.
        case biphasic
        /// Biphasic mechanics with solutes stepped after every accepted mechanical step.
        case biphasicWithTransport
        /// Solute transport (diffusion–reaction) with no solid: ``Model/isTransportOnly``.
        case transport
    }

    /// The model (validated).
    public let model: Model
    /// What kind of run this is.
    public let kind: Kind
    /// Progress after every accepted increment of this simulation's first run (free swelling
    /// included); finishes when that run ends. One consumer; later runs report through ``onProgress``.
    public let progress: AsyncStream<SimulationProgress>
    /// Called on the running thread after every accepted increment with the same progress
    /// values as ``progress`` (for synchronous callers, e.g. a progress bar); keep it short.
    public var onProgress: ((SimulationProgress) -> Void)? = nil
    /// What produced a run, recorded in the output directory's `run.json` (the CLI puts its command line here).
    public var runLabel = "Simulation.run"

    /// The library's version, recorded with every run.
    public static let libraryVersion = "0.2.0"
    private let progressContinuation: AsyncStream<SimulationProgress>.Continuation

    enum Engine {
        case solid(SolidSimulation)
        case biphasic(BiphasicSimulation)
        case coupled(BiphasicSimulation, TransportSimulation)
        case transport(TransportSimulation)
    }
    let engine: Engine
    private let state = RunState()

    /// Plausibility warnings for the model (``Model/plausibilityWarnings()``, the mesh's size
    /// taken from the mesh built): finite values far outside their physical range, most often a
    /// unit slip; for a biphasic model, also rigid-body motions no condition restrains (rule
    /// `rigidBodyMotions`). Every run's ``SimulationResults/notices`` starts with them.
    public let warnings: [PlausibilityWarning]

    /// Validates the model and builds the discrete problem (mesh, materials, conditions);
    /// plausibility warnings are reported, not refused (``init(model:strict:)`` with `strict: true` refuses them).
    /// - Throws: ``ModelError`` naming the place in the model's ``Model/pathStyle``.
    public convenience init(model: Model) throws { try self.init(model: model, strict: false) }

    /// Validates the model and builds the discrete problem (mesh, materials, conditions).
    /// - Parameter strict: refuse the model when it has a plausibility warning (for CI and
    ///   scripted sweeps); otherwise the warnings are reported in ``warnings`` and the results' notices.
    /// - Throws: ``ModelError`` naming the place in the model's ``Model/pathStyle``: of kind
    ///   ``ModelError/Kind/unconstrained`` when a part of the mesh can move as a rigid body,
    ///   ``ModelError/Kind/implausible`` for the first warning of a strict simulation. A biphasic
    ///   model with unrestrained rigid-body motions is warned about (its LDLᵀ solve perturbs the
    ///   zero pivots), a solid model refused.
    public init(model: Model, strict: Bool) throws {
        try model.validate()
        self.model = model
        if model.isTransportOnly {
            engine = .transport(try TransportSimulation(model: model)); kind = .transport
        } else if model.isBiphasic {
            let biphasic = try BiphasicSimulation(model: model)
            if model.transport != nil {
                // Solutes carried by the fluid: transport on the linear cells of the corner nodes
                // (same cell numbering), stepped after every biphasic step.
                let transport = try TransportSimulation(model: model, mesh: NutrientTractionSimulation.cornerMesh(of: biphasic.mesh))
                engine = .coupled(biphasic, transport); kind = .biphasicWithTransport
            } else {
                engine = .biphasic(biphasic); kind = .biphasic
            }
        } else {
            let solid = try SolidSimulation(model: model)
            if model.transport != nil { _ = try TransportSimulation(model: model, mesh: solid.mesh) }
            engine = .solid(solid); kind = .solid
        }
        let built: Mesh
        switch engine {
        case let .solid(s): built = s.mesh
        case let .biphasic(b), let .coupled(b, _): built = b.mesh
        case let .transport(t): built = t.mesh
        }
        var found = model.plausibilityWarnings(extent: RigidBodyCheck.extent(of: built))
        // A transport-only model has no solid that could move.
        if !model.isTransportOnly, let rigid = RigidBodyCheck.find(model: model, mesh: built) {
            // A Cholesky solve fails on the singular stiffness: refuse. A biphasic LDLᵀ solve
            // perturbs the zero pivots, usable for a symmetric test: warn (strict refuses).
            guard model.isBiphasic, !strict else { throw rigid.error }
            found.insert(rigid.warning, at: 0)
        }
        warnings = found
        if strict, let first = warnings.first { throw first.error }
        (progress, progressContinuation) = AsyncStream.makeStream(of: SimulationProgress.self, bufferingPolicy: .bufferingNewest(1024))
    }

    /// The mesh (mm).
    public var mesh: Mesh {
        switch engine {
        case let .solid(s): return s.mesh
        case let .biphasic(b), let .coupled(b, _): return b.mesh
        case let .transport(t): return t.mesh
        }
    }

    /// Unknowns of the mechanical system.
    public var unknownCount: Int {
        switch engine {
        case let .solid(s): return s.unknownCount
        case let .biphasic(b), let .coupled(b, _): return b.unknownCount
        case let .transport(t): return t.problem.dofMap.dofCount
        }
    }

    /// Runs every step on a thread of its own and returns the results; writes `results.json`,
    /// `results.csv`, VTU/PVD and SVG plots (and `transport.*` for solutes) into
    /// `outputDirectory` when given.
    /// - Throws: ``SimulationCancelled`` when the task is cancelled; ``ModelError``, the
    ///   solver's errors when a step fails at its smallest increment.
    public func run(outputDirectory: URL? = nil) async throws -> SimulationResults {
        try await runOnThread { try self.runHere(.full, outputDirectory: outputDirectory, cancellation: $0) }
    }

    /// Runs the loading steps starting from a kept state (the freely swollen disc of
    /// ``freeSwollenState()``) instead of the free-swelling step; otherwise as
    /// ``run(outputDirectory:)``. The results' ``SimulationResults/freeSwelling`` is the state's report.
    /// - Throws: ``ModelError`` when the state belongs to another model (see ``SimulationState``).
    public func run(from state: SimulationState, outputDirectory: URL? = nil) async throws -> SimulationResults {
        try checkStart(state)
        return try await runOnThread { try self.runHere(.from(state), outputDirectory: outputDirectory, cancellation: $0) }
    }

    /// Runs only the free-swelling step of a biphasic model and returns the swollen state at
    /// t = 0, to start many runs from (``run(from:outputDirectory:)``).
    /// - Throws: ``ModelError`` for a model without a free-swelling step; the step's errors.
    public func freeSwollenState() async throws -> SimulationState {
        try await runOnThread { try self.swellHere(cancellation: $0) }
    }

    /// ``run(from:outputDirectory:)`` on the calling thread.
    public func runSynchronously(from state: SimulationState, outputDirectory: URL? = nil) throws -> SimulationResults {
        try checkStart(state)
        return try runHere(.from(state), outputDirectory: outputDirectory, cancellation: CancellationFlag())
    }

    /// ``freeSwollenState()`` on the calling thread.
    public func freeSwollenStateSynchronously() throws -> SimulationState { try swellHere(cancellation: CancellationFlag()) }

    /// Free-swelling steps this simulation has run (a run from a kept state runs none).
    public var freeSwellingRuns: Int {
        switch engine {
        case .solid, .transport: return 0
        case let .biphasic(b), let .coupled(b, _): return b.freeSwellingRuns
        }
    }

    func checkStart(_ state: SimulationState) throws {
        guard state.time == 0 else {
            throw ModelError(.invalidValue, at: "state.time", "runs start from a state at t = 0 (the start of loading), got t = \(state.time) s")
        }
        guard state.unknowns.count == unknownCount else {
            throw ModelError(.invalidValue, at: "state.unknowns", "the state has \(state.unknowns.count) unknowns, this simulation \(unknownCount): it belongs to another model")
        }
        guard state.modelKey == (try model.freeSwellingKey()) else {
            throw ModelError(.invalidValue, at: "state.modelKey", "the state was computed for another model: the mesh, materials, constraints, fluid conditions or free-swelling step differ (only force and pressure loads may change)")
        }
    }

    private func swellHere(cancellation: CancellationFlag) throws -> SimulationState {
        guard model.steps.first?.freeSwelling != nil else {
            throw ModelError(.invalidValue, at: model.rootPath.key("steps").index(0).description, "the model has no free-swelling step: it starts unswollen at t = 0")
        }
        _ = try runHere(.swellOnly, outputDirectory: nil, cancellation: cancellation)
        guard case let .biphasic(b) = engine, let unknowns = b.startState else {
            guard case let .coupled(b, _) = engine, let unknowns = b.startState else {
                throw ModelError(.invalidValue, at: "", "free swelling needs a biphasic model")
            }
            return SimulationState(time: 0, unknowns: unknowns, freeSwelling: b.freeSwellingReport, modelKey: try model.freeSwellingKey())
        }
        return SimulationState(time: 0, unknowns: unknowns, freeSwelling: b.freeSwellingReport, modelKey: try model.freeSwellingKey())
    }

    private func runOnThread<T: Sendable>(_ body: @escaping @Sendable (CancellationFlag) throws -> T) async throws -> T {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let thread = Thread {
                    do { continuation.resume(returning: try body(flag)) } catch { continuation.resume(throwing: error) }
                }
                thread.stackSize = 16 << 20
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
    }

    /// Runs every step on the calling thread (for scripts without Swift concurrency); the same
    /// results and files as the `async` ``run(outputDirectory:)``.
    public func runSynchronously(outputDirectory: URL? = nil) throws -> SimulationResults {
        try runHere(.full, outputDirectory: outputDirectory, cancellation: CancellationFlag())
    }

    enum Mode { case full, from(SimulationState), swellOnly }

    private func runHere(_ mode: Mode, outputDirectory: URL?, cancellation: CancellationFlag) throws -> SimulationResults {
        guard state.begin() else {
            throw ModelError(.invalidValue, at: "", "this simulation is running already: make one Simulation per concurrent run")
        }
        defer { state.end(); progressContinuation.finish() }
        // Output goes through the run-directory protocol: a staging directory swapped into place
        // only when the run is complete; a failed or cancelled run leaves the previous results
        // untouched and its own output marked incomplete.
        let run = try outputDirectory.map { dir throws(RunDirectoryError) in
            try RunDirectory.begin(at: dir, command: runLabel, modelDigest: modelDigest, libraryVersion: Self.libraryVersion)
        }
        do {
            var results = try runEngine(mode, outputDirectory: run?.staging, cancellation: cancellation)
            results.notices = warnings.map(\.description) + results.notices
            results.nodeCount = mesh.nodeCount; results.cellCount = mesh.cellCount; results.unknownCount = unknownCount
            _ = try run?.commit()
            return results
        } catch {
            try? run?.fail(reason: String(describing: error))
            throw error
        }
    }

    /// SHA-256 (hex) of the model file this model writes, or nil when it has no file form.
    public var modelDigest: String? {
        guard let data = try? model.jsonData() else { return nil }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private func runEngine(_ mode: Mode, outputDirectory: URL?, cancellation: CancellationFlag) throws -> SimulationResults {
        let endTime = model.steps.reduce(0) { $0 + $1.duration }
        let steps = model.steps
        let continuation = progressContinuation
        let handler = onProgress
        let observer: (Int, Double, Int) throws -> Void = { step, time, iterations in
            let swelling = steps[step].freeSwelling != nil
            let p = SimulationProgress(phase: swelling ? .freeSwelling : .loading, step: step, stepName: steps[step].name,
                                       time: time, fraction: swelling ? 0 : min(time / max(endTime, .leastNormalMagnitude), 1),
                                       iterations: iterations)
            continuation.yield(p)
            handler?(p)
            if cancellation.isCancelled { throw CancellationError() }
        }
        switch engine {
        case let .solid(solid):
            solid.incrementObserver = observer
            defer { solid.incrementObserver = nil }
            var results = try solid.run(outputDirectory: outputDirectory)
            if model.transport != nil {
                let transport = try TransportSimulation(model: model, mesh: solid.mesh).run(outputDirectory: outputDirectory)
                results.solutes = transport.probes + transport.surfaces + transport.regions
                results.nutrients = transport.nutrients
            }
            return results
        case let .biphasic(biphasic):
            biphasic.incrementObserver = observer
            defer { biphasic.incrementObserver = nil }
            return try biphasic.run(outputDirectory: outputDirectory, progress: { _, _ in }, start: mode.start, stopAfterFreeSwelling: mode.swellOnly)
        case let .coupled(biphasic, transport):
            biphasic.incrementObserver = observer
            defer { biphasic.incrementObserver = nil }
            if mode.swellOnly || mode.start != nil {
                throw ModelError(.invalidValue, at: "transport", "runs from a kept state are available for biphasic models without solutes")
            }
            var (mechanics, solutes) = try transport.runCoupled(with: biphasic, outputDirectory: outputDirectory)
            mechanics.solutes = solutes.probes + solutes.surfaces + solutes.regions
            mechanics.nutrients = solutes.nutrients
            return mechanics
        case let .transport(transport):
            if mode.swellOnly || mode.start != nil {
                throw ModelError(.invalidValue, at: "steps", "a transport-only model has no free-swelling state to start from")
            }
            transport.incrementObserver = observer
            defer { transport.incrementObserver = nil }
            var results = try transport.run(outputDirectory: outputDirectory)
            // Every series of a transport-only run is a solute's: one list, as for the other kinds.
            results.solutes = results.probes + results.surfaces + results.regions
            results.probes = []; results.surfaces = []; results.regions = []
            return results
        }
    }
}

extension Simulation.Mode {
    var start: (unknowns: [Double], report: FreeSwellingReport?)? {
        if case let .from(state) = self { return (state.unknowns, state.freeSwelling) }
        return nil
    }
    var swellOnly: Bool { if case .swellOnly = self { return true }; return false }
}

/// A run's exclusive flag and its cancellation request.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false

    func begin() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if running { return false }
        running = true
        return true
    }

    func end() { lock.lock(); running = false; lock.unlock() }
}

/// A thread-safe cancellation request, set from a task's cancellation handler and read by the
/// run after every accepted increment.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func cancel() { lock.lock(); value = true; lock.unlock() }
}
