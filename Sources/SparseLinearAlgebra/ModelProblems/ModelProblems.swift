/// Generated 3D finite-element systems on a structured hexahedral mesh of a
/// cube — the benchmark and test matrices of the solver layer, matching the
/// families of `shared/anchors/SOLVERS.md` (`elast`, `poisson`, `poro`) so that
/// n and nnz(A) compare one to one with the peers measured there.
///
/// Geometry and numbering (all generators):
/// - The cube `[0, L]³` (L = `edgeLength`, mm) carries a grid of
///   `nodesX × nodesY × nodesZ` equispaced nodes; node (i, j, k) is at
///   `(i·hx, j·hy, k·hz)` with `hx = L/(nodesX − 1)` (mm) etc.
/// - The face x = 0 is clamped (displacement zero) or held at zero (scalar);
///   its unknowns are eliminated, not penalised. Remaining nodes are numbered
///   `(i − 1) + (nodesX − 1)·(j + nodesY·k)`; a vector field's unknown is
///   `3·node + component`. When nothing is eliminated (`clampXZeroFace: false`,
///   `eliminateXZeroFace: false`) node (i, j, k) is `i + nodesX·(j + nodesY·k)`.
/// - Poroelastic systems hold all displacement unknowns first, then all
///   pressure unknowns; the pressure is held at zero (drained) on the face
///   x = L, and its nodes are numbered `i + (nodesX − 1)·(j + nodesY·k)`
///   for `i < nodesX − 1`.
///
/// Sizes used by the benchmarks (n and nnz(A) equal SOLVERS.md's):
/// | name | call | n | nnz(A) |
/// |---|---|---|---|
/// | elast_30k | `elasticityQ1(nodesX: 22, nodesY: 22, nodesZ: 22)` | 30 492 | 2.25 M |
/// | elast_100k | `elasticityQ1(nodesX: 33, nodesY: 33, nodesZ: 33)` | 104 544 | 7.96 M |
/// | poisson_30k | `poissonQ1(nodesX: 31, nodesY: 31, nodesZ: 31)` | 28 830 | 0.73 M |
/// | poro_30k | `poroelasticQ1Q1(nodesX: 20, nodesY: 20, nodesZ: 20)` | 30 400 | 2.94 M |
/// | th_30k | `poroelasticTaylorHood(elementsX: 11, elementsY: 10, elementsZ: 10)` | 30 437 | 5.79 M |
///
/// ```swift
/// let k = try ModelProblems.elasticityQ1(nodesX: 22, nodesY: 22, nodesZ: 22)
/// let solver = LinearSolvers.makeDefault(for: k.dimension, kind: .symmetricPositiveDefinite)
/// ```
public enum ModelProblems {
    /// A symmetric indefinite u–p system `[[K, −Q], [−Qᵀ, −κΔt·H]]` and its block sizes.
    public struct SaddlePointSystem: Sendable {
        /// The lower triangle of the whole matrix; displacement unknowns first.
        public var matrix: SymmetricMatrix
        /// Number of displacement unknowns (the leading block; K is SPD, so the
        /// matrix has this many positive eigenvalues).
        public var displacementUnknowns: Int
        /// Number of pressure unknowns (the trailing block; this many negative eigenvalues).
        public var pressureUnknowns: Int
    }

    // MARK: - Public generators

    /// Trilinear (Q1, 8-node hexahedron) isotropic linear elasticity on the
    /// cube, 2×2×2 Gauss quadrature, 3 unknowns per node; face x = 0 clamped
    /// when `clampXZeroFace` (the matrix is then SPD).
    ///
    /// - Parameters:
    ///   - nodesX, nodesY, nodesZ: nodes per direction (≥ 2).
    ///   - youngsModulus: E in MPa (> 0); default 1 as in SOLVERS.md.
    ///   - poissonRatio: ν, dimensionless, in (−1, 0.5); default 0.3.
    ///   - edgeLength: L in mm (> 0); default 1.
    ///   - clampXZeroFace: eliminate the unknowns of the face x = 0 (default);
    ///     `false` gives the singular floating stiffness whose null space holds
    ///     the six rigid-body modes.
    /// - Returns: the stiffness (N/mm), lower triangle.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming the bad parameter.
    public static func elasticityQ1(nodesX: Int, nodesY: Int, nodesZ: Int,
                                    youngsModulus: Double = 1, poissonRatio: Double = 0.3,
                                    edgeLength: Double = 1, clampXZeroFace: Bool = true) throws -> SymmetricMatrix {
        let grid = try Grid(nodesX, nodesY, nodesZ, edgeLength: edgeLength, degree: 1)
        try checkMaterial(youngsModulus, poissonRatio)
        let ke = HexElement.elasticStiffness(degree: 1, points: 2, h: grid.h, youngsModulus: youngsModulus, poissonRatio: poissonRatio)
        let nodes = grid.nodeMap(eliminateXZero: clampXZeroFace)
        return assemble(grid: grid, element: ke, vectorNodes: nodes.map, vectorCount: nodes.count, scalarNodes: nil, scalarCount: 0)
    }

    /// Trilinear (Q1) Laplacian `c ∫ ∇u·∇v` on the cube (27-point stencil),
    /// 2×2×2 Gauss quadrature, face x = 0 eliminated when `eliminateXZeroFace`
    /// (the matrix is then SPD; without it, `K·1 = 0`).
    ///
    /// - Parameters:
    ///   - nodesX, nodesY, nodesZ: nodes per direction (≥ 2).
    ///   - conductivity: c (> 0), in the caller's unit; entries are c·mm.
    ///   - edgeLength: L in mm (> 0).
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming the bad parameter.
    public static func poissonQ1(nodesX: Int, nodesY: Int, nodesZ: Int, conductivity: Double = 1,
                                 edgeLength: Double = 1, eliminateXZeroFace: Bool = true) throws -> SymmetricMatrix {
        let grid = try Grid(nodesX, nodesY, nodesZ, edgeLength: edgeLength, degree: 1)
        guard conductivity > 0, conductivity.isFinite else {
            throw LinearAlgebraError.invalidArgument("conductivity must be finite and > 0, got \(conductivity)")
        }
        let he = HexElement.laplacian(degree: 1, points: 2, h: grid.h, coefficient: conductivity)
        let nodes = grid.nodeMap(eliminateXZero: eliminateXZeroFace)
        return assemble(grid: grid, element: he, vectorNodes: nil, vectorCount: 0, scalarNodes: nodes.map, scalarCount: nodes.count)
    }

    /// One backward-Euler step of Biot poroelasticity with equal-order Q1–Q1
    /// displacement and pressure on the same grid (SOLVERS.md's `poro`):
    /// `[[K, −Q], [−Qᵀ, −κΔt·H]]` with `Q[(a,i),b] = α ∫ ∂ᵢNₐ N_b`,
    /// `H[a,b] = ∫ ∇Nₐ·∇N_b`; u clamped on x = 0, p = 0 on x = L.
    /// Symmetric quasi-definite: inertia (#u positive, #p negative).
    ///
    /// - Parameters:
    ///   - nodesX, nodesY, nodesZ: nodes per direction (≥ 2).
    ///   - youngsModulus: drained E in MPa; poissonRatio: drained ν.
    ///   - biotCoefficient: α, dimensionless (default 1).
    ///   - permeabilityTimesStep: κΔt in mm²/MPa (κ in mm²/(MPa·s) times Δt in s), > 0; default 1e-4.
    ///   - edgeLength: L in mm.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming the bad parameter.
    public static func poroelasticQ1Q1(nodesX: Int, nodesY: Int, nodesZ: Int,
                                       youngsModulus: Double = 1, poissonRatio: Double = 0.3,
                                       biotCoefficient: Double = 1, permeabilityTimesStep: Double = 1e-4,
                                       edgeLength: Double = 1) throws -> SaddlePointSystem {
        let grid = try Grid(nodesX, nodesY, nodesZ, edgeLength: edgeLength, degree: 1)
        try checkMaterial(youngsModulus, poissonRatio)
        try checkPoro(biotCoefficient, permeabilityTimesStep)
        let local = saddleElement(displacementDegree: 1, points: 2, h: grid.h, e: youngsModulus, nu: poissonRatio,
                                  alpha: biotCoefficient, kappaDt: permeabilityTimesStep)
        let u = grid.nodeMap(eliminateXZero: true)
        let p = Grid.pressureMap(grid.pressureGrid)
        let a = assemble(grid: grid, element: local, vectorNodes: u.map, vectorCount: u.count, scalarNodes: p.map, scalarCount: p.count)
        return SaddlePointSystem(matrix: a, displacementUnknowns: 3 * u.count, pressureUnknowns: p.count)
    }

    /// One backward-Euler step of Biot poroelasticity with the inf-sup stable
    /// Taylor–Hood pair: triquadratic Q2 (27-node) displacement, trilinear Q1
    /// pressure, on `elementsX × elementsY × elementsZ` hexahedra, 3×3×3 Gauss.
    /// Blocks and boundary conditions as ``poroelasticQ1Q1(nodesX:nodesY:nodesZ:youngsModulus:poissonRatio:biotCoefficient:permeabilityTimesStep:edgeLength:)``
    /// (u clamped on x = 0, p = 0 on x = L); the displacement nodes form the
    /// `(2·elementsX + 1) × (2·elementsY + 1) × (2·elementsZ + 1)` grid, the
    /// pressure nodes the element corners.
    ///
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming the bad parameter.
    public static func poroelasticTaylorHood(elementsX: Int, elementsY: Int, elementsZ: Int,
                                             youngsModulus: Double = 1, poissonRatio: Double = 0.3,
                                             biotCoefficient: Double = 1, permeabilityTimesStep: Double = 1e-4,
                                             edgeLength: Double = 1) throws -> SaddlePointSystem {
        for (name, v) in [("elementsX", elementsX), ("elementsY", elementsY), ("elementsZ", elementsZ)] where v < 1 {
            throw LinearAlgebraError.invalidArgument("\(name) must be ≥ 1, got \(v)")
        }
        let grid = try Grid(2 * elementsX + 1, 2 * elementsY + 1, 2 * elementsZ + 1, edgeLength: edgeLength, degree: 2)
        try checkMaterial(youngsModulus, poissonRatio)
        try checkPoro(biotCoefficient, permeabilityTimesStep)
        let local = saddleElement(displacementDegree: 2, points: 3, h: grid.h, e: youngsModulus, nu: poissonRatio,
                                  alpha: biotCoefficient, kappaDt: permeabilityTimesStep)
        let u = grid.nodeMap(eliminateXZero: true)
        let p = Grid.pressureMap(grid.pressureGrid)
        let a = assemble(grid: grid, element: local, vectorNodes: u.map, vectorCount: u.count, scalarNodes: p.map, scalarCount: p.count)
        return SaddlePointSystem(matrix: a, displacementUnknowns: 3 * u.count, pressureUnknowns: p.count)
    }

    /// A benchmark matrix by family and size name, as the CLI's `generate` and
    /// the benchmarks use them.
    ///
    /// - Parameters:
    ///   - family: `elasticity`, `poisson`, `poro` (Q1–Q1) or `taylor-hood`.
    ///   - size: `tiny` (a few hundred unknowns), `small` (~3k), `30k`, `100k`,
    ///     `300k`; the 30k/100k/300k sizes are SOLVERS.md's.
    /// - Returns: the matrix and whether it is SPD.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for an unknown family or size.
    public static func named(_ family: String, size: String) throws -> (matrix: SymmetricMatrix, kind: MatrixKind) {
        func pick(_ table: [String: Int]) throws -> Int {
            guard let v = table[size] else {
                throw LinearAlgebraError.invalidArgument("size '\(size)' for \(family): expected one of \(table.keys.sorted().joined(separator: ", "))")
            }
            return v
        }
        switch family {
        case "elasticity", "elast":
            let n = try pick(["tiny": 5, "small": 11, "30k": 22, "100k": 33, "300k": 47])
            return (try elasticityQ1(nodesX: n, nodesY: n, nodesZ: n), .symmetricPositiveDefinite)
        case "poisson":
            let n = try pick(["tiny": 8, "small": 15, "30k": 31, "100k": 47, "300k": 67])
            return (try poissonQ1(nodesX: n, nodesY: n, nodesZ: n), .symmetricPositiveDefinite)
        case "poro":
            let n = try pick(["tiny": 5, "small": 10, "30k": 20, "100k": 30, "300k": 42])
            return (try poroelasticQ1Q1(nodesX: n, nodesY: n, nodesZ: n).matrix, .symmetricIndefinite)
        case "taylor-hood", "th":
            let e = try pick(["tiny": 2, "small": 4, "30k": 10, "100k": 15, "300k": 22])
            return (try poroelasticTaylorHood(elementsX: size == "30k" ? 11 : e, elementsY: e, elementsZ: e).matrix, .symmetricIndefinite)
        default:
            throw LinearAlgebraError.invalidArgument("model family '\(family)': expected elasticity, poisson, poro or taylor-hood")
        }
    }

    // MARK: - Internals

    static func checkMaterial(_ e: Double, _ nu: Double) throws {
        guard e > 0, e.isFinite else { throw LinearAlgebraError.invalidArgument("youngsModulus must be finite and > 0 MPa, got \(e)") }
        guard nu > -1, nu < 0.5 else { throw LinearAlgebraError.invalidArgument("poissonRatio must lie in (−1, 0.5), got \(nu)") }
    }

    static func checkPoro(_ alpha: Double, _ kappaDt: Double) throws {
        guard alpha.isFinite, alpha >= 0, alpha <= 1 else { throw LinearAlgebraError.invalidArgument("biotCoefficient must lie in [0, 1], got \(alpha)") }
        guard kappaDt > 0, kappaDt.isFinite else { throw LinearAlgebraError.invalidArgument("permeabilityTimesStep must be finite and > 0 mm²/MPa, got \(kappaDt)") }
    }

    /// Row-major element matrix `[[K, −Q], [−Qᵀ, −κΔt·H]]`, size `3·(pu+1)³ + 8`.
    static func saddleElement(displacementDegree pu: Int, points q: Int, h: (Double, Double, Double),
                              e: Double, nu: Double, alpha: Double, kappaDt: Double) -> [Double] {
        let k = HexElement.elasticStiffness(degree: pu, points: q, h: h, youngsModulus: e, poissonRatio: nu)
        let c = HexElement.divergenceCoupling(displacementDegree: pu, points: q, h: h, alpha: alpha)
        let hp = HexElement.laplacian(degree: 1, points: q, h: h, coefficient: kappaDt)
        let mu = 3 * (pu + 1) * (pu + 1) * (pu + 1), m = mu + 8
        var a = [Double](repeating: 0, count: m * m)
        for r in 0..<mu { for s in 0..<mu { a[r * m + s] = k[r * mu + s] } }
        for r in 0..<mu { for b in 0..<8 {
            a[r * m + mu + b] = -c[r * 8 + b]
            a[(mu + b) * m + r] = -c[r * 8 + b]
        } }
        for b in 0..<8 { for d in 0..<8 { a[(mu + b) * m + mu + d] = -hp[b * 8 + d] } }
        return a
    }

    /// A structured node grid and its element layout.
    struct Grid {
        let nx: Int, ny: Int, nz: Int
        let degree: Int
        /// Element edge lengths (mm).
        let h: (Double, Double, Double)
        var elements: (Int, Int, Int) { ((nx - 1) / degree, (ny - 1) / degree, (nz - 1) / degree) }
        /// The Q1 pressure grid (element corners).
        var pressureGrid: (Int, Int, Int) { (elements.0 + 1, elements.1 + 1, elements.2 + 1) }

        init(_ nx: Int, _ ny: Int, _ nz: Int, edgeLength: Double, degree: Int) throws {
            for (name, v) in [("nodesX", nx), ("nodesY", ny), ("nodesZ", nz)] where v < 2 {
                throw LinearAlgebraError.invalidArgument("\(name) must be ≥ 2, got \(v)")
            }
            guard edgeLength > 0, edgeLength.isFinite else {
                throw LinearAlgebraError.invalidArgument("edgeLength must be finite and > 0 mm, got \(edgeLength)")
            }
            self.nx = nx; self.ny = ny; self.nz = nz; self.degree = degree
            let ex = Double((nx - 1) / degree), ey = Double((ny - 1) / degree), ez = Double((nz - 1) / degree)
            h = (edgeLength / ex, edgeLength / ey, edgeLength / ez)
        }

        /// Node (i, j, k) → unknown-node index, −1 when eliminated on x = 0.
        func nodeMap(eliminateXZero: Bool) -> (map: [Int], count: Int) {
            var map = [Int](repeating: -1, count: nx * ny * nz)
            var next = 0
            for k in 0..<nz { for j in 0..<ny { for i in 0..<nx where !(eliminateXZero && i == 0) {
                map[i + nx * (j + ny * k)] = next; next += 1
            } } }
            return (map, next)
        }

        /// Pressure node (i, j, k) of a Q1 grid → index, −1 on the drained face x = L.
        static func pressureMap(_ g: (Int, Int, Int)) -> (map: [Int], count: Int) {
            var map = [Int](repeating: -1, count: g.0 * g.1 * g.2)
            var next = 0
            for k in 0..<g.2 { for j in 0..<g.1 { for i in 0..<(g.0 - 1) {
                map[i + g.0 * (j + g.1 * k)] = next; next += 1
            } } }
            return (map, next)
        }
    }

    /// Assembles one identical element matrix over all elements. Local order:
    /// vector unknowns `3·node + component` of the degree-`grid.degree` nodes,
    /// then the 8 scalar (Q1 corner) nodes. Scalar unknowns follow all vector ones.
    static func assemble(grid: Grid, element: [Double], vectorNodes: [Int]?, vectorCount: Int,
                         scalarNodes: [Int]?, scalarCount: Int) -> SymmetricMatrix {
        let p = grid.degree, m1 = p + 1
        let (ex, ey, ez) = grid.elements
        let (px, py, _) = grid.pressureGrid
        let localVector = vectorNodes == nil ? 0 : 3 * m1 * m1 * m1
        let localScalar = scalarNodes == nil ? 0 : 8
        let m = localVector + localScalar
        precondition(element.count == m * m)
        let n = 3 * vectorCount + scalarCount
        let elementCount = ex * ey * ez
        var assembler = LowerTriangleAssembler(dimension: n, expectedTriplets: elementCount * m * (m + 1) / 2)
        var dofs = [Int](repeating: -1, count: m)
        element.withUnsafeBufferPointer { ke in
            for ek in 0..<ez { for ej in 0..<ey { for ei in 0..<ex {
                if let vectorNodes {
                    for c in 0..<m1 { for b in 0..<m1 { for a in 0..<m1 {
                        let node = (p * ei + a) + grid.nx * ((p * ej + b) + grid.ny * (p * ek + c))
                        let g = vectorNodes[node]
                        let local = a + m1 * (b + m1 * c)
                        for d in 0..<3 { dofs[3 * local + d] = g < 0 ? -1 : 3 * g + d }
                    } } }
                }
                if let scalarNodes {
                    for c in 0..<2 { for b in 0..<2 { for a in 0..<2 {
                        let node: Int
                        if vectorNodes == nil {
                            node = (ei + a) + grid.nx * ((ej + b) + grid.ny * (ek + c))
                        } else {
                            node = (ei + a) + px * ((ej + b) + py * (ek + c))
                        }
                        let g = scalarNodes[node]
                        dofs[localVector + a + 2 * (b + 2 * c)] = g < 0 ? -1 : 3 * vectorCount + g
                    } } }
                }
                dofs.withUnsafeBufferPointer { assembler.add(ke, dofs: $0) }
            } } }
        }
        return assembler.matrix()
    }
}
