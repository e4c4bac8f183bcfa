import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output directory a user can trust: a run writes into a fresh staging directory beside the
/// target and swaps it into place only when complete, so the target always holds either the
/// previous complete run or the new complete run — never a mixture, never a partial run.
///
/// **Protocol.** For a target `…/out`:
/// 1. ``begin(at:command:modelDigest:libraryVersion:)`` takes an exclusive `flock` on
///    `…/.out.lock` (kept, never deleted; released when the run ends or its process dies — a second
///    run into the same target gets ``RunDirectoryError/locked(path:holderPID:)``), checks that the
///    target is absent, an empty directory or an earlier run (a directory holding `run.json`; any
///    other directory is never replaced), creates `…/.out.partial-<pid>-<random>` and writes
///    `run.json` there with status `running`.
/// 2. The run writes its files into ``staging`` (``file(_:field:)`` checks a name and returns its URL).
/// 3. ``commit()`` hashes every file (size and SHA-256), fsyncs files and directories, writes
///    `run.json` last with status `complete`, then swaps the staging directory into place:
///    `renameat2(RENAME_EXCHANGE)` when the target exists (`rename(2)` cannot replace a non-empty
///    directory), plain `rename(2)` when it does not; then deletes the previous run and releases the lock.
///    (A process killed in the instant between creating the staging directory and writing this
///    first manifest leaves a staging directory without `run.json`: ``status(of:)`` refuses it,
///    and readers treat it as incomplete like any other.)
/// 4. ``fail(reason:)``, a ``RunSignalMonitor`` on SIGINT/SIGTERM, or releasing the object without
///    committing marks the staging directory's `run.json` `incomplete` with the reason; the target
///    is untouched. A SIGKILL leaves status `running`.
///
/// **Readers** use ``status(of:)`` or ``verify(_:)``: only status `complete` is a complete run; a
/// staging directory (`.out.partial-…`) is evidence of a failed or killed run, kept for inspection
/// (``stagingDirectories(of:)`` lists them) — one whose status is `complete` finished but was not
/// swapped in (killed between the manifest and the swap) or is a previous run awaiting deletion.
///
/// Linux only for the atomic exchange (`renameat2` needs Linux ≥ 3.15 and glibc ≥ 2.28, and a file
/// system that supports `RENAME_EXCHANGE`: ext4, xfs, btrfs, tmpfs; not NFS); elsewhere
/// ``commit()`` refuses to replace an existing target with a typed error rather than swap
/// non-atomically.
///
/// ```swift
/// let run = try RunDirectory.begin(atPath: options.out, command: "spinetraction run disc.json",
///                                  modelDigest: digest, libraryVersion: version)
/// let monitor = RunSignalMonitor.install(marking: run)        // Ctrl-C marks the run incomplete
/// do {
///     for step in steps {
///         try monitor.checkInterrupted()                       // cooperative stop between steps
///         try frame(step).write(to: run.file("frame_\(step).vtu", field: "frame"))
///     }
///     try run.commit()
/// } catch {
///     try? run.fail(reason: "\(error)")
///     throw error
/// }
/// ```
public final class RunDirectory: @unchecked Sendable {
    /// Where the complete run ends up (absolute, standardized).
    public let target: URL
    /// Where the run writes until ``commit()`` (a sibling of ``target``).
    public let staging: URL
    /// The lock file beside the target (`.<name>.lock`).
    public let lockFile: URL

    // All mutable state is guarded by `mutex`; commit() and fail() hold it throughout, so a signal
    // handler's fail() cannot interleave with a commit.
    private let mutex = NSLock()
    private var manifest: RunManifest
    private var lockDescriptor: Int32

    /// The run's current status (``RunStatus/running`` until committed or failed).
    public var status: RunStatus { mutex.withLock { manifest.status } }

    private init(target: URL, staging: URL, lockFile: URL, manifest: RunManifest, lockDescriptor: Int32) {
        self.target = target; self.staging = staging; self.lockFile = lockFile
        self.manifest = manifest; self.lockDescriptor = lockDescriptor
    }

    deinit {
        // Released without commit or fail: mark it, never leave it looking live.
        if manifest.status == .running {
            try? finishIncomplete(reason: "abandoned: the run object was released without commit() or fail(reason:)")
        }
        if lockDescriptor >= 0 { Self.unlockAndClose(lockDescriptor) }
    }

    // MARK: - Begin

    /// Begins a run into the directory at `path` (a command-line `--out` value).
    /// - Throws: ``RunDirectoryError/emptyPath`` for `""`, else as ``begin(at:command:modelDigest:libraryVersion:)``.
    public static func begin(atPath path: String, command: String, modelDigest: String?,
                             libraryVersion: String) throws(RunDirectoryError) -> RunDirectory {
        guard !path.isEmpty else { throw .emptyPath }
        return try begin(at: URL(fileURLWithPath: path), command: command, modelDigest: modelDigest, libraryVersion: libraryVersion)
    }

    /// Begins a run into the directory `target` (see the type's protocol); creates missing parent directories.
    /// - Parameters:
    ///   - target: the output directory (file URL).
    ///   - command: what produced the run (recorded in `run.json`).
    ///   - modelDigest: an identifier of the model (recorded), or nil.
    ///   - libraryVersion: the library's version (recorded).
    /// - Throws: ``RunDirectoryError``: `emptyPath`, `invalidPath`, `notADirectory`, `symbolicLink`,
    ///   `notARunDirectory`, `locked` (naming the holder's pid), `system`.
    public static func begin(at target: URL, command: String, modelDigest: String?,
                             libraryVersion: String) throws(RunDirectoryError) -> RunDirectory {
        guard target.isFileURL else { throw .invalidPath(target.absoluteString) }
        guard !target.path.isEmpty else { throw .emptyPath }
        let target = target.standardizedFileURL
        let name = target.lastPathComponent
        guard !name.isEmpty, name != "/", name != ".", name != ".." else { throw .invalidPath(target.path) }
        let parent = target.deletingLastPathComponent()
        if let failed = Self.makeDirectories(parent) {
            throw .system(operation: "create directory", path: failed.path, errno: failed.errno)
        }

        // 1. The lock.
        let lockFile = parent.appendingPathComponent(".\(name).lock")
        let fd = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(operation: "open lock file", path: lockFile.path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            if e == EWOULDBLOCK {
                let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
                throw .locked(path: target.path, holderPID: Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            throw .system(operation: "lock", path: lockFile.path, errno: e)
        }
        let pid = getpid()
        let pidText = Array("\(pid)\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, pidText, pidText.count, 0) == pidText.count else {
            let e = errno
            unlockAndClose(fd)
            throw .system(operation: "write lock file", path: lockFile.path, errno: e)
        }

        do throws(RunDirectoryError) {
            // 2. The target: absent, empty, or an earlier run.
            try checkReplaceable(target)
            // 3. The staging directory and its first manifest.
            let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let staging = parent.appendingPathComponent(".\(name).partial-\(pid)-\(random)", isDirectory: true)
            guard mkdir(staging.path, 0o755) == 0 else { throw RunDirectoryError.system(operation: "create directory", path: staging.path, errno: errno) }
            let manifest = RunManifest(status: .running, command: command, libraryVersion: libraryVersion,
                                       modelDigest: modelDigest, pid: pid, startedAt: RunManifest.now())
            try writeManifest(manifest, in: staging)
            return RunDirectory(target: target, staging: staging, lockFile: lockFile, manifest: manifest, lockDescriptor: fd)
        } catch {
            unlockAndClose(fd)
            throw error
        }
    }

    /// Throws unless `target` is absent, an empty directory, or a directory holding `run.json`.
    private static func checkReplaceable(_ target: URL) throws(RunDirectoryError) {
        var st = stat()
        guard lstat(target.path, &st) == 0 else {
            if errno == ENOENT { return }
            throw .system(operation: "stat", path: target.path, errno: errno)
        }
        let type = st.st_mode & S_IFMT
        if type == S_IFLNK { throw .symbolicLink(target.path) }
        guard type == S_IFDIR else { throw .notADirectory(target.path) }
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: target.path) } catch {
            throw .system(operation: "list directory", path: target.path, errno: errnoOf(error))
        }
        if entries.isEmpty { return }
        guard entries.contains(RunManifest.fileName) else { throw .notARunDirectory(target.path) }
        do { _ = try status(of: target) } catch { throw .notARunDirectory(target.path) }
    }

    // MARK: - Writing

    /// The URL of output file `name` in the staging directory, after checking the name
    /// (``OutputName/validate(_:field:)``; `field` names the name's origin in the error).
    /// - Throws: ``RunDirectoryError/badName(_:)``.
    public func file(_ name: String, field: String = "file name") throws(RunDirectoryError) -> URL {
        do { try OutputName.validate(name, field: field) } catch { throw .badName(error) }
        return staging.appendingPathComponent(name)
    }

    // MARK: - Commit

    /// What ``commit()`` did.
    public struct Commit: Sendable, Equatable {
        /// The manifest written (status complete).
        public var manifest: RunManifest
        /// A previous run's directory that could not be deleted after the swap (it holds that older
        /// complete run), or nil.
        public var leftover: URL?
    }

    /// Finishes the run: lists and hashes the files, writes `run.json` (status `complete`) last,
    /// fsyncs, and swaps the staging directory into place atomically, then deletes the previous run
    /// and releases the lock. On any error the staging directory is marked `incomplete` and the
    /// target is untouched.
    /// - Throws: ``RunDirectoryError``: `alreadyFinished`, `unexpectedEntry`, `system`.
    @discardableResult
    public func commit() throws(RunDirectoryError) -> Commit {
        mutex.lock()
        defer { mutex.unlock() }
        guard manifest.status == .running else { throw .alreadyFinished(path: target.path, status: manifest.status) }
        do throws(RunDirectoryError) {
            var files: [RunManifest.File] = []
            try Self.collect(directory: staging, relative: "", into: &files)
            var done = manifest
            done.status = .complete
            done.finishedAt = RunManifest.now()
            done.files = files
            try Self.writeManifest(done, in: staging)
            try Self.swapIntoPlace(staging: staging, target: target)
            manifest = done
        } catch {
            try? finishIncompleteLocked(reason: "commit failed: \(error)")
            throw error
        }
        // After an exchange the staging path holds the previous run.
        var leftover: URL?
        if FileManager.default.fileExists(atPath: staging.path) {
            do { try FileManager.default.removeItem(at: staging) } catch { leftover = staging }
        }
        releaseLock()
        return Commit(manifest: manifest, leftover: leftover)
    }

    /// Marks the run incomplete with `reason` (run.json status `incomplete`, fsynced) and releases
    /// the lock; the target keeps the previous complete run. Does nothing on a run already failed.
    /// - Throws: ``RunDirectoryError/alreadyFinished(path:status:)`` on a committed run, `system` when
    ///   the manifest cannot be written.
    public func fail(reason: String) throws(RunDirectoryError) {
        mutex.lock()
        defer { mutex.unlock() }
        switch manifest.status {
        case .complete: throw .alreadyFinished(path: target.path, status: .complete)
        case .incomplete: return
        case .running: try finishIncompleteLocked(reason: reason)
        }
    }

    private func finishIncomplete(reason: String) throws(RunDirectoryError) {
        mutex.lock()
        defer { mutex.unlock() }
        if manifest.status == .running { try finishIncompleteLocked(reason: reason) }
    }

    /// Caller holds `mutex`.
    private func finishIncompleteLocked(reason: String) throws(RunDirectoryError) {
        var m = manifest
        m.status = .incomplete
        m.finishedAt = RunManifest.now()
        m.reason = reason
        m.files = nil
        manifest = m
        defer { releaseLock() }
        try Self.writeManifest(m, in: staging)
    }

    /// Releases the lock explicitly before closing: a child process forked meanwhile (Foundation's
    /// `Process`) shares the open file description until its `exec`, and `close` alone would leave
    /// the lock held by that copy.
    private static func unlockAndClose(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    private func releaseLock() {
        if lockDescriptor >= 0 { Self.unlockAndClose(lockDescriptor); lockDescriptor = -1 }
    }

    // MARK: - Reading

    /// The manifest of the run directory `directory` (a target or a staging directory).
    /// Only ``RunManifest/isComplete`` means complete.
    /// - Throws: ``RunDirectoryError/unreadableManifest(path:detail:)`` when `run.json` is missing, not
    ///   JSON, of another format or version, or has an unknown status.
    public static func status(of directory: URL) throws(RunDirectoryError) -> RunManifest {
        let url = directory.appendingPathComponent(RunManifest.fileName)
        let data = try readSmallFile(url, limit: 64 << 20)
        let m: RunManifest
        do { m = try JSONDecoder().decode(RunManifest.self, from: data) } catch {
            throw .unreadableManifest(path: url.path, detail: "not a run manifest: \(error)")
        }
        guard m.format == RunManifest.formatName else {
            throw .unreadableManifest(path: url.path, detail: "format \"\(m.format)\", expected \"\(RunManifest.formatName)\"")
        }
        guard m.formatVersion == RunManifest.currentFormatVersion else {
            throw .unreadableManifest(path: url.path, detail: "format version \(m.formatVersion), expected \(RunManifest.currentFormatVersion)")
        }
        return m
    }

    /// The manifest of a complete run whose files all match it (present, same size and SHA-256, no
    /// unlisted file).
    /// - Throws: ``RunDirectoryError``: `unreadableManifest` (also for a status other than complete),
    ///   `fileMismatch`.
    @discardableResult
    public static func verify(_ directory: URL) throws(RunDirectoryError) -> RunManifest {
        let m = try status(of: directory)
        let path = directory.appendingPathComponent(RunManifest.fileName).path
        guard m.isComplete, let listed = m.files else {
            throw .unreadableManifest(path: path, detail: "status \(m.status.rawValue)\(m.reason.map { " (\($0))" } ?? ""): not a complete run")
        }
        var found: [RunManifest.File] = []
        try collect(directory: directory, relative: "", into: &found, sync: false)
        guard found == listed else {
            let a = Set(found.map(\.path)), b = Set(listed.map(\.path))
            let detail = a != b
                ? "files differ from the manifest: unlisted \(a.subtracting(b).sorted()), missing \(b.subtracting(a).sorted())"
                : "file sizes or SHA-256 differ from the manifest: \(zip(found, listed).filter { $0 != $1 }.map(\.0.path))"
            throw .fileMismatch(path: directory.path, detail: detail)
        }
        return m
    }

    /// Staging directories (`.<name>.partial-…`) left beside `target` by failed or killed runs (and
    /// by the current one), sorted by name.
    public static func stagingDirectories(of target: URL) -> [URL] {
        let target = target.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent).partial-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().map { parent.appendingPathComponent($0, isDirectory: true) }
    }

    /// Deletes the staging directories that failed or killed runs left beside the target (every
    /// `.<name>.partial-…` but this run's own) and returns them. Safe while this run holds the lock:
    /// no other run can be writing them.
    /// - Throws: ``RunDirectoryError/alreadyFinished(path:status:)`` once this run has ended (the lock
    ///   is released), `system` when one cannot be deleted.
    @discardableResult
    public func removeStaleStagingDirectories() throws(RunDirectoryError) -> [URL] {
        mutex.lock()
        defer { mutex.unlock() }
        guard manifest.status == .running else { throw .alreadyFinished(path: target.path, status: manifest.status) }
        let own = staging.standardizedFileURL.path
        var removed: [URL] = []
        for url in Self.stagingDirectories(of: target) where url.standardizedFileURL.path != own {
            do { try FileManager.default.removeItem(at: url) } catch {
                throw .system(operation: "remove", path: url.path, errno: Self.errnoOf(error))
            }
            removed.append(url)
        }
        return removed
    }

    // MARK: - File system

    /// The bytes of `url` (at most `limit` bytes), read with POSIX calls so errors keep their errno.
    private static func readSmallFile(_ url: URL, limit: Int) throws(RunDirectoryError) -> Data {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .unreadableManifest(path: url.path, detail: "cannot read run.json (\(String(cString: strerror(errno)))): not a complete run")
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadableManifest(path: url.path, detail: "cannot read run.json (\(String(cString: strerror(errno))))")
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
            guard data.count <= limit else {
                throw .unreadableManifest(path: url.path, detail: "run.json is larger than \(limit) bytes")
            }
        }
    }

    /// Lists regular files under `directory` (recursively, sorted, run.json at the top level
    /// excluded) with size and SHA-256; with `sync`, fsyncs each file and directory.
    private static func collect(directory: URL, relative: String, into files: inout [RunManifest.File],
                                sync: Bool = true) throws(RunDirectoryError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() } catch {
            throw .system(operation: "list directory", path: directory.path, errno: errnoOf(error))
        }
        for name in names {
            if relative.isEmpty, name == RunManifest.fileName || name == RunManifest.fileName + ".tmp" { continue }
            let url = directory.appendingPathComponent(name)
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(url.path, &st) == 0 else { throw .system(operation: "stat", path: url.path, errno: errno) }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try collect(directory: url, relative: rel, into: &files, sync: sync)
            case S_IFREG:
                let (bytes, digest) = try hashFile(url, sync: sync)
                files.append(.init(path: rel, bytes: bytes, sha256: digest))
            default:
                throw .unexpectedEntry(url.path)
            }
        }
        if sync { try fsyncPath(directory) }
    }

    /// Size (bytes) and SHA-256 (hex) of a file; fsyncs it when `sync`.
    private static func hashFile(_ url: URL, sync: Bool) throws(RunDirectoryError) -> (Int, String) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: url.path, errno: errno) }
        defer { close(fd) }
        var hasher = SHA256()
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: url.path, errno: errno)
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += n
        }
        if sync, fsync(fd) != 0 { throw .system(operation: "fsync", path: url.path, errno: errno) }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return (total, hex)
    }

    /// fsync of a file or directory by path.
    private static func fsyncPath(_ url: URL) throws(RunDirectoryError) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: url.path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system(operation: "fsync", path: url.path, errno: errno) }
    }

    /// Writes `run.json` in `directory` atomically (temporary file, fsync, rename, fsync the directory).
    private static func writeManifest(_ m: RunManifest, in directory: URL) throws(RunDirectoryError) {
        let data: Data
        do { data = try m.jsonData() } catch { throw .system(operation: "encode manifest", path: directory.path, errno: EINVAL) }
        let tmp = directory.appendingPathComponent(RunManifest.fileName + ".tmp")
        let final = directory.appendingPathComponent(RunManifest.fileName)
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(operation: "create", path: tmp.path, errno: errno) }
        var written = 0
        let ok: Bool = data.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        let e = errno
        guard ok, fsync(fd) == 0 else { close(fd); throw .system(operation: "write", path: tmp.path, errno: ok ? errno : e) }
        close(fd)
        guard rename(tmp.path, final.path) == 0 else { throw .system(operation: "rename", path: final.path, errno: errno) }
        try fsyncPath(directory)
    }

    /// Moves `staging` to `target`: exchange when the target exists, rename otherwise; fsyncs the parent.
    private static func swapIntoPlace(staging: URL, target: URL) throws(RunDirectoryError) {
        var st = stat()
        let exists = lstat(target.path, &st) == 0
        if exists {
            guard st.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(target.path) }
            try exchange(staging, target)
        } else if rename(staging.path, target.path) != 0 {
            let e = errno
            // Created meanwhile by someone ignoring the lock: exchange instead.
            guard e == EEXIST || e == ENOTEMPTY else { throw .system(operation: "rename", path: target.path, errno: e) }
            try exchange(staging, target)
        }
        // The swap is done (the new run is in place); a failed fsync of the parent only weakens
        // durability across a power loss and must not mark the (now previous) staging path incomplete.
        try? fsyncPath(target.deletingLastPathComponent())
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// `renameat2(RENAME_EXCHANGE)`, looked up in the C library at run time (Swift's Glibc module
    /// does not declare it).
    private static let renameat2: RenameAt2? = {
        #if os(Linux)
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
        #else
        return nil
        #endif
    }()

    /// `RENAME_EXCHANGE` from `<linux/fs.h>`.
    private static let renameExchange: UInt32 = 1 << 1

    private static func exchange(_ a: URL, _ b: URL) throws(RunDirectoryError) {
        guard let fn = renameat2 else { throw .system(operation: "atomic exchange (renameat2 unavailable) onto", path: b.path, errno: ENOSYS) }
        #if os(Linux)
        let atFDCWD = AT_FDCWD
        #else
        let atFDCWD: Int32 = -2
        #endif
        guard fn(atFDCWD, a.path, atFDCWD, b.path, renameExchange) == 0 else {
            throw .system(operation: "atomic exchange (renameat2 RENAME_EXCHANGE) onto", path: b.path, errno: errno)
        }
    }

    /// `mkdir -p` of `url`: nil when it exists as a directory or was created, otherwise the path
    /// that failed and why (`ENOTDIR` when an existing ancestor is a file) — from `stat`/`mkdir`
    /// themselves, since a Foundation error may carry no POSIX code.
    static func makeDirectories(_ url: URL) -> (path: String, errno: Int32)? {
        var info = stat()
        if stat(url.path, &info) == 0 { return info.st_mode & S_IFMT == S_IFDIR ? nil : (url.path, ENOTDIR) }
        let up = url.deletingLastPathComponent()
        if up.path != url.path, let failed = makeDirectories(up) { return failed }
        if mkdir(url.path, 0o755) == 0 || errno == EEXIST { return nil }
        return (url.path, errno)
    }

    static func errnoOf(_ error: Error) -> Int32 {
        let ns = error as NSError
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain { return Int32(u.code) }
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        return EIO
    }
}
