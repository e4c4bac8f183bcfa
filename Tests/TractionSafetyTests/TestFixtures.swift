import Foundation
@testable import TractionSafety

/// Shared inputs for the TractionSafety tests: a fixed signing key, a 70 kg lumbar patient, a
/// device, a prescription and monitoring settings, and helpers to sign and mutate documents.
enum Fixtures {
    /// A fixed test key (seed bytes 1…32). Never used outside tests.
    static let key = try! LimitsSigningKey(rawRepresentation: Array(1...32))
    /// Another key, not trusted by the expectations.
    static let otherKey = try! LimitsSigningKey(rawRepresentation: Array(101...132))

    /// 2026-11-25T00:00:00Z.
    static let createdAt = 1_795_564_800.0
    static let validity = 7 * 86_400.0
    static let level = SpinalLevel("L4-L5")!

    static let patient = PatientAssessment(bodyMassKg: 70, region: .lumbar, level: level, boneDensity: .tScore(0),
                                           conditions: [], spondylolisthesisGrade: 0, monthsSinceSpinalSurgery: nil)
    static let device = DeviceRating(deviceId: "TestTable-1", maxForceN: 900, maxRampUpNPerS: 50, maxRampDownNPerS: 100,
                                     minAngleDeg: 0, maxAngleDeg: 30)
    static let prescription = SessionPrescription(softMaxForceN: 300, minHoldS: 30, maxHoldS: 75, minRestS: 20, maxCycles: 15,
                                                  maxSessionS: 1500, restForceFractionMax: 0.5, minAngleDeg: 0, maxAngleDeg: 20)
    static let monitoring = MonitoringSettings(trackingToleranceN: 15, trackingToleranceDurationS: 1, overshootN: 10, overshootDurationS: 0.5,
                                               sensorFreshnessTimeoutS: 0.5, frozenSensorTimeoutS: 1, frozenSensorMinCommandChangeN: 5)
    /// A ligament-strain limit from the spine model: 400 N at half the PLL failure load margin.
    static let modelLimits = [LimitCandidate(.maxForceN, 400, kind: .modelCriterion, criterion: "model.ligamentStrain.PLL", marginFraction: 0.5)]

    /// A split table with a thoraco-pelvic harness.
    static let configuration = TractionConfiguration(surface: .splitTable, harness: .thoracoPelvic)
    /// A supine head halter (the configuration of the cervical tests).
    static let cervicalConfiguration = TractionConfiguration(surface: .supine, harness: .headHalter)
    /// A stand-in model digest (the model limits above come from a test model).
    static let modelDigest = String(repeating: "ab", count: 32)

    static let inputs = LimitsBuilder.Inputs(patient: patient, configuration: configuration, device: device, prescription: prescription,
                                             modelLimits: modelLimits, modelId: "test-model-1", modelDigestSHA256: modelDigest,
                                             surrogateDigestSHA256: Provenance.none, monitoring: monitoring, createdAtUnixS: createdAt,
                                             validityS: validity)

    static var document: ForceSafetyLimits { try! LimitsBuilder.build(inputs) }
    static var signed: [UInt8] { try! LimitsSigner.sign(document, with: key) }

    static let ceilings = ControllerCeilings(maxForceN: 1000, maxRampUpNPerS: 100, maxRampDownNPerS: 200, maxHoldS: 600,
                                             maxSessionS: 3600, maxCycles: 50)
    static var expectations: ControllerExpectations {
        ControllerExpectations(trustedKeys: [key.publicKey], ceilings: ceilings, region: .lumbar, level: level,
                               configuration: configuration, inputsDigestSHA256: inputs.digestSHA256, nowUnixS: createdAt + 3600)
    }

    static var loaded: LoadedLimits { try! LimitsLoader.load(signed, expecting: expectations) }

    /// Loads `bytes`, returning the refusal (nil if it loaded).
    static func refusal(_ bytes: [UInt8], _ e: ControllerExpectations = expectations) -> LimitsRefusal? {
        do { _ = try LimitsLoader.load(bytes, expecting: e); return nil } catch { return error }
    }

    /// Signs a modified copy of the document's JSON tree with the trusted key.
    static func resigned(_ modify: (inout JSONValue) -> Void) -> [UInt8] {
        var tree = document.jsonValue
        modify(&tree)
        return LimitsSigner.signJSON(tree, with: key)
    }

    /// An envelope on a document modified before signing.
    static func envelope(_ modify: (inout ForceSafetyLimits) -> Void = { _ in }) -> TractionEnvelope {
        var d = document
        modify(&d)
        let bytes = try! LimitsSigner.sign(d, with: key)
        return TractionEnvelope(limits: try! LimitsLoader.load(bytes, expecting: expectations))
    }
}

extension JSONValue {
    /// Every member path of every object in the tree (arrays are not descended), depth first.
    var memberPaths: [[String]] {
        guard case .object(let m) = self else { return [] }
        return m.keys.sorted().flatMap { k in [[k]] + m[k]!.memberPaths.map { [k] + $0 } }
    }

    /// The tree with the member at `path` removed.
    mutating func remove(_ path: [String]) {
        guard case .object(var m) = self, let first = path.first else { return }
        if path.count == 1 { m[first] = nil } else { m[first]!.remove(Array(path.dropFirst())) }
        self = .object(m)
    }

    /// The tree with the member at `path` set to `value`.
    mutating func set(_ path: [String], _ value: JSONValue) {
        guard case .object(var m) = self, let first = path.first else { return }
        if path.count == 1 { m[first] = value } else { m[first, default: .object([:])].set(Array(path.dropFirst()), value) }
        self = .object(m)
    }
}

/// One row of a trace CSV.
struct TraceRow {
    var timeS: Double
    var commandedN: Double
    var measuredN: Double
    var sensorTimeS: Double
}

/// Reads `Traces/<name>.csv` from the test bundle.
func readTrace(_ name: String) throws -> [TraceRow] {
    guard let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Traces") else {
        throw CocoaError(.fileNoSuchFile)
    }
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
    return try lines.map { line in
        let f = line.split(separator: ",").map { Double($0) }
        guard f.count == 4, let t = f[0], let c = f[1], let m = f[2], let s = f[3] else { throw CocoaError(.fileReadCorruptFile) }
        return TraceRow(timeS: t, commandedN: c, measuredN: m, sensorTimeS: s)
    }
}
