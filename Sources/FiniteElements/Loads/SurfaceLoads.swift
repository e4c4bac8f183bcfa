/// Consistent nodal loads from distributed surface loads (physics-agnostic:
/// the integrand's unit times mm² is the unit of the nodal value).
public enum SurfaceLoads {
    /// Adds `∫ N_a t(x, n) dA` to `forces[a]` for every node `a` of surface `name`,
    /// integrating on the reference surface with the face's default rule plus `extraDegree`.
    ///
    /// - Parameters:
    ///   - forces: one entry per mesh node (accumulated, e.g. N for a traction in MPa).
    ///   - traction: the load at a reference point `x` (mm) with outward unit normal `n`.
    /// - Throws: the mesh's error for an unknown surface or a degenerate face.
    public static func accumulate(mesh: Mesh, surface name: String, extraDegree: Int = 0, into forces: inout [SIMD3<Double>],
                                  traction: (_ x: SIMD3<Double>, _ n: SIMD3<Double>) -> SIMD3<Double>) throws {
        precondition(forces.count == mesh.nodeCount)
        var cache: [FaceType: FaceValues] = [:]
        for face in try mesh.faces(ofSurface: name) {
            let t = mesh.faceType(face)
            if cache[t] == nil { cache[t] = FaceValues(faceType: t, degree: t.defaultQuadratureDegree + extraDegree) }
            try cache[t]!.reinit(mesh: mesh, face: face)
            let fv = cache[t]!
            let n = fv.basisCount
            for q in 0..<fv.quadratureCount {
                let load = traction(fv.points[q], fv.normals[q]) * fv.jxw[q]
                for a in 0..<n { forces[fv.nodes[a]] += fv.values[q * n + a] * load }
            }
        }
    }

    /// Consistent nodal forces (N) of a pressure `p` (MPa, positive pushing into
    /// the body: traction `−p n`) on the reference surface `name`.
    public static func pressure(_ p: Double, mesh: Mesh, surface name: String, into forces: inout [SIMD3<Double>]) throws {
        try accumulate(mesh: mesh, surface: name, into: &forces) { _, n in -p * n }
    }

    /// Consistent nodal forces (N) of a total force `total` (N) spread uniformly
    /// per unit reference area over surface `name`.
    /// - Throws: ``LoadError/zeroArea(surface:)``.
    public static func totalForce(_ total: SIMD3<Double>, mesh: Mesh, surface name: String, into forces: inout [SIMD3<Double>]) throws {
        let area = try mesh.surfaceArea(name)
        guard area > 0 else { throw LoadError.zeroArea(surface: name) }
        try accumulate(mesh: mesh, surface: name, into: &forces) { _, _ in total / area }
    }
}

/// Symmetry planes: a flat surface normal to a coordinate axis on which the
/// normal displacement component vanishes.
public enum SymmetryPlane {
    /// The coordinate axis (0 = x, 1 = y, 2 = z) normal to surface `name`.
    /// - Throws: ``LoadError/symmetryPlaneNotAxisAligned(surface:normal:)`` when a
    ///   face normal deviates from the axis by more than `tolerance` (in `1 − |n·e|`).
    public static func axis(mesh: Mesh, surface name: String, tolerance: Double = 1e-9) throws -> Int {
        var axis = -1
        var cache: [FaceType: FaceValues] = [:]
        for face in try mesh.faces(ofSurface: name) {
            let t = mesh.faceType(face)
            if cache[t] == nil { cache[t] = FaceValues(faceType: t) }
            try cache[t]!.reinit(mesh: mesh, face: face)
            for n in cache[t]!.normals {
                let k = abs(n.x) >= abs(n.y) && abs(n.x) >= abs(n.z) ? 0 : (abs(n.y) >= abs(n.z) ? 1 : 2)
                if axis < 0 { axis = k }
                guard k == axis, 1 - abs(n[k]) <= tolerance else { throw LoadError.symmetryPlaneNotAxisAligned(surface: name, normal: n) }
            }
        }
        guard axis >= 0 else { throw LoadError.zeroArea(surface: name) }
        return axis
    }
}
