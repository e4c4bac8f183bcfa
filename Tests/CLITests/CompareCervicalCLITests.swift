import Foundation
import Testing

/// `spinetraction compare --region cervical` refuses bad input before running anything: a usage
/// error (exit 64) naming the option, the value and what was expected, and no output directory.
@Suite("compare --region cervical: bad input")
struct CompareCervicalCLITests {
    @Test(arguments: [
        (["--level", "L4-L5"], ["--level", "L4-L5", "lumbar level"]),
        (["--door-weights", "4,0"], ["--door-weights", "doorWeightsKg[1]", "(0, 50] kg", "0.0"]),
        (["--door-weights", "-3"], ["--door-weights", "doorWeightsKg[0]", "-3.0"]),
        (["--sitting-angles", "20,50"], ["--sitting-angles", "sittingAngles[1]", "[−10, 45]", "50.0"]),
        (["--sitting-angles", "-12"], ["--sitting-angles", "sittingAngles[0]", "-12.0"]),
        (["--door-weights", "5,heavy"], ["--door-weights", "heavy"]),
        (["--deformable-vertebrae"], ["--deformable-vertebrae", "lumbar motion segment only"]),
    ])
    func refused(arguments: [String], fragments: [String]) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("compare-cervical-\(UUID().uuidString)")
        let r = try spinetraction(["compare", "--region", "cervical"] + arguments + ["--out", out.path])
        #expect(r.status == 64, "\(r.stderr)")
        for f in fragments { #expect(r.stderr.contains(f), "\(f) in \(r.stderr)") }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// The cervical sweeps are refused for the lumbar region (exit 64 naming them).
    @Test func sweepsNeedTheCervicalRegion() throws {
        let r = try spinetraction(["compare", "--door-weights", "5", "--out", "/nonexistent/never"])
        #expect(r.status == 64 && r.stderr.contains("--door-weights"), "\(r.stderr)")
    }
}
