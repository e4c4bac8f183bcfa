// QuasiNewton: the default disc protocol (as `spinetraction run --example disc` runs it) with
// full Newton and with quasi-Newton (BFGS on a kept factorization), interleaved in one process,
// for Benchmarks/results/quasi-newton.md.
//
//   QuasiNewton [--repeat R] [--max-updates N] [--reform-ratio r] [--dt-change c] [--steps] [--only-bfgs]
//
// Per run: wall time, Newton iterations, factorizations, tangent assemblies, residual
// evaluations, reformations by reason; then, per output time, the nucleus pressure (MPa) and the
// imbibed volume (mm³) of both methods and their relative difference, and the lying pressure
// (end of the preload) and minimum nucleus pressure of each run. Runs alternate
// full / BFGS / full / BFGS … so that a change of machine load hits both.

import Foundation
import FiniteElements
import SpineModel

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name) else { return nil }
    guard i + 1 < args.count else { fail("\(name): expected a value") }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("QuasiNewton: \(message)\n".utf8))
    exit(2)
}

func number(_ name: String, _ fallback: Double) -> Double {
    guard let text = option(name) else { return fallback }
    guard let v = Double(text) else { fail("\(name): expected a number, got \(text)") }
    return v
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

let repeats = Int(option("--repeat") ?? "2") ?? 0
guard repeats >= 1 else { fail("--repeat: expected a positive integer") }
let quasi: QuasiNewtonOptions
do {
    quasi = try QuasiNewtonOptions(maxUpdates: Int(number("--max-updates", 30)), reformRatio: number("--reform-ratio", 0.9),
                                   timeStepChange: number("--dt-change", 0.25))
} catch { fail(String(describing: error)) }

struct Run {
    var wall = 0.0
    var stats = NewtonStatistics()
    var steps = 0
    var times: [Double] = []
    var pressure: [Double] = []
    var imbibed: [Double] = []
    var lying = Double.nan
    var minimum = Double.nan
    var stepList: [AcceptedStep] = []
}

func run(_ method: NewtonMethod) throws -> Run {
    let model = try DefaultDiscModel.model()
    let simulation = try BiphasicSimulation(model: model)
    simulation.newtonMethod = method
    let start = ContinuousClock.now
    let results = try simulation.run()
    var r = Run()
    r.wall = seconds(ContinuousClock.now - start)
    r.stats = simulation.newtonStatistics
    r.steps = results.steps.count
    r.stepList = results.steps
    r.times = results.times
    r.pressure = results.nucleusPressure?.scalars ?? []
    r.imbibed = results.imbibedVolume?.scalars ?? []
    r.minimum = results.nucleusPressure?.minimum ?? .nan
    // Lying pressure: the nucleus pressure at the end of the first loading step (the preload).
    let loading = model.steps.filter { $0.freeSwelling == nil }
    if loading.count > 1, let i = r.times.firstIndex(where: { abs($0 - loading[0].duration) < 1e-9 }) { r.lying = r.pressure[i] }
    return r
}

func describe(_ name: String, _ r: Run) -> String {
    let s = r.stats
    return String(format: "%-6@ wall %6.2f s | steps %3d | iterations %4d | factorizations %4d | tangent assemblies %4d | residual evaluations %4d | factor %5.2f s, solve %5.2f s, assembly %5.2f s | reformations: initial %d, Δt %d, slow %d, line search %d, limit %d, rejected %d; updates %d | lying %.5f MPa, min %.5f MPa",
                  name, r.wall, r.steps, s.iterations, s.factorizations, s.tangentEvaluations, s.evaluations,
                  s.factorSeconds, s.solveSeconds, s.evaluationSeconds,
                  s.reformationsInitial, s.reformationsTimeStep, s.reformationsSlowConvergence, s.reformationsLineSearch,
                  s.reformationsUpdateLimit, s.reformationsRejectedUpdate, s.quasiNewtonUpdates, r.lying, r.minimum)
}

print("quasi-Newton options: maxUpdates \(quasi.maxUpdates), reformRatio \(quasi.reformRatio), timeStepChange \(quasi.timeStepChange)")
var fulls: [Run] = [], bfgss: [Run] = []
for k in 0..<repeats {
    // Alternate which goes first.
    let order: [Bool] = k % 2 == 0 ? [false, true] : [true, false]
    for isQuasi in order where !(CommandLine.arguments.contains("--only-bfgs") && !isQuasi) {
        let before = loadAverage()
        let r = try run(isQuasi ? .bfgs(quasi) : .fullNewton)
        print(describe(isQuasi ? "bfgs" : "full", r) + " | load \(before) → \(loadAverage())")
        if isQuasi { bfgss.append(r) } else { fulls.append(r) }
    }
}
guard !fulls.isEmpty else { exit(0) }
let f = fulls[0], q = bfgss[0]
if CommandLine.arguments.contains("--steps") {
    print("\nsteps (t s, Δt s, iterations, factorizations): full | BFGS")
    for i in 0..<max(f.stepList.count, q.stepList.count) {
        func cell(_ r: Run) -> String {
            guard i < r.stepList.count else { return String(repeating: " ", count: 30) }
            let s = r.stepList[i]
            return String(format: "%8.3f %7.3f %3d %3d", s.time, s.timeStep, s.iterations, s.factorizations)
        }
        print(cell(f) + "  |  " + cell(q))
    }
}
guard f.times.count == q.times.count else { fail("output times differ: \(f.times.count) vs \(q.times.count)") }
print("\n| t (s) | p full (MPa) | p BFGS (MPa) | rel. diff | V full (mm³) | V BFGS (mm³) | rel. diff |")
print("|---:|---:|---:|---:|---:|---:|---:|")
var worstP = 0.0, worstV = 0.0
let pScale = f.pressure.map(abs).max() ?? 1, vScale = f.imbibed.map(abs).max() ?? 1
for i in 0..<f.times.count {
    let dp = abs(q.pressure[i] - f.pressure[i]) / max(abs(f.pressure[i]), 1e-300)
    let dv = abs(q.imbibed[i] - f.imbibed[i]) / max(abs(f.imbibed[i]), 1e-300)
    // Relative to the value itself, except where the value crosses zero (then to the series' largest magnitude).
    let dpUsed = abs(f.pressure[i]) < 0.01 * pScale ? abs(q.pressure[i] - f.pressure[i]) / pScale : dp
    let dvUsed = abs(f.imbibed[i]) < 0.01 * vScale ? abs(q.imbibed[i] - f.imbibed[i]) / vScale : dv
    worstP = max(worstP, dpUsed); worstV = max(worstV, dvUsed)
    print(String(format: "| %.1f | %.6f | %.6f | %.2e | %.4f | %.4f | %.2e |", f.times[i], f.pressure[i], q.pressure[i], dpUsed, f.imbibed[i], q.imbibed[i], dvUsed))
}
func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2]) }
let wf = median(fulls.map(\.wall)), wq = median(bfgss.map(\.wall))
print(String(format: "\nlargest difference over the output times: pressure %.2e, imbibed volume %.2e (relative; near a zero crossing relative to the series' largest magnitude)", worstP, worstV))
print(String(format: "median wall: full %.2f s, BFGS %.2f s, ratio %.2f×; factorizations %d vs %d (%.1f×); tangent assemblies %d vs %d (%.1f×)",
             wf, wq, wf / wq, f.stats.factorizations, q.stats.factorizations, Double(f.stats.factorizations) / Double(max(q.stats.factorizations, 1)),
             f.stats.tangentEvaluations, q.stats.tangentEvaluations, Double(f.stats.tangentEvaluations) / Double(max(q.stats.tangentEvaluations, 1))))
