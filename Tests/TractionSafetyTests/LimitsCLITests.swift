import Foundation
import Testing
@testable import TractionSafety

/// End-to-end: the built `spinetraction` executable generates a key, builds, signs and checks the
/// example document against controller expectations, and refuses bad documents, keys and options
/// with the documented exit codes (0 loads, 2 refused, 3 blocked, 64 bad option).
@Suite("spinetraction keygen / limits CLI")
struct LimitsCLITests {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/spinetraction").standardizedFileURL

    /// Runs the executable (killed after 60 s so a hang fails instead of blocking the suite).
    @discardableResult
    static func run(_ args: [String], in dir: URL) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + 60)
        timer.setEventHandler { if p.isRunning { p.terminate() } }
        timer.resume()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let created = "1795564800"
    static let now = "1795568400"

    /// A directory with a key pair `k`, example inputs `in.json`, the unsigned `u.json`, the signed
    /// `s.json`, and a blocked (pregnancy) signed document `b.json`; returns it with the inputs digest.
    static func prepared() throws -> (dir: URL, digest: String, blockedDigest: String) {
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build first: swift build --build-tests")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ts-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(try run(["limits", "keygen", "--output", "k"], in: dir).status == 0)
        let example = try run(["limits", "example", "--created-at-unix-s", created, "--inputs"], in: dir)
        try Data(example.output.utf8).write(to: dir.appendingPathComponent("in.json"))
        #expect(try run(["limits", "build", "--inputs", "in.json", "--output", "u.json"], in: dir).status == 0)
        #expect(try run(["limits", "sign", "--key", "k.key", "--input", "u.json", "--output", "s.json"], in: dir).status == 0)
        var inputs = try LimitsBuilder.Inputs(json: Array(example.output.utf8))
        let digest = inputs.digestSHA256
        inputs.patient.conditions = [.pregnancy]
        try Data(inputs.canonicalJSON).write(to: dir.appendingPathComponent("inb.json"))
        let build = try run(["limits", "build", "--inputs", "inb.json", "--output", "ub.json"], in: dir)
        #expect(build.status == 0 && build.output.contains("BLOCKED by pregnancy"))
        #expect(try run(["limits", "sign", "--key", "k.key", "--input", "ub.json", "--output", "b.json"], in: dir).status == 0)
        return (dir, digest, inputs.digestSHA256)
    }

    static func check(_ doc: String, digest: String, level: String = "L4-L5", region: String = "lumbar", now: String = now,
                      force: String = "1000", verb: String = "check", dropNow: Bool = false, key: String = "k.pub",
                      surface: String? = nil) -> [String] {
        let surface = surface ?? (region == "cervical" ? "supine" : "splitTable")
        let harness = region == "cervical" ? "headHalter" : "thoracoPelvic"
        var a = ["limits", verb, "--public-key", key, "--document", doc, "--region", region, "--level", level,
                 "--surface", surface, "--harness", harness, "--patient-digest", digest, "--ceiling-max-force-n", force, "--ceiling-max-ramp-up-n-per-s", "100",
                 "--ceiling-max-ramp-down-n-per-s", "200", "--ceiling-max-hold-s", "600", "--ceiling-max-session-s", "3600",
                 "--ceiling-max-cycles", "50"]
        if !dropNow { a += ["--now-unix-s", now] }
        return a
    }

    @Test func keygenSignCheckTamper() throws {
        let (dir, digest, _) = try Self.prepared()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pub = try TrustedPublicKey(keyFile: String(decoding: try Data(contentsOf: dir.appendingPathComponent("k.pub")), as: UTF8.self))
        #expect(try Self.run(["keygen", "--output", "k"], in: dir).status != 0)          // never overwrites
        let ok = try Self.run(Self.check("s.json", digest: digest), in: dir)
        #expect(ok.status == 0 && ok.output.contains("loads: key id \(pub.keyId)"))
        // Reference: 50 % of 70 kg × 9.80665 m/s².
        #expect(ok.output.contains("maxForceN = \(0.5 * 70 * 9.80665)"))
        let signed = [UInt8](try Data(contentsOf: dir.appendingPathComponent("s.json")))
        let (doc, keyId) = try LimitsLoader.verifiedDocument(signed, trustedKeys: [pub])
        #expect(keyId == pub.keyId && doc.limits.maxCycles.value == 15)

        var tampered = signed
        tampered[signed.count / 2] ^= 0x01
        try Data(tampered).write(to: dir.appendingPathComponent("t.json"))
        let refused = try Self.run(Self.check("t.json", digest: digest), in: dir)
        #expect(refused.status == 2 && refused.output.hasPrefix("refused: "))
        let expired = try Self.run(Self.check("s.json", digest: digest, now: "1805568400"), in: dir)
        #expect(expired.status == 2 && expired.output.contains("refused: expired [provenance.expiresAtUnixS]"))
    }

    /// Refusals with exit 2 naming the reason; a blocked document exits 3; `verify` is an alias.
    @Test func checkExitCodes() throws {
        let (dir, digest, blockedDigest) = try Self.prepared()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], Int32, String)] = [
            (Self.check("b.json", digest: blockedDigest), 3, "blocked: treatment is blocked by absolute contraindication(s): pregnancy"),
            (Self.check("b.json", digest: digest), 2, "refused: patientDigestMismatch"),
            (Self.check("s.json", digest: blockedDigest), 2, "refused: patientDigestMismatch"),
            (Self.check("s.json", digest: digest, level: "L5-S1"), 2, "refused: levelMismatch [level]"),
            (Self.check("s.json", digest: digest, level: "C5-C6", region: "cervical"), 2, "refused: regionMismatch [region]"),
            (Self.check("s.json", digest: digest, surface: "nonSplitTable"), 2, "refused: configurationMismatch [configuration]"),
            (Self.check("s.json", digest: digest, surface: "hanging"), 64, "--surface hanging: expected one of splitTable"),
            (Self.check("s.json", digest: digest, surface: "seated"), 64, "cannot treat --region lumbar"),
            (Self.check("s.json", digest: digest, force: "200"), 2, "refused: aboveControllerCeiling [limits.maxForceN.value]"),
            (Self.check("s.json", digest: digest, now: "1795564799"), 2, "refused: notYetValid"),
            (Self.check("s.json", digest: digest, verb: "verify"), 0, "note: `limits verify` is an alias of `limits check`"),
            (Self.check("b.json", digest: blockedDigest, verb: "verify"), 3, "blocked: "),
        ]
        for (args, status, text) in cases {
            let r = try Self.run(args, in: dir)
            #expect(r.status == status && r.output.contains(text), "\(args): \(r.status) \(r.output)")
        }
    }

    /// Bad options exit 64 with a message naming the option and what to give.
    @Test func badOptions() throws {
        let (dir, digest, _) = try Self.prepared()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([0xEF, 0xBB, 0xBF] + Array(try Data(contentsOf: dir.appendingPathComponent("u.json")))).write(to: dir.appendingPathComponent("bom.json"))
        let cases: [([String], Int32, String)] = [
            (Self.check("s.json", digest: digest, dropNow: true), 64, "--now-unix-s"),
            (Self.check("s.json", digest: digest, now: "-1"), 64, "--now-unix-s -1.0: expected the current time in seconds"),
            (Self.check("s.json", digest: digest, now: "1795568400000"), 64, "millisecond timestamp"),
            (Self.check("s.json", digest: digest, level: "L5-L4"), 64, "--level L5-L4: expected one of C2-C3"),
            (Self.check("s.json", digest: digest, level: "C5-C6"), 64, "--level C5-C6 belongs to region cervical"),
            (Self.check("s.json", digest: "abc"), 64, "--patient-digest: expected 64 lowercase hex"),
            (Self.check("s.json", digest: digest, force: "-5"), 64, "--ceiling-max-force-n -5.0: expected a finite number > 0"),
            (Self.check("s.json", digest: digest, key: "k.key"), 64, "this is a private key file"),
            (Self.check(".", digest: digest), 64, "is not a regular file"),
            (Self.check("missing.json", digest: digest), 64, "no such file"),
            (["limits", "sign", "--key", "k.pub", "--input", "u.json", "--output", "x.json"], 64, "this is a public key file"),
            (["limits", "sign", "--key", "k.key", "--input", "bom.json", "--output", "x.json"], 1, "UTF-8 byte-order mark"),
            // Output paths that cannot be written: the option, the path and the system's reason.
            (["limits", "sign", "--key", "k.key", "--input", "u.json", "--output", "/nonexistent/x.json"], 64,
             "--output '/nonexistent/x.json': cannot write the file: directory /nonexistent: No such file or directory"),
            (["limits", "sign", "--key", "k.key", "--input", "u.json", "--output", dir.path], 64, "cannot write the file: it is a directory"),
            (["limits", "build", "--inputs", "in.json", "--output", "/nonexistent/x.json"], 64,
             "--output '/nonexistent/x.json': cannot write the file: directory /nonexistent: No such file or directory"),
            (["limits", "keygen", "--output", "/nonexistent/k"], 64,
             "--output '/nonexistent/k.key': cannot write the file: directory /nonexistent: No such file or directory"),
        ]
        for (args, status, text) in cases {
            let r = try Self.run(args, in: dir)
            #expect(r.status == status && r.output.contains(text), "\(args): \(r.status) \(r.output)")
            #expect(!r.output.contains("NSCocoaErrorDomain"), "\(args): \(r.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.json").path))
    }
}
