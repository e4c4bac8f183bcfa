/// Node coordinates (mm) of a 1D division: cell boundaries along one axis.
///
/// ```swift
/// let x = try Grading.uniform(from: 0, to: 10, cells: 5)          // 0, 2, 4, 6, 8, 10
/// let z = try Grading.geometric(from: 0, to: 10, cells: 4, ratio: 3)  // last cell 3× the first
/// ```
public struct Grading: Sendable, Equatable, Codable {
    /// Strictly increasing cell-boundary coordinates (mm); `cells + 1` values.
    public let coordinates: [Double]

    /// Number of cells.
    public var cellCount: Int { coordinates.count - 1 }

    /// A grading from explicit boundaries.
    ///
    /// - Throws: ``MeshError/invalidParameter(parameter:value:expected:)`` unless there are
    ///   ≥ 2 finite, strictly increasing values.
    public init(coordinates: [Double]) throws {
        guard coordinates.count >= 2, coordinates.allSatisfy(\.isFinite) else {
            throw MeshError.invalidParameter(parameter: "grading.coordinates", value: "\(coordinates)", expected: "at least 2 finite values")
        }
        for i in 1..<coordinates.count where !(coordinates[i] > coordinates[i - 1]) {
            throw MeshError.invalidParameter(parameter: "grading.coordinates[\(i)]", value: "\(coordinates[i])", expected: "a value > \(coordinates[i - 1]) (strictly increasing)")
        }
        self.coordinates = coordinates
    }

    /// `cells` equal cells on `[from, to]` (mm).
    public static func uniform(from: Double, to: Double, cells: Int) throws -> Grading {
        try geometric(from: from, to: to, cells: cells, ratio: 1)
    }

    /// `cells` cells on `[from, to]` (mm) whose sizes grow geometrically so that the
    /// last cell is `ratio` times the first (`ratio < 1` shrinks; 1 is uniform).
    public static func geometric(from: Double, to: Double, cells: Int, ratio: Double) throws -> Grading {
        guard cells >= 1 else { throw MeshError.invalidParameter(parameter: "cells", value: "\(cells)", expected: "an integer ≥ 1") }
        guard ratio > 0, ratio.isFinite else { throw MeshError.invalidParameter(parameter: "ratio", value: "\(ratio)", expected: "a finite number > 0") }
        guard from.isFinite, to.isFinite, to > from else {
            throw MeshError.invalidParameter(parameter: "to", value: "\(to)", expected: "a finite number > from = \(from)")
        }
        let q = cells > 1 ? pow(ratio, 1.0 / Double(cells - 1)) : 1
        var sizes = [Double](repeating: 1, count: cells)
        for i in 1..<max(cells, 1) { sizes[i] = sizes[i - 1] * q }
        let total = sizes.reduce(0, +)
        var x = [from]
        var acc = 0.0
        for i in 0..<cells { acc += sizes[i]; x.append(i == cells - 1 ? to : from + (to - from) * acc / total) }
        return try Grading(coordinates: x)
    }
}

/// Structured mesh generators with named regions and surfaces.
public enum MeshGenerator {
    /// A box `[x₀,x₁] × [y₀,y₁] × [z₀,z₁]` (mm) of hexahedra, or of tetrahedra made by
    /// splitting each hexahedron into 6 along its main diagonal (Kuhn/Freudenthal
    /// split, the same in every box so faces conform).
    ///
    /// Region: `all`. Surfaces: `x-`, `x+`, `y-`, `y+`, `z-` (= `bottom`), `z+` (= `top`).
    /// Quadratic elements get straight edges with mid-edge nodes at mid-interval.
    ///
    /// ```swift
    /// let mesh = try MeshGenerator.box(x: .uniform(from: 0, to: 1, cells: 4),
    ///                                   y: .uniform(from: 0, to: 1, cells: 4),
    ///                                   z: .geometric(from: 0, to: 2, cells: 6, ratio: 2),
    ///                                   cellType: .hex20)
    /// ```
    public static func box(x: Grading, y: Grading, z: Grading, cellType: CellType) throws -> Mesh {
        let p = cellType.degree                    // lattice points per cell per axis
        func refine(_ g: Grading) -> [Double] {
            guard p == 2 else { return g.coordinates }
            var r: [Double] = []
            for i in 0..<g.cellCount { r.append(g.coordinates[i]); r.append(0.5 * (g.coordinates[i] + g.coordinates[i + 1])) }
            r.append(g.coordinates.last!)
            return r
        }
        let xs = refine(x), ys = refine(y), zs = refine(z)
        let nx = xs.count, ny = ys.count
        func lattice(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }
        var cellNodes: [Int] = []
        var types: [CellType] = []
        let ref = cellType.referenceNodes
        for k in 0..<z.cellCount { for j in 0..<y.cellCount { for i in 0..<x.cellCount {
            if !cellType.isSimplex {
                for r in ref {
                    let di = Int((r.x + 1) * Double(p) / 2), dj = Int((r.y + 1) * Double(p) / 2), dk = Int((r.z + 1) * Double(p) / 2)
                    cellNodes.append(lattice(p * i + di, p * j + dj, p * k + dk))
                }
                types.append(cellType)
            } else {
                // Kuhn split: one tet per axis permutation, along the path 0 → e_a → e_a+e_b → (1,1,1).
                for perm in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
                    var corners: [SIMD3<Int>] = [.zero]
                    var v = SIMD3<Int>.zero
                    for axis in perm { v[axis] += 1; corners.append(v) }
                    // Orientation: det[c1−c0, c2−c0, c3−c0] must be positive.
                    let d1 = SIMD3<Double>(corners[1] &- corners[0]), d2 = SIMD3<Double>(corners[2] &- corners[0]), d3 = SIMD3<Double>(corners[3] &- corners[0])
                    if dot(d1, cross(d2, d3)) < 0 { corners.swapAt(1, 2) }
                    var local: [SIMD3<Int>] = corners.map { $0 &* p }
                    if cellType == .tet10 {
                        for e in tetEdges { local.append(corners[e.0] &+ corners[e.1]) }
                    }
                    for l in local { cellNodes.append(lattice(p * i + l.x, p * j + l.y, p * k + l.z)) }
                    types.append(cellType)
                }
            }
        } } }
        var points: [SIMD3<Double>] = []
        points.reserveCapacity(nx * ny * zs.count)
        for k in 0..<zs.count { for j in 0..<ny { for i in 0..<nx { points.append(SIMD3(xs[i], ys[j], zs[k])) } } }
        var mesh = try compacted(points: points, types: types, connectivity: cellNodes)
        try mesh.addRegion("all", cells: Array(0..<mesh.cellCount))
        let x0 = x.coordinates.first!, x1 = x.coordinates.last!, y0 = y.coordinates.first!, y1 = y.coordinates.last!
        let z0 = z.coordinates.first!, z1 = z.coordinates.last!
        var named: [String: [FaceRef]] = ["x-": [], "x+": [], "y-": [], "y+": [], "z-": [], "z+": []]
        for f in mesh.boundaryFaces() {
            let c = mesh.cellType(f.cell).faceCorners(f.face).map { mesh.nodes[mesh.cellNodes(f.cell)[mesh.cellOffsets[f.cell] + $0]] }
            if c.allSatisfy({ $0.x == x0 }) { named["x-"]!.append(f) }
            else if c.allSatisfy({ $0.x == x1 }) { named["x+"]!.append(f) }
            else if c.allSatisfy({ $0.y == y0 }) { named["y-"]!.append(f) }
            else if c.allSatisfy({ $0.y == y1 }) { named["y+"]!.append(f) }
            else if c.allSatisfy({ $0.z == z0 }) { named["z-"]!.append(f) }
            else if c.allSatisfy({ $0.z == z1 }) { named["z+"]!.append(f) }
        }
        for (name, faces) in named { try mesh.addSurface(name, faces: faces) }
        try mesh.addSurface("bottom", faces: named["z-"]!)
        try mesh.addSurface("top", faces: named["z+"]!)
        return mesh
    }

    /// A box with `cells` uniform divisions per axis from `origin` to `origin + size` (mm).
    public static func box(origin: SIMD3<Double> = .zero, size: SIMD3<Double>, cells: SIMD3<Int>, cellType: CellType) throws -> Mesh {
        try box(x: .uniform(from: origin.x, to: origin.x + size.x, cells: cells.x),
                y: .uniform(from: origin.y, to: origin.y + size.y, cells: cells.y),
                z: .uniform(from: origin.z, to: origin.z + size.z, cells: cells.z), cellType: cellType)
    }

    /// The inner region of a cylinder: its name and its semi-axes as a fraction of the outer ones.
    public struct InnerRegion: Sendable, Equatable, Codable {
        /// Region name (e.g. `nucleus`).
        public var name: String
        /// Inner semi-axes / outer semi-axes, in (0, 1).
        public var fraction: Double
        /// An inner region.
        public init(name: String, fraction: Double) { self.name = name; self.fraction = fraction }
    }

    /// An elliptic cylinder `x²/a² + y²/b² ≤ 1`, `0 ≤ z ≤ height` (mm) meshed by a
    /// structured O-grid of hexahedra (or tetrahedra, 24 per block): a square core of `around/4 × around/4`
    /// cells, `innerRings` rings from the core to the inner ellipse (semi-axes
    /// `fraction·a`, `fraction·b`), and `radial` rings from there to the outer
    /// ellipse. Ring nodes lie on rays from the axis; all nodes, mid-edge ones
    /// included, on the inner/outer ellipses lie exactly on them.
    ///
    /// Regions: `inner.name` (core + inner rings), `outerName` (the rest), `all`.
    /// Surfaces: `top` (z = height), `bottom` (z = 0), `outer` (the mantle), and
    /// `top-<region>` / `bottom-<region>` for each region.
    ///
    /// - Parameters:
    ///   - a: semi-axis along x (mm); b: semi-axis along y (mm); height (mm).
    ///   - inner: the inner region; nil for a single region named `outerName`.
    ///   - around: cells around the circumference, a multiple of 4 (≥ 4).
    ///   - radial: rings in the outer region (≥ 1).
    ///   - innerRings: rings between the core square and the inner ellipse (default `max(1, around / 8)`).
    ///   - layers: cells along z (≥ 1).
    ///   - cellType: `hex8`, `hex20`, `hex27`; or `tet4`/`tet10`: each block split into 24
    ///     tetrahedra through its face and body centres (conforming; tet10 mid-edge nodes on
    ///     the curved lattice, so outer-surface nodes lie on the ellipse).
    ///   - radialRatio: width of the outermost ring of the outer region / width of its
    ///     innermost ring (1 = uniform; < 1 refines towards the outer surface).
    public static func ellipticCylinder(a: Double, b: Double, height: Double,
                                        inner: InnerRegion? = InnerRegion(name: "nucleus", fraction: 0.5),
                                        outerName: String = "annulus",
                                        around: Int, radial: Int, innerRings: Int? = nil, layers: Int,
                                        cellType: CellType, radialRatio: Double = 1) throws -> Mesh {
        for (name, v) in [("a", a), ("b", b), ("height", height)] where !(v > 0 && v.isFinite) {
            throw MeshError.invalidParameter(parameter: name, value: "\(v)", expected: "a finite length > 0 mm")
        }
        guard around >= 4, around % 4 == 0 else {
            throw MeshError.invalidParameter(parameter: "around", value: "\(around)", expected: "a multiple of 4, ≥ 4")
        }
        guard radial >= 1 else { throw MeshError.invalidParameter(parameter: "radial", value: "\(radial)", expected: "an integer ≥ 1") }
        guard layers >= 1 else { throw MeshError.invalidParameter(parameter: "layers", value: "\(layers)", expected: "an integer ≥ 1") }
        if let inner, !(inner.fraction > 0 && inner.fraction < 1) {
            throw MeshError.invalidParameter(parameter: "inner.fraction", value: "\(inner.fraction)", expected: "a number in (0, 1)")
        }
        let nIn = inner == nil ? radial : (innerRings ?? max(1, around / 8))
        guard radialRatio > 0, radialRatio.isFinite else {
            throw MeshError.invalidParameter(parameter: "radialRatio", value: "\(radialRatio)", expected: "a finite number > 0")
        }
        // Outer-ring boundaries in [0, 1] (inner ellipse → outer ellipse), graded.
        let ringCoordinates = try Grading.geometric(from: 0, to: 1, cells: max(radial, 1), ratio: radialRatio).coordinates
        guard nIn >= 1 else { throw MeshError.invalidParameter(parameter: "innerRings", value: "\(nIn)", expected: "an integer ≥ 1") }
        // Lattice points per block and axis: the element degree for hexahedra; for tetrahedra
        // 2 (tet4: corners, face and body centres) or 4 (tet10: also their edge midpoints).
        let p = cellType.isSimplex ? 2 * cellType.degree : cellType.degree
        let m = around / 4
        let f = inner?.fraction ?? 1.0
        let rings = inner == nil ? nIn : nIn + radial      // total rings
        let half = 0.5 * f                                 // half-width of the core square in unit-disc space
        let L = p * m                                      // core lattice intervals per side
        let P = 4 * L                                      // lattice points around a ring
        // 2D unit-disc lattice points: core (L+1)², then rings r = 1 ... p·rings, each P points.
        // Core lattice coordinates s_i = half·tan(π/4·(2i/L − 1)): rays from the axis through
        // the square's boundary points are then equally spaced in angle.
        let s = (0...L).map { half * tan(Double.pi / 4 * (2 * Double($0) / Double(L) - 1)) }
        var disc: [SIMD2<Double>] = []
        for k in 0...L { for i in 0...L { disc.append(SIMD2(s[i], s[k])) } }
        func coreIndex(_ i: Int, _ k: Int) -> Int { i + (L + 1) * k }
        func perimeter(_ j: Int) -> (Int, Int) {
            let jj = ((j % P) + P) % P
            switch jj / L {
            case 0: return (jj, 0)
            case 1: return (L, jj - L)
            case 2: return (L - (jj - 2 * L), L)
            default: return (0, L - (jj - 3 * L))
            }
        }
        let coreCount = disc.count
        let nucleusLevels = p * nIn
        for r in 1...(p * rings) {
            for j in 0..<P {
                let (i, k) = perimeter(j)
                let sq = disc[coreIndex(i, k)]
                let dir = sq / (sq * sq).sum().squareRoot()
                if r <= nucleusLevels {
                    let t = Double(r) / Double(nucleusLevels)
                    disc.append((1 - t) * sq + t * f * dir)
                } else {
                    let l = r - nucleusLevels, k = l / p
                    let t = l % p == 0 ? ringCoordinates[k]
                        : ringCoordinates[k] + Double(l % p) / Double(p) * (ringCoordinates[k + 1] - ringCoordinates[k])
                    disc.append(((1 - t) * f + t) * dir)
                }
            }
        }
        func ringIndex(_ j: Int, _ r: Int) -> Int {
            if r == 0 { let (i, k) = perimeter(j); return coreIndex(i, k) }
            return coreCount + (r - 1) * P + ((j % P) + P) % P
        }
        let n2 = disc.count
        let zLevels = p * layers + 1
        var points: [SIMD3<Double>] = []
        points.reserveCapacity(n2 * zLevels)
        for kz in 0..<zLevels {
            let z = height * Double(kz) / Double(zLevels - 1)
            for q in disc { points.append(SIMD3(a * q.x, b * q.y, z)) }
        }
        var conn: [Int] = []
        var types: [CellType] = []
        var innerCells: [Int] = [], outerCells: [Int] = [], outerFaces: [FaceRef] = []
        var topFaces: [FaceRef] = [], bottomFaces: [FaceRef] = []
        let hexCorners = referenceNodeTable[0].map { SIMD3(Int($0.x + 1) * p / 2, Int($0.y + 1) * p / 2, Int($0.z + 1) * p / 2) }
        /// Emits one block (a hexahedron, or 24 tetrahedra: each hex face split into 4 triangles
        /// through its centre, each joined to the body centre — conforming with any neighbour);
        /// `node` maps block-local lattice offsets (ξ, η, ζ ∈ 0…p) to a lattice point.
        /// Returns the new cells and, per hex face, the cell faces that cover it.
        func emit(_ node: (Int, Int, Int) -> Int) -> (cells: [Int], faces: [[FaceRef]]) {
            let first = types.count
            var faces = [[FaceRef]](repeating: [], count: 6)
            if !cellType.isSimplex {
                for rn in cellType.referenceNodes {
                    conn.append(node(Int((rn.x + 1) * Double(p) / 2), Int((rn.y + 1) * Double(p) / 2), Int((rn.z + 1) * Double(p) / 2)))
                }
                types.append(cellType)
                for f in 0..<6 { faces[f] = [FaceRef(cell: first, face: f)] }
            } else {
                let body = SIMD3(p / 2, p / 2, p / 2)
                for f in 0..<6 {
                    let c = hexFaceCorners[f].map { hexCorners[$0] }
                    let centre = (c[0] &+ c[2]) / 2
                    for k in 0..<4 {
                        // (c_{k+1}, c_k, centre) is clockwise seen from outside: positive with the body centre as apex.
                        var v = [c[(k + 1) % 4], c[k], centre, body]
                        if cellType == .tet10 { for e in tetEdges { v.append((v[e.0] &+ v[e.1]) / 2) } }
                        for q in v { conn.append(node(q.x, q.y, q.z)) }
                        faces[f].append(FaceRef(cell: types.count, face: 0))   // tet face 0 = (v0, v2, v1)
                        types.append(cellType)
                    }
                }
            }
            return (Array(first..<types.count), faces)
        }
        for layer in 0..<layers {
            // Core blocks: ξ = x, η = y.
            for ck in 0..<m { for ci in 0..<m {
                let block = emit { di, dk, dz in (p * layer + dz) * n2 + coreIndex(p * ci + di, p * ck + dk) }
                innerCells += block.cells
                if layer == 0 { bottomFaces += block.faces[4] }
                if layer == layers - 1 { topFaces += block.faces[5] }
            } }
            // Ring blocks: ξ = radial (outward), η = around (counter-clockwise).
            for r in 0..<rings { for j in 0..<(4 * m) {
                let block = emit { dr, dj, dz in (p * layer + dz) * n2 + ringIndex(p * j + dj, p * r + dr) }
                if r < nIn && inner != nil { innerCells += block.cells } else { outerCells += block.cells }
                if r == rings - 1 { outerFaces += block.faces[1] }
                if layer == 0 { bottomFaces += block.faces[4] }
                if layer == layers - 1 { topFaces += block.faces[5] }
            } }
        }
        var mesh = try compacted(points: points, types: types, connectivity: conn)
        if let inner {
            try mesh.addRegion(inner.name, cells: innerCells)
            try mesh.addRegion(outerName, cells: outerCells)
        } else {
            try mesh.addRegion(outerName, cells: innerCells + outerCells)
        }
        try mesh.addRegion("all", cells: Array(0..<mesh.cellCount))
        try mesh.addSurface("top", faces: topFaces)
        try mesh.addSurface("bottom", faces: bottomFaces)
        try mesh.addSurface("outer", faces: outerFaces)
        for (name, cells) in mesh.regions where name != "all" {
            let set = Set(cells)
            try mesh.addSurface("top-\(name)", faces: topFaces.filter { set.contains($0.cell) })
            try mesh.addSurface("bottom-\(name)", faces: bottomFaces.filter { set.contains($0.cell) })
        }
        return mesh
    }

    /// A circular cylinder of radius `radius` (mm): ``ellipticCylinder(a:b:height:inner:outerName:around:radial:innerRings:layers:cellType:radialRatio:)`` with `a = b`.
    public static func cylinder(radius: Double, height: Double,
                                inner: InnerRegion? = InnerRegion(name: "nucleus", fraction: 0.5),
                                outerName: String = "annulus",
                                around: Int, radial: Int, innerRings: Int? = nil, layers: Int,
                                cellType: CellType, radialRatio: Double = 1) throws -> Mesh {
        try ellipticCylinder(a: radius, b: radius, height: height, inner: inner, outerName: outerName,
                             around: around, radial: radial, innerRings: innerRings, layers: layers, cellType: cellType,
                             radialRatio: radialRatio)
    }

    /// Drops lattice points no cell uses and renumbers (keeping the lattice order).
    static func compacted(points: [SIMD3<Double>], types: [CellType], connectivity: [Int]) throws -> Mesh {
        var newIndex = [Int](repeating: -1, count: points.count)
        for n in connectivity { newIndex[n] = 0 }
        var kept: [SIMD3<Double>] = []
        for i in 0..<points.count where newIndex[i] == 0 { newIndex[i] = kept.count; kept.append(points[i]) }
        return try Mesh(nodes: kept, cellTypes: types, connectivity: connectivity.map { newIndex[$0] })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
