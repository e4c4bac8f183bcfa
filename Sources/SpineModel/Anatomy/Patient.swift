/// A patient: body mass and height, bone density as a DXA T-score, disc degeneration grade and
/// the treated level.
///
/// ```swift
/// let p = try Patient(bodyMassKg: 80, heightCm: 178, tScore: -1.2, discGrade: .ii, level: .l4l5)
/// p.massCranial(to: .l4l5)          // kg of body above L4-L5 (Dempster fractions)
/// ```
public struct Patient: Sendable, Equatable, Codable {
    /// Body mass (kg), > 0.
    public var bodyMassKg: Double
    /// Standing height (cm), > 0.
    public var heightCm: Double
    /// Lumbar bone mineral density as a DXA T-score (SD from the young-adult mean), in [−6, 4].
    /// WHO categories: normal ≥ −1, osteopenia −1 … −2.5, osteoporosis ≤ −2.5 (WHO 1994
    /// Technical Report Series 843). There is no validated conversion from a T-score to apparent
    /// density; see ``BoneDensityAssumption``.
    public var tScore: Double
    /// Pfirrmann grade of the disc at ``level``.
    public var discGrade: PfirrmannGrade
    /// The treated motion segment.
    public var level: LumbarLevel

    /// A validated patient.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` naming the field.
    public init(bodyMassKg: Double, heightCm: Double, tScore: Double = 0, discGrade: PfirrmannGrade = .ii, level: LumbarLevel = .l4l5) throws {
        self.bodyMassKg = bodyMassKg; self.heightCm = heightCm; self.tScore = tScore; self.discGrade = discGrade; self.level = level
        try validate()
    }

    private enum CodingKeys: String, CodingKey { case bodyMassKg, heightCm, tScore, discGrade, level }

    /// Decodes and validates a patient (a decoded value is checked like a constructed one).
    /// - Throws: `DecodingError` for a missing key or wrong type, ``AnatomyError`` for a value out of range.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(bodyMassKg: c.decode(Double.self, forKey: .bodyMassKg), heightCm: c.decode(Double.self, forKey: .heightCm),
                      tScore: c.decode(Double.self, forKey: .tScore), discGrade: c.decode(PfirrmannGrade.self, forKey: .discGrade),
                      level: c.decode(LumbarLevel.self, forKey: .level))
    }

    /// Checks the values (an edited patient).
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)``.
    public func validate() throws {
        guard bodyMassKg.isFinite, bodyMassKg > 0 else { throw AnatomyError.invalidValue(field: "patient.bodyMassKg", value: bodyMassKg, expected: "a mass > 0 kg") }
        guard heightCm.isFinite, heightCm > 0 else { throw AnatomyError.invalidValue(field: "patient.heightCm", value: heightCm, expected: "a height > 0 cm") }
        guard tScore.isFinite, (-6...4).contains(tScore) else { throw AnatomyError.invalidValue(field: "patient.tScore", value: tScore, expected: "a T-score in [−6, 4]") }
    }

    /// Body weight (N) with `g = 9.81 m/s²`.
    public var bodyWeight: Double { bodyMassKg * 9.81 }

    /// Mass of the body cranial to `level` (kg), from ``BodySegmentFractions/dempster``.
    public func massCranial(to level: LumbarLevel, fractions: BodySegmentFractions = .dempster) -> Double {
        fractions.fractionCranial(to: level) * bodyMassKg
    }

    /// Weight of the body cranial to `level` (N).
    public func weightCranial(to level: LumbarLevel, fractions: BodySegmentFractions = .dempster) -> Double {
        massCranial(to: level, fractions: fractions) * 9.81
    }

    /// WHO category of ``tScore``.
    public var boneCategory: BoneCategory {
        tScore >= -1 ? .normal : (tScore > -2.5 ? .osteopenia : .osteoporosis)
    }
}

/// WHO bone-density category from a T-score (WHO 1994, Technical Report Series 843).
public enum BoneCategory: String, Sendable, Equatable, Codable {
    case normal, osteopenia, osteoporosis
}

/// The named assumption that turns a T-score into a trabecular apparent density.
///
/// No validated conversion exists. Assumed: each SD below the young-adult mean lowers apparent
/// density by ``fractionPerSD`` of ``youngAdultDensity`` (a linear BMD–density proportionality;
/// the 10–12 % per SD usually quoted for areal BMD is transferred to volumetric density without
/// evidence). Vertebral trabecular apparent density spans 0.09–0.35 g/cm³ (Öhman-Mägi et al.
/// 2021 review); the young-adult default is an assumption within it.
public struct BoneDensityAssumption: Sendable, Equatable, Codable {
    /// Apparent density at T = 0 (g/cm³).
    public var youngAdultDensity: Double
    /// Fractional density change per SD of T-score (dimensionless).
    public var fractionPerSD: Double

    public init(youngAdultDensity: Double = 0.20, fractionPerSD: Double = 0.11) {
        self.youngAdultDensity = youngAdultDensity; self.fractionPerSD = fractionPerSD
    }

    /// Apparent density (g/cm³) for a T-score, never below 10 % of the young-adult value.
    public func density(tScore: Double) -> Double { youngAdultDensity * max(0.1, 1 + fractionPerSD * tScore) }
}

/// Pfirrmann grade of lumbar disc degeneration on T2-weighted MRI (Pfirrmann CWA, Metzdorf A,
/// Zanetti M, Hodler J, Boos N 2001, Spine 26(17):1873–1878).
public enum PfirrmannGrade: Int, Sendable, Equatable, Codable, CaseIterable, Comparable {
    case i = 1, ii, iii, iv, v

    /// The grade for `value` 1…5.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)``.
    public init(grade value: Int) throws {
        guard let g = PfirrmannGrade(rawValue: value) else {
            throw AnatomyError.invalidValue(field: "patient.discGrade", value: Double(value), expected: "a Pfirrmann grade 1…5")
        }
        self = g
    }

    public static func < (a: PfirrmannGrade, b: PfirrmannGrade) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a grade from its number 1…5.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` for another number.
    public init(from decoder: Decoder) throws {
        try self.init(grade: decoder.singleValueContainer().decode(Int.self))
    }

    /// The disc property preset for this grade (see ``DegenerationPreset``).
    public var preset: DegenerationPreset { DegenerationPreset.standard(self) }
}

/// Disc properties of a degeneration grade as factors on the healthy (grade I) disc.
///
/// **What the sources give.**
/// - Height: Pfirrmann et al. 2001 define the grades partly by height — normal (I, II), normal to
///   slightly decreased (III), normal to moderately decreased (IV), collapsed (V) — but give no
///   number. The height factors below (1, 1, 0.9, 0.75, 0.5) are an **assumption** of this
///   library, not a published value.
/// - Fixed-charge density: proteoglycan (and so fixed charge) loss with degeneration is
///   established (Urban & Roberts 2003, Arthritis Res Ther 5:120–130) but no per-grade number was
///   found; the factors (1, 1, 0.8, 0.6, 0.4) are an **assumption**.
/// - Nucleus permeability: FE models use k₀ = 3e-16 m⁴/(N·s) for a healthy and 7e-16 for a
///   degenerated nucleus (Argoubi & Shirazi-Adl-type strain-dependent law, as compiled with
///   "grade 0 … grade 2" in lumbar FE studies); the factors (1, 1, 1.5, 2.33, 2.33) map grades
///   III–V onto that range — the mapping of those model grades onto Pfirrmann grades is an
///   **assumption**.
/// Every factor is a `var`; a study should state the values it used.
public struct DegenerationPreset: Sendable, Equatable, Codable {
    /// Disc height over the healthy disc height (dimensionless).
    public var heightFactor: Double
    /// Nucleus fixed-charge density over the healthy value (dimensionless).
    public var fixedChargeFactor: Double
    /// Nucleus permeability over the healthy value (dimensionless).
    public var permeabilityFactor: Double

    public init(heightFactor: Double, fixedChargeFactor: Double, permeabilityFactor: Double) {
        self.heightFactor = heightFactor; self.fixedChargeFactor = fixedChargeFactor; self.permeabilityFactor = permeabilityFactor
    }

    /// The default factors for a grade (see the type's discussion for their status).
    public static func standard(_ grade: PfirrmannGrade) -> DegenerationPreset {
        switch grade {
        case .i, .ii: return DegenerationPreset(heightFactor: 1, fixedChargeFactor: 1, permeabilityFactor: 1)
        case .iii: return DegenerationPreset(heightFactor: 0.9, fixedChargeFactor: 0.8, permeabilityFactor: 1.5)
        case .iv: return DegenerationPreset(heightFactor: 0.75, fixedChargeFactor: 0.6, permeabilityFactor: 7.0 / 3)
        case .v: return DegenerationPreset(heightFactor: 0.5, fixedChargeFactor: 0.4, permeabilityFactor: 7.0 / 3)
        }
    }

    /// Checks the factors.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)``.
    public func validate() throws {
        for (name, v) in [("heightFactor", heightFactor), ("fixedChargeFactor", fixedChargeFactor), ("permeabilityFactor", permeabilityFactor)] {
            guard v.isFinite, v > 0 else { throw AnatomyError.invalidValue(field: "degeneration.\(name)", value: v, expected: "a factor > 0") }
        }
    }
}

/// Body-segment mass fractions (of body mass) for the weight cranial to a lumbar level.
///
/// Dempster's fractions as tabulated by Winter DA 1990, *Biomechanics and Motor Control of Human
/// Movement*, 2nd ed., Table 4.1: head and neck 0.081, each upper extremity 0.050, thorax (C7/T1 –
/// T12/L1) 0.216, abdomen (T12/L1 – L4/L5) 0.139, pelvis (L4/L5 – greater trochanter) 0.142, each
/// lower extremity 0.161.
///
/// Dempster's abdomen segment spans T12/L1 to L4/L5 as one block; the mass cranial to the
/// intermediate levels (L1-L2 … L3-L4) takes the abdomen in proportion ``abdomenShare`` — equal
/// quarters per lumbar level by default, an **assumption** (the table gives no split). L5-S1 adds
/// ``pelvisShareAboveL5S1`` of the pelvis segment (assumption: 0, the pelvis segment lies mostly
/// below L5-S1).
public struct BodySegmentFractions: Sendable, Equatable {
    /// Head and neck.
    public var head: Double
    /// Both upper extremities together.
    public var upperExtremities: Double
    /// Thorax.
    public var thorax: Double
    /// Abdomen (T12/L1 to L4/L5).
    public var abdomen: Double
    /// Pelvis (L4/L5 to the greater trochanter).
    public var pelvis: Double
    /// Fractions of the abdomen cranial to L1-L2, L2-L3 and L3-L4 (L4-L5: all of it).
    public var abdomenShare: (l1l2: Double, l2l3: Double, l3l4: Double)
    /// Fraction of the pelvis segment cranial to L5-S1.
    public var pelvisShareAboveL5S1: Double

    public init(head: Double, upperExtremities: Double, thorax: Double, abdomen: Double, pelvis: Double,
                abdomenShare: (l1l2: Double, l2l3: Double, l3l4: Double) = (0.25, 0.5, 0.75), pelvisShareAboveL5S1: Double = 0) {
        self.head = head; self.upperExtremities = upperExtremities; self.thorax = thorax; self.abdomen = abdomen
        self.pelvis = pelvis; self.abdomenShare = abdomenShare; self.pelvisShareAboveL5S1 = pelvisShareAboveL5S1
    }

    public static func == (a: BodySegmentFractions, b: BodySegmentFractions) -> Bool {
        a.head == b.head && a.upperExtremities == b.upperExtremities && a.thorax == b.thorax && a.abdomen == b.abdomen
            && a.pelvis == b.pelvis && a.abdomenShare == b.abdomenShare && a.pelvisShareAboveL5S1 == b.pelvisShareAboveL5S1
    }

    /// Dempster via Winter 1990.
    public static let dempster = BodySegmentFractions(head: 0.081, upperExtremities: 2 * 0.050, thorax: 0.216, abdomen: 0.139, pelvis: 0.142)

    /// Fraction of body mass cranial to `level` (0.536 at L4-L5 with the Dempster values).
    public func fractionCranial(to level: LumbarLevel) -> Double {
        let above = head + upperExtremities + thorax
        switch level {
        case .l1l2: return above + abdomen * abdomenShare.l1l2
        case .l2l3: return above + abdomen * abdomenShare.l2l3
        case .l3l4: return above + abdomen * abdomenShare.l3l4
        case .l4l5: return above + abdomen
        case .l5s1: return above + abdomen + pelvis * pelvisShareAboveL5S1
        }
    }
}
