/// Consistent nodal loads from a distributed volume load (body force, source).
public enum BodyLoads {
    /// Adds `∫ N_a b(x) dV` (unit of `b` times mm³, e.g. N for `b` in N/mm³)
    /// to `forces[a]` for every node of the given cells, with each cell's
    /// default rule raised by `extraDegree`.
    public static func accumulate(mesh: Mesh, cells: [Int], extraDegree: Int = 2, into forces: inout [SIMD3<Double>],
                                  load: (_ x: SIMD3<Double>) -> SIMD3<Double>) throws {
        precondition(forces.count == mesh.nodeCount)
        var cache: [CellType: CellValues] = [:]
        for c in cells {
            let t = mesh.cellType(c)
            if cache[t] == nil { cache[t] = CellValues(cellType: t, degree: t.defaultQuadratureDegree + extraDegree) }
            try cache[t]!.reinit(mesh: mesh, cell: c)
            let cv = cache[t]!
            let nodes = mesh.cellNodes(c)
            let n = cv.basisCount
            for q in 0..<cv.quadratureCount {
                let b = load(cv.points[q]) * cv.jxw[q]
                for (a, node) in nodes.enumerated() { forces[node] += cv.values[q * n + a] * b }
            }
        }
    }
}
