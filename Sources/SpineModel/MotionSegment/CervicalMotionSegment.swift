import Foundation
import Biomechanics
import FiniteElements

extension MotionSegment {
    /// Name of the held (lower) vertebra of a cervical level: "C6" for C5-C6, "T1" for C7-T1.
    public static func lowerVertebra(_ level: CervicalLevel) -> String { String(level.rawValue.split(separator: "-")[1]) }
    /// Name of the upper vertebra of a cervical level: "C5" for C5-C6.
    public static func upperVertebra(_ level: CervicalLevel) -> String { String(level.rawValue.split(separator: "-")[0]) }

    /// The cervical motion segment of `level` for `patient`, with the conventions of
    /// ``lumbar(_:patient:mesh:ligaments:divisions:geometry:)``: the lower vertebra held, the
    /// upper a rigid body with the conditions `preload` and `traction` on its endplate `top`, so
    /// that ``Model/apply(_:bodyMassKg:traction:preload:)`` and ``Simulation`` work unchanged.
    ///
    /// ```swift
    /// let patient = try Patient(bodyMassKg: 70, heightCm: 175)
    /// var model = try MotionSegment.cervical(.c5c6, patient: patient, mesh: .coarse)
    /// model.ligaments[.capsular]!.stiffness *= 0.5                 // N per unit strain, both sides
    /// ```
    ///
    /// **Disc.** The default disc's materials on an elliptic cylinder with the level's endplate
    /// width and depth as axes and its central disc height times the patient's degeneration
    /// ``DegenerationPreset/heightFactor``, the nucleus a ``CervicalLevelGeometry/nucleusFraction``
    /// of the radius. No cervical values were found for the nucleus's fixed charge density or the
    /// disc's permeability and moduli: the lumbar default disc's (``DefaultDiscModel``), scaled by
    /// the patient's Pfirrmann preset, are assumptions; the lumbar annulus is a full ring of
    /// lamellae, where the adult cervical annulus is a crescent, thick anteriorly and tapering
    /// towards the uncinate processes, essentially deficient posterolaterally (Mercer and Bogduk
    /// 1999, abstract), so this disc's ring overstates the cervical annulus posteriorly.
    /// ``Patient/level`` (a lumbar level) is not used.
    ///
    /// **Ligaments** ALL, PLL, LF, ISL and both facet capsules from `ligaments`
    /// (``CervicalLevelGeometry/ligamentDefinitions(_:lower:upper:)``), each at its data set's
    /// reference strain (0: just taut) in the freely swollen state (``LigamentReference/swollen``).
    /// **Contacts:** both facet
    /// joints, inclined ``CervicalLevelGeometry/facetInclination`` to the transverse plane, and
    /// both uncovertebral joints (``CervicalLevelGeometry/jointContacts(lower:upper:grid:penalty:)``).
    ///
    /// **Loads and steps.** Free swelling to Donnan equilibrium, then 60 s with `preload` (17 N
    /// compressive ramped over 10 s — the lumbar builder's lying preload; no measured lying load
    /// of a cervical disc was found, so it is an assumption) and `traction` (0 N, +z).
    ///
    /// - Parameters:
    ///   - mesh: `.coarse` (2 × 8 × 2 hex20) or `.standard` (2 × 16 × 6), as for the lumbar segment.
    ///   - ligaments: the ligament data set; default ``CervicalLigamentDataSet/yoganandan2000``.
    ///   - divisions: the disc mesh's divisions; nil takes them from `mesh`.
    ///   - geometry: the level's dimensions; nil takes ``CervicalLevelGeometry/standard(_:)``
    ///     (its level must be `level`).
    /// - Throws: ``AnatomyError`` for an invalid patient, geometry or data set entry;
    ///   ``ModelError`` for a geometry of another level or a model the builder could not make valid.
    public static func cervical(_ level: CervicalLevel = .c5c6, patient: Patient, mesh: DefaultDiscModel.MeshLevel = .standard,
                                ligaments: CervicalLigamentDataSet = .yoganandan2000, divisions: SegmentMesh? = nil,
                                geometry: CervicalLevelGeometry? = nil) throws -> Model {
        try patient.validate()
        let preset = patient.discGrade.preset
        try preset.validate()
        if let g = geometry, g.level != level {
            throw ModelError(.invalidValue, at: "geometry.level", "expected the geometry of \(level), got that of \(g.level)")
        }
        var geometry = geometry ?? CervicalLevelGeometry.standard(level)
        geometry.discHeight *= preset.heightFactor
        try geometry.validate()
        let a = 0.5 * geometry.endplateWidth, b = 0.5 * geometry.endplateDepth, h = geometry.discHeight
        var model = try discModel(a: a, b: b, h: h, nucleusFraction: geometry.nucleusFraction, preset: preset, mesh: mesh, divisions: divisions)
        let lower = lowerVertebra(level), upper = upperVertebra(level)
        model.motionSegment = MotionSegmentDefinition(
            level: nil,
            vertebrae: [VertebraDefinition(name: lower, tiedTo: .surface("bottom"), referencePoint: .zero, held: true),
                        VertebraDefinition(name: upper, tiedTo: .surface("top"), referencePoint: SIMD3(0, 0, h))],
            ligaments: try geometry.ligamentDefinitions(ligaments, lower: lower, upper: upper),
            facets: try geometry.jointContacts(lower: lower, upper: upper), ligamentReference: .swollen)
        model.notes = "Cervical motion segment \(level) for a \(patient.bodyMassKg) kg patient, Pfirrmann grade \(patient.discGrade.rawValue): the default disc's materials (lumbar values, assumed) on a \(2 * a) x \(2 * b) x \(h) mm elliptic cylinder (CervicalLevelGeometry.standard, height x degeneration factor \(preset.heightFactor)), bonded to a held lower vertebra \(lower) and a rigid upper vertebra \(upper); ligaments ALL, PLL, LF, ISL, CL from the data set \(ligaments.name) (\(ligaments.citation)), at their reference strains in the freely swollen state; facet joints inclined \(geometry.facetInclination) degrees to the transverse plane" + (geometry.uncovertebralInclination == nil ? "; no uncovertebral joints" : " and uncovertebral joints as frictionless contacts") + ". Free swelling, then 60 s with a 17 N preload; `traction` (0 N) is the condition a traction protocol drives."
        try model.validate()
        return model
    }

    /// The cervical motion segment of the level named `levelName` ("C5-C6", "C56", …).
    /// - Throws: ``CervicalError/unknownLevel(_:)`` (field `level`; a lumbar level name says so)
    ///   and whatever ``cervical(_:patient:mesh:ligaments:divisions:geometry:)`` throws.
    public static func cervical(levelName: String, patient: Patient, mesh: DefaultDiscModel.MeshLevel = .standard,
                                ligaments: CervicalLigamentDataSet = .yoganandan2000, divisions: SegmentMesh? = nil) throws -> Model {
        try cervical(try CervicalLevel(name: levelName), patient: patient, mesh: mesh, ligaments: ligaments, divisions: divisions)
    }
}
