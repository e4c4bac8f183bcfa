import Testing
@testable import SparseLinearAlgebra

/// ‖v‖∞.
private func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

@Suite("Model problems")
struct ModelProblemTests {
    // A non-cubic element (3 × 4 × 5 nodes: hx = 1/2, hy = 1/3, hz = 1/4 mm) exercises all three Jacobian factors.
    static let (nx, ny, nz) = (3, 4, 5)

    /// Node coordinates (mm) of the unclamped numbering i + nx·(j + ny·k), unit cube.
    static func coordinates(_ nx: Int, _ ny: Int, _ nz: Int) -> [(Double, Double, Double)] {
        var c: [(Double, Double, Double)] = []
        for k in 0..<nz { for j in 0..<ny { for i in 0..<nx {
            c.append((Double(i) / Double(nx - 1), Double(j) / Double(ny - 1), Double(k) / Double(nz - 1)))
        } } }
        return c
    }

    @Test("The six rigid-body modes lie in the null space of the floating elasticity stiffness")
    func rigidBodyModes() throws {
        let k = try ModelProblems.elasticityQ1(nodesX: Self.nx, nodesY: Self.ny, nodesZ: Self.nz,
                                               youngsModulus: 7, poissonRatio: 0.3, clampXZeroFace: false)
        let x = Self.coordinates(Self.nx, Self.ny, Self.nz)
        #expect(k.dimension == 3 * x.count)
        let scale = maxAbs(k.values)
        let modes: [((Double, Double, Double)) -> (Double, Double, Double)] = [
            { _ in (1, 0, 0) }, { _ in (0, 1, 0) }, { _ in (0, 0, 1) },
            { p in (-p.1, p.0, 0) }, { p in (0, -p.2, p.1) }, { p in (p.2, 0, -p.0) },
        ]
        for (m, mode) in modes.enumerated() {
            var r = [Double](repeating: 0, count: k.dimension)
            for (node, p) in x.enumerated() { let u = mode(p); r[3 * node] = u.0; r[3 * node + 1] = u.1; r[3 * node + 2] = u.2 }
            let kr = k.multiply(r)
            #expect(maxAbs(kr) <= 1e-12 * scale * maxAbs(r), "mode \(m): ‖K r‖∞ = \(maxAbs(kr))")
        }
    }

    @Test("Strain energy of a homogeneous strain equals the closed form V·(λ tr ε² + 2μ ε:ε)/2")
    func homogeneousStrainEnergy() throws {
        let e = 210.0, nu = 0.3
        let lambda = e * nu / ((1 + nu) * (1 - 2 * nu)), mu = e / (2 * (1 + nu))
        let k = try ModelProblems.elasticityQ1(nodesX: Self.nx, nodesY: Self.ny, nodesZ: Self.nz,
                                               youngsModulus: e, poissonRatio: nu, edgeLength: 1, clampXZeroFace: false)
        // u = ε x with a symmetric ε.
        let eps = [[1e-3, 2e-4, -3e-4], [2e-4, -5e-4, 1e-4], [-3e-4, 1e-4, 7e-4]]
        var u = [Double](repeating: 0, count: k.dimension)
        for (node, p) in Self.coordinates(Self.nx, Self.ny, Self.nz).enumerated() {
            for i in 0..<3 { u[3 * node + i] = eps[i][0] * p.0 + eps[i][1] * p.1 + eps[i][2] * p.2 }
        }
        let ku = k.multiply(u)
        let energy = 0.5 * zip(u, ku).reduce(0) { $0 + $1.0 * $1.1 }
        let trace = eps[0][0] + eps[1][1] + eps[2][2]
        var contraction = 0.0
        for i in 0..<3 { for j in 0..<3 { contraction += eps[i][j] * eps[i][j] } }
        let reference = 0.5 * (lambda * trace * trace + 2 * mu * contraction)   // volume 1 mm³
        #expect(abs(energy - reference) <= 1e-12 * reference, "energy \(energy) vs \(reference)")
    }

    @Test("Patch test: a linear field vanishing on x = 0 leaves zero residual at interior nodes (clamped Q1)")
    func patchTest() throws {
        let (nx, ny, nz) = (4, 4, 5)
        let k = try ModelProblems.elasticityQ1(nodesX: nx, nodesY: ny, nodesZ: nz)
        #expect(k.dimension == 3 * (nx - 1) * ny * nz)
        var u = [Double](repeating: 0, count: k.dimension)
        func node(_ i: Int, _ j: Int, _ kk: Int) -> Int { (i - 1) + (nx - 1) * (j + ny * kk) }
        for kk in 0..<nz { for j in 0..<ny { for i in 1..<nx {
            let x = Double(i) / Double(nx - 1)
            u[3 * node(i, j, kk)] = 0.01 * x; u[3 * node(i, j, kk) + 1] = -0.02 * x; u[3 * node(i, j, kk) + 2] = 0.005 * x
        } } }
        let f = k.multiply(u)
        let scale = maxAbs(f)
        #expect(scale > 0)
        var interiorMax = 0.0
        for kk in 1..<(nz - 1) { for j in 1..<(ny - 1) { for i in 1..<(nx - 1) {
            for d in 0..<3 { interiorMax = max(interiorMax, abs(f[3 * node(i, j, kk) + d])) }
        } } }
        #expect(interiorMax <= 1e-12 * scale, "interior residual \(interiorMax), boundary scale \(scale)")
    }

    @Test("Interior rows of the Q1 systems have 27-node stencils; SOLVERS.md sizes follow n = 3(N−1)N²")
    func stencilAndSizes() throws {
        let k = try ModelProblems.elasticityQ1(nodesX: 5, nodesY: 5, nodesZ: 5)
        let full = k.fullCSR()
        // Interior node (2,2,2) → unknown index (2−1) + 4·(2 + 5·2) = 49.
        #expect(full.rowStarts[3 * 49 + 1] - full.rowStarts[3 * 49] == 81)
        #expect(k.dimension == 3 * 4 * 25)
        let h = try ModelProblems.poissonQ1(nodesX: 5, nodesY: 5, nodesZ: 5).fullCSR()
        #expect(h.rowStarts[50] - h.rowStarts[49] == 27)
        #expect(h.rows == 4 * 25)
    }

    @Test("Poisson: K·1 = 0 before the boundary condition, energy of a linear field is V·c·|g|²")
    func poisson() throws {
        let floating = try ModelProblems.poissonQ1(nodesX: Self.nx, nodesY: Self.ny, nodesZ: Self.nz, conductivity: 3, eliminateXZeroFace: false)
        let ones = [Double](repeating: 1, count: floating.dimension)
        #expect(maxAbs(floating.multiply(ones)) <= 1e-13 * maxAbs(floating.values))
        let g = (0.5, -1.0, 2.0)
        let u = Self.coordinates(Self.nx, Self.ny, Self.nz).map { g.0 * $0.0 + g.1 * $0.1 + g.2 * $0.2 }
        let energy = zip(u, floating.multiply(u)).reduce(0) { $0 + $1.0 * $1.1 }
        let reference = 3 * (g.0 * g.0 + g.1 * g.1 + g.2 * g.2)
        #expect(abs(energy - reference) <= 1e-12 * reference)
        // With the face eliminated the matrix is SPD: smallest eigenvalue > 0 (dsyev).
        let spd = try ModelProblems.poissonQ1(nodesX: 4, nodesY: 4, nodesZ: 4)
        let eig = try DenseMatrix(spd).symmetricEigenvalues()
        #expect(eig[0] > 0)
    }

    @Test("Taylor–Hood and Q1–Q1 saddle systems: inertia (+#u, −#p) from dsyev", arguments: [true, false])
    func saddleInertia(taylorHood: Bool) throws {
        let s = taylorHood
            ? try ModelProblems.poroelasticTaylorHood(elementsX: 2, elementsY: 2, elementsZ: 3)
            : try ModelProblems.poroelasticQ1Q1(nodesX: 4, nodesY: 3, nodesZ: 4)
        #expect(s.matrix.dimension == s.displacementUnknowns + s.pressureUnknowns)
        if taylorHood {
            #expect(s.displacementUnknowns == 3 * 4 * 5 * 7)   // Q2 nodes 5×5×7, x = 0 face clamped
            #expect(s.pressureUnknowns == 2 * 3 * 4)           // Q1 nodes 3×3×4, x = L face drained
        }
        let eig = try DenseMatrix(s.matrix).symmetricEigenvalues()
        let tol = 1e-12 * max(abs(eig.first!), abs(eig.last!))
        #expect(eig.filter { $0 > tol }.count == s.displacementUnknowns)
        #expect(eig.filter { $0 < -tol }.count == s.pressureUnknowns)
    }

    @Test("Divergence coupling: for u = (x, 0, 0) the pressure rows sum to −(L³ − hₚ·L²/2)", arguments: [true, false])
    func divergenceCoupling(taylorHood: Bool) throws {
        // div u = 1, so row b of −Qᵀu is −∫N_b; summed over the pressure nodes kept
        // (all but the drained face x = L, whose nodes carry ∫ = hₚ/2 · L² together) it is −(1 − hₚ/2).
        let (ex, ey, ez) = (4, 2, 3)
        let s = taylorHood
            ? try ModelProblems.poroelasticTaylorHood(elementsX: ex, elementsY: ey, elementsZ: ez)
            : try ModelProblems.poroelasticQ1Q1(nodesX: ex + 1, nodesY: ey + 1, nodesZ: ez + 1)
        let (unx, uny, unz) = taylorHood ? (2 * ex + 1, 2 * ey + 1, 2 * ez + 1) : (ex + 1, ey + 1, ez + 1)
        var v = [Double](repeating: 0, count: s.matrix.dimension)
        for k in 0..<unz { for j in 0..<uny { for i in 1..<unx {
            v[3 * ((i - 1) + (unx - 1) * (j + uny * k))] = Double(i) / Double(unx - 1)
        } } }
        let av = s.matrix.multiply(v)
        let sum = av[s.displacementUnknowns...].reduce(0, +)
        let hp = 1.0 / Double(ex)
        #expect(abs(sum + (1 - hp / 2)) <= 1e-13, "sum \(sum)")
    }

    @Test("Bad parameters are refused with the parameter named")
    func badParameters() {
        #expect(throws: LinearAlgebraError.invalidArgument("nodesY must be ≥ 2, got 1")) {
            try ModelProblems.elasticityQ1(nodesX: 3, nodesY: 1, nodesZ: 3)
        }
        #expect(throws: LinearAlgebraError.invalidArgument("poissonRatio must lie in (−1, 0.5), got 0.5")) {
            try ModelProblems.elasticityQ1(nodesX: 3, nodesY: 3, nodesZ: 3, poissonRatio: 0.5)
        }
        #expect(throws: LinearAlgebraError.self) { try ModelProblems.named("elasticity", size: "huge") }
    }
}

/// Element-level checks through the module's internals: the assembler keeps
/// only the lower triangle of each element matrix, so symmetry must hold there.
@Suite("Model problem elements")
struct ModelProblemElementTests {
    @Test("Element matrices are symmetric (Q1, Q2 elasticity; Q1–Q1 and Q2–Q1 saddle blocks)", arguments: [1, 2])
    func elementSymmetry(degree: Int) {
        let h = (0.5, 1.0 / 3, 0.25)
        let k = HexElement.elasticStiffness(degree: degree, points: degree + 1, h: h, youngsModulus: 3, poissonRatio: 0.35)
        let s = ModelProblems.saddleElement(displacementDegree: degree, points: degree + 1, h: h, e: 3, nu: 0.35, alpha: 1, kappaDt: 1e-4)
        for (matrix, size) in [(k, 3 * (degree + 1) * (degree + 1) * (degree + 1)), (s, 3 * (degree + 1) * (degree + 1) * (degree + 1) + 8)] {
            let scale = matrix.reduce(0) { max($0, abs($1)) }
            var worst = 0.0
            for a in 0..<size { for b in 0..<a { worst = max(worst, abs(matrix[a * size + b] - matrix[b * size + a])) } }
            #expect(worst <= 1e-14 * scale, "asymmetry \(worst) of \(scale)")
        }
    }

    @Test("Q2 element: rigid-body modes in the null space, homogeneous strain energy exact")
    func quadraticElement() {
        let h = (0.5, 1.0 / 3, 0.25)
        let e = 3.0, nu = 0.35
        let k = HexElement.elasticStiffness(degree: 2, points: 3, h: h, youngsModulus: e, poissonRatio: nu)
        let size = 81
        var coords: [(Double, Double, Double)] = []
        for c in 0..<3 { for b in 0..<3 { for a in 0..<3 { coords.append((Double(a) * h.0 / 2, Double(b) * h.1 / 2, Double(c) * h.2 / 2)) } } }
        func apply(_ u: [Double]) -> [Double] {
            (0..<size).map { r in (0..<size).reduce(0) { $0 + k[r * size + $1] * u[$1] } }
        }
        let scale = k.reduce(0) { max($0, abs($1)) }
        let rotation = coords.flatMap { [-$0.1, $0.0, 0.0] }
        #expect(apply(rotation).reduce(0) { max($0, abs($1)) } <= 1e-12 * scale)
        // u = ε x with ε = diag(1, 0, 0)·1e-3: energy = V (λ + 2μ) ε²/2.
        let strain = coords.flatMap { [1e-3 * $0.0, 0.0, 0.0] }
        let energy = 0.5 * zip(strain, apply(strain)).reduce(0) { $0 + $1.0 * $1.1 }
        let lambda = e * nu / ((1 + nu) * (1 - 2 * nu)), mu = e / (2 * (1 + nu))
        let reference = h.0 * h.1 * h.2 * (lambda + 2 * mu) * 1e-6 / 2
        #expect(abs(energy - reference) <= 1e-12 * reference)
    }
}
