/// Why a user-given output name (a probe name, a file stem) was refused. `field` names where it came
/// from (`outputs.probes[2].name`, `--stem`).
public enum OutputNameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name is empty.
    case empty(field: String)
    /// The name is longer than ``OutputName/maximumBytes`` UTF-8 bytes.
    case tooLong(field: String, bytes: Int, limit: Int)
    /// The name contains `/` or `\`.
    case pathSeparator(field: String, name: String)
    /// The name contains a control, format (zero-width) or line-separator character (Unicode scalar value).
    case controlCharacter(field: String, name: String, scalar: UInt32)
    /// The name is `.`, `..`, starts with `.` (hidden; run directories keep their lock and staging
    /// directories as dot-names) or is the manifest's name `run.json`.
    case reserved(field: String, name: String)

    /// Where the name came from.
    public var field: String {
        switch self {
        case let .empty(f), let .tooLong(f, _, _), let .pathSeparator(f, _), let .controlCharacter(f, _, _), let .reserved(f, _): return f
        }
    }

    public var description: String {
        switch self {
        case let .empty(f): return "\(f): expected a non-empty name"
        case let .tooLong(f, n, l): return "\(f): expected a name of at most \(l) UTF-8 bytes, got \(n)"
        case let .pathSeparator(f, s): return "\(f): expected a name without / or \\, got \(OutputName.quoted(s))"
        case let .controlCharacter(f, s, u):
            return "\(f): expected a name without control or invisible characters, got \(OutputName.quoted(s)) (contains U+\(String(u, radix: 16, uppercase: true)))"
        case let .reserved(f, s): return "\(f): \(OutputName.quoted(s)) is reserved (., .., names starting with ., run.json)"
        }
    }
}

/// Checks user-given names that become file names or CSV column headers of a run's output.
///
/// A valid name is non-empty, at most ``maximumBytes`` UTF-8 bytes (so that suffixes such as
/// `_000123.vtu` keep a file name under the common 255-byte limit), has no `/` or `\`, no control
/// character (Unicode Cc: NUL, newline, tab, …), no format character (Cf: zero-width space and
/// joiners, bidirectional overrides, BOM) and no line or paragraph separator (Zl, Zp), and is not
/// `.`, `..`, a dot-name, or `run.json`.
///
/// ```swift
/// try OutputName.validate("nucleusPressure", field: "outputs.probes[0].name")   // fine
/// try OutputName.validate("a,b\n=cmd()", field: "outputs.probes[1].name")       // controlCharacter
/// ```
public enum OutputName {
    /// Longest accepted name (UTF-8 bytes).
    public static let maximumBytes = 128

    /// Throws unless `name` is a valid output name; `field` names its origin in the error.
    public static func validate(_ name: String, field: String) throws(OutputNameError) {
        guard !name.isEmpty else { throw .empty(field: field) }
        let bytes = name.utf8.count
        guard bytes <= maximumBytes else { throw .tooLong(field: field, bytes: bytes, limit: maximumBytes) }
        for u in name.unicodeScalars {
            if u == "/" || u == "\\" { throw .pathSeparator(field: field, name: name) }
            switch u.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                throw .controlCharacter(field: field, name: name, scalar: u.value)
            default: break
            }
        }
        if name.hasPrefix(".") || name == RunManifest.fileName { throw .reserved(field: field, name: name) }
    }

    /// `s` in double quotes with control and invisible characters shown as `\u{…}` (for messages).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                out += "\\u{\(String(u.value, radix: 16, uppercase: true))}"
            default:
                if u == "\"" || u == "\\" { out += "\\" }
                out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
