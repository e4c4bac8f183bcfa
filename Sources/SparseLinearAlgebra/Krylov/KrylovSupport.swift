import CLAPACK

/// Stopping rules shared by the Krylov solvers.
public struct KrylovOptions: Sendable, Equatable, Codable {
    /// Stop when the true relative residual ‖b − A x‖₂ / ‖b‖₂ is at most this
    /// (dimensionless, in `(0, 1)`); default `1e-10`.
    public var relativeTolerance: Double
    /// Give up (throwing ``LinearAlgebraError/notConverged(method:iterations:relativeResidual:)``)
    /// after this many iterations per right-hand side; default 10 000.
    public var maxIterations: Int

    /// - Parameters:
    ///   - relativeTolerance: target ‖b − A x‖₂ / ‖b‖₂, in `(0, 1)`.
    ///   - maxIterations: iteration limit per right-hand side, ≥ 1.
    public init(relativeTolerance: Double = 1e-10, maxIterations: Int = 10_000) {
        self.relativeTolerance = relativeTolerance
        self.maxIterations = maxIterations
    }

    /// Throws ``LinearAlgebraError/invalidArgument(_:)`` for a tolerance outside `(0, 1)` or fewer than one iteration.
    func validate(_ method: String) throws {
        guard relativeTolerance > 0, relativeTolerance < 1 else {
            throw LinearAlgebraError.invalidArgument("\(method): relativeTolerance must lie in (0, 1), got \(relativeTolerance)")
        }
        guard maxIterations >= 1 else {
            throw LinearAlgebraError.invalidArgument("\(method): maxIterations must be ≥ 1, got \(maxIterations)")
        }
    }
}

// Level-1 BLAS on whole arrays.

@inline(__always)
func blasDot(_ x: [Double], _ y: [Double]) -> Double {
    var n = Int32(x.count), one: Int32 = 1
    return ddot_(&n, x, &one, y, &one)
}

@inline(__always)
func blasNorm(_ x: [Double]) -> Double {
    var n = Int32(x.count), one: Int32 = 1
    return dnrm2_(&n, x, &one)
}

/// `y += alpha·x`.
@inline(__always)
func blasAxpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    var n = Int32(x.count), one: Int32 = 1, a = alpha
    daxpy_(&n, &a, x, &one, &y, &one)
}

/// ‖b − A x‖₂ computed from scratch into `scratch`.
func trueResidualNorm(_ a: SymmetricMatrix, x: [Double], b: [Double], scratch: inout [Double]) -> Double {
    a.multiply(x, into: &scratch)
    var s = 0.0
    scratch.withUnsafeBufferPointer { ax in b.withUnsafeBufferPointer { bp in
        for i in 0..<bp.count { let r = bp[i] - ax[i]; s += r * r }
    } }
    return s.squareRoot()
}

/// Checks `rhs` against `n·count` and `count ≥ 0`.
func checkRightHandSides(_ rhs: [Double], n: Int, count: Int) throws {
    guard count >= 0 else { throw LinearAlgebraError.invalidArgument("solve: count must be ≥ 0, got \(count)") }
    guard rhs.count == n * count else { throw LinearAlgebraError.dimensionMismatch(what: "right-hand side", expected: n * count, got: rhs.count) }
}
