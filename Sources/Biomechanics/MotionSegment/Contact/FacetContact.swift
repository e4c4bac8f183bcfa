import Foundation

/// Frictionless contact of a facet joint: the upper articular surface, sampled as points with
/// tributary areas on one rigid body, against the lower articular surface, a plane on another
/// body (or the ground).
///
/// **Gap and pressure.** With the plane's current point `p` and unit normal `n` (pointing out of
/// the lower surface, towards the upper one), a sample point at `x` has the gap `g = n·(x − p)` (mm;
/// negative = penetration) and the contact pressure
///
///     p_c = ⟨λ − ε_N g⟩   (MPa),
///
/// with the penalty `ε_N` (N/mm³) and the augmented-Lagrangian multiplier `λ` (MPa, zero for pure
/// penalty); `⟨·⟩` keeps the positive part, so a separated point carries nothing. The point force
/// `A p_c n` (N, `A` its area in mm²) acts on the upper body at `x` and its opposite on the lower
/// body at the same place. Augmentation (`λ ← p_c` after each converged solve, Simo & Laursen 1992,
/// Comput Struct 42:97–116) drives the penetration below a tolerance with a moderate penalty.
/// The tangent is exact for both bodies moving, including the rotation of the lower plane's normal.
///
/// ```swift
/// // Upper surface facing −x onto a ground plane through p0 facing +x.
/// let facet = try FacetContact(name: "L4-L5 facet left", upperBody: 0, points: pts, areas: areas,
///                              upperNormal: SIMD3(-1, 0, 0), plane: .ground(p0),
///                              planeNormal: SIMD3(1, 0, 0), penalty: 100)
/// ```
public struct FacetContact: Sendable, Equatable {
    /// A label (e.g. "L4-L5 facet left").
    public var name: String
    /// Index of the body carrying the sampled (upper) surface.
    public var upperBody: Int
    /// Reference positions of the sample points on the upper surface (mm).
    public var points: [SIMD3<Double>]
    /// Tributary area of each sample point (mm²).
    public var areas: [Double]
    /// A point of the lower plane in the reference configuration; on the ground or on a body.
    public var plane: RigidAnchor
    /// Unit normal of the lower plane in the reference configuration, out of the lower surface.
    public private(set) var planeNormal: SIMD3<Double>
    /// Penalty `ε_N` (N/mm³ = MPa per mm of penetration).
    public var penalty: Double
    /// Multipliers `λ` (MPa) per sample point.
    public var multipliers: [Double]

    /// A validated contact pair.
    ///
    /// - Parameter upperNormal: outward normal of the upper articular surface in the reference
    ///   configuration; it must face the plane (`upperNormal · planeNormal < 0`).
    /// - Throws: ``MotionSegmentError``: mismatched counts, non-positive areas or penalty, a zero
    ///   normal, surfaces that do not face each other.
    public init(name: String, upperBody: Int, points: [SIMD3<Double>], areas: [Double], upperNormal: SIMD3<Double>,
                plane: RigidAnchor, planeNormal: SIMD3<Double>, penalty: Double) throws {
        guard !points.isEmpty else { throw MotionSegmentError.dimensionMismatch(what: "\(name).points", expected: 1, got: 0) }
        guard areas.count == points.count else { throw MotionSegmentError.dimensionMismatch(what: "\(name).areas", expected: points.count, got: areas.count) }
        for a in areas where !(a.isFinite && a > 0) {
            throw MotionSegmentError.invalidParameter(name: "\(name).areas", value: a, expected: "areas > 0 mm²")
        }
        guard penalty.isFinite, penalty > 0 else { throw MotionSegmentError.invalidParameter(name: "\(name).penalty", value: penalty, expected: "a penalty > 0 N/mm³") }
        let nn = length3(planeNormal), un = length3(upperNormal)
        guard nn.isFinite, nn > 0 else { throw MotionSegmentError.invalidParameter(name: "\(name).planeNormal", value: nn, expected: "a non-zero normal") }
        guard un.isFinite, un > 0 else { throw MotionSegmentError.invalidParameter(name: "\(name).upperNormal", value: un, expected: "a non-zero normal") }
        let facing = dot3(planeNormal / nn, upperNormal / un)
        guard facing < 0 else { throw MotionSegmentError.facetsDoNotFace(name: name, normalDot: facing) }
        if case .body(upperBody, _) = plane {
            throw MotionSegmentError.invalidParameter(name: "\(name).plane", value: Double(upperBody), expected: "a plane on another body than the upper surface")
        }
        self.name = name; self.upperBody = upperBody; self.points = points; self.areas = areas
        self.plane = plane; self.planeNormal = planeNormal / nn; self.penalty = penalty
        multipliers = [Double](repeating: 0, count: points.count)
    }

    /// Current plane point and unit normal.
    func currentPlane(_ bodies: [RigidBodyPose]) -> (point: SIMD3<Double>, normal: SIMD3<Double>) {
        let p = plane.position(bodies)
        let n = plane.bodyIndex.map { bodies[$0].rotation.apply(planeNormal) } ?? planeNormal
        return (p, n)
    }

    /// Gaps (mm) of the sample points; negative = penetration.
    public func gaps(_ bodies: [RigidBodyPose]) -> [Double] {
        let (p, n) = currentPlane(bodies)
        return points.map { dot3(n, bodies[upperBody].position(of: $0) - p) }
    }

    /// Contact pressures (MPa) of the sample points.
    public func pressures(_ bodies: [RigidBodyPose]) -> [Double] {
        zip(gaps(bodies), multipliers).map { max(0, $1 - penalty * $0) }
    }

    /// The joint's outputs.
    public func result(_ bodies: [RigidBodyPose]) -> FacetContactResult {
        let g = gaps(bodies), pc = zip(g, multipliers).map { max(0, $1 - penalty * $0) }
        var force = 0.0, area = 0.0
        for i in points.indices where pc[i] > 0 { force += pc[i] * areas[i]; area += areas[i] }
        return FacetContactResult(force: force, minimumGap: g.min() ?? .infinity, contactArea: area, maximumPressure: pc.max() ?? 0)
    }

    /// True when a sample point penetrates deeper than `tolerance` (mm), or carries pressure
    /// (from its multiplier) across a gap wider than `tolerance`.
    public func needsAugmentation(_ bodies: [RigidBodyPose], tolerance: Double) -> Bool {
        for (g, l) in zip(gaps(bodies), multipliers) {
            if g < -tolerance || (g > tolerance && l - penalty * g > 0) { return true }
        }
        return false
    }

    /// Sets the multipliers to the current pressures (one augmentation).
    public mutating func augment(_ bodies: [RigidBodyPose]) { multipliers = pressures(bodies) }

    /// Adds the contact forces and tangent to `asm`; returns the total normal force (N).
    func assemble(into asm: inout RigidAssembly, bodies: [RigidBodyPose]) -> Double {
        let (p, n) = currentPlane(bodies)
        let u = upperBody, l = plane.bodyIndex
        let cu = bodies[u].center, cl = l.map { bodies[$0].center } ?? .zero
        let sn = Mat3.skew(n), nn = Mat3.outer(n, n)
        var total = 0.0
        for i in points.indices {
            let x = bodies[u].position(of: points[i])
            let g = dot3(n, x - p)
            // Active with positive pressure, or just touching (g ≤ 0, zero pressure) so that a
            // solve starting in contact has the contact's stiffness.
            let pc = max(0, multipliers[i] - penalty * g)
            guard pc > 0 || g <= 0 else { continue }
            let a = areas[i], bigP = a * pc, f = bigP * n
            total += bigP
            let ru = x - cu
            asm.addPointForce(body: u, arm: ru, force: f)
            let d = (a * penalty) * nn
            asm.addPointCoupling(bodyA: u, armA: ru, bodyB: u, armB: ru, -d)
            guard let lb = l else { continue }
            let s = x - cl
            // Reaction on the lower body at x (arm s), its moment varies with δs = δx_u − δc_l.
            let m = cross3(s, -f)
            for k in 0..<3 { asm.residual[6 * lb + k] -= f[k]; asm.residual[6 * lb + 3 + k] += m[k] }
            asm.addPointCoupling(bodyA: u, armA: ru, bodyB: lb, armB: s, d)
            asm.addPointCoupling(bodyA: lb, armA: s, bodyB: u, armB: ru, d)
            asm.addPointCoupling(bodyA: lb, armA: s, bodyB: lb, armB: s, -d)
            // Rotation of the normal with the lower body: ∂f/∂ω_l = −P [n]×.
            asm.addBlock(u, 0, lb, 1, bigP * sn)
            asm.addBlock(u, 1, lb, 1, bigP * (Mat3.skew(ru) * sn))
            asm.addBlock(lb, 0, lb, 1, -bigP * sn)
            asm.addBlock(lb, 1, lb, 1, -bigP * (Mat3.skew(s) * sn))
            // δM_l ⊃ [f]× δs.
            let sf = Mat3.skew(f)
            asm.addBlock(lb, 1, u, 0, -sf)
            asm.addBlock(lb, 1, u, 1, sf * Mat3.skew(ru))
            asm.addBlock(lb, 1, lb, 0, sf)
        }
        return total
    }
}

/// Outputs of one facet joint.
public struct FacetContactResult: Sendable, Equatable, Codable {
    /// Total normal contact force (N).
    public var force: Double
    /// Smallest gap over the sample points (mm; negative = penetration).
    public var minimumGap: Double
    /// Area of the sample points in contact (mm²).
    public var contactArea: Double
    /// Largest contact pressure (MPa).
    public var maximumPressure: Double
}
