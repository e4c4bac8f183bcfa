import Benchmark
import Biomechanics
import FiniteElements
import Foundation
import SparseLinearAlgebra
import SpineModel

// Issue 4's benchmarks: whole simulated protocols of the biphasic (u–p,
// Taylor–Hood hex20, supernodal LDLᵀ) problems, with the Newton iterations, the
// time per iteration and the shares of the numeric factorization and of the
// whole linear solver (FiniteElements' NewtonStatistics) as custom metrics.
//
// - `biphasic confined ramp-relax (bp04)`: BiphasicVerification.confinedRampRelax,
//   16 graded hex20 cells, Δt = 0.25 s, 0–1000 s (the `spinetraction verify --full`
//   mesh, within 1% of Mow et al. 1980);
// - `biphasic unconfined (bp05)`: BiphasicVerification.unconfinedCompression,
//   24 × 12 hex20 cells, growth 1.15, 0–5 consolidation times (`verify --full`, 1%);
// - `biphasic default disc`: SpineModel's DefaultDiscModel through
//   BiphasicSimulation, the whole 390 s protocol (6083 unknowns).
//
// SPINE_BENCH_SIZE=small (the CI smoke run) uses the quick `verify` meshes
// (6 cells, Δt = 1 s; 12 × 6 cells, growth 1.3) and a coarse disc (1 × 8 × 2
// divisions) over its 60 s preload step only. One iteration each: a protocol
// is one measurement. `Benchmarks/Tools/BiphasicTiming` prints the same runs
// with the full breakdown (assembly, analyse, factor, solve, refinement).

private let small = (ProcessInfo.processInfo.environment["SPINE_BENCH_SIZE"] ?? "") == "small"

/// The default disc model; `coarse`: 1 × 8 × 2 divisions and the preload step only.
private func discModel(coarse: Bool) throws -> Model {
    guard coarse else { return try DefaultDiscModel.model() }
    var text = DefaultDiscModel.json
    let divisions = #""divisions": {"radial": 2, "around": 16, "height": 6}"#
    let steps = #"{"name": "traction", "duration": 330, "dt": 1, "dtMin": 0.01, "dtMax": 10}"#
    guard text.contains(divisions), text.contains(steps) else {
        throw SetupError(message: "the default disc model no longer has the expected divisions/steps text")
    }
    text = text.replacingOccurrences(of: divisions, with: #""divisions": {"radial": 1, "around": 8, "height": 2}"#)
    text = text.replacingOccurrences(of: ",\n            " + steps, with: "")
    return try Model.parse(Data(text.utf8))
}

private struct SetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Records Newton's counts and shares for a protocol that took `wall` seconds.
private func record(_ benchmark: Benchmark, _ s: NewtonStatistics, wall: Double, metrics m: Metrics) {
    benchmark.measurement(m.iterations, s.iterations)
    benchmark.measurement(m.perIteration, Int((1e6 * wall / Double(max(s.iterations, 1))).rounded()))
    benchmark.measurement(m.factorShare, Int((100 * s.factorSeconds / max(wall, 1e-12)).rounded()))
    benchmark.measurement(m.solverShare, Int((100 * s.linearSolverSeconds / max(wall, 1e-12)).rounded()))
    benchmark.measurement(m.assemblyShare, Int((100 * s.evaluationSeconds / max(wall, 1e-12)).rounded()))
}

private struct Metrics {
    let iterations = BenchmarkMetric.custom("Newton iterations", polarity: .prefersSmaller, useScalingFactor: false)
    let perIteration = BenchmarkMetric.custom("µs/iteration", polarity: .prefersSmaller, useScalingFactor: false)
    let factorShare = BenchmarkMetric.custom("% factor", polarity: .prefersSmaller, useScalingFactor: false)
    let solverShare = BenchmarkMetric.custom("% linear solver", polarity: .prefersSmaller, useScalingFactor: false)
    let assemblyShare = BenchmarkMetric.custom("% assembly", polarity: .prefersSmaller, useScalingFactor: false)
    var all: [BenchmarkMetric] { [iterations, perIteration, factorShare, solverShare, assemblyShare] }
}

private func elapsed(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

let benchmarks: @Sendable () -> Void = {
    let m = Metrics()
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident] + m.all,
        timeUnits: .milliseconds,
        warmupIterations: 0,
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 1
    )
    let size = small ? "small" : "full"

    let (cells, dt) = small ? (6, 1.0) : (16, 0.25)
    Benchmark("biphasic confined ramp-relax (bp04) \(cells) cells dt \(dt) s, \(size)", configuration: configuration) { benchmark in
        let newton = NewtonSolver(options: NewtonOptions(), linearSolver: SupernodalLDLT())
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let rows = try BiphasicVerification.confinedRampRelax(cells: cells, timeStep: dt, newton: newton)
        benchmark.stopMeasurement()
        record(benchmark, newton.statistics, wall: elapsed(since: start), metrics: m)
        blackHole(rows.count)
    }

    let (around, radial, growth) = small ? (12, 6, 1.3) : (24, 12, 1.15)
    Benchmark("biphasic unconfined (bp05) \(around)x\(radial) cells, \(size)", configuration: configuration) { benchmark in
        let newton = NewtonSolver(options: NewtonOptions(), linearSolver: SupernodalLDLT())
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let rows = try BiphasicVerification.unconfinedCompression(around: around, radial: radial, growth: growth, newton: newton)
        benchmark.stopMeasurement()
        record(benchmark, newton.statistics, wall: elapsed(since: start), metrics: m)
        blackHole(rows.count)
    }

    Benchmark("biphasic default disc \(small ? "coarse, preload only" : "390 s protocol"), \(size)", configuration: configuration) { benchmark in
        let simulation = try BiphasicSimulation(model: try discModel(coarse: small))
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let results = try simulation.run()
        benchmark.stopMeasurement()
        record(benchmark, simulation.newtonStatistics, wall: elapsed(since: start), metrics: m)
        blackHole(results.times.count)
    }
}
