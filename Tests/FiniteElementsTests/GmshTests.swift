import Testing
import Foundation
import SparseLinearAlgebra
@testable import FiniteElements

/// Files written by gmsh 4.15.2 (PyPI) with `Fixtures/make_fixtures.py`.
/// Expected counts were read with the independent reader meshio 5.3.5.
@Suite("Gmsh import")
struct GmshTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    struct Case: Sendable, CustomStringConvertible {
        var file: String; var type: CellType; var nodes: Int; var cells: Int; var faces: [String: Int]
        var description: String { file }
    }

    // meshio: box_tet4 44 points, 91 tetra, 14 triangles per side; box_tet10 220 points;
    // box_hex8 27 / hex20 81 / hex27 125 points, 8 hexahedra, 4 quads per side.
    static let cases: [Case] = [
        Case(file: "box_tet4.msh", type: .tet4, nodes: 44, cells: 91, faces: ["left": 14, "right": 14, "bottom": 14, "top": 14]),
        Case(file: "box_tet10.msh", type: .tet10, nodes: 220, cells: 91, faces: ["left": 14, "right": 14, "bottom": 14, "top": 14]),
        Case(file: "box_hex8.msh", type: .hex8, nodes: 27, cells: 8, faces: ["left": 4, "right": 4, "bottom": 4, "top": 4]),
        Case(file: "box_hex20.msh", type: .hex20, nodes: 81, cells: 8, faces: ["left": 4, "right": 4, "bottom": 4, "top": 4]),
        Case(file: "box_hex27.msh", type: .hex27, nodes: 125, cells: 8, faces: ["left": 4, "right": 4, "bottom": 4, "top": 4]),
    ]

    @Test("Box files: counts, groups, node order (mid-edge nodes at edge midpoints), exact volume and areas", arguments: cases)
    func boxes(c: Case) throws {
        let mesh = try GmshReader.read(path: Self.path(c.file))
        #expect(mesh.nodeCount == c.nodes)
        #expect(mesh.cellCount == c.cells)
        #expect(mesh.cellTypes.allSatisfy { $0 == c.type })
        #expect(mesh.regions["block"]?.count == c.cells)
        for (name, count) in c.faces { #expect(mesh.surfaces[name]?.count == count, "\(name)") }
        try mesh.validate()
        // Box [0,2]×[0,1]×[0,1]: V = 2 mm³; left/right areas 1, bottom/top 2; outward normals.
        #expect(abs(try mesh.volume(region: "block") - 2) < 1e-12)
        for (name, area, normal) in [("left", 1.0, SIMD3<Double>(-1, 0, 0)), ("right", 1, SIMD3(1, 0, 0)), ("bottom", 2, SIMD3(0, 0, -1)), ("top", 2, SIMD3(0, 0, 1))] {
            #expect(abs(try mesh.surfaceArea(name) - area) < 1e-12)
            #expect(norm(try mesh.integratedNormal(surface: name) - area * normal) < 1e-12)
        }
        // VTK order: every edge node at the midpoint of its corners, hex27 face/body centres at centroids.
        for cell in 0..<mesh.cellCount where c.type.degree == 2 {
            let x = mesh.cellCoordinates(cell)
            for (k, e) in c.type.edges.enumerated() { #expect(norm(x[c.type.cornerCount + k] - 0.5 * (x[e.0] + x[e.1])) < 1e-12) }
            if c.type == .hex27 {
                for f in 0..<6 {
                    let corners = c.type.faceCorners(f).map { x[$0] }
                    #expect(norm(x[20 + f] - corners.reduce(.zero, +) / 4) < 1e-12)
                }
                #expect(norm(x[26] - x[0..<8].reduce(.zero, +) / 8) < 1e-12)
            }
        }
        #expect(try mesh.nodes(ofSurface: "left").allSatisfy { mesh.nodes[$0].x == 0 })
    }

    @Test("Curved tet10 cylinder: volume and areas near πr²h, closed surface flux = 3V")
    func cylinder() throws {
        let mesh = try GmshReader.read(path: Self.path("cylinder_tet10.msh"))
        // meshio: 492 points, 244 tetra10, outer 100, top 25, bottom 25 triangle6.
        #expect(mesh.nodeCount == 492 && mesh.cellCount == 244)
        #expect(mesh.surfaces["outer"]?.count == 100 && mesh.surfaces["top"]?.count == 25 && mesh.surfaces["bottom"]?.count == 25)
        try mesh.validate()
        let v = try mesh.volume(region: "disc")
        print("gmsh tet10 cylinder volume \(v) vs 2π = \(2 * Double.pi)")
        #expect(abs(v - 2 * Double.pi) / (2 * Double.pi) < 2e-3)
        #expect(abs(try mesh.surfaceArea("outer") - 4 * Double.pi) / (4 * Double.pi) < 2e-3)
        let flux = try ["top", "bottom", "outer"].reduce(0.0) { $0 + (try mesh.integrate(surface: $1) { x, n in dot(x, n) }) }
        #expect(abs(flux - 3 * v) < 1e-10)
        // Top nodes at z = 2, outer nodes on the unit circle (gmsh puts curved edge nodes on it).
        #expect(try mesh.nodes(ofSurface: "top").allSatisfy { abs(mesh.nodes[$0].z - 2) < 1e-12 })
        #expect(try mesh.nodes(ofSurface: "outer").allSatisfy { abs((mesh.nodes[$0].x * mesh.nodes[$0].x + mesh.nodes[$0].y * mesh.nodes[$0].y).squareRoot() - 1) < 1e-9 })
    }

    @Test("Malformed files: errors name the line")
    func errors() throws {
        let good = try String(contentsOfFile: Self.path("box_hex8.msh"), encoding: .utf8)
        // Version 2.2.
        #expect(throws: MeshError.gmsh(line: 2, message: "version 2.2 is not supported: expected 4.1 (gmsh -format msh41)")) {
            try GmshReader.parse(good.replacingOccurrences(of: "4.1 0 8", with: "2.2 0 8"))
        }
        // A corrupted coordinate.
        var lines = good.components(separatedBy: "\n")
        let nodesStart = lines.firstIndex(of: "$Nodes")!
        // Header at nodesStart+1, first block header at +2, one tag at +3 (block of a point entity), coordinates at +4.
        lines[nodesStart + 4] = "0 abc 1"
        do {
            _ = try GmshReader.parse(lines.joined(separator: "\n"))
            Issue.record("expected an error")
        } catch let MeshError.gmsh(line, message) {
            #expect(line == nodesStart + 5)
            #expect(message.contains("abc"))
        }
        #expect(throws: MeshError.self) { try GmshReader.parse("hello") }
        // An inverted hexahedron: swap the bottom and top corner quadruples of the first hex line.
        var hexLines = good.components(separatedBy: "\n")
        let elementsStart = hexLines.firstIndex(of: "$Elements")!
        let firstHex = (elementsStart..<hexLines.count).first { i in
            let t = hexLines[i].split(separator: " ")
            return t.count == 9 && i > elementsStart + 1
        }!
        var t = hexLines[firstHex].split(separator: " ").map(String.init)
        let tag = t[0]
        t = [t[0]] + Array(t[5...8]) + Array(t[1...4])
        hexLines[firstHex] = t.joined(separator: " ")
        do {
            _ = try GmshReader.parse(hexLines.joined(separator: "\n"))
            Issue.record("expected an inverted-element error")
        } catch let MeshError.gmsh(line, message) {
            #expect(line == firstHex + 1)
            #expect(message.contains("element \(tag)") && message.contains("inverted"))
        }
    }

    @Test("Gmsh meshes solve: Laplace with a linear exact solution, Dirichlet on two physical surfaces, reproduced to 1e-10",
          arguments: ["box_tet4.msh", "box_tet10.msh", "box_hex20.msh", "box_hex27.msh", "cylinder_tet10.msh"])
    func solves(file: String) throws {
        let mesh = try GmshReader.read(path: Self.path(file))
        // Box: u = 2 − x fixed on left/right (zero flux elsewhere, exact). Cylinder: u = 2 + z/4 fixed on
        // all three surfaces — on the curved mantle the discrete normal is not exactly horizontal, so a
        // natural condition there would not be exact; with Dirichlet everywhere the isoparametric
        // tet10 reproduces the linear field (adj J · ∇ξN is a cubic, integrated exactly by the degree-4 rule).
        let cylinder = file.hasPrefix("cylinder")
        let exact: @Sendable (SIMD3<Double>) -> Double = { p in cylinder ? 2 + 0.25 * p.z : 2 - p.x }
        let fixed = cylinder ? ["bottom", "top", "outer"] : ["left", "right"]
        let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 1)])
        var bc = DirichletConditions(dofMap: dofs)
        for s in fixed { try bc.prescribe(field: "u", component: 0, nodes: mesh.nodes(ofSurface: s), value: exact) }
        let eqs = EquationNumbering(conditions: bc)
        let assembler = try Assembler(dofMap: dofs, numbering: eqs)
        var K = assembler.makeMatrix(), F = assembler.makeVector()
        try assembler.assemble(matrix: &K, rhs: &F, prescribed: bc.values, kernel: ScalarKernels.poisson(dofs) { _ in 0 })
        let solver = LinearSolvers.makeDefault(for: eqs.count, kind: .symmetricPositiveDefinite)
        try solver.analyzeAndFactor(K)
        let u = try eqs.expand(try solver.solve(F), prescribed: bc.values)
        let err = (0..<mesh.nodeCount).map { abs(u[$0] - exact(mesh.nodes[$0])) }.max()!
        print("gmsh \(file): \(eqs.count) unknowns, max nodal error \(err)")
        #expect(eqs.count > 0)
        #expect(err < 1e-10)
    }
}
