import Foundation
import Testing
import SparseLinearAlgebra
import _TestSupport

/// Condition number of the 7-point Laplacian with diagonal 6 (closed form):
/// λ = 6 − 2cos(πi/(nx+1)) − 2cos(πj/(ny+1)) − 2cos(πk/(nz+1)).
func laplacianConditionNumber(_ nx: Int, _ ny: Int, _ nz: Int) -> Double {
    let c: Double = [nx, ny, nz].map { 2 * cos(Double.pi / Double($0 + 1)) }.reduce(0, +)
    return (6 + c) / (6 - c)
}

/// `D A D` with `D = diag(dᵢ)`: same pattern, badly scaled.
func scaled(_ a: SymmetricMatrix, by d: [Double]) -> SymmetricMatrix {
    var s = a
    for j in 0..<a.dimension {
        for p in a.columnStarts[j]..<a.columnStarts[j + 1] { s.values[p] *= d[Int(a.rowIndices[p])] * d[j] }
    }
    return s
}

/// Kershaw's 4×4 SPD matrix on which IC(0) breaks down (Kershaw 1978,
/// J. Comput. Phys. 26:43): the last pivot is 3 − 4/3 − 4/0.6 = −5.
func kershawBlocks(_ copies: Int) throws -> SymmetricMatrix {
    let k: [[Double]] = [[3, -2, 0, 2], [-2, 3, -2, 0], [0, -2, 3, -2], [2, 0, -2, 3]]
    var coo = COOMatrix(rows: 4 * copies, columns: 4 * copies)
    for c in 0..<copies { for i in 0..<4 { for j in 0..<4 where k[i][j] != 0 { coo.append(4 * c + i, 4 * c + j, k[i][j]) } } }
    return try coo.csr().symmetricLowerTriangle()
}

/// A u–p saddle-point matrix [[K, Bᵀ], [B, 0]]: K a 2D Laplacian (nu = k²), B random sparse (np rows).
func saddlePoint(k: Int, np: Int, seed: UInt64) throws -> SymmetricMatrix {
    let kk = TestMatrices.laplacian3D(k, k, 1)
    let nu = kk.dimension
    var rng = SeededGenerator(seed: seed)
    var coo = COOMatrix(rows: nu + np, columns: nu + np)
    for j in 0..<nu {
        for p in kk.columnStarts[j]..<kk.columnStarts[j + 1] {
            let i = Int(kk.rowIndices[p])
            coo.append(i, j, kk.values[p]); if i != j { coo.append(j, i, kk.values[p]) }
        }
    }
    for r in 0..<np {
        for _ in 0..<4 {
            let c = Int.random(in: 0..<nu, using: &rng), v = Double.random(in: -1...1, using: &rng)
            coo.append(nu + r, c, v); coo.append(c, nu + r, v)
        }
        coo.append(nu + r, nu + r, 0)   // stored zero pressure–pressure diagonal
    }
    return try coo.csr().symmetricLowerTriangle()
}

@Suite("Krylov solvers")
struct KrylovTests {
    @Test("PCG converges to the dense solution on a 3D Laplacian, two right-hand sides", arguments: [CGPreconditioner.none, .jacobi, .incompleteCholesky])
    func cgLaplacian(preconditioner: CGPreconditioner) throws {
        let (nx, ny, nz) = (10, 10, 12)
        let a = TestMatrices.laplacian3D(nx, ny, nz)
        let n = a.dimension, count = 2
        let b = deterministicRHS(n, count: count, seed: 5)
        let cg = ConjugateGradient(preconditioner: preconditioner)
        try cg.analyzeAndFactor(a)
        var x = b
        try cg.solve(&x, count: count)
        let reference = try DenseMatrix(a).choleskySolve(b, count: count)
        let kappa = laplacianConditionNumber(nx, ny, nz)
        print("CG(\(preconditioner.rawValue)) Laplacian \(nx)×\(ny)×\(nz): iterations \(cg.lastIterations), κ = \(kappa)")
        for c in 0..<count {
            let r = c * n..<(c + 1) * n
            let residual = denseRelativeResidual(a, x: x[r], b: b[r])
            #expect(residual <= 1e-10)
            #expect(abs(residual - cg.lastRelativeResiduals[c]) <= 1e-12)
            // ‖x − x*‖/‖x*‖ ≤ κ‖r‖/‖b‖ (plus the dense solve's own κε).
            #expect(relativeError(x[r], reference[r]) <= kappa * (residual + 1e-14))
        }
        #expect(cg.incompleteCholeskyShift == 0)  // M-matrix: IC(0) cannot break down
    }

    @Test("Iteration counts: IC(0) < Jacobi on a Laplacian, Jacobi < none on a badly scaled one")
    func iterationCounts() throws {
        let a = TestMatrices.laplacian3D(12, 12, 12)
        let b = deterministicRHS(a.dimension, count: 1, seed: 9)
        var counts: [CGPreconditioner: Int] = [:]
        for p in CGPreconditioner.allCases {
            let cg = ConjugateGradient(preconditioner: p)
            try cg.analyzeAndFactor(a)
            _ = try cg.solve(b)
            counts[p] = cg.report.iterations
        }
        var rng = SeededGenerator(seed: 3)
        let d = (0..<a.dimension).map { _ in pow(10, Double.random(in: 0...2, using: &rng)) }
        let bad = scaled(a, by: d)
        var scaledCounts: [CGPreconditioner: Int] = [:]
        for p in [CGPreconditioner.none, .jacobi] {
            let cg = ConjugateGradient(preconditioner: p, options: KrylovOptions(maxIterations: 20_000))
            try cg.analyzeAndFactor(bad)
            _ = try cg.solve(b)
            scaledCounts[p] = cg.report.iterations
        }
        print("CG iterations 12×12×12 Laplacian: none \(counts[.none]!), Jacobi \(counts[.jacobi]!), IC(0) \(counts[.incompleteCholesky]!); scaled by 10^U(0,2): none \(scaledCounts[.none]!), Jacobi \(scaledCounts[.jacobi]!)")
        #expect(counts[.incompleteCholesky]! < counts[.jacobi]!)
        #expect(2 * scaledCounts[.jacobi]! < scaledCounts[.none]!)
    }

    @Test("IC(0) breakdown on Kershaw's matrix triggers a reported Manteuffel shift; CG still converges")
    func manteuffelShift() throws {
        let a = try kershawBlocks(25)
        let eigenvalues = try DenseMatrix(a).symmetricEigenvalues()
        #expect(eigenvalues.first! > 0)   // SPD: 3 − 2√2 ≈ 0.17 is the smallest
        let cg = ConjugateGradient(preconditioner: .incompleteCholesky)
        try cg.analyzeAndFactor(a)
        #expect(cg.incompleteCholeskyShift >= 1e-3)
        #expect(cg.report.perturbedPivots == a.dimension)
        let b = deterministicRHS(a.dimension, count: 1, seed: 1)
        let x = try cg.solve(b)
        let reference = try DenseMatrix(a).choleskySolve(b)
        #expect(denseRelativeResidual(a, x: x[...], b: b[...]) <= 1e-10)
        #expect(relativeError(x[...], reference[...]) <= 1e-8)
        print("Kershaw ×25: Manteuffel shift α = \(cg.incompleteCholeskyShift), CG iterations \(cg.report.iterations)")
    }

    @Test("CG refactors with new values and reports typed errors")
    func cgErrors() throws {
        var a = TestMatrices.laplacian3D(6, 6, 6)
        let b = deterministicRHS(a.dimension, count: 1, seed: 2)
        let cg = ConjugateGradient(preconditioner: .incompleteCholesky)
        try cg.analyzeAndFactor(a)
        for p in a.values.indices where a.values[p] > 0 { a.values[p] = 9 }
        try cg.factor(a)
        let x = try cg.solve(b)
        #expect(relativeError(x[...], try DenseMatrix(a).choleskySolve(b)[...]) <= 1e-9)

        let few = ConjugateGradient(preconditioner: .jacobi, options: KrylovOptions(maxIterations: 5))
        try few.analyzeAndFactor(a)
        do {
            _ = try few.solve(b)
            Issue.record("5 iterations reached 1e-10")
        } catch let LinearAlgebraError.notConverged(method, iterations, residual) {
            #expect(method == "CG(jacobi)" && iterations == 5)
            #expect(residual > 1e-10 && residual < 1)
        }
        #expect(throws: LinearAlgebraError.invalidArgument("ConjugateGradient: relativeTolerance must lie in (0, 1), got 0.0")) {
            try ConjugateGradient(options: KrylovOptions(relativeTolerance: 0)).analyze(a)
        }
        var negative = a
        negative.values[negative.columnStarts[4]] = -2
        for p in [CGPreconditioner.jacobi, .incompleteCholesky] {
            let s = ConjugateGradient(preconditioner: p)
            try s.analyze(negative)
            #expect(throws: LinearAlgebraError.notPositiveDefinite(column: 4, pivot: -2)) { try s.factor(negative) }
        }
        let fresh = ConjugateGradient()
        #expect(throws: LinearAlgebraError.phaseOrder("ConjugateGradient.factor: call analyze first")) { try fresh.factor(a) }
        var zero = [Double](repeating: 0, count: a.dimension)
        try cg.solve(&zero, count: 1)
        #expect(zero.allSatisfy { $0 == 0 } && cg.report.iterations == 0)
    }

    @Test("MINRES matches dgesv on random symmetric indefinite matrices, three right-hand sides", arguments: [MINRESPreconditioner.none, .absoluteDiagonal])
    func minresIndefinite(preconditioner: MINRESPreconditioner) throws {
        let a = randomIndefinite(500, seed: 21)
        let eigenvalues = try DenseMatrix(a).symmetricEigenvalues()
        #expect(eigenvalues.first! < 0 && eigenvalues.last! > 0)
        let kappa = try conditionNumber(a)
        let n = a.dimension, count = 3
        let b = deterministicRHS(n, count: count, seed: 6)
        let solver = MINRES(preconditioner: preconditioner)
        try solver.analyzeAndFactor(a)
        var x = b
        try solver.solve(&x, count: count)
        let reference = try DenseMatrix(a).solve(b, count: count)
        print("MINRES(\(preconditioner.rawValue)) random indefinite n=\(n): iterations \(solver.lastIterations), κ = \(kappa)")
        for c in 0..<count {
            let r = c * n..<(c + 1) * n
            let residual = denseRelativeResidual(a, x: x[r], b: b[r])
            #expect(residual <= 1e-10)
            #expect(relativeError(x[r], reference[r]) <= kappa * (residual + 1e-14))
        }
    }

    @Test("MINRES solves a u–p saddle-point system; |diag| preconditioning refuses the zero block")
    func minresSaddlePoint() throws {
        let a = try saddlePoint(k: 20, np: 60, seed: 4)
        let b = deterministicRHS(a.dimension, count: 1, seed: 8)
        let solver = MINRES()
        try solver.analyzeAndFactor(a)
        let x = try solver.solve(b)
        let reference = try DenseMatrix(a).solve(b)
        let kappa = try conditionNumber(a)
        let residual = denseRelativeResidual(a, x: x[...], b: b[...])
        #expect(residual <= 1e-10)
        #expect(relativeError(x[...], reference[...]) <= kappa * (residual + 1e-14))
        print("MINRES saddle point n=\(a.dimension): iterations \(solver.report.iterations), κ = \(kappa)")
        let inertia = try DenseMatrix(a).symmetricEigenvalues()
        #expect(inertia.filter { $0 < 0 }.count == 60)   // the B block has full row rank: np negative eigenvalues

        let preconditioned = MINRES(preconditioner: .absoluteDiagonal)
        try preconditioned.analyze(a)
        #expect(throws: LinearAlgebraError.invalidArgument("MINRES abs-diagonal preconditioner: A[400,400] = 0, expected a nonzero diagonal (use preconditioner .none)")) {
            try preconditioned.factor(a)
        }
        let few = MINRES(options: KrylovOptions(maxIterations: 3))
        try few.analyzeAndFactor(a)
        #expect(throws: LinearAlgebraError.self) { _ = try few.solve(b) }
    }
}
