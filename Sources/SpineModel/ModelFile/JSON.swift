import Foundation

/// A parsed JSON value that remembers where it was (for error messages).
///
/// The parser is strict RFC 8259: no comments, no trailing commas, duplicate
/// object keys refused, numbers as `Double`.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in file order.
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A short description of the value for messages: `-4`, `"hex8"`, `an object`.
    public var summary: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return String(b)
        case let .number(x): return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case let .string(s): return "\"\(s)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Parses UTF-8 JSON text.
    /// - Throws: ``ModelError`` of kind `.syntax` naming line and column.
    public static func parse(_ data: Data) throws -> JSONValue {
        var p = JSONParser(bytes: [UInt8](data))
        p.skipWhitespace()
        let v = try p.value()
        p.skipWhitespace()
        if p.i < p.bytes.count { throw p.error("unexpected text after the JSON document") }
        return v
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> ModelError {
        var line = 1, column = 1
        for b in bytes[0..<min(i, bytes.count)] { if b == 10 { line += 1; column = 1 } else { column += 1 } }
        return ModelError(.syntax, at: "line \(line), column \(column)", message)
    }

    mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    mutating func value() throws -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of file: expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(UnicodeScalar(bytes[i])))': expected a value")
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw error("invalid literal: expected \(word)") }
        i += w.count
    }

    mutating func number() throws -> Double {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let s = i; while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }; return i - s }
        guard i < bytes.count else { throw error("incomplete number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw error("invalid number: expected a digit") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") { i += 1; if digits() == 0 { throw error("invalid number: expected a digit after '.'") } }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { throw error("invalid number: expected exponent digits") }
        }
        guard let text = String(bytes: bytes[start..<i], encoding: .utf8), let v = Double(text), v.isFinite else {
            throw error("number out of range")
        }
        return v
    }

    mutating func string() throws -> String {
        i += 1
        var out = [UInt8]()
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw error("control character in string") }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { throw error("unterminated escape") }
                let e = bytes[i]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    guard i + 4 < bytes.count, let code = UInt32(String(decoding: bytes[i + 1...i + 4], as: UTF8.self), radix: 16),
                          let scalar = UnicodeScalar(code) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += 4
                default: throw error("invalid escape '\\\(Character(UnicodeScalar(e)))'")
                }
                i += 1
            } else { out.append(b); i += 1 }
        }
        guard let s = String(bytes: out, encoding: .utf8) else { throw error("string is not valid UTF-8") }
        return s
    }

    mutating func array() throws -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of file: expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func object() throws -> JSONValue {
        i += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a key in double quotes") }
            let keyStart = i
            let key = try string()
            if members.contains(where: { $0.key == key }) { i = keyStart; throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            i += 1
            skipWhitespace()
            members.append((key, try value()))
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of file: expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }
}

/// Reads a JSON object key by key, tracking its path, and refuses keys that
/// were never read (``finish()``).
public struct JSONReader {
    /// The path of this object (`""` for the document root).
    public let path: String
    let members: [(key: String, value: JSONValue)]
    var used: Set<String> = []

    /// A reader for `value` at `path`.
    /// - Throws: `.wrongType` if `value` is not an object.
    public init(_ value: JSONValue, path: String) throws {
        guard case let .object(m) = value else { throw ModelError(.wrongType, at: path, "expected an object, got \(value.summary)") }
        self.path = path; members = m
    }

    /// The path of `key` below this object.
    public func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Keys present, in file order.
    public var keys: [String] { members.map(\.key) }

    /// True when `key` is present.
    public func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// The value of `key`, or nil; marks it read.
    public mutating func optional(_ key: String) -> JSONValue? {
        guard let v = members.first(where: { $0.key == key })?.value else { return nil }
        used.insert(key)
        return v
    }

    /// The value of `key`; marks it read.
    /// - Throws: `.missingKey` naming the path.
    public mutating func required(_ key: String) throws -> JSONValue {
        guard let v = optional(key) else { throw ModelError(.missingKey, at: child(key), "required key is missing") }
        return v
    }

    /// Refuses every key that was not read.
    /// - Throws: `.unknownKey` naming the first such key and the keys allowed here.
    public func finish(allowed: [String]) throws {
        for m in members where !used.contains(m.key) {
            throw ModelError(.unknownKey, at: child(m.key), "unknown key; expected one of: \(allowed.joined(separator: ", "))")
        }
    }
}

/// Typed accessors that name the path on failure.
public enum JSONAccess {
    /// A finite number.
    public static func number(_ v: JSONValue, _ path: String) throws -> Double {
        guard case let .number(x) = v else { throw ModelError(.wrongType, at: path, "expected a number, got \(v.summary)") }
        return x
    }
    /// A number > 0.
    public static func positive(_ v: JSONValue, _ path: String) throws -> Double {
        guard case let .number(x) = v, x > 0 else { throw ModelError(.invalidValue, at: path, "expected a positive number, got \(v.summary)") }
        return x
    }
    /// A number ≥ 0.
    public static func nonNegative(_ v: JSONValue, _ path: String) throws -> Double {
        guard case let .number(x) = v, x >= 0 else { throw ModelError(.invalidValue, at: path, "expected a non-negative number, got \(v.summary)") }
        return x
    }
    /// A whole number ≥ `minimum`.
    public static func integer(_ v: JSONValue, _ path: String, minimum: Int) throws -> Int {
        guard case let .number(x) = v, x == x.rounded(), x >= Double(minimum), x < 1e9 else {
            throw ModelError(.invalidValue, at: path, "expected a whole number ≥ \(minimum), got \(v.summary)")
        }
        return Int(x)
    }
    /// A string.
    public static func string(_ v: JSONValue, _ path: String) throws -> String {
        guard case let .string(s) = v else { throw ModelError(.wrongType, at: path, "expected a string, got \(v.summary)") }
        return s
    }
    /// A boolean.
    public static func bool(_ v: JSONValue, _ path: String) throws -> Bool {
        guard case let .bool(b) = v else { throw ModelError(.wrongType, at: path, "expected true or false, got \(v.summary)") }
        return b
    }
    /// An array.
    public static func array(_ v: JSONValue, _ path: String) throws -> [JSONValue] {
        guard case let .array(a) = v else { throw ModelError(.wrongType, at: path, "expected an array, got \(v.summary)") }
        return a
    }
    /// An array of exactly three numbers (a point in mm or a vector).
    public static func vector3(_ v: JSONValue, _ path: String) throws -> SIMD3<Double> {
        let a = try array(v, path)
        guard a.count == 3 else { throw ModelError(.invalidValue, at: path, "expected 3 numbers [x, y, z], got \(a.count)") }
        return SIMD3(try number(a[0], "\(path)[0]"), try number(a[1], "\(path)[1]"), try number(a[2], "\(path)[2]"))
    }
    /// One of the listed strings.
    public static func choice(_ v: JSONValue, _ path: String, _ options: [String]) throws -> String {
        let s = try string(v, path)
        guard options.contains(s) else { throw ModelError(.invalidValue, at: path, "expected one of \(options.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"") }
        return s
    }
}
