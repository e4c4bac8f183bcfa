// TimeControl: the default disc protocol (as `spinetraction run --example disc` runs it) with the
// current step control (Newton-effort growth), with error-controlled steps (full Newton and
// quasi-Newton), and a fixed fine-step reference, for Benchmarks/results/time-control.md.
//
//   TimeControl [--tolerances 1e-2,1e-3] [--repeat 1] [--reference-dt 0.25] [--no-reference] [--steps]
//   TimeControl --scenarios [--max-steps 10,2.5,1] [--tolerances 1e-3]
//
// --scenarios: the scenario comparison (`spinetraction compare`, coarse rigid segment, default
// 70 kg patient; table, inversion and thrust rows only: no sweep, hypermobile, guarding, stature
// or recovery rows, no glucose) with the default step control at each session maximum step, and
// with error control at each tolerance (session maximum step 10 s), in one process; per row the
// columns of the comparison that depend on the time integration.
//
// Per run: wall time, steps, rejected steps, Newton iterations, factorizations, tangent
// assemblies; then per output time the nucleus pressure (MPa) and imbibed volume (mm³) of every
// run and its relative difference from the fine fixed-step reference (full Newton, Δt =
// --reference-dt s on the loading steps) and from the current default. Timed runs alternate their
// order between repeats so a change of machine load hits all of them.

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
    FileHandle.standardError.write(Data("TimeControl: \(message)\n".utf8))
    exit(2)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

if CommandLine.arguments.contains("--scenarios") {
    try await scenarioStudy()
    exit(0)
}

func scenarioStudy() async throws {
    let maxSteps: [Double] = (option("--max-steps") ?? "10,2.5,1").split(separator: ",").map {
        guard let v = Double($0), v > 0 else { fail("--max-steps: expected positive numbers, got \($0)") }
        return v
    }
    let tolerances: [Double] = (option("--tolerances") ?? "1e-3").split(separator: ",").map {
        guard let v = Double($0), v > 0, v < 1 else { fail("--tolerances: expected numbers in (0, 1), got \($0)") }
        return v
    }
    let patient = try Patient(bodyMassKg: 70, heightCm: 175)
    var variants: [(String, ScenarioRunOptions)] = []
    func base() -> ScenarioRunOptions {
        ScenarioRunOptions(hypermobileRow: false, guardingSensitivityLoad: nil, recoveryDuration: 0, statureTable: nil, glucose: false)
    }
    for m in maxSteps { var o = base(); o.sessionMaxStep = m; variants.append(("max step \(m) s", o)) }
    for tol in tolerances { var o = base(); o.errorControl = try ErrorControlOptions(relativeTolerance: tol); variants.append(("error control \(tol)", o)) }
    print("uptime load at start: \(loadAverage())")
    for (name, o) in variants {
        let before = loadAverage()
        let start = ContinuousClock.now
        let c = try await ScenarioComparison.run(patient: patient, options: o)
        print("\n### \(name): wall \(String(format: "%.1f", seconds(ContinuousClock.now - start))) s, load \(before) → \(loadAverage())")
        print("| row | min pressure (MPa) | time below 0 (s) | imbibed fluid (mm³) | distraction (mm) | worst ligament: peak strain | facet force (N) |")
        print("|---|---:|---:|---:|---:|---|---:|")
        for r in c.outcomes {
            let w = r.worstForDamage
            print(String(format: "| %@ | %.5f | %.1f | %.3f | %.4f | %@ %.5f | %.2f |", r.label, r.minimumNucleusPressure, r.timeBelowZeroPressure,
                         r.imbibedFluid, r.distraction, w?.ligament ?? "-", w?.peakStrain ?? .nan, r.facetForce))
        }
    }
    print("uptime load at end: \(loadAverage())")
}

let tolerances: [Double] = (option("--tolerances") ?? "1e-2,1e-3").split(separator: ",").map {
    guard let v = Double($0) else { fail("--tolerances: expected comma-separated numbers, got \($0)") }
    return v
}
let repeats = Int(option("--repeat") ?? "1") ?? 0
guard repeats >= 1 else { fail("--repeat: expected a positive integer") }
guard let referenceStep = Double(option("--reference-dt") ?? "0.25"), referenceStep > 0 else { fail("--reference-dt: expected a positive number of seconds") }

struct Config {
    var name: String
    var method: NewtonMethod
    var errorControl: ErrorControlOptions?
    var fixedStep: Double?
}

struct Run {
    var wall = 0.0
    var stats = NewtonStatistics()
    var steps: [AcceptedStep] = []
    var times: [Double] = []
    var pressure: [Double] = []
    var imbibed: [Double] = []
}

func run(_ c: Config) throws -> Run {
    var model = try DefaultDiscModel.model()
    if let dt = c.fixedStep {
        for i in model.steps.indices where model.steps[i].freeSwelling == nil {
            model.steps[i].initialStep = dt; model.steps[i].maxStep = dt; model.steps[i].minStep = min(model.steps[i].minStep, dt)
        }
    }
    let simulation = try BiphasicSimulation(model: model)
    simulation.newtonMethod = c.method
    simulation.errorControl = c.errorControl
    let start = ContinuousClock.now
    let results = try simulation.run()
    var r = Run()
    r.wall = seconds(ContinuousClock.now - start)
    r.stats = simulation.newtonStatistics
    r.steps = results.steps
    r.times = results.times
    r.pressure = results.nucleusPressure?.scalars ?? []
    r.imbibed = results.imbibedVolume?.scalars ?? []
    return r
}

func describe(_ name: String, _ r: Run) -> String {
    let s = r.stats
    let rejected = r.steps.reduce(0) { $0 + $1.errorRejections }, cuts = r.steps.reduce(0) { $0 + $1.retries - $1.errorRejections }
    return String(format: "%-16@ wall %7.2f s | steps %4d (rejected for error %3d, Newton cuts %2d) | iterations %5d | factorizations %5d | tangent assemblies %5d | residual evaluations %5d | factor %6.2f s, assembly %6.2f s",
                  name, r.wall, r.steps.count, rejected, cuts, s.iterations, s.factorizations, s.tangentEvaluations, s.evaluations,
                  s.factorSeconds, s.evaluationSeconds)
}

var configs = [Config(name: "default", method: .fullNewton)]
for tol in tolerances {
    let e = try ErrorControlOptions(relativeTolerance: tol)
    configs.append(Config(name: "ec \(tol) full", method: .fullNewton, errorControl: e))
    configs.append(Config(name: "ec \(tol) bfgs", method: .bfgs(try QuasiNewtonOptions()), errorControl: e))
}
configs.append(Config(name: "bfgs", method: .bfgs(try QuasiNewtonOptions())))

print("uptime load at start: \(loadAverage())")
var runs = [[Run]](repeating: [], count: configs.count)
for k in 0..<repeats {
    let order = k % 2 == 0 ? Array(configs.indices) : Array(configs.indices.reversed())
    for i in order {
        let before = loadAverage()
        let r = try run(configs[i])
        print(describe(configs[i].name, r) + " | load \(before) → \(loadAverage())")
        runs[i].append(r)
    }
}
var reference: Run? = nil
if !CommandLine.arguments.contains("--no-reference") {
    let before = loadAverage()
    let r = try run(Config(name: "reference", method: .fullNewton, fixedStep: referenceStep))
    print(describe("ref Δt \(referenceStep)", r) + " | load \(before) → \(loadAverage())")
    reference = r
}

if CommandLine.arguments.contains("--steps") {
    for (i, c) in configs.enumerated() {
        print("\nsteps of \(c.name) (t s, Δt s, iterations, factorizations, err, rejections):")
        for s in runs[i][0].steps {
            print(String(format: "%8.3f %7.3f %3d %3d %@ %d", s.time, s.timeStep, s.iterations, s.factorizations, s.errorNorm.map { String(format: "%.3f", $0) } ?? "  -  ", s.errorRejections))
        }
    }
}

func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2]) }

/// Relative difference of `a` from `b` at each output time: relative to |b| except where b is
/// below 1 % of the series' largest magnitude (a zero crossing), there relative to that magnitude.
func differences(_ a: [Double], _ b: [Double]) -> [Double] {
    let scale = b.map(abs).max() ?? 1
    return zip(a, b).map { x, y in abs(x - y) / (abs(y) < 0.01 * scale ? scale : abs(y)) }
}

func compare(against base: Run, named baseName: String, configs: [Config], runs: [[Run]]) {
    print("\n## Differences from \(baseName) at the \(base.times.count) output times (largest; relative, near a zero crossing to the series' largest magnitude)")
    print("| run | steps | factorizations | median wall (s) | max Δp | at t (s) | max ΔV | at t (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for (i, c) in configs.enumerated() {
        let r = runs[i][0]
        guard r.times.count == base.times.count else { print("| \(c.name) | output times differ |"); continue }
        let dp = differences(r.pressure, base.pressure), dv = differences(r.imbibed, base.imbibed)
        let ip = dp.indices.max { dp[$0] < dp[$1] }!, iv = dv.indices.max { dv[$0] < dv[$1] }!
        print(String(format: "| %@ | %d | %d | %.2f | %.2e | %.0f | %.2e | %.0f |", c.name, r.steps.count, r.stats.factorizations,
                     median(runs[i].map(\.wall)), dp[ip], base.times[ip], dv[iv], base.times[iv]))
    }
}

if let reference { compare(against: reference, named: "the fixed-step reference (Δt = \(referenceStep) s)", configs: configs, runs: runs) }
compare(against: runs[0][0], named: "the current default", configs: configs, runs: runs)

print("\n## Per output time: nucleus pressure (MPa) and imbibed volume (mm³)")
var header = "| t (s) |" + (reference == nil ? "" : " p ref | V ref |")
for c in configs { header += " p \(c.name) | V \(c.name) |" }
print(header)
print("|" + String(repeating: "---:|", count: 1 + 2 * (configs.count + (reference == nil ? 0 : 1))))
for j in runs[0][0].times.indices {
    var line = String(format: "| %.0f |", runs[0][0].times[j])
    if let reference, j < reference.times.count { line += String(format: " %.6f | %.4f |", reference.pressure[j], reference.imbibed[j]) }
    for i in configs.indices where j < runs[i][0].times.count { line += String(format: " %.6f | %.4f |", runs[i][0].pressure[j], runs[i][0].imbibed[j]) }
    print(line)
}
let full = runs[0], wf = median(full.map(\.wall))
print("\nmedian wall vs default (\(String(format: "%.2f", wf)) s, \(full[0].stats.factorizations) factorizations):")
for (i, c) in configs.enumerated().dropFirst() {
    let w = median(runs[i].map(\.wall))
    print(String(format: "  %@: wall %.2f s (%.2f× less), factorizations %d (%.2f× fewer), tangent assemblies %d", c.name, w, wf / w, runs[i][0].stats.factorizations,
                 Double(full[0].stats.factorizations) / Double(max(runs[i][0].stats.factorizations, 1)), runs[i][0].stats.tangentEvaluations))
}
print("uptime load at end: \(loadAverage())")
