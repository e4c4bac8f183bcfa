import Testing
import SparseLinearAlgebra
import _TestSupport

/// Test matrices for the general sparse LU.
private enum GeneralMatrices {
    /// 7-point finite differences of `−Δu + β·∇u` (central convection) on an
    /// `n³` grid with spacing 1: the cell Péclet number `|β|/2` above 1 makes
    /// off-diagonals exceed the diagonal, strongly nonsymmetric.
    static func convectionDiffusion(_ n: Int, beta: SIMD3<Double>, shift: Double = 0) throws -> CSRMatrix {
        var coo = COOMatrix(rows: n * n * n, columns: n * n * n)
        func id(_ i: Int, _ j: Int, _ k: Int) -> Int { i + n * (j + n * k) }
        for k in 0..<n { for j in 0..<n { for i in 0..<n {
            let r = id(i, j, k)
            coo.append(r, r, 6 + shift)
            let steps: [(Int, Int, Int, Double)] = [(1, 0, 0, beta.x), (0, 1, 0, beta.y), (0, 0, 1, beta.z)]
            for (di, dj, dk, b) in steps {
                let (ip, jp, kp) = (i + di, j + dj, k + dk), (im, jm, km) = (i - di, j - dj, k - dk)
                if ip < n && jp < n && kp < n { coo.append(r, id(ip, jp, kp), -1 + b / 2) }
                if im >= 0 && jm >= 0 && km >= 0 { coo.append(r, id(im, jm, km), -1 - b / 2) }
            }
        } } }
        return try coo.csr()
    }

    /// A random sparse matrix `P M` with `M` diagonally dominant and `P` a random
    /// row permutation: almost every diagonal entry of `P M` is zero.
    static func permutedRandom(_ n: Int, perRow: Int, seed: UInt64) throws -> CSRMatrix {
        var rng = SeededGenerator(seed: seed)
        var rowsOfM: [[(Int, Double)]] = []
        for i in 0..<n {
            var row: [Int: Double] = [i: Double(perRow) + 1]
            for _ in 0..<perRow { row[Int.random(in: 0..<n, using: &rng), default: 0] += Double.random(in: -1...1, using: &rng) }
            rowsOfM.append(row.map { ($0.key, $0.value) })
        }
        let p = Array(0..<n).shuffled(using: &rng)
        var coo = COOMatrix(rows: n, columns: n)
        for i in 0..<n { for (j, v) in rowsOfM[p[i]] { coo.append(i, j, v) } }
        return try coo.csr()
    }

    static func dense(_ a: CSRMatrix) -> DenseMatrix {
        var d = DenseMatrix(rows: a.rows, columns: a.columns)
        for i in 0..<a.rows { for p in a.rowStarts[i]..<a.rowStarts[i + 1] { d[i, Int(a.columnIndices[p])] = a.values[p] } }
        return d
    }

    static func withValues(_ a: CSRMatrix, _ v: [Double]) throws -> CSRMatrix {
        try CSRMatrix(rows: a.rows, columns: a.columns, rowStarts: a.rowStarts, columnIndices: a.columnIndices, values: v)
    }
}

private func randomVector(_ n: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
}

/// ‖b − A x‖∞ / ‖b‖∞ per right-hand side (the largest).
private func relativeResidual(_ a: CSRMatrix, _ x: [Double], _ b: [Double], count: Int) -> Double {
    let n = a.rows
    var worst = 0.0
    for c in 0..<count {
        let ax = a.multiply(Array(x[(c * n)..<((c + 1) * n)]))
        var r = 0.0, bn = 0.0
        for i in 0..<n { r = max(r, abs(b[c * n + i] - ax[i])); bn = max(bn, abs(b[c * n + i])) }
        worst = max(worst, r / bn)
    }
    return worst
}

private func relativeDifference(_ x: [Double], _ y: [Double]) -> Double {
    var d = 0.0, s = 0.0
    for i in x.indices { d = max(d, abs(x[i] - y[i])); s = max(s, abs(y[i])) }
    return d / s
}

@Suite("Sparse LU (general matrices) against dense dgesv")
struct SparseLUTests {
    /// Residual ‖b − Ax‖∞/‖b‖∞ required of every solve.
    static let residualTolerance = 1e-12

    @Test("Convection–diffusion (cell Péclet 0.5, 5, 50) matches dgesv", arguments: [1.0, 10.0, 100.0])
    func convectionDiffusion(_ beta: Double) throws {
        let a = try GeneralMatrices.convectionDiffusion(8, beta: SIMD3(beta, 0.5 * beta, -0.25 * beta))
        let b = randomVector(a.rows, seed: 3)
        let lu = SparseLU()
        try lu.analyzeAndFactor(a)
        let x = try lu.solve(b)
        let reference = try GeneralMatrices.dense(a).solve(b)
        #expect(relativeResidual(a, x, b, count: 1) <= Self.residualTolerance)
        // Forward error of two backward-stable solves: ≲ cond(A)·ε; cond ≤ 10⁴ here.
        #expect(relativeDifference(x, reference) <= 1e-10)
        #expect(lu.report.relativeResidual <= Self.residualTolerance)
    }

    @Test("Zero diagonal (row-permuted random matrix) needs pivoting; matches dgesv", arguments: [(60, UInt64(1)), (400, UInt64(2)), (2000, UInt64(3))])
    func zeroDiagonal(_ n: Int, _ seed: UInt64) throws {
        let a = try GeneralMatrices.permutedRandom(n, perRow: 3, seed: seed)
        var zeros = 0
        for i in 0..<n where a[i, i] == 0 { zeros += 1 }
        #expect(zeros > n / 2)
        let b = randomVector(n, seed: seed + 10)
        let lu = SparseLU()
        try lu.analyzeAndFactor(a)
        let x = try lu.solve(b)
        #expect(relativeResidual(a, x, b, count: 1) <= Self.residualTolerance)
        let reference = try GeneralMatrices.dense(a).solve(b)
        #expect(relativeDifference(x, reference) <= 1e-9)
    }

    @Test("2 × 2 permutation matrix [[0, 1], [1, 0]] (pivot within the front)")
    func permutation2() throws {
        let a = try CSRMatrix(rows: 2, columns: 2, rowStarts: [0, 1, 2], columnIndices: [1, 0], values: [2, 4])
        let lu = SparseLU()
        try lu.analyzeAndFactor(a)
        let x = try lu.solve([6, 8])
        #expect(abs(x[0] - 2) <= 1e-15 && abs(x[1] - 3) <= 1e-15)
        #expect(lu.report.perturbedPivots == 0)
    }

    @Test("Refactorization on the same pattern with new values, one analysis")
    func refactor() throws {
        let a = try GeneralMatrices.convectionDiffusion(7, beta: SIMD3(4, -2, 1))
        let lu = SparseLU()
        try lu.analyze(a)
        let analyzed = lu.report.nonzerosL
        for trial in 0..<3 {
            var rng = SeededGenerator(seed: UInt64(40 + trial))
            let v = a.values.map { $0 * Double.random(in: 0.5...1.5, using: &rng) }
            let at = try GeneralMatrices.withValues(a, v)
            try lu.factor(at)
            let b = randomVector(a.rows, seed: UInt64(trial))
            let x = try lu.solve(b)
            #expect(relativeResidual(at, x, b, count: 1) <= Self.residualTolerance)
            #expect(relativeDifference(x, try GeneralMatrices.dense(at).solve(b)) <= 1e-10)
            #expect(lu.report.nonzerosL == analyzed)
        }
    }

    @Test("Several right-hand sides in one solve match dgesv column by column")
    func multipleRightHandSides() throws {
        let a = try GeneralMatrices.convectionDiffusion(6, beta: SIMD3(20, 5, 0))
        let count = 4
        let b = randomVector(a.rows * count, seed: 9)
        let lu = SparseLU()
        try lu.analyzeAndFactor(a)
        var x = b
        try lu.solve(&x, count: count)
        #expect(relativeResidual(a, x, b, count: count) <= Self.residualTolerance)
        #expect(relativeDifference(x, try GeneralMatrices.dense(a).solve(b, count: count)) <= 1e-10)
    }

    @Test("Iterative refinement on request keeps the dgesv answer")
    func refinement() throws {
        let a = try GeneralMatrices.permutedRandom(500, perRow: 4, seed: 21)
        var options = SparseLU.Options()
        options.refineAlways = true
        let lu = SparseLU(options: options)
        try lu.analyzeAndFactor(a)
        let b = randomVector(500, seed: 22)
        let x = try lu.solve(b)
        #expect(relativeResidual(a, x, b, count: 1) <= Self.residualTolerance)
        #expect(relativeDifference(x, try GeneralMatrices.dense(a).solve(b)) <= 1e-9)
    }

    @Test("A zero column is reported as singular at that column (original numbering)", arguments: [0, 37, 215])
    func singularColumn(_ column: Int) throws {
        let a0 = try GeneralMatrices.convectionDiffusion(6, beta: SIMD3(3, 1, 0))
        var v = a0.values
        for i in 0..<a0.rows { for p in a0.rowStarts[i]..<a0.rowStarts[i + 1] where Int(a0.columnIndices[p]) == column { v[p] = 0 } }
        let a = try GeneralMatrices.withValues(a0, v)
        let lu = SparseLU()
        try lu.analyze(a)
        #expect(throws: LinearAlgebraError.singular(column: column)) { try lu.factor(a) }
    }

    @Test("An exactly rank-deficient matrix (row 4 = row 1 + row 2) is singular")
    func rankDeficient() throws {
        // Integer entries: the cancellation is exact.
        let dense: [[Double]] = [[4, 1, 0, 0, 0, 2], [1, 5, 2, 0, 0, 0], [0, 3, 6, 1, 0, 0],
                                 [0, 0, 1, 7, 2, 0], [1, 8, 8, 1, 0, 0], [2, 0, 0, 0, 1, 5]]
        var coo = COOMatrix(rows: 6, columns: 6)
        for i in 0..<6 { for j in 0..<6 where dense[i][j] != 0 || i == j { coo.append(i, j, dense[i][j]) } }
        let a = try coo.csr()
        let lu = SparseLU()
        try lu.analyze(a)
        var caught: LinearAlgebraError?
        do { try lu.factor(a) } catch let e as LinearAlgebraError { caught = e }
        guard case .singular(let column)? = caught else {
            Issue.record("expected a singular-matrix error, got \(String(describing: caught))"); return
        }
        #expect((0..<6).contains(column))
    }

    @Test("A structurally singular pattern is refused at analysis, naming the column left without a row")
    func structurallySingular() throws {
        // Columns 1 and 2 have their only entries in row 2 (rows 0 and 1 only in column 0):
        // the matching gives row 2 to column 1 and names column 2.
        let a = try CSRMatrix(rows: 3, columns: 3, rowStarts: [0, 1, 2, 4], columnIndices: [0, 0, 1, 2], values: [1, 2, 3, 4])
        let lu = SparseLU()
        var caught: LinearAlgebraError?
        do { try lu.analyze(a) } catch let e as LinearAlgebraError { caught = e }
        guard case .singular(let column)? = caught else {
            Issue.record("expected a singular-matrix error, got \(String(describing: caught))"); return
        }
        #expect(column == 2)
    }

    @Test("Typed errors: phase order, sizes, pattern, NaN")
    func typedErrors() throws {
        let a = try GeneralMatrices.convectionDiffusion(4, beta: SIMD3(1, 1, 1))
        let lu = SparseLU()
        #expect(throws: LinearAlgebraError.self) { try lu.factor(a) }
        do {
            try lu.factor(a)
        } catch let e as LinearAlgebraError {
            guard case .phaseOrder = e else { Issue.record("expected phaseOrder, got \(e)"); return }
        }
        let rect = try CSRMatrix(rows: 2, columns: 3, rowStarts: [0, 1, 2], columnIndices: [0, 1], values: [1, 1])
        #expect(throws: LinearAlgebraError.notSquare(rows: 2, columns: 3)) { try lu.analyze(rect) }
        try lu.analyzeAndFactor(a)
        var short = [Double](repeating: 1, count: a.rows + 1)
        #expect(throws: LinearAlgebraError.dimensionMismatch(what: "right-hand sides (1 × 64)", expected: 64, got: 65)) {
            try lu.solve(&short, count: 1)
        }
        var withNaN = [Double](repeating: 1, count: a.rows)
        withNaN[5] = .nan
        #expect(throws: LinearAlgebraError.self) { try lu.solve(&withNaN, count: 1) }
        var v = a.values
        v[10] = .nan
        var bad = try GeneralMatrices.withValues(a, a.values)
        bad.values = v
        var row10 = 0
        while a.rowStarts[row10 + 1] <= 10 { row10 += 1 }
        var caught: LinearAlgebraError?
        do { try lu.factor(bad) } catch let e as LinearAlgebraError { caught = e }
        guard case let .nonFinite(row, column, value)? = caught else { Issue.record("expected nonFinite, got \(String(describing: caught))"); return }
        #expect(row == row10 && column == Int(a.columnIndices[10]) && value.isNaN)
        let other = try GeneralMatrices.convectionDiffusion(5, beta: SIMD3(1, 1, 1))
        #expect(throws: LinearAlgebraError.self) { try lu.factor(other) }
    }
}
