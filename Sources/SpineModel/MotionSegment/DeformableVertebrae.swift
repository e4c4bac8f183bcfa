import Foundation
import Biomechanics
import FiniteElements

/// Deformable vertebral bodies for a motion segment: linear-elastic bone between each disc
/// endplate and the section where the vertebra's rigid part begins, instead of a rigid body tied
/// to the endplate. Needed for a bone-strain criterion; the rigid vertebrae of
/// ``MotionSegment/lumbar(_:patient:mesh:ligaments:divisions:geometry:)`` stay the default
/// (DESIGN.md: the unknowns go where the physics is, in the disc).
///
/// ```swift
/// var model = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse)
/// try model.makeVertebraeDeformable(.forPatient(patient))
/// let r = try await Simulation(model: model).run()
/// r.motionSegment!.boneStrain!.compressive.maximum      // over every accepted step
/// ```
///
/// **What is modelled.** Each body part is an elliptic cylinder on the disc's cross-section and
/// lattice (``VertebralBodies``), `height` tall, bonded node for node to the disc's endplate. Its
/// cancellous core is isotropic linear elastic (St Venant–Kirchhoff at finite strain) with the
/// patient's trabecular modulus; its outermost ring of cells carries the cortical shell smeared
/// over the ring: the ring's modulus is chosen so that its axial stiffness `E·A` equals the
/// shell's (`corticalModulus × perimeter × corticalThickness`) plus the cancellous bone in the rest
/// of the ring. The bone carries no pore fluid (``BiphasicMaterial/init(solidOnly:)``): the disc
/// still exchanges fluid with blood through its endplate surfaces at the same conductance, so a
/// very stiff body reproduces the rigid-vertebra model. The vertebra's rigid body (posterior
/// elements, ligament insertions, facets, loads) is tied to the far end section, and its
/// reference point moves to that section's centre, where forces act.
///
/// **Nutrients.** The disc's O₂, glucose and lactate (``NutrientTractionSimulation``, the
/// scenarios' glucose budget, or a model file's `transport` block on the disc's regions) run as
/// with rigid vertebrae: the bone carries no solutes, and the disc exchanges them through its
/// endplate faces (`top`, `bottom`) and `outer`. With stiff bodies (5000 MPa) the glucose budget
/// of a 200 N pull is within 0.13 % of the rigid model's (`DeformableVertebraeTests`).
///
/// **Not modelled.** The bony endplate (≈ 0.25 mm, ≈ 1000 MPa in simpler models) as a layer of its
/// own; the cartilage endplate (the conductance stands in for it); trabecular anisotropy; the
/// variation of density within the body; bone poroelasticity; yield. Harness loads on ribs and
/// pelvis are outside the model.
public struct DeformableVertebrae: Sendable, Equatable {
    /// Default height (mm) of each body part: half a lumbar vertebral body (about 26 mm tall); a
    /// parameter — the literature table of body heights per level was not read.
    public static let defaultHeight = 13.0
    /// Default cell layers through each body part (the layers the bone-strain factor was measured with).
    public static let defaultLayers = 2
    /// Height (mm) of each vertebral body part, from the endplate to the rigid section.
    public var height: Double
    /// Cell layers through ``height`` (≥ 1).
    public var layers: Int
    /// Young's modulus of the cancellous core (MPa).
    public var cancellousModulus: Double
    /// Young's modulus of the cortical shell (MPa).
    public var corticalModulus: Double
    /// Thickness of the cortical shell (mm).
    public var corticalThickness: Double
    /// Poisson's ratio of the bone (dimensionless).
    public var poissonRatio: Double

    /// Bodies of `height` mm in `layers` layers with the given moduli (MPa), shell thickness (mm)
    /// and Poisson's ratio.
    public init(height: Double = DeformableVertebrae.defaultHeight, layers: Int = DeformableVertebrae.defaultLayers, cancellousModulus: Double, corticalModulus: Double = 12_000,
                corticalThickness: Double = 0.4, poissonRatio: Double = 0.3) {
        self.height = height; self.layers = layers; self.cancellousModulus = cancellousModulus
        self.corticalModulus = corticalModulus; self.corticalThickness = corticalThickness; self.poissonRatio = poissonRatio
    }

    /// The bodies for `patient`: cancellous modulus `E = 4730 ρ^1.56` MPa (Morgan EF, Bayraktar HH,
    /// Keaveny TM 2003, J Biomech 36(7):897–904, vertebral trabecular bone, `ρ` apparent density in
    /// g/cm³) with `ρ` from the patient's T-score by `bone`'s ``BoneDensityAssumption`` (a named
    /// assumption: no validated T-score → density conversion exists); cortical shell 12 000 MPa,
    /// ν = 0.3 (the cortical bone of the lumbar model in J Orthop Surg Res 2021,
    /// doi:10.1186/s13018-021-02237-4, Table 1), 0.4 mm thick (the cortical shell of an Int J Spine
    /// Surg lumbar model's Table 1, read on ijssurgery.com, which also uses `4730 ρ^1.56` for the
    /// cancellous bone); ν = 0.3 for the cancellous bone too (that table has 0.2). These are model
    /// parameters of published finite-element models, not measurements; all are parameters here.
    ///
    /// `height`: ``defaultHeight``.
    public static func forPatient(_ patient: Patient, bone: BoneLoadEstimate = BoneLoadEstimate(), height: Double = DeformableVertebrae.defaultHeight,
                                  layers: Int = DeformableVertebrae.defaultLayers) -> DeformableVertebrae {
        DeformableVertebrae(height: height, layers: layers, cancellousModulus: bone.modulus(patient: patient))
    }

    /// The bone strains of one mesh in the measurement of ``measuredBoneStrainFactor(mesh:layers:height:)``
    /// (dimensionless peaks over the bone cells, default patient's bone, 13 mm bodies).
    struct BoneStrainMeasurement {
        /// Disc mesh and bone layers.
        var mesh: DefaultDiscModel.MeshLevel?, layers: Int
        /// Largest compressive and tensile principal strain at 50 % and 100 % of body weight.
        var half: (compressive: Double, tensile: Double), full: (compressive: Double, tensile: Double)
    }

    /// The measurement behind ``measuredBoneStrainFactor(mesh:layers:height:)``: the L4-L5 segment
    /// of the 70 kg subject (Remus 2021 ligaments, T-score 0: cancellous 384 MPa), 60 s lying under
    /// 17 N, then pulled on the disc's upper body over 30 s to 50 % and, in a second run, 100 % of
    /// body weight (`spinetraction run` on `Examples/models/motion-segment-deformable.json` with
    /// the divisions, layers and pull changed; release build, 2026-12-07). `mesh` nil is the
    /// reference: the fine disc mesh (4 × 24 × 8) with 4 layers (3.25 mm cells).
    static let boneStrainMeasurements: [BoneStrainMeasurement] = [
        BoneStrainMeasurement(mesh: .coarse, layers: 2, half: (0.000590137604, 0.000662911446), full: (0.00111706187, 0.0011642703)),
        BoneStrainMeasurement(mesh: .standard, layers: 2, half: (0.000396031445, 0.000489775701), full: (0.00087951295, 0.000955522012)),
        BoneStrainMeasurement(mesh: nil, layers: 4, half: (0.000688003626, 0.000842318178), full: (0.00155576409, 0.00176780037)),
    ]

    /// The disc meshes and layer counts (13 mm bodies) with a measured factor, for messages.
    public static var measuredBoneStrainMeshes: String {
        boneStrainMeasurements.compactMap { m in m.mesh.map { "\($0.rawValue) with \(m.layers) layers of \(defaultHeight) mm" } }
            .joined(separator: ", ")
    }

    /// The factor (dimensionless, ≥ 1) that scales the bone strains of `mesh` with `layers` bone
    /// layers over `height` (mm) up to the reference's, or nil when that combination was not
    /// measured. The reference is the fine disc mesh with 4 layers: cells 3.25 mm thick at the
    /// endplate. The peak strain sits in the bone cells at the disc's endplate and keeps growing
    /// as they get thinner (13 mm in 2 / 4 / 8 / 16 layers on the coarse disc at 100 % of body
    /// weight: tensile 0.00116 / 0.00161 / 0.00193 / 0.00215), while a finer disc lattice lowers
    /// it (standard, 2 layers: 0.00096) and the fine one raises it again (4 layers: coarse 0.00161,
    /// standard 0.00131, fine 0.00177): the reference is the finest mesh solved, not a converged
    /// value (as for the annulus fibre strain). A continuum strain of trabecular bone is suspect within
    /// three to five trabeculae of an interface (Harrigan TP et al. 1988, J Biomech
    /// 21(4):269–275), so cells about 3 mm thick — three trabeculae at a spacing of the order of
    /// 1 mm, an order of magnitude rather than a sourced value — are taken as the scale at which the
    /// criterion's strain is read. The factor is the largest reference / mesh ratio over both
    /// pulls and both strains, at least 1: **coarse 1.518, standard 1.850** (both the tensile
    /// strain at 100 % of body weight; at 50 % 1.271 and 1.720). The standard mesh's factor is the
    /// larger because its finer disc lattice spreads the annulus' pull over more bone cells.
    public static func measuredBoneStrainFactor(mesh: DefaultDiscModel.MeshLevel, layers: Int, height: Double) -> Double? {
        guard height == defaultHeight, let reference = boneStrainMeasurements.first(where: { $0.mesh == nil }),
              let m = boneStrainMeasurements.first(where: { $0.mesh == mesh && $0.layers == layers }) else { return nil }
        let ratios = [reference.half.compressive / m.half.compressive, reference.half.tensile / m.half.tensile,
                      reference.full.compressive / m.full.compressive, reference.full.tensile / m.full.tensile]
        return ratios.reduce(1, max)
    }

    /// - Throws: ``ModelError`` naming the field.
    public func validate() throws {
        func check(_ v: Double, _ field: String, _ expected: String, _ ok: (Double) -> Bool) throws {
            guard v.isFinite, ok(v) else { throw ModelError(.invalidValue, at: "deformableVertebrae.\(field)", "expected \(expected), got \(v)") }
        }
        try check(height, "height", "a height > 0 mm", { $0 > 0 })
        guard layers >= 1 else { throw ModelError(.invalidValue, at: "deformableVertebrae.layers", "expected ≥ 1 cell layer, got \(layers)") }
        try check(cancellousModulus, "cancellousModulus", "a modulus > 0 MPa", { $0 > 0 })
        try check(corticalModulus, "corticalModulus", "a modulus > 0 MPa", { $0 > 0 })
        try check(corticalThickness, "corticalThickness", "a thickness ≥ 0 mm", { $0 >= 0 })
        try check(poissonRatio, "poissonRatio", "a Poisson's ratio in (−1, 0.5)", { $0 > -1 && $0 < 0.5 })
    }

    /// The smeared modulus (MPa) of the outermost ring of an elliptic cross-section with semi-axes
    /// `a`, `b` (mm) whose ring spans the scaled ellipses `inner`…1: `E·A_ring = E_c·P·t +
    /// E_cancellous·(A_ring − P·t)`, `P` the outer perimeter (Ramanujan's approximation).
    /// - Throws: ``ModelError`` when the shell is thicker than the ring's area allows.
    func shellModulus(a: Double, b: Double, inner: Double) throws -> Double {
        let ring = Double.pi * a * b * (1 - inner * inner)
        let perimeter = Double.pi * (3 * (a + b) - ((3 * a + b) * (a + 3 * b)).squareRoot())
        let shell = perimeter * corticalThickness
        guard shell < ring else {
            throw ModelError(.invalidValue, at: "deformableVertebrae.corticalThickness",
                             "a \(corticalThickness) mm shell (\(shell) mm²) does not fit in the outer ring of cells (\(ring) mm²): expected a thinner shell or fewer rings")
        }
        return (corticalModulus * shell + cancellousModulus * (ring - shell)) / ring
    }
}

extension Model {
    /// Makes the vertebrae of a motion segment built by ``MotionSegment`` deformable: bone
    /// bodies `bodies` between the disc's endplates and the vertebrae's rigid parts (see
    /// ``DeformableVertebrae``).
    ///
    /// The mesh gains ``VertebralBodies`` (regions `lowerVertebra`, `upperVertebra` → material
    /// `cancellousBone`; `lowerVertebraShell`, `upperVertebraShell` → `corticalShell`); the
    /// vertebrae are tied to `lowerVertebraEnd` and `upperVertebraEnd` with their reference points
    /// at those sections' centres and ``VertebraDefinition/discEndplate`` `bottom` and `top`;
    /// every rigid condition on `top` moves to `upperVertebraEnd`; the output `discVolumeChange`
    /// integrates over the region `disc`. Nothing else changes: ligaments and facets keep their
    /// points on the rigid parts.
    /// - Throws: ``ModelError`` for a model that is not a motion segment on a generated cylinder
    ///   with vertebrae tied to `bottom` and `top`, one whose transport block puts solutes or
    ///   reactions on region `all` (which would take in the bone), or invalid `bodies`.
    public mutating func makeVertebraeDeformable(_ bodies: DeformableVertebrae) throws {
        try bodies.validate()
        guard var ms = motionSegment else { throw ModelError(.invalidValue, at: "motionSegment", "expected a motion segment") }
        if let transport {
            // The bodies join region `all`; the bone carries no solutes, so a transport block must
            // name the disc's own regions.
            let reason = "region \"all\" would take in the vertebral bodies' bone, which carries no solutes; expected the disc's regions (\"disc\", the nucleus, the annulus)"
            for s in transport.solutes where s.materials.contains(where: { $0.region == "all" }) {
                throw ModelError(.invalidValue, at: "transport.solutes.\(s.name).materials.all", reason)
            }
            for (i, r) in transport.reactions.enumerated() where r.region == "all" {
                throw ModelError(.invalidValue, at: "transport.reactions[\(i)].region", reason)
            }
        }
        guard case let .cylinder(a, b, h, inner, fraction, radial, around, axial, element, nil) = mesh else {
            throw ModelError(.invalidValue, at: "mesh", "expected a generated cylinder without vertebral bodies (a motion segment from MotionSegment.lumbar or .cervical)")
        }
        guard let held = ms.vertebrae.firstIndex(where: \.held), ms.vertebrae[held].tiedTo == .surface("bottom"),
              let free = ms.vertebrae.firstIndex(where: { !$0.held }), ms.vertebrae[free].tiedTo == .surface("top"), ms.vertebrae.count == 2 else {
            throw ModelError(.invalidValue, at: "motionSegment.vertebrae", "expected a held vertebra tied to \"bottom\" and a free one tied to \"top\"")
        }
        guard inner != nil else { throw ModelError(.invalidValue, at: "mesh", "expected a cylinder with an inner region (the nucleus)") }
        // The outermost ring spans the scaled ellipses `innerScale`…1 (uniform rings outside the inner region).
        let innerScale = fraction + (1 - fraction) * Double(radial - 1) / Double(radial)
        let shell = try bodies.shellModulus(a: a, b: b, inner: innerScale)
        mesh = .cylinder(a: a, b: b, height: h, innerName: inner, innerFraction: fraction, radial: radial, around: around, axial: axial,
                         element: element, vertebrae: VertebralBodies(height: bodies.height, layers: bodies.layers))
        materials["cancellousBone"] = MaterialDefinition(solid: .isotropicElastic(E: bodies.cancellousModulus, nu: bodies.poissonRatio))
        materials["corticalShell"] = MaterialDefinition(solid: .isotropicElastic(E: shell, nu: bodies.poissonRatio))
        regions += [("lowerVertebra", "cancellousBone"), ("upperVertebra", "cancellousBone"),
                    ("lowerVertebraShell", "corticalShell"), ("upperVertebraShell", "corticalShell")]
        ms.vertebrae[held].tiedTo = .surface("lowerVertebraEnd")
        ms.vertebrae[held].referencePoint = SIMD3(0, 0, -bodies.height)
        ms.vertebrae[held].discEndplate = "bottom"
        ms.vertebrae[free].tiedTo = .surface("upperVertebraEnd")
        ms.vertebrae[free].referencePoint = SIMD3(0, 0, h + bodies.height)
        ms.vertebrae[free].discEndplate = "top"
        motionSegment = ms
        for k in boundary.indices {
            if case .rigid = boundary[k].kind, boundary[k].target == .surface("top") { boundary[k].target = .surface("upperVertebraEnd") }
        }
        for k in outputs.regions.indices where outputs.regions[k].name == "discVolumeChange" && outputs.regions[k].region == "all" {
            outputs.regions[k].region = "disc"
        }
        notes = (notes.map { $0 + " " } ?? "") + "Deformable vertebral bodies: \(bodies.height) mm of bone in \(bodies.layers) layers under and over the disc, cancellous E = \(bodies.cancellousModulus) MPa, the cortical shell (\(bodies.corticalThickness) mm, \(bodies.corticalModulus) MPa) smeared over the outer ring (E = \(shell) MPa), nu = \(bodies.poissonRatio); the rigid vertebrae are tied to the bodies' far sections."
        try validate()
    }
}
