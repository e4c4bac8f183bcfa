import Foundation
import Testing

/// Runs the built `spinetraction` (beside the test bundle); returns the exit status, standard output and standard error.
private func spinetraction(_ arguments: [String], timeout: Double = 60) throws -> (status: Int32, out: String, err: String) {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
    let process = Process()
    process.executableURL = directory.appendingPathComponent("spinetraction")
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    final class Box: @unchecked Sendable { var out = Data(), err = Data() }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    let readers = [Thread { box.out = out.fileHandleForReading.readDataToEndOfFile() },
                   Thread { box.err = err.fileHandleForReading.readDataToEndOfFile() }]
    for r in readers { r.start() }
    if done.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        Issue.record("spinetraction \(arguments) did not finish in \(timeout) s")
        _ = done.wait(timeout: .now() + 10)
    }
    while readers.contains(where: \.isExecuting) { Thread.sleep(forTimeInterval: 0.02) }
    return (process.terminationStatus, String(decoding: box.out, as: UTF8.self), String(decoding: box.err, as: UTF8.self))
}

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
        #expect(r.err.contains(message), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// An unknown level and mesh are usage errors (exit 64) naming the option.
    @Test func badOptions() throws {
        let level = try spinetraction(["compare", "--level", "L6-L7", "--out", "/nonexistent/never"])
        #expect(level.status == 64 && level.err.contains("--level"), "\(level.err)")
        let mesh = try spinetraction(["compare", "--mesh", "fine", "--out", "/nonexistent/never"])
        #expect(mesh.status == 64 && mesh.err.contains("--mesh"), "\(mesh.err)")
    }
}
