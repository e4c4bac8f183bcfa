import Foundation
import SpineTraction
import Testing

/// The example files, by path from this source file.
private func example(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/patients/\(name)").path
}

/// `limits compute`: the paths that need no model run (the full-solve path is measured in
/// Benchmarks/results/limits.md; the search itself is tested in SpineModelTests).
@Suite("limits compute (CLI)")
struct LimitsComputeCLITests {
    /// Without --exact or --surrogate the command refuses (exit 64) and names both; no file is written.
    @Test func refusesWithoutExact() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-compute-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("limits.json").path
        let r = try spinetraction(["limits", "compute", example("limits-healthy.json"), "--session", example("limits-session.json"), "--output", out])
        #expect(r.status == 64)
        #expect(r.stderr.contains("give --surrogate FILE") && r.stderr.contains("--exact"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `--protocol`: a static protocol is refused by the field `protocol` (exit 64, no document),
    /// for a lumbar and for a cervical patient.
    @Test func protocolFamilyRefusals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-compute-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let protocolFile = dir.appendingPathComponent("static.json")
        try Data(#"{"static": {"pull": {"newtons": 300}, "ramp": {"shape": "linear", "duration": 10}, "hold": 60}}"#.utf8).write(to: protocolFile)
        let out = dir.appendingPathComponent("limits.json").path
        let r = try spinetraction(["limits", "compute", example("limits-healthy.json"), "--session", example("limits-session.json"), "--output", out,
                                   "--exact", "--protocol", protocolFile.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("protocol = nan: expected an intermittent protocol"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let c = try spinetraction(["limits", "compute", example("limits-cervical.json"), "--session", example("limits-session-cervical.json"),
                                   "--output", out, "--exact", "--protocol", protocolFile.path])
        #expect(c.status == 64)
        #expect(c.stderr.contains("protocol = nan: expected an intermittent protocol"), "\(c.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `--deformable-vertebrae` without `--exact`, or for a cervical patient, is refused (exit 64,
    /// the reason named, no document).
    @Test func deformableVertebraeRefusals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-compute-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("limits.json").path
        let surrogate = URL(fileURLWithPath: example("x")).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("limits/limits-surrogate.json").path
        let r = try spinetraction(["limits", "compute", example("limits-healthy.json"), "--session", example("limits-session.json"), "--output", out,
                                   "--surrogate", surrogate, "--deformable-vertebrae"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--deformable-vertebrae needs --exact"), "\(r.stderr)")
        let c = try spinetraction(["limits", "compute", example("limits-cervical.json"), "--session", example("limits-session-cervical.json"),
                                   "--output", out, "--exact", "--deformable-vertebrae"])
        #expect(c.status == 64)
        #expect(c.stderr.contains("not available for a cervical patient"), "\(c.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// With the shipped surrogate (Examples/limits/limits-surrogate.json) the healthy example gets
    /// its limit from the surrogate — the document names it in provenance.modelId, nothing is said
    /// on stderr — and two runs write byte-identical documents. The model limit (remus2021 ALL at
    /// half its failure force, the coarse mesh's ALL force scaled by its discretisation factor
    /// 1.230) lies within 2 % of the full-solve limit 687.0 N measured with `--exact`
    /// (Benchmarks/results/limits.md). Needs a surrogate file of the current format (built with
    /// the per-ligament discretisation factors).
    @Test func surrogateGivesTheLimitAndIdenticalDocuments() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-compute-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let surrogate = URL(fileURLWithPath: example("x")).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("limits/limits-surrogate.json").path
        var documents: [Data] = []
        for k in 0..<2 {
            let out = dir.appendingPathComponent("limits-\(k).json").path
            let r = try spinetraction(["limits", "compute", example("limits-healthy.json"), "--session", example("limits-session.json"),
                                       "--output", out, "--surrogate", surrogate])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.isEmpty, "\(r.stderr)")
            let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("force limit ") })
            let limit = try #require(Double(line.split(separator: " ")[2]))
            #expect(abs(limit - 687.0) <= 0.02 * 687.0, "\(line)")
            documents.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(documents[0] == documents[1])
        #expect(String(decoding: documents[0], as: UTF8.self).contains("\"modelId\":\"SpineModel.motionSegment.coarse.surrogate-1."))
    }

    /// A patient with an absolute contraindication (abdominal aortic aneurysm) gets a BLOCKED
    /// document without a model run; signed, `limits check` reports it blocked (exit 3), and the
    /// document's inputs digest is the SHA-256 the command printed.
    @Test func contraindicatedPatientGetsABlockedDocument() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-compute-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = dir.appendingPathComponent("limits.json").path, signed = dir.appendingPathComponent("signed.json").path
        let r = try spinetraction(["limits", "compute", example("limits-contraindicated.json"), "--session", example("limits-session.json"),
                                   "--output", doc, "--exact"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("model not run: an absolute contraindication blocks treatment"))
        #expect(r.stdout.contains("BLOCKED by abdominalAorticAneurysm"))
        let digest = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("inputs digest ") }).dropFirst("inputs digest ".count)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: doc)))
        let document = try ForceSafetyLimits(unsignedJSON: bytes)
        #expect(document.blocked && document.limits.maxForceN.value == 0)
        #expect(document.provenance.inputsDigestSHA256 == String(digest))
        #expect(document.level.text == "L5-S1")

        let keys = dir.appendingPathComponent("k").path
        #expect(try spinetraction(["limits", "keygen", "--output", keys]).status == 0)
        #expect(try spinetraction(["limits", "sign", "--key", keys + ".key", "--input", doc, "--output", signed]).status == 0)
        let check = try spinetraction(["limits", "check", "--public-key", keys + ".pub", "--document", signed, "--region", "lumbar", "--level", "L5-S1",
                                       "--surface", "splitTable", "--harness", "thoracoPelvic", "--patient-digest", String(digest), "--ceiling-max-force-n", "1000", "--ceiling-max-ramp-up-n-per-s", "100",
                                       "--ceiling-max-ramp-down-n-per-s", "200", "--ceiling-max-hold-s", "600", "--ceiling-max-session-s", "3600",
                                       "--ceiling-max-cycles", "50", "--now-unix-s", "1796503600"])
        #expect(check.status == 3, "\(check.stdout)")
    }

    /// A bad patient field is refused before any model run, naming the field (exit 64).
    @Test func badPatientFieldIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-compute-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let patient = dir.appendingPathComponent("p.json")
        try Data(#"{"bodyMassKg": 70, "heightCm": 175, "tScore": 9, "discGrade": 2, "level": "L4-L5", "conditions": [], "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null}"#.utf8).write(to: patient)
        let r = try spinetraction(["limits", "compute", patient.path, "--session", example("limits-session.json"),
                                   "--output", dir.appendingPathComponent("o.json").path, "--exact"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("tScore: expected a T-score in [−6, 4], got 9.0"), "\(r.stderr)")
    }
}
