import Foundation
import Testing
@testable import SpineModel

/// The cervical ramp-up rate, hold and cycles searches (``CervicalProtocolLimitSearch``).
@Suite("Cervical protocol limits: ramp-up rate, hold, cycles")
struct CervicalProtocolLimitTests {
    /// A short member of the cervical family (along the neck, 1 s linear ramps, 2 s hold, 1 s
    /// rest, 10 s of preload) with a 1 mm distraction bound, as the cervical document test uses.
    static func force() throws -> CervicalLimitSearch {
        var s = CervicalLimitSearch(patient: try CervicalValidation.subject(), level: .c5c6)
        s.traction.geometry.pullAngle = 0
        s.traction.ramp = .linear(duration: 1)
        s.traction.hold = 2
        s.traction.rest = 1
        s.preloadDuration = 10
        s.criteria.maxDistraction = 1
        return s
    }

    /// The ramp-up rate of a linear ramp from 0 N to the peak P over T is P / T (the first cycle's
    /// ramp, the steepest): 100 N over 1 s → 100 N/s; asking for 25 N/s gives a 4 s ramp.
    @Test func rampUpRateOfALinearRampByHand() throws {
        let s = CervicalProtocolLimitSearch(force: try Self.force(), peakPull: 100, rampUpRateCeiling: 50, holdCeiling: 30, cyclesCeiling: 15)
        #expect(abs(try s.rampUpRate(s.force.traction) - 100) <= 1e-9 * 100)
        let slower = try s.traction(rampUpRate: 25)
        #expect(abs(slower.ramp.duration - 4) <= 1e-12 * 4)
        #expect(throws: LimitSearchError.invalidParameter(field: "peakPull", value: 500, expected: "a halter pull in (0, 445] N")) {
            try CervicalProtocolLimitSearch(force: try Self.force(), peakPull: 500, rampUpRateCeiling: 50, holdCeiling: 30, cyclesCeiling: 15).validate()
        }
    }

    /// The cycles search (up to 3 cycles at the family's force limit, where one cycle holds by
    /// construction) against fresh full solves from the swollen state, neither stopped early nor
    /// continued from the shared preload: every criterion holds at the limit's number of cycles,
    /// and one fails at the next (when the limit is below the range's end). The report names the
    /// cervical segment and the halter pull.
    @Test func cyclesLimitAgainstFreshFullSolves() throws {
        var force = try Self.force()
        force.relativeTolerance = 0.05
        let peak = try force.run().limit
        let s = CervicalProtocolLimitSearch(force: force, peakPull: peak, rampUpRateCeiling: 50, holdCeiling: 30, cyclesCeiling: 3, quantities: [.cycles])
        let limits = try s.run()
        let l = try #require(limits.first)
        #expect(l.quantity == .cycles && l.perDataSet.count == 1)
        #expect(l.report.contains("at a peak halter pull of "))
        #expect(l.noneInRange || l.criterion.hasPrefix("model.cervicalSegment.yoganandan2000.cycles."))
        let segment = try MotionSegment.cervical(force.level, patient: force.patient, mesh: force.mesh, ligaments: .yoganandan2000)
        func worst(_ n: Int) throws -> Double {
            let m = try force.model(traction: s.session(force.traction, cycles: n), segment: segment)
            let swollen = try Simulation(model: m).freeSwollenStateSynchronously()
            return try MotionSegmentLimitSearch.evaluate(m, from: swollen, criteria: force.criteria).map(\.ratio).max() ?? .infinity
        }
        let n = Int(l.limit)
        #expect(try worst(n) <= 1)
        if !l.noneInRange { #expect(try worst(n + 1) > 1) }
    }
}
