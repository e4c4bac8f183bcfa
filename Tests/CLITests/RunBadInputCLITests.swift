import Foundation
import SpineTraction
import Testing

/// The shared runner with this suite's timeout (each case is a refusal or a one-cell run).
private func run(_ arguments: [String], timeout: Double = 120, environment: [String: String] = [:]) throws -> CLIRun {
    try spinetraction(arguments, timeout: timeout, environment: environment)
}

/// A one-cell box under a prescribed 1 % compression (the SpineModel tests' base model).
private let base = """
{
  "units": "mm-N-s-MPa",
  "mesh": {"generate": {"box": {"size": [10, 10, 10], "divisions": [1, 1, 1], "element": "hex8"}}},
  "kinematics": "smallStrain",
  "regions": {"all": "gel"},
  "materials": {"gel": {"type": "isotropicElastic", "E": 100, "nu": 0.3}},
  "curves": {"ramp": [[0, 0], [1, 1]]},
  "boundary": [
    {"surface": "bottom", "fix": ["ux", "uy", "uz"]},
    {"surface": "top", "prescribe": {"uz": -0.1}, "curve": "ramp"}
  ],
  "steps": [{"duration": 1, "dtMin": 0.1, "dtMax": 1}],
  "outputs": {"times": [1], "probes": [{"name": "p", "field": "uz", "at": [5, 5, 10]}], "vtu": false}
}
"""

@Suite("CLI run refuses bad input with exit 1 and a message naming the field")
struct RunBadInputCLITests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spinetraction-bad-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")

    func write(_ data: Data, _ name: String = "model.json") throws -> String {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let url = scratch.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func edited(_ old: String, _ new: String) -> Data {
        precondition(base.contains(old), "test bug: \(old)")
        return Data(base.replacingOccurrences(of: old, with: new).utf8)
    }

    /// (edit, the error line's start): each exits 1 with `error: PATH: …` and writes no results.
    static let cases: [(old: String, new: String, error: String)] = [
        ("\"E\": 100", "\"E\": -4", "error: materials.gel.E: expected a positive number (MPa), got -4"),
        ("\"mm-N-s-MPa\"", "\"m-N-s-Pa\"", "error: units: expected \"mm-N-s-MPa\", got \"m-N-s-Pa\""),
        ("\"divisions\": [1, 1, 1]", "\"divisions\": [1000, 1000, 1000]", "error: mesh.generate.box.divisions: 1000 × 1000 × 1000 = 1000000000 cells"),
        ("\"divisions\": [1, 1, 1]", "\"divisions\": [1, 1, 2147483648]", "error: mesh.generate.box.divisions[2]: expected a whole number in [1, 999999999], got 2147483648"),
        ("[[0, 0], [1, 1]]", "[[100, 0], [200, 1]]", "error: curves.ramp: the curve is 0 throughout the steps (0 … 1 s)"),
        ("{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]},", "", "error: boundary: the model can move as a rigid body"),
        ("\"dtMin\": 0.1, \"dtMax\": 1", "\"dtMin\": 1e-12, \"dtMax\": 1e-12", "error: steps[0].dtMax: a 1.0 s step with increments of at most 1e-12 s"),
        ("\"times\": [1]", "\"times\": {\"every\": 1e-9}", "error: outputs.times.every:"),
        ("\"name\": \"p\"", "\"name\": \"a,b\\n=cmd()\"", "error: outputs.probes[0].name:"),
        ("\"surface\": \"top\"", "\"surface\": \"topp\"", "error: boundary[1].surface: unknown surface \"topp\""),
        ("{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}, {\"nodeSet\": \"tip\", \"nodalForce\": [0, 0, 1]}",
         "error: boundary[1].nodeSet: unknown node set \"tip\"; the mesh has no node sets"),
        ("\"at\": [5, 5, 10]", "\"at\": [5, 5, 11]", "error: outputs.probes[0].at: point [5.0, 5.0, 11.0] mm lies outside the mesh"),
    ]

    @Test func editedModelsAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (i, c) in Self.cases.enumerated() {
            let model = try write(edited(c.old, c.new), "case\(i).json")
            let out = scratch.appendingPathComponent("out\(i)")
            let r = try run(["run", model, "--out", out.path, "--quiet"])
            #expect(r.status == 1, "\(c.new): \(r.stderr)")
            #expect(r.stderr.hasPrefix(c.error), "\(c.new): \(r.stderr)")
            // Refused before anything ran: no results directory is left behind as if complete.
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("results.json").path))
        }
    }

    /// Files that are not UTF-8 JSON text, or not files: each named with what to do.
    @Test func unreadableFilesSayWhatToFix() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bom = try write(Data([0xEF, 0xBB, 0xBF]) + Data(base.utf8), "bom.json")
        var utf16 = Data([0xFF, 0xFE]); utf16.append(base.data(using: .utf16LittleEndian)!)
        let wide = try write(utf16, "utf16.json")
        let empty = try write(Data(), "empty.json")
        let fifo = scratch.appendingPathComponent("fifo.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let expectations: [(String, [String])] = [
            (bom, ["error: line 1, column 1:", "UTF-8"]),
            (wide, ["error: line 1, column 1:", "UTF-16"]),
            (empty, ["error: line 1, column 1:"]),
            (scratch.path, ["error: \(scratch.path): cannot read the model file: it is a directory; expected a regular .json file"]),
            ("/dev/zero", ["error: /dev/zero: cannot read the model file: it is a device; expected a regular .json file"]),
            (fifo, ["error: \(fifo): cannot read the model file: it is a FIFO (named pipe)"]),
            ("/nonexistent/model.json", ["error: /nonexistent/model.json: cannot read the model file: no such file"]),
        ]
        for (path, fragments) in expectations {
            let r = try run(["run", path, "--out", scratch.appendingPathComponent("out").path, "--quiet"], timeout: 60)
            #expect(r.status == 1, "\(path): \(r.stderr)")
            for f in fragments { #expect(r.stderr.contains(f), "\(path): \(r.stderr)") }
            #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        }
        // The protocol file (`run --protocol`) is read by the same checks.
        for (path, fragment) in [("/dev/zero", "it is a device"), (scratch.path, "it is a directory"), ("/nonexistent/p.json", "no such file")] {
            let r = try run(["run", "--example", "disc", "--protocol", path, "--out", scratch.appendingPathComponent("out").path, "--quiet"], timeout: 60)
            #expect(r.status == 1 && r.stderr.contains("error: \(path): cannot read the protocol file: \(fragment)"), "\(path): \(r.stderr)")
            #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("permission"), "\(path): \(r.stderr)")
        }
    }

    /// Output paths that cannot be a run directory: each named, with what to do, and nothing
    /// written there (the model itself is valid).
    @Test func unwritableOutputSaysWhatToFix() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = try write(Data(base.utf8))
        let file = try write(Data("not a directory".utf8), "file.txt")
        let documents = scratch.appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: documents, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: documents.appendingPathComponent("thesis.tex"))
        let expectations: [(out: String, fragments: [String])] = [
            (file, ["error: ", file, "exists and is not a directory; remove it or choose another path"]),
            (file + "/out", ["error: ", file, "Not a directory"]),
            (documents.path, ["error: ", documents.path, "not written by a run); it is never replaced"]),
        ]
        for (out, fragments) in expectations {
            let r = try run(["run", model, "--out", out, "--quiet"], timeout: 60)
            #expect(r.status == 1, "\(out): \(r.stderr)")
            for f in fragments { #expect(r.stderr.contains(f), "\(out): \(r.stderr)") }
            #expect(!r.output.contains("NSCocoaErrorDomain"), "\(out): \(r.output)")
        }
        // Nothing was written over the file or into the foreign directory.
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "not a directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: documents.path) == ["thesis.tex"])
    }

    /// Without a terminal (standard error is a pipe here) progress is printed as lines, never a
    /// redrawn bar. With `SPINETRACTION_PROGRESS_INTERVAL_S=0` every increment prints one: the
    /// base model with fixed 0.25 s increments over its 1 s step gives exactly t = 0.25, 0.5,
    /// 0.75, 1 s at 25, 50, 75, 100 % (reference: the step's duration / increment, a linear
    /// problem that is never cut back). A bad interval value is named, not ignored.
    @Test func progressLinesWithoutATerminal() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = try write(edited("\"dtMin\": 0.1, \"dtMax\": 1", "\"dt\": 0.25, \"dtMin\": 0.25, \"dtMax\": 0.25"))
        let r = try run(["run", model, "--out", scratch.appendingPathComponent("p").path], environment: ["SPINETRACTION_PROGRESS_INTERVAL_S": "0"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        let expected = [("0.25", "25"), ("0.5", "50"), ("0.75", "75"), ("1", "100")]
        #expect(lines.count == expected.count, "\(r.stderr)")
        for (line, (t, percent)) in zip(lines, expected) { #expect(line.hasSuffix(": t = \(t) s (\(percent)%)"), "\(line)") }
        #expect(!r.stderr.contains("\r"), "a bar was drawn: \(r.stderr)")
        let bad = try run(["run", model, "--out", scratch.appendingPathComponent("b").path, "--quiet"], environment: ["SPINETRACTION_PROGRESS_INTERVAL_S": "soon"])
        #expect(bad.status == 0 && bad.stderr.contains("warning: SPINETRACTION_PROGRESS_INTERVAL_S=soon: expected a number of seconds ≥ 0"), "\(bad.stderr)")
    }

    /// A plausibility warning goes to standard error and the run completes; `--strict` refuses.
    @Test func plausibilityWarningAndStrict() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = try write(edited("\"E\": 100", "\"E\": 1e8"))
        let warned = try run(["run", model, "--out", scratch.appendingPathComponent("w").path, "--quiet"])
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("warning: materials.gel.E: 1e+08 MPa is outside the plausible range [0.0001, 400000] MPa"))
        // The probe still reads the prescribed −0.1 mm (a linear problem's displacement does not depend on E).
        let results = try String(contentsOf: scratch.appendingPathComponent("w/results.csv"), encoding: .utf8)
        #expect(results.contains("-0.1"))
        let strict = try run(["run", model, "--strict", "--out", scratch.appendingPathComponent("s").path, "--quiet"])
        #expect(strict.status == 1, "\(strict.stderr)")
        #expect(strict.stderr.contains("error: materials.gel.E: 1e+08 MPa is outside the plausible range"))
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("s/results.json").path))
        let plausible = try write(Data(base.utf8), "ok.json")
        let ok = try run(["run", plausible, "--strict", "--out", scratch.appendingPathComponent("ok").path, "--quiet"])
        #expect(ok.status == 0 && !ok.stderr.contains("warning"), "\(ok.stderr)")
    }
}
