import Foundation
import FiniteElements
import SparseLinearAlgebra

/// A rigid vertebra tied to the nodes of a finite-element model (its endplate): six unknowns —
/// the translation `c` (mm) of its reference point and its rotation vector `ψ` (rad) — appended to
/// the model's unknowns, with an applied force and moment.
///
/// Every displacement component of every tied node follows the body:
/// `u_a = c + (R(ψ) − I)(X_a − X_ref)` with `R(ψ) = exp([ψ]×)` (finite rotation,
/// ``RigidBodyPose``). Ligaments and facets act on the vertebra through the
/// ``CoupledRigidBodies`` it belongs to; body indices in their anchors are indices into
/// ``CoupledRigidBodies/vertebrae``, and the ground is the fixed lower vertebra.
///
/// ```swift
/// let top = try mesh.nodes(ofSurface: "top")
/// var v = RigidVertebra(name: "L4", referencePoint: SIMD3(0, 0, 10), nodes: top)
/// v.force = SIMD3(0, 0, -500); v.curve = ramp                    // N
/// problem.rigidBodies = CoupledRigidBodies(vertebrae: [v], ligaments: bundles, facets: facets)
/// try problem.prepare()
/// ```
public struct RigidVertebra: Sendable, Equatable {
    /// A label (e.g. "L4"), used in error messages.
    public var name: String
    /// Reference point `X_ref` (mm): where the force acts and what the moment is taken about.
    public var referencePoint: SIMD3<Double>
    /// Mesh nodes tied to the body (all three displacement components).
    public var nodes: [Int]
    /// Applied force amplitude (N, global axes), acting at the current reference point.
    public var force: SIMD3<Double>
    /// Applied moment amplitude (N·mm, global axes, fixed direction).
    public var moment: SIMD3<Double>
    /// Time history of the applied force and moment (dimensionless amplitude).
    public var curve: LoadCurve
    /// When true the rotation is held at zero (three unknowns instead of six): the body translates only.
    public var lockedRotation: Bool

    /// A vertebra tied to `nodes`, unloaded unless `force`/`moment` are given.
    public init(name: String, referencePoint: SIMD3<Double>, nodes: [Int], force: SIMD3<Double> = .zero,
                moment: SIMD3<Double> = .zero, curve: LoadCurve = .constant, lockedRotation: Bool = false) {
        self.name = name; self.referencePoint = referencePoint; self.nodes = nodes
        self.force = force; self.moment = moment; self.curve = curve; self.lockedRotation = lockedRotation
    }

    /// The applied force (N) and moment (N·mm) at time `t` (s).
    public func load(at t: Double) -> RigidBodyVector {
        let s = curve.value(at: t)
        return RigidBodyVector(linear: s * force, angular: s * moment)
    }
}

/// The rigid bodies coupled to a finite-element model: vertebrae, the ligament bundles and facet
/// contacts acting on them (anchors index ``vertebrae``; the ground is the fixed lower vertebra).
public struct CoupledRigidBodies: Sendable {
    /// Vertebrae, each tied to its endplate nodes.
    public var vertebrae: [RigidVertebra]
    /// Ligament bundles (their ``LigamentBundle/state`` advances on ``BiphasicProblem/commitRigidBodies(state:timeStep:)``).
    public var ligaments: [LigamentBundle]
    /// Facet contacts (penalty; multipliers are held as given during a solve).
    public var facets: [FacetContact]

    public init(vertebrae: [RigidVertebra] = [], ligaments: [LigamentBundle] = [], facets: [FacetContact] = []) {
        self.vertebrae = vertebrae; self.ligaments = ligaments; self.facets = facets
    }

    /// True when there is nothing to couple.
    public var isEmpty: Bool { vertebrae.isEmpty }

    /// Makes every ligament bundle pull with its force at the reference strain, whatever its
    /// length (`hold` true), or with its law again (false); see ``LigamentBundle/holdsReferenceForce``.
    ///
    /// An equilibrium solved while the forces are held, followed by
    /// ``setReferenceLengths(_:)`` at that equilibrium, puts each bundle at its reference strain
    /// *in that state* — the in-situ state of the segment — and the state stays an equilibrium,
    /// because each bundle's force there is the held force. One solve, no fixed-point iteration
    /// (prestrain by an updated reference, as in Maas SA, Erdemir A, Halloran JP, Weiss JA 2016,
    /// J Mech Behav Biomed Mater 61:499–510, whose update rule iterates instead).
    public mutating func holdReferenceForces(_ hold: Bool) {
        for i in ligaments.indices { ligaments[i].holdsReferenceForce = hold }
    }

    /// Sets every ligament bundle's reference length ``LigamentBundle/referenceLength`` to its
    /// length at the vertebrae's `poses` (mm), and releases held forces: from here on each bundle
    /// is at its law's reference strain in that state.
    public mutating func setReferenceLengths(_ poses: [RigidBodyPose]) {
        for i in ligaments.indices {
            ligaments[i].referenceLength = ligaments[i].length(poses)
            ligaments[i].holdsReferenceForce = false
        }
    }

    /// Checks anchors, node indices and loads.
    /// - Throws: ``MotionSegmentError`` naming the field.
    func validate(nodeCount: Int) throws {
        let n = vertebrae.count
        func check(_ what: String, _ i: Int?) throws {
            if let i, !(0..<n).contains(i) { throw MotionSegmentError.unknownBody(what: what, index: i, bodyCount: n) }
        }
        for l in ligaments { try check("\(l.name).origin", l.origin.bodyIndex); try check("\(l.name).insertion", l.insertion.bodyIndex) }
        for f in facets { try check("\(f.name).upperBody", f.upperBody); try check("\(f.name).plane", f.plane.bodyIndex) }
        var owner = [Int: Int]()
        for (b, v) in vertebrae.enumerated() {
            guard !v.nodes.isEmpty else { throw MotionSegmentError.dimensionMismatch(what: "\(v.name).nodes", expected: 1, got: 0) }
            for node in v.nodes {
                guard (0..<nodeCount).contains(node) else {
                    throw MotionSegmentError.invalidParameter(name: "\(v.name).nodes", value: Double(node), expected: "a node index in 0..<\(nodeCount)")
                }
                if let other = owner[node], other != b {
                    throw MotionSegmentError.invalidParameter(name: "\(v.name).nodes", value: Double(node), expected: "a node not tied to vertebra \(vertebrae[other].name) as well")
                }
                owner[node] = b
            }
            for i in 0..<3 {
                for (field, x) in [("force", v.force[i]), ("moment", v.moment[i]), ("referencePoint", v.referencePoint[i])] where !x.isFinite {
                    throw MotionSegmentError.invalidParameter(name: "\(v.name).\(field)", value: x, expected: "finite components")
                }
            }
        }
    }
}

/// The spatial tangent map of the rotation vector: `δω = T(ψ) δψ` where
/// `exp([ψ + δψ]×) exp([ψ]×)ᵀ = exp([δω]×)` to first order,
/// `T(ψ) = I + ((1 − cos θ)/θ²)[ψ]× + ((θ − sin θ)/θ³)[ψ]×²`, `θ = |ψ|`
/// (Cardona & Géradin 1988, Int J Numer Methods Eng 26:2403–2438). Series below θ = 1e-4.
func rotationTangentMap(_ psi: SIMD3<Double>) -> Mat3 {
    let t2 = dot3(psi, psi), t = t2.squareRoot()
    let a: Double, b: Double
    if t < 1e-4 { a = 0.5 - t2 / 24; b = 1.0 / 6 - t2 / 120 } else {
        a = (1 - cos(t)) / t2; b = (t - sin(t)) / (t2 * t)
    }
    let w = Mat3.skew(psi)
    return Mat3.identity + a * w + b * (w * w)
}

