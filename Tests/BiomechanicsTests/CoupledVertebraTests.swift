import Foundation
import Testing
import FiniteElements
import SparseLinearAlgebra
@testable import Biomechanics

/// A rigid vertebra (six unknowns, finite rotation) tied to the top of a small biphasic disc,
/// with ligaments and facets, solved inside the biphasic system.
@Suite struct CoupledVertebraTests {
    static let height = 4.0
    static let radius = 10.0

    /// A coarse biphasic cylinder (hex20), `layers` cells of 2 mm; cells above z = 4 mm are bone
    /// (E = 1e5 × the disc's, practically impermeable) when `bone` is true.
    static func disc(bone: Bool = false) throws -> (Mesh, BiphasicProblem) {
        let layers = bone ? 3 : 2
        let mesh = try MeshGenerator.cylinder(radius: radius, height: 2.0 * Double(layers), inner: nil, around: 8, radial: 1,
                                              layers: layers, cellType: .hex20)
        let discLaw = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0.2), permeability: .constant(k0: 1e-3),
                                           solidVolumeFraction: 0.2)
        let boneLaw = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1e5, poissonRatio: 0.2), permeability: .constant(k0: 1e-12),
                                           solidVolumeFraction: 0.2)
        var materials: [BiphasicProblem.CellMaterial?] = []
        for c in 0..<mesh.cellCount {
            let z = mesh.cellNodes(c).map { mesh.nodes[$0].z }.reduce(0, +) / Double(mesh.cellNodes(c).count)
            materials.append(.init(law: z > height ? boneLaw : discLaw))
        }
        let problem = try BiphasicProblem(mesh: mesh, materials: materials, finiteStrain: true)
        let bottom = try mesh.nodes(ofSurface: "bottom")
        problem.prescribed = (0..<3).map { PrescribedComponent(nodes: bottom, component: $0, value: 0) }
        // Drained where the mantle belongs to the disc.
        let outer = try mesh.nodes(ofSurface: "outer").filter { mesh.nodes[$0].z <= height + 1e-9 }
        problem.drained = [PrescribedComponent(nodes: outer, component: 0, value: 0)]
        return (mesh, problem)
    }

    static func nodes(_ mesh: Mesh, atHeight z: Double) -> [Int] {
        mesh.nodes.indices.filter { abs(mesh.nodes[$0].z - z) < 1e-9 }
    }

    static func node(_ mesh: Mesh, at p: SIMD3<Double>) -> Int {
        mesh.nodes.indices.min { length(mesh.nodes[$0] - p) < length(mesh.nodes[$1] - p) }!
    }

    static func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

    /// Runs `problem` to `end` (s) with fixed steps of `dt`; after every accepted step takes the
    /// vertebrae's result (before the commit, so the ligaments' damping rate is the one the step
    /// solved with), then commits. Returns the state, the last result and the Newton iterations per step.
    static func run(_ problem: BiphasicProblem, end: Double, dt: Double, maxIterations: Int = 25, tolerance: Double = 1e-12,
                    absoluteTolerance: Double = 1e-13)
        throws -> (x: [Double], result: RigidBodyCouplingResult?, iterations: [Int]) {
        var options = try TimeStepperOptions(initialStep: dt, minStep: dt / 64, maxStep: dt)
        options.growth = 1
        var newtonOptions = NewtonOptions()
        newtonOptions.relativeTolerance = tolerance
        newtonOptions.absoluteTolerance = absoluteTolerance
        newtonOptions.maxIterations = maxIterations
        let stepper = AdaptiveTimeStepper(options: options, newton: NewtonSolver(options: newtonOptions))
        var x = problem.initialState(), last = x
        var iterations: [Int] = []
        var result: RigidBodyCouplingResult?
        try stepper.run(problem, from: 0, to: end, state: &x) { step, state in
            iterations.append(step.iterations)
            if !problem.rigidBodies.isEmpty {
                result = try problem.rigidBodyResult(state: state, previous: last, time: step.time, timeStep: step.timeStep)
            }
            problem.commitRigidBodies(state: state, timeStep: step.timeStep)
            last = state
        }
        return (x, result, iterations)
    }

    static func relativeMaxDifference(_ a: [Double], _ b: [Double]) -> Double {
        let scale = a.reduce(0) { max($0, abs($1)) }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
    }

    /// Rodrigues' formula written out, independent of ``Rotation``.
    static func rotate(_ v: SIMD3<Double>, by psi: SIMD3<Double>) -> SIMD3<Double> {
        let t = length(psi)
        guard t > 0 else { return v }
        let a = psi / t
        let axv = SIMD3(a.y * v.z - a.z * v.y, a.z * v.x - a.x * v.z, a.x * v.y - a.y * v.x)
        return v * cos(t) + axv * sin(t) + a * ((a * v).sum() * (1 - cos(t)))
    }

    /// The spin map `T(ψ)` against a central difference of `exp([ψ + h e_k]×) exp([ψ]×)ᵀ` (1e-8).
    @Test func rotationTangentMapMatchesFiniteDifference() {
        let psi = SIMD3(0.3, -0.5, 0.2)
        let t = rotationTangentMap(psi)
        let r0 = Rotation(rotationVector: psi).inverse
        let h = 1e-6
        for k in 0..<3 {
            var dp = SIMD3<Double>.zero; dp[k] = h
            let plus = Rotation(rotationVector: psi + dp) * r0, minus = Rotation(rotationVector: psi - dp) * r0
            // vee of (plus − minus)/(2h), the spin per unit δψ_k.
            let w = SIMD3(plus[2, 1] - minus[2, 1], plus[0, 2] - minus[0, 2], plus[1, 0] - minus[1, 0]) / (2 * h)
            for i in 0..<3 { #expect(abs(w[i] - t[i, k]) < 1e-8) }
        }
    }

    /// Rotation locked, axial force: the same fields as the translation-only rigid tie (three
    /// `TiedComponent`s and the force on one tied node) to 1e-8 relative.
    @Test func lockedRotationMatchesTranslationTie() throws {
        let ramp = try LoadCurve.ramp(duration: 1)
        let (mesh, tiedProblem) = try Self.disc()
        let top = Self.nodes(mesh, atHeight: Self.height)
        tiedProblem.ties = (0..<3).map { TiedComponent(nodes: top, component: $0) }
        tiedProblem.loads = [NodalLoad(nodes: [top[0]], forces: [SIMD3(0, 0, -5)], curve: ramp)]
        try tiedProblem.prepare()
        let (_, rigidProblem) = try Self.disc()
        rigidProblem.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "L4", referencePoint: SIMD3(0, 0, Self.height), nodes: top,
                                                                                force: SIMD3(0, 0, -5), curve: ramp, lockedRotation: true)])
        try rigidProblem.prepare()
        #expect(rigidProblem.unknownCount == tiedProblem.unknownCount)
        let a = try Self.run(tiedProblem, end: 1.5, dt: 0.25)
        let b = try Self.run(rigidProblem, end: 1.5, dt: 0.25)
        let va = tiedProblem.dofValues(unknowns: a.x, time: 1.5), vb = rigidProblem.dofValues(unknowns: b.x, time: 1.5)
        #expect(Self.relativeMaxDifference(va, vb) <= 1e-8)
        #expect(va[tiedProblem.displacementDof(node: top[0], component: 2)] < -1e-3)   // it did compress
    }

    /// Free rotation, off-centre axial force (its moment about the reference point applied with
    /// it): the vertebra's moment balance `M_applied + Σ r × f_disc = 0` from the disc's nodal
    /// internal forces (computed apart from the condensation) to 1e-8 relative.
    @Test func offCentreForceMomentBalance() throws {
        let ramp = try LoadCurve.ramp(duration: 1)
        let (mesh, problem) = try Self.disc()
        let top = Self.nodes(mesh, atHeight: Self.height)
        let force = SIMD3(0.0, 0, -5), arm = SIMD3(3.0, 0, 0)
        let moment = SIMD3(arm.y * force.z - arm.z * force.y, arm.z * force.x - arm.x * force.z, arm.x * force.y - arm.y * force.x)
        problem.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "L4", referencePoint: SIMD3(0, 0, Self.height), nodes: top,
                                                                           force: force, moment: moment, curve: ramp)])
        try problem.prepare()
        let run = try Self.run(problem, end: 1, dt: 0.25, maxIterations: 80)
        print("off-centre force: Newton iterations per step \(run.iterations)")
        let r = try #require(run.result)
        let m = r.applied[0].angular + r.disc[0].angular + r.ligamentLoads[0].angular + r.facetLoads[0].angular
        let f = r.applied[0].linear + r.disc[0].linear
        #expect(Self.length(m) / Self.length(moment) <= 1e-8)
        #expect(Self.length(f) / Self.length(force) <= 1e-8)
        // The vertebra tilts towards the load (about +y for a load at +x pushing down).
        #expect(r.poses[0].rotationVector.y > 1e-4)
    }

    /// A ligament between the ground and the vertebra under traction: force balance
    /// `applied + disc + ligament = 0` (1e-8 relative) and the bundle's strain equal to
    /// `(L − L_s)/L_s` from the final pose computed by hand with Rodrigues' formula (1e-12).
    @Test func ligamentForceBalanceAndStrain() throws {
        let ramp = try LoadCurve.ramp(duration: 1)
        let (mesh, problem) = try Self.disc()
        let top = Self.nodes(mesh, atHeight: Self.height)
        let refPoint = SIMD3(0, 0, Self.height)
        let origin = SIMD3(0.0, 12, -1), insertion = SIMD3(2.0, 12, 5)
        let law = try LigamentLaw(stiffness: 500, curve: .toeLinear(transitionStrain: 0.05), damping: 0.5)
        let bundle = try LigamentBundle(name: "PLL 1", origin: .ground(origin), insertion: .body(0, insertion), law: law)
        problem.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "L4", referencePoint: refPoint, nodes: top,
                                                                           force: SIMD3(0, 0, 3), curve: ramp)],
                                                 ligaments: [bundle])
        try problem.prepare()
        let run = try Self.run(problem, end: 1, dt: 0.25, maxIterations: 80)
        print("ligament: Newton iterations per step \(run.iterations)")
        let r = try #require(run.result)
        #expect(r.ligaments[0].force > 1e-3)
        let f = r.applied[0].linear + r.disc[0].linear + r.ligamentLoads[0].linear
        #expect(Self.length(f) / 3 <= 1e-8)
        let m = r.applied[0].angular + r.disc[0].angular + r.ligamentLoads[0].angular
        #expect(Self.length(m) / (3 * Self.length(insertion - refPoint)) <= 1e-8)
        // By hand from the unknowns.
        let c = SIMD3((0..<3).map { run.x[problem.rigidBodyUnknown(body: 0, component: $0)!] })
        let psi = SIMD3((3..<6).map { run.x[problem.rigidBodyUnknown(body: 0, component: $0)!] })
        let x = refPoint + c + Self.rotate(insertion - refPoint, by: psi)
        let l = Self.length(x - origin), ls = Self.length(insertion - origin)
        #expect(abs(r.ligaments[0].strain - (l - ls) / ls) <= 1e-12)
        // The committed history is the final strain.
        #expect(abs(problem.rigidBodies.ligaments[0].state.strain - (l - ls) / ls) <= 1e-12)
    }

    /// Flexion under a pure moment to a finite rotation (> 0.05 rad) with a posterior ligament
    /// stretched and an anterior facet in contact: the vertebra's force and moment balance
    /// `applied + disc + ligaments + facets = 0` (1e-8 relative to the applied moment).
    /// The test disc with its top vertebra under `moment` (N·mm, ramped over 1 s), a posterior
    /// ligament (300 N per unit strain, toe to 0.05, `damping` s) and an anterior facet stop.
    static func flexionProblem(moment: SIMD3<Double>, damping: Double) throws -> BiphasicProblem {
        let (mesh, problem) = try disc()
        let top = nodes(mesh, atHeight: height)
        let law = try LigamentLaw(stiffness: 300, curve: .toeLinear(transitionStrain: 0.05), damping: damping)
        let bundle = try LigamentBundle(name: "ISL 1", origin: .ground(SIMD3(0, -14, -1)), insertion: .body(0, SIMD3(0, -14, 5)), law: law)
        let facet = try FacetContact(name: "anterior stop", upperBody: 0, points: [SIMD3(-2, 14, height), SIMD3(2, 14, height)], areas: [2, 2],
                                     upperNormal: SIMD3(0, 0, -1), plane: .ground(SIMD3(0, 14, height - 0.2)),
                                     planeNormal: SIMD3(0, 0, 1), penalty: 10)
        problem.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "L4", referencePoint: SIMD3(0, 0, height), nodes: top, moment: moment,
                                                                           curve: try LoadCurve.ramp(duration: 1))],
                                                 ligaments: [bundle], facets: [facet])
        try problem.prepare()
        return problem
    }

    @Test func flexionWithLigamentAndFacetBalances() throws {
        let moment = SIMD3(-1500.0, 0, 0)
        let problem = try Self.flexionProblem(moment: moment, damping: 0.2)
        let run = try Self.run(problem, end: 1, dt: 0.25, maxIterations: 80)
        let r = try #require(run.result)
        print("flexion: Newton iterations per step \(run.iterations), rotation \(r.poses[0].rotationVector) rad, ligament \(r.ligaments[0].force) N, facet \(r.facets[0].force) N")
        #expect(Self.length(r.poses[0].rotationVector) > 0.05)
        #expect(r.ligaments[0].force > 0.1)
        #expect(r.facets[0].force > 0.1)
        let m = r.applied[0].angular + r.disc[0].angular + r.ligamentLoads[0].angular + r.facetLoads[0].angular
        let f = r.applied[0].linear + r.disc[0].linear + r.ligamentLoads[0].linear + r.facetLoads[0].linear
        #expect(Self.length(m) / Self.length(moment) <= 1e-8)
        #expect(Self.length(f) * 14 / Self.length(moment) <= 1e-8)
    }

    /// The vertebra's tangent under an applied moment against a central finite-difference
    /// Jacobian of the residual (dense, every column, h = 1e-6 in mm, MPa and rad): the
    /// symmetric matrix plus the ``TangentCorrection`` matches it to 1e-9 of the largest entry
    /// (measured 2.9e-11), while the symmetric matrix alone misses by the correction's size
    /// (about ½|M|). Reference for that size
    /// (hand statics): at equilibrium the point forces on the vertebra balance the applied moment
    /// `M`, so the skew part of its rotational stiffness is `−½ Tᵀ[M]× T` (T the spin map of its
    /// rotation vector), to 1e-6 relative. Linearised at a converged state of the flexion run
    /// (ligament without damping, facet in contact) with `Δt` = 1e-9 s, where the host disc's own
    /// omitted non-symmetric flow term (``BiphasicKernel``, ∝ `Δt`) is below 1e-9 relative.
    @Test func tangentWithCorrectionMatchesFiniteDifferenceUnderMoment() throws {
        let moment = SIMD3(-1500.0, 0, 300)
        let problem = try Self.flexionProblem(moment: moment, damping: 0)
        let run = try Self.run(problem, end: 1, dt: 0.25)
        let r = try #require(run.result)
        #expect(r.facets[0].force > 0.1)
        let x = run.x, n = problem.unknownCount, dt = 1e-9
        var residual = [Double](repeating: 0, count: n)
        var tangent: SymmetricMatrix? = problem.tangentPattern()
        try problem.evaluate(x, previous: x, time: 1, timeStep: dt, residual: &residual, tangent: &tangent)
        let correction = try #require(problem.tangentCorrection)
        var analytic = DenseMatrix(tangent!)
        let symmetricOnly = analytic
        let m = correction.unknowns.count
        for i in 0..<m { for j in 0..<m { analytic[correction.unknowns[i], correction.unknowns[j]] += correction.values[i * m + j] } }
        var none: SymmetricMatrix? = nil
        var plus = residual, minus = residual
        let h = 1e-6
        var worst = 0.0, worstSymmetric = 0.0, largest = 0.0
        for j in 0..<n {
            var xp = x, xm = x
            xp[j] += h; xm[j] -= h
            try problem.evaluate(xp, previous: x, time: 1, timeStep: dt, residual: &plus, tangent: &none)
            try problem.evaluate(xm, previous: x, time: 1, timeStep: dt, residual: &minus, tangent: &none)
            for i in 0..<n {
                let fd = (plus[i] - minus[i]) / (2 * h)
                largest = max(largest, abs(fd))
                worst = max(worst, abs(fd - analytic[i, j]))
                worstSymmetric = max(worstSymmetric, abs(fd - symmetricOnly[i, j]))
            }
        }
        print("vertebra tangent vs finite differences (n = \(n)): max |J_fd − (K + PEPᵀ)| = \(worst), max |J_fd − K| = \(worstSymmetric), max |J_fd| = \(largest)")
        #expect(worst <= 1e-9 * largest)
        #expect(worstSymmetric >= 0.45 * Self.length(moment))
        // The rotational block of the correction: −½ Tᵀ[M]× T (unknowns 3…5 of the body, in order).
        let rot = (3..<6).map { try! #require(problem.rigidBodyUnknown(body: 0, component: $0)) }
        let t = rotationTangentMap(r.poses[0].rotationVector)
        let skewM = Mat3.skew(moment)
        let expected = t.transposed * skewM * t
        for a in 0..<3 { for b in 0..<3 {
            let i = correction.unknowns.firstIndex(of: rot[a])!, j = correction.unknowns.firstIndex(of: rot[b])!
            #expect(abs(correction.values[i * m + j] - (-0.5 * expected[a, b])) <= 1e-6 * Self.length(moment),
                    "entry (\(a), \(b)): \(correction.values[i * m + j]) vs \(-0.5 * expected[a, b])")
        } }
    }

    /// Rigid vertebra against a bone block 1e5 times stiffer than the disc tied on top (same disc
    /// mesh): nucleus (centre) pressure and centre height change within 1 %.
    @Test func rigidVertebraMatchesStiffBoneBlock() throws {
        let ramp = try LoadCurve.ramp(duration: 1)
        let total = SIMD3(0.0, 0, -5)
        let (mesh, rigid) = try Self.disc()
        let top = Self.nodes(mesh, atHeight: Self.height)
        rigid.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "L4", referencePoint: SIMD3(0, 0, Self.height), nodes: top,
                                                                         force: total, curve: ramp)])
        try rigid.prepare()
        let (boneMesh, block) = try Self.disc(bone: true)
        let blockTop = Self.nodes(boneMesh, atHeight: Self.height + 2)
        block.loads = [NodalLoad(nodes: blockTop, forces: [SIMD3<Double>](repeating: total / Double(blockTop.count), count: blockTop.count), curve: ramp)]
        try block.prepare()
        let a = try Self.run(rigid, end: 1.5, dt: 0.25, maxIterations: 80)
        let b = try Self.run(block, end: 1.5, dt: 0.25, tolerance: 1e-8, absoluteTolerance: 1e-8)   // the 1e5 stiffness contrast floors the residual near 1e-10
        let va = rigid.dofValues(unknowns: a.x, time: 1.5), vb = block.dofValues(unknowns: b.x, time: 1.5)
        let centre = SIMD3(0, 0, Self.height / 2), topCentre = SIMD3(0, 0, Self.height)
        let pa = va[rigid.pressureDof(node: Self.node(mesh, at: centre))!], pb = vb[block.pressureDof(node: Self.node(boneMesh, at: centre))!]
        let ha = va[rigid.displacementDof(node: Self.node(mesh, at: topCentre), component: 2)]
        let hb = vb[block.displacementDof(node: Self.node(boneMesh, at: topCentre), component: 2)]
        print("rigid vs bone block: pressure \(pa) vs \(pb) MPa, height change \(ha) vs \(hb) mm")
        #expect(pa > 1e-4)
        #expect(abs(pa - pb) <= 0.01 * abs(pb))
        #expect(abs(ha - hb) <= 0.01 * abs(hb))
    }

    /// A facet whose contact force overflows (penalty 1e308 against an initial 1 mm penetration):
    /// the stepper cuts the step down to its minimum and the error names the facet; the state
    /// stays finite.
    @Test func facetFailureCutsStepAndNamesFacet() throws {
        let (mesh, problem) = try Self.disc()
        let top = Self.nodes(mesh, atHeight: Self.height)
        let facet = try FacetContact(name: "facet left", upperBody: 0, points: [SIMD3(0, 15, Self.height)], areas: [1],
                                     upperNormal: SIMD3(0, 0, -1), plane: .ground(SIMD3(0, 15, Self.height + 1)),
                                     planeNormal: SIMD3(0, 0, 1), penalty: 1e308)
        problem.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "L4", referencePoint: SIMD3(0, 0, Self.height), nodes: top)],
                                                 facets: [facet])
        try problem.prepare()
        let stepper = AdaptiveTimeStepper(options: try TimeStepperOptions(initialStep: 0.25, minStep: 0.25 / 8, maxStep: 0.25))
        var x = problem.initialState()
        var caught: Error?
        do { try stepper.run(problem, from: 0, to: 1, state: &x) } catch { caught = error }
        guard case let .stepTooSmall(_, minStep, reason)? = caught as? TimeStepperError else {
            Issue.record("expected stepTooSmall, got \(String(describing: caught))"); return
        }
        #expect(minStep == 0.25 / 8)
        #expect(reason.contains("facet left"))
        #expect(x.allSatisfy { $0.isFinite })
    }

    /// A tied node that is also prescribed is refused, naming the vertebra's nodes.
    @Test func prescribedTiedNodeIsRefused() throws {
        let (mesh, problem) = try Self.disc()
        let bottom = Self.nodes(mesh, atHeight: 0)
        problem.rigidBodies = CoupledRigidBodies(vertebrae: [RigidVertebra(name: "S1", referencePoint: .zero, nodes: bottom)])
        var name: String?
        do { try problem.prepare() } catch let MotionSegmentError.invalidParameter(n, _, _) { name = n }
        #expect(name == "S1.nodes")
    }
}
