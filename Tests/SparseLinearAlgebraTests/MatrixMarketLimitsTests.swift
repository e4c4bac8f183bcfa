import Foundation
import Testing
import SparseLinearAlgebra

/// The Matrix Market reader checks the declared dimensions, the entries the file can hold and
/// the file size against ``InputLimits`` (count and memory estimate) before allocating anything.
@Suite("Matrix Market: resource bounds")
struct MatrixMarketLimitsTests {
    static func limitError(_ text: String, limits: InputLimits = .default, dense: Bool = false) -> InputLimitError? {
        do {
            if dense { _ = try MatrixMarket.readDense(bytes: Array(text.utf8), limits: limits) } else {
                _ = try MatrixMarket.read(bytes: Array(text.utf8), limits: limits)
            }
        } catch let e as InputLimitError { return e } catch { return nil }
        return nil
    }

    static let eightGiB = InputLimits(memoryCapBytes: 8 << 30)

    /// 1e9 × 1e9 with one entry: the row starts alone need 16 bytes × 1e9 > 8 GiB.
    @Test func billionByBillionWithOneEntry() throws {
        let text = "%%MatrixMarket matrix coordinate real general\n1000000000 1000000000 1\n1 1 1.0\n"
        let e = try #require(Self.limitError(text, limits: Self.eightGiB))
        #expect(e.field == "rows" && e.value == 1_000_000_000 && e.line == 2)
        #expect(e.estimatedBytes == 16_000_000_000 && e.memoryCapBytes == 8 << 30)
        #expect(e.description.contains("Matrix Market line 2: rows = 1000000000"))
    }

    /// Symmetric: the column starts are the allocation, so `columns` is named.
    @Test func symmetricBillion() throws {
        let text = "%%MatrixMarket matrix coordinate real symmetric\n1000000000 1000000000 1\n1 1 1.0\n"
        let e = try #require(Self.limitError(text, limits: Self.eightGiB))
        #expect(e.field == "columns" && e.value == 1_000_000_000)
    }

    /// A declared entry count is trusted only as far as the file can hold entries (6 bytes each):
    /// 2^32 entries declared in a 3-line file is a truncated file, named at its end, never an allocation.
    @Test func hugeEntryCountInASmallFile() throws {
        let text = "%%MatrixMarket matrix coordinate real general\n3 3 4294967296\n1 1 1.0\n"
        do { _ = try MatrixMarket.read(bytes: Array(text.utf8), limits: InputLimits(memoryCapBytes: 1 << 20)); Issue.record("read") } catch let LinearAlgebraError.matrixMarket(line, message) {
            #expect(line == 4 && message.contains("truncated file: expected 4294967296 entries"))
        }
    }

    /// The entry memory: min(entries, what the file can hold) × 28 B + (rows + 1) × 16 B, against the cap.
    @Test func entryMemoryEstimate() throws {
        var text = "%%MatrixMarket matrix coordinate real general\n3 3 1000\n"
        for k in 0..<1000 { text += "\(k % 3 + 1) \(k / 3 % 3 + 1) 1\n" }
        let fit = min(1000, text.utf8.count / 6 + 1)
        let e = try #require(Self.limitError(text, limits: InputLimits(memoryCapBytes: 4096)))
        #expect(e.field == "entries" && e.value == fit && e.estimatedBytes == fit * 28 + 4 * 16)
    }

    /// Dense arrays: the values the file can hold (2 bytes each) at 16 bytes, against the cap.
    @Test func denseArray() throws {
        var text = "%%MatrixMarket matrix array real general\n100 100\n"
        for _ in 0..<10_000 { text += "1\n" }
        let e = try #require(Self.limitError(text, limits: InputLimits(memoryCapBytes: 100_000), dense: true))
        #expect(e.field == "rows × columns" && e.value == 10_000 && e.estimatedBytes == 160_000 && e.line == 2)
    }

    /// A file larger than the memory cap is refused before it is read, naming its size; a
    /// directory is refused as not a regular file.
    @Test func fileSizeAgainstTheCap() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mm-limits-\(UUID().uuidString).mtx").path
        let text = "%%MatrixMarket matrix coordinate real general\n3 3 1\n2 3 4.5\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try MatrixMarket.read(path: path, limits: InputLimits(memoryCapBytes: 16)); Issue.record("read") } catch let e as InputLimitError {
            #expect(e.field == "file size (bytes)" && e.value == text.utf8.count && e.line == 0)
        }
        #expect(throws: LinearAlgebraError.matrixMarket(line: 0, message: "'/tmp' is not a regular file (a directory, device or FIFO)")) {
            try MatrixMarket.read(path: "/tmp")
        }
    }

    /// Within the limits the same file reads (reference: its single entry), and a tiny cap
    /// refuses even a 3 × 3 matrix, naming the estimate.
    @Test func overridableCap() throws {
        let text = "%%MatrixMarket matrix coordinate real general\n3 3 1\n2 3 4.5\n"
        guard case .general(let a) = try MatrixMarket.read(bytes: Array(text.utf8), limits: InputLimits(memoryCapBytes: 1 << 20)) else {
            Issue.record("expected a general matrix"); return
        }
        #expect(a.rows == 3 && a.nonzeroCount == 1 && a.values == [4.5])
        let e = try #require(Self.limitError(text, limits: InputLimits(memoryCapBytes: 40)))
        #expect(e.field == "rows" && e.estimatedBytes == 48)
    }

    /// Every committed fuzz regression input (`Fuzz/regressions-matrixmarket/*.bin`) is refused
    /// with a typed error (a Matrix Market line or a declared size over the limits); none traps.
    @Test func fuzzRegressionInputs() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz/regressions-matrixmarket").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
        #expect(files.count >= 5)
        for f in files {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))
            for dense in [false, true] {
                do {
                    if dense { _ = try MatrixMarket.readDense(bytes: bytes, limits: Self.eightGiB) } else { _ = try MatrixMarket.read(bytes: bytes, limits: Self.eightGiB) }
                    Issue.record("\(f) read")
                } catch let LinearAlgebraError.matrixMarket(line, _) {
                    #expect(line > 0, "\(f)")
                } catch let e as InputLimitError {
                    #expect(e.value > e.maxCount || e.estimatedBytes > e.memoryCapBytes, "\(f)")
                }
            }
        }
    }
}
