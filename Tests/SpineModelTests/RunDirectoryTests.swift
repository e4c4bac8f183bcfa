import Foundation
import SpineModel
import Testing
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Helpers

/// A fresh empty directory under the system temporary directory.
private func scratch(_ name: String) throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("rundir-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every regular file under `dir` (relative path → bytes): the byte-level state of a directory.
private func snapshot(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = dir.standardizedFileURL.path
    guard let e = FileManager.default.enumerator(atPath: base) else { return out }
    while let rel = e.nextObject() as? String {
        var isDir: ObjCBool = false
        let full = base + "/" + rel
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
            out[rel] = try Data(contentsOf: URL(fileURLWithPath: full))
        }
    }
    return out
}

/// Writes `files` (name → text) through `run` and commits.
@discardableResult
private func completeRun(into target: URL, digest: String, files: [String: String]) throws -> RunManifest {
    let run = try RunDirectory.begin(at: target, command: "test", modelDigest: digest, libraryVersion: "test")
    for (name, text) in files { try Data(text.utf8).write(to: try run.file(name)) }
    return try run.commit().manifest
}

@Suite("Run directory protocol")
struct RunDirectoryTests {
    @Test("a committed run lists each file with its size and SHA-256 (FIPS 180-2 vector for \"abc\")")
    func manifestOfCommittedRun() throws {
        let dir = try scratch("manifest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        let m = try completeRun(into: target, digest: "model-1", files: ["abc.txt": "abc", "empty.csv": ""])
        #expect(m.status == .complete && m.modelDigest == "model-1" && m.libraryVersion == "test")
        #expect(m.files == [
            .init(path: "abc.txt", bytes: 3, sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            .init(path: "empty.csv", bytes: 0, sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ])
        #expect(try RunDirectory.status(of: target) == m)
        #expect(try RunDirectory.verify(target) == m)
        #expect(RunDirectory.stagingDirectories(of: target).isEmpty)
        // A tampered file is caught by verify.
        try Data("abd".utf8).write(to: target.appendingPathComponent("abc.txt"))
        #expect(throws: RunDirectoryError.self) { try RunDirectory.verify(target) }
    }

    @Test("the previous run is byte-identical until commit, then replaced whole (no stale file survives)")
    func atomicSwap() throws {
        let dir = try scratch("swap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        try completeRun(into: target, digest: "old", files: ["results.json": "{\"old\": 1}", "transport.csv": "old"])
        let before = try snapshot(target)
        let run = try RunDirectory.begin(at: target, command: "test", modelDigest: "new", libraryVersion: "test")
        try Data("{\"new\": 2}".utf8).write(to: try run.file("results.json"))
        try Data("frame".utf8).write(to: try run.file("frame_0.vtu"))
        #expect(try snapshot(target) == before)                       // during the run: untouched
        #expect(try RunDirectory.status(of: run.staging).status == .running)
        try run.commit()
        let after = try snapshot(target)
        #expect(Set(after.keys) == ["results.json", "frame_0.vtu", "run.json"])   // transport.csv is gone
        #expect(after["results.json"] == Data("{\"new\": 2}".utf8))
        #expect(try RunDirectory.verify(target).modelDigest == "new")
        #expect(!FileManager.default.fileExists(atPath: run.staging.path))
        #expect(RunDirectory.stagingDirectories(of: target).isEmpty)
    }

    @Test("a failed run leaves the previous results byte-identical and its staging marked incomplete")
    func failedRun() throws {
        let dir = try scratch("fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        try completeRun(into: target, digest: "old", files: ["results.json": "old"])
        let before = try snapshot(target)
        let run = try RunDirectory.begin(at: target, command: "test", modelDigest: "new", libraryVersion: "test")
        try Data("partial".utf8).write(to: try run.file("results.json"))
        try run.fail(reason: "Newton did not converge at t = 71 s")
        #expect(try snapshot(target) == before)
        let staged = try RunDirectory.status(of: run.staging)
        #expect(staged.status == .incomplete && staged.reason == "Newton did not converge at t = 71 s" && staged.files == nil)
        #expect(RunDirectory.stagingDirectories(of: target) == [run.staging])
        #expect(throws: RunDirectoryError.alreadyFinished(path: target.path, status: .incomplete)) { try run.commit() }
        // The lock was released: a new run may begin.
        _ = try completeRun(into: target, digest: "next", files: ["results.json": "next"])
    }

    @Test("stale staging directories of failed runs are removed only on request, never the current run's")
    func staleStaging() throws {
        let dir = try scratch("stale")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        var failed: [URL] = []
        for k in 0..<2 {
            let run = try RunDirectory.begin(at: target, command: "t", modelDigest: "\(k)", libraryVersion: "t")
            try run.fail(reason: "test \(k)")
            failed.append(run.staging)
        }
        let run = try RunDirectory.begin(at: target, command: "t", modelDigest: "kept", libraryVersion: "t")
        #expect(RunDirectory.stagingDirectories(of: target).count == 3)
        let removed = try run.removeStaleStagingDirectories()
        #expect(Set(removed.map(\.path)) == Set(failed.map(\.path)))
        #expect(RunDirectory.stagingDirectories(of: target) == [run.staging])
        try run.commit()
        #expect(try RunDirectory.verify(target).modelDigest == "kept")
    }

    @Test("a run released without commit is marked incomplete (abandoned); the previous results stay")
    func abandonedRun() throws {
        let dir = try scratch("abandon")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        try completeRun(into: target, digest: "old", files: ["a.txt": "old"])
        let before = try snapshot(target)
        var staging: URL?
        do {
            let run = try RunDirectory.begin(at: target, command: "test", modelDigest: nil, libraryVersion: "test")
            staging = run.staging
            try Data("x".utf8).write(to: try run.file("a.txt"))
        }
        let m = try RunDirectory.status(of: try #require(staging))
        #expect(m.status == .incomplete && m.reason?.hasPrefix("abandoned") == true)
        #expect(try snapshot(target) == before)
    }

    @Test("a second concurrent run into the same directory is refused, naming the holder's pid")
    func lock() throws {
        let dir = try scratch("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        let first = try RunDirectory.begin(at: target, command: "first", modelDigest: nil, libraryVersion: "test")
        #expect(throws: RunDirectoryError.locked(path: target.path, holderPID: getpid())) {
            _ = try RunDirectory.begin(at: target, command: "second", modelDigest: nil, libraryVersion: "test")
        }
        // Another spelling of the same path is the same lock.
        #expect(throws: RunDirectoryError.locked(path: target.path, holderPID: getpid())) {
            _ = try RunDirectory.begin(atPath: dir.path + "/./out/", command: "second", modelDigest: nil, libraryVersion: "test")
        }
        try first.commit()
        _ = try completeRun(into: target, digest: "after", files: ["b.txt": "b"])
    }

    @Test("bad output paths give typed errors")
    func badPaths() throws {
        let dir = try scratch("paths")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: RunDirectoryError.emptyPath) {
            _ = try RunDirectory.begin(atPath: "", command: "t", modelDigest: nil, libraryVersion: "t")
        }
        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        #expect(throws: RunDirectoryError.notADirectory(file.path)) {
            _ = try RunDirectory.begin(at: file, command: "t", modelDigest: nil, libraryVersion: "t")
        }
        let documents = dir.appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: documents, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: documents.appendingPathComponent("thesis.tex"))
        #expect(throws: RunDirectoryError.notARunDirectory(documents.path)) {
            _ = try RunDirectory.begin(at: documents, command: "t", modelDigest: nil, libraryVersion: "t")
        }
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: documents)
        #expect(throws: RunDirectoryError.symbolicLink(link.path)) {
            _ = try RunDirectory.begin(at: link, command: "t", modelDigest: nil, libraryVersion: "t")
        }
        #expect(throws: RunDirectoryError.invalidPath("/")) {
            _ = try RunDirectory.begin(atPath: "/", command: "t", modelDigest: nil, libraryVersion: "t")
        }
        #expect(throws: RunDirectoryError.self) { _ = try RunDirectory.status(of: documents) }
        // An existing empty directory is accepted.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        _ = try completeRun(into: empty, digest: "e", files: ["x.txt": "x"])
        #expect(try RunDirectory.verify(empty).modelDigest == "e")
    }

    @Test("bad output names give typed errors naming the field", arguments: [
        ("", OutputNameError.empty(field: "outputs.probes[0].name")),
        ("a/b", .pathSeparator(field: "outputs.probes[0].name", name: "a/b")),
        ("a\\b", .pathSeparator(field: "outputs.probes[0].name", name: "a\\b")),
        ("a,b\n=cmd()", .controlCharacter(field: "outputs.probes[0].name", name: "a,b\n=cmd()", scalar: 0x0A)),
        ("tab\there", .controlCharacter(field: "outputs.probes[0].name", name: "tab\there", scalar: 0x09)),
        ("zero\u{200B}width", .controlCharacter(field: "outputs.probes[0].name", name: "zero\u{200B}width", scalar: 0x200B)),
        ("nul\u{0}", .controlCharacter(field: "outputs.probes[0].name", name: "nul\u{0}", scalar: 0)),
        ("..", .reserved(field: "outputs.probes[0].name", name: "..")),
        (".hidden", .reserved(field: "outputs.probes[0].name", name: ".hidden")),
        ("run.json", .reserved(field: "outputs.probes[0].name", name: "run.json")),
        (String(repeating: "é", count: 65), .tooLong(field: "outputs.probes[0].name", bytes: 130, limit: 128)),
    ])
    func badNames(_ name: String, _ expected: OutputNameError) {
        #expect(throws: expected) { try OutputName.validate(name, field: "outputs.probes[0].name") }
    }

    @Test("good output names pass, up to 128 UTF-8 bytes")
    func goodNames() throws {
        for name in ["nucleusPressure", "nucleus pressure (MPa)", "a,b", "=cmd()", "Glukose-Aufnahme_ü", String(repeating: "x", count: 128)] {
            try OutputName.validate(name, field: "name")
        }
        let dir = try scratch("names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try RunDirectory.begin(at: dir.appendingPathComponent("out"), command: "t", modelDigest: nil, libraryVersion: "t")
        #expect(throws: RunDirectoryError.badName(.empty(field: "probe"))) { _ = try run.file("", field: "probe") }
        try run.fail(reason: "test")
    }
}

@Suite("Run signal monitor", .serialized)
struct RunSignalMonitorTests {
    @Test("a monitored signal marks the attached run incomplete at once and makes checkInterrupted throw")
    func cooperative() throws {
        let dir = try scratch("monitor")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        try completeRun(into: target, digest: "old", files: ["a.txt": "old"])
        let before = try snapshot(target)
        let run = try RunDirectory.begin(at: target, command: "t", modelDigest: "new", libraryVersion: "t")
        // SIGUSR1 stands in for SIGINT/SIGTERM, which would reach the test runner too.
        let monitor = RunSignalMonitor.install(signals: [SIGUSR1], marking: run)
        defer { monitor.uninstall() }
        try monitor.checkInterrupted()                      // nothing yet
        kill(getpid(), SIGUSR1)
        let deadline = Date().addingTimeInterval(30)
        while monitor.receivedSignal == nil, Date() < deadline { usleep(1_000) }
        #expect(monitor.receivedSignal == SIGUSR1)
        #expect(throws: RunDirectoryError.interrupted(signal: SIGUSR1)) { try monitor.checkInterrupted() }
        // The handler records the signal first, then marks the run: wait for the manifest.
        while run.status == .running, Date() < deadline { usleep(1_000) }
        let m = try RunDirectory.status(of: run.staging)
        #expect(m.status == .incomplete && m.reason == "interrupted by signal \(SIGUSR1)")
        #expect(throws: RunDirectoryError.alreadyFinished(path: target.path, status: .incomplete)) { try run.commit() }
        #expect(try snapshot(target) == before)
    }
}

@Suite("CSV quoting and formula escaping")
struct CSVTests {
    @Test("text fields: RFC 4180 quoting and OWASP formula escaping (hand-written expectations)", arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("a,b\n=cmd()", "\"a,b\n=cmd()\""),
        ("=cmd()", "\"'=cmd()\""),
        ("+1", "\"'+1\""),
        ("-2+3", "\"'-2+3\""),
        ("@SUM(A1:A9)", "\"'@SUM(A1:A9)\""),
        ("\tx", "\"'\tx\""),
        ("\r\n=1", "\"'\r\n=1\""),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("line\r\nbreak", "\"line\r\nbreak\""),
        ("", ""),
    ])
    func text(_ input: String, _ expected: String) {
        #expect(CSV.escapeText(input) == expected)
    }

    @Test("numbers are never escaped; a table writes CRLF records")
    func table() throws {
        #expect(CSV.encode(.number(-0.0202)) == "-0.0202")
        #expect(CSV.encode(.integer(-3)) == "-3")
        #expect(CSV.encode(.number(1e-5)) == "1e-05")
        var t = try CSVTable(columns: ["time (s)", "a,b", "label"])
        try t.append([.number(0.5), .number(-1), .text("=cmd()")])
        #expect(t.text == "time (s),\"a,b\",label\r\n0.5,-1.0,\"'=cmd()\"\r\n")
        #expect(throws: CSVError.wrongFieldCount(row: 1, count: 2, expected: 3)) { try t.append([.number(1), .number(2)]) }
    }

    @Test("column names: empty and control characters refused")
    func columns() {
        #expect(throws: CSVError.emptyColumnName(index: 1)) { _ = try CSVTable(columns: ["time", ""]) }
        #expect(throws: CSVError.controlCharacterInColumnName(index: 0, name: "a,b\n=cmd()", scalar: 0x0A)) {
            _ = try CSVTable(columns: ["a,b\n=cmd()"])
        }
    }
}

// MARK: - Kill tests

/// The kill-probe executable built beside the test bundle (`.build/<triple>/<config>/`).
private func probeExecutable() throws -> URL {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
    let url = directory.appendingPathComponent("RunDirectoryKillProbe")
    struct ProbeMissing: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path): kill probe not built (swift build --build-tests builds it)" }
    }
    guard FileManager.default.isExecutableFile(atPath: url.path) else { throw ProbeMissing(path: url.path) }
    return url
}

/// The bytes the probe writes into file `i` of run `tag` (mirrors Tests/RunDirectoryKillProbeSupport/main.swift).
private func probeContent(tag: String, index: Int) -> Data {
    let line = "\(tag) frame \(index)\n"
    var text = ""
    while text.utf8.count < 4096 { text += line }
    return Data(text.utf8)
}

/// A started probe and its output.
private struct Probe {
    let process: Process
    let stdout: URL

    init(target: URL, tag: String, files: Int, delayMs: Int, mode: String) throws {
        process = Process()
        process.executableURL = try probeExecutable()
        process.arguments = [target.path, tag, String(files), String(delayMs), mode]
        stdout = target.deletingLastPathComponent().appendingPathComponent("probe-\(tag).out")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits up to `timeout` (s) for the exit; on timeout kills it with SIGKILL and returns false.
    func wait(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return false }
            usleep(5_000)
        }
        process.waitUntilExit()
        return true
    }

    var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
}

/// SplitMix64: reproducible "random" kill points.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Run directory kill tests", .serialized)
struct RunDirectoryKillTests {
    /// A target holding an earlier complete run written by the probe (5 files, tag "old").
    private func earlierRun(_ name: String) throws -> (target: URL, before: [String: Data]) {
        let dir = try scratch(name)
        let target = dir.appendingPathComponent("out")
        let p = try Probe(target: target, tag: "old-\(name)", files: 5, delayMs: 0, mode: "cooperative")
        #expect(p.wait(timeout: 120), "earlier run did not finish in 120 s")
        #expect(p.process.terminationReason == .exit && p.process.terminationStatus == 0)
        let m = try RunDirectory.verify(target)
        #expect(m.files?.count == 5)
        for i in 0..<5 { #expect(try Data(contentsOf: target.appendingPathComponent("frame_\(i).txt")) == probeContent(tag: "old-\(name)", index: i)) }
        return (target, try snapshot(target))
    }

    @Test("SIGINT, SIGTERM, SIGKILL at random points before commit: earlier results unchanged, killed run marked")
    func killedBeforeCommit() throws {
        let (target, before) = try earlierRun("before-commit")
        defer { try? FileManager.default.removeItem(at: target.deletingLastPathComponent()) }
        var rng = SplitMix(state: 20_261_206)
        let signals: [Int32] = [SIGINT, SIGTERM, SIGKILL]
        var begunTrials = 0
        for trial in 0..<12 {
            let sig = signals[trial % 3]
            let mode = trial % 2 == 0 ? "cooperative" : "immediate"
            // 40 files × 25 ms ≥ 1 s of sleeping after begin: a kill ≤ 0.6 s after the start always
            // lands before the commit, whatever the machine's load.
            let delayMs = Int.random(in: 0...600, using: &rng)
            let tag = "t\(trial)"
            let p = try Probe(target: target, tag: tag, files: 40, delayMs: 25, mode: mode)
            // Half the trials count the delay from the staging directory's creation (so the marking is
            // always exercised), half from the process start (so startup is hit too).
            let afterBegin = trial % 4 < 2
            if afterBegin {
                let deadline = Date().addingTimeInterval(60)
                while !p.output.contains("begun "), p.process.isRunning, Date() < deadline { usleep(2_000) }
            }
            usleep(UInt32(delayMs) * 1000)
            kill(p.process.processIdentifier, sig)
            let context = "trial \(trial): signal \(sig), \(mode), kill at \(delayMs) ms after \(afterBegin ? "begin" : "start")"
            #expect(p.wait(timeout: 60), "\(context): did not exit within 60 s")
            // The probe dies of the signal (re-raised after marking the run), never exits 0.
            #expect(p.process.terminationReason == .uncaughtSignal && p.process.terminationStatus == sig,
                    "\(context): ended with \(p.process.terminationReason == .exit ? "exit" : "signal") \(p.process.terminationStatus)")
            #expect(try snapshot(target) == before, "\(context): earlier results changed")
            #expect(try RunDirectory.verify(target).modelDigest == "old-before-commit", "\(context)")
            let begun = p.output.contains("begun ")
            if afterBegin { #expect(begun, "\(context)") }
            if begun { begunTrials += 1 }
            for staging in RunDirectory.stagingDirectories(of: target) {
                let m: RunManifest
                do {
                    m = try RunDirectory.status(of: staging)
                } catch {
                    // Killed between the staging directory's mkdir and its first manifest: no run.json,
                    // which status(of:) refuses (a reader's "incomplete"). Only possible before "begun".
                    #expect(!begun, "\(context): \(error)")
                    try FileManager.default.removeItem(at: staging)
                    continue
                }
                #expect(m.status != .complete, "\(context): killed run marked complete")
                if begun, sig != SIGKILL {
                    #expect(m.status == .incomplete && m.reason == "interrupted by \(sig == SIGINT ? "SIGINT" : "SIGTERM")", "\(context): \(m)")
                }
                if begun, sig == SIGKILL { #expect(m.status == .running, "\(context)") }
                try FileManager.default.removeItem(at: staging)
            }
        }
        print("kill before commit: \(begunTrials) of 12 killed runs had begun")
    }

    @Test("SIGKILL/SIGTERM anywhere, commit included: the target is always one complete run, old or new, never mixed")
    func killedAnywhere() throws {
        let (target, initial) = try earlierRun("anywhere")
        defer { try? FileManager.default.removeItem(at: target.deletingLastPathComponent()) }
        var current = initial
        var currentTag = "old-anywhere"
        var previousTag = currentTag
        var rng = SplitMix(state: 7)
        var replaced = 0
        for trial in 0..<10 {
            let sig: Int32 = trial % 2 == 0 ? SIGKILL : SIGTERM
            let tag = "any\(trial)"
            let delayMs = Int.random(in: 0...400, using: &rng)
            let p = try Probe(target: target, tag: tag, files: 30, delayMs: 0, mode: "immediate")
            usleep(UInt32(delayMs) * 1000)
            kill(p.process.processIdentifier, sig)
            let context = "trial \(trial): signal \(sig), kill at \(delayMs) ms"
            #expect(p.wait(timeout: 60), "\(context): did not exit within 60 s")
            let now = try snapshot(target)
            let m = try RunDirectory.verify(target)      // complete, every file matches its SHA-256
            if now == current {
                #expect(m.modelDigest == currentTag, "\(context)")
            } else {
                // Replaced: it must be the killed run's complete output.
                #expect(m.modelDigest == tag, "\(context)")
                for i in 0..<30 { #expect(now["frame_\(i).txt"] == probeContent(tag: tag, index: i), "\(context)") }
                #expect(now.count == 31, "\(context)")
                current = now
                previousTag = currentTag
                currentTag = tag
                replaced += 1
            }
            for staging in RunDirectory.stagingDirectories(of: target) {
                if let s = try? RunDirectory.status(of: staging), s.isComplete {
                    // Only a run that finished but was not swapped in, or the previous run awaiting deletion.
                    #expect(s.modelDigest == tag || s.modelDigest == previousTag, "\(context)")
                }
                try FileManager.default.removeItem(at: staging)
            }
        }
        print("kill anywhere: \(replaced) of 10 killed runs had committed")
    }

    @Test("a concurrent child run holds the lock: an in-process begin is refused with the child's pid")
    func lockAcrossProcesses() throws {
        let dir = try scratch("lock-child")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out")
        let p = try Probe(target: target, tag: "holder", files: 200, delayMs: 20, mode: "cooperative")
        let deadline = Date().addingTimeInterval(60)
        while !p.output.contains("begun "), Date() < deadline, p.process.isRunning { usleep(10_000) }
        #expect(p.output.contains("begun "))
        #expect(throws: RunDirectoryError.locked(path: target.path, holderPID: p.process.processIdentifier)) {
            _ = try RunDirectory.begin(at: target, command: "second", modelDigest: nil, libraryVersion: "test")
        }
        kill(p.process.processIdentifier, SIGINT)
        #expect(p.wait(timeout: 60))
        // The child died; the kernel dropped its lock.
        _ = try completeRun(into: target, digest: "after", files: ["a.txt": "a"])
    }
}
