import Benchmark
import TractionSafety

/// One `TractionEnvelope.check` call: must cost < 1 µs and allocate nothing (issue 5).
///
/// Each benchmark iteration creates an envelope (outside the measurement) and feeds it 1000
/// samples at 1 kHz; results are per `check` call (scaling factor 1000).
let benchmarks: @Sendable () -> Void = {
    let loaded = EnvelopeFixture.loaded
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )

    // The common path: a ramp within every limit, each call answers `continue`.
    Benchmark("TractionEnvelope.check (continue, 1 kHz ramp)", configuration: config) { benchmark in
        var envelope = TractionEnvelope(limits: loaded)
        var t = 0.0
        var c = 0.0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let measured = c - 0.01
            let d = envelope.check(timeS: t, commandedN: c, measuredN: measured, sensorTimeS: t)
            blackHole(d)
            t += 0.001
            c += 0.02                      // 20 N/s < 50 N/s
        }
        benchmark.stopMeasurement()
        precondition(envelope.totalEvents == 0, "the ramp must pass untouched")
    }

    // Unscaled: one iteration = 1000 calls, so a single malloc anywhere in 1000 calls shows as ≥ 1
    // (with the scaled benchmarks above, counts are divided by 1000).
    Benchmark("TractionEnvelope.check ×1000 (unscaled malloc proof)",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3))) { benchmark in
        var envelope = TractionEnvelope(limits: loaded)
        var t = 0.0
        var c = 0.0
        benchmark.startMeasurement()
        for _ in 0..<1000 {
            blackHole(envelope.check(timeS: t, commandedN: c, measuredN: c - 0.01, sensorTimeS: t))
            blackHole(envelope.check(timeS: t + 0.0005, commandedN: 400, measuredN: c, sensorTimeS: t + 0.0005))   // clamp + log
            t += 0.001
            c += 0.02
        }
        benchmark.stopMeasurement()
        precondition(envelope.totalEvents >= 1)
    }

    // Control: proves the malloc counter is live (expects 1 per iteration).
    Benchmark("Control: one Array allocation", configuration: .init(metrics: [.mallocCountTotal], maxDuration: .seconds(1))) { benchmark in
        benchmark.startMeasurement()
        blackHole([Double](repeating: 1, count: 64 + Int.random(in: 0...1)))
        benchmark.stopMeasurement()
    }

    // The logging path: every call is clamped (commanded far above the ramp limit) and logged.
    Benchmark("TractionEnvelope.check (clamp + event log)", configuration: config) { benchmark in
        var envelope = TractionEnvelope(limits: loaded)
        var t = 0.0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let d = envelope.check(timeS: t, commandedN: 300, measuredN: envelope.acceptedSetPointN + 0.001 * t, sensorTimeS: t)
            blackHole(d)
            t += 0.001
        }
        benchmark.stopMeasurement()
        precondition(envelope.totalEvents >= 1, "clamps must be logged")
    }
}

/// A signed and loaded document (70 kg lumbar patient, test key) built with the public API.
enum EnvelopeFixture {
    static let loaded: LoadedLimits = {
        let key = try! LimitsSigningKey(rawRepresentation: Array(1...32))
        let level = SpinalLevel("L4-L5")!
        let inputs = LimitsBuilder.Inputs(
            patient: PatientAssessment(bodyMassKg: 70, region: .lumbar, level: level, boneDensity: .tScore(0), conditions: [],
                                       spondylolisthesisGrade: 0, monthsSinceSpinalSurgery: nil),
            configuration: TractionConfiguration(surface: .splitTable, harness: .thoracoPelvic),
            device: DeviceRating(deviceId: "BenchTable", maxForceN: 900, maxRampUpNPerS: 50, maxRampDownNPerS: 100, minAngleDeg: 0, maxAngleDeg: 30),
            prescription: SessionPrescription(softMaxForceN: 300, minHoldS: 30, maxHoldS: 75, minRestS: 20, maxCycles: 15, maxSessionS: 1500,
                                              restForceFractionMax: 0.5, minAngleDeg: 0, maxAngleDeg: 20),
            modelLimits: [], modelId: "bench", modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none,
            monitoring: MonitoringSettings(trackingToleranceN: 15, trackingToleranceDurationS: 1, overshootN: 10, overshootDurationS: 0.5,
                                           sensorFreshnessTimeoutS: 0.2, frozenSensorTimeoutS: 1, frozenSensorMinCommandChangeN: 5),
            createdAtUnixS: 1_795_564_800, validityS: 86_400)
        let signed = try! LimitsSigner.sign(try! LimitsBuilder.build(inputs), with: key)
        let expectations = ControllerExpectations(
            trustedKeys: [key.publicKey],
            ceilings: ControllerCeilings(maxForceN: 1000, maxRampUpNPerS: 100, maxRampDownNPerS: 200, maxHoldS: 600, maxSessionS: 3600, maxCycles: 50),
            region: .lumbar, level: level, configuration: inputs.configuration, inputsDigestSHA256: inputs.digestSHA256, nowUnixS: 1_795_564_900)
        return try! LimitsLoader.load(signed, expecting: expectations)
    }()
}
