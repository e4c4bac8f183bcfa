import Foundation
import Testing
@testable import TractionSafety

@Suite("Schema file")
struct SchemaFileTests {
    /// The committed JSON Schema names exactly the fields the loader requires (all required,
    /// no additional properties), so the schema and the code cannot drift apart.
    @Test func schemaFieldsMatchTheLoader() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Schemas/force-safety-limits.schema.json").standardizedFileURL
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: Any])
        func paths(_ node: [String: Any], _ prefix: [String]) -> [[String]] {
            var node = node
            if let ref = node["$ref"] as? String, ref == "#/$defs/governedLimit" { node = defs["governedLimit"] as! [String: Any] }
            guard let props = node["properties"] as? [String: Any] else { return [] }
            #expect(Set(node["required"] as? [String] ?? []) == Set(props.keys), "\(prefix) requires all its properties")
            #expect(node["additionalProperties"] as? Bool == false, "\(prefix) forbids others")
            return props.keys.sorted().flatMap { k in [prefix + [k]] + paths(props[k] as! [String: Any], prefix + [k]) }
        }
        let schemaPaths = Set(paths(schema, []).filter { $0.first != "signature" })
        let documentPaths = Set(Fixtures.document.jsonValue.memberPaths)
        #expect(schemaPaths == documentPaths)
        #expect(Fixtures.document.schemaVersion.major == TractionSafetyModule.schemaMajorVersion)
    }

    /// The schema file states the same closed ranges as ``LimitsRanges`` (the table the code
    /// enforces), the same level list, and the version this build writes.
    @Test func schemaRangesMatchTheTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Schemas/force-safety-limits.schema.json").standardizedFileURL
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let props = try #require(schema["properties"] as? [String: Any])
        func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
        let limits = try #require((props["limits"] as? [String: Any])?["properties"] as? [String: Any])
        for (name, range, _) in LimitsRanges.limitValues {
            let value = try #require(((limits[name] as? [String: Any])?["properties"] as? [String: Any])?["value"] as? [String: Any], "\(name)")
            #expect(number(value["minimum"]) == range.lowerBound && number(value["maximum"]) == range.upperBound, "\(name)")
        }
        let monitoring = try #require((props["monitoring"] as? [String: Any])?["properties"] as? [String: Any])
        for (name, range, _) in LimitsRanges.monitoringValues {
            let field = try #require(monitoring[name] as? [String: Any], "\(name)")
            #expect(number(field["minimum"]) == range.lowerBound && number(field["maximum"]) == range.upperBound, "\(name)")
        }
        let provenance = try #require((props["provenance"] as? [String: Any])?["properties"] as? [String: Any])
        for name in ["createdAtUnixS", "expiresAtUnixS"] {
            let field = try #require(provenance[name] as? [String: Any])
            #expect(number(field["minimum"]) == LimitsRanges.plausibleUnixS.lowerBound && number(field["maximum"]) == LimitsRanges.plausibleUnixS.upperBound)
        }
        let levels = try #require((props["level"] as? [String: Any])?["enum"] as? [String])
        #expect(levels == SpinalLevel.all.map(\.text))
        #expect((schema["title"] as? String)?.hasSuffix("schema \(TractionSafetyModule.schemaMajorVersion).\(TractionSafetyModule.schemaMinorVersion)") == true)
    }
}
