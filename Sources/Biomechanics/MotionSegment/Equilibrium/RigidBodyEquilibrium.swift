import Foundation
import SparseLinearAlgebra

/// Static (or quasi-static, with damping) equilibrium of rigid bodies joined by ligament bundles,
/// facet contacts and linear bushings, under forces and moments applied to the bodies.
///
/// Newton's method on the bodies' six unknowns each, with the consistent tangent of every
/// component along the spin update of ``RigidBodyPose`` (non-symmetric; solved by LU, `dgesv`),
/// a backtracking line search on the residual norm, and — when ``Options/penetrationTolerance``
/// is set — augmented-Lagrangian updates of the facet multipliers until every penetration is
/// within it and no pressure acts across a gap wider than it (multipliers carry over from one
/// solve to the next as a warm start). Anything not a body (the lower vertebra of a motion segment) is the ground.
///
/// ```swift
/// var eq = try RigidBodyEquilibrium(bodies: [upper], ligaments: bundles, facets: facets,
///                                   bushings: [disc])
/// eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, 200))        // 200 N traction
/// let report = try eq.solve()
/// report.ligaments.map(\.force)                                  // N
/// ```
public struct RigidBodyEquilibrium: Sendable {
    /// Solver settings.
    public struct Options: Sendable, Equatable {
        /// Maximum Newton iterations per solve.
        public var maximumIterations: Int
        /// Converged when every force entry of the residual is below `relativeTolerance · F` and
        /// every moment entry below `relativeTolerance · M`, with `F` the largest applied or
        /// internal force (N, at least 1) and `M` the larger of the largest applied moment and
        /// `F · 10 mm` (N·mm).
        public var relativeTolerance: Double
        /// Largest facet penetration accepted (mm); nil: pure penalty, no augmentation.
        public var penetrationTolerance: Double?
        /// Maximum augmented-Lagrangian updates per solve.
        public var maximumAugmentations: Int

        public init(maximumIterations: Int = 50, relativeTolerance: Double = 1e-11,
                    penetrationTolerance: Double? = nil, maximumAugmentations: Int = 50) {
            self.maximumIterations = maximumIterations; self.relativeTolerance = relativeTolerance
            self.penetrationTolerance = penetrationTolerance; self.maximumAugmentations = maximumAugmentations
        }
    }

    /// Poses of the free bodies.
    public var bodies: [RigidBodyPose]
    /// Applied force (N) and moment (N·mm) on each body, at its current reference point, global axes.
    public var loads: [RigidBodyVector]
    /// Ligament bundles.
    public var ligaments: [LigamentBundle]
    /// Facet contacts.
    public var facets: [FacetContact]
    /// Linear bushings (a disc stand-in).
    public var bushings: [LinearBushing]
    /// Solver settings.
    public var options: Options
    /// Residual norms of the last solve (scratch for the report).
    private var history: [Double] = []

    /// - Throws: ``MotionSegmentError/unknownBody(what:index:bodyCount:)`` for an anchor on a
    ///   body that does not exist.
    public init(bodies: [RigidBodyPose], ligaments: [LigamentBundle] = [], facets: [FacetContact] = [],
                bushings: [LinearBushing] = [], options: Options = Options()) throws {
        self.bodies = bodies; self.ligaments = ligaments; self.facets = facets; self.bushings = bushings
        self.options = options
        loads = [RigidBodyVector](repeating: .zero, count: bodies.count)
        try validate()
    }

    /// Checks that every anchor names an existing body, that there is one load per body and that
    /// the options are admissible (also done by ``solve(timeStep:commit:)``, since every property
    /// can be edited).
    /// - Throws: ``MotionSegmentError``.
    public func validate() throws {
        let n = bodies.count
        func check(_ what: String, _ i: Int?) throws {
            if let i, !(0..<n).contains(i) { throw MotionSegmentError.unknownBody(what: what, index: i, bodyCount: n) }
        }
        for l in ligaments { try check("\(l.name).origin", l.origin.bodyIndex); try check("\(l.name).insertion", l.insertion.bodyIndex) }
        for f in facets { try check("\(f.name).upperBody", f.upperBody); try check("\(f.name).plane", f.plane.bodyIndex) }
        for b in bushings { try check("bushing", b.body) }
        guard loads.count == n else { throw MotionSegmentError.dimensionMismatch(what: "loads", expected: n, got: loads.count) }
        for load in loads {
            for i in 0..<6 where !load[i].isFinite { throw MotionSegmentError.invalidParameter(name: "loads", value: load[i], expected: "finite forces and moments") }
        }
        guard options.maximumIterations >= 1 else {
            throw MotionSegmentError.invalidParameter(name: "options.maximumIterations", value: Double(options.maximumIterations), expected: "at least 1")
        }
        guard options.relativeTolerance.isFinite, options.relativeTolerance > 0 else {
            throw MotionSegmentError.invalidParameter(name: "options.relativeTolerance", value: options.relativeTolerance, expected: "a tolerance > 0")
        }
        if let t = options.penetrationTolerance, !(t.isFinite && t > 0) {
            throw MotionSegmentError.invalidParameter(name: "options.penetrationTolerance", value: t, expected: "a length > 0 mm")
        }
    }

    /// Residual (net generalized force per body, length 6n) and tangent `K = −∂residual/∂q` at the
    /// current poses, and the name and force (N) of the largest contributor.
    package func assemble(timeStep: Double?) throws -> (RigidAssembly, culprit: String, scale: Double) {
        var asm = RigidAssembly(bodyCount: bodies.count)
        var culprit = "applied load", largest = 0.0
        for (b, load) in loads.enumerated() {
            asm.addLoad(body: b, load)
            let m = max(length3(load.linear), length3(load.angular) / 100)
            if m > largest { largest = m; culprit = "applied load on body \(b)" }
        }
        func track(_ f: Double, _ name: String) throws {
            guard f.isFinite else { throw MotionSegmentError.nonFinite(culprit: name) }
            if f > largest { largest = f; culprit = name }
        }
        for l in ligaments { try track(l.assemble(into: &asm, bodies: bodies, timeStep: timeStep), "ligament \(l.name)") }
        for f in facets { try track(f.assemble(into: &asm, bodies: bodies), "facet \(f.name)") }
        for (i, b) in bushings.enumerated() { try track(b.assemble(into: &asm, bodies: bodies), "bushing \(i)") }
        for v in asm.residual where !v.isFinite { throw MotionSegmentError.nonFinite(culprit: culprit) }
        for v in asm.stiffness.values where !v.isFinite { throw MotionSegmentError.nonFinite(culprit: culprit) }
        var scale = max(1, largest)
        for load in loads { scale = max(scale, length3(load.linear)) }
        return (asm, culprit, scale)
    }

    /// The residual (N, N·mm) at the current poses, body-major in ``RigidBodyVector`` order.
    public func residual(timeStep: Double? = nil) throws -> [Double] { try assemble(timeStep: timeStep).0.residual }

    /// The tangent `K = −∂residual/∂q` (6n × 6n) at the current poses.
    public func tangent(timeStep: Double? = nil) throws -> DenseMatrix { try assemble(timeStep: timeStep).0.stiffness }

    /// Solves for equilibrium from the current poses, then commits the ligaments' history.
    ///
    /// - Parameter timeStep: step length (s) for the ligaments' damping and recovery; nil for a
    ///   static solve.
    /// - Throws: ``MotionSegmentError/notConverged(iterations:residual:culprit:)`` naming the
    ///   largest contributor, ``MotionSegmentError/nonFinite(culprit:)``,
    ///   ``MotionSegmentError/singularTangent(column:)``. The poses are left unchanged on failure.
    @discardableResult
    public mutating func solve(timeStep: Double? = nil, commit: Bool = true) throws -> EquilibriumReport {
        try validate()
        if let t = timeStep, !(t.isFinite && t > 0) {
            throw MotionSegmentError.invalidParameter(name: "timeStep", value: t, expected: "a step > 0 s (nil for a static solve)")
        }
        let start = bodies, startFacets = facets
        do {
            var iterations = 0, augmentations = 0
            history = []
            var residualNorm = try newton(timeStep: timeStep, iterations: &iterations)
            if let tol = options.penetrationTolerance, !facets.isEmpty {
                while let worst = facets.first(where: { $0.needsAugmentation(bodies, tolerance: tol) }) {
                    guard augmentations < options.maximumAugmentations else {
                        throw MotionSegmentError.notConverged(iterations: iterations, residual: residualNorm, culprit: "facet \(worst.name): penetration above \(tol) mm or pressure across an open gap after \(augmentations) augmentations")
                    }
                    for i in facets.indices { facets[i].augment(bodies) }
                    augmentations += 1
                    residualNorm = try newton(timeStep: timeStep, iterations: &iterations)
                }
            }
            let report = EquilibriumReport(bodies: bodies, iterations: iterations, augmentations: augmentations, residualNorm: residualNorm,
                                           residualHistory: history,
                                           ligaments: ligaments.map { $0.result(bodies, timeStep: timeStep) },
                                           facets: facets.map { $0.result(bodies) })
            if commit { for i in ligaments.indices { ligaments[i].commit(bodies, timeStep: timeStep) } }
            return report
        } catch {
            bodies = start; facets = startFacets
            throw error
        }
    }

    private mutating func newton(timeStep: Double?, iterations: inout Int) throws -> Double {
        func norm(_ r: [Double]) -> Double { r.reduce(0) { max($0, abs($1)) } }
        let appliedMoment = loads.reduce(0.0) { max($0, length3($1.angular)) }
        func converged(_ r: [Double], _ scale: Double) -> Bool {
            let momentScale = max(appliedMoment, 10 * scale)
            for (i, v) in r.enumerated() where abs(v) > options.relativeTolerance * (i % 6 < 3 ? scale : momentScale) { return false }
            return true
        }
        var (asm, culprit, scale) = try assemble(timeStep: timeStep)
        var rn = norm(asm.residual)
        history.append(rn)
        var local = 0
        while !converged(asm.residual, scale) {
            guard local < options.maximumIterations else {
                throw MotionSegmentError.notConverged(iterations: iterations, residual: rn, culprit: culprit)
            }
            let dq: [Double]
            do { dq = try asm.stiffness.solve(asm.residual) } catch let LinearAlgebraError.singular(column) {
                throw MotionSegmentError.singularTangent(column: column)
            }
            let base = bodies
            var alpha = 1.0, accepted = false
            for _ in 0..<12 {
                bodies = base
                for b in bodies.indices {
                    bodies[b].apply(RigidBodyVector(linear: alpha * SIMD3(dq[6 * b], dq[6 * b + 1], dq[6 * b + 2]),
                                                    angular: alpha * SIMD3(dq[6 * b + 3], dq[6 * b + 4], dq[6 * b + 5])))
                }
                if let trial = try? assemble(timeStep: timeStep) {
                    let tn = norm(trial.0.residual)
                    if tn < rn || alpha < 1e-3 { (asm, culprit, scale) = trial; rn = tn; accepted = true; history.append(rn); break }
                }
                alpha *= 0.5
            }
            guard accepted else { throw MotionSegmentError.notConverged(iterations: iterations, residual: rn, culprit: culprit) }
            iterations += 1; local += 1
            let step = dq.reduce(0) { max($0, abs($1)) } * alpha
            if step < 1e-15 * (1 + bodies.reduce(0) { max($0, length3($1.translation)) }) && rn < 1e-6 * max(scale, appliedMoment) { break }
        }
        return rn
    }
}

/// What one equilibrium solve found.
public struct EquilibriumReport: Sendable, Equatable {
    /// Poses at equilibrium.
    public var bodies: [RigidBodyPose]
    /// Newton iterations (all augmentations together).
    public var iterations: Int
    /// Augmented-Lagrangian updates of the facet multipliers.
    public var augmentations: Int
    /// Largest residual entry at convergence (N or N·mm).
    public var residualNorm: Double
    /// Largest residual entry (N or N·mm) at the start and after every Newton iteration, all
    /// augmentations in sequence.
    public var residualHistory: [Double]
    /// Per ligament bundle, in the order of ``RigidBodyEquilibrium/ligaments``.
    public var ligaments: [LigamentResult]
    /// Per facet, in the order of ``RigidBodyEquilibrium/facets``.
    public var facets: [FacetContactResult]
}
