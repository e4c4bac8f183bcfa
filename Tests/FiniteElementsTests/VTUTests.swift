import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FiniteElements

/// Collects the DataArrays and Piece attributes of a VTU document.
final class VTUParser: NSObject, XMLParserDelegate {
    var arrays: [String: (components: Int, values: [Double])] = [:]
    var pieceAttributes: [String: String] = [:]
    var collection: [(Double, String)] = []
    private var current: (name: String, components: Int, type: String, binary: Bool)?
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch element {
        case "Piece": pieceAttributes = attributes
        case "DataArray":
            current = (attributes["Name"] ?? "", Int(attributes["NumberOfComponents"] ?? "1") ?? 1,
                       attributes["type"] ?? "", attributes["format"] == "binary")
            text = ""
        case "DataSet": collection.append((Double(attributes["timestep"]!)!, attributes["file"]!))
        default: break
        }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { if current != nil { text += string } }
    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        if element == "DataArray", let c = current {
            if c.binary {
                // UInt64 byte count, then little-endian values (VTK inline binary, uncompressed).
                let bytes = [UInt8](Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))!)
                let count = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
                let body = Array(bytes[8..<(8 + count)])
                func word(_ i: Int, _ size: Int) -> UInt64 { (0..<size).reduce(UInt64(0)) { $0 | (UInt64(body[i * size + $1]) << (8 * UInt64($1))) } }
                switch c.type {
                case "Float64": arrays[c.name] = (c.components, (0..<(count / 8)).map { Double(bitPattern: word($0, 8)) })
                case "Int64": arrays[c.name] = (c.components, (0..<(count / 8)).map { Double(Int64(bitPattern: word($0, 8))) })
                default: arrays[c.name] = (c.components, body.map { Double($0) })
                }
            } else {
                arrays[c.name] = (c.components, text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Double($0)! })
            }
            current = nil
        }
    }
    static func parse(_ data: Data) throws -> VTUParser {
        let p = VTUParser()
        let parser = XMLParser(data: data)
        parser.delegate = p
        guard parser.parse() else { throw parser.parserError ?? MeshError.io(path: "xml", message: "parse failed") }
        return p
    }
}

@Suite("VTU/PVD output")
struct VTUTests {
    @Test("VTU round trip through XMLParser: counts, connectivity, types and field values exact", arguments: [CellType.hex20, .tet10, .hex27])
    func roundTrip(type: CellType) throws {
        let mesh: Mesh
        if type.isSimplex {
            mesh = try MeshGenerator.box(size: SIMD3(1, 2, 3), cells: SIMD3(2, 1, 2), cellType: type)
        } else {
            mesh = try MeshGenerator.ellipticCylinder(a: 3, b: 2, height: 1, around: 8, radial: 1, layers: 1, cellType: type)
        }
        let u = mesh.nodes.map { SIMD3($0.x * 0.1, -$0.y / 3, sin($0.z)) }
        let p = mesh.nodes.map { 1 / 3 + $0.x * $0.y }
        let volumes = try (0..<mesh.cellCount).map { try mesh.integrate(cells: [$0]) { _ in 1 } }
        for encoding in VTUWriter.Encoding.allCases {
        let xml = try VTUWriter.xml(mesh: mesh, pointData: [.vector("u", values: u), .scalar("p", values: p)],
                                    cellData: [.scalar("volume", values: volumes)], encoding: encoding)
        let parsed = try VTUParser.parse(Data(xml.utf8))
        #expect(Int(parsed.pieceAttributes["NumberOfPoints"]!) == mesh.nodeCount)
        #expect(Int(parsed.pieceAttributes["NumberOfCells"]!) == mesh.cellCount)
        #expect(parsed.arrays["Points"]!.values == mesh.nodes.flatMap { [$0.x, $0.y, $0.z] })
        #expect(parsed.arrays["connectivity"]!.values.map { Int($0) } == mesh.connectivity)
        #expect(parsed.arrays["offsets"]!.values.map { Int($0) } == Array(mesh.cellOffsets.dropFirst()))
        #expect(parsed.arrays["types"]!.values.allSatisfy { UInt8($0) == type.vtkCellType })
        #expect(parsed.arrays["u"]!.components == 3)
        #expect(parsed.arrays["u"]!.values == u.flatMap { [$0.x, $0.y, $0.z] })      // exact: shortest round-trip digits
        #expect(parsed.arrays["p"]!.values == p)
        #expect(parsed.arrays["volume"]!.values == volumes)
        if !type.isSimplex {
            // region: 0 = annulus, 1 = nucleus (sorted names).
            let region = parsed.arrays["region"]!.values
            #expect(Set(mesh.regions["nucleus"]!).allSatisfy { region[$0] == 1 })
            #expect(Set(mesh.regions["annulus"]!).allSatisfy { region[$0] == 0 })
        }
        }
        #expect(throws: MeshError.self) { try VTUWriter.xml(mesh: mesh, pointData: [.scalar("bad", values: [1, 2])]) }
    }

    @Test("PVD collection lists times and files; times must increase")
    func pvd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fe-pvd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mesh = try MeshGenerator.box(size: SIMD3(1, 1, 1), cells: SIMD3(1, 1, 1), cellType: .hex8)
        var pvd = PVDCollection(path: dir.appendingPathComponent("run.pvd").path)
        for (k, t) in [0.0, 0.5, 2.25].enumerated() {
            let file = "step_\(k).vtu"
            try VTUWriter.write(mesh: mesh, pointData: [.scalar("T", values: mesh.nodes.map { $0.z * t })], to: dir.appendingPathComponent(file).path)
            try pvd.add(time: t, file: file)
        }
        #expect(throws: MeshError.self) { try pvd.add(time: 1, file: "x.vtu") }
        try pvd.write()
        let parsed = try VTUParser.parse(try Data(contentsOf: URL(fileURLWithPath: pvd.path)))
        #expect(parsed.collection.map(\.0) == [0, 0.5, 2.25])
        #expect(parsed.collection.map(\.1) == ["step_0.vtu", "step_1.vtu", "step_2.vtu"])
        let last = try VTUParser.parse(try Data(contentsOf: dir.appendingPathComponent("step_2.vtu")))
        #expect(last.arrays["T"]!.values == mesh.nodes.map { $0.z * 2.25 })
    }
}

/// True when `python3` with meshio is on this machine.
let meshioAvailable: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import meshio"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run(); p.waitUntilExit(); return p.terminationStatus == 0 } catch { return false }
}()

@Suite("VTU read back by meshio")
struct MeshioTests {
    struct MeshioDump: Decodable {
        var points: [[Double]]
        var cells: [String: [[Int]]]
        var point_data: [String: [[Double]]]
        var cell_data: [String: [[[Double]]]]
    }

    @Test("meshio reads our VTU with the same nodes, cells and values", .enabled(if: meshioAvailable))
    func meshio() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fe-meshio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mesh = try MeshGenerator.ellipticCylinder(a: 25, b: 17, height: 10, around: 8, radial: 2, layers: 2, cellType: .hex20)
        let u = mesh.nodes.map { SIMD3(0.01 * $0.x, 0.02 * $0.y, -0.001 * $0.z * $0.z) }
        let p = mesh.nodes.map { 0.1 + 1e-3 * $0.x * $0.y }
        for encoding in VTUWriter.Encoding.allCases {
        let file = dir.appendingPathComponent("disc-\(encoding).vtu").path
        try VTUWriter.write(mesh: mesh, pointData: [.vector("u", values: u), .scalar("p", values: p)], encoding: encoding, to: file)
        let script = GmshTests.fixtures.appendingPathComponent("read_vtu_meshio.py").path
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        proc.arguments = ["python3", script, file]
        let pipe = Pipe()
        proc.standardOutput = pipe
        try proc.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        proc.waitUntilExit()
        #expect(proc.terminationStatus == 0)
        let dump = try JSONDecoder().decode(MeshioDump.self, from: data)
        #expect(dump.points.count == mesh.nodeCount)
        #expect(dump.cells["hexahedron20"]?.count == mesh.cellCount)
        #expect(dump.cells["hexahedron20"]?.flatMap { $0 } == mesh.connectivity)
        #expect(dump.points.map { SIMD3($0[0], $0[1], $0[2]) } == mesh.nodes)
        #expect(dump.point_data["u"]?.map { SIMD3($0[0], $0[1], $0[2]) } == u)
        #expect(dump.point_data["p"]?.map { $0[0] } == p)
        print("meshio read \(encoding): \(dump.points.count) points, \(dump.cells["hexahedron20"]!.count) hexahedron20; u, p identical")
        }
    }
}
