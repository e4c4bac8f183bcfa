// BiphasicTiming: issue 4's benchmark numbers in one run. For each biphasic
// problem it prints the wall time of the whole simulated protocol, the Newton
// iterations, the time per iteration, and where the time went (assembly =
// residual + tangent evaluation; the linear solver's analyse, numeric factor
// and solve with iterative refinement), from FiniteElements' NewtonStatistics.
//
// Problems (the builders of Biomechanics' BiphasicVerification and SpineModel's
// default disc, as `spinetraction verify --full` and `spinetraction disc` run them):
//   confined   — confined compression ramp–relax (bp04), 16 graded hex20 cells, Δt = 0.25 s
//                (the `verify --full` mesh; 1% against Mow et al. 1980);
//   unconfined — unconfined compression (bp05), 24 × 12 hex20 cells, growth 1.15
//                (the `verify --full` mesh; 1% on F(0+)/F(∞));
//   disc       — the default L4-L5 disc (DefaultDiscModel), whole 390 s protocol.
// `--small` runs the CI-sized versions: the `verify` (quick) meshes and a coarse disc
// (radial 1, around 8, height 2 divisions) over the 60 s preload only.
//
// Other modes:
//   --dump FILE.mtx [--dump-time T]  write the disc's tangent (Matrix Market, symmetric) at the
//                                    first accepted step at or after T s (default 65: traction ramp),
//                                    and its right-hand side −R as FILE.rhs.mtx, then stop.
//   --matrix FILE.mtx [--repeat N] [--serial-work W]
//                                    analyse once, then factor and solve N times (default 20);
//                                    prints the median of each phase and the solver's report;
//                                    W sets SupernodalLDLT.serialFrontWork (0 = threaded BLAS everywhere;
//                                    also applies to confined/unconfined, not to the disc, whose solver
//                                    BiphasicSimulation makes).
//
//   cd Benchmarks && swift run -c release BiphasicTiming                 # all three, full size
//   swift run -c release BiphasicTiming --problem disc                    # one
//   swift run -c release BiphasicTiming --small                           # CI sizes

import Biomechanics
import FiniteElements
import Foundation
import SparseLinearAlgebra
import SpineModel

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name) else { return nil }
    guard i + 1 < args.count else { fail("\(name): expected a value") }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BiphasicTiming: \(message)\n".utf8))
    exit(2)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

let small = CommandLine.arguments.contains("--small")

/// An `LDLᵀ` solver with `--serial-work` applied (SupernodalLDLT.serialFrontWork), when given.
func makeLDLT() -> SupernodalLDLT {
    let solver = SupernodalLDLT()
    if let w = option("--serial-work") {
        guard let v = Double(w), v >= 0 else { fail("--serial-work: expected a number ≥ 0, got \(w)") }
        solver.serialFrontWork = v
    }
    return solver
}

/// The default disc model; with `coarse`, 1 × 8 × 2 divisions and the preload step only.
func discModel(coarse: Bool) throws -> Model {
    guard coarse else { return try DefaultDiscModel.model() }
    var text = DefaultDiscModel.json
    let divisions = #""divisions": {"radial": 2, "around": 16, "height": 6}"#
    let steps = #"{"name": "traction", "duration": 330, "dt": 1, "dtMin": 0.01, "dtMax": 10}"#
    guard text.contains(divisions), text.contains(steps) else { fail("the default disc model no longer has the expected divisions/steps text") }
    text = text.replacingOccurrences(of: divisions, with: #""divisions": {"radial": 1, "around": 8, "height": 2}"#)
    text = text.replacingOccurrences(of: ",\n            " + steps, with: "")
    return try Model.parse(Data(text.utf8))
}

struct Measurement {
    var name: String
    var unknowns: Int
    /// The linear solver's report after the run (nnz(L), flops), when reachable.
    var solverReport: SolverReport? = nil
    var wall: Double
    var acceptedIterations: Int?
    var stats: NewtonStatistics
    var detail: String
}

func printMeasurement(_ m: Measurement) {
    let s = m.stats
    let it = max(s.iterations, 1)
    print("## \(m.name)")
    print(String(format: "unknowns %d, wall %.3f s, Newton iterations %d (factorizations %d, analyses %d), %.2f ms per iteration",
                 m.unknowns, m.wall, s.iterations, s.factorizations, s.analyses, 1e3 * m.wall / Double(it)))
    if let a = m.acceptedIterations { print("  iterations of accepted steps: \(a)") }
    func line(_ label: String, _ t: Double, per: Int) {
        print("  " + label.padding(toLength: 28, withPad: " ", startingAt: 0)
              + String(format: " %8.3f s  %5.1f%%   %8.3f ms each (%d)", t, 100 * t / max(m.wall, 1e-12), 1e3 * t / Double(max(per, 1)), per))
    }
    line("assembly (evaluate)", s.evaluationSeconds, per: s.evaluations)
    print("    (\(s.tangentEvaluations) of the \(s.evaluations) evaluations with tangent; \(s.tangentRetries) re-evaluated for a tangent)")
    line("linear solver", s.linearSolverSeconds, per: s.iterations)
    line("  analyse", s.analyzeSeconds, per: s.analyses)
    line("  numeric factor", s.factorSeconds, per: s.factorizations)
    line("  solve + refinement", s.solveSeconds, per: s.iterations)
    let other = m.wall - s.evaluationSeconds - s.linearSolverSeconds
    line("other (outputs, stepping)", other, per: 1)
    print(String(format: "  refinement steps %d (%.2f per solve), max perturbed pivots %d", s.refinementSteps,
                 Double(s.refinementSteps) / Double(it), s.maxPerturbedPivots))
    if let r = m.solverReport {
        print(String(format: "  nnz(A) %d, nnz(L) %d, %d supernodes, %.3g flops per factorization = %.1f GFLOP/s at the mean factor time",
                     r.nonzerosA, r.nonzerosL, r.supernodes, r.factorFlops, r.factorFlops * Double(max(s.factorizations, 1)) / max(s.factorSeconds, 1e-12) / 1e9))
    }
    print("  \(m.detail)")
    print("  load average at end: \(loadAverage())")
}

func runConfined() throws -> Measurement {
    let newton = NewtonSolver(options: NewtonOptions(), linearSolver: makeLDLT())
    let (cells, dt) = small ? (6, 1.0) : (16, 0.25)
    let start = ContinuousClock.now
    let rows = try BiphasicVerification.confinedRampRelax(cells: cells, timeStep: dt, newton: newton)
    let wall = seconds(ContinuousClock.now - start)
    let worst = rows.filter { $0.tolerance == 0.01 }.map(\.error).max() ?? .nan
    return Measurement(name: "confined compression ramp-relax (bp04), \(cells) hex20 cells, dt \(dt) s, 0-1000 s",
                       unknowns: newton.linearSolver?.report.dimension ?? 0, solverReport: newton.linearSolver?.report,
                       wall: wall, acceptedIterations: nil, stats: newton.statistics,
                       detail: String(format: "worst reaction-stress error %.2e (tolerance 0.01), all rows pass: %@", worst,
                                      rows.allSatisfy(\.passed) ? "yes" : "NO"))
}

func runUnconfined() throws -> Measurement {
    let newton = NewtonSolver(options: NewtonOptions(), linearSolver: makeLDLT())
    let (around, radial, growth) = small ? (12, 6, 1.3) : (24, 12, 1.15)
    let start = ContinuousClock.now
    let rows = try BiphasicVerification.unconfinedCompression(around: around, radial: radial, growth: growth, newton: newton)
    let wall = seconds(ContinuousClock.now - start)
    return Measurement(name: "unconfined compression (bp05), around \(around) x radial \(radial) hex20, growth \(growth), 0-5 consolidation times",
                       unknowns: newton.linearSolver?.report.dimension ?? 0, solverReport: newton.linearSolver?.report,
                       wall: wall, acceptedIterations: nil, stats: newton.statistics,
                       detail: String(format: "F(0+)/F(inf) error %.2e (tolerance 0.01), all rows pass: %@", rows[0].error,
                                      rows.allSatisfy(\.passed) ? "yes" : "NO"))
}

func runDisc() throws -> Measurement {
    let model = try discModel(coarse: small)
    let simulation = try BiphasicSimulation(model: model)
    let start = ContinuousClock.now
    let results = try simulation.run()
    let wall = seconds(ContinuousClock.now - start)
    let accepted = results.steps.reduce(0) { $0 + $1.iterations }
    let pressure = results.probes.first { $0.quantity == "pressure" }?.values.last?[0] ?? .nan
    let end = model.steps.reduce(0) { $0 + $1.duration }
    return Measurement(name: "default disc (\(small ? "coarse 1x8x2, preload only" : "DefaultDiscModel"), \(Int(end)) s protocol)",
                       unknowns: simulation.unknownCount, wall: wall, acceptedIterations: accepted, stats: simulation.newtonStatistics,
                       detail: String(format: "%d accepted steps; nucleus transducer pressure at t = %g s: %.6f MPa", results.steps.count, end, pressure))
}

struct StopRun: Error {}

/// Writes the disc's tangent and −R at the first accepted step at or after `time`.
func dump(to path: String, time: Double) throws {
    let simulation = try BiphasicSimulation(model: try discModel(coarse: small))
    let problem = simulation.problem
    var written = false
    simulation.stepObserver = { t, dt, state, previous in
        guard t >= time - 1e-9 else { return }
        var residual = [Double](repeating: 0, count: problem.unknownCount)
        var tangent: SymmetricMatrix? = problem.tangentPattern()
        try problem.evaluate(state, previous: previous, time: t, timeStep: dt, residual: &residual, tangent: &tangent)
        // A Newton right-hand side: the residual at the predictor-like state `previous` for this step.
        var r0 = [Double](repeating: 0, count: problem.unknownCount)
        var none: SymmetricMatrix? = nil
        try problem.evaluate(previous, previous: previous, time: t, timeStep: dt, residual: &r0, tangent: &none)
        let comment = "default disc tangent at t = \(t) s, dt = \(dt) s (BiphasicTiming --dump)"
        try MatrixMarket.write(tangent!, to: path, comment: comment)
        let rhsPath = path.hasSuffix(".mtx") ? String(path.dropLast(4)) + ".rhs.mtx" : path + ".rhs.mtx"
        var rhs = DenseMatrix(rows: r0.count, columns: 1)
        rhs.values = r0.map { -$0 }
        try MatrixMarket.write(rhs, to: rhsPath, comment: comment)
        print("wrote \(path) and \(rhsPath): n = \(tangent!.dimension), nnz = \(tangent!.fullNonzeroCount), t = \(t) s, dt = \(dt) s")
        written = true
        throw StopRun()
    }
    do { _ = try simulation.run() } catch is StopRun {}
    if !written { fail("the run ended before t = \(time) s") }
}

/// Analyse once, factor and solve `repeats` times; medians.
func timeMatrix(_ path: String, repeats: Int) throws {
    let a: SymmetricMatrix
    switch try MatrixMarket.read(path: path) {
    case .symmetric(let s): a = s
    case .general(let g): a = try g.symmetricLowerTriangle()
    }
    let rhsPath = path.hasSuffix(".mtx") ? String(path.dropLast(4)) + ".rhs.mtx" : path + ".rhs.mtx"
    let b = FileManager.default.fileExists(atPath: rhsPath) ? try MatrixMarket.readDense(path: rhsPath).values : a.multiply([Double](repeating: 1, count: a.dimension))
    let solver = makeLDLT()
    var analyse: [Double] = [], factor: [Double] = [], solve: [Double] = [], refine: [Int] = []
    for r in 0..<repeats {
        if r < 3 {
            let t0 = ContinuousClock.now
            try solver.analyze(a)
            analyse.append(seconds(ContinuousClock.now - t0))
        }
        let t1 = ContinuousClock.now
        try solver.factor(a)
        factor.append(seconds(ContinuousClock.now - t1))
        var x = b
        let t2 = ContinuousClock.now
        try solver.solve(&x, count: 1)
        solve.append(seconds(ContinuousClock.now - t2))
        refine.append(solver.report.iterations)
    }
    func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
    let rep = solver.report
    print(String(format: "n %d, nnz(A) %d, nnz(L) %d, supernodes %d, flops %.3e", rep.dimension, rep.nonzerosA, rep.nonzerosL, rep.supernodes, rep.factorFlops))
    print(String(format: "analyse %.2f ms (median of %d), factor %.2f ms (median of %d; first %.2f ms), solve %.2f ms (median), refinement steps %@",
                 1e3 * median(analyse), analyse.count, 1e3 * median(factor), factor.count, 1e3 * factor[0], 1e3 * median(solve),
                 refine.map(String.init).joined(separator: ",")))
    print("perturbed pivots \(rep.perturbedPivots), inertia \(rep.inertia.map(\.description) ?? "-"), relative residual \(rep.relativeResidual)")
    print("load average: \(loadAverage())")
}

do {
    if let path = option("--matrix") {
        try timeMatrix(path, repeats: Int(option("--repeat") ?? "20") ?? 20)
    } else if let path = option("--dump") {
        try dump(to: path, time: Double(option("--dump-time") ?? "65") ?? 65)
    } else {
        let which = option("--problem") ?? "all"
        guard ["all", "confined", "unconfined", "disc"].contains(which) else { fail("--problem: expected all|confined|unconfined|disc, got \(which)") }
        print("# BiphasicTiming \(small ? "--small" : "(full size)"), load average at start: \(loadAverage())")
        if which == "all" || which == "confined" { printMeasurement(try runConfined()) }
        if which == "all" || which == "unconfined" { printMeasurement(try runUnconfined()) }
        if which == "all" || which == "disc" { printMeasurement(try runDisc()) }
    }
} catch {
    fail("\(error)")
}
