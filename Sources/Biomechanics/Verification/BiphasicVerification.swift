import Foundation
import FiniteElements
import SparseLinearAlgebra

/// One line of the verification table: a computed quantity against its
/// independent reference.
public struct VerificationRow: Sendable, Equatable, CustomStringConvertible {
    /// Problem name (e.g. `confined ramp-relax (bp04)`).
    public var problem: String
    /// What is compared, with its unit.
    public var quantity: String
    /// Our value.
    public var ours: Double
    /// The reference value.
    public var reference: Double
    /// The error measure (as defined by ``quantity``; relative unless stated).
    public var error: Double
    /// Largest acceptable ``error``.
    public var tolerance: Double
    /// True when `error ≤ tolerance` (and finite).
    public var passed: Bool { error.isFinite && error <= tolerance }
    /// A row.
    public init(problem: String, quantity: String, ours: Double, reference: Double, error: Double, tolerance: Double) {
        self.problem = problem; self.quantity = quantity; self.ours = ours; self.reference = reference; self.error = error; self.tolerance = tolerance
    }
    public var description: String {
        "\(problem) | \(quantity) | ours \(ours) | ref \(reference) | err \(error) | tol \(tolerance) | \(passed ? "ok" : "FAIL")"
    }
}

/// Finite-element runs of the biphasic verification problems (LITERATURE.md,
/// "Verification problems"), each compared with its closed form
/// (``PoroelasticClosedForm``). Mesh sizes are parameters: the test suite
/// uses coarse meshes, `spinetraction verify` finer ones.
///
/// All runs use Taylor–Hood hex20 cells and the supernodal `LDLᵀ` through
/// FiniteElements' Newton solver and adaptive backward-Euler stepper.
public enum BiphasicVerification {
    /// Accepted-step history of a run.
    public struct History: Sendable {
        /// Step end times (s), starting with 0.
        public var times: [Double] = [0]
        /// States (unknowns) at those times.
        public var states: [[Double]] = []
        /// Reaction sums (N) per requested set at those times (0 at t = 0).
        public var reactions: [[Double]] = []
        /// Cumulative fluid outflow (mm³) through drained dofs at those times.
        public var outflow: [Double] = [0]
    }

    /// One stretch of time with its own step control: from the previous phase's
    /// end to `end` (s), first step `initial`, bounds `min`/`max` (s), growth factor.
    public struct Phase: Sendable {
        /// End time (s).
        public var end: Double
        /// First, smallest and largest step (s).
        public var initial: Double, min: Double, max: Double
        /// Step growth after easy steps (≥ 1).
        public var growth: Double
        /// A phase.
        public init(end: Double, initial: Double, min: Double? = nil, max: Double, growth: Double) {
            self.end = end; self.initial = initial; self.min = min ?? initial * 1e-3; self.max = max; self.growth = growth
        }
    }

    /// Runs `problem` from 0 through `phases` and records every accepted step.
    /// - Parameter newton: the Newton solver to use (default: a new one with `newtonOptions`
    ///   and ``SupernodalLDLT``); pass one to read its ``NewtonSolver/statistics`` afterwards.
    public static func run(_ problem: BiphasicProblem, phases: [Phase], mustPoints: [Double] = [],
                           reactionSets: [(nodes: [Int], component: Int)] = [],
                           newtonOptions: NewtonOptions = NewtonOptions(), newton: NewtonSolver? = nil) throws -> History {
        let newton = newton ?? NewtonSolver(options: newtonOptions, linearSolver: SupernodalLDLT())
        var state = problem.initialState()
        var history = History()
        history.states = [state]
        history.reactions = [reactionSets.map { _ in 0 }]
        var previous = state
        var previousTime = 0.0
        var start = 0.0
        for phase in phases {
            guard phase.initial.isFinite, phase.initial > 0 else { throw BiphasicError.invalidTimeStep(name: "dt", value: phase.initial) }
            var options = try TimeStepperOptions(initialStep: phase.initial, minStep: phase.min, maxStep: phase.max)
            options.growth = phase.growth
            options.easyIterations = 8
            let stepper = AdaptiveTimeStepper(options: options, newton: newton)
            try stepper.run(problem, from: start, to: phase.end, state: &state, mustPoints: mustPoints) { step, x in
                let fluxes = try problem.stepFluxes(state: x, previous: previous, time: step.time, timeStep: step.time - previousTime,
                                                    reactionSets: reactionSets)
                history.times.append(step.time)
                history.states.append(x)
                history.reactions.append(fluxes.reactions)
                history.outflow.append(history.outflow.last! + fluxes.outflow)
                previous = x
                previousTime = step.time
            }
            start = phase.end
        }
        return history
    }

    static func nodes(_ mesh: Mesh, where predicate: (SIMD3<Double>) -> Bool) -> [Int] {
        (0..<mesh.nodeCount).filter { predicate(mesh.nodes[$0]) }
    }

    /// A confined column `1 × 1 × height` of `cells` hex20 cells: lateral
    /// displacements fixed everywhere, bottom fixed, top drained.
    static func confinedColumn(height: Double, cells: Int, material: BiphasicMaterial, finiteStrain: Bool, grading: Double = 1) throws -> BiphasicProblem {
        let mesh = try MeshGenerator.box(x: .uniform(from: 0, to: 1, cells: 1), y: .uniform(from: 0, to: 1, cells: 1),
                                         z: .geometric(from: 0, to: height, cells: cells, ratio: grading), cellType: .hex20)
        let problem = try BiphasicProblem(mesh: mesh, materials: [.init(law: material)], finiteStrain: finiteStrain)
        let all = Array(0..<mesh.nodeCount)
        problem.prescribed = [PrescribedComponent(nodes: all, component: 0, value: 0),
                              PrescribedComponent(nodes: all, component: 1, value: 0),
                              PrescribedComponent(nodes: try mesh.nodes(ofSurface: "bottom"), component: 2, value: 0)]
        problem.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "top"), component: 0, value: 0)]
        return problem
    }

    /// Mass conservation row: cumulative outflow + mixture volume change = 0 (the volume change of
    /// the cells that carry fluid: a solid-only cell's change is not fluid's).
    static func massRow(_ problem: String, _ p: BiphasicProblem, _ h: History) throws -> VerificationRow {
        let dv = try p.fluidVolumeChange(state: h.states.last!, time: h.times.last!)
        let out = h.outflow.last!
        let err = abs(out + dv) / max(abs(dv), 1e-300)
        return VerificationRow(problem: problem, quantity: "fluid volume out of boundary (mm^3) vs -(mixture volume change)",
                               ours: out, reference: -dv, error: err, tolerance: 1e-8)
    }

    // MARK: - Problems

    /// Confined compression ramp–relax (bp04, LITERATURE.md): unit cube, E = 1 MPa,
    /// ν = 0, φ0 = 0.2, k = 1e-3 mm⁴/(N·s), top drained, −0.1 mm over 100 s, held
    /// to 1000 s; reaction stress at t = 100, 200, 1000 s against Mow et al. 1980
    /// (0.3568, 0.1483, 0.1000 MPa), within 1%; plus mass conservation.
    ///
    /// With `finiteStrain`, the solid is FEBio's neo-Hookean and the reaction
    /// stresses are compared with FEBio's published bp04 results (0.3446, 0.1418,
    /// 0.10556 MPa, LITERATURE.md) — a cross-code check of the finite-strain
    /// formulation, within 1% (the FEBio run's mesh and steps are not known).
    ///
    /// `newton`: the Newton solver to run with (default a new one); given, its statistics
    /// (time per phase, iterations) can be read afterwards (benchmarks).
    public static func confinedRampRelax(cells: Int = 8, timeStep: Double = 1, finiteStrain: Bool = false,
                                         newton: NewtonSolver? = nil) throws -> [VerificationRow] {
        let solid: any SolidMaterial = finiteStrain ? try NeoHookean(youngsModulus: 1, poissonRatio: 0) : try IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0)
        let law = try BiphasicMaterial(solid: solid, permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let p = try confinedColumn(height: 1, cells: cells, material: law, finiteStrain: finiteStrain, grading: 0.2)
        let top = try p.mesh.nodes(ofSurface: "top")
        p.prescribed.append(PrescribedComponent(nodes: top, component: 2, value: -0.1, curve: try LoadCurve(points: [(0, 0), (100, 1)])))
        try p.prepare()
        let h = try run(p, phases: [Phase(end: 100, initial: timeStep, max: timeStep, growth: 1),
                                    Phase(end: 200, initial: timeStep / 8, max: timeStep, growth: 1.1),
                                    Phase(end: 1000, initial: timeStep, max: 50 * timeStep, growth: 1.3)],
                        reactionSets: [(top, 2)], newton: newton)
        let reference = PoroelasticClosedForm.ConfinedRampRelax(height: 1, aggregateModulus: 1, permeability: 1e-3, depth: 0.1, rampTime: 100)
        var rows: [VerificationRow] = []
        for t in [100.0, 200, 1000] {
            guard let i = h.times.firstIndex(where: { abs($0 - t) < 1e-9 }) else { continue }
            let ours = -h.reactions[i][0]
            if finiteStrain {
                let febio = [100.0: 0.3446, 200: 0.1418, 1000: 0.10556][t]!
                rows.append(VerificationRow(problem: "confined ramp-relax (bp04), neo-Hookean", quantity: "reaction stress at t=\(Int(t)) s (MPa) vs FEBio",
                                            ours: ours, reference: febio, error: abs(ours - febio) / febio, tolerance: 0.01))
                continue
            }
            let ref = reference.stress(t: t)
            rows.append(VerificationRow(problem: "confined ramp-relax (bp04)", quantity: "reaction stress at t=\(Int(t)) s (MPa)",
                                        ours: ours, reference: ref, error: abs(ours - ref) / abs(ref), tolerance: 0.01))
        }
        rows.append(try massRow(finiteStrain ? "confined ramp-relax (bp04), neo-Hookean" : "confined ramp-relax (bp04)", p, h))
        return rows
    }

    /// Terzaghi confined-compression creep: column h = 1 mm, E = 1 MPa, ν = 0,
    /// k = 1e-3, step stress 0.1 MPa on the drained top. Errors over the whole
    /// creep (every accepted step for the surface displacement, normalized by the
    /// final settlement; the pressure profile at the corner nodes at output
    /// times `c t/h²` ∈ {0.01 … 2}, normalized by the applied stress), within 1%.
    public static func terzaghiCreep(cells: Int = 12, growth: Double = 1.05, maxStep: Double = 10) throws -> [VerificationRow] {
        let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0),
                                       permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let p = try confinedColumn(height: 1, cells: cells, material: law, finiteStrain: false, grading: 0.25)
        let mesh = p.mesh
        let sigma0 = 0.1
        var forces = [SIMD3<Double>](repeating: .zero, count: mesh.nodeCount)
        try SurfaceLoads.pressure(sigma0, mesh: mesh, surface: "top", into: &forces)
        p.loads = [NodalLoad(nodalForces: forces)]
        try p.prepare()
        let outputs = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2].map { $0 * 1000 }
        let h = try run(p, phases: [Phase(end: 2000, initial: 0.05, max: maxStep, growth: growth)], mustPoints: outputs)
        let ref = PoroelasticClosedForm.ConfinedCreep(height: 1, aggregateModulus: 1, permeability: 1e-3, stress: sigma0)
        let topNode = nodes(mesh) { $0.z == 1 && $0.x == 0 && $0.y == 0 }[0]
        let column = nodes(mesh) { $0.x == 0 && $0.y == 0 }.filter { p.pressureDof(node: $0) != nil }
        let uInf = sigma0 / 1
        var uErr = 0.0, uAt = (0.0, 0.0)
        var pErr = 0.0, pAt = (0.0, 0.0)
        for (i, t) in h.times.enumerated() where t >= 1 - 1e-9 {
            let v = p.dofValues(unknowns: h.states[i], time: t)
            let u = v[p.displacementDof(node: topNode, component: 2)]
            let e = abs(u - ref.topDisplacement(t: t)) / uInf
            if e > uErr { uErr = e; uAt = (u, ref.topDisplacement(t: t)) }
            if outputs.contains(where: { abs($0 - t) < 1e-9 }) {
                for node in column {
                    let z = mesh.nodes[node].z
                    let pf = v[p.pressureDof(node: node)!], pr = ref.pressure(z: z, t: t)
                    let e = abs(pf - pr) / sigma0
                    if e > pErr { pErr = e; pAt = (pf, pr) }
                }
            }
        }
        return [VerificationRow(problem: "Terzaghi creep", quantity: "top displacement (mm), max error / final settlement, all steps c t/h^2 in [1e-3, 2]",
                                ours: uAt.0, reference: uAt.1, error: uErr, tolerance: 0.01),
                VerificationRow(problem: "Terzaghi creep", quantity: "pressure profile (MPa), max error / applied stress, c t/h^2 in [0.01, 2]",
                                ours: pAt.0, reference: pAt.1, error: pErr, tolerance: 0.01),
                try massRow("Terzaghi creep", p, h)]
    }

    /// Terzaghi creep on a solid base: the Terzaghi column (h = 1 mm, E = 1 MPa, ν = 0,
    /// k = 1e-3 mm⁴/(N·s), 0.1 MPa on the drained top) resting on a layer of solid without pore
    /// fluid (``BiphasicMaterial/init(solidOnly:)``; thickness 0.5 mm, E = 10 MPa, ν = 0), whose
    /// base is held. The solid carries no flow, so the column sees an impermeable base —
    /// Terzaghi's own boundary — and the solid compresses at once, confined, by `σ L_b / E_b`:
    /// - top displacement = ``PoroelasticClosedForm/ConfinedCreep/topDisplacement(t:)`` + `σ L_b / E_b`
    ///   at every accepted step (error / final settlement, within 1 %);
    /// - the column's pressure profile at the output times against the closed form (within 1 %
    ///   of the applied stress);
    /// - the pressures only the solid touches stay at 0 (within 1e-12 MPa) and the solid's strain
    ///   is `−σ/E_b` (within 1e-6 relative, the solid being linear and statically determinate);
    /// - mass conservation (the solid adds no fluid volume).
    /// `finiteStrain`: neo-Hookean solids at a 1e-3 MPa load (the closed forms are linear; within
    /// 1 % still).
    public static func terzaghiCreepOnSolidBase(cells: Int = 12, finiteStrain: Bool = false) throws -> [VerificationRow] {
        let sigma0 = finiteStrain ? 1e-3 : 0.1, baseModulus = 10.0, baseHeight = 0.5
        let solid: any SolidMaterial = finiteStrain ? try NeoHookean(youngsModulus: 1, poissonRatio: 0) : try IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0)
        let baseSolid: any SolidMaterial = finiteStrain ? try NeoHookean(youngsModulus: baseModulus, poissonRatio: 0)
            : try IsotropicLinearElastic(youngsModulus: baseModulus, poissonRatio: 0)
        let law = try BiphasicMaterial(solid: solid, permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let base = BiphasicMaterial(solidOnly: baseSolid)
        let column = try Grading.geometric(from: 0, to: 1, cells: cells, ratio: 0.25).coordinates
        let z = try Grading(coordinates: [-baseHeight, -0.5 * baseHeight] + column)
        let mesh = try MeshGenerator.box(x: .uniform(from: 0, to: 1, cells: 1), y: .uniform(from: 0, to: 1, cells: 1), z: z, cellType: .hex20)
        let materials: [BiphasicProblem.CellMaterial?] = (0..<mesh.cellCount).map { .init(law: mesh.centroid(ofCell: $0).z < 0 ? base : law) }
        let p = try BiphasicProblem(mesh: mesh, materials: materials, finiteStrain: finiteStrain)
        let all = Array(0..<mesh.nodeCount)
        p.prescribed = [PrescribedComponent(nodes: all, component: 0, value: 0), PrescribedComponent(nodes: all, component: 1, value: 0),
                        PrescribedComponent(nodes: try mesh.nodes(ofSurface: "bottom"), component: 2, value: 0)]
        p.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "top"), component: 0, value: 0)]
        var forces = [SIMD3<Double>](repeating: .zero, count: mesh.nodeCount)
        try SurfaceLoads.pressure(sigma0, mesh: mesh, surface: "top", into: &forces)
        p.loads = [NodalLoad(nodalForces: forces)]
        try p.prepare()
        let outputs = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2].map { $0 * 1000 }
        let h = try run(p, phases: [Phase(end: 2000, initial: 0.05, max: 10, growth: 1.05)], mustPoints: outputs)
        let ref = PoroelasticClosedForm.ConfinedCreep(height: 1, aggregateModulus: 1, permeability: 1e-3, stress: sigma0)
        let baseSettlement = sigma0 * baseHeight / baseModulus
        let topNode = nodes(mesh) { $0.z == 1 && $0.x == 0 && $0.y == 0 }[0]
        let interfaceNode = nodes(mesh) { $0.z == 0 && $0.x == 0 && $0.y == 0 }[0]
        let columnNodes = nodes(mesh) { $0.x == 0 && $0.y == 0 && $0.z >= 0 }.filter { p.pressureDof(node: $0) != nil }
        let solidOnly = nodes(mesh) { $0.z < 0 }.compactMap { p.pressureDof(node: $0) }
        let name = finiteStrain ? "Terzaghi creep on a solid base, neo-Hookean" : "Terzaghi creep on a solid base"
        let uInf = sigma0 / 1
        var uErr = 0.0, uAt = (0.0, 0.0), pErr = 0.0, pAt = (0.0, 0.0), strainErr = 0.0, strainAt = 0.0, basePressure = 0.0
        for (i, t) in h.times.enumerated() where t >= 1 - 1e-9 {
            let v = p.dofValues(unknowns: h.states[i], time: t)
            let uTop = v[p.displacementDof(node: topNode, component: 2)], refTop = ref.topDisplacement(t: t) - baseSettlement
            let e = abs(uTop - refTop) / uInf
            if e > uErr { uErr = e; uAt = (uTop, refTop) }
            let strain = v[p.displacementDof(node: interfaceNode, component: 2)] / baseHeight
            let se = abs(strain + sigma0 / baseModulus) / (sigma0 / baseModulus)
            if se > strainErr { strainErr = se; strainAt = strain }
            for d in solidOnly { basePressure = max(basePressure, abs(v[d])) }
            if outputs.contains(where: { abs($0 - t) < 1e-9 }) {
                for node in columnNodes {
                    let pf = v[p.pressureDof(node: node)!], pr = ref.pressure(z: mesh.nodes[node].z, t: t)
                    let e = abs(pf - pr) / sigma0
                    if e > pErr { pErr = e; pAt = (pf, pr) }
                }
            }
        }
        return [VerificationRow(problem: name, quantity: "top displacement (mm), max error / final settlement, all steps c t/h^2 in [1e-3, 2]",
                                ours: uAt.0, reference: uAt.1, error: uErr, tolerance: 0.01),
                VerificationRow(problem: name, quantity: "pressure profile (MPa), max error / applied stress, c t/h^2 in [0.01, 2]",
                                ours: pAt.0, reference: pAt.1, error: pErr, tolerance: 0.01),
                VerificationRow(problem: name, quantity: "solid base strain vs -sigma/E_b, max relative error, all steps",
                                ours: strainAt, reference: -sigma0 / baseModulus, error: strainErr, tolerance: finiteStrain ? 1e-3 : 1e-6),
                VerificationRow(problem: name, quantity: "largest pressure only the solid touches (MPa), held at 0",
                                ours: basePressure, reference: 0, error: basePressure, tolerance: 1e-12),
                try massRow(name, p, h)]
    }

    /// Confined creep through a semi-permeable top (``FluidExchange``, conductance
    /// `L = k/h`, Biot number 1): top displacement and pressure profile against
    /// ``PoroelasticClosedForm/ConfinedCreepSemiPermeable`` within 1%, and mass
    /// conservation with the exchange outflow.
    public static func semiPermeableCreep(cells: Int = 8, growth: Double = 1.05, maxStep: Double = 10) throws -> [VerificationRow] {
        let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: 0),
                                       permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let p = try confinedColumn(height: 1, cells: cells, material: law, finiteStrain: false)
        p.drained = []
        let mesh = p.mesh
        let sigma0 = 0.1, conductance = 1e-3
        p.exchanges = [try FluidExchange(mesh: mesh, surface: "top", conductance: conductance)]
        var forces = [SIMD3<Double>](repeating: .zero, count: mesh.nodeCount)
        try SurfaceLoads.pressure(sigma0, mesh: mesh, surface: "top", into: &forces)
        p.loads = [NodalLoad(nodalForces: forces)]
        try p.prepare()
        let outputs = [0.05, 0.1, 0.2, 0.5, 1, 2].map { $0 * 1000 }
        let h = try run(p, phases: [Phase(end: 3000, initial: 0.05, max: maxStep, growth: growth)], mustPoints: outputs)
        let ref = PoroelasticClosedForm.ConfinedCreepSemiPermeable(height: 1, aggregateModulus: 1, permeability: 1e-3, conductance: conductance, stress: sigma0)
        let topNode = nodes(mesh) { $0.z == 1 && $0.x == 0 && $0.y == 0 }[0]
        let column = nodes(mesh) { $0.x == 0 && $0.y == 0 }.filter { p.pressureDof(node: $0) != nil }
        var uErr = 0.0, uAt = (0.0, 0.0), pErr = 0.0, pAt = (0.0, 0.0)
        for (i, t) in h.times.enumerated() where t >= 1 - 1e-9 {
            let v = p.dofValues(unknowns: h.states[i], time: t)
            let u = v[p.displacementDof(node: topNode, component: 2)], ur = ref.topDisplacement(t: t)
            if abs(u - ur) / sigma0 > uErr { uErr = abs(u - ur) / sigma0; uAt = (u, ur) }
            guard outputs.contains(where: { abs($0 - t) < 1e-9 }) else { continue }
            for node in column {
                let pf = v[p.pressureDof(node: node)!], pr = ref.pressure(z: mesh.nodes[node].z, t: t)
                if abs(pf - pr) / sigma0 > pErr { pErr = abs(pf - pr) / sigma0; pAt = (pf, pr) }
            }
        }
        return [VerificationRow(problem: "creep, semi-permeable top (Bi=1)", quantity: "top displacement (mm), max error / final settlement, c t/h^2 in [1e-3, 3]",
                                ours: uAt.0, reference: uAt.1, error: uErr, tolerance: 0.01),
                VerificationRow(problem: "creep, semi-permeable top (Bi=1)", quantity: "pressure profile (MPa), max error / applied stress, c t/h^2 in [0.05, 2]",
                                ours: pAt.0, reference: pAt.1, error: pErr, tolerance: 0.01),
                try massRow("creep, semi-permeable top (Bi=1)", p, h)]
    }

    /// Mandel's problem, plane strain, quarter model `a = b = 1` mm (thickness 0.1 mm):
    /// E = 1 MPa, ν = 0, k = 1e-3, mean plate stress σ0 = 0.1 MPa applied as a
    /// step force on a rigid impermeable frictionless plate; lateral face drained.
    /// Rows: centre-pressure peak (Mandel–Cryer overshoot) and the whole decay
    /// (max error / p0 over `c t/a²` ∈ [0.005, 1.5]) within 2%, and the spatial
    /// oscillation of the pressure (spread across y at fixed x / p0, plus
    /// violations of monotone decrease in x, at every output time).
    public static func mandel(cellsX: Int = 8, cellsY: Int = 2, poissonRatio nu: Double = 0, growth: Double = 1.25) throws -> [VerificationRow] {
        let a = 1.0, thickness = 0.1, sigma0 = 0.1
        let mesh = try MeshGenerator.box(x: .geometric(from: 0, to: a, cells: cellsX, ratio: 0.2), y: .uniform(from: 0, to: 1, cells: cellsY),
                                         z: .uniform(from: 0, to: thickness, cells: 1), cellType: .hex20)
        let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: nu),
                                       permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: false)
        let all = Array(0..<mesh.nodeCount)
        let top = try mesh.nodes(ofSurface: "y+")
        p.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x-"), component: 0, value: 0),
                        PrescribedComponent(nodes: try mesh.nodes(ofSurface: "y-"), component: 1, value: 0),
                        PrescribedComponent(nodes: all, component: 2, value: 0)]
        p.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "x+"), component: 0, value: 0)]
        p.ties = [TiedComponent(nodes: top, component: 1)]
        p.loads = [NodalLoad(nodes: [top[0]], forces: [SIMD3(0, -sigma0 * a * thickness, 0)])]
        try p.prepare()
        let ref = PoroelasticClosedForm.Mandel(halfWidth: a, youngsModulus: 1, poissonRatio: nu, permeability: 1e-3, stress: sigma0)
        let tScale = a * a / ref.consolidationCoefficient
        let outputs = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 1.5].map { $0 * tScale }
        let h = try run(p, phases: [Phase(end: 1.5 * tScale, initial: 1e-4 * tScale, max: 0.025 * tScale, growth: growth)], mustPoints: outputs)
        let p0 = ref.initialPressure
        let centre = nodes(mesh) { $0.x == 0 && $0.y == 0 && $0.z == 0 }[0]
        var peakOurs = 0.0, peakRef = 0.0, decayErr = 0.0, decayAt = (0.0, 0.0)
        var spread = 0.0, nonMonotone = 0.0
        let pNodes = (0..<mesh.nodeCount).filter { p.pressureDof(node: $0) != nil && mesh.nodes[$0].z == 0 }
        let xs = Array(Set(pNodes.map { mesh.nodes[$0].x })).sorted()
        for (i, t) in h.times.enumerated() where t >= 0.005 * tScale - 1e-9 {
            let v = p.dofValues(unknowns: h.states[i], time: t)
            let pc = v[p.pressureDof(node: centre)!], pr = ref.pressure(x: 0, t: t)
            peakOurs = max(peakOurs, pc / p0); peakRef = max(peakRef, pr / p0)
            let e = abs(pc - pr) / p0
            if e > decayErr { decayErr = e; decayAt = (pc, pr) }
            guard outputs.contains(where: { abs($0 - t) < 1e-9 }) else { continue }
            var previousMean = Double.infinity
            for x in xs {
                let vals = pNodes.filter { mesh.nodes[$0].x == x }.map { v[p.pressureDof(node: $0)!] }
                spread = max(spread, (vals.max()! - vals.min()!) / p0)
                let mean = vals.reduce(0, +) / Double(vals.count)
                nonMonotone = max(nonMonotone, (mean - previousMean) / p0)
                previousMean = mean
            }
        }
        return [VerificationRow(problem: "Mandel (nu=\(nu))", quantity: "centre pressure peak / p0 (Mandel-Cryer)",
                                ours: peakOurs, reference: peakRef, error: abs(peakOurs - peakRef) / peakRef, tolerance: 0.02),
                VerificationRow(problem: "Mandel (nu=\(nu))", quantity: "centre pressure (MPa), max error / p0, c t/a^2 in [0.005, 1.5]",
                                ours: decayAt.0, reference: decayAt.1, error: decayErr, tolerance: 0.02),
                VerificationRow(problem: "Mandel (nu=\(nu))", quantity: "pressure oscillation: max rise along x / p0 (monotone profile expected)",
                                ours: nonMonotone, reference: 0, error: max(nonMonotone, 0), tolerance: 1e-3),
                VerificationRow(problem: "Mandel (nu=\(nu))", quantity: "pressure spread across y at fixed x / p0 (exact: 0)",
                                ours: spread, reference: 0, error: spread, tolerance: 0.02)]
    }

    /// Unconfined compression of a disk (bp05 geometry): radius 3 mm, height 1 mm,
    /// E = 1 MPa, ν = 0.1, k = 1e-3, step axial strain between frictionless
    /// impermeable platens, lateral surface drained. Rows: `F(0⁺)/F(∞)` against
    /// `3/(2(1+ν))` (1%), and the force transient against Armstrong et al. 1984
    /// (max error / F(∞) over `c t/a²` ≥ 1e-3, 2%).
    ///
    /// `newton`: the Newton solver to run with (default a new one), as in ``confinedRampRelax(cells:timeStep:finiteStrain:newton:)``.
    public static func unconfinedCompression(around: Int = 16, radial: Int = 4, growth: Double = 1.3,
                                             newton: NewtonSolver? = nil) throws -> [VerificationRow] {
        let a = 3.0, height = 1.0, nu = 0.1, strain = 0.01
        // The step is a ramp over 1e-7 of the consolidation time a²/(H_A k): undrained.
        let tScale = a * a / (1e-3 * (1 - nu) / ((1 + nu) * (1 - 2 * nu)))
        let rampTime = 1e-7 * tScale
        let mesh = try MeshGenerator.cylinder(radius: a, height: height, inner: nil, outerName: "disk", around: around, radial: radial,
                                              layers: 1, cellType: .hex20)
        let law = try BiphasicMaterial(solid: IsotropicLinearElastic(youngsModulus: 1, poissonRatio: nu),
                                       permeability: .constant(k0: 1e-3), solidVolumeFraction: 0.2)
        let p = try BiphasicProblem(mesh: mesh, materials: [.init(law: law)], finiteStrain: false)
        let top = try mesh.nodes(ofSurface: "top")
        let tol = 1e-9 * a
        p.prescribed = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "bottom"), component: 2, value: 0),
                        PrescribedComponent(nodes: top, component: 2, value: -strain * height, curve: try LoadCurve(points: [(0, 0), (rampTime, 1)])),
                        PrescribedComponent(nodes: nodes(mesh) { abs($0.x) < tol }, component: 0, value: 0),
                        PrescribedComponent(nodes: nodes(mesh) { abs($0.y) < tol }, component: 1, value: 0)]
        p.drained = [PrescribedComponent(nodes: try mesh.nodes(ofSurface: "outer"), component: 0, value: 0)]
        try p.prepare()
        let ref = PoroelasticClosedForm.UnconfinedCompression(radius: a, youngsModulus: 1, poissonRatio: nu, permeability: 1e-3, strain: strain)
        let h = try run(p, phases: [Phase(end: 5 * tScale, initial: rampTime, max: 0.2 * tScale, growth: growth)],
                        mustPoints: [1e-3, 1e-2, 0.1, 1].map { $0 * tScale }, reactionSets: [(top, 2)], newton: newton)
        let fInf = ref.equilibriumForce
        let f0 = -h.reactions[1][0], fEnd = -h.reactions.last![0]
        let ratio = f0 / fEnd, ratioRef = 3 / (2 * (1 + nu))
        var err = 0.0, at = (0.0, 0.0)
        for (i, t) in h.times.enumerated() where t >= 1e-3 * tScale - 1e-9 {
            let f = -h.reactions[i][0], fr = ref.force(t: t)
            let e = abs(f - fr) / fInf
            if e > err { err = e; at = (f, fr) }
        }
        return [VerificationRow(problem: "unconfined compression (bp05)", quantity: "F(0+)/F(inf)",
                                ours: ratio, reference: ratioRef, error: abs(ratio - ratioRef) / ratioRef, tolerance: 0.01),
                VerificationRow(problem: "unconfined compression (bp05)", quantity: "F(inf) (N) vs E eps pi a^2",
                                ours: fEnd, reference: fInf, error: abs(fEnd - fInf) / fInf, tolerance: 0.01),
                VerificationRow(problem: "unconfined compression (bp05)", quantity: "force (N) vs Armstrong 1984, max error / F(inf)",
                                ours: at.0, reference: at.1, error: err, tolerance: 0.02)]
    }

    /// Donnan free swelling in confined geometry, finite strain: column 1 mm,
    /// neo-Hookean E = 1 MPa, ν = 0, φ0 = 0.2, k = 1e-3, c_F0 = −200 mM, bath
    /// 150 mM, T = 293 K (the mp01 charge and bath, LITERATURE.md), top drained
    /// and traction free; equilibrium stretch against the closed-form balance
    /// ``PoroelasticClosedForm/confinedSwellingStretch(youngsModulus:poissonRatio:osmosis:solidVolumeFraction:)``,
    /// the reference osmotic pressure against 0.1475 MPa, and mass conservation.
    public static func donnanSwelling(cells: Int = 4) throws -> [VerificationRow] {
        let osmosis = try DonnanOsmosis(fixedChargeDensity: -200, bathConcentration: 150, temperature: 293)
        let law = try BiphasicMaterial(solid: NeoHookean(youngsModulus: 1, poissonRatio: 0), permeability: .constant(k0: 1e-3),
                                       solidVolumeFraction: 0.2, osmosis: osmosis)
        let p = try confinedColumn(height: 1, cells: cells, material: law, finiteStrain: true)
        try p.prepare()
        var newton = NewtonOptions()
        newton.maxIterations = 40
        newton.relativeTolerance = 1e-12
        let h = try run(p, phases: [Phase(end: 20_000, initial: 1, max: 2000, growth: 1.3)], newtonOptions: newton)
        let stretch = PoroelasticClosedForm.confinedSwellingStretch(youngsModulus: 1, poissonRatio: 0, osmosis: osmosis, solidVolumeFraction: 0.2)
        let topNode = nodes(p.mesh) { $0.z == 1 && $0.x == 0 && $0.y == 0 }[0]
        let v = p.dofValues(unknowns: h.states.last!, time: h.times.last!)
        let ours = 1 + v[p.displacementDof(node: topNode, component: 2)]
        let pi0 = osmosis.pressure(J: 1, solidVolumeFraction: 0.2).value
        return [VerificationRow(problem: "Donnan osmotic pressure (mp01)", quantity: "Delta pi at reference (MPa)",
                                ours: pi0, reference: 0.1475, error: abs(pi0 - 0.1475) / 0.1475, tolerance: 1e-3),
                VerificationRow(problem: "Donnan confined free swelling", quantity: "equilibrium stretch J",
                                ours: ours, reference: stretch, error: abs(ours - stretch) / (stretch - 1), tolerance: 0.01),
                try massRow("Donnan confined free swelling", p, h)]
    }
}
