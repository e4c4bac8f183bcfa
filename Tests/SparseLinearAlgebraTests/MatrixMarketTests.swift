import Testing
import SparseLinearAlgebra
import _TestSupport

/// The line number of a Matrix Market error, and its message.
private func matrixMarketError(_ body: () throws -> Void) -> (line: Int, message: String)? {
    do { try body() } catch let LinearAlgebraError.matrixMarket(line, message) { return (line, message) } catch { return nil }
    return nil
}

private func readText(_ text: String) throws -> MatrixMarket.SparseMatrix {
    try MatrixMarket.read(bytes: Array(text.utf8))
}

@Suite("Matrix Market")
struct MatrixMarketTests {
    @Test("Symmetric round trip is exact, bit for bit")
    func symmetricRoundTrip() throws {
        var a = TestMatrices.randomSymmetric(dimension: 200, perRow: 5, diagonalShift: 1, seed: 11)
        // Values across the exponent range, negative zero and integers included.
        var rng = SeededGenerator(seed: 5)
        for p in a.values.indices {
            switch p % 5 {
            case 0: a.values[p] = Double.random(in: -1...1, using: &rng) * 1e-300
            case 1: a.values[p] = Double.random(in: -1...1, using: &rng) * 1e300
            case 2: a.values[p] = Double(Int.random(in: -1000...1000, using: &rng))
            case 3: a.values[p] = p % 10 == 3 ? -0.0 : Double.random(in: -1...1, using: &rng)
            default: a.values[p] = 1 / 3 + Double(p)
            }
        }
        guard case .symmetric(let b) = try MatrixMarket.read(bytes: MatrixMarket.encode(a, comment: "test\ntwo lines")) else {
            Issue.record("expected a symmetric matrix"); return
        }
        #expect(b.dimension == a.dimension)
        #expect(b.columnStarts == a.columnStarts)
        #expect(b.rowIndices == a.rowIndices)
        #expect(b.values.map(\.bitPattern) == a.values.map(\.bitPattern))
    }

    @Test("General and dense round trips through files are exact")
    func generalAndDenseRoundTrip() throws {
        let a = TestMatrices.randomSymmetric(dimension: 50, perRow: 3, diagonalShift: 0.5, seed: 3).fullCSR()
        let dir = "/tmp/spinetraction-mm-\(UInt32.random(in: 0...UInt32.max))"
        try MatrixMarket.write(a, to: dir + "-a.mtx")
        #expect(try MatrixMarket.read(path: dir + "-a.mtx") == .general(a))
        var d = DenseMatrix(rows: 7, columns: 3)
        for k in d.values.indices { d.values[k] = Double(k) / 7 - 1e-7 }
        try MatrixMarket.write(d, to: dir + "-b.mtx")
        let e = try MatrixMarket.readDense(path: dir + "-b.mtx")
        #expect(e.rows == 7 && e.columns == 3)
        #expect(e.values.map(\.bitPattern) == d.values.map(\.bitPattern))
    }

    @Test("Number spellings parse to the same Double as Swift's own parser")
    func numberSpellings() throws {
        let spellings = ["1", "-2.5", ".5", "5.", "+7", "1e3", "1E-3", "-0.1", "0.30000000000000004",
                         "123456789012345678901234", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
                         "0.000000000000000000000000001", "-1.2345678901234567e-5", "9007199254740993", "00012.50"]
        var text = "%%MatrixMarket matrix coordinate real general\n\(spellings.count) 1 \(spellings.count)\n"
        for (k, s) in spellings.enumerated() { text += "\(k + 1) 1 \(s)\n" }
        guard case .general(let a) = try readText(text) else { Issue.record("expected general"); return }
        for (k, s) in spellings.enumerated() {
            let reference = try #require(Double(s))
            #expect(a[k, 0].bitPattern == reference.bitPattern, "spelling \(s)")
        }
    }

    @Test("Integer field, CRLF line ends, comments and blank lines are read")
    func integerFieldAndLayout() throws {
        let text = "%%MatrixMarket matrix coordinate integer symmetric\r\n% comment\r\n\r\n2 2 3\r\n1 1 4\r\n\r\n2 1 -1\r\n% late comment\r\n2 2 3\r\n"
        guard case .symmetric(let a) = try readText(text) else { Issue.record("expected symmetric"); return }
        #expect(DenseMatrix(a).values == [4, -1, -1, 3])
    }

    /// (file text, expected 1-based line, a word the message must contain)
    static let malformed: [(String, Int, String)] = [
        ("%%MatrixMarkt matrix coordinate real general\n1 1 1\n1 1 1\n", 1, "banner"),
        ("%%MatrixMarket matrix coordinate real\n1 1 1\n1 1 1\n", 1, "banner"),
        ("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 1, "field"),
        ("%%MatrixMarket matrix coordinate pattern general\n1 1 1\n1 1\n", 1, "pattern"),
        ("%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n", 1, "symmetry"),
        ("%%MatrixMarket matrix coordinate real general\n% c\n3 3\n1 1 1\n", 3, "size line"),
        ("%%MatrixMarket matrix coordinate real general\n3 x 1\n1 1 1\n", 2, "size line"),
        ("%%MatrixMarket matrix coordinate real symmetric\n3 2 1\n1 1 1\n", 2, "square"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 2 1\n3 3 1\n", 6, "truncated"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 2 1\n3 3 1", 5, "truncated"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n2 2 1\n3 3 1\n", 5, "more entries"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 1000000000\n1 1 1\n2 2 1\n", 5, "truncated"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 abc\n3 3 1\n", 4, "not a number"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 1.5e\n3 3 1\n", 4, "not a number"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 b 1\n3 3 1\n", 4, "column index"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2\n3 3 1\n", 4, "3 tokens"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 1\n4 3 1\n", 5, "outside"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n0 1 1\n2 2 1\n3 3 1\n", 3, "outside"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 nan\n3 3 1\n", 4, "NaN"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 -Inf\n2 2 1\n3 3 1\n", 3, "NaN"),
        ("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 1\n3 3 1e400\n", 5, "finite"),
        ("%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 1\n1 2 1\n3 3 1\n", 4, "above the diagonal"),
        ("%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n2 1 1\n3 3 1\n2 1 5\n", 5, "second time"),
    ]

    @Test("Each malformed file names the offending line", arguments: 0..<malformed.count)
    func malformedFiles(_ index: Int) {
        let (text, line, word) = Self.malformed[index]
        let error = matrixMarketError { _ = try readText(text) }
        #expect(error?.line == line, "case \(index): \(String(describing: error))")
        #expect(error?.message.contains(word) == true, "case \(index): \(String(describing: error))")
    }

    @Test("Malformed dense files name the line; a missing file is line 0")
    func malformedDense() {
        let truncated = matrixMarketError { _ = try MatrixMarket.readDense(bytes: Array("%%MatrixMarket matrix array real general\n3 1\n1\n2\n".utf8)) }
        #expect(truncated?.line == 5)
        let huge = matrixMarketError { _ = try MatrixMarket.readDense(bytes: Array("%%MatrixMarket matrix array real general\n100000 100000\n1\n".utf8)) }
        #expect(huge?.line == 4)
        #expect(huge?.message.contains("truncated") == true)
        let coordinate = matrixMarketError { _ = try MatrixMarket.readDense(bytes: Array("%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1\n".utf8)) }
        #expect(coordinate?.line == 1)
        let missing = matrixMarketError { _ = try MatrixMarket.read(path: "/nonexistent/dir/a.mtx") }
        #expect(missing?.line == 0)
        #expect(missing?.message.contains("/nonexistent/dir/a.mtx") == true)
    }
}
