import SparseLinearAlgebra

/// A linear six-degree-of-freedom spring between a rigid body and the ground (a "bushing"):
/// generalized force `−K [c; ψ]` on the body from its translation `c` (mm) and rotation vector
/// `ψ` (rad), with a 6×6 stiffness `K` (N/mm, N/rad, N·mm/mm, N·mm/rad blocks).
///
/// A stand-in for the disc while the disc's finite elements are not attached (tests, quick
/// estimates; a motion segment's 6×6 stiffness matrix as measured by Panjabi et al. 1976,
/// J Biomech 9:185–192, has this form). The force `−K_cc c − K_cψ ψ` and the moment
/// `−K_ψc c − K_ψψ ψ` act at the body's current reference point; the tangent along the spin update
/// is `K diag(I, J⁻¹(ψ))` with the inverse left Jacobian of the rotation (see ``Rotation``).
public struct LinearBushing: Sendable, Equatable {
    /// Index of the body.
    public var body: Int
    /// Stiffness `K` (6×6), unknown order (c, ψ).
    public var stiffness: DenseMatrix

    /// - Throws: ``MotionSegmentError/dimensionMismatch(what:expected:got:)`` unless `K` is 6×6;
    ///   ``MotionSegmentError/invalidParameter(name:value:expected:)`` for a non-finite entry.
    public init(body: Int, stiffness: DenseMatrix) throws {
        guard stiffness.rows == 6, stiffness.columns == 6 else {
            throw MotionSegmentError.dimensionMismatch(what: "bushing stiffness rows/columns", expected: 6, got: stiffness.rows == 6 ? stiffness.columns : stiffness.rows)
        }
        for v in stiffness.values where !v.isFinite { throw MotionSegmentError.invalidParameter(name: "bushing stiffness", value: v, expected: "finite entries") }
        self.body = body; self.stiffness = stiffness
    }

    /// The generalized force (N, N·mm) on the body.
    public func force(_ bodies: [RigidBodyPose]) -> RigidBodyVector {
        let q = coordinates(bodies[body])
        var out = RigidBodyVector.zero
        for i in 0..<6 { var s = 0.0; for j in 0..<6 { s -= stiffness[i, j] * q[j] }; out[i] = s }
        return out
    }

    func coordinates(_ pose: RigidBodyPose) -> [Double] {
        let psi = pose.rotationVector
        return [pose.translation.x, pose.translation.y, pose.translation.z, psi.x, psi.y, psi.z]
    }

    /// Adds the bushing's force and tangent; returns the force's magnitude (N).
    func assemble(into asm: inout RigidAssembly, bodies: [RigidBodyPose]) -> Double {
        let f = force(bodies)
        asm.addLoad(body: body, f)
        let jinv = Rotation.inverseLeftJacobian(bodies[body].rotationVector)
        let b = 6 * body
        for i in 0..<6 {
            for j in 0..<3 { asm.stiffness[b + i, b + j] += stiffness[i, j] }
            for j in 0..<3 {
                var s = 0.0
                for k in 0..<3 { s += stiffness[i, 3 + k] * jinv[k, j] }
                asm.stiffness[b + i, b + 3 + j] += s
            }
        }
        return length3(f.linear)
    }
}
