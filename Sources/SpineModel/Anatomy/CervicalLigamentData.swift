import Biomechanics

/// A cited set of ligament properties for every cervical level C2-C3 … C7-T1: the five ligaments
/// that cross a subaxial cervical motion segment in the modelled set — ALL, PLL, ligamentum
/// flavum, interspinous and the facet capsules (``types``). The supraspinous ligament is not a
/// separate structure in the neck (it continues as the nuchal ligament, a thin midline septum
/// whose segmental properties were not found) and the intertransverse ligaments are scant
/// (Mercer S, Bogduk N 1999, Spine 24(7):619–626): neither is modelled.
///
/// Each ligament's stiffness in N per unit strain is the source's bone–ligament–bone stiffness
/// (N/mm) times its length (mm), ``lengths``, which the geometry also uses to place the
/// insertions: the model ligament then has the measured force–elongation slope.
///
/// ```swift
/// var set = CervicalLigamentDataSet.yoganandan2000
/// set[.c5c6, .flavum]?.stiffnessPerSpring *= 1.5
/// ```
public struct CervicalLigamentDataSet: Sendable, Equatable, Codable {
    /// The ligament types of a cervical set, in model order.
    public static let types: [LigamentType] = [.anteriorLongitudinal, .posteriorLongitudinal, .flavum, .interspinous, .capsular]

    /// Short name ("yoganandan2000").
    public var name: String
    /// The source.
    public var citation: String
    /// Properties by level and type (the capsule: per side).
    public var entries: [CervicalLevel: [LigamentType: LigamentProperties]]
    /// Bone-to-bone length of each ligament (mm), by level and type.
    public var lengths: [CervicalLevel: [LigamentType: Double]]

    public init(name: String, citation: String, entries: [CervicalLevel: [LigamentType: LigamentProperties]], lengths: [CervicalLevel: [LigamentType: Double]]) {
        self.name = name; self.citation = citation; self.entries = entries; self.lengths = lengths
    }

    /// The properties of `type` at `level`.
    public subscript(level: CervicalLevel, type: LigamentType) -> LigamentProperties? {
        get { entries[level]?[type] }
        set { entries[level, default: [:]][type] = newValue }
    }

    /// The properties of `type` at `level`, or a typed error when missing.
    /// - Throws: ``AnatomyError/missingEntry(field:)``.
    public func properties(_ level: CervicalLevel, _ type: LigamentType) throws -> LigamentProperties {
        guard let p = self[level, type] else { throw AnatomyError.missingEntry(field: "ligaments[\(name)].\(level).\(type)") }
        return p
    }

    /// Checks that every level has the five types with a length and admissible values.
    /// - Throws: ``AnatomyError``.
    public func validate() throws {
        for level in CervicalLevel.allCases {
            for type in Self.types {
                let field = "ligaments[\(name)].\(level).\(type)"
                try properties(level, type).validate(field: field)
                guard let l = lengths[level]?[type] else { throw AnatomyError.missingEntry(field: "\(field).length") }
                guard l.isFinite, l > 0 else { throw AnatomyError.invalidValue(field: "\(field).length", value: l, expected: "a length > 0 mm") }
            }
        }
    }
}

extension CervicalLigamentDataSet {
    /// One ligament of ``yoganandan2000``: stiffness (N/mm), failure force (N), length (mm) and
    /// cross-sectional area (mm²) of one level group.
    struct YoganandanRow { let stiffness: Double, failure: Double, length: Double, area: Double }

    /// Yoganandan N, Kumaresan S, Pintar FA 2000, "Geometric and mechanical properties of human
    /// cervical spine ligaments", J Biomech Eng 122(6):623–629, doi 10.1115/1.1322034: bone–
    /// ligament–bone preparations of the ALL, PLL, joint capsule (JC), ligamentum flavum and
    /// interspinous ligament, distracted to failure, reported for two level groups, C2–C5 and
    /// C5–T1; lengths and areas from cryomicrotome sections (ALL and PLL from mid-height to
    /// mid-height of the vertebral bodies, the capsule across the facet joint).
    ///
    /// | | ALL | PLL | JC | LF | ISL |
    /// |---|---|---|---|---|---|
    /// | stiffness C2–C5 / C5–T1 (N/mm) | 16.0 / 17.9 | 25.4 / 23.0 | 33.6 / 36.9 | 25.0 / 21.6 | 7.7 / 6.2 |
    /// | failure force C2–C5 / C5–T1 (N) | 93.1 / 145.2 | 71.2 / 106.1 | 119.6 / 181.1 | 121.3 / 129.0 | 35.2 / 38.7 |
    /// | length C2–C5 / C5–T1 (mm) | 18.8 / 18.3 | 19.0 / 17.9 | 6.9 / 6.9 | 8.5 / 10.7 | 10.4 / 9.9 |
    /// | area C2–C5 / C5–T1 (mm²) | 11.1 / 12.1 | 11.3 / 14.7 | 42.2 / 49.5 | 46.0 / 48.9 | 13.1 / 13.4 |
    ///
    /// **Not verified:** these numbers were written down from memory of the paper and have not
    /// been checked against its tables (the paper was not available to check); they are of the
    /// order every cervical model that cites the paper uses, and each is an editable parameter.
    ///
    /// Levels C2-C3, C3-C4 and C4-C5 take the C2–C5 group, C5-C6, C6-C7 and C7-T1 the C5–T1 group.
    /// - Stiffness per unit strain: `k · L` (N/mm × mm), shared equally by the springs: ALL 3,
    ///   PLL 3, LF 3, ISL 2, JC 3 per side (spring counts are a choice of this construction).
    /// - Law: toe–linear (Blankevoort L, Huiskes R 1991, J Biomech Eng 113:263–269) with a
    ///   transition strain of 0.10 — an assumption: the source gives nonlinear curves, no toe
    ///   parameter was transcribed. Reference strain 0 (the source measured no in-situ strain;
    ///   cervical longitudinal ligaments appear not to be under tension in situ, Przybylski GJ et
    ///   al. 1998, Spine 23(8):893–898). No damping, no failure strain, no damage law.
    public static var yoganandan2000: CervicalLigamentDataSet {
        let upper: [LigamentType: YoganandanRow] = [
            .anteriorLongitudinal: .init(stiffness: 16.0, failure: 93.1, length: 18.8, area: 11.1),
            .posteriorLongitudinal: .init(stiffness: 25.4, failure: 71.2, length: 19.0, area: 11.3),
            .capsular: .init(stiffness: 33.6, failure: 119.6, length: 6.9, area: 42.2),
            .flavum: .init(stiffness: 25.0, failure: 121.3, length: 8.5, area: 46.0),
            .interspinous: .init(stiffness: 7.7, failure: 35.2, length: 10.4, area: 13.1),
        ]
        let lower: [LigamentType: YoganandanRow] = [
            .anteriorLongitudinal: .init(stiffness: 17.9, failure: 145.2, length: 18.3, area: 12.1),
            .posteriorLongitudinal: .init(stiffness: 23.0, failure: 106.1, length: 17.9, area: 14.7),
            .capsular: .init(stiffness: 36.9, failure: 181.1, length: 6.9, area: 49.5),
            .flavum: .init(stiffness: 21.6, failure: 129.0, length: 10.7, area: 48.9),
            .interspinous: .init(stiffness: 6.2, failure: 38.7, length: 9.9, area: 13.4),
        ]
        let springs: [LigamentType: Int] = [.anteriorLongitudinal: 3, .posteriorLongitudinal: 3, .flavum: 3, .interspinous: 2, .capsular: 3]
        var entries: [CervicalLevel: [LigamentType: LigamentProperties]] = [:]
        var lengths: [CervicalLevel: [LigamentType: Double]] = [:]
        for level in CervicalLevel.allCases {
            let rows = [.c2c3, .c3c4, .c4c5].contains(level) ? upper : lower
            for (type, r) in rows {
                let n = springs[type]!
                entries[level, default: [:]][type] = LigamentProperties(
                    stiffnessPerSpring: r.stiffness * r.length / Double(n), springCount: n, curve: .toeLinear(transitionStrain: 0.10),
                    referenceStrain: 0, dampingPerSpring: 0, failureForce: r.failure, crossSection: r.area)
                lengths[level, default: [:]][type] = r.length
            }
        }
        return CervicalLigamentDataSet(name: "yoganandan2000", citation: "Yoganandan N, Kumaresan S, Pintar FA 2000, J Biomech Eng 122(6):623–629 (C2–C5 and C5–T1 groups)",
                                       entries: entries, lengths: lengths)
    }
}
