import Foundation

/// A cervical motion segment, C2-C3 … C7-T1 (C0-C1 and C1-C2 have no disc and are not modelled).
public enum CervicalLevel: String, Sendable, Equatable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case c2c3 = "C2-C3"
    case c3c4 = "C3-C4"
    case c4c5 = "C4-C5"
    case c5c6 = "C5-C6"
    case c6c7 = "C6-C7"
    case c7t1 = "C7-T1"

    /// The level named `name` ("C5-C6", also "C5/C6", "c5c6", "C56").
    /// - Throws: ``CervicalError/unknownLevel(_:)`` — also for a lumbar level, with a hint.
    public init(name: String) throws(CervicalError) {
        let key = name.uppercased().filter { $0.isLetter || $0.isNumber }
        for level in Self.allCases {
            let full = level.rawValue.filter { $0.isLetter || $0.isNumber }
            let parts = level.rawValue.split(separator: "-")
            let short = String(parts[0]) + String(parts[1].dropFirst())
            if key == full || key == short { self = level; return }
        }
        throw .unknownLevel(name)
    }

    public var description: String { rawValue }
}

/// Why a cervical value was refused.
public enum CervicalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A level name that is not C2-C3 … C7-T1.
    case unknownLevel(String)

    public var description: String {
        switch self {
        case let .unknownLevel(name):
            let lumbar = (try? LumbarLevel(name: name)) != nil
            return "level: unknown cervical level \"\(name)\"; expected one of "
                + CervicalLevel.allCases.map(\.rawValue).joined(separator: ", ")
                + (lumbar ? " (\(name) is a lumbar level: use the lumbar region)" : "")
        }
    }
}

/// A head halter: an occipital strap and a chin strap meeting at the spreader bar, where the rope
/// pulls. In the sagittal plane the spreader is a point held by three forces — the rope force `F`
/// at the pull angle `θ` (flexion, i.e. anterior, positive) and the two strap tensions along their
/// straps, the occipital strap at `α_o` posterior and the chin strap at `α_c` anterior of the
/// head's long axis — so equilibrium of the point gives the split by statics alone:
///
///     T_chin = F · sin(α_o + θ) / sin(α_o + α_c),   T_occ = F · sin(α_c − θ) / sin(α_o + α_c).
///
/// For `θ > α_c` the occipital strap would need to push: it goes slack and the whole rope force
/// runs through the chin (``HalterSplit/occipitalSlack``). The chin strap presses the mandible
/// cranially into the temporomandibular joints: the TMJ load reported is the chin strap's
/// component along the head axis, `T_chin cos α_c` (both joints together).
///
/// **Strap angles are assumptions**: no measurement of halter strap geometry or of the
/// occiput/chin force split was found; the defaults (30° each, a symmetric halter) are parameters.
public struct Halter: Sendable, Equatable {
    /// Angle of the occipital strap posterior of the head's long axis (degrees, (0, 80]).
    public var occipitalStrapAngle: Double
    /// Angle of the chin strap anterior of the head's long axis (degrees, (0, 80]).
    public var chinStrapAngle: Double

    /// A halter; the defaults are assumptions (see the type's discussion).
    public init(occipitalStrapAngle: Double = 30, chinStrapAngle: Double = 30) {
        self.occipitalStrapAngle = occipitalStrapAngle; self.chinStrapAngle = chinStrapAngle
    }

    /// Checks both angles.
    /// - Throws: ``ScenarioError`` naming `halter.occipitalStrapAngle` or `halter.chinStrapAngle`.
    public func validate() throws(ScenarioError) {
        try requireValue(occipitalStrapAngle, in: 1e-3...80, "halter.occipitalStrapAngle", "an angle in (0, 80] degrees")
        try requireValue(chinStrapAngle, in: 1e-3...80, "halter.chinStrapAngle", "an angle in (0, 80] degrees")
    }

    /// The strap tensions for a rope force `ropeForce` (N, ≥ 0) at `pullAngle` (degrees, flexion positive).
    public func split(ropeForce: Double, pullAngle: Double) throws(ScenarioError) -> HalterSplit {
        try validate()
        try requireValue(ropeForce, in: 0...Double.greatestFiniteMagnitude, "ropeForce", "a finite force ≥ 0 N")
        try requireValue(pullAngle, in: CervicalTractionGeometry.pullAngleRange, "pullAngle", "an angle in [−10, 45] degrees")
        let (ao, ac, th) = (occipitalStrapAngle * .pi / 180, chinStrapAngle * .pi / 180, pullAngle * .pi / 180)
        let d = sin(ao + ac)
        var chin = ropeForce * sin(ao + th) / d, occ = ropeForce * sin(ac - th) / d
        var slack: HalterSplit.Slack? = nil
        if occ < 0 { occ = 0; chin = ropeForce; slack = .occipitalSlack }
        if chin < 0 { chin = 0; occ = ropeForce; slack = .chinSlack }
        let chinAngle = slack == .occipitalSlack ? th : ac
        return HalterSplit(occipitalStrap: occ, chinStrap: chin, temporomandibularLoad: chin * cos(chinAngle), slack: slack)
    }
}

/// The strap tensions of a ``Halter`` for one rope force.
public struct HalterSplit: Sendable, Equatable {
    /// Tension in the occipital strap (N).
    public var occipitalStrap: Double
    /// Tension in the chin strap (N).
    public var chinStrap: Double
    /// Compressive load pressed into both temporomandibular joints through the chin (N).
    public var temporomandibularLoad: Double
    /// A strap that went slack (the halter then turns until the other strap lines up with the rope).
    public var slack: Slack?

    /// Which strap went slack.
    public enum Slack: String, Sendable, Equatable, Codable {
        /// The pull is more anterior than the chin strap: everything runs through the chin.
        case occipitalSlack
        /// The pull is more posterior than the occipital strap: everything runs through the occiput.
        case chinSlack
    }

    /// Fraction of the rope force carried by the chin strap (dimensionless).
    public var chinShare: Double { occipitalStrap + chinStrap > 0 ? chinStrap / (occipitalStrap + chinStrap) : 0 }
}

/// Where the patient is during cervical traction.
public enum CervicalPosture: Sendable, Equatable {
    /// Upright: the weight of the head and neck cranial to the level hangs on it and must be lifted
    /// before the level sees tension.
    case seated
    /// Lying: the head rests on a surface with friction coefficient `headFriction` (dimensionless,
    /// [0, 2]; 0 for a sliding headpiece); the surface carries the head's weight less the rope's
    /// lift, and friction holds back up to `μ × that` of the pull.
    case supine(headFriction: Double)
}

/// The statics of head, neck and halter for cervical traction: the axial force and flexion moment
/// at the level for a rope force.
///
/// **Head weight.** Head and neck are 8.1 % of body mass (Dempster's segment fractions via Winter
/// 1990, *Biomechanics and Motor Control of Human Movement*, Table 4.1 — ``BodySegmentFractions/dempster``
/// `.head`), overridable by ``headMassKg``. The whole head-and-neck segment is taken as cranial
/// to the level (for a lower level part of the neck lies below: a small overestimate of the weight
/// to lift when seated).
///
/// **Seated**: axial tension `N = F cos θ − W_head`; flexion moment `M = F sin θ · h + W_head · e`
/// (`h` = ``halterLever``, the height of the halter's line of action above the level; `e` =
/// ``headCentreOffset``, how far anterior of the level the head's centre of mass lies).
/// **Supine**: the surface bears `max(0, W_head − F sin θ)`, friction takes up to `μ` of that:
/// `N = max(0, F cos θ − μ · max(0, W_head − F sin θ))`, `M = F sin θ · h`.
/// A negative seated `N` is compression: the rope has not yet lifted the head.
///
/// **Pull angle** θ is accepted in [−10°, 45°] (flexion positive; clinical 15–25° of flexion,
/// e.g. the dosing ranges summarised by Saunders, *Evaluation, Treatment and Prevention of
/// Musculoskeletal Disorders*). ``halterLever`` (120 mm) and ``headCentreOffset`` (10 mm) are
/// **assumptions** — no per-level measurement was found — and parameters.
public struct CervicalTractionGeometry: Sendable, Equatable {
    /// The pull angles accepted (degrees, flexion positive).
    public static let pullAngleRange: ClosedRange<Double> = -10...45
    /// Plausible head-and-neck masses (kg).
    public static let headMassRange: ClosedRange<Double> = 2...10

    /// Level treated.
    public var level: CervicalLevel
    /// Pull angle (degrees, flexion positive, [−10, 45]).
    public var pullAngle: Double
    /// Seated or supine.
    public var posture: CervicalPosture
    /// The halter.
    public var halter: Halter
    /// Head-and-neck mass (kg, [2, 10]); nil: ``BodySegmentFractions/head`` × body mass.
    public var headMassKg: Double?
    /// Height of the halter's line of action above the level (mm, (0, 400]).
    public var halterLever: Double
    /// Anterior offset of the head's centre of mass from the level (mm, [−100, 100]).
    public var headCentreOffset: Double

    /// A geometry; defaults and their sources are in the type's discussion.
    public init(level: CervicalLevel = .c5c6, pullAngle: Double = 20, posture: CervicalPosture = .supine(headFriction: 0),
                halter: Halter = Halter(), headMassKg: Double? = nil, halterLever: Double = 120, headCentreOffset: Double = 10) {
        self.level = level; self.pullAngle = pullAngle; self.posture = posture; self.halter = halter
        self.headMassKg = headMassKg; self.halterLever = halterLever; self.headCentreOffset = headCentreOffset
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property.
    public func validate() throws(ScenarioError) {
        try requireValue(pullAngle, in: Self.pullAngleRange, "pullAngle", "an angle in [−10, 45] degrees (flexion positive)")
        if case let .supine(mu) = posture { try requireValue(mu, in: 0...2, "posture.headFriction", "a friction coefficient in [0, 2]") }
        try halter.validate()
        if let m = headMassKg { try requireValue(m, in: Self.headMassRange, "headMassKg", "a head-and-neck mass in [2, 10] kg") }
        try requireValue(halterLever, in: 1e-6...400, "halterLever", "a lever in (0, 400] mm")
        try requireValue(headCentreOffset, in: -100...100, "headCentreOffset", "an offset in [−100, 100] mm")
    }

    /// The head-and-neck weight (N) for a body mass (kg).
    public func headWeight(bodyMassKg: Double, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> Double {
        try requireValue(bodyMassKg, in: 20...400, "bodyMassKg", "a body mass in [20, 400] kg")
        let m = headMassKg ?? fractions.head * bodyMassKg
        try requireValue(m, in: Self.headMassRange, "headMassKg", "a head-and-neck mass in [2, 10] kg")
        return m * TractionProtocol.Force.gravity
    }

    /// The load at the level for a rope force `ropeForce` (N, ≥ 0); see the type's discussion.
    /// - Throws: ``ScenarioError`` for a bad property.
    public func loadAtLevel(ropeForce: Double, bodyMassKg: Double, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> CervicalLoadAtLevel {
        try validate()
        let w = try headWeight(bodyMassKg: bodyMassKg, fractions: fractions)
        let split = try halter.split(ropeForce: ropeForce, pullAngle: pullAngle)
        let th = pullAngle * .pi / 180
        let along = ropeForce * cos(th), across = ropeForce * sin(th)
        switch posture {
        case .seated:
            return CervicalLoadAtLevel(ropeForce: ropeForce, headWeight: w, axialForce: along - w,
                                       flexionMoment: across * halterLever + w * headCentreOffset, halter: split)
        case let .supine(mu):
            let friction = mu * max(0, w - across)
            return CervicalLoadAtLevel(ropeForce: ropeForce, headWeight: w, axialForce: max(0, along - friction),
                                       flexionMoment: across * halterLever, halter: split)
        }
    }
}

/// The load at a cervical level for one rope force.
public struct CervicalLoadAtLevel: Sendable, Equatable {
    /// Rope force at the halter (N).
    public var ropeForce: Double
    /// Head-and-neck weight (N).
    public var headWeight: Double
    /// Axial force at the level (N, tension positive; negative seated until the head is lifted).
    public var axialForce: Double
    /// Flexion moment at the level (N·mm, flexion positive).
    public var flexionMoment: Double
    /// The halter's strap tensions and TMJ load.
    public var halter: HalterSplit
}
