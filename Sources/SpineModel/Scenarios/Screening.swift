import Foundation
import TractionSafety

/// The three ways to decompress a spine that the comparison runs.
public enum ScenarioKind: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// A computer-controlled decompression table (``ProfessionalTable``).
    case professionalTable
    /// A home inversion table (``InversionTable``).
    case inversionTable
    /// Self-manipulation (``SelfManipulation``).
    case selfManipulation
}

/// A condition that contraindicates inversion (head-down) specifically, on top of the traction
/// contraindications of `TractionSafety` (`TractionSafety.Condition`).
public enum InversionCondition: String, Sendable, Equatable, Hashable, Codable, CaseIterable, Comparable {
    /// Glaucoma.
    case glaucoma
    /// Ocular hypertension.
    case ocularHypertension
    /// Retinal vascular disease, macular degeneration or a retinal detachment.
    case retinalDisease
    /// Conjunctivitis.
    case conjunctivitis
    /// Middle-ear infection.
    case middleEarInfection
    /// Hypertension (> 140/90 mmHg), controlled or not.
    case hypertension
    /// Heart or circulatory disorder, uncompensated heart failure included.
    case heartOrCirculatoryDisorder
    /// Carotid stenosis.
    case carotidStenosis
    /// Stroke, transient ischaemic attack or their risk; intracranial bleed; brain trauma.
    case strokeOrBrainInjury
    /// Seizure disorder.
    case seizureDisorder
    /// Anticoagulant medication (high-dose aspirin included).
    case anticoagulants
    /// Hiatal or ventral hernia.
    case hiatalOrVentralHernia
    /// Recent fracture, medullary pins or surgical implants.
    case fractureOrImplants
    /// Extreme obesity.
    case extremeObesity

    /// Orders by raw value.
    public static func < (a: InversionCondition, b: InversionCondition) -> Bool { a.rawValue < b.rawValue }
}

/// A contraindication of inversion, as data: if it applies, a supervised setting would not invert
/// the patient.
public struct InversionContraindicationRule: Sendable {
    /// The rule's name in reports.
    public let name: String
    /// Where it comes from.
    public let citation: String
    /// Whether it applies.
    public let applies: @Sendable (ScreeningInput) -> Bool
}

/// What the screening knows about a patient: the patient, the traction contraindications
/// (`TractionSafety.Condition`), numeric findings, and the inversion-specific conditions.
public struct ScreeningInput: Sendable {
    /// The patient (mass, level, T-score).
    public var patient: Patient
    /// Conditions of the traction rules.
    public var conditions: Set<Condition>
    /// Inversion-specific conditions.
    public var inversionConditions: Set<InversionCondition>
    /// Meyerding grade of spondylolisthesis at the treated level, 0 … 5.
    public var spondylolisthesisGrade: Int
    /// Months since the last spinal surgery; nil if never operated.
    public var monthsSinceSpinalSurgery: Int?

    /// Creates a value from its parts (units as documented on each property).
    public init(patient: Patient, conditions: Set<Condition> = [], inversionConditions: Set<InversionCondition> = [],
                spondylolisthesisGrade: Int = 0, monthsSinceSpinalSurgery: Int? = nil) {
        self.patient = patient; self.conditions = conditions; self.inversionConditions = inversionConditions
        self.spondylolisthesisGrade = spondylolisthesisGrade; self.monthsSinceSpinalSurgery = monthsSinceSpinalSurgery
    }

    /// The traction rules' view of the patient (lumbar region).
    /// - Throws: ``ScenarioError`` for a grade outside 0 … 5 or negative months.
    public func assessment() throws(ScenarioError) -> PatientAssessment {
        try requireValidPatient(patient)
        try requireCount(spondylolisthesisGrade, in: 0...5, "screening.spondylolisthesisGrade", "a Meyerding grade 0 … 5")
        if let m = monthsSinceSpinalSurgery { try requireCount(m, in: 0...Int.max, "screening.monthsSinceSpinalSurgery", "months ≥ 0") }
        guard let level = SpinalLevel(patient.level.rawValue) else {
            throw .invalidValue(property: "screening.patient.level", value: .nan, expected: "a lumbar level the traction rules know")
        }
        return PatientAssessment(bodyMassKg: patient.bodyMassKg, region: .lumbar, level: level, boneDensity: .tScore(patient.tScore),
                                 conditions: conditions, spondylolisthesisGrade: spondylolisthesisGrade,
                                 monthsSinceSpinalSurgery: monthsSinceSpinalSurgery)
    }
}

/// Factors (each in (0, 1]) by which relative contraindications lower a scenario's numbers.
public struct LimitFactors: Sendable, Equatable, Codable {
    /// Factor on the force (table pull, inversion tension, thrust moment).
    public var force: Double
    /// Factor on the loading rate.
    public var rampUp: Double
    /// Factor on the session length (table session, inversion hold, thrusts a day).
    public var session: Double
    /// The rules that lowered something.
    public var rules: [String]

    /// Creates a value from its parts (units as documented on each property).
    public init(force: Double = 1, rampUp: Double = 1, session: Double = 1, rules: [String] = []) {
        self.force = force; self.rampUp = rampUp; self.session = session; self.rules = rules
    }
}

/// An absolute contraindication that applied.
public struct Refusal: Sendable, Equatable, Codable {
    /// The rule's name (a `TractionSafety` block code or an inversion rule).
    public var rule: String
    /// Where the rule comes from.
    public var citation: String
}

/// The screening's verdict for one scenario. An absolute contraindication does not stop a run — the
/// home scenarios exist to show what happens to a patient nobody screened — it marks the patient
/// as one a clinic would refuse.
public struct ScreeningVerdict: Sendable, Equatable, Codable {
    /// The scenario.
    public var scenario: ScenarioKind
    /// Absolute contraindications that apply (empty: none).
    public var refusals: [Refusal]
    /// How relative contraindications lower the scenario's numbers.
    public var limits: LimitFactors

    /// True when an absolute contraindication applies.
    public var clinicWouldRefuse: Bool { !refusals.isEmpty }

    /// One line for reports: `a clinic would refuse this patient: rule glaucoma, pregnancy` or
    /// `no absolute contraindication` (with the lowering rules, if any).
    public var summary: String {
        var s = refusals.isEmpty ? "no absolute contraindication"
            : "a clinic would refuse this patient: rule " + refusals.map(\.rule).joined(separator: ", ")
        if !limits.rules.isEmpty { s += "; limits lowered by " + limits.rules.joined(separator: ", ") }
        return s
    }
}

/// Screening of a patient for the three scenarios: `TractionSafety`'s contraindication rules for
/// all three, plus ``inversionRules`` for the inversion table.
///
/// Relative contraindications multiply the force, loading-rate and session factors exactly as the
/// controller's limits builder does (bone density, each relative rule, spondylolisthesis grade 1);
/// every factor is ≤ 1, so they only lower numbers (``ProfessionalTable/limited(by:)`` …).
///
/// ```swift
/// let verdicts = try Screening.evaluate(ScreeningInput(patient: p, inversionConditions: [.glaucoma]))
/// verdicts[.inversionTable]!.summary   // "a clinic would refuse this patient: rule glaucoma"
/// ```
public enum Screening {
    /// The inversion-specific absolute contraindications, as data with their sources.
    public static let inversionRules: [InversionContraindicationRule] = {
        let friberg = "Friberg TR, Weinreb RN 1985, JAMA 253(12):1755–1757 (intraocular pressure 14.1 → 35.6 mmHg inverted; avoid with glaucoma, ocular hypertension, retinal vascular disease, macular degeneration)"
        let teeter = "Teeter FitSpine XT1 owner's manual (vendor contraindications)"
        let klatz = "Klatz RM et al., J Am Osteopath Assoc (manufacturer contraindications cited: uncompensated heart failure, uncontrolled hypertension, carotid stenosis, hiatal hernia)"
        let haskvitz = "Phys Ther 1986;66(9):1361–1364 (blood pressure rose in 2 min inverted); Gianakopoulos G et al. 1985, Arch Phys Med Rehabil 66(2):100–102 (+17.2/+16.4 mmHg)"
        func rule(_ c: InversionCondition, _ citation: String) -> InversionContraindicationRule {
            InversionContraindicationRule(name: c.rawValue, citation: citation) { $0.inversionConditions.contains(c) }
        }
        return [
            rule(.glaucoma, friberg), rule(.ocularHypertension, friberg), rule(.retinalDisease, friberg + "; " + teeter + ": retinal detachment"),
            rule(.conjunctivitis, teeter), rule(.middleEarInfection, teeter),
            rule(.hypertension, teeter + ": hypertension (> 140/90); " + haskvitz),
            InversionContraindicationRule(name: "uncontrolledHypertension", citation: klatz + "; " + haskvitz) {
                $0.conditions.contains(.uncontrolledHypertension)
            },
            rule(.heartOrCirculatoryDisorder, teeter + "; " + klatz), rule(.carotidStenosis, klatz),
            rule(.strokeOrBrainInjury, teeter), rule(.seizureDisorder, teeter),
            rule(.anticoagulants, teeter + ": anticoagulants, high-dose aspirin included"),
            rule(.hiatalOrVentralHernia, teeter + "; " + klatz),
            InversionContraindicationRule(name: "hiatalHernia", citation: teeter + "; " + klatz) { $0.conditions.contains(.hiatalHernia) },
            InversionContraindicationRule(name: "pregnancy", citation: teeter) { $0.conditions.contains(.pregnancy) },
            InversionContraindicationRule(name: "osteoporosis", citation: teeter + ": osteoporosis; WHO: T-score ≤ −2.5") { $0.patient.tScore <= -2.5 },
            rule(.fractureOrImplants, teeter),
            InversionContraindicationRule(name: "spinalInstrumentation", citation: teeter + ": surgical implants") {
                $0.conditions.contains(.spinalInstrumentation)
            },
            rule(.extremeObesity, teeter),
        ]
    }()

    /// What the traction rules of `TractionSafety` say of `a`: the absolute contraindications that
    /// block it (with their citations) and the factors by which bone density and the relative
    /// contraindications lower the force, ramp-up rate and session length, with the rules applied.
    static func tractionRules(_ a: PatientAssessment) -> (refusals: [Refusal], limits: LimitFactors) {
        let citations = Dictionary(ContraindicationRules.absolute.map { ($0.reason, $0.citation) }, uniquingKeysWith: { x, _ in x })
        let refusals = ContraindicationRules.blockReasons(for: a).map { Refusal(rule: $0.rawValue, citation: citations[$0] ?? "") }
        var limits = LimitFactors(force: ContraindicationRules.boneDensityForceFactor(a.boneDensity))
        if limits.force < 1 { limits.rules.append("boneDensity") }
        for rule in ContraindicationRules.relativeRules(for: a) {
            limits.force *= rule.forceFactor; limits.rampUp *= rule.rampUpFactor; limits.session *= rule.sessionFactor
            limits.rules.append(rule.condition.rawValue)
        }
        return (refusals, limits)
    }

    /// The verdict for every scenario.
    /// - Throws: ``ScenarioError`` for a bad screening input.
    public static func evaluate(_ input: ScreeningInput) throws(ScenarioError) -> [ScenarioKind: ScreeningVerdict] {
        let a = try input.assessment()
        let (traction, ruleLimits) = tractionRules(a)
        var limits = ruleLimits
        if a.spondylolisthesisGrade == 1 {
            limits.force *= ContraindicationRules.spondylolisthesisGrade1ForceFactor
            limits.rampUp *= ContraindicationRules.spondylolisthesisGrade1RampUpFactor
            limits.rules.append("spondylolisthesisGrade1")
        }
        var inversion = traction
        for r in inversionRules where r.applies(input) && !inversion.contains(where: { $0.rule == r.name }) {
            inversion.append(Refusal(rule: r.name, citation: r.citation))
        }
        return [
            .professionalTable: ScreeningVerdict(scenario: .professionalTable, refusals: traction, limits: limits),
            .inversionTable: ScreeningVerdict(scenario: .inversionTable, refusals: inversion, limits: limits),
            .selfManipulation: ScreeningVerdict(scenario: .selfManipulation, refusals: traction, limits: limits),
        ]
    }
}

// MARK: - Applying relative limits (they only lower numbers)

extension LimitFactors {
    /// Checks every factor is in (0, 1].
    func validate() throws(ScenarioError) {
        for (name, v) in [("force", force), ("rampUp", rampUp), ("session", session)] {
            guard v.isFinite, v > 0, v <= 1 else { throw .invalidValue(property: "limits.\(name)", value: v, expected: "a factor in (0, 1]") }
        }
    }

    /// Factor (≥ 1) on a ramp's duration so that the loading rate `force/duration` falls by `rampUp`
    /// after the force fell by `force`: `max(1, force/rampUp)`.
    var rampLengthening: Double { max(1, force / rampUp) }
}

extension ProfessionalTable {
    /// The session lowered by `limits`: pull × force factor; ramps lengthened so the loading rate
    /// falls at least by the rate factor; cycles cut (and, if one cycle is still too long, the hold
    /// shortened) so the session lasts at most the session factor × the original length.
    /// - Throws: ``ScenarioError`` for a bad factor or property, or when no hold time would remain.
    public func limited(by limits: LimitFactors) throws(ScenarioError) -> ProfessionalTable {
        try validate(); try limits.validate()
        var t = self
        t.pullFraction *= limits.force
        t.ramp.duration *= limits.rampLengthening
        let allowed = limits.session * Double(cycles) * period
        t.cycles = max(1, Int((allowed / t.period).rounded(.down)))
        let excess = Double(t.cycles) * t.period - allowed
        if excess > 0 {
            t.hold -= excess / Double(t.cycles)
            guard t.hold > 0 else { throw .invalidValue(property: "table.hold", value: t.hold, expected: "a hold > 0 s left after the session limit") }
        }
        return t
    }

    /// One cycle (s): two ramps, the hold and the rest.
    public var period: Double { 2 * ramp.duration + hold + rest }
    /// Session length (s).
    public var sessionDuration: Double { Double(cycles) * period }
    /// Largest loading rate of the table force (N/s) for `patient`: the pull over the ramp time
    /// times the ramp's initial slope factor (`a/ln(1+a)` for a logarithmic ramp, 1 for a linear one).
    public func peakLoadingRate(patient: Patient) -> Double {
        let slope: Double
        switch ramp.shape {
        case .linear: slope = 1
        case let .logarithmic(_, a): slope = a / Foundation.log1p(a)
        }
        return pullFraction * patient.bodyWeight * slope / ramp.duration
    }
}

extension InversionTable {
    /// The session lowered by `limits`: the angle lowered so the tension falls by the force factor
    /// (`sin θ' − μ cos θ' = f (sin θ − μ cos θ)`), the tilt slowed by the rate factor, the hold × the
    /// session factor.
    /// - Throws: ``ScenarioError`` for a bad factor or property, or when the lowered angle is below 20°.
    public func limited(by limits: LimitFactors) throws(ScenarioError) -> InversionTable {
        try validate(); try limits.validate()
        var v = self
        let phi = atan(bedFriction), r = angle * .pi / 180
        // No tension at all (friction holds the body, θ ≤ atan μ) or no force factor: the angle stays.
        if limits.force < 1, r > phi {
            v.angle = min(angle, (phi + asin(limits.force * sin(r - phi))) * 180 / .pi)
        }
        guard v.angle >= 20 else {
            throw .invalidValue(property: "inversion.angle", value: v.angle, expected: "a lowered angle ≥ 20 degrees (the limits leave no inversion)")
        }
        v.tiltTime *= limits.rampLengthening
        v.hold *= limits.session
        return v
    }
}

extension SelfManipulation {
    /// The regimen lowered by `limits`: peak × force factor, rise slowed by the rate factor, thrusts a
    /// day × session factor (at least 1).
    /// - Throws: ``ScenarioError`` for a bad factor or property.
    public func limited(by limits: LimitFactors) throws(ScenarioError) -> SelfManipulation {
        try validate(); try limits.validate()
        var m = self
        m.peakAxialMoment *= limits.force
        m.riseTime *= limits.rampLengthening
        m.thrustsPerDay = max(1, Int((limits.session * Double(thrustsPerDay)).rounded(.down)))
        if m.thrustInterval < m.duration { m.thrustInterval = m.duration }
        return m
    }
}
