import Testing
import SparseLinearAlgebra
import _TestSupport

// MARK: - Independent references (written here, not taken from the library)

/// Upper bandwidth max |i − j| over the stored entries of P A Pᵀ, where
/// `inverse[old] = new` (identity when nil).
func referenceBandwidth(_ a: SymmetricMatrix, inverse: [Int]? = nil) -> Int {
    var b = 0
    for j in 0..<a.dimension {
        for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
            let i = Int(a.rowIndices[p])
            let (ni, nj) = inverse.map { ($0[i], $0[j]) } ?? (i, j)
            b = max(b, abs(ni - nj))
        }
    }
    return b
}

/// Off-diagonal neighbour sets of P A Pᵀ (`inverse[old] = new`).
func permutedNeighbourSets(_ a: SymmetricMatrix, inverse: [Int]) -> [Set<Int>] {
    var adj = [Set<Int>](repeating: [], count: a.dimension)
    for j in 0..<a.dimension {
        for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
            let i = Int(a.rowIndices[p])
            if i != j { adj[inverse[i]].insert(inverse[j]); adj[inverse[j]].insert(inverse[i]) }
        }
    }
    return adj
}

/// nnz(L) (diagonal included) of the Cholesky factor of P A Pᵀ by the
/// elimination tree and row subtrees (Liu 1986): row i of L holds exactly the
/// nodes met walking up the tree from each k < i with a_ik ≠ 0 until i.
func referenceCholeskyNonzeros(_ a: SymmetricMatrix, permutation: [Int]) -> Int {
    let n = a.dimension
    var inverse = [Int](repeating: 0, count: n)
    for (new, old) in permutation.enumerated() { inverse[old] = new }
    let adj = permutedNeighbourSets(a, inverse: inverse)
    // Elimination tree with path compression.
    var parent = [Int](repeating: -1, count: n)
    var ancestor = [Int](repeating: -1, count: n)
    for i in 0..<n {
        for k in adj[i] where k < i {
            var r = k
            while ancestor[r] != -1 && ancestor[r] != i {
                let t = ancestor[r]; ancestor[r] = i; r = t
            }
            if ancestor[r] == -1 { ancestor[r] = i; parent[r] = i }
        }
    }
    var mark = [Int](repeating: -1, count: n)
    var count = n
    for i in 0..<n {
        mark[i] = i
        for k in adj[i] where k < i {
            var r = k
            while mark[r] != i { mark[r] = i; count += 1; r = parent[r] }
        }
    }
    return count
}

/// nnz(L) by literal graph elimination with sets (for small matrices).
func naiveEliminationNonzeros(_ a: SymmetricMatrix, permutation: [Int]) -> Int {
    let n = a.dimension
    var inverse = [Int](repeating: 0, count: n)
    for (new, old) in permutation.enumerated() { inverse[old] = new }
    var adj = permutedNeighbourSets(a, inverse: inverse)
    var count = n
    for k in 0..<n {
        let later = adj[k].filter { $0 > k }
        count += later.count
        for u in later { for v in later where u != v { adj[u].insert(v) } }
    }
    return count
}

/// Exact minimum-degree order by literal elimination (ties: lowest index).
func exactMinimumDegreeOrder(_ a: SymmetricMatrix) -> [Int] {
    let n = a.dimension
    var adj = permutedNeighbourSets(a, inverse: Array(0..<n))
    var alive = Set(0..<n)
    var order = [Int]()
    while !alive.isEmpty {
        let p = alive.min { (adj[$0].count, $0) < (adj[$1].count, $1) }!
        order.append(p)
        alive.remove(p)
        let nb = adj[p]
        for u in nb { adj[u].remove(p); for v in nb where u != v { adj[u].insert(v) } }
        adj[p] = []
    }
    return order
}

/// P A Pᵀ built through COO (`inverse[old] = new`).
func symmetricallyPermuted(_ a: SymmetricMatrix, inverse: [Int]) throws -> SymmetricMatrix {
    var coo = COOMatrix(rows: a.dimension, columns: a.dimension)
    for j in 0..<a.dimension {
        for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
            let i = Int(a.rowIndices[p])
            coo.append(inverse[i], inverse[j], a.values[p])
            if i != j { coo.append(inverse[j], inverse[i], a.values[p]) }
        }
    }
    return try coo.csr().symmetricLowerTriangle()
}

func randomPermutation(_ n: Int, seed: UInt64) -> [Int] {
    var rng = SeededGenerator(seed: seed)
    return Array(0..<n).shuffled(using: &rng)
}

/// Block-diagonal union of matrices plus `isolated` 1×1 blocks: a disconnected graph.
func blockDiagonal(_ blocks: [SymmetricMatrix], isolated: Int) throws -> SymmetricMatrix {
    let n = blocks.reduce(0) { $0 + $1.dimension } + isolated
    var coo = COOMatrix(rows: n, columns: n)
    var offset = 0
    for b in blocks {
        for j in 0..<b.dimension {
            for p in b.columnStarts[j]..<b.columnStarts[j + 1] {
                let i = Int(b.rowIndices[p])
                coo.append(offset + i, offset + j, b.values[p])
                if i != j { coo.append(offset + j, offset + i, b.values[p]) }
            }
        }
        offset += b.dimension
    }
    for k in 0..<isolated { coo.append(offset + k, offset + k, 1) }
    return try coo.csr().symmetricLowerTriangle()
}

func isPermutation(_ p: [Int], _ n: Int) -> Bool { p.count == n && p.sorted() == Array(0..<n) }

// MARK: - Tests

@Suite("Orderings: RCM and AMD")
struct OrderingTests {
    @Test("The reference symbolic count equals literal elimination")
    func referenceCountsAgree() throws {
        for seed: UInt64 in 1...4 {
            let a = TestMatrices.randomSymmetric(dimension: 40, perRow: 3, diagonalShift: 1, seed: seed)
            let perm = randomPermutation(40, seed: seed + 10)
            #expect(referenceCholeskyNonzeros(a, permutation: perm) == naiveEliminationNonzeros(a, permutation: perm))
        }
        // Tridiagonal closed form: nnz(L) = 2n − 1 in natural order.
        let t = TestMatrices.laplacian3D(30, 1, 1)
        #expect(referenceCholeskyNonzeros(t, permutation: Array(0..<30)) == 59)
    }

    @Test("RCM and AMD return permutations, also on disconnected graphs", arguments: [OrderingMethod.reverseCuthillMcKee, .approximateMinimumDegree])
    func permutations(method: OrderingMethod) throws {
        let a = try blockDiagonal([TestMatrices.laplacian3D(5, 4, 3),
                                   TestMatrices.randomSymmetric(dimension: 37, perRow: 2, diagonalShift: 1, seed: 3),
                                   TestMatrices.laplacian3D(7, 1, 1)], isolated: 4)
        let shuffled = try symmetricallyPermuted(a, inverse: randomPermutation(a.dimension, seed: 99))
        for m in [a, shuffled] {
            let o = try Ordering.compute(method, for: m)
            #expect(isPermutation(o.permutation, m.dimension))
            for (new, old) in o.permutation.enumerated() { #expect(o.inverse[old] == new) }
        }
        let empty = try SymmetricMatrix(dimension: 0, columnStarts: [0], rowIndices: [], values: [])
        #expect(try Ordering.compute(method, for: empty).permutation.isEmpty)
    }

    @Test("RCM recovers the grid bandwidth of a shuffled 3D Laplacian")
    func rcmBandwidth() throws {
        for (nx, ny, nz) in [(8, 8, 20), (10, 12, 14), (6, 7, 40)] {
            let a = TestMatrices.laplacian3D(nx, ny, nz)
            let shuffled = try symmetricallyPermuted(a, inverse: randomPermutation(a.dimension, seed: UInt64(nx * ny * nz)))
            let before = referenceBandwidth(shuffled)
            let o = try Ordering.compute(.reverseCuthillMcKee, for: shuffled)
            let after = referenceBandwidth(shuffled, inverse: o.inverse)
            print("RCM \(nx)×\(ny)×\(nz): bandwidth shuffled \(before) → RCM \(after) (grid nx·ny = \(nx * ny))")
            // RCM level sets are diagonal planes of the box; allow 25% over the natural grid bandwidth.
            #expect(Double(after) <= 1.25 * Double(nx * ny))
            #expect(after * 5 < before)
        }
    }

    @Test("RCM on shuffled paths and 2D grids: George–Liu finds an end, bandwidth 1 and ≈ the short side")
    func rcmPathAndGrid() throws {
        let path = TestMatrices.laplacian3D(200, 1, 1)
        let shuffledPath = try symmetricallyPermuted(path, inverse: randomPermutation(200, seed: 1))
        let o = try Ordering.compute(.reverseCuthillMcKee, for: shuffledPath)
        #expect(referenceBandwidth(shuffledPath, inverse: o.inverse) == 1)
        for (nx, ny) in [(40, 9), (25, 25)] {
            let grid = TestMatrices.laplacian3D(nx, ny, 1)
            let shuffled = try symmetricallyPermuted(grid, inverse: randomPermutation(nx * ny, seed: 2))
            let bw = referenceBandwidth(shuffled, inverse: try Ordering.compute(.reverseCuthillMcKee, for: shuffled).inverse)
            print("RCM 2D \(nx)×\(ny): bandwidth \(bw) (short side \(min(nx, ny)))")
            // Level sets are anti-diagonals of at most min(nx, ny) vertices.
            #expect(bw <= min(nx, ny) + 1)
        }
    }

    @Test("AMD fill is far below natural and close to METIS and exact minimum degree")
    func amdFill() throws {
        var cases: [(String, SymmetricMatrix, Double)] = []  // name, matrix, allowed AMD/METIS ratio
        for k in [20, 30, 45] { cases.append(("2D \(k)×\(k)", TestMatrices.laplacian3D(k, k, 1), 1.3)) }
        cases.append(("3D 12×12×12", TestMatrices.laplacian3D(12, 12, 12), 1.6))
        cases.append(("random SPD n=1500", TestMatrices.randomSymmetric(dimension: 1500, perRow: 2, diagonalShift: 1, seed: 5), 1.3))
        for (name, a, ratio) in cases {
            let natural = referenceCholeskyNonzeros(a, permutation: Array(0..<a.dimension))
            let amd = try Ordering.compute(.approximateMinimumDegree, for: a)
            let metis = try Ordering.compute(.nestedDissection, for: a)
            let rcm = try Ordering.compute(.reverseCuthillMcKee, for: a)
            let fillAMD = referenceCholeskyNonzeros(a, permutation: amd.permutation)
            let fillMETIS = referenceCholeskyNonzeros(a, permutation: metis.permutation)
            let fillRCM = referenceCholeskyNonzeros(a, permutation: rcm.permutation)
            print("nnz(L) \(name): natural \(natural), RCM \(fillRCM), AMD \(fillAMD), METIS \(fillMETIS), AMD/METIS \(Double(fillAMD) / Double(fillMETIS))")
            #expect(Double(fillAMD) <= Double(natural) * (a.dimension > 1000 && name.hasPrefix("random") ? 0.3 : 0.8))
            #expect(Double(fillAMD) <= ratio * Double(fillMETIS))
        }
    }

    @Test("AMD matches exact minimum degree on small matrices to within 15%")
    func amdVersusExactMinimumDegree() throws {
        var matrices = [TestMatrices.laplacian3D(9, 9, 1), TestMatrices.laplacian3D(5, 5, 4)]
        for seed: UInt64 in 1...3 { matrices.append(TestMatrices.randomSymmetric(dimension: 120, perRow: 2, diagonalShift: 1, seed: seed)) }
        for a in matrices {
            let amd = referenceCholeskyNonzeros(a, permutation: try Ordering.compute(.approximateMinimumDegree, for: a).permutation)
            let md = referenceCholeskyNonzeros(a, permutation: exactMinimumDegreeOrder(a))
            print("nnz(L) n=\(a.dimension): AMD \(amd), exact minimum degree \(md)")
            #expect(Double(amd) <= 1.15 * Double(md))
        }
    }

    @Test("AMD orders a dense row last")
    func amdDenseRow() throws {
        // A 40×40 grid plus one vertex joined to every grid vertex (degree 1600 > 10·√1601 ≈ 400).
        let grid = TestMatrices.laplacian3D(40, 40, 1)
        let n = grid.dimension + 1
        var coo = COOMatrix(rows: n, columns: n)
        for j in 0..<grid.dimension {
            for p in grid.columnStarts[j]..<grid.columnStarts[j + 1] {
                let i = Int(grid.rowIndices[p])
                coo.append(i, j, grid.values[p]); if i != j { coo.append(j, i, grid.values[p]) }
            }
            coo.append(n - 1, j, 1); coo.append(j, n - 1, 1)
        }
        coo.append(n - 1, n - 1, Double(n))
        let a = try coo.csr().symmetricLowerTriangle()
        let o = try Ordering.compute(.approximateMinimumDegree, for: a)
        #expect(o.permutation.last == n - 1)
        // Fill of the grid part is then as good as ordering the grid alone: the dense row, ordered last, adds a full last row of n entries.
        let withDense = referenceCholeskyNonzeros(a, permutation: o.permutation)
        let gridOnly = referenceCholeskyNonzeros(grid, permutation: try Ordering.compute(.approximateMinimumDegree, for: grid).permutation)
        #expect(withDense == gridOnly + n)
    }
}

@Suite("Orderings: randomized graphs")
struct OrderingFuzzTests {
    @Test("200 random graphs (sparse to dense, often disconnected): permutations, AMD fill near exact minimum degree")
    func randomGraphs() throws {
        var rng = SeededGenerator(seed: 2024)
        var worst = 0.0
        for trial in 0..<200 {
            let n = Int.random(in: 1...60, using: &rng)
            let perRow = Int.random(in: 0...max(1, n / 4), using: &rng)
            let a = TestMatrices.randomSymmetric(dimension: n, perRow: perRow, diagonalShift: 1, seed: UInt64(trial))
            for method in [OrderingMethod.reverseCuthillMcKee, .approximateMinimumDegree] {
                #expect(isPermutation(try Ordering.compute(method, for: a).permutation, n))
            }
            let amd = referenceCholeskyNonzeros(a, permutation: try Ordering.compute(.approximateMinimumDegree, for: a).permutation)
            let md = referenceCholeskyNonzeros(a, permutation: exactMinimumDegreeOrder(a))
            worst = max(worst, Double(amd) / Double(md))
            #expect(Double(amd) <= 1.25 * Double(md), "trial \(trial): n=\(n), AMD \(amd), MD \(md)")
        }
        print("worst AMD / exact-MD fill ratio over 200 random graphs: \(worst)")
    }
}
