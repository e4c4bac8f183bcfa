/// A direction of pure-moment loading of a motion segment.
public enum MotionDirection: String, Sendable, Equatable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, CustomStringConvertible {
    /// Forward bending (sagittal plane).
    case flexion
    /// Backward bending (sagittal plane).
    case `extension`
    /// Bending to one side (frontal plane); published values are usually for one side.
    case lateralBending
    /// Torsion about the long axis; published values are usually for one side.
    case axialRotation

    public var description: String { rawValue }
}

/// In-vitro ranges of motion of one lumbar level under pure moments, as one source reports them.
///
/// Angles are in degrees (the sources' unit), the moment in N·mm, the follower preload in N.
/// Lateral bending and axial rotation are for one side, as both shipped sources report them.
///
/// **Shipped:** ``yamamoto1989(_:)`` (every level, means only) and ``niosi2006L3L4`` (L3-L4,
/// mean ± SD, with and without a follower load).
/// **Not shipped, because their per-level numbers could not be read:** Heuer F et al. 2007,
/// J Biomech 40:271–280 (stepwise reduction of L4-L5 segments, the calibration base of the
/// Remus 2021 ligament set); Dreischarf M et al. 2014, J Biomech 47(8):1757–1766
/// (its abstract gives only the model–median differences, about 2° flexion–extension, 1° lateral
/// bending, 5° axial rotation for L1–L5); the in-vitro tables of Schmidt and Rohlmann. A test
/// that needs them must add them with their table reference.
public struct RangeOfMotionReference: Sendable, Equatable {
    /// The source, with the table or part of it the numbers come from.
    public var source: String
    /// The level the numbers are for.
    public var level: LumbarLevel
    /// Number of specimens.
    public var specimens: Int
    /// Peak pure moment (N·mm).
    public var moment: Double
    /// Compressive follower preload (N); 0 for none.
    public var followerLoad: Double
    /// How the moment was applied, as the source states it (the loading rate when it is given).
    public var loading: String
    /// Mean range of motion per direction at the peak moment (degrees).
    public var mean: [MotionDirection: Double]
    /// Standard deviation per direction (degrees); empty when the source gives none.
    public var standardDeviation: [MotionDirection: Double]

    public init(source: String, level: LumbarLevel, specimens: Int, moment: Double, followerLoad: Double, loading: String,
                mean: [MotionDirection: Double], standardDeviation: [MotionDirection: Double] = [:]) {
        self.source = source; self.level = level; self.specimens = specimens; self.moment = moment
        self.followerLoad = followerLoad; self.loading = loading; self.mean = mean; self.standardDeviation = standardDeviation
    }

    /// The band `mean ± sds·SD` (degrees) for `direction`, or nil when the source gives no SD or
    /// no value for that direction.
    public func band(_ direction: MotionDirection, sds: Double = 1) -> ClosedRange<Double>? {
        guard let m = mean[direction], let s = standardDeviation[direction] else { return nil }
        return (m - sds * s)...(m + sds * s)
    }

    /// Three-dimensional movements of the whole lumbar spine and lumbosacral joint, Spine
    /// 14(11):1256–1260 (1989), PubMed 2603060 (Yamamoto I et al.): ten fresh cadaveric L1–sacrum
    /// specimens, pure moments to 10 N·m "applied incrementally" (quasi-static steps; no rate is
    /// given), no preload. Mean ranges of motion from the abstract, degrees, flexion / extension /
    /// axial rotation (one side) / lateral bending (one side):
    /// L1-L2 5.8 / 4.3 / 2.3 / 4.9; L2-L3 6.5 / 4.3 / 2.6 / 7.0; L3-L4 7.5 / 3.7 / 2.6 / 5.7;
    /// L4-L5 8.9 / 5.8 / 2.2 / 5.7; L5-S1 10.0 / 7.8 / 1.4 / 5.5. The abstract gives no spread.
    public static func yamamoto1989(_ level: LumbarLevel) -> RangeOfMotionReference {
        let rows: [LumbarLevel: (Double, Double, Double, Double)] = [
            .l1l2: (5.8, 4.3, 2.3, 4.9), .l2l3: (6.5, 4.3, 2.6, 7.0), .l3l4: (7.5, 3.7, 2.6, 5.7),
            .l4l5: (8.9, 5.8, 2.2, 5.7), .l5s1: (10.0, 7.8, 1.4, 5.5),
        ]
        let r = rows[level]!
        return RangeOfMotionReference(
            source: "Spine 1989;14(11):1256-1260 (Yamamoto et al.), abstract", level: level, specimens: 10, moment: 10_000, followerLoad: 0,
            loading: "pure moments to 10 N·m applied incrementally (quasi-static; no rate given)",
            mean: [.flexion: r.0, .extension: r.1, .axialRotation: r.2, .lateralBending: r.3])
    }

    /// Niosi CA, Zhu QA, Wilson DC, Keynan O, Wilson DR, Oxland TR 2006, "Biomechanical
    /// characterization of the three-dimensional kinematic behaviour of the Dynesys dynamic
    /// stabilization system: an in vitro study", Eur Spine J 15(6):913–922,
    /// doi 10.1007/s00586-005-0948-9, Table 1, "intact" rows: ten L2–L5 specimens, ±7.5 N·m pure
    /// moments, intersegmental range of motion at the instrumented level L3-L4 (the level the
    /// table's injury and implant rows refer to); lateral bending and axial rotation one side.
    /// Mean ± SD, degrees, flexion / extension / lateral bending / axial rotation:
    /// without preload 3.7 ± 1.5 / 3.3 ± 1.5 / 3.8 ± 1.4 / 2.1 ± 0.9;
    /// with a 600 N follower load 4.4 ± 2.0 / 2.4 ± 0.9 / 2.4 ± 1.2 / 1.2 ± 0.5.
    /// The loading rate was not in the part of the paper read.
    public static func niosi2006L3L4(followerLoad: Bool) -> RangeOfMotionReference {
        let mean: [MotionDirection: Double] = followerLoad
            ? [.flexion: 4.4, .extension: 2.4, .lateralBending: 2.4, .axialRotation: 1.2]
            : [.flexion: 3.7, .extension: 3.3, .lateralBending: 3.8, .axialRotation: 2.1]
        let sd: [MotionDirection: Double] = followerLoad
            ? [.flexion: 2.0, .extension: 0.9, .lateralBending: 1.2, .axialRotation: 0.5]
            : [.flexion: 1.5, .extension: 1.5, .lateralBending: 1.4, .axialRotation: 0.9]
        return RangeOfMotionReference(
            source: "Niosi et al. 2006, Eur Spine J 15:913-922, Table 1 (intact)", level: .l3l4, specimens: 10, moment: 7_500,
            followerLoad: followerLoad ? 600 : 0, loading: "pure moments ±7.5 N·m (rate not read)", mean: mean, standardDeviation: sd)
    }

    /// Every shipped reference for `level`.
    public static func all(_ level: LumbarLevel) -> [RangeOfMotionReference] {
        var out = [yamamoto1989(level)]
        if level == .l3l4 { out += [niosi2006L3L4(followerLoad: false), niosi2006L3L4(followerLoad: true)] }
        return out
    }
}

/// Published in-vivo and in-vitro numbers for disc pressure, traction, inversion and the
/// posterior ligaments, each with its source, for the validation of a motion-segment model.
public enum ValidationData {
    /// Wilke HJ, Neef P, Caimi M, Hoogland T, Claes LE 1999, "New in vivo measurements of
    /// pressures in the intervertebral disc in daily life", Spine 24(8):755–762 (abstract):
    /// transducer in the nondegenerated L4-L5 nucleus of one 45-year-old, 70 kg man.
    public enum Wilke1999 {
        /// The level measured.
        public static let level = LumbarLevel.l4l5
        /// Lying prone (MPa).
        public static let lyingProne = 0.10
        /// Lying laterally (MPa).
        public static let lyingLaterally = 0.12
        /// Relaxed standing (MPa): the standard check of lumbar FE models under a 500 N follower load.
        public static let relaxedStanding = 0.50
        /// Overnight rest: pressure at the start and at the end (MPa) and the duration (s, 7 h).
        public static let overnight = (start: 0.10, end: 0.24, duration: 7.0 * 3600)
    }

    /// Cross-section area of the L4-L5 disc of the open lumbosacral model of Remus R, Lipphaus A,
    /// Neumann M, Bender B 2021, "Calibration and validation of a novel hybrid model of the
    /// lumbosacral spine in ArtiSynth — the passive structures", PLoS ONE 16(4):e0250456
    /// (mm², one subject: the Visible Human male): the polygon of the outer annulus surface nodes
    /// within ±1.5 mm of the disc's mid-plane (repository RemusR9/artisynth_lumbosacralSpineModel,
    /// commit bb81cb1, `geometry/FE/LSS_20200529/L45_AN_R4.node` with `L45_AN_R4A.txt`; mid-plane
    /// from the ring's principal axes), 1631 mm², rounded; its extent there 53 × 37 mm. Derived
    /// here from the model's mesh, not a published table value.
    public static let remus2021L4L5DiscArea = 1630.0

    /// One millimetre of mercury (MPa): 133.322387415 Pa.
    public static let mmHg = 133.322387415e-6

    /// Ramos G, Martin W 1994, "Effects of vertebral axial decompression on intradiscal pressure",
    /// J Neurosurg (1994): cannula in the L4-L5 disc, prone on a VAX-D table, tension through a
    /// pelvic harness; "tension in the upper range … decompress[ed] the nucleus pulposus …
    /// to below −100 mm Hg". The threshold (MPa): −100 mmHg = −0.0133 MPa. The tensions at which
    /// it was reached are not in the abstract.
    public static let ramosMartin1994Threshold = -100 * mmHg

    /// Gianakopoulos G et al. 1985, "Inversion devices: their role in producing lumbar
    /// distraction", Arch Phys Med Rehabil 66(2):100–102, PubMed 3155939: distraction of the
    /// lower lumbar intervertebral spaces with inverted traction "in all cases", range 0.3 to
    /// 4.0 mm (mm; 20 patients, standing and inverted lateral radiographs, ≤ 20 min of traction).
    public static let gianakopoulos1985Distraction: ClosedRange<Double> = 0.3...4.0

    /// Hindle RJ, Pearcy MJ, Cross A 1990, "Mechanical function of the human lumbar interspinous
    /// and supraspinous ligaments", J Biomed Eng 12, doi 10.1016/0141-5425(90)90010-k (abstract):
    /// the interspinous and supraspinous ligaments together resisted up to 134 N (N) towards
    /// the end of the flexion range, carried very little load during the first half of flexion;
    /// the interspinous ligament alone carried 75 % of it.
    public enum Hindle1990 {
        /// Peak interspinous + supraspinous force at the end of flexion (N).
        public static let peakForceAtFullFlexion = 134.0
        /// Share of that force carried by the interspinous ligament alone (dimensionless).
        public static let interspinousShare = 0.75
        /// Increase of load-carrying capacity at high strain rate, "up to" (dimensionless).
        public static let highRateIncrease = 0.30
    }
}
