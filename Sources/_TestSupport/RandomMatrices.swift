import SparseLinearAlgebra

/// A small deterministic generator (SplitMix64) so tests are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public enum TestMatrices {
    /// A random sparse symmetric matrix with about `perRow` off-diagonal
    /// entries per row in U(−1, 1) and diagonal `diagonalShift + Σ|offdiag|`
    /// (SPD when `diagonalShift > 0`).
    public static func randomSymmetric(dimension n: Int, perRow: Int, diagonalShift: Double, seed: UInt64) -> SymmetricMatrix {
        var rng = SeededGenerator(seed: seed)
        var coo = COOMatrix(rows: n, columns: n)
        var rowSum = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for _ in 0..<perRow {
                let j = Int.random(in: 0..<n, using: &rng)
                if j == i { continue }
                let v = Double.random(in: -1...1, using: &rng)
                coo.append(i, j, v); coo.append(j, i, v)
                rowSum[i] += abs(v); rowSum[j] += abs(v)
            }
        }
        for i in 0..<n { coo.append(i, i, rowSum[i] + diagonalShift) }
        return try! coo.csr().symmetricLowerTriangle()
    }

    /// The 3D 7-point Laplacian on an `nx × ny × nz` grid with Dirichlet
    /// boundaries folded in (SPD).
    public static func laplacian3D(_ nx: Int, _ ny: Int, _ nz: Int) -> SymmetricMatrix {
        let n = nx * ny * nz
        var coo = COOMatrix(rows: n, columns: n)
        func id(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }
        for k in 0..<nz { for j in 0..<ny { for i in 0..<nx {
            let p = id(i, j, k)
            coo.append(p, p, 6)
            if i > 0 { coo.append(p, id(i - 1, j, k), -1) }
            if i < nx - 1 { coo.append(p, id(i + 1, j, k), -1) }
            if j > 0 { coo.append(p, id(i, j - 1, k), -1) }
            if j < ny - 1 { coo.append(p, id(i, j + 1, k), -1) }
            if k > 0 { coo.append(p, id(i, j, k - 1), -1) }
            if k < nz - 1 { coo.append(p, id(i, j, k + 1), -1) }
        } } }
        return try! coo.csr().symmetricLowerTriangle()
    }
}
