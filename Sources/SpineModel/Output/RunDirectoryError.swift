/// Why a run directory could not be begun, written, committed or read. Every case names the path.
public enum RunDirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The output path is empty (`--out ''`).
    case emptyPath
    /// The output path has no usable last component (`/`, `.`, `..`), or is not a file URL.
    case invalidPath(String)
    /// The output path exists and is not a directory (a file, a FIFO, …).
    case notADirectory(String)
    /// The output path is a symbolic link (give the directory it points to).
    case symbolicLink(String)
    /// The output path is a non-empty directory without a run manifest: it was not written by a run,
    /// so it is never replaced.
    case notARunDirectory(String)
    /// Another run holds the lock on this output directory; `holderPID` is its process id when known.
    case locked(path: String, holderPID: Int32?)
    /// A system call failed: `operation` on `path`, with `errno` (and its text).
    case system(operation: String, path: String, errno: Int32)
    /// `commit()` or `fail(reason:)` was called on a run that is already committed or failed.
    case alreadyFinished(path: String, status: RunStatus)
    /// The staging directory holds an entry that is neither a regular file nor a directory.
    case unexpectedEntry(String)
    /// `run.json` is missing or unreadable: `detail` says why.
    case unreadableManifest(path: String, detail: String)
    /// A file listed in a complete run's manifest is missing or differs in size or SHA-256.
    case fileMismatch(path: String, detail: String)
    /// The run was interrupted by signal `signal` (SIGINT = 2, SIGTERM = 15).
    case interrupted(signal: Int32)
    /// An output name given by the user is not usable as a file name.
    case badName(OutputNameError)

    public var description: String {
        switch self {
        case .emptyPath: return "output directory: expected a path, got an empty string"
        case let .invalidPath(p): return "output directory \"\(p)\": expected a path ending in a directory name (not /, . or ..)"
        case let .notADirectory(p): return "output directory \(p): exists and is not a directory; remove it or choose another path"
        case let .symbolicLink(p): return "output directory \(p): is a symbolic link; give the directory it points to"
        case let .notARunDirectory(p):
            return "output directory \(p): is a non-empty directory without run.json (not written by a run); it is never replaced — choose an empty or new directory"
        case let .locked(p, pid):
            return "output directory \(p): another run (\(pid.map { "pid \($0)" } ?? "pid unknown")) is writing it; wait for it or choose another directory"
        case let .system(op, p, e): return "\(op) \(p): \(String(cString: strerror(e))) (errno \(e))"
        case let .alreadyFinished(p, s): return "run into \(p) is already \(s.rawValue)"
        case let .unexpectedEntry(p): return "\(p): expected a regular file or directory in the run output"
        case let .unreadableManifest(p, d): return "\(p): \(d)"
        case let .fileMismatch(p, d): return "\(p): \(d)"
        case let .interrupted(s): return "interrupted by signal \(s)\(s == SIGINT ? " (SIGINT)" : s == SIGTERM ? " (SIGTERM)" : "")"
        case let .badName(e): return e.description
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
