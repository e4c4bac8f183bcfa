import Foundation

/// A finite rotation in three dimensions: a proper orthogonal 3×3 matrix `R` (dimensionless).
///
/// Built from a rotation vector `ψ = θ a` (angle `θ` in radians about the unit axis `a`) with
/// Rodrigues' formula
///
///     R = I + (sin θ / θ) [ψ]× + ((1 − cos θ) / θ²) [ψ]×²,
///
/// and read back with the logarithm (``rotationVector``, `θ ∈ [0, π]`). Rigid bodies update their
/// rotation *multiplicatively* with a spatial (left) increment, `R ← exp([Δω]×) R`, so no
/// parametrisation singularity is ever reached by Newton's method (Simo & Vu-Quoc 1986,
/// Comput Methods Appl Mech Eng 58:79–116; Cardona & Géradin 1988, Int J Numer Methods Eng
/// 26:2403–2438).
///
/// ```swift
/// let r = Rotation(rotationVector: SIMD3(0, 0, .pi / 2))   // 90° about z
/// r.apply(SIMD3(1, 0, 0))                                    // ≈ (0, 1, 0)
/// ```
public struct Rotation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Row `i` of the matrix: `row0.y` is entry (0, 1).
    public private(set) var row0: SIMD3<Double>
    /// Row 1 of the matrix.
    public private(set) var row1: SIMD3<Double>
    /// Row 2 of the matrix.
    public private(set) var row2: SIMD3<Double>

    /// The identity rotation.
    public static let identity = Rotation(Mat3.identity)

    @usableFromInline init(_ m: Mat3) { row0 = m.r0; row1 = m.r1; row2 = m.r2 }

    @usableFromInline var mat: Mat3 { Mat3(row0, row1, row2) }

    /// The rotation `exp([ψ]×)` for a rotation vector `ψ` (radians; its length is the angle).
    public init(rotationVector psi: SIMD3<Double>) {
        let t2 = dot3(psi, psi), t = t2.squareRoot()
        let a: Double, b: Double
        if t < 1e-4 {
            a = 1 - t2 / 6 + t2 * t2 / 120
            b = 0.5 - t2 / 24 + t2 * t2 / 720
        } else {
            a = sin(t) / t
            b = (1 - cos(t)) / t2
        }
        let w = Mat3.skew(psi)
        self.init(Mat3.identity + a * w + b * (w * w))
    }

    /// The rotation of `angle` (degrees) about `axis` (any non-zero length).
    public init(degrees angle: Double, about axis: SIMD3<Double>) {
        let n = length3(axis)
        self.init(rotationVector: axis / n * (angle * .pi / 180))
    }

    /// The matrix entry (i, j), `i, j ∈ 0…2`.
    public subscript(i: Int, j: Int) -> Double { mat[i, j] }

    /// The matrix as a ``Tensor3``.
    public var matrix: Tensor3 {
        Tensor3((row0.x, row0.y, row0.z), (row1.x, row1.y, row1.z), (row2.x, row2.y, row2.z))
    }

    /// `R v`.
    @inlinable public func apply(_ v: SIMD3<Double>) -> SIMD3<Double> { mat * v }

    /// `Rᵀ v` (the inverse rotation applied to `v`).
    @inlinable public func applyInverse(_ v: SIMD3<Double>) -> SIMD3<Double> { row0 * v.x + row1 * v.y + row2 * v.z }

    /// The inverse (transpose).
    public var inverse: Rotation { Rotation(mat.transposed) }

    /// The composition `a · b` (first `b`, then `a`).
    public static func * (a: Rotation, b: Rotation) -> Rotation { Rotation(a.mat * b.mat) }

    /// The rotation vector `ψ` with `exp([ψ]×) = R`, angle `|ψ| ∈ [0, π]` (radians).
    ///
    /// Uses `θ = atan2(|vee(R − Rᵀ)|/2, (tr R − 1)/2)`, and near `θ = π` the axis from the
    /// symmetric part `(R + Rᵀ)/2 − cos θ I = (1 − cos θ) a aᵀ`.
    public var rotationVector: SIMD3<Double> {
        let m = mat
        let v = SIMD3(m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1])   // 2 sin θ a
        let s = 0.5 * length3(v), c = 0.5 * (m[0, 0] + m[1, 1] + m[2, 2] - 1)
        let theta = atan2(s, c)
        if theta < 1e-4 { return 0.5 * v * (1 + theta * theta / 6) }
        if theta < Double.pi - 1e-3 { return 0.5 * v * (theta / s) }
        // Near π: the axis from the symmetric part, sign from the skew part.
        let oneMinusCos = 1 - c
        var diag = SIMD3(m[0, 0], m[1, 1], m[2, 2]) - c
        diag = diag / oneMinusCos                              // a_i²
        var axis: SIMD3<Double>
        if diag.x >= diag.y && diag.x >= diag.z {
            let ax = diag.x.squareRoot()
            axis = SIMD3(ax, 0.5 * (m[0, 1] + m[1, 0]) / (oneMinusCos * ax), 0.5 * (m[0, 2] + m[2, 0]) / (oneMinusCos * ax))
        } else if diag.y >= diag.z {
            let ay = diag.y.squareRoot()
            axis = SIMD3(0.5 * (m[0, 1] + m[1, 0]) / (oneMinusCos * ay), ay, 0.5 * (m[1, 2] + m[2, 1]) / (oneMinusCos * ay))
        } else {
            let az = diag.z.squareRoot()
            axis = SIMD3(0.5 * (m[0, 2] + m[2, 0]) / (oneMinusCos * az), 0.5 * (m[1, 2] + m[2, 1]) / (oneMinusCos * az), az)
        }
        axis /= length3(axis)
        if dot3(axis, v) < 0 { axis = -axis }
        return axis * theta
    }

    /// The angle of the rotation (degrees, 0…180).
    public var angleDegrees: Double { length3(rotationVector) * 180 / .pi }

    /// Re-orthonormalises the matrix (Gram–Schmidt on the rows) to remove round-off drift.
    public mutating func orthonormalize() {
        var a = row0, b = row1
        a /= length3(a)
        b -= dot3(a, b) * a; b /= length3(b)
        row0 = a; row1 = b; row2 = cross3(a, b)
    }

    public var description: String { "Rotation(ψ = \(rotationVector) rad)" }

    /// The inverse of the left Jacobian of the exponential map: for a spatial increment `δω`,
    /// `exp([δω]×) exp([ψ]×) = exp([ψ + J⁻¹(ψ) δω]×) + O(δω²)`, with
    /// `J⁻¹ = I − ½[ψ]× + (1/θ² − cot(θ/2)/(2θ)) [ψ]×²` (Barfoot 2017, *State Estimation for
    /// Robotics*, §7.1.3). Singular at `θ = 2π` only.
    @usableFromInline static func inverseLeftJacobian(_ psi: SIMD3<Double>) -> Mat3 {
        let t2 = dot3(psi, psi), t = t2.squareRoot()
        let coefficient: Double = t < 1e-3 ? 1.0 / 12 + t2 / 720 : 1 / t2 - 1 / (2 * t * tan(0.5 * t))
        let w = Mat3.skew(psi)
        return Mat3.identity - 0.5 * w + coefficient * (w * w)
    }
}
