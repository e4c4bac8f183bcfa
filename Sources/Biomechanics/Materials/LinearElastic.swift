/// Small-strain isotropic linear elasticity (Hooke's law), `σ = λ tr(ε) I + 2μ ε`.
///
/// ```swift
/// let bone = try IsotropicLinearElastic(youngsModulus: 12_000, poissonRatio: 0.3) // MPa
/// ```
public struct IsotropicLinearElastic: SolidMaterial, Equatable {
    /// Young's modulus `E` (MPa), positive.
    public let youngsModulus: Double
    /// Poisson's ratio `ν` (dimensionless), in (−1, 0.5).
    public let poissonRatio: Double

    /// Validates `E > 0` and `−1 < ν < 0.5`.
    /// - Throws: ``MaterialError/invalidParameter(name:value:expected:)`` naming `E` or `nu`.
    public init(youngsModulus e: Double, poissonRatio nu: Double) throws {
        guard e.isFinite, e > 0 else { throw MaterialError.invalidParameter(name: "E", value: e, expected: "a positive number (MPa)") }
        guard nu.isFinite, nu > -1, nu < 0.5 else { throw MaterialError.invalidParameter(name: "nu", value: nu, expected: "a number in (-1, 0.5)") }
        youngsModulus = e; poissonRatio = nu
    }

    /// Lamé's first parameter `λ = Eν/((1+ν)(1−2ν))` (MPa).
    public var lambda: Double { youngsModulus * poissonRatio / ((1 + poissonRatio) * (1 - 2 * poissonRatio)) }
    /// Shear modulus `μ = E/(2(1+ν))` (MPa).
    public var mu: Double { youngsModulus / (2 * (1 + poissonRatio)) }

    public var isLinear: Bool { true }

    public func smallStrainStiffness(axes: Tensor3) -> VoigtMatrix { isotropicStiffness(lambda: lambda, mu: mu) }

    public func secondPiolaKirchhoff(deformationGradient f: Tensor3, axes: Tensor3) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix) {
        try stVenantKirchhoff(deformationGradient: f, axes: axes)
    }
}

/// The isotropic elasticity matrix `λ I⊗I + 2μ 𝕀` in engineering Voigt form (MPa).
@inlinable
public func isotropicStiffness(lambda: Double, mu: Double) -> VoigtMatrix {
    var d = VoigtMatrix()
    for i in 0..<3 {
        for j in 0..<3 { d[i, j] = lambda }
        d[i, i] = lambda + 2 * mu
        d[i + 3, i + 3] = mu
    }
    return d
}

/// Small-strain orthotropic linear elasticity with three material axes
/// (nine constants), e.g. the annulus fibrosus in cylindrical axes.
///
/// The compliance in material axes (engineering Voigt `11, 22, 33, 12, 23, 13`):
/// `ε11 = σ11/E1 − ν21 σ22/E2 − ν31 σ33/E3`, with the symmetry `ν_ij/E_i = ν_ji/E_j`,
/// `γ12 = σ12/G12`, `γ23 = σ23/G23`, `γ13 = σ13/G13`. `ν12` is the lateral
/// contraction in direction 2 under tension in direction 1.
/// The global stiffness at a point is `Tᵀ D_local T` with `T` the strain rotation
/// to the material axes given there (``MaterialAxes``).
public struct OrthotropicLinearElastic: SolidMaterial, Equatable {
    /// Young's moduli `E1, E2, E3` along the material axes (MPa).
    public let youngsModuli: (Double, Double, Double)
    /// Poisson's ratios `ν12, ν13, ν23` (dimensionless).
    public let poissonRatios: (Double, Double, Double)
    /// Shear moduli `G12, G13, G23` (MPa).
    public let shearModuli: (Double, Double, Double)
    /// Stiffness in material axes (MPa), the inverse of ``compliance``.
    public let localStiffness: VoigtMatrix

    public static func == (a: Self, b: Self) -> Bool { a.localStiffness == b.localStiffness }

    /// Validates positivity of moduli and positive definiteness of the compliance.
    /// - Throws: ``MaterialError/invalidParameter(name:value:expected:)`` naming
    ///   `E1`…`G23` or a Poisson ratio, or ``MaterialError/notPositiveDefinite(detail:)``.
    public init(E1: Double, E2: Double, E3: Double, nu12: Double, nu13: Double, nu23: Double,
                G12: Double, G13: Double, G23: Double) throws {
        for (name, v) in [("E1", E1), ("E2", E2), ("E3", E3), ("G12", G12), ("G13", G13), ("G23", G23)] {
            guard v.isFinite, v > 0 else { throw MaterialError.invalidParameter(name: name, value: v, expected: "a positive number (MPa)") }
        }
        for (name, v, ei, ej) in [("nu12", nu12, E1, E2), ("nu13", nu13, E1, E3), ("nu23", nu23, E2, E3)] {
            let bound = (ei / ej).squareRoot()
            guard v.isFinite, abs(v) < bound else {
                throw MaterialError.invalidParameter(name: name, value: v, expected: "|\(name)| < √(E\(name.dropFirst(2).first!)/E\(name.last!)) = \(bound)")
            }
        }
        let nu21 = nu12 * E2 / E1, nu31 = nu13 * E3 / E1, nu32 = nu23 * E3 / E2
        let det = 1 - nu12 * nu21 - nu23 * nu32 - nu13 * nu31 - 2 * nu21 * nu32 * nu13
        guard det > 0 else {
            throw MaterialError.notPositiveDefinite(detail: "1 − ν12ν21 − ν23ν32 − ν13ν31 − 2ν21ν32ν13 = \(det) with nu12 = \(nu12), nu13 = \(nu13), nu23 = \(nu23): expected > 0")
        }
        youngsModuli = (E1, E2, E3); poissonRatios = (nu12, nu13, nu23); shearModuli = (G12, G13, G23)
        // Closed-form inverse of the normal block (as tabulated in Jones, Mechanics of Composite Materials, ch. 2).
        var d = VoigtMatrix()
        let f = 1 / det
        d[0, 0] = E1 * (1 - nu23 * nu32) * f
        d[1, 1] = E2 * (1 - nu13 * nu31) * f
        d[2, 2] = E3 * (1 - nu12 * nu21) * f
        d[0, 1] = E1 * (nu21 + nu31 * nu23) * f; d[1, 0] = d[0, 1]
        d[0, 2] = E1 * (nu31 + nu21 * nu32) * f; d[2, 0] = d[0, 2]
        d[1, 2] = E2 * (nu32 + nu12 * nu31) * f; d[2, 1] = d[1, 2]
        d[3, 3] = G12; d[4, 4] = G23; d[5, 5] = G13
        localStiffness = d
    }

    /// Compliance in material axes (1/MPa), engineering Voigt `11, 22, 33, 12, 23, 13`.
    public var compliance: VoigtMatrix {
        let (e1, e2, e3) = youngsModuli, (n12, n13, n23) = poissonRatios, (g12, g13, g23) = shearModuli
        var s = VoigtMatrix()
        s[0, 0] = 1 / e1; s[1, 1] = 1 / e2; s[2, 2] = 1 / e3
        s[0, 1] = -n12 / e1; s[1, 0] = s[0, 1]
        s[0, 2] = -n13 / e1; s[2, 0] = s[0, 2]
        s[1, 2] = -n23 / e2; s[2, 1] = s[1, 2]
        s[3, 3] = 1 / g12; s[4, 4] = 1 / g23; s[5, 5] = 1 / g13
        return s
    }

    public var isLinear: Bool { true }

    public func smallStrainStiffness(axes: Tensor3) -> VoigtMatrix {
        localStiffness.congruence(strainRotation(toLocal: axes))
    }

    public func secondPiolaKirchhoff(deformationGradient f: Tensor3, axes: Tensor3) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix) {
        try stVenantKirchhoff(deformationGradient: f, axes: axes)
    }
}

/// The 6×6 matrix `T` with `ε_local = T ε_global` for engineering Voigt strains,
/// where the local axes are the columns of the rotation `q`.
@inlinable
public func strainRotation(toLocal q: Tensor3) -> VoigtMatrix {
    var t = VoigtMatrix()
    for c in 0..<6 {
        var unit = [Double](repeating: 0, count: 6)
        unit[c] = 1
        let local = SymmetricTensor(engineeringVoigt: unit).rotatedToLocal(q).engineeringVoigt
        for r in 0..<6 { t[r, c] = local[r] }
    }
    return t
}

/// Where a material's axes point, evaluated per element (at its centroid).
public enum MaterialAxes: Sendable, Equatable {
    /// Material axes = global x, y, z.
    case global
    /// Cylindrical axes about the line through `origin` (mm) along `axis`:
    /// local 1 = radial, 2 = circumferential, 3 = axial (an annulus: fibres in
    /// the 2–3 plane).
    case cylindrical(origin: (Double, Double, Double), axis: (Double, Double, Double))
    /// Fixed axes: the columns of a rotation matrix.
    case fixed(Tensor3)

    public static func == (a: MaterialAxes, b: MaterialAxes) -> Bool {
        switch (a, b) {
        case (.global, .global): return true
        case let (.cylindrical(o1, a1), .cylindrical(o2, a2)): return o1 == o2 && a1 == a2
        case let (.fixed(q1), .fixed(q2)): return q1 == q2
        default: return false
        }
    }

    /// The rotation whose columns are the material axes at point `x` (mm).
    /// On the cylinder axis itself the radial direction is undefined; global x
    /// projected off the axis is used there.
    @inlinable
    public func frame(at x: (Double, Double, Double)) -> Tensor3 {
        switch self {
        case .global: return .identity
        case let .fixed(q): return q
        case let .cylindrical(o, a):
            let an = (a.0 * a.0 + a.1 * a.1 + a.2 * a.2).squareRoot()
            let e3 = (a.0 / an, a.1 / an, a.2 / an)
            var r = (x.0 - o.0, x.1 - o.1, x.2 - o.2)
            let dot = r.0 * e3.0 + r.1 * e3.1 + r.2 * e3.2
            r = (r.0 - dot * e3.0, r.1 - dot * e3.1, r.2 - dot * e3.2)
            var rn = (r.0 * r.0 + r.1 * r.1 + r.2 * r.2).squareRoot()
            if rn < 1e-12 * max(an, 1) {
                // Any direction perpendicular to the axis.
                let t = abs(e3.0) < 0.9 ? (1.0, 0.0, 0.0) : (0.0, 1.0, 0.0)
                let d = t.0 * e3.0 + t.1 * e3.1 + t.2 * e3.2
                r = (t.0 - d * e3.0, t.1 - d * e3.1, t.2 - d * e3.2)
                rn = (r.0 * r.0 + r.1 * r.1 + r.2 * r.2).squareRoot()
            }
            let e1 = (r.0 / rn, r.1 / rn, r.2 / rn)
            let e2 = (e3.1 * e1.2 - e3.2 * e1.1, e3.2 * e1.0 - e3.0 * e1.2, e3.0 * e1.1 - e3.1 * e1.0)
            return Tensor3((e1.0, e2.0, e3.0), (e1.1, e2.1, e3.1), (e1.2, e2.2, e3.2))
        }
    }
}
