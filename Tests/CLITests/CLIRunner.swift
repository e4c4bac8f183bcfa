import Foundation
import Testing

/// What one run of the `spinetraction` executable printed and how it exited.
struct CLIRun {
    /// Exit status (a signal's number when killed by one).
    var status: Int32
    /// Standard output, decoded as UTF-8.
    var stdout: String
    /// Standard error, decoded as UTF-8.
    var stderr: String
    /// Standard output then standard error (for messages that may go to either).
    var output: String { stdout + stderr }
}

/// Runs the built `spinetraction` (it sits beside the test bundle in `.build/<triple>/<config>/`;
/// on Linux the bundle `…/SpineTractionPackageTests.xctest` is a file) and waits at most `timeout`
/// seconds: a run still going then is terminated and recorded as an issue, so a hang fails the
/// test instead of blocking the suite. `interruptAfter` sends SIGINT after that many seconds;
/// `environment` is added to this process's environment for the child.
func spinetraction(_ arguments: [String], interruptAfter: Double? = nil, timeout: Double = 600,
                   environment: [String: String] = [:]) throws -> CLIRun {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
    let process = Process()
    process.executableURL = directory.appendingPathComponent("spinetraction")
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    final class Box: @unchecked Sendable { var out = Data(), err = Data() }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    // Both pipes drained concurrently: a child filling one pipe never blocks on the other.
    let readers = [Thread { box.out = out.fileHandleForReading.readDataToEndOfFile() },
                   Thread { box.err = err.fileHandleForReading.readDataToEndOfFile() }]
    for r in readers { r.start() }
    if let delay = interruptAfter {
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGINT)
    }
    if done.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        Issue.record("spinetraction \(arguments) did not finish in \(timeout) s")
        _ = done.wait(timeout: .now() + 10)
    }
    while readers.contains(where: \.isExecuting) { Thread.sleep(forTimeInterval: 0.02) }
    return CLIRun(status: process.terminationStatus, stdout: String(decoding: box.out, as: UTF8.self),
                  stderr: String(decoding: box.err, as: UTF8.self))
}

/// The runner against a reference it does not produce: every command of the README's command table
/// (`| \`spinetraction NAME …\``) is listed by `spinetraction --help`, which exits 0 with nothing on
/// standard error — the README and the binary agree, and the runner returns both streams and the status.
@Suite("CLI runner and the README command table")
struct CLIRunnerReadmeTests {
    @Test func helpListsEveryReadmeCommand() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let rows = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("| `spinetraction ") }
        let names = Set(rows.compactMap { $0.dropFirst("| `spinetraction ".count).split(separator: " ").first.map(String.init) })
        #expect(names.isSuperset(of: ["run", "compare", "verify", "plot", "limits", "dev"]), "\(names)")
        let r = try spinetraction(["--help"], timeout: 60)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let listed = Set(r.stdout.split(separator: "\n").compactMap { line -> String? in
            line.hasPrefix("  ") && !line.hasPrefix("   ") ? line.split(separator: " ").first.map(String.init) : nil
        })
        for name in names { #expect(listed.contains(name), "README lists `spinetraction \(name)`, --help does not: \(listed)") }
    }
}
