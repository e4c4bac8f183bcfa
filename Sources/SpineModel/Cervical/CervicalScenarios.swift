import Foundation

/// The loads at a cervical level over a session: the rope force mapped through
/// ``CervicalTractionGeometry`` at each time.
public struct CervicalLoadHistory: Sendable, Equatable {
    /// Times (s), increasing.
    public var times: [Double]
    /// Rope force at the halter (N).
    public var ropeForce: [Double]
    /// Axial force at the level (N, tension positive).
    public var axialForce: [Double]
    /// Flexion moment at the level (N·mm).
    public var flexionMoment: [Double]
    /// Load pressed into the temporomandibular joints through the chin strap (N).
    public var temporomandibularLoad: [Double]

    /// Largest rope force (N).
    public var peakRopeForce: Double { ropeForce.max() ?? 0 }
    /// Largest axial tension at the level (N; negative when the level is never in tension).
    public var peakAxialForce: Double { axialForce.max() ?? 0 }
    /// Largest TMJ load (N).
    public var peakTemporomandibularLoad: Double { temporomandibularLoad.max() ?? 0 }

    /// The history as the lumbar scenarios' ``LevelLoadHistory`` (axial force and flexion moment).
    public var levelLoadHistory: LevelLoadHistory {
        LevelLoadHistory(times: times, axialForce: axialForce, flexionMoment: flexionMoment, compressiveFollowerLoad: nil)
    }

    static func mapping(times: [Double], ropeForce: [Double], geometry: CervicalTractionGeometry,
                        bodyMassKg: Double, fractions: BodySegmentFractions) throws(ScenarioError) -> CervicalLoadHistory {
        var h = CervicalLoadHistory(times: times, ropeForce: ropeForce, axialForce: [], flexionMoment: [], temporomandibularLoad: [])
        for f in ropeForce {
            let l = try geometry.loadAtLevel(ropeForce: max(0, f), bodyMassKg: bodyMassKg, fractions: fractions)
            h.axialForce.append(l.axialForce); h.flexionMoment.append(l.flexionMoment)
            h.temporomandibularLoad.append(l.halter.temporomandibularLoad)
        }
        return h
    }
}

/// Professional cervical traction (a table or powered device with a load cell): an intermittent
/// protocol with logarithmic ramps, a rest level, a safety stop (the device's; not modelled) and a
/// screened patient.
///
/// **Defaults** (all `var`): pull 25 lb (111 N) — the lower end of the 25–45 lb reported as needed
/// for measurable posterior separation, within the 8–30 lb ranges devices offer (Saunders,
/// *Evaluation, Treatment and Prevention of Musculoskeletal Disorders*; Colachis & Strohm 1965,
/// Arch Phys Med Rehabil 46:815–819); hold 30 s and rest 10 s (hold:rest 3:1, the low end of the
/// 3:1–4:1 quoted there); rest at 25 % of the pull and 5 s logarithmic ramps — **assumptions**;
/// 15 cycles (10 min); supine on a sliding headpiece at 20° of flexion (within the clinical
/// 15–25°; ``CervicalTractionGeometry``).
public struct ProfessionalCervicalTraction: Sendable, Equatable {
    /// Pull at the halter during the hold (N, (0, 445]: up to 100 lb; the limits module caps it).
    public var pull: Double
    /// Cycles (1 … 200).
    public var cycles: Int
    /// Hold at the pull (s, > 0).
    public var hold: Double
    /// Rest between holds (s, > 0).
    public var rest: Double
    /// Rest force as a fraction of the pull (dimensionless, [0, 1)).
    public var restLevel: Double
    /// Ramp shape and time up and down.
    public var ramp: TractionProtocol.Ramp
    /// Patient position, pull angle, halter.
    public var geometry: CervicalTractionGeometry

    /// A protocol; defaults and their sources are in the type's discussion.
    public init(pull: Double = 25 * OverTheDoorDevice.pound * TractionProtocol.Force.gravity, cycles: Int = 15, hold: Double = 30,
                rest: Double = 10, restLevel: Double = 0.25, ramp: TractionProtocol.Ramp = .logarithmic(duration: 5),
                geometry: CervicalTractionGeometry = CervicalTractionGeometry()) {
        self.pull = pull; self.cycles = cycles; self.hold = hold; self.rest = rest; self.restLevel = restLevel
        self.ramp = ramp; self.geometry = geometry
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`cervical.pull`, …).
    public func validate() throws(ScenarioError) {
        try requireValue(pull, in: 1e-6...445, "cervical.pull", "a pull in (0, 445] N")
        try requireCount(cycles, in: 1...200, "cervical.cycles", "1 … 200 cycles")
        try requireValue(hold, above: 0, "cervical.hold", "a time > 0 s")
        try requireValue(rest, above: 0, "cervical.rest", "a time > 0 s")
        try requireValue(restLevel, in: 0...0.999, "cervical.restLevel", "a fraction in [0, 1)")
        try geometry.validate()
    }

    /// The device's protocol (force in N at the halter).
    /// - Throws: ``ScenarioError`` for a bad property.
    public func tractionProtocol() throws(ScenarioError) -> TractionProtocol {
        try validate()
        var p = TractionProtocol.intermittent(cycles: cycles, pull: .newtons(pull), hold: hold, rest: rest, restLevel: restLevel, ramp: ramp)
        p.pullAngle = geometry.pullAngle
        return p
    }

    /// The loads at the level over the session.
    /// - Throws: ``ScenarioError`` for a bad property or a protocol that does not resolve.
    public func historyAtLevel(bodyMassKg: Double, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> CervicalLoadHistory {
        let resolved: ResolvedTractionProtocol
        do { resolved = try tractionProtocol().resolve() } catch let e as ScenarioError { throw e } catch {
            throw .invalidValue(property: "cervical", value: pull, expected: "a protocol that resolves (\(error))")
        }
        let curve = resolved.tractionForceCurve
        return try .mapping(times: curve.times, ropeForce: curve.values, geometry: geometry, bodyMassKg: bodyMassKg, fractions: fractions)
    }
}

extension OverTheDoorDevice {
    /// The loads at the level over the session: the drop (exact, `dropSamples` samples over the
    /// release and three natural periods), the bag hanging until ``hold``, and the user lifting it
    /// off over ``releaseTime`` (quasi-statically: lifting is slow and never overshoots).
    /// - Throws: ``ScenarioError`` for a bad property.
    public func historyAtLevel(bodyMassKg: Double, fractions: BodySegmentFractions = .dempster,
                               dropSamples: Int = 400) throws(ScenarioError) -> CervicalLoadHistory {
        try validate()
        let period = 2 * Double.pi / naturalFrequency
        let dropEnd = releaseTime + 3 * period
        try requireValue(hold, above: dropEnd, "door.hold", "a hold longer than the drop (\(dropEnd) s)")
        let drop = try dropHistory(duration: dropEnd, samples: dropSamples)
        let liftTime = max(releaseTime, period)
        let times = drop.times + [hold, hold + liftTime]
        let forces = drop.ropeForce + [weight, 0]
        return try .mapping(times: times, ropeForce: forces, geometry: geometry, bodyMassKg: bodyMassKg, fractions: fractions)
    }
}
