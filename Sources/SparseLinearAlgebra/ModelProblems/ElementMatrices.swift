/// Element matrices of hexahedral Lagrange elements on an axis-aligned box,
/// for the model problems. Local nodes are numbered lexicographically:
/// node (a, b, c) of an element with `p + 1` nodes per direction (p = 1: Q1,
/// 8 nodes; p = 2: Q2, 27 nodes) is `a + (p+1)·(b + (p+1)·c)`, `a` along x.
/// Local dofs of a vector field are `3·node + component`.
enum HexElement {
    /// Gauss–Legendre points and weights on [−1, 1].
    static func gauss(_ count: Int) -> [(point: Double, weight: Double)] {
        switch count {
        case 1: return [(0, 2)]
        case 2:
            let g = 1 / 3.0.squareRoot()
            return [(-g, 1), (g, 1)]
        case 3:
            let g = (3.0 / 5).squareRoot()
            return [(-g, 5.0 / 9), (0, 8.0 / 9), (g, 5.0 / 9)]
        default: preconditionFailure("Gauss rule with \(count) points not tabulated")
        }
    }

    /// 1D Lagrange basis of degree `p` (1 or 2) at reference coordinate `s`
    /// on nodes equispaced in [−1, 1]: values and d/ds.
    static func basis1D(_ p: Int, _ s: Double) -> (values: [Double], derivatives: [Double]) {
        if p == 1 { return ([(1 - s) / 2, (1 + s) / 2], [-0.5, 0.5]) }
        return ([s * (s - 1) / 2, 1 - s * s, s * (s + 1) / 2], [s - 0.5, -2 * s, s + 0.5])
    }

    /// Values and physical gradients of the tensor-product basis of degree `p`
    /// at every point of a `q`-point-per-direction Gauss rule on an element of
    /// edge lengths `h` (mm). Index order: `values[point][node]`,
    /// `gradients[point][3·node + direction]` (1/mm), `weights[point]` (mm³).
    static func tabulate(degree p: Int, points q: Int, h: (Double, Double, Double))
        -> (values: [[Double]], gradients: [[Double]], weights: [Double]) {
        let rule = gauss(q)
        let m = p + 1
        var values: [[Double]] = [], gradients: [[Double]] = [], weights: [Double] = []
        let jac = (h.0 / 2, h.1 / 2, h.2 / 2)
        for gz in rule { for gy in rule { for gx in rule {
            let bx = basis1D(p, gx.point), by = basis1D(p, gy.point), bz = basis1D(p, gz.point)
            var v = [Double](repeating: 0, count: m * m * m)
            var g = [Double](repeating: 0, count: 3 * m * m * m)
            for c in 0..<m { for b in 0..<m { for a in 0..<m {
                let node = a + m * (b + m * c)
                v[node] = bx.values[a] * by.values[b] * bz.values[c]
                g[3 * node] = bx.derivatives[a] * by.values[b] * bz.values[c] / jac.0
                g[3 * node + 1] = bx.values[a] * by.derivatives[b] * bz.values[c] / jac.1
                g[3 * node + 2] = bx.values[a] * by.values[b] * bz.derivatives[c] / jac.2
            } } }
            values.append(v); gradients.append(g)
            weights.append(gx.weight * gy.weight * gz.weight * jac.0 * jac.1 * jac.2)
        } } }
        return (values, gradients, weights)
    }

    /// Isotropic linear-elastic stiffness of a degree-`p` hexahedron:
    /// `K[(a,i),(b,j)] = ∫ λ ∂ᵢNₐ ∂ⱼN_b + μ (∂ⱼNₐ ∂ᵢN_b + δᵢⱼ ∇Nₐ·∇N_b) dV`
    /// with `λ = Eν/((1+ν)(1−2ν))`, `μ = E/(2(1+ν))`. Row-major square matrix of
    /// size `3·(p+1)³` in N/mm for E in MPa and h in mm.
    static func elasticStiffness(degree p: Int, points q: Int, h: (Double, Double, Double),
                                 youngsModulus e: Double, poissonRatio nu: Double) -> [Double] {
        let lambda = e * nu / ((1 + nu) * (1 - 2 * nu)), mu = e / (2 * (1 + nu))
        let t = tabulate(degree: p, points: q, h: h)
        let nodes = (p + 1) * (p + 1) * (p + 1), size = 3 * nodes
        var k = [Double](repeating: 0, count: size * size)
        for (qp, w) in t.weights.enumerated() {
            let g = t.gradients[qp]
            for a in 0..<nodes { for b in 0..<nodes {
                var dot = 0.0
                for d in 0..<3 { dot += g[3 * a + d] * g[3 * b + d] }
                for i in 0..<3 { for j in 0..<3 {
                    var v = lambda * g[3 * a + i] * g[3 * b + j] + mu * g[3 * a + j] * g[3 * b + i]
                    if i == j { v += mu * dot }
                    k[(3 * a + i) * size + 3 * b + j] += w * v
                } }
            } }
        }
        return k
    }

    /// Scalar diffusion matrix `H[a,b] = c ∫ ∇Nₐ·∇N_b dV` of a degree-`p`
    /// hexahedron (row-major, `(p+1)³` square; units of `c`·mm).
    static func laplacian(degree p: Int, points q: Int, h: (Double, Double, Double), coefficient c: Double) -> [Double] {
        let t = tabulate(degree: p, points: q, h: h)
        let nodes = (p + 1) * (p + 1) * (p + 1)
        var m = [Double](repeating: 0, count: nodes * nodes)
        for (qp, w) in t.weights.enumerated() {
            let g = t.gradients[qp]
            for a in 0..<nodes { for b in 0..<nodes {
                m[a * nodes + b] += c * w * (g[3 * a] * g[3 * b] + g[3 * a + 1] * g[3 * b + 1] + g[3 * a + 2] * g[3 * b + 2])
            } }
        }
        return m
    }

    /// Divergence coupling `Q[(a,i), b] = α ∫ ∂ᵢNₐ^u  N_b^p dV` between a
    /// degree-`pu` displacement and a degree-1 pressure (row-major,
    /// `3·(pu+1)³ × 8`; mm² for α dimensionless).
    static func divergenceCoupling(displacementDegree pu: Int, points q: Int, h: (Double, Double, Double), alpha: Double) -> [Double] {
        let tu = tabulate(degree: pu, points: q, h: h)
        let tp = tabulate(degree: 1, points: q, h: h)
        let nu = (pu + 1) * (pu + 1) * (pu + 1)
        var m = [Double](repeating: 0, count: 3 * nu * 8)
        for (qp, w) in tu.weights.enumerated() {
            let g = tu.gradients[qp], v = tp.values[qp]
            for a in 0..<nu { for i in 0..<3 { for b in 0..<8 {
                m[(3 * a + i) * 8 + b] += alpha * w * g[3 * a + i] * v[b]
            } } }
        }
        return m
    }
}

/// Assembles identical element matrices into the lower triangle of a global
/// symmetric matrix (CSC), skipping eliminated (Dirichlet) dofs.
struct LowerTriangleAssembler {
    let dimension: Int
    private var columns: [Int32] = []
    private var rows: [Int32] = []
    private var values: [Double] = []

    init(dimension: Int, expectedTriplets: Int) {
        self.dimension = dimension
        columns.reserveCapacity(expectedTriplets); rows.reserveCapacity(expectedTriplets); values.reserveCapacity(expectedTriplets)
    }

    /// Adds a row-major `dofs.count`² element matrix; a negative dof is eliminated.
    mutating func add(_ element: UnsafeBufferPointer<Double>, dofs: UnsafeBufferPointer<Int>) {
        let m = dofs.count
        for a in 0..<m {
            let ga = dofs[a]
            if ga < 0 { continue }
            for b in 0..<m {
                let gb = dofs[b]
                if gb < 0 || ga < gb { continue }   // lower triangle: row ga ≥ column gb
                rows.append(Int32(ga)); columns.append(Int32(gb)); values.append(element[a * m + b])
            }
        }
    }

    /// The assembled matrix: duplicates summed, rows sorted within columns.
    consuming func matrix() -> SymmetricMatrix {
        let n = dimension, count = values.count
        var starts = [Int](repeating: 0, count: n + 1)
        for c in columns { starts[Int(c) + 1] += 1 }
        for j in 0..<n { starts[j + 1] += starts[j] }
        var bucketRows = [Int32](repeating: 0, count: count)
        var bucketValues = [Double](repeating: 0, count: count)
        var next = Array(starts[0..<n])
        for k in 0..<count {
            let j = Int(columns[k]); let q = next[j]; next[j] = q + 1
            bucketRows[q] = rows[k]; bucketValues[q] = values[k]
        }
        columns = []; rows = []; values = []
        // Sum duplicates with a position marker, then sort each column's rows.
        var outStarts = [Int](repeating: 0, count: n + 1)
        var outRows = [Int32](); outRows.reserveCapacity(count / 4)
        var outValues = [Double](); outValues.reserveCapacity(count / 4)
        var slot = [Int](repeating: -1, count: n)
        var order: [(Int32, Double)] = []
        for j in 0..<n {
            let base = outRows.count
            order.removeAll(keepingCapacity: true)
            for q in starts[j]..<starts[j + 1] {
                let i = Int(bucketRows[q])
                if slot[i] >= base && slot[i] < base + order.count && order[slot[i] - base].0 == Int32(i) {
                    order[slot[i] - base].1 += bucketValues[q]
                } else {
                    slot[i] = base + order.count
                    order.append((Int32(i), bucketValues[q]))
                }
            }
            order.sort { $0.0 < $1.0 }
            for (i, v) in order { outRows.append(i); outValues.append(v) }
            outStarts[j + 1] = outRows.count
        }
        return SymmetricMatrix(uncheckedDimension: n, columnStarts: outStarts, rowIndices: outRows, values: outValues)
    }
}
