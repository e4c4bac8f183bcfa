import Testing
import TractionSafety   // not @testable: the README uses only public API

// MARK: - Verbatim from README.md ("For traction-table controller authors")

func makeEnvelope(document: [UInt8], publicKeyHex: String, patientDigest: String,
                  nowUnixS: Double) throws -> TractionEnvelope {
    let expectations = ControllerExpectations(
        trustedKeys: [try TrustedPublicKey(hex: publicKeyHex)],
        ceilings: ControllerCeilings(maxForceN: 1000, maxRampUpNPerS: 100, maxRampDownNPerS: 200,
                                     maxHoldS: 600, maxSessionS: 3600, maxCycles: 50),
        region: .lumbar, level: SpinalLevel("L4-L5")!,
        configuration: TractionConfiguration(surface: .splitTable, harness: .thoracoPelvic),
        inputsDigestSHA256: patientDigest, nowUnixS: nowUnixS)
    let limits = try LimitsLoader.load(document, expecting: expectations)  // throws LimitsRefusal
    return TractionEnvelope(limits: limits)  // one envelope per session
}

protocol TractionActuator {
    mutating func setForce(_ newtons: Double)
    mutating func rampToZeroAndStop()   // at no more than limits.maxRampDownNPerS
    mutating func stopNow()             // the device's safe state
}

func controlTick(_ envelope: inout TractionEnvelope, timeS: Double, desiredN: Double,
                 loadCellN: Double, loadCellTimeS: Double, operatorAcknowledgedSoftLimit: Bool,
                 actuator: inout some TractionActuator) {
    switch envelope.check(timeS: timeS, commandedN: desiredN, measuredN: loadCellN,
                          sensorTimeS: loadCellTimeS,
                          softLimitAcknowledged: operatorAcknowledgedSoftLimit) {
    case .continue: actuator.setForce(desiredN)
    case .clamp(let safeN, _): actuator.setForce(safeN)
    case .rampDownAndStop: actuator.rampToZeroAndStop()
    case .stopNow: actuator.stopNow()
    }
}

// MARK: - The test

struct RecordingActuator: TractionActuator {
    var forces: [Double] = []
    var state = "running"
    mutating func setForce(_ newtons: Double) { forces.append(newtons) }
    mutating func rampToZeroAndStop() { state = "rampingDown" }
    mutating func stopNow() { state = "stopped" }
}

@Suite("README controller example")
struct ReadmeExampleTests {
    @Test func readmeCodeLoadsAndControls() throws {
        var envelope = try makeEnvelope(document: Fixtures.signed, publicKeyHex: Hex.encode(Fixtures.key.publicKey.rawRepresentation),
                                        patientDigest: Fixtures.inputs.digestSHA256, nowUnixS: Fixtures.createdAt + 60)
        var actuator = RecordingActuator()
        // Ramp at 40 N/s (limit 50) for 2 s, then ask for a jump to 300 N (clamped to +50 N/s · 0.1 s = 5 N).
        for k in 0...20 {
            let t = Double(k) * 0.1
            controlTick(&envelope, timeS: t, desiredN: 40 * t, loadCellN: 40 * t, loadCellTimeS: t, operatorAcknowledgedSoftLimit: false, actuator: &actuator)
        }
        controlTick(&envelope, timeS: 2.1, desiredN: 300, loadCellN: 80, loadCellTimeS: 2.1, operatorAcknowledgedSoftLimit: false, actuator: &actuator)
        #expect(actuator.forces.count == 22)
        #expect(abs(actuator.forces[20] - 80) < 1e-9)
        #expect(abs(actuator.forces[21] - 85) < 1e-6)            // 80 N + 50 N/s × 0.1 s
        // A stale load cell (timestamp stuck at 2.1 s; 0.6 s > 0.5 s at t = 2.7 s) stops the actuator.
        for t in [2.3, 2.5, 2.7, 2.9] {
            controlTick(&envelope, timeS: t, desiredN: 85, loadCellN: 85, loadCellTimeS: 2.1, operatorAcknowledgedSoftLimit: false, actuator: &actuator)
        }
        #expect(actuator.state == "stopped")
        let events = envelope.events
        #expect(events.count == 2)
        if case .clamp(let to, .rampUpTooFast) = events[0].decision { #expect(abs(to - 85) < 1e-6 && events[0].timeS == 2.1) } else {
            Issue.record("first event \(events[0].decision)")
        }
        #expect(events[1].decision == .stopNow(.staleSensor) && events[1].timeS == 2.7 && events[1].repeatCount == 2)   // 2.7 s and 2.9 s
        #expect(envelope.events.allSatisfy { $0.limitsDigest == envelope.limitsDigest })
    }

    @Test func readmeCodeRefusesAWrongPatient() {
        #expect(throws: LimitsRefusal.self) {
            _ = try makeEnvelope(document: Fixtures.signed, publicKeyHex: Hex.encode(Fixtures.key.publicKey.rawRepresentation),
                                 patientDigest: String(repeating: "a", count: 64), nowUnixS: Fixtures.createdAt + 60)
        }
    }
}
