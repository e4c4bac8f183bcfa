import Foundation
import Biomechanics
import FiniteElements

extension SolidSimulation {
    /// The VTU fields of a displacement state: point data `displacement` (mm) and cell data: the
    /// cell-average Cauchy stress (MPa, 6 components xx yy zz xy yz xz) and its von Mises value
    /// (VTK node order = the mesh's order).
    func vtuFields(displacement u: [Double]) throws -> (point: [VTUField], cell: [VTUField]) {
        var stress: [SymmetricTensor] = []
        var cache: [CellType: CellValues] = [:]
        for c in 0..<mesh.cellCount {
            let t = mesh.cellType(c)
            if cache[t] == nil { cache[t] = CellValues(cellType: t) }
            try cache[t]!.reinit(mesh: mesh, cell: c)
            let cv = cache[t]!
            let nodes = Array(mesh.cellNodes(c)), n = nodes.count
            let ue = nodes.flatMap { node in (0..<3).map { u[3 * node + $0] } }
            var sum = SymmetricTensor.zero, vol = 0.0
            for q in 0..<cv.quadratureCount {
                let g = Array(cv.gradients[(q * n * 3)..<((q + 1) * n * 3)])
                let s = try pointState(cell: c, gradients: g, cellDisplacement: ue, displacement: .zero)
                sum = sum + cv.jxw[q] * s.cauchy; vol += cv.jxw[q]
            }
            stress.append((1 / vol) * sum)
        }
        let sv = stress.flatMap { s in (0..<6).map { s[voigt: $0] } }
        let disp = (0..<mesh.nodeCount).map { SIMD3(u[3 * $0], u[3 * $0 + 1], u[3 * $0 + 2]) }
        return ([.vector("displacement", values: disp)],
                [VTUField(name: "stress", components: 6, values: sv), .scalar("vonMises", values: stress.map(\.vonMises))])
    }
}
