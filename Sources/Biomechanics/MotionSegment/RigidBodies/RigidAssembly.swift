import SparseLinearAlgebra

/// Residual and tangent of a system of rigid bodies, in the bodies' increments.
///
/// `residual` (length 6·n, body `b` at `6b…6b+5` in ``RigidBodyVector`` order) is the net
/// generalized force on each body: force (N) and moment (N·mm) about its current reference point.
/// `stiffness` (6n × 6n, ``DenseMatrix`` column-major) is `K = −∂residual/∂q` along the update of
/// ``RigidBodyPose/apply(_:)``, so Newton solves `K Δq = residual`. Not symmetric in general.
package struct RigidAssembly {
    package let bodyCount: Int
    package var residual: [Double]
    package var stiffness: DenseMatrix

    package init(bodyCount: Int) {
        self.bodyCount = bodyCount
        residual = [Double](repeating: 0, count: 6 * bodyCount)
        stiffness = DenseMatrix(rows: 6 * bodyCount, columns: 6 * bodyCount)
    }

    /// Adds `value` to the 3×3 block at block row `(bi, ri)` and block column `(bj, cj)`
    /// (body `bi`, part `ri` ∈ {0 linear, 1 angular}).
    @inline(__always)
    mutating func addBlock(_ bi: Int, _ ri: Int, _ bj: Int, _ cj: Int, _ m: Mat3) {
        let r0 = 6 * bi + 3 * ri, c0 = 6 * bj + 3 * cj
        for i in 0..<3 { for j in 0..<3 { stiffness[r0 + i, c0 + j] += m[i, j] } }
    }

    /// A force `f` (N) acting on body `body` at the body point with current arm `r` (mm): adds
    /// `Tᵀ f` to the residual and the geometric tangent `−[f]×[r]×` of the moment.
    mutating func addPointForce(body: Int?, arm r: SIMD3<Double>, force f: SIMD3<Double>) {
        guard let b = body else { return }
        let m = cross3(r, f)
        for i in 0..<3 { residual[6 * b + i] += f[i]; residual[6 * b + 3 + i] += m[i] }
        addBlock(b, 1, b, 1, -(Mat3.skew(f) * Mat3.skew(r)))
    }

    /// The dependence `D = ∂f_a/∂x_b` (N/mm) of the force on point `a` (body `bodyA`, arm `ra`)
    /// on the position of point `b` (body `bodyB`, arm `rb`): adds `−T_aᵀ D T_b` to the tangent.
    mutating func addPointCoupling(bodyA: Int?, armA ra: SIMD3<Double>, bodyB: Int?, armB rb: SIMD3<Double>, _ d: Mat3) {
        guard let a = bodyA, let b = bodyB else { return }
        let sa = Mat3.skew(ra), sb = Mat3.skew(rb)
        addBlock(a, 0, b, 0, -d)
        addBlock(a, 0, b, 1, d * sb)
        addBlock(a, 1, b, 0, -(sa * d))
        addBlock(a, 1, b, 1, sa * d * sb)
    }

    /// Adds a force/moment directly to body `b`'s residual (an applied load, no tangent).
    mutating func addLoad(body b: Int, _ load: RigidBodyVector) {
        for i in 0..<6 { residual[6 * b + i] += load[i] }
    }
}

/// The tie of finite-element nodes (an endplate) to a rigid body: nodal displacements from the
/// body's pose, and the nodes' residual and tangent condensed onto the body's six unknowns.
///
/// Node `a` with reference position `X_a` has displacement `u_a = c + (R − I)(X_a − X_ref)`
/// (``RigidBodyPose/displacement(of:)``) and variation `δu_a = T_a δq`, `T_a = [I, −[r_a]×]`.
/// For nodal forces `g_a` exerted *on* the nodes by the rest of the model (N) and their tangent
/// `K_ab = −∂g_a/∂x_b` (N/mm), the body receives
///
///     residual  Σ_a T_aᵀ g_a                      (force N, moment N·mm about the current centre)
///     tangent   Σ_ab T_aᵀ K_ab T_b − Σ_a [g_a]×[r_a]×  (rotation–rotation block for the second sum)
///
/// the second term being the geometric stiffness of the finite rotation (see ``RigidBodyPose``).
/// A disc model assembles its endplate rows this way before the rigid bodies are solved with it.
public struct NodeCoupling: Sendable, Equatable {
    /// Reference positions of the tied nodes (mm).
    public var nodes: [SIMD3<Double>]

    public init(nodes: [SIMD3<Double>]) { self.nodes = nodes }

    /// Nodal displacements (mm) for the body's pose, in node order.
    public func displacements(_ pose: RigidBodyPose) -> [SIMD3<Double>] { nodes.map { pose.displacement(of: $0) } }

    /// The generalized force on the body from the nodal forces `forces` (N, node order).
    /// - Throws: ``MotionSegmentError/dimensionMismatch(what:expected:got:)``.
    public func generalizedForce(_ pose: RigidBodyPose, forces: [SIMD3<Double>]) throws -> RigidBodyVector {
        guard forces.count == nodes.count else { throw MotionSegmentError.dimensionMismatch(what: "nodal forces", expected: nodes.count, got: forces.count) }
        var out = RigidBodyVector.zero
        for (x, f) in zip(nodes, forces) {
            out.linear += f
            out.angular += cross3(pose.arm(of: x), f)
        }
        return out
    }

    /// The 6×6 tangent condensed from the nodal tangent `nodalStiffness` (3N × 3N, node-major:
    /// row `3a + i` is component `i` of node `a`; N/mm) and the nodal forces `forces` (N).
    /// - Throws: ``MotionSegmentError/dimensionMismatch(what:expected:got:)``.
    public func condensedStiffness(_ pose: RigidBodyPose, forces: [SIMD3<Double>], nodalStiffness k: DenseMatrix) throws -> DenseMatrix {
        let n = nodes.count
        guard forces.count == n else { throw MotionSegmentError.dimensionMismatch(what: "nodal forces", expected: n, got: forces.count) }
        guard k.rows == 3 * n, k.columns == 3 * n else {
            throw MotionSegmentError.dimensionMismatch(what: "nodal stiffness rows/columns", expected: 3 * n, got: k.rows == 3 * n ? k.columns : k.rows)
        }
        var asm = RigidAssembly(bodyCount: 1)
        let arms = nodes.map { pose.arm(of: $0) }
        for a in 0..<n {
            asm.addPointForce(body: 0, arm: arms[a], force: forces[a])
            for b in 0..<n {
                var d = Mat3.zero
                for i in 0..<3 { for j in 0..<3 { d[i, j] = -k[3 * a + i, 3 * b + j] } }
                asm.addPointCoupling(bodyA: 0, armA: arms[a], bodyB: 0, armB: arms[b], d)
            }
        }
        return asm.stiffness
    }
}

/// Why a motion-segment component refuses its input or its solve.
public enum MotionSegmentError: Error, Equatable, CustomStringConvertible {
    /// A parameter is outside its admissible range (`name` as a model file spells it).
    case invalidParameter(name: String, value: Double, expected: String)
    /// A list has the wrong length.
    case dimensionMismatch(what: String, expected: Int, got: Int)
    /// An anchor names a body that does not exist.
    case unknownBody(what: String, index: Int, bodyCount: Int)
    /// The two facet surfaces do not face each other (`dot` of their outward normals, expected < 0).
    case facetsDoNotFace(name: String, normalDot: Double)
    /// Newton's method did not converge; `culprit` names the component whose force dominated the
    /// last residual (a ligament, a facet, a bushing or a load).
    case notConverged(iterations: Int, residual: Double, culprit: String)
    /// A non-finite value appeared in a residual or tangent; `culprit` names the component.
    case nonFinite(culprit: String)
    /// The tangent is singular (the bodies are not held against some motion).
    case singularTangent(column: Int)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, expected): return "\(name): expected \(expected), got \(value)"
        case let .dimensionMismatch(what, expected, got): return "\(what): expected \(expected) entries, got \(got)"
        case let .unknownBody(what, index, count): return "\(what): body index \(index) does not exist (\(count) bodies)"
        case let .facetsDoNotFace(name, d): return "facet \(name): the surfaces do not face each other (normal · normal = \(d), expected < 0)"
        case let .notConverged(it, r, culprit): return "Newton did not converge in \(it) iterations (residual \(r) N); largest contribution: \(culprit)"
        case let .nonFinite(culprit): return "non-finite force or tangent from \(culprit)"
        case let .singularTangent(col): return "the rigid-body tangent is singular at unknown \(col): a body is free to move"
        }
    }
}
