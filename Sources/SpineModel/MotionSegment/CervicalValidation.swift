import Foundation
import Biomechanics
import FiniteElements

/// In-vitro ranges of motion of one cervical level under pure moments, as one source reports
/// them: angles in degrees (the source's unit), the moment in N·mm.
public struct CervicalRangeOfMotionReference: Sendable, Equatable {
    /// The source, with the part of it the numbers come from.
    public var source: String
    /// The level the numbers are for.
    public var level: CervicalLevel
    /// Peak pure moment (N·mm).
    public var moment: Double
    /// How the moment was applied, as the source states it.
    public var loading: String
    /// Mean range of motion per direction at the peak moment (degrees).
    public var mean: [MotionDirection: Double]

    public init(source: String, level: CervicalLevel, moment: Double, loading: String, mean: [MotionDirection: Double]) {
        self.source = source; self.level = level; self.moment = moment; self.loading = loading; self.mean = mean
    }

    /// C5-C6 under 1.0 N·m pure moments without preload: Panjabi MM, Crisco JJ, Vasavada A, Oda
    /// T, Cholewicki J, Nibu K, Shin E 2001, "Mechanical properties of the human cervical spine as
    /// shown by three-dimensional load-displacement curves", Spine 26(24):2692–2700 (whole
    /// occiput–C7 specimens, flexibility protocol, moments in steps to 1.0 N·m, each level's
    /// motion one side of neutral). Means: flexion 5.5°, extension 4.7°.
    ///
    /// **Not verified:** the two means were written down from memory of the paper's figures and
    /// have not been checked against them (the paper was not available to check); Wheeldon JA et
    /// al. 2006, J Biomech 39(2):375–380 (young specimens to 2 N·m) could not be read either.
    /// Only flexion and extension — the sagittal plane of cervical traction — are shipped.
    public static let panjabi2001C5C6 = CervicalRangeOfMotionReference(
        source: "Panjabi et al. 2001, Spine 26:2692 (1.0 N·m; means recalled, not verified)", level: .c5c6, moment: 1000,
        loading: "pure moments in steps to 1.0 N·m, no preload", mean: [.flexion: 5.5, .extension: 4.7])
}

/// The cervical motion segment against published in-vitro motion.
public enum CervicalValidation {
    /// Relative half-width of the band the cervical ROM rows accept around the reference mean
    /// (dimensionless): 0.5, the lumbar rows' choice (``MotionSegmentValidation/rangeOfMotionBand``);
    /// the reference's spread was not read.
    public static let rangeOfMotionBand = MotionSegmentValidation.rangeOfMotionBand

    /// The subject of the checks: 70 kg, 175 cm, T-score 0, Pfirrmann grade II (healthy disc).
    public static func subject() throws -> Patient { try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii) }

    /// A pure moment on the upper vertebra of the cervical segment of `reference.level` (no
    /// preload), ramped linearly from the freely swollen state to `reference.moment` over
    /// `rampDuration` s (the source gives no rate; 0.1 N·m/s is a choice), the range of motion read
    /// at the end of the ramp; ``MotionSegmentValidation/RangeOfMotion/interspinousSupraspinousForce``
    /// is the interspinous ligament's alone (no supraspinous ligament at a cervical level) and
    /// the facet force includes the uncovertebral joints.
    public static func rangeOfMotion(_ direction: MotionDirection, reference: CervicalRangeOfMotionReference = .panjabi2001C5C6,
                                     divisions: SegmentMesh = .coarse, rampDuration: Double = 10) throws -> MotionSegmentValidation.RangeOfMotion {
        let model = try MotionSegment.cervical(reference.level, patient: try subject(), divisions: divisions)
        return try MotionSegmentValidation.rangeOfMotion(direction, on: model, moment: reference.moment, followerLoad: 0, rampDuration: rampDuration)
    }

    /// The ROM row of one direction (error: |ours − mean| / mean, tolerance ``rangeOfMotionBand``).
    public static func rangeOfMotionRow(_ r: MotionSegmentValidation.RangeOfMotion, reference: CervicalRangeOfMotionReference = .panjabi2001C5C6,
                                        mesh: String) -> VerificationRow {
        let mean = reference.mean[r.direction] ?? .nan
        return VerificationRow(problem: "cervical motion segment \(reference.level) \(r.direction), \(reference.moment / 1000) N·m pure moment (\(reference.source)), \(mesh) mesh",
                               quantity: "range of motion at the end of the ramp (degrees)", ours: r.rangeOfMotion, reference: mean,
                               error: abs(r.rangeOfMotion - mean) / mean, tolerance: rangeOfMotionBand)
    }

    /// The rows of `spinetraction verify`: C5-C6 flexion and extension against
    /// ``CervicalRangeOfMotionReference/panjabi2001C5C6`` on `mesh`. No published cervical
    /// nucleus pressure under a stated load was found to check against.
    public static func verificationRows(mesh: DefaultDiscModel.MeshLevel = .coarse) throws -> [VerificationRow] {
        let divisions: SegmentMesh = mesh == .coarse ? .coarse : .standard
        let reference = CervicalRangeOfMotionReference.panjabi2001C5C6
        return try [MotionDirection.flexion, .extension].map { d in
            rangeOfMotionRow(try rangeOfMotion(d, reference: reference, divisions: divisions), reference: reference, mesh: mesh.rawValue)
        }
    }
}
