import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT (Ctrl-C) and SIGTERM into an orderly stop of a run: the run's staging directory is
/// marked `incomplete` at once, and the run's loop stops at its next ``checkInterrupted()``.
///
/// The signals are taken from their default action (`SIG_IGN`) and delivered to a
/// `DispatchSourceSignal` on a private queue, so the handler runs as ordinary Swift code, not in
/// signal context. On the first signal the monitor records it and calls
/// ``RunDirectory/fail(reason:)`` on the attached run (`interrupted by SIGINT`); `fail` and
/// ``RunDirectory/commit()`` exclude each other, so a signal during a commit waits for it and
/// then finds the run complete. Then:
/// - cooperative (`exitImmediately: false`, the default): the run's loop calls
///   ``checkInterrupted()`` (e.g. after every accepted time step), which throws
///   ``RunDirectoryError/interrupted(signal:)``; a second signal ends the process at once;
/// - immediate (`exitImmediately: true`): the process ends at once, for loops that cannot poll.
///
/// Child processes started while a monitor is installed inherit the ignored disposition of its
/// signals (POSIX keeps `SIG_IGN` across `exec`): reset it in the child, or uninstall first.
///
/// The process ends by re-raising the signal with its default action, so the parent (a shell, a
/// batch system) sees "killed by SIGINT/SIGTERM" (shell status 130/143). SIGKILL cannot be caught:
/// its run stays `running` in `run.json`, which readers treat as incomplete.
///
/// ```swift
/// let run = try RunDirectory.begin(atPath: out, command: "spinetraction run m.json",
///                                  modelDigest: nil, libraryVersion: version)
/// let monitor = RunSignalMonitor.install(marking: run)
/// defer { monitor.uninstall() }
/// for step in steps { try monitor.checkInterrupted(); … }
/// try run.commit()
/// ```
public final class RunSignalMonitor: @unchecked Sendable {
    private let mutex = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]
    private weak var run: RunDirectory?
    private let exitImmediately: Bool
    private let queue = DispatchQueue(label: "spinetraction.run-signal-monitor")

    private init(signals: [Int32], run: RunDirectory?, exitImmediately: Bool) {
        self.signals = signals; self.run = run; self.exitImmediately = exitImmediately
    }

    /// Starts monitoring `signals` (default SIGINT and SIGTERM) for the process; marks `run` (held
    /// weakly) incomplete on the first one. Install one monitor per run.
    public static func install(signals: [Int32] = [SIGINT, SIGTERM], marking run: RunDirectory? = nil,
                               exitImmediately: Bool = false) -> RunSignalMonitor {
        let monitor = RunSignalMonitor(signals: signals, run: run, exitImmediately: exitImmediately)
        for s in signals {
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: monitor.queue)
            // The handler keeps the monitor alive until uninstall() cancels the sources.
            source.setEventHandler { monitor.handle(s) }
            source.resume()
            monitor.sources.append(source)
        }
        return monitor
    }

    /// The first signal received (SIGINT = 2, SIGTERM = 15), or nil.
    public var receivedSignal: Int32? { mutex.withLock { received } }

    /// Throws ``RunDirectoryError/interrupted(signal:)`` once a monitored signal has arrived.
    public func checkInterrupted() throws(RunDirectoryError) {
        if let s = receivedSignal { throw .interrupted(signal: s) }
    }

    /// Stops monitoring and restores the signals' default actions. Until then the monitor stays
    /// alive (its signal sources hold it), whether or not the caller keeps a reference.
    public func uninstall() {
        mutex.withLock {
            for s in sources { s.setEventHandler(handler: nil); s.cancel() }
            sources.removeAll()
        }
        for s in signals { signal(s, SIG_DFL) }
    }

    private func handle(_ s: Int32) {
        let first: Bool = mutex.withLock {
            if received == nil { received = s; return true }
            return false
        }
        let name = s == SIGINT ? "SIGINT" : s == SIGTERM ? "SIGTERM" : "signal \(s)"
        try? run?.fail(reason: "interrupted by \(name)")
        if exitImmediately || !first { Self.terminate(with: s) }
    }

    private static func terminate(with s: Int32) -> Never { exitBySignal(s) }

    /// Ends the process by signal `s` with its default action (the parent sees "killed by `s`"; a
    /// shell reports 128 + `s`): for a command line tool that stopped cooperatively after
    /// ``checkInterrupted()`` threw and ``RunDirectory/fail(reason:)`` marked its run.
    /// The signal is unblocked in the calling thread first (a mask inherited from the parent
    /// would otherwise leave it pending); if it still does not end the process, `_exit(128 + s)`.
    public static func exitBySignal(_ s: Int32) -> Never {
        signal(s, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, s)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(s)
        _exit(128 + s)
    }
}
