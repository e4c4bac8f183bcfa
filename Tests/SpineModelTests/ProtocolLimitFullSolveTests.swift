import Foundation
import Testing
import Biomechanics
@testable import SpineModel

/// The ramp-up rate, hold and cycles searches on the coarse motion segment, checked by fresh full
/// solves (each with its own free swelling, not the search's kept state). A short protocol family
/// (3 s logarithmic ramps, 5 s hold, 3 s rest at half the pull) keeps the debug-build runtime small;
/// one ligament data set (goelBilinear), 70 kg, L4-L5, grade II, peak table force 600 N.
@Suite("Protocol limit search: full solves", .serialized)
struct ProtocolLimitFullSolveTests {
    static let patient = try! Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
    static let table = ProfessionalTable(hold: 5, rest: 3, ramp: .logarithmic(duration: 3))
    static let peak = 600.0

    static func search(criteria: LimitCriteria = LimitCriteria(), dataSet: LigamentDataSet = .goelBilinear, quantities: [ProtocolQuantity],
                       holdCeiling: Double = 10, cyclesCeiling: Int = 4) -> ProtocolLimitSearch {
        let force = MotionSegmentLimitSearch(patient: patient, table: table, criteria: criteria, ligamentDataSets: [dataSet], relativeTolerance: 0.05)
        return ProtocolLimitSearch(force: force, peakTableForce: peak, rampUpRateCeiling: 1000, holdCeiling: holdCeiling,
                                   cyclesCeiling: cyclesCeiling, quantities: quantities)
    }

    /// A fresh run (free swelling included) of `cycles` cycles of `table` at the peak.
    /// With `cornerOutputs`, the results are also written at every corner of the load curve.
    static func solve(_ s: ProtocolLimitSearch, table: ProfessionalTable, cycles: Int, dataSet: LigamentDataSet,
                      cornerOutputs: Bool = false) throws -> MotionSegmentResults {
        var m = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse, ligaments: dataSet)
        let p = try s.sessionProtocol(tableForce: peak, table: table, cycles: cycles)
        try m.apply(p, bodyMassKg: 70)
        if cornerOutputs {
            let corners = try p.resolve(bodyMassKg: 70).tractionCurve.times.filter { $0 > 0 }
            m.outputs.times = Array(Set(m.outputs.times + corners)).sorted()
        }
        return try #require(try Simulation(model: m).runSynchronously().motionSegment)
    }

    /// Hold: with the distraction bound set halfway between the distractions at 5 s and 10 s of
    /// hold (the disc creeps: the second is larger), the hold limit lies in (5, 10) s, bracketed to
    /// 5 %, governed by the distraction; fresh full solves give a worst ratio ≤ 1 at the limit and
    /// > 1 at the bracket's upper end, equal to the search's to 1e-6 relative. Ramp-up rate: every
    /// criterion holds at the 1000 N/s ceiling (a fresh solve confirms each ratio < 1 there), so
    /// the limit is the range's end with no candidate.
    @Test func holdAndRateBracketTheirCriteria() throws {
        let probe = Self.search(quantities: [.hold])
        var t10 = Self.table
        t10.hold = 10
        let d5 = try #require(try Self.solve(probe, table: Self.table, cycles: 1, dataSet: .goelBilinear).distraction.maximum)
        let d10 = try #require(try Self.solve(probe, table: t10, cycles: 1, dataSet: .goelBilinear).distraction.maximum)
        #expect(d10 > d5 && d5 > 0, "distraction \(d5) mm at 5 s, \(d10) mm at 10 s")
        var criteria = LimitCriteria()
        criteria.maxDistraction = 0.5 * (d5 + d10)
        let s = Self.search(criteria: criteria, quantities: [.rampUpRate, .hold])
        let limits = try s.run()
        let rate = try #require(limits.first { $0.quantity == .rampUpRate })
        let hold = try #require(limits.first { $0.quantity == .hold })

        #expect(hold.limit > 5 && hold.limit < 10)
        let h = hold.governingDataSet.limit
        let upper = try #require(h.upperBracket)
        #expect(h.relativeBracketWidth <= 0.05 && h.governing.criterion == "distraction")
        #expect(hold.candidate?.quantity == .maxHoldS && hold.candidate?.value == hold.limit)
        for (value, admissible) in [(hold.limit, true), (upper, false)] {
            var t = Self.table
            t.hold = value
            let fresh = LimitEvaluation(load: value, criteria: criteria.evaluate(try Self.solve(s, table: t, cycles: 1, dataSet: .goelBilinear)))
            #expect(fresh.admissible == admissible, "hold \(value) s: worst ratio \(fresh.worstRatio)")
            let searched = try #require(h.evaluations.first { $0.load == value })
            #expect(abs(fresh.worstRatio - searched.worstRatio) <= 1e-6 * searched.worstRatio)
        }

        #expect(rate.noneInRange && rate.limit == 1000 && rate.candidate == nil)
        let atCeiling = criteria.evaluate(try Self.solve(s, table: s.table(rampUpRate: 1000), cycles: 1, dataSet: .goelBilinear))
        #expect(atCeiling.allSatisfy { $0.ratio < 1 }, "\(atCeiling)")
    }

    /// Cycles with a damage law (on the midline ligament stretched most in one cycle, threshold 0.6 of its one-cycle peak strain, above the strain at the rest level,
    /// rate 0.1, all permanent, no recovery) and the accumulated-laxity criterion: the laxity at the
    /// end of a 3-cycle session equals the law integrated by hand over the strain history,
    /// Σ rate · (ε_peak,k − ε_t) over the excursions above the threshold (1e-9 relative), and the
    /// cycles limit brackets its bound: fresh full solves give laxity ≤ the bound at the limit and
    /// above it one cycle later.
    @Test func cyclesLimitAndLaxityByHand() throws {
        let probe = Self.search(quantities: [.cycles])
        // The midline ligament stretched most by the one-cycle run carries the damage law.
        let first = try Self.solve(probe, table: Self.table, cycles: 1, dataSet: .goelBilinear)
        let stretched = try #require(first.ligaments.filter { $0.side == .midline }.max { ($0.strain.maximum ?? 0) < ($1.strain.maximum ?? 0) })
        let isl = { (r: MotionSegmentResults) in r.ligaments.first { $0.type == stretched.type && $0.side == .midline }! }
        let peakStrain = try #require(stretched.strain.maximum)
        #expect(peakStrain > 0 && stretched.fibreCount == 1, "\(stretched.name): \(peakStrain)")
        let law = LigamentDamage(threshold: 0.6 * peakStrain, rate: 0.1, permanentFraction: 1, recoveryTime: nil)
        var damaged = LigamentDataSet.goelBilinear
        damaged.entries[.l4l5]![stretched.type]!.damage = law

        // Written at every corner of the load curve: each hold ends at its strain peak (the disc
        // creeps under the constant pull) and each rest at its strain minimum.
        let three = try Self.solve(probe, table: Self.table, cycles: 3, dataSet: damaged, cornerOutputs: true)
        let strain = isl(three).strain.values.map { $0[0] }
        var byHand = 0.0, excursionPeak: Double?
        for e in strain {
            if e > law.threshold { excursionPeak = max(excursionPeak ?? e, e) }
            else if let p = excursionPeak { byHand += law.rate * (p - law.threshold); excursionPeak = nil }
        }
        if let p = excursionPeak { byHand += law.rate * (p - law.threshold) }
        let laxity = try #require(isl(three).laxity.values.last?[0])
        #expect(byHand > 0)
        #expect(abs(laxity - byHand) <= 1e-9 * byHand, "laxity \(laxity), by hand \(byHand)")

        // Bound: 1.5 cycles' worth of the first cycle's increment → the limit is 1 cycle.
        let increment = law.rate * (peakStrain - law.threshold)
        var criteria = LimitCriteria()
        criteria.maxAccumulatedLaxity = 1.5 * increment
        var s = Self.search(criteria: criteria, dataSet: damaged, quantities: [.cycles], cyclesCeiling: 2)   // the limit (1) and its bracket (2) need no more: keeps CI short
        s.sessionDamage = .accumulatedLaxity
        let cycles = try #require(try s.run().first)
        let c = cycles.governingDataSet.limit
        #expect(c.governing.criterion == "laxity")
        let upper = try #require(c.upperBracket)
        #expect(upper == c.limit + 1)
        for (n, admissible) in [(Int(c.limit), true), (Int(upper), false)] {
            let fresh = try #require(isl(try Self.solve(s, table: Self.table, cycles: n, dataSet: damaged)).laxity.maximum)
            #expect((fresh <= criteria.maxAccumulatedLaxity) == admissible, "\(n) cycles: laxity \(fresh), bound \(criteria.maxAccumulatedLaxity)")
        }
        #expect(cycles.candidate?.quantity == .maxCycles && cycles.candidate?.value == c.limit)
    }
}
