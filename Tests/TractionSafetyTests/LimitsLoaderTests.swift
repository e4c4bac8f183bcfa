import Foundation
import Testing
@testable import TractionSafety

@Suite("Fail-closed loading")
struct LimitsLoaderTests {
    @Test func validDocumentLoadsWithItsValues() throws {
        let loaded = try LimitsLoader.load(Fixtures.signed, expecting: Fixtures.expectations)
        // Reference: clinical cap 0.5 × 70 kg × 9.80665 m/s² = 343.23275 N (below model 400 N, device 900 N).
        #expect(abs(loaded.document.limits.maxForceN.value - 343.23275) < 1e-9)
        #expect(loaded.document.limits.maxForceN.criterion == "clinical.lumbar.halfBodyWeight")
        #expect(loaded.keyId == Fixtures.key.publicKey.keyId)
        // Digest = SHA-256 of the exact bytes; reference: the system's sha256sum on the same bytes.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ts-digest-\(getpid()).json")
        try Data(Fixtures.signed).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [file.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(String(out.prefix(64)) == loaded.digest.description)
    }

    @Test func keyIdIsFirst16HexOfSHA256OfPublicKey() {
        // Reference computed with `openssl`-independent path: the RFC 8032 test vector 1 public key.
        let pk = Hex.decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")!
        let key = try! TrustedPublicKey(rawRepresentation: pk)
        // sha256(d75a…511a) = 21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9 (computed with sha256sum).
        #expect(key.keyId == "21fe31dfa154a261")
    }

    @Test func everySingleByteTamperIsRefused() {
        let signed = Fixtures.signed
        var reasons: [RefusalReason: Int] = [:]
        for position in signed.indices {
            for flip: UInt8 in position % 5 == 0 ? [0x01, 0x20, 0x80] : [0x01] {
                var tampered = signed
                tampered[position] ^= flip
                let r = Fixtures.refusal(tampered)
                #expect(r != nil, "byte \(position) ^ \(flip) was accepted")
                if let r { reasons[r.reason, default: 0] += 1 }
            }
        }
        // Every refusal is one of the integrity reasons, never a value check.
        let integrity: Set<RefusalReason> = [.malformedJSON, .nonCanonical, .badSignature, .unknownKey, .malformedSignature, .missingSignature]
        #expect(Set(reasons.keys).isSubset(of: integrity), "\(reasons)")
        #expect((reasons[.badSignature] ?? 0) > 0)
    }

    @Test func appendedWhitespaceOrReorderedKeysAreRefused() {
        #expect(Fixtures.refusal(Fixtures.signed + [0x0A])?.reason == .nonCanonical)
        #expect(Fixtures.refusal([0x20] + Fixtures.signed)?.reason == .nonCanonical)
    }

    @Test func wrongKeyAndUnknownKeyAreRefused() throws {
        let byOther = try LimitsSigner.sign(Fixtures.document, with: Fixtures.otherKey)
        #expect(Fixtures.refusal(byOther)?.reason == .unknownKey)
        // Other key's signature under the trusted key's id: bad signature.
        var tree = try StrictJSONParser.parse(byOther)
        tree.set(["signature", "keyId"], .string(Fixtures.key.publicKey.keyId))
        #expect(Fixtures.refusal(CanonicalJSON.encode(tree))?.reason == .badSignature)
        var noKeys = Fixtures.expectations
        noKeys.trustedKeys = []
        #expect(Fixtures.refusal(Fixtures.signed, noKeys)?.reason == .unknownKey)
    }

    @Test func signatureProblems() throws {
        var tree = try StrictJSONParser.parse(Fixtures.signed)
        tree.remove(["signature"])
        #expect(Fixtures.refusal(CanonicalJSON.encode(tree))?.reason == .missingSignature)
        for bad: JSONValue in [.string("x"), .object(["algorithm": .string("RSA")]), .null] {
            var t = try StrictJSONParser.parse(Fixtures.signed)
            t.set(["signature"], bad)
            #expect(Fixtures.refusal(CanonicalJSON.encode(t))?.reason == .malformedSignature)
        }
    }

    @Test func expiryAndCreationTime() {
        let d = Fixtures.document
        var e = Fixtures.expectations
        e.nowUnixS = d.provenance.expiresAtUnixS - 1e-3          // just before expiry
        #expect(Fixtures.refusal(Fixtures.signed, e) == nil)
        e.nowUnixS = d.provenance.expiresAtUnixS                 // at expiry: expired
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .expired)
        e.nowUnixS = d.provenance.expiresAtUnixS + 1
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .expired)
        e.nowUnixS = d.provenance.createdAtUnixS                 // at creation: valid
        #expect(Fixtures.refusal(Fixtures.signed, e) == nil)
        e.nowUnixS = d.provenance.createdAtUnixS - 1             // before creation
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .notYetValid)
        e.nowUnixS = .nan
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .notYetValid)
    }

    @Test func everyMissingFieldIsRefusedByName() {
        let paths = Fixtures.document.jsonValue.memberPaths
        #expect(paths.count == 9 + 2 + 2 + 12 * (1 + 4) + 7 + 7)  // every member the schema defines
        for path in paths {
            let bytes = Fixtures.resigned { $0.remove(path) }
            let r = Fixtures.refusal(bytes)
            #expect(r?.reason == .missingField, "removing \(path) gave \(String(describing: r))")
            #expect(r?.field == path.joined(separator: "."))
        }
    }

    @Test func everyUnknownFieldIsRefused() {
        let objectPaths = [[], ["schemaVersion"], ["configuration"], ["limits"], ["limits", "maxForceN"], ["monitoring"], ["provenance"]]
        for p in objectPaths {
            let bytes = Fixtures.resigned { $0.set(p + ["extraN"], .number(1)) }
            let r = Fixtures.refusal(bytes)
            #expect(r?.reason == .unknownField, "\(p): \(String(describing: r))")
            #expect(r?.field == (p + ["extraN"]).joined(separator: "."))
        }
    }

    @Test func wrongTypesAreRefused() {
        for (path, value) in [(["region"], JSONValue.string("thoracic")), (["blocked"], .number(0)), (["level"], .string("L4/L5")),
                              (["limits", "maxForceN", "value"], .string("300")), (["limits", "maxForceN", "kind"], .string("guess")),
                              (["schemaVersion", "minor"], .number(0.5)), (["blockReasons"], .array([.string("headache")])),
                              (["configuration", "surface"], .string("hanging")), (["configuration", "harness"], .number(1)),
                              (["provenance", "modelDigestSHA256"], .number(0))] {
            let r = Fixtures.refusal(Fixtures.resigned { $0.set(path, value) })
            #expect(r?.reason == .wrongType, "\(path): \(String(describing: r))")
        }
    }

    @Test func unsupportedMajorVersionButNewerMinorAccepted() {
        // Schema 1 documents (no configuration) and a future major version are both refused.
        #expect(Fixtures.refusal(Fixtures.resigned { $0.set(["schemaVersion", "major"], .number(1)) })?.reason == .unsupportedMajorVersion)
        #expect(Fixtures.refusal(Fixtures.resigned { $0.set(["schemaVersion", "major"], .number(3)) })?.reason == .unsupportedMajorVersion)
        #expect(Fixtures.refusal(Fixtures.resigned { $0.set(["schemaVersion", "major"], .number(0)) })?.reason == .unsupportedMajorVersion)
        #expect(Fixtures.refusal(Fixtures.resigned { $0.set(["schemaVersion", "minor"], .number(7)) }) == nil)
    }

    @Test func nonFiniteAndNegativeValuesAreRefused() throws {
        // In JSON text: an overflowing literal (→ ∞) and NaN/Infinity tokens.
        let text = String(decoding: Fixtures.signed, as: UTF8.self)
        let hard = CanonicalJSON.numberText(Fixtures.document.limits.maxForceN.value)
        for replacement in ["1e999", "-1e999", "NaN", "Infinity"] {
            let bytes = Array(text.replacingOccurrences(of: "\"value\":\(hard)", with: "\"value\":\(replacement)").utf8)
            let r = Fixtures.refusal(bytes)
            #expect(r?.reason == (replacement.hasSuffix("1e999") ? .nonFiniteValue : .malformedJSON), "\(replacement): \(String(describing: r))")
        }
        // In a decoded document (what a buggy builder could produce): validation names the field.
        for (name, kp) in Limits.fields {
            for bad in [Double.nan, .infinity, -.infinity] {
                var d = Fixtures.document
                d.limits[keyPath: kp].value = bad
                #expect(throws: LimitsRefusal(.nonFiniteValue, field: "limits.\(name).value", "limits.\(name).value = \(bad) is not a finite number")) {
                    try LimitsValidation.validate(d)
                }
            }
            var d = Fixtures.document
            d.limits[keyPath: kp].value = -1
            let r = Fixtures.refusal(try LimitsSignerBypass.sign(d))
            #expect(r?.reason == .negativeValue && r?.field == "limits.\(name).value", "\(name): \(String(describing: r))")
        }
        for (name, kp) in MonitoringSettings.fields {
            var d = Fixtures.document
            d.monitoring[keyPath: kp] = -0.5
            let r = Fixtures.refusal(try LimitsSignerBypass.sign(d))
            #expect(r?.reason == .negativeValue && r?.field == "monitoring.\(name)")
        }
    }

    @Test func inconsistentValuesAreRefused() throws {
        var d = Fixtures.document
        d.limits.minHoldS.value = d.limits.maxHoldS.value + 1e-6
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .minAboveMax)
        d = Fixtures.document
        d.limits.minHoldS.value = d.limits.maxHoldS.value          // equal: fine
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d)) == nil)
        d = Fixtures.document
        d.limits.minAngleDeg.value = 25
        d.limits.maxAngleDeg.value = 20
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .minAboveMax)
        d = Fixtures.document
        d.limits.softMaxForceN.value = d.limits.maxForceN.value + 0.001
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .softAboveHard)
        d = Fixtures.document
        d.limits.softMaxForceN.value = d.limits.maxForceN.value      // equal: fine
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d)) == nil)
        d = Fixtures.document
        d.limits.restForceFractionMax.value = 1.01
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .invalidValue)
        d = Fixtures.document
        d.limits.maxForceN.value = 0
        d.limits.softMaxForceN.value = 0
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .invalidValue)
        d = Fixtures.document
        d.limits.maxCycles.value = 1e300                              // would trap an Int conversion
        var e = Fixtures.expectations
        e.ceilings.maxCycles = .infinity
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d), e)?.reason == .invalidValue)
        d = Fixtures.document
        d.limits.maxCycles.value = 14.5
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .invalidValue)
        d = Fixtures.document
        d.provenance.expiresAtUnixS = d.provenance.createdAtUnixS
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .minAboveMax)
        d = Fixtures.document
        d.blocked = true
        #expect(Fixtures.refusal(try LimitsSignerBypass.sign(d))?.reason == .invalidValue)
    }

    @Test func controllerCeilingsAtAndAbove() throws {
        // Ceiling exactly at the document's value passes; 1 µN less is refused.
        let hard = Fixtures.document.limits.maxForceN.value
        var e = Fixtures.expectations
        e.ceilings.maxForceN = hard
        #expect(Fixtures.refusal(Fixtures.signed, e) == nil)
        e.ceilings.maxForceN = hard - 1e-6
        let r = Fixtures.refusal(Fixtures.signed, e)
        #expect(r?.reason == .aboveControllerCeiling && r?.field == "limits.maxForceN.value")
        for (kp, field) in [(\ControllerCeilings.maxRampUpNPerS, "limits.maxRampUpNPerS.value"),
                            (\.maxRampDownNPerS, "limits.maxRampDownNPerS.value"), (\.maxHoldS, "limits.maxHoldS.value"),
                            (\.maxSessionS, "limits.maxSessionS.value"), (\.maxCycles, "limits.maxCycles.value")] {
            var e2 = Fixtures.expectations
            e2.ceilings[keyPath: kp] = 1
            #expect(Fixtures.refusal(Fixtures.signed, e2)?.field == field)
        }
    }

    @Test func poundsWrittenAsNewtonsAreCaughtByTheCeiling() throws {
        // A writer that took the 343.2 N limit for a value in lbf and "converted" it to newtons
        // (× 4.448 N/lbf) writes 1526.8 N: validly signed, self-consistent, but above the
        // controller's compiled-in 1000 N ceiling, so refused.
        // 1526.8 N is also above the document table's 1500 N bound, which refuses it first.
        var d = Fixtures.document
        let lbf = ClinicalCaps.newtonsPerPoundForce
        d.limits.maxForceN.value = d.limits.maxForceN.value * lbf   // 1526.8 N
        d.limits.softMaxForceN.value = d.limits.softMaxForceN.value * lbf
        let table = Fixtures.refusal(try LimitsSignerBypass.sign(d))
        #expect(table?.reason == .invalidValue && table?.field == "limits.maxForceN.value")
        // A 250 N limit taken for lbf: 1112 N, inside the table, above the 1000 N ceiling.
        d.limits.maxForceN.value = 250 * lbf
        d.limits.softMaxForceN.value = 200 * lbf
        let r = Fixtures.refusal(try LimitsSignerBypass.sign(d))
        #expect(r?.reason == .aboveControllerCeiling)
        #expect(r?.field == "limits.maxForceN.value")
    }

    @Test func regionLevelAndPatientMismatches() {
        var e = Fixtures.expectations
        e.region = .cervical
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .regionMismatch)
        e = Fixtures.expectations
        e.level = SpinalLevel("L5-S1")!
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .levelMismatch)
        e = Fixtures.expectations
        e.inputsDigestSHA256 = String(repeating: "0", count: 64)
        #expect(Fixtures.refusal(Fixtures.signed, e)?.reason == .patientDigestMismatch)
    }

    @Test func blockedDocumentIsRefused() throws {
        var inputs = Fixtures.inputs
        inputs.patient.conditions = [.pregnancy]
        let d = try LimitsBuilder.build(inputs)
        var e = Fixtures.expectations
        e.inputsDigestSHA256 = inputs.digestSHA256
        let r = Fixtures.refusal(try LimitsSigner.sign(d, with: Fixtures.key), e)
        #expect(r?.reason == .treatmentBlocked)
        #expect(r?.message.contains("pregnancy") == true)
    }

    @Test func oversizeAndMalformedInputs() {
        #expect(Fixtures.refusal([UInt8](repeating: 0x20, count: LimitsLoader.maxDocumentBytes + 1))?.reason == .documentTooLarge)
        for text in ["", "{", "[]", "{\"a\":1,\"a\":1}", "{\"a\":01}", "{\"a\":\"\\ud800\"}", String(repeating: "[", count: 40)] {
            let r = Fixtures.refusal(Array(text.utf8))
            #expect(r?.reason == .malformedJSON || (text == "[]" && r?.reason == .wrongType), "\(text): \(String(describing: r))")
        }
        #expect(Fixtures.refusal([0x22, 0xFF, 0x22])?.reason == .malformedJSON)   // invalid UTF-8
    }

    /// Inputs that the fuzzer (Fuzz/) found or that exercise its harness paths; kept as regressions.
    @Test func fuzzRegressionInputs() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/regressions").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "bin" }
        #expect(files.count >= 7)
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file))
            // Must be refused (none is a validly signed document) and must not trap.
            #expect(Fixtures.refusal(bytes) != nil, "\(file.lastPathComponent)")
        }
    }
}

/// Signs documents that fail validation (the public signer validates first), to test that the
/// loader's own validation refuses them even with a good signature.
enum LimitsSignerBypass {
    static func sign(_ d: ForceSafetyLimits) throws -> [UInt8] { LimitsSigner.signJSON(d.jsonValue, with: Fixtures.key) }
}
