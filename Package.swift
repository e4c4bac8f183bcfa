// swift-tools-version: 6.1
//
// SpineTraction — finite-element simulation of spinal decompression (traction
// therapy) and the force-safety limits a traction-table controller imports.
// Layers (a lower one never imports a higher one): see ../shared/DESIGN.md.

import PackageDescription

let package = Package(
    name: "SpineTraction",
    products: [
        // MARK: - Public modules
        .library(name: "SpineTraction", targets: ["SpineTraction"]),
        .library(name: "SparseLinearAlgebra", targets: ["SparseLinearAlgebra"]),
        .library(name: "FiniteElements", targets: ["FiniteElements"]),
        // A traction-table controller links this product alone: Foundation + swift-crypto, no LAPACK.
        .library(name: "TractionSafety", targets: ["TractionSafety"]),
        .library(name: "Biomechanics", targets: ["Biomechanics"]),
        .library(name: "SpineModel", targets: ["SpineModel"]),
        // MARK: - Command-line tool
        .executable(name: "spinetraction", targets: ["SpineTractionCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // `swift package generate-documentation` (DocC catalogs of every public module; run in CI).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Public modules
        .target(
            name: "SparseLinearAlgebra",
            dependencies: ["CLAPACK", "CMetis"]
        ),
        .target(
            name: "TractionSafety",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            exclude: ["CInterface/traction_safety.h"]
        ),
        .target(
            name: "FiniteElements",
            dependencies: ["SparseLinearAlgebra"]
        ),
        .target(
            name: "SpineTraction",
            dependencies: ["SparseLinearAlgebra", "FiniteElements", "TractionSafety", "Biomechanics", "SpineModel"]
        ),
        .target(
            name: "Biomechanics",
            dependencies: ["FiniteElements", "SparseLinearAlgebra"],
            exclude: ["Biphasic/README.md"]
        ),
        .target(
            name: "SpineModel",
            dependencies: [
                "Biomechanics", "FiniteElements", "SparseLinearAlgebra",
                // The package's one strict JSON reader and `JSONValue` (Foundation + swift-crypto only).
                "TractionSafety",
                // SHA-256 of run-directory files (already a dependency of TractionSafety).
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: - Command-line tool
        .executableTarget(
            name: "SpineTractionCLI",
            dependencies: [
                "SpineTraction",
                "SpineModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Examples
        // Researcher scripts (`swift run NAME [--small]`); CI runs each with --small.
        .executableTarget(name: "DefaultDisc", dependencies: ["SpineTraction"], path: "Examples/DefaultDisc"),
        .executableTarget(name: "DegeneratedDisc", dependencies: ["SpineTraction"], path: "Examples/DegeneratedDisc"),
        .executableTarget(name: "PullForceSweep", dependencies: ["SpineTraction"], path: "Examples/PullForceSweep"),
        .executableTarget(name: "LogarithmicRamp", dependencies: ["SpineTraction"], path: "Examples/LogarithmicRamp"),
        // Solver profile on generated 3D FE systems (supernodal solvers' timing tool).
        .executableTarget(
            name: "SolverProfile",
            dependencies: ["SparseLinearAlgebra", "CLAPACK"],
            path: "Examples/SolverProfile"
        ),

        // MARK: - Implementation details (no stable API)
        .systemLibrary(name: "CLAPACK"),
        .systemLibrary(name: "CMetis"),
        .target(name: "_TestSupport", dependencies: ["SparseLinearAlgebra"]),

        // MARK: - Tests
        .testTarget(
            name: "SparseLinearAlgebraTests",
            dependencies: ["SparseLinearAlgebra", "_TestSupport", "CLAPACK"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["SpineTraction"]
        ),
        .testTarget(
            name: "FiniteElementsTests",
            dependencies: ["FiniteElements", "_TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BiomechanicsTests",
            dependencies: ["Biomechanics", "FiniteElements", "SparseLinearAlgebra", "_TestSupport"],
            exclude: ["Data"]  // reference data read by path (#filePath) and the script that made it
        ),
        // A child process for the run-directory kill tests (SpineModelTests spawns and signals it).
        .executableTarget(
            name: "RunDirectoryKillProbe",
            dependencies: ["SpineModel"],
            path: "Tests/RunDirectoryKillProbeSupport"
        ),
        .testTarget(
            name: "SpineModelTests",
            dependencies: ["SpineModel", "Biomechanics", "FiniteElements", "SparseLinearAlgebra", "RunDirectoryKillProbe"]
        ),
        .testTarget(
            name: "TractionSafetyTests",
            dependencies: [
                "TractionSafety",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Traces")]
        ),
    ]
)
