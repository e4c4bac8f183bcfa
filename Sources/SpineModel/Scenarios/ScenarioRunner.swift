import Foundation
import Biomechanics
import FiniteElements

/// How the scenarios are run on the motion segment: the scenarios' settings, the starting state,
/// the recovery after the session, the sweep and the numerics. Every number is a `var`.
///
/// **Starting state** (stated, not measured; ``start``): the disc starts freely swollen and
/// unloaded (the model's free-swelling step — the state after a night's rest lying down). With
/// ``StartingState/night`` it then carries the lying preload ``lyingPreload`` for
/// ``preloadDuration`` before the session starts. With ``StartingState/day`` it first stands for
/// ``uprightDuration`` under the upright load ``uprightLoad`` (on top of the lying preload; ramped
/// on and off over ``uprightRamp``), then lies under the lying preload for ``preloadDuration``, and
/// the session starts. 17 N is the weight of the bare disc model's lying preload
/// (``MotionSegment/lumbar(_:patient:mesh:ligaments:)``).
///
/// **Recovery**: after the table and inversion sessions the segment lies for ``recoveryDuration``
/// under the lying preload only, to show how much fluid and distraction remain; the stature gain
/// after traction lasted about an hour (Tekeoglu et al. 1998 — stature measured against lying) —
/// the default 3600 s follows that time scale.
public struct ScenarioRunOptions: Sendable, Equatable {
    /// Motion-segment mesh.
    public var mesh: DefaultDiscModel.MeshLevel
    /// The professional table session (lowered by the patient's relative contraindications before it runs).
    public var table: ProfessionalTable
    /// The inversion session (run as given: nobody screens a home user).
    public var inversion: InversionTable
    /// The self-manipulation regimen (run as given); its peak is replaced by each value of ``sweep``.
    public var manipulation: SelfManipulation
    /// Peak axial moments (N·mm) to run one thrust each; empty: only `manipulation.peakAxialMoment`.
    public var sweep: [Double]
    /// Adds a row for the default thrust on a hypermobile segment (``HypermobileSegment/assumed``).
    public var hypermobileRow: Bool
    /// Peak guarding load (N, > 0) of an extra inversion row with muscle guarding, a sensitivity row
    /// (no recovery); nil = no row. Default 200 N, an **assumption**: paraspinal EMG rose during
    /// inversion in one study and fell in others, and no study gives a force (see ``InversionTable``).
    public var guardingSensitivityLoad: Double?
    /// The damage law for the laxity of repeated thrusts; nil: each ligament's own law, or
    /// ``RepeatedThrustDamage/assumedLaw`` where it has none.
    public var damageLaw: LigamentDamage?
    /// Damage-onset strain (dimensionless, > 0) per ligament type, replacing the damage law's
    /// threshold for that ligament in the threshold ratios and the laxity. Empty by default: no
    /// sub-failure damage-onset strain of a spinal ligament was found in the literature, so every
    /// ligament is measured against the law's threshold (an assumption; see ``RepeatedThrustDamage/assumedLaw``).
    public var damageThresholds: [LigamentType: Double] = [:]
    /// Lying preload on the upper vertebra (N, ≥ 0, compressive) before, during and after the session.
    public var lyingPreload: Double
    /// Time (s, > 0) the lying preload acts before the session.
    public var preloadDuration: Double
    /// Time (s, ≥ 0) after the table and inversion sessions under the lying preload only; 0 = none.
    public var recoveryDuration: Double
    /// The table run for the stature comparison (1/3 BW for 25 min, the measured setting); nil = no row.
    public var statureTable: ProfessionalTable?
    /// The bone estimate.
    public var bone: BoneLoadEstimate
    /// Largest time step (s, > 0) of the table and inversion sessions and the recovery.
    public var sessionMaxStep: Double
    /// Spacing of output times (s, > 0) in the table and inversion sessions and the recovery.
    public var sessionOutputSpacing: Double
    /// Largest time step (s, > 0) during a thrust.
    public var thrustMaxStep: Double
    /// Spacing of output times (s, > 0) during a thrust.
    public var thrustOutputSpacing: Double
    /// Which loading history precedes the session.
    public var start: StartingState
    /// Compressive load (N, > 0) while upright for the day start; nil: the weight of the body
    /// cranial to the level (``Patient/weightCranial(to:fractions:)``, Dempster's fractions), a
    /// lower bound of the standing load (no muscle force).
    public var uprightLoad: Double?
    /// Time (s, > 0) upright for the day start. Default 16 h: a day's waking hours after 8 h in bed, an assumption.
    public var uprightDuration: Double
    /// Time (s, > 0, at most half of ``uprightDuration``) over which the upright load comes on and goes off.
    public var uprightRamp: Double
    /// Runs the disc's nutrient transport (O₂, glucose, lactate; ``DiscNutritionModel`` defaults)
    /// coupled to the table and inversion sessions, for the glucose column (``GlucoseBudget``);
    /// false leaves the column empty. The thrusts never run it: a 2 s thrust moves almost no fluid
    /// (its imbibed fluid is a few mm³ out of the disc), so its glucose budget is the cells' baseline
    /// consumption over 2 s, not an effect of the loading.
    public var glucose: Bool
    /// Deformable vertebral bodies with the patient's bone (``DeformableVertebrae/forPatient(_:bone:height:layers:)``
    /// from ``bone``) instead of rigid vertebrae: each row then reports the finite-element bone
    /// strain (``ScenarioOutcome/boneStrain``) beside the estimate. Lumbar only; each run costs
    /// about 4–5 times the rigid one. Default false.
    public var deformableVertebrae: Bool = false
    /// Error-controlled time steps for every run of the comparison (``FiniteElements/ErrorControlOptions``,
    /// the model file's `"timeControl"`): nil (default) adapts the steps from Newton's effort within
    /// ``sessionMaxStep`` and ``thrustMaxStep``, which bounds them but not their time-discretization
    /// error. Set, each step's estimated local error is kept within the tolerance (the maximum
    /// steps still apply): the way to check how much of a row is the step sequence's.
    public var errorControl: ErrorControlOptions? = nil

    /// The comparison's defaults: coarse mesh, the scenarios' own defaults, no sweep, a hypermobile
    /// row, 17 N lying preload for 60 s, one hour of recovery, the stature row at 1/3 BW for 25 min.
    public init(mesh: DefaultDiscModel.MeshLevel = .coarse, table: ProfessionalTable = ProfessionalTable(),
                inversion: InversionTable = InversionTable(), manipulation: SelfManipulation = SelfManipulation(),
                sweep: [Double] = [], hypermobileRow: Bool = true, guardingSensitivityLoad: Double? = 200, damageLaw: LigamentDamage? = nil,
                lyingPreload: Double = 17, preloadDuration: Double = 60, recoveryDuration: Double = 3600,
                statureTable: ProfessionalTable? = ScenarioRunOptions.statureSession, bone: BoneLoadEstimate = BoneLoadEstimate(),
                sessionMaxStep: Double = 10, sessionOutputSpacing: Double = 10, thrustMaxStep: Double = 0.01,
                thrustOutputSpacing: Double = 0.025, glucose: Bool = true, start: StartingState = .night, uprightLoad: Double? = nil,
                uprightDuration: Double = 16 * 3600, uprightRamp: Double = 60) {
        self.mesh = mesh; self.table = table; self.inversion = inversion; self.manipulation = manipulation; self.sweep = sweep
        self.hypermobileRow = hypermobileRow; self.guardingSensitivityLoad = guardingSensitivityLoad; self.damageLaw = damageLaw; self.lyingPreload = lyingPreload
        self.preloadDuration = preloadDuration; self.recoveryDuration = recoveryDuration; self.statureTable = statureTable
        self.bone = bone; self.sessionMaxStep = sessionMaxStep; self.sessionOutputSpacing = sessionOutputSpacing
        self.thrustMaxStep = thrustMaxStep; self.thrustOutputSpacing = thrustOutputSpacing; self.glucose = glucose
        self.start = start; self.uprightLoad = uprightLoad; self.uprightDuration = uprightDuration; self.uprightRamp = uprightRamp
    }

    /// The deformable vertebral bodies of `patient` (``DeformableVertebrae/forPatient(_:bone:height:layers:)``
    /// with ``bone``) when ``deformableVertebrae`` is set; nil for rigid vertebrae.
    public func vertebralBodies(patient: Patient) -> DeformableVertebrae? {
        deformableVertebrae ? .forPatient(patient, bone: bone) : nil
    }

    /// Time (s) from the start of the run to the start of the session: the upright day (day start) and the lying preload.
    public var sessionStart: Double { (start == .day ? uprightDuration : 0) + preloadDuration }

    /// The upright compressive load (N) for `patient`: ``uprightLoad`` or the weight cranial to the level.
    public func uprightLoad(patient: Patient) -> Double {
        uprightLoad ?? patient.weightCranial(to: patient.level, fractions: .dempster)
    }

    /// The measured stature setting: horizontal traction at 1/3 of body weight for 25 min
    /// ("Effect of lumbar traction on stature", Spine 1990, doi 10.1097/00007632-199006000-00017),
    /// as one 15 s ramp, a 1470 s hold and a 15 s release.
    public static let statureSession = ProfessionalTable(pullFraction: 1.0 / 3, cycles: 1, hold: 1470, rest: 30, restLevel: 0)

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the option (`options.preloadDuration`, …) or the scenario's property.
    public func validate() throws(ScenarioError) {
        try table.validate(); try inversion.validate(); try manipulation.validate(); try statureTable?.validate()
        for (i, m) in sweep.enumerated() { try requireValue(m, above: 0, "options.sweep[\(i)]", "a finite peak moment > 0 N·mm") }
        if let g = guardingSensitivityLoad { try requireValue(g, above: 0, "options.guardingSensitivityLoad", "a finite force > 0 N (nil for no row)") }
        try requireValue(lyingPreload, in: 0...Double.greatestFiniteMagnitude, "options.lyingPreload", "a finite force ≥ 0 N")
        try requireValue(preloadDuration, above: 0, "options.preloadDuration", "a finite time > 0 s")
        try requireValue(recoveryDuration, in: 0...Double.greatestFiniteMagnitude, "options.recoveryDuration", "a finite time ≥ 0 s")
        try requireValue(sessionMaxStep, above: 0, "options.sessionMaxStep", "a finite time step > 0 s")
        try requireValue(sessionOutputSpacing, above: 0, "options.sessionOutputSpacing", "a finite spacing > 0 s")
        try requireValue(thrustMaxStep, above: 0, "options.thrustMaxStep", "a finite time step > 0 s")
        try requireValue(thrustOutputSpacing, above: 0, "options.thrustOutputSpacing", "a finite spacing > 0 s")
        for (type, t) in damageThresholds.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try requireValue(t, above: 0, "options.damageThresholds[\(type.rawValue)]", "a finite strain > 0")
        }
        if let u = uprightLoad { try requireValue(u, above: 0, "options.uprightLoad", "a finite force > 0 N (nil: the weight cranial to the level)") }
        try requireValue(uprightDuration, above: 0, "options.uprightDuration", "a finite time > 0 s")
        try requireValue(uprightRamp, in: Double.leastNonzeroMagnitude...(uprightDuration.isFinite ? uprightDuration / 2 : 1), "options.uprightRamp",
                         "a time > 0 s and at most half of uprightDuration")
        try bone.validate()
    }
}

/// The loading history before a scenario's session.
public enum StartingState: String, Sendable, Equatable, Codable, CaseIterable {
    /// After a night's rest lying down: the freely swollen disc, then the lying preload.
    case night
    /// After a day upright: the freely swollen disc, then ``ScenarioRunOptions/uprightDuration``
    /// under the upright load, then the lying preload.
    case day
}

/// A stated estimate of the load on the vertebral bodies, because the vertebrae of the motion
/// segment are rigid: the normal stress on the endplate from the applied axial force and flexion
/// moment, `σ = |F|/A + |M|/W` (ellipse of half-axes `a` (width) and `b` (depth): `A = π a b`,
/// `W = π a b²/4`), carried by the trabecular core alone (an upper bound: the cortical shell carries
/// part of the load). Torsion (the thrust's axial-rotation moment) is not included.
///
/// The core's modulus is `E = 4730 ρ^1.56` MPa for vertebral trabecular bone with apparent
/// density `ρ` in g/cm³ (Morgan EF, Bayraktar HH, Keaveny TM 2003, J Biomech 36(7):897–904), `ρ`
/// from the patient's T-score by ``BoneDensityAssumption`` (a named assumption). Yield strains are
/// nearly independent of density within a site: 0.77 % in compression and 0.70 % in tension for the
/// vertebra (Morgan EF, Keaveny TM 2001, J Biomech 34(5):569–577). With a linear core,
/// strength = `E · ε_yield`, so stress/strength equals strain/yield strain.
public struct BoneLoadEstimate: Sendable, Equatable {
    /// Modulus coefficient (MPa) and exponent of `E = c ρ^p`.
    public var modulusCoefficient: Double, modulusExponent: Double
    /// Compressive and tensile yield strains (dimensionless).
    public var compressiveYieldStrain: Double, tensileYieldStrain: Double
    /// T-score → apparent density.
    public var density: BoneDensityAssumption

    /// The values of the type's discussion.
    public init(modulusCoefficient: Double = 4730, modulusExponent: Double = 1.56, compressiveYieldStrain: Double = 0.0077,
                tensileYieldStrain: Double = 0.0070, density: BoneDensityAssumption = BoneDensityAssumption()) {
        self.modulusCoefficient = modulusCoefficient; self.modulusExponent = modulusExponent
        self.compressiveYieldStrain = compressiveYieldStrain; self.tensileYieldStrain = tensileYieldStrain; self.density = density
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the field (`bone.modulusCoefficient`, …).
    public func validate() throws(ScenarioError) {
        try requireValue(modulusCoefficient, above: 0, "bone.modulusCoefficient", "a finite coefficient > 0 MPa")
        try requireValue(modulusExponent, above: 0, "bone.modulusExponent", "a finite exponent > 0")
        try requireValue(compressiveYieldStrain, above: 0, "bone.compressiveYieldStrain", "a finite strain > 0")
        try requireValue(tensileYieldStrain, above: 0, "bone.tensileYieldStrain", "a finite strain > 0")
        try requireValue(density.youngAdultDensity, above: 0, "bone.density.youngAdultDensity", "a finite density > 0 g/cm³")
        try requireValue(density.fractionPerSD, in: 0...1, "bone.density.fractionPerSD", "a fraction in [0, 1]")
    }

    /// Trabecular modulus (MPa) for `patient`.
    public func modulus(patient: Patient) -> Double {
        modulusCoefficient * pow(density.density(tScore: patient.tScore), modulusExponent)
    }

    /// Largest strain over yield strain along a load history: net axial force `axial` (N, positive =
    /// tension) and flexion moment `moment` (N·mm) at each sample, on an endplate `width` × `depth` (mm).
    /// The history is piecewise linear, so its extremes lie at the samples.
    public func strainToYield(axial: [Double], moment: [Double], width: Double, depth: Double, patient: Patient) -> Double {
        let a = width / 2, b = depth / 2
        let area = Double.pi * a * b, section = Double.pi * a * b * b / 4
        let e = modulus(patient: patient)
        var worst = 0.0
        for (f, m) in zip(axial, moment) {
            let sigma = abs(f) / area + abs(m) / section
            // The bending stress adds to the axial one on one side: tension or compression by the axial sign.
            let yield = f >= 0 ? tensileYieldStrain : compressiveYieldStrain
            worst = max(worst, sigma / e / yield)
        }
        return worst
    }
}

/// One scenario's time series for plots (over the whole run: preload, session, recovery).
public struct ScenarioTrace: Sendable, Equatable, Codable {
    /// The row's label.
    public var label: String
    /// Output times (s) from the start of the lying preload.
    public var times: [Double]
    /// Start and end of the session (s).
    public var sessionStart: Double, sessionEnd: Double
    /// Nucleus pressure (MPa).
    public var nucleusPressure: [Double]
    /// Distraction relative to the start of the session (mm).
    public var distraction: [Double]
    /// Largest ligament strain over its damage threshold (dimensionless; nil when no ligament has one).
    public var ligamentThresholdRatio: [Double]?
}

/// The number of one run, with what it needs to become a row.
struct ScenarioRunResult {
    var outcome: ScenarioOutcome
    var trace: ScenarioTrace
}

/// Runs the scenarios on the motion segment (``ScenarioComparison/run(patient:screening:options:)``).
///
/// Each scenario's load history at the level (``LevelLoadHistory``, or the thrust's
/// ``ThrustHistory``) drives the motion segment's upper vertebra: the axial tension as a force
/// along +z (condition `traction`), the moments as one moment vector with one curve (condition
/// `moment`; flexion is a moment about −x, axial rotation about +z), a guarding load as the
/// segment's follower load; the lying preload stays on throughout. The thrust is solved
/// quasi-statically (the biphasic disc and the ligaments' dashpots are rate dependent; inertia is
/// neglected, see ``SelfManipulation``).
enum ScenarioRunner {
    /// Name of the model step of the lying preload before the session (its loads are the same
    /// whatever the session's).
    static let preloadStepName = "preload"

    /// The motion segment of `patient` driven by `history` after the starting state, followed by
    /// `recovery` s under the lying preload only; `segment` replaces the patient's lumbar segment
    /// (a cervical one).
    static func model(patient: Patient, mesh: DefaultDiscModel.MeshLevel, options: ScenarioRunOptions, history: LevelLoadHistory,
                      axialMoment: [Double]?, recovery: Double, maxStep: Double, outputSpacing: Double,
                      hypermobility: HypermobileSegment?, segment: Model? = nil) throws -> Model {
        var model = try segment ?? MotionSegment.lumbar(patient.level, patient: patient, mesh: mesh)
        if let h = hypermobility {
            // Softer laws; the laxity already present is a lower reference strain (same strain at any length to first order).
            model.ligaments = try model.ligaments.map { l in
                var l = l
                l.law = try h.apply(to: l.law)
                l.law.referenceStrain -= h.initialLaxity
                return l
            }
        }
        let p = options.sessionStart
        let day = options.start == .day ? options.uprightDuration : 0
        let session = history.times.last! - history.times.first!
        let end = p + session + recovery
        func curve(_ values: [Double], scale: Double) throws -> LoadCurve {
            var pts: [(time: Double, value: Double)] = [(0, 0)]
            for (t, v) in zip(history.times, values) { pts.append((p + t - history.times[0], scale != 0 ? v / scale : 0)) }
            if pts.count > 1, pts[1].time == 0 { pts.removeFirst() }
            return try LoadCurve(points: pts)
        }
        let peakAxial = history.axialForce.map(abs).max() ?? 0
        let flex = history.flexionMoment
        let axialRot = axialMoment ?? flex.map { _ in 0 }
        // One curve for the moment vector, so the moments must be proportional (table: both ∝ the
        // table force; thrust: flexion = ratio × axial rotation): the driver is the larger one.
        let peakFlex = flex.map(abs).max() ?? 0, peakRot = axialRot.map(abs).max() ?? 0
        let driver = peakRot > 0 ? axialRot : flex
        let k = argmax(driver), momentPeak = abs(driver[k])
        var momentVector = SIMD3<Double>.zero
        if momentPeak > 0 {
            let (fk, rk) = (flex[k] / driver[k], axialRot[k] / driver[k])
            momentVector = SIMD3(-flex[k], 0, axialRot[k])   // the moments at the driver's peak; the curve is driver / driver[k]
            for i in driver.indices {
                guard abs(flex[i] - fk * driver[i]) <= 1e-9 * max(1, peakFlex), abs(axialRot[i] - rk * driver[i]) <= 1e-9 * max(1, peakRot) else {
                    throw ScenarioError.invalidValue(property: "history.flexionMoment[\(i)]", value: flex[i],
                                                     expected: "moments proportional to one another over the history (\(fk * driver[i]) N·mm)")
                }
            }
        }
        model.boundary[named: "preload"]!.force = SIMD3(0, 0, -options.lyingPreload)
        model.boundary[named: "traction"]!.force = SIMD3(0, 0, peakAxial)
        model.curves["traction"] = try curve(history.axialForce, scale: peakAxial)
        if momentPeak > 0 {
            model.boundary.append(BoundaryCondition(name: "moment", target: .surface("top"),
                                                    kind: .rigid(.loads(force: .zero, moment: momentVector, rotationFree: true, reference: nil, slide: []), curve: "moment")))
            model.curves["moment"] = try curve(driver, scale: driver[k])
        }
        if let g = history.compressiveFollowerLoad, let peak = g.max(), peak > 0 {
            model.motionSegment!.followerLoad = FollowerLoad(force: peak, curve: "guarding")
            model.curves["guarding"] = try curve(g, scale: peak)
        }
        if day > 0 {
            let r = options.uprightRamp
            model.boundary.append(BoundaryCondition(name: "upright", target: .surface("top"),
                                                    kind: .rigid(.loads(force: SIMD3(0, 0, -options.uprightLoad(patient: patient)), moment: .zero,
                                                                        rotationFree: true, reference: nil, slide: []), curve: "upright")))
            model.curves["upright"] = try LoadCurve(points: [(0, 0), (r, 1), (day - r, 1), (day, 0)])
        }
        let swelling = model.steps.filter { $0.freeSwelling != nil }
        // The session may cut its step to 1e-7 s: the release of a 10 or 20 N·m thrust needs steps
        // below 1e-4 s where a facet or ligament engages (Newton stalled there at 1e-4 s). Cuts happen
        // only after a failed step, so sessions that never fail take the same steps as before.
        let lying = options.preloadDuration
        var steps = swelling
        if day > 0 {
            // The upright day: creep over hours, so steps up to 30 min once the ramp is past; the
            // load comes off in a step of its own with short steps (lying down is fast).
            let r = options.uprightRamp
            steps.append(StepDefinition(name: "upright", duration: day - r, initialStep: min(1, r), minStep: 0.01, maxStep: min(1800, day - r)))
            steps.append(StepDefinition(name: "lie down", duration: r, initialStep: min(1, r), minStep: min(0.01, r), maxStep: min(10, r)))
        }
        steps += [StepDefinition(name: Self.preloadStepName, duration: lying, initialStep: min(1, lying), minStep: min(0.01, lying), maxStep: min(10, lying)),
                                StepDefinition(name: "session", duration: session, initialStep: min(maxStep, 1, session),
                                               minStep: min(1e-7, session), maxStep: min(maxStep, session))]
        if recovery > 0 {
            steps.append(StepDefinition(name: "recovery", duration: recovery, initialStep: min(1, recovery), minStep: min(0.01, recovery),
                                        maxStep: min(max(options.sessionMaxStep, 30), recovery)))
        }
        model.steps = steps
        var times = Set(stride(from: day, to: p, by: min(10, options.preloadDuration)))
        if day > 0 { times.formUnion(stride(from: 0.0, to: day, by: min(1800, day))) }
        for t in stride(from: p, to: p + session, by: outputSpacing) { times.insert(t) }
        for t in stride(from: p + session, to: end, by: max(options.sessionOutputSpacing, 10)) { times.insert(t) }
        times.formUnion([p, p + session, end])
        model.outputs.times = times.sorted()
        model.errorControl = options.errorControl
        if let bodies = options.vertebralBodies(patient: patient) {
            guard segment == nil else {
                throw ScenarioError.invalidValue(property: "options.deformableVertebrae", value: 1,
                                                 expected: "rigid vertebrae (0) for a cervical segment: deformable bodies exist for the lumbar segment only")
            }
            // Last: it moves every rigid condition on the disc's top to the upper body's far section.
            try model.makeVertebraeDeformable(bodies)
        }
        model.notes = (model.notes ?? "") + (day > 0 ? " After \(day) s upright under \(options.uprightLoad(patient: patient)) N," : "")
            + " Driven by a scenario's load history at the level after \(options.preloadDuration) s of \(options.lyingPreload) N lying preload; \(recovery) s of recovery after it."
        try model.validate()
        return model
    }

    static func argmax(_ x: [Double]) -> Int { x.indices.max { abs(x[$0]) < abs(x[$1]) } ?? 0 }

    /// Runs `model` from `state` when it was swollen for the same disc (the state's key matches),
    /// else from scratch.
    static func simulate(_ model: Model, swollen: inout [String: SimulationState]) async throws -> SimulationResults {
        let sim = try Simulation(model: model)
        sim.runLabel = "ScenarioComparison.run"
        let key = try model.freeSwellingKey()
        if let s = swollen[key] { return try await sim.run(from: s) }
        let s = try await sim.freeSwollenState()
        swollen[key] = s
        return try await sim.run(from: s)
    }

    /// Value of a time series at time `t` (linear between output times; the output times include
    /// the session's ends).
    static func value(_ s: TimeSeries, times: [Double], at t: Double) -> Double {
        let v = s.scalars
        guard let j = times.firstIndex(where: { $0 >= t - 1e-9 }) else { return v.last ?? 0 }
        if j == 0 || abs(times[j] - t) <= 1e-9 { return v[j] }
        let w = (t - times[j - 1]) / (times[j] - times[j - 1])
        return v[j - 1] + w * (v[j] - v[j - 1])
    }

    /// Time (s) a series spends below zero between output times, with linear crossings.
    static func timeBelowZero(_ v: [Double], times: [Double]) -> Double {
        var total = 0.0
        guard v.count > 1 else { return 0 }
        for i in 1..<v.count {
            let (a, b, dt) = (v[i - 1], v[i], times[i] - times[i - 1])
            if a < 0 && b < 0 { total += dt } else if a < 0 || b < 0 { total += dt * (a < 0 ? a : b) / (a < 0 ? a - b : b - a) }
        }
        return total
    }

    /// The row of one run. `sessionStart`, `sessionEnd` (s) bound the session; `bone` is the
    /// strain-to-yield estimate from the applied loads.
    static func outcome(kind: ScenarioKind, label: String, results r: SimulationResults, sessionStart: Double, sessionEnd: Double,
                        recovery: Double, bone: Double, screening: ScreeningVerdict, damageLaw: LigamentDamage? = nil,
                        glucose: GlucoseBudget? = nil, thresholds: [LigamentType: Double] = [:],
                        mesh: DefaultDiscModel.MeshLevel = .coarse, bodies: DeformableVertebrae? = nil) throws -> ScenarioRunResult {
        guard r.isComplete else { throw ModelError(.invalidValue, at: label, "the run stopped early: \(r.notices.joined(separator: "; "))") }
        guard let pressure = r.nucleusPressure, let imbibed = r.imbibedVolume, let ms = r.motionSegment else {
            throw ModelError(.invalidValue, at: label, "the run reported no nucleus pressure, imbibed volume or motion segment")
        }
        let t = r.times
        let d0 = value(ms.distraction, times: t, at: sessionStart)
        let v0 = value(imbibed, times: t, at: sessionStart)
        let window = t.indices.filter { t[$0] >= sessionStart - 1e-9 && t[$0] <= sessionEnd + 1e-9 }
        let sessionDistraction = window.map { ms.distraction.scalars[$0] - d0 }.max() ?? 0
        // A ligament without a damage law of its own is measured against the law the laxity uses.
        // A threshold given per ligament type replaces the law's.
        let ligaments = ms.ligaments.map { l in
            let peak = l.strain.maximum ?? 0
            let rest = value(l.strain, times: t, at: sessionStart)
            let given = thresholds[l.type]
            let law = (damageLaw ?? RepeatedThrustDamage.assumedLaw).threshold
            let restRatio = given.map { rest / $0 } ?? l.thresholdRatio.map { value($0, times: t, at: sessionStart) } ?? rest / law
            return LigamentPeak(ligament: l.name, peakStrain: peak,
                                fractionOfDamageThreshold: given.map { peak / $0 } ?? l.thresholdRatio?.maximum ?? peak / law,
                                fractionOfFailure: l.failureRatio?.maximum, restStrain: rest, restFractionOfDamageThreshold: restRatio)
        }
        var outcome = ScenarioOutcome(
            scenario: kind, label: label, minimumNucleusPressure: pressure.minimum ?? 0,
            timeBelowZeroPressure: timeBelowZero(window.map { pressure.scalars[$0] }, times: window.map { t[$0] }), imbibedFluid: value(imbibed, times: t, at: sessionEnd) - v0,
            glucoseImbibed: glucose?.imbibed, distraction: sessionDistraction, ligaments: ligaments, laxityAfterDays: nil, days: nil,
            facetForce: ms.facets.compactMap { $0.force.maximum }.max() ?? 0, boneStrainToYield: bone, boneStressToStrength: bone,
            screening: screening)
        outcome.glucose = glucose
        if let b = ms.boneStrain {
            // The bodies' mesh factor (none for bodies the runner did not make, e.g. a caller's own model).
            let limits = LimitCriteria()
            outcome.boneStrain = FiniteElementBoneStrain(compressive: window.map { b.compressive.scalars[$0] }.max() ?? 0,
                                                         tensile: window.map { b.tensile.scalars[$0] }.max() ?? 0,
                                                         compressiveYield: limits.boneCompressiveYieldStrain, tensileYield: limits.boneTensileYieldStrain,
                                                         discretisationFactor: bodies.flatMap { DeformableVertebrae.measuredBoneStrainFactor(mesh: mesh, layers: $0.layers, height: $0.height) })
        }
        if recovery > 0, let end = t.last {
            outcome.recovery = RecoveryOutcome(duration: recovery, imbibedFluid: value(imbibed, times: t, at: end) - v0,
                                               distraction: value(ms.distraction, times: t, at: end) - d0)
        }
        let threshold = (damageLaw ?? RepeatedThrustDamage.assumedLaw).threshold
        let ratios = ms.ligaments.map { l in
            thresholds[l.type].map { g in l.strain.scalars.map { $0 / g } } ?? l.thresholdRatio?.scalars ?? l.strain.scalars.map { $0 / threshold }
        }
        let ratio: [Double]? = ratios.isEmpty ? nil : t.indices.map { i in ratios.map { $0[i] }.max()! }
        let trace = ScenarioTrace(label: label, times: t, sessionStart: sessionStart, sessionEnd: sessionEnd, nucleusPressure: pressure.scalars,
                                  distraction: ms.distraction.scalars.map { $0 - d0 }, ligamentThresholdRatio: ratio)
        return ScenarioRunResult(outcome: outcome, trace: trace)
    }

    /// The bone estimate of a history: net axial force = tension − lying preload − guarding load.
    static func bone(_ history: LevelLoadHistory, axialMoment: [Double]?, options: ScenarioRunOptions, patient: Patient) -> Double {
        let g = LevelGeometry.standard(patient.level)
        let net = history.axialForce.indices.map { i in history.axialForce[i] - options.lyingPreload - (history.compressiveFollowerLoad?[i] ?? 0) }
        let probe = net + [-options.lyingPreload]
        return options.bone.strainToYield(axial: probe, moment: history.flexionMoment + [0], width: g.endplateWidth, depth: g.endplateDepth,
                                          patient: patient)
    }

    /// One row (and trace) for a level history.
    static func runHistory(kind: ScenarioKind, label: String, history: LevelLoadHistory, axialMoment: [Double]?, patient: Patient,
                           options: ScenarioRunOptions, recovery: Double, maxStep: Double, outputSpacing: Double,
                           hypermobility: HypermobileSegment?, screening: ScreeningVerdict, glucose: Bool = false,
                           swollen: inout [String: SimulationState]) async throws -> (ScenarioRunResult, SimulationResults) {
        let m = try model(patient: patient, mesh: options.mesh, options: options, history: history, axialMoment: axialMoment,
                          recovery: recovery, maxStep: maxStep, outputSpacing: outputSpacing, hypermobility: hypermobility)
        let start = options.sessionStart, end = start + history.times.last! - history.times.first!
        let r: SimulationResults, budget: GlucoseBudget?
        var glucoseFailure: String?
        if glucose {
            do {
                (r, budget) = try await simulateWithGlucose(m, window: start...end, nutrition: DiscNutritionModel(), swollen: &swollen)
            } catch let error as TransportError {
                // The transport failed, not the mechanics: the row keeps its mechanics (run again
                // without transport) and says why its glucose cell is empty.
                glucoseFailure = "\(error)"
                (r, budget) = (try await simulate(m, swollen: &swollen), nil)
            }
        } else {
            (r, budget) = (try await simulate(m, swollen: &swollen), nil)
        }
        var row = try outcome(kind: kind, label: label, results: r, sessionStart: start, sessionEnd: end, recovery: recovery,
                              bone: bone(history, axialMoment: axialMoment, options: options, patient: patient), screening: screening,
                              damageLaw: options.damageLaw, glucose: budget, thresholds: options.damageThresholds, mesh: options.mesh,
                              bodies: options.vertebralBodies(patient: patient))
        row.outcome.glucoseFailure = glucoseFailure
        return (row, r)
    }

    /// The thrust as a level history (no axial force) and its axial-rotation moments (N·mm).
    static func thrustHistory(_ m: SelfManipulation) throws -> (LevelLoadHistory, [Double]) {
        let h = try m.thrustHistory()
        return (LevelLoadHistory(times: h.times, axialForce: h.times.map { _ in 0 }, flexionMoment: h.flexionMoment, compressiveFollowerLoad: nil),
                h.axialMoment)
    }

    /// Laxity (strain) after the regimen's days: the largest over the ligaments, each ligament's
    /// stretch at the peak of the one solved thrust (its driving strain plus the laxity it already
    /// had) repeated by ``RepeatedThrustDamage`` as displacement controlled: the thrust's moment is
    /// carried mostly by the disc, the facets and the other ligaments, so a ligament that grows lax
    /// is stretched to about the same length again, and its driving strain falls by its laxity (the
    /// laxity saturates at the stretch minus the threshold instead of growing with N·D).
    static func laxity(results: SimulationResults, model: Model, regimen: SelfManipulation, law: LigamentDamage?,
                       thresholds: [LigamentType: Double] = [:]) throws -> Double {
        guard let ms = results.motionSegment else { return 0 }
        var worst = regimen.hypermobility?.initialLaxity ?? 0
        for series in ms.ligaments {
            guard let def = model.ligaments.first(where: { $0.type == series.type && $0.side == series.side }) else { continue }
            var damage = law ?? def.law.damage ?? RepeatedThrustDamage.assumedLaw
            if let t = thresholds[series.type] { damage.threshold = t }
            let days = try RepeatedThrustDamage.laxityPerDay(law: damage, peak: .displacementControlled(stretchStrain: max(0, (series.strain.maximum ?? 0) + (regimen.hypermobility?.initialLaxity ?? 0))),
                                                             thrustsPerDay: regimen.thrustsPerDay, days: regimen.days,
                                                             thrustInterval: regimen.thrustInterval,
                                                             initialLaxity: regimen.hypermobility?.initialLaxity ?? 0)
            worst = max(worst, days.last!.afterSession)
        }
        return worst
    }
}

/// What remains of a session's effect after lying under the preload for ``duration``.
public struct RecoveryOutcome: Sendable, Equatable, Codable {
    /// Time after the session (s).
    public var duration: Double
    /// Fluid imbibed since the start of the session, at the end of the recovery (mm³).
    public var imbibedFluid: Double
    /// Distraction relative to the start of the session, at the end of the recovery (mm).
    public var distraction: Double

    /// Creates a value from its parts (units as documented on each property).
    public init(duration: Double, imbibedFluid: Double, distraction: Double) {
        self.duration = duration; self.imbibedFluid = imbibedFluid; self.distraction = distraction
    }
}

extension ScenarioComparison {
    /// Runs the three scenarios on `patient`'s motion segment and compares them: the professional
    /// table (lowered by the patient's relative contraindications — a clinic screens), the inversion
    /// table and self-manipulation (as given — nobody screens a home user), one thrust per peak of
    /// `options.sweep` with its laxity over the regimen's days, a hypermobile row, the published
    /// bands and the stature row. A thrust whose solve fails (the step size fell below its minimum)
    /// leaves no row and is named in ``notes``; every other failure throws. The runs go one after the other (the free-swollen disc is computed
    /// once and reused): on a small machine the solves already use the cores.
    ///
    /// ```swift
    /// let p = try Patient(bodyMassKg: 70, heightCm: 175)
    /// let cmp = try await ScenarioComparison.run(patient: p, options: .init(sweep: SelfManipulation.peakSweep))
    /// print(cmp.table())
    /// ```
    /// - Parameter screening: the patient's conditions; nil: none.
    /// - Throws: ``ScenarioError`` for a bad option or scenario; ``AnatomyError`` for a bad patient;
    ///   a solver's or model's error when a run fails.
    public static func run(patient: Patient, screening: ScreeningInput? = nil, options: ScenarioRunOptions = ScenarioRunOptions()) async throws -> ScenarioComparison {
        try options.validate()
        try requireValidPatient(patient)
        var input = screening ?? ScreeningInput(patient: patient)
        input.patient = patient
        let verdicts = try Screening.evaluate(input)
        let table = try options.table.limited(by: verdicts[.professionalTable]!.limits)
        let tableHistory = try table.historyAtLevel(patient: patient)
        // The disc swells freely once; then the table (and stature) runs and the home scenarios run
        // concurrently, each from a copy of that state (runs in one process equal runs alone).
        var swollen: [String: SimulationState] = [:]
        let first = try ScenarioRunner.model(patient: patient, mesh: options.mesh, options: options, history: tableHistory, axialMoment: nil,
                                             recovery: options.recoveryDuration, maxStep: options.sessionMaxStep,
                                             outputSpacing: options.sessionOutputSpacing, hypermobility: nil)
        swollen[try first.freeSwellingKey()] = try await Simulation(model: first).freeSwollenState()
        async let clinic = ScenarioRunner.clinicPart(patient: patient, options: options, table: table, tableHistory: tableHistory,
                                                     verdicts: verdicts, swollen: swollen)
        async let home = ScenarioRunner.homePart(patient: patient, options: options, verdicts: verdicts, swollen: swollen)
        let (tablePart, homeRows) = try await (clinic, home)
        let rows = [tablePart.row.outcome] + homeRows.rows.map(\.outcome)
        let traces = [tablePart.row.trace] + homeRows.rows.map(\.trace)
        let checks = tablePart.checks + homeRows.checks
        let stature = tablePart.stature
        let failed = homeRows.failed
        var cmp = ScenarioComparison(patient: patient, outcomes: rows, checks: checks, stature: stature)
        cmp.traces = traces
        cmp.start = options.start
        cmp.notes = ScenarioComparison.runNotes(options: options, table: table) + ScenarioComparison.glucoseNotes(rows) + failed
        return cmp
    }

    /// The glucose budget of each row that ran the transport, and how it was obtained.
    static func glucoseNotes(_ rows: [ScenarioOutcome]) -> [String] {
        let fed = rows.filter { $0.glucose != nil }
        let failures = rows.compactMap { o in o.glucoseFailure.map { "Glucose, \(o.label): not computed — the nutrient transport stopped (\($0)); the row's mechanics come from the run without transport." } }
        guard !fed.isEmpty else { return failures }
        var notes = ["Glucose: O₂, glucose and lactate transport (blood values, diffusivities and Bibby et al. 2005 cell metabolism of the disc-nutrition model) on the linear cells of the disc mesh's corner nodes, solved to steady state in the freely swollen disc and then stepped after every biphasic step with convection by the fluid flux; blood concentrations on the nucleus part of both endplates and on the outer annulus. The glucose column is the net glucose that entered the disc over the session (diffusion + convection); the disc's cells consume glucose throughout, so most of it replaces what they used. The nucleus cells that touch an endplate take the endplate's diffusivities and cell density (on the coarse mesh, two layers thick, that is every nucleus cell). Not run for the thrusts (2 s: almost no fluid moves) or the guarding and stature rows."]
        for o in fed {
            let g = o.glucose!
            notes.append("Glucose, \(o.label): imbibed \(number(g.imbibed)) mmol, consumed \(number(g.consumed)) mmol, content change \(number(g.contentChange)) mmol over the session; balance error (start of the run to the end of the session) \(number(g.balanceError)) of the throughput.")
        }
        return notes + failures
    }

    /// How the rows were obtained: starting state, recovery, the thrust, the laxity law, the bone estimate.
    static func runNotes(options o: ScenarioRunOptions, table: ProfessionalTable) -> [String] {
        let tau = (o.damageLaw ?? RepeatedThrustDamage.assumedLaw).recoveryTime.map { "recovering with a time constant of \(number($0)) s (McGill & Brown 1992 creep)" } ?? "without recovery (laxity grows with N·D)"
        return [
            o.start == .night
                ? "Starting state (night): the freely swollen, unloaded disc (as after a night's rest lying down), then \(number(o.lyingPreload)) N of lying preload for \(number(o.preloadDuration)) s; the preload stays on throughout."
                : "Starting state (day): the freely swollen, unloaded disc (as after a night's rest lying down), then \(number(o.uprightDuration / 3600)) h upright under \(o.uprightLoad.map { "\(number($0)) N" } ?? "the weight of the body cranial to the level (Dempster's fractions, no muscle force)") on top of the lying preload (ramped over \(number(o.uprightRamp)) s), then \(number(o.lyingPreload)) N of lying preload for \(number(o.preloadDuration)) s; the preload stays on throughout.",
            "Recovery: after the table and inversion sessions the segment lies for \(number(o.recoveryDuration)) s under the preload only (the stature gain after traction lasted about an hour).",
            "Table: \(number(table.pullFraction * 100)) % BW, \(table.cycles) cycles (after the patient's relative contraindications), \(table.table == .split ? "split" : "one-piece") table, pull angle \(number(table.pullAngle))°.",
            "Self-manipulation: one thrust solved per peak, quasi-statically (biphasic disc and ligament dashpots rate dependent; inertia neglected because the ~150 ms rise is long against the few-ms oscillation period of a vertebra on its disc and ligaments); laxity after \(o.manipulation.thrustsPerDay) thrusts a day for \(o.manipulation.days) days by the damage law, each ligament stretched to its solved peak again every time (displacement controlled: the laxity saturates at the stretch minus the threshold), \(tau). A ligament without a damage law of its own is measured against the threshold of the law used (\(number((o.damageLaw ?? RepeatedThrustDamage.assumedLaw).threshold)) strain\(o.damageLaw == nil ? ": rat medial collateral ligament, Provenzano et al. 2002 — not spine" : "")).",
            "Ligament strain is the engineering strain from each bundle's slack length L₀/(1 + ε_ref), with L₀ its length in the model's reference geometry and ε_ref the data set's in-situ strain (Remus et al. 2021 rest lengths: SSL +8.7 %, ALL and LF +3.1 %, ISL +2.0 %, ITL −2.0 %, PLL −10.7 %, CL −35.5 %, i.e. slack). Free swelling and the starting state add to it before the session: the \"at rest\" strains (Ligaments section) are the strains at the session's start, and a ligament already above its damage threshold then is marked in the table. No lumbar or other spinal sub-failure damage-onset strain was found in the literature searched (Pintar 1992 and Chazal 1985 primary tables not read); the threshold stays the named assumption of the damage law.",
            o.deformableVertebrae
                ? "Bone (deformable vertebral bodies): \(number(DeformableVertebrae.defaultHeight)) mm of each vertebral body is linear-elastic bone (cancellous modulus from the T-score as below, cortical shell smeared over the outer ring); \"FE\" in the bone column is the largest compressive or tensile principal strain of the bone cells over the session divided by its yield strain, after the mesh's bone-strain factor (\(DeformableVertebrae.measuredBoneStrainFactor(mesh: o.mesh, layers: DeformableVertebrae.defaultLayers, height: DeformableVertebrae.defaultHeight).map { "× " + number($0) } ?? "none measured for this mesh") : the strain in cells about 3 mm thick at the endplate, where the peak sits and grows as the cells get thinner; the Bone section lists the strains). The estimate beside it assumes rigid vertebrae."
                : "Bone: the vertebrae are rigid.",
            "Bone estimate: bone strain / yield is an estimate from the applied axial force and flexion moment over the endplate, carried by the trabecular core (modulus 4730 ρ^1.56 MPa, Morgan et al. 2003; yield strain 0.77 % / 0.70 %, Morgan & Keaveny 2001; ρ from the T-score by a named assumption); torsion is not included; stress / strength equals strain / yield for a linear core.",
        ]
    }
}

extension ScenarioRunner {
    /// The clinic's runs: the professional table (its row and band check) and the stature table.
    static func clinicPart(patient: Patient, options: ScenarioRunOptions, table: ProfessionalTable, tableHistory: LevelLoadHistory,
                           verdicts: [ScenarioKind: ScreeningVerdict], swollen: [String: SimulationState])
        async throws -> (row: ScenarioRunResult, checks: [BandCheck], stature: StatureComparison?) {
        var swollen = swollen
        let tableLabel = "table \(ScenarioComparison.number(table.pullFraction * 100)) % BW"
        let (tableRow, _) = try await runHistory(
            kind: .professionalTable, label: tableLabel, history: tableHistory, axialMoment: nil, patient: patient, options: options,
            recovery: options.recoveryDuration, maxStep: options.sessionMaxStep, outputSpacing: options.sessionOutputSpacing,
            hypermobility: nil, screening: verdicts[.professionalTable]!, glucose: options.glucose, swollen: &swollen)
        var checks: [BandCheck] = []
        if let c = PublishedBands.tableNucleusPressure(table: table, outcome: tableRow.outcome) { checks.append(c) }

        var stature: StatureComparison? = nil
        if let st = options.statureTable {
            let (row, _) = try await runHistory(
                kind: .professionalTable, label: "stature table", history: try st.historyAtLevel(patient: patient), axialMoment: nil,
                patient: patient, options: options, recovery: 0, maxStep: options.sessionMaxStep, outputSpacing: options.sessionOutputSpacing,
                hypermobility: nil, screening: verdicts[.professionalTable]!, swollen: &swollen)
            stature = StatureComparison(perLevelDistraction: row.outcome.distraction)
        }
        return (tableRow, checks, stature)
    }

    /// The home runs: inversion (with the guarding sensitivity row) and the self-manipulation thrusts;
    /// a thrust the solver cannot follow is named in `failed`, not hidden.
    static func homePart(patient: Patient, options: ScenarioRunOptions, verdicts: [ScenarioKind: ScreeningVerdict],
                         swollen: [String: SimulationState]) async throws -> (rows: [ScenarioRunResult], checks: [BandCheck], failed: [String]) {
        var swollen = swollen
        var rows: [ScenarioRunResult] = [], checks: [BandCheck] = []
        let inversion = options.inversion
        let invLabel = "inversion \(ScenarioComparison.number(inversion.angle))°" + (inversion.guardingLoad.map { " guarding \(ScenarioComparison.number($0)) N" } ?? "")
        let (invRow, _) = try await runHistory(
            kind: .inversionTable, label: invLabel, history: try inversion.historyAtLevel(patient: patient), axialMoment: nil, patient: patient,
            options: options, recovery: options.recoveryDuration, maxStep: options.sessionMaxStep, outputSpacing: options.sessionOutputSpacing,
            hypermobility: nil, screening: verdicts[.inversionTable]!, glucose: options.glucose, swollen: &swollen)
        rows.append(invRow)
        if let c = PublishedBands.inversionDistraction(inversion: inversion, outcome: invRow.outcome) { checks.append(c) }
        if let g = options.guardingSensitivityLoad, inversion.guardingLoad == nil {
            var guarded = inversion; guarded.guardingLoad = g
            let (row, _) = try await runHistory(
                kind: .inversionTable, label: invLabel + " guarding \(ScenarioComparison.number(g)) N", history: try guarded.historyAtLevel(patient: patient),
                axialMoment: nil, patient: patient, options: options, recovery: 0, maxStep: options.sessionMaxStep,
                outputSpacing: options.sessionOutputSpacing, hypermobility: nil, screening: verdicts[.inversionTable]!, swollen: &swollen)
            rows.append(row)
        }

        let peaks = options.sweep.isEmpty ? [options.manipulation.peakAxialMoment] : options.sweep
        var regimens = peaks.map { p -> SelfManipulation in var m = options.manipulation; m.peakAxialMoment = p; return m }
        if options.hypermobileRow {
            var h = options.manipulation; h.hypermobility = h.hypermobility ?? .assumed; regimens.append(h)
        }
        var failed: [String] = []
        for m in regimens {
            let label = "self-manipulation \(ScenarioComparison.number(m.peakAxialMoment / 1000)) N·m" + (m.hypermobility != nil ? " hypermobile" : "")
            do {
                let (history, axial) = try thrustHistory(m)
                let built = try model(patient: patient, mesh: options.mesh, options: options, history: history, axialMoment: axial,
                                      recovery: 0, maxStep: options.thrustMaxStep, outputSpacing: options.thrustOutputSpacing,
                                      hypermobility: m.hypermobility)
                let r = try await simulate(built, swollen: &swollen)
                let start = options.sessionStart
                var row = try outcome(kind: .selfManipulation, label: label, results: r, sessionStart: start,
                                      sessionEnd: start + m.duration, recovery: 0,
                                      bone: bone(history, axialMoment: axial, options: options, patient: patient),
                                      screening: verdicts[.selfManipulation]!, damageLaw: options.damageLaw, thresholds: options.damageThresholds,
                                      mesh: options.mesh, bodies: options.vertebralBodies(patient: patient))
                row.outcome.laxityAfterDays = try laxity(results: r, model: built, regimen: m, law: options.damageLaw,
                                                         thresholds: options.damageThresholds)
                row.outcome.days = m.days
                rows.append(row)
            } catch is CancellationError {
                throw CancellationError()
            } catch let e as SimulationCancelled {
                throw e
            } catch let e as ScenarioError {
                throw e
            } catch {
                // A thrust the solver cannot follow is reported, not hidden, and does not discard the other rows.
                failed.append("\(label): not solved (no row) — \(error)")
            }
        }

        return (rows, checks, failed)
    }
}
