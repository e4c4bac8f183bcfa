// A run that uses the run-directory protocol, for the kill tests in SpineModelTests
// (RunDirectoryTests): they start it, signal it at random points and check the output directory.
//
// Usage: RunDirectoryKillProbe TARGET TAG FILES DELAY_MS cooperative|immediate
//   writes FILES files `frame_<i>.txt` (content derived from TAG and i, 4 KiB each) into a run
//   begun at TARGET, sleeping DELAY_MS between files and checking for SIGINT/SIGTERM after each,
//   then commits. Prints "begun <staging>" once the staging directory exists and "committed" at
//   the end. Exit status: 0 committed, 3 run-directory error, 130/143-style signal deaths come
//   from the signal itself.
import Foundation
import SpineModel

let arguments = CommandLine.arguments
guard arguments.count == 6, let files = Int(arguments[3]), let delayMs = Int(arguments[4]),
      ["cooperative", "immediate"].contains(arguments[5]) else {
    FileHandle.standardError.write(Data("usage: RunDirectoryKillProbe TARGET TAG FILES DELAY_MS cooperative|immediate\n".utf8))
    exit(2)
}
let target = arguments[1], tag = arguments[2]
// Start as a process launched from a shell: SIGINT and SIGTERM unblocked (a test runner's
// signal mask may be inherited through Foundation's Process).
var unblock = sigset_t()
sigemptyset(&unblock)
sigaddset(&unblock, SIGINT)
sigaddset(&unblock, SIGTERM)
sigprocmask(SIG_UNBLOCK, &unblock, nil)
/// Writes a line to standard output unbuffered (the parent reads it while the probe runs).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// The content of file `i` of run `tag` (the tests recompute it to check a committed run).
func content(tag: String, index: Int) -> Data {
    let line = "\(tag) frame \(index)\n"
    var text = ""
    while text.utf8.count < 4096 { text += line }
    return Data(text.utf8)
}

do {
    let run = try RunDirectory.begin(atPath: target, command: "RunDirectoryKillProbe \(tag)",
                                     modelDigest: tag, libraryVersion: "kill-probe")
    let monitor = RunSignalMonitor.install(marking: run, exitImmediately: arguments[5] == "immediate")
    say("begun \(run.staging.path)")
    for i in 0..<files {
        try content(tag: tag, index: i).write(to: try run.file("frame_\(i).txt"))
        if delayMs > 0 { usleep(UInt32(delayMs) * 1000) }
        do {
            try monitor.checkInterrupted()
        } catch {
            try? run.fail(reason: "\(error)")
            // End the way an interrupted command line tool does: by the signal.
            RunSignalMonitor.exitBySignal(monitor.receivedSignal ?? SIGTERM)
        }
    }
    try run.commit()
    say("committed")
    exit(0)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(3)
}
