// libFuzzer harness for the Gmsh reader (see Fuzz/README.md and scripts/fuzz-smoke.sh).
// Compiled together with the FiniteElements sources (one module) against SparseLinearAlgebra.
import SparseLinearAlgebra

/// A 64 MiB memory cap: a declared size beyond it must be refused (typed error), never allocated.
let fuzzGmshLimits = InputLimits(memoryCapBytes: 64 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGmshReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Non-UTF-8 bytes are repaired by String(decoding:); the parser must return or throw, never trap.
    let text = String(decoding: bytes, as: UTF8.self)
    if let mesh = try? GmshReader.parse(text, limits: fuzzGmshLimits) {
        _ = mesh.nodeCount + mesh.cellCount
    }
    return 0
}
