import Foundation

/// The over-the-door cervical traction kit as a value: a head halter, a rope over a pulley on the
/// door and a bag of water or sand as the weight, used seated with nobody checking the weight, the
/// angle or the patient — no ramp and no stop.
///
/// **The drop.** The user holds the bag and lets it go; how fast is up to the user. The bag (mass
/// `m`) hangs on the rope and the neck, together an elastic element of stiffness `k` (rope and
/// tissues in series: `1/k = 1/k_rope + 1/k_tissue`) with viscous damping `c = 2ζ√(k m)`. While the
/// user lets go, the share of the weight the user still holds falls linearly from 1 to 0 over
/// ``releaseTime`` (0: let go at once). With `x` the stretch (mm):
///
///     m x'' + c x' + k x = m g s(t),   s(t) = min(1, t / t_r),   rope force T = k x + c x'.
///
/// Undamped, a sudden release peaks at `T = 2 m g` (the classic dynamic load factor of a suddenly
/// applied load), and a release over `t_r` at `m g (1 + |sin(ω t_r / 2)| / (ω t_r / 2))`, `ω = √(k/m)`
/// (e.g. Clough & Penzien, *Dynamics of Structures*, ramp-to-constant loading). The history is
/// integrated exactly (the forcing is linear in time on each piece), so these closed forms hold to
/// round-off. After the bag comes to rest the rope force is the bag's weight `m g` (pulley friction
/// neglected — it would lower the static pull and is a parameter nobody has measured).
///
/// **Assumptions, each a parameter**: no measurement of rope, halter or whole-neck tensile stiffness
/// or damping under this loading was found; the defaults — ``ropeStiffness`` 20 N/mm (a 1 m
/// synthetic rope), ``tissueStiffness`` 20 N/mm, ``dampingRatio`` 0.1, ``releaseTime`` 0.2 s — are
/// stated assumptions. The seated head weight and the halter's split come from
/// ``CervicalTractionGeometry``. Typical bags are 8–20 lb (3.6–9.1 kg); any weight can be filled in.
public struct OverTheDoorDevice: Sendable, Equatable {
    /// The weights accepted (kg): above zero, at most 50 kg (110 lb).
    public static let weightRange: ClosedRange<Double> = 1e-3...50
    /// One pound (kg).
    public static let pound = 0.45359237

    /// Mass of the bag (kg, (0, 50]).
    public var weightKg: Double
    /// Time over which the user lets the bag go (s, [0, 10]; 0 = at once).
    public var releaseTime: Double
    /// Tensile stiffness of the rope between pulley and halter (N/mm, > 0).
    public var ropeStiffness: Double
    /// Tensile stiffness of head-and-neck tissues along the pull (N/mm, > 0).
    public var tissueStiffness: Double
    /// Damping ratio of the bag on rope and tissues (dimensionless, [0, 0.9]).
    public var dampingRatio: Double
    /// How long the bag hangs (s, > 0).
    public var hold: Double
    /// Where and how the user sits: pull angle (set by the sitting position), halter, head.
    public var geometry: CervicalTractionGeometry

    /// A device; defaults and their sources are in the type's discussion.
    public init(weightKg: Double = 10 * OverTheDoorDevice.pound, releaseTime: Double = 0.2, ropeStiffness: Double = 20,
                tissueStiffness: Double = 20, dampingRatio: Double = 0.1, hold: Double = 900,
                geometry: CervicalTractionGeometry = CervicalTractionGeometry(pullAngle: 20, posture: .seated)) {
        self.weightKg = weightKg; self.releaseTime = releaseTime; self.ropeStiffness = ropeStiffness
        self.tissueStiffness = tissueStiffness; self.dampingRatio = dampingRatio; self.hold = hold; self.geometry = geometry
    }

    /// The pull angle (degrees, flexion positive) for a user facing the door with the halter
    /// `horizontalDistance` (mm) in front of the door and `pulleyHeight` (mm, > 0) below the pulley;
    /// sitting with the back to the door pulls into extension (negative).
    public static func pullAngle(horizontalDistance: Double, pulleyHeight: Double, facingDoor: Bool = true) throws(ScenarioError) -> Double {
        try requireValue(horizontalDistance, in: 0...5000, "horizontalDistance", "a distance in [0, 5000] mm")
        try requireValue(pulleyHeight, above: 0, "pulleyHeight", "a height > 0 mm")
        let a = atan2(horizontalDistance, pulleyHeight) * 180 / .pi
        return facingDoor ? a : -a
    }

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`door.weightKg`, …).
    public func validate() throws(ScenarioError) {
        try requireValue(weightKg, in: Self.weightRange, "door.weightKg", "a weight in (0, 50] kg")
        try requireValue(releaseTime, in: 0...10, "door.releaseTime", "a time in [0, 10] s")
        try requireValue(ropeStiffness, above: 0, "door.ropeStiffness", "a stiffness > 0 N/mm")
        try requireValue(tissueStiffness, above: 0, "door.tissueStiffness", "a stiffness > 0 N/mm")
        try requireValue(dampingRatio, in: 0...0.9, "door.dampingRatio", "a damping ratio in [0, 0.9]")
        try requireValue(hold, above: 0, "door.hold", "a time > 0 s")
        try geometry.validate()
    }

    /// The bag's weight (N).
    public var weight: Double { weightKg * TractionProtocol.Force.gravity }
    /// Rope and tissues in series (N/mm).
    public var stiffness: Double { 1 / (1 / ropeStiffness + 1 / tissueStiffness) }
    /// Undamped natural angular frequency of the bag on rope and tissues (rad/s).
    public var naturalFrequency: Double { (stiffness / (weightKg * 1e-3)).squareRoot() }

    /// The rope force over the drop, from the first touch of the release to `duration` (s, > 0),
    /// sampled `samples` times (≥ 2) at equal steps; integrated exactly (see the type's discussion).
    public func dropHistory(duration: Double, samples: Int) throws(ScenarioError) -> (times: [Double], ropeForce: [Double]) {
        try validate()
        try requireValue(duration, above: 0, "duration", "a duration > 0 s")
        try requireCount(samples, in: 2...10_000_000, "samples", "2 … 10 000 000 samples")
        let oscillator = Oscillator(mass: weightKg * 1e-3, stiffness: stiffness, dampingRatio: dampingRatio)
        let g = weight, tr = releaseTime
        var state = (x: 0.0, v: 0.0), t = 0.0
        var times = [0.0], forces = [0.0]
        let dt = duration / Double(samples - 1)
        for i in 1..<samples {
            let t1 = Double(i) * dt
            // Split the step where the release ends: the forcing is linear on each piece.
            if t < tr, t1 > tr {
                state = oscillator.advance(state, from: t, to: tr, load: { g * min(1, $0 / tr) })
                t = tr
            }
            state = oscillator.advance(state, from: t, to: t1, load: { tr > 0 ? g * min(1, $0 / tr) : g })
            t = t1
            times.append(t1); forces.append(oscillator.stiffness * state.x + oscillator.damping * state.v)
        }
        return (times, forces)
    }

    /// The peak rope force of the drop (N): the maximum over the release and the three natural
    /// periods after it, sampled at 1/4000 of a period (relative error below 1e-6 for this smooth
    /// response).
    public func peakRopeForce() throws(ScenarioError) -> Double {
        try validate()
        let period = 2 * Double.pi / naturalFrequency
        let duration = releaseTime + 3 * period
        let n = Int((duration / (period / 4000)).rounded(.up)) + 1
        return try dropHistory(duration: duration, samples: n).ropeForce.max() ?? 0
    }

    /// Peak rope force over the bag's weight (dimensionless, 1 … 2).
    public func dynamicLoadFactor() throws(ScenarioError) -> Double { try peakRopeForce() / weight }
}

/// A damped linear oscillator `m x'' + c x' + k x = p(t)` advanced exactly for a load linear in time.
struct Oscillator {
    /// Mass (N·s²/mm), stiffness (N/mm), damping (N·s/mm).
    let mass: Double, stiffness: Double, damping: Double
    let omega: Double, zeta: Double, omegaD: Double

    init(mass: Double, stiffness: Double, dampingRatio: Double) {
        self.mass = mass; self.stiffness = stiffness
        omega = (stiffness / mass).squareRoot(); zeta = dampingRatio
        damping = 2 * dampingRatio * (stiffness * mass).squareRoot()
        omegaD = omega * (1 - dampingRatio * dampingRatio).squareRoot()
    }

    /// The state at `t1` from `state` at `t0` under the load `load` (N), which must be linear on [t0, t1].
    func advance(_ state: (x: Double, v: Double), from t0: Double, to t1: Double, load: (Double) -> Double) -> (x: Double, v: Double) {
        let h = t1 - t0
        guard h > 0 else { return state }
        let p0 = load(t0), p1 = load(t1)
        let b = (p1 - p0) / h                      // slope of the load (N/s) in τ = t − t0
        let slope = b / stiffness                  // particular solution x_p(τ) = A + B τ
        let a0 = (p0 - damping * slope) / stiffness
        let y0 = state.x - a0, yv0 = state.v - slope
        let e = exp(-zeta * omega * h), c = cos(omegaD * h), s = sin(omegaD * h)
        let q = (yv0 + zeta * omega * y0) / omegaD
        let y = e * (y0 * c + q * s)
        let yv = e * (-zeta * omega * (y0 * c + q * s) + (-y0 * omegaD * s + q * omegaD * c))
        return (a0 + slope * h + y, slope + yv)
    }
}
