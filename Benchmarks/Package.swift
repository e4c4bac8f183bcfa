// swift-tools-version: 6.1
//
// Benchmarks for SpineTraction, a nested package so library users never build the harness.
// Run: cd Benchmarks && swift package --disable-sandbox benchmark --target EnvelopeBenchmarks

import PackageDescription

let package = Package(
    name: "SpineTractionBenchmarks",
    dependencies: [
        .package(name: "SpineTraction", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EnvelopeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TractionSafety", package: "SpineTraction"),
            ],
            path: "Benchmarks/EnvelopeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
