import Benchmark
import Biomechanics
import FiniteElements
import SparseLinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

// Finite-element setup, assembly and factorization on a hex20 elasticity box
// (issue 3's acceptance: assembly time per element, setup time, and assembly
// against one factorization of the same system).
//
// The problem: a 20 × 20 × 20 mm box of `cells³` hex20 cells (1 mm cells at
// full size), bottom face (z = 0) clamped in all three components, every
// other face free. Linear elasticity E = 10 MPa, ν = 0.3; the finite-strain
// variant is neo-Hookean with the same E and ν, evaluated at a fixed non-zero
// displacement (so F ≠ I and no B_L entry is trivially zero).
//
// SPINE_BENCH_SIZE selects the size: `small` (CI smoke run, 4³ cells, 1 275
// DOFs), otherwise 20³ cells = 8 000 hex20 cells, 35 721 nodes, 107 163 DOFs
// (103 320 free unknowns after clamping the bottom).
//
// Benchmarks:
// - `fe setup`: SolidMechanicsProblem(...) (DOF map) + prescribing the clamp +
//   prepare() (equation numbering, sparsity pattern, scatter map, cell colours);
// - `fe assembly`: one `evaluate` with a tangent — tangent + residual over all
//   cells, scattered; also reported per cell (custom metric `µs/cell`, rounded to 1 µs);
// - `fe factor`: one numeric factorization of that tangent with the default
//   solver (`LinearSolvers.makeDefault`, SupernodalCholesky), after a symbolic
//   analysis made outside the measurement;
// - `fe analyze`: the symbolic analysis (ordering + elimination tree) alone.
// `Benchmarks/Tools/FETiming` prints the same numbers and the ratio in one run.

/// Cells per axis of the box.
private func cellsPerAxis() -> Int {
    (Benchmark.environment("SPINE_BENCH_SIZE") ?? "") == "small" ? 4 : 20
}

extension Benchmark {
    /// An environment variable, read without Foundation.
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// The clamped box, prepared (setup included): the measured region of `fe setup`.
private func makeProblem(mesh: Mesh, finiteStrain: Bool) throws -> SolidMechanicsProblem {
    let law: any SolidMaterial = finiteStrain
        ? try NeoHookean(youngsModulus: 10, poissonRatio: 0.3)
        : try IsotropicLinearElastic(youngsModulus: 10, poissonRatio: 0.3)
    let material = SolidMechanicsProblem.CellMaterial(law: law)
    let problem = try SolidMechanicsProblem(mesh: mesh, cellMaterials: Array(repeating: material, count: mesh.cellCount),
                                            finiteStrain: finiteStrain)
    let bottom = try mesh.nodes(ofSurface: "bottom")
    problem.prescribed = (0..<3).map { PrescribedComponent(nodes: bottom, component: $0, value: 0) }
    try problem.prepare()
    return problem
}

/// A fixed, non-smooth but small displacement of the free unknowns (mm): |x| ≤ 1e-3 mm.
private func trialUnknowns(_ count: Int) -> [Double] {
    (0..<count).map { 1e-3 * Double(($0 &* 7919) % 1000) / 1000 }
}

/// Tangent and residual at `x`.
private func assemble(_ problem: SolidMechanicsProblem, _ x: [Double]) throws -> (SymmetricMatrix, [Double]) {
    var residual = [Double](repeating: 0, count: problem.unknownCount)
    var tangent: SymmetricMatrix? = problem.tangentPattern()
    try problem.evaluate(x, previous: x, time: 1, timeStep: 1, residual: &residual, tangent: &tangent)
    return (tangent!, residual)
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
    let perCell = BenchmarkMetric.custom("µs/cell", polarity: .prefersSmaller, useScalingFactor: false)
    let n = cellsPerAxis()
    guard let mesh = try? MeshGenerator.box(size: SIMD3(20, 20, 20), cells: SIMD3(n, n, n), cellType: .hex20) else {
        fatalError("benchmark setup: MeshGenerator.box(\(n)³ hex20) failed")
    }
    let tag = "hex20 \(n)³ (\(3 * mesh.nodeCount) DOF)"

    Benchmark("fe setup \(tag)", configuration: configuration) { benchmark in
        benchmark.startMeasurement()
        let problem = try makeProblem(mesh: mesh, finiteStrain: false)
        benchmark.stopMeasurement()
        blackHole(problem.unknownCount)
    }

    for finite in [false, true] {
        let law = finite ? "neo-Hookean" : "linear"
        var assemblyConfiguration = configuration
        assemblyConfiguration.metrics = [.wallClock, .peakMemoryResident, perCell]
        Benchmark("fe assembly \(law) \(tag)", configuration: assemblyConfiguration) { benchmark in
            let problem = try makeProblem(mesh: mesh, finiteStrain: finite)
            let x = trialUnknowns(problem.unknownCount)
            var residual = [Double](repeating: 0, count: problem.unknownCount)
            var tangent: SymmetricMatrix? = problem.tangentPattern()
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            try problem.evaluate(x, previous: x, time: 1, timeStep: 1, residual: &residual, tangent: &tangent)
            benchmark.stopMeasurement()
            let elapsed = ContinuousClock.now - start
            let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            benchmark.measurement(perCell, Int((ns / 1e3 / Double(mesh.cellCount)).rounded()))
            blackHole(residual[0])
        }
    }

    Benchmark("fe analyze \(tag)", configuration: configuration) { benchmark in
        let problem = try makeProblem(mesh: mesh, finiteStrain: false)
        let (k, _) = try assemble(problem, trialUnknowns(problem.unknownCount))
        let solver = LinearSolvers.makeDefault(for: k.dimension, kind: problem.matrixKind)
        benchmark.startMeasurement()
        try solver.analyze(k)
        benchmark.stopMeasurement()
        blackHole(solver.report.nonzerosL)
    }

    Benchmark("fe factor \(tag)", configuration: configuration) { benchmark in
        let problem = try makeProblem(mesh: mesh, finiteStrain: false)
        let (k, _) = try assemble(problem, trialUnknowns(problem.unknownCount))
        let solver = LinearSolvers.makeDefault(for: k.dimension, kind: problem.matrixKind)
        try solver.analyze(k)
        benchmark.startMeasurement()
        try solver.factor(k)
        benchmark.stopMeasurement()
        blackHole(solver.report.nonzerosL)
    }
}
