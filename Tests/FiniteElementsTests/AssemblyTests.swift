import Testing
import _TestSupport
import SparseLinearAlgebra
#if canImport(Glibc)
import Glibc
#endif
@testable import FiniteElements

/// Scalar kernels used by the tests: Laplacian stiffness + source, mass.
enum ScalarKernels {
    /// `ke[a,b] = ∫ ∇N_a·∇N_b`, `fe[a] = ∫ f N_a`, on the first field of `dofs` (one component).
    static func poisson(_ dofs: DofMap, source: @escaping @Sendable (SIMD3<Double>) -> Double) -> CellKernel {
        let mesh = dofs.mesh
        return { cell, ke, fe in
            var cv = CellValues(cellType: mesh.cellType(cell), degree: mesh.cellType(cell).defaultQuadratureDegree)
            try cv.reinit(mesh: mesh, cell: cell)
            let n = cv.basisCount
            for q in 0..<cv.quadratureCount {
                let w = cv.jxw[q]
                let f = source(cv.points[q])
                for a in 0..<n {
                    let ga = cv.gradient(q, a)
                    fe[a] += f * cv.shape(q, a) * w
                    for b in 0..<n { ke[a * n + b] += dot(ga, cv.gradient(q, b)) * w }
                }
            }
        }
    }

    /// `ke[a,b] = ∫ N_a N_b` for a scalar field of the given interpolation.
    static func mass(_ dofs: DofMap) -> CellKernel {
        let mesh = dofs.mesh
        return { cell, ke, _ in
            let t = mesh.cellType(cell)
            let basis = dofs.basis(cell: cell, field: 0)
            var cv = CellValues(cellType: t, degree: 2 * t.defaultQuadratureDegree)
            try cv.reinit(mesh: mesh, cell: cell)
            let table = ShapeTable(cellType: basis, rule: cv.table.rule)
            let n = basis.nodeCount
            for q in 0..<cv.quadratureCount {
                for a in 0..<n { for b in 0..<n { ke[a * n + b] += table.values[q * n + a] * table.values[q * n + b] * cv.jxw[q] } }
            }
        }
    }
}

@Suite("DOF maps and assembly")
struct AssemblyTests {
    @Test("Taylor–Hood numbering: pressure dofs = corner nodes of the pressure region")
    func taylorHoodCounts() throws {
        var mesh = try MeshGenerator.box(size: SIMD3(2, 2, 2), cells: SIMD3(2, 2, 2), cellType: .hex20)
        let left = (0..<mesh.cellCount).filter { c in mesh.cellCoordinates(c).reduce(0.0) { $0 + $1.x } / 20 < 1 }
        try mesh.addRegion("left", cells: left)
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3),
                                                   FieldSpec(name: "p", components: 1, interpolation: .linear, regions: ["left"])])
        // hex20 lattice of 2×2×2 cells: 27 corners + 3·18 edge nodes = 81 nodes.
        #expect(mesh.nodeCount == 81)
        #expect(dofs.dofCount(ofField: 0) == 3 * 81)
        // Pressure on the corners of the cells with x ∈ [0, 1]: 2 × 3 × 3 = 18 nodes.
        #expect(dofs.dofCount(ofField: 1) == 18)
        #expect(dofs.dofCount == 243 + 18)
        for c in 0..<mesh.cellCount {
            let hasP = left.contains(c)
            #expect(dofs.localDofCount(c) == 60 + (hasP ? 8 : 0))
            #expect(dofs.localRange(cell: c, field: 1).count == (hasP ? 8 : 0))
            // Local order field → node → component.
            let nodes = Array(mesh.cellNodes(c))
            let local = Array(dofs.cellDofs(c))
            for a in 0..<20 { for k in 0..<3 { #expect(local[3 * a + k] == dofs.dof(field: 0, node: nodes[a], component: k)) } }
            if hasP { for a in 0..<8 { #expect(local[60 + a] == dofs.dof(field: 1, node: nodes[a], component: 0)) } }
        }
        // Mid-edge nodes never carry pressure.
        #expect(dofs.nodes(ofField: 1).allSatisfy { n in (0..<mesh.cellCount).contains { c in Array(mesh.cellNodes(c)).prefix(8).contains(n) } })
        let edgeNode = mesh.cellNodes(0)[mesh.cellOffsets[0] + 8]
        #expect(throws: DofError.nodeWithoutField(field: "p", node: edgeNode)) {
            var bc = DirichletConditions(dofMap: dofs)
            try bc.prescribe(field: "p", component: 0, nodes: [edgeNode], value: 0)
        }
        // Errors name the field, node and component.
        let d = dofs.dof(field: 0, node: 5, component: 2)!
        #expect(dofs.location(ofDof: d)! == (0, 5, 2))
        #expect(throws: DofError.nonFiniteValue(field: "u", node: 5, component: 2, value: .infinity)) {
            var bc = DirichletConditions(dofMap: dofs)
            try bc.prescribe(dof: d, value: .infinity)
        }
        #expect(throws: DofError.dofOutOfRange(dof: -1, dofCount: dofs.dofCount)) {
            var bc = DirichletConditions(dofMap: dofs)
            try bc.prescribe(dof: -1, value: 0)
        }
        #expect(throws: DofError.unknownField(name: "T", available: ["u", "p"])) {
            var bc = DirichletConditions(dofMap: dofs)
            try bc.prescribe(field: "T", component: 0, nodes: [0], value: 0)
        }
        #expect(throws: DofError.componentOutOfRange(field: "u", component: 3, components: 3)) {
            var bc = DirichletConditions(dofMap: dofs)
            try bc.prescribe(field: "u", component: 3, nodes: [0], value: 0)
        }
        #expect(throws: MeshError.self) { try DofMap(mesh: mesh, fields: [FieldSpec(name: "p", components: 1, regions: ["nowhere"])]) }
        #expect(throws: DofError.self) { try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3), FieldSpec(name: "u", components: 1)]) }
    }

    @Test("Mass matrix: 1ᵀM1 = volume; Laplacian: K·1 = 0; threads agree", arguments: CellType.allCases)
    func massAndLaplacian(type: CellType) throws {
        let mesh = try MeshGenerator.box(x: .geometric(from: 0, to: 3, cells: 3, ratio: 2), y: .uniform(from: 0, to: 2, cells: 2),
                                         z: .uniform(from: 0, to: 1, cells: 2), cellType: type)
        for interpolation in [FieldInterpolation.mesh, .linear] {
            let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "c", components: 1, interpolation: interpolation)])
            let eqs = EquationNumbering(constrained: [Bool](repeating: false, count: dofs.dofCount))
            let assembler = try Assembler(dofMap: dofs, numbering: eqs)
            var M = assembler.makeMatrix()
            var rhs = assembler.makeVector()
            try assembler.assemble(matrix: &M, rhs: &rhs, kernel: ScalarKernels.mass(dofs))
            let ones = [Double](repeating: 1, count: eqs.count)
            let volume = M.multiply(ones).reduce(0, +)
            #expect(abs(volume - 6) < 1e-12, "\(type) \(interpolation): 1ᵀM1 = \(volume), V = 6 mm³")
        }
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "c", components: 1)])
        let eqs = EquationNumbering(constrained: [Bool](repeating: false, count: dofs.dofCount))
        let parallel = try Assembler(dofMap: dofs, numbering: eqs, threads: 2)
        let serial = try Assembler(dofMap: dofs, numbering: eqs, threads: 1)
        var K2 = parallel.makeMatrix(), K1 = serial.makeMatrix()
        var f2 = parallel.makeVector(), f1 = serial.makeVector()
        let kernel = ScalarKernels.poisson(dofs) { x in x.x + 1 }
        try parallel.assemble(matrix: &K2, rhs: &f2, kernel: kernel)
        try serial.assemble(matrix: &K1, rhs: &f1, kernel: kernel)
        let k1 = K1.multiply([Double](repeating: 1, count: eqs.count))
        let scale = K1.values.map(abs).max()!
        #expect(k1.map(abs).max()! < 1e-13 * scale)
        // ∫ (x+1) dV over [0,3]×[0,2]×[0,1] = (4.5 + 3)·2 = 15.
        #expect(abs(f1.reduce(0, +) - 15) < 1e-12)
        let diff = zip(K1.values, K2.values).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-14 * scale)
        #expect(zip(f1, f2).map { abs($0 - $1) }.max()! < 1e-14)
        for strategy in AssemblyStrategy.allCases {
            let other = try Assembler(dofMap: dofs, numbering: eqs, threads: 2, strategy: strategy)
            var K3 = other.makeMatrix(), f3 = other.makeVector()
            try other.assemble(matrix: &K3, rhs: &f3, kernel: kernel)
            #expect(zip(K1.values, K3.values).map { abs($0 - $1) }.max()! < 1e-14 * scale, "\(strategy)")
            #expect(zip(f1, f3).map { abs($0 - $1) }.max()! < 1e-14, "\(strategy)")
            // A subset of cells (not the cached plan) too.
            var K4 = other.makeMatrix(), f4 = other.makeVector(), K5 = serial.makeMatrix(), f5 = serial.makeVector()
            let subset = Array(stride(from: 0, to: mesh.cellCount, by: 2))
            try other.assemble(cells: subset, matrix: &K4, rhs: &f4, kernel: kernel)
            try serial.assemble(cells: subset, matrix: &K5, rhs: &f5, kernel: kernel)
            #expect(zip(K4.values, K5.values).map { abs($0 - $1) }.max()! < 1e-14 * scale, "\(strategy) subset")
        }
        // Partition: interiors of different chunks share no node; every cell exactly once.
        let plan = Assembler.partitionPlan(mesh: mesh, items: Array(0..<mesh.cellCount), workers: 2)
        #expect(plan.interior.reduce(0) { $0 + $1.count } + plan.interface.count == mesh.cellCount)
        let nodes0 = Set(plan.interior[0].flatMap { mesh.cellNodes($0) }), nodes1 = Set(plan.interior[1].flatMap { mesh.cellNodes($0) })
        #expect(nodes0.isDisjoint(with: nodes1))
        // Colouring: no two cells of a colour share a node; every cell coloured once.
        let colours = parallel.colourClasses(Array(0..<mesh.cellCount))
        #expect(colours.reduce(0) { $0 + $1.count } == mesh.cellCount)
        for colour in colours {
            var seen = Set<Int>()
            for c in colour { for n in mesh.cellNodes(c) { #expect(seen.insert(n).inserted) } }
        }
        // Against a dense reference assembly (independent of the scatter map).
        var dense = [Double](repeating: 0, count: eqs.count * eqs.count)
        for c in 0..<mesh.cellCount {
            let n = dofs.localDofCount(c)
            var ke = [Double](repeating: 0, count: n * n), fe = [Double](repeating: 0, count: n)
            try ke.withUnsafeMutableBufferPointer { kp in try fe.withUnsafeMutableBufferPointer { fp in try kernel(c, kp, fp) } }
            let d = Array(dofs.cellDofs(c))
            for a in 0..<n { for b in 0..<n { dense[d[a] * eqs.count + d[b]] += ke[a * n + b] } }
        }
        var maxErr = 0.0
        for j in 0..<eqs.count {
            for p in K1.columnStarts[j]..<K1.columnStarts[j + 1] { maxErr = max(maxErr, abs(K1.values[p] - dense[Int(K1.rowIndices[p]) * eqs.count + j])) }
        }
        #expect(maxErr < 1e-14 * scale)
        // Every nonzero of the dense lower triangle is in the pattern.
        let stored = K1.columnStarts.last!
        let denseLower = (0..<eqs.count).reduce(0) { acc, j in acc + (j..<eqs.count).filter { dense[$0 * eqs.count + j] != 0 }.count }
        #expect(denseLower <= stored)
    }

    @Test("Poisson patch test: polynomial of the element degree reproduced to 1e-10", arguments: CellType.allCases)
    func poissonPatch(type: CellType) throws {
        let linear = type.degree == 1
        let n = linear ? 5 : 3
        var mesh = try MeshGenerator.box(size: SIMD3(2, 2, 2), cells: SIMD3(n, n, n), cellType: type)
        if linear {
            // Distort interior nodes: the isoparametric patch test must still pass.
            var rng = SeededGenerator(seed: 5)
            var nodes = mesh.nodes
            for i in 0..<nodes.count {
                let p = nodes[i]
                guard p.x > 0.01 && p.x < 1.99 && p.y > 0.01 && p.y < 1.99 && p.z > 0.01 && p.z < 1.99 else { continue }
                let amp = 0.12 * 2 / Double(n)     // 12 % of the cell size
                let dx = Double.random(in: -amp...amp, using: &rng), dy = Double.random(in: -amp...amp, using: &rng)
                let dz = Double.random(in: -amp...amp, using: &rng)
                nodes[i] = p + SIMD3(dx, dy, dz)
            }
            mesh.nodes = nodes
            try mesh.validate()
        }
        // u = 1 + x − 2y + 0.5z (+ x² + 2y² − z² + xy for quadratic elements), −Δu = f.
        let exact: @Sendable (SIMD3<Double>) -> Double = { p in
            let l = 1 + p.x - 2 * p.y + 0.5 * p.z
            return linear ? l : l + p.x * p.x + 2 * p.y * p.y - p.z * p.z + p.x * p.y
        }
        let f: Double = linear ? 0 : -4
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 1)])
        var bc = DirichletConditions(dofMap: dofs)
        let boundary = Set(mesh.boundaryFaces().flatMap { mesh.faceNodes($0) })
        try bc.prescribe(field: "u", component: 0, nodes: boundary.sorted(), value: exact)
        let eqs = EquationNumbering(conditions: bc)
        #expect(eqs.count > 0)
        let assembler = try Assembler(dofMap: dofs, numbering: eqs)
        var K = assembler.makeMatrix()
        var F = assembler.makeVector()
        try assembler.assemble(matrix: &K, rhs: &F, prescribed: bc.values, kernel: ScalarKernels.poisson(dofs) { _ in f })
        let solver = LinearSolvers.makeDefault(for: eqs.count, kind: .symmetricPositiveDefinite)
        try solver.analyzeAndFactor(K)
        let x = try solver.solve(F)
        let u = try eqs.expand(x, prescribed: bc.values)
        let err = (0..<mesh.nodeCount).map { abs(u[dofs.dof(field: 0, node: $0, component: 0)!] - exact(mesh.nodes[$0])) }.max()!
        print("Poisson patch \(type): \(eqs.count) unknowns, max nodal error \(err)")
        #expect(err < 1e-10)
    }

    @Test("Face assembly: uniform traction sums to traction × area on the loaded nodes only; face mass 1ᵀM1 = area", arguments: [CellType.hex20, .tet10, .hex8])
    func faceLoads(type: CellType) throws {
        let mesh = try MeshGenerator.box(size: SIMD3(2, 3, 1), cells: SIMD3(2, 2, 1), cellType: type)
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3)])
        let eqs = EquationNumbering(constrained: [Bool](repeating: false, count: dofs.dofCount))
        let assembler = try Assembler(dofMap: dofs, numbering: eqs)
        var F = assembler.makeVector()
        let traction = SIMD3(0.5, -1.0, 2.0)   // MPa
        try assembler.assembleVector(faces: try mesh.faces(ofSurface: "top"), rhs: &F) { face, scratch, _, fe in
            let fv = try scratch.values(mesh: mesh, face: face)
            let local = mesh.cellType(face.cell).faceNodes(face.face)
            for q in 0..<fv.quadratureCount {
                for a in 0..<fv.basisCount {
                    for k in 0..<3 { fe[3 * local[a] + k] += traction[k] * fv.shape(q, a) * fv.jxw[q] }
                }
            }
        }
        // Total force = traction × area (6 mm²) in N; and only top nodes are loaded.
        for k in 0..<3 {
            let total = try dofs.sum(field: 0, component: k, dofVector: F, nodes: Array(0..<mesh.nodeCount))
            #expect(abs(total - 6 * traction[k]) < 1e-12)
        }
        let top = Set(try mesh.nodes(ofSurface: "top"))
        for n in 0..<mesh.nodeCount where !top.contains(n) { for k in 0..<3 { #expect(F[dofs.dof(field: 0, node: n, component: k)!] == 0) } }
        // Face matrix (Robin-type ∫ N_a N_b dA per component) into the cell's local space: 1ᵀM1 = 3 × area.
        var M = assembler.makeMatrix()
        var G = assembler.makeVector()
        try assembler.assemble(faces: try mesh.faces(ofSurface: "x+"), matrix: &M, rhs: &G) { face, scratch, ke, _ in
            let fv = try scratch.values(mesh: mesh, face: face)
            let local = mesh.cellType(face.cell).faceNodes(face.face)
            let n = dofs.localDofCount(face.cell)
            for q in 0..<fv.quadratureCount { for a in 0..<fv.basisCount { for b in 0..<fv.basisCount { for k in 0..<3 {
                ke[(3 * local[a] + k) * n + 3 * local[b] + k] += fv.shape(q, a) * fv.shape(q, b) * fv.jxw[q]
            } } } }
        }
        let total = M.multiply([Double](repeating: 1, count: eqs.count)).reduce(0, +)
        #expect(abs(total - 3 * 3) < 1e-12)      // x+ face: 3 × 1 mm², three components
    }

    @Test("Probes and region integrals: linear Taylor–Hood pressure and isoparametric displacement exact")
    func probesAndIntegrals() throws {
        let mesh = try MeshGenerator.ellipticCylinder(a: 25, b: 17, height: 10, around: 8, radial: 2, layers: 2, cellType: .hex27)
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3),
                                                   FieldSpec(name: "p", components: 1, interpolation: .linear, regions: ["nucleus"])])
        let pf = try dofs.fieldIndex("p")
        var values = [Double](repeating: 0, count: dofs.dofCount)
        let pExact: (SIMD3<Double>) -> Double = { 0.2 + 0.01 * $0.x - 0.02 * $0.y + 0.003 * $0.z }   // MPa
        for n in dofs.nodes(ofField: pf) { values[dofs.dof(field: pf, node: n, component: 0)!] = pExact(mesh.nodes[n]) }
        for n in 0..<mesh.nodeCount { for k in 0..<3 { values[dofs.dof(field: 0, node: n, component: k)!] = mesh.nodes[n][k] * 0.01 } }
        let locator = PointLocator(mesh: mesh)
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            // Points well inside the nucleus (inner ellipse semi-axes 12.5 × 8.5 mm).
            let r = Double.random(in: 0...0.8, using: &rng), t = Double.random(in: 0...(2 * Double.pi), using: &rng)
            let x = SIMD3(12.5 * r * cos(t), 8.5 * r * sin(t), Double.random(in: 0...10, using: &rng))
            // Nucleus pressure is defined at the probe (trilinear on curved cells: not compared here).
            #expect(try locator.evaluate(dofs, field: pf, dofValues: values, at: x) != nil)
            let u = try #require(try locator.evaluate(dofs, field: 0, dofValues: values, at: x))
            #expect(abs(u[0] - 0.01 * x.x) < 1e-12 && abs(u[2] - 0.01 * x.z) < 1e-12)
        }
        // On the nucleus/annulus interface the nucleus pressure is found (from the nucleus side).
        let onInterface = mesh.nodes[try mesh.nodes(ofRegion: "nucleus").first { n in
            try mesh.nodes(ofRegion: "annulus").contains(n) && mesh.nodes[n].z > 0 && mesh.nodes[n].z < 10
        }!]
        #expect(try locator.evaluate(dofs, field: pf, dofValues: values, at: onInterface) != nil)
        #expect(try locator.evaluate(dofs, field: pf, dofValues: values, at: SIMD3(24, 0, 5)) == nil)   // annulus only
        // ∫ p over a straight-sided box region is exact.
        let box = try MeshGenerator.box(size: SIMD3(2, 2, 2), cells: SIMD3(2, 2, 2), cellType: .hex20)
        let bd = try DofMap(mesh: box, fields: [FieldSpec(name: "p", components: 1, interpolation: .linear)])
        var bv = [Double](repeating: 0, count: bd.dofCount)
        for n in bd.nodes(ofField: 0) { bv[bd.dof(field: 0, node: n, component: 0)!] = pExact(box.nodes[n]) }
        let boxLocator = PointLocator(mesh: box)
        for _ in 0..<20 {
            let x = SIMD3(Double.random(in: 0...2, using: &rng), Double.random(in: 0...2, using: &rng), Double.random(in: 0...2, using: &rng))
            let p = try #require(try boxLocator.evaluate(bd, field: 0, dofValues: bv, at: x))
            #expect(abs(p[0] - pExact(x)) < 1e-14)
        }
        let (integral, volume) = try bd.integrate(field: 0, component: 0, dofValues: bv, cells: Array(0..<box.cellCount))
        // ∫ p dV over [0,2]³ = 8·p(centre (1,1,1)).
        #expect(abs(volume - 8) < 1e-12)
        #expect(abs(integral - 8 * pExact(SIMD3(1, 1, 1))) < 1e-13)
        let range = try #require(try bd.nodalRange(field: 0, component: 0, dofValues: bv, cells: Array(0..<box.cellCount)))
        #expect(abs(range.min - pExact(SIMD3(0, 2, 0))) < 1e-15 && abs(range.max - pExact(SIMD3(2, 0, 2))) < 1e-15)
        // Nodal values for output: linear field interpolated to the mid nodes.
        let nodal = try bd.nodalValues(field: 0, from: bv)
        for n in 0..<box.nodeCount { #expect(abs(nodal[n] - pExact(box.nodes[n])) < 1e-14) }
    }

    @Test("General (CSR) assembly of a non-symmetric convection–diffusion operator: exact linear solution, dense agreement",
          arguments: [CellType.hex8, .tet10])
    func generalAssembly(type: CellType) throws {
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(3, 3, 3), cellType: type)
        let v = SIMD3(2.0, -1.0, 0.5)                 // mm/s
        let exact: @Sendable (SIMD3<Double>) -> Double = { 1 + $0.x + 2 * $0.y - $0.z }
        let f = dot(v, SIMD3(1, 2, -1))               // −Δu + v·∇u for the linear u
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "c", components: 1)])
        var bc = DirichletConditions(dofMap: dofs)
        try bc.prescribe(field: "c", component: 0, nodes: Set(mesh.boundaryFaces().flatMap { mesh.faceNodes($0) }).sorted(), value: exact)
        let eqs = EquationNumbering(conditions: bc)
        let assembler = try Assembler(dofMap: dofs, numbering: eqs, structure: .general)
        var A = try assembler.makeGeneralMatrix()
        var b = assembler.makeVector()
        let kernel: ScratchCellKernel = { cell, scratch, ke, fe in
            let cv = try scratch.values(mesh: mesh, cell: cell)
            let n = cv.basisCount
            for q in 0..<cv.quadratureCount {
                let w = cv.jxw[q]
                for a in 0..<n {
                    fe[a] += f * cv.shape(q, a) * w
                    for c in 0..<n { ke[a * n + c] += (dot(cv.gradient(q, a), cv.gradient(q, c)) + cv.shape(q, a) * dot(v, cv.gradient(q, c))) * w }
                }
            }
        }
        try assembler.assemble(matrix: &A, rhs: &b, prescribed: bc.values, scratchKernel: kernel)
        // Symmetric-only calls are refused on a general assembler.
        var sym = assembler.makeMatrix()
        #expect(throws: DofError.structureMismatch(expected: "symmetric", got: "general")) {
            try assembler.assemble(matrix: &sym, rhs: &b, scratchKernel: kernel)
        }
        var dense = DenseMatrix(rows: eqs.count, columns: eqs.count)
        for i in 0..<eqs.count { for p in A.rowStarts[i]..<A.rowStarts[i + 1] { dense[i, Int(A.columnIndices[p])] = A.values[p] } }
        // Against a dense reference assembly that bypasses the scatter map.
        var reference = DenseMatrix(rows: eqs.count, columns: eqs.count)
        let scratch = CellScratch()
        for c in 0..<mesh.cellCount {
            let n = dofs.localDofCount(c)
            var ke = [Double](repeating: 0, count: n * n), fe = [Double](repeating: 0, count: n)
            try ke.withUnsafeMutableBufferPointer { kp in try fe.withUnsafeMutableBufferPointer { fp in try kernel(c, scratch, kp, fp) } }
            let d = Array(dofs.cellDofs(c)).map { eqs.equation(ofDof: $0) }
            for a in 0..<n where d[a] >= 0 { for e in 0..<n where d[e] >= 0 { reference[d[a], d[e]] += ke[a * n + e] } }
        }
        let scale = reference.values.map(abs).max()!
        #expect(zip(reference.values, dense.values).map { abs($0 - $1) }.max()! < 1e-14 * scale)
        // Non-symmetric indeed.
        var asymmetry = 0.0
        for i in 0..<eqs.count { for j in 0..<i { asymmetry = max(asymmetry, abs(dense[i, j] - dense[j, i])) } }
        #expect(asymmetry > 1e-3)
        let x = try dense.solve(b)
        let u = try eqs.expand(x, prescribed: bc.values)
        let err = (0..<mesh.nodeCount).map { abs(u[$0] - exact(mesh.nodes[$0])) }.max()!
        print("convection–diffusion \(type): \(eqs.count) unknowns, max nodal error \(err)")
        #expect(err < 1e-10)
    }

    @Test("Taylor–Hood saddle-point block: pressure rows of A·u equal ∫ q div u (Σ = 3V for u = x)", arguments: [CellType.hex20, .hex27, .tet10])
    func taylorHoodDivergence(type: CellType) throws {
        let mesh = try MeshGenerator.box(x: .geometric(from: 0, to: 2, cells: 2, ratio: 2), y: .uniform(from: 0, to: 1, cells: 2),
                                         z: .uniform(from: 0, to: 1.5, cells: 2), cellType: type)
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3),
                                                   FieldSpec(name: "p", components: 1, interpolation: .linear)])
        let eqs = EquationNumbering(constrained: [Bool](repeating: false, count: dofs.dofCount))
        let assembler = try Assembler(dofMap: dofs, numbering: eqs)
        var A = assembler.makeMatrix(), F = assembler.makeVector()
        // ke = [[0, Bᵀ], [B, 0]] with B[q, (a,k)] = ∫ Np_q ∂N_a/∂x_k.
        try assembler.assemble(matrix: &A, rhs: &F) { cell, scratch, ke, _ in
            let cv = try scratch.values(mesh: mesh, cell: cell)
            let geometry = mesh.cellType(cell)
            let pBasis = dofs.basis(cell: cell, field: 1)
            let table = ShapeTable.cached(pBasis, ruleOf: geometry, degree: geometry.defaultQuadratureDegree)
            let n = dofs.localDofCount(cell)
            let uRange = dofs.localRange(cell: cell, field: 0), pRange = dofs.localRange(cell: cell, field: 1)
            for q in 0..<cv.quadratureCount {
                for i in 0..<table.basisCount {
                    let np = table.values[q * table.basisCount + i] * cv.jxw[q]
                    for a in 0..<cv.basisCount {
                        let g = cv.gradient(q, a)
                        for k in 0..<3 {
                            let r = pRange.lowerBound + i, c = uRange.lowerBound + 3 * a + k
                            ke[r * n + c] += np * g[k]
                            ke[c * n + r] += np * g[k]
                        }
                    }
                }
            }
        }
        var u = [Double](repeating: 0, count: dofs.dofCount)
        for node in 0..<mesh.nodeCount { for k in 0..<3 { u[dofs.dof(field: 0, node: node, component: k)!] = mesh.nodes[node][k] } }
        let Au = A.multiply(try eqs.restrict(u))
        var pressureRows = 0.0
        for node in dofs.nodes(ofField: 1) { pressureRows += Au[eqs.equation(ofDof: dofs.dof(field: 1, node: node, component: 0)!)] }
        // Σ_q ∫ N_q div u = ∫ 3 dV = 3 · 3 mm³ (Σ N_q = 1).
        #expect(abs(pressureRows - 9) < 1e-12)
        // Mixed local layout: 3·nodes + corners.
        #expect(dofs.localDofCount(0) == 3 * type.nodeCount + type.cornerCount)
    }

    @Test("Reactions from assembleDofVector: boundary flux of u = 2 − x is ∓ area on the ends (1e-12)", arguments: [CellType.hex8, .hex27, .tet10])
    func reactions(type: CellType) throws {
        let mesh = try MeshGenerator.box(size: SIMD3(2, 1, 1.5), cells: SIMD3(3, 2, 2), cellType: type)
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 1)])
        let eqs = EquationNumbering(constrained: [Bool](repeating: false, count: dofs.dofCount))
        let assembler = try Assembler(dofMap: dofs, numbering: eqs)
        let u = mesh.nodes.map { 2 - $0.x }
        let stiffness = ScalarKernels.poisson(dofs) { _ in 0 }
        var r = [Double](repeating: 0, count: dofs.dofCount)
        // Internal "force" r_a = Σ_b K_ab u_b = ∮ N_a ∇u·n dA (Δu = 0).
        try assembler.assembleDofVector(into: &r) { cell, fe in
            let n = dofs.localDofCount(cell)
            var ke = [Double](repeating: 0, count: n * n), dummy = [Double](repeating: 0, count: n)
            try ke.withUnsafeMutableBufferPointer { kp in try dummy.withUnsafeMutableBufferPointer { dp in try stiffness(cell, kp, dp) } }
            let d = Array(dofs.cellDofs(cell))
            for a in 0..<n { for b in 0..<n { fe[a] += ke[a * n + b] * u[d[b]] } }
        }
        // ∇u·n = +1 on x− (area 1.5 mm²), −1 on x+, 0 elsewhere.
        let left = try dofs.sum(field: 0, component: 0, dofVector: r, nodes: mesh.nodes(ofSurface: "x-"))
        let right = try dofs.sum(field: 0, component: 0, dofVector: r, nodes: mesh.nodes(ofSurface: "x+"))
        #expect(abs(left - 1.5) < 1e-12 && abs(right + 1.5) < 1e-12)
        #expect(abs(r.reduce(0, +)) < 1e-12)
    }

    /// An order-sensitive kernel: the Laplacian of a vector field (3 components) plus per-entry
    /// symmetric values spanning twelve decades, so that a different summation order changes bits.
    static func orderSensitiveKernel(_ dofs: DofMap) -> CellKernel {
        let scalar = ScalarKernels.poisson(dofs) { x in x.x * x.y + 1 }
        return { cell, ke, fe in
            let n = dofs.localDofCount(cell)
            try scalar(cell, ke, fe)
            for a in 0..<n {
                fe[a] = fe[a] * 1e6 + Double((cell * 7 + a) % 11) * 1e-6
                for b in 0...a {
                    let v = Double((cell * 31 + a * 17 + b * 13) % 97) * pow(10, Double((cell + a + b) % 13) - 6)
                    ke[a * n + b] += v
                    if b != a { ke[b * n + a] += v }
                }
            }
        }
    }

    @Test("Ordered assembly: matrix and rhs bitwise those of one thread for 2–4 threads, with lifting, a subset and faces; the first failing cell's error")
    func orderedAssemblyIsBitwiseSerial() throws {
        let mesh = try MeshGenerator.box(x: .uniform(from: 0, to: 3, cells: 5), y: .uniform(from: 0, to: 2, cells: 4),
                                         z: .uniform(from: 0, to: 1, cells: 3), cellType: .hex20)
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "c", components: 1)])
        // Constrain the x = 0 face with a non-zero prescribed value so that lifting runs.
        var constrained = [Bool](repeating: false, count: dofs.dofCount)
        var prescribed = [Double](repeating: 0, count: dofs.dofCount)
        for node in 0..<mesh.nodeCount where mesh.nodes[node].x < 1e-12 {
            let d = dofs.dof(field: 0, node: node, component: 0)!
            constrained[d] = true; prescribed[d] = 1 + mesh.nodes[node].y
        }
        let eqs = EquationNumbering(constrained: constrained)
        let kernel = AssemblyTests.orderSensitiveKernel(dofs)
        let serial = try Assembler(dofMap: dofs, numbering: eqs, threads: 1)
        var K1 = serial.makeMatrix(), f1 = serial.makeVector()
        try serial.assemble(matrix: &K1, rhs: &f1, prescribed: prescribed, kernel: kernel)
        let subset = Array(stride(from: 1, to: mesh.cellCount, by: 3))
        var K1s = serial.makeMatrix(), f1s = serial.makeVector()
        try serial.assemble(cells: subset, matrix: &K1s, rhs: &f1s, prescribed: prescribed, kernel: kernel)
        var v1 = serial.makeVector()
        try serial.assembleVector(rhs: &v1) { c, fe in
            let n = fe.count
            var ke = [Double](repeating: 0, count: n * n)
            try ke.withUnsafeMutableBufferPointer { try kernel(c, $0, fe) }
        }
        var full1 = [Double](repeating: 0, count: dofs.dofCount)
        try serial.assembleDofVector(into: &full1) { c, fe in
            var ke = [Double](repeating: 0, count: fe.count * fe.count)
            try ke.withUnsafeMutableBufferPointer { try kernel(c, $0, fe) }
        }
        let faces = try mesh.faces(ofSurface: "x+")
        let faceKernel: FaceKernel = { face, _, ke, fe in
            let n = fe.count
            for a in 0..<n { fe[a] += Double(face.cell % 5 + a) * 1e-7; for b in 0..<n { ke[a * n + b] += Double((face.cell + a + b) % 7) * pow(10, Double(a % 9)) } }
        }
        var K1f = K1, f1f = f1
        try serial.assemble(faces: faces, matrix: &K1f, rhs: &f1f, prescribed: prescribed, kernel: faceKernel)
        for threads in 2...4 {
            let ordered = try Assembler(dofMap: dofs, numbering: eqs, threads: threads, strategy: .ordered)
            var K = ordered.makeMatrix(), f = ordered.makeVector()
            try ordered.assemble(matrix: &K, rhs: &f, prescribed: prescribed, kernel: kernel)
            #expect(K.values == K1.values, "\(threads) threads: matrix")
            #expect(f == f1, "\(threads) threads: rhs")
            var Ks = ordered.makeMatrix(), fs = ordered.makeVector()
            try ordered.assemble(cells: subset, matrix: &Ks, rhs: &fs, prescribed: prescribed, kernel: kernel)
            #expect(Ks.values == K1s.values && fs == f1s, "\(threads) threads: subset")
            var v = ordered.makeVector()
            try ordered.assembleVector(rhs: &v) { c, fe in
                var ke = [Double](repeating: 0, count: fe.count * fe.count)
                try ke.withUnsafeMutableBufferPointer { try kernel(c, $0, fe) }
            }
            #expect(v == v1, "\(threads) threads: vector only")
            var full = [Double](repeating: 0, count: dofs.dofCount)
            try ordered.assembleDofVector(into: &full) { c, fe in
                var ke = [Double](repeating: 0, count: fe.count * fe.count)
                try ke.withUnsafeMutableBufferPointer { try kernel(c, $0, fe) }
            }
            #expect(full == full1, "\(threads) threads: dof vector")
            var Kf = K, ff = f
            try ordered.assemble(faces: faces, matrix: &Kf, rhs: &ff, prescribed: prescribed, kernel: faceKernel)
            #expect(Kf.values == K1f.values && ff == f1f, "\(threads) threads: faces")
            // Cells 7 and 3 fail (7 is computed first by another thread): the error is cell 3's, as in the serial loop.
            var Ke = ordered.makeMatrix(), fe = ordered.makeVector()
            #expect(throws: DofError.cellOutOfRange(cell: 3, cellCount: -1)) {
                try ordered.assemble(matrix: &Ke, rhs: &fe) { c, _, _ in
                    if c == 3 || c == 7 { throw DofError.cellOutOfRange(cell: c, cellCount: -1) }
                }
            }
        }
    }
}
