/// A JSON value as the strict parser reads it and the canonical writer writes it.
///
/// Objects are dictionaries because the parser refuses duplicate keys; numbers are `Double`
/// because every number in a limits document is a physical quantity or a small integer.
public enum JSONValue: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A finite number (the parser refuses literals that overflow to ±infinity).
    case number(Double)
    /// A string (valid UTF-8).
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with unique keys.
    case object([String: JSONValue])
}

/// Why the strict JSON parser refused a byte sequence.
struct JSONParseError: Error, Equatable {
    /// True when the refusal is a number literal that overflows to infinity (a non-finite value).
    var isNonFinite: Bool
    /// Dotted path of the member being parsed (empty at top level).
    var path: String
    /// Byte offset (0-based) where parsing failed.
    var offset: Int
    /// What was wrong.
    var message: String
}

/// A strict, bounded JSON parser (RFC 8259 grammar) for untrusted bytes.
///
/// Strict means: no duplicate keys, no trailing commas, no comments, no leading zeros, no
/// `NaN`/`Infinity` literals, valid UTF-8 only, no lone surrogate escapes, nesting depth at most
/// ``maxDepth``, number literals at most ``maxNumberLength`` characters. It never traps on any input
/// (fuzzed: `Fuzz/`).
struct StrictJSONParser {
    /// Deepest nesting of arrays/objects accepted.
    static let maxDepth = 16
    /// Longest number literal accepted, in characters.
    static let maxNumberLength = 40

    private let bytes: [UInt8]
    private var index = 0
    private var path: [String] = []

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON value filling the whole input (surrounding whitespace allowed).
    ///
    /// A byte-order mark or UTF-16/UTF-32 text is refused with a message saying how to fix the file
    /// (a signed document is byte-exact, so the mark is never silently skipped).
    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        if let problem = encodingProblem(bytes) {
            throw JSONParseError(isNonFinite: false, path: "", offset: 0, message: problem)
        }
        var parser = StrictJSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.error("unexpected data after the top-level value") }
        return value
    }

    /// What is wrong with the text encoding of `bytes`, or nil for text that may be UTF-8.
    static func encodingProblem(_ b: [UInt8]) -> String? {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) {
            return "file starts with a UTF-8 byte-order mark (EF BB BF); save it as UTF-8 without BOM"
        }
        if b.starts(with: [0xFF, 0xFE]) || b.starts(with: [0xFE, 0xFF]) {
            return "file starts with a UTF-16 or UTF-32 byte-order mark (\(b[0] == 0xFF ? "FF FE" : "FE FF")); save it as UTF-8 without BOM"
        }
        if b.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            return "file starts with a UTF-32 byte-order mark (00 00 FE FF); save it as UTF-8 without BOM"
        }
        if b.count >= 2, b[0] == 0 || b[1] == 0 {
            return "file looks like UTF-16 or UTF-32 text (a NUL byte in its first two bytes); save it as UTF-8 without BOM"
        }
        return nil
    }

    private func error(_ message: String, nonFinite: Bool = false) -> JSONParseError {
        JSONParseError(isNonFinite: nonFinite, path: path.joined(separator: "."), offset: index, message: message)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected byte 0x\(String(bytes[index], radix: 16)), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw error("truncated literal, expected \(literal)") }
        let matches = literal.withUTF8Buffer { expected in
            for k in 0..<count where bytes[index + k] != expected[k] { return false }
            return true
        }
        guard matches else { throw error("invalid literal, expected \(literal)") }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            guard members[key] == nil else { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            index += 1
            skipWhitespace()
            path.append(key)
            let value = try parseValue(depth: depth)
            path.removeLast()
            members[key] = value
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            path.append("[\(elements.count)]")
            elements.append(try parseValue(depth: depth))
            path.removeLast()
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") { index += 1; break }
            if c < 0x20 { throw error("unescaped control character 0x\(String(c, radix: 16)) in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else { throw error("lone high surrogate in \\u escape") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("lone low surrogate in \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid scalar in \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw error("invalid escape character 0x\(String(e, radix: 16))")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return s
    }

    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in a number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("leading zero in a number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in an exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        guard index - start <= Self.maxNumberLength else {
            throw error("number literal longer than \(Self.maxNumberLength) characters")
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw error("unreadable number \(text)") }
        guard value.isFinite else { throw error("number \(text) is not finite (overflows a Double)", nonFinite: true) }
        return value
    }
}

/// The canonical byte form of a JSON value: what is signed and what a signed document must be.
///
/// Rules: no whitespace; object keys sorted by their UTF-8 bytes; strings escape only `"`, `\`
/// and control characters (`\b \f \n \r \t`, others `\u00xx`, lowercase hex); numbers that are
/// integral with magnitude below 2^53 as integers (`300`, `0`; never `-0`), all others in Swift's
/// shortest round-trip form (`0.5`, `1e-05`), which is platform-independent and parses back to
/// the same `Double`. So a parsed canonical document re-encodes to the identical bytes.
enum CanonicalJSON {
    /// Canonical bytes of `value`.
    static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        write(value, to: &out)
        return out
    }

    /// Canonical text of a finite number.
    static func numberText(_ x: Double) -> String {
        if x == 0 { return "0" }
        if x == x.rounded(.towardZero), abs(x) < 9_007_199_254_740_992 { return String(Int64(x)) }
        return x.description
    }

    private static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .number(let x): out.append(contentsOf: Array(numberText(x).utf8))
        case .string(let s): writeString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (k, e) in elements.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                write(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (k, key) in keys.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
