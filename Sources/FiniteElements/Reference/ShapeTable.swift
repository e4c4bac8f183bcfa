import Synchronization

/// Shape-function values and reference gradients of one basis at the points of
/// one quadrature rule, computed once and shared (basix-style tabulation).
///
/// Index orders:
/// - ``values``: `(point, basis function)` → `values[q * basisCount + a]`;
/// - ``gradients``: `(point, basis function, direction)` →
///   `gradients[(q * basisCount + a) * 3 + d]`, `d` = ξ, η, ζ.
///
/// ```swift
/// let table = ShapeTable.cached(.hex20, degree: 5)      // 27 points × 20 functions
/// ```
public final class ShapeTable: Sendable {
    /// The basis tabulated.
    public let cellType: CellType
    /// The rule whose points are tabulated.
    public let rule: QuadratureRule
    /// Number of basis functions (`cellType.nodeCount`).
    public let basisCount: Int
    /// `N[q * basisCount + a]`.
    public let values: [Double]
    /// `∂N/∂ξ[(q * basisCount + a) * 3 + d]`.
    public let gradients: [Double]

    /// Tabulates `cellType`'s basis at the points of `rule`. The rule may belong to
    /// another cell type on the same reference cell — e.g. the `hex8` (linear
    /// pressure) basis at the points of a `hex20` rule.
    public init(cellType: CellType, rule: QuadratureRule) {
        self.cellType = cellType
        self.rule = rule
        let n = cellType.nodeCount
        basisCount = n
        var v = [Double](repeating: 0, count: rule.count * n)
        var g = [Double](repeating: 0, count: rule.count * n * 3)
        v.withUnsafeMutableBufferPointer { vp in
            g.withUnsafeMutableBufferPointer { gp in
                for q in 0..<rule.count {
                    cellType.evaluate(at: rule.points[q], values: vp.baseAddress! + q * n, gradients: gp.baseAddress! + q * n * 3)
                }
            }
        }
        values = v
        gradients = g
    }

    private struct Key: Hashable { var cellType: CellType; var degree: Int }
    private static let cache = Mutex<[Key: ShapeTable]>([:])

    /// The shared table of `cellType` at `QuadratureRule(cellType:degree:)`.
    public static func cached(_ cellType: CellType, degree: Int) -> ShapeTable {
        let key = Key(cellType: cellType, degree: degree)
        if let t = cache.withLock({ $0[key] }) { return t }
        let t = ShapeTable(cellType: cellType, rule: QuadratureRule(cellType: cellType, degree: degree))
        return cache.withLock { dict in
            if let existing = dict[key] { return existing }
            dict[key] = t
            return t
        }
    }
}

/// Face shape-function values and reference gradients at the points of a face rule.
///
/// Index orders: ``values`` `[q * basisCount + a]`; ``gradients``
/// `[(q * basisCount + a) * 2 + d]`, `d` = s, t.
public final class FaceShapeTable: Sendable {
    /// The face basis tabulated.
    public let faceType: FaceType
    /// The face rule.
    public let rule: QuadratureRule
    /// Number of basis functions.
    public let basisCount: Int
    /// `N[q * basisCount + a]`.
    public let values: [Double]
    /// `∂N/∂s[(q * basisCount + a) * 2 + d]`.
    public let gradients: [Double]

    /// Tabulates `faceType`'s basis at the points of `rule`.
    public init(faceType: FaceType, rule: QuadratureRule) {
        self.faceType = faceType
        self.rule = rule
        let n = faceType.nodeCount
        basisCount = n
        var v = [Double](repeating: 0, count: rule.count * n)
        var g = [Double](repeating: 0, count: rule.count * n * 2)
        v.withUnsafeMutableBufferPointer { vp in
            g.withUnsafeMutableBufferPointer { gp in
                for q in 0..<rule.count {
                    let p = rule.points[q]
                    faceType.evaluate(at: SIMD2(p.x, p.y), values: vp.baseAddress! + q * n, gradients: gp.baseAddress! + q * n * 2)
                }
            }
        }
        values = v
        gradients = g
    }

    private struct Key: Hashable { var faceType: FaceType; var degree: Int }
    private static let cache = Mutex<[Key: FaceShapeTable]>([:])

    /// The shared table of `faceType` at `QuadratureRule(faceType:degree:)`.
    public static func cached(_ faceType: FaceType, degree: Int) -> FaceShapeTable {
        let key = Key(faceType: faceType, degree: degree)
        if let t = cache.withLock({ $0[key] }) { return t }
        let t = FaceShapeTable(faceType: faceType, rule: QuadratureRule(faceType: faceType, degree: degree))
        return cache.withLock { dict in
            if let existing = dict[key] { return existing }
            dict[key] = t
            return t
        }
    }
}
