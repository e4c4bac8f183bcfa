import Foundation
import FiniteElements

/// The check, before anything is factored, that no connected part of the mesh can move as a
/// rigid body: a part's six infinitesimal rigid motions `u(x) = t + ω × (x − c)` carry no strain
/// energy, so unless the conditions (fixed, prescribed and symmetry components, displacement-driven
/// or rotation-locked rigid surfaces, plane strain) restrain every one of them the stiffness
/// matrix is singular and a direct solver meets a zero or negative pivot.
///
/// Each restrained component `k` at node `x` is one linear condition on `(t, ω)`:
/// `t_k + (ω × (x − c))_k = 0` (a rotation-locked rigid surface adds
/// `(ω × (x − x̄))_k = 0`: its nodes translate together). The motions left free are the null
/// space of these conditions, found from the 6 × 6 Gram matrix of their rows (lengths scaled
/// by the part's size, so the count does not depend on units).
enum RigidBodyCheck {
    /// A rigid motion no condition restrains, described for a message.
    struct FreeMode: Equatable, CustomStringConvertible {
        /// 0 = translation, 1 = rotation.
        var rotation: Bool
        /// Direction (unit vector) of the translation or of the rotation axis.
        var axis: SIMD3<Double>
        var description: String {
            let names = ["x", "y", "z"]
            let named = (0..<3).first { abs(abs(axis[$0]) - 1) < 1e-6 }.map { names[$0] }
            let dir = named ?? String(format: "(%.3g, %.3g, %.3g)", axis.x, axis.y, axis.z)
            return rotation ? "rotation about an axis along \(dir)" : "translation along \(dir)"
        }
    }

    /// What the check found: the error naming the free motions, and the same as a warning (for
    /// biphasic models, whose LDLᵀ solve perturbs zero pivots instead of failing).
    struct Finding {
        let error: ModelError
        let warning: PlausibilityWarning
    }

    /// The first connected part of `mesh` with a rigid motion that `model`'s conditions do not
    /// restrain, as an error of kind ``ModelError/Kind/unconstrained`` at `boundary` naming the
    /// free translations and rotations and what would restrain them; nil when every part is restrained.
    static func find(model: Model, mesh: Mesh) -> Finding? {
        let model = model.positioned
        // Connected parts: cells sharing a node, and the nodes of each rigid surface (they move together).
        var parent = Array(0..<mesh.nodeCount)
        func find(_ a: Int) -> Int { var a = a; while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }; return a }
        func union(_ a: Int, _ b: Int) { let ra = find(a), rb = find(b); if ra != rb { parent[ra] = rb } }
        var used = [Bool](repeating: false, count: mesh.nodeCount)
        for c in 0..<mesh.cellCount {
            let nodes = mesh.cellNodes(c)
            guard let first = nodes.first else { continue }
            for n in nodes { used[n] = true; union(first, n) }
        }
        // Restraints: (node, component) pairs, and rotation-only restraints (node, component, reference point).
        var fixed: [(node: Int, component: Int)] = []
        var locked: [(node: Int, component: Int, centre: SIMD3<Double>)] = []
        for c in model.boundary {
            guard let nodes = try? SolidSimulation.targetNodes(c, mesh: mesh), !nodes.isEmpty else { continue }
            switch c.kind {
            case let .fix(components): for n in nodes { for k in components { fixed.append((n, k)) } }
            case let .prescribe(list, _): for n in nodes { for (k, _) in list { fixed.append((n, k)) } }
            case .symmetry:
                guard case let .surface(s) = c.target, let k = try? SymmetryPlane.axis(mesh: mesh, surface: s) else { continue }
                for n in nodes { fixed.append((n, k)) }
            case .rigid(.displacement, _): for n in nodes { for k in 0..<3 { fixed.append((n, k)) } }
            case let .rigid(.loads(_, _, rotationFree, _, slide), _):
                for n in nodes.dropFirst() { union(nodes[0], n) }
                guard !rotationFree else { continue }
                let centre = nodes.reduce(SIMD3<Double>.zero) { $0 + mesh.nodes[$1] } / Double(nodes.count)
                for n in nodes { for k in 0..<3 where !slide.contains(k) { locked.append((n, k, centre)) } }
            default: continue
            }
        }
        if model.planeStrain { for n in 0..<mesh.nodeCount { fixed.append((n, 1)) } }
        // A motion segment's vertebrae: the held one fixes its endplate nodes, a free one ties its
        // endplate nodes into one rigid body.
        for v in model.motionSegment?.vertebrae ?? [] {
            guard let nodes = try? SolidSimulation.targetNodes(BoundaryCondition(target: v.tiedTo, kind: .fix([0, 1, 2])), mesh: mesh),
                  !nodes.isEmpty else { continue }
            if v.held {
                for n in nodes { for k in 0..<3 { fixed.append((n, k)) } }
            } else {
                for n in nodes.dropFirst() { union(nodes[0], n) }
            }
        }

        // Parts and their centres and sizes.
        var parts: [Int: (sum: SIMD3<Double>, count: Int, low: SIMD3<Double>, high: SIMD3<Double>)] = [:]
        for n in 0..<mesh.nodeCount where used[n] {
            let x = mesh.nodes[n]
            parts[find(n), default: (.zero, 0, x, x)].sum += x
            parts[find(n)]!.count += 1
            parts[find(n)]!.low = pointwiseMin(parts[find(n)]!.low, x)
            parts[find(n)]!.high = pointwiseMax(parts[find(n)]!.high, x)
        }
        var gram: [Int: [Double]] = [:]
        func row(_ part: Int, _ r: [Double]) {
            var g = gram[part] ?? [Double](repeating: 0, count: 36)
            for i in 0..<6 where r[i] != 0 { for j in 0..<6 { g[i * 6 + j] += r[i] * r[j] } }
            gram[part] = g
        }
        func rotationRow(_ k: Int, _ d: SIMD3<Double>) -> [Double] {
            // (ω × d)_k as a row in ω: e_j × d for j = 0, 1, 2, component k.
            (0..<3).map { j in var e = SIMD3<Double>.zero; e[j] = 1; return Self.cross(e, d)[k] }
        }
        for (n, k) in fixed where used[n] {
            let p = find(n), info = parts[p]!
            let size = max((info.high - info.low).max(), .leastNormalMagnitude)
            let d = (mesh.nodes[n] - info.sum / Double(info.count)) / size
            var t = [0.0, 0, 0]; t[k] = 1
            row(p, t + rotationRow(k, d))
        }
        for (n, k, centre) in locked where used[n] {
            let p = find(n), info = parts[p]!
            let size = max((info.high - info.low).max(), .leastNormalMagnitude)
            row(p, [0, 0, 0] + rotationRow(k, (mesh.nodes[n] - centre) / size))
        }
        // Free motions of each part: translations e_k with G e_k = 0, then rotation axes.
        for p in parts.keys.sorted() {
            let g = gram[p] ?? [Double](repeating: 0, count: 36)
            let free = freeModes(gram: g)
            guard !free.isEmpty else { continue }
            let info = parts[p]!
            let box = "the part with \(info.count) nodes in [\(fmt(info.low)), \(fmt(info.high))] mm"
            let restrain = free.contains { $0.rotation }
                ? "fix or prescribe components at nodes away from the rotation axis, or add a symmetry plane"
                : "fix or prescribe the \(free.map { ["ux", "uy", "uz"][axisIndex($0.axis) ?? 0] }.joined(separator: ", ")) component on some surface"
            let path = model.rootPath.key("boundary").description
            let motions = free.map(\.description).joined(separator: "; ")
            let error = ModelError(.unconstrained, at: path,
                                   "the model can move as a rigid body: \(box) has \(free.count) unrestrained motion\(free.count == 1 ? "" : "s") (\(motions)); constrain \(free.count == 1 ? "it" : "them"): \(restrain) (the stiffness matrix would be singular)")
            let warning = PlausibilityWarning(rule: "rigidBodyMotions", path: path, value: Double(free.count), plausible: 0...0, unit: "1",
                                              message: "of the number of unrestrained rigid-body motions of \(box) (\(motions)): the LDLᵀ solve perturbs their zero pivots, so the results hold only while no load excites these motions (a symmetric test); constrain them: \(restrain)")
            return Finding(error: error, warning: warning)
        }
        return nil
    }

    /// Bounding-box edge lengths (mm) of `mesh`'s nodes.
    static func extent(of mesh: Mesh) -> SIMD3<Double> {
        guard var low = mesh.nodes.first else { return .zero }
        var high = low
        for x in mesh.nodes { low = pointwiseMin(low, x); high = pointwiseMax(high, x) }
        return high - low
    }

    static func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    static func fmt(_ x: SIMD3<Double>) -> String { [x.x, x.y, x.z].map { PlausibilityWarning.format($0) }.joined(separator: ", ") }

    static func axisIndex(_ a: SIMD3<Double>) -> Int? { (0..<3).first { abs(abs(a[$0]) - 1) < 1e-6 } }

    /// The rigid motions in the null space of the Gram matrix `g` (6 × 6, row-major over
    /// `(t_x, t_y, t_z, ω_x, ω_y, ω_z)`), one per null dimension: coordinate translations and
    /// rotations first where they are free, otherwise the null vectors' directions.
    static func freeModes(gram g: [Double]) -> [FreeMode] {
        let (values, vectors) = symmetricEigen(g, n: 6)
        let scale = max(values.map(abs).max() ?? 0, 1)
        let null = (0..<6).filter { values[$0] <= 1e-10 * scale }.map { i in (0..<6).map { vectors[$0 * 6 + i] } }
        guard !null.isEmpty else { return [] }
        // Describe: a vector in span(null) whose ω part is zero is a translation; otherwise a rotation.
        func inNull(_ v: [Double]) -> Bool {
            // ‖v − P v‖ with P the projector onto span(null) (orthonormal columns).
            var r = v
            for n in null { let c = zip(n, v).reduce(0) { $0 + $1.0 * $1.1 }; for i in 0..<6 { r[i] -= c * n[i] } }
            return r.reduce(0) { $0 + $1 * $1 } < 1e-12
        }
        var modes: [FreeMode] = []
        for k in 0..<3 {
            var v = [Double](repeating: 0, count: 6); v[k] = 1
            if inNull(v) { var a = SIMD3<Double>.zero; a[k] = 1; modes.append(FreeMode(rotation: false, axis: a)) }
        }
        // A rotation about a coordinate axis (through any point) is free when some null vector has ω = e_j:
        // project e_j in ω-space onto the ω parts of the null basis.
        let omegas = null.map { SIMD3($0[3], $0[4], $0[5]) }
        for j in 0..<3 where modes.count < null.count {
            var e = SIMD3<Double>.zero; e[j] = 1
            if inSpan(e, omegas) { modes.append(FreeMode(rotation: true, axis: e)) }
        }
        // Any dimension left is an oblique motion: name the remaining null vectors' directions.
        for n in null where modes.count < null.count {
            let w = SIMD3(n[3], n[4], n[5]), t = SIMD3(n[0], n[1], n[2])
            let isRotation = (w * w).sum() > 1e-12
            let a = isRotation ? w / (w * w).sum().squareRoot() : t / max((t * t).sum().squareRoot(), .leastNormalMagnitude)
            let mode = FreeMode(rotation: isRotation, axis: a)
            if !modes.contains(mode) { modes.append(mode) }
        }
        return modes
    }

    /// True when `e` lies in the span of `vectors` (3-vectors), to 1e-6.
    static func inSpan(_ e: SIMD3<Double>, _ vectors: [SIMD3<Double>]) -> Bool {
        var basis: [SIMD3<Double>] = []
        for v in vectors {
            var u = v
            for b in basis { u -= (u * b).sum() * b }
            let norm = (u * u).sum().squareRoot()
            if norm > 1e-8 { basis.append(u / norm) }
        }
        var r = e
        for b in basis { r -= (r * b).sum() * b }
        return (r * r).sum() < 1e-12
    }

    /// Eigenvalues and eigenvectors (columns of the row-major `n × n` result) of a symmetric
    /// matrix by cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, §8.5); `n` is 6 here.
    static func symmetricEigen(_ m: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        var a = m
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where i != j { off += a[i * n + j] * a[i * n + j] } }
            let total = a.reduce(0) { $0 + $1 * $1 }
            if off <= 1e-30 * max(total, .leastNormalMagnitude) { break }
            for p in 0..<n - 1 {
                for q in p + 1..<n where a[p * n + q] != 0 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq; a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk; a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq; v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}

extension Collection where Element == String {
    /// "the mesh has: a, b" for an unknown-name message, or, when the mesh has none of `kind`
    /// (plural, e.g. "surfaces"), a sentence saying so and where such names come from.
    func meshHas(_ kind: String) -> String {
        isEmpty ? "the mesh has no \(kind) (a Gmsh file defines them as physical groups)" : "the mesh has: \(sorted().joined(separator: ", "))"
    }
}
