import Foundation
import FiniteElements

/// Verification of the solute transport against closed forms and independent
/// references — the rows that `spinetraction verify` prints for transport, and the
/// problems the tests run. Every problem is a 1D-like column of hex8 cells
/// (`n × 1 × 1`) so the whole set runs in well under a second in release builds.
///
/// ```swift
/// for r in try TransportVerification.allProblems() { print(r) }
/// ```
public enum TransportVerification {
    /// One verified quantity (the shared ``VerificationRow`` of `spinetraction verify`).
    public typealias Result = VerificationRow

    /// All transport verification problems (slab diffusion, Michaelis–Menten
    /// reaction–diffusion, steady advection–diffusion at Pe 0.1/10/1000, conservation).
    public static func allProblems() throws -> [Result] {
        var rows = try slabDiffusion()
        rows += try michaelisMenten()
        for pe in [0.1, 10, 1000] { rows += try advectionDiffusion(peclet: pe) }
        rows += try conservation()
        rows += try conservation(cellwiseFlux: true)
        return rows
    }

    /// The transport problems as `(name, run)` pairs for `spinetraction verify` (which
    /// concatenates them to its own list; the same meshes in quick and full runs — the 1D
    /// problems take a fraction of a second in release builds, ``discPlausibility(_:)`` about
    /// 0.5 s).
    public static func commandLineProblems() -> [(String, () throws -> [VerificationRow])] { [
        ("slab diffusion", { try slabDiffusion() }),
        ("Michaelis–Menten reaction–diffusion", { try michaelisMenten() }),
        ("advection–diffusion Pe 0.1", { try advectionDiffusion(peclet: 0.1) }),
        ("advection–diffusion Pe 10", { try advectionDiffusion(peclet: 10) }),
        ("advection–diffusion Pe 1000", { try advectionDiffusion(peclet: 1000) }),
        ("solute conservation", { try conservation() }),
        ("solute conservation, cell-wise flux", { try conservation(cellwiseFlux: true) }),
        ("disc nutrition plausibility", { try discPlausibility() }),
    ] }

    // MARK: - Closed forms

    /// Series solution of a slab `−h ≤ z ≤ h` initially at `c0`, both faces held at `cb`
    /// from `t = 0` (Crank 1975, eq. 4.17): `c = cb + (c0 − cb)·Σ 4(−1)^m/((2m+1)π)·cos((2m+1)πz/2h)·exp(−(2m+1)²π²Dt/4h²)`.
    /// Equivalently a column `0 ≤ z ≤ h` with an impermeable base at `z = 0` and the top held (bs01 in LITERATURE.md).
    /// - Parameters: `z` (mm, from the mid-plane), `t` (s), `h` half thickness (mm), `D` (mm²/s), `c0`, `cb` (mM).
    public static func slabSeries(z: Double, t: Double, halfThickness h: Double, diffusivity D: Double, initial c0: Double, boundary cb: Double) -> Double {
        var s = 0.0
        for m in 0..<400 {
            let k = Double(2 * m + 1)
            let term = 4 * (m % 2 == 0 ? 1.0 : -1.0) / (k * .pi) * cos(k * .pi * z / (2 * h)) * exp(-k * k * .pi * .pi * D * t / (4 * h * h))
            s += term
            if abs(term) < 1e-17 && m > 3 { break }
        }
        return cb + (c0 - cb) * s
    }

    /// Steady advection–diffusion on `0 ≤ x ≤ L` with `c(0) = 0`, `c(L) = 1` and Péclet number
    /// `Pe = wL/D`: `c = (exp(Pe·x/L) − 1)/(exp(Pe) − 1)`, evaluated without overflow.
    public static func steadyAdvectionDiffusion(x: Double, length L: Double, peclet pe: Double) -> Double {
        (exp(pe * (x / L - 1)) - exp(-pe)) / (1 - exp(-pe))
    }

    /// Parameters of the Michaelis–Menten reference: `D c'' = V c/(K + c)`, `c(0) = c0`, `c'(L) = 0`
    /// (the same as `Tests/BiomechanicsTests/Data/transport_mm_reference.py`).
    public static let michaelisMentenParameters = (D: 1.0e-3, V: 4.0e-4, K: 0.5, c0: 4.0, L: 5.0)

    /// An independent reference for the Michaelis–Menten problem: second-order finite
    /// differences on `n` and `2n` intervals, each solved by Newton to 1e-14, combined by
    /// Richardson extrapolation (fourth order). Returns `c` (mM) at `points` equally
    /// spaced samples of `[0, L]` (`n` must be a multiple of `points − 1`).
    public static func michaelisMentenFiniteDifference(intervals n: Int = 16000, points: Int = 201) -> [Double] {
        let p = michaelisMentenParameters
        func solve(_ n: Int) -> [Double] {
            let h = p.L / Double(n)
            var c = [Double](repeating: p.c0, count: n + 1)
            for _ in 0..<50 {
                // Residual r_i = D(c_{i-1} − 2c_i + c_{i+1})/h² − f(c_i), i = 1…n (ghost c_{n+1} = c_{n−1}).
                var lower = [Double](repeating: 0, count: n + 1), diag = lower, upper = lower, rhs = lower
                var rmax = 0.0
                for i in 1...n {
                    let cm = c[i - 1], cp = i < n ? c[i + 1] : c[n - 1]
                    let f = p.V * c[i] / (p.K + c[i]), df = p.V * p.K / ((p.K + c[i]) * (p.K + c[i]))
                    let r = p.D * (cm - 2 * c[i] + cp) / (h * h) - f
                    rmax = max(rmax, abs(r))
                    diag[i] = -2 * p.D / (h * h) - df
                    lower[i] = i > 1 ? p.D / (h * h) : 0
                    upper[i] = i < n ? p.D / (h * h) : 0
                    if i == n { lower[i] = 2 * p.D / (h * h) }
                    rhs[i] = -r
                }
                // Thomas algorithm on rows 1…n.
                for i in 2...n {
                    let m = lower[i] / diag[i - 1]
                    diag[i] -= m * upper[i - 1]
                    rhs[i] -= m * rhs[i - 1]
                }
                var dx = [Double](repeating: 0, count: n + 1)
                dx[n] = rhs[n] / diag[n]
                var i = n - 1
                while i >= 1 { dx[i] = (rhs[i] - upper[i] * dx[i + 1]) / diag[i]; i -= 1 }
                var dmax = 0.0
                for i in 1...n { c[i] += dx[i]; dmax = max(dmax, abs(dx[i])) }
                if dmax < 1e-14 { break }
            }
            return c
        }
        let coarse = solve(n), fine = solve(2 * n)
        let stride = n / (points - 1)
        return (0..<points).map { k in (4 * fine[2 * k * stride] - coarse[k * stride]) / 3 }
    }

    // MARK: - Problems

    /// A column `0 ≤ x ≤ length` of `cells` cells of `cellType` (`n × 1 × 1`, cross-section 1 × 1 mm).
    static func column(length: Double, cells: Int, grading: Grading? = nil, cellType: CellType = .hex8) throws -> Mesh {
        try MeshGenerator.box(x: grading ?? .uniform(from: 0, to: length, cells: cells), y: .uniform(from: 0, to: 1, cells: 1),
                              z: .uniform(from: 0, to: 1, cells: 1), cellType: cellType)
    }

    /// Nodal values along the column's axis (the `y = z = 0` edge), sorted by x: `(x, c)`.
    static func profile(_ p: SoluteTransportProblem, solute: String) throws -> [(x: Double, c: Double)] {
        let v = try p.nodalValues(solute: solute)
        return p.mesh.nodes.indices.filter { p.mesh.nodes[$0].y == 0 && p.mesh.nodes[$0].z == 0 }
            .map { (p.mesh.nodes[$0].x, v[$0]) }.sorted { $0.x < $1.x }
    }

    /// Slab diffusion, the bs01 benchmark of LITERATURE.md: a unit column (`h = 1` mm,
    /// `D = 1e-3` mm²/s) initially at 0 with its top held at 1 and its base impermeable
    /// (half of a slab of thickness 2h), 20 cells, Δt = 2.5 s backward Euler; the profile is
    /// compared with ``slabSeries(z:t:halfThickness:diffusivity:initial:boundary:)`` at 250, 500
    /// and 1000 s. Error: largest nodal difference / |c0 − cb|; tolerance 0.5 %.
    /// `cellType` `.hex20` runs the same problem on quadratic cells.
    public static func slabDiffusion(cells: Int = 20, timeStep: Double = 2.5, cellType: CellType = .hex8) throws -> [Result] {
        let h = 1.0, d = 1e-3
        let mesh = try column(length: h, cells: cells, cellType: cellType)
        let problem = try SoluteTransportProblem(
            mesh: mesh, solutes: [Solute(name: "c", materials: [("all", SoluteMaterial(diffusivity: .constant(d)))], initialConcentration: 0)],
            boundaryConditions: [.concentration(solute: "c", surface: "x+", value: 1)])
        var rows: [Result] = []
        for target in [250.0, 500, 1000] {
            while problem.time < target - 1e-9 { try problem.step(min(timeStep, target - problem.time)) }
            var worst = 0.0, at = (ours: 0.0, ref: 0.0, x: 0.0)
            for (x, c) in try profile(problem, solute: "c") {
                // Column coordinate x from the impermeable base = distance from the slab's mid-plane.
                let ref = slabSeries(z: x, t: target, halfThickness: h, diffusivity: d, initial: 0, boundary: 1)
                if abs(c - ref) >= worst { worst = abs(c - ref); at = (c, ref, x) }
            }
            let base = try profile(problem, solute: "c")[0].c
            let baseRef = slabSeries(z: 0, t: target, halfThickness: h, diffusivity: d, initial: 0, boundary: 1)
            rows.append(Result(problem: "slab diffusion (bs01)", quantity: "c at base, t = \(Int(target)) s (mM)", ours: base, reference: baseRef,
                               error: abs(base - baseRef), tolerance: 5e-3))
            rows.append(Result(problem: "slab diffusion (bs01)", quantity: "max profile error, t = \(Int(target)) s (worst at x = \(at.x) mm)",
                               ours: at.ours, reference: at.ref, error: worst, tolerance: 5e-3))
        }
        return rows
    }

    /// Steady 1D reaction–diffusion with Michaelis–Menten uptake (``michaelisMentenParameters``)
    /// on 50 hex8 cells against the independent fine finite-difference reference
    /// (``michaelisMentenFiniteDifference(intervals:points:)``; the committed scipy
    /// `solve_bvp` data are compared in the tests). Error: largest nodal difference / c0; tolerance 0.5 %.
    /// `cellType` `.hex20` runs the same problem on quadratic cells.
    public static func michaelisMenten(cells: Int = 50, reference: [Double]? = nil, cellType: CellType = .hex8) throws -> [Result] {
        let p = michaelisMentenParameters
        let problem = try michaelisMentenProblem(cells: cells, cellType: cellType)
        try problem.solveSteady()
        let ref = reference ?? michaelisMentenFiniteDifference()
        var worst = 0.0
        let prof = try profile(problem, solute: "glucose")
        for (x, c) in prof {
            let k = x / p.L * Double(ref.count - 1)
            let i = min(Int(k.rounded(.down)), ref.count - 2), t = k - Double(i)
            let r = ref[i] + t * (ref[i + 1] - ref[i])
            worst = max(worst, abs(c - r) / p.c0)
        }
        let end = prof.last!.c, endRef = ref.last!
        return [Result(problem: "Michaelis–Menten reaction–diffusion", quantity: "c at symmetry plane x = L (mM)", ours: end, reference: endRef,
                       error: abs(end - endRef) / p.c0, tolerance: 5e-3),
                Result(problem: "Michaelis–Menten reaction–diffusion", quantity: "max profile error / c0", ours: worst, reference: 0, error: worst, tolerance: 5e-3)]
    }

    /// The Michaelis–Menten problem (solute `glucose` on region `all`, Dirichlet at `x-`).
    public static func michaelisMentenProblem(cells: Int, cellType: CellType = .hex8) throws -> SoluteTransportProblem {
        let p = michaelisMentenParameters
        return try SoluteTransportProblem(
            mesh: try column(length: p.L, cells: cells, cellType: cellType),
            solutes: [Solute(name: "glucose", materials: [("all", SoluteMaterial(diffusivity: .constant(p.D)))], initialConcentration: p.c0)],
            reactions: [("all", MichaelisMentenUptake(solute: "glucose", maximumRate: p.V, halfSaturation: p.K))],
            boundaryConditions: [.concentration(solute: "glucose", surface: "x-", value: p.c0)])
    }

    /// Steady advection–diffusion at Péclet number `pe = wL/D` (L = 1 mm, D = 1e-3 mm²/s,
    /// 20 hex8 cells, c(0) = 0, c(L) = 1) with SUPG, against
    /// ``steadyAdvectionDiffusion(x:length:peclet:)``. Rows: largest nodal error (tolerance
    /// 0.5 %) and the largest overshoot outside [0, 1] plus non-monotone step (oscillation; tolerance 1e-10).
    /// `cellType` `.hex20` runs the same problem on quadratic cells.
    public static func advectionDiffusion(peclet pe: Double, cells: Int = 20, cellType: CellType = .hex8) throws -> [Result] {
        let problem = try advectionDiffusionProblem(peclet: pe, cells: cells, cellType: cellType)
        try problem.solveSteady()
        let prof = try profile(problem, solute: "c")
        var worst = 0.0, oscillation = 0.0
        for (k, (x, c)) in prof.enumerated() {
            worst = max(worst, abs(c - steadyAdvectionDiffusion(x: x, length: 1, peclet: pe)))
            oscillation = max(oscillation, -c, c - 1)
            if k > 0 { oscillation = max(oscillation, prof[k - 1].c - c) }
        }
        let label = "steady advection–diffusion Pe = \(pe)"
        return [Result(problem: label, quantity: "max nodal error (mM, c ∈ [0, 1])", ours: worst, reference: 0, error: worst, tolerance: 5e-3),
                Result(problem: label, quantity: "overshoot / non-monotonicity (mM)", ours: max(oscillation, 0), reference: 0, error: max(oscillation, 0), tolerance: 1e-10)]
    }

    /// The advection–diffusion problem of ``advectionDiffusion(peclet:cells:)``.
    public static func advectionDiffusionProblem(peclet pe: Double, cells: Int, cellType: CellType = .hex8) throws -> SoluteTransportProblem {
        let d = 1e-3, w = pe * d / 1
        let problem = try SoluteTransportProblem(
            mesh: try column(length: 1, cells: cells, cellType: cellType),
            solutes: [Solute(name: "c", materials: [("all", SoluteMaterial(diffusivity: .constant(d)))])],
            boundaryConditions: [.concentration(solute: "c", surface: "x-", value: 0), .concentration(solute: "c", surface: "x+", value: 1)])
        var state = TissueState()
        state.darcyFlux = { _, _ in SIMD3(w, 0, 0) }
        problem.tissue = state
        return problem
    }

    /// Solute balance over a transient run with moving fluid, uptake and changing porosity:
    /// a 2 mm column, inlet `x-` held at 4 mM, outlet `x+` natural (outflow), Darcy flux
    /// `w = w0·(1 + x/L)·(1 + ½ sin ωt)` with its divergence, capacity = porosity varying in
    /// time, Michaelis–Menten uptake, 60 steps of 5 s. Checks
    /// `content(T) − content(0) = Σ Δt·(Σ_faces inflow − consumption)` over the six faces of the
    /// column; error relative to the total throughput `Σ Δt·(Σ|inflow| + |consumption|)`; tolerance 1e-8.
    public static func conservation(steps: Int = 60, timeStep: Double = 5, cellwiseFlux: Bool = false) throws -> [Result] {
        let (problem, update) = try conservationProblem(cellwiseFlux: cellwiseFlux)
        let content0 = try problem.content(solute: "glucose")
        var balance = 0.0, throughput = 0.0
        for _ in 0..<steps {
            update(problem.time + timeStep)
            try problem.step(timeStep)
            // Net inflow through every face of the column (x−: held at 4 mM; the others natural).
            let flows = try ["x-", "x+", "y-", "y+", "z-", "z+"].map { try problem.boundaryInflow(solute: "glucose", surface: $0) }
            let consumed = try problem.consumptionRate(solute: "glucose")
            balance += timeStep * (flows.reduce(0, +) - consumed)
            throughput += timeStep * (flows.map(abs).reduce(0, +) + abs(consumed))
        }
        let change = try problem.content(solute: "glucose") - content0
        return [Result(problem: cellwiseFlux ? "solute conservation (cell-wise constant fluid flux, uptake, porosity change)"
                                             : "solute conservation (moving fluid, uptake, porosity change)",
                       quantity: "content change vs Σ Δt(inflow − consumed) (nmol)", ours: change, reference: balance,
                       error: abs(change - balance) / throughput, tolerance: 1e-8)]
    }

    /// The conservation problem and a closure that sets the tissue state for a step ending at time `t` (s).
    /// With `cellwiseFlux` the flux is constant in each cell and jumps between cells (as a Darcy
    /// flux `−k∇p` from a cell-wise pressure gradient does) and no divergence is given.
    public static func conservationProblem(cellwiseFlux: Bool = false) throws -> (SoluteTransportProblem, (Double) -> Void) {
        let length = 2.0, w0 = 2e-4, omega = 2 * Double.pi / 150
        let mesh = try column(length: length, cells: 16)
        let problem = try SoluteTransportProblem(
            mesh: mesh,
            solutes: [Solute(name: "glucose", materials: [("all", SoluteMaterial(diffusivity: .mackieMeares(freeDiffusivity: 9e-4), capacityIsPorosity: true))],
                             initialConcentration: 1)],
            reactions: [("all", MichaelisMentenUptake(solute: "glucose", maximumRate: 5e-4, halfSaturation: 0.5))],
            boundaryConditions: [.concentration(solute: "glucose", surface: "x-", value: 4)])
        let nc = mesh.cellCount
        let update: (Double) -> Void = { t in
            var s = TissueState()
            let a = 1 + 0.5 * sin(omega * t)
            s.porosity = (0..<nc).map { c in 0.75 + 0.05 * sin(omega * t + Double(c) * 0.3) }
            if cellwiseFlux {
                s.darcyFlux = { c, _ in SIMD3(w0 * (1 + 0.5 * Double(c % 3)) * a, 0.2 * w0 * Double(c % 2), 0) }
            } else {
                s.darcyFlux = { _, x in SIMD3(w0 * (1 + x.x / length) * a, 0, 0) }
                s.darcyDivergence = { _, _ in w0 / length * a }
            }
            problem.tissue = s
        }
        update(0)
        try? problem.setConcentration(solute: "glucose") { _ in 1 }
        return (problem, update)
    }
}

// MARK: - Disc-level plausibility

extension TransportVerification {
    /// Extremes of one steady disc-nutrition solve: min O₂ (kPa), min glucose (mM), max
    /// lactate (mM), viable fraction, and the `(r, z)` (mm) of the min O₂, min glucose and max
    /// lactate nodes.
    public struct DiscExtremes: Sendable {
        /// Minimum O₂ tension (kPa).
        public var minOxygen: Double
        /// Minimum glucose (mM).
        public var minGlucose: Double
        /// Maximum lactate (mM).
        public var maxLactate: Double
        /// Viable fraction of the tissue (0…1; glucose ≥ 0.5 mM and pH ≥ 6.7).
        public var viable: Double
        /// Exchange area actually open on the endplates (0…1; the mesh quantises the requested one).
        public var openArea: Double
        /// `(r, z)` (mm) of the min O₂, min glucose and max lactate nodes.
        public var places: [SIMD2<Double>]
    }

    /// Solves ``DiscNutritionModel`` (default: its 24 × 8 axisymmetric wedge) to steady state
    /// with the endplates open over `openFraction` and optionally a prescribed fluid flow.
    public static func discSteadyState(_ model: DiscNutritionModel = DiscNutritionModel(), openFraction: Double = 1,
                                       flow: TissueState? = nil) throws -> DiscExtremes {
        try solveDiscSteadyState(model, openFraction: openFraction, flow: flow).extremes
    }

    /// As ``discSteadyState(_:openFraction:flow:)``, also returning the solved problem
    /// (for fluxes and fields).
    public static func solveDiscSteadyState(_ model: DiscNutritionModel = DiscNutritionModel(), openFraction: Double = 1,
                                            flow: TissueState? = nil) throws -> (problem: SoluteTransportProblem, extremes: DiscExtremes) {
        let p = try model.makeProblem(openFraction: openFraction)
        if let flow { p.tissue = flow }
        try p.solveSteady()
        func place(_ s: String, _ largest: Bool) throws -> SIMD2<Double> {
            let x = p.mesh.nodes[try p.extremeNode(solute: s, largest: largest)]
            return SIMD2((x.x * x.x + x.y * x.y).squareRoot(), x.z)
        }
        return (p, DiscExtremes(minOxygen: try p.statistics(solute: "oxygen").min / model.nucleusCells.oxygenSolubility,
                            minGlucose: try p.statistics(solute: "glucose").min, maxLactate: try p.statistics(solute: "lactate").max,
                            viable: try p.viableFraction(metabolism: model.nucleusCells), openArea: p.openAreaFractions.first ?? 1,
                            places: [try place("oxygen", false), try place("glucose", false), try place("lactate", true)]))
    }

    /// The diurnal-sized fluid flow of the Malandrino check: inflow through both endplates,
    /// `w_z = −w0·(z − H/2)/(H/2)`, `∇·w = −2·w0/H`, `w0 = 1.3e-5 mm/s` (≈ 1.5 mm of disc height
    /// exchanged through two endplates over a 16 h day: 0.75 mm / 57 600 s).
    public static func diurnalFlow(height h: Double, peakFlux w0: Double = 1.3e-5) -> TissueState {
        var flow = TissueState()
        flow.darcyFlux = { _, x in SIMD3(0, 0, -w0 * (x.z - h / 2) / (h / 2)) }
        flow.darcyDivergence = { _, _ in -2 * w0 / h }
        return flow
    }

    /// Disc-level plausibility rows against published model results (LITERATURE.md, "Nutrients"),
    /// on ``DiscNutritionModel``'s steady state (24 × 8 hex8 wedge; ≈ 10 steady solves):
    /// - Soukane et al. 2007 (J Biomech 40:2645, abstract): min O₂, min glucose and max lactate
    ///   near the nucleus–annulus boundary at mid-height. Criterion: radial distance of each
    ///   extreme from the boundary ≤ 0.25 R, axial distance from mid-height ≤ 0.1 H.
    /// - Healthy disc: min glucose ≥ the 0.5 mM death threshold, all tissue viable.
    /// - Shirazi-Adl, Taheri & Urban 2010 (J Biomech 43:1330, abstract: "cell death initiated
    ///   first as CEP exchange area dropped below ~40 %"): scanning the open endplate area, the
    ///   last all-viable area and the first with dead cells, each within 0.15 of 0.40. The ±15
    ///   points reflect that their geometry, diffusivities and closure pattern were not
    ///   retrieved; with the sourced Bibby constants the onset lies between 33 % and 26 %.
    /// - Malandrino et al. 2011 (PLoS Comput Biol 7:e1002112: "advection was negligible"):
    ///   relative change of min O₂ and max lactate under ``diurnalFlow(height:peakFlux:)`` < 5 %;
    ///   glucose (3× slower diffusion, Péclet ≈ 0.07) < 15 %.
    public static func discPlausibility(_ model: DiscNutritionModel = DiscNutritionModel()) throws -> [Result] {
        var rows: [Result] = []
        let healthy = try discSteadyState(model)
        let names = ["min O₂", "min glucose", "max lactate"]
        let soukane = "disc nutrition: extremes (Soukane 2007)"
        for (name, at) in zip(names, healthy.places) {
            let dr = abs(at.x - model.nucleusRadius) / model.radius
            rows.append(Result(problem: soukane, quantity: "\(name) at r = \(String(format: "%.2f", at.x)) mm (nucleus edge \(String(format: "%.2f", model.nucleusRadius)), endplate edge \(String(format: "%.2f", model.endplateRadius))): |r − r_nucleus| / R (≤ 0.25)",
                               ours: at.x / model.radius, reference: model.nucleusRadius / model.radius, error: dr, tolerance: 0.25))
            let dz = abs(at.y - model.height / 2) / model.height
            rows.append(Result(problem: soukane, quantity: "\(name) at z = \(String(format: "%.2f", at.y)) mm: |z − H/2| / H (≤ 0.1)",
                               ours: at.y / model.height, reference: 0.5, error: dz, tolerance: 0.1))
        }
        let threshold = model.nucleusCells.glucoseDeathThreshold
        rows.append(Result(problem: "disc nutrition: healthy disc", quantity: "min glucose (mM) ≥ death threshold; error = shortfall",
                           ours: healthy.minGlucose, reference: threshold, error: max(0, threshold - healthy.minGlucose), tolerance: 0))
        rows.append(Result(problem: "disc nutrition: healthy disc", quantity: "viable fraction (1 = all cells alive)",
                           ours: healthy.viable, reference: 1, error: 1 - healthy.viable, tolerance: 0))

        // Exchange-area scan (the same requested areas as the tests).
        var lastAlive = 1.0, firstDead: Double? = nil
        for ea in [0.6, 0.5, 0.4, 0.33, 0.25, 0.2, 0.15] {
            let e = try discSteadyState(model, openFraction: ea)
            if e.viable < 1 { firstDead = e.openArea; break }
            lastAlive = e.openArea
        }
        let shirazi = "disc nutrition: cell death vs endplate area (Shirazi-Adl 2010)"
        rows.append(Result(problem: shirazi, quantity: "last all-viable open area (≈ 0.40 ± 0.15)",
                           ours: lastAlive, reference: 0.4, error: abs(lastAlive - 0.4), tolerance: 0.15))
        rows.append(Result(problem: shirazi, quantity: "first open area with dead cells (≈ 0.40 ± 0.15; none down to 0.15 → ∞)",
                           ours: firstDead ?? .nan, reference: 0.4, error: firstDead.map { abs($0 - 0.4) } ?? .infinity, tolerance: 0.15))

        // Convection.
        let moving = try discSteadyState(model, flow: diurnalFlow(height: model.height))
        let changes = [(names[0], abs(moving.minOxygen - healthy.minOxygen) / healthy.minOxygen, 0.05),
                       (names[1], abs(moving.minGlucose - healthy.minGlucose) / healthy.minGlucose, 0.15),
                       (names[2], abs(moving.maxLactate - healthy.maxLactate) / healthy.maxLactate, 0.05)]
        for (name, change, tol) in changes {
            rows.append(Result(problem: "disc nutrition: convection (Malandrino 2011)", quantity: "\(name): relative change by a diurnal fluid flux",
                               ours: change, reference: 0, error: change, tolerance: tol))
        }
        return rows
    }
}
