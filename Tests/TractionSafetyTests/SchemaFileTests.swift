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
}
