import Foundation
import SpineTraction
import Testing

/// `import SpineTraction` exports one `JSONValue` (this file compiles only if the name is unambiguous).
@Suite("One JSONValue through the umbrella")
struct OneJSONValueTests {
    @Test("JSONValue names one type: ordered members, indented writer, canonical sorted bytes")
    func oneType() throws {
        let v: JSONValue = .null
        #expect(v == JSONValue.null)
        let object: JSONValue = .object([("z", .number(1)), ("a", .array([.number(0.5), .number(-2)])), ("m", .string("é\n"))])
        // Reference: the expected texts written by hand from the writers' documented rules.
        #expect(object.serialized() == "{\n  \"z\": 1,\n  \"a\": [0.5, -2],\n  \"m\": \"é\\n\"\n}")
        let back = try JSONValue.parse(Data(object.serialized().utf8))
        #expect(back == object)
        guard case let .object(members) = back else { Issue.record("not an object"); return }
        #expect(members.keys == ["z", "a", "m"])
        // The same type is what TractionSafety's readers take (max depth is the caller's choice).
        #expect(try JSONValue.parse(Array("{\"z\":1,\"a\":[0.5,-2],\"m\":\"é\\n\"}".utf8), maxDepth: 16) == object)
    }
}
