import Testing
import Foundation
import SparseLinearAlgebra
@testable import Biomechanics

/// Deterministic pseudo-random numbers (a 64-bit LCG) for reproducible test states.
private struct LCG {
    var s: UInt64
    mutating func next() -> Double {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Double(s >> 11) / Double(1 << 53) * 2 - 1      // in [−1, 1)
    }
    mutating func vector(_ scale: Double) -> SIMD3<Double> { SIMD3(next(), next(), next()) * scale }
}

private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
private func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
private func norm(_ a: SIMD3<Double>) -> Double { dot(a, a).squareRoot() }

@Suite("Rigid body kinematics")
struct RigidBodyKinematicsTests {
    /// Rotation of v by the unit quaternion of the rotation vector ψ: v' = q v q*.
    func quaternionRotate(_ psi: SIMD3<Double>, _ v: SIMD3<Double>) -> SIMD3<Double> {
        let t = norm(psi), a = t > 0 ? psi / t : SIMD3(1, 0, 0)
        let w = cos(t / 2), q = a * sin(t / 2)
        let tt = 2 * cross(q, v)
        return v + w * tt + cross(q, tt)
    }

    @Test func pointMapMatchesRodriguesAndQuaternions() {
        var rng = LCG(s: 7)
        var worst = 0.0
        for k in 0..<200 {
            let psi = rng.vector(k < 100 ? 3.0 : 1e-3)
            let xref = rng.vector(20), c = rng.vector(5), x = rng.vector(30)
            let pose = RigidBodyPose(referencePoint: xref, translation: c, rotation: Rotation(rotationVector: psi))
            // Rodrigues' rotation formula in vector form.
            let t = norm(psi), a = psi / t, v = x - xref
            let rod = v * cos(t) + cross(a, v) * sin(t) + a * dot(a, v) * (1 - cos(t))
            let expected = xref + c + rod
            worst = max(worst, norm(pose.position(of: x) - expected) / max(1, norm(expected)))
            worst = max(worst, norm(pose.position(of: x) - (xref + c + quaternionRotate(psi, v))) / max(1, norm(expected)))
            // u = c + (R − I)(X − X_ref)
            worst = max(worst, norm(pose.displacement(of: x) - (c + rod - v)) / max(1, norm(expected)))
        }
        #expect(worst < 1e-14)
    }

    @Test(arguments: [1e-9, 1e-5, 0.3, 2.0, 3.0, Double.pi - 1e-5, Double.pi - 1e-9])
    func logarithmInvertsExponential(angle: Double) {
        var rng = LCG(s: 11)
        for _ in 0..<20 {
            var axis = rng.vector(1); axis /= norm(axis)
            let psi = axis * angle
            let back = Rotation(rotationVector: psi).rotationVector
            #expect(norm(back - psi) <= 1e-9 * max(angle, 1e-6) + 2e-12, "ψ = \(psi), log = \(back)")
        }
    }

    /// J⁻¹(ψ) against central differences of log(exp(hδ) exp(ψ)).
    @Test func inverseLeftJacobianMatchesFiniteDifferences() {
        var rng = LCG(s: 3)
        var worst = 0.0
        for _ in 0..<20 {
            let psi = rng.vector(1.5), j = Rotation.inverseLeftJacobian(psi), h = 1e-6
            for k in 0..<3 {
                var e = SIMD3<Double>.zero; e[k] = h
                let plus = (Rotation(rotationVector: e) * Rotation(rotationVector: psi)).rotationVector
                let minus = (Rotation(rotationVector: -e) * Rotation(rotationVector: psi)).rotationVector
                let fd = (plus - minus) / (2 * h)
                for i in 0..<3 { worst = max(worst, abs(fd[i] - j[i, k])) }
            }
        }
        #expect(worst < 1e-8)
    }

    /// ∂²(f·x)/∂ω∂ω at ω = 0 against second central differences.
    @Test func secondVariationMatchesFiniteDifferences() {
        var rng = LCG(s: 5)
        let pose = RigidBodyPose(referencePoint: rng.vector(5), translation: rng.vector(2), rotation: Rotation(rotationVector: rng.vector(1)))
        let x = rng.vector(20), f = rng.vector(50)
        let h2 = pose.secondVariation(of: x, contractedWith: f)
        let h = 1e-4
        func phi(_ w: SIMD3<Double>) -> Double { dot(f, pose.applying(RigidBodyVector(angular: w)).position(of: x)) }
        var worst = 0.0, scale = 0.0
        for k in 0..<3 {
            for l in 0..<3 {
                var ek = SIMD3<Double>.zero, el = SIMD3<Double>.zero; ek[k] = h; el[l] = h
                let fd = (phi(ek + el) - phi(ek - el) - phi(-ek + el) + phi(-ek - el)) / (4 * h * h)
                worst = max(worst, abs(fd - h2[k, l])); scale = max(scale, abs(h2[k, l]))
            }
        }
        #expect(worst < 1e-6 * scale)
        // The point Jacobian's rotation columns are −[r]×: δx = δω × r.
        let t = pose.pointJacobian(of: x), r = pose.arm(of: x)
        let w = SIMD3(0.3, -0.2, 0.5), expected = cross(w, r)
        for i in 0..<3 { #expect(abs(t[i, 3] * w.x + t[i, 4] * w.y + t[i, 5] * w.z - expected[i]) < 1e-12 * norm(r)) }
    }
}

@Suite("Ligament bundle law")
struct LigamentLawTests {
    @Test func toeLinearLawByHand() throws {
        // Remus et al. 2021 L4-5 ALL: k = 485 N per unit strain, ε_t = 0.08.
        let law = try LigamentLaw(stiffness: 485, curve: .toeLinear(transitionStrain: 0.08))
        #expect(law.elasticForce(strain: -0.01).force == 0)
        #expect(law.elasticForce(strain: 0).force == 0)
        #expect(abs(law.elasticForce(strain: 0.04).force - 485 * 0.04 * 0.04 / (2 * 0.08)) < 1e-12)   // 4.85 N
        #expect(abs(law.elasticForce(strain: 0.04).force - 4.85) < 1e-12)
        #expect(abs(law.elasticForce(strain: 0.10).force - 485 * (0.10 - 0.04)) < 1e-12)             // 29.1 N
        // Blankevoort form with ε_l = ε_t/2: f = kε²/(4ε_l) ≤ 2ε_l, f = k(ε − ε_l) beyond; continuous at ε_t.
        let below = law.elasticForce(strain: 0.08 - 1e-12), above = law.elasticForce(strain: 0.08)
        #expect(abs(below.force - above.force) < 1e-9)
        #expect(abs(below.slope - above.slope) < 1e-7)
    }

    @Test func bilinearLawByHand() throws {
        // BMC Musculoskelet Disord 2010;11:151 ALL: E 7.8 / 20 MPa, ε_t 12 %, A 53 mm².
        let law = try LigamentLaw(stiffness: 7.8 * 53, curve: .bilinear(transitionStrain: 0.12, largeStrainStiffness: 20 * 53))
        #expect(abs(law.elasticForce(strain: 0.05).force - 7.8 * 53 * 0.05) < 1e-12)
        #expect(abs(law.elasticForce(strain: 0.20).force - (7.8 * 53 * 0.12 + 20 * 53 * 0.08)) < 1e-12)
        #expect(law.elasticForce(strain: -0.2).force == 0)
    }

    func axialBundle(referenceStrain: Double, damping: Double = 0, damage: LigamentDamage? = nil) throws -> LigamentBundle {
        let law = try LigamentLaw(stiffness: 100, curve: .toeLinear(transitionStrain: 0.1), referenceStrain: referenceStrain,
                                  damping: damping, damage: damage)
        return try LigamentBundle(name: "test", origin: .ground(.zero), insertion: .body(0, SIMD3(0, 0, 10)), law: law)
    }

    func pose(_ dz: Double) -> [RigidBodyPose] { [RigidBodyPose(referencePoint: SIMD3(0, 0, 10), translation: SIMD3(0, 0, dz))] }

    @Test func prestrainAndSlack() throws {
        let pre = try axialBundle(referenceStrain: 0.05)
        #expect(abs(pre.slackLength - 10 / 1.05) < 1e-14)
        #expect(abs(pre.result(pose(0)).strain - 0.05) < 1e-14)
        #expect(abs(pre.result(pose(0)).force - 100 * 0.05 * 0.05 / 0.2) < 1e-12)
        let slack = try axialBundle(referenceStrain: -0.1)
        #expect(slack.result(pose(0)).force == 0)                        // slack at the reference length
        #expect(slack.result(pose(1.0)).force == 0)                      // 11 mm < L_s = 11.11 mm
        #expect(abs(slack.result(pose(2.0)).strain - (12 * 0.9 / 10 - 1)) < 1e-14)   // ε = 0.08
        #expect(abs(slack.result(pose(2.0)).force - 100 * 0.08 * 0.08 / 0.2) < 1e-12)
        // Remus' rest-length strain −0.03 means ≈ 3.09 % prestrain.
        #expect(abs(LigamentLaw.referenceStrain(fromRestLengthStrain: -0.03) - (1 / 0.97 - 1)) < 1e-15)
        #expect(throws: MotionSegmentError.self) { try LigamentLaw(stiffness: -1, curve: .toeLinear(transitionStrain: 0.1)) }
        #expect(throws: MotionSegmentError.self) {
            try LigamentLaw(stiffness: 1, curve: .toeLinear(transitionStrain: 0.1), failureStrain: 0.2, damage: LigamentDamage(threshold: 0.3, rate: 0.1))
        }
    }

    @Test func dampingForceIsCTimesStrainRateInTensionOnly() throws {
        var b = try axialBundle(referenceStrain: 0, damping: 2.5)
        b.commit(strain: 0.12, timeStep: 0.1)                 // previous strain 0.12
        let dt = 0.01
        let e = 0.13                                          // at L = 11.3 mm
        let elastic = 100 * (e - 0.05)
        let r = b.result(pose(1.3), timeStep: dt)
        #expect(abs(r.strain - e) < 1e-14)
        #expect(abs(r.force - (elastic + 2.5 * (e - 0.12) / dt)) < 1e-9)
        // Fast shortening: elastic + c·ε̇ < 0 gives zero, never compression.
        b.commit(strain: 0.5, timeStep: dt)
        #expect(b.result(pose(1.3), timeStep: dt).force == 0)
        // In compression the dashpot does nothing either.
        b.commit(strain: -0.1, timeStep: dt)
        #expect(b.result(pose(-0.5), timeStep: dt).force == 0)
    }

    /// Strain-controlled cycles 0 → ε_T → 0: Δε_lax,n = r (ε_T − ε_lax,n−1 − ε_d), so
    /// ε_lax,N = (ε_T − ε_d)(1 − (1 − r)^N) for a fully permanent law.
    @Test func laxityAfterIdenticalCyclesMatchesTheLawIntegratedByHand() throws {
        let threshold = 0.06, rate = 0.05, peakStretch = 0.15
        var b = try axialBundle(referenceStrain: 0, damage: LigamentDamage(threshold: threshold, rate: rate))
        for _ in 0..<10 {
            for s in [0.05, 0.10, peakStretch, 0.10, 0.0] { b.commit(stretch: s) }
        }
        let expected = (peakStretch - threshold) * (1 - pow(1 - rate, 10))
        #expect(abs(b.state.laxity - expected) < 1e-14)
        #expect(b.state.excursions == 10)
        // Recoverable part: 40 % permanent, τ = 600 s; 30 min rest below threshold after one cycle.
        var c = try axialBundle(referenceStrain: 0, damage: LigamentDamage(threshold: threshold, rate: rate, permanentFraction: 0.4, recoveryTime: 600))
        for s in [0.10, peakStretch, 0.0] { c.commit(stretch: s, timeStep: 1) }
        let inc = rate * (peakStretch - threshold)
        #expect(abs(c.state.permanentLaxity - 0.4 * inc) < 1e-15)
        #expect(abs(c.state.recoverableLaxity - 0.6 * inc) < 1e-15)
        for _ in 0..<180 { c.commit(stretch: 0.0, timeStep: 10) }
        #expect(abs(c.state.recoverableLaxity - 0.6 * inc * exp(-1800.0 / 600)) < 1e-15)
        #expect(abs(c.state.permanentLaxity - 0.4 * inc) < 1e-15)
    }
}

private extension LigamentBundle {
    /// Commits the state at the stretch strain `s` over the original slack length.
    mutating func commit(stretch s: Double, timeStep: Double? = nil) {
        commit(strain: s - state.laxity, timeStep: timeStep)
    }
}

@Suite("Rigid-body tangents against finite differences")
struct RigidTangentTests {
    /// Central differences of the residual along each increment direction, against K = −∂R/∂q.
    func check(_ eq: RigidBodyEquilibrium, timeStep: Double?, h: Double = 1e-6) throws -> Double {
        let k = try eq.tangent(timeStep: timeStep)
        let n = 6 * eq.bodies.count
        var worst = 0.0, scale = 0.0
        for v in k.values { scale = max(scale, abs(v)) }
        for j in 0..<n {
            var plus = eq, minus = eq
            let b = j / 6
            var inc = RigidBodyVector.zero; inc[j % 6] = h
            plus.bodies[b].apply(inc)
            inc[j % 6] = -h
            minus.bodies[b].apply(inc)
            let rp = try plus.residual(timeStep: timeStep), rm = try minus.residual(timeStep: timeStep)
            for i in 0..<n { worst = max(worst, abs(-(rp[i] - rm[i]) / (2 * h) - k[i, j])) }
        }
        return worst / scale
    }

    func system(lowerMoves: Bool) throws -> RigidBodyEquilibrium {
        var rng = LCG(s: 42)
        let upper = RigidBodyPose(referencePoint: SIMD3(0, 0, 40), translation: rng.vector(0.3), rotation: Rotation(rotationVector: rng.vector(0.03)))
        let lower = RigidBodyPose(referencePoint: SIMD3(0, 0, 0), translation: rng.vector(0.2), rotation: Rotation(rotationVector: rng.vector(0.02)))
        let lowerAnchor: (SIMD3<Double>) -> RigidAnchor = { lowerMoves ? .body(1, $0) : .ground($0) }
        var ligaments: [LigamentBundle] = []
        let laws = [try LigamentLaw(stiffness: 485, curve: .toeLinear(transitionStrain: 0.08), referenceStrain: 0.05, damping: 1.5),
                    try LigamentLaw(stiffness: 400, curve: .bilinear(transitionStrain: 0.12, largeStrainStiffness: 1000), referenceStrain: 0.15)]
        for i in 0..<6 {
            let a = Double(i) * 1.1
            let o = SIMD3(20 * cos(a), 15 * sin(a), 2), ins = SIMD3(18 * cos(a + 0.2), 14 * sin(a + 0.2), 38)
            var l = try LigamentBundle(name: "b\(i)", origin: lowerAnchor(o), insertion: .body(0, ins), law: laws[i % 2])
            l.state.strain = 0.02
            ligaments.append(l)
        }
        // Upper facet points near the lower plane z = 20 (normal +z), penetrating.
        var pts: [SIMD3<Double>] = []
        for i in 0..<3 { for j in 0..<3 { pts.append(SIMD3(-5 + 3 * Double(i), -30 + 2 * Double(j), 20.0)) } }
        var facet = try FacetContact(name: "f", upperBody: 0, points: pts, areas: [Double](repeating: 2, count: 9),
                                     upperNormal: SIMD3(0, 0.1, -1), plane: lowerAnchor(SIMD3(-4, -29, 21.5)),
                                     planeNormal: SIMD3(0.05, 0.02, 1), penalty: 50)
        facet.multipliers = (0..<9).map { Double($0) * 0.1 }
        var bushing = DenseMatrix(rows: 6, columns: 6)
        for i in 0..<6 { for j in 0..<6 { bushing[i, j] = (i == j ? 1000 : 0) + 37 * rng.next() } }
        let bodies = lowerMoves ? [upper, lower] : [upper]
        var eq = try RigidBodyEquilibrium(bodies: bodies, ligaments: ligaments, facets: [facet],
                                          bushings: [try LinearBushing(body: 0, stiffness: bushing)])
        eq.loads[0] = RigidBodyVector(linear: SIMD3(10, -20, 150), angular: SIMD3(2000, -500, 300))
        return eq
    }

    @Test(arguments: [false, true])
    func tangentMatchesCentralDifferences(lowerMoves: Bool) throws {
        let eq = try system(lowerMoves: lowerMoves)
        let active = eq.facets[0].pressures(eq.bodies).filter { $0 > 0 }.count
        #expect(active >= 3)                                           // the contact terms are exercised
        #expect(eq.ligaments.map { $0.result(eq.bodies).force }.filter { $0 > 0 }.count >= 4)
        #expect(try check(eq, timeStep: nil) <= 1e-6)
        #expect(try check(eq, timeStep: 0.05) <= 1e-6)
    }

    /// Endplate nodes tied to a body, each held by an anisotropic spring to its reference position:
    /// condensed residual and tangent against central differences of Σ Tᵀ g.
    @Test func nodeCouplingCondensesResidualAndTangent() throws {
        var rng = LCG(s: 9)
        let nodes = (0..<8).map { _ in rng.vector(20) + SIMD3(0, 0, 40) }
        let springs: [DenseMatrix] = nodes.map { _ in
            var m = DenseMatrix(rows: 3, columns: 3)
            for i in 0..<3 { for j in 0..<3 { m[i, j] = (i == j ? 50 : 0) + 5 * rng.next() } }
            return m
        }
        let coupling = NodeCoupling(nodes: nodes)
        func forces(_ p: RigidBodyPose) -> [SIMD3<Double>] {
            zip(coupling.displacements(p), springs).map { u, k in
                -SIMD3((0..<3).map { i in (0..<3).reduce(0.0) { $0 + k[i, $1] * u[$1] } })
            }
        }
        var kn = DenseMatrix(rows: 24, columns: 24)
        for a in 0..<8 { for i in 0..<3 { for j in 0..<3 { kn[3 * a + i, 3 * a + j] = springs[a][i, j] } } }
        let pose = RigidBodyPose(referencePoint: SIMD3(0, 0, 40), translation: rng.vector(2), rotation: Rotation(rotationVector: rng.vector(0.3)))
        let k = try coupling.condensedStiffness(pose, forces: forces(pose), nodalStiffness: kn)
        let h = 1e-6
        var worst = 0.0, scale = 0.0
        for v in k.values { scale = max(scale, abs(v)) }
        for j in 0..<6 {
            var inc = RigidBodyVector.zero; inc[j] = h
            let pp = pose.applying(inc); inc[j] = -h
            let pm = pose.applying(inc)
            let rp = try coupling.generalizedForce(pp, forces: forces(pp)), rm = try coupling.generalizedForce(pm, forces: forces(pm))
            for i in 0..<6 { worst = max(worst, abs(-(rp[i] - rm[i]) / (2 * h) - k[i, j])) }
        }
        #expect(worst <= 1e-6 * scale)
        // The same tangent from the public per-node pieces: Σ Tᵀ K T + Σ geometricStiffness.
        var byHand = DenseMatrix(rows: 6, columns: 6)
        let fs = forces(pose)
        for a in 0..<8 {
            let t = pose.pointJacobian(of: nodes[a])
            for i in 0..<6 { for j in 0..<6 {
                var s = 0.0
                for p in 0..<3 { for q in 0..<3 { s += t[p, i] * springs[a][p, q] * t[q, j] } }
                byHand[i, j] += s
            } }
            let g = pose.geometricStiffness(of: nodes[a], force: fs[a])
            for i in 0..<3 { for j in 0..<3 { byHand[3 + i, 3 + j] += g[i, j] } }
        }
        #expect(zip(byHand.values, k.values).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        // Residual: the generalized force equals Σ f and Σ r × f computed by hand.
        let g = try coupling.generalizedForce(pose, forces: forces(pose))
        var f = SIMD3<Double>.zero, m = SIMD3<Double>.zero
        for (x, fa) in zip(nodes, forces(pose)) { f += fa; m += cross(pose.position(of: x) - pose.center, fa) }
        #expect(norm(g.linear - f) < 1e-12 * norm(f) && norm(g.angular - m) < 1e-12 * norm(m))
        #expect(throws: MotionSegmentError.self) { try coupling.generalizedForce(pose, forces: []) }
    }
}

@Suite("Facet contact and rigid-body equilibrium")
struct RigidEquilibriumTests {
    /// A bushing with stiffness only in x, y translation and the three rotations (1e4 N/mm, 1e6 N·mm/rad).
    func lateralBushing(axial: Double = 0) throws -> LinearBushing {
        var k = DenseMatrix(rows: 6, columns: 6)
        k[0, 0] = 1e4; k[1, 1] = 1e4; k[2, 2] = axial; k[3, 3] = 1e6; k[4, 4] = 1e6; k[5, 5] = 1e6
        return try LinearBushing(body: 0, stiffness: k)
    }

    /// Two blocks pressed together: a 4 × 4 patch of points (1 mm² each) under a 100 N centred load.
    @Test func blocksPressedTogether() throws {
        var pts: [SIMD3<Double>] = []
        for i in 0..<4 { for j in 0..<4 { pts.append(SIMD3(Double(i) - 1.5, Double(j) - 1.5, 0)) } }
        let facet = try FacetContact(name: "blocks", upperBody: 0, points: pts, areas: [Double](repeating: 1, count: 16),
                                     upperNormal: SIMD3(0, 0, -1), plane: .ground(SIMD3(0, 0, 0)), planeNormal: SIMD3(0, 0, 1), penalty: 10)
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(0, 0, 5))], facets: [facet],
                                          bushings: [try lateralBushing()],
                                          options: .init(penetrationTolerance: 1e-4))
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, -100))
        let report = try eq.solve()
        let r = report.facets[0]
        #expect(abs(r.force - 100) < 1e-9 * 100)                                   // force balance
        let p = eq.facets[0].pressures(eq.bodies)
        for pi in p { #expect(abs(pi - 100.0 / 16) < 1e-9 * 100.0 / 16) }         // uniform 6.25 MPa
        #expect(r.minimumGap >= -1e-4)                                             // penetration within tolerance
        #expect(report.augmentations > 0)
        #expect(abs(r.contactArea - 16) < 1e-12)
        // Separated: lift the block 0.2 mm — no force, zero residual from the contact.
        var lifted = eq
        lifted.loads[0] = .zero
        lifted.bodies[0] = RigidBodyPose(referencePoint: SIMD3(0, 0, 5), translation: SIMD3(0, 0, 0.2))
        lifted.facets[0].multipliers = [Double](repeating: 0, count: 16)
        #expect(lifted.facets[0].result(lifted.bodies).force == 0)
        #expect(abs(lifted.facets[0].result(lifted.bodies).minimumGap - 0.2) < 1e-14)
        #expect(try lifted.residual().allSatisfy { $0 == 0 })
    }

    /// Press, then pull: the multipliers of the pressed state must not hold the blocks together.
    @Test func blocksSeparateWhenPulledAfterPressing() throws {
        var pts: [SIMD3<Double>] = []
        for i in 0..<4 { for j in 0..<4 { pts.append(SIMD3(Double(i) - 1.5, Double(j) - 1.5, 0)) } }
        let facet = try FacetContact(name: "blocks", upperBody: 0, points: pts, areas: [Double](repeating: 1, count: 16),
                                     upperNormal: SIMD3(0, 0, -1), plane: .ground(.zero), planeNormal: SIMD3(0, 0, 1), penalty: 10)
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(0, 0, 5))], facets: [facet],
                                          bushings: [try lateralBushing(axial: 100)], options: .init(penetrationTolerance: 1e-6))
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, -100))
        var report = try eq.solve()
        let uz = eq.bodies[0].translation.z
        #expect(uz <= 0 && uz >= -1e-6)                                // penetration within tolerance
        #expect(abs(report.facets[0].force - (100 + 100 * uz)) < 1e-9)  // contact + bushing = 100 N
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, 50))
        report = try eq.solve()
        #expect(report.facets[0].force == 0)
        #expect(abs(eq.bodies[0].translation.z - 0.5) < 1e-10)          // 50 N / 100 N/mm
        #expect(abs(report.facets[0].minimumGap - 0.5) < 1e-10)
    }

    /// Off-centre load: pressure varies linearly, force and moment still balance exactly.
    @Test func eccentricLoadBalancesForceAndMoment() throws {
        var pts: [SIMD3<Double>] = []
        for i in 0..<5 { for j in 0..<5 { pts.append(SIMD3(Double(i) - 2, Double(j) - 2, 0)) } }
        let facet = try FacetContact(name: "blocks", upperBody: 0, points: pts, areas: [Double](repeating: 1, count: 25),
                                     upperNormal: SIMD3(0, 0, -1), plane: .ground(.zero), planeNormal: SIMD3(0, 0, 1), penalty: 100)
        var k = DenseMatrix(rows: 6, columns: 6); k[0, 0] = 1e4; k[1, 1] = 1e4; k[5, 5] = 1e6
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: .zero)], facets: [facet],
                                          bushings: [try LinearBushing(body: 0, stiffness: k)])
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, -50), angular: SIMD3(0, 50 * 0.5, 0))   // 50 N at x = +0.5 mm
        let report = try eq.solve()
        let p = eq.facets[0].pressures(eq.bodies)
        let x = eq.facets[0].points.map { eq.bodies[0].position(of: $0) }
        let fz = p.reduce(0, +), mx = zip(p, x).reduce(0.0) { $0 + $1.0 * $1.1.x }
        #expect(abs(fz - 50) < 1e-9 * 50)
        #expect(abs(mx - 25) < 1e-8 * 25)                      // centre of pressure at x = 0.5 mm
        #expect(report.facets[0].maximumPressure > report.facets[0].force / 25)   // not uniform
    }

    /// Only a linear 6×6 bushing: the Newton solve equals the linear solve K q = P.
    @Test func bushingAloneEqualsTheLinearSolve() throws {
        var rng = LCG(s: 21)
        var k = DenseMatrix(rows: 6, columns: 6)
        let d = [500.0, 600, 700, 2e5, 2.1e5, 2.2e5]
        for i in 0..<6 { for j in 0..<6 { k[i, j] = i == j ? d[i] : 0.1 * (d[i] * d[j]).squareRoot() * rng.next() } }
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(1, 2, 30))], bushings: [try LinearBushing(body: 0, stiffness: k)])
        let load = RigidBodyVector(linear: SIMD3(120, -80, 300), angular: SIMD3(4e4, -2.5e4, 6e4))
        eq.loads[0] = load
        let report = try eq.solve()
        let q = try k.solve((0..<6).map { load[$0] })
        let c = eq.bodies[0].translation, psi = eq.bodies[0].rotationVector
        let got = [c.x, c.y, c.z, psi.x, psi.y, psi.z]
        let qn = q.reduce(0) { max($0, abs($1)) }
        #expect(psi.x * psi.x + psi.y * psi.y + psi.z * psi.z > 0.01)            // finite rotation (> 5.7°)
        for i in 0..<6 { #expect(abs(got[i] - q[i]) <= 1e-10 * qn, "component \(i): \(got[i]) vs \(q[i])") }
        #expect(report.iterations < 15)
    }

    /// One ligament under a pure axial pull: F = k(ε − ε_t/2) (linear region) or k ε²/(2ε_t) (toe).
    @Test(arguments: [3.0, 30.0, 300.0])
    func oneLigamentUnderAxialPullMatchesClosedForm(pull: Double) throws {
        let k = 485.0, et = 0.08, eref = 0.03, l0 = 12.0
        let law = try LigamentLaw(stiffness: k, curve: .toeLinear(transitionStrain: et), referenceStrain: eref)
        let bundle = try LigamentBundle(name: "ALL", origin: .ground(SIMD3(0, 20, 0)), insertion: .body(0, SIMD3(0, 20, l0)), law: law)
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(0, 20, l0))], ligaments: [bundle],
                                          bushings: [try lateralBushing()])
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, pull))
        let report = try eq.solve()
        let strain = pull >= k * et / 2 ? pull / k + et / 2 : (2 * et * pull / k).squareRoot()
        let ls = l0 / (1 + eref)
        let expected = ls * (1 + strain) - l0
        #expect(abs(eq.bodies[0].translation.z - expected) <= 1e-10 * max(abs(expected), ls * strain))
        #expect(abs(report.ligaments[0].force - pull) <= 1e-10 * pull)
        #expect(abs(report.ligaments[0].strain - strain) <= 1e-10 * strain)
    }

    /// A finite rotation: a body free to turn about z (everything else held by a very stiff
    /// bushing) under a moment, resisted by one ligament; the angle against the scalar moment
    /// balance M + τ(θ) = 0 of the planar geometry solved by bisection.
    @Test func largeRotationAgainstPlanarMomentBalance() throws {
        let a = 10.0, d = 10.0, k = 1000.0, et = 0.02, eref = 0.1, moment = 6000.0
        let law = try LigamentLaw(stiffness: k, curve: .toeLinear(transitionStrain: et), referenceStrain: eref)
        let lig = try LigamentBundle(name: "lever", origin: .ground(SIMD3(a, -d, 0)), insertion: .body(0, SIMD3(a, 0, 0)), law: law)
        var kb = DenseMatrix(rows: 6, columns: 6)
        for i in 0..<5 { kb[i, i] = 1e12 }
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: .zero)], ligaments: [lig],
                                          bushings: [try LinearBushing(body: 0, stiffness: kb)])
        eq.loads[0] = RigidBodyVector(angular: SIMD3(0, 0, moment))
        let report = try eq.solve()
        // The consistent tangent converges quadratically: observed order ≥ 1.8 over the last
        // three residuals above round-off.
        let h = report.residualHistory.filter { $0 > 1e-10 * moment }
        #expect(h.count >= 3)
        if h.count >= 3 {
            let (r1, r2, r3) = (h[h.count - 3], h[h.count - 2], h[h.count - 1])
            #expect(log(r3 / r2) / log(r2 / r1) >= 1.8)
        }
        let ls = d / (1 + eref)
        func torque(_ t: Double) -> Double {
            let x = SIMD3(a * cos(t), a * sin(t), 0), dv = x - SIMD3(a, -d, 0)
            let l = norm(dv), e = l / ls - 1
            let f = e < et ? k * e * e / (2 * et) : k * (e - et / 2)
            return cross(x, -f * dv / l).z
        }
        var lo = 0.0, hi = 1.5
        for _ in 0..<200 { let mid = 0.5 * (lo + hi); if moment + torque(mid) > 0 { lo = mid } else { hi = mid } }
        let theta = 0.5 * (lo + hi)
        let psi = eq.bodies[0].rotationVector
        #expect(theta > 0.5)                                              // a finite rotation (> 28°)
        #expect(abs(psi.z - theta) < 1e-8)
        #expect(abs(psi.x) < 1e-9 && abs(psi.y) < 1e-9)
    }

    @Test func unknownBodyAndFacetsThatDoNotFaceAreRefused() throws {
        let law = try LigamentLaw(stiffness: 1, curve: .toeLinear(transitionStrain: 0.1))
        let b = try LigamentBundle(name: "x", origin: .ground(.zero), insertion: .body(3, SIMD3(0, 0, 1)), law: law)
        #expect(throws: MotionSegmentError.unknownBody(what: "x.insertion", index: 3, bodyCount: 1)) {
            try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: .zero)], ligaments: [b])
        }
        #expect(throws: MotionSegmentError.facetsDoNotFace(name: "f", normalDot: 1)) {
            try FacetContact(name: "f", upperBody: 0, points: [.zero], areas: [1], upperNormal: SIMD3(0, 0, 1),
                             plane: .ground(.zero), planeNormal: SIMD3(0, 0, 1), penalty: 1)
        }
    }
}

@Suite("Ligament history in the equilibrium solver")
struct LigamentHistorySolverTests {
    /// A bushing: axial stiffness `axial` (N/mm), lateral 1e4 N/mm, rotations 1e6 N·mm/rad.
    func bushing(axial: Double) throws -> LinearBushing {
        var k = DenseMatrix(rows: 6, columns: 6)
        k[0, 0] = 1e4; k[1, 1] = 1e4; k[2, 2] = axial; k[3, 3] = 1e6; k[4, 4] = 1e6; k[5, 5] = 1e6
        return try LinearBushing(body: 0, stiffness: k)
    }

    func rig(_ law: LigamentLaw, axial: Double, l0: Double = 12) throws -> RigidBodyEquilibrium {
        let b = try LigamentBundle(name: "lig", origin: .ground(.zero), insertion: .body(0, SIMD3(0, 0, l0)), law: law)
        return try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(0, 0, l0))], ligaments: [b],
                                        bushings: [try bushing(axial: axial)])
    }

    /// One backward-Euler step of a ligament (linear region, dashpot c) in parallel with an axial
    /// spring k_b: P − k_b u − k(ε − ε_t/2) − (c/Δt)(ε − ε₀) = 0 with u = L_s(1 + ε) − L₀, solved
    /// for ε by hand.
    @Test func dampedStepMatchesTheLinearEquationSolvedByHand() throws {
        let k = 485.0, et = 0.08, c = 10.0, dt = 0.1, kb = 200.0, l0 = 12.0, eref = 0.1, pull = 300.0
        let law = try LigamentLaw(stiffness: k, curve: .toeLinear(transitionStrain: et), referenceStrain: eref, damping: c)
        var eq = try rig(law, axial: kb)
        let ls = l0 / (1 + eref)
        try eq.solve()                                                   // static, no load
        let e0 = (-kb * (ls - l0) + k * et / 2) / (kb * ls + k)
        #expect(abs(eq.ligaments[0].state.strain - e0) < 1e-12)
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, pull))
        let report = try eq.solve(timeStep: dt)
        let e1 = (pull - kb * (ls - l0) + k * et / 2 + c / dt * e0) / (kb * ls + k + c / dt)
        #expect(e0 > et && e1 > et)                                      // both in the linear region
        #expect(abs(report.ligaments[0].strain - e1) < 1e-12)
        #expect(abs(eq.bodies[0].translation.z - (ls * (1 + e1) - l0)) < 1e-10)
        #expect(abs(report.ligaments[0].force - (k * (e1 - et / 2) + c * (e1 - e0) / dt)) < 1e-9)
    }

    /// Force cycles P_high ↔ 0 with damage: the solver's laxity and the displacement at the last
    /// peak against the damage law integrated by hand, each peak strain found by bisection of
    /// P − k_b (L_s(1 + ε + ε_lax) − L₀) − F(ε) = 0.
    @Test func laxityOverLoadCyclesMatchesTheLawIntegratedByHand() throws {
        let k = 485.0, et = 0.08, kb = 150.0, l0 = 12.0, pull = 250.0, threshold = 0.1, rate = 0.2, cycles = 6
        let law = try LigamentLaw(stiffness: k, curve: .toeLinear(transitionStrain: et),
                                  damage: LigamentDamage(threshold: threshold, rate: rate))
        var eq = try rig(law, axial: kb, l0: l0)
        func f(_ e: Double) -> Double { e <= 0 ? 0 : (e < et ? k * e * e / (2 * et) : k * (e - et / 2)) }
        func peakStrain(laxity: Double) -> Double {
            var lo = -1.0, hi = 2.0
            for _ in 0..<200 {
                let mid = 0.5 * (lo + hi)
                if pull - kb * (l0 * (1 + mid + laxity) - l0) - f(mid) > 0 { lo = mid } else { hi = mid }
            }
            return 0.5 * (lo + hi)
        }
        var laxity = 0.0, lastPeak = 0.0
        for _ in 0..<cycles {
            eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, pull))
            try eq.solve()
            lastPeak = peakStrain(laxity: laxity)
            #expect(abs(eq.ligaments[0].state.strain - lastPeak) < 1e-10)
            #expect(abs(eq.bodies[0].translation.z - l0 * (lastPeak + laxity)) < 1e-9)
            eq.loads[0] = .zero
            try eq.solve()
            laxity += rate * (lastPeak - threshold)
        }
        #expect(lastPeak > threshold)
        #expect(abs(eq.ligaments[0].state.laxity - laxity) < 1e-10)
        #expect(eq.ligaments[0].state.excursions == cycles)
    }

    @Test func aBodyHeldByNothingIsASingularTangent() throws {
        let law = try LigamentLaw(stiffness: 100, curve: .toeLinear(transitionStrain: 0.1), referenceStrain: -0.2)
        let b = try LigamentBundle(name: "slack", origin: .ground(.zero), insertion: .body(0, SIMD3(0, 0, 10)), law: law)
        var eq = try RigidBodyEquilibrium(bodies: [RigidBodyPose(referencePoint: SIMD3(0, 0, 10))], ligaments: [b])
        eq.loads[0] = RigidBodyVector(linear: SIMD3(0, 0, 1))
        let before = eq.bodies
        #expect(throws: MotionSegmentError.singularTangent(column: 0)) { try eq.solve() }
        #expect(eq.bodies == before)                                   // left unchanged on failure
    }
}
