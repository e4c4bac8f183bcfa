import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT (Ctrl-C) and SIGTERM into an orderly stop of a run: the run's staging directory is
/// marked `incomplete` at once, and the run's loop stops at its next ``checkInterrupted()``.
///
/// A `sigaction` handler does only what is safe in signal context — it writes the signal number to
/// a pipe — and a dedicated thread reads the pipe and runs the Swift code: it records the signal
/// and calls ``RunDirectory/fail(reason:)`` on the attached run (`interrupted by SIGINT`); `fail`
/// and ``RunDirectory/commit()`` exclude each other, so a signal during a commit waits for it and
/// then finds the run complete. Then:
/// - cooperative (`exitImmediately: false`, the default): the run's loop calls
///   ``checkInterrupted()`` (e.g. after every accepted time step), which throws
///   ``RunDirectoryError/interrupted(signal:)``; a second signal ends the process at once;
/// - immediate (`exitImmediately: true`): the process ends at once, for loops that cannot poll.
///
/// The process ends by re-raising the signal with its default action (``exitBySignal(_:)``), so
/// the parent (a shell, a batch system) sees "killed by SIGINT/SIGTERM" (shell status 130/143).
/// SIGKILL cannot be caught: its run stays `running` in `run.json`, which readers treat as
/// incomplete. One monitor is active per process (installing another replaces it); child
/// processes get the default actions back at `exec`.
///
/// ```swift
/// let run = try RunDirectory.begin(atPath: out, command: "spinetraction run m.json",
///                                  modelDigest: nil, libraryVersion: version)
/// let monitor = RunSignalMonitor.install(marking: run)
/// defer { monitor.uninstall() }
/// do {
///     for step in steps { try monitor.checkInterrupted(); … }
///     try run.commit()
/// } catch RunDirectoryError.interrupted(let signal) {
///     RunSignalMonitor.exitBySignal(signal)    // the run is already marked incomplete
/// }
/// ```
public final class RunSignalMonitor: @unchecked Sendable {
    private let mutex = NSLock()
    private var received: Int32?
    private var previousActions: [(signal: Int32, action: sigaction)] = []
    private let signals: [Int32]
    private weak var run: RunDirectory?
    private let exitImmediately: Bool

    private init(signals: [Int32], run: RunDirectory?, exitImmediately: Bool) {
        self.signals = signals; self.run = run; self.exitImmediately = exitImmediately
    }

    /// Starts monitoring `signals` (default SIGINT and SIGTERM) for the process, replacing any
    /// monitor installed before; marks `run` (held weakly) incomplete on the first signal.
    /// The monitor stays active until ``uninstall()``.
    public static func install(signals: [Int32] = [SIGINT, SIGTERM], marking run: RunDirectory? = nil,
                               exitImmediately: Bool = false) -> RunSignalMonitor {
        let monitor = RunSignalMonitor(signals: signals, run: run, exitImmediately: exitImmediately)
        SignalPipe.start()
        SignalPipe.lock.withLock { SignalPipe.current = monitor }
        for s in signals {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = writeSignalToPipe
            #else
            action.__sigaction_u.__sa_handler = writeSignalToPipe
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var previous = sigaction()
            sigaction(s, &action, &previous)
            monitor.previousActions.append((s, previous))
        }
        return monitor
    }

    /// The first signal received (SIGINT = 2, SIGTERM = 15), or nil.
    public var receivedSignal: Int32? { mutex.withLock { received } }

    /// Throws ``RunDirectoryError/interrupted(signal:)`` once a monitored signal has arrived.
    public func checkInterrupted() throws(RunDirectoryError) {
        if let s = receivedSignal { throw .interrupted(signal: s) }
    }

    /// Stops monitoring and restores the actions the signals had before ``install(signals:marking:exitImmediately:)``.
    public func uninstall() {
        let actions: [(signal: Int32, action: sigaction)] = mutex.withLock {
            defer { previousActions.removeAll() }
            return previousActions
        }
        for (s, a) in actions { var a = a; sigaction(s, &a, nil) }
        SignalPipe.lock.withLock { if SignalPipe.current === self { SignalPipe.current = nil } }
    }

    fileprivate func handle(_ s: Int32) {
        let first: Bool = mutex.withLock {
            if received == nil { received = s; return true }
            return false
        }
        let name = s == SIGINT ? "SIGINT" : s == SIGTERM ? "SIGTERM" : "signal \(s)"
        try? run?.fail(reason: "interrupted by \(name)")
        if exitImmediately || !first { Self.exitBySignal(s) }
    }

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

/// The process-wide path from the signal handler to the active monitor: a pipe written in signal
/// context and read by one thread.
private enum SignalPipe {
    static let lock = NSLock()
    /// The active monitor (guarded by `lock`).
    nonisolated(unsafe) static var current: RunSignalMonitor?
    /// Write end of the pipe (set once, before any handler is installed).
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    nonisolated(unsafe) static var started = false

    /// Creates the pipe and the reader thread on first use.
    static func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)   // never block in the handler
        writeEnd = fds[1]
        started = true
        let readEnd = fds[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 {
                    let monitor = lock.withLock { current }
                    monitor?.handle(Int32(byte))
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "spinetraction.run-signal-monitor"
        thread.start()
    }
}

/// The signal handler: async-signal-safe (one `write(2)` of the signal number, errno preserved).
private func writeSignalToPipe(_ s: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: s)
    _ = write(SignalPipe.writeEnd, &byte, 1)
    errno = saved
}
