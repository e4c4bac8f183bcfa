import Foundation
import Testing
import Biomechanics
@testable import SpineModel

@Suite("Scenario damage bookkeeping: laxity over days of thrusts")
struct ScenarioDamageTests {
    /// Load-controlled thrusts with recovery, against the law summed by hand: each thrust adds
    /// i = rate·(ε − ε_t); the permanent part p·i·N·d after d days, the recoverable part
    /// (1 − p)·i·(1 − q^N)/(1 − q)·(1 − Q^d)/(1 − Q) with q = e^{−Δ/τ}, Q = e^{−T/τ}; before the next
    /// day it has decayed by e^{−(T − (N−1)Δ)/τ}. Tolerance 1e-12 relative.
    @Test(arguments: [564.0, 7 * 3600.0, 86_400.0 * 3])
    func loadControlledWithRecovery(tau: Double) throws {
        let law = LigamentDamage(threshold: 0.05, rate: 0.1, permanentFraction: 0.4, recoveryTime: tau)
        let n = 5, days = 14, delta = 30.0, T = 86_400.0
        let out = try RepeatedThrustDamage.laxityPerDay(law: law, peak: .loadControlled(strain: 0.08), thrustsPerDay: n, days: days, thrustInterval: delta)
        #expect(out.count == days)
        let i = 0.1 * (0.08 - 0.05), p = 0.4
        let q = exp(-delta / tau), Q = exp(-T / tau)
        for (k, d) in out.enumerated() {
            let dd = Double(k + 1)
            let permanent = p * i * Double(n) * dd
            let recoverable = (1 - p) * i * (1 - pow(q, Double(n))) / (1 - q) * (1 - pow(Q, dd)) / (1 - Q)
            #expect(d.day == k + 1)
            #expect(abs(d.permanentAfterSession - permanent) <= 1e-12 * permanent)
            #expect(abs(d.afterSession - (permanent + recoverable)) <= 1e-12 * (permanent + recoverable))
            let before = permanent + recoverable * exp(-(T - Double(n - 1) * delta) / tau)
            #expect(abs(d.beforeNextSession - before) <= 1e-12 * before)
            #expect(d.excursions == n * (k + 1))
        }
    }

    /// Without recovery the laxity scales with N·D: i·N·d exactly (1e-12 relative).
    @Test func noRecoveryScalesWithCount() throws {
        let law = LigamentDamage(threshold: 0.05, rate: 0.2, permanentFraction: 0.3, recoveryTime: nil)
        let out = try RepeatedThrustDamage.laxityPerDay(law: law, peak: .loadControlled(strain: 0.07), thrustsPerDay: 3, days: 10, thrustInterval: 60)
        for d in out {
            let expected = 0.2 * 0.02 * 3 * Double(d.day)
            #expect(abs(d.afterSession - expected) <= 1e-12 * expected)
            #expect(abs(d.beforeNextSession - expected) <= 1e-12 * expected)
        }
    }

    /// Displacement-controlled, all permanent: each thrust stretches to ε_s, the driving strain is
    /// ε_s − ε_lax, so after n thrusts ε_lax = (ε_s − ε_t)(1 − (1 − rate)ⁿ) (geometric series by hand;
    /// 1e-12 relative), starting from a hypermobile segment's laxity ε₀ the same with ε_s − ε₀.
    @Test func displacementControlledSaturates() throws {
        let law = LigamentDamage(threshold: 0.05, rate: 0.15, permanentFraction: 1, recoveryTime: nil)
        let out = try RepeatedThrustDamage.laxityPerDay(law: law, peak: .displacementControlled(stretchStrain: 0.09), thrustsPerDay: 5, days: 14, thrustInterval: 30)
        for d in out {
            let expected = 0.04 * (1 - pow(0.85, Double(5 * d.day)))
            #expect(abs(d.afterSession - expected) <= 1e-12 * expected)
        }
        let lax = try RepeatedThrustDamage.laxityPerDay(law: law, peak: .displacementControlled(stretchStrain: 0.09), thrustsPerDay: 5, days: 2, thrustInterval: 30, initialLaxity: 0.02)
        let expected = 0.02 + 0.02 * (1 - pow(0.85, 10))
        #expect(abs(lax[1].afterSession - expected) <= 1e-12 * expected)
    }

    /// Below the threshold nothing accumulates.
    @Test func belowThreshold() throws {
        let out = try RepeatedThrustDamage.laxityPerDay(law: RepeatedThrustDamage.assumedLaw, peak: .loadControlled(strain: 0.05),
                                                        thrustsPerDay: 5, days: 14, thrustInterval: 30)
        #expect(out.allSatisfy { $0.afterSession == 0 && $0.excursions == 0 })
        #expect(RepeatedThrustDamage.assumedLaw.recoveryTime == 564)
    }

    @Test func badInput() {
        let law = RepeatedThrustDamage.assumedLaw
        func run(_ law: LigamentDamage = RepeatedThrustDamage.assumedLaw, _ peak: RepeatedThrustDamage.PeakStrain = .loadControlled(strain: 0.08),
                 n: Int = 5, d: Int = 14, delta: Double = 30, lax: Double = 0) throws {
            _ = try RepeatedThrustDamage.laxityPerDay(law: law, peak: peak, thrustsPerDay: n, days: d, thrustInterval: delta, initialLaxity: lax)
        }
        expectScenarioError("damage.rate") { try run(LigamentDamage(threshold: 0.05, rate: -1)) }
        expectScenarioError("damage.threshold") { try run(LigamentDamage(threshold: 0, rate: 0.1)) }
        expectScenarioError("damage.permanentFraction") { try run(LigamentDamage(threshold: 0.05, rate: 0.1, permanentFraction: 2)) }
        expectScenarioError("damage.recoveryTime") { try run(LigamentDamage(threshold: 0.05, rate: 0.1, recoveryTime: 0)) }
        expectScenarioError("thrustsPerDay") { try run(law, n: 0) }
        expectScenarioError("days") { try run(law, d: 0) }
        expectScenarioError("thrustInterval") { try run(law, delta: 0) }
        expectScenarioError("thrustInterval") { try run(law, n: 1000, delta: 100) }
        expectScenarioError("initialLaxity") { try run(law, lax: -0.01) }
        expectScenarioError("peak.loadControlled.strain") { try run(law, .loadControlled(strain: .nan)) }
        expectScenarioError("peak.displacementControlled.stretchStrain") { try run(law, .displacementControlled(stretchStrain: -1)) }
    }
}
