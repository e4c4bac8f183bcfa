/// Why the envelope stops a session.
public enum StopReason: UInt8, CaseIterable, Equatable, Sendable {
    /// A sample had a non-finite time, force or sensor time, or a negative commanded force.
    case invalidInput = 1
    /// The sample time did not increase.
    case timeNotIncreasing
    /// Measured force above the hard maximum plus the overshoot amount.
    case measuredAboveHardMax
    /// Measured force above the set-point by more than the overshoot amount (or above the hard
    /// maximum) for longer than the overshoot duration.
    case sustainedOvershoot
    /// The load-cell timestamp did not advance within the freshness timeout.
    case staleSensor
    /// The load-cell timestamp went backwards.
    case sensorTimeWentBackwards
    /// The load-cell reading stayed bit-identical for longer than the frozen-sensor timeout while
    /// the set-point moved by at least the frozen-sensor command change.
    case frozenSensor
    /// |measured − set-point| above the tracking tolerance for longer than its duration.
    case trackingError
    /// The session lasted longer than `maxSessionS`.
    case sessionTimeExceeded
    /// A pull phase lasted longer than `maxHoldS`.
    case holdTooLong
    /// A pull phase ended before `minHoldS`.
    case holdTooShort
    /// A pull was started after `maxCycles` pulls.
    case cycleLimitExceeded
}

/// Why the envelope lowered (or, for a too-fast release, raised) a set-point.
public enum ClampReason: UInt8, CaseIterable, Equatable, Sendable {
    /// Above the hard maximum force.
    case aboveHardMax = 1
    /// Above the soft maximum force without an acknowledgement.
    case softMaxNotAcknowledged
    /// Rising faster than `maxRampUpNPerS` (the first sample of a session counts as a jump from 0 N).
    case rampUpTooFast
    /// Falling faster than `maxRampDownNPerS`.
    case rampDownTooFast
    /// A pull started before `minRestS` of rest.
    case restTooShort
}

/// The envelope's answer for one sample.
public enum EnvelopeDecision: Equatable, Sendable {
    /// Apply the commanded set-point.
    case `continue`
    /// Apply `toN` (N) instead of the commanded set-point.
    case clamp(toN: Double, reason: ClampReason)
    /// Ramp the force down to zero at no more than `maxRampDownNPerS`, then stop. Latched: every
    /// later sample gets the same answer (unless a stop-now condition arises).
    case rampDownAndStop(StopReason)
    /// Stop the actuator now (the device's safe state). Latched for the rest of the session.
    case stopNow(StopReason)
}

/// Phase of the intermittent protocol, derived from the accepted set-point.
///
/// A pull starts when the set-point rises above `restForceFractionMax` × the previous pull's
/// peak (0 N before the first pull); it ends, and a rest starts, when the set-point falls to or
/// below `restForceFractionMax` × this pull's peak. So the pull phase includes its ramps, and a
/// "rest" above the allowed fraction is a pull that will run into `maxHoldS`.
public enum TractionPhase: UInt8, Equatable, Sendable {
    /// Resting (including before the first pull).
    case rest
    /// Pulling.
    case pull
}

/// One logged envelope event: every decision other than `continue`, and every acknowledged
/// soft-limit excursion. Consecutive identical decisions (same case and reason) are coalesced
/// into one event with a repeat count.
public struct EnvelopeEvent: Equatable, Sendable {
    /// What happened.
    public enum Kind: UInt8, Equatable, Sendable {
        /// A decision other than `continue`.
        case decision
        /// The set-point went above the soft maximum with an acknowledgement (decision `continue`
        /// unless another rule clamped).
        case softLimitExcursionAcknowledged
    }
    /// What happened.
    public var kind: Kind
    /// The decision (for an acknowledged excursion, the decision of that sample).
    public var decision: EnvelopeDecision
    /// Sample time of the first occurrence, s.
    public var timeS: Double
    /// Sample time of the last repeat, s.
    public var lastTimeS: Double
    /// Number of consecutive samples with this decision (≥ 1).
    public var repeatCount: Int
    /// Commanded force at the first occurrence, N.
    public var commandedN: Double
    /// Measured force at the first occurrence, N.
    public var measuredN: Double
    /// SHA-256 of the limits document in force.
    public var limitsDigest: LimitsDigest
}

/// The runtime envelope: checks every sample of a traction session against the loaded limits.
///
/// Feed it, at each control tick, the sample time, the commanded set-point, the load-cell reading
/// and the load cell's own timestamp; apply its ``EnvelopeDecision``. It reads no clock, allocates
/// nothing per ``check(timeS:commandedN:measuredN:sensorTimeS:softLimitAcknowledged:)`` call (the
/// event log is a ring buffer allocated at init) and is deterministic: the same samples give the
/// same decisions.
///
/// Limits are inclusive: a value exactly at a limit passes; durations fail when they *exceed*
/// their limit. Comparisons of forces allow 1e-9 N for floating-point rounding of rate products.
/// Rate limits apply over min(Δt, `sensorFreshnessTimeoutS`), so after a gap in the samples (a
/// stalled control loop) the set-point still moves by at most rate × freshness timeout.
///
/// Precedence when several rules fire in one sample: stop-now (input, sensor, overshoot) before
/// ramp-down-and-stop (tracking, session, hold, cycles) before clamp (hard max, soft max, ramp
/// rates, rest) before continue.
///
/// One envelope is one session; after a stop it stays stopped. It is a value type: do not copy it
/// in the control loop (a copy shares the event buffer until written, and that write allocates).
public struct TractionEnvelope: Sendable {
    // Limits (from the document), N, N/s, s.
    private let hardMaxN: Double
    private let softMaxN: Double
    private let rampUpNPerS: Double
    private let rampDownNPerS: Double
    private let minHoldS: Double
    private let maxHoldS: Double
    private let minRestS: Double
    private let maxCycles: Int
    private let maxSessionS: Double
    private let restFraction: Double
    private let monitoring: MonitoringSettings
    /// SHA-256 of the limits document this envelope enforces.
    public let limitsDigest: LimitsDigest

    private static let forceSlackN = 1e-9

    // Session state.
    private var started = false
    private var sessionStartS = 0.0
    private var lastTimeS = 0.0
    private var setPointN = 0.0
    /// Current phase.
    public private(set) var phase = TractionPhase.rest
    private var phaseStartS = 0.0
    private var initialRest = true
    private var pullPeakN = 0.0
    private var lastPullPeakN = 0.0
    /// Pulls started so far.
    public private(set) var cyclesStarted = 0
    private var inAcknowledgedExcursion = false
    private var latched: EnvelopeDecision?
    private var overshootSinceS: Double?
    private var trackingSinceS: Double?
    private var lastSensorTimeS = 0.0
    private var lastSensorAdvanceS = 0.0
    private var lastMeasuredBits: UInt64 = 0
    private var measuredChangedAtS = 0.0
    private var freezeReferenceSetPointN = 0.0
    private var freezeMaxCommandChangeN = 0.0

    // Event ring buffer.
    private var ring: [EnvelopeEvent]
    private var ringNext = 0
    private var ringCount = 0
    private var previousSampleLogged = false
    /// Events logged since the start (including ones overwritten in the ring).
    public private(set) var totalEvents = 0

    /// Largest event-log capacity, events (65 536 events ≈ 6 MB): a larger request is a bad argument.
    public static let maxEventCapacity = 65_536

    /// Creates an envelope for one session from a loaded document.
    /// - Parameter eventCapacity: events kept (older ones are overwritten; ``totalEvents`` counts all),
    ///   in 1…``maxEventCapacity`` (a programming error otherwise; the C entry point returns
    ///   `TS_BAD_ARGUMENT` instead).
    public init(limits: LoadedLimits, eventCapacity: Int = 256) {
        precondition(eventCapacity >= 1 && eventCapacity <= Self.maxEventCapacity, "eventCapacity must be in 1...\(Self.maxEventCapacity)")
        let l = limits.document.limits
        hardMaxN = l.maxForceN.value
        softMaxN = l.softMaxForceN.value
        rampUpNPerS = l.maxRampUpNPerS.value
        rampDownNPerS = l.maxRampDownNPerS.value
        minHoldS = l.minHoldS.value
        maxHoldS = l.maxHoldS.value
        minRestS = l.minRestS.value
        maxCycles = Int(l.maxCycles.value)
        maxSessionS = l.maxSessionS.value
        restFraction = l.restForceFractionMax.value
        monitoring = limits.document.monitoring
        limitsDigest = limits.digest
        let blank = EnvelopeEvent(kind: .decision, decision: .continue, timeS: 0, lastTimeS: 0, repeatCount: 0, commandedN: 0, measuredN: 0,
                                  limitsDigest: limits.digest)
        ring = Array(repeating: blank, count: eventCapacity)
    }

    /// The set-point last accepted (applied), N.
    public var acceptedSetPointN: Double { setPointN }

    /// The logged events, oldest first (allocates: call it outside the control loop).
    public var events: [EnvelopeEvent] {
        (0..<ringCount).map { ring[(ringNext - ringCount + $0 + ring.count) % ring.count] }
    }

    /// Checks one sample and returns what the controller must do.
    ///
    /// - Parameters:
    ///   - timeS: sample time, s (strictly increasing; any origin).
    ///   - commandedN: the controller's desired set-point, N (≥ 0).
    ///   - measuredN: the load-cell reading, N.
    ///   - sensorTimeS: the load cell's own timestamp of that reading, s (non-decreasing; any origin).
    ///   - softLimitAcknowledged: true when the operator has explicitly acknowledged going above
    ///     the soft maximum for this sample.
    public mutating func check(timeS t: Double, commandedN c: Double, measuredN m: Double, sensorTimeS st: Double,
                               softLimitAcknowledged ack: Bool = false) -> EnvelopeDecision {
        if case .stopNow = latched { return finish(latched!, t, c, m) }
        guard t.isFinite, c.isFinite, m.isFinite, st.isFinite, c >= 0 else { return stop(.invalidInput, t, c, m) }
        if !started {
            started = true
            sessionStartS = t
            lastTimeS = t
            phaseStartS = t
            lastSensorTimeS = st
            lastSensorAdvanceS = t
            lastMeasuredBits = m.bitPattern
            measuredChangedAtS = t
        } else {
            guard t > lastTimeS else { return stop(.timeNotIncreasing, t, c, m) }
            // Sensor freshness.
            if st < lastSensorTimeS { return stop(.sensorTimeWentBackwards, t, c, m) }
            if st > lastSensorTimeS { lastSensorTimeS = st; lastSensorAdvanceS = t }
            if t - lastSensorAdvanceS > monitoring.sensorFreshnessTimeoutS { return stop(.staleSensor, t, c, m) }
            // Frozen reading while the set-point moves.
            if m.bitPattern != lastMeasuredBits {
                lastMeasuredBits = m.bitPattern
                measuredChangedAtS = t
                freezeReferenceSetPointN = setPointN
                freezeMaxCommandChangeN = 0
            } else {
                freezeMaxCommandChangeN = max(freezeMaxCommandChangeN, abs(setPointN - freezeReferenceSetPointN))
                if t - measuredChangedAtS > monitoring.frozenSensorTimeoutS,
                   freezeMaxCommandChangeN >= monitoring.frozenSensorMinCommandChangeN {
                    return stop(.frozenSensor, t, c, m)
                }
            }
        }
        // Measured force against the hard maximum and the set-point.
        if m > hardMaxN + monitoring.overshootN + Self.forceSlackN { return stop(.measuredAboveHardMax, t, c, m) }
        if m - setPointN > monitoring.overshootN + Self.forceSlackN || m > hardMaxN + Self.forceSlackN {
            let since = overshootSinceS ?? t
            overshootSinceS = since
            if t - since > monitoring.overshootDurationS { return stop(.sustainedOvershoot, t, c, m) }
        } else {
            overshootSinceS = nil
        }
        var rampDown: StopReason?
        if abs(m - setPointN) > monitoring.trackingToleranceN + Self.forceSlackN {
            let since = trackingSinceS ?? t
            trackingSinceS = since
            if t - since > monitoring.trackingToleranceDurationS { rampDown = .trackingError }
        } else {
            trackingSinceS = nil
        }
        let dt = t - lastTimeS
        lastTimeS = t

        // Latched ramp-down: follow the controller down, never up, never faster than allowed.
        if case .rampDownAndStop = latched {
            setPointN = max(min(c, setPointN), setPointN - rampDownNPerS * dt)
            return finish(latched!, t, c, m)
        }

        if rampDown == nil, t - sessionStartS > maxSessionS { rampDown = .sessionTimeExceeded }

        // Set-point clamps.
        var target = c
        var clampReason: ClampReason?
        if target > hardMaxN + Self.forceSlackN { target = hardMaxN; clampReason = .aboveHardMax }
        let aboveSoft = target > softMaxN + Self.forceSlackN
        if aboveSoft, !ack { target = softMaxN; clampReason = .softMaxNotAcknowledged }
        // Rates apply over at most the sensor-freshness timeout: after a stalled control loop the
        // set-point may not jump by rate × (the whole gap).
        let rateDt = min(dt, monitoring.sensorFreshnessTimeoutS)
        let upLimit = setPointN + rampUpNPerS * rateDt
        if target > upLimit + Self.forceSlackN { target = upLimit; clampReason = .rampUpTooFast }
        let downLimit = setPointN - rampDownNPerS * rateDt
        if target < downLimit - Self.forceSlackN { target = downLimit; clampReason = .rampDownTooFast }

        // Protocol phases.
        switch phase {
        case .rest:
            let threshold = restFraction * lastPullPeakN
            if target > threshold + Self.forceSlackN {
                if cyclesStarted >= maxCycles {
                    rampDown = rampDown ?? .cycleLimitExceeded
                } else if !initialRest, t - phaseStartS < minRestS {
                    target = max(min(target, threshold), 0)
                    clampReason = .restTooShort
                } else {
                    phase = .pull
                    phaseStartS = t
                    cyclesStarted += 1
                    pullPeakN = target
                }
            }
        case .pull:
            pullPeakN = max(pullPeakN, target)
            if target <= restFraction * pullPeakN + Self.forceSlackN {
                if t - phaseStartS < minHoldS {
                    rampDown = rampDown ?? .holdTooShort
                } else {
                    phase = .rest
                    phaseStartS = t
                    lastPullPeakN = pullPeakN
                    initialRest = false
                }
            } else if t - phaseStartS > maxHoldS {
                rampDown = rampDown ?? .holdTooLong
            }
        }

        if let reason = rampDown {
            setPointN = max(min(c, setPointN), setPointN - rampDownNPerS * dt)
            latched = .rampDownAndStop(reason)
            return finish(.rampDownAndStop(reason), t, c, m)
        }
        setPointN = target
        let decision: EnvelopeDecision = clampReason.map { .clamp(toN: target, reason: $0) } ?? .continue
        if aboveSoft, ack, target > softMaxN + Self.forceSlackN {
            if !inAcknowledgedExcursion {
                inAcknowledgedExcursion = true
                log(kind: .softLimitExcursionAcknowledged, decision, t, c, m)
            }
        } else {
            inAcknowledgedExcursion = false
        }
        return finish(decision, t, c, m)
    }

    private mutating func stop(_ reason: StopReason, _ t: Double, _ c: Double, _ m: Double) -> EnvelopeDecision {
        latched = .stopNow(reason)
        if t.isFinite, t > lastTimeS { lastTimeS = t }
        return finish(.stopNow(reason), t, c, m)
    }

    private mutating func finish(_ decision: EnvelopeDecision, _ t: Double, _ c: Double, _ m: Double) -> EnvelopeDecision {
        if decision != .continue {
            log(kind: .decision, decision, t, c, m)
            previousSampleLogged = true
        } else {
            previousSampleLogged = false
        }
        return decision
    }

    private static func sameCase(_ a: EnvelopeDecision, _ b: EnvelopeDecision) -> Bool {
        switch (a, b) {
        case (.continue, .continue): return true
        case (.clamp(_, let r), .clamp(_, let s)): return r == s
        case (.rampDownAndStop(let r), .rampDownAndStop(let s)): return r == s
        case (.stopNow(let r), .stopNow(let s)): return r == s
        default: return false
        }
    }

    private mutating func log(kind: EnvelopeEvent.Kind, _ decision: EnvelopeDecision, _ t: Double, _ c: Double, _ m: Double) {
        if kind == .decision, previousSampleLogged, ringCount > 0 {
            let last = (ringNext - 1 + ring.count) % ring.count
            if ring[last].kind == .decision, Self.sameCase(ring[last].decision, decision) {
                ring[last].repeatCount += 1
                ring[last].lastTimeS = t
                return
            }
        }
        ring[ringNext] = EnvelopeEvent(kind: kind, decision: decision, timeS: t, lastTimeS: t, repeatCount: 1, commandedN: c, measuredN: m,
                                       limitsDigest: limitsDigest)
        ringNext = (ringNext + 1) % ring.count
        ringCount = min(ringCount + 1, ring.count)
        totalEvents += 1
    }
}
