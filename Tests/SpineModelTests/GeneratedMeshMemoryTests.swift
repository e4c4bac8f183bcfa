import Foundation
import Testing
import FiniteElements
import SparseLinearAlgebra
@testable import SpineModel

/// A generated mesh is refused, before it is built, when the memory a run on it needs exceeds the cap.
@Suite("Generated mesh memory bound")
struct GeneratedMeshMemoryTests {
    /// Hand count for a 10 × 10 × 10 hex8 box: 1000 blocks × (1 node × 24 B + 8 cell nodes × 8 B +
    /// 27 node pairs × 9 × 12 B) = 1000 × 3004 B; hex20: 1000 × (4 × 24 + 20 × 8 + 234 × 108) B.
    @Test func estimateMatchesTheHandCount() {
        let hex8 = MeshSource.box(origin: .zero, size: SIMD3(1, 1, 1), divisions: SIMD3(10, 10, 10), element: .hex8)
        #expect(hex8.estimatedMemoryBytes == 3_004_000)
        let hex20 = MeshSource.box(origin: .zero, size: SIMD3(1, 1, 1), divisions: SIMD3(10, 10, 10), element: .hex20)
        #expect(hex20.estimatedMemoryBytes == 25_528_000)
        #expect(MeshSource.gmsh(path: "a.msh").estimatedMemoryBytes == nil)
        let huge = MeshSource.box(origin: .zero, size: SIMD3(1, 1, 1), divisions: SIMD3(Int.max / 2, 4, 4), element: .hex8)
        #expect(huge.estimatedMemoryBytes == Int.max)
    }

    /// At the cap the box passes; one byte below it the error names the field, the divisions, the estimate and the cap.
    @Test func refusedOneByteBelowTheEstimate() throws {
        let box = MeshSource.box(origin: .zero, size: SIMD3(1, 1, 1), divisions: SIMD3(10, 10, 10), element: .hex8)
        let path = ModelPath(style: .json).key("mesh")
        try box.checkSize(at: path, limits: InputLimits(memoryCapBytes: 3_004_000))
        let e = try #require(throws: ModelError.self) { try box.checkSize(at: path, limits: InputLimits(memoryCapBytes: 3_003_999)) }
        #expect(e.kind == .invalidValue && e.path == "mesh.generate.box.divisions", "\(e)")
        for part in ["10 × 10 × 10", "1000 blocks", "hex8", "3004000 bytes", "3003999 bytes"] {
            #expect(e.message.contains(part), "\(part) missing from \(e.message)")
        }
    }

    /// The estimate is a lower bound of the same quantities counted exactly on the generated mesh
    /// (nodes, cell nodes, node pairs sharing a cell) and within a factor 2 of them.
    @Test(arguments: CellType.allCases)
    func estimateIsALowerBoundOfTheBuiltMesh(element: CellType) throws {
        let n = 5
        let source = MeshSource.box(origin: .zero, size: SIMD3(1, 1, 1), divisions: SIMD3(n, n, n), element: element)
        let estimate = try #require(source.estimatedMemoryBytes)
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(n, n, n), cellType: element)
        var neighbours = [Set<Int>](repeating: [], count: mesh.nodes.count)
        for c in 0..<mesh.cellCount {
            let nodes = mesh.cellNodes(c)
            for a in nodes { neighbours[a].formUnion(nodes) }
        }
        let pairs = neighbours.reduce(0) { $0 + $1.count }
        let actual = mesh.nodes.count * 24 + mesh.connectivity.count * 8 + pairs * 9 * 12
        #expect(estimate <= actual && 2 * estimate >= actual, "\(element): estimate \(estimate), counted \(actual)")
    }

    /// A model whose box passes the cell limit but not the memory cap is refused by `validate()`
    /// (hex27 blocks need ≈ 56 kB each; 2 000 000 of them exceed half of any machine's memory below 224 GB).
    @Test func validateUsesTheMemoryCap() throws {
        var model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/compression-box.json").path)
        model.mesh = .box(origin: .zero, size: SIMD3(10, 10, 10), divisions: SIMD3(200, 100, 100), element: .hex27)
        let estimate = try #require(model.mesh.estimatedMemoryBytes)
        try #require(estimate > InputLimits.default.memoryCapBytes, "this machine has more than \(2 * estimate) bytes")
        let e = try #require(throws: ModelError.self) { try model.validate() }
        #expect(e.path == "mesh.generate.box.divisions" && e.message.contains("\(estimate) bytes"), "\(e)")
    }
}
