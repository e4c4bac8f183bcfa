import SparseLinearAlgebra

/// A pair of 3-vectors on a rigid body's six degrees of freedom: translation then rotation.
///
/// As an increment (a *twist*): `linear` is a translation of the reference point (mm) and
/// `angular` a spatial rotation increment `Δω` (radians), applied as `R ← exp([Δω]×) R`. As a
/// generalized force (a *wrench*): `linear` is a force (N) and `angular` a moment (N·mm) about the
/// body's current reference point, in global axes. The two are work-conjugate.
public struct RigidBodyVector: Sendable, Equatable, Codable {
    /// Translation (mm) or force (N), global axes.
    public var linear: SIMD3<Double>
    /// Rotation increment (rad) or moment (N·mm), global axes.
    public var angular: SIMD3<Double>

    public init(linear: SIMD3<Double> = .zero, angular: SIMD3<Double> = .zero) {
        self.linear = linear; self.angular = angular
    }

    /// The zero vector.
    public static let zero = RigidBodyVector()

    /// Component `i ∈ 0…5` in the order (linear x, y, z, angular x, y, z).
    public subscript(i: Int) -> Double {
        get { i < 3 ? linear[i] : angular[i - 3] }
        set { if i < 3 { linear[i] = newValue } else { angular[i - 3] = newValue } }
    }
}

/// The placement of a rigid body (a vertebra): the displacement of a reference point and a finite
/// rotation about it.
///
/// A body-fixed point with reference (undeformed) position `X` is now at
///
///     x = X_ref + c + R (X − X_ref),
///
/// so its displacement is `u = c + (R − I)(X − X_ref)` — the master–slave map that ties finite
/// element nodes (an endplate) to the body. Positions in mm.
///
/// **Parametrisation and linearisation.** The six unknowns of an increment are `Δc` (mm) and a
/// spatial rotation increment `Δω` (rad): `c ← c + Δc`, `R ← exp([Δω]×) R` (see ``Rotation``).
/// At the current state the first variation of a body point is `δx = δc + δω × r` with the current
/// arm `r = R (X − X_ref)`, i.e. `δx = T δq`, `T = [I, −[r]×]` (3×6). The work-conjugate
/// generalized force of point forces `f_a` is `Σ Tᵀ f_a = (Σ f_a, Σ r_a × f_a)`: force and moment
/// about the current reference point `X_ref + c`. Consistent tangents differentiate that
/// generalized force along the same update, which adds the geometric term
/// `∂(r × f)/∂Δω = [f]× [r]×` (non-symmetric; its symmetric part is the second variation
/// ``secondVariation(of:contractedWith:)``, its skew part `½ [f × r]×` vanishes when the body's
/// moments balance). This is the spatial-spin update of Simo & Vu-Quoc 1986
/// (Comput Methods Appl Mech Eng 58:79–116) used for rigid bodies with finite rotations.
///
/// ```swift
/// var body = RigidBodyPose(referencePoint: SIMD3(0, 0, 40))
/// body.apply(RigidBodyVector(linear: SIMD3(0, 0, 1), angular: SIMD3(0.05, 0, 0)))
/// body.displacement(of: SIMD3(0, 20, 40))      // mm
/// ```
public struct RigidBodyPose: Sendable, Equatable, Codable {
    /// Reference point `X_ref` (mm): the point the rotation is about and the translation moves.
    public var referencePoint: SIMD3<Double>
    /// Displacement `c` of the reference point (mm).
    public var translation: SIMD3<Double>
    /// Rotation `R` of the body.
    public var rotation: Rotation

    public init(referencePoint: SIMD3<Double>, translation: SIMD3<Double> = .zero, rotation: Rotation = .identity) {
        self.referencePoint = referencePoint; self.translation = translation; self.rotation = rotation
    }

    /// Current position of the reference point, `X_ref + c` (mm).
    public var center: SIMD3<Double> { referencePoint + translation }

    /// Current arm `r = R (X − X_ref)` of the body point with reference position `X` (mm).
    @inlinable public func arm(of point: SIMD3<Double>) -> SIMD3<Double> { rotation.apply(point - referencePoint) }

    /// Current position `x = X_ref + c + R (X − X_ref)` of the body point at `X` (mm).
    @inlinable public func position(of point: SIMD3<Double>) -> SIMD3<Double> { center + arm(of: point) }

    /// Displacement `u = c + (R − I)(X − X_ref)` of the body point at `X` (mm).
    @inlinable public func displacement(of point: SIMD3<Double>) -> SIMD3<Double> { position(of: point) - point }

    /// The rotation vector `ψ` of ``rotation`` (rad).
    public var rotationVector: SIMD3<Double> { rotation.rotationVector }

    /// Applies an increment: `c ← c + Δc`, `R ← exp([Δω]×) R`.
    public mutating func apply(_ increment: RigidBodyVector) {
        translation += increment.linear
        rotation = Rotation(rotationVector: increment.angular) * rotation
        rotation.orthonormalize()
    }

    /// The pose after an increment (see ``apply(_:)``).
    public func applying(_ increment: RigidBodyVector) -> RigidBodyPose {
        var p = self; p.apply(increment); return p
    }

    /// First derivative of the current position of the point at `X` with respect to the increment,
    /// `∂x/∂q = [I, −[r]×]`, as a 3×6 matrix (row = component of `x`, column = increment
    /// component in ``RigidBodyVector`` order). Dimensionless in the first three columns, mm per rad
    /// in the last three.
    public func pointJacobian(of point: SIMD3<Double>) -> DenseMatrix {
        let w = -Mat3.skew(arm(of: point))
        var t = DenseMatrix(rows: 3, columns: 6)
        for i in 0..<3 {
            t[i, i] = 1
            for j in 0..<3 { t[i, 3 + j] = w[i, j] }
        }
        return t
    }

    /// Second variation of `f · x(X)` with respect to the rotation increment at the current state,
    /// `∂²(f · exp([ω]×) r)/∂ω∂ω |₀ = ½([f]×[r]× + [r]×[f]×)` (3×3, symmetric, N·mm per rad²
    /// for a force `f` in N); the translation rows and columns are zero.
    public func secondVariation(of point: SIMD3<Double>, contractedWith force: SIMD3<Double>) -> Tensor3 {
        let r = Mat3.skew(arm(of: point)), f = Mat3.skew(force)
        let h = 0.5 * (f * r + r * f)
        return Tensor3((h.r0.x, h.r0.y, h.r0.z), (h.r1.x, h.r1.y, h.r1.z), (h.r2.x, h.r2.y, h.r2.z))
    }

    /// The rotation–rotation tangent block (N·mm per rad) that a force `force` (N) acting on the
    /// body point at `X` adds to `K = −∂residual/∂q`: `−[f]× [r]×`, the derivative of its moment
    /// `r × f` along the spin update (see the type's discussion). With ``pointJacobian(of:)`` this
    /// is all a sparse assembly needs to tie nodes to the body: `K_body += Tᵀ K_node T` plus this.
    public func geometricStiffness(of point: SIMD3<Double>, force: SIMD3<Double>) -> Tensor3 {
        let h = -(Mat3.skew(force) * Mat3.skew(arm(of: point)))
        return Tensor3((h.r0.x, h.r0.y, h.r0.z), (h.r1.x, h.r1.y, h.r1.z), (h.r2.x, h.r2.y, h.r2.z))
    }
}

/// Where a ligament or a facet surface is fixed: a body-fixed point of a rigid body, or a point on
/// the ground (a body held fixed, e.g. the lower vertebra).
public enum RigidAnchor: Sendable, Equatable, Codable {
    /// A point fixed in space (mm).
    case ground(SIMD3<Double>)
    /// The point with reference position `point` (mm) on body `body` (index into the system's bodies).
    case body(Int, SIMD3<Double>)

    /// Reference position of the point (mm).
    public var referencePoint: SIMD3<Double> {
        switch self {
        case let .ground(p): return p
        case let .body(_, p): return p
        }
    }

    /// Body index, or nil on the ground.
    public var bodyIndex: Int? {
        if case let .body(b, _) = self { return b }
        return nil
    }

    /// Current position (mm) given the bodies' poses.
    public func position(_ bodies: [RigidBodyPose]) -> SIMD3<Double> {
        switch self {
        case let .ground(p): return p
        case let .body(b, p): return bodies[b].position(of: p)
        }
    }
}
