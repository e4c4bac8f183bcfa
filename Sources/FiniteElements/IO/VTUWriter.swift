import Foundation

/// One data array of a VTU file: `values[i * components + k]` for point or cell `i`.
///
/// ```swift
/// let u = VTUField(name: "displacement", components: 3, values: nodal)   // mm
/// let p = VTUField.scalar("pressure", values: nodalPressure)              // MPa
/// ```
public struct VTUField: Sendable, Equatable {
    /// Array name shown in ParaView (put the unit in it, e.g. `"pressure [MPa]"`, if wanted).
    public var name: String
    /// Components per point/cell: 1 scalar, 3 vector, 6 or 9 tensor.
    public var components: Int
    /// Values, `values[i * components + k]`; NaN marks "not defined here".
    public var values: [Double]

    /// A field from flat values.
    public init(name: String, components: Int, values: [Double]) {
        self.name = name; self.components = components; self.values = values
    }

    /// A scalar field.
    public static func scalar(_ name: String, values: [Double]) -> VTUField { VTUField(name: name, components: 1, values: values) }

    /// A vector field.
    public static func vector(_ name: String, values: [SIMD3<Double>]) -> VTUField {
        VTUField(name: name, components: 3, values: values.flatMap { [$0.x, $0.y, $0.z] })
    }
}

/// Writes meshes and fields as VTK XML unstructured grids (`.vtu`, ASCII,
/// Float64 values printed with 17 significant digits so they read back exactly).
///
/// Cells keep their VTK types and node order (hex8 12, hex20 25, hex27 29, tet4 10,
/// tet10 24). A cell array `region` is added when the mesh has regions other
/// than `all`: the index of the cell's first region in the alphabetically sorted
/// region names (`all` excluded), −1 when none.
///
/// ```swift
/// try VTUWriter.write(mesh: mesh, pointData: [u], cellData: [], to: "out/step_0001.vtu")
/// ```
public enum VTUWriter {
    /// How data arrays are stored.
    public enum Encoding: String, Sendable, CaseIterable, Codable {
        /// Human-readable text (shortest round-trip digits).
        case ascii
        /// Inline base64 of the raw little-endian bytes preceded by a UInt64 byte count
        /// (VTK `format="binary"`, uncompressed) — about 2.5× smaller and faster to write.
        case base64
    }

    /// The VTU document as a string.
    ///
    /// - Throws: ``MeshError/invalidParameter(parameter:value:expected:)`` when a field's length
    ///   is not `components × (nodes or cells)`.
    public static func xml(mesh: Mesh, pointData: [VTUField] = [], cellData: [VTUField] = [], encoding: Encoding = .ascii) throws -> String {
        for f in pointData where f.components < 1 || f.values.count != f.components * mesh.nodeCount {
            throw MeshError.invalidParameter(parameter: "pointData[\(f.name)].values.count", value: "\(f.values.count)",
                                             expected: "\(f.components) × \(mesh.nodeCount) nodes")
        }
        var cellFields = cellData
        let regionNames = mesh.regions.keys.filter { $0 != "all" }.sorted()
        if !regionNames.isEmpty && !cellData.contains(where: { $0.name == "region" }) {
            var id = [Double](repeating: -1, count: mesh.cellCount)
            for (k, name) in regionNames.enumerated() { for c in mesh.regions[name]! where id[c] < 0 { id[c] = Double(k) } }
            cellFields.append(.scalar("region", values: id))
        }
        for f in cellFields where f.components < 1 || f.values.count != f.components * mesh.cellCount {
            throw MeshError.invalidParameter(parameter: "cellData[\(f.name)].values.count", value: "\(f.values.count)",
                                             expected: "\(f.components) × \(mesh.cellCount) cells")
        }
        var s = ""
        s.reserveCapacity(64 * (mesh.nodeCount * 3 + mesh.connectivity.count))
        s += "<?xml version=\"1.0\"?>\n"
        s += "<VTKFile type=\"UnstructuredGrid\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n"
        s += "<UnstructuredGrid>\n"
        s += "<Piece NumberOfPoints=\"\(mesh.nodeCount)\" NumberOfCells=\"\(mesh.cellCount)\">\n"
        s += "<PointData>\n"
        for f in pointData { appendArray(&s, f, encoding) }
        s += "</PointData>\n<CellData>\n"
        for f in cellFields { appendArray(&s, f, encoding) }
        s += "</CellData>\n<Points>\n"
        appendArray(&s, VTUField(name: "Points", components: 3, values: mesh.nodes.flatMap { [$0.x, $0.y, $0.z] }), encoding)
        s += "</Points>\n<Cells>\n"
        switch encoding {
        case .ascii:
            s += "<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n"
            appendLines(&s, mesh.connectivity.lazy.map(String.init), perLine: 27)
            s += "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n"
            appendLines(&s, mesh.cellOffsets.dropFirst().lazy.map(String.init), perLine: 20)
            s += "</DataArray>\n<DataArray type=\"UInt8\" Name=\"types\" format=\"ascii\">\n"
            appendLines(&s, mesh.cellTypes.lazy.map { String($0.vtkCellType) }, perLine: 40)
        case .base64:
            s += "<DataArray type=\"Int64\" Name=\"connectivity\" format=\"binary\">\n"
            s += base64(mesh.connectivity.map { Int64($0) }) + "\n"
            s += "</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"binary\">\n"
            s += base64(mesh.cellOffsets.dropFirst().map { Int64($0) }) + "\n"
            s += "</DataArray>\n<DataArray type=\"UInt8\" Name=\"types\" format=\"binary\">\n"
            s += base64(mesh.cellTypes.map(\.vtkCellType)) + "\n"
        }
        s += "</DataArray>\n</Cells>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n"
        return s
    }

    /// Writes the VTU document to `path` (directories must exist).
    public static func write(mesh: Mesh, pointData: [VTUField] = [], cellData: [VTUField] = [], encoding: Encoding = .ascii, to path: String) throws {
        let text = try xml(mesh: mesh, pointData: pointData, cellData: cellData, encoding: encoding)
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw MeshError.io(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    static func appendArray(_ s: inout String, _ f: VTUField, _ encoding: Encoding) {
        s += "<DataArray type=\"Float64\" Name=\"\(escape(f.name))\" NumberOfComponents=\"\(f.components)\" format=\"\(encoding == .ascii ? "ascii" : "binary")\">\n"
        if encoding == .ascii {
            appendLines(&s, f.values.lazy.map(format), perLine: max(f.components, 3) * 2)
        } else {
            s += base64(f.values) + "\n"
        }
        s += "</DataArray>\n"
    }

    /// UInt64 little-endian byte count followed by the raw little-endian values, base64-encoded together.
    static func base64<T: FixedWidthInteger>(_ values: [T]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + values.count * MemoryLayout<T>.size)
        withUnsafeBytes(of: UInt64(values.count * MemoryLayout<T>.size).littleEndian) { bytes += $0 }
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        return Data(bytes).base64EncodedString()
    }

    static func base64(_ values: [Double]) -> String {
        base64(values.map { $0.bitPattern })
    }

    static func appendLines<S: Sequence>(_ s: inout String, _ items: S, perLine: Int) where S.Element == String {
        var k = 0
        for item in items {
            s += item
            k += 1
            s += k % perLine == 0 ? "\n" : " "
        }
        if k % perLine != 0 { s += "\n" }
    }

    /// Shortest round-trip representation; NaN/∞ as VTK readers expect.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }

    static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// A ParaView collection (`.pvd`) of VTU files at output times.
///
/// ```swift
/// var pvd = PVDCollection(path: "out/results.pvd")
/// for (k, t) in times.enumerated() {
///     try VTUWriter.write(mesh: mesh, pointData: fields(t), to: "out/step_\(k).vtu")
///     try pvd.add(time: t, file: "step_\(k).vtu")     // relative to the .pvd
/// }
/// try pvd.write()
/// ```
public struct PVDCollection: Sendable, Equatable {
    /// Path of the `.pvd` file.
    public let path: String
    /// Output times (s) and file names relative to the `.pvd`'s directory.
    public private(set) var entries: [(time: Double, file: String)] = []

    /// An empty collection to be written at `path`.
    public init(path: String) { self.path = path }

    /// Adds one dataset at time `time` (s); times must be finite and increasing.
    public mutating func add(time: Double, file: String) throws {
        guard time.isFinite, entries.last.map({ time > $0.time }) ?? true else {
            throw MeshError.invalidParameter(parameter: "PVD time", value: "\(time)", expected: "a finite time > \(entries.last?.time ?? -.infinity) s")
        }
        entries.append((time, file))
    }

    /// The `.pvd` document.
    public var xml: String {
        var s = "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n<Collection>\n"
        for e in entries { s += "<DataSet timestep=\"\(e.time)\" group=\"\" part=\"0\" file=\"\(VTUWriter.escape(e.file))\"/>\n" }
        s += "</Collection>\n</VTKFile>\n"
        return s
    }

    /// Writes the collection to ``path`` (rewrite after each add to keep a partial run viewable).
    public func write() throws {
        do { try xml.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw MeshError.io(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Same path and the same (time, file) entries.
    public static func == (a: PVDCollection, b: PVDCollection) -> Bool {
        a.path == b.path && a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.time == $1.time && $0.file == $1.file }
    }
}
