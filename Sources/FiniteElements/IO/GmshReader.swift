import Foundation
import SparseLinearAlgebra

/// Reads Gmsh `.msh` version 4.1 ASCII meshes.
///
/// - 3D elements of the supported types (Gmsh types 4 tet4, 11 tet10, 5 hex8,
///   17 hex20, 12 hex27) become the cells, renumbered from Gmsh to VTK node
///   order; other 3D types are refused.
/// - Physical groups name sets: a 3D group becomes a region; a 2D group a
///   surface (each of its triangles/quadrilaterals is matched by its corner
///   nodes to a face of a cell) and a node set of the same name; 0D/1D groups
///   become node sets. An unnamed group is named by its tag (`"7"`).
/// - Region `all` holds every cell. Nodes no cell uses are dropped.
/// - Coordinates are taken as mm.
/// - Every cell is checked (``Mesh/validate()``): an inverted or degenerate element is
///   reported with its line and Gmsh element tag.
///
/// Every error names the 1-based line of the file. Line ends may be LF or CRLF.
///
/// Every count the file declares (physical names, entities, node and element blocks, nodes,
/// elements) is checked before anything is allocated for it: against the lines left in the file
/// (each item needs at least one line; ``MeshError/gmsh(line:message:)``) and against
/// ``InputLimits`` — a count limit and the memory the mesh would need, compared with a cap of half
/// the physical memory by default (``InputLimitError`` naming the field, the value, the limit and
/// the estimate).
///
/// ```swift
/// let mesh = try GmshReader.read(path: "disc.msh")
/// let endplate = try mesh.faces(ofSurface: "top")
/// ```
public enum GmshReader {
    /// Memory per declared node, bytes: coordinates (24), the tag → index map (≈ 48), the
    /// used-node map (8) and the kept coordinates (24).
    static let bytesPerNode = 104
    /// Memory per declared element, bytes: up to 27 connectivity indices (216) plus type, entity,
    /// line and tag (≈ 40).
    static let bytesPerElement = 256

    /// Reads and parses the file at `path` (within ``InputLimits/default``).
    public static func read(path: String) throws -> Mesh { try read(path: path, limits: .default) }

    /// Reads and parses the file at `path`.
    ///
    /// - Parameter limits: bounds on the file size and the declared counts (``InputLimits``).
    public static func read(path: String, limits: InputLimits) throws -> Mesh {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw MeshError.io(path: path, message: "no such file, or it cannot be accessed")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw MeshError.io(path: path, message: "not a regular file (a directory, device or FIFO); expected a .msh file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        try limits.check(format: "Gmsh", line: 0, field: "file size (bytes)", value: size, bytesPerItem: 2)
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw MeshError.io(path: path, message: "cannot read the file as UTF-8 text (permission denied, or not a text file)")
        }
        return try parse(text, limits: limits)
    }

    /// Gmsh → VTK node permutations: `vtk[i] = gmsh[perm[i]]`.
    static let hex20Permutation = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 9, 16, 18, 19, 17, 10, 12, 14, 15]
    static let hex27Permutation = hex20Permutation + [22, 23, 21, 24, 20, 25, 26]
    static let tet10Permutation = [0, 1, 2, 3, 4, 5, 6, 7, 9, 8]

    static func cellType(gmshType: Int) -> CellType? {
        switch gmshType {
        case 4: .tet4
        case 11: .tet10
        case 5: .hex8
        case 17: .hex20
        case 12: .hex27
        default: nil
        }
    }

    /// Node count and corner count of the supported 2D element types.
    static func faceShape(gmshType: Int) -> (nodes: Int, corners: Int)? {
        switch gmshType {
        case 2: (3, 3)
        case 9: (6, 3)
        case 3: (4, 4)
        case 16: (8, 4)
        case 10: (9, 4)
        default: nil
        }
    }

    struct Lines {
        let lines: [Substring]
        var index = 0
        // "\r\n" is one Character in Swift: split on it as well as on "\n" (and a lone "\r").
        init(_ text: String) {
            lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        }
        /// Lines after the current one.
        var remaining: Int { lines.count - index }
        /// Refuses a declared count larger than the lines left (each item needs at least one line).
        func fits(_ count: Int, _ what: String) throws {
            guard count >= 0 else { throw MeshError.gmsh(line: lineNumber, message: "\(what) = \(count) is negative") }
            guard count <= remaining else {
                throw MeshError.gmsh(line: lineNumber, message: "\(what) = \(count) but only \(remaining) lines remain in the file (truncated file or wrong count)")
            }
        }
        /// 1-based number of the line last returned.
        var lineNumber: Int { index }
        mutating func next() -> [Substring]? {
            while index < lines.count {
                let l = lines[index]; index += 1
                let tokens = l.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                if !tokens.isEmpty { return tokens }
            }
            return nil
        }
        mutating func require(_ what: String) throws -> [Substring] {
            guard let t = next() else { throw MeshError.gmsh(line: lines.count, message: "unexpected end of file, expected \(what)") }
            return t
        }
        func int(_ t: [Substring], _ i: Int, _ what: String) throws -> Int {
            guard i < t.count else { throw MeshError.gmsh(line: lineNumber, message: "missing \(what)") }
            guard let v = Int(t[i]) else { throw MeshError.gmsh(line: lineNumber, message: "\(what): expected an integer, got '\(t[i])'") }
            return v
        }
        func double(_ t: [Substring], _ i: Int, _ what: String) throws -> Double {
            guard i < t.count else { throw MeshError.gmsh(line: lineNumber, message: "missing \(what)") }
            guard let v = Double(t[i]), v.isFinite else { throw MeshError.gmsh(line: lineNumber, message: "\(what): expected a finite number, got '\(t[i])'") }
            return v
        }
    }

    /// Parses the text of a `.msh` 4.1 ASCII file.
    ///
    /// - Throws: ``MeshError/gmsh(line:message:)`` naming the line of a malformed or unsupported entry.
    public static func parse(_ text: String) throws -> Mesh { try parse(text, limits: .default) }

    /// Parses the text of a `.msh` 4.1 ASCII file within `limits` (declared counts).
    public static func parse(_ text: String, limits: InputLimits) throws -> Mesh {
        var lines = Lines(text)
        var physicalNames: [Int: [Int: String]] = [:]          // dim → tag → name
        var entityPhysicals: [Int: [Int: [Int]]] = [0: [:], 1: [:], 2: [:], 3: [:]]  // dim → entity → physical tags
        var nodeIndex: [Int: Int] = [:]                        // Gmsh tag → index
        var coordinates: [SIMD3<Double>] = []
        var cellTypes: [CellType] = []
        var connectivity: [Int] = []
        var cellEntities: [Int] = []
        var cellLines: [Int] = []
        var cellTags: [Int] = []
        var faceElements: [(entity: Int, corners: [Int], line: Int)] = []
        var lowElements: [(dim: Int, entity: Int, nodes: [Int])] = []
        var sawFormat = false
        while let t = lines.next() {
            guard t[0].hasPrefix("$") else { throw MeshError.gmsh(line: lines.lineNumber, message: "expected a section header like $Nodes, got '\(t[0])'") }
            let section = String(t[0].dropFirst())
            switch section {
            case "MeshFormat":
                let f = try lines.require("the format line")
                guard f.count >= 3 else { throw MeshError.gmsh(line: lines.lineNumber, message: "expected 'version file-type data-size'") }
                guard f[0] == "4.1" else {
                    throw MeshError.gmsh(line: lines.lineNumber, message: "version \(f[0]) is not supported: expected 4.1 (gmsh -format msh41)")
                }
                guard f[1] == "0" else {
                    throw MeshError.gmsh(line: lines.lineNumber, message: "binary files are not supported: expected file-type 0 (ASCII; Mesh.Binary = 0)")
                }
                sawFormat = true
            case "PhysicalNames":
                let n = try lines.int(try lines.require("the number of physical names"), 0, "number of physical names")
                try lines.fits(n, "$PhysicalNames count")
                for _ in 0..<n {
                    let p = try lines.require("a physical name")
                    let dim = try lines.int(p, 0, "dimension"), tag = try lines.int(p, 1, "physical tag")
                    guard p.count >= 3 else { throw MeshError.gmsh(line: lines.lineNumber, message: "missing physical name") }
                    let raw = p[2...].joined(separator: " ")
                    physicalNames[dim, default: [:]][tag] = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
            case "Entities":
                let h = try lines.require("entity counts")
                let counts = try (0..<4).map { try lines.int(h, $0, "entity count") }
                for (dim, c) in counts.enumerated() { try lines.fits(c, "$Entities count of dimension \(dim)") }
                for dim in 0..<4 {
                    for _ in 0..<counts[dim] {
                        let e = try lines.require("an entity")
                        let tag = try lines.int(e, 0, "entity tag")
                        let p = dim == 0 ? 4 : 7            // points: tag x y z; others: tag + bounding box
                        let np = try lines.int(e, p, "number of physical tags")
                        guard np >= 0, np <= e.count else {
                            throw MeshError.gmsh(line: lines.lineNumber, message: "number of physical tags = \(np); expected 0…\(e.count - p - 1) (the tags on this line)")
                        }
                        var tags: [Int] = []
                        for k in 0..<np {
                            let tag = try lines.int(e, p + 1 + k, "physical tag")
                            guard tag != Int.min else { throw MeshError.gmsh(line: lines.lineNumber, message: "physical tag \(tag) is out of range") }
                            tags.append(abs(tag))
                        }
                        entityPhysicals[dim]![tag] = tags
                    }
                }
            case "Nodes":
                let h = try lines.require("node counts")
                let blocks = try lines.int(h, 0, "number of node blocks")
                let declaredNodes = try lines.int(h, 1, "number of nodes")
                try limits.check(format: "Gmsh", line: lines.lineNumber, field: "$Nodes numNodes", value: declaredNodes, bytesPerItem: bytesPerNode)
                try lines.fits(blocks, "$Nodes numEntityBlocks")
                try lines.fits(declaredNodes, "$Nodes numNodes")
                coordinates.reserveCapacity(declaredNodes)
                var nodesRead = 0
                for _ in 0..<blocks {
                    let b = try lines.require("a node block header")
                    let parametric = try lines.int(b, 2, "parametric flag")
                    let count = try lines.int(b, 3, "number of nodes in block")
                    try lines.fits(count, "numNodesInBlock")
                    nodesRead += count
                    guard nodesRead <= declaredNodes else {
                        throw MeshError.gmsh(line: lines.lineNumber, message: "node blocks hold more than the \(declaredNodes) nodes the $Nodes header declares")
                    }
                    guard parametric == 0 else { throw MeshError.gmsh(line: lines.lineNumber, message: "parametric nodes are not supported") }
                    var tags: [Int] = []
                    for _ in 0..<count { tags.append(try lines.int(try lines.require("a node tag"), 0, "node tag")) }
                    for tag in tags {
                        let c = try lines.require("node coordinates")
                        let x = try lines.double(c, 0, "x"), y = try lines.double(c, 1, "y"), z = try lines.double(c, 2, "z")
                        guard nodeIndex[tag] == nil else { throw MeshError.gmsh(line: lines.lineNumber, message: "node tag \(tag) defined twice") }
                        nodeIndex[tag] = coordinates.count
                        coordinates.append(SIMD3(x, y, z))
                    }
                }
            case "Elements":
                let h = try lines.require("element counts")
                let blocks = try lines.int(h, 0, "number of element blocks")
                let declaredElements = try lines.int(h, 1, "number of elements")
                try limits.check(format: "Gmsh", line: lines.lineNumber, field: "$Elements numElements", value: declaredElements,
                                 bytesPerItem: bytesPerElement)
                try lines.fits(blocks, "$Elements numEntityBlocks")
                try lines.fits(declaredElements, "$Elements numElements")
                var elementsRead = 0
                for _ in 0..<blocks {
                    let b = try lines.require("an element block header")
                    let dim = try lines.int(b, 0, "entity dimension"), entity = try lines.int(b, 1, "entity tag")
                    let type = try lines.int(b, 2, "element type"), count = try lines.int(b, 3, "number of elements in block")
                    try lines.fits(count, "numElementsInBlock")
                    guard (0...3).contains(dim) else {
                        throw MeshError.gmsh(line: lines.lineNumber, message: "entity dimension \(dim); expected 0, 1, 2 or 3")
                    }
                    elementsRead += count
                    guard elementsRead <= declaredElements else {
                        throw MeshError.gmsh(line: lines.lineNumber, message: "element blocks hold more than the \(declaredElements) elements the $Elements header declares")
                    }
                    let headerLine = lines.lineNumber
                    for _ in 0..<count {
                        let e = try lines.require("an element")
                        func node(_ k: Int) throws -> Int {
                            let tag = try lines.int(e, 1 + k, "node tag")
                            guard let i = nodeIndex[tag] else { throw MeshError.gmsh(line: lines.lineNumber, message: "element references undefined node tag \(tag)") }
                            return i
                        }
                        switch dim {
                        case 3:
                            guard let ct = cellType(gmshType: type) else {
                                throw MeshError.gmsh(line: headerLine, message: "3D element type \(type) is not supported: expected 4 (tet4), 11 (tet10), 5 (hex8), 17 (hex20) or 12 (hex27)")
                            }
                            guard e.count == 1 + ct.nodeCount else {
                                throw MeshError.gmsh(line: lines.lineNumber, message: "\(ct.rawValue) element needs \(ct.nodeCount) nodes, got \(e.count - 1)")
                            }
                            let g = try (0..<ct.nodeCount).map(node)
                            let perm: [Int]
                            switch ct {
                            case .hex20: perm = hex20Permutation
                            case .hex27: perm = hex27Permutation
                            case .tet10: perm = tet10Permutation
                            default: perm = Array(0..<ct.nodeCount)
                            }
                            connectivity += perm.map { g[$0] }
                            cellTypes.append(ct)
                            cellEntities.append(entity)
                            cellLines.append(lines.lineNumber)
                            cellTags.append(try lines.int(e, 0, "element tag"))
                        case 2:
                            guard let shape = faceShape(gmshType: type) else {
                                throw MeshError.gmsh(line: headerLine, message: "2D element type \(type) is not supported: expected 2 (tri3), 9 (tri6), 3 (quad4), 16 (quad8) or 10 (quad9)")
                            }
                            guard e.count == 1 + shape.nodes else {
                                throw MeshError.gmsh(line: lines.lineNumber, message: "2D element of type \(type) needs \(shape.nodes) nodes, got \(e.count - 1)")
                            }
                            faceElements.append((entity, try (0..<shape.corners).map(node), lines.lineNumber))
                            lowElements.append((2, entity, try (0..<shape.nodes).map(node)))
                        default:
                            lowElements.append((dim, entity, try (0..<(e.count - 1)).map(node)))
                        }
                    }
                }
            default:
                // Skip unknown sections ($Periodic, $NodeData, …) to their $End line.
                while let s = lines.next() {
                    if s[0] == "$End\(section)" { break }
                }
                continue
            }
            guard let end = lines.next(), end[0] == "$End\(section)" else {
                throw MeshError.gmsh(line: lines.lineNumber, message: "expected $End\(section)")
            }
        }
        guard sawFormat else { throw MeshError.gmsh(line: 1, message: "missing $MeshFormat section: not a Gmsh file") }
        guard !cellTypes.isEmpty else { throw MeshError.gmsh(line: lines.lines.count, message: "the file has no 3D elements of a supported type") }

        // Drop unused nodes.
        var used = [Int](repeating: -1, count: coordinates.count)
        for n in connectivity { used[n] = 0 }
        var kept: [SIMD3<Double>] = []
        for i in 0..<coordinates.count where used[i] == 0 { used[i] = kept.count; kept.append(coordinates[i]) }
        var mesh = try Mesh(nodes: kept, cellTypes: cellTypes, connectivity: connectivity.map { used[$0] })
        do { try mesh.validate() } catch let MeshError.invertedCell(cell, type, det, _) {
            throw MeshError.gmsh(line: cellLines[cell], message: "element \(cellTags[cell]) (\(type.rawValue), cell \(cell)) is inverted or degenerate: Jacobian determinant \(det) ≤ 0")
        }
        func name(_ dim: Int, _ tag: Int) -> String { physicalNames[dim]?[tag] ?? "\(tag)" }

        var regionCells: [String: [Int]] = [:]
        for (c, entity) in cellEntities.enumerated() {
            for tag in entityPhysicals[3]![entity] ?? [] { regionCells[name(3, tag), default: []].append(c) }
        }
        for (n, cells) in regionCells { try mesh.addRegion(n, cells: cells) }
        try mesh.addRegion("all", cells: Array(0..<mesh.cellCount))

        var faceIndex: [[Int]: FaceRef] = [:]
        for c in 0..<mesh.cellCount {
            let t = mesh.cellType(c)
            let base = mesh.cellOffsets[c]
            for f in 0..<t.faceCount {
                let key = t.faceCorners(f).map { mesh.connectivity[base + $0] }.sorted()
                if faceIndex[key] == nil { faceIndex[key] = FaceRef(cell: c, face: f) }
            }
        }
        var surfaceFaces: [String: [FaceRef]] = [:]
        for fe in faceElements {
            let tags = entityPhysicals[2]![fe.entity] ?? []
            guard !tags.isEmpty else { continue }
            let key = fe.corners.map { used[$0] }.sorted()
            guard !key.contains(-1), let ref = faceIndex[key] else {
                throw MeshError.gmsh(line: fe.line, message: "2D element of surface \(tags.map { name(2, $0) }) is not a face of any 3D element")
            }
            for tag in tags { surfaceFaces[name(2, tag), default: []].append(ref) }
        }
        for (n, faces) in surfaceFaces { try mesh.addSurface(n, faces: faces) }
        var nodeSets: [String: Set<Int>] = [:]
        for el in lowElements {
            for tag in entityPhysicals[el.dim]![el.entity] ?? [] {
                nodeSets[name(el.dim, tag), default: []].formUnion(el.nodes.map { used[$0] }.filter { $0 >= 0 })
            }
        }
        for (n, nodes) in nodeSets { try mesh.addNodeSet(n, nodes: Array(nodes)) }
        return mesh
    }
}
