// libFuzzer harness for the Matrix Market reader (see Fuzz/README.md and scripts/fuzz-smoke.sh).
// Compiled as its own module against the instrumented SparseLinearAlgebra library.
import SparseLinearAlgebra

/// A 64 MiB memory cap: a declared size beyond it must be refused (typed error), never allocated.
let fuzzMatrixMarketLimits = InputLimits(memoryCapBytes: 64 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMatrixMarketReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Sparse and dense readers: each must return or throw, never trap.
    if case .general(let a)? = try? MatrixMarket.read(bytes: bytes, limits: fuzzMatrixMarketLimits) { _ = a.nonzeroCount }
    _ = try? MatrixMarket.readDense(bytes: bytes, limits: fuzzMatrixMarketLimits)
    return 0
}
