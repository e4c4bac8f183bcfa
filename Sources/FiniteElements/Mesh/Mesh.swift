/// One face of one cell: `face` is the local face number of ``CellType/faceNodes(_:)``.
public struct FaceRef: Hashable, Sendable, Codable, Comparable {
    /// Cell index in the mesh.
    public var cell: Int
    /// Local face (hex 0…5 = ξ−, ξ+, η−, η+, ζ−, ζ+; tet 0…3).
    public var face: Int

    /// A face reference.
    public init(cell: Int, face: Int) { self.cell = cell; self.face = face }

    /// Orders by cell, then local face.
    public static func < (a: FaceRef, b: FaceRef) -> Bool { (a.cell, a.face) < (b.cell, b.face) }
}

/// An unstructured volume mesh: node coordinates (mm), cells of one or more
/// ``CellType``s in VTK node order, and named node sets, regions (element
/// sets) and surfaces (face sets).
///
/// Cells are stored compressed: cell `c` has type `cellTypes[c]` and nodes
/// `connectivity[cellOffsets[c] ..< cellOffsets[c+1]]`.
///
/// ```swift
/// var mesh = try Mesh(nodes: points, cellType: .hex8, connectivity: conn)
/// try mesh.addRegion("bone", cells: Array(0..<mesh.cellCount))
/// try mesh.validate()                   // throws MeshError.invertedCell(cell:…)
/// let v = try mesh.volume(region: "bone")   // mm³
/// ```
public struct Mesh: Sendable, Equatable {
    /// Node coordinates in mm.
    public var nodes: [SIMD3<Double>]
    /// Type of each cell.
    public private(set) var cellTypes: [CellType]
    /// `cellCount + 1` offsets into ``connectivity``.
    public private(set) var cellOffsets: [Int]
    /// Node indices of all cells, cell after cell, VTK order within a cell.
    public private(set) var connectivity: [Int]
    /// Named node sets (sorted, unique node indices).
    public internal(set) var nodeSets: [String: [Int]] = [:]
    /// Named element sets (sorted, unique cell indices).
    public internal(set) var regions: [String: [Int]] = [:]
    /// Named face sets (sorted, unique).
    public internal(set) var surfaces: [String: [FaceRef]] = [:]

    /// A mesh of mixed cell types.
    ///
    /// - Parameters:
    ///   - nodes: coordinates in mm.
    ///   - cellTypes: the type of each cell.
    ///   - connectivity: the nodes of every cell, concatenated.
    /// - Throws: ``MeshError/connectivityCount(expected:got:)``,
    ///   ``MeshError/nodeIndexOutOfRange(cell:node:nodeCount:)``, ``MeshError/nonFiniteCoordinate(node:)``.
    public init(nodes: [SIMD3<Double>], cellTypes: [CellType], connectivity: [Int]) throws {
        var offsets = [Int](repeating: 0, count: cellTypes.count + 1)
        for (c, t) in cellTypes.enumerated() { offsets[c + 1] = offsets[c] + t.nodeCount }
        guard offsets.last! == connectivity.count else {
            throw MeshError.connectivityCount(expected: offsets.last!, got: connectivity.count)
        }
        for (i, p) in nodes.enumerated() where !(p.x.isFinite && p.y.isFinite && p.z.isFinite) {
            throw MeshError.nonFiniteCoordinate(node: i)
        }
        for c in 0..<cellTypes.count {
            for k in offsets[c]..<offsets[c + 1] where connectivity[k] < 0 || connectivity[k] >= nodes.count {
                throw MeshError.nodeIndexOutOfRange(cell: c, node: connectivity[k], nodeCount: nodes.count)
            }
        }
        self.nodes = nodes
        self.cellTypes = cellTypes
        self.cellOffsets = offsets
        self.connectivity = connectivity
    }

    /// A mesh whose cells all have type `cellType`.
    public init(nodes: [SIMD3<Double>], cellType: CellType, connectivity: [Int]) throws {
        guard connectivity.count % cellType.nodeCount == 0 else {
            throw MeshError.connectivityCount(expected: (connectivity.count / cellType.nodeCount + 1) * cellType.nodeCount, got: connectivity.count)
        }
        try self.init(nodes: nodes, cellTypes: [CellType](repeating: cellType, count: connectivity.count / cellType.nodeCount),
                      connectivity: connectivity)
    }

    /// Number of nodes.
    public var nodeCount: Int { nodes.count }
    /// Number of cells.
    public var cellCount: Int { cellTypes.count }

    /// Type of cell `c`.
    @inlinable public func cellType(_ c: Int) -> CellType { cellTypes[c] }

    /// Node indices of cell `c` (VTK order).
    @inlinable public func cellNodes(_ c: Int) -> ArraySlice<Int> { connectivity[cellOffsets[c]..<cellOffsets[c + 1]] }

    /// Coordinates (mm) of the nodes of cell `c`.
    public func cellCoordinates(_ c: Int) -> [SIMD3<Double>] { cellNodes(c).map { nodes[$0] } }

    /// The set of distinct cell types present.
    public var presentCellTypes: Set<CellType> { Set(cellTypes) }

    /// Mesh node indices of face `f`, in ``CellType/faceNodes(_:)`` order.
    public func faceNodes(_ f: FaceRef) -> [Int] {
        let base = cellOffsets[f.cell]
        return cellTypes[f.cell].faceNodes(f.face).map { connectivity[base + $0] }
    }

    /// Element type of face `f`.
    public func faceType(_ f: FaceRef) -> FaceType { cellTypes[f.cell].faceType(f.face) }

    // MARK: Named sets

    /// Adds (or replaces) region `name` with the given cells.
    public mutating func addRegion(_ name: String, cells: [Int]) throws {
        let s = Array(Set(cells)).sorted()
        if let bad = s.first(where: { $0 < 0 || $0 >= cellCount }) {
            throw MeshError.setIndexOutOfRange(kind: "region", name: name, index: bad, bound: cellCount)
        }
        regions[name] = s
    }

    /// Removes region `name` (nothing when there is none); its cells stay.
    public mutating func removeRegion(_ name: String) { regions[name] = nil }

    /// Removes surface `name` (nothing when there is none); its faces stay.
    public mutating func removeSurface(_ name: String) { surfaces[name] = nil }

    /// Adds (or replaces) node set `name`.
    public mutating func addNodeSet(_ name: String, nodes set: [Int]) throws {
        let s = Array(Set(set)).sorted()
        if let bad = s.first(where: { $0 < 0 || $0 >= nodeCount }) {
            throw MeshError.setIndexOutOfRange(kind: "node set", name: name, index: bad, bound: nodeCount)
        }
        nodeSets[name] = s
    }

    /// Adds (or replaces) surface `name` with the given faces.
    public mutating func addSurface(_ name: String, faces: [FaceRef]) throws {
        let s = Array(Set(faces)).sorted()
        for f in s {
            guard f.cell >= 0 && f.cell < cellCount else {
                throw MeshError.setIndexOutOfRange(kind: "surface", name: name, index: f.cell, bound: cellCount)
            }
            guard f.face >= 0 && f.face < cellTypes[f.cell].faceCount else {
                throw MeshError.faceOutOfRange(cell: f.cell, face: f.face, faceCount: cellTypes[f.cell].faceCount)
            }
        }
        surfaces[name] = s
    }

    /// Cells of region `name`.
    public func cells(inRegion name: String) throws -> [Int] {
        guard let r = regions[name] else { throw MeshError.unknownSet(kind: "region", name: name, available: Array(regions.keys)) }
        return r
    }

    /// Faces of surface `name`.
    public func faces(ofSurface name: String) throws -> [FaceRef] {
        guard let s = surfaces[name] else { throw MeshError.unknownSet(kind: "surface", name: name, available: Array(surfaces.keys)) }
        return s
    }

    /// Nodes of node set `name`.
    public func nodes(inSet name: String) throws -> [Int] {
        guard let s = nodeSets[name] else { throw MeshError.unknownSet(kind: "node set", name: name, available: Array(nodeSets.keys)) }
        return s
    }

    /// All nodes on surface `name` (sorted, unique).
    public func nodes(ofSurface name: String) throws -> [Int] {
        var set = Set<Int>()
        for f in try faces(ofSurface: name) { set.formUnion(faceNodes(f)) }
        return set.sorted()
    }

    /// All nodes of the cells of region `name` (sorted, unique).
    public func nodes(ofRegion name: String) throws -> [Int] {
        var set = Set<Int>()
        for c in try cells(inRegion: name) { set.formUnion(cellNodes(c)) }
        return set.sorted()
    }

    /// Faces that belong to exactly one cell of `cells` (all cells when nil):
    /// the boundary of that cell set, matched by corner nodes.
    public func boundaryFaces(of cells: [Int]? = nil) -> [FaceRef] {
        var count: [[Int]: (FaceRef, Int)] = [:]
        for c in cells ?? Array(0..<cellCount) {
            let t = cellTypes[c]
            for f in 0..<t.faceCount {
                let key = t.faceCorners(f).map { connectivity[cellOffsets[c] + $0] }.sorted()
                if let e = count[key] { count[key] = (e.0, e.1 + 1) } else { count[key] = (FaceRef(cell: c, face: f), 1) }
            }
        }
        return count.values.filter { $0.1 == 1 }.map(\.0).sorted()
    }

    // MARK: Geometry

    /// Checks every cell for a Jacobian determinant ≤ 0 at its corners and at
    /// the points of its default quadrature rule.
    ///
    /// - Throws: ``MeshError/invertedCell(cell:type:determinant:at:)`` for the first bad cell.
    public func validate() throws {
        var tables: [CellType: ShapeTable] = [:]
        for t in presentCellTypes {
            let pts = Array(t.referenceNodes.prefix(t.cornerCount)) + QuadratureRule(cellType: t, degree: t.defaultQuadratureDegree).points
            tables[t] = ShapeTable(cellType: t, rule: QuadratureRule(points: pts, weights: [Double](repeating: 0, count: pts.count), degree: 0))
        }
        for c in 0..<cellCount {
            let t = cellTypes[c]
            let table = tables[t]!
            let n = t.nodeCount
            try table.gradients.withUnsafeBufferPointer { g in
                for q in 0..<table.rule.count {
                    let det = jacobian(cell: c, referenceGradients: g.baseAddress! + q * n * 3).determinant
                    if !(det > 0) { throw MeshError.invertedCell(cell: c, type: t, determinant: det, at: table.rule.points[q]) }
                }
            }
        }
    }

    /// The Jacobian `∂x/∂ξ` of cell `c` given the reference gradients of its basis
    /// (`referenceGradients[a * 3 + d]`).
    @inlinable
    package func jacobian(cell c: Int, referenceGradients g: UnsafePointer<Double>) -> Jacobian3 {
        var c0 = SIMD3<Double>.zero, c1 = SIMD3<Double>.zero, c2 = SIMD3<Double>.zero
        var a = 0
        for k in cellOffsets[c]..<cellOffsets[c + 1] {
            let x = nodes[connectivity[k]]
            c0 += g[3 * a] * x; c1 += g[3 * a + 1] * x; c2 += g[3 * a + 2] * x
            a += 1
        }
        return Jacobian3(c0, c1, c2)
    }

    /// Volume (mm³) of region `name`, or of the whole mesh when `name` is nil,
    /// by each cell's default quadrature rule.
    public func volume(region name: String? = nil) throws -> Double {
        let cellList = try name.map { try self.cells(inRegion: $0) } ?? Array(0..<cellCount)
        return try integrate(cells: cellList) { _ in 1 }
    }

    /// ∫ f(x) dV (units of f · mm³) over the given cells, by each cell's default
    /// quadrature rule raised by `extraDegree`.
    ///
    /// - Throws: ``MeshError/invertedCell(cell:type:determinant:at:)`` if a Jacobian is ≤ 0.
    public func integrate(cells: [Int], extraDegree: Int = 0, _ f: (SIMD3<Double>) -> Double) throws -> Double {
        var sum = 0.0
        var values: [CellType: CellValues] = [:]
        for c in cells {
            let t = cellTypes[c]
            if values[t] == nil { values[t] = CellValues(cellType: t, degree: t.defaultQuadratureDegree + extraDegree) }
            try values[t]!.reinit(mesh: self, cell: c)
            let cv = values[t]!
            for q in 0..<cv.quadratureCount { sum += f(cv.points[q]) * cv.jxw[q] }
        }
        return sum
    }
}

/// A 3×3 Jacobian `J = ∂x/∂ξ` stored by columns (`J[:, e] = ∂x/∂ξ_e`), in mm per reference unit.
public struct Jacobian3: Sendable, Equatable {
    /// Columns ∂x/∂ξ, ∂x/∂η, ∂x/∂ζ.
    public var c0, c1, c2: SIMD3<Double>

    /// A Jacobian from its columns.
    @inlinable public init(_ c0: SIMD3<Double>, _ c1: SIMD3<Double>, _ c2: SIMD3<Double>) {
        self.c0 = c0; self.c1 = c1; self.c2 = c2
    }

    /// det J (mm³ per reference volume).
    @inlinable public var determinant: Double { dot(c0, cross(c1, c2)) }

    /// Rows of `J⁻¹` (`r_e = ∂ξ_e/∂x`): physical gradient `∇N = Σ_e (∂N/∂ξ_e) r_e`.
    @inlinable public func inverseRows() -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        let inv = 1 / determinant
        return (inv * cross(c1, c2), inv * cross(c2, c0), inv * cross(c0, c1))
    }
}

/// Cross product.
@inlinable func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// Dot product.
@inlinable func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

/// Euclidean norm.
@inlinable func norm(_ a: SIMD3<Double>) -> Double { dot(a, a).squareRoot() }
