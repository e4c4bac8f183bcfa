import Foundation
import PropertyBased
import Testing
@testable import TractionSafety

/// Property: every document the chain can produce (random builder inputs, including monitoring
/// settings anywhere in their ranges, that the builder accepts) loads, and never disables a stop:
/// a dead load cell, a stuck reading, a tracking error and an overshoot each stop the session
/// within their documented time (``LimitsRanges``), and within the table's absolute bounds.
@Suite("Random valid documents never disable a stop")
struct StopsPropertyTests {
    /// SplitMix64, so a failing seed reproduces.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform(_ r: ClosedRange<Double>) -> Double { Double.random(in: r, using: &self) }
    }

    /// Sample period of the replays, s.
    static let dt = 0.01

    /// Random builder inputs from `seed` (monitoring anywhere in the table's ranges).
    static func inputs(seed: UInt64) -> LimitsBuilder.Inputs {
        var g = Rng(state: seed)
        let cervical = g.next() % 2 == 0
        let levels = SpinalLevel.all.filter { $0.region == (cervical ? .cervical : .lumbar) }
        let level = SpinalLevel(levels[Int(g.next() % UInt64(levels.count))].text)!
        let patient = PatientAssessment(bodyMassKg: g.uniform(40...150), region: cervical ? .cervical : .lumbar, level: level,
                                        boneDensity: g.next() % 3 == 0 ? .notAssessed : .tScore(g.uniform(-2...2)),
                                        conditions: [], spondylolisthesisGrade: 0, monthsSinceSpinalSurgery: nil)
        let device = DeviceRating(deviceId: "PropTable", maxForceN: g.uniform(200...1500), maxRampUpNPerS: g.uniform(10...1000),
                                  maxRampDownNPerS: g.uniform(10...1000), minAngleDeg: 0, maxAngleDeg: 90)
        let rx = SessionPrescription(softMaxForceN: g.uniform(100...1000), minHoldS: g.uniform(5...30), maxHoldS: g.uniform(30...120),
                                     minRestS: g.uniform(5...60), maxCycles: Int(g.next() % 30) + 1, maxSessionS: g.uniform(600...3600),
                                     restForceFractionMax: g.uniform(0...1), minAngleDeg: cervical ? 15 : 0, maxAngleDeg: cervical ? 25 : 20)
        var monitoring = MonitoringSettings(trackingToleranceN: 0, trackingToleranceDurationS: 0, overshootN: 0, overshootDurationS: 0,
                                            sensorFreshnessTimeoutS: 0, frozenSensorTimeoutS: 0, frozenSensorMinCommandChangeN: 0)
        for (name, range, _) in LimitsRanges.monitoringValues {
            // Half the draws at an end of the range (the boundary cases), half inside.
            let x: Double
            switch g.next() % 4 {
            case 0: x = range.lowerBound
            case 1: x = range.upperBound
            default: x = g.uniform(range)
            }
            monitoring[keyPath: MonitoringSettings.fields.first { $0.name == name }!.keyPath] = x
        }
        let configuration = cervical ? TractionConfiguration(surface: .supine, harness: .headHalter)
                                     : TractionConfiguration(surface: .splitTable, harness: .thoracoPelvic)
        return LimitsBuilder.Inputs(patient: patient, configuration: configuration, device: device, prescription: rx, modelLimits: [],
                                    modelId: "prop-\(seed % 1000)", modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none,
                                    monitoring: monitoring, createdAtUnixS: g.uniform(LimitsRanges.plausibleUnixS.lowerBound...4.0e9),
                                    validityS: g.uniform(3600...LimitsRanges.maxValidityS))
    }

    /// The loaded document for `seed`, or nil when the builder refuses the inputs.
    static func loaded(seed: UInt64) throws -> LoadedLimits? {
        let i = inputs(seed: seed)
        guard let d = try? LimitsBuilder.build(i) else { return nil }
        let ceilings = ControllerCeilings(maxForceN: 1500, maxRampUpNPerS: 1000, maxRampDownNPerS: 1000, maxHoldS: 3600, maxSessionS: 3600,
                                          maxCycles: 1000)
        let e = ControllerExpectations(trustedKeys: [Fixtures.key.publicKey], ceilings: ceilings, region: d.region, level: d.level,
                                       configuration: d.configuration, inputsDigestSHA256: i.digestSHA256, nowUnixS: i.createdAtUnixS + 1)
        // A document the builder produced and the signer signed must load: the same table.
        return try LimitsLoader.load(try LimitsSigner.sign(d, with: Fixtures.key), expecting: e)
    }

    /// Replays samples from `sample(t, accepted)` = (commanded, measured, sensor time) every `dt`
    /// from 0 to `until`, where `accepted` is the set-point the envelope accepted on the previous
    /// sample (what the actuator applies); returns the time and decision of the first stop, or nil.
    static func firstStop(_ l: LoadedLimits, until: Double, _ sample: (Double, Double) -> (Double, Double, Double)) -> (Double, EnvelopeDecision)? {
        var env = TractionEnvelope(limits: l, eventCapacity: 8)
        var k = 0
        while Double(k) * dt <= until {
            let t = Double(k) * dt
            let (c, m, st) = sample(t, env.acceptedSetPointN)
            let d = env.check(timeS: t, commandedN: c, measuredN: m, sensorTimeS: st)
            switch d {
            case .stopNow, .rampDownAndStop: return (t, d)
            default: break
            }
            k += 1
        }
        return nil
    }

    @Test func everyProducibleDocumentKeepsEveryStop() async throws {
        let built = Counter()
        await propertyCheck(count: 400, input: Gen.int(in: 0...Int(Int32.max))) { seedInt in
            let seed = UInt64(seedInt)
            let loaded: LoadedLimits?
            do { loaded = try Self.loaded(seed: seed) } catch {
                Issue.record("seed \(seed): the builder produced a document the loader refuses: \(error)"); return
            }
            guard let l = loaded else { return }
            built.increment()
            let d = l.document, m = d.monitoring
            let soft = d.limits.softMaxForceN.value, hard = d.limits.maxForceN.value
            // Commanded ramp: half the allowed rate, which the envelope applies over
            // min(dt, sensorFreshnessTimeoutS) per sample; so no sample is clamped.
            let rate = 0.5 * d.limits.maxRampUpNPerS.value * min(1, m.sensorFreshnessTimeoutS / Self.dt)
            // The hold level is reached within 5 s, so the replays end long before the shortest
            // allowed pull (≥ 30 s here) could end them for another reason.
            let level = min(soft, 5 * rate)
            let rampEnd = level / rate
            func command(_ t: Double) -> Double { min(rate * t, level) }
            // Three samples: detection on the next sample, the set-point the rules compare with
            // lags one sample, and the sample grid.
            let slack = 3 * Self.dt

            // 1. Dead load cell: reading and timestamp stop at t0 (mid-ramp); a healthy cell reads
            //    the applied set-point.
            let t0 = 0.5 * rampEnd
            var stuckReading: Double?
            let stale = Self.firstStop(l, until: t0 + 3) { t, applied in
                if t >= t0, stuckReading == nil { stuckReading = applied }
                return (command(t), stuckReading ?? applied, min(t, t0))
            }
            #expect(stale != nil && stale!.0 >= t0 && stale!.0 <= t0 + min(m.sensorFreshnessTimeoutS, 1) + slack,
                    "seed \(seed) stale \(String(describing: stale))")

            // 2. Stuck reading (timestamp advancing) from the start while the set-point ramps:
            //    the frozen rule stops once the set-point moved frozenSensorMinCommandChangeN and the
            //    reading was stuck frozenSensorTimeoutS; another rule may stop first.
            let frozenBound = max(m.frozenSensorMinCommandChangeN / rate, m.frozenSensorTimeoutS) + slack
            let frozen = Self.firstStop(l, until: frozenBound + 1) { t, _ in (min(rate * t, soft), 0, t) }
            #expect(frozen != nil && frozen!.0 <= frozenBound, "seed \(seed) frozen \(String(describing: frozen)) bound \(frozenBound)")

            // 3. Tracking error: after the ramp, the measured force sits tol + 1 N below the set-point.
            let te = rampEnd + 1
            let tracking = Self.firstStop(l, until: te + 3) { t, applied in
                (command(t), t < te ? applied : applied - (m.trackingToleranceN + 1), t)
            }
            #expect(tracking != nil && tracking!.0 >= te && tracking!.0 <= te + min(m.trackingToleranceDurationS, 2) + slack,
                    "seed \(seed) tracking \(String(describing: tracking))")

            // 4a. Measured force above the hard maximum by more than overshootN: stop at once.
            let over = Self.firstStop(l, until: te + 1) { t, applied in
                (command(t), t < te ? applied : hard + m.overshootN + 1, t)
            }
            #expect(over != nil && over!.0 >= te && over!.0 <= te + Self.dt, "seed \(seed) over \(String(describing: over))")
            #expect(over?.1 == .stopNow(.measuredAboveHardMax), "seed \(seed) over \(String(describing: over))")

            // 4b. Sustained overshoot of the set-point by overshootN + 1 N.
            let sustained = Self.firstStop(l, until: te + 2) { t, applied in
                (command(t), t < te ? applied : applied + m.overshootN + 1, t)
            }
            #expect(sustained != nil && sustained!.0 >= te && sustained!.0 <= te + min(m.overshootDurationS, 1) + slack,
                    "seed \(seed) sustained \(String(describing: sustained))")
        }
        // The property is not vacuous: most random inputs give a document (242 of 400 when written).
        #expect(built.value >= 150, "only \(built.value) of 400 random inputs built a document")
    }

    /// Thread-safe counter for the property's statistics.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func increment() { lock.lock(); n += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }
}
