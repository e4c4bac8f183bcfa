import Foundation

extension JSONValue {
    /// Indented JSON text of the value (model, results and state files; not the canonical form
    /// that is signed, see the limits documents): members in order, two spaces per level, arrays of
    /// numbers on one line; integral numbers below 1e15 in magnitude as integers, others in Swift's
    /// shortest round-trip form; a non-finite number (only possible in a value built in code) as
    /// `null`. Parsing the text back gives an equal value.
    public func serialized(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), end = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case let .bool(b): return String(b)
        case let .number(x):
            if !x.isFinite { return "null" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
            return String(x)
        case let .string(s):
            var out = "\""
            for ch in s.unicodeScalars {
                switch ch {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default: if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
                }
            }
            return out + "\""
        case let .array(items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .number = $0 { return true }; return false }) {
                return "[" + items.map { $0.serialized() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { pad + $0.serialized(indent: indent + 1) }.joined(separator: ",\n") + "\n" + end + "]"
        case let .object(members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { pad + JSONValue.string($0.key).serialized() + ": " + $0.value.serialized(indent: indent + 1) }.joined(separator: ",\n") + "\n" + end + "}"
        }
    }
}
