import Foundation
import Biomechanics
import FiniteElements

/// Builds lumbar motion segments as ``Model`` values: the biphasic disc of ``DefaultDiscModel``
/// scaled to the level and the patient, bonded between two rigid vertebrae (the lower held, the
/// upper free), with the seven ligament types and both facet joints of ``LevelGeometry``.
///
/// ```swift
/// let patient = try Patient(bodyMassKg: 70, heightCm: 175)
/// var model = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse)
/// model.ligaments[.flavum]!.stiffness *= 0.5                   // N per unit strain
/// try model.apply(.defaultDisc)                                 // a traction protocol
/// let results = try await Simulation(model: model).run()
/// results.ligaments[.flavum]!.strain.maximum                   // over every accepted step
/// ```
public enum MotionSegment {
    /// Name of the held (lower) vertebra of a level: "L5" for L4-L5, "S1" for L5-S1.
    public static func lowerVertebra(_ level: LumbarLevel) -> String { String(level.rawValue.split(separator: "-")[1]) }
    /// Name of the upper vertebra of a level: "L4" for L4-L5.
    public static func upperVertebra(_ level: LumbarLevel) -> String { String(level.rawValue.split(separator: "-")[0]) }

    /// The lumbar motion segment of `level` for `patient`.
    ///
    /// **Disc.** The default disc's materials (nucleus and two-lamella annulus, Donnan swelling,
    /// strain-dependent permeability; see ``DefaultDiscModel``) on an elliptic cylinder with the
    /// level's endplate width and depth as axes and its central disc height times the patient's
    /// degeneration ``DegenerationPreset/heightFactor``; nucleus fixed charge and permeability
    /// scaled by the preset's factors. The mesh is not wedged: the level's lordosis angle enters
    /// only through the ligament insertions (``LevelGeometry``). Fluid exchanges with blood
    /// through both endplates and the periphery as in the default disc.
    ///
    /// **Vertebrae.** The lower (surface `bottom`, reference point the origin) is held; the upper
    /// (surface `top`, reference point the centre of its endplate `(0, 0, h)`) is a rigid body.
    ///
    /// **Ligaments and facets** from ``LevelGeometry/ligamentBundles(_:upperBody:)`` and
    /// ``LevelGeometry/facetContacts(upperBody:width:height:gap:grid:penalty:)`` with `ligaments`;
    /// one ``LigamentDefinition`` per ligament and side, its fibres the data set's springs. Each
    /// bundle is at its data set's reference strain (in-situ prestrain) in the freely swollen
    /// state, not at the built height (``LigamentReference/swollen``).
    ///
    /// **Loads and steps.** As the default disc: free swelling to Donnan equilibrium, then a 60 s
    /// step with the conditions `preload` (17 N compressive, ramped over 10 s: the bare default
    /// disc's lying preload) and `traction` (0 N, +z) on the upper vertebra, so that a
    /// ``TractionProtocol`` applies (``Model/apply(_:bodyMassKg:traction:preload:)``). No follower
    /// load or gravity (``MotionSegmentDefinition/followerLoad``, ``MotionSegmentDefinition/gravity``).
    ///
    /// - Parameters:
    ///   - mesh: `.coarse` (2 annulus rings × 8 around × 2 layers of hex20) or `.standard` (2 × 16 × 6). Both
    ///     give each of the annulus's two lamellae (+30°, −30°) a ring of its own: with one ring the
    ///     whole annulus would take one fibre family and twist under axial load.
    ///   - ligaments: the ligament data set.
    ///   - geometry: the level's dimensions; nil takes ``LevelGeometry/standard(_:)`` of `level`
    ///     (its level must be `level`).
    ///   - divisions: the disc mesh's divisions; nil takes them from `mesh`. ``SegmentMesh/fine``
    ///     is the reference of the mesh-convergence study.
    /// - Throws: ``AnatomyError`` for an invalid patient, geometry or data set entry;
    ///   ``ModelError`` for a model the builder could not make valid.
    public static func lumbar(_ level: LumbarLevel = .l4l5, patient: Patient, mesh: DefaultDiscModel.MeshLevel = .standard,
                              ligaments: LigamentDataSet = .remus2021, divisions: SegmentMesh? = nil,
                              geometry: LevelGeometry? = nil) throws -> Model {
        try patient.validate()
        let preset = patient.discGrade.preset
        try preset.validate()
        if let g = geometry, g.level != level {
            throw ModelError(.invalidValue, at: "geometry.level", "expected the geometry of \(level), got that of \(g.level)")
        }
        var geometry = geometry ?? LevelGeometry.standard(level)
        geometry.discHeight *= preset.heightFactor
        try geometry.validate()
        let a = 0.5 * geometry.endplateWidth, b = 0.5 * geometry.endplateDepth, h = geometry.discHeight

        var model = try discModel(a: a, b: b, h: h, nucleusFraction: 0.55, preset: preset, mesh: mesh, divisions: divisions)
        let lower = lowerVertebra(level), upper = upperVertebra(level)
        // Ligaments: the geometry's bundles, in its order (type by type, left before right), grouped back.
        let bundles = try geometry.ligamentBundles(ligaments, upperBody: 0)
        var definitions: [LigamentDefinition] = []
        var next = 0
        for type in LigamentType.allCases {
            let props = try ligaments.properties(level, type)
            for side in type.isBilateral ? [LevelGeometry.Side.left, .right] : [.midline] {
                let group = bundles[next..<min(next + props.springCount, bundles.count)]
                let prefix = "\(level) \(type)" + (side == .midline ? " " : " \(side.rawValue) ")
                guard group.count == props.springCount, group.allSatisfy({ $0.name.hasPrefix(prefix) }) else {
                    throw ModelError(.invalidValue, at: "ligaments[\(ligaments.name)].\(level).\(type)", "the level geometry's bundles are not grouped as \(props.springCount) springs of \(type) \(side.rawValue) in order")
                }
                next += props.springCount
                definitions.append(LigamentDefinition(type: type, side: side, lower: lower, upper: upper, law: group.first!.law,
                                                      fibres: group.map { .init(origin: $0.origin.referencePoint, insertion: $0.insertion.referencePoint) }))
            }
        }
        let facets = try geometry.facetContacts(upperBody: 0).map { f in
            FacetDefinition(name: f.name, upper: upper, lower: lower, points: f.points, areas: f.areas, upperNormal: -f.planeNormal,
                            planePoint: f.plane.referencePoint, planeNormal: f.planeNormal, penalty: f.penalty)
        }
        model.motionSegment = MotionSegmentDefinition(
            level: level,
            vertebrae: [VertebraDefinition(name: lower, tiedTo: .surface("bottom"), referencePoint: .zero, held: true),
                        VertebraDefinition(name: upper, tiedTo: .surface("top"), referencePoint: SIMD3(0, 0, h))],
            ligaments: definitions, facets: facets, ligamentReference: .swollen)
        model.notes = "Lumbar motion segment \(level) for a \(patient.bodyMassKg) kg patient, Pfirrmann grade \(patient.discGrade.rawValue): the default disc (see default-disc.json for materials and sources) on a \(2 * a) x \(2 * b) x \(h) mm elliptic cylinder (level geometry LevelGeometry.standard, height x degeneration factor \(preset.heightFactor)), bonded to a held lower vertebra \(lower) and a rigid upper vertebra \(upper); ligaments from the data set \(ligaments.name) (\(ligaments.citation)), at their reference strains in the freely swollen state; facet contacts from the level geometry. Free swelling, then 60 s with the bare disc's 17 N lying preload; `traction` (0 N) is the condition a traction protocol drives."
        try model.validate()
        return model
    }
    /// The disc of a motion segment: the default disc's materials on an elliptic cylinder with
    /// semi-axes `a`, `b` and height `h` (mm), nucleus radius fraction `nucleusFraction`, nucleus
    /// fixed charge and permeability scaled by `preset`; free swelling, then the 60 s step with the
    /// `preload` (17 N) and `traction` (0 N) conditions on the upper endplate `top`, fluid
    /// exchange through both endplates and the periphery, and the outputs every motion segment
    /// reports. Shared by ``lumbar(_:patient:mesh:ligaments:divisions:geometry:)`` and
    /// ``cervical(_:patient:mesh:ligaments:divisions:geometry:)``.
    static func discModel(a: Double, b: Double, h: Double, nucleusFraction: Double, preset: DegenerationPreset,
                          mesh: DefaultDiscModel.MeshLevel, divisions: SegmentMesh?) throws -> Model {
        var model = try DefaultDiscModel.model(mesh: mesh)
        let d = divisions ?? (mesh == .coarse ? .coarse : .standard)
        try d.validate()
        let (radial, around, axial) = (d.radial, d.around, d.axial)
        model.mesh = .cylinder(a: a, b: b, height: h, innerName: "nucleus", innerFraction: nucleusFraction, radial: radial, around: around, axial: axial, element: .hex20)
        if var np = model.materials["np"], var fluid = np.biphasic {
            fluid.permeability.k0 *= preset.permeabilityFactor
            fluid.osmotic?.cF0 *= preset.fixedChargeFactor
            np.biphasic = fluid
            model.materials["np"] = np
        }
        model.boundary = [
            BoundaryCondition(name: "preload", target: .surface("top"), kind: .rigid(.loads(force: SIMD3(0, 0, -17), moment: .zero, rotationFree: true, reference: nil, slide: []), curve: "preload")),
            BoundaryCondition(name: "traction", target: .surface("top"), kind: .rigid(.loads(force: .zero, moment: .zero, rotationFree: true, reference: nil, slide: []), curve: "traction")),
            BoundaryCondition(target: .surface("top"), kind: .fluidExchange(conductance: 0.012, pressure: 0, curve: nil)),
            BoundaryCondition(target: .surface("bottom"), kind: .fluidExchange(conductance: 0.012, pressure: 0, curve: nil)),
            BoundaryCondition(target: .surface("outer"), kind: .fluidExchange(conductance: 0.012, pressure: 0, curve: nil)),
        ]
        model.curves = ["preload": try .ramp(duration: 10), "traction": try LoadCurve(points: [(0, 0), (60, 0)])]
        model.steps = [model.steps[0], StepDefinition(name: "preload", duration: 60, initialStep: 1, minStep: 0.01, maxStep: 10)]
        model.outputs = OutputDefinition(
            times: stride(from: 0.0, through: 60, by: 10).map { $0 },
            probes: [.init(name: "nucleusPressure", field: "pressure", at: SIMD3(0, 0, 0.5 * h))],
            surfaces: [.init(name: "imbibedUpperEndplate", surface: "top", quantity: "fluidVolume"),
                       .init(name: "imbibedLowerEndplate", surface: "bottom", quantity: "fluidVolume"),
                       .init(name: "imbibedPeriphery", surface: "outer", quantity: "fluidVolume")],
            regions: [.init(name: "discVolumeChange", region: "all", quantity: "volumeChange")],
            vtu: false)
        return model
    }
}

/// The divisions of a motion segment's disc mesh (hex20 cells): rings per region (nucleus and
/// annulus each), cells around, layers through the height.
public struct SegmentMesh: Sendable, Equatable, CustomStringConvertible {
    /// Rings per region (≥ 2 and even, so that each of the annulus's two lamellae has whole rings).
    public var radial: Int
    /// Cells around (≥ 8, a multiple of 4 so that the mesh is symmetric about both planes).
    public var around: Int
    /// Layers through the disc height (≥ 2).
    public var axial: Int
    /// Divisions (rings per region, cells around, layers).
    public init(radial: Int, around: Int, axial: Int) { self.radial = radial; self.around = around; self.axial = axial }

    /// 2 × 8 × 2: seconds per run, for tests.
    public static let coarse = SegmentMesh(radial: 2, around: 8, axial: 2)
    /// 2 × 16 × 6: the mesh of the published numbers.
    public static let standard = SegmentMesh(radial: 2, around: 16, axial: 6)
    /// 4 × 24 × 8: the reference of the mesh-convergence study (minutes per run).
    public static let fine = SegmentMesh(radial: 4, around: 24, axial: 8)

    public var description: String { "\(radial) × \(around) × \(axial)" }

    /// - Throws: ``AnatomyError`` naming the division that is out of range.
    public func validate() throws {
        guard radial >= 2, radial % 2 == 0 else { throw AnatomyError.invalidValue(field: "divisions.radial", value: Double(radial), expected: "an even number of rings per region ≥ 2") }
        guard around >= 8, around % 4 == 0 else { throw AnatomyError.invalidValue(field: "divisions.around", value: Double(around), expected: "a multiple of 4 cells around, ≥ 8") }
        guard axial >= 2 else { throw AnatomyError.invalidValue(field: "divisions.axial", value: Double(axial), expected: "≥ 2 layers") }
    }
}
