import Foundation
import Biomechanics
import TractionSafety

/// The options of a ``CervicalComparison``.
public struct CervicalComparisonOptions: Sendable, Equatable {
    /// Motion-segment mesh.
    public var mesh: DefaultDiscModel.MeshLevel
    /// The professional protocol (its geometry's level is replaced by the compared level).
    public var professional: ProfessionalCervicalTraction
    /// The over-the-door device at its defaults; the sweeps vary its weight and pull angle.
    public var door: OverTheDoorDevice
    /// Bag masses of the weight sweep (kg, each in (0, 50]), at the device's pull angle. Default
    /// 5, 10, 15, 20 and 30 lb: the 8–20 lb of typical kits and beyond.
    public var doorWeightsKg: [Double]
    /// Pull angles of the sitting sweep (degrees, flexion positive, each in [−10, 45]), at the
    /// device's weight: where the user sits sets the angle. Default 0°, 20°, 40°.
    public var sittingAngles: [Double]
    /// The same kit pulled by hand (the self-administered variant; one row); nil: no such row.
    public var handPull: HandPulledRope?
    /// Lying preload on the segment before and during every run (N), as the lumbar comparison.
    public var lyingPreload: Double
    /// Preload before the session (s).
    public var preloadDuration: Double
    /// Largest time step during a session (s); the door's drop is always resolved at 0.01 s.
    public var sessionMaxStep: Double
    /// Spacing of output times during a session (s).
    public var sessionOutputSpacing: Double

    /// The defaults of each property's documentation.
    public init(mesh: DefaultDiscModel.MeshLevel = .coarse, professional: ProfessionalCervicalTraction = ProfessionalCervicalTraction(),
                door: OverTheDoorDevice = OverTheDoorDevice(),
                doorWeightsKg: [Double] = [5, 10, 15, 20, 30].map { $0 * OverTheDoorDevice.pound }, sittingAngles: [Double] = [0, 20, 40],
                handPull: HandPulledRope? = HandPulledRope(), lyingPreload: Double = 17, preloadDuration: Double = 60, sessionMaxStep: Double = 10, sessionOutputSpacing: Double = 10) {
        self.mesh = mesh; self.professional = professional; self.door = door; self.doorWeightsKg = doorWeightsKg
        self.sittingAngles = sittingAngles; self.handPull = handPull; self.lyingPreload = lyingPreload; self.preloadDuration = preloadDuration
        self.sessionMaxStep = sessionMaxStep; self.sessionOutputSpacing = sessionOutputSpacing
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`doorWeightsKg[2]`, `sittingAngles[0]`, …).
    public func validate() throws(ScenarioError) {
        try professional.validate()
        try door.validate()
        try handPull?.validate()
        try requireCount(doorWeightsKg.count, in: 1...20, "doorWeightsKg", "1 … 20 weights")
        for (i, w) in doorWeightsKg.enumerated() { try requireValue(w, in: OverTheDoorDevice.weightRange, "doorWeightsKg[\(i)]", "a weight in (0, 50] kg") }
        try requireCount(sittingAngles.count, in: 1...20, "sittingAngles", "1 … 20 angles")
        for (i, a) in sittingAngles.enumerated() {
            try requireValue(a, in: CervicalTractionGeometry.pullAngleRange, "sittingAngles[\(i)]", "an angle in [−10, 45] degrees (flexion positive)")
        }
        try requireValue(lyingPreload, in: 0...1000, "lyingPreload", "a preload in [0, 1000] N")
        try requireValue(preloadDuration, above: 0, "preloadDuration", "a time > 0 s")
        try requireValue(sessionMaxStep, above: 0, "sessionMaxStep", "a time > 0 s")
        try requireValue(sessionOutputSpacing, above: 0, "sessionOutputSpacing", "a time > 0 s")
    }
}

/// One row of a ``CervicalComparison``: the peaks of one run (units in each property).
public struct CervicalScenarioRow: Sendable, Equatable, Codable {
    /// What was run ("over-the-door 4.54 kg at 20°").
    public var label: String
    /// Largest rope force at the halter (N).
    public var peakRopeForce: Double
    /// Largest axial tension at the level from the statics of head and halter (N; negative: the
    /// level stays compressed).
    public var peakAxialForce: Double
    /// Largest load into the temporomandibular joints through the chin strap (N).
    public var temporomandibularLoad: Double
    /// Lowest nucleus pressure during the run (MPa).
    public var minimumNucleusPressure: Double
    /// Fluid imbibed over the session (mm³; negative: expressed).
    public var imbibedFluid: Double
    /// Largest distraction during the session from its start (mm).
    public var distraction: Double
    /// The ligament with the largest peak strain, its peak strain (dimensionless) and that strain
    /// over the damage threshold of ``RepeatedThrustDamage/assumedLaw`` (dimensionless).
    public var worstLigament: String, worstLigamentStrain: Double, worstLigamentThresholdRatio: Double
    /// The largest force over failure force of any ligament (dimensionless; nil when none has a failure force).
    public var ligamentFailureRatio: Double?
    /// Largest facet contact force (N).
    public var facetForce: Double
    /// Largest uncovertebral contact force (N).
    public var uncovertebralForce: Double
    /// The screening verdict for this use.
    public var screening: String
}

/// Professional cervical traction against the over-the-door device on one patient's cervical
/// motion segment (``MotionSegment/cervical(_:patient:mesh:ligaments:divisions:geometry:)``),
/// with sweeps of the door weight and of the sitting angle.
///
/// Each scenario's rope-force history is mapped to the level by ``CervicalTractionGeometry``
/// (axial force and flexion moment; the chin strap's share gives the TMJ load) and drives the
/// segment's upper vertebra after a lying preload, as the lumbar scenarios drive theirs. The drop
/// of the door's bag is resolved with steps of at most 0.01 s; the segment is quasi-static (no
/// inertia of the head). Screening: `TractionSafety`'s contraindication rules for the cervical
/// region at the level; the professional pull is lowered by the rules' force factor, the home
/// device is not (nobody screens it) and its rows carry the verdict a clinic would give. The
/// self-administered variant — the same kit's rope pulled by hand (``HandPulledRope``) — is the
/// last row.
public struct CervicalComparison: Sendable, Equatable, Codable {
    /// The level compared.
    public var level: CervicalLevel
    /// Body mass of the patient (kg).
    public var bodyMassKg: Double
    /// The rows: the professional protocol first, then the door runs, then the hand pull.
    public var rows: [CervicalScenarioRow]

    /// Column headers, each with its unit.
    public static let headers = [
        "scenario", "peak rope force (N)", "peak axial force at level (N)", "TMJ (chin) load (N)", "min nucleus pressure (MPa)",
        "imbibed fluid (mm³)", "distraction (mm)", "peak ligament strain (−)", "ligament strain / damage threshold (−)",
        "ligament force / failure (−)", "facet force (N)", "uncovertebral force (N)", "screening",
    ]

    /// The table: one line per row, columns padded, units in every header.
    public func table() -> String {
        let n = ScenarioComparison.number
        let lines = [Self.headers] + rows.map { r in
            [r.label, n(r.peakRopeForce), n(r.peakAxialForce), n(r.temporomandibularLoad), n(r.minimumNucleusPressure), n(r.imbibedFluid),
             n(r.distraction), "\(n(r.worstLigamentStrain)) (\(r.worstLigament))", n(r.worstLigamentThresholdRatio),
             r.ligamentFailureRatio.map(n) ?? "—", n(r.facetForce), n(r.uncovertebralForce), r.screening]
        }
        var widths = Array(repeating: 0, count: Self.headers.count)
        for l in lines { for (i, c) in l.enumerated() { widths[i] = max(widths[i], c.count) } }
        return lines.map { l in
            l.enumerated().map { i, c in i == l.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The screening verdict of `patient` with `conditions` for cervical traction at `level`.
    /// - Throws: ``ScenarioError`` for a patient the rules cannot assess.
    public static func screening(patient: Patient, level: CervicalLevel, conditions: Set<Condition>) throws(ScenarioError) -> ScreeningVerdict {
        try requireValidPatient(patient)
        guard let spinal = SpinalLevel(level.rawValue) else {
            throw .invalidValue(property: "level", value: .nan, expected: "a cervical level the traction rules know")
        }
        let a = PatientAssessment(bodyMassKg: patient.bodyMassKg, region: .cervical, level: spinal, boneDensity: .tScore(patient.tScore),
                                  conditions: conditions, spondylolisthesisGrade: 0, monthsSinceSpinalSurgery: nil)
        let (refusals, limits) = Screening.tractionRules(a)
        return ScreeningVerdict(scenario: .professionalTable, refusals: refusals, limits: limits)
    }

    /// Runs the comparison for `patient` at `level` (``Patient/level`` is not used).
    /// - Throws: ``ScenarioError`` for bad options, ``ModelError`` or ``AnatomyError`` for a run that fails.
    public static func run(patient: Patient, level: CervicalLevel = .c5c6, conditions: Set<Condition> = [],
                           options: CervicalComparisonOptions = CervicalComparisonOptions()) async throws -> CervicalComparison {
        try options.validate()
        let verdict = try screening(patient: patient, level: level, conditions: conditions)
        let segment = try MotionSegment.cervical(level, patient: patient, mesh: options.mesh)
        var swollen: [String: SimulationState] = [:]
        var rows: [CervicalScenarioRow] = []

        var professional = options.professional
        professional.geometry.level = level
        professional.pull *= verdict.limits.force
        let ph = try professional.historyAtLevel(bodyMassKg: patient.bodyMassKg)
        let posture: String
        if case .seated = professional.geometry.posture { posture = "seated" } else { posture = "supine" }
        let pLabel = "professional \(ScenarioComparison.number(professional.pull)) N at \(ScenarioComparison.number(professional.geometry.pullAngle))°, \(posture), \(professional.cycles) cycles"
        rows.append(try await runRow(label: pLabel, history: ph, drop: nil, segment: segment, patient: patient, options: options,
                                     screening: verdict.summary, swollen: &swollen))

        var doors: [OverTheDoorDevice] = []
        for w in options.doorWeightsKg { var d = options.door; d.weightKg = w; doors.append(d) }
        for a in options.sittingAngles {
            var d = options.door; d.geometry.pullAngle = a
            if !doors.contains(d) { doors.append(d) }
        }
        let home = verdict.clinicWouldRefuse ? verdict.summary : "not screened (home device); " + verdict.summary
        for var d in doors {
            d.geometry.level = level
            let h = try d.historyAtLevel(bodyMassKg: patient.bodyMassKg)
            let dropEnd = d.releaseTime + 3 * 2 * Double.pi / d.naturalFrequency
            let label = "over-the-door \(ScenarioComparison.number(d.weightKg)) kg (\(ScenarioComparison.number(d.weightKg / OverTheDoorDevice.pound)) lb) at \(ScenarioComparison.number(d.geometry.pullAngle))°, seated"
            rows.append(try await runRow(label: label, history: h, drop: dropEnd, segment: segment, patient: patient, options: options,
                                         screening: home, swollen: &swollen))
        }
        if var hand = options.handPull {
            hand.geometry.level = level
            let h = try hand.historyAtLevel(bodyMassKg: patient.bodyMassKg)
            let label = "rope pulled by hand \(ScenarioComparison.number(hand.peakRopeForce)) N at \(ScenarioComparison.number(hand.geometry.pullAngle))°, seated, \(hand.repetitions) pulls"
            // Outputs at every corner of the pulls as well: the holds are short against the output spacing.
            rows.append(try await runRow(label: label, history: h, drop: nil, segment: segment, patient: patient, options: options,
                                         screening: home, swollen: &swollen, outputsAtCorners: true))
        }
        return CervicalComparison(level: level, bodyMassKg: patient.bodyMassKg, rows: rows)
    }

    /// One run: the history drives the segment (the first `drop` s of the session with steps of
    /// at most 0.01 s and outputs every 0.02 s; with `outputsAtCorners`, outputs at every time of
    /// the history too).
    static func runRow(label: String, history: CervicalLoadHistory, drop: Double?, segment: Model, patient: Patient,
                       options o: CervicalComparisonOptions, screening: String, swollen: inout [String: SimulationState],
                       outputsAtCorners: Bool = false) async throws -> CervicalScenarioRow {
        let runOptions = ScenarioRunOptions(mesh: o.mesh, lyingPreload: o.lyingPreload, preloadDuration: o.preloadDuration,
                                            sessionMaxStep: o.sessionMaxStep, sessionOutputSpacing: o.sessionOutputSpacing)
        var model = try ScenarioRunner.model(patient: patient, mesh: o.mesh, options: runOptions, history: history.levelLoadHistory, axialMoment: nil,
                                             recovery: 0, maxStep: o.sessionMaxStep, outputSpacing: o.sessionOutputSpacing, hypermobility: nil,
                                             segment: segment)
        let p = o.preloadDuration, session = history.times.last! - history.times.first!
        if outputsAtCorners {
            model.outputs.times = Array(Set(model.outputs.times + history.times.map { p + $0 - history.times[0] })).sorted()
            try model.validate()
        }
        if let drop, drop < session, let k = model.steps.firstIndex(where: { $0.name == "session" }) {
            let s = model.steps[k]
            model.steps.replaceSubrange(k...k, with: [
                StepDefinition(name: "drop", duration: drop, initialStep: 0.001, minStep: min(1e-7, s.minStep), maxStep: 0.01),
                StepDefinition(name: "session", duration: session - drop, initialStep: 0.01, minStep: s.minStep, maxStep: s.maxStep),
            ])
            model.outputs.times = Array(Set(model.outputs.times + stride(from: p, to: p + drop, by: 0.02).map { $0 })).sorted()
            try model.validate()
        }
        let r = try await ScenarioRunner.simulate(model, swollen: &swollen)
        guard r.isComplete else { throw ModelError(.invalidValue, at: label, "the run stopped early: \(r.notices.joined(separator: "; "))") }
        guard let pressure = r.nucleusPressure, let imbibed = r.imbibedVolume, let ms = r.motionSegment else {
            throw ModelError(.invalidValue, at: label, "the run reported no nucleus pressure, imbibed volume or motion segment")
        }
        let t = r.times, end = p + session
        let d0 = ScenarioRunner.value(ms.distraction, times: t, at: p)
        let window = t.indices.filter { t[$0] >= p - 1e-9 && t[$0] <= end + 1e-9 }
        let worst = ms.ligaments.max { ($0.strain.maximum ?? 0) < ($1.strain.maximum ?? 0) }
        let worstStrain = worst?.strain.maximum ?? 0
        let failure = ms.ligaments.compactMap { $0.failureRatio?.maximum }.max()
        let facet = ms.facets.filter { $0.name.contains("facet") }.compactMap { $0.force.maximum }.max() ?? 0
        let unco = ms.facets.filter { $0.name.contains("uncovertebral") }.compactMap { $0.force.maximum }.max() ?? 0
        return CervicalScenarioRow(
            label: label, peakRopeForce: history.peakRopeForce, peakAxialForce: history.peakAxialForce,
            temporomandibularLoad: history.peakTemporomandibularLoad, minimumNucleusPressure: pressure.minimum ?? .nan,
            imbibedFluid: ScenarioRunner.value(imbibed, times: t, at: end) - ScenarioRunner.value(imbibed, times: t, at: p),
            distraction: window.map { ms.distraction.scalars[$0] - d0 }.max() ?? 0,
            worstLigament: worst?.name ?? "—", worstLigamentStrain: worstStrain,
            worstLigamentThresholdRatio: worstStrain / RepeatedThrustDamage.assumedLaw.threshold,
            ligamentFailureRatio: failure, facetForce: facet, uncovertebralForce: unco, screening: screening)
    }
}
