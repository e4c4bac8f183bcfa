import FiniteElements
import SparseLinearAlgebra

/// What the rigid vertebrae of a ``BiphasicProblem`` carry at one state.
///
/// Every generalized force is a force (N) and a moment (N·mm) about the vertebra's *current*
/// reference point, global axes. At equilibrium, per vertebra,
/// `applied + disc + ligaments + facets = 0`.
public struct RigidBodyCouplingResult: Sendable, Equatable {
    /// Poses of the vertebrae (translation mm, rotation).
    public var poses: [RigidBodyPose]
    /// Applied load on each vertebra.
    public var applied: [RigidBodyVector]
    /// What the finite elements (the disc) exert on each vertebra through its tied nodes.
    public var disc: [RigidBodyVector]
    /// What all ligament bundles together exert on each vertebra.
    public var ligamentLoads: [RigidBodyVector]
    /// What all facet contacts together exert on each vertebra.
    public var facetLoads: [RigidBodyVector]
    /// Per bundle, in the order of ``CoupledRigidBodies/ligaments``.
    public var ligaments: [LigamentResult]
    /// Per facet, in the order of ``CoupledRigidBodies/facets``.
    public var facets: [FacetContactResult]
}

extension BiphasicProblem {
    /// Poses of ``rigidBodies``' vertebrae for unknowns `x` (empty without vertebrae or before ``prepare()``).
    public func rigidBodyPoses(state x: [Double]) -> [RigidBodyPose] { rigidCoupling?.poses(x) ?? [] }

    /// Index of vertebra `b`'s unknown `k` (0–2 translation mm, 3–5 rotation vector rad) in the
    /// unknowns, nil when locked or without vertebrae.
    public func rigidBodyUnknown(body b: Int, component k: Int) -> Int? {
        guard let rc = rigidCoupling, rc.bodyDofs.indices.contains(b), (0..<6).contains(k) else { return nil }
        let i = rc.bodyDofs[b][k]
        return i >= 0 ? i : nil
    }

    /// The vertebrae's loads, poses and ligament/facet outputs at the end of a step of length
    /// `timeStep` (s; for the ligaments' damping, nil for none) ending at `time` with state `x`
    /// from `previous`.
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` when there are no
    ///   vertebrae or ``prepare()`` has not run; the kernels' errors.
    public func rigidBodyResult(state x: [Double], previous: [Double], time: Double, timeStep: Double?) throws -> RigidBodyCouplingResult {
        guard let rc = rigidCoupling else {
            throw BiphasicError.invalidParameter(name: "rigidBodies.vertebrae", value: 0, expected: "at least one vertebra, and prepare() called")
        }
        let poses = rc.poses(x)
        let nb = poses.count
        let full = try fullResidual(state: x, previous: previous, time: time, timeStep: timeStep ?? 1)
        var disc = [RigidBodyVector](repeating: .zero, count: nb)
        for (b, v) in rigidBodies.vertebrae.enumerated() {
            for node in v.nodes {
                let f = -SIMD3((0..<3).map { full[displacementDof(node: node, component: $0)] })
                disc[b].linear += f
                disc[b].angular += cross3(poses[b].arm(of: mesh.nodes[node]), f)
            }
        }
        func vectors(_ asm: RigidAssembly) -> [RigidBodyVector] {
            (0..<nb).map { b in RigidBodyVector(linear: SIMD3(asm.residual[6 * b], asm.residual[6 * b + 1], asm.residual[6 * b + 2]),
                                                angular: SIMD3(asm.residual[6 * b + 3], asm.residual[6 * b + 4], asm.residual[6 * b + 5])) }
        }
        let ligamentsOnly = CoupledRigidBodies(vertebrae: rigidBodies.vertebrae, ligaments: rigidBodies.ligaments)
        let facetsOnly = CoupledRigidBodies(vertebrae: rigidBodies.vertebrae, facets: rigidBodies.facets)
        let lig = try RigidBodyCondensation.bodyForces(ligamentsOnly, poses: poses, time: time, timeStep: timeStep, loadsOn: false)
        let fac = try RigidBodyCondensation.bodyForces(facetsOnly, poses: poses, time: time, timeStep: timeStep, loadsOn: false)
        let applied = rigidBodies.vertebrae.map { freeSwelling ? .zero : $0.load(at: time) }
        return RigidBodyCouplingResult(poses: poses, applied: applied, disc: disc, ligamentLoads: vectors(lig), facetLoads: vectors(fac),
                                       ligaments: rigidBodies.ligaments.map { $0.result(poses, timeStep: timeStep) },
                                       facets: rigidBodies.facets.map { $0.result(poses) })
    }

    /// Sets every ligament bundle's reference length at the vertebrae's poses for unknowns `x`
    /// (``CoupledRigidBodies/setReferenceLengths(_:)``): the bundles are at their reference
    /// strains in state `x`. Nothing to do without vertebrae or before ``prepare()``.
    public func setLigamentReferenceLengths(state x: [Double]) {
        guard let rc = rigidCoupling else { return }
        rigidBodies.setReferenceLengths(rc.poses(x))
    }

    /// Advances the ligaments' history to the accepted state `x`: the strain the next step's
    /// damping rate starts from, and the sub-failure damage law (``LigamentBundle/commit(_:timeStep:)``).
    /// Call it once after every accepted step (the observer of ``AdaptiveTimeStepper/run(_:from:to:state:mustPoints:observer:)``),
    /// with that step's length `timeStep` (s). Nothing to do without vertebrae.
    public func commitRigidBodies(state x: [Double], timeStep: Double?) {
        guard let rc = rigidCoupling else { return }
        let poses = rc.poses(x)
        for i in rigidBodies.ligaments.indices { rigidBodies.ligaments[i].commit(poses, timeStep: timeStep) }
    }
}
