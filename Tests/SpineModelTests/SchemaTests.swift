import Testing
import Foundation

/// True when `python3 -c "import jsonschema"` succeeds (an independent JSON Schema validator).
let hasJSONSchema: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import jsonschema"]
    p.standardError = FileHandle.nullDevice
    do { try p.run(); p.waitUntilExit(); return p.terminationStatus == 0 } catch { return false }
}()

@Suite("Model schema")
struct SchemaTests {
    /// Every example validates against Schemas/model.schema.json with Python's `jsonschema`
    /// (Draft 2020-12), and a model with an unknown key does not.
    @Test(.enabled(if: hasJSONSchema, "needs python3 with jsonschema"))
    func examplesValidateAgainstSchema() throws {
        let script = """
        import json, glob, sys, jsonschema
        schema = json.load(open(sys.argv[1] + '/Schemas/model.schema.json'))
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema)
        files = sorted(glob.glob(sys.argv[1] + '/Examples/models/*.json'))
        bad = [f for f in files if list(v.iter_errors(json.load(open(f))))]
        broken = json.load(open(files[0])); broken['outputs']['colour'] = 1
        print(len(files), len(bad), 1 if list(v.iter_errors(broken)) else 0)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, packageRoot.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(p.terminationStatus == 0)
        #expect(out.count == 3)
        #expect((out.first ?? 0) ?? 0 >= 5)      // examples found
        #expect(out.count == 3 && out[1] == 0)   // none invalid
        #expect(out.count == 3 && out[2] == 1)   // the broken one rejected
    }
}
