import FiniteElements
import SparseLinearAlgebra

/// The nonlinear master–slave elimination of the nodes tied to rigid vertebrae, together with the
/// translation-only ties of the host model (groups of equations sharing one unknown).
///
/// Reduced unknowns: the free equations (one per tie group), then the active unknowns of each
/// body, `(c, ψ)` — translation (mm) and rotation vector (rad), additive so that any Newton
/// update `y ← y + Δy` is admissible. A tied equation's value is the node's displacement component
/// `u_a = c + (exp([ψ]×) − I)(X_a − X_ref)`.
///
/// **Linearisation.** With the spatial spin `δω = T(ψ) δψ` (``rotationTangentMap(_:)``),
/// `δu_a = δc − [r_a]× T(ψ) δψ = C_a δq`. The reduced residual is exact:
/// `R_free`, and per body `Σ_a C_aᵀ R_a − Bᵀ W` with `R_a = f_int − f_ext` at the tied nodes,
/// `W` the generalized force (force, moment about the current reference point) of the applied
/// load, the ligaments and the facets, and `B = diag(I, T(ψ))`. The tangent is
/// `Cᵀ K C + Bᵀ (K_g + K_w) B`, with `K` the host model's symmetric tangent, `K_g = Σ_a
/// [R_a]×[r_a]×` the geometric stiffness of the finite rotation and `K_w = −∂W/∂ω` the ligament
/// and facet tangents. `Cᵀ K C + Bᵀ sym(K_g + K_w) B` is the symmetric matrix the supernodal
/// `LDLᵀ` factors; the skew part `Bᵀ skew(K_g + K_w) B` lives on the vertebrae's unknowns only
/// and is handed to Newton as a ``TangentCorrection`` (solved exactly by Woodbury on the `LDLᵀ`
/// factor). That skew part does not vanish at equilibrium when an applied moment (or any load
/// with no stiffness of its own) acts on a vertebra: `skew(K_g + K_w) = ½[Σ r × f]×` over the
/// point forces, which balance the applied moment `M`, so it is `−½[M]×` — ±4.1 N·m/rad for the
/// cervical limit model's 8.2 N·m pull moment. Without it Newton converged linearly at a rate
/// `‖K⁻¹ skew‖` and stalled above its tolerance at 200 N (Benchmarks/results/limits.md). The
/// term `∂T(ψ)ᵀ/∂ψ · G`, `G` the net moment imbalance, is still dropped: it is proportional to
/// the residual, so Newton stays quadratic. The solution is unaffected (the residual is exact).
struct RigidBodyCondensation: Sendable {
    /// A stored full entry's share of a stored reduced entry: `factor · coef[slotA] · coef[slotB]`.
    struct Contribution: Sendable {
        let source: Int32, target: Int32, slotA: Int32, slotB: Int32
        let factor: Double
    }

    /// Number of full equations (after Dirichlet elimination).
    let fullCount: Int
    /// Number of reduced unknowns.
    let reducedCount: Int
    /// Reduced pattern (zero values).
    let pattern: SymmetricMatrix
    /// Per full equation: the reduced index (≥ 0), or `−1 − s` for tied slot `s = 3·node + component`.
    let target: [Int32]
    /// Per tied node: body index.
    let tiedBody: [Int]
    /// Per tied node: reference position (mm).
    let tiedPoint: [SIMD3<Double>]
    /// Per tied slot `3·node + component`: its full equation.
    let tiedEquation: [Int]
    /// Per body: reduced index of each of its six unknowns, −1 when locked.
    let bodyDofs: [[Int]]
    /// Per body: reference point (mm).
    let referencePoints: [SIMD3<Double>]
    let contributions: [Contribution]
    /// Storage index in ``pattern`` for body-unknown pair `(I, J)` (row-major over `6·bodies`), −1 if locked.
    let bodyEntries: [Int32]

    /// - Throws: ``MotionSegmentError/invalidParameter(name:value:expected:)`` for a tied node
    ///   whose displacement is prescribed or that belongs to a translation tie.
    init(full: SymmetricMatrix, numbering: EquationNumbering, mesh: Mesh, displacementDof: (Int, Int) -> Int,
         groups: [[Int]], bodies: CoupledRigidBodies) throws {
        let n = full.dimension
        fullCount = n
        var target = [Int32](repeating: Int32.min, count: n)
        var tiedBody: [Int] = [], tiedPoint: [SIMD3<Double>] = [], tiedEquation: [Int] = []
        for (b, v) in bodies.vertebrae.enumerated() {
            for node in v.nodes {
                let s = tiedBody.count
                tiedBody.append(b); tiedPoint.append(mesh.nodes[node])
                for comp in 0..<3 {
                    let e = numbering.equation(ofDof: displacementDof(node, comp))
                    guard e >= 0 else {
                        throw MotionSegmentError.invalidParameter(name: "\(v.name).nodes", value: Double(node),
                                                                  expected: "a node whose displacement is not prescribed (component \(comp) is)")
                    }
                    target[e] = Int32(-1 - (3 * s + comp))
                    tiedEquation.append(e)
                }
            }
        }
        var leader = Array(0..<n)
        for g in groups where !g.isEmpty {
            if let e = g.first(where: { target[$0] != Int32.min }) {
                let s = Int(-1 - target[e])
                throw MotionSegmentError.invalidParameter(name: "\(bodies.vertebrae[tiedBody[s / 3]].name).nodes", value: Double(e),
                                                          expected: "nodes not also in a translation tie (equation \(e) is)")
            }
            let l = g.min()!
            for e in g { leader[e] = l }
        }
        var count = 0
        for e in 0..<n where target[e] == Int32.min {
            if leader[e] == e { target[e] = Int32(count); count += 1 } else { target[e] = target[leader[e]] }
        }
        var bodyDofs: [[Int]] = []
        for v in bodies.vertebrae {
            var d = [Int](repeating: -1, count: 6)
            for k in 0..<6 where !(v.lockedRotation && k >= 3) { d[k] = count; count += 1 }
            bodyDofs.append(d)
        }
        reducedCount = count
        self.target = target; self.tiedBody = tiedBody; self.tiedPoint = tiedPoint; self.tiedEquation = tiedEquation
        self.bodyDofs = bodyDofs
        referencePoints = bodies.vertebrae.map(\.referencePoint)

        // Reduced unknowns and coefficient slots of a full equation.
        func list(_ e: Int) -> [(index: Int, slot: Int)] {
            let t = Int(target[e])
            if t >= 0 { return [(t, 0)] }
            let s = -1 - t
            let d = bodyDofs[tiedBody[s / 3]]
            return (0..<6).compactMap { d[$0] >= 0 ? (d[$0], 1 + 6 * s + $0) : nil }
        }
        let lists = (0..<n).map(list)
        func visit(_ body: (Int, Int, Int, Int, Int, Double) -> Void) {
            for j in 0..<n {
                for p in full.columnStarts[j]..<full.columnStarts[j + 1] {
                    let i = Int(full.rowIndices[p])
                    let li = lists[i]
                    if i == j {
                        for x in 0..<li.count { for y in 0...x { body(p, li[x].index, li[y].index, li[x].slot, li[y].slot, 1) } }
                    } else {
                        for a in li { for b in lists[j] { body(p, a.index, b.index, a.slot, b.slot, a.index == b.index ? 2 : 1) } }
                    }
                }
            }
        }
        var columns = [Set<Int32>](repeating: [], count: count)
        visit { _, a, b, _, _, _ in columns[min(a, b)].insert(Int32(max(a, b))) }
        let active = bodyDofs.flatMap { $0 }
        for a in active where a >= 0 { for b in active where b >= 0 { columns[min(a, b)].insert(Int32(max(a, b))) } }
        var starts = [0], rows: [Int32] = []
        for c in 0..<count { rows.append(contentsOf: columns[c].sorted()); starts.append(rows.count) }
        pattern = try SymmetricMatrix(dimension: count, columnStarts: starts, rowIndices: rows, values: [Double](repeating: 0, count: rows.count))
        func position(_ a: Int, _ b: Int) -> Int32 {
            let col = min(a, b), row = Int32(max(a, b))
            var lo = starts[col], hi = starts[col + 1]
            while lo < hi { let mid = (lo + hi) / 2; if rows[mid] < row { lo = mid + 1 } else { hi = mid } }
            return Int32(lo)
        }
        var contributions: [Contribution] = []
        visit { p, a, b, sa, sb, f in
            contributions.append(Contribution(source: Int32(p), target: position(a, b), slotA: Int32(sa), slotB: Int32(sb), factor: f))
        }
        self.contributions = contributions
        bodyEntries = active.flatMap { a in active.map { b in a >= 0 && b >= 0 ? position(a, b) : -1 } }
    }

    /// The bodies' poses for reduced unknowns `y`.
    func poses(_ y: [Double]) -> [RigidBodyPose] {
        bodyDofs.enumerated().map { b, d in
            var q = [Double](repeating: 0, count: 6)
            for k in 0..<6 where d[k] >= 0 { q[k] = y[d[k]] }
            return RigidBodyPose(referencePoint: referencePoints[b], translation: SIMD3(q[0], q[1], q[2]),
                                 rotation: Rotation(rotationVector: SIMD3(q[3], q[4], q[5])))
        }
    }

    /// The rotation vectors `ψ` (rad) in `y`.
    func rotationVectors(_ y: [Double]) -> [SIMD3<Double>] {
        bodyDofs.map { d in SIMD3((3..<6).map { d[$0] >= 0 ? y[d[$0]] : 0 }) }
    }

    /// The full equation values (mm, MPa) for reduced unknowns `y`.
    func expand(_ y: [Double]) -> [Double] {
        let poses = self.poses(y)
        let u = tiedPoint.indices.map { poses[tiedBody[$0]].displacement(of: tiedPoint[$0]) }
        var x = [Double](repeating: 0, count: fullCount)
        for e in 0..<fullCount {
            let t = Int(target[e])
            if t >= 0 { x[e] = y[t] } else { let s = -1 - t; x[e] = u[s / 3][s % 3] }
        }
        return x
    }

    /// The coefficient table: slot 0 = 1; slot `1 + 6s + k` = entry `(s mod 3, k)` of `C_a` for tied slot `s`.
    func coefficients(poses: [RigidBodyPose], maps: [Mat3]) -> [Double] {
        var coef = [Double](repeating: 0, count: 1 + 18 * tiedPoint.count)
        coef[0] = 1
        for a in tiedPoint.indices {
            let b = tiedBody[a]
            let w = -(Mat3.skew(poses[b].arm(of: tiedPoint[a])) * maps[b])
            for i in 0..<3 {
                let base = 1 + 6 * (3 * a + i)
                coef[base + i] = 1
                for k in 0..<3 { coef[base + 3 + k] = w[i, k] }
            }
        }
        return coef
    }

    /// The generalized force (force N, moment N·mm about the current reference point, global axes)
    /// of the applied loads, ligaments and facets on the bodies, and `−∂/∂ω` of it.
    /// - Throws: ``MotionSegmentError/nonFinite(culprit:)`` naming the ligament or facet.
    static func bodyForces(_ bodies: CoupledRigidBodies, poses: [RigidBodyPose], time: Double, timeStep: Double?,
                           loadsOn: Bool) throws -> RigidAssembly {
        let nb = poses.count
        var asm = RigidAssembly(bodyCount: nb)
        if loadsOn { for (b, v) in bodies.vertebrae.enumerated() { asm.addLoad(body: b, v.load(at: time)) } }
        func merge(_ part: RigidAssembly, _ force: Double, _ name: String) throws {
            guard force.isFinite, part.residual.allSatisfy(\.isFinite), part.stiffness.values.allSatisfy(\.isFinite) else {
                throw MotionSegmentError.nonFinite(culprit: name)
            }
            for i in 0..<asm.residual.count { asm.residual[i] += part.residual[i] }
            for i in 0..<asm.stiffness.values.count { asm.stiffness.values[i] += part.stiffness.values[i] }
        }
        for l in bodies.ligaments {
            var part = RigidAssembly(bodyCount: nb)
            let f = l.assemble(into: &part, bodies: poses, timeStep: timeStep)
            try merge(part, f, "ligament \(l.name) (length \(l.length(poses)) mm)")
        }
        for c in bodies.facets {
            var part = RigidAssembly(bodyCount: nb)
            let f = c.assemble(into: &part, bodies: poses)
            try merge(part, f, "facet \(c.name) (minimum gap \(c.gaps(poses).min() ?? .nan) mm)")
        }
        return asm
    }

    /// Reduced residual and (when `tangent` is non-nil) reduced tangent from the host model's full
    /// residual `r = f_int − f_ext` and symmetric tangent `k` at reduced unknowns `y`.
    /// - Throws: ``MotionSegmentError/nonFinite(culprit:)``; `TangentCorrectionError` if the
    ///   bodies' active unknowns were not distinct non-negative indices (they are by construction).
    func condense(residual r: [Double], matrix k: SymmetricMatrix?, tangent: inout SymmetricMatrix?,
                  correction: inout TangentCorrection?, state y: [Double],
                  bodies: CoupledRigidBodies, time: Double, timeStep: Double?, loadsOn: Bool) throws -> [Double] {
        let poses = self.poses(y)
        let maps = rotationVectors(y).map(rotationTangentMap)
        let coef = coefficients(poses: poses, maps: maps)
        var out = [Double](repeating: 0, count: reducedCount)
        for e in 0..<fullCount {
            let t = Int(target[e])
            if t >= 0 { out[t] += r[e]; continue }
            let s = -1 - t, d = bodyDofs[tiedBody[s / 3]]
            for q in 0..<6 where d[q] >= 0 { out[d[q]] += coef[1 + 6 * s + q] * r[e] }
        }
        var asm = try Self.bodyForces(bodies, poses: poses, time: time, timeStep: timeStep, loadsOn: loadsOn)
        let nb = poses.count
        // Geometric stiffness of the tied nodes' forces under finite rotation.
        for a in tiedPoint.indices {
            let ra = SIMD3(r[tiedEquation[3 * a]], r[tiedEquation[3 * a + 1]], r[tiedEquation[3 * a + 2]])
            asm.addBlock(tiedBody[a], 1, tiedBody[a], 1, Mat3.skew(ra) * Mat3.skew(poses[tiedBody[a]].arm(of: tiedPoint[a])))
        }
        for b in 0..<nb {
            let w = asm.residual[(6 * b)..<(6 * b + 6)]
            let m = maps[b].transposed * SIMD3(w[6 * b + 3], w[6 * b + 4], w[6 * b + 5])
            let d = bodyDofs[b]
            for q in 0..<3 where d[q] >= 0 { out[d[q]] -= w[6 * b + q] }
            for q in 0..<3 where d[3 + q] >= 0 { out[d[3 + q]] -= m[q] }
        }
        for v in out where !v.isFinite { throw MotionSegmentError.nonFinite(culprit: "rigid vertebra coupling") }
        guard tangent != nil, let k else { return out }
        // Bᵀ sym(K_ω) B into the symmetric tangent and Bᵀ skew(K_ω) B into the correction,
        // B = blockdiag(I, T(ψ_b)).
        let nq = 6 * nb
        var bmat = DenseMatrix(rows: nq, columns: nq)
        for b in 0..<nb {
            for i in 0..<3 { bmat[6 * b + i, 6 * b + i] = 1; for j in 0..<3 { bmat[6 * b + 3 + i, 6 * b + 3 + j] = maps[b][i, j] } }
        }
        var kb = DenseMatrix(rows: nq, columns: nq), skew = DenseMatrix(rows: nq, columns: nq)
        for i in 0..<nq { for j in 0..<nq {
            var s = 0.0, a = 0.0
            for p in 0..<nq where bmat[p, i] != 0 {
                for q in 0..<nq where bmat[q, j] != 0 {
                    s += bmat[p, i] * 0.5 * (asm.stiffness[p, q] + asm.stiffness[q, p]) * bmat[q, j]
                    a += bmat[p, i] * 0.5 * (asm.stiffness[p, q] - asm.stiffness[q, p]) * bmat[q, j]
                }
            }
            kb[i, j] = s; skew[i, j] = a
        } }
        let activeBody = (0..<nq).filter { bodyDofs[$0 / 6][$0 % 6] >= 0 }
        correction = try TangentCorrection(unknowns: activeBody.map { bodyDofs[$0 / 6][$0 % 6] },
                                       values: activeBody.flatMap { i in activeBody.map { j in skew[i, j] } })
        var red = tangent!
        red.values.withUnsafeMutableBufferPointer { o in
            for i in 0..<o.count { o[i] = 0 }
            k.values.withUnsafeBufferPointer { v in
                coef.withUnsafeBufferPointer { c in
                    contributions.withUnsafeBufferPointer { list in
                        for t in list { o[Int(t.target)] += t.factor * c[Int(t.slotA)] * c[Int(t.slotB)] * v[Int(t.source)] }
                    }
                }
            }
            for i in 0..<nq { for j in 0...i {
                let p = bodyEntries[i * nq + j]
                if p >= 0 { o[Int(p)] += kb[i, j] }
            } }
        }
        for v in red.values where !v.isFinite { throw MotionSegmentError.nonFinite(culprit: "rigid vertebra coupling tangent") }
        tangent = red
        return out
    }
}
