import Foundation

/// Concentric annulus lamellae with one fibre family each, the fibre angle
/// cycling through ``angles`` from the innermost lamella outwards — the annulus
/// architecture "±30° to the transverse plane, alternating lamellae"
/// (LITERATURE.md; e.g. `angles = [30, −30]` gives +30°, −30°, +30°, …).
///
/// **Radial position.** The annulus lies between an inner ellipse (the nucleus
/// boundary, semi-axes ``innerSemiAxes``) and an outer ellipse (``outerSemiAxes``),
/// both centred at ``centre`` in the x–y plane (the disc axis is z). A point's
/// normalized radial position `s ∈ [0, 1]` is the `s` of the interpolated ellipse
/// with semi-axes `inner + s (outer − inner)` through it (for proportional
/// ellipses, as in the generated elliptic disc, `s = (ρ − f)/(1 − f)` with
/// `ρ = √((x/a)² + (y/b)²)` and `f` the inner fraction). Lamella `i` (0 = innermost)
/// covers `s ∈ [i/N, (i+1)/N)`: the lamellae are `N` = ``count`` layers of equal
/// thickness. Points inside the inner ellipse belong to lamella 0, outside the
/// outer one to lamella `N − 1`.
///
/// **Per element.** A finite-element model assigns each annulus cell the lamella
/// of its centroid (the mean of its nodes), so the fibre family is constant per
/// cell; this resolves the lamellae when the mesh has at least one ring of cells
/// per lamella (the generated disc has `radial` rings of equal thickness: use
/// `count` = rings or a divisor of it so lamella boundaries fall on ring boundaries).
///
/// ```swift
/// let lamellae = try AnnulusLamellae(count: 4, angles: [30, -30], xi: 10, alpha: 0, beta: 2,
///                                    innerSemiAxes: SIMD2(13.75, 9.35), outerSemiAxes: SIMD2(25, 17))
/// let family = lamellae.family(ofLamella: lamellae.lamella(at: SIMD3(20, 0, 5)))
/// ```
public struct AnnulusLamellae: Sendable, Equatable {
    /// Number of lamellae `N` (≥ 1).
    public let count: Int
    /// Fibre angles (degrees, from the circumferential towards the axial material axis),
    /// cycled from the innermost lamella outwards; not empty.
    public let angles: [Double]
    /// The fibre family of each lamella (index = lamella).
    public let families: [FibreFamily]
    /// Semi-axes (mm, along x and y) of the inner boundary (the nucleus), each > 0.
    public let innerSemiAxes: SIMD2<Double>
    /// Semi-axes (mm, along x and y) of the outer boundary, each > the inner one.
    public let outerSemiAxes: SIMD2<Double>
    /// Centre of the ellipses (mm, x and y).
    public let centre: SIMD2<Double>

    /// Validates and builds the lamellae.
    /// - Parameters:
    ///   - count: number of lamellae (≥ 1).
    ///   - angles: fibre angles in degrees, cycled over the lamellae (not empty, finite).
    ///   - xi: fibre modulus `ξ` (MPa, ≥ 0); alpha: `α` (≥ 0); beta: `β` (≥ 2) — the
    ///     ``FibreFamily`` law, the same in every lamella.
    ///   - innerSemiAxes, outerSemiAxes: the annulus' boundaries (mm).
    ///   - centre: the ellipses' centre (mm).
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming
    ///   `lamellae.count`, `lamellae.angles`, `lamellae.inner`, `lamellae.outer` or the fibre field.
    public init(count: Int, angles: [Double], xi: Double, alpha: Double, beta: Double,
                innerSemiAxes: SIMD2<Double>, outerSemiAxes: SIMD2<Double>, centre: SIMD2<Double> = .zero) throws {
        guard count >= 1 else {
            throw BiphasicError.invalidParameter(name: "lamellae.count", value: Double(count), expected: "a whole number of lamellae ≥ 1")
        }
        guard !angles.isEmpty else {
            throw BiphasicError.invalidParameter(name: "lamellae.angles", value: 0, expected: "a non-empty list of fibre angles in degrees (e.g. [30, -30]); got an empty list of length")
        }
        for (i, a) in angles.enumerated() where !a.isFinite {
            throw BiphasicError.invalidParameter(name: "lamellae.angles[\(i)]", value: a, expected: "a finite angle in degrees")
        }
        for k in 0..<2 {
            guard innerSemiAxes[k].isFinite, innerSemiAxes[k] > 0 else {
                throw BiphasicError.invalidParameter(name: "lamellae.inner[\(k)]", value: innerSemiAxes[k], expected: "a positive semi-axis (mm)")
            }
            guard outerSemiAxes[k].isFinite, outerSemiAxes[k] > innerSemiAxes[k] else {
                throw BiphasicError.invalidParameter(name: "lamellae.outer[\(k)]", value: outerSemiAxes[k],
                                                     expected: "a semi-axis (mm) greater than the inner one, \(innerSemiAxes[k])")
            }
        }
        do {
            families = try (0..<count).map { try FibreFamily(angleDegrees: angles[$0 % angles.count], xi: xi, alpha: alpha, beta: beta) }
        } catch let BiphasicError.invalidParameter(name, value, expected) {
            throw BiphasicError.invalidParameter(name: name.replacingOccurrences(of: "fibres.", with: "lamellae."), value: value, expected: expected)
        }
        self.count = count; self.angles = angles
        self.innerSemiAxes = innerSemiAxes; self.outerSemiAxes = outerSemiAxes; self.centre = centre
    }

    /// Normalized radial position `s ∈ [0, 1]` of `point` (mm) in the annulus (see the type's
    /// documentation); bisection on the monotone ellipse family to 1e-13.
    public func normalizedRadius(of point: SIMD3<Double>) -> Double {
        let x = point.x - centre.x, y = point.y - centre.y
        func g(_ s: Double) -> Double {
            let a = innerSemiAxes.x + s * (outerSemiAxes.x - innerSemiAxes.x)
            let b = innerSemiAxes.y + s * (outerSemiAxes.y - innerSemiAxes.y)
            return (x / a) * (x / a) + (y / b) * (y / b) - 1
        }
        if g(0) <= 0 { return 0 }
        if g(1) >= 0 { return 1 }
        var lo = 0.0, hi = 1.0   // g(lo) > 0 > g(hi)
        while hi - lo > 1e-13 {
            let m = 0.5 * (lo + hi)
            if g(m) > 0 { lo = m } else { hi = m }
        }
        return 0.5 * (lo + hi)
    }

    /// The lamella (0 = innermost … ``count`` − 1) containing `point` (mm).
    public func lamella(at point: SIMD3<Double>) -> Int {
        min(Int((normalizedRadius(of: point) * Double(count)).rounded(.down)), count - 1)
    }

    /// Fibre angle (degrees) of lamella `i`.
    public func angle(ofLamella i: Int) -> Double { angles[i % angles.count] }

    /// The fibre family of lamella `i`.
    public func family(ofLamella i: Int) -> FibreFamily { families[i] }

    /// The solid of lamella `i`: `matrix` plus the lamella's single fibre family.
    public func solid(matrix: any SolidMaterial, lamella i: Int) -> FibreReinforcedSolid {
        FibreReinforcedSolid(matrix: matrix, fibres: [families[i]])
    }

    /// Mean of `points` (mm): the centroid used to place a cell in its lamella.
    public static func centroid(_ points: [SIMD3<Double>]) -> SIMD3<Double> {
        points.reduce(SIMD3<Double>.zero, +) / Double(max(points.count, 1))
    }
}
