import Foundation

/// A home inversion-table session as a value: the axial tension (and, optionally, a guarding
/// compressive load) at the treated level over time.
///
/// **Tension at the level** (N). With the ankles fixed and the body head-down at angle `θ` from
/// horizontal, the body cranial to the level hangs below it. Its weight `W = f_cranial · m · g`
/// (Dempster's segment fractions via Winter 1990, *Biomechanics and Motor Control of Human
/// Movement*, Table 4.1: 0.536 of body mass cranial to L4-L5; ``BodySegmentFractions``) has the
/// component `W sin θ` along the spine and `W cos θ` onto the bed; friction of the back on the bed
/// (coefficient `μ`) can hold up to `μ W cos θ` of the pull, so
///
///     T(θ) = W · max(0, sin θ − μ cos θ).
///
/// With `μ = 0` this is the frictionless estimate 0.536·m·g·sin θ at L4-L5. Friction is static, so
/// `μ W cos θ` is the most it can take: `μ = 0` is the upper bound of the pull.
///
/// **Time course.** The session starts lying horizontal (θ = 0; what came before is the run's
/// starting state), tilts to ``angle`` at a constant angular rate over ``tiltTime``, holds for
/// ``hold``, and tilts back over ``tiltTime``. The tilts are sampled at ``tiltSegments`` equal time
/// steps (the tension is linear between samples).
///
/// **Muscle guarding** (optional, default off). Paraspinal EMG rose after 6 min of inversion at
/// 30–60° (Kim & Kang 2016, J Phys Ther Sci 28(4):1238–1240) but fell during inversion in others
/// (Nosse 1978, Arch Phys Med Rehabil 59:367–370; Vernon et al. 1985, J Can Chiropr Assoc
/// 29:135–140), so its size is a parameter: a compressive follower load (N) that scales with the
/// tilt as `G · sin θ(t) / sin θ_hold`.
///
/// **Defaults** (all `var`): ``angle`` 60° (an **assumption** within the 20–90° range of the frictionless
/// estimate; full inversion is 90°); ``hold`` 180 s (3 min inverted, Klatz et al., J Am Osteopath Assoc); ``tiltTime``
/// 10 s and ``bedFriction`` 0.5 — **assumptions** (no published value; 0.5 is the friction
/// coefficient quoted for a patient's body on a table).
///
/// ```swift
/// let inv = InversionTable(angle: 60)
/// let h = try inv.historyAtLevel(patient: p)   // h.peakAxialForce ≈ 0.536·m·g·(sin 60° − 0.5 cos 60°)
/// ```
public struct InversionTable: Sendable, Equatable {
    /// Head-down angle from horizontal during the hold (degrees, [20, 90]).
    public var angle: Double
    /// Time to tilt from horizontal to ``angle``, and back (s), > 0.
    public var tiltTime: Double
    /// Time held at ``angle`` (s), > 0.
    public var hold: Double
    /// Friction coefficient between the back and the bed (dimensionless, [0, 2]).
    public var bedFriction: Double
    /// Peak compressive follower load of guarding muscles at ``angle`` (N, ≥ 0); nil = off.
    public var guardingLoad: Double?
    /// Samples per tilt (1 … 1000).
    public var tiltSegments: Int

    /// A session; defaults and their sources are in the type's discussion.
    public init(angle: Double = 60, tiltTime: Double = 10, hold: Double = 180, bedFriction: Double = 0.5,
                guardingLoad: Double? = nil, tiltSegments: Int = 16) {
        self.angle = angle; self.tiltTime = tiltTime; self.hold = hold; self.bedFriction = bedFriction
        self.guardingLoad = guardingLoad; self.tiltSegments = tiltSegments
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`inversion.angle`, …).
    public func validate() throws(ScenarioError) {
        try requireValue(angle, in: 20...90, "inversion.angle", "an angle in [20, 90] degrees")
        try requireValue(tiltTime, above: 0, "inversion.tiltTime", "a finite tilt time > 0 s")
        try requireValue(hold, above: 0, "inversion.hold", "a finite hold time > 0 s")
        try requireValue(bedFriction, in: 0...2, "inversion.bedFriction", "a friction coefficient in [0, 2]")
        if let g = guardingLoad { try requireValue(g, in: 0...Double.greatestFiniteMagnitude, "inversion.guardingLoad", "a finite force ≥ 0 N (nil for off)") }
        try requireCount(tiltSegments, in: 1...1000, "inversion.tiltSegments", "1 … 1000 samples")
    }

    /// Tension at the level (N) at head-down angle `theta` (degrees) for `patient`:
    /// `W · max(0, sin θ − μ cos θ)` with `W` the weight cranial to `patient.level`.
    public func tension(atAngle theta: Double, patient: Patient, fractions: BodySegmentFractions = .dempster) -> Double {
        let r = theta * .pi / 180
        return patient.weightCranial(to: patient.level, fractions: fractions) * max(0, sin(r) - bedFriction * cos(r))
    }

    /// Angle (degrees) at time `t` (s) from the start of the session.
    public func angle(at t: Double) -> Double {
        let end = 2 * tiltTime + hold
        if t <= 0 || t >= end { return 0 }
        if t < tiltTime { return angle * t / tiltTime }
        if t <= tiltTime + hold { return angle }
        return angle * (end - t) / tiltTime
    }

    /// Session length (s): two tilts and the hold.
    public var duration: Double { 2 * tiltTime + hold }

    /// The tension (and guarding load) at the level over the session, sampled at the tilt samples
    /// and the ends of the hold. The flexion moment is zero (the pull is along the spine).
    /// - Throws: ``ScenarioError`` for a bad property.
    public func historyAtLevel(patient: Patient, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> LevelLoadHistory {
        try validate()
        try requireValidPatient(patient)
        var times: [Double] = []
        for i in 0...tiltSegments { times.append(tiltTime * Double(i) / Double(tiltSegments)) }
        for i in 0...tiltSegments { times.append(tiltTime + hold + tiltTime * Double(i) / Double(tiltSegments)) }
        let tension = times.map { self.tension(atAngle: angle(at: $0), patient: patient, fractions: fractions) }
        let guarding = guardingLoad.map { g in times.map { g * sin(angle(at: $0) * .pi / 180) / sin(angle * .pi / 180) } }
        return LevelLoadHistory(times: times, axialForce: tension, flexionMoment: times.map { _ in 0 }, compressiveFollowerLoad: guarding)
    }
}
