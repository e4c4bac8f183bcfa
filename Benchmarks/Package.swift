// swift-tools-version: 6.1
//
// SpineTraction benchmarks: a nested package so that users of the library never
// build the benchmark harness. Run from this directory:
//   swift package --disable-sandbox benchmark                       # every target, full sizes
//   SPINE_BENCH_SIZE=small swift package --disable-sandbox benchmark   # CI smoke sizes
//   swift package --disable-sandbox benchmark --target EnvelopeBenchmarks

import PackageDescription

let package = Package(
    name: "SpineTractionBenchmarks",
    dependencies: [
        .package(name: "SpineTraction", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SolverBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SparseLinearAlgebra", package: "SpineTraction"),
            ],
            path: "Benchmarks/SolverBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EnvelopeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TractionSafety", package: "SpineTraction"),
            ],
            path: "Benchmarks/EnvelopeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "FEBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FiniteElements", package: "SpineTraction"),
                .product(name: "Biomechanics", package: "SpineTraction"),
                .product(name: "SparseLinearAlgebra", package: "SpineTraction"),
            ],
            path: "Benchmarks/FEBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BiphasicBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FiniteElements", package: "SpineTraction"),
                .product(name: "Biomechanics", package: "SpineTraction"),
                .product(name: "SparseLinearAlgebra", package: "SpineTraction"),
                .product(name: "SpineModel", package: "SpineTraction"),
            ],
            path: "Benchmarks/BiphasicBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // One-command acceptance numbers for issue 3: setup, assembly, factor and their ratio.
        //   swift run -c release FETiming
        // (kept out of Benchmarks/Benchmarks/: the benchmark plugin runs every executable there)
        .executableTarget(
            name: "FETiming",
            dependencies: [
                .product(name: "FiniteElements", package: "SpineTraction"),
                .product(name: "Biomechanics", package: "SpineTraction"),
                .product(name: "SparseLinearAlgebra", package: "SpineTraction"),
            ],
            path: "Tools/FETiming"
        ),
        // Issue 4's biphasic numbers: wall time per protocol and per Newton iteration, share of
        // assembly / analyse / factor / solve, for bp04, bp05 and the default disc.
        //   swift run -c release BiphasicTiming [--small] [--problem confined|unconfined|disc]
        .executableTarget(
            name: "BiphasicTiming",
            dependencies: [
                .product(name: "FiniteElements", package: "SpineTraction"),
                .product(name: "Biomechanics", package: "SpineTraction"),
                .product(name: "SparseLinearAlgebra", package: "SpineTraction"),
                .product(name: "SpineModel", package: "SpineTraction"),
            ],
            path: "Tools/BiphasicTiming"
        ),
        // Quasi-Newton vs full Newton on the default disc protocol, interleaved in one run.
        //   swift run -c release QuasiNewton [--repeat 2] [--max-updates 30] [--reform-ratio 0.9] [--dt-change 0.25] [--steps]
        .executableTarget(
            name: "QuasiNewton",
            dependencies: [
                .product(name: "FiniteElements", package: "SpineTraction"),
                .product(name: "SpineModel", package: "SpineTraction"),
            ],
            path: "Tools/QuasiNewton"
        ),
        // Error-controlled time steps vs the current step control and a fixed fine-step reference
        // on the default disc protocol.
        //   swift run -c release TimeControl [--tolerances 1e-2,1e-3] [--repeat 1] [--reference-dt 0.25] [--no-reference] [--steps]
        .executableTarget(
            name: "TimeControl",
            dependencies: [
                .product(name: "FiniteElements", package: "SpineTraction"),
                .product(name: "SpineModel", package: "SpineTraction"),
            ],
            path: "Tools/TimeControl"
        ),
        // Busy-machine numbers: bp05, the default disc and one 30k u–p factorization, alone or as
        // concurrent copies in one process (busy loops are started by the caller).
        //   swift run -c release BusyMachine --case bp05|disc|factor30k [--copies 2] [--repeat 3]
        .executableTarget(
            name: "BusyMachine",
            dependencies: [
                .product(name: "SparseLinearAlgebra", package: "SpineTraction"),
                .product(name: "SpineModel", package: "SpineTraction"),
            ],
            path: "Tools/BusyMachine"
        ),
    ]
)
