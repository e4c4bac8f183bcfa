import Biomechanics

/// The seven ligament types of a lumbar motion segment.
public enum LigamentType: String, Sendable, Equatable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, CustomStringConvertible {
    /// Anterior longitudinal ligament (ALL).
    case anteriorLongitudinal = "ALL"
    /// Posterior longitudinal ligament (PLL).
    case posteriorLongitudinal = "PLL"
    /// Ligamentum flavum (LF).
    case flavum = "LF"
    /// Interspinous ligament (ISL).
    case interspinous = "ISL"
    /// Supraspinous ligament (SSL).
    case supraspinous = "SSL"
    /// Intertransverse ligament (ITL), one each side.
    case intertransverse = "ITL"
    /// Facet capsular ligament (CL), one each side.
    case capsular = "CL"

    /// True for the ligaments present on both sides (``intertransverse``, ``capsular``); their
    /// properties in a ``LigamentDataSet`` are per side.
    public var isBilateral: Bool { self == .intertransverse || self == .capsular }

    public var description: String { rawValue }
}

/// The mechanical properties of one ligament (one side of a bilateral one) at one level.
///
/// The ligament is modelled as ``springCount`` parallel bundles, each with the law
/// ``bundleLaw()``: stiffness ``stiffnessPerSpring`` (N per unit strain) and the curve, reference
/// strain and damping given here. Failure force is the ligament's (all springs together).
public struct LigamentProperties: Sendable, Equatable, Codable {
    /// Stiffness of one spring (N per unit strain).
    public var stiffnessPerSpring: Double
    /// Number of parallel springs (bundles).
    public var springCount: Int
    /// Curve shape and transition strain (see ``Biomechanics/LigamentLaw``).
    public var curve: LigamentLaw.Curve
    /// Strain in the reference (in-situ) configuration: positive = prestrained, negative = slack.
    public var referenceStrain: Double
    /// Dashpot coefficient of one spring (N·s).
    public var dampingPerSpring: Double
    /// Failure force of the whole ligament (N), if the source gives one.
    public var failureForce: Double?
    /// Failure strain (dimensionless), if the source gives one.
    public var failureStrain: Double?
    /// Cross-sectional area (mm²), if the source gives one.
    public var crossSection: Double?
    /// Sub-failure damage law of each spring; nil for none.
    public var damage: LigamentDamage?

    public init(stiffnessPerSpring: Double, springCount: Int, curve: LigamentLaw.Curve, referenceStrain: Double,
                dampingPerSpring: Double, failureForce: Double? = nil, failureStrain: Double? = nil,
                crossSection: Double? = nil, damage: LigamentDamage? = nil) {
        self.stiffnessPerSpring = stiffnessPerSpring; self.springCount = springCount; self.curve = curve
        self.referenceStrain = referenceStrain; self.dampingPerSpring = dampingPerSpring; self.failureForce = failureForce
        self.failureStrain = failureStrain; self.crossSection = crossSection; self.damage = damage
    }

    /// Stiffness of the whole ligament, all springs (N per unit strain).
    public var totalStiffness: Double { stiffnessPerSpring * Double(springCount) }

    /// The law of one spring (failure force shared equally among the springs).
    /// - Throws: ``Biomechanics/MotionSegmentError`` for an invalid parameter.
    public func bundleLaw() throws -> LigamentLaw {
        try LigamentLaw(stiffness: stiffnessPerSpring, curve: curve, referenceStrain: referenceStrain, damping: dampingPerSpring,
                        failureForce: failureForce.map { $0 / Double(springCount) }, failureStrain: failureStrain, damage: damage)
    }

    /// Checks every value; `field` prefixes the path in the error.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)``.
    public func validate(field: String) throws {
        func bad(_ name: String, _ v: Double, _ expected: String) -> AnatomyError { .invalidValue(field: "\(field).\(name)", value: v, expected: expected) }
        guard stiffnessPerSpring.isFinite, stiffnessPerSpring >= 0 else { throw bad("stiffnessPerSpring", stiffnessPerSpring, "a stiffness ≥ 0 N per unit strain") }
        guard springCount >= 1 else { throw bad("springCount", Double(springCount), "at least 1 spring") }
        let t = curve.transitionStrain
        guard t.isFinite, t > 0 else { throw bad("transitionStrain", t, "a strain > 0") }
        if case let .bilinear(_, k2) = curve, !(k2.isFinite && k2 >= 0) { throw bad("largeStrainStiffness", k2, "a stiffness ≥ 0 N per unit strain") }
        guard referenceStrain.isFinite, referenceStrain > -1 else { throw bad("referenceStrain", referenceStrain, "a strain > −1") }
        guard dampingPerSpring.isFinite, dampingPerSpring >= 0 else { throw bad("dampingPerSpring", dampingPerSpring, "a coefficient ≥ 0 N·s") }
        if let f = failureForce, !(f.isFinite && f > 0) { throw bad("failureForce", f, "a force > 0 N") }
        if let e = failureStrain, !(e.isFinite && e > 0) { throw bad("failureStrain", e, "a strain > 0") }
        if let a = crossSection, !(a.isFinite && a > 0) { throw bad("crossSection", a, "an area > 0 mm²") }
        if let damage {
            if let e = failureStrain, damage.threshold > e {
                throw bad("damage.threshold", damage.threshold, "a strain ≤ the failure strain \(e)")
            }
            do { try damage.validate() } catch let MotionSegmentError.invalidParameter(name, value, expected) { throw bad(name, value, expected) }
        }
    }
}

/// A cited set of ligament properties for every lumbar level and ligament type.
///
/// Published sets differ by one to two orders of magnitude in stiffness (e.g. the anterior
/// longitudinal ligament: 347 N/mm in one table, 8.74 N/mm in another), and sets calibrated to
/// in-vitro ranges of motion give far fewer outliers than literature sets (Damm, Rockenfeller &
/// Gruber 2020, Biomech Model Mechanobiol 19:893–910). Two sets ship: ``remus2021`` (calibrated)
/// and ``goelBilinear`` (a literature table); every value is a `var` to edit.
///
/// ```swift
/// var set = LigamentDataSet.remus2021
/// set[.l4l5, .flavum]?.stiffnessPerSpring *= 1.5
/// ```
public struct LigamentDataSet: Sendable, Equatable, Codable {
    /// Short name ("remus2021").
    public var name: String
    /// The source.
    public var citation: String
    /// Properties by level and type (bilateral ligaments: per side).
    public var entries: [LumbarLevel: [LigamentType: LigamentProperties]]

    public init(name: String, citation: String, entries: [LumbarLevel: [LigamentType: LigamentProperties]]) {
        self.name = name; self.citation = citation; self.entries = entries
    }

    /// The properties of `type` at `level`.
    public subscript(level: LumbarLevel, type: LigamentType) -> LigamentProperties? {
        get { entries[level]?[type] }
        set { entries[level, default: [:]][type] = newValue }
    }

    /// The properties of `type` at `level`, or a typed error when missing.
    /// - Throws: ``AnatomyError/missingEntry(field:)``.
    public func properties(_ level: LumbarLevel, _ type: LigamentType) throws -> LigamentProperties {
        guard let p = self[level, type] else { throw AnatomyError.missingEntry(field: "ligaments[\(name)].\(level).\(type)") }
        return p
    }

    /// Checks that every level has all seven types and that every value is admissible.
    /// - Throws: ``AnatomyError``.
    public func validate() throws {
        for level in LumbarLevel.allCases {
            for type in LigamentType.allCases {
                try properties(level, type).validate(field: "ligaments[\(name)].\(level).\(type)")
            }
        }
    }
}

extension LigamentDataSet {
    /// The calibrated set of the open ArtiSynth lumbosacral model: Remus R, Lipphaus A, Neumann M,
    /// Bender B (2021) "Calibration and validation of a novel hybrid model of the lumbosacral
    /// spine in ArtiSynth — the passive structures", PLoS ONE 16(4):e0250456,
    /// doi 10.1371/journal.pone.0250456. Every number below was read from the model's repository
    /// (github.com/RemusR9/artisynth_lumbosacralSpineModel, BSD-3, commit bb81cb1), directory
    /// `hybrid_LSS_model/src/artisynth/models/passiveComponents_PlosOne/`: material rows
    /// (name, ε_r, ε_t, k, area) in `geometry/L{12,23,34,45,51}_Ligs_{AS,MP}_UWMat.lig`, spring
    /// counts in `geometry/L??_Ligs_{AS,MP}.lig`, the law and damping in
    /// `myMaterials/MyUWLigamentMaterial.java`, the rest length in `LSSBase.java`.
    ///
    /// - Law: toe–linear (Blankevoort & Huiskes 1991, J Biomech Eng 113:263–269) with the
    ///   transition strains below.
    /// - Rest-length strain `ε_r` (rest length `L₀(1 + ε_r)`, `LSSBase.java`), converted with
    ///   ``Biomechanics/LigamentLaw/referenceStrain(fromRestLengthStrain:)``:
    ///   ALL −0.03, PLL +0.12, LF −0.03, ISL −0.02, SSL −0.08, ITL +0.02, CL +0.55 (every level).
    /// - Transition strain: ALL 0.07 at L1-L2, L2-L3, L3-L4 and 0.08 at L4-L5, L5-S1; PLL 0.23,
    ///   LF 0.09, ISL 0.05, SSL 0.20, ITL 0.10, CL 0.95 (every level).
    /// - Springs: ALL 9, PLL 5, LF 11, ISL 8, SSL 1, ITL 2 per side, CL 10 per side (every level).
    /// - Area (mm²): ALL 24, PLL 14.4, LF 75, ISL 40, SSL 30, ITL 12, CL 36 (every level).
    /// - Stiffness per spring `k` (N per unit strain) by level, ALL / PLL / LF / ISL / SSL / ITL / CL:
    ///   L1-L2 412.25 / 191.40 / 25.5 / 2.88 / 35.84 / 150 / 55.6;
    ///   L2-L3 509.25 / 411.80 / 27.6 / 2.75 / 38.64 / 150 / 44.4;
    ///   L3-L4 582 / 118.90 / 38.1 / 3.5 / 36.4 / 150 / 42.4;
    ///   L4-L5 485 / 290 / 30 / 2.5 / 28 / 150 / 40;
    ///   L5-S1 291 / 246 / 22.2 / 2.58 / 19.88 / 150 / 24.8.
    /// - Damping: `k · 0.003 s` per spring (`DEFAULT_NORMALIZED_DAMPING`, not overridden for
    ///   the ligaments).
    /// - Failure force: the model gives none; the ligament failure loads of the literature table
    ///   (``goelBilinear``: ALL 510, PLL 384, LF 340, ISL 130, SSL 200, ITL 70 N) are attached
    ///   so that margins can be reported; the capsular ligament has none in either source.
    /// - Damage: none (no published lumbar parameters; see ``Biomechanics/LigamentDamage``).
    public static var remus2021: LigamentDataSet {
        struct Row { let er: Double, et: Double, springs: Int, area: Double, failure: Double? }
        let rows: [LigamentType: Row] = [
            .anteriorLongitudinal: Row(er: -0.03, et: 0.08, springs: 9, area: 24, failure: 510),
            .posteriorLongitudinal: Row(er: 0.12, et: 0.23, springs: 5, area: 14.4, failure: 384),
            .flavum: Row(er: -0.03, et: 0.09, springs: 11, area: 75, failure: 340),
            .interspinous: Row(er: -0.02, et: 0.05, springs: 8, area: 40, failure: 130),
            .supraspinous: Row(er: -0.08, et: 0.20, springs: 1, area: 30, failure: 200),
            .intertransverse: Row(er: 0.02, et: 0.10, springs: 2, area: 12, failure: 70),
            .capsular: Row(er: 0.55, et: 0.95, springs: 10, area: 36, failure: nil),
        ]
        // The ALL transition strain is the only per-level value besides k (`L??_Ligs_MP_UWMat.lig`).
        let allTransition: [LumbarLevel: Double] = [.l1l2: 0.07, .l2l3: 0.07, .l3l4: 0.07, .l4l5: 0.08, .l5s1: 0.08]
        let k: [LumbarLevel: [LigamentType: Double]] = [
            .l1l2: [.anteriorLongitudinal: 412.25, .posteriorLongitudinal: 191.40, .flavum: 25.5, .interspinous: 2.88, .supraspinous: 35.84, .intertransverse: 150, .capsular: 55.6],
            .l2l3: [.anteriorLongitudinal: 509.25, .posteriorLongitudinal: 411.80, .flavum: 27.6, .interspinous: 2.75, .supraspinous: 38.64, .intertransverse: 150, .capsular: 44.4],
            .l3l4: [.anteriorLongitudinal: 582, .posteriorLongitudinal: 118.90, .flavum: 38.1, .interspinous: 3.5, .supraspinous: 36.4, .intertransverse: 150, .capsular: 42.4],
            .l4l5: [.anteriorLongitudinal: 485, .posteriorLongitudinal: 290, .flavum: 30, .interspinous: 2.5, .supraspinous: 28, .intertransverse: 150, .capsular: 40],
            .l5s1: [.anteriorLongitudinal: 291, .posteriorLongitudinal: 246, .flavum: 22.2, .interspinous: 2.58, .supraspinous: 19.88, .intertransverse: 150, .capsular: 24.8],
        ]
        var entries: [LumbarLevel: [LigamentType: LigamentProperties]] = [:]
        for (level, ks) in k {
            for (type, stiffness) in ks {
                let r = rows[type]!
                let et = type == .anteriorLongitudinal ? allTransition[level]! : r.et
                entries[level, default: [:]][type] = LigamentProperties(
                    stiffnessPerSpring: stiffness, springCount: r.springs, curve: .toeLinear(transitionStrain: et),
                    referenceStrain: LigamentLaw.referenceStrain(fromRestLengthStrain: r.er),
                    dampingPerSpring: 0.003 * stiffness, failureForce: r.failure, crossSection: r.area)
            }
        }
        return LigamentDataSet(name: "remus2021", citation: "Remus R et al. 2021, PLoS ONE 16(4):e0250456 (calibrated, ArtiSynth lumbosacral model)", entries: entries)
    }

    /// A literature table: bilinear moduli, transition strains, areas, lengths and failure loads
    /// of BMC Musculoskeletal Disorders 2010, 11:151 (doi 10.1186/1471-2474-11-151, Table 3, from
    /// Goel-derived data), with the capsular ligament from BMC Musculoskeletal Disorders 2013,
    /// 14:220 (doi 10.1186/1471-2474-14-220, Table 1, "adapted from Goel").
    ///
    /// | | ALL | PLL | LF | ISL | SSL | ITL | CL |
    /// |---|---|---|---|---|---|---|---|
    /// | E small strain (MPa) | 7.8 | 10 | 15 | 10 | 8 | 10 | 7.5 |
    /// | transition strain | 0.12 | 0.11 | 0.062 | 0.14 | 0.20 | 0.18 | 0.25 |
    /// | E large strain (MPa) | 20 | 50 | 19.5 | 11.6 | 15 | 59 | 33 |
    /// | area (mm²) | 53 | 16 | 67 | 26 | 23 | 1.8 | 30 |
    /// | failure load (N) | 510 | 384 | 340 | 130 | 200 | 70 | — |
    ///
    /// The 2010 table ("Properties of the ligaments used in this study", citing its refs 29, 41,
    /// 42) calls the intertransverse ligament "TL, transverse ligament"; it also lists lengths
    /// (ALL 13, PLL 11, LF 19, ISL 13, SSL 11, TL 22 mm), not used here because the lengths come
    /// from the geometry. It has no capsular ligament: that column is the 2013 table's.
    ///
    /// One spring per ligament (per side for ITL and CL) with `k = E·A` (N per unit strain). The
    /// table is not level-specific: every level gets the same values. It gives no in-situ
    /// reference strain (0 here), no damping (0) and no failure strain.
    public static var goelBilinear: LigamentDataSet {
        let rows: [LigamentType: (e1: Double, et: Double, e2: Double, area: Double, failure: Double?)] = [
            .anteriorLongitudinal: (7.8, 0.12, 20, 53, 510),
            .posteriorLongitudinal: (10, 0.11, 50, 16, 384),
            .flavum: (15, 0.062, 19.5, 67, 340),
            .interspinous: (10, 0.14, 11.6, 26, 130),
            .supraspinous: (8, 0.20, 15, 23, 200),
            .intertransverse: (10, 0.18, 59, 1.8, 70),
            .capsular: (7.5, 0.25, 33, 30, nil),
        ]
        var entries: [LumbarLevel: [LigamentType: LigamentProperties]] = [:]
        for level in LumbarLevel.allCases {
            for (type, r) in rows {
                entries[level, default: [:]][type] = LigamentProperties(
                    stiffnessPerSpring: r.e1 * r.area, springCount: 1,
                    curve: .bilinear(transitionStrain: r.et, largeStrainStiffness: r.e2 * r.area),
                    referenceStrain: 0, dampingPerSpring: 0, failureForce: r.failure, crossSection: r.area)
            }
        }
        return LigamentDataSet(name: "goelBilinear", citation: "BMC Musculoskelet Disord 2010;11:151 Table 3; capsular: BMC Musculoskelet Disord 2013;14:220 Table 1", entries: entries)
    }
}
