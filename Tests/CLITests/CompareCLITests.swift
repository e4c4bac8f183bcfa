import Foundation
import Testing

/// `spinetraction compare` refuses bad input before running anything: exit 1 with the field, the
/// value and what was expected, and no output directory written. (A full comparison is the main
/// job's and CI's, not the test bundle's: minutes in a debug build.)
@Suite("compare: bad input")
struct CompareCLITests {
    @Test(arguments: [
        (#"{"heightCm": 175}"#, "bodyMassKg: required field missing"),
        (#"{"bodyMassKg": 70, "heightCm": 175, "tScore": -9}"#, "tScore: expected a T-score in [−6, 4], got -9.0"),
        (#"{"bodyMassKg": 70, "heightCm": 175, "inversionConditions": ["vertigo"]}"#, "inversionConditions[0]: expected one of"),
    ])
    func badPatientFile(json: String, message: String) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("compare-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let patient = scratch.appendingPathComponent("p.json")
        try Data(json.utf8).write(to: patient)
        let out = scratch.appendingPathComponent("out")
        let r = try spinetraction(["compare", "--patient", patient.path, "--out", out.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// An unknown level, mesh and starting state are usage errors (exit 64) naming the option.
    @Test func badOptions() throws {
        let level = try spinetraction(["compare", "--level", "L6-L7", "--out", "/nonexistent/never"])
        #expect(level.status == 64 && level.stderr.contains("--level"), "\(level.stderr)")
        let mesh = try spinetraction(["compare", "--mesh", "fine", "--out", "/nonexistent/never"])
        #expect(mesh.status == 64 && mesh.stderr.contains("--mesh"), "\(mesh.stderr)")
        let start = try spinetraction(["compare", "--start", "noon", "--out", "/nonexistent/never"])
        #expect(start.status == 64 && start.stderr.contains("--start"), "\(start.stderr)")
    }
}
