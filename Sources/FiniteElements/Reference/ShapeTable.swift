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

    private struct Key: Hashable { var cellType: CellType; var geometry: CellType; var degree: Int }
    private static let cache = Mutex<[Key: ShapeTable]>([:])

    /// The shared table of `cellType` at `QuadratureRule(cellType:degree:)`.
    public static func cached(_ cellType: CellType, degree: Int) -> ShapeTable {
        cached(cellType, ruleOf: cellType, degree: degree)
    }

    /// The shared table of basis `basis` at the points of `QuadratureRule(cellType: geometry, degree:)`
    /// — e.g. `cached(.hex8, ruleOf: .hex20, degree: 5)` for a Taylor–Hood pressure; the same
    /// points as `CellValues(cellType: geometry, degree:)`. Both must be hexahedra or both tetrahedra.
    public static func cached(_ basis: CellType, ruleOf geometry: CellType, degree: Int) -> ShapeTable {
        precondition(basis.isSimplex == geometry.isSimplex, "\(basis) and \(geometry) live on different reference cells")
        let key = Key(cellType: basis, geometry: geometry, degree: degree)
        if let t = cache.withLock({ $0[key] }) { return t }
        let rule = geometry == basis ? QuadratureRule(cellType: geometry, degree: degree) : cached(geometry, degree: degree).rule
        let t = ShapeTable(cellType: basis, rule: rule)
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

    private struct Key: Hashable { var faceType: FaceType; var geometry: FaceType; var degree: Int }
    private static let cache = Mutex<[Key: FaceShapeTable]>([:])

    /// The shared table of `faceType` at `QuadratureRule(faceType:degree:)`.
    public static func cached(_ faceType: FaceType, degree: Int) -> FaceShapeTable {
        cached(faceType, ruleOf: faceType, degree: degree)
    }

    /// The shared table of face basis `basis` at the points of `QuadratureRule(faceType: geometry, degree:)`
    /// (e.g. `quad4` pressure on a `quad8` face). Both quadrilaterals or both triangles.
    public static func cached(_ basis: FaceType, ruleOf geometry: FaceType, degree: Int) -> FaceShapeTable {
        precondition(basis.isSimplex == geometry.isSimplex, "\(basis) and \(geometry) live on different reference faces")
        let key = Key(faceType: basis, geometry: geometry, degree: degree)
        if let t = cache.withLock({ $0[key] }) { return t }
        let t = FaceShapeTable(faceType: basis, rule: QuadratureRule(faceType: geometry, degree: degree))
        return cache.withLock { dict in
            if let existing = dict[key] { return existing }
            dict[key] = t
            return t
        }
    }
}
