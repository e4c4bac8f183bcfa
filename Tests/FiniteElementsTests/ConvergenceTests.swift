import Testing
import SparseLinearAlgebra
@testable import FiniteElements
#if canImport(Glibc)
import Glibc
#endif

/// Manufactured solution u = sin πx · sin πy · sin πz on the unit cube, −Δu = 3π² u,
/// u = 0 on the boundary. The L2 error must fall as h^(p+1): rate 2 for linear, 3 for
/// quadratic elements (Ciarlet, "The Finite Element Method for Elliptic Problems", Thm 3.2.5).
@Suite("Manufactured-solution convergence (Poisson)")
struct ConvergenceTests {
    static func l2Error(type: CellType, cells: Int) throws -> Double {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(cells, cells, cells), cellType: type)
        let exact: @Sendable (SIMD3<Double>) -> Double = { sin(Double.pi * $0.x) * sin(Double.pi * $0.y) * sin(Double.pi * $0.z) }
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 1)])
        var bc = DirichletConditions(dofMap: dofs)
        try bc.prescribe(field: "u", component: 0, nodes: Set(mesh.boundaryFaces().flatMap { mesh.faceNodes($0) }).sorted(), value: 0)
        let eqs = EquationNumbering(conditions: bc)
        let assembler = try Assembler(dofMap: dofs, numbering: eqs)
        var K = assembler.makeMatrix(), F = assembler.makeVector()
        try assembler.assemble(matrix: &K, rhs: &F, prescribed: bc.values) { cell, scratch, ke, fe in
            let cv = try scratch.values(mesh: mesh, cell: cell, degree: mesh.cellType(cell).defaultQuadratureDegree + 1)
            let n = cv.basisCount
            cv.gradients.withUnsafeBufferPointer { g in
                cv.values.withUnsafeBufferPointer { v in
                    for q in 0..<cv.quadratureCount {
                        let w = cv.jxw[q], f = 3 * Double.pi * Double.pi * exact(cv.points[q])
                        let gq = g.baseAddress! + 3 * n * q
                        for a in 0..<n {
                            fe[a] += f * v[q * n + a] * w
                            let ax = gq[3 * a] * w, ay = gq[3 * a + 1] * w, az = gq[3 * a + 2] * w
                            for b in 0..<n { ke[a * n + b] += ax * gq[3 * b] + ay * gq[3 * b + 1] + az * gq[3 * b + 2] }
                        }
                    }
                }
            }
        }
        let solver = LinearSolvers.makeDefault(for: eqs.count, kind: .symmetricPositiveDefinite)
        try solver.analyzeAndFactor(K)
        let u = try eqs.expand(try solver.solve(F), prescribed: bc.values)
        var e2 = 0.0
        let scratch = CellScratch()
        for c in 0..<mesh.cellCount {
            let cv = try scratch.values(mesh: mesh, cell: c, degree: type.defaultQuadratureDegree + 2)
            let d = Array(dofs.cellDofs(c))
            for q in 0..<cv.quadratureCount {
                var uh = 0.0
                for a in 0..<cv.basisCount { uh += cv.shape(q, a) * u[d[a]] }
                let e = uh - exact(cv.points[q])
                e2 += e * e * cv.jxw[q]
            }
        }
        return e2.squareRoot()
    }

    @Test("L2 error rates: ≈ 2 (hex8, tet4), ≈ 3 (hex20, hex27, tet10)", arguments: [
        (CellType.hex8, [2, 4, 8]), (.tet4, [2, 4, 8]), (.hex20, [2, 4, 6]), (.hex27, [2, 3, 4]), (.tet10, [1, 2, 4]),
    ])
    func rates(type: CellType, meshes: [Int]) throws {
        let errors = try meshes.map { try Self.l2Error(type: type, cells: $0) }
        var rates: [Double] = []
        for i in 1..<meshes.count { rates.append(log(errors[i - 1] / errors[i]) / log(Double(meshes[i]) / Double(meshes[i - 1]))) }
        print("Poisson \(type): cells/side \(meshes), L2 errors \(errors), observed rates \(rates)")
        let expected = Double(type.degree + 1)
        #expect(abs(rates.last! - expected) < 0.25, "\(type): rate \(rates.last!) vs \(expected)")
        #expect(errors.last! < errors.first!)
    }
}
