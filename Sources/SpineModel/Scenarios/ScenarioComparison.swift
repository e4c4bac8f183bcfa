import Foundation

/// The peak strain of one ligament in one scenario, against its damage threshold and its failure.
public struct LigamentPeak: Sendable, Equatable, Codable {
    /// The ligament's name (e.g. `flavum`).
    public var ligament: String
    /// Largest strain over the scenario (dimensionless).
    public var peakStrain: Double
    /// Peak strain over the damage-threshold strain (dimensionless); nil when the law has none.
    public var fractionOfDamageThreshold: Double?
    /// Peak strain (or force) over failure (dimensionless); nil when the data set gives none.
    public var fractionOfFailure: Double?
    /// Strain at the start of the session, before any scenario load (dimensionless: the in-situ
    /// prestrain of the data set plus the swelling and the starting state); nil when not known.
    public var restStrain: Double?
    /// ``restStrain`` over the damage-threshold strain (dimensionless); nil when either is unknown.
    public var restFractionOfDamageThreshold: Double?

    /// Creates a value from its parts (units as documented on each property).
    public init(ligament: String, peakStrain: Double, fractionOfDamageThreshold: Double?, fractionOfFailure: Double?,
                restStrain: Double? = nil, restFractionOfDamageThreshold: Double? = nil) {
        self.ligament = ligament; self.peakStrain = peakStrain
        self.fractionOfDamageThreshold = fractionOfDamageThreshold; self.fractionOfFailure = fractionOfFailure
        self.restStrain = restStrain; self.restFractionOfDamageThreshold = restFractionOfDamageThreshold
    }
}

/// One scenario's results on the patient: the row of the comparison.
///
/// This is the entry point for a run of the scenarios: whatever ran them fills one value per scenario
/// (or per sweep point), and ``ScenarioComparison`` writes them.
public struct ScenarioOutcome: Sendable, Equatable, Codable {
    /// Which scenario.
    public var scenario: ScenarioKind
    /// A label for the row (e.g. `self-manipulation 15 N·m`).
    public var label: String
    /// Smallest nucleus pressure over the session (MPa).
    public var minimumNucleusPressure: Double
    /// Time the nucleus pressure was below zero (s).
    public var timeBelowZeroPressure: Double
    /// Fluid volume drawn into the disc over the session (mm³).
    public var imbibedFluid: Double
    /// Glucose drawn into the disc over the session (mmol); nil when transport was not run.
    public var glucoseImbibed: Double?
    /// Largest axial distraction of the segment (mm).
    public var distraction: Double
    /// Peak strain per ligament.
    public var ligaments: [LigamentPeak]
    /// Laxity after ``days`` days of repetition (strain); nil for a single session.
    public var laxityAfterDays: Double?
    /// Days of repetition behind ``laxityAfterDays``.
    public var days: Int?
    /// Largest facet contact force (N).
    public var facetForce: Double
    /// Largest bone strain over the yield strain (dimensionless).
    public var boneStrainToYield: Double
    /// Largest bone stress over the density-dependent strength (dimensionless).
    public var boneStressToStrength: Double
    /// The screening verdict for this scenario.
    public var screening: ScreeningVerdict
    /// What remains after lying under the preload after the session; nil when not run.
    public var recovery: RecoveryOutcome?
    /// The session's glucose budget (``glucoseImbibed`` is its ``GlucoseBudget/imbibed``); nil
    /// when transport was not run.
    public var glucose: GlucoseBudget? = nil
    /// Why the glucose transport asked for this row did not run to the end (the row's mechanics
    /// then come from the run without transport and ``glucoseImbibed`` is nil); nil otherwise.
    public var glucoseFailure: String? = nil
    /// The finite-element bone strain over the session when the vertebral bodies are deformable
    /// (``ScenarioRunOptions/deformableVertebrae``); nil with rigid vertebrae.
    public var boneStrain: FiniteElementBoneStrain? = nil

    /// Creates a value from its parts (units as documented on each property).
    public init(scenario: ScenarioKind, label: String, minimumNucleusPressure: Double, timeBelowZeroPressure: Double,
                imbibedFluid: Double, glucoseImbibed: Double?, distraction: Double, ligaments: [LigamentPeak],
                laxityAfterDays: Double?, days: Int?, facetForce: Double, boneStrainToYield: Double,
                boneStressToStrength: Double, screening: ScreeningVerdict, recovery: RecoveryOutcome? = nil) {
        self.scenario = scenario; self.label = label; self.minimumNucleusPressure = minimumNucleusPressure
        self.timeBelowZeroPressure = timeBelowZeroPressure; self.imbibedFluid = imbibedFluid; self.glucoseImbibed = glucoseImbibed
        self.distraction = distraction; self.ligaments = ligaments; self.laxityAfterDays = laxityAfterDays; self.days = days
        self.facetForce = facetForce; self.boneStrainToYield = boneStrainToYield; self.boneStressToStrength = boneStressToStrength
        self.screening = screening; self.recovery = recovery
    }

    /// The ligament with the largest fraction of its damage threshold, if any has one.
    public var worstForDamage: LigamentPeak? {
        ligaments.filter { $0.fractionOfDamageThreshold != nil }.max { $0.fractionOfDamageThreshold! < $1.fractionOfDamageThreshold! }
    }

    /// The ligament with the largest fraction of failure, if any has one.
    public var worstForFailure: LigamentPeak? {
        ligaments.filter { $0.fractionOfFailure != nil }.max { $0.fractionOfFailure! < $1.fractionOfFailure! }
    }
}

/// The largest principal strains of the deformable vertebral bodies' bone cells over a session
/// (``MotionSegmentResults/boneStrain``, as the mesh computes them), against the vertebral
/// trabecular yield strains (Morgan EF, Keaveny TM 2001, J Biomech 34(5):569–577: 0.77 % in
/// compression, 0.70 % in tension, the defaults of ``LimitCriteria``), after the mesh's
/// bone-strain factor (``DeformableVertebrae/measuredBoneStrainFactor(mesh:layers:height:)``: the
/// strain at the scale where a continuum strain of trabecular bone means something).
public struct FiniteElementBoneStrain: Sendable, Equatable, Codable {
    /// Largest compressive principal strain (dimensionless, ≥ 0, magnitude) on the mesh.
    public var compressive: Double
    /// Largest tensile principal strain (dimensionless, ≥ 0) on the mesh.
    public var tensile: Double
    /// Yield strains (dimensionless) the ratios use.
    public var compressiveYield: Double, tensileYield: Double
    /// The mesh's bone-strain factor (dimensionless, ≥ 1); nil when none was measured for the
    /// mesh and layers (the ratio is then the mesh's own, and says less).
    public var discretisationFactor: Double?

    /// Creates a value from its parts (dimensionless strains and factor).
    public init(compressive: Double, tensile: Double, compressiveYield: Double, tensileYield: Double, discretisationFactor: Double?) {
        self.compressive = compressive; self.tensile = tensile; self.compressiveYield = compressiveYield; self.tensileYield = tensileYield
        self.discretisationFactor = discretisationFactor
    }

    /// The factor times the larger of compressive / compressive yield and tensile / tensile yield
    /// (dimensionless).
    public var toYield: Double {
        (discretisationFactor ?? 1) * max(max(0, compressive) / compressiveYield, max(0, tensile) / tensileYield)
    }
}

/// The comparison of the scenarios on one patient, and its writers: `comparison.json`, a Markdown
/// report (`comparison.md`) and one printed table.
///
/// ```swift
/// let cmp = ScenarioComparison(patient: p, outcomes: [table, inversion, crack])
/// print(cmp.table())
/// try cmp.write(to: URL(fileURLWithPath: "out"))
/// ```
public struct ScenarioComparison: Sendable, Equatable, Codable {
    /// The patient all scenarios ran on.
    public var patient: Patient
    /// One row per scenario (or sweep point), in report order.
    public var outcomes: [ScenarioOutcome]

    /// Published bands checked against the rows (``PublishedBands``); empty for none.
    public var checks: [BandCheck]
    /// The table's lumbar lengthening next to the measured stature gain, if computed.
    public var stature: StatureComparison?
    /// Time series per row for plots; nil when the rows were not run here.
    public var traces: [ScenarioTrace]? = nil
    /// The loading history before the sessions; nil when the rows were not run here.
    public var start: StartingState? = nil
    /// How the rows were obtained (starting state, recovery, thrust, laxity law, bone estimate); the
    /// report prints them under "How the rows were computed"; nil for none.
    public var notes: [String]? = nil

    /// Creates a value from its parts (units as documented on each property).
    public init(patient: Patient, outcomes: [ScenarioOutcome], checks: [BandCheck] = [], stature: StatureComparison? = nil) {
        self.patient = patient; self.outcomes = outcomes; self.checks = checks; self.stature = stature
    }

    /// What the model leaves out; the report prints this as its own section.
    public static let leftOut: [String] = [
        "Active muscles: only an optional guarding load during inversion (a compressive follower load) is modelled; no other muscle force, reflex or bracing acts on the segment.",
        "Inertia during the thrust: self-manipulation runs quasi-statically with rate-dependent ligaments. Acceptable because the ~150 ms rise is long against the oscillation period of a vertebra on its disc and ligaments (a few ms), so inertial forces are small against the elastic ones; the hand's force reaching the segment (about 12 % in Funabashi et al. 2022) is not modelled — the moment is prescribed at the segment.",
        "Patient geometry: one generic level geometry scaled by the patient's data, not the patient's own anatomy; no spinal curvature, neighbouring levels or rib cage.",
        "Harness loads on the ribs and pelvis: outside the model; bone safety is reported for the vertebrae of the segment only.",
        "Bone density: there is no validated conversion from a DXA T-score to apparent density; the conversion used is a named assumption.",
    ]

    /// Column headers of the table, each with its unit.
    public static let headers = [
        "scenario", "min nucleus pressure (MPa)", "time below 0 MPa (s)", "imbibed fluid (mm³)", "glucose imbibed (mmol)",
        "distraction (mm)", "ligament strain / damage threshold (−)", "ligament strain / failure (−)", "laxity after days (strain)",
        "facet force (N)", "bone strain / yield strain (−)", "bone stress / strength (−)", "screening",
    ]

    /// A number with four significant digits (`%.4g`).
    public static func number(_ x: Double) -> String { String(format: "%.4g", x) }

    /// The table cells of a row, in ``headers`` order.
    static func cells(_ o: ScenarioOutcome) -> [String] {
        func lig(_ p: LigamentPeak?, _ v: (LigamentPeak) -> Double?) -> String {
            guard let p, let x = v(p) else { return "—" }
            return "\(number(x)) (\(p.ligament))"
        }
        // A ligament already at or above its damage threshold before the session says so: its ratio
        // then measures the data set's in-situ strain as much as the scenario.
        var damage = lig(o.worstForDamage, \.fractionOfDamageThreshold)
        if let w = o.worstForDamage, let r = w.restFractionOfDamageThreshold, r >= 1 {
            damage = "\(number(w.fractionOfDamageThreshold!)) (\(w.ligament); \(number(r)) at rest)"
        }
        let laxity = o.laxityAfterDays.map { l in "\(number(l))" + (o.days.map { " (\($0) d)" } ?? "") } ?? "—"
        return [
            o.label, number(o.minimumNucleusPressure), number(o.timeBelowZeroPressure), number(o.imbibedFluid),
            o.glucoseImbibed.map(number) ?? "—", number(o.distraction),
            damage, lig(o.worstForFailure, \.fractionOfFailure), laxity,
            number(o.facetForce), number(o.boneStrainToYield) + (o.boneStrain.map { " (FE \(number($0.toYield)))" } ?? ""),
            number(o.boneStressToStrength), o.screening.summary,
        ]
    }

    /// The printed table: columns padded to their widest cell, separated by two spaces.
    public func table() -> String {
        let rows = [Self.headers] + outcomes.map(Self.cells)
        var widths = Array(repeating: 0, count: Self.headers.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The Markdown report: patient, the table, per-ligament peaks, screening with the rules' sources,
    /// the published bands and the stature comparison (when given), and "What the model leaves out".
    public func markdown() -> String {
        func row(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        var s = "# Three ways to decompress a spine\n\n"
        s += "Patient: \(Self.number(patient.bodyMassKg)) kg, \(Self.number(patient.heightCm)) cm, T-score \(Self.number(patient.tScore)), "
        s += "Pfirrmann grade \(patient.discGrade.rawValue), level \(patient.level.rawValue).\n\n"
        if let start { s += "Starting state: \(start == .night ? "after a night's rest (night)" : "after a day upright (day)").\n\n" }
        s += "## Results\n\n" + row(Self.headers) + "\n" + row(Self.headers.map { _ in "---" }) + "\n"
        for o in outcomes { s += row(Self.cells(o)) + "\n" }
        let rest = outcomes.contains { $0.ligaments.contains { $0.restStrain != nil } }
        s += "\n## Ligaments\n\n" + row(["scenario", "ligament", "peak strain (−)", "strain / damage threshold (−)", "strain / failure (−)"]
                                           + (rest ? ["strain at rest (−)", "at rest / damage threshold (−)"] : [])) + "\n"
        s += row(["---", "---", "---", "---", "---"] + (rest ? ["---", "---"] : [])) + "\n"
        for o in outcomes {
            for l in o.ligaments {
                s += row([o.label, l.ligament, Self.number(l.peakStrain), l.fractionOfDamageThreshold.map(Self.number) ?? "—",
                          l.fractionOfFailure.map(Self.number) ?? "—"]
                         + (rest ? [l.restStrain.map(Self.number) ?? "—", l.restFractionOfDamageThreshold.map(Self.number) ?? "—"] : [])) + "\n"
            }
        }
        let fe = outcomes.filter { $0.boneStrain != nil }
        if !fe.isEmpty {
            s += "\n## Bone (deformable vertebral bodies)\n\n"
            s += "Largest principal strains of the bone cells over the session as the mesh computes them; the ratio to yield multiplies them by the mesh's bone-strain factor first (the strain in cells about 3 mm thick at the endplate).\n\n"
            s += row(["scenario", "compressive strain (−)", "tensile strain (−)", "mesh factor (−)", "FE strain / yield (−)", "estimate (rigid) / yield (−)"]) + "\n"
            s += row(["---", "---", "---", "---", "---", "---"]) + "\n"
            for o in fe {
                let b = o.boneStrain!
                s += row([o.label, Self.number(b.compressive), Self.number(b.tensile), b.discretisationFactor.map(Self.number) ?? "none measured",
                          Self.number(b.toYield), Self.number(o.boneStrainToYield)]) + "\n"
            }
        }
        s += "\n## Screening\n\n"
        for o in outcomes {
            s += "- \(o.label): \(o.screening.summary).\n"
            for r in o.screening.refusals { s += "  - rule \(r.rule): \(r.citation)\n" }
        }
        if !checks.isEmpty {
            s += "\n## Published bands\n\n" + row(["quantity", "scenario", "model", "band", "holds", "source"]) + "\n"
            s += row(["---", "---", "---", "---", "---", "---"]) + "\n"
            for c in checks {
                s += row([c.quantity, c.scenario, Self.number(c.value), c.band, c.holds ? "yes" : "no", c.citation]) + "\n"
            }
        }
        let recovered = outcomes.filter { $0.recovery != nil }
        if !recovered.isEmpty {
            s += "\n## After the session\n\n" + row(["scenario", "time after the session (s)", "imbibed fluid then (mm³)", "of the session's (−)",
                                                       "distraction then (mm)", "of the session's (−)"]) + "\n"
            s += row(["---", "---", "---", "---", "---", "---"]) + "\n"
            for o in recovered {
                let r = o.recovery!
                func frac(_ a: Double, _ b: Double) -> String { b != 0 ? Self.number(a / b) : "—" }
                s += row([o.label, Self.number(r.duration), Self.number(r.imbibedFluid), frac(r.imbibedFluid, o.imbibedFluid),
                          Self.number(r.distraction), frac(r.distraction, o.distraction)]) + "\n"
            }
        }
        let fed = outcomes.filter { $0.glucose != nil }
        if !fed.isEmpty {
            s += "\n## Glucose\n\n" + row(["scenario", "session (s)", "imbibed (mmol)", "consumed (mmol)", "content change (mmol)",
                                              "imbibed − consumed − change (mmol)", "balance error to the session end (−)", "min glucose (mM)"]) + "\n"
            s += row(["---", "---", "---", "---", "---", "---", "---", "---"]) + "\n"
            for o in fed {
                let g = o.glucose!
                s += row([o.label, "\(Self.number(g.sessionStart))–\(Self.number(g.sessionEnd))", Self.number(g.imbibed), Self.number(g.consumed),
                          Self.number(g.contentChange), Self.number(g.imbibed - g.consumed - g.contentChange), Self.number(g.balanceError),
                          Self.number(g.minimumConcentration)]) + "\n"
            }
        }
        if let st = stature {
            s += "\n## Stature\n\n"
            s += "\(st.levels) × \(Self.number(st.perLevelDistraction)) mm = \(Self.number(st.modelLumbarLengthening)) mm of lumbar lengthening "
            s += "against a measured stature gain of \(Self.number(st.measuredWithTraction)) mm (\(Self.number(st.measuredCrookLying)) mm lying without traction); "
            s += "difference \(Self.number(st.difference)) mm. \(StatureComparison.explanation)\n"
        }
        if let notes, !notes.isEmpty {
            s += "\n## How the rows were computed\n\n"
            for n in notes { s += "- \(n)\n" }
        }
        s += "\n## What the model leaves out\n\n"
        for item in Self.leftOut { s += "- \(item)\n" }
        return s
    }

    /// `comparison.json`: this value, keys sorted, pretty-printed.
    /// - Throws: an `EncodingError` for a non-finite number.
    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }

    /// Writes `comparison.json` and `comparison.md` into `directory` (created if missing).
    /// - Throws: a file-system or encoding error.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try json().write(to: directory.appendingPathComponent("comparison.json"), options: .atomic)
        try Data(markdown().utf8).write(to: directory.appendingPathComponent("comparison.md"), options: .atomic)
    }
}
