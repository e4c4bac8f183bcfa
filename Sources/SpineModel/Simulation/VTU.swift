import Foundation
import Biomechanics
import FiniteElements

extension Simulation {
    /// Writes the mesh with point data `displacement` (mm) and cell data: the
    /// cell-average Cauchy stress (MPa, 6 components xx yy zz xy yz xz) and
    /// its von Mises value, as an ASCII VTK XML unstructured grid (VTK node
    /// order = the mesh's order).
    func writeVTU(to url: URL, displacement u: [Double]) throws {
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
        var x = "<?xml version=\"1.0\"?>\n<VTKFile type=\"UnstructuredGrid\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n<UnstructuredGrid>\n"
        x += "<Piece NumberOfPoints=\"\(mesh.nodeCount)\" NumberOfCells=\"\(mesh.cellCount)\">\n"
        x += "<Points>\n<DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">\n"
        for p in mesh.nodes { x += "\(p.x) \(p.y) \(p.z)\n" }
        x += "</DataArray>\n</Points>\n<Cells>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n"
        x += mesh.connectivity.map(String.init).joined(separator: " ") + "\n</DataArray>\n"
        x += "<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n" + mesh.cellOffsets.dropFirst().map(String.init).joined(separator: " ") + "\n</DataArray>\n"
        x += "<DataArray type=\"UInt8\" Name=\"types\" format=\"ascii\">\n" + (0..<mesh.cellCount).map { String(mesh.cellType($0).vtkCellType) }.joined(separator: " ") + "\n</DataArray>\n"
        x += "</Cells>\n<PointData Vectors=\"displacement\">\n<DataArray type=\"Float64\" Name=\"displacement\" NumberOfComponents=\"3\" format=\"ascii\">\n"
        for i in 0..<mesh.nodeCount { x += "\(u[3 * i]) \(u[3 * i + 1]) \(u[3 * i + 2])\n" }
        x += "</DataArray>\n</PointData>\n<CellData>\n<DataArray type=\"Float64\" Name=\"stress\" NumberOfComponents=\"6\" format=\"ascii\">\n"
        for s in stress { x += (0..<6).map { String(s[voigt: $0]) }.joined(separator: " ") + "\n" }
        x += "</DataArray>\n<DataArray type=\"Float64\" Name=\"vonMises\" format=\"ascii\">\n"
        x += stress.map { String($0.vonMises) }.joined(separator: " ") + "\n</DataArray>\n</CellData>\n</Piece>\n</UnstructuredGrid>\n</VTKFile>\n"
        try write(x, to: url)
    }
}

/// A ParaView collection file listing one VTU per output time.
enum PVD {
    static func collection(_ files: [(Double, String)]) -> String {
        var x = "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n<Collection>\n"
        for (t, f) in files { x += "<DataSet timestep=\"\(t)\" group=\"\" part=\"0\" file=\"\(f)\"/>\n" }
        return x + "</Collection>\n</VTKFile>\n"
    }
}
