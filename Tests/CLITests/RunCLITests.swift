import Foundation
import SpineTraction
import Testing

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("CLI run, plot and output directories")
struct RunCLITests {
    func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("spinetraction-run-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)/\(name)")
    }

    /// A run interrupted by SIGINT exits 130, leaves the earlier complete results byte-identical and
    /// its own output in a staging directory marked incomplete.
    @Test func interruptedRunKeepsEarlierResults() throws {
        let model = root.appendingPathComponent("Examples/models/biphasic-confined-ramp-relax.json").path
        let out = temporary("bp04")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let first = try spinetraction(["run", model, "--out", out.path, "--quiet"])
        #expect(first.status == 0, "\(first.output)")
        let before = try Data(contentsOf: out.appendingPathComponent("results.json"))
        let manifest = try RunDirectory.status(of: out)
        #expect(manifest.status == .complete)
        let second = try spinetraction(["run", model, "--out", out.path, "--quiet"], interruptAfter: 1.0)
        #expect(second.status == 130, "\(second.output)")
        #expect(second.output.contains("interrupted"))
        #expect(try Data(contentsOf: out.appendingPathComponent("results.json")) == before)
        let staging = RunDirectory.stagingDirectories(of: out)
        #expect(staging.count == 1)
        if let s = staging.first { #expect(try RunDirectory.status(of: s).status == .incomplete) }
    }

    @Test func badInvocationsNameWhatToFix() throws {
        let none = try spinetraction(["run"])
        #expect(none.status == 64 && none.output.contains("give a model file or --example NAME"))
        let example = try spinetraction(["run", "--example", "spine"])
        #expect(example.status == 64 && example.output.contains("spine"))
        let empty = try spinetraction(["run", "--example", "disc", "--out", ""])
        #expect(empty.status == 64 && empty.output.contains("--out"))
        let missing = try spinetraction(["run", "/nonexistent/model.json", "--out", temporary("x").path])
        #expect(missing.status == 1 && missing.output.contains("/nonexistent/model.json"))
        // A negative number after its option is that option's value (not "Missing value"), refused by range.
        let negative = try spinetraction(["run", "--example", "disc", "--protocol", "p.json", "--body-mass", "-70"])
        #expect(negative.status == 64 && negative.output.contains("--body-mass: expected a body mass > 0 kg, got -70.0"), "\(negative.output)")
        // plot on something that is not a results file: what it is, never a permission error or a bare parse position.
        let device = try spinetraction(["plot", "/dev/zero", "--out", temporary("plot").path])
        #expect(device.status == 64 && device.output.contains("cannot read /dev/zero: not a regular file"), "\(device.output)")
        let text = try spinetraction(["plot", #filePath, "--out", temporary("plot").path])
        #expect(text.status == 64 && text.output.contains("\(#filePath): line 1, column 1:"), "\(text.output)")
        let old = try spinetraction(["solve", "--help"])
        #expect(old.status == 0 && old.output.contains("dev solve"))
    }

    /// `plot` writes one SVG per unit with every series of that unit (here the bp04 results: MPa, N, mm, mm³).
    @Test func plotWritesOneSVGPerUnit() throws {
        let model = root.appendingPathComponent("Examples/models/biphasic-confined-ramp-relax.json").path
        let out = temporary("bp04plot")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        #expect(try spinetraction(["run", model, "--out", out.path, "--quiet"]).status == 0)
        let plots = out.deletingLastPathComponent().appendingPathComponent("plots")
        let r = try spinetraction(["plot", out.appendingPathComponent("results.json").path, "--out", plots.path])
        #expect(r.status == 0, "\(r.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: plots.path).sorted()
        #expect(files == ["plot-MPa.svg", "plot-N.svg", "plot-mm.svg", "plot-mm3.svg"])
        let doc = try String(contentsOf: out.appendingPathComponent("results.json"), encoding: .utf8)
        let svg = try String(contentsOf: plots.appendingPathComponent("plot-mm3.svg"), encoding: .utf8)
        // Every mm³ series of the results file is drawn (its name is in the legend).
        for name in ["topOutflow", "volumeChange", "imbibedVolume"] where doc.contains("\"\(name)\"") { #expect(svg.contains(name), "\(name)") }
    }
}
