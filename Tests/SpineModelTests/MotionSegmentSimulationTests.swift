import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// The motion segment run through the one ``Simulation``: equilibrium against forces computed by
/// hand from the reported pose, and the published in-vivo checks.
@Suite("Motion segment simulation", .serialized)
struct MotionSegmentSimulationTests {
    /// Rodrigues' formula written out.
    static func rotate(_ v: SIMD3<Double>, by psi: SIMD3<Double>) -> SIMD3<Double> {
        let t = (psi * psi).sum().squareRoot()
        guard t > 0 else { return v }
        let a = psi / t
        let axv = SIMD3(a.y * v.z - a.z * v.y, a.z * v.x - a.x * v.z, a.x * v.y - a.y * v.x)
        return v * cos(t) + axv * sin(t) + a * ((a * v).sum() * (1 - cos(t)))
    }

    static func norm(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

    /// Slack length (mm) of a fibre of `l` whose reference strain holds in the swollen state: its
    /// length there — the upper vertebra at the pose reported at t = 0 (translation `c0` mm,
    /// rotation vector `psi0` rad about `ref`) — over `1 + ε_ref`.
    static func swollenSlack(_ l: LigamentDefinition, _ fibre: LigamentDefinition.Fibre, ref: SIMD3<Double>,
                             c0: SIMD3<Double>, psi0: SIMD3<Double>) -> Double {
        norm(ref + c0 + rotate(fibre.insertion - ref, by: psi0) - fibre.origin) / (1 + l.law.referenceStrain)
    }

    /// Traction (200 N after the 17 N lying preload) on the coarse L4-L5 segment, ligament damping
    /// off so that every force is a function of the pose: the whole segment's force balance
    /// `R_bottom + F_applied + Σ ligament forces + Σ facet forces = 0`, where the disc's support
    /// reaction `R_bottom` comes from the assembled residual and the ligament and facet forces
    /// are computed here by hand (Rodrigues' rotation of the reported pose, the toe–linear law,
    /// the penalty gap law), within 1e-3 of the applied force; each ligament's reported strain
    /// equals the largest fibre strain computed by hand (1e-9); the distraction equals the
    /// reported translation's z (1e-12) and the rim height changes are the rims' z displacements
    /// under the reported pose (1e-9 mm).
    @Test func tractionBalancesAndStrainsMatchThePose() throws {
        var model = try MotionSegment.lumbar(.l4l5, patient: try Patient(bodyMassKg: 70, heightCm: 175), mesh: .coarse)
        for i in model.ligaments.indices { model.motionSegment!.ligaments[i].law.damping = 0 }
        model.boundary[named: "traction"]!.force = SIMD3(0, 0, 200)
        model.curves["traction"] = try LoadCurve(points: [(0, 0), (10, 0), (20, 1), (30, 1)])
        model.steps[1] = StepDefinition(name: "traction", duration: 30, initialStep: 1, minStep: 0.01, maxStep: 2)
        model.outputs.times = [0, 10, 20, 30]
        model.outputs.surfaces.append(.init(name: "support", surface: "bottom", quantity: "reactionForce"))
        let results = try Simulation(model: model).runSynchronously()
        let ms = try #require(results.motionSegment)
        let c = SIMD3(ms.translation.values.last!), psi = SIMD3(ms.rotation.values.last!) * (.pi / 180)
        let c0 = SIMD3(ms.translation.values.first!), psi0 = SIMD3(ms.rotation.values.first!) * (.pi / 180)
        let seg = model.motionSegment!
        #expect(seg.ligamentReference == .swollen)
        let ref = seg.vertebrae[1].referencePoint
        func position(_ p: SIMD3<Double>) -> SIMD3<Double> { ref + c + Self.rotate(p - ref, by: psi) }
        var total = SIMD3(results.series(named: "support")!.values.last!)
        total += SIMD3(0, 0, 200 - 17)
        var ligamentForce = 0.0
        for (i, l) in seg.ligaments.enumerated() {
            // In the swollen state (t = 0) every fibre is at the reference strain.
            #expect(abs(ms.ligaments[i].strain.values.first![0] - l.law.referenceStrain) <= 1e-12, "\(l.name)")
            var largest = -Double.infinity
            for f in l.fibres {
                let x = position(f.insertion), d = x - f.origin, length = Self.norm(d)
                let slack = Self.swollenSlack(l, f, ref: ref, c0: c0, psi0: psi0)
                let strain = (length - slack) / slack
                largest = max(largest, strain)
                let force = l.law.elasticForce(strain: strain).force
                total -= force * d / length
                ligamentForce += force
            }
            #expect(abs(ms.ligaments[i].strain.values.last![0] - largest) <= 1e-9, "\(l.name)")
        }
        var facetForce = 0.0
        for f in seg.facets {
            let n = f.planeNormal / Self.norm(f.planeNormal)
            for (p, a) in zip(f.points, f.areas) {
                let gap = (n * (position(p) - f.planePoint)).sum()
                let pressure = max(0, -f.penalty * gap)
                total += a * pressure * n
                facetForce += a * pressure
            }
        }
        print("motion segment traction: support \(results.series(named: "support")!.values.last!) N, ligaments \(ligamentForce) N, facets \(facetForce) N, imbalance \(total) N, translation \(c) mm, rotation \(psi) rad, unknowns \(results.unknownCount)")
        #expect(Self.norm(total) <= 1e-3 * 200)
        #expect(ligamentForce > 1)                       // the ligaments do carry load
        #expect(abs(ms.distraction.values.last![0] - c.z) <= 1e-12)
        let h = ms.discHeightChange.values.last!
        // Rims at y = ±18 mm (half the L4-L5 endplate depth), level with the reference point.
        for (k, y) in [(0, 18.0), (2, -18.0)] {
            let rim = SIMD3(ref.x, y, ref.z)
            #expect(abs(h[k] - (position(rim) - rim).z) <= 1e-9)
        }
        // Extremes over every step bound the output samples.
        for l in ms.ligaments { #expect(l.strain.maximum! >= l.strain.scalars.max()! - 1e-15) }
    }

    /// A flexion moment (3 N·m about −x, ramped, on top of the 17 N lying preload) given as a
    /// `rigid` condition on the upper endplate: the moment balance of the upper vertebra and disc
    /// about the reference point, `M + c × F_applied + Σ r × F_ligament + Σ r × F_facet +
    /// Σ X × R_support = 0`, with the support reactions from the assembled residual at the held
    /// nodes and the ligament and facet forces computed by hand from the reported pose (damping
    /// off), within 1e-3 of the applied moment; the vertebra flexes (rotation about −x).
    @Test func flexionMomentBalances() throws {
        var model = try MotionSegment.lumbar(.l4l5, patient: try Patient(bodyMassKg: 70, heightCm: 175), mesh: .coarse)
        for i in model.ligaments.indices { model.motionSegment!.ligaments[i].law.damping = 0 }
        let moment = SIMD3(-3000.0, 0, 0)
        model.curves["moment"] = try LoadCurve(points: [(0, 0), (10, 0), (20, 1), (30, 1)])
        model.boundary.append(BoundaryCondition(name: "flexion", target: .surface("top"),
                                                kind: .rigid(.loads(force: .zero, moment: moment, rotationFree: true, reference: nil, slide: []), curve: "moment")))
        model.steps[1] = StepDefinition(name: "flexion", duration: 30, initialStep: 1, minStep: 0.01, maxStep: 2)
        model.outputs.times = [0, 10, 20, 30]
        let simulation = try Simulation(model: model)
        guard case let .biphasic(engine) = simulation.engine else { Issue.record("not the biphasic engine"); return }
        var last: (time: Double, dt: Double, x: [Double], previous: [Double])? = nil
        engine.stepObserver = { t, dt, x, previous in last = (t, dt, x, previous) }
        let results = try simulation.runSynchronously()
        let end = try #require(last)
        let ms = try #require(results.motionSegment)
        let c = SIMD3(ms.translation.values.last!), psi = SIMD3(ms.rotation.values.last!) * (.pi / 180)
        let c0 = SIMD3(ms.translation.values.first!), psi0 = SIMD3(ms.rotation.values.first!) * (.pi / 180)
        let seg = model.motionSegment!
        let ref = seg.vertebrae[1].referencePoint
        func position(_ p: SIMD3<Double>) -> SIMD3<Double> { ref + c + Self.rotate(p - ref, by: psi) }
        func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> { SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x) }
        var total = moment + cross(c, SIMD3(0, 0, -17))
        let problem = engine.problem
        let r = try problem.fullResidual(state: end.x, previous: end.previous, time: end.time, timeStep: end.dt)
        for node in try engine.mesh.nodes(ofSurface: "bottom") {
            let f = SIMD3((0..<3).map { r[problem.displacementDof(node: node, component: $0)] })
            total += cross(engine.mesh.nodes[node] - ref, f)
        }
        for l in seg.ligaments {
            for fibre in l.fibres {
                let x = position(fibre.insertion), d = x - fibre.origin, length = Self.norm(d)
                let slack = Self.swollenSlack(l, fibre, ref: ref, c0: c0, psi0: psi0)
                let force = l.law.elasticForce(strain: (length - slack) / slack).force
                total += cross(x - ref, -force * d / length)
            }
        }
        for f in seg.facets {
            let n = f.planeNormal / Self.norm(f.planeNormal)
            for (p, a) in zip(f.points, f.areas) {
                let x = position(p)
                total += cross(x - ref, a * max(0, -f.penalty * (n * (x - f.planePoint)).sum()) * n)
            }
        }
        print("flexion: rotation \(psi) rad, moment imbalance \(total) N·mm, ISL strain \(ms.ligaments[.interspinous]!.strain.final!)")
        #expect(psi.x < -1e-3)
        #expect(Self.norm(total) <= 1e-3 * Self.norm(moment))
    }

    /// Wilke et al. 1999 (Spine 24:755): relaxed standing 0.50 MPa at L4-L5; 500 N follower load
    /// (stated, not tuned), nucleus pressure within ±20 %. **Fails, recorded as a known issue:**
    /// 0.613 MPa on the coarse mesh (+23 %), 0.651 MPa on the standard mesh (+30 %, `spinetraction
    /// verify` without `--quick`). Investigated (``MotionSegmentValidation/wilkeDiagnosis(divisions:comparisons:)``,
    /// coarse): the whole 500 N goes through the disc (support reaction 500.01 N; ligaments
    /// 0.01 N, facets 0 N at t = 30 s); the segment's disc reads like the bare default disc with
    /// the same materials (0.629 MPa on its smaller 50 × 34 mm section); the transducer reads
    /// fluid + Donnan osmotic pressure, 0.086 MPa in the unloaded swollen disc, and the rise under
    /// load is 1.49 × F/A, Nachemson's intradiscal-pressure factor of about 1.5. What puts it above
    /// the band is the section: the level's 50 × 36 mm ellipse has 1414 mm², 13 % less than the
    /// L4-L5 disc of Remus et al. 2021 (1630 mm²), and with that area the same model reads 0.538
    /// MPa. The level's dimensions are unverified approximations (``LevelGeometry``), so the
    /// default is not changed to meet this check. The known issue turns into a failure when the
    /// row starts passing.
    ///
    /// What a literature search found (2026-12-07; tables read through secondary sources unless
    /// said): Panjabi et al. 1992 (Spine 17:299) Table 2, L5 upper endplate width 47.3 ± 1.2 mm
    /// (mean ± SEM, n = 12; a public transcription of the table); Cook & Baker 2021 (Int J Spine
    /// Surg 15:1072) Table 6, L5 upper endplate depth 35.7 ± 3.5 mm (n = 196, read directly). Their
    /// ellipse, 1326 mm², is *smaller* than the default's, so endplate width × depth does not
    /// explain the miss. Two observations point at the section's shape instead, both unverified:
    /// measured endplate areas are about 1.2 × the ellipse of the same width and depth (one CT
    /// data set of 87 patients, from its published data files), and Wilke's subject's L4-L5 disc
    /// is quoted at 1800 mm² (two secondary sources; the 1999 abstract gives no area).
    @Test func wilkeStandingPressure() throws {
        let (row, results) = try MotionSegmentValidation.wilkeStanding(mesh: .coarse)
        print("Wilke standing: \(row), distraction \(results.distraction!.scalars) mm")
        withKnownIssue("nucleus pressure under the stated 500 N follower load is 23–30 % above Wilke's 0.50 MPa") {
            #expect(row.passed, "\(row)")
        }
    }

    /// Ramos & Martin 1994 (J Neurosurg 81:350): nucleus pressure below −0.013 MPa under
    /// split-table traction, reached at or below 50 % of body weight.
    @Test func ramosTractionThreshold() throws {
        let (row, found, results) = try MotionSegmentValidation.ramosTraction(mesh: .coarse)
        let peak = results.ligaments.map { ($0.name, $0.strain.maximum ?? .nan) }
        print("Ramos traction: \(row); pull \(found.pull.map { String($0) } ?? "not reached") N, minimum pressure \(found.minimumPressure) MPa; peak strains \(peak)")
        #expect(row.passed, "\(row)")
    }
}
