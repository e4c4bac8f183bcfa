import Foundation
import PropertyBased
import Testing
@testable import TractionSafety

@Suite("Strict JSON and canonical form")
struct CanonicalJSONTests {
    @Test func numberTextExamples() {
        // Hand-written references: integers without a fraction, never "-0", others shortest round-trip.
        #expect(CanonicalJSON.numberText(300) == "300")
        #expect(CanonicalJSON.numberText(-0.0) == "0")
        #expect(CanonicalJSON.numberText(0.5) == "0.5")
        #expect(CanonicalJSON.numberText(1e-5) == "1e-05")
        #expect(CanonicalJSON.numberText(343.23275) == "343.23275")
        #expect(CanonicalJSON.numberText(9_007_199_254_740_992) == "9007199254740992.0")   // 2^53: not below 2^53
        #expect(CanonicalJSON.numberText(1e300) == "1e+300")
    }

    @Test func canonicalNumbersRoundTripExactly() async {
        await propertyCheck(count: 500, input: Gen.double(in: -1e12...1e12), Gen.int(in: -300...300)) { x, e in
            let v = x * pow(10, Double(e) / 10)
            guard v.isFinite else { return }
            let text = CanonicalJSON.numberText(v)
            let bytes = Array("{\"v\":\(text)}".utf8)
            let parsed = try? StrictJSONParser.parse(bytes)
            #expect(parsed == .object(["v": .number(v == 0 ? 0 : v)]), "\(v) → \(text)")
            #expect(CanonicalJSON.encode(parsed ?? .null) == bytes, "\(text) is not a fixed point")
        }
    }

    @Test func parserIsCorrectlyRoundedWhereFoundationIsNot() throws {
        // The hard limit 0.5 × 70 × 9.80665 is the double 343.23274999999995 (Python: 0.5*70*9.80665).
        let hard = Fixtures.document.limits.maxForceN.value
        #expect(hard == 0.5 * 70 * 9.80665)
        let tree = try StrictJSONParser.parse(Fixtures.signed)
        guard case .object(let top) = tree, case .object(let limits) = top["limits"], case .object(let maxForce) = limits["maxForceN"]
        else { Issue.record("structure"); return }
        #expect(maxForce["value"] == .number(hard))      // exact
        // Foundation's JSONSerialization on Linux reads the same text 2 ulp away (343.23274999999984,
        // measured with swift-corelibs-foundation of Swift 6.3.1): one reason the loader has its own
        // parser — a signed value must be read back bit-exactly. The keys agree.
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(Fixtures.signed)) as? [String: Any])
        #expect(Set(foundation.keys) == ["schemaVersion", "region", "level", "configuration", "blocked", "blockReasons", "limits", "monitoring", "provenance", "signature"])
        let f = ((foundation["limits"] as? [String: Any])?["maxForceN"] as? [String: Any])?["value"] as? Double
        #expect(abs((f ?? 0) - hard) < 1e-12 * hard)
    }

    @Test func stringsEscapeOnlyWhatTheyMust() throws {
        let value = JSONValue.object(["k": .string("a\"b\\c\n\u{01}é/")])
        let text = String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        #expect(text == "{\"k\":\"a\\\"b\\\\c\\n\\u0001é/\"}")
        #expect(try StrictJSONParser.parse(Array(text.utf8)) == value)
        // Escaped forms that decode to the same string are not canonical.
        #expect(try StrictJSONParser.parse(Array("{\"k\":\"\\u0041\"}".utf8)) == .object(["k": .string("A")]))
        #expect(CanonicalJSON.encode(.object(["k": .string("A")])) != Array("{\"k\":\"\\u0041\"}".utf8))
    }

    @Test func keysSortByUTF8Bytes() {
        let value = JSONValue.object(["b": .number(1), "a": .number(2), "B": .number(3), "é": .number(4)])
        #expect(String(decoding: CanonicalJSON.encode(value), as: UTF8.self) == "{\"B\":3,\"a\":2,\"b\":1,\"é\":4}")
    }

    @Test func strictGrammarRefusals() {
        for text in ["{\"a\":1,}", "[1,]", "{\"a\":1 // c\n}", "{'a':1}", "{\"a\":NaN}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1.}",
                     "{\"a\":1e}", "{\"a\":\"x\ty\"}", "{\"a\":tru}", "{\"a\":1}{}", "{\"a\":1,\"a\":2}", "{\"a\":\"\\x\"}"] {
            #expect(throws: JSONParseError.self, "\(text)") { try StrictJSONParser.parse(Array(text.utf8)) }
        }
        #expect(throws: JSONParseError.self) { try StrictJSONParser.parse(Array(repeating: UInt8(ascii: "["), count: 17) + Array(repeating: UInt8(ascii: "]"), count: 17)) }
        #expect((try? StrictJSONParser.parse(Array(repeating: UInt8(ascii: "["), count: 16) + Array(repeating: UInt8(ascii: "]"), count: 16))) != nil)
    }
}

@Suite("Strict JSON reader options")
struct StrictJSONOptionsTests {
    @Test("depth limit is the caller's: 64 accepts 64 levels and refuses 65; the limits reader keeps 16")
    func configurableDepth() throws {
        func nested(_ n: Int) -> [UInt8] { Array(repeating: UInt8(ascii: "["), count: n) + Array(repeating: UInt8(ascii: "]"), count: n) }
        #expect((try? JSONValue.parse(nested(64), maxDepth: 64)) != nil)
        do {
            _ = try JSONValue.parse(nested(100_000), maxDepth: 64)
            Issue.record("100 000 levels accepted")
        } catch {
            // Reference: the 65th '[' is byte 64.
            #expect(error.offset == 64 && error.line == 1 && error.column == 65 && error.message == "nesting deeper than 64")
        }
        #expect(throws: JSONParseError.self) { try StrictJSONParser.parse(nested(17)) }
    }

    @Test("number-length limit only when asked; errors carry line and column")
    func numberLengthAndPosition() throws {
        let long = Array(("[" + String(repeating: "1", count: 41) + "]").utf8)
        #expect(throws: JSONParseError.self) { try StrictJSONParser.parse(long) }
        #expect(try JSONValue.parse(long, maxDepth: 16) == .array([.number(Double(String(repeating: "1", count: 41))!)]))
        do {
            _ = try JSONValue.parse(Array("{\n  \"a\": 1,\n  \"b\": tru\n}".utf8), maxDepth: 16)
            Issue.record("accepted")
        } catch {
            // Reference: "tru" starts at byte 19, line 3 column 8.
            #expect(error.offset == 19 && error.line == 3 && error.column == 8 && error.path == "b")
        }
    }

    @Test("object members keep insertion order; canonical bytes sort them")
    func orderKept() throws {
        let parsed = try JSONValue.parse(Array("{\"b\":1,\"a\":2}".utf8), maxDepth: 16)
        guard case .object(let m) = parsed else { Issue.record("not an object"); return }
        #expect(m.keys == ["b", "a"])
        #expect(parsed != .object([("a", .number(2)), ("b", .number(1))]))
        #expect(CanonicalJSON.encode(parsed) == Array("{\"a\":2,\"b\":1}".utf8))
        var edited = m
        edited["b"] = nil
        edited["c"] = .null
        #expect(edited.keys == ["a", "c"] && edited.index(forKey: "c") == 1)
    }
}
