// 3×3 helpers for the rigid-body kernels (internal; the public surface uses `Rotation` and `SIMD3`).

/// A 3×3 matrix stored by rows (internal helper of the rigid-body kernels).
@usableFromInline
struct Mat3: Sendable, Equatable {
    @usableFromInline var r0: SIMD3<Double>
    @usableFromInline var r1: SIMD3<Double>
    @usableFromInline var r2: SIMD3<Double>

    @inlinable init(_ r0: SIMD3<Double>, _ r1: SIMD3<Double>, _ r2: SIMD3<Double>) { self.r0 = r0; self.r1 = r1; self.r2 = r2 }

    @usableFromInline static let zero = Mat3(.zero, .zero, .zero)
    @usableFromInline static let identity = Mat3(SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))

    /// The cross-product matrix `[a]×`, so that `[a]× v = a × v`.
    @inlinable static func skew(_ a: SIMD3<Double>) -> Mat3 {
        Mat3(SIMD3(0, -a.z, a.y), SIMD3(a.z, 0, -a.x), SIMD3(-a.y, a.x, 0))
    }

    /// The outer product `a bᵀ`.
    @inlinable static func outer(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Mat3 { Mat3(a.x * b, a.y * b, a.z * b) }

    @inlinable subscript(i: Int, j: Int) -> Double {
        get { i == 0 ? r0[j] : (i == 1 ? r1[j] : r2[j]) }
        set { if i == 0 { r0[j] = newValue } else if i == 1 { r1[j] = newValue } else { r2[j] = newValue } }
    }

    @inlinable var transposed: Mat3 {
        Mat3(SIMD3(r0.x, r1.x, r2.x), SIMD3(r0.y, r1.y, r2.y), SIMD3(r0.z, r1.z, r2.z))
    }

    @inlinable static func * (a: Mat3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(dot3(a.r0, v), dot3(a.r1, v), dot3(a.r2, v))
    }

    @inlinable static func * (a: Mat3, b: Mat3) -> Mat3 {
        let bt = b.transposed
        return Mat3(SIMD3(dot3(a.r0, bt.r0), dot3(a.r0, bt.r1), dot3(a.r0, bt.r2)),
                    SIMD3(dot3(a.r1, bt.r0), dot3(a.r1, bt.r1), dot3(a.r1, bt.r2)),
                    SIMD3(dot3(a.r2, bt.r0), dot3(a.r2, bt.r1), dot3(a.r2, bt.r2)))
    }

    @inlinable static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(a.r0 + b.r0, a.r1 + b.r1, a.r2 + b.r2) }
    @inlinable static func - (a: Mat3, b: Mat3) -> Mat3 { Mat3(a.r0 - b.r0, a.r1 - b.r1, a.r2 - b.r2) }
    @inlinable static func * (s: Double, a: Mat3) -> Mat3 { Mat3(s * a.r0, s * a.r1, s * a.r2) }
    @inlinable static prefix func - (a: Mat3) -> Mat3 { Mat3(-a.r0, -a.r1, -a.r2) }
}

@inlinable func dot3(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

@inlinable func cross3(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inlinable func length3(_ a: SIMD3<Double>) -> Double { dot3(a, a).squareRoot() }
