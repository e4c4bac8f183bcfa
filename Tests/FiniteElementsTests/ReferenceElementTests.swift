import Testing
import _TestSupport
@testable import FiniteElements

@Suite("Reference elements")
struct ReferenceElementTests {
    static func randomPoint(_ t: CellType, _ rng: inout SeededGenerator) -> SIMD3<Double> {
        if t.isSimplex {
            while true {
                let p = SIMD3(Double.random(in: 0...1, using: &rng), Double.random(in: 0...1, using: &rng), Double.random(in: 0...1, using: &rng))
                if p.sum() <= 1 { return p }
            }
        }
        return SIMD3(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng))
    }

    @Test("Partition of unity, zero gradient sum, Kronecker property", arguments: CellType.allCases)
    func partitionOfUnity(type: CellType) {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let xi = Self.randomPoint(type, &rng)
            let n = type.shapeValues(at: xi)
            let g = type.shapeGradients(at: xi)
            #expect(abs(n.reduce(0, +) - 1) < 1e-14)
            #expect(norm(g.reduce(SIMD3<Double>.zero, +)) < 1e-13)
            // Linear completeness: Σ N_a x_a = ξ and Σ x_a ⊗ ∇N_a = I.
            let ref = type.referenceNodes
            var x = SIMD3<Double>.zero
            var J = Jacobian3(.zero, .zero, .zero)
            for a in 0..<type.nodeCount { x += n[a] * ref[a]; J.c0 += g[a].x * ref[a]; J.c1 += g[a].y * ref[a]; J.c2 += g[a].z * ref[a] }
            #expect(norm(x - xi) < 1e-14)
            #expect(norm(J.c0 - SIMD3(1, 0, 0)) + norm(J.c1 - SIMD3(0, 1, 0)) + norm(J.c2 - SIMD3(0, 0, 1)) < 1e-13)
        }
        for (b, xb) in type.referenceNodes.enumerated() {
            let n = type.shapeValues(at: xb)
            for a in 0..<type.nodeCount { #expect(abs(n[a] - (a == b ? 1 : 0)) < 1e-15) }
        }
    }

    @Test("Gradients match central differences (h = 1e-6, tol 1e-8)", arguments: CellType.allCases)
    func gradientsFiniteDifference(type: CellType) {
        var rng = SeededGenerator(seed: 11)
        let h = 1e-6
        for _ in 0..<10 {
            let xi = Self.randomPoint(type, &rng) * 0.9
            let g = type.shapeGradients(at: xi)
            for d in 0..<3 {
                var e = SIMD3<Double>.zero; e[d] = h
                let np = type.shapeValues(at: xi + e), nm = type.shapeValues(at: xi - e)
                for a in 0..<type.nodeCount { #expect(abs((np[a] - nm[a]) / (2 * h) - g[a][d]) < 1e-8) }
            }
        }
    }

    @Test("Face bases: unity, Kronecker, gradients", arguments: FaceType.allCases)
    func faceBasis(type: FaceType) {
        for (b, xb) in type.referenceNodes.enumerated() {
            let n = type.shapeValues(at: xb)
            for a in 0..<type.nodeCount { #expect(abs(n[a] - (a == b ? 1 : 0)) < 1e-15) }
        }
        let s = SIMD2(0.21, 0.33), h = 1e-6
        #expect(abs(type.shapeValues(at: s).reduce(0, +) - 1) < 1e-14)
        let g = type.shapeGradients(at: s)
        for d in 0..<2 {
            var e = SIMD2<Double>.zero; e[d] = h
            let np = type.shapeValues(at: s + e), nm = type.shapeValues(at: s - e)
            for a in 0..<type.nodeCount { #expect(abs((np[a] - nm[a]) / (2 * h) - g[a][d]) < 1e-8) }
        }
    }

    @Test("Face nodes sit on their face in face-basis order, oriented outward", arguments: CellType.allCases)
    func faceNodeOrdering(type: CellType) {
        let ref = type.referenceNodes
        for f in 0..<type.faceCount {
            let fnodes = type.faceNodes(f)
            let ft = type.faceType(f)
            #expect(fnodes.count == ft.nodeCount)
            for (a, s) in ft.referenceNodes.enumerated() {
                #expect(norm(type.cellPoint(onFace: f, at: s) - ref[fnodes[a]]) < 1e-15)
            }
            let c = type.faceCorners(f).map { ref[$0] }
            let normal = cross(c[1] - c[0], c[c.count - 1] - c[0])
            let centre = c.reduce(SIMD3<Double>.zero, +) / Double(c.count)
            #expect(dot(normal, centre - type.referenceCentroid) > 0)
        }
    }

    static func factorial(_ n: Int) -> Double { n <= 1 ? 1 : (2...n).reduce(1.0) { $0 * Double($1) } }

    /// ∫ ξ^i η^j ζ^k over the reference cell: hexahedron Π 2/(p+1) for even p (else 0);
    /// tetrahedron i! j! k! / (i+j+k+3)! (Dirichlet integral).
    static func exactMonomial(_ t: CellType, _ i: Int, _ j: Int, _ k: Int) -> Double {
        if t.isSimplex { return factorial(i) * factorial(j) * factorial(k) / factorial(i + j + k + 3) }
        func one(_ p: Int) -> Double { p % 2 == 1 ? 0 : 2 / Double(p + 1) }
        return one(i) * one(j) * one(k)
    }

    @Test("Volume rules integrate every monomial of the claimed degree (tol 1e-14)", arguments: [CellType.hex8, .tet4])
    func volumeQuadratureExactness(type: CellType) {
        for degree in 0...9 {
            let rule = QuadratureRule(cellType: type, degree: degree)
            #expect(rule.degree >= degree)
            for i in 0...degree { for j in 0...(degree - i) { for k in 0...(degree - i - j) {
                var s = 0.0
                for (p, w) in zip(rule.points, rule.weights) { s += w * pow(p.x, Double(i)) * pow(p.y, Double(j)) * pow(p.z, Double(k)) }
                let exact = Self.exactMonomial(type, i, j, k)
                #expect(abs(s - exact) < 1e-14 * type.referenceVolume, "degree \(degree) monomial (\(i),\(j),\(k)): \(s) vs \(exact)")
            } } }
            if type.isSimplex { #expect(rule.points.allSatisfy { type.containsReferencePoint($0, tolerance: 0) }) }
        }
    }

    @Test("Face rules integrate every monomial of the claimed degree (tol 1e-14)", arguments: [FaceType.quad4, .tri3])
    func faceQuadratureExactness(type: FaceType) {
        for degree in 0...9 {
            let rule = QuadratureRule(faceType: type, degree: degree)
            #expect(rule.degree >= degree)
            for i in 0...degree { for j in 0...(degree - i) {
                var s = 0.0
                for (p, w) in zip(rule.points, rule.weights) { s += w * pow(p.x, Double(i)) * pow(p.y, Double(j)) }
                let exact: Double
                if type.isSimplex { exact = Self.factorial(i) * Self.factorial(j) / Self.factorial(i + j + 2) }
                else { exact = (i % 2 == 0 ? 2 / Double(i + 1) : 0) * (j % 2 == 0 ? 2 / Double(j + 1) : 0) }
                #expect(abs(s - exact) < 1e-14 * type.referenceArea, "degree \(degree) monomial (\(i),\(j)): \(s) vs \(exact)")
            } }
        }
    }

    @Test("Gauss–Legendre nodes are roots of P_n; weights sum to 2")
    func gaussLegendreNodes() {
        let (x, w) = gaussLegendre(count: 3)
        #expect(abs(x[2] - (0.6).squareRoot()) < 1e-15 && abs(x[1]) < 1e-16)
        #expect(abs(w[0] - 5.0 / 9) < 1e-15 && abs(w[1] - 8.0 / 9) < 1e-15)
        for n in 1...12 { #expect(abs(gaussLegendre(count: n).weights.reduce(0, +) - 2) < 1e-14) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
