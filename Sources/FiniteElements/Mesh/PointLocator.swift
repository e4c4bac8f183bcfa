/// Finds the cell containing a point and interpolates nodal fields there —
/// the basis of point probes.
///
/// Cells are binned by bounding box on a uniform grid (about one cell per bin);
/// a candidate cell is accepted when Newton's method on `x(ξ) = x` converges to
/// a reference point inside the reference cell (slack 1e-8).
///
/// ```swift
/// let locator = PointLocator(mesh: mesh)
/// if let p = try locator.interpolate(pressure, at: SIMD3(0, 0, 5)) { … }   // nil: outside the mesh
/// ```
public struct PointLocator: Sendable {
    /// The mesh searched.
    public let mesh: Mesh
    let lower: SIMD3<Double>
    let binSize: SIMD3<Double>
    let bins: SIMD3<Int>
    let binStarts: [Int]
    let binCells: [Int]

    /// Builds the bins (O(cells)).
    public init(mesh: Mesh) {
        self.mesh = mesh
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for p in mesh.nodes { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        if mesh.nodes.isEmpty { lo = .zero; hi = .zero }
        let extent = hi - lo
        let diag = max(norm(extent), 1e-300)
        let pad = SIMD3<Double>(repeating: 1e-9 * diag)
        lo -= pad
        let span = extent + 2 * pad
        let perAxis = max(1, Int(pow(Double(max(mesh.cellCount, 1)), 1.0 / 3.0).rounded()))
        let b = SIMD3(perAxis, perAxis, perAxis)
        bins = b
        lower = lo
        binSize = span / SIMD3<Double>(b)
        var lists = [[Int]](repeating: [], count: b.x * b.y * b.z)
        for c in 0..<mesh.cellCount {
            var clo = SIMD3<Double>(repeating: .infinity), chi = SIMD3<Double>(repeating: -.infinity)
            for n in mesh.cellNodes(c) { clo = pointwiseMin(clo, mesh.nodes[n]); chi = pointwiseMax(chi, mesh.nodes[n]) }
            let i0 = Self.binIndex(clo - pad, lo, binSize, b), i1 = Self.binIndex(chi + pad, lo, binSize, b)
            for k in i0.z...i1.z { for j in i0.y...i1.y { for i in i0.x...i1.x { lists[i + b.x * (j + b.y * k)].append(c) } } }
        }
        var starts = [0]
        var cells: [Int] = []
        for l in lists { cells += l; starts.append(cells.count) }
        binStarts = starts
        binCells = cells
    }

    static func binIndex(_ p: SIMD3<Double>, _ lo: SIMD3<Double>, _ size: SIMD3<Double>, _ b: SIMD3<Int>) -> SIMD3<Int> {
        let r = (p - lo) / size
        return SIMD3(min(max(Int(r.x.rounded(.down)), 0), b.x - 1), min(max(Int(r.y.rounded(.down)), 0), b.y - 1), min(max(Int(r.z.rounded(.down)), 0), b.z - 1))
    }

    /// The cell containing `x` (mm) and the reference coordinates of `x` in it, or nil outside the mesh.
    public func locate(_ x: SIMD3<Double>) -> (cell: Int, reference: SIMD3<Double>)? {
        locate(x, where: { _ in true })
    }

    /// The first cell accepted by `accept` that contains `x` (mm) — e.g. a cell carrying a
    /// given field, for a probe on an interface between regions — or nil.
    public func locate(_ x: SIMD3<Double>, where accept: (Int) -> Bool) -> (cell: Int, reference: SIMD3<Double>)? {
        let r = (x - lower) / binSize
        guard r.x >= 0, r.y >= 0, r.z >= 0, r.x < Double(bins.x) + 1e-9, r.y < Double(bins.y) + 1e-9, r.z < Double(bins.z) + 1e-9 else { return nil }
        let i = Self.binIndex(x, lower, binSize, bins)
        let bin = i.x + bins.x * (i.y + bins.y * i.z)
        var grads = [Double](repeating: 0, count: 81), vals = [Double](repeating: 0, count: 27)
        for k in binStarts[bin]..<binStarts[bin + 1] {
            let c = binCells[k]
            guard accept(c) else { continue }
            if let xi = inverseMap(cell: c, x: x, values: &vals, gradients: &grads), mesh.cellType(c).containsReferencePoint(xi, tolerance: 1e-8) {
                return (c, xi)
            }
        }
        return nil
    }

    func inverseMap(cell c: Int, x: SIMD3<Double>, values: inout [Double], gradients: inout [Double]) -> SIMD3<Double>? {
        let t = mesh.cellType(c)
        let nodes = mesh.cellNodes(c)
        var xi = t.referenceCentroid
        for _ in 0..<40 {
            var xc = SIMD3<Double>.zero
            var J = Jacobian3(.zero, .zero, .zero)
            values.withUnsafeMutableBufferPointer { v in
                gradients.withUnsafeMutableBufferPointer { g in
                    t.evaluate(at: xi, values: v.baseAddress, gradients: g.baseAddress)
                    var a = 0
                    for n in nodes {
                        let p = mesh.nodes[n]
                        xc += v[a] * p
                        J.c0 += g[3 * a] * p; J.c1 += g[3 * a + 1] * p; J.c2 += g[3 * a + 2] * p
                        a += 1
                    }
                }
            }
            guard J.determinant > 0 else { return nil }
            let (r0, r1, r2) = J.inverseRows()
            let d = x - xc
            let step = SIMD3(dot(r0, d), dot(r1, d), dot(r2, d))
            xi += step
            if norm(step) < 1e-14 { return xi }
            if norm(xi) > 10 { return nil }
        }
        return nil
    }

    /// Interpolates a nodal field at `x` (mm).
    ///
    /// - Parameters:
    ///   - values: nodal values, `values[node * components + component]`.
    ///   - components: values per node (1 scalar, 3 vector).
    /// - Returns: the `components` interpolated values, or nil when `x` is outside the mesh.
    public func interpolate(_ values: [Double], components: Int, at x: SIMD3<Double>) throws -> [Double]? {
        guard values.count == mesh.nodeCount * components else {
            throw MeshError.invalidParameter(parameter: "values.count", value: "\(values.count)",
                                             expected: "\(mesh.nodeCount) nodes × \(components) components = \(mesh.nodeCount * components)")
        }
        guard let (c, xi) = locate(x) else { return nil }
        let n = mesh.cellType(c).shapeValues(at: xi)
        var out = [Double](repeating: 0, count: components)
        for (a, node) in mesh.cellNodes(c).enumerated() {
            for k in 0..<components { out[k] += n[a] * values[node * components + k] }
        }
        return out
    }

    /// Interpolates a scalar nodal field (`values[node]`) at `x` (mm); nil outside the mesh.
    public func interpolate(_ values: [Double], at x: SIMD3<Double>) throws -> Double? {
        try interpolate(values, components: 1, at: x)?[0]
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
