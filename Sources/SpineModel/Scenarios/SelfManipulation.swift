import Foundation
import Biomechanics

/// Self-manipulation ("cracking" the back by twisting to a pop) as a value: a fast, uncontrolled
/// thrust of axial-rotation and flexion moments at the segment, repeated a few times a day.
///
/// **No measurement of self-applied spinal loads exists**, so the size of the thrust is an
/// assumption: the default peak axial moment at the segment is 15 N·m = 15 000 N·mm, swept over
/// 5–30 N·m (``peakSweep``). Clinical manipulation gives the shape and time scale: side-posture
/// lumbar manipulation had a preload of 69.7 N, a thrust loading duration of 167 ms and a peak of
/// 1010.9 N (Russell BS et al. 2023, J Chiropr Educ 37(2):73–81); a cervical toggle lasted
/// 101.7 ± 14.7 ms (Kawchuk GN, Herzog W, Hasler EM 1992, J Manipulative Physiol Ther
/// 15(5):275–278); only about 12 % of a 300 N simulated thrust reached a porcine segment (36.4 N
/// median; Funabashi M et al. 2022, Front Integr Neurosci 15:809372), which is why the load is
/// given at the segment rather than at the hand.
///
/// **The pulse.** With the smooth step `s(x) = (1 − cos πx)/2` (0 → 1 with zero slope at both
/// ends), preload `M_p = preloadFraction · M_peak`, and phase ends `t₁ = preloadRamp`,
/// `t₂ = t₁ + preloadHold`, `t₃ = t₂ + riseTime`, `t₄ = t₃ + unloadTime`, `t₅ = t₄ + preloadRamp`,
/// the axial-rotation moment (N·mm) is
///
///     M(t) = M_p · s(t/t₁)                               0 ≤ t < t₁   (preload applied)
///          = M_p                                         t₁ ≤ t < t₂  (preload held)
///          = M_p + (M_peak − M_p) · s((t − t₂)/riseTime)  t₂ ≤ t < t₃  (thrust)
///          = M_peak − (M_peak − M_p) · s((t − t₃)/unloadTime)   t₃ ≤ t < t₄
///          = M_p · (1 − s((t − t₄)/preloadRamp))          t₄ ≤ t < t₅  (released)
///          = 0                                           otherwise,
///
/// and the flexion moment is `flexionRatio · M(t)`. The curve is C¹ (continuous slope).
///
/// **Defaults** (all `var`): ``peakAxialMoment`` 15 000 N·mm, ``riseTime`` 0.150 s (between the
/// 102 ms and 167 ms above), ``thrustsPerDay`` 5, ``days`` 14 — **assumptions**;
/// ``preloadFraction`` 0.069 = 69.7/1010.9 (Russell et al. 2023, derived); ``unloadTime`` 0.150 s,
/// ``preloadRamp`` 0.5 s, ``preloadHold`` 0.5 s, ``flexionRatio`` 0.5, ``thrustInterval`` 30 s —
/// **assumptions** (no published value).
///
/// The thrust is meant to be run quasi-statically with rate-dependent ligaments: inertia is
/// neglected, acceptable because the 150 ms rise is long against the oscillation period of a
/// vertebra on its disc and ligaments (a few ms for a ~0.1 kg body on kN/mm stiffness).
///
/// ```swift
/// let crack = SelfManipulation()                  // 15 N·m, 150 ms, 5 a day for 14 days
/// crack.axialMoment(at: crack.peakTime)           // 15 000 N·mm
/// let weak = SelfManipulation.hypermobile         // the segment that gives way first
/// ```
public struct SelfManipulation: Sendable, Equatable {
    /// Peak axial-rotation moment at the segment (N·mm, > 0).
    public var peakAxialMoment: Double
    /// Preload as a fraction of the peak (dimensionless, [0, 1)).
    public var preloadFraction: Double
    /// Time to apply (and to remove) the preload (s), > 0.
    public var preloadRamp: Double
    /// Time the preload is held before the thrust (s), ≥ 0.
    public var preloadHold: Double
    /// Thrust loading time, preload to peak (s), > 0.
    public var riseTime: Double
    /// Unloading time, peak back to preload (s), > 0.
    public var unloadTime: Double
    /// Flexion moment over axial-rotation moment (dimensionless, ≥ 0).
    public var flexionRatio: Double
    /// Thrusts per day (1 … 1000).
    public var thrustsPerDay: Int
    /// Days (1 … 3650).
    public var days: Int
    /// Time between the starts of successive thrusts in one day (s), ≥ the thrust's length ``duration``.
    public var thrustInterval: Double
    /// A hypermobile segment (lower ligament stiffness, laxity already present), nil for a normal one.
    public var hypermobility: HypermobileSegment?

    /// A thrust regimen; defaults and their sources are in the type's discussion.
    public init(peakAxialMoment: Double = 15_000, preloadFraction: Double = 69.7 / 1010.9, preloadRamp: Double = 0.5,
                preloadHold: Double = 0.5, riseTime: Double = 0.150, unloadTime: Double = 0.150, flexionRatio: Double = 0.5,
                thrustsPerDay: Int = 5, days: Int = 14, thrustInterval: Double = 30, hypermobility: HypermobileSegment? = nil) {
        self.peakAxialMoment = peakAxialMoment; self.preloadFraction = preloadFraction; self.preloadRamp = preloadRamp
        self.preloadHold = preloadHold; self.riseTime = riseTime; self.unloadTime = unloadTime; self.flexionRatio = flexionRatio
        self.thrustsPerDay = thrustsPerDay; self.days = days; self.thrustInterval = thrustInterval; self.hypermobility = hypermobility
    }

    /// The default regimen on a hypermobile segment (``HypermobileSegment/assumed``).
    public static let hypermobile = SelfManipulation(hypermobility: .assumed)

    /// Peak axial moments (N·mm) of the sweep: 5, 10, 15, 20 and 30 N·m (an assumed range; no
    /// measurement of self-applied loads exists).
    public static let peakSweep: [Double] = [5_000, 10_000, 15_000, 20_000, 30_000]

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`selfManipulation.riseTime`, …).
    public func validate() throws(ScenarioError) {
        let p = "selfManipulation."
        try requireValue(peakAxialMoment, above: 0, p + "peakAxialMoment", "a finite moment > 0 N·mm")
        guard preloadFraction.isFinite, preloadFraction >= 0, preloadFraction < 1 else {
            throw .invalidValue(property: p + "preloadFraction", value: preloadFraction, expected: "a fraction of the peak in [0, 1)")
        }
        try requireValue(preloadRamp, above: 0, p + "preloadRamp", "a finite time > 0 s")
        try requireValue(preloadHold, in: 0...Double.greatestFiniteMagnitude, p + "preloadHold", "a finite time ≥ 0 s")
        try requireValue(riseTime, above: 0, p + "riseTime", "a finite time > 0 s")
        try requireValue(unloadTime, above: 0, p + "unloadTime", "a finite time > 0 s")
        try requireValue(flexionRatio, in: 0...Double.greatestFiniteMagnitude, p + "flexionRatio", "a finite ratio ≥ 0")
        try requireCount(thrustsPerDay, in: 1...1000, p + "thrustsPerDay", "1 … 1000 thrusts a day")
        try requireCount(days, in: 1...3650, p + "days", "1 … 3650 days")
        try requireValue(thrustInterval, in: duration...Double.greatestFiniteMagnitude, p + "thrustInterval",
                         "a finite interval ≥ the thrust's length \(duration) s")
        guard Double(thrustsPerDay - 1) * thrustInterval < RepeatedThrustDamage.day else {
            throw .invalidValue(property: p + "thrustInterval", value: thrustInterval,
                                expected: "(thrustsPerDay − 1) × interval < 86 400 s (the thrusts of one day fit in the day)")
        }
        try hypermobility?.validate()
    }

    /// Smooth step `(1 − cos πx)/2` (0 at 0, 1 at 1, zero slope at both ends).
    static func smoothStep(_ x: Double) -> Double { (1 - cos(Double.pi * x)) / 2 }

    /// Preload moment (N·mm).
    public var preloadMoment: Double { preloadFraction * peakAxialMoment }
    /// Time of the peak (s) from the start of the thrust.
    public var peakTime: Double { preloadRamp + preloadHold + riseTime }
    /// Length of one thrust (s), preload to release.
    public var duration: Double { 2 * preloadRamp + preloadHold + riseTime + unloadTime }

    /// The axial-rotation moment (N·mm) at time `t` (s) from the start of one thrust (the pulse of the type's discussion).
    public func axialMoment(at t: Double) -> Double {
        let mp = preloadMoment, dm = peakAxialMoment - mp
        let t1 = preloadRamp, t2 = t1 + preloadHold, t3 = t2 + riseTime, t4 = t3 + unloadTime, t5 = t4 + preloadRamp
        switch t {
        case ..<0: return 0
        case ..<t1: return mp * Self.smoothStep(t / t1)
        case ..<t2: return mp
        case ..<t3: return mp + dm * Self.smoothStep((t - t2) / riseTime)
        case ..<t4: return peakAxialMoment - dm * Self.smoothStep((t - t3) / unloadTime)
        case ..<t5: return mp * (1 - Self.smoothStep((t - t4) / preloadRamp))
        default: return 0
        }
    }

    /// The flexion moment (N·mm) at time `t` (s): ``flexionRatio`` × ``axialMoment(at:)``.
    public func flexionMoment(at t: Double) -> Double { flexionRatio * axialMoment(at: t) }

    /// One thrust sampled at `samplesPerPhase` equal steps in each of its five phases (the hold is
    /// constant and needs only its ends): times (s) and moments (N·mm).
    /// - Throws: ``ScenarioError`` for a bad property or a sample count outside 1 … 1000.
    public func thrustHistory(samplesPerPhase: Int = 16) throws(ScenarioError) -> ThrustHistory {
        try validate()
        try requireCount(samplesPerPhase, in: 1...1000, "samplesPerPhase", "1 … 1000 samples")
        let t1 = preloadRamp, t2 = t1 + preloadHold, t3 = t2 + riseTime, t4 = t3 + unloadTime
        var times: [Double] = [0]
        for (start, length) in [(0, t1), (t2, riseTime), (t3, unloadTime), (t4, preloadRamp)] {
            if start == t2, preloadHold > 0 { times.append(t2) }
            for i in 1...samplesPerPhase { times.append(start + length * Double(i) / Double(samplesPerPhase)) }
        }
        let axial = times.map(axialMoment(at:))
        return ThrustHistory(times: times, axialMoment: axial, flexionMoment: axial.map { flexionRatio * $0 })
    }
}

/// One thrust's moments at the segment: piecewise linear between the samples.
public struct ThrustHistory: Sendable, Equatable {
    /// Times (s) from the start of the thrust, increasing.
    public var times: [Double]
    /// Axial-rotation moment (N·mm).
    public var axialMoment: [Double]
    /// Flexion moment (N·mm).
    public var flexionMoment: [Double]
}

/// A hypermobile segment: ligaments softer than the data set's and already lax.
///
/// No published stiffness reduction or laxity for a hypermobile lumbar segment was found; the
/// ``assumed`` values (stiffness × 0.7, laxity 0.02) are **assumptions** to be swept.
public struct HypermobileSegment: Sendable, Equatable {
    /// Factor on every ligament stiffness (dimensionless, (0, 1]).
    public var stiffnessFactor: Double
    /// Laxity already present (strain, ≥ 0), added as permanent laxity to each bundle.
    public var initialLaxity: Double

    /// Creates a value from its parts (units as documented on each property).
    public init(stiffnessFactor: Double, initialLaxity: Double) {
        self.stiffnessFactor = stiffnessFactor; self.initialLaxity = initialLaxity
    }

    /// Stiffness × 0.7, laxity 0.02 (assumptions).
    public static let assumed = HypermobileSegment(stiffnessFactor: 0.7, initialLaxity: 0.02)

    /// Checks the numbers.
    /// - Throws: ``ScenarioError`` naming `hypermobility.stiffnessFactor` or `hypermobility.initialLaxity`.
    public func validate() throws(ScenarioError) {
        guard stiffnessFactor.isFinite, stiffnessFactor > 0, stiffnessFactor <= 1 else {
            throw .invalidValue(property: "hypermobility.stiffnessFactor", value: stiffnessFactor, expected: "a factor in (0, 1]")
        }
        try requireValue(initialLaxity, in: 0...1, "hypermobility.initialLaxity", "a strain in [0, 1]")
    }

    /// `law` with its stiffnesses (both slopes of a bilinear law) scaled by ``stiffnessFactor``.
    /// - Throws: ``ScenarioError`` for a bad property.
    public func apply(to law: LigamentLaw) throws(ScenarioError) -> LigamentLaw {
        try validate()
        var l = law
        l.stiffness *= stiffnessFactor
        if case let .bilinear(t, k2) = l.curve { l.curve = .bilinear(transitionStrain: t, largeStrainStiffness: k2 * stiffnessFactor) }
        return l
    }

    /// `bundle` with its law softened (as the law overload does) and ``initialLaxity`` added to its
    /// permanent laxity.
    /// - Throws: ``ScenarioError`` for a bad property.
    public func apply(to bundle: LigamentBundle) throws(ScenarioError) -> LigamentBundle {
        var b = bundle
        b.law = try apply(to: bundle.law)
        b.state.permanentLaxity += initialLaxity
        return b
    }
}
