import Foundation
import Biomechanics

/// Laxity of one ligament bundle after `N` identical thrusts a day for `D` days, by the
/// ``Biomechanics/LigamentDamage`` law with recovery between thrusts and between days.
///
/// **How the law is applied.** Each thrust is one excursion above the damage threshold; at its end
/// the laxity grows by `rate · (ε_peak − ε_threshold)`, a fraction `p = permanentFraction` of it for
/// good, the rest decaying as `exp(−t/τ)` (`τ = recoveryTime`; nil = no recovery: then the laxity
/// grows in proportion to the number of excursions, `N·D`). Thrust `j` (0 … N−1) of day `d`
/// (0 … D−1) ends at `t = d·T + j·Δ` (`T` = 86 400 s, `Δ` = the interval between thrusts); the
/// recoverable laxity decays over the time between the ends of successive thrusts, and the
/// thrust's own ~1 s is not counted as recovery time. The bookkeeping drives the library's
/// ``Biomechanics/LigamentBundle/commit(strain:timeStep:)`` — the same code a motion-segment run uses — with
/// the strain at each thrust's peak given by ``PeakStrain``:
/// - ``PeakStrain/loadControlled(strain:)``: the strain that drives the force at the peak is the
///   same in every thrust (the same moment through the same ligament force), so every increment is
///   `rate · (ε − ε_t)`. Closed form after day `d`, just after its last thrust (`q = e^{−Δ/τ}`,
///   `Q = e^{−T/τ}`, `i = rate · (ε − ε_t)`):
///
///       ε_lax = p · i · N · (d + 1) + (1 − p) · i · (1 − q^N)/(1 − q) · (1 − Q^{d+1})/(1 − Q).
///
/// - ``PeakStrain/displacementControlled(stretchStrain:)``: the bundle is stretched to the same
///   length every time, so the driving strain is the stretch minus the laxity already there and the
///   increments shrink; with `p = 1` after `n` thrusts `ε_lax = (ε_s − ε_t)(1 − (1 − rate)ⁿ)`.
///
/// **Recovery time.** Lumbar creep under a sustained flexion moment has a first-order time constant
/// of 9.4 min and regains ~50 % of its stiffness within 2 min (McGill SM, Brown S 1992, Clin Biomech
/// 7(1):43–46): ``creepTimeConstant``. Recovery can be much slower: motion was still increased after
/// 20 min (Little JS, Khalsa PS 2005, Ann Biomed Eng 33(3):391–401) and creep was not recovered after
/// 7 h (Solomonow M et al. 2003, J Electromyogr Kinesiol 13:381–396). `τ` is the law's parameter;
/// sweep it.
///
/// ```swift
/// let law = LigamentDamage(threshold: 0.0514, rate: 0.1, permanentFraction: 0.5,
///                          recoveryTime: RepeatedThrustDamage.creepTimeConstant)
/// let days = try RepeatedThrustDamage.laxityPerDay(law: law, peak: .loadControlled(strain: 0.08),
///                                                  thrustsPerDay: 5, days: 14, thrustInterval: 30)
/// days.last!.afterSession       // laxity (strain) after the 14th day's thrusts
/// ```
public enum RepeatedThrustDamage {
    /// Length of a day (s).
    public static let day = 86_400.0
    /// First-order time constant of lumbar creep, 9.4 min = 564 s (McGill & Brown 1992).
    public static let creepTimeConstant = 564.0

    /// A damage law with the library's assumed numbers for a lumbar ligament: threshold 5.14 %
    /// strain (the onset of structural damage in rat medial collateral ligament; Provenzano PP et al.
    /// 2002, Ann Biomed Eng 30:565–573 — not spine), recovery time ``creepTimeConstant``; rate 0.1
    /// and permanent fraction 0.5 are **assumptions** (no published value).
    public static let assumedLaw = LigamentDamage(threshold: 0.0514, rate: 0.1, permanentFraction: 0.5, recoveryTime: creepTimeConstant)

    /// The strain at each thrust's peak.
    public enum PeakStrain: Sendable, Equatable {
        /// The driving strain (net of laxity) at the peak, the same in every thrust (dimensionless).
        case loadControlled(strain: Double)
        /// The stretch strain (laxity included) at the peak, the same in every thrust (dimensionless).
        case displacementControlled(stretchStrain: Double)
    }

    /// The laxity of one day.
    public struct Day: Sendable, Equatable {
        /// Day number, 1 … D.
        public var day: Int
        /// Total laxity just after the day's last thrust (strain).
        public var afterSession: Double
        /// Its permanent part (strain).
        public var permanentAfterSession: Double
        /// Total laxity just before the next day's first thrust (strain), after a day's recovery.
        public var beforeNextSession: Double
        /// Excursions above threshold so far.
        public var excursions: Int
    }

    /// The laxity per day (see the type's discussion).
    /// - Parameters:
    ///   - law: the damage law.
    ///   - peak: the strain at each thrust's peak.
    ///   - thrustsPerDay: `N`, 1 … 1000.
    ///   - days: `D`, 1 … 3650.
    ///   - thrustInterval: `Δ` (s), > 0, with `(N − 1)·Δ < 86 400 s`.
    ///   - initialLaxity: permanent laxity before the first thrust (strain, ≥ 0; a hypermobile segment).
    /// - Throws: ``ScenarioError`` naming the parameter (`damage.rate`, `thrustsPerDay`, …).
    public static func laxityPerDay(law: LigamentDamage, peak: PeakStrain, thrustsPerDay: Int, days: Int,
                                    thrustInterval: Double, initialLaxity: Double = 0) throws(ScenarioError) -> [Day] {
        do { try law.validate() } catch let MotionSegmentError.invalidParameter(name, value, expected) {
            throw .invalidValue(property: name, value: value, expected: expected)
        } catch { throw .invalidValue(property: "damage", value: .nan, expected: "a valid damage law (\(error))") }
        try requireCount(thrustsPerDay, in: 1...1000, "thrustsPerDay", "1 … 1000 thrusts a day")
        try requireCount(days, in: 1...3650, "days", "1 … 3650 days")
        try requireValue(thrustInterval, above: 0, "thrustInterval", "a finite interval > 0 s")
        guard Double(thrustsPerDay - 1) * thrustInterval < day else {
            throw .invalidValue(property: "thrustInterval", value: thrustInterval,
                                expected: "(thrustsPerDay − 1) × interval < 86 400 s (the thrusts of one day fit in the day)")
        }
        try requireValue(initialLaxity, in: 0...1, "initialLaxity", "a strain in [0, 1]")
        switch peak {
        case let .loadControlled(e): try requireValue(e, in: 0...10, "peak.loadControlled.strain", "a strain in [0, 10]")
        case let .displacementControlled(e): try requireValue(e, in: 0...10, "peak.displacementControlled.stretchStrain", "a strain in [0, 10]")
        }
        let bundleLaw = try! LigamentLaw(stiffness: 1, curve: .toeLinear(transitionStrain: 1), damage: law)
        var bundle = try! LigamentBundle(name: "bookkeeping", origin: .ground(.zero), insertion: .ground(SIMD3(0, 0, 1)), law: bundleLaw)
        bundle.state.permanentLaxity = initialLaxity
        let overnight = day - Double(thrustsPerDay - 1) * thrustInterval
        var out: [Day] = []
        for d in 1...days {
            for j in 0..<thrustsPerDay {
                if j > 0 { bundle.commit(strain: 0, timeStep: thrustInterval) }   // recovery since the last thrust
                let e: Double
                switch peak {
                case let .loadControlled(s): e = s
                case let .displacementControlled(s): e = s - bundle.state.laxity
                }
                bundle.commit(strain: e, timeStep: nil)      // the peak (an excursion if above threshold)
                bundle.commit(strain: 0, timeStep: nil)      // released: the excursion ends, laxity grows
            }
            let after = bundle.state.laxity, permanent = bundle.state.permanentLaxity
            bundle.commit(strain: 0, timeStep: overnight)
            out.append(Day(day: d, afterSession: after, permanentAfterSession: permanent,
                           beforeNextSession: bundle.state.laxity, excursions: bundle.state.excursions))
        }
        return out
    }
}
