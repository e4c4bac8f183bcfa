import Foundation

extension Model {
    /// Largest model file read, bytes: 64 MiB (the largest shipped model is ≈ 10 kB; a mesh too
    /// large to generate belongs in a Gmsh file), or the environment variable
    /// `SPINETRACTION_MAX_MODEL_BYTES`.
    public static var maxFileBytes: Int {
        ProcessInfo.processInfo.environment["SPINETRACTION_MAX_MODEL_BYTES"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 64 << 20
    }

    /// The bytes of the model file at `path`, after checking that it is a regular, readable file
    /// of at most ``maxFileBytes`` — so a directory, a device (`/dev/zero`), a FIFO or a missing
    /// file is named as such instead of reported as a raw system error, and nothing unbounded is read.
    /// - Throws: ``ModelError`` of kind `.file` at `path` saying what the path is and what was expected.
    /// - Parameter what: what the file is, for the messages (default "model file"; the CLI reads a
    ///   protocol file with it too).
    package static func readFile(path: String, what: String = "model file") throws -> Data {
        guard !path.isEmpty else { throw ModelError(.file, at: "", "the \(what) path is empty: expected a path to a .json \(what)") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT || errno == ENOTDIR ? "no such file" : errno == EACCES ? "permission denied (a directory on the path cannot be searched)" : String(cString: strerror(errno))
            throw ModelError(.file, at: path, "cannot read the \(what): \(reason)")
        }
        let kind: String? = switch info.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
        if let kind { throw ModelError(.file, at: path, "cannot read the \(what): it is \(kind); expected a regular .json file") }
        guard Int(info.st_size) <= maxFileBytes else {
            throw ModelError(.file, at: path, "the \(what) has \(info.st_size) bytes; the limit is \(maxFileBytes) (Model.maxFileBytes, SPINETRACTION_MAX_MODEL_BYTES): expected a \(what)\(what == "model file" ? ", with a large mesh in a Gmsh file" : "")")
        }
        guard access(path, R_OK) == 0 else {
            throw ModelError(.file, at: path, "cannot read the \(what): permission denied (expected a file the current user may read)")
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelError(.file, at: path, "cannot read the \(what): \(String(cString: strerror(EIO)))")
        }
    }
}
