/// Building meshes from parts: moving, renaming and welding meshes together
/// (e.g. a disc between two vertebral bodies).
extension Mesh {
    /// The mesh with every node moved by `f` (mm → mm); cells and sets unchanged.
    ///
    /// - Throws: ``MeshError/nonFiniteCoordinate(node:)`` if `f` returns NaN/∞.
    public func mapped(_ f: (SIMD3<Double>) -> SIMD3<Double>) throws -> Mesh {
        var m = self
        m.nodes = nodes.map(f)
        if let bad = m.nodes.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite) }) {
            throw MeshError.nonFiniteCoordinate(node: bad)
        }
        return m
    }

    /// The mesh translated by `offset` (mm).
    public func translated(by offset: SIMD3<Double>) -> Mesh {
        var m = self
        m.nodes = nodes.map { $0 + offset }
        return m
    }

    /// The mesh with every region, surface and node-set name passed through `rename`
    /// (e.g. `{ "upper-" + $0 }`). Sets that end up with the same name are united.
    public func renamingSets(_ rename: (String) -> String) -> Mesh {
        var m = self
        m.regions = [:]; m.surfaces = [:]; m.nodeSets = [:]
        for (k, v) in regions { m.regions[rename(k), default: []] += v }
        for (k, v) in surfaces { m.surfaces[rename(k), default: []] += v }
        for (k, v) in nodeSets { m.nodeSets[rename(k), default: []] += v }
        for k in m.regions.keys { m.regions[k] = Array(Set(m.regions[k]!)).sorted() }
        for k in m.surfaces.keys { m.surfaces[k] = Array(Set(m.surfaces[k]!)).sorted() }
        for k in m.nodeSets.keys { m.nodeSets[k] = Array(Set(m.nodeSets[k]!)).sorted() }
        return m
    }

    /// This mesh and `other` as one: `other`'s cells are appended (cell `c` of `other`
    /// becomes `cellCount + c`), and each node of `other` closer than `weldTolerance`
    /// (mm) to a node of this mesh is replaced by it, so matching faces become shared
    /// (the meshes must then conform there, node for node). Sets with the same name
    /// are united; faces that became interior stay in their surfaces.
    ///
    /// - Throws: ``MeshError/invalidParameter(parameter:value:expected:)`` for a negative tolerance.
    public func merged(with other: Mesh, weldTolerance: Double) throws -> Mesh {
        guard weldTolerance >= 0, weldTolerance.isFinite else {
            throw MeshError.invalidParameter(parameter: "weldTolerance", value: "\(weldTolerance)", expected: "a finite length ≥ 0 mm")
        }
        // Bucket this mesh's nodes on a grid of spacing max(tolerance, tiny).
        let h = max(weldTolerance, 1e-12)
        func key(_ p: SIMD3<Double>) -> SIMD3<Int> {
            SIMD3(Int((p.x / h).rounded(.down)), Int((p.y / h).rounded(.down)), Int((p.z / h).rounded(.down)))
        }
        var buckets: [SIMD3<Int>: [Int]] = [:]
        for (i, p) in nodes.enumerated() { buckets[key(p), default: []].append(i) }
        var map = [Int](repeating: -1, count: other.nodeCount)
        var newNodes = nodes
        for (j, p) in other.nodes.enumerated() {
            let k = key(p)
            var best = -1, bestDistance = Double.infinity
            for dz in -1...1 { for dy in -1...1 { for dx in -1...1 {
                for i in buckets[k &+ SIMD3(dx, dy, dz)] ?? [] {
                    let d = norm(nodes[i] - p)
                    if d <= weldTolerance && d < bestDistance { best = i; bestDistance = d }
                }
            } } }
            if best >= 0 { map[j] = best } else { map[j] = newNodes.count; newNodes.append(p) }
        }
        var m = try Mesh(nodes: newNodes, cellTypes: cellTypes + other.cellTypes,
                         connectivity: connectivity + other.connectivity.map { map[$0] })
        m.regions = regions; m.surfaces = surfaces; m.nodeSets = nodeSets
        let offset = cellCount
        for (k, v) in other.regions { m.regions[k] = Array(Set((m.regions[k] ?? []) + v.map { $0 + offset })).sorted() }
        for (k, v) in other.surfaces {
            m.surfaces[k] = Array(Set((m.surfaces[k] ?? []) + v.map { FaceRef(cell: $0.cell + offset, face: $0.face) })).sorted()
        }
        for (k, v) in other.nodeSets { m.nodeSets[k] = Array(Set((m.nodeSets[k] ?? []) + v.map { map[$0] })).sorted() }
        return m
    }
}

/// Geometric queries and selections.
extension Mesh {
    /// Axis-aligned bounding box of the nodes (mm); `(.zero, .zero)` for an empty mesh.
    public var boundingBox: (lower: SIMD3<Double>, upper: SIMD3<Double>) {
        guard let first = nodes.first else { return (.zero, .zero) }
        var lo = first, hi = first
        for p in nodes { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        return (lo, hi)
    }

    /// Mean of the corner nodes of cell `c` (mm).
    public func centroid(ofCell c: Int) -> SIMD3<Double> {
        let t = cellTypes[c]
        var s = SIMD3<Double>.zero
        for k in 0..<t.cornerCount { s += nodes[connectivity[cellOffsets[c] + k]] }
        return s / Double(t.cornerCount)
    }

    /// Nodes whose coordinates (mm) satisfy `predicate` (sorted).
    public func nodes(where predicate: (SIMD3<Double>) -> Bool) -> [Int] {
        (0..<nodeCount).filter { predicate(nodes[$0]) }
    }

    /// Cells whose corner centroid (mm) satisfies `predicate` (sorted).
    public func cells(where predicate: (SIMD3<Double>) -> Bool) -> [Int] {
        (0..<cellCount).filter { predicate(centroid(ofCell: $0)) }
    }

    /// Boundary faces whose corner centroid (mm) and outward unit normal (at the face
    /// centre) satisfy `predicate` — e.g. `{ x, n in abs(x.z - 10) < 1e-9 }` for the plane z = 10.
    public func boundaryFaces(where predicate: (SIMD3<Double>, SIMD3<Double>) -> Bool) -> [FaceRef] {
        boundaryFaces().filter { f in
            let t = cellTypes[f.cell]
            let corners = t.faceCorners(f.face).map { nodes[connectivity[cellOffsets[f.cell] + $0]] }
            let centre = corners.reduce(SIMD3<Double>.zero, +) / Double(corners.count)
            let nrm = cross(corners[1] - corners[0], corners[corners.count - 1] - corners[0])
            let length = norm(nrm)
            return predicate(centre, length > 0 ? nrm / length : nrm)
        }
    }
}
