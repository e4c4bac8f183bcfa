/// The volume elements of a mesh: Lagrange hexahedra and tetrahedra.
///
/// Node ordering follows VTK (`VTK_HEXAHEDRON` 12, `VTK_QUADRATIC_HEXAHEDRON` 25,
/// `VTK_TRIQUADRATIC_HEXAHEDRON` 29, `VTK_TETRA` 10, `VTK_QUADRATIC_TETRA` 24), so
/// a mesh writes to VTU without renumbering. The Gmsh reader converts from Gmsh's
/// ordering.
///
/// - Hexahedra live on the reference cube `[-1, 1]³`. Corners 0…3 lie at ζ = −1
///   counter-clockwise seen from +ζ — (−1,−1), (+1,−1), (+1,+1), (−1,+1) — and
///   4…7 above them at ζ = +1. Edge nodes 8…19 sit on the edges ``edges`` lists,
///   in that order: (0,1) (1,2) (2,3) (3,0) (4,5) (5,6) (6,7) (7,4) (0,4) (1,5)
///   (2,6) (3,7). `hex27` adds the face centres 20…25 of faces ξ−, ξ+, η−, η+, ζ−,
///   ζ+ and the body centre 26.
/// - Tetrahedra live on `{ξ, η, ζ ≥ 0, ξ + η + ζ ≤ 1}`: corner 0 at the origin,
///   1 on ξ, 2 on η, 3 on ζ; `tet10` edge nodes 4…9 on (0,1) (1,2) (0,2) (0,3)
///   (1,3) (2,3).
///
/// Corner nodes always come first; ``linear`` names the element whose basis
/// lives on those corners (used for the pressure of Taylor–Hood pairs).
///
/// ```swift
/// let n = CellType.hex20.shapeValues(at: SIMD3(0, 0, 0))   // 20 values, sum 1
/// ```
public enum CellType: String, CaseIterable, Sendable, Codable, Hashable {
    /// 8-node trilinear hexahedron.
    case hex8
    /// 20-node serendipity (quadratic) hexahedron.
    case hex20
    /// 27-node triquadratic Lagrange hexahedron.
    case hex27
    /// 4-node linear tetrahedron.
    case tet4
    /// 10-node quadratic tetrahedron.
    case tet10

    /// Number of nodes.
    public var nodeCount: Int {
        switch self {
        case .hex8: 8
        case .hex20: 20
        case .hex27: 27
        case .tet4: 4
        case .tet10: 10
        }
    }

    /// Number of corner (vertex) nodes: 8 for hexahedra, 4 for tetrahedra.
    public var cornerCount: Int { isSimplex ? 4 : 8 }

    /// True for tetrahedra.
    public var isSimplex: Bool { self == .tet4 || self == .tet10 }

    /// Polynomial degree of the basis (1 or 2).
    public var degree: Int { (self == .hex8 || self == .tet4) ? 1 : 2 }

    /// The linear element on the same corners: `hex8` for hexahedra, `tet4` for tetrahedra.
    public var linear: CellType { isSimplex ? .tet4 : .hex8 }

    /// VTK cell type number (12, 25, 29, 10, 24).
    public var vtkCellType: UInt8 {
        switch self {
        case .hex8: 12
        case .hex20: 25
        case .hex27: 29
        case .tet4: 10
        case .tet10: 24
        }
    }

    /// Quadrature degree that integrates a stiffness matrix of an affine cell
    /// exactly (and a mass matrix of a straight-sided cell for the hexahedra):
    /// hex8 3 (2×2×2 Gauss), hex20 and hex27 5 (3×3×3), tet4 2, tet10 4.
    public var defaultQuadratureDegree: Int {
        switch self {
        case .hex8: 3
        case .hex20, .hex27: 5
        case .tet4: 2
        case .tet10: 4
        }
    }

    /// Volume of the reference cell (8 for the cube `[-1,1]³`, 1/6 for the unit tetrahedron).
    public var referenceVolume: Double { isSimplex ? 1.0 / 6.0 : 8.0 }

    /// Corner pairs of the edges, in the order of the edge nodes.
    public var edges: [(Int, Int)] {
        isSimplex ? tetEdges : hexEdges
    }

    /// Number of faces: 6 for hexahedra, 4 for tetrahedra.
    public var faceCount: Int { isSimplex ? 4 : 6 }

    /// The element type of local face `face` (`quad4/quad8/quad9` or `tri3/tri6`).
    public func faceType(_ face: Int) -> FaceType {
        switch self {
        case .hex8: .quad4
        case .hex20: .quad8
        case .hex27: .quad9
        case .tet4: .tri3
        case .tet10: .tri6
        }
    }

    /// Local node indices of local face `face`, counter-clockwise seen from
    /// outside the cell (outward normal by the right-hand rule): corners first,
    /// then the edge nodes of the face's edges (c0c1, c1c2, …), then the face
    /// centre (`hex27`).
    ///
    /// Hex faces 0…5 are ξ−, ξ+, η−, η+, ζ−, ζ+; tet faces 0: (0,2,1) on ζ = 0,
    /// 1: (0,1,3) on η = 0, 2: (0,3,2) on ξ = 0, 3: (1,2,3).
    public func faceNodes(_ face: Int) -> [Int] {
        precondition(face >= 0 && face < faceCount, "face \(face) out of range for \(self)")
        return faceNodeTable[CellType.allCases.firstIndex(of: self)!][face]
    }

    /// Corner nodes of local face `face` (3 or 4), oriented like ``faceNodes(_:)``.
    public func faceCorners(_ face: Int) -> [Int] {
        isSimplex ? tetFaceCorners[face] : hexFaceCorners[face]
    }

    /// Reference coordinates of the nodes (index = local node).
    public var referenceNodes: [SIMD3<Double>] {
        referenceNodeTable[CellType.allCases.firstIndex(of: self)!]
    }

    /// Maps a point of the reference face (`FaceType` coordinates) of local face
    /// `face` to the cell's reference coordinates.
    public func cellPoint(onFace face: Int, at s: SIMD2<Double>) -> SIMD3<Double> {
        let ref = referenceNodes
        let c = faceCorners(face)
        if isSimplex {
            let l0 = 1 - s.x - s.y
            return l0 * ref[c[0]] + s.x * ref[c[1]] + s.y * ref[c[2]]
        }
        let a = 0.25 * (1 - s.x) * (1 - s.y), b = 0.25 * (1 + s.x) * (1 - s.y)
        let cc = 0.25 * (1 + s.x) * (1 + s.y), d = 0.25 * (1 - s.x) * (1 + s.y)
        return a * ref[c[0]] + b * ref[c[1]] + cc * ref[c[2]] + d * ref[c[3]]
    }

    /// True when the reference point lies in the reference cell, with slack `tolerance`.
    public func containsReferencePoint(_ xi: SIMD3<Double>, tolerance: Double = 1e-10) -> Bool {
        if isSimplex {
            return xi.x >= -tolerance && xi.y >= -tolerance && xi.z >= -tolerance && xi.x + xi.y + xi.z <= 1 + tolerance
        }
        return abs(xi.x) <= 1 + tolerance && abs(xi.y) <= 1 + tolerance && abs(xi.z) <= 1 + tolerance
    }

    /// Reference centroid: (0,0,0) for hexahedra, (¼,¼,¼) for tetrahedra.
    public var referenceCentroid: SIMD3<Double> { isSimplex ? SIMD3(0.25, 0.25, 0.25) : .zero }

    /// Evaluates the shape functions at reference point `xi`.
    ///
    /// - Parameters:
    ///   - values: if non-nil, receives `N[a]`, `a < nodeCount`.
    ///   - gradients: if non-nil, receives `∂N[a]/∂ξ_d` at `gradients[a * 3 + d]`
    ///     (index order: basis function, direction).
    package func evaluate(at xi: SIMD3<Double>, values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?) {
        _evaluateCellBasis(self, xi, values, gradients)
    }

    /// Shape function values at `xi` (length ``nodeCount``).
    public func shapeValues(at xi: SIMD3<Double>) -> [Double] {
        var v = [Double](repeating: 0, count: nodeCount)
        v.withUnsafeMutableBufferPointer { evaluate(at: xi, values: $0.baseAddress, gradients: nil) }
        return v
    }

    /// Reference gradients `∂N[a]/∂ξ` at `xi` (length ``nodeCount``).
    public func shapeGradients(at xi: SIMD3<Double>) -> [SIMD3<Double>] {
        var g = [Double](repeating: 0, count: 3 * nodeCount)
        g.withUnsafeMutableBufferPointer { evaluate(at: xi, values: nil, gradients: $0.baseAddress) }
        return (0..<nodeCount).map { SIMD3(g[3 * $0], g[3 * $0 + 1], g[3 * $0 + 2]) }
    }
}

/// The face (surface) elements: boundaries of the ``CellType``s.
///
/// VTK ordering (`VTK_QUAD` 9, `VTK_QUADRATIC_QUAD` 23, `VTK_BIQUADRATIC_QUAD` 28,
/// `VTK_TRIANGLE` 5, `VTK_QUADRATIC_TRIANGLE` 22). Quadrilaterals live on
/// `[-1,1]²` with corners (−1,−1) (+1,−1) (+1,+1) (−1,+1), edge nodes 4…7 on
/// (0,1) (1,2) (2,3) (3,0) and the centre 8 (`quad9`). Triangles live on
/// `{s, t ≥ 0, s + t ≤ 1}` with corners (0,0) (1,0) (0,1) and edge nodes 3…5 on
/// (0,1) (1,2) (2,0).
public enum FaceType: String, CaseIterable, Sendable, Codable, Hashable {
    /// 4-node bilinear quadrilateral.
    case quad4
    /// 8-node serendipity quadrilateral.
    case quad8
    /// 9-node biquadratic quadrilateral.
    case quad9
    /// 3-node linear triangle.
    case tri3
    /// 6-node quadratic triangle.
    case tri6

    /// Number of nodes.
    public var nodeCount: Int {
        switch self {
        case .quad4: 4
        case .quad8: 8
        case .quad9: 9
        case .tri3: 3
        case .tri6: 6
        }
    }

    /// True for triangles.
    public var isSimplex: Bool { self == .tri3 || self == .tri6 }

    /// Number of corners (3 or 4).
    public var cornerCount: Int { isSimplex ? 3 : 4 }

    /// Polynomial degree of the basis (1 or 2).
    public var degree: Int { (self == .quad4 || self == .tri3) ? 1 : 2 }

    /// The linear face on the same corners.
    public var linear: FaceType { isSimplex ? .tri3 : .quad4 }

    /// VTK cell type number (9, 23, 28, 5, 22).
    public var vtkCellType: UInt8 {
        switch self {
        case .quad4: 9
        case .quad8: 23
        case .quad9: 28
        case .tri3: 5
        case .tri6: 22
        }
    }

    /// Reference area: 4 for `[-1,1]²`, 1/2 for the unit triangle.
    public var referenceArea: Double { isSimplex ? 0.5 : 4.0 }

    /// Quadrature degree that integrates the mass matrix of a flat face exactly: 3 (2×2) for
    /// quad4, 5 (3×3) for quad8/quad9, 2 for tri3, 4 for tri6.
    public var defaultQuadratureDegree: Int {
        switch self {
        case .quad4: 3
        case .quad8, .quad9: 5
        case .tri3: 2
        case .tri6: 4
        }
    }

    /// Reference coordinates of the nodes.
    public var referenceNodes: [SIMD2<Double>] {
        let quad: [SIMD2<Double>] = [SIMD2(-1, -1), SIMD2(1, -1), SIMD2(1, 1), SIMD2(-1, 1),
                                     SIMD2(0, -1), SIMD2(1, 0), SIMD2(0, 1), SIMD2(-1, 0), SIMD2(0, 0)]
        let tri: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(1, 0), SIMD2(0, 1), SIMD2(0.5, 0), SIMD2(0.5, 0.5), SIMD2(0, 0.5)]
        return isSimplex ? Array(tri.prefix(nodeCount)) : Array(quad.prefix(nodeCount))
    }

    /// Evaluates the shape functions at reference point `s`.
    ///
    /// - Parameters:
    ///   - values: if non-nil, receives `N[a]`.
    ///   - gradients: if non-nil, receives `∂N[a]/∂s_d` at `gradients[a * 2 + d]`.
    package func evaluate(at s: SIMD2<Double>, values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?) {
        _evaluateFaceBasis(self, s, values, gradients)
    }

    /// Shape function values at `s`.
    public func shapeValues(at s: SIMD2<Double>) -> [Double] {
        var v = [Double](repeating: 0, count: nodeCount)
        v.withUnsafeMutableBufferPointer { evaluate(at: s, values: $0.baseAddress, gradients: nil) }
        return v
    }

    /// Reference gradients `∂N[a]/∂s` at `s`.
    public func shapeGradients(at s: SIMD2<Double>) -> [SIMD2<Double>] {
        var g = [Double](repeating: 0, count: 2 * nodeCount)
        g.withUnsafeMutableBufferPointer { evaluate(at: s, values: nil, gradients: $0.baseAddress) }
        return (0..<nodeCount).map { SIMD2(g[2 * $0], g[2 * $0 + 1]) }
    }
}

// MARK: - Tables

let hexEdges: [(Int, Int)] = [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4), (0, 4), (1, 5), (2, 6), (3, 7)]
let tetEdges: [(Int, Int)] = [(0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3)]
let hexFaceCorners: [[Int]] = [[0, 4, 7, 3], [1, 2, 6, 5], [0, 1, 5, 4], [3, 7, 6, 2], [0, 3, 2, 1], [4, 5, 6, 7]]
let tetFaceCorners: [[Int]] = [[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]]

/// Local edge-node index of the edge between corners `a` and `b` (either order).
func edgeNode(_ type: CellType, _ a: Int, _ b: Int) -> Int {
    let list = type.edges
    for (k, e) in list.enumerated() where (e.0 == a && e.1 == b) || (e.0 == b && e.1 == a) {
        return type.cornerCount + k
    }
    preconditionFailure("no edge (\(a), \(b)) in \(type)")
}

let faceNodeTable: [[[Int]]] = CellType.allCases.map { type in
    (0..<type.faceCount).map { f -> [Int] in
        let c = type.isSimplex ? tetFaceCorners[f] : hexFaceCorners[f]
        var nodes = c
        if type.degree == 2 {
            for k in 0..<c.count { nodes.append(edgeNode(type, c[k], c[(k + 1) % c.count])) }
        }
        if type == .hex27 { nodes.append(20 + f) }
        return nodes
    }
}

let referenceNodeTable: [[SIMD3<Double>]] = CellType.allCases.map { type in
    var nodes: [SIMD3<Double>]
    if type.isSimplex {
        nodes = [SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)]
    } else {
        nodes = [SIMD3(-1, -1, -1), SIMD3(1, -1, -1), SIMD3(1, 1, -1), SIMD3(-1, 1, -1),
                 SIMD3(-1, -1, 1), SIMD3(1, -1, 1), SIMD3(1, 1, 1), SIMD3(-1, 1, 1)]
    }
    if type.degree == 2 {
        let corners = nodes
        for e in type.edges { nodes.append(0.5 * (corners[e.0] + corners[e.1])) }
    }
    if type == .hex27 {
        nodes += [SIMD3(-1, 0, 0), SIMD3(1, 0, 0), SIMD3(0, -1, 0), SIMD3(0, 1, 0), SIMD3(0, 0, -1), SIMD3(0, 0, 1), SIMD3(0, 0, 0)]
    }
    return nodes
}
