import Foundation
import Testing
@testable import TractionSafety

/// Replays the committed traces (Traces/README.md) through an envelope built from the fixture
/// limits (hard 343.23 N, soft 274.59 N, 50/100 N/s, hold 30–75 s, rest ≥ 20 s, 15 cycles,
/// session ≤ 1500 s; tracking 15 N/1 s, overshoot 10 N/0.5 s, frozen 1 s/5 N).
@Suite("Envelope scenario traces")
struct EnvelopeTraceTests {
    struct Outcome {
        var decisions: [(timeS: Double, decision: EnvelopeDecision)]
        var envelope: TractionEnvelope
        /// First decision that is not `continue`.
        var firstIntervention: (timeS: Double, decision: EnvelopeDecision)? { decisions.first { $0.decision != .continue } }
    }

    static func replay(_ name: String) throws -> Outcome {
        var env = TractionEnvelope(limits: Fixtures.loaded)
        var out: [(Double, EnvelopeDecision)] = []
        for row in try readTrace(name) {
            out.append((row.timeS, env.check(timeS: row.timeS, commandedN: row.commandedN, measuredN: row.measuredN, sensorTimeS: row.sensorTimeS)))
        }
        return Outcome(decisions: out, envelope: env)
    }

    @Test func normalIntermittentSessionPassesUntouched() throws {
        let o = try Self.replay("normal_session")
        #expect(o.decisions.count == 5437)                  // 0 … 1359 s at 0.25 s
        #expect(o.firstIntervention == nil)
        #expect(o.envelope.totalEvents == 0)
        #expect(o.envelope.cyclesStarted == 15)             // 15 pulls counted
        #expect(o.envelope.phase == .rest)
        // Deterministic: a second replay gives the same decisions.
        let again = try Self.replay("normal_session")
        #expect(zip(o.decisions, again.decisions).allSatisfy { $0.0.decision == $0.1.decision })
    }

    @Test func overshootStopsWithinTheOvershootDuration() throws {
        let o = try Self.replay("overshoot")
        let first = try #require(o.firstIntervention)
        #expect(first.decision == .stopNow(.sustainedOvershoot))
        // Onset 130 s; allowed 0.5 s; one sample 0.05 s.
        #expect(first.timeS > 130.5 && first.timeS <= 130.55 + 1e-9, "stopped at \(first.timeS)")
        #expect(o.envelope.events.first?.limitsDigest == Fixtures.loaded.digest)
    }

    @Test func frozenLoadCellStopsWithinTheFrozenTimeout() throws {
        let o = try Self.replay("frozen_load_cell")
        let first = try #require(o.firstIntervention)
        #expect(first.decision == .stopNow(.frozenSensor))
        // Reading stuck from 95 s; allowed 1 s; one sample 0.05 s.
        #expect(first.timeS > 96.0 && first.timeS <= 96.05 + 1e-9, "stopped at \(first.timeS)")
    }

    @Test func tooFastRampIsClampedOnItsFirstSample() throws {
        let o = try Self.replay("fast_ramp")
        let first = try #require(o.firstIntervention)
        // First fast sample at 2.05 s asks 6.25 N (125 N/s); allowed 50 N/s × 0.05 s = 2.5 N.
        #expect(abs(first.timeS - 2.05) < 1e-9)
        guard case .clamp(let to, let reason) = first.decision else { Issue.record("got \(first.decision)"); return }
        #expect(reason == .rampUpTooFast)
        #expect(abs(to - 2.5) < 1e-9)
        // While the command keeps running ahead, the set-point rises at exactly 50 N/s.
        let clamps = o.decisions.prefix { if case .stopNow = $0.decision { return false } else { return true } }
            .compactMap { d -> (Double, Double)? in if case .clamp(let v, .rampUpTooFast) = d.decision { return (d.timeS, v) } else { return nil } }
        for (a, b) in zip(clamps, clamps.dropFirst()) where abs(b.0 - a.0 - 0.05) < 1e-9 {
            #expect(abs((b.1 - a.1) / (b.0 - a.0) - 50) < 1e-6)
        }
    }

    @Test func sessionOverrunRampsDownAtTheSessionLimit() throws {
        let o = try Self.replay("session_overrun")
        let first = try #require(o.firstIntervention)
        #expect(first.decision == .rampDownAndStop(.sessionTimeExceeded))
        #expect(first.timeS == 1500.25)                     // first sample after 1500 s (0.25 s period)
        #expect(o.decisions.last?.decision == .rampDownAndStop(.sessionTimeExceeded))   // latched to the end
    }
}
