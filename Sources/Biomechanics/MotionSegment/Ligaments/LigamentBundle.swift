import Foundation

/// One ligament bundle: a tension-only spring from an origin to an insertion point, each on a
/// rigid body or on the ground, with its law and its history (damping rate, laxity).
///
/// The bundle pulls its two ends together with the force `F` of ``LigamentLaw`` along the
/// current line of action `n = (x_i − x_o)/L`. In a time step of length `Δt` the strain rate is
/// the backward difference `(ε − ε_n)/Δt` from the last committed strain; a static solve
/// (`timeStep == nil`) has no damping.
///
/// ```swift
/// var all = try LigamentBundle(name: "ALL 1", origin: .ground(SIMD3(0, 20, 0)),
///                              insertion: .body(0, SIMD3(0, 20, 12)), law: law)
/// let r = all.result(bodies)            // strain, force (N), ratios, laxity
/// ```
public struct LigamentBundle: Sendable, Equatable {
    /// A label (e.g. "L4-L5 flavum 3").
    public var name: String
    /// Origin (usually on the lower vertebra).
    public var origin: RigidAnchor
    /// Insertion (usually on the upper vertebra).
    public var insertion: RigidAnchor
    /// The force–strain law.
    public var law: LigamentLaw
    /// Geometric length `L₀` in the reference configuration (mm).
    public var referenceLength: Double
    /// The history: last committed strain and laxity.
    public var state: LigamentState
    /// While true the bundle pulls with the constant force its law gives at the reference strain,
    /// `F(ε_ref)` (N), whatever its length, with no damping: the force it will carry once its
    /// reference length is set at the equilibrium found this way
    /// (``CoupledRigidBodies/holdReferenceForces(_:)``, ``CoupledRigidBodies/setReferenceLengths(_:)``).
    public var holdsReferenceForce = false

    /// A bundle whose reference length is the distance between its anchors' reference points
    /// (or `referenceLength`, mm, when given).
    /// - Throws: ``MotionSegmentError/invalidParameter(name:value:expected:)`` for a length ≤ 0.
    public init(name: String, origin: RigidAnchor, insertion: RigidAnchor, law: LigamentLaw, referenceLength: Double? = nil) throws {
        let l0 = referenceLength ?? length3(insertion.referencePoint - origin.referencePoint)
        guard l0.isFinite, l0 > 0 else {
            throw MotionSegmentError.invalidParameter(name: "\(name).referenceLength", value: l0, expected: "a length > 0 mm (distinct anchor points)")
        }
        try law.validate()
        self.name = name; self.origin = origin; self.insertion = insertion; self.law = law
        self.referenceLength = l0
        state = LigamentState()
    }

    /// Slack length `L₀/(1 + ε_ref)` (mm) before laxity.
    public var slackLength: Double { referenceLength / (1 + law.referenceStrain) }

    /// The strain (dimensionless) at current length `L` (mm): `(L − L_s)/L_s − ε_lax`.
    public func strain(length l: Double) -> Double { (l - slackLength) / slackLength - state.laxity }

    /// Current length (mm).
    public func length(_ bodies: [RigidBodyPose]) -> Double { length3(insertion.position(bodies) - origin.position(bodies)) }

    /// Force (N) and its derivative with respect to the length (N/mm) at length `l`.
    func force(length l: Double, timeStep: Double?) -> (force: Double, dLength: Double) {
        if holdsReferenceForce { return (law.force(strain: law.referenceStrain, strainRate: 0).force, 0) }
        let e = strain(length: l), ls = slackLength
        let rate: Double, dRate: Double
        if let dt = timeStep { rate = (e - state.strain) / dt; dRate = 1 / dt } else { rate = 0; dRate = 0 }
        let f = law.force(strain: e, strainRate: rate)
        return (f.force, (f.dStrain + f.dRate * dRate) / ls)
    }

    /// The bundle's outputs at the bodies' poses (damping from the last committed strain if `timeStep` is given).
    public func result(_ bodies: [RigidBodyPose], timeStep: Double? = nil) -> LigamentResult {
        let l = length(bodies), e = strain(length: l)
        let f = force(length: l, timeStep: timeStep).force
        return LigamentResult(length: l, strain: e, stretchStrain: (l - slackLength) / slackLength, force: f,
                              failureRatio: law.failureForce.map { f / $0 },
                              thresholdRatio: law.damage.map { e / $0.threshold },
                              laxity: state.laxity, permanentLaxity: state.permanentLaxity)
    }

    /// Adds the bundle's forces and tangent to `asm`.
    func assemble(into asm: inout RigidAssembly, bodies: [RigidBodyPose], timeStep: Double?) -> Double {
        let xo = origin.position(bodies), xi = insertion.position(bodies)
        let d = xi - xo, l = length3(d)
        guard l > 0 else { return .nan }
        let n = d / l
        let (f, dfdl) = force(length: l, timeStep: timeStep)
        if f == 0 && dfdl == 0 { return 0 }
        // Force on the insertion −F n, on the origin +F n; S = ∂(F n)/∂x_i.
        let s = dfdl * Mat3.outer(n, n) + (f / l) * (Mat3.identity - Mat3.outer(n, n))
        let bo = origin.bodyIndex, bi = insertion.bodyIndex
        let ro = bo.map { bodies[$0].arm(of: origin.referencePoint) } ?? .zero
        let ri = bi.map { bodies[$0].arm(of: insertion.referencePoint) } ?? .zero
        asm.addPointForce(body: bi, arm: ri, force: -f * n)
        asm.addPointForce(body: bo, arm: ro, force: f * n)
        asm.addPointCoupling(bodyA: bi, armA: ri, bodyB: bi, armB: ri, -s)
        asm.addPointCoupling(bodyA: bi, armA: ri, bodyB: bo, armB: ro, s)
        asm.addPointCoupling(bodyA: bo, armA: ro, bodyB: bi, armB: ri, s)
        asm.addPointCoupling(bodyA: bo, armA: ro, bodyB: bo, armB: ro, -s)
        return f
    }

    /// Commits a converged state: stores the strain for the next step's rate and advances the
    /// damage law (``LigamentDamage``). `timeStep` (s) drives recovery; nil for a static step.
    public mutating func commit(_ bodies: [RigidBodyPose], timeStep: Double?) {
        commit(strain: strain(length: length(bodies)), timeStep: timeStep)
    }

    /// Commits a converged strain (see ``commit(_:timeStep:)``).
    public mutating func commit(strain e: Double, timeStep: Double?) {
        state.strain = e
        state.maximumStrain = max(state.maximumStrain, e)
        guard let dmg = law.damage, dmg.isActive else { return }
        let laxityBefore = state.laxity
        defer { state.strain = e - (state.laxity - laxityBefore) }   // the same length under the new laxity
        if e > dmg.threshold {
            state.excursionPeak = max(state.excursionPeak ?? e, e)
            return
        }
        if let dt = timeStep, let tau = dmg.recoveryTime { state.recoverableLaxity *= exp(-dt / tau) }
        if let peak = state.excursionPeak {
            let inc = dmg.rate * (peak - dmg.threshold)
            state.permanentLaxity += dmg.permanentFraction * inc
            state.recoverableLaxity += (1 - dmg.permanentFraction) * inc
            state.excursionPeak = nil
            state.excursions += 1
        }
    }
}

/// The history of a ligament bundle.
public struct LigamentState: Sendable, Equatable, Codable {
    /// Last committed strain (dimensionless), for the strain rate of the next step.
    public var strain: Double = 0
    /// Largest committed strain so far.
    public var maximumStrain: Double = -.infinity
    /// Permanent laxity (strain).
    public var permanentLaxity: Double = 0
    /// Recoverable laxity (strain), decaying below threshold.
    public var recoverableLaxity: Double = 0
    /// Peak strain of the excursion above threshold now under way, if any.
    public var excursionPeak: Double?
    /// Completed excursions above threshold.
    public var excursions: Int = 0

    public init() {}

    /// Total laxity (strain): permanent plus recoverable.
    public var laxity: Double { permanentLaxity + recoverableLaxity }
}

/// Outputs of one bundle at one instant.
public struct LigamentResult: Sendable, Equatable, Codable {
    /// Current length (mm).
    public var length: Double
    /// Strain that drives the force, `(L − L_s)/L_s − ε_lax` (dimensionless).
    public var strain: Double
    /// Stretch strain over the original slack length, `(L − L_s)/L_s`, laxity included.
    public var stretchStrain: Double
    /// Tensile force (N).
    public var force: Double
    /// Force over failure force, if the law gives a failure force.
    public var failureRatio: Double?
    /// Strain over the damage threshold, if the law has a damage law.
    public var thresholdRatio: Double?
    /// Accumulated laxity (strain).
    public var laxity: Double
    /// Its permanent part (strain).
    public var permanentLaxity: Double
}
