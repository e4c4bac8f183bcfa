import SparseLinearAlgebra
import _TestSupport

/// Small FE-like matrices for the supernodal solver tests.
enum SupernodalTestMatrices {
    /// A u–p saddle-point matrix [[K, −Q], [−Qᵀ, −εH]] on an `nx × ny × nz` node
    /// grid, dofs numbered node by node (ux, uy, uz, p):
    /// K = (graph Laplacian + I) ⊗ I₃ + a small random symmetric perturbation
    /// that keeps it diagonally dominant (SPD), Q a discrete gradient coupling each
    /// pressure to its neighbours' displacements (Q[(j,d), i] = (xⱼ − xᵢ)_d),
    /// H = graph Laplacian + 0.01·I (SPD), scaled by `pressureScale` = ε ≥ 0.
    /// With ε > 0 the matrix is quasi-definite: exactly 3·nodes positive and
    /// nodes negative eigenvalues. With ε = 0 the pressure diagonal is exactly zero.
    static func saddle(_ nx: Int, _ ny: Int, _ nz: Int, pressureScale: Double, seed: UInt64) -> SymmetricMatrix {
        var rng = SeededGenerator(seed: seed)
        let nodes = nx * ny * nz
        let n = 4 * nodes
        var coo = COOMatrix(rows: n, columns: n)
        func node(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }
        var diagK = [Double](repeating: 1, count: 3 * nodes)
        for k in 0..<nz { for j in 0..<ny { for i in 0..<nx {
            let a = node(i, j, k)
            var neighbours: [(Int, [Double])] = []
            for (di, dj, dk) in [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)] {
                let ii = i + di, jj = j + dj, kk = k + dk
                if ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz { continue }
                neighbours.append((node(ii, jj, kk), [Double(di), Double(dj), Double(dk)]))
            }
            // Pressure block: −ε (Laplacian + 0.01 I).
            coo.append(4 * a + 3, 4 * a + 3, -pressureScale * (Double(neighbours.count) + 0.01))
            for (b, dir) in neighbours {
                if pressureScale != 0 { coo.append(4 * a + 3, 4 * b + 3, pressureScale) }
                for d in 0..<3 {
                    // K off-diagonal (Laplacian ⊗ I): −1; plus a small symmetric coupling across components.
                    coo.append(4 * a + d, 4 * b + d, -1)
                    diagK[3 * a + d] += 1
                    // Coupling −Q between p_a and u_b (both triangles).
                    let q = 0.5 * dir[d]
                    if q != 0 { coo.append(4 * b + d, 4 * a + 3, -q); coo.append(4 * a + 3, 4 * b + d, -q) }
                }
            }
            for d in 0..<3 {
                for e in (d + 1)..<3 {
                    let v = Double.random(in: -0.3...0.3, using: &rng)
                    coo.append(4 * a + d, 4 * a + e, v); coo.append(4 * a + e, 4 * a + d, v)
                    diagK[3 * a + d] += abs(v); diagK[3 * a + e] += abs(v)
                }
            }
        } } }
        for a in 0..<nodes { for d in 0..<3 { coo.append(4 * a + d, 4 * a + d, diagK[3 * a + d]) } }
        return try! coo.csr().symmetricLowerTriangle()
    }

    /// A symmetric positive definite tridiagonal-plus matrix (bandwidth 2) whose
    /// leading minors are positive up to `failing − 1` and whose `failing`-th
    /// leading minor is negative: the diagonal entry there is −1.
    static func failingAt(_ failing: Int, dimension n: Int) -> SymmetricMatrix {
        var coo = COOMatrix(rows: n, columns: n)
        for i in 0..<n {
            coo.append(i, i, i == failing ? -1 : 4)
            if i + 1 < n { coo.append(i, i + 1, -1); coo.append(i + 1, i, -1) }
            if i + 2 < n { coo.append(i, i + 2, 0.5); coo.append(i + 2, i, 0.5) }
        }
        return try! coo.csr().symmetricLowerTriangle()
    }

    /// Dense symbolic Cholesky of `P A Pᵀ`: (nnz(L) with diagonal, Σ colcount²).
    static func bruteForceSymbolic(_ a: SymmetricMatrix, permutation: [Int]) -> (nonzeros: Int, flops: Double) {
        let n = a.dimension
        var inverse = [Int](repeating: 0, count: n)
        for (new, old) in permutation.enumerated() { inverse[old] = new }
        var pattern = [[Bool]](repeating: [Bool](repeating: false, count: n), count: n)
        for j in 0..<n {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                let r = inverse[Int(a.rowIndices[p])], c = inverse[j]
                pattern[max(r, c)][min(r, c)] = true
            }
        }
        var nonzeros = 0
        var flops = 0.0
        for j in 0..<n {
            var below: [Int] = []
            for i in (j + 1)..<max(n, j + 1) where pattern[i][j] { below.append(i) }
            // Fill: l_ik ≠ 0 for all pairs of rows below the pivot.
            for x in 0..<below.count { for y in 0...x { pattern[below[x]][below[y]] = true } }
            let count = below.count + 1
            nonzeros += count
            flops += Double(count * count)
        }
        return (nonzeros, flops)
    }

    /// ‖x − y‖₂ / ‖y‖₂.
    static func relativeError(_ x: [Double], _ y: [Double]) -> Double {
        var num = 0.0, den = 0.0
        for i in 0..<x.count { num += (x[i] - y[i]) * (x[i] - y[i]); den += y[i] * y[i] }
        return (num / den).squareRoot()
    }

    /// 2-norm condition number and eigenvalue sign counts from `dsyev`.
    static func spectrum(_ a: SymmetricMatrix) throws -> (condition: Double, inertia: Inertia) {
        let w = try DenseMatrix(a).symmetricEigenvalues()
        var pos = 0, neg = 0, zero = 0
        var smallest = Double.infinity, largest = 0.0
        for x in w {
            if x > 0 { pos += 1 } else if x < 0 { neg += 1 } else { zero += 1 }
            smallest = min(smallest, abs(x)); largest = max(largest, abs(x))
        }
        return (largest / smallest, Inertia(positive: pos, negative: neg, zero: zero))
    }
}
