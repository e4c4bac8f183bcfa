import Foundation

/// The over-the-door kit pulled by hand: the user sits under the pulley and pulls the rope's free
/// end instead of hanging a bag on it — self-administered cervical traction with no weight to set
/// the force, no ramp but the user's arm and no stop.
///
/// **The pull.** Each of ``repetitions`` pulls rises linearly from zero to ``peakRopeForce`` over
/// ``riseTime``, holds for ``hold``, falls linearly to zero over ``releaseTime`` and rests for
/// ``rest``:
///
///     T(t) = F t / t_r (rise),  F (hold),  F (1 − (t − t_r − t_h) / t_f) (release),  0 (rest).
///
/// The user's hand sets the force (a force-controlled load: no dynamic overshoot from a falling
/// mass, unlike ``OverTheDoorDevice``'s drop); inertia of the head is neglected as in the other
/// quasi-static runs.
///
/// **Assumptions, each a parameter**: no measurement of the rope force people apply when they pull
/// a cervical traction rope themselves, nor of its rate, was found. The defaults — a peak of 20 lb
/// (89 N: the heaviest of the 8–20 lb bags typical kits come with), a 0.3 s rise and a 0.5 s
/// release (a brisk arm pull), 10 s holds, 10 s rests, 5 pulls — are stated assumptions; the
/// seated geometry (pull angle set by where the user sits, halter, head weight) is
/// ``CervicalTractionGeometry``'s.
public struct HandPulledRope: Sendable, Equatable {
    /// The peak rope forces accepted (N): above zero, at most 445 N (100 lb).
    public static let forceRange: ClosedRange<Double> = 1e-3...445

    /// Rope force at the top of each pull (N, (0, 445]).
    public var peakRopeForce: Double
    /// Time from zero to the peak (s, (0, 10]).
    public var riseTime: Double
    /// Time at the peak (s, > 0).
    public var hold: Double
    /// Time from the peak back to zero (s, (0, 10]).
    public var releaseTime: Double
    /// Time at zero between pulls (s, ≥ 0).
    public var rest: Double
    /// Number of pulls (1 … 100).
    public var repetitions: Int
    /// Where and how the user sits: pull angle, halter, head.
    public var geometry: CervicalTractionGeometry

    /// A hand pull; defaults and their sources are in the type's discussion.
    public init(peakRopeForce: Double = 20 * OverTheDoorDevice.pound * TractionProtocol.Force.gravity, riseTime: Double = 0.3,
                hold: Double = 10, releaseTime: Double = 0.5, rest: Double = 10, repetitions: Int = 5,
                geometry: CervicalTractionGeometry = CervicalTractionGeometry(pullAngle: 20, posture: .seated)) {
        self.peakRopeForce = peakRopeForce; self.riseTime = riseTime; self.hold = hold; self.releaseTime = releaseTime
        self.rest = rest; self.repetitions = repetitions; self.geometry = geometry
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`handPull.peakRopeForce`, …).
    public func validate() throws(ScenarioError) {
        try requireValue(peakRopeForce, in: Self.forceRange, "handPull.peakRopeForce", "a rope force in (0, 445] N")
        try requireValue(riseTime, in: 1e-3...10, "handPull.riseTime", "a time in (0, 10] s")
        try requireValue(hold, above: 0, "handPull.hold", "a time > 0 s")
        try requireValue(releaseTime, in: 1e-3...10, "handPull.releaseTime", "a time in (0, 10] s")
        try requireValue(rest, in: 0...86_400, "handPull.rest", "a time in [0, 86400] s")
        try requireCount(repetitions, in: 1...100, "handPull.repetitions", "1 … 100 pulls")
        try geometry.validate()
    }

    /// Duration of one pull with its rest (s).
    public var period: Double { riseTime + hold + releaseTime + rest }

    /// The rope force's corners (s, N), from 0 to the end of the last rest (the last release when
    /// `rest` is 0); linear between them (see the type's discussion).
    public func ropeForceCurve() throws(ScenarioError) -> (times: [Double], ropeForce: [Double]) {
        try validate()
        var times = [0.0], forces = [0.0]
        for k in 0..<repetitions {
            let t0 = Double(k) * period
            times += [t0 + riseTime, t0 + riseTime + hold, t0 + riseTime + hold + releaseTime]
            forces += [peakRopeForce, peakRopeForce, 0]
            if rest > 0 { times.append(t0 + period); forces.append(0) }
        }
        return (times, forces)
    }

    /// The loads at the level over the pulls (see ``CervicalLoadHistory``).
    /// - Throws: ``ScenarioError`` for a bad property or body mass.
    public func historyAtLevel(bodyMassKg: Double, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> CervicalLoadHistory {
        let curve = try ropeForceCurve()
        return try .mapping(times: curve.times, ropeForce: curve.ropeForce, geometry: geometry, bodyMassKg: bodyMassKg, fractions: fractions)
    }
}
