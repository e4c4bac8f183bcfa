import Foundation
import SpineTraction
import Testing

private func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "spinetraction-cli-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
}

@Suite("CLI solve and generate")
struct SolveCLITests {
    @Test("generate + solve --json on Poisson: n and nnz(A) match the library, x = 1 to 1e-10")
    func poissonJSON() throws {
        let path = temporaryPath("poisson.mtx")
        let gen = try spinetraction(["generate", "poisson", "--size", "tiny", "-o", path])
        #expect(gen.status == 0, "\(gen.stderr)")
        let reference = try ModelProblems.named("poisson", size: "tiny").matrix
        let run = try spinetraction(["solve", path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["n"] as? Int == reference.dimension)
        #expect(json["nnzA"] as? Int == reference.fullNonzeroCount)
        #expect(json["kind"] as? String == "symmetricPositiveDefinite")
        #expect(try #require(json["relativeResidual"] as? Double) <= 1e-12)
        #expect(try #require(json["errorVsOnes"] as? Double) <= 1e-10)
        #expect(try #require(json["peakMemoryMiB"] as? Double) > 0)
    }

    @Test("solve of a u–p system reports the inertia (+#u, −#p); --rhs solves every column")
    func saddleInertiaAndRHS() throws {
        let s = try ModelProblems.poroelasticTaylorHood(elementsX: 2, elementsY: 2, elementsZ: 2)
        let path = temporaryPath("th.mtx"), rhsPath = temporaryPath("th-rhs.mtx")
        try MatrixMarket.write(s.matrix, to: path)
        // Two right-hand sides with known solutions x₁ = 1, x₂ = (1, 2, 3, …)/n.
        let n = s.matrix.dimension
        let x2 = (0..<n).map { Double($0 + 1) / Double(n) }
        var b = DenseMatrix(rows: n, columns: 2)
        b.values = s.matrix.multiply([Double](repeating: 1, count: n)) + s.matrix.multiply(x2)
        try MatrixMarket.write(b, to: rhsPath)
        let run = try spinetraction(["solve", path, "--rhs", rhsPath, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["kind"] as? String == "symmetricIndefinite")   // the −κΔt·H diagonal is negative
        #expect(json["rhsCount"] as? Int == 2)
        #expect(try #require(json["relativeResidual"] as? Double) <= 1e-12)
        let inertia = try #require(json["inertia"] as? [String: Int])
        #expect(inertia["positive"] == s.displacementUnknowns)
        #expect(inertia["negative"] == s.pressureUnknowns)
        #expect(inertia["zero"] == 0)
    }

    @Test("--kind auto retries as indefinite when Cholesky finds the matrix not positive definite")
    func autoRetry() throws {
        // [[1, 2], [2, 1]]: positive diagonal, eigenvalues 3 and −1.
        let path = temporaryPath("indefinite.mtx")
        try "%%MatrixMarket matrix coordinate real symmetric\n2 2 3\n1 1 1\n2 1 2\n2 2 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try spinetraction(["solve", path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["retriedAsIndefinite"] as? Bool == true)
        #expect(json["kind"] as? String == "symmetricIndefinite")
        let inertia = try #require(json["inertia"] as? [String: Int])
        #expect(inertia == ["positive": 1, "negative": 1, "zero": 0])
        #expect(try #require(json["errorVsOnes"] as? Double) <= 1e-14)
    }

    @Test("A truncated file fails with the line number; an unknown solver name is refused")
    func errors() throws {
        let path = temporaryPath("bad.mtx")
        try "%%MatrixMarket matrix coordinate real symmetric\n2 2 3\n1 1 4\n2 2 4\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try spinetraction(["solve", path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("Matrix Market line 5"), "\(run.stderr)")
        let bad = try spinetraction(["solve", path, "--solver", "lu"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--solver 'lu'"), "\(bad.stderr)")
    }
}
