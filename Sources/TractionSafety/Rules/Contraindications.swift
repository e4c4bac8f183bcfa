import Foundation

/// A patient condition relevant to traction (absolute or relative contraindication).
///
/// Numeric findings (T-score, spondylolisthesis grade, months since surgery) are fields of
/// ``PatientAssessment`` instead of flags.
public enum Condition: String, CaseIterable, Comparable, Sendable {
    // Absolute (block treatment)
    /// Spinal tumour or metastasis.
    case spinalTumour
    /// Spinal infection: osteomyelitis, discitis.
    case spinalInfection
    /// Acute vertebral fracture.
    case acuteFracture
    /// Spinal instability (clinically or radiologically diagnosed).
    case spinalInstability
    /// Pars interarticularis defect (spondylolysis).
    case parsDefect
    /// Abdominal aortic aneurysm (aortic diameter ≥ 3 cm).
    case abdominalAorticAneurysm
    /// Pregnancy.
    case pregnancy
    /// A fragility (low-trauma) fracture in the history; with T-score ≤ −2.5 it makes osteoporosis severe.
    case fragilityFracture
    /// Spinal instrumentation in place (rods, screws, cages, fusion hardware).
    case spinalInstrumentation
    /// Cauda equina syndrome or central cord compression.
    case cordOrCaudaEquinaCompression
    /// Rheumatoid arthritis or acute inflammatory joint disease (blocks cervical traction).
    case inflammatoryJointDisease
    /// Cervical arterial dysfunction, known or suspected: vertebrobasilar insufficiency, vertebral or
    /// internal carotid artery disease or dissection (blocks cervical traction).
    case cervicalArterialDysfunction
    /// Laxity of the craniovertebral (occiput–C1–C2) ligaments without a diagnosed instability:
    /// Down syndrome, os odontoideum, a connective-tissue disorder with upper-cervical laxity
    /// (blocks cervical traction).
    case craniovertebralLigamentLaxity
    // Relative (may only lower limits)
    /// Generalised joint hypermobility.
    case hypermobility
    /// Cardiac insufficiency.
    case cardiacInsufficiency
    /// Respiratory insufficiency.
    case respiratoryInsufficiency
    /// Uncontrolled hypertension.
    case uncontrolledHypertension
    /// Hiatal hernia (lumbar harness compresses the abdomen).
    case hiatalHernia
    /// Claustrophobia.
    case claustrophobia
    /// Temporomandibular joint disorder (cervical halter loads the jaw).
    case temporomandibularDisorder

    /// Orders by raw value (the order inputs are digested in).
    public static func < (a: Condition, b: Condition) -> Bool { a.rawValue < b.rawValue }
}

/// Bone density as assessed, stated explicitly (there is no silent default).
public enum BoneDensity: Equatable, Sendable {
    /// DXA T-score (standard deviations from the young-adult mean), accepted in [−6, 4].
    case tScore(Double)
    /// No densitometry: no bone-density reduction is applied, and the document's inputs digest
    /// records that none was assessed.
    case notAssessed
}

/// What the builder knows about the patient. No personal data: no name, no identifier, no dates
/// of birth — only the findings that change limits.
public struct PatientAssessment: Equatable, Sendable {
    /// Body mass, kg, accepted in [20, 300].
    public var bodyMassKg: Double
    /// Region to be treated.
    public var region: SpinalRegion
    /// Level to be treated (must belong to `region`).
    public var level: SpinalLevel
    /// Bone density.
    public var boneDensity: BoneDensity
    /// Conditions present.
    public var conditions: Set<Condition>
    /// Meyerding grade of spondylolisthesis at any treated level, 0 (none) … 5 (spondyloptosis).
    public var spondylolisthesisGrade: Int
    /// Months since the last spinal surgery; nil if never operated.
    public var monthsSinceSpinalSurgery: Int?

    /// Creates an assessment.
    public init(bodyMassKg: Double, region: SpinalRegion, level: SpinalLevel, boneDensity: BoneDensity,
                conditions: Set<Condition>, spondylolisthesisGrade: Int, monthsSinceSpinalSurgery: Int?) {
        self.bodyMassKg = bodyMassKg
        self.region = region
        self.level = level
        self.boneDensity = boneDensity
        self.conditions = conditions
        self.spondylolisthesisGrade = spondylolisthesisGrade
        self.monthsSinceSpinalSurgery = monthsSinceSpinalSurgery
    }
}

/// An absolute contraindication: if it applies, treatment of the listed regions is blocked.
public struct AbsoluteContraindicationRule: Sendable {
    /// The block code written into the document.
    public let reason: BlockReason
    /// Regions the rule blocks.
    public let regions: Set<SpinalRegion>
    /// Where the rule comes from.
    public let citation: String
    /// Whether the rule applies to a patient.
    public let applies: @Sendable (PatientAssessment) -> Bool
}

/// A relative contraindication: multiplies limits by factors ≤ 1 (it can never raise a limit).
public struct RelativeContraindicationRule: Sendable {
    /// The condition.
    public let condition: Condition
    /// Regions the rule concerns.
    public let regions: Set<SpinalRegion>
    /// Factor on the hard and soft maximum force, in (0, 1].
    public let forceFactor: Double
    /// Factor on the maximum ramp-up rate, in (0, 1]. (Ramp-down is never slowed.)
    public let rampUpFactor: Double
    /// Factor on the maximum session time, in (0, 1].
    public let sessionFactor: Double
    /// Where the rule comes from, and what is an engineering choice.
    public let citation: String
}

/// The contraindication rules, as data.
///
/// Source for the lists: the project's literature summary (`references/LITERATURE.md`,
/// "Contraindications [G]", clinical/vendor guidance) and, for T-score categories, the WHO
/// definition (normal ≥ −1.0, osteopenia −1.0…−2.5, osteoporosis ≤ −2.5, severe = ≤ −2.5 plus a
/// fragility fracture). The guidance names relative contraindications but gives no numbers for
/// how much to lower; the factors below are conservative engineering choices, each a parameter a
/// clinician can review, and the property tests guarantee they are all ≤ 1.
public enum ContraindicationRules {
    static let guidance = "LITERATURE.md, Contraindications [G] (clinical/vendor guidance)"

    /// The absolute rules (block).
    public static let absolute: [AbsoluteContraindicationRule] = [
        .init(reason: .spinalTumour, regions: [.cervical, .lumbar], citation: guidance + ": spinal tumour/metastasis") {
            $0.conditions.contains(.spinalTumour)
        },
        .init(reason: .spinalInfection, regions: [.cervical, .lumbar], citation: guidance + ": spinal infection (osteomyelitis, discitis)") {
            $0.conditions.contains(.spinalInfection)
        },
        .init(reason: .acuteFracture, regions: [.cervical, .lumbar], citation: guidance + ": acute fracture") {
            $0.conditions.contains(.acuteFracture)
        },
        .init(reason: .spinalInstability, regions: [.cervical, .lumbar],
              citation: guidance + ": spinal instability / spondylolisthesis ≥ grade 2 / pars defect") {
            $0.conditions.contains(.spinalInstability) || $0.conditions.contains(.parsDefect) || $0.spondylolisthesisGrade >= 2
        },
        .init(reason: .abdominalAorticAneurysm, regions: [.lumbar], citation: guidance + ": abdominal aortic aneurysm (≥ 3 cm)") {
            $0.conditions.contains(.abdominalAorticAneurysm)
        },
        .init(reason: .pregnancy, regions: [.cervical, .lumbar], citation: guidance + ": pregnancy") {
            $0.conditions.contains(.pregnancy)
        },
        .init(reason: .severeOsteoporosis, regions: [.cervical, .lumbar],
              citation: guidance + ": severe osteoporosis; WHO: T-score ≤ −2.5 plus a fragility fracture") {
            guard case .tScore(let t) = $0.boneDensity else { return false }
            return t <= -2.5 && $0.conditions.contains(.fragilityFracture)
        },
        .init(reason: .recentSurgeryOrInstrumentation, regions: [.cervical, .lumbar],
              citation: guidance + ": recent surgery or instrumentation (rods, screws, fusion < 6 months)") {
            $0.conditions.contains(.spinalInstrumentation) || ($0.monthsSinceSpinalSurgery.map { $0 < 6 } ?? false)
        },
        .init(reason: .cordOrCaudaEquinaCompression, regions: [.cervical, .lumbar], citation: guidance + ": cauda equina / central cord compression") {
            $0.conditions.contains(.cordOrCaudaEquinaCompression)
        },
        .init(reason: .inflammatoryJointDisease, regions: [.cervical],
              citation: guidance + ": rheumatoid or acute inflammatory joint disease (cervical)") {
            $0.conditions.contains(.inflammatoryJointDisease)
        },
        .init(reason: .cervicalArterialDysfunction, regions: [.cervical],
              citation: "Rushton A, Carlesso LC, Flynn T, et al. International framework for examination of the cervical region for potential of vascular pathologies of the neck prior to musculoskeletal intervention: International IFOMPT Cervical Framework. J Orthop Sports Phys Ther 2023;53(1):7-22 (suspected vascular pathology: no intervention, refer)") {
            $0.conditions.contains(.cervicalArterialDysfunction)
        },
        .init(reason: .craniovertebralInstability, regions: [.cervical],
              citation: "Brockmeyer D. Down syndrome and craniovertebral instability: topic review and treatment recommendations. Pediatr Neurosurg 1999;31(2):71-77 (atlantoaxial and occipitoatlantal instability in Down syndrome); upper-cervical ligament laxity of other causes treated alike: engineering choice") {
            $0.conditions.contains(.craniovertebralLigamentLaxity)
        },
    ]

    /// The relative rules (lower only). Factors are engineering choices (see the type's discussion).
    public static let relative: [RelativeContraindicationRule] = [
        .init(condition: .hypermobility, regions: [.cervical, .lumbar], forceFactor: 0.8, rampUpFactor: 0.5, sessionFactor: 1,
              citation: guidance + ": hypermobility (relative); factors: engineering choice"),
        .init(condition: .cardiacInsufficiency, regions: [.cervical, .lumbar], forceFactor: 0.8, rampUpFactor: 0.75, sessionFactor: 2.0 / 3.0,
              citation: guidance + ": cardiac insufficiency (relative); factors: engineering choice"),
        .init(condition: .respiratoryInsufficiency, regions: [.cervical, .lumbar], forceFactor: 0.8, rampUpFactor: 0.75, sessionFactor: 2.0 / 3.0,
              citation: guidance + ": respiratory insufficiency (relative); factors: engineering choice"),
        .init(condition: .uncontrolledHypertension, regions: [.cervical, .lumbar], forceFactor: 0.8, rampUpFactor: 0.75, sessionFactor: 2.0 / 3.0,
              citation: guidance + ": uncontrolled hypertension (relative; inversion raised BP +17/+16 mmHg, Arch Phys Med Rehabil 1985;66:100); factors: engineering choice"),
        .init(condition: .hiatalHernia, regions: [.lumbar], forceFactor: 0.9, rampUpFactor: 1, sessionFactor: 1,
              citation: guidance + ": hiatal hernia (relative); factors: engineering choice"),
        .init(condition: .claustrophobia, regions: [.cervical, .lumbar], forceFactor: 1, rampUpFactor: 1, sessionFactor: 2.0 / 3.0,
              citation: guidance + ": claustrophobia (relative); factors: engineering choice"),
        .init(condition: .temporomandibularDisorder, regions: [.cervical], forceFactor: 0.8, rampUpFactor: 1, sessionFactor: 1,
              citation: guidance + ": TMJ problems (relative, cervical); factors: engineering choice"),
    ]

    /// Spondylolisthesis grade 1 is not listed as a contraindication; we treat it as relative
    /// (force × 0.8, ramp-up × 0.5: engineering choice), since grade ≥ 2 blocks.
    public static let spondylolisthesisGrade1ForceFactor = 0.8
    /// Ramp-up factor for spondylolisthesis grade 1 (engineering choice).
    public static let spondylolisthesisGrade1RampUpFactor = 0.5

    /// Fraction by which bone density falls per standard deviation of T-score: 0.12, the upper
    /// (conservative) end of "each SD lower BMD ≈ 10–12 % lower density" (LITERATURE.md, WHO T-score).
    public static let densityLossPerSD = 0.12
    /// Exponent relating trabecular stiffness to apparent density, E = 4730·ρ^1.56 MPa
    /// (LITERATURE.md, Bone [P]); used as the strength scaling of the force limit.
    public static let densityExponent = 1.56

    /// Force factor for bone density: 1 for T ≥ −1 (normal, WHO); below, (1 − 0.12·d)^1.56 with
    /// d = −1 − T standard deviations below the osteopenia threshold (so T = −2.5 gives 0.734).
    /// Non-decreasing in T, never above 1. `.notAssessed` gives 1.
    public static func boneDensityForceFactor(_ density: BoneDensity) -> Double {
        guard case .tScore(let t) = density else { return 1 }
        let d = max(0, -1 - t)
        let base = max(0, 1 - densityLossPerSD * d)
        return pow(base, densityExponent)
    }

    /// The absolute rules that apply to `patient` for its region, as sorted unique codes.
    public static func blockReasons(for patient: PatientAssessment) -> [BlockReason] {
        Array(Set(absolute.filter { $0.regions.contains(patient.region) && $0.applies(patient) }.map(\.reason))).sorted()
    }

    /// The relative rules that apply to `patient` for its region, in table order.
    public static func relativeRules(for patient: PatientAssessment) -> [RelativeContraindicationRule] {
        relative.filter { $0.regions.contains(patient.region) && patient.conditions.contains($0.condition) }
    }
}
