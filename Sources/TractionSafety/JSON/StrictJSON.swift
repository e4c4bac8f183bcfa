/// A JSON value as the strict parser reads it and the writers write it: the one JSON value type of
/// the package (limits documents, model files, results and state files).
///
/// Objects keep their members in document order (``JSONObject``; a model file's order can matter)
/// and never hold a key twice (the parser refuses duplicate keys). Numbers are `Double` because
/// every number read is a physical quantity or a small integer.
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
    /// An object: unique keys, in document order.
    case object(JSONObject)

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

    /// Parses one JSON value filling the whole of `bytes` (surrounding whitespace allowed) with the
    /// strict reader (RFC 8259 grammar, see ``JSONParseError`` for what is refused).
    ///
    /// - Parameters:
    ///   - maxDepth: deepest nesting of arrays/objects accepted; deeper input is refused as soon as
    ///     the limit is crossed, so no input can exhaust the stack.
    ///   - maxNumberLength: longest number literal accepted, in characters (nil: any length).
    /// - Throws: ``JSONParseError`` with the byte offset, line and column of the problem.
    public static func parse(_ bytes: [UInt8], maxDepth: Int, maxNumberLength: Int? = nil) throws(JSONParseError) -> JSONValue {
        try StrictJSONParser.parse(bytes, maxDepth: maxDepth, maxNumberLength: maxNumberLength)
    }
}

/// The members of a JSON object: unique keys in insertion (document) order.
///
/// Equality compares members in order (two objects listing the same members in a different order
/// are different values: the order is part of what was read). Key lookup is by a hash index.
/// Adding a key that is already present through ``append(_:)``, a literal or ``init(_:)`` is a
/// programming error and traps, as for `Dictionary` literals; the parser refuses duplicates in input.
public struct JSONObject: RandomAccessCollection, Equatable, Sendable, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    /// One member.
    public typealias Element = (key: String, value: JSONValue)
    /// Positions are 0-based member numbers.
    public typealias Index = Int

    private var members: [Element] = []
    private var positions: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// An object with `members` in this order.
    /// - Precondition: no key appears twice.
    public init(_ members: some Sequence<Element>) {
        for m in members { append(m) }
    }

    /// An object with the literal's members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (k, v) in elements { append((k, v)) }
    }

    /// An object with the listed `(key, value)` members in this order.
    public init(arrayLiteral elements: (String, JSONValue)...) {
        for (k, v) in elements { append((k, v)) }
    }

    /// Position of the first member (0).
    public var startIndex: Int { 0 }
    /// One past the last member's position (the member count).
    public var endIndex: Int { members.count }

    /// The member at `position`; setting it keeps the key unique.
    /// - Precondition: a new key set here is not already present at another position.
    public subscript(position: Int) -> Element {
        get { members[position] }
        set {
            let old = members[position].key
            if newValue.key != old {
                precondition(positions[newValue.key] == nil, "duplicate JSON object key \"\(newValue.key)\"")
                positions[old] = nil
                positions[newValue.key] = position
            }
            members[position] = newValue
        }
    }

    /// Keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of `key`, or nil. Setting a present key replaces its value in place, setting a new
    /// key appends it, setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let newValue {
                if let k = positions[key] { members[k].value = newValue } else { append((key, newValue)) }
            } else {
                _ = removeValue(forKey: key)
            }
        }
    }

    /// The value of `key`, or `defaultValue` when absent; setting behaves as ``subscript(_:)-(String)``.
    public subscript(key: String, default defaultValue: @autoclosure () -> JSONValue) -> JSONValue {
        get { self[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// The position of `key`, or nil.
    public func index(forKey key: String) -> Int? { positions[key] }

    /// Appends a member.
    /// - Precondition: `member.key` is not present.
    public mutating func append(_ member: Element) {
        precondition(positions[member.key] == nil, "duplicate JSON object key \"\(member.key)\"")
        positions[member.key] = members.count
        members.append(member)
    }

    /// Appends `newMembers` in order.
    /// - Precondition: none of their keys is present or repeated.
    public mutating func append(contentsOf newMembers: some Sequence<Element>) {
        for m in newMembers { append(m) }
    }

    /// Appends `rhs` to `lhs` in order (``append(contentsOf:)``).
    public static func += (lhs: inout JSONObject, rhs: some Sequence<Element>) {
        lhs.append(contentsOf: rhs)
    }

    /// Inserts a member at `position`; the members from there on move one place later.
    /// - Precondition: `member.key` is not present.
    public mutating func insert(_ member: Element, at position: Int) {
        precondition(positions[member.key] == nil, "duplicate JSON object key \"\(member.key)\"")
        members.insert(member, at: position)
        for j in position..<members.count { positions[members[j].key] = j }
    }

    /// Removes the member `key` and returns its value, or nil when absent; the others keep their order.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let k = positions.removeValue(forKey: key) else { return nil }
        let value = members.remove(at: k).value
        for j in k..<members.count { positions[members[j].key] = j }
        return value
    }

    /// Same members in the same order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// Why the strict JSON reader refused a byte sequence.
public struct JSONParseError: Error, Equatable, Sendable {
    /// True when the refusal is a number literal that overflows to infinity (a non-finite value).
    public var isNonFinite: Bool
    /// Dotted path of the member being parsed (empty at top level).
    public var path: String
    /// Byte offset (0-based) where parsing failed.
    public var offset: Int
    /// Line (1-based; lines end at LF) of ``offset``.
    public var line: Int
    /// Column (1-based, counted in bytes) of ``offset``.
    public var column: Int
    /// What was wrong.
    public var message: String
}

/// A strict, bounded JSON parser (RFC 8259 grammar) for untrusted bytes.
///
/// Strict means: no duplicate keys, no trailing commas, no comments, no leading zeros, no
/// `NaN`/`Infinity` literals, valid UTF-8 only, no lone surrogate escapes, nesting depth at most
/// a nesting depth limit, an optional number-literal length limit. It never traps on any input
/// (fuzzed: `Fuzz/`, limits documents and model files).
struct StrictJSONParser {
    /// Deepest nesting of arrays/objects accepted in a limits document.
    static let maxDepth = 16
    /// Longest number literal accepted in a limits document, in characters.
    static let maxNumberLength = 40

    private let bytes: [UInt8]
    private let maxDepth: Int
    private let maxNumberLength: Int?
    private var index = 0
    private var path: [String] = []

    private init(_ bytes: [UInt8], maxDepth: Int, maxNumberLength: Int?) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.maxNumberLength = maxNumberLength
    }

    /// Parses one JSON value filling the whole input with the limits-document limits
    /// (``maxDepth``, ``maxNumberLength``).
    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try parse(bytes, maxDepth: maxDepth, maxNumberLength: maxNumberLength)
    }

    /// Parses one JSON value filling the whole input (surrounding whitespace allowed).
    ///
    /// A byte-order mark or UTF-16/UTF-32 text is refused with a message saying how to fix the file
    /// (a signed document is byte-exact, so the mark is never silently skipped).
    static func parse(_ bytes: [UInt8], maxDepth: Int, maxNumberLength: Int?) throws(JSONParseError) -> JSONValue {
        if let problem = encodingProblem(bytes) {
            throw JSONParseError(isNonFinite: false, path: "", offset: 0, line: 1, column: 1, message: problem)
        }
        var parser = StrictJSONParser(bytes, maxDepth: maxDepth, maxNumberLength: maxNumberLength)
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

    private func error(_ message: String, nonFinite: Bool = false, at offset: Int? = nil) -> JSONParseError {
        let at = min(offset ?? index, bytes.count)
        var line = 1, lineStart = 0
        for k in 0..<at where bytes[k] == 0x0A { line += 1; lineStart = k + 1 }
        return JSONParseError(isNonFinite: nonFinite, path: path.joined(separator: "."), offset: at, line: line,
                              column: at - lineStart + 1, message: message)
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
        guard index < bytes.count else { throw error("unexpected end of file, expected a value") }
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
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        index += 1  // {
        var members = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyStart = index
            let key = try parseString()
            guard members.index(forKey: key) == nil else { throw error("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            index += 1
            skipWhitespace()
            path.append(key)
            let value = try parseValue(depth: depth)
            path.removeLast()
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
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
            guard index < bytes.count else { throw error("unexpected end of file inside an array") }
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
        if let maxNumberLength, index - start > maxNumberLength {
            throw error("number literal longer than \(maxNumberLength) characters")
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
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (k, member) in sorted.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, to: &out)
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
