/// A symmetric second-order tensor in Voigt order `(xx, yy, zz, xy, yz, xz)`.
///
/// Components are *tensor* components (a strain's shear entries are `ε_xy`,
/// not the engineering `γ_xy = 2ε_xy`); the conversion to engineering Voigt
/// vectors happens only in ``engineeringVoigt``. Stresses are in MPa, strains
/// dimensionless.
public struct SymmetricTensor: Sendable, Equatable, CustomStringConvertible {
    /// Components `(xx, yy, zz, xy, yz, xz)`.
    public var components: (Double, Double, Double, Double, Double, Double)

    /// A tensor from its six independent components (unit of the quantity it holds).
    @inlinable
    public init(xx: Double, yy: Double, zz: Double, xy: Double = 0, yz: Double = 0, xz: Double = 0) {
        components = (xx, yy, zz, xy, yz, xz)
    }

    public static func == (a: SymmetricTensor, b: SymmetricTensor) -> Bool {
        (0..<6).allSatisfy { a[voigt: $0] == b[voigt: $0] }
    }

    /// The zero tensor.
    public static let zero = SymmetricTensor(xx: 0, yy: 0, zz: 0)
    /// The identity tensor.
    public static let identity = SymmetricTensor(xx: 1, yy: 1, zz: 1)

    /// Component `i` in Voigt order (0…5).
    @inlinable
    public subscript(voigt i: Int) -> Double {
        get {
            switch i {
            case 0: return components.0
            case 1: return components.1
            case 2: return components.2
            case 3: return components.3
            case 4: return components.4
            default: return components.5
            }
        }
        set {
            switch i {
            case 0: components.0 = newValue
            case 1: components.1 = newValue
            case 2: components.2 = newValue
            case 3: components.3 = newValue
            case 4: components.4 = newValue
            default: components.5 = newValue
            }
        }
    }

    /// Component `(i, j)` of the full 3×3 tensor, `i, j ∈ 0…2`.
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        self[voigt: SymmetricTensor.voigtIndex(i, j)]
    }

    /// Voigt index of the tensor entry `(i, j)`: xx 0, yy 1, zz 2, xy 3, yz 4, xz 5.
    @inlinable
    public static func voigtIndex(_ i: Int, _ j: Int) -> Int {
        if i == j { return i }
        let s = i + j
        return s == 1 ? 3 : (s == 3 ? 4 : 5)
    }

    /// The Voigt vector with shear entries doubled (engineering strain `γ = 2ε`).
    @inlinable
    public var engineeringVoigt: [Double] {
        [components.0, components.1, components.2, 2 * components.3, 2 * components.4, 2 * components.5]
    }

    /// A tensor from an engineering Voigt vector (shear entries halved).
    @inlinable
    public init(engineeringVoigt v: [Double]) {
        self.init(xx: v[0], yy: v[1], zz: v[2], xy: 0.5 * v[3], yz: 0.5 * v[4], xz: 0.5 * v[5])
    }

    /// Trace `xx + yy + zz`.
    @inlinable public var trace: Double { components.0 + components.1 + components.2 }

    /// Determinant of the 3×3 tensor.
    @inlinable public var determinant: Double {
        let (a, b, c, d, e, f) = components
        return a * (b * c - e * e) - d * (d * c - e * f) + f * (d * e - b * f)
    }

    /// Inverse of the 3×3 tensor (precondition: non-singular).
    @inlinable public var inverse: SymmetricTensor {
        let (a, b, c, d, e, f) = components
        let det = determinant
        let i = 1 / det
        return SymmetricTensor(
            xx: (b * c - e * e) * i, yy: (a * c - f * f) * i, zz: (a * b - d * d) * i,
            xy: (f * e - d * c) * i, yz: (d * f - a * e) * i, xz: (d * e - b * f) * i)
    }

    /// Frobenius norm √(A:A).
    @inlinable public var norm: Double {
        let (a, b, c, d, e, f) = components
        return (a * a + b * b + c * c + 2 * (d * d + e * e + f * f)).squareRoot()
    }

    /// Von Mises equivalent √(3/2 s:s) of a stress (same unit as the tensor).
    @inlinable public var vonMises: Double {
        let (a, b, c, d, e, f) = components
        return (0.5 * ((a - b) * (a - b) + (b - c) * (b - c) + (c - a) * (c - a)) + 3 * (d * d + e * e + f * f)).squareRoot()
    }

    /// Component-wise sum.
    @inlinable public static func + (l: SymmetricTensor, r: SymmetricTensor) -> SymmetricTensor {
        SymmetricTensor(xx: l.components.0 + r.components.0, yy: l.components.1 + r.components.1, zz: l.components.2 + r.components.2,
                        xy: l.components.3 + r.components.3, yz: l.components.4 + r.components.4, xz: l.components.5 + r.components.5)
    }
    /// Component-wise difference.
    @inlinable public static func - (l: SymmetricTensor, r: SymmetricTensor) -> SymmetricTensor { l + (-1) * r }
    /// Scalar multiple.
    @inlinable public static func * (s: Double, t: SymmetricTensor) -> SymmetricTensor {
        SymmetricTensor(xx: s * t.components.0, yy: s * t.components.1, zz: s * t.components.2,
                        xy: s * t.components.3, yz: s * t.components.4, xz: s * t.components.5)
    }

    public var description: String {
        "[xx \(components.0), yy \(components.1), zz \(components.2), xy \(components.3), yz \(components.4), xz \(components.5)]"
    }
}

/// A general 3×3 tensor stored row-major (`m[3i + j]` = entry (i, j)), e.g. the
/// deformation gradient `F = ∂x/∂X` (dimensionless) or a rotation.
public struct Tensor3: Sendable, Equatable {
    /// Row-major entries.
    public var m: (Double, Double, Double, Double, Double, Double, Double, Double, Double)

    /// A tensor from its rows.
    @inlinable
    public init(_ r0: (Double, Double, Double), _ r1: (Double, Double, Double), _ r2: (Double, Double, Double)) {
        m = (r0.0, r0.1, r0.2, r1.0, r1.1, r1.2, r2.0, r2.1, r2.2)
    }

    public static func == (a: Tensor3, b: Tensor3) -> Bool {
        (0..<9).allSatisfy { a[$0 / 3, $0 % 3] == b[$0 / 3, $0 % 3] }
    }

    /// The identity.
    public static let identity = Tensor3((1, 0, 0), (0, 1, 0), (0, 0, 1))

    /// A diagonal tensor.
    @inlinable public static func diagonal(_ a: Double, _ b: Double, _ c: Double) -> Tensor3 { Tensor3((a, 0, 0), (0, b, 0), (0, 0, c)) }

    /// Entry (i, j).
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { withUnsafeBytes(of: m) { $0.load(fromByteOffset: (3 * i + j) * 8, as: Double.self) } }
        set { withUnsafeMutableBytes(of: &m) { $0.storeBytes(of: newValue, toByteOffset: (3 * i + j) * 8, as: Double.self) } }
    }

    /// Determinant.
    @inlinable public var determinant: Double {
        let (a, b, c, d, e, f, g, h, i) = m
        return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    }

    /// Transpose.
    @inlinable public var transposed: Tensor3 { Tensor3((m.0, m.3, m.6), (m.1, m.4, m.7), (m.2, m.5, m.8)) }

    /// Product `self · other`.
    @inlinable public static func * (a: Tensor3, b: Tensor3) -> Tensor3 {
        var r = Tensor3.identity
        for i in 0..<3 { for j in 0..<3 { r[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j] } }
        return r
    }

    /// The right Cauchy–Green tensor `C = FᵀF`.
    @inlinable public var rightCauchyGreen: SymmetricTensor {
        var c = SymmetricTensor.zero
        for v in 0..<6 {
            let (i, j) = SymmetricTensor.voigtPair(v)
            c[voigt: v] = self[0, i] * self[0, j] + self[1, i] * self[1, j] + self[2, i] * self[2, j]
        }
        return c
    }

    /// The left Cauchy–Green tensor `b = FFᵀ`.
    @inlinable public var leftCauchyGreen: SymmetricTensor {
        var c = SymmetricTensor.zero
        for v in 0..<6 {
            let (i, j) = SymmetricTensor.voigtPair(v)
            c[voigt: v] = self[i, 0] * self[j, 0] + self[i, 1] * self[j, 1] + self[i, 2] * self[j, 2]
        }
        return c
    }

    /// Push-forward `F S Fᵀ / J` of a second Piola–Kirchhoff stress: the Cauchy stress (MPa).
    @inlinable public func cauchyStress(fromSecondPiolaKirchhoff s: SymmetricTensor) -> SymmetricTensor {
        let j = determinant
        var out = SymmetricTensor.zero
        for v in 0..<6 {
            let (a, b) = SymmetricTensor.voigtPair(v)
            var sum = 0.0
            for k in 0..<3 { for l in 0..<3 { sum += self[a, k] * s[k, l] * self[b, l] } }
            out[voigt: v] = sum / j
        }
        return out
    }
}

extension SymmetricTensor {
    /// Tensor indices `(i, j)` of Voigt index `v`.
    @inlinable
    public static func voigtPair(_ v: Int) -> (Int, Int) {
        switch v {
        case 0: return (0, 0)
        case 1: return (1, 1)
        case 2: return (2, 2)
        case 3: return (0, 1)
        case 4: return (1, 2)
        default: return (0, 2)
        }
    }

    /// `Qᵀ A Q`: the components of this tensor in the frame whose axes are the
    /// columns of the rotation `Q` (global components in, local out).
    @inlinable
    public func rotatedToLocal(_ q: Tensor3) -> SymmetricTensor {
        var out = SymmetricTensor.zero
        for v in 0..<6 {
            let (a, b) = SymmetricTensor.voigtPair(v)
            var sum = 0.0
            for k in 0..<3 { for l in 0..<3 { sum += q[k, a] * self[k, l] * q[l, b] } }
            out[voigt: v] = sum
        }
        return out
    }
}

/// A 6×6 matrix in engineering Voigt notation (row-major, `values[6r + c]`),
/// mapping engineering strain `(ε_xx, ε_yy, ε_zz, γ_xy, γ_yz, γ_xz)` to stress
/// `(σ_xx, σ_yy, σ_zz, σ_xy, σ_yz, σ_xz)`: an elasticity tensor in MPa.
public struct VoigtMatrix: Sendable, Equatable {
    /// Row-major entries (36).
    public var values: [Double]

    /// The zero matrix.
    @inlinable public init() { values = [Double](repeating: 0, count: 36) }

    /// A matrix from 36 row-major entries.
    @inlinable public init(rowMajor: [Double]) {
        precondition(rowMajor.count == 36)
        values = rowMajor
    }

    /// Entry (row, column).
    @inlinable
    public subscript(r: Int, c: Int) -> Double {
        get { values[6 * r + c] }
        set { values[6 * r + c] = newValue }
    }

    /// `self · ε` for an engineering Voigt strain, returned as a stress tensor.
    @inlinable
    public func apply(engineering e: [Double]) -> SymmetricTensor {
        var s = SymmetricTensor.zero
        for r in 0..<6 {
            var sum = 0.0
            for c in 0..<6 { sum += values[6 * r + c] * e[c] }
            s[voigt: r] = sum
        }
        return s
    }

    /// `Tᵀ · self · T`.
    @inlinable
    public func congruence(_ t: VoigtMatrix) -> VoigtMatrix {
        var tmp = VoigtMatrix(), out = VoigtMatrix()
        for i in 0..<6 { for j in 0..<6 { var s = 0.0; for k in 0..<6 { s += values[6 * i + k] * t.values[6 * k + j] }; tmp.values[6 * i + j] = s } }
        for i in 0..<6 { for j in 0..<6 { var s = 0.0; for k in 0..<6 { s += t.values[6 * k + i] * tmp.values[6 * k + j] }; out.values[6 * i + j] = s } }
        return out
    }

    /// Largest absolute entry.
    @inlinable public var maxAbs: Double { values.reduce(0) { max($0, abs($1)) } }
}
