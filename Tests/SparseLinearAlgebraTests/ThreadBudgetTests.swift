import Testing
import Foundation
import Synchronization
import SparseLinearAlgebra

/// Counts shared by concurrent callers.
private final class Tally: Sendable {
    let values: Mutex<[Int]>
    init(_ n: Int) { values = Mutex([Int](repeating: 0, count: n)) }
}

@Suite("Thread budget: shared threads, results independent of them")
struct ThreadBudgetTests {
    /// Every piece runs exactly once, also when four callers share the budget at once
    /// (reference: the count of pieces, a conservation check), and the budget is returned (no
    /// grant leaks over 10 000 calls).
    @Test func parallelForRunsEveryPieceOnce() async throws {
        let pieces = 97
        let counts = Tally(4 * pieces)
        await withTaskGroup(of: Void.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    ThreadBudget.parallelFor(pieces) { p in counts.values.withLock { $0[caller * pieces + p] += 1 } }
                }
            }
        }
        #expect(counts.values.withLock { $0 }.allSatisfy { $0 == 1 })
        // The budget is returned. Other suites of this process (factorizations, element assembly)
        // may hold threads at any moment, so `inUse` need not be 0 here; but every call counts at
        // least its caller as in use until it returns the grant, so 10 000 calls in a row that each
        // leaked would leave at least 10 000 counted, while concurrent users hold a few at most.
        for _ in 0..<10_000 { ThreadBudget.parallelFor(2) { _ in } }
        #expect(ThreadBudget.inUse < 100)
        #expect(ThreadBudget.total >= 1)
    }

    /// Two LDLᵀ factorizations and solves of a Biot u–p matrix (the generated Q1–Q1 system,
    /// 4000 unknowns, enough work for subtree bins and pieced fronts) running at once in one
    /// process give the solution of one running alone to 1e-12 relative (max norm), whatever
    /// threads each was granted, as does one thread; and that solution solves A x = b to a
    /// relative residual of 1e-12 (reference: the product with A).
    @Test func concurrentFactorizationsEqualOneAlone() async throws {
        let a = try ModelProblems.poroelasticQ1Q1(nodesX: 10, nodesY: 10, nodesZ: 10).matrix
        let n = a.dimension
        let b = (0..<n).map { sin(0.37 * Double($0)) }
        @Sendable func solve(threads: Int) throws -> [Double] {
            let solver = SupernodalLDLT()
            solver.threads = threads
            solver.parallelWorkThreshold = 0
            solver.serialFrontWork = 0
            try solver.analyze(a)
            try solver.factor(a)
            var x = b
            try solver.solve(&x, count: 1)
            return x
        }
        let alone = try solve(threads: 2)
        let pair = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<2 { group.addTask { try solve(threads: 2) } }
            var all: [[Double]] = []
            for try await x in group { all.append(x) }
            return all
        }
        let serial = try solve(threads: 1)
        func difference(_ x: [Double]) -> Double {
            var d = 0.0, m = 0.0
            for i in 0..<n { d = max(d, abs(x[i] - alone[i])); m = max(m, abs(alone[i])) }
            return d / m
        }
        print("concurrent vs alone: \(pair.map(difference)), one thread vs alone: \(difference(serial)), OpenBLAS single-threaded: \(ThreadBudget.configureBLAS())")
        #expect(pair.count == 2)
        // The pieces and their order are fixed, so the arithmetic is the same; what remains is the
        // BLAS's vector kernels rounding with the alignment of each run's buffers (seen: 1 ulp).
        for x in pair { #expect(difference(x) <= 1e-12) }
        #expect(difference(serial) <= 1e-12)
        let ax = a.multiply(alone)
        var rr = 0.0, bb = 0.0
        for i in 0..<n { rr += (ax[i] - b[i]) * (ax[i] - b[i]); bb += b[i] * b[i] }
        #expect((rr / bb).squareRoot() <= 1e-12)
    }

    /// A singular but consistent saddle-point system — a floating pressure level (pure Neumann
    /// Poisson block) — has its null vector found from the tiny pivots: `A v ≈ 0` and `v` is the
    /// constant vector on the pressure unknowns (closed form), to 1e-10.
    @Test func nullSpaceOfAFloatingLevelIsFound() throws {
        // 1-D Neumann Laplacian (n unknowns): singular with null vector (1, …, 1)/√n.
        let n = 200
        var starts = [0], rows: [Int32] = [], values: [Double] = []
        for j in 0..<n {
            rows.append(Int32(j)); values.append(j == 0 || j == n - 1 ? 1 : 2)
            if j + 1 < n { rows.append(Int32(j + 1)); values.append(-1) }
            starts.append(rows.count)
        }
        let a = try SymmetricMatrix(dimension: n, columnStarts: starts, rowIndices: rows, values: values)
        let solver = SupernodalLDLT()
        try solver.analyze(a)
        try solver.factor(a)
        let basis = solver.nullSpaceBasis()
        #expect(basis.count == 1)
        if let v = basis.first {
            let s = v[0] < 0 ? -1.0 : 1.0
            for i in 0..<n { #expect(abs(s * v[i] - 1 / Double(n).squareRoot()) <= 1e-10) }
        }
    }
}
