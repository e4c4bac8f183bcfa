import Benchmark
import SparseLinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

// Factor and solve benchmarks on the generated 3D FE systems of ModelProblems
// (the matrices of shared/anchors/SOLVERS.md and scripts/bench_side_by_side.py).
//
// SPINE_BENCH_SIZE selects the sizes: `small` (CI smoke run, ~3k unknowns),
// otherwise the full set (elasticity 30k and 100k, Poisson 30k, Q1–Q1 and
// Taylor–Hood u–p 30k). The solver is `LinearSolvers.makeDefault(for:kind:)`,
// i.e. whatever the library picks by default.

/// (benchmark name, family, size name for ModelProblems.named)
private func cases() -> [(String, String, String)] {
    let small = (Benchmark.environment("SPINE_BENCH_SIZE") ?? "") == "small"
    if small {
        return [("elast_small", "elasticity", "small"), ("poisson_small", "poisson", "small"),
                ("th_small", "taylor-hood", "small")]
    }
    return [("elast_30k", "elasticity", "30k"), ("elast_100k", "elasticity", "100k"),
            ("poisson_30k", "poisson", "30k"), ("poro_30k", "poro", "30k"), ("th_30k", "taylor-hood", "30k")]
}

extension Benchmark {
    /// An environment variable, read without Foundation.
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        scalingFactor: .one,
        maxDuration: .seconds(60),
        maxIterations: 3
    )
    for (name, family, size) in cases() {
        // Generated once per case, outside the measured region.
        guard let (matrix, kind) = try? ModelProblems.named(family, size: size) else {
            fatalError("benchmark setup: ModelProblems.named(\(family), size: \(size)) failed")
        }
        let ones = [Double](repeating: 1, count: matrix.dimension)
        let b = matrix.multiply(ones)

        // analyse + factor from scratch each iteration.
        Benchmark("factor \(name) (n = \(matrix.dimension))", configuration: configuration) { benchmark in
            let solver = LinearSolvers.makeDefault(for: matrix.dimension, kind: kind)
            benchmark.startMeasurement()
            try solver.analyzeAndFactor(matrix)
            benchmark.stopMeasurement()
            blackHole(solver.report.nonzerosL)
        }

        // One solve with one right-hand side on a factor made outside the measurement.
        Benchmark("solve \(name) (n = \(matrix.dimension))", configuration: configuration) { benchmark in
            let solver = LinearSolvers.makeDefault(for: matrix.dimension, kind: kind)
            try solver.analyzeAndFactor(matrix)
            var x = b
            benchmark.startMeasurement()
            try solver.solve(&x, count: 1)
            benchmark.stopMeasurement()
            blackHole(x[0])
        }
    }
}
