import Testing
import Foundation
@testable import SpineModel

/// The model file is read by the package's one strict JSON reader (TractionSafety's), with the
/// model-file depth limit and errors at "line L, column C".
@Suite("Model file JSON reader")
struct ModelFileJSONTests {
    /// Parses `data` as a model file, expecting a ModelError.
    func parseError(_ data: Data) -> ModelError? {
        do { _ = try Model.parse(data); return nil } catch let e as ModelError { return e } catch { return nil }
    }

    @Test("100 000-deep nesting: a typed syntax error at the first level past the limit, no stack overflow")
    func deepNesting() throws {
        let depth = 100_000
        let text = "\n\n" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let e = try #require(parseError(Data(text.utf8)))
        // Reference: the limit is 64 levels, so the 65th '[' (byte 64 of line 3) is refused.
        #expect(JSONValue.modelFileMaxDepth == 64)
        #expect(e.kind == .syntax)
        #expect(e.path == "line 3, column 65")
        #expect(e.message.contains("nesting deeper than 64"))
        // Objects too, and exactly 64 levels are accepted by the reader.
        let objects = String(repeating: "{\"a\": ", count: depth) + "1" + String(repeating: "}", count: depth)
        let eo = try #require(parseError(Data(objects.utf8)))
        #expect(eo.kind == .syntax && eo.path == "line 1, column \(64 * 6 + 1)")
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { _ = try JSONValue.parse(Data(ok.utf8)) }
    }

    @Test("byte-order mark and UTF-16 text: refused with the save-as-UTF-8 message")
    func encodingMarks() throws {
        let bom = Data([0xEF, 0xBB, 0xBF]) + Data(validModel.utf8)
        let e = try #require(parseError(bom))
        #expect(e.kind == .syntax && e.path == "line 1, column 1")
        #expect(e.message.contains("UTF-8 byte-order mark") && e.message.contains("save it as UTF-8 without BOM"))
        for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian, .utf16] {
            let data = try #require(validModel.data(using: encoding))
            let e16 = try #require(parseError(data), "\(encoding)")
            #expect(e16.kind == .syntax && e16.message.contains("save it as UTF-8 without BOM"), "\(encoding): \(e16.message)")
        }
    }

    @Test("surrogate pairs in a model-file string are read; lone surrogates refused")
    func surrogates() throws {
        let pair = replacing("\"units\": \"mm-N-s-MPa\",", #""units": "mm-N-s-MPa", "description": "disc \ud83d\ude00 \uD834\uDD1E","#)
        let model = try Model.parse(Data(pair.utf8))
        // Reference: U+1F600 = D83D DE00, U+1D11E = D834 DD1E (UTF-16 encoding, Unicode §3.9).
        #expect(model.notes == "disc \u{1F600} \u{1D11E}")
        for bad in [#"\ud83d"#, #"\ude00"#, #"\ud83dx"#, #"\ud83d\u0041"#] {
            let text = replacing("\"units\": \"mm-N-s-MPa\",", "\"units\": \"mm-N-s-MPa\", \"description\": \"\(bad)\",")
            let e = try #require(parseError(Data(text.utf8)), "\(bad)")
            #expect(e.kind == .syntax && e.message.contains("surrogate"), "\(bad): \(e.message)")
            #expect(e.path.hasPrefix("line 2, column "), "\(bad): \(e.path)")
        }
    }

    @Test("object member order is kept: regions in file order, also after writing and reading back")
    func memberOrder() throws {
        let text = replacing("\"regions\": {\"all\": \"gel\"},", "\"regions\": {\"zeta\": \"gel\", \"all\": \"gel\", \"mid\": \"gel\"},")
        let model = try Model.parse(Data(text.utf8))
        #expect(model.regions.map(\.region) == ["zeta", "all", "mid"])
        let written = try model.jsonData()
        let again = try Model.parse(written)
        #expect(again.regions.map(\.region) == ["zeta", "all", "mid"])
        guard case let .object(top) = try JSONValue.parse(written), case let .object(regions)? = top["regions"] else {
            Issue.record("written model has no regions object"); return
        }
        #expect(regions.keys == ["zeta", "all", "mid"])
        // Duplicate keys stay refused, at the repeated key.
        let dup = replacing("\"regions\": {\"all\": \"gel\"},", "\"regions\": {\"all\": \"gel\", \"all\": \"gel\"},")
        let e = try #require(parseError(Data(dup.utf8)))
        #expect(e.kind == .syntax && e.path == "line 5, column 29" && e.message.contains("duplicate key \"all\""))
    }

    @Test("a model built in code with a key the file cannot hold twice: the writer refuses, naming the place")
    func writerRefusesDuplicates() throws {
        var model = try Model.parse(Data(validModel.utf8))
        model.regions.append((region: "all", material: "gel"))
        do { _ = try model.jsonData(); Issue.record("duplicate region written") } catch let e as ModelError {
            #expect(e.kind == .invalidValue && e.path == "regions" && e.message.contains("\"all\" is listed twice"))
        }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples/models/nutrient-traction.json").standardized
        var nutrient = try Model(contentsOf: url)
        let first = try #require(nutrient.transport?.solutes.first)
        nutrient.transport?.solutes.append(first)
        do { _ = try nutrient.jsonData(); Issue.record("duplicate solute written") } catch let e as ModelError {
            #expect(e.kind == .invalidValue && e.path == "transport.solutes" && e.message.contains("\"\(first.name)\" is listed twice"))
        }
    }

    @Test("fuzz regressions (Fuzz/regressions-modelfile/*.bin) are refused with a syntax error, no trap")
    func fuzzRegressionInputs() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz/regressions-modelfile").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
        #expect(files.count >= 3)
        for name in files {
            let e = parseError(try Data(contentsOf: dir.appendingPathComponent(name)))
            #expect(e?.kind == .syntax, "\(name): \(String(describing: e))")
        }
    }

    /// A fuzz finding: a rigid force with a −0 component (`[0, 0, -0.00]`) is valid, and its written
    /// form (which writes −0 as `0`) reads back to an equal model — values compare as numbers.
    @Test func negativeZeroSurvivesTheRoundTrip() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/regressions-modelfile/negative-zero-rigid-force.json").standardized
        let model = try Model.parse(Data(contentsOf: url), baseDirectory: URL(fileURLWithPath: "/nonexistent"))
        try model.validate()
        let again = try Model.parse(try model.jsonData(), baseDirectory: URL(fileURLWithPath: "/nonexistent"))
        #expect(again == model)
        #expect(BoundaryCondition.Kind.force(SIMD3(0, 0, -0.0), curve: nil) == .force(SIMD3(0, 0, 0), curve: nil))
        #expect(BoundaryCondition.Kind.force(SIMD3(0, 0, 1), curve: nil) != .force(SIMD3(0, 0, 0), curve: nil))
    }
}
