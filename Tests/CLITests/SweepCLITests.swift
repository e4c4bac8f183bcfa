import Foundation
import SpineTraction
import Testing

/// `spinetraction sweep` end to end on populations whose patients all have an absolute
/// contraindication, so every row is a blocked document without a model run (the full-solve rows
/// are measured through Slurm by scripts/sweep-slurm.sh; the sweep mechanics with a closed-form
/// model are tested in SpineModelTests).
@Suite("sweep (CLI)")
struct SweepCLITests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/populations")

    /// The example population with every patient given an abdominal aortic aneurysm and `patients` set.
    static func blockedPopulation(patients: Int, in dir: URL) throws -> String {
        var text = try String(contentsOf: examples.appendingPathComponent("lumbar-adults-20.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: #""patients": 20"#, with: "\"patients\": \(patients)")
        text = text.replacingOccurrences(of: #""abdominalAorticAneurysm": 0.03"#, with: #""abdominalAorticAneurysm": 1"#)
        let url = dir.appendingPathComponent("population-\(patients).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// One shard and three shards merge to byte-identical CSV with one row per patient; every row
    /// is the blocked document the limits builder gives an absolute contraindication (blocked 1,
    /// reason abdominalAorticAneurysm, hard force 0 N, no model limit), with the patient's inputs.
    @Test func oneShardAndThreeShardsMergeToTheSameCSV() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let population = try Self.blockedPopulation(patients: 7, in: dir)
        let one = dir.appendingPathComponent("one").path, three = dir.appendingPathComponent("three").path
        let r1 = try spinetraction(["sweep", population, "--shard", "0/1", "--out", one, "--method", "exact"])
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r1.stdout.contains("7 patients (7 computed, 0 resumed)"), "\(r1.stdout)")
        for i in 0..<3 {
            let r = try spinetraction(["sweep", population, "--shard", "\(i)/3", "--out", three, "--method", "exact", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = dir.appendingPathComponent("a.csv").path, b = dir.appendingPathComponent("b.csv").path
        let m1 = try spinetraction(["sweep", "merge", one, "--out", a])
        let m3 = try spinetraction(["sweep", "merge", three, "--out", b])
        #expect(m1.status == 0 && m3.status == 0, "\(m1.stderr) \(m3.stderr)")
        #expect(m3.stdout.contains("merged 7 rows"))
        let textA = try Data(contentsOf: URL(fileURLWithPath: a)), textB = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(textA == textB)
        let lines = String(decoding: textA, as: UTF8.self).components(separatedBy: "\r\n").dropLast()
        #expect(lines.count == 8)
        let header = lines[0].components(separatedBy: ",")
        let column = { (name: String) in header.firstIndex(of: name)! }
        for (k, line) in lines.dropFirst().enumerated() {
            let f = line.components(separatedBy: ",")
            #expect(f[0] == "\(k)")
            #expect(f[column("blocked")] == "1" && f[column("blockReasons")] == "abdominalAorticAneurysm")
            #expect(f[column("maxForceN")] == "0.0" && f[column("modelMaxForceN")] == "")
            #expect(f[column("method")] == "none.absoluteContraindication")
            #expect(f[column("conditions")].contains("abdominalAorticAneurysm"))
        }
        // A rerun of a complete shard does nothing.
        let again = try spinetraction(["sweep", population, "--shard", "1/3", "--out", three, "--method", "exact"])
        #expect(again.status == 0 && again.stdout.contains("complete already"), "\(again.stdout)")
    }

    /// Bad input is refused with a message naming the option or field: shard index ≥ N, N ≤ 0,
    /// a population with no patients, an unknown method, and a merge with a shard missing.
    @Test func badInputIsNamed() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let population = try Self.blockedPopulation(patients: 3, in: dir)
        let out = dir.appendingPathComponent("out").path
        let r1 = try spinetraction(["sweep", population, "--shard", "3/3", "--out", out, "--method", "exact"])
        #expect(r1.status == 64 && r1.stderr.contains("--shard") && r1.stderr.contains("got I = 3"), "\(r1.stderr)")
        let r2 = try spinetraction(["sweep", population, "--shard", "0/0", "--out", out, "--method", "exact"])
        #expect(r2.status == 64 && r2.stderr.contains("got N = 0"), "\(r2.stderr)")
        let r3 = try spinetraction(["sweep", population, "--shard", "0/1", "--out", out, "--method", "fast"])
        #expect(r3.status == 64 && r3.stderr.contains("--method"), "\(r3.stderr)")
        let empty = try Self.blockedPopulation(patients: 0, in: dir)
        let r4 = try spinetraction(["sweep", empty, "--shard", "0/1", "--out", out, "--method", "exact"])
        #expect(r4.status == 64 && r4.stderr.contains("patients: expected an integer in [1, 1000000], got 0"), "\(r4.stderr)")
        #expect(try spinetraction(["sweep", population, "--shard", "0/2", "--out", out, "--method", "exact"]).status == 0)
        let m = try spinetraction(["sweep", "merge", out, "--out", dir.appendingPathComponent("x.csv").path])
        #expect(m.status == 1 && m.stderr.contains("shards 1 of 2 are missing"), "\(m.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.csv").path))
    }
}
