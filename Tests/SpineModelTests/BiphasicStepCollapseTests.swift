import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// A confined column, 1 × 1 × 1 mm in 4 hex20 cells, finite strain, neo-Hookean solid E = 1 MPa,
/// ν = 0 (μ = 0.5 MPa, λ = 0), φ0 = 0.5, constant permeability 1 mm⁴/(N s) (consolidation time
/// h²/(H_A k) ≤ 1 s with H_A = dσ/dJ ∈ [1, 2.5] MPa), lateral faces and bottom fixed normal and
/// impermeable, top drained under `pressure` (MPa) following `curve`, steps of at most 2 s down to 1e-7 s.
func compactionColumnModel(pressure: Double, curve: String, duration: Double, outputs: String, extraOutputs: String = "") throws -> Model {
    let json = """
    {"units": "mm-N-s-MPa",
     "mesh": {"generate": {"box": {"size": [1, 1, 1], "divisions": [1, 1, 4], "element": "hex20"}}},
     "kinematics": "finiteStrain", "regions": {"all": "gel"},
     "materials": {"gel": {"type": "biphasic", "phi0": 0.5, "solid": {"type": "neoHookean", "E": 1, "nu": 0},
                           "permeability": {"type": "constant", "k0": 1}}},
     "curves": {"load": \(curve)},
     "boundary": [{"surface": "x-", "fix": ["ux"]}, {"surface": "x+", "fix": ["ux"]},
                  {"surface": "y-", "fix": ["uy"]}, {"surface": "y+", "fix": ["uy"]},
                  {"surface": "bottom", "fix": ["uz"]},
                  {"surface": "top", "pressure": \(pressure), "curve": "load"}, {"surface": "top", "fluidPressure": 0}],
     "steps": [{"name": "load", "duration": \(duration), "dt": 1, "dtMin": 1e-7, "dtMax": 2}],
     "outputs": {"times": \(outputs), "probes": [{"name": "topUz", "field": "uz", "at": [0.5, 0.5, 1]},
                                                 {"name": "bottomP", "field": "p", "at": [0.5, 0.5, 0]}]\(extraOutputs)}}
    """
    return try Model.parse(Data(json.utf8))
}

@Suite("Biphasic step collapse (compacted solid)")
struct BiphasicStepCollapseTests {
    /// The top pressure rises 0 → 1 MPa over 100 s. Drained confined equilibrium of the neo-Hookean
    /// solid (uniaxial stretch J, no lateral strain): σ_zz = μ(J² − 1)/J (FEBio's form, λ = 0), so
    /// J reaches φ0 = 0.5 at σ = 0.5 · 0.75 / 0.5 = 0.75 MPa: t* = 75 s; no admissible state exists
    /// beyond. The ramp is slow against the consolidation time (≤ 1 s): the pore pressure at the
    /// top cell's quadrature points (≤ 0.2 mm below the drained top) is about ε̇ z (2h − z)/(2k)
    /// ≤ 4e-3/s × 0.2 × 1.8 / 2 ≈ 7e-4 MPa, so the solid there lags the load by ≤ 0.1 s
    /// (7e-4 MPa at 0.01 MPa/s): tolerance 0.1 s, the stop after t*. Before the change this run
    /// ended with the untyped `TimeStepperError.stepTooSmall` at t = 75.005 s (main at 63248ce,
    /// `spinetraction run`); now it is ``SimulationError/stepCollapsed(time:step:cause:detail:)``
    /// naming the top cell (index 3: cells are numbered bottom to top) and a J ≤ φ0. Bounded work:
    /// ≤ 50 accepted steps to reach 75 s in steps ≤ 2 s plus a halving approach
    /// (⌈log₂(2 / 1e-7)⌉ = 25) plus one per failed attempt (≤ ``BiphasicSimulation/maxCutsWithoutProgress``
    /// = 100), and ≤ 40 Newton iterations (the solver's limit) per attempt. (This column does not
    /// crawl: its load keeps rising, so even the shortest step needs a Newton iteration and fails
    /// at `dtMin`; the crawl itself — steps accepted without an iteration — is reproduced in
    /// `StepCollapseTests` and measured on the cervical segment in `Benchmarks/results/limits.md`.)
    @Test func compactedColumnStopsWithATypedErrorNearTheDrainedCompactionTime() throws {
        let model = try compactionColumnModel(pressure: 1, curve: "[[0, 0], [100, 1]]", duration: 100, outputs: "[0, 50, 100]")
        let simulation = try BiphasicSimulation(model: model)
        var accepted = 0
        simulation.stepObserver = { _, _, _, _ in accepted += 1 }
        let tStar = 0.75 / 1 * 100
        do {
            _ = try simulation.run()
            Issue.record("the column passed the compaction bound")
        } catch let SimulationError.stepCollapsed(time, step, cause, detail) {
            let stats = simulation.newtonStatistics
            print("stopped at t = \(time) s (t* = \(tStar) s), Δt = \(step) s, \(accepted) accepted steps, \(stats.iterations) Newton iterations, "
                  + "\(stats.evaluations) evaluations: \(cause) [\(detail)]")
            #expect(time >= tStar && time - tStar <= 0.1)
            guard case let .solidCompacted(cell, j, phi) = cause else { Issue.record("cause \(cause)"); return }
            #expect(cell == 3)
            #expect(phi == 0.5 && j <= phi)
            let error = SimulationError.stepCollapsed(time: time, step: step, cause: cause, detail: detail)
            #expect(error.description.contains("element 3") && error.description.contains("t = \(time) s") && error.description.contains("φ0 = 0.5"))
            #expect(accepted <= 50 + 25 + simulation.maxCutsWithoutProgress)
            #expect(stats.iterations <= 40 * (accepted + simulation.maxCutsWithoutProgress))
        }
    }

    /// A run that never compacts is unchanged by the rule: the column under 0.6 MPa (drained
    /// J = 0.566 > φ0) ramped over 10 s and held to 30 s gives the same numbers to 1e-12 (relative)
    /// as main at 63248ce before the rule existed, recorded with `spinetraction run` on the same
    /// model (debug build).
    @Test func aRunThatDoesNotCompactIsUnchanged() throws {
        let model = try compactionColumnModel(pressure: 0.6, curve: "[[0, 0], [10, 1], [30, 1]]", duration: 30, outputs: "[0, 10, 30]",
                                              extraOutputs: #", "surfaces": [{"name": "topOutflow", "surface": "top", "quantity": "fluidVolume"}]"#)
        let simulation = try BiphasicSimulation(model: model)
        let r = try simulation.run()
        let uz = r.probes[0].values.map { $0[0] }, p = r.probes[1].values.map { $0[0] }, v = r.surfaces[0].values.map { $0[0] }
        print(String(format: "steps %d; topUz %.17g %.17g; bottomP %.17g %.17g; topOutflow %.17g %.17g; most cuts without progress %d",
                     r.steps.count, uz[1], uz[2], p[1], p[2], v[1], v[2], simulation.mostCutsWithoutProgress))
        let recorded: [(String, Double, Double)] = [("topUz(10)", uz[1], -0.4309147097561479), ("topUz(30)", uz[2], -0.43380962103078385),
                                                    ("bottomP(10)", p[1], 0.009061172632808253), ("bottomP(30)", p[2], 5.117994261422847e-13),
                                                    ("topOutflow(10)", v[1], -0.4309147097519045), ("topOutflow(30)", v[2], -0.43380962103114035)]
        for (name, ours, main) in recorded { #expect(abs(ours - main) <= 1e-12 * max(abs(main), 1e-30), "\(name): \(ours) vs \(main)") }
        #expect(r.steps.count == 16)
    }

    /// The limit searches read a compacted solve as an inadmissible load: `evaluate` of the column
    /// driven past J = φ0 (the first test) gives the criterion `discCompaction` with the ratio +∞
    /// and nothing else, which ``LimitBracketing`` treats as a failing load.
    @Test func aCompactedSolveIsAnInadmissibleLoadForTheLimitSearch() throws {
        let model = try compactionColumnModel(pressure: 1, curve: "[[0, 0], [100, 1]]", duration: 100, outputs: "[0, 50, 100]")
        let simulation = try Simulation(model: model)
        let start = SimulationState(time: 0, unknowns: [Double](repeating: 0, count: simulation.unknownCount), freeSwelling: nil,
                                    modelKey: try model.freeSwellingKey())
        let values = try MotionSegmentLimitSearch.evaluate(model, from: start, criteria: LimitCriteria())
        #expect(values == [CriterionValue(criterion: LimitCriteria.discCompactionCriterion, ratio: .infinity, marginFraction: 0)])
        #expect(!LimitEvaluation(load: 1, criteria: values).admissible)
    }
}
