import Foundation

/// The state a run's manifest records. **Only ``complete`` means complete**: a reader must treat
/// every other status — and a missing or unreadable `run.json` — as an incomplete run.
public enum RunStatus: String, Codable, Sendable, Equatable, CaseIterable {
    /// The run is writing (or was killed with SIGKILL, or the machine stopped, while writing).
    case running
    /// Every file is written, listed with its size and SHA-256, and the directory was swapped into place.
    case complete
    /// The run failed, was interrupted (SIGINT/SIGTERM) or was abandoned; ``RunManifest/reason`` says why.
    case incomplete
}

/// `run.json`: the manifest a ``RunDirectory`` writes first (status `running`) and last (status
/// `complete` or `incomplete`).
///
/// JSON keys (stable; absent optional keys are omitted):
/// `format` (`"spinetraction-run"`), `formatVersion` (1), `status` (`"running"`, `"complete"`,
/// `"incomplete"`), `command`, `libraryVersion`, `modelDigest` (optional), `pid`, `startedAt` and
/// `finishedAt` (ISO 8601 UTC, e.g. `2026-12-06T13:14:15.123Z`; `finishedAt` absent while running),
/// `reason` (why incomplete), `files` (complete runs: `[{"path": "results.json", "bytes": 1234,
/// "sha256": "…64 hex…"}]`, paths relative to the run directory with `/`, sorted; `run.json` itself
/// is not listed).
public struct RunManifest: Codable, Sendable, Equatable {
    /// The manifest's file name inside a run directory.
    public static let fileName = "run.json"
    /// Value of ``format``.
    public static let formatName = "spinetraction-run"
    /// The manifest version this library writes and reads.
    public static let currentFormatVersion = 1

    /// One output file of a complete run.
    public struct File: Codable, Sendable, Equatable {
        /// Path relative to the run directory, components joined with `/`.
        public var path: String
        /// Size (bytes).
        public var bytes: Int
        /// SHA-256 of the contents, lowercase hex (64 characters).
        public var sha256: String

        /// A file entry.
        public init(path: String, bytes: Int, sha256: String) { self.path = path; self.bytes = bytes; self.sha256 = sha256 }
    }

    /// Always ``formatName``.
    public var format: String
    /// Manifest version (``currentFormatVersion``).
    public var formatVersion: Int
    /// The run's state; only ``RunStatus/complete`` means complete.
    public var status: RunStatus
    /// The command that produced the run (e.g. `spinetraction run disc.json`).
    public var command: String
    /// Version of the library that wrote the run.
    public var libraryVersion: String
    /// Digest identifying the model (e.g. SHA-256 of its canonical JSON), if the caller gave one.
    public var modelDigest: String?
    /// Process id of the writer.
    public var pid: Int32
    /// Start time, ISO 8601 UTC.
    public var startedAt: String
    /// End time, ISO 8601 UTC; nil while running.
    public var finishedAt: String?
    /// Why the run is incomplete; nil otherwise.
    public var reason: String?
    /// The output files (complete runs only).
    public var files: [File]?

    /// True only for status ``RunStatus/complete``.
    public var isComplete: Bool { status == .complete }

    /// A manifest.
    public init(status: RunStatus, command: String, libraryVersion: String, modelDigest: String?, pid: Int32,
                startedAt: String, finishedAt: String? = nil, reason: String? = nil, files: [File]? = nil) {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        self.status = status; self.command = command; self.libraryVersion = libraryVersion
        self.modelDigest = modelDigest; self.pid = pid; self.startedAt = startedAt
        self.finishedAt = finishedAt; self.reason = reason; self.files = files
    }

    /// The JSON text (sorted keys, indented, trailing newline).
    func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var d = try e.encode(self)
        d.append(0x0A)
        return d
    }

    /// The current time as ISO 8601 UTC with milliseconds.
    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}
