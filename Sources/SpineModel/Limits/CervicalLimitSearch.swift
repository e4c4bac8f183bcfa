import Crypto
import Foundation
import TractionSafety

/// The largest halter pull of professional cervical traction for which every ``LimitCriteria``
/// criterion holds in the patient's cervical motion segment, found with full solves, worst case
/// over the cervical ligament data sets.
///
/// **Limit protocol.** One representative cycle of ``ProfessionalCervicalTraction`` (`cycles = 1`:
/// its ramp shape, hold, rest level, posture and pull angle), the pull mapped to the level by
/// ``CervicalTractionGeometry/loadAtLevel(ropeForce:bodyMassKg:fractions:)`` — the axial force
/// *and* the flexion moment of the pull angle, with the head's weight of the cervical comparison
/// (Dempster's 8.1 % of body mass unless the geometry overrides it) — applied to the upper
/// vertebra of ``MotionSegment/cervical(_:patient:mesh:ligaments:divisions:geometry:)`` after
/// ``lyingPreload`` N held ``preloadDuration`` s. Outputs every ``outputSpacing`` s (5 s: the
/// ends of the 5 s ramps and of the 30 s hold are outputs), so each criterion's peak over the
/// cycle is seen. One cycle gives each criterion its peak: with the shipped data set (no damage
/// law) nothing accumulates from cycle to cycle.
///
/// **Search.** ``LimitBracketing`` on the halter pull (N) from ``ceilingHardCapMultiple`` × the
/// cervical clinical hard cap (``TractionSafety/ClinicalCaps/cervicalHardPoundsForce`` = 45 lbf =
/// 200.2 N; default multiple 2, a ceiling of 400.3 N, below the 445 N a
/// ``ProfessionalCervicalTraction`` accepts) down, to ``relativeTolerance``; the free-swollen disc
/// is computed once per data set and every run starts from it. The limit is the smallest of the
/// data sets' limits; it is a simulated, admissible pull (never extrapolated). The ceiling lies
/// above the clinical caps on purpose: the model's own limit is found and reported even where a
/// clinical cap governs the document.
///
/// **Stopping a solve early** (``stopsAtFirstViolation``). At 20° the pull's flexion moment
/// (pull × sin 20° × 120 mm: 8.2 N·m at 200 N, 16.4 N·m at the ceiling) loads the front of a
/// single cervical disc far beyond a physiological moment. (Until the rigid vertebra's tangent
/// carried the non-symmetric stiffness of that moment — Biomechanics now hands it to Newton as a
/// `TangentCorrection` (FiniteElements) — the 200 N solve stopped three seconds into the hold
/// with ``SimulationError/stepCollapsed(time:step:cause:detail:)`` on a Newton stall; it now runs
/// to the end of its cycle.) The interspinous ligament passes half its failure force during the
/// ramp or early in the hold, so a full cycle above the limit is wasted work, and a solve far
/// above it can still end early on a compacted disc. A solve is therefore stopped after the first
/// accepted step at which a criterion's peak so far exceeds its bound: that peak is a lower bound
/// of the cycle's peak, so the pull is inadmissible, exactly. The stopped evaluation reports the
/// violated criteria with the ratio `+∞`, so ``LimitBracketing`` does not interpolate through
/// it: it places the next pull with the line through the two largest admissible pulls (or bisects
/// while it has one), and its monotonicity check still refuses an admissible pull above an
/// inadmissible one; the ratios of two stopped pulls are not compared. Admissible pulls — the
/// limit among them — are always solved to the end of the cycle.
///
/// **The shared preload.** Every searched pull starts with the same lying preload (nothing of the
/// pull acts before the ramp), so that step is solved once, on the ceiling's model, and every
/// searched run continues from its end (``MotionSegmentLimitSearch``'s shared steps: the
/// continued runs report what runs from the swollen state report, to round-off). With the line
/// through the admissible pulls, the default patient's search takes 7 solves and about 3 s
/// instead of 10 solves and 6.5 s.
/// A solve whose time step collapses on a compacted disc (``SimulationError/stepCollapsed(time:step:cause:detail:)``,
/// ``StepCollapseCause/solidCompacted(cell:J:solidVolumeFraction:)``) is inadmissible in the
/// same way: the criterion `discCompaction` with the ratio `+∞`, beside the other criteria's
/// values so far (``LimitCriteria``, "Disc compaction"). Before the engine stopped such a solve
/// it crawled (0.0003 s of model time in 158 s at 200 N); now it stops after a bounded number of
/// failed attempts (``BiphasicSimulation/maxCutsWithoutProgress``).
///
/// **Criteria.** The same ``LimitCriteria`` as the lumbar search (by default half of each
/// ligament's failure force — the capsular ligaments included, as the cervical data set gives
/// their failure force —, no laxity, and the 4.0 mm distraction bound, which is a lumbar in-vivo
/// observation: no in-vivo maximum cervical distraction under traction was found, so it is kept
/// as a parameter), with the cervical segment's measured discretisation factors
/// (``DiscretisationFactors/forCervicalMesh(_:)``): each quantity the mesh computes is raised by
/// its mesh error against the fine mesh before it is compared with its bound.
///
/// **Configuration.** The posture gives the support surface (`.supine` or `.seated`); the harness
/// is ``harness`` (`.headHalter` or `.occipitalCradle`). The level's loads do not depend on the
/// harness: the halter's strap split (``Halter``) sets only the load on the temporomandibular
/// joints, which no criterion bounds.
///
/// ```swift
/// let p = try Patient(bodyMassKg: 70, heightCm: 175)
/// let limit = try CervicalLimitSearch(patient: p, level: .c5c6).run()
/// limit.limit                 // N (halter pull)
/// limit.candidate             // a .modelCriterion LimitCandidate for LimitsBuilder
/// ```
public struct CervicalLimitSearch: Sendable {
    /// The patient (mass for the head's weight, disc grade for the disc; ``Patient/level`` is not used).
    public var patient: Patient
    /// The treated level.
    public var level: CervicalLevel
    /// The protocol family: ramp, hold, rest, rest level, posture, pull angle, halter (its `pull`
    /// and `cycles` are replaced by the searched pull and one cycle; its geometry's level by ``level``).
    public var traction: ProfessionalCervicalTraction
    /// The harness the document will name (`.headHalter` or `.occipitalCradle`).
    public var harness: TractionConfiguration.Harness
    /// The criteria and their bounds.
    public var criteria: LimitCriteria
    /// The ligament data sets the limit is the worst case over (at least one).
    public var ligamentDataSets: [CervicalLigamentDataSet]
    /// The motion segment's mesh.
    public var mesh: DefaultDiscModel.MeshLevel
    /// Largest pull searched, as a multiple of the cervical clinical hard cap (dimensionless,
    /// (0, 2.2]: at most 440 N, within what ``ProfessionalCervicalTraction`` accepts).
    public var ceilingHardCapMultiple: Double
    /// Bracket width over the limit at which the search stops (dimensionless, (0, 0.5]).
    public var relativeTolerance: Double
    /// The lying preload before the cycle (N, compressive, ≥ 0), ramped as the cervical comparison does.
    public var lyingPreload: Double
    /// How long the preload is held before the cycle (s, > 0).
    public var preloadDuration: Double
    /// Largest time step and output spacing during the cycle (s, > 0).
    public var outputSpacing: Double
    /// Whether a search solve stops at the first accepted time step after which a criterion is
    /// already violated (default true). The criteria are peaks over the cycle, so the load is then
    /// inadmissible whatever the rest of the cycle does; the stopped evaluation reports each
    /// criterion past its bound with the ratio `+∞` (its peak over the whole cycle is not
    /// computed) and the others with their values so far. False runs every cycle to its end.
    public var stopsAtFirstViolation = true

    /// The cervical clinical hard cap (N): 45 lbf.
    public static var clinicalHardCapN: Double { ClinicalCaps.cervicalHardPoundsForce * ClinicalCaps.newtonsPerPoundForce }

    /// A search with the professional cervical protocol's defaults (supine on a sliding
    /// headpiece, 20° of flexion, 5 s logarithmic ramps, 30 s hold, rest at 25 %), a head halter,
    /// the default criteria with the cervical discretisation factors of `mesh`
    /// (``DiscretisationFactors/forCervicalMesh(_:)``) when `criteria` is nil, the ``CervicalLigamentDataSet/yoganandan2000`` data set, the coarse
    /// mesh, a ceiling of twice the clinical hard cap, a 1 % bracket, the 17 N lying preload held
    /// 60 s and 5 s outputs.
    public init(patient: Patient, level: CervicalLevel = .c5c6, traction: ProfessionalCervicalTraction = ProfessionalCervicalTraction(),
                harness: TractionConfiguration.Harness = .headHalter, criteria: LimitCriteria? = nil,
                ligamentDataSets: [CervicalLigamentDataSet] = [.yoganandan2000], mesh: DefaultDiscModel.MeshLevel = .coarse,
                ceilingHardCapMultiple: Double = 2, relativeTolerance: Double = 0.01,
                lyingPreload: Double = 17, preloadDuration: Double = 60, outputSpacing: Double = 5) {
        self.patient = patient; self.level = level; self.traction = traction; self.harness = harness
        self.criteria = criteria ?? LimitCriteria(discretisation: .forCervicalMesh(mesh))
        self.ligamentDataSets = ligamentDataSets; self.mesh = mesh; self.ceilingHardCapMultiple = ceilingHardCapMultiple
        self.relativeTolerance = relativeTolerance; self.lyingPreload = lyingPreload; self.preloadDuration = preloadDuration
        self.outputSpacing = outputSpacing
    }

    /// Checks the search's parameters.
    /// - Throws: ``LimitSearchError`` naming the field; ``AnatomyError`` for the patient;
    ///   ``ScenarioError`` for the protocol.
    public func validate() throws {
        try patient.validate()
        try traction.validate()
        try criteria.validate()
        guard harness == .headHalter || harness == .occipitalCradle else {
            throw LimitSearchError.unsupportedProtocol(field: "harness", value: .nan, expected: "headHalter or occipitalCradle (a cervical harness), got \(harness.rawValue)")
        }
        guard !ligamentDataSets.isEmpty else {
            throw LimitSearchError.invalidParameter(field: "ligamentDataSets", value: 0, expected: "at least one cervical ligament data set")
        }
        guard ceilingHardCapMultiple.isFinite, ceilingHardCapMultiple > 0, ceilingHardCapMultiple <= 2.2 else {
            throw LimitSearchError.invalidParameter(field: "ceilingHardCapMultiple", value: ceilingHardCapMultiple, expected: "a multiple of the 45 lbf clinical hard cap in (0, 2.2]")
        }
        guard relativeTolerance.isFinite, relativeTolerance > 0, relativeTolerance <= 0.5 else {
            throw LimitSearchError.invalidParameter(field: "relativeTolerance", value: relativeTolerance, expected: "a fraction in (0, 0.5]")
        }
        guard lyingPreload.isFinite, lyingPreload >= 0 else {
            throw LimitSearchError.invalidParameter(field: "lyingPreload", value: lyingPreload, expected: "a finite force ≥ 0 N")
        }
        for (name, v) in [("preloadDuration", preloadDuration), ("outputSpacing", outputSpacing)] where !(v.isFinite && v > 0) {
            throw LimitSearchError.invalidParameter(field: name, value: v, expected: "a finite time > 0 s")
        }
    }

    /// The search ceiling (N, halter pull).
    public var ceiling: Double { ceilingHardCapMultiple * Self.clinicalHardCapN }

    /// One cycle of the protocol at `pull` (N) at ``level``.
    public func cycle(pull: Double) -> ProfessionalCervicalTraction {
        var c = traction
        c.cycles = 1
        c.pull = pull
        c.geometry.level = level
        return c
    }

    /// The loads at the level over the limit protocol's cycle at `pull` (N, halter).
    /// - Throws: ``ScenarioError`` for a bad protocol or pull.
    public func history(pull: Double) throws -> CervicalLoadHistory {
        try cycle(pull: pull).historyAtLevel(bodyMassKg: patient.bodyMassKg)
    }

    /// The load at the level for a halter pull (N) in the protocol's geometry.
    /// - Throws: ``ScenarioError`` for a bad geometry or pull.
    public func loadAtLevel(pull: Double) throws -> CervicalLoadAtLevel {
        try cycle(pull: pull).geometry.loadAtLevel(ropeForce: pull, bodyMassKg: patient.bodyMassKg)
    }

    /// The motion segment with `ligaments` driven by the limit protocol at `pull` (N).
    /// - Throws: the builder's and the protocol's errors.
    public func model(pull: Double, ligaments: CervicalLigamentDataSet) throws -> Model {
        try model(pull: pull, segment: MotionSegment.cervical(level, patient: patient, mesh: mesh, ligaments: ligaments))
    }

    func model(pull: Double, segment: Model) throws -> Model {
        try model(traction: cycle(pull: pull), segment: segment)
    }

    /// The motion segment `segment` driven by `traction` at ``level`` (its cycles, ramp, hold and
    /// pull as given) after the lying preload.
    /// - Throws: the protocol's errors.
    func model(traction: ProfessionalCervicalTraction, segment: Model) throws -> Model {
        var traction = traction
        traction.geometry.level = level
        let history = try traction.historyAtLevel(bodyMassKg: patient.bodyMassKg).levelLoadHistory
        let options = ScenarioRunOptions(mesh: mesh, lyingPreload: lyingPreload, preloadDuration: preloadDuration,
                                         sessionMaxStep: outputSpacing, sessionOutputSpacing: outputSpacing)
        return try ScenarioRunner.model(patient: patient, mesh: mesh, options: options, history: history,
                                        axialMoment: nil, recovery: 0, maxStep: outputSpacing, outputSpacing: outputSpacing,
                                        hypermobility: nil, segment: segment)
    }

    /// Every criterion's value for one full solve at `pull` (N) with `ligaments` (free swelling
    /// included): what the search evaluates at each load.
    /// - Throws: the model's and solver's errors.
    public func evaluate(pull: Double, ligaments: CervicalLigamentDataSet) throws -> [CriterionValue] {
        let m = try model(pull: pull, ligaments: ligaments)
        let swollen = try Simulation(model: m).freeSwollenStateSynchronously()
        return try MotionSegmentLimitSearch.evaluate(m, from: swollen, criteria: criteria)
    }

    /// Stops a run of `model` from `start` after the first accepted step at which a criterion's
    /// peak so far exceeds its bound (see the type's discussion); without a violation the run
    /// ends normally and every criterion's value is that of ``MotionSegmentLimitSearch/evaluate(_:from:criteria:)``;
    /// a solve stopped by a compacted disc gives every criterion's value so far and `discCompaction` at `+∞`.
    /// The peaks so far are tracked from the rigid bodies' committed state after each step, as
    /// the run's own results track them (elastic ligament forces; a ligament with damping or a
    /// damage law would be read after its history was committed).
    /// - Throws: ``LimitSearchError`` for a model without a motion segment; the solver's errors.
    static func evaluateStoppingAtViolation(_ model: Model, from start: MotionSegmentLimitSearch.SearchStart,
                                            criteria: LimitCriteria) throws -> [CriterionValue] {
        let simulation = try Simulation(model: model)
        guard case let .biphasic(engine) = simulation.engine, let coupling = engine.motionSegment else {
            return try MotionSegmentLimitSearch.evaluate(model, from: start, criteria: criteria)
        }
        struct Violation: Error { var values: [CriterionValue] }
        // From a checkpoint, the peaks so far are the shared steps' (its recorder's).
        var recorder = try start.checkpoint?.motion?.rebound(to: coupling) ?? MotionSegmentRecorder(coupling: coupling)
        engine.stepObserver = { time, timeStep, state, _ in
            recorder.step(problem: engine.problem, time: time, state: state, timeStep: timeStep)
            let values = criteria.evaluate(recorder.results())
            if values.contains(where: { $0.ratio > 1 }) { throw Violation(values: values) }
        }
        defer { engine.stepObserver = nil }
        do {
            let r = try start.run(simulation)
            guard let segment = r.motionSegment else {
                throw LimitSearchError.invalidParameter(field: "model.motionSegment", value: 0, expected: "a motion-segment model")
            }
            return criteria.evaluate(segment)
        } catch let v as Violation {
            return v.values.map { $0.ratio > 1 ? CriterionValue(criterion: $0.criterion, ratio: .infinity, marginFraction: $0.marginFraction) : $0 }
        } catch SimulationError.stepCollapsed(_, _, .solidCompacted, _) {
            return criteria.evaluate(recorder.results()) + [LimitCriteria.discCompacted]
        }
    }

    /// The device configuration the search's protocol is for: `.supine` or `.seated` from the
    /// posture, and ``harness``.
    public var configuration: TractionConfiguration {
        switch traction.geometry.posture {
        case .seated: return TractionConfiguration(surface: .seated, harness: harness)
        case .supine: return TractionConfiguration(surface: .supine, harness: harness)
        }
    }

    /// SHA-256 (64 lowercase hex) of the models the search solves: the model files
    /// (``Model/jsonData()``) of the cervical motion segment with each ligament data set, in
    /// order, each preceded by its byte count. Any change of geometry, material, ligament
    /// constant or mesh changes it.
    /// - Throws: the builder's errors.
    public func modelDigestSHA256() throws -> String {
        var hasher = SHA256()
        for set in ligamentDataSets {
            let data = try MotionSegment.cervical(level, patient: patient, mesh: mesh, ligaments: set).jsonData()
            withUnsafeBytes(of: UInt64(data.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: data)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Runs the search (every data set, full solves on the calling thread).
    /// - Throws: ``LimitSearchError``; the model's and solver's errors.
    public func run() throws -> MotionSegmentForceLimit {
        try validate()
        var perSet: [DataSetForceLimit] = []
        for set in ligamentDataSets {
            let base = try MotionSegment.cervical(level, patient: patient, mesh: mesh, ligaments: set)
            let limit = try MotionSegmentLimitSearch.bracketedLimit(
                ceiling: ceiling, relativeTolerance: relativeTolerance, criteria: criteria, sharedSteps: ScenarioRunner.preloadStepName,
                evaluate: stopsAtFirstViolation ? Self.evaluateStoppingAtViolation : MotionSegmentLimitSearch.evaluate) { pull in
                try model(pull: pull, segment: base)
            }
            perSet.append(DataSetForceLimit(dataSet: set.name, limit: limit))
        }
        return MotionSegmentForceLimit(patient: patient, ceiling: ceiling, perDataSet: perSet, cervicalLevel: level)
    }
}
