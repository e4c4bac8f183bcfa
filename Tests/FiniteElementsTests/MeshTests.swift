import Testing
import _TestSupport
@testable import FiniteElements

@Suite("Meshes and generators")
struct MeshTests {
    @Test("Box volume, face areas and outward normals are exact", arguments: CellType.allCases)
    func boxVolume(type: CellType) throws {
        let mesh = try MeshGenerator.box(x: .geometric(from: -1, to: 2, cells: 3, ratio: 2),
                                         y: .uniform(from: 0, to: 2, cells: 2),
                                         z: .geometric(from: 0, to: 1.5, cells: 2, ratio: 0.5), cellType: type)
        try mesh.validate()
        // Closed form 3 × 2 × 1.5 = 9 mm³; quadrature of an affine map is exact up to round-off.
        #expect(abs(try mesh.volume() - 9) < 1e-12)
        let expected: [String: (Double, SIMD3<Double>)] = [
            "x-": (3, SIMD3(-1, 0, 0)), "x+": (3, SIMD3(1, 0, 0)), "y-": (4.5, SIMD3(0, -1, 0)),
            "y+": (4.5, SIMD3(0, 1, 0)), "bottom": (6, SIMD3(0, 0, -1)), "top": (6, SIMD3(0, 0, 1)),
        ]
        for (name, (area, normal)) in expected {
            #expect(abs(try mesh.surfaceArea(name) - area) < 1e-12, "\(name)")
            #expect(norm(try mesh.integratedNormal(surface: name) - area * normal) < 1e-12, "\(name)")
        }
        // Boundary = the six named surfaces, no more.
        let total = ["x-", "x+", "y-", "y+", "z-", "z+"].reduce(0) { $0 + mesh.surfaces[$1]!.count }
        #expect(total == mesh.boundaryFaces().count)
        // Node count of the lattice: (p·n+1) per axis for Lagrange elements.
        let cells = SIMD3(3, 2, 2)
        switch type {
        case .hex8, .tet4: #expect(mesh.nodeCount == 4 * 3 * 3)
        case .hex27, .tet10: #expect(mesh.nodeCount == 7 * 5 * 5)
        case .hex20: #expect(mesh.nodeCount == 4 * 3 * 3 + 3 * 3 * 3 + 4 * 2 * 3 + 4 * 3 * 2)
        }
        #expect(mesh.cellCount == (type.isSimplex ? 6 : 1) * cells.x * cells.y * cells.z)
    }

    @Test("Elliptic cylinder volume converges to πab·h; quadratic far more accurate")
    func cylinderVolume() throws {
        let a = 25.0, b = 17.0, h = 10.0
        let exact = Double.pi * a * b * h
        var errors: [Double] = []
        for around in [8, 16, 32] {
            let mesh = try MeshGenerator.ellipticCylinder(a: a, b: b, height: h, inner: .init(name: "nucleus", fraction: 0.45),
                                                          around: around, radial: around / 8, layers: 2, cellType: .hex8)
            try mesh.validate()
            errors.append(abs(try mesh.volume() - exact) / exact)
            // Regions partition the cylinder.
            let vn = try mesh.volume(region: "nucleus"), va = try mesh.volume(region: "annulus")
            #expect(abs(vn + va - (try mesh.volume())) < 1e-9 * exact)
        }
        // Inscribed polygon (rays equally spaced in angle): error = 1 − sin(2π/n)/(2π/n) ≈ (2π/n)²/6, rate 2.
        let rate1 = log2(errors[0] / errors[1]), rate2 = log2(errors[1] / errors[2])
        print("hex8 cylinder volume relative errors \(errors), rates \(rate1), \(rate2)")
        #expect(rate2 > 1.9 && rate2 < 2.1)
        let polygon = 1 - sin(2 * Double.pi / 32) / (2 * Double.pi / 32)
        #expect(abs(errors[2] - polygon) < 1e-3 * polygon)
        for type in [CellType.hex20, .hex27] {
            var qErrors: [Double] = []
            for around in [8, 16, 32] {
                let mesh = try MeshGenerator.ellipticCylinder(a: a, b: b, height: h, around: around, radial: around / 8, layers: 1, cellType: type)
                try mesh.validate()
                qErrors.append(abs(try mesh.volume() - exact) / exact)
                if around == 16 {
                    // Nucleus (fraction 0.5 default) volume π(a/2)(b/2)h; top area πab;
                    // ∫ x·n dA over the closed surface = 3V (divergence theorem, exact for any mesh).
                    let vn = try mesh.volume(region: "nucleus")
                    #expect(abs(vn - exact / 4) / (exact / 4) < 2 * qErrors.last!)
                    #expect(abs(try mesh.surfaceArea("top") - Double.pi * a * b) / (Double.pi * a * b) < 2 * qErrors.last!)
                    let flux = try ["top", "bottom", "outer"].reduce(0.0) { $0 + (try mesh.integrate(surface: $1) { x, n in dot(x, n) }) }
                    #expect(abs(flux - 3 * (try mesh.volume())) < 1e-9 * exact)
                }
            }
            let r1 = log2(qErrors[0] / qErrors[1]), r2 = log2(qErrors[1] / qErrors[2])
            print("\(type) cylinder volume relative errors \(qErrors), rates \(r1), \(r2)")
            // Quadratic arcs: area error O(h⁴).
            #expect(r2 > 3.8)
            #expect(qErrors[2] < 1e-5)
        }
    }

    @Test("Tetrahedral O-grid cylinders (24 tets per block): valid, conforming, volume converging", arguments: [CellType.tet4, .tet10])
    func tetCylinder(type: CellType) throws {
        let a = 25.0, b = 17.0, h = 10.0
        let exact = Double.pi * a * b * h
        var errors: [Double] = []
        for around in [8, 16] {
            let mesh = try MeshGenerator.ellipticCylinder(a: a, b: b, height: h, inner: .init(name: "nucleus", fraction: 0.45),
                                                          around: around, radial: around / 8, layers: 1, cellType: type)
            try mesh.validate()
            errors.append(abs(try mesh.volume() - exact) / exact)
            // Conforming: the only boundary faces are the named top, bottom and outer faces.
            let named = ["top", "bottom", "outer"].reduce(0) { $0 + mesh.surfaces[$1]!.count }
            #expect(mesh.boundaryFaces().count == named)
            #expect(Set(mesh.boundaryFaces()) == Set(mesh.surfaces["top"]! + mesh.surfaces["bottom"]! + mesh.surfaces["outer"]!))
            let flux = try ["top", "bottom", "outer"].reduce(0.0) { $0 + (try mesh.integrate(surface: $1) { x, n in dot(x, n) }) }
            #expect(abs(flux - 3 * (try mesh.volume())) < 1e-9 * exact)
            #expect(try mesh.integrate(surface: "top") { _, n in n.z } > 0)
        }
        let rate = log2(errors[0] / errors[1])
        print("\(type) cylinder volume relative errors \(errors), rate \(rate)")
        // Same polygonal (tet4) or quadratic (tet10) boundary as the hexahedra: rates ≈ 2 and ≈ 4.
        #expect(type == .tet4 ? abs(rate - 2) < 0.15 : rate > 3.7)
    }

    @Test("The DESIGN.md disc (a 25, b 17, h 10 mm, nucleus 0.45, 32 around, 8 radial; 1 layer) is valid; region volumes near closed form")
    func designDisc() throws {
        let mesh = try MeshGenerator.ellipticCylinder(a: 25, b: 17, height: 10, inner: .init(name: "nucleus", fraction: 0.45),
                                                      around: 32, radial: 8, layers: 1, cellType: .hex20)
        try mesh.validate()
        let total = Double.pi * 25 * 17 * 10, nucleus = Double.pi * 0.45 * 25 * 0.45 * 17 * 10
        let vn = try mesh.volume(region: "nucleus"), va = try mesh.volume(region: "annulus")
        print("design disc: \(mesh.cellCount) hex20, \(mesh.nodeCount) nodes; nucleus \(vn) vs \(nucleus), annulus \(va) vs \(total - nucleus) mm³")
        #expect(abs(vn - nucleus) / nucleus < 1e-5)
        #expect(abs(va - (total - nucleus)) / (total - nucleus) < 1e-5)
        #expect(try mesh.nodes(ofSurface: "outer").allSatisfy { let p = mesh.nodes[$0]; return abs(p.x * p.x / 625 + p.y * p.y / 289 - 1) < 1e-12 })
    }

    @Test("Graded annulus rings: node radii follow the geometric grading (ratio 4 over 3 rings)")
    func gradedRings() throws {
        let mesh = try MeshGenerator.cylinder(radius: 10, height: 1, inner: .init(name: "nucleus", fraction: 0.5),
                                              around: 8, radial: 3, layers: 1, cellType: .hex27, radialRatio: 4)
        try mesh.validate()
        // Radii of the nodes on the +x axis (y = 0, z = 0), beyond the nucleus: 5 + 5·grading (incl. midpoints).
        let radii = Set(mesh.nodes.filter { abs($0.y) < 1e-12 && $0.z == 0 && $0.x >= 5 - 1e-12 }.map { ($0.x * 1e9).rounded() / 1e9 }).sorted()
        let g = try Grading.geometric(from: 0, to: 1, cells: 3, ratio: 4).coordinates
        var expected: [Double] = []
        for k in 0..<3 { expected += [g[k], 0.5 * (g[k] + g[k + 1])] }
        expected.append(1)
        #expect(radii.count == expected.count)
        for (r, e) in zip(radii, expected) { #expect(abs(r - (5 + 5 * e)) < 1e-9) }
        // Ring widths 1 : 2 : 4 (geometric, ratio 4 over 3 cells).
        #expect(abs((g[3] - g[2]) / (g[1] - g[0]) - 4) < 1e-12)
        #expect(throws: MeshError.self) {
            try MeshGenerator.cylinder(radius: 1, height: 1, around: 8, radial: 2, layers: 1, cellType: .hex8, radialRatio: 0)
        }
    }

    @Test("An inverted cell is reported by index")
    func invertedCell() throws {
        var mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(2, 1, 1), cellType: .hex8)
        // Swap bottom and top of cell 1: det J < 0.
        var conn = Array(mesh.connectivity)
        let base = mesh.cellOffsets[1]
        for k in 0..<4 { conn.swapAt(base + k, base + 4 + k) }
        mesh = try Mesh(nodes: mesh.nodes, cellTypes: mesh.cellTypes, connectivity: conn)
        #expect(throws: MeshError.self) { try mesh.validate() }
        do { try mesh.validate() } catch let MeshError.invertedCell(cell, type, det, _) {
            #expect(cell == 1 && type == .hex8)
            #expect(abs(det + 0.0625) < 1e-15)   // det J = −(½·½·½)/... = −V/8 = −0.5/8
        }
        #expect(throws: MeshError.nodeIndexOutOfRange(cell: 0, node: 99, nodeCount: 4)) {
            try Mesh(nodes: [.zero, SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)], cellType: .tet4, connectivity: [0, 1, 2, 99])
        }
    }

    @Test("Isoparametric interpolation reproduces polynomials of the element degree", arguments: CellType.allCases)
    func interpolationPatch(type: CellType) throws {
        // Distorted box: perturb interior nodes so the map is non-affine (hexahedra).
        var mesh = try MeshGenerator.box(size: SIMD3(2, 2, 2), cells: SIMD3(2, 2, 2), cellType: type)
        var rng = SeededGenerator(seed: 3)
        var nodes = mesh.nodes
        for i in 0..<nodes.count where type.degree == 1 {
            let p = nodes[i]
            let interior = p.x > 0 && p.x < 2 && p.y > 0 && p.y < 2 && p.z > 0 && p.z < 2
            if !interior { continue }
            let dx = Double.random(in: -0.1...0.1, using: &rng)
            let dy = Double.random(in: -0.1...0.1, using: &rng)
            let dz = Double.random(in: -0.1...0.1, using: &rng)
            nodes[i] = p + SIMD3(dx, dy, dz)
        }
        mesh.nodes = nodes
        try mesh.validate()
        let linear = type.degree == 1
        func f(_ p: SIMD3<Double>) -> Double {
            let l: Double = 1 + 2 * p.x - 3 * p.y + 0.5 * p.z
            if linear { return l }
            let q: Double = p.x * p.y - 2 * p.z * p.z + p.x * p.z
            return l + q
        }
        let values = mesh.nodes.map(f)
        let locator = PointLocator(mesh: mesh)
        for _ in 0..<40 {
            let x = SIMD3(Double.random(in: 0.01...1.99, using: &rng), Double.random(in: 0.01...1.99, using: &rng), Double.random(in: 0.01...1.99, using: &rng))
            let v = try #require(try locator.interpolate(values, at: x))
            #expect(abs(v - f(x)) < 1e-10, "at \(x): \(v) vs \(f(x))")
        }
        #expect(try locator.interpolate(values, at: SIMD3(3, 0, 0)) == nil)
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite("Mesh operations")
struct MeshOperationTests {
    @Test("Two stacked boxes weld into one conforming mesh", arguments: [CellType.hex20, .tet10, .hex8])
    func weld(type: CellType) throws {
        let lower = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(2, 2, 2), cellType: type).renamingSets { "lower-" + $0 }
        let upper = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(2, 2, 2), cellType: type)
            .translated(by: SIMD3(0, 0, 1)).renamingSets { "upper-" + $0 }
        let merged = try lower.merged(with: upper, weldTolerance: 1e-9)
        let shared = try lower.nodes(ofSurface: "lower-top").count
        #expect(merged.nodeCount == lower.nodeCount + upper.nodeCount - shared)
        #expect(merged.cellCount == lower.cellCount + upper.cellCount)
        try merged.validate()
        #expect(abs(try merged.volume() - 2) < 1e-12)
        #expect(abs(try merged.volume(region: "upper-all") - 1) < 1e-12)
        // The welded interface is interior: boundary = both boundaries minus the two interface copies.
        let interface = lower.surfaces["lower-top"]!.count
        #expect(merged.boundaryFaces().count == lower.boundaryFaces().count + upper.boundaryFaces().count - 2 * interface)
        // Upper-top surface moved with its cells: area 1 at z = 2.
        #expect(abs(try merged.surfaceArea("upper-top") - 1) < 1e-12)
        #expect(try merged.nodes(ofSurface: "upper-top").allSatisfy { merged.nodes[$0].z == 2 })
        #expect(throws: MeshError.self) { try lower.merged(with: upper, weldTolerance: -1) }
    }

    @Test("Selections by predicate reproduce the generator's named sets")
    func selections() throws {
        let mesh = try MeshGenerator.box(size: SIMD3(2, 1, 3), cells: SIMD3(2, 2, 3), cellType: .hex27)
        let top = mesh.boundaryFaces { x, n in abs(x.z - 3) < 1e-12 && n.z > 0.99 }
        #expect(top == mesh.surfaces["top"]!)
        #expect(mesh.nodes { abs($0.x) < 1e-12 } == (try mesh.nodes(ofSurface: "x-")))
        #expect(mesh.cells { $0.z < 1 }.count == 4)
        let box = mesh.boundingBox
        #expect(box.lower == SIMD3(0, 0, 0) && box.upper == SIMD3(2, 1, 3))
    }
}
