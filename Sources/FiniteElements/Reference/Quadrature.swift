/// A quadrature rule on a reference cell or face: points (reference
/// coordinates) and weights that sum to the reference measure (8 for the cube,
/// 1/6 for the tetrahedron, 4 for the square, 1/2 for the triangle).
///
/// Rules:
/// - hexahedra / quadrilaterals: tensor Gauss–Legendre with `n = ⌈(degree+1)/2⌉`
///   points per direction (nodes by Newton iteration on the Legendre recurrence,
///   Golub–Welsch accuracy);
/// - tetrahedra: degree 1 centroid; degree 2 the 4-point rule with
///   `a = (5 + 3√5)/20` (Keast 1986, rule 2); degree 3–5 the 14-point positive
///   interior rule of Walkington (2000) / Keast (1986) — orbits (a,a,a,1−3a) with
///   a = 0.0927352503108912, w = 0.01224884051939366 and a = 0.3108859192633006,
///   w = 0.01878132095300264, and (a,a,½−a,½−a) with a = 0.0455037041256496,
///   w = 0.007091003462846911 (weights for volume 1/6);
///   higher degrees the collapsed (Duffy) tensor Gauss rule;
/// - triangles: degree 1 centroid; degree 2 the 3-point rule (1/6, 1/6, 2/3)
///   (Strang & Fix 1973); degree 3–5 Radon's 7-point rule (Dunavant 1985, degree 5:
///   a = (6 ∓ √15)/21, w = (155 ∓ √15)/2400, centroid 9/80); higher degrees collapsed Gauss.
///
/// References: P. Keast, Comput. Methods Appl. Mech. Eng. 55 (1986) 339–348;
/// D. A. Dunavant, Int. J. Numer. Methods Eng. 21 (1985) 1129–1148;
/// N. Walkington, "Quadrature on simplices of arbitrary dimension", CMU report 2000.
public struct QuadratureRule: Sendable, Hashable {
    /// Reference coordinates of the points (faces use `x`, `y` and `z = 0`).
    public let points: [SIMD3<Double>]
    /// Weights (reference measure units), same order as ``points``.
    public let weights: [Double]
    /// Total polynomial degree integrated exactly on the reference cell.
    public let degree: Int

    /// Number of points.
    public var count: Int { points.count }

    /// Builds a rule from explicit points and weights.
    public init(points: [SIMD3<Double>], weights: [Double], degree: Int) {
        precondition(points.count == weights.count, "points and weights differ in count")
        self.points = points; self.weights = weights; self.degree = degree
    }

    /// The rule for a volume cell that integrates polynomials of total degree ≤ `degree` exactly.
    public init(cellType: CellType, degree: Int) {
        precondition(degree >= 0, "quadrature degree must be ≥ 0, got \(degree)")
        if cellType.isSimplex {
            self = QuadratureRule.tetrahedron(degree: degree)
        } else {
            let (x, w) = gaussLegendre(count: max(1, (degree + 2) / 2))
            var p: [SIMD3<Double>] = [], ws: [Double] = []
            for k in 0..<x.count { for j in 0..<x.count { for i in 0..<x.count {
                p.append(SIMD3(x[i], x[j], x[k])); ws.append(w[i] * w[j] * w[k])
            } } }
            self.init(points: p, weights: ws, degree: 2 * x.count - 1)
        }
    }

    /// The rule for a face that integrates polynomials of total degree ≤ `degree` exactly.
    public init(faceType: FaceType, degree: Int) {
        precondition(degree >= 0, "quadrature degree must be ≥ 0, got \(degree)")
        if faceType.isSimplex {
            self = QuadratureRule.triangle(degree: degree)
        } else {
            let (x, w) = gaussLegendre(count: max(1, (degree + 2) / 2))
            var p: [SIMD3<Double>] = [], ws: [Double] = []
            for j in 0..<x.count { for i in 0..<x.count {
                p.append(SIMD3(x[i], x[j], 0)); ws.append(w[i] * w[j])
            } }
            self.init(points: p, weights: ws, degree: 2 * x.count - 1)
        }
    }

    static func tetrahedron(degree: Int) -> QuadratureRule {
        switch degree {
        case 0, 1:
            return QuadratureRule(points: [SIMD3(0.25, 0.25, 0.25)], weights: [1.0 / 6.0], degree: 1)
        case 2:
            let a = (5.0 + 3.0 * 5.0.squareRoot()) / 20.0, b = (5.0 - 5.0.squareRoot()) / 20.0
            return QuadratureRule(points: orbit31(a: a, b: b), weights: [Double](repeating: 1.0 / 24.0, count: 4), degree: 2)
        case 3, 4, 5:
            var p: [SIMD3<Double>] = [], w: [Double] = []
            for (a, wt) in [(0.0927352503108912264, 0.01224884051939365826), (0.3108859192633006097, 0.01878132095300264180)] {
                p += orbit31(a: 1 - 3 * a, b: a); w += [Double](repeating: wt, count: 4)
            }
            let a = 0.0455037041256496494, b = 0.5 - a
            p += [SIMD3(a, a, b), SIMD3(a, b, a), SIMD3(b, a, a), SIMD3(b, b, a), SIMD3(b, a, b), SIMD3(a, b, b)]
            w += [Double](repeating: 0.007091003462846911, count: 6)
            return QuadratureRule(points: p, weights: w, degree: 5)
        default:
            let n = (degree + 4) / 2
            let (x, wx) = gaussLegendre(count: n)
            var p: [SIMD3<Double>] = [], w: [Double] = []
            for i in 0..<n { for j in 0..<n { for k in 0..<n {
                let u = 0.5 * (x[i] + 1), v = 0.5 * (x[j] + 1), t = 0.5 * (x[k] + 1)
                p.append(SIMD3(u, v * (1 - u), t * (1 - u) * (1 - v)))
                w.append(0.125 * wx[i] * wx[j] * wx[k] * (1 - u) * (1 - u) * (1 - v))
            } } }
            return QuadratureRule(points: p, weights: w, degree: 2 * n - 3)
        }
    }

    static func triangle(degree: Int) -> QuadratureRule {
        switch degree {
        case 0, 1:
            return QuadratureRule(points: [SIMD3(1.0 / 3, 1.0 / 3, 0)], weights: [0.5], degree: 1)
        case 2:
            let a = 1.0 / 6, b = 2.0 / 3
            return QuadratureRule(points: [SIMD3(a, a, 0), SIMD3(b, a, 0), SIMD3(a, b, 0)], weights: [1.0 / 6, 1.0 / 6, 1.0 / 6], degree: 2)
        case 3, 4, 5:
            let r15 = 15.0.squareRoot()
            var p: [SIMD3<Double>] = [SIMD3(1.0 / 3, 1.0 / 3, 0)], w: [Double] = [9.0 / 80]
            for (a, wt) in [((6 - r15) / 21, (155 - r15) / 2400), ((6 + r15) / 21, (155 + r15) / 2400)] {
                let b = 1 - 2 * a
                p += [SIMD3(a, a, 0), SIMD3(b, a, 0), SIMD3(a, b, 0)]; w += [wt, wt, wt]
            }
            return QuadratureRule(points: p, weights: w, degree: 5)
        default:
            let n = (degree + 3) / 2
            let (x, wx) = gaussLegendre(count: n)
            var p: [SIMD3<Double>] = [], w: [Double] = []
            for i in 0..<n { for j in 0..<n {
                let u = 0.5 * (x[i] + 1), v = 0.5 * (x[j] + 1)
                p.append(SIMD3(u, v * (1 - u), 0)); w.append(0.25 * wx[i] * wx[j] * (1 - u))
            } }
            return QuadratureRule(points: p, weights: w, degree: 2 * n - 2)
        }
    }

    /// The four permutations of barycentric (b, b, b, a) as (ξ, η, ζ) — `a` on each corner in turn.
    static func orbit31(a: Double, b: Double) -> [SIMD3<Double>] {
        [SIMD3(b, b, b), SIMD3(a, b, b), SIMD3(b, a, b), SIMD3(b, b, a)]
    }
}

/// Gauss–Legendre nodes and weights on [−1, 1] (ascending), by Newton iteration
/// on the three-term Legendre recurrence from Tricomi's initial guesses.
public func gaussLegendre(count n: Int) -> (nodes: [Double], weights: [Double]) {
    precondition(n >= 1, "Gauss–Legendre needs at least one point, got \(n)")
    // (P_n(z), P_{n-1}(z)) by the recurrence k P_k = (2k−1) z P_{k−1} − (k−1) P_{k−2}.
    func legendre(_ z: Double) -> (Double, Double) {
        var p0 = 1.0, p1 = z
        if n == 1 { return (z, 1) }
        for k in 2...n {
            let pk = ((2 * Double(k) - 1) * z * p1 - (Double(k) - 1) * p0) / Double(k)
            p0 = p1; p1 = pk
        }
        return (p1, p0)
    }
    var x = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
    for i in 0..<(n + 1) / 2 {
        var z = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
        for _ in 0..<100 {
            let (pn, pm) = legendre(z)
            let dp = Double(n) * (z * pn - pm) / (z * z - 1)
            let dz = pn / dp
            z -= dz
            if abs(dz) < 1e-16 { break }
        }
        let (pn, pm) = legendre(z)
        let dp = Double(n) * (z * pn - pm) / (z * z - 1)
        x[i] = -z; x[n - 1 - i] = z
        let wi = 2 / ((1 - z * z) * dp * dp)
        w[i] = wi; w[n - 1 - i] = wi
    }
    if n % 2 == 1 { x[n / 2] = 0 }
    return (x, w)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
