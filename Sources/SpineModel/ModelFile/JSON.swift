import Foundation
@_exported import TractionSafety

// The package's one JSON value and strict reader live in TractionSafety (``JSONValue``,
// ``JSONObject``); this file reads model, results and state files with them.

extension JSONValue {
    /// Deepest nesting of arrays/objects accepted in a model, results or state file. The deepest
    /// shipped model nests 6 levels; deeper input is refused as soon as the limit is crossed, so
    /// no file can exhaust the stack.
    public static let modelFileMaxDepth = 64

    /// Parses UTF-8 JSON text of a model, results or state file with the strict reader (RFC 8259:
    /// no comments, no trailing commas, no duplicate keys, no lone surrogates; at most
    /// ``modelFileMaxDepth`` levels; a byte-order mark or UTF-16/UTF-32 text refused with a
    /// message to save the file as UTF-8 without BOM). Object members keep file order.
    /// - Throws: ``ModelError`` of kind `.syntax` at `"line L, column C"`.
    public static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try parse([UInt8](data), maxDepth: modelFileMaxDepth)
        } catch {
            throw ModelError(.syntax, at: "line \(error.line), column \(error.column)", error.message)
        }
    }
}

/// Reads a JSON object key by key, tracking its path, and refuses keys that
/// were never read (``finish()``).
public struct JSONReader {
    /// The path of this object (`""` for the document root).
    public let path: String
    let members: JSONObject
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
    public func has(_ key: String) -> Bool { members.index(forKey: key) != nil }

    /// The value of `key`, or nil; marks it read.
    public mutating func optional(_ key: String) -> JSONValue? {
        guard let v = members[key] else { return nil }
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
    /// Largest whole number a model file may give for a count (divisions, lamellae, indices): 999 999 999.
    public static let maxInteger = 999_999_999

    /// A whole number in `minimum ... ``maxInteger```.
    public static func integer(_ v: JSONValue, _ path: String, minimum: Int) throws -> Int {
        guard case let .number(x) = v, x == x.rounded(), x >= Double(minimum), x <= Double(maxInteger) else {
            throw ModelError(.invalidValue, at: path, "expected a whole number in [\(minimum), \(maxInteger)], got \(v.summary)")
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
