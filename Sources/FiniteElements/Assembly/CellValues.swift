/// Geometry and shape functions of one cell at the points of a quadrature rule —
/// the analogue of deal.II's `FEValues`: create once per thread and cell type,
/// ``reinit(mesh:cell:)`` per cell.
///
/// Index orders (basix style):
/// - ``values``: `(point, basis function)` → `values[q * basisCount + a]` (the
///   reference values; the same for every cell);
/// - ``gradients``: `(point, basis function, direction)` →
///   `gradients[(q * basisCount + a) * 3 + d]`, physical gradient in 1/mm;
/// - ``jxw``: `det J · weight` per point (mm³); ``points``: physical points (mm).
///
/// ```swift
/// var cv = CellValues(cellType: .hex8, degree: 3)
/// try cv.reinit(mesh: mesh, cell: c)
/// for q in 0..<cv.quadratureCount { for a in 0..<8 { let g = cv.gradient(q, a) … } }
/// ```
public struct CellValues: Sendable {
    /// The geometric (and basis) cell type.
    public let cellType: CellType
    /// The tabulated basis at the rule's points.
    public let table: ShapeTable
    /// Number of basis functions (= nodes of the cell).
    public let basisCount: Int
    /// The cell last passed to ``reinit(mesh:cell:)`` (−1 before the first).
    public private(set) var cell: Int = -1
    /// Physical coordinates (mm) of the quadrature points.
    public private(set) var points: [SIMD3<Double>]
    /// `det J · w` (mm³) at each point.
    public private(set) var jxw: [Double]
    /// det J (mm³ per reference volume) at each point.
    public private(set) var determinants: [Double]
    /// Physical gradients `∂N_a/∂x_d` (1/mm) at `[(q * basisCount + a) * 3 + d]`.
    public private(set) var gradients: [Double]
    /// Rows of `J⁻¹` at each point: `inverseJacobianRows[3 * q + e] = ∂ξ_e/∂x` (1/mm).
    public private(set) var inverseJacobianRows: [SIMD3<Double>]

    /// Shape values `N[q * basisCount + a]` (dimensionless).
    @inlinable public var values: [Double] { table.values }
    /// Number of quadrature points.
    @inlinable public var quadratureCount: Int { table.rule.count }

    /// Values for `cellType` with the cached rule of total degree `degree`
    /// (default: ``CellType/defaultQuadratureDegree``).
    public init(cellType: CellType, degree: Int? = nil) {
        self.init(table: ShapeTable.cached(cellType, degree: degree ?? cellType.defaultQuadratureDegree))
    }

    /// Values on a given table (its cell type is the geometry).
    public init(table: ShapeTable) {
        self.table = table
        cellType = table.cellType
        basisCount = table.basisCount
        let nq = table.rule.count
        points = [SIMD3<Double>](repeating: .zero, count: nq)
        jxw = [Double](repeating: 0, count: nq)
        determinants = [Double](repeating: 0, count: nq)
        gradients = [Double](repeating: 0, count: nq * basisCount * 3)
        inverseJacobianRows = [SIMD3<Double>](repeating: .zero, count: 3 * nq)
    }

    /// Recomputes geometry for `cell` of `mesh` (which must have type ``cellType``).
    ///
    /// - Throws: ``MeshError/invertedCell(cell:type:determinant:at:)`` when det J ≤ 0 at a point.
    public mutating func reinit(mesh: Mesh, cell c: Int) throws {
        precondition(mesh.cellType(c) == cellType, "cell \(c) is \(mesh.cellType(c)), CellValues is for \(cellType)")
        cell = c
        let n = basisCount, nq = quadratureCount
        let base = mesh.cellOffsets[c]
        var failure: MeshError?
        mesh.nodes.withUnsafeBufferPointer { xs in
            mesh.connectivity.withUnsafeBufferPointer { conn in
                table.values.withUnsafeBufferPointer { nv in
                    table.gradients.withUnsafeBufferPointer { rg in
                        gradients.withUnsafeMutableBufferPointer { pg in
                            for q in 0..<nq {
                                var c0 = SIMD3<Double>.zero, c1 = SIMD3<Double>.zero, c2 = SIMD3<Double>.zero
                                var x = SIMD3<Double>.zero
                                let g = rg.baseAddress! + q * n * 3
                                for a in 0..<n {
                                    let p = xs[conn[base + a]]
                                    c0 += g[3 * a] * p; c1 += g[3 * a + 1] * p; c2 += g[3 * a + 2] * p
                                    x += nv[q * n + a] * p
                                }
                                let J = Jacobian3(c0, c1, c2)
                                let det = J.determinant
                                if !(det > 0) {
                                    if failure == nil { failure = .invertedCell(cell: c, type: cellType, determinant: det, at: table.rule.points[q]) }
                                    continue
                                }
                                let (r0, r1, r2) = J.inverseRows()
                                inverseJacobianRows[3 * q] = r0; inverseJacobianRows[3 * q + 1] = r1; inverseJacobianRows[3 * q + 2] = r2
                                determinants[q] = det
                                jxw[q] = det * table.rule.weights[q]
                                points[q] = x
                                let out = pg.baseAddress! + q * n * 3
                                for a in 0..<n {
                                    let v = g[3 * a] * r0 + g[3 * a + 1] * r1 + g[3 * a + 2] * r2
                                    out[3 * a] = v.x; out[3 * a + 1] = v.y; out[3 * a + 2] = v.z
                                }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
    }

    /// `N_a` at point `q`.
    @inlinable public func shape(_ q: Int, _ a: Int) -> Double { table.values[q * basisCount + a] }

    /// `∇N_a` (1/mm) at point `q`.
    @inlinable public func gradient(_ q: Int, _ a: Int) -> SIMD3<Double> {
        let k = (q * basisCount + a) * 3
        return SIMD3(gradients[k], gradients[k + 1], gradients[k + 2])
    }

    /// Physical gradients of another basis on the same reference cell at this
    /// rule's points — e.g. the `hex8` pressure basis on a `hex20` cell.
    ///
    /// - Parameters:
    ///   - other: a table of the other basis at ``table``'s rule
    ///     (`ShapeTable(cellType: .hex8, rule: cv.table.rule)`).
    ///   - output: receives `[(q * other.basisCount + a) * 3 + d]` (1/mm).
    package func physicalGradients(of other: ShapeTable, into output: UnsafeMutableBufferPointer<Double>) {
        let m = other.basisCount
        precondition(other.rule.count == quadratureCount && output.count >= quadratureCount * m * 3)
        for q in 0..<quadratureCount {
            let r0 = inverseJacobianRows[3 * q], r1 = inverseJacobianRows[3 * q + 1], r2 = inverseJacobianRows[3 * q + 2]
            for a in 0..<m {
                let k = (q * m + a) * 3
                let v = other.gradients[k] * r0 + other.gradients[k + 1] * r1 + other.gradients[k + 2] * r2
                output[k] = v.x; output[k + 1] = v.y; output[k + 2] = v.z
            }
        }
    }
}

/// Geometry and shape functions of one cell face at the points of a face rule:
/// outward unit normals, area elements and physical points.
///
/// Index orders: ``values`` `[q * basisCount + a]` with `a` over the face nodes
/// in ``CellType/faceNodes(_:)`` order; ``jxw`` area element · weight (mm²).
public struct FaceValues: Sendable {
    /// The face basis.
    public let faceType: FaceType
    /// The tabulated face basis.
    public let table: FaceShapeTable
    /// Number of face nodes.
    public let basisCount: Int
    /// The face last passed to ``reinit(mesh:face:)``.
    public private(set) var face = FaceRef(cell: -1, face: -1)
    /// Mesh node indices of the face, in face-node order.
    public private(set) var nodes: [Int]
    /// Physical points (mm).
    public private(set) var points: [SIMD3<Double>]
    /// Outward unit normals.
    public private(set) var normals: [SIMD3<Double>]
    /// `|∂x/∂s × ∂x/∂t| · w` (mm²).
    public private(set) var jxw: [Double]

    /// Shape values `N[q * basisCount + a]`.
    @inlinable public var values: [Double] { table.values }
    /// Number of points.
    @inlinable public var quadratureCount: Int { table.rule.count }

    /// Values for `faceType` with the rule of total degree `degree` (default:
    /// ``FaceType/defaultQuadratureDegree``).
    public init(faceType: FaceType, degree: Int? = nil) {
        self.faceType = faceType
        table = FaceShapeTable.cached(faceType, degree: degree ?? faceType.defaultQuadratureDegree)
        basisCount = faceType.nodeCount
        let nq = table.rule.count
        nodes = [Int](repeating: 0, count: basisCount)
        points = [SIMD3<Double>](repeating: .zero, count: nq)
        normals = [SIMD3<Double>](repeating: .zero, count: nq)
        jxw = [Double](repeating: 0, count: nq)
    }

    /// Recomputes geometry for `face`.
    ///
    /// - Throws: ``MeshError/invertedCell(cell:type:determinant:at:)`` when the
    ///   face is degenerate (zero area element) at a point.
    public mutating func reinit(mesh: Mesh, face f: FaceRef) throws {
        precondition(mesh.faceType(f) == faceType, "face \(f) is \(mesh.faceType(f)), FaceValues is for \(faceType)")
        face = f
        nodes = mesh.faceNodes(f)
        let n = basisCount
        for q in 0..<quadratureCount {
            var x = SIMD3<Double>.zero, ts = SIMD3<Double>.zero, tt = SIMD3<Double>.zero
            for a in 0..<n {
                let p = mesh.nodes[nodes[a]]
                x += table.values[q * n + a] * p
                ts += table.gradients[(q * n + a) * 2] * p
                tt += table.gradients[(q * n + a) * 2 + 1] * p
            }
            let nv = cross(ts, tt)
            let area = norm(nv)
            guard area > 0 else {
                throw MeshError.invertedCell(cell: f.cell, type: mesh.cellType(f.cell), determinant: 0, at: mesh.cellType(f.cell).cellPoint(onFace: f.face, at: SIMD2(table.rule.points[q].x, table.rule.points[q].y)))
            }
            points[q] = x
            normals[q] = nv / area
            jxw[q] = area * table.rule.weights[q]
        }
    }

    /// `N_a` at point `q`.
    @inlinable public func shape(_ q: Int, _ a: Int) -> Double { table.values[q * basisCount + a] }
}

extension Mesh {
    /// Area (mm²) of surface `name`.
    public func surfaceArea(_ name: String) throws -> Double {
        try integrate(surface: name) { _, _ in 1 }
    }

    /// ∫ f(x, n) dA (units of f · mm²) over surface `name`, where `n` is the outward unit normal.
    public func integrate(surface name: String, extraDegree: Int = 0, _ f: (SIMD3<Double>, SIMD3<Double>) -> Double) throws -> Double {
        var sum = 0.0
        var cache: [FaceType: FaceValues] = [:]
        for face in try faces(ofSurface: name) {
            let t = faceType(face)
            if cache[t] == nil { cache[t] = FaceValues(faceType: t, degree: t.defaultQuadratureDegree + extraDegree) }
            try cache[t]!.reinit(mesh: self, face: face)
            let fv = cache[t]!
            for q in 0..<fv.quadratureCount { sum += f(fv.points[q], fv.normals[q]) * fv.jxw[q] }
        }
        return sum
    }

    /// ∫ n dA (mm²) over surface `name`: the area-weighted normal (zero for a closed surface).
    public func integratedNormal(surface name: String) throws -> SIMD3<Double> {
        SIMD3(try integrate(surface: name) { $1.x }, try integrate(surface: name) { $1.y }, try integrate(surface: name) { $1.z })
    }
}
