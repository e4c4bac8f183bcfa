/// Evaluating, integrating and summing fields stored in full dof vectors
/// (length ``DofMap/dofCount``; values in the field's unit).
extension DofMap {
    /// The components of field `f` at reference point `xi` of cell `c`, using the
    /// field's own basis (``basis(cell:field:)``); nil when the field is absent from the cell.
    public func evaluate(field f: Int, cell c: Int, reference xi: SIMD3<Double>, dofValues: [Double]) -> [Double]? {
        let range = localRange(cell: c, field: f)
        guard !range.isEmpty else { return nil }
        let m = fields[f].components
        let n = basis(cell: c, field: f).shapeValues(at: xi)
        let dofs = cellDofs(c)
        let base = dofs.startIndex + range.lowerBound
        var out = [Double](repeating: 0, count: m)
        for a in 0..<n.count { for k in 0..<m { out[k] += n[a] * dofValues[dofs[base + a * m + k]] } }
        return out
    }

    /// ∫ u_k dV over `cells` (field unit · mm³) and the volume of the cells where the
    /// field lives (mm³) — their ratio is the field's average.
    ///
    /// - Parameter cells: the cells (e.g. `mesh.cells(inRegion:)`); cells without the field are skipped.
    public func integrate(field f: Int, component k: Int, dofValues: [Double], cells: [Int]) throws -> (integral: Double, volume: Double) {
        guard dofValues.count == dofCount else { throw DofError.dimensionMismatch(what: "dof vector", expected: dofCount, got: dofValues.count) }
        guard k >= 0 && k < fields[f].components else { throw DofError.componentOutOfRange(field: fields[f].name, component: k, components: fields[f].components) }
        var integral = 0.0, volume = 0.0
        var cache: [CellType: CellValues] = [:]
        var tables: [CellType: ShapeTable] = [:]
        let m = fields[f].components
        for c in cells {
            if c < 0 || c >= mesh.cellCount { throw DofError.cellOutOfRange(cell: c, cellCount: mesh.cellCount) }
            let range = localRange(cell: c, field: f)
            guard !range.isEmpty else { continue }
            let t = mesh.cellType(c)
            if cache[t] == nil { cache[t] = CellValues(cellType: t) }
            try cache[t]!.reinit(mesh: mesh, cell: c)
            let cv = cache[t]!
            let b = basis(cell: c, field: f)
            if tables[t] == nil { tables[t] = b == t ? cv.table : ShapeTable(cellType: b, rule: cv.table.rule) }
            let table = tables[t]!
            let dofs = cellDofs(c)
            let base = dofs.startIndex + range.lowerBound
            for q in 0..<cv.quadratureCount {
                var u = 0.0
                for a in 0..<table.basisCount { u += table.values[q * table.basisCount + a] * dofValues[dofs[base + a * m + k]] }
                integral += u * cv.jxw[q]
                volume += cv.jxw[q]
            }
        }
        return (integral, volume)
    }

    /// Minimum and maximum nodal value of component `k` of field `f` over the nodes of
    /// `cells` that carry it; nil when none does.
    public func nodalRange(field f: Int, component k: Int, dofValues: [Double], cells: [Int]) throws -> (min: Double, max: Double)? {
        guard dofValues.count == dofCount else { throw DofError.dimensionMismatch(what: "dof vector", expected: dofCount, got: dofValues.count) }
        var lo = Double.infinity, hi = -Double.infinity
        for c in cells {
            if c < 0 || c >= mesh.cellCount { throw DofError.cellOutOfRange(cell: c, cellCount: mesh.cellCount) }
            let nodes = mesh.cellNodes(c)
            for a in 0..<fieldNodeCount(cell: c, field: f) {
                if let d = dof(field: f, node: nodes[nodes.startIndex + a], component: k) { lo = min(lo, dofValues[d]); hi = max(hi, dofValues[d]) }
            }
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// Σ of component `k` of field `f` over `nodes` in a full dof vector — e.g. the
    /// reaction force (N) on a surface from the assembled internal-force vector.
    /// Nodes that do not carry the field are skipped.
    public func sum(field f: Int, component k: Int, dofVector: [Double], nodes: [Int]) throws -> Double {
        guard dofVector.count == dofCount else { throw DofError.dimensionMismatch(what: "dof vector", expected: dofCount, got: dofVector.count) }
        var s = 0.0
        for n in nodes {
            guard n >= 0 && n < mesh.nodeCount else { throw DofError.nodeWithoutField(field: fields[f].name, node: n) }
            if let d = dof(field: f, node: n, component: k) { s += dofVector[d] }
        }
        return s
    }
}

extension PointLocator {
    /// The components of field `f` at `x` (mm), interpolated with the field's own
    /// basis in a cell that carries the field; nil when no such cell contains `x`
    /// (outside the mesh, or outside the field's regions).
    public func evaluate(_ dofMap: DofMap, field f: Int, dofValues: [Double], at x: SIMD3<Double>) throws -> [Double]? {
        guard dofValues.count == dofMap.dofCount else {
            throw DofError.dimensionMismatch(what: "dof vector", expected: dofMap.dofCount, got: dofValues.count)
        }
        guard let (c, xi) = locate(x, where: { !dofMap.localRange(cell: $0, field: f).isEmpty }) else { return nil }
        return dofMap.evaluate(field: f, cell: c, reference: xi, dofValues: dofValues)
    }
}
