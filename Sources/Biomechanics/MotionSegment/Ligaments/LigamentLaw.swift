import Foundation

/// The force–strain law of one ligament bundle (one tension-only spring): a toe region then a
/// linear region, a reference strain for in-situ prestrain or slack, a parallel dashpot and a
/// sub-failure damage law.
///
/// **Strain.** With the geometric length `L₀` of the bundle in the reference configuration and
/// the reference strain `ε_ref` (the strain the bundle already has there: positive = prestrained,
/// negative = slack), the slack length is `L_s = L₀ / (1 + ε_ref)` and the strain at length `L`
/// is `ε = (L − L_s)/L_s − ε_lax`, where `ε_lax` is the accumulated laxity (``LigamentDamage``),
/// subtracted additively as a permanent set. (ArtiSynth's lumbosacral model, Remus et al. 2021,
/// PLoS ONE 16(4):e0250456, states the rest length as `L₀(1 + ε_r)` with `ε_r < 0` for prestrain;
/// ``referenceStrain(fromRestLengthStrain:)`` converts.)
///
/// **Elastic force** (N), for the stiffness `k` (N per unit strain) and transition strain `ε_t`:
/// - ``Curve/toeLinear(transitionStrain:)`` — Blankevoort & Huiskes 1991 (J Biomech Eng
///   113:263–269) after Wismans 1980: `F = k ε²/(2ε_t)` for `0 < ε < ε_t`, `F = k (ε − ε_t/2)`
///   for `ε ≥ ε_t` (their `ε_l` is `ε_t/2`), the law of Remus et al. 2021;
/// - ``Curve/bilinear(transitionStrain:largeStrainStiffness:)`` — `F = k ε` up to `ε_t`, then
///   slope `k₂`, the form of the bilinear lumbar tables (e.g. Goel-derived sets, BMC Musculoskelet
///   Disord 2010;11:151 Table 3);
/// - `F = 0` for `ε ≤ 0` (tension only).
///
/// **Damping** (N): `c ε̇` with `c` in N·s, in parallel and active only while the bundle is in
/// tension; the total force is never negative. Remus et al. 2021 use `c = 0.003 s · k`.
///
/// ```swift
/// let flavum = try LigamentLaw(stiffness: 30, curve: .toeLinear(transitionStrain: 0.09),
///                              referenceStrain: LigamentLaw.referenceStrain(fromRestLengthStrain: -0.03),
///                              damping: 0.09)
/// flavum.elasticForce(strain: 0.05).force   // N
/// ```
public struct LigamentLaw: Sendable, Equatable, Codable {
    /// The shape of the force–strain curve.
    public enum Curve: Sendable, Equatable, Codable {
        /// Quadratic toe up to `transitionStrain` (dimensionless), then linear with slope `k`.
        case toeLinear(transitionStrain: Double)
        /// Slope `k` up to `transitionStrain`, then `largeStrainStiffness` (N per unit strain).
        case bilinear(transitionStrain: Double, largeStrainStiffness: Double)

        /// The transition strain (dimensionless).
        public var transitionStrain: Double {
            switch self {
            case let .toeLinear(t): return t
            case let .bilinear(t, _): return t
            }
        }
    }

    /// Stiffness `k` (N per unit strain): the slope of the linear region of a toe–linear law, or
    /// the small-strain slope of a bilinear law (for a material table, `k = E·A` with `E` in MPa
    /// and `A` in mm²).
    public var stiffness: Double
    /// The curve's shape and transition strain.
    public var curve: Curve
    /// Strain `ε_ref` in the reference configuration (dimensionless; positive = in-situ prestrain,
    /// negative = slack); slack length `L₀ / (1 + ε_ref)`.
    public var referenceStrain: Double
    /// Dashpot coefficient `c` (N·s: N per unit strain rate), active in tension only.
    public var damping: Double
    /// Force at failure (N) of this bundle, if the data set gives one.
    public var failureForce: Double?
    /// Strain at failure (dimensionless), if the data set gives one.
    public var failureStrain: Double?
    /// The sub-failure damage law; nil for none.
    public var damage: LigamentDamage?

    /// A validated law.
    /// - Throws: ``MotionSegmentError/invalidParameter(name:value:expected:)`` naming the field:
    ///   negative stiffness or damping, a transition strain ≤ 0, `referenceStrain ≤ −1`, a
    ///   non-positive failure force or strain, a damage threshold above the failure strain.
    public init(stiffness: Double, curve: Curve, referenceStrain: Double = 0, damping: Double = 0,
                failureForce: Double? = nil, failureStrain: Double? = nil, damage: LigamentDamage? = nil) throws {
        self.stiffness = stiffness; self.curve = curve; self.referenceStrain = referenceStrain
        self.damping = damping; self.failureForce = failureForce; self.failureStrain = failureStrain
        self.damage = damage
        try validate()
    }

    /// Checks every parameter (see ``init(stiffness:curve:referenceStrain:damping:failureForce:failureStrain:damage:)``).
    public func validate() throws {
        func bad(_ name: String, _ v: Double, _ expected: String) -> MotionSegmentError { .invalidParameter(name: name, value: v, expected: expected) }
        guard stiffness.isFinite, stiffness >= 0 else { throw bad("stiffness", stiffness, "a finite stiffness ≥ 0 N per unit strain") }
        let t = curve.transitionStrain
        guard t.isFinite, t > 0 else { throw bad("transitionStrain", t, "a finite strain > 0") }
        if case let .bilinear(_, k2) = curve, !(k2.isFinite && k2 >= 0) {
            throw bad("largeStrainStiffness", k2, "a finite stiffness ≥ 0 N per unit strain")
        }
        guard referenceStrain.isFinite, referenceStrain > -1 else { throw bad("referenceStrain", referenceStrain, "a finite strain > −1") }
        guard damping.isFinite, damping >= 0 else { throw bad("damping", damping, "a finite coefficient ≥ 0 N·s") }
        if let f = failureForce, !(f.isFinite && f > 0) { throw bad("failureForce", f, "a finite force > 0 N") }
        if let e = failureStrain, !(e.isFinite && e > 0) { throw bad("failureStrain", e, "a finite strain > 0") }
        if let damage {
            try damage.validate()
            if let e = failureStrain, damage.threshold > e {
                throw bad("damage.threshold", damage.threshold, "a strain ≤ the failure strain \(e)")
            }
        }
    }

    /// Converts a rest-length strain `ε_r` (rest length `L₀(1 + ε_r)`, the convention of Remus et
    /// al. 2021) into the reference strain `ε_ref = 1/(1 + ε_r) − 1` used here.
    public static func referenceStrain(fromRestLengthStrain er: Double) -> Double { 1 / (1 + er) - 1 }

    /// The elastic force (N) and its slope `dF/dε` (N per unit strain) at strain `ε`.
    @inlinable
    public func elasticForce(strain e: Double) -> (force: Double, slope: Double) {
        guard e > 0 else { return (0, 0) }
        switch curve {
        case let .toeLinear(t):
            if e < t { return (stiffness * e * e / (2 * t), stiffness * e / t) }
            return (stiffness * (e - 0.5 * t), stiffness)
        case let .bilinear(t, k2):
            if e < t { return (stiffness * e, stiffness) }
            return (stiffness * t + k2 * (e - t), k2)
        }
    }

    /// The total force (N) at strain `ε` and strain rate `ε̇` (1/s) and its derivatives
    /// `∂F/∂ε` (N) and `∂F/∂ε̇` (N·s): elastic plus damping, damping only in tension, never negative.
    @inlinable
    public func force(strain e: Double, strainRate rate: Double) -> (force: Double, dStrain: Double, dRate: Double) {
        let (fe, ke) = elasticForce(strain: e)
        guard e > 0 else { return (0, 0, 0) }
        let f = fe + damping * rate
        if f <= 0 { return (0, 0, 0) }
        return (f, ke, damping)
    }
}

/// Sub-failure damage of a ligament bundle: strain beyond a threshold leaves a laxity (an
/// elongation of the slack length, as strain) that accumulates over repeated loading, partly
/// permanent and partly recovering between loadings.
///
/// **Law (per loading excursion).** An excursion starts when the bundle's strain exceeds
/// ``threshold`` and ends when it falls back to or below it; at its end the laxity grows by
///
///     Δε_lax = rate · (ε_peak − ε_threshold),
///
/// where `ε_peak` is the largest strain reached during the excursion. A fraction
/// ``permanentFraction`` of each increment is permanent; the rest recovers while the bundle is
/// below threshold as `exp(−t/τ)` with ``recoveryTime`` `τ`. The state is updated only at
/// converged steps (``LigamentBundle/commit(_:timeStep:)``), so Newton's tangent is the elastic one.
///
/// **What the literature gives.** Rat medial collateral ligament shows structural damage from
/// 5.14 % strain (Provenzano et al. 2002, Ann Biomed Eng 30:565–573; not spine). Lumbar creep under
/// sustained flexion has a first-order time constant of 9.4 min and is not recovered after 20 min
/// (McGill & Brown 1992, Clin Biomech 7:43–46; Little & Khalsa 2005, Ann Biomed Eng 33:391–401) or
/// 7 h (Solomonow et al. 2003, J Electromyogr Kinesiol 13:381–396). **No published value** exists
/// for a lumbar ligament's laxity-onset strain, the laxity per cycle, or the permanent fraction:
/// ``threshold``, ``rate`` and ``permanentFraction`` are parameters without a literature default.
public struct LigamentDamage: Sendable, Equatable, Codable {
    /// Strain above which an excursion damages the bundle (dimensionless).
    public var threshold: Double
    /// Laxity per excursion per unit of peak strain above threshold (dimensionless, ≥ 0).
    public var rate: Double
    /// Fraction of each laxity increment that never recovers (0…1).
    public var permanentFraction: Double
    /// Recovery time constant `τ` (s) of the recoverable part; nil for no recovery.
    public var recoveryTime: Double?

    public init(threshold: Double, rate: Double, permanentFraction: Double = 1, recoveryTime: Double? = nil) {
        self.threshold = threshold; self.rate = rate; self.permanentFraction = permanentFraction; self.recoveryTime = recoveryTime
    }

    /// True when the law can produce laxity (rate > 0); with rate 0 the threshold still gives
    /// ``LigamentResult/thresholdRatio``.
    public var isActive: Bool { rate > 0 }

    /// Checks the parameters; throws ``MotionSegmentError/invalidParameter(name:value:expected:)``.
    public func validate() throws {
        guard rate.isFinite, rate >= 0 else { throw MotionSegmentError.invalidParameter(name: "damage.rate", value: rate, expected: "a finite rate ≥ 0") }
        guard threshold.isFinite, threshold > 0 else { throw MotionSegmentError.invalidParameter(name: "damage.threshold", value: threshold, expected: "a finite strain > 0") }
        guard permanentFraction.isFinite, (0...1).contains(permanentFraction) else {
            throw MotionSegmentError.invalidParameter(name: "damage.permanentFraction", value: permanentFraction, expected: "a fraction in [0, 1]")
        }
        if let tau = recoveryTime, !(tau.isFinite && tau > 0) {
            throw MotionSegmentError.invalidParameter(name: "damage.recoveryTime", value: tau, expected: "a finite time > 0 s (nil for no recovery)")
        }
    }
}
