import Foundation
import Biomechanics
import FiniteElements

/// The parts of a motion segment around a biphasic disc: rigid vertebrae tied to the disc's
/// endplates, ligaments as bundles of tension-only springs between the vertebrae, frictionless
/// facet contacts, and the loads on the upper vertebra that are not boundary conditions (a
/// follower load, the weight of the body cranial to the level). The model file's
/// `motionSegment` block.
///
/// Vertebrae are rigid bodies (six unknowns each, finite rotation) tied to every node of their
/// endplate surface, as in validated hybrid models (Remus R et al. 2021, PLoS ONE
/// 16(4):e0250456). Exactly one vertebra is held (the lower one: its endplate nodes are fixed,
/// and ligaments and facets anchored on it are anchored to the ground).
///
/// Forces and moments on a free vertebra are boundary conditions of kind `rigid` on the surface
/// (or node set) the vertebra is tied to — the conditions a ``TractionProtocol`` drives
/// (`traction`, `preload`); with a rigid vertebra they act on the body at its reference point,
/// and a moment turns it.
///
/// ```swift
/// var model = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse)
/// model.ligaments[.flavum]!.stiffness *= 0.5          // N per unit strain, all fibres
/// model.motionSegment!.followerLoad = FollowerLoad(force: 500, curve: "standing")
/// ```
public struct MotionSegmentDefinition: Sendable, Equatable {
    /// The level modelled (informative; nil when not a lumbar level).
    public var level: LumbarLevel?
    /// The vertebrae; exactly one is ``VertebraDefinition/held``.
    public var vertebrae: [VertebraDefinition]
    /// The ligaments, one entry per ligament and side.
    public var ligaments: [LigamentDefinition]
    /// The facet joints.
    public var facets: [FacetDefinition]
    /// A compressive load along the disc axis on the upper vertebra, nil for none.
    public var followerLoad: FollowerLoad?
    /// The weight of the body cranial to the level at an inclination (inversion), nil for none.
    public var gravity: GravityLoad?
    /// The state in which each ligament is at its law's reference strain (in-situ prestrain or
    /// slack). The model file's `ligamentReference`, `"built"` when absent.
    public var ligamentReference: LigamentReference

    /// A motion segment.
    public init(level: LumbarLevel? = nil, vertebrae: [VertebraDefinition], ligaments: [LigamentDefinition] = [],
                facets: [FacetDefinition] = [], followerLoad: FollowerLoad? = nil, gravity: GravityLoad? = nil,
                ligamentReference: LigamentReference = .built) {
        self.level = level; self.vertebrae = vertebrae; self.ligaments = ligaments; self.facets = facets
        self.followerLoad = followerLoad; self.gravity = gravity; self.ligamentReference = ligamentReference
    }

    /// The vertebra named `name`.
    public func vertebra(named name: String) -> VertebraDefinition? { vertebrae.first { $0.name == name } }

    /// The held vertebra (nil when none is, which ``Model/validate()`` refuses).
    public var heldVertebra: VertebraDefinition? { vertebrae.first { $0.held } }

    /// The free vertebrae, in order: their indices are the rigid-body indices of the problem.
    public var freeVertebrae: [VertebraDefinition] { vertebrae.filter { !$0.held } }
}

/// The state in which a motion segment's ligaments are at their reference strains.
///
/// In-situ prestrains are measured, or calibrated, on a segment in its physiological state
/// (Remus R et al. 2021, PLoS ONE 16(4):e0250456: strains of the ligaments in the model's
/// reference geometry). In a model whose disc swells from its built height to Donnan equilibrium
/// before any load, that physiological state is the swollen one: measured at the built height,
/// the prestrain would be counted twice — once as given, once more as the stretch the swelling
/// imposes (about 3.7 % on the posterior ligaments of the default L4-L5 segment).
public enum LigamentReference: String, Sendable, Equatable, CaseIterable {
    /// The mesh as built: each bundle's reference length is the distance between its anchors.
    case built
    /// The freely swollen state: the free-swelling step is solved with every bundle pulling with
    /// its force at the reference strain, and each bundle's reference length is then its length
    /// there (``Biomechanics/CoupledRigidBodies/holdReferenceForces(_:)``). Needs a free-swelling
    /// first step.
    case swollen
}

/// A rigid vertebra tied to every node of an endplate surface (or node set) of the mesh.
public struct VertebraDefinition: Sendable, Equatable {
    /// A unique name ("L4").
    public var name: String
    /// The endplate the vertebra is tied to: a surface or a node set of the mesh.
    public var tiedTo: BoundaryCondition.Target
    /// Reference point (mm, reference configuration): where its forces act, what its moments are
    /// taken about, and the point whose translation is reported.
    public var referencePoint: SIMD3<Double>
    /// True for the held (lower) vertebra: its endplate nodes are fixed.
    public var held: Bool
    /// The disc's surface at this vertebra's endplate when the vertebra is tied elsewhere — the
    /// end section of a deformable vertebral body (``VertebralBodies``); nil when `tiedTo` is
    /// the endplate itself. Disc height change and distraction are measured between the
    /// endplates' nodes, so the bone's own deformation does not count as disc height.
    public var discEndplate: String?

    /// A vertebra tied to `tiedTo`, reference point in mm.
    public init(name: String, tiedTo: BoundaryCondition.Target, referencePoint: SIMD3<Double>, held: Bool = false, discEndplate: String? = nil) {
        self.name = name; self.tiedTo = tiedTo; self.referencePoint = referencePoint; self.held = held; self.discEndplate = discEndplate
    }
}

/// One ligament (one side of a bilateral one): parallel fibres (tension-only springs) from the
/// lower to the upper vertebra, all with the same law.
public struct LigamentDefinition: Sendable, Equatable {
    /// The ligament type.
    public var type: LigamentType
    /// Side (`.midline` for the unpaired ligaments).
    public var side: LevelGeometry.Side
    /// Name of the vertebra carrying the fibres' origins (usually the lower, held one).
    public var lower: String
    /// Name of the vertebra carrying the fibres' insertions.
    public var upper: String
    /// The law of one fibre: stiffness (N per unit strain), curve, reference strain (prestrain or
    /// slack), damping (N·s), failure force of the fibre (N) and strain, sub-failure damage.
    public var law: LigamentLaw
    /// The fibres: origin and insertion points (mm, reference configuration).
    public var fibres: [Fibre]

    /// A fibre's two ends (mm, reference configuration).
    public struct Fibre: Sendable, Equatable {
        /// Origin on the ``LigamentDefinition/lower`` vertebra (mm).
        public var origin: SIMD3<Double>
        /// Insertion on the ``LigamentDefinition/upper`` vertebra (mm).
        public var insertion: SIMD3<Double>
        /// A fibre from `origin` to `insertion` (mm).
        public init(origin: SIMD3<Double>, insertion: SIMD3<Double>) { self.origin = origin; self.insertion = insertion }
    }

    /// A ligament of `fibres` with one law each.
    public init(type: LigamentType, side: LevelGeometry.Side = .midline, lower: String, upper: String, law: LigamentLaw, fibres: [Fibre]) {
        self.type = type; self.side = side; self.lower = lower; self.upper = upper; self.law = law; self.fibres = fibres
    }

    /// "LF", "CL left": the type's abbreviation and the side of a bilateral ligament.
    public var name: String { side == .midline ? type.rawValue : "\(type.rawValue) \(side.rawValue)" }

    /// Stiffness of the whole ligament, all fibres in parallel (N per unit strain); setting it
    /// sets every fibre's stiffness to its share.
    public var stiffness: Double {
        get { law.stiffness * Double(fibres.count) }
        set { law.stiffness = fibres.isEmpty ? newValue : newValue / Double(fibres.count) }
    }

    /// Failure force of the whole ligament (N), nil when the law has none.
    public var failureForce: Double? { law.failureForce.map { $0 * Double(fibres.count) } }
}

/// Frictionless contact of one facet joint: the upper vertebra's inferior articular surface,
/// sampled as points with areas, against the plane of the lower vertebra's superior surface
/// (`FacetContact` of Biomechanics).
public struct FacetDefinition: Sendable, Equatable {
    /// A unique name ("L4-L5 facet left").
    public var name: String
    /// The vertebra carrying the sampled surface (a free vertebra).
    public var upper: String
    /// The vertebra carrying the plane.
    public var lower: String
    /// Sample points of the upper surface (mm, reference configuration).
    public var points: [SIMD3<Double>]
    /// Tributary area of each point (mm²).
    public var areas: [Double]
    /// Outward normal of the upper surface (reference configuration); must face the plane.
    public var upperNormal: SIMD3<Double>
    /// A point of the lower plane (mm, reference configuration).
    public var planePoint: SIMD3<Double>
    /// Outward normal of the lower plane, towards the upper surface.
    public var planeNormal: SIMD3<Double>
    /// Penalty (N/mm³: MPa of contact pressure per mm of penetration).
    public var penalty: Double

    /// A facet joint (points mm, areas mm², penalty N/mm³).
    public init(name: String, upper: String, lower: String, points: [SIMD3<Double>], areas: [Double], upperNormal: SIMD3<Double>,
                planePoint: SIMD3<Double>, planeNormal: SIMD3<Double>, penalty: Double) {
        self.name = name; self.upper = upper; self.lower = lower; self.points = points; self.areas = areas
        self.upperNormal = upperNormal; self.planePoint = planePoint; self.planeNormal = planeNormal; self.penalty = penalty
    }
}

/// A compressive load on the upper vertebra along the disc axis (−z), through its reference
/// point: the follower load of in-vitro tests (Patwardhan AG et al. 1999, Spine 24:1003–1009),
/// which models the muscles' compression of the standing spine.
///
/// Its direction is the reference disc axis: it does not turn with the vertebra. Under axial
/// loads the vertebra barely rotates and this is the follower load; under large moments it is an
/// approximation (a true follower load tilts with the segment).
public struct FollowerLoad: Sendable, Equatable {
    /// Magnitude (N, ≥ 0; compressive).
    public var force: Double
    /// Load curve (dimensionless amplitude over time); nil for constant 1.
    public var curve: String?
    /// A follower load of `force` N.
    public init(force: Double, curve: String? = nil) { self.force = force; self.curve = curve }
}

/// The weight of the body cranial to the level acting on the upper vertebra when the patient is
/// tilted head-down by ``angle`` (an inversion table): the component `m g sin θ` along the spine
/// (+z, distracting for θ > 0); the component across the spine is carried by the table bed and
/// is not applied. Frictionless estimate; muscle activity is not modelled.
public struct GravityLoad: Sendable, Equatable {
    /// Mass cranial to the level (kg), e.g. ``Patient/massCranial(to:fractions:)`` (Dempster).
    public var massKg: Double
    /// Head-down angle from horizontal (degrees, −90…90; 90 = fully inverted, negative = head up).
    public var angle: Double
    /// Load curve (dimensionless amplitude over time); nil for constant 1.
    public var curve: String?
    /// Standard gravity (m/s²).
    public static let g = 9.81

    /// The weight of `massKg` kg at `angle` degrees head-down.
    public init(massKg: Double, angle: Double, curve: String? = nil) { self.massKg = massKg; self.angle = angle; self.curve = curve }

    /// The force on the upper vertebra (N, +z distracts).
    public var axialForce: Double { massKg * Self.g * sin(angle * .pi / 180) }
}

extension Model {
    /// The ligaments of the motion segment (empty without one); setting changes them in place
    /// (nothing happens without a motion segment).
    ///
    /// ```swift
    /// model.ligaments[.flavum]!.stiffness *= 0.5
    /// ```
    public var ligaments: [LigamentDefinition] {
        get { motionSegment?.ligaments ?? [] }
        set { motionSegment?.ligaments = newValue }
    }
}

extension Array where Element == LigamentDefinition {
    /// The ligament of `type` on `side`. Without a side: the midline ligament, or for a bilateral
    /// one the left side on reading; setting without a side gives every side of `type` the new
    /// law (each keeps its fibres). Setting nil removes the matching entries.
    public subscript(_ type: LigamentType, side side: LevelGeometry.Side? = nil) -> LigamentDefinition? {
        get { first { $0.type == type && (side == nil || $0.side == side) } }
        set {
            let matches = indices.filter { self[$0].type == type && (side == nil || self[$0].side == side) }
            guard let newValue else { for i in matches.reversed() { remove(at: i) }; return }
            if matches.isEmpty { append(newValue); return }
            if side == nil {
                for i in matches { self[i].law = newValue.law; self[i].lower = newValue.lower; self[i].upper = newValue.upper }
                if let i = matches.first(where: { self[$0].side == newValue.side }) { self[i].fibres = newValue.fibres }
            } else {
                self[matches[0]] = newValue
            }
        }
    }
}
