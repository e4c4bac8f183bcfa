/// Element kernels of solid mechanics: the internal-force vector and tangent
/// stiffness of one cell, written into caller-provided buffers.
///
/// Inputs are the cell's shape-function gradients with respect to the
/// reference coordinates `X` (mm⁻¹) at its quadrature points and the
/// quadrature weights times the Jacobian determinant (`jxw`, mm³) — what
/// `CellValues` of FiniteElements provides — plus the cell's nodal
/// displacements.
///
/// Index orders (basix style):
/// - `gradients[(q * nodeCount + a) * 3 + d]` — (point, node, direction), `∂N_a/∂X_d` at point `q`;
/// - `displacement[a * 3 + i]` — (node, component), mm;
/// - `force[a * 3 + i]` — (node, component), N: the internal force `∫ Bᵀσ dV`;
/// - `stiffness[r * (3n) + c]` — row-major, `r = 3a + i`, `c = 3b + k`, N/mm.
///
/// Both buffers are overwritten (not accumulated).
public enum SolidKernel {
    /// Small-strain linear elasticity: `K = ∫ Bᵀ D B dV`, `f = K u`
    /// (linear, so the force is computed from the strain at each point).
    ///
    /// - Parameters:
    ///   - stiffnessMatrix: the material's elasticity matrix at this cell (MPa, global axes).
    ///   - stiffness: pass nil to compute the force only.
    @inlinable
    package static func smallStrain(nodeCount n: Int, quadratureCount nq: Int,
                                   gradients: UnsafeBufferPointer<Double>, jxw: UnsafeBufferPointer<Double>,
                                   displacement: UnsafeBufferPointer<Double>, elasticity d: VoigtMatrix,
                                   force: UnsafeMutableBufferPointer<Double>, stiffness: UnsafeMutableBufferPointer<Double>?) {
        let nd = 3 * n
        for i in 0..<nd { force[i] = 0 }
        if let k = stiffness { for i in 0..<nd * nd { k[i] = 0 } }
        d.values.withUnsafeBufferPointer { dv in
            // DB for one point: 6 × 3n, row-major (scratch on the stack).
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 6 * nd) { db in
                let dp = dv.baseAddress!
                for q in 0..<nq {
                    let w = jxw[q]
                    let g = gradients.baseAddress! + q * n * 3
                    // Engineering strain at q.
                    var e0 = 0.0, e1 = 0.0, e2 = 0.0, e3 = 0.0, e4 = 0.0, e5 = 0.0
                    for a in 0..<n {
                        let gx = g[3 * a], gy = g[3 * a + 1], gz = g[3 * a + 2]
                        let ux = displacement[3 * a], uy = displacement[3 * a + 1], uz = displacement[3 * a + 2]
                        e0 += gx * ux; e1 += gy * uy; e2 += gz * uz
                        e3 += gy * ux + gx * uy; e4 += gz * uy + gy * uz; e5 += gz * ux + gx * uz
                    }
                    func row(_ r: Int) -> Double {
                        let p = dp + 6 * r
                        return (p[0] * e0 + p[1] * e1 + p[2] * e2 + p[3] * e3 + p[4] * e4 + p[5] * e5) * w
                    }
                    let s0 = row(0), s1 = row(1), s2 = row(2), s3 = row(3), s4 = row(4), s5 = row(5)
                    // f_a = B_aᵀ σ w.
                    for a in 0..<n {
                        let gx = g[3 * a], gy = g[3 * a + 1], gz = g[3 * a + 2]
                        force[3 * a] += gx * s0 + gy * s3 + gz * s5
                        force[3 * a + 1] += gy * s1 + gx * s3 + gz * s4
                        force[3 * a + 2] += gz * s2 + gy * s4 + gx * s5
                    }
                    guard let k = stiffness else { continue }
                    // DB(:, 3b+k) = Σ_c D(:, c) B(c, 3b+k) · w.
                    for b in 0..<n {
                        let gx = g[3 * b], gy = g[3 * b + 1], gz = g[3 * b + 2]
                        for r in 0..<6 {
                            let p = dp + 6 * r
                            db[r * nd + 3 * b] = (p[0] * gx + p[3] * gy + p[5] * gz) * w
                            db[r * nd + 3 * b + 1] = (p[1] * gy + p[3] * gx + p[4] * gz) * w
                            db[r * nd + 3 * b + 2] = (p[2] * gz + p[4] * gy + p[5] * gx) * w
                        }
                    }
                    // K(3a+i, :) += Σ_r B(r, 3a+i) DB(r, :); B rows of component i: (i, 3, 5), (1, 3, 4), (2, 4, 5).
                    let base = db.baseAddress!
                    let kp = k.baseAddress!
                    for a in 0..<n {
                        let gx = g[3 * a], gy = g[3 * a + 1], gz = g[3 * a + 2]
                        let ox = kp + (3 * a) * nd, oy = ox + nd, oz = oy + nd
                        let d0 = base, d1 = base + nd, d2 = base + 2 * nd, d3 = base + 3 * nd, d4 = base + 4 * nd, d5 = base + 5 * nd
                        for c in 0..<nd {
                            ox[c] += gx * d0[c] + gy * d3[c] + gz * d5[c]
                            oy[c] += gy * d1[c] + gx * d3[c] + gz * d4[c]
                            oz[c] += gz * d2[c] + gy * d4[c] + gx * d5[c]
                        }
                    }
                }
            }
        }
    }

    /// Total-Lagrangian finite strain for any ``SolidMaterial``: internal force
    /// `f = ∫ B_Lᵀ S dV₀` and tangent `K = ∫ B_Lᵀ ℂ B_L dV₀ + ∫ (∇N_a·S∇N_b) I dV₀`
    /// (material + geometric stiffness), with `F = I + ∇₀u`.
    ///
    /// - Parameters:
    ///   - axes: material axes of the cell (rotation, columns = axes).
    /// - Throws: ``MaterialError/nonPositiveJacobian(J:)`` for an inverted point.
    @inlinable
    package static func finiteStrain(nodeCount n: Int, quadratureCount nq: Int,
                                    gradients: UnsafeBufferPointer<Double>, jxw: UnsafeBufferPointer<Double>,
                                    displacement: UnsafeBufferPointer<Double>, material: some SolidMaterial, axes: Tensor3,
                                    force: UnsafeMutableBufferPointer<Double>, stiffness: UnsafeMutableBufferPointer<Double>?) throws {
        let nd = 3 * n
        for i in 0..<nd { force[i] = 0 }
        if let k = stiffness { for i in 0..<nd * nd { k[i] = 0 } }
        // Scratch on the stack: B_L (6 × 3n, row-major), then ℂ B_L w (6 × 3n), then ℂ (36).
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: 12 * nd + 36) { scratch in
            let bl = scratch.baseAddress!, cb = bl + 6 * nd, cm = cb + 6 * nd
            for q in 0..<nq {
                let w = jxw[q]
                let g = gradients.baseAddress! + q * n * 3
                var f = Tensor3.identity
                for a in 0..<n {
                    for i in 0..<3 { for j in 0..<3 { f[i, j] += displacement[3 * a + i] * g[3 * a + j] } }
                }
                let (s, c) = try material.secondPiolaKirchhoff(deformationGradient: f, axes: axes)
                // B_L rows: E11, E22, E33, 2E12, 2E23, 2E13 w.r.t. u_{a,k}.
                for k in 0..<3 {
                    let fk0 = f[k, 0], fk1 = f[k, 1], fk2 = f[k, 2]
                    for a in 0..<n {
                        let g0 = g[3 * a], g1 = g[3 * a + 1], g2 = g[3 * a + 2]
                        let col = 3 * a + k
                        bl[col] = fk0 * g0
                        bl[nd + col] = fk1 * g1
                        bl[2 * nd + col] = fk2 * g2
                        bl[3 * nd + col] = fk0 * g1 + fk1 * g0
                        bl[4 * nd + col] = fk1 * g2 + fk2 * g1
                        bl[5 * nd + col] = fk0 * g2 + fk2 * g0
                    }
                }
                let s0 = s[voigt: 0] * w, s1 = s[voigt: 1] * w, s2 = s[voigt: 2] * w
                let s3 = s[voigt: 3] * w, s4 = s[voigt: 4] * w, s5 = s[voigt: 5] * w
                let b0 = bl, b1 = bl + nd, b2 = bl + 2 * nd, b3 = bl + 3 * nd, b4 = bl + 4 * nd, b5 = bl + 5 * nd
                for col in 0..<nd {
                    force[col] += b0[col] * s0 + b1[col] * s1 + b2[col] * s2 + b3[col] * s3 + b4[col] * s4 + b5[col] * s5
                }
                guard let k = stiffness else { continue }
                c.values.withUnsafeBufferPointer { cv in
                    for i in 0..<36 { cm[i] = cv[i] * w }
                }
                // ℂ B_L w, row r: Σ_t ℂ(r, t) w B_L(t, :).
                for r in 0..<6 {
                    let c0 = cm[6 * r], c1 = cm[6 * r + 1], c2 = cm[6 * r + 2]
                    let c3 = cm[6 * r + 3], c4 = cm[6 * r + 4], c5 = cm[6 * r + 5]
                    let out = cb + r * nd
                    for col in 0..<nd {
                        out[col] = c0 * b0[col] + c1 * b1[col] + c2 * b2[col] + c3 * b3[col] + c4 * b4[col] + c5 * b5[col]
                    }
                }
                // K(row, :) += Σ_r B_L(r, row) (ℂ B_L w)(r, :): one pass over each row of K.
                let d0 = cb, d1 = cb + nd, d2 = cb + 2 * nd, d3 = cb + 3 * nd, d4 = cb + 4 * nd, d5 = cb + 5 * nd
                let kp = k.baseAddress!
                for row in 0..<nd {
                    let out = kp + row * nd
                    let e0 = b0[row], e1 = b1[row], e2 = b2[row], e3 = b3[row], e4 = b4[row], e5 = b5[row]
                    for col in 0..<nd {
                        out[col] += e0 * d0[col] + e1 * d1[col] + e2 * d2[col] + e3 * d3[col] + e4 * d4[col] + e5 * d5[col]
                    }
                }
                // Geometric stiffness (∇N_a · S ∇N_b) δ_ik.
                let sw = (s[0, 0] * w, s[0, 1] * w, s[0, 2] * w, s[1, 1] * w, s[1, 2] * w, s[2, 2] * w)
                for a in 0..<n {
                    let ga = (g[3 * a], g[3 * a + 1], g[3 * a + 2])
                    let sga = (sw.0 * ga.0 + sw.1 * ga.1 + sw.2 * ga.2,
                               sw.1 * ga.0 + sw.3 * ga.1 + sw.4 * ga.2,
                               sw.2 * ga.0 + sw.4 * ga.1 + sw.5 * ga.2)
                    let ox = kp + (3 * a) * nd, oy = ox + nd + 1, oz = oy + nd + 1
                    for b in 0..<n {
                        let v = sga.0 * g[3 * b] + sga.1 * g[3 * b + 1] + sga.2 * g[3 * b + 2]
                        ox[3 * b] += v; oy[3 * b] += v; oz[3 * b] += v
                    }
                }
            }
        }
    }

    /// Small-strain stress (MPa) and finite-strain Cauchy stress at one point
    /// from the gradients `g[a * 3 + d]` of the cell's shape functions there.
    /// - Returns: Cauchy stress σ (MPa) and the volume ratio `J` (`1 + tr ε` at small strain).
    @inlinable
    package static func pointStress(nodeCount n: Int, gradients g: UnsafeBufferPointer<Double>, displacement: UnsafeBufferPointer<Double>,
                                   material: some SolidMaterial, axes: Tensor3, finiteStrain: Bool) throws -> (stress: SymmetricTensor, J: Double) {
        var h = Tensor3((0, 0, 0), (0, 0, 0), (0, 0, 0))
        for a in 0..<n { for i in 0..<3 { for j in 0..<3 { h[i, j] += displacement[3 * a + i] * g[3 * a + j] } } }
        if finiteStrain {
            var f = h
            for i in 0..<3 { f[i, i] += 1 }
            let s = try material.secondPiolaKirchhoff(deformationGradient: f, axes: axes).stress
            return (f.cauchyStress(fromSecondPiolaKirchhoff: s), f.determinant)
        }
        let e = SymmetricTensor(xx: h[0, 0], yy: h[1, 1], zz: h[2, 2], xy: 0.5 * (h[0, 1] + h[1, 0]),
                                yz: 0.5 * (h[1, 2] + h[2, 1]), xz: 0.5 * (h[0, 2] + h[2, 0]))
        return (material.smallStrainStiffness(axes: axes).apply(engineering: e.engineeringVoigt), 1 + e.trace)
    }
}
