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

    /// Gudavalli MR, Potluri T, Carandang G, Havey RM, Voronov LI, Cox JM, Rowell RM, Kruse RA,
    /// Joachim GC, Patwardhan AG, Henderson CNR, Goertz C 2013, "Intradiscal pressure changes
    /// during manual cervical distraction: a cadaveric study", Evid Based Complement Alternat Med
    /// 2013:954134 (abstract): nine cadaveric cervical spines, prone, manual distraction by four
    /// chiropractors; nucleus pressure fell at C4-C5, C5-C6 and C6-C7, **mean decreases as high as
    /// 168.7 kPa** with **mean traction forces as high as 119.2 N**. Pairing the two largest means
    /// is this check's assumption (the abstract does not say they came from the same condition).
    public static let gudavalli2013 = (pressureDecrease: 0.1687, tractionForce: 119.2,
                                       source: "Gudavalli et al. 2013, Evid Based Complement Alternat Med 2013:954134 (abstract; largest means paired)")

    /// The nucleus pressure's fall (MPa) at `level` under an axial pull of `pull` (N) along the
    /// neck on the freely swollen specimen — no preload, no head (a cadaveric spine): the pull ramps
    /// linearly over `rampDuration` s and is held for `hold` s (manual distraction lasts seconds;
    /// both durations are choices, the source gives none); the fall is the pressure at the start of
    /// the ramp minus the lowest pressure during ramp and hold.
    public static func distractionPressureDrop(level: CervicalLevel = .c5c6, pull: Double = gudavalli2013.tractionForce,
                                               divisions: SegmentMesh = .coarse, rampDuration: Double = 1, hold: Double = 5) throws -> (before: Double, minimum: Double) {
        var model = try MotionSegment.cervical(level, patient: try subject(), divisions: divisions)
        guard model.boundary[named: "traction"] != nil else {
            throw ModelError(.invalidValue, at: "boundary.traction", "the cervical segment has no traction condition")
        }
        model.boundary[named: "traction"]!.force = SIMD3(0, 0, pull)
        model.boundary[named: "preload"]?.force = .zero
        model.curves["traction"] = try LoadCurve(points: [(0, 0), (1, 0), (1 + rampDuration, 1), (1 + rampDuration + hold, 1)])
        model.steps = [model.steps[0], StepDefinition(name: "rest", duration: 1, initialStep: 1, minStep: 0.01, maxStep: 1),
                       StepDefinition(name: "distraction", duration: rampDuration + hold, initialStep: 0.1, minStep: 1e-4, maxStep: 0.5)]
        model.outputs.times = [0, 1] + stride(from: 1 + 0.1, through: 1 + rampDuration + hold + 1e-9, by: 0.1).map { $0 }
        let results = try Simulation(model: model).runSynchronously()
        guard let p = results.nucleusPressure?.scalars else {
            throw ModelError(.invalidValue, at: "results.nucleusPressure", "the run reported no nucleus pressure")
        }
        let t = results.times
        let before = Array(zip(t, p)).last { $0.0 <= 1 + 1e-9 }?.1 ?? .nan
        let minimum = zip(t, p).filter { $0.0 >= 1 - 1e-9 }.map(\.1).min() ?? .nan
        return (before, minimum)
    }

    /// The row of ``distractionPressureDrop(level:pull:divisions:rampDuration:hold:)`` against
    /// ``gudavalli2013`` (error |ours − 168.7 kPa| / 168.7 kPa, tolerance ``rangeOfMotionBand``, the
    /// ROM rows' ±50 %: the source's spread and the pairing of its maxima are not known).
    public static func distractionPressureRow(divisions: SegmentMesh = .coarse, mesh: String) throws -> VerificationRow {
        let r = try distractionPressureDrop(divisions: divisions)
        let drop = r.before - r.minimum, ref = gudavalli2013.pressureDecrease
        return VerificationRow(problem: "cervical motion segment C5-C6 distraction \(gudavalli2013.tractionForce) N, 1 s ramp, 5 s hold (\(gudavalli2013.source)), \(mesh) mesh",
                               quantity: "nucleus pressure decrease (MPa)", ours: drop, reference: ref, error: abs(drop - ref) / ref, tolerance: rangeOfMotionBand)
    }

    /// The rows of `spinetraction verify`: C5-C6 flexion and extension against
    /// ``CervicalRangeOfMotionReference/panjabi2001C5C6`` and the distraction pressure decrease
    /// against ``gudavalli2013`` on `mesh`.
    public static func verificationRows(mesh: DefaultDiscModel.MeshLevel = .coarse) throws -> [VerificationRow] {
        let divisions: SegmentMesh = mesh == .coarse ? .coarse : .standard
        let reference = CervicalRangeOfMotionReference.panjabi2001C5C6
        return try [MotionDirection.flexion, .extension].map { d in
            rangeOfMotionRow(try rangeOfMotion(d, reference: reference, divisions: divisions), reference: reference, mesh: mesh.rawValue)
        } + [try distractionPressureRow(divisions: divisions, mesh: mesh.rawValue)]
    }
}
