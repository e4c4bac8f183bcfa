// libFuzzer harness for the model-file JSON reader (see Fuzz/README.md and scripts/fuzz-smoke.sh).
// Compiled together with Sources/TractionSafety/JSON (the package's one strict reader and the
// indented writer) as one module; SpineModel's schema layer is not linked (it needs the whole FE
// stack) — `Model.parse` is replayed on the regressions by SpineModelTests.

/// The model-file depth limit (`JSONValue.modelFileMaxDepth` in SpineModel).
let modelFileMaxDepth = 64

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFileReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let value = try JSONValue.parse(bytes, maxDepth: modelFileMaxDepth)
        // What the writer writes, the reader reads back to an equal value (member order kept).
        let text = Array(value.serialized().utf8)
        guard let again = try? JSONValue.parse(text, maxDepth: modelFileMaxDepth) else {
            fatalError("serialized() output does not parse back")
        }
        precondition(again == value, "serialized() output parses back to a different value")
    } catch {
        // The error's position is consistent: offset inside the input, line = 1 + LFs before it.
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the input")
        let lines = 1 + bytes[0..<error.offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        precondition(error.line == lines && error.column >= 1, "error line/column inconsistent with its offset")
    }
    return 0
}
