import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction limits`: sign, verify and show force-safety limits documents.
struct LimitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Sign, verify and inspect force-safety limits documents.",
        subcommands: [Build.self, Sign.self, Verify.self, Example.self]
    )

    /// Reads a whole file as bytes.
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        return [UInt8](data)
    }

    /// `limits build`.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an unsigned limits document from builder inputs (patient findings, device, prescription, model limits).",
            discussion: "Prints the inputs digest: the patient digest the controller must expect. `limits example --inputs` prints an inputs file to start from."
        )
        @Option(help: "Builder inputs (JSON).") var inputs: String
        @Option(help: "Where to write the unsigned document.") var output: String

        func run() throws {
            let builderInputs = try LimitsBuilder.Inputs(json: try LimitsCommand.read(inputs))
            let document = try LimitsBuilder.build(builderInputs)
            try Data(document.canonicalUnsignedJSON).write(to: URL(fileURLWithPath: output))
            print("built \(output): blocked \(document.blocked), maxForceN \(document.limits.maxForceN.value) [\(document.limits.maxForceN.criterion)]")
            print("inputs digest \(builderInputs.digestSHA256)")
        }
    }

    /// `limits sign`.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate an unsigned limits document and write its canonical signed form.",
            discussion: "The input may use any whitespace and key order; every field is required and every value is checked first. The output is the exact byte form controllers load (no trailing newline)."
        )
        @Option(help: "Private key file written by `spinetraction keygen` (.key).") var key: String
        @Option(help: "Unsigned limits document (JSON).") var input: String
        @Option(help: "Where to write the signed document.") var output: String

        func run() throws {
            let signingKey = try LimitsSigningKey(hex: String(decoding: try LimitsCommand.read(key), as: UTF8.self))
            let document = try ForceSafetyLimits(unsignedJSON: try LimitsCommand.read(input))
            let signed = try LimitsSigner.sign(document, with: signingKey)
            try Data(signed).write(to: URL(fileURLWithPath: output))
            print("signed \(output): key id \(signingKey.publicKey.keyId), \(signed.count) bytes")
        }
    }

    /// `limits verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a signed limits document's form, signature and values, and print its limits.",
            discussion: "Exit status 0 only if every check passes. With --now-unix-s, also checks creation and expiry time. Prints `refused: <reason> [<field>]: <message>` otherwise."
        )
        @Option(name: .customLong("public-key"), help: "Trusted public key file (.pub); repeat for several.") var publicKeys: [String]
        @Option(help: "Signed limits document.") var document: String
        @Option(name: .customLong("now-unix-s"), help: "Current time, s since 1970-01-01T00:00:00Z, to check validity.") var nowUnixS: Double?

        func run() throws {
            let keys = try publicKeys.map { try TrustedPublicKey(hex: String(decoding: try LimitsCommand.read($0), as: UTF8.self)) }
            do {
                let (doc, keyId) = try LimitsLoader.verifiedDocument(try LimitsCommand.read(document), trustedKeys: keys)
                try LimitsValidation.validate(doc)
                if let now = nowUnixS {
                    if !(now >= doc.provenance.createdAtUnixS) { throw LimitsRefusal(.notYetValid, field: "provenance.createdAtUnixS", "created at \(doc.provenance.createdAtUnixS) s, after \(now) s") }
                    if !(now < doc.provenance.expiresAtUnixS) { throw LimitsRefusal(.expired, field: "provenance.expiresAtUnixS", "expired at \(doc.provenance.expiresAtUnixS) s; now \(now) s") }
                }
                print("verified: key id \(keyId)")
                print("region \(doc.region.rawValue), level \(doc.level), blocked \(doc.blocked)\(doc.blocked ? " (" + doc.blockReasons.map(\.rawValue).joined(separator: ", ") + ")" : "")")
                for (name, kp) in Limits.fields {
                    let l = doc.limits[keyPath: kp]
                    print("  \(name) = \(l.value)  [\(l.kind.rawValue): \(l.criterion), margin \(l.marginFraction)]")
                }
                print("inputs digest \(doc.provenance.inputsDigestSHA256)")
                print("created \(doc.provenance.createdAtUnixS) s, expires \(doc.provenance.expiresAtUnixS) s")
            } catch {
                print("refused: \(error)")
                throw ExitCode(2)
            }
        }
    }

    /// `limits example`.
    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an example unsigned limits document (70 kg lumbar patient, L4-L5, clinical caps only), or with --inputs its builder inputs."
        )
        @Option(name: .customLong("created-at-unix-s"), help: "Creation time, s since 1970-01-01T00:00:00Z.") var createdAtUnixS: Double
        @Flag(help: "Print the builder inputs instead of the document.") var inputs = false

        func run() throws {
            let inputs = LimitsBuilder.Inputs(
                patient: PatientAssessment(bodyMassKg: 70, region: .lumbar, level: SpinalLevel("L4-L5")!, boneDensity: .tScore(0),
                                           conditions: [], spondylolisthesisGrade: 0, monthsSinceSpinalSurgery: nil),
                device: DeviceRating(deviceId: "ExampleTable", maxForceN: 900, maxRampUpNPerS: 50, maxRampDownNPerS: 100, minAngleDeg: 0, maxAngleDeg: 30),
                prescription: SessionPrescription(softMaxForceN: 300, minHoldS: 30, maxHoldS: 75, minRestS: 20, maxCycles: 15, maxSessionS: 1500,
                                                  restForceFractionMax: 0.5, minAngleDeg: 0, maxAngleDeg: 20),
                modelLimits: [], modelId: "clinical-only",
                monitoring: MonitoringSettings(trackingToleranceN: 15, trackingToleranceDurationS: 1, overshootN: 10, overshootDurationS: 0.5,
                                               sensorFreshnessTimeoutS: 0.2, frozenSensorTimeoutS: 1, frozenSensorMinCommandChangeN: 5),
                createdAtUnixS: createdAtUnixS, validityS: 7 * 86_400)
            if self.inputs {
                print(String(decoding: inputs.canonicalJSON, as: UTF8.self))
                return
            }
            let document = try LimitsBuilder.build(inputs)
            print(String(decoding: document.canonicalUnsignedJSON, as: UTF8.self))
        }
    }
}

