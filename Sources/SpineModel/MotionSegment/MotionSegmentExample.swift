import Foundation

extension ExampleModels {
    /// The traction protocol of the `motion-segment` example: 3 cycles of a 10 s logarithmic ramp to
    /// 40 % of body weight, 60 s hold, 10 s release, 30 s rest, after the 17 N lying preload held
    /// 60 s. 40 % BW lies in the 40–50 % BW a split table is said to need for vertebral
    /// separation (Saunders HomeTrac brochure, a vendor claim); on a split table the friction of the
    /// lower body is removed and the whole pull reaches the segment.
    public static let motionSegmentProtocol = TractionProtocol.intermittent(
        cycles: 3, pull: .bodyWeightFraction(0.4), hold: 60, rest: 30, restLevel: 0, ramp: .logarithmic(duration: 10),
        preload: .init(force: .newtons(17), ramp: 10, duration: 60))

    /// `spinetraction run --example motion-segment`: the L4-L5 motion segment
    /// (``MotionSegment/lumbar(_:patient:mesh:ligaments:divisions:geometry:)``, coarse mesh, ligament set
    /// ``LigamentDataSet/remus2021``) of a 70 kg, 175 cm patient with a grade II disc under
    /// ``motionSegmentProtocol``.
    public static func motionSegment() throws -> Model {
        let patient = try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
        var model = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse)
        try model.apply(motionSegmentProtocol, bodyMassKg: patient.bodyMassKg)
        model.notes = (model.notes ?? "") + " Protocol: 3 cycles of a 10 s logarithmic ramp to 40% of body weight (275 N), 60 s hold, 10 s release, 30 s rest, after the 17 N lying preload held 60 s; split table (the whole pull reaches the segment)."
        return model
    }
}
