import Foundation
import Testing
@testable import TractionSafety

/// Feeds an envelope samples at a fixed period with an ideal load cell (measured = the set-point
/// accepted at the previous sample) unless told otherwise. dt = 0.25 s so times are exact in binary.
struct Driver {
    var env: TractionEnvelope
    var t = 0.0
    let dt = 0.25
    var decisions: [EnvelopeDecision] = []

    init(_ modify: (inout ForceSafetyLimits) -> Void = { _ in }) { env = Fixtures.envelope(modify) }

    @discardableResult
    mutating func step(_ c: Double, measured: Double? = nil, sensor: Double? = nil, ack: Bool = false) -> EnvelopeDecision {
        let d = env.check(timeS: t, commandedN: c, measuredN: measured ?? env.acceptedSetPointN, sensorTimeS: sensor ?? t, softLimitAcknowledged: ack)
        decisions.append(d)
        t += dt
        return d
    }

    /// Ramps at `rate` N/s to `target` (inclusive); true if every decision was `continue`.
    mutating func ramp(to target: Double, rate: Double, ack: Bool = false) -> Bool {
        var ok = true
        var c = env.acceptedSetPointN
        while c != target {
            c = c < target ? min(c + rate * dt, target) : max(c - rate * dt, target)
            ok = ok && step(c, ack: ack) == .continue
        }
        return ok
    }

    /// Holds `c` for `seconds` (number of samples = seconds/dt); true if every decision was `continue`.
    mutating func hold(_ c: Double, for seconds: Double, ack: Bool = false) -> Bool {
        var ok = true
        for _ in 0..<Int((seconds / dt).rounded()) { ok = ok && step(c, ack: ack) == .continue }
        return ok
    }
}

/// Round limits for the envelope tests: hard 300 N, soft 250 N, ramp 50 N/s up / 100 N/s down,
/// hold 30–75 s, rest ≥ 20 s, 15 cycles, session 1500 s, rest fraction 0.5.
func roundLimits(_ d: inout ForceSafetyLimits) {
    d.limits.maxForceN.value = 300
    d.limits.softMaxForceN.value = 250
}

@Suite("Traction envelope limits")
struct TractionEnvelopeTests {
    @Test func hardMaxAtBelowAbove() {
        var r = Driver { roundLimits(&$0); $0.limits.softMaxForceN.value = 300 }
        #expect(r.step(0) == .continue)
        #expect(r.ramp(to: 300 - 1e-6, rate: 50) == true)              // just below
        #expect(r.step(300) == .continue)                       // at
        #expect(r.step(300 + 1e-6) == .clamp(toN: 300, reason: .aboveHardMax))   // just above
        #expect(r.step(400) == .clamp(toN: 300, reason: .aboveHardMax))
        #expect(r.env.acceptedSetPointN == 300)
    }

    @Test func softMaxNeedsAcknowledgementAndIsLogged() {
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.ramp(to: 250, rate: 50) == true)                      // at soft: fine without ack
        #expect(r.step(250 + 1e-6) == .clamp(toN: 250, reason: .softMaxNotAcknowledged))
        #expect(r.step(255, ack: true) == .continue)            // acknowledged excursion
        #expect(r.step(260, ack: true) == .continue)
        #expect(r.step(262, ack: false) == .clamp(toN: 250, reason: .softMaxNotAcknowledged))
        let acks = r.env.events.filter { $0.kind == .softLimitExcursionAcknowledged }
        #expect(acks.count == 1 && acks[0].commandedN == 255 && acks[0].limitsDigest == r.env.limitsDigest)
    }

    @Test func rampUpRateAtBelowAbove() {
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.step(12.5) == .continue)                      // exactly 50 N/s over 0.25 s
        #expect(r.step(25 - 1e-6) == .continue)                 // just below
        let last = r.env.acceptedSetPointN
        #expect(r.step(last + 12.5 + 1e-6) == .clamp(toN: last + 12.5, reason: .rampUpTooFast))
    }

    @Test func rampDownRateAtBelowAbove() {
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.ramp(to: 200, rate: 50) == true)
        #expect(r.hold(200, for: 30) == true)
        #expect(r.step(175) == .continue)                       // exactly 100 N/s
        #expect(r.step(150 + 1e-6) == .continue)                // just below
        let last = r.env.acceptedSetPointN
        #expect(r.step(last - 25 - 1e-6) == .clamp(toN: last - 25, reason: .rampDownTooFast))
    }

    @Test func aStalledLoopCannotMakeALargeStep() {
        // 10 s without a sample: the ramp limit applies over the 0.5 s freshness timeout, not 10 s.
        var env = TractionEnvelope(limits: Fixtures.loaded)
        _ = env.check(timeS: 0, commandedN: 0, measuredN: 0, sensorTimeS: 0)
        #expect(env.check(timeS: 10, commandedN: 200, measuredN: 0, sensorTimeS: 10) == .clamp(toN: 25, reason: .rampUpTooFast))  // 50 N/s × 0.5 s
    }

    @Test func firstSampleMustStartFromZero() {
        var r = Driver(roundLimits)
        #expect(r.step(10) == .clamp(toN: 0, reason: .rampUpTooFast))
    }

    @Test func maxHoldAtAndAbove() {
        // Pull starts at the first positive set-point (t = 0.25 s); 75 s later is allowed, 75.25 s is not.
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.ramp(to: 200, rate: 50) == true)                      // 16 samples: pull started at t = 0.25
        let start = 0.25
        while r.t < start + 75 { #expect(r.step(200) == .continue) }
        #expect(r.t == start + 75)
        #expect(r.step(200) == .continue)                       // at 75 s
        #expect(r.step(200) == .rampDownAndStop(.holdTooLong))  // 75.25 s
        #expect(r.step(200) == .rampDownAndStop(.holdTooLong))  // latched
        #expect(r.env.events.count == 1 && r.env.events[0].repeatCount == 2)
    }

    @Test func minHoldAtAndBelow() {
        // Pull starts at t = 0.25 s (first positive set-point); the rest starts at the sample where the
        // set-point reaches 50 % of the 100 N peak. Pull lengths 29.75 s (too short) and 30 s (at the limit).
        for (restAt, expectStop) in [(30.0, true), (30.25, false)] {
            var r = Driver(roundLimits)
            r.step(0)
            #expect(r.ramp(to: 100, rate: 50) == true)
            while r.t < restAt - r.dt { #expect(r.step(100) == .continue) }
            #expect(r.step(75) == .continue)                             // 100 N/s down, still pulling (75 > 50)
            #expect(r.t == restAt)
            let end = r.step(50)
            #expect(end == (expectStop ? .rampDownAndStop(.holdTooShort) : .continue), "rest at \(restAt)")
            #expect(r.env.phase == (expectStop ? .pull : .rest))
        }
    }

    @Test func minRestAtAndBelow() {
        for (restSamples, expectClamp) in [(79, true), (80, false)] {    // 19.75 s / 20 s
            var r = Driver(roundLimits)
            r.step(0)
            #expect(r.ramp(to: 100, rate: 50) == true)
            #expect(r.hold(100, for: 30) == true)
            #expect(r.ramp(to: 50, rate: 100) == true)                           // rest starts at this sample
            let restStart = r.t - r.dt
            for _ in 0..<(restSamples - 1) { #expect(r.step(50) == .continue) }
            #expect(r.t == restStart + Double(restSamples) * r.dt)
            let d = r.step(60)
            #expect(d == (expectClamp ? .clamp(toN: 50, reason: .restTooShort) : .continue), "\(restSamples)")
        }
    }

    @Test func maxCyclesAtAndAbove() {
        var r = Driver { roundLimits(&$0); $0.limits.maxCycles.value = 2 }
        r.step(0)
        for cycle in 1...2 {
            #expect(r.ramp(to: 100, rate: 50) == true, "cycle \(cycle)")
            #expect(r.hold(100, for: 30) == true)
            #expect(r.ramp(to: 50, rate: 100) == true)
            #expect(r.hold(50, for: 20) == true)
        }
        #expect(r.env.cyclesStarted == 2)
        #expect(r.step(60) == .rampDownAndStop(.cycleLimitExceeded))     // a third pull
    }

    @Test func sessionTimeAtAndAbove() {
        var r = Driver { roundLimits(&$0); $0.limits.maxSessionS.value = 100 }
        r.step(0)
        while r.t < 100 { #expect(r.step(0) == .continue) }
        #expect(r.step(0) == .continue)                                  // t = 100 s: at the limit
        #expect(r.step(0) == .rampDownAndStop(.sessionTimeExceeded))     // 100.25 s
    }

    @Test func trackingToleranceAtAndAbove() {
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.ramp(to: 100, rate: 50) == true)
        for _ in 0..<40 { #expect(r.step(100, measured: 85) == .continue) }     // exactly 15 N low for 10 s
        // 15.001 N low: allowed for 1 s (samples at +0 … +1.0 s), ramp-down at +1.25 s.
        for _ in 0..<5 { #expect(r.step(100, measured: 84.999) == .continue) }
        #expect(r.step(100, measured: 84.999) == .rampDownAndStop(.trackingError))
    }

    @Test func overshootAtAndAbove() {
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.ramp(to: 100, rate: 50) == true)
        for _ in 0..<40 { #expect(r.step(100, measured: 110) == .continue) }    // exactly 10 N over
        for _ in 0..<3 { #expect(r.step(100, measured: 110.001) == .continue) } // +0, +0.25, +0.5 s
        #expect(r.step(100, measured: 110.001) == .stopNow(.sustainedOvershoot)) // +0.75 s > 0.5 s
        #expect(r.step(0) == .stopNow(.sustainedOvershoot))                      // latched
    }

    @Test func measuredAboveHardMaxPlusOvershootStopsAtOnce() {
        let noSoft = { (d: inout ForceSafetyLimits) in roundLimits(&d); d.limits.softMaxForceN.value = 300 }
        var r = Driver(noSoft)
        r.step(0)
        #expect(r.ramp(to: 290, rate: 50) == true)
        #expect(r.step(290, measured: 310) == .continue)                         // hard + 10: not immediate
        var r2 = Driver(noSoft)
        r2.step(0)
        #expect(r2.ramp(to: 290, rate: 50) == true)
        #expect(r2.step(290, measured: 310.001) == .stopNow(.measuredAboveHardMax))
    }

    @Test func staleSensorAtAndAbove() {
        var r = Driver { roundLimits(&$0); $0.monitoring.sensorFreshnessTimeoutS = 0.5 }
        r.step(0)
        #expect(r.ramp(to: 100, rate: 50) == true)
        let frozenStamp = r.t - r.dt
        #expect(r.step(100, sensor: frozenStamp) == .continue)       // 0.25 s without advance
        #expect(r.step(100, sensor: frozenStamp) == .continue)       // 0.5 s: at the timeout
        #expect(r.step(100, sensor: frozenStamp) == .stopNow(.staleSensor))
        var back = Driver(roundLimits)
        back.step(0)
        back.step(0, sensor: 1)
        #expect(back.step(0, sensor: 0.5) == .stopNow(.sensorTimeWentBackwards))
    }

    @Test func frozenSensorWhileCommandMoves() {
        var r = Driver(roundLimits)
        r.step(0)
        #expect(r.ramp(to: 50, rate: 50) == true)
        // The reading sticks at 50 N while the set-point ramps up at 12.5 N per sample.
        // The reading first shows 50 N at k = 1 (t₀) and never changes again.
        for k in 1...5 { #expect(r.step(50 + 12.5 * Double(k), measured: 50) == .continue) }   // t₀ … t₀ + 1.0 s
        #expect(r.step(125, measured: 50) == .stopNow(.frozenSensor))                           // t₀ + 1.25 s
        // A constant reading with a constant set-point (a hold) is not frozen.
        var h = Driver(roundLimits)
        h.step(0)
        #expect(h.ramp(to: 100, rate: 50) == true)
        for _ in 0..<100 { #expect(h.step(100, measured: 100) == .continue) }
    }

    @Test func invalidInputsStopNow() {
        for (c, m) in [(Double.nan, 0.0), (0, .nan), (.infinity, 0), (-1, 0)] {
            var r = Driver(roundLimits)
            r.step(0)
            #expect(r.step(c, measured: m) == .stopNow(.invalidInput))
        }
        var r = Driver(roundLimits)
        r.step(0)
        r.t -= r.dt      // same time again
        #expect(r.step(0) == .stopNow(.timeNotIncreasing))
    }

    @Test func eventsCarryTheDigestAndCoalesce() {
        var r = Driver(roundLimits)
        r.step(0)
        for _ in 0..<3 { r.step(1000) }          // clamp(rampUpTooFast) three times
        r.step(r.env.acceptedSetPointN)         // continue
        r.step(Double.nan)                      // stopNow(invalidInput)
        let e = r.env.events
        #expect(e.count == 2)
        #expect(e[0].decision == .clamp(toN: 12.5, reason: .rampUpTooFast) && e[0].repeatCount == 3 && e[0].timeS == 0.25 && e[0].lastTimeS == 0.75)
        #expect(e[1].decision == .stopNow(.invalidInput))
        #expect(e.allSatisfy { $0.limitsDigest == r.env.limitsDigest })
    }

    @Test func ringBufferKeepsTheNewestEvents() {
        var env = TractionEnvelope(limits: Fixtures.loaded, eventCapacity: 2)
        _ = env.check(timeS: 0, commandedN: 0, measuredN: 0, sensorTimeS: 0)
        _ = env.check(timeS: 1, commandedN: 1000, measuredN: 0, sensorTimeS: 1)                   // clamp to 50 N (ramp)
        _ = env.check(timeS: 2, commandedN: 50, measuredN: 50, sensorTimeS: 2)                    // continue (hold)
        _ = env.check(timeS: 3, commandedN: 1000, measuredN: 50, sensorTimeS: 3)                  // clamp to 100 N (ramp)
        _ = env.check(timeS: 4, commandedN: .nan, measuredN: 0, sensorTimeS: 4)                   // stop
        #expect(env.totalEvents == 3)
        #expect(env.events.map(\.timeS) == [3, 4])
    }
}
