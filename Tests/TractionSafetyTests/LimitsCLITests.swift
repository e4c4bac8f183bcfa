import Foundation
import Testing
@testable import TractionSafety

/// End-to-end: the built `spinetraction` executable generates a key, signs the example document,
/// verifies it, and refuses a tampered copy.
@Suite("spinetraction keygen / limits CLI")
struct LimitsCLITests {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/spinetraction").standardizedFileURL

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
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func keygenSignVerifyTamper() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build first: swift build --build-tests")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ts-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keygen = try Self.run(["keygen", "--output", "k"], in: dir)
        #expect(keygen.status == 0)
        let pub = try TrustedPublicKey(hex: String(decoding: try Data(contentsOf: dir.appendingPathComponent("k.pub")), as: UTF8.self))
        #expect(keygen.output.contains("key id \(pub.keyId)"))
        #expect(try Self.run(["keygen", "--output", "k"], in: dir).status != 0)          // never overwrites

        let example = try Self.run(["limits", "example", "--created-at-unix-s", "1795564800", "--inputs"], in: dir)
        try Data(example.output.utf8).write(to: dir.appendingPathComponent("in.json"))
        let build = try Self.run(["limits", "build", "--inputs", "in.json", "--output", "u.json"], in: dir)
        #expect(build.status == 0)
        let inputs = try LimitsBuilder.Inputs(json: Array(example.output.utf8))
        #expect(build.output.contains("inputs digest \(inputs.digestSHA256)"))
        #expect(try Self.run(["limits", "sign", "--key", "k.key", "--input", "u.json", "--output", "s.json"], in: dir).status == 0)
        let verify = try Self.run(["limits", "verify", "--public-key", "k.pub", "--document", "s.json", "--now-unix-s", "1795568400"], in: dir)
        #expect(verify.status == 0)
        // Reference: 50 % of 70 kg × 9.80665 m/s².
        #expect(verify.output.contains("maxForceN = \(0.5 * 70 * 9.80665)"))
        // The signed file loads with the library too, and is canonical.
        let signed = [UInt8](try Data(contentsOf: dir.appendingPathComponent("s.json")))
        let (doc, keyId) = try LimitsLoader.verifiedDocument(signed, trustedKeys: [pub])
        #expect(keyId == pub.keyId && doc.limits.maxCycles.value == 15)

        var tampered = signed
        tampered[signed.count / 2] ^= 0x01
        try Data(tampered).write(to: dir.appendingPathComponent("t.json"))
        let refused = try Self.run(["limits", "verify", "--public-key", "k.pub", "--document", "t.json"], in: dir)
        #expect(refused.status == 2 && refused.output.hasPrefix("refused: "))
        let expired = try Self.run(["limits", "verify", "--public-key", "k.pub", "--document", "s.json", "--now-unix-s", "1805568400"], in: dir)
        #expect(expired.status == 2 && expired.output.contains("expired"))
    }
}
