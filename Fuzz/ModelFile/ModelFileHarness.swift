// libFuzzer harness for the model file (see Fuzz/README.md and scripts/fuzz-smoke.sh): the whole
// parse and validation a model file gets from the CLI (`Model.parse` then `validate()`), never a
// simulation. Linked against instrumented static libraries of SpineModel and everything below it.

import Foundation
import SpineModel

/// Relative file names in a fuzzed model resolve here (a directory that does not exist).
let baseDirectory = URL(fileURLWithPath: "/nonexistent-spinetraction-fuzz")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    checkJSONReader(bytes)
    guard let model = try? Model.parse(Data(bytes), baseDirectory: baseDirectory) else { return 0 }
    guard (try? model.validate()) != nil else { return 0 }
    // A valid model, written by `jsonData()` and read back, is the same model and still valid.
    guard let written = try? model.jsonData() else { fatalError("a valid model cannot be written") }
    let again: Model
    do { again = try Model.parse(written, baseDirectory: baseDirectory) } catch {
        fatalError("jsonData() output does not parse back: \(error)")
    }
    precondition(again == model, "jsonData() output parses back to a different model")
    do { try again.validate() } catch { fatalError("jsonData() output of a valid model is invalid: \(error)") }
    return 0
}

/// The strict reader with the model-file limits: a refusal carries an offset inside the input and the
/// line and column of that offset; an accepted value, written by `serialized()` and read back, is
/// equal (member order included).
func checkJSONReader(_ bytes: [UInt8]) {
    do {
        let value = try JSONValue.parse(bytes, maxDepth: JSONValue.modelFileMaxDepth)
        let text = Array(value.serialized().utf8)
        guard let again = try? JSONValue.parse(text, maxDepth: JSONValue.modelFileMaxDepth) else {
            fatalError("serialized() output does not parse back")
        }
        precondition(again == value, "serialized() output parses back to a different value")
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the input")
        let lines = 1 + bytes[0..<error.offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        precondition(error.line == lines && error.column >= 1, "error line/column inconsistent with its offset")
    }
}
