import Testing
import Foundation
import SparseLinearAlgebra
import FiniteElements

/// Two springs in a chain, free at both ends: `K = k·[[1, −1, 0], [−1, 2, −1], [0, −1, 1]]`
/// (N/mm), null vector `(1, 1, 1)` — the chain's rigid translation — and a self-equilibrated load
/// `f = (F, 0, −F)` (N). `R(x) = K x − f` (N). The solution orthogonal to the null space is
/// `x = (F/k, 0, −F/k)` mm (closed form: each spring carries `F`, stretch `F/k`, zero mean).
private final class FreeSpringChain: NonlinearSystem {
    let k = 250.0, force = 3.0
    var unknownCount: Int { 3 }
    var matrixKind: MatrixKind { .symmetricIndefinite }
    func tangentPattern() -> SymmetricMatrix {
        // Lower triangle, column by column: (0,0) (1,0) | (1,1) (2,1) | (2,2).
        try! SymmetricMatrix(dimension: 3, columnStarts: [0, 2, 4, 5], rowIndices: [0, 1, 1, 2, 2], values: [0, 0, 0, 0, 0])
    }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        residual[0] = k * (x[0] - x[1]) - force
        residual[1] = k * (-x[0] + 2 * x[1] - x[2])
        residual[2] = k * (x[2] - x[1]) + force
        if tangent != nil { tangent!.values = [k, -k, 2 * k, -k, k] }
    }
}

/// `R(x) = atan(x) − 1.5` (1 unknown): the root `tan 1.5 ≈ 14.1` from `x₀ = 0` takes more Newton
/// iterations than the test allows (line search on), so the solve fails with ``NewtonError/notConverged(iterations:residualNorm:target:)``.
private final class SlowAtan: NonlinearSystem {
    var unknownCount: Int { 1 }
    var matrixKind: MatrixKind { .symmetricIndefinite }
    func tangentPattern() -> SymmetricMatrix {
        try! SymmetricMatrix(dimension: 1, columnStarts: [0, 1], rowIndices: [0], values: [0])
    }
    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        residual[0] = atan(x[0]) - 1.5
        if tangent != nil { tangent!.values[0] = 1 / (1 + x[0] * x[0]) }
    }
}

@Suite("Newton on a singular tangent: projected where that is the rule, a named error otherwise")
struct NewtonSingularTangentTests {
    /// Default options: the LDLᵀ factor reports one zero pivot (`singular`), its null direction is
    /// removed from every correction and the iterate is the closed-form minimum-norm solution
    /// `(F/k, 0, −F/k)` to 1e-12 relative.
    @Test func projectedNullSpaceGivesTheClosedForm() throws {
        let system = FreeSpringChain()
        let newton = NewtonSolver(linearSolver: SupernodalLDLT())
        var x = [0.0, 0.0, 0.0]
        _ = try newton.solve(system, x: &x)
        let expected = [system.force / system.k, 0, -system.force / system.k]
        for i in 0..<3 { #expect(abs(x[i] - expected[i]) <= 1e-12 * (system.force / system.k), "x[\(i)] = \(x[i])") }
        #expect(newton.linearSolver!.report.singular)
        #expect(newton.statistics.nullSpaceDimension == 1 && newton.statistics.projectedCorrections >= 1)
    }

    /// Projection switched off: the zero pivot is not removed, so the solve refuses with
    /// `singularTangent(iteration: 1, zeroPivots: 1, projected: 0)` instead of returning a step
    /// with an arbitrary rigid translation; the caller's iterate is untouched (still zero).
    @Test func unprojectedSingularTangentIsRefused() throws {
        var options = NewtonOptions()
        options.projectNullSpace = false
        let newton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        var x = [0.0, 0.0, 0.0]
        #expect(throws: NewtonError.singularTangent(iteration: 1, zeroPivots: 1, projected: 0)) {
            try newton.solve(FreeSpringChain(), x: &x)
        }
        #expect(x == [0, 0, 0])
        let message = NewtonError.singularTangent(iteration: 1, zeroPivots: 1, projected: 0).description
        #expect(message.contains("singular (1 zero pivot, 0 null directions removed)") && message.contains("free to move"))
    }

    /// The quasi-Newton path shares the backstop.
    @Test func quasiNewtonRefusesTheSameWay() throws {
        var options = NewtonOptions()
        options.projectNullSpace = false
        options.method = .bfgs(try QuasiNewtonOptions())
        let newton = NewtonSolver(options: options, linearSolver: SupernodalLDLT())
        var x = [0.0, 0.0, 0.0]
        #expect(throws: NewtonError.singularTangent(iteration: 1, zeroPivots: 1, projected: 0)) {
            try newton.solve(FreeSpringChain(), x: &x)
        }
    }

    /// A solve that runs out of iterations says how far from the target it stopped (‖R‖/target,
    /// the error's own numbers) and what to try.
    @Test func notConvergedSaysHowFarAndWhatToTry() throws {
        var options = NewtonOptions()
        options.maxIterations = 2
        var x = [0.0]
        do {
            _ = try NewtonSolver(options: options, linearSolver: SupernodalLDLT()).solve(SlowAtan(), x: &x)
            Issue.record("atan(x) = 1.5 from 0 converged in 2 iterations")
        } catch let NewtonError.notConverged(iterations, r, target) {
            #expect(iterations == 2 && r > target)
            let text = NewtonError.notConverged(iterations: iterations, residualNorm: r, target: target).description
            #expect(text.contains("(\(Int((r / target).rounded()))× the target)"), "\(text)")
            #expect(text.contains("smaller time steps or load increments") && text.contains("inside out"), "\(text)")
        }
    }
}
