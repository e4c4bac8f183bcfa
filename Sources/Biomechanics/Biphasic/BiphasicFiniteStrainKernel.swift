import Foundation
import SparseLinearAlgebra

extension BiphasicKernel {
    /// Largest `m·n·k` of a `dgemm` that OpenBLAS runs on the calling thread
    /// (its `SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD` = 65 536 · 4): the
    /// cell kernels already run in parallel, so a threaded `dgemm` would only wait.
    static let serialGemmWork = 262_144

    /// The finite-strain u–p kernel of one cell in one pass: the solid's effective
    /// stress, the fluid and osmotic pressure and their tangents, with the same
    /// result (up to round-off) as ``SolidKernel/finiteStrain(nodeCount:quadratureCount:gradients:jxw:displacement:material:axes:force:stiffness:)``
    /// followed by ``evaluate(cell:nodeCount:pressureCount:quadratureCount:gradients:pressureValues:pressureGradients:jxw:displacement:previousDisplacement:pressure:timeStep:material:finiteStrain:solidForce:solidStiffness:residual:stiffness:)``
    /// with `finiteStrain: true`.
    ///
    /// The pressure terms are pulled back into the second Piola–Kirchhoff stress
    /// and its tangent, so the whole `K_uu` is one `B_Lᵀ ℂ B_L` product plus one
    /// geometric term (total Lagrangian, `E` engineering Voigt):
    /// - `S = S_e − π J C⁻¹` with `π = p + Δπ(J)` (MPa), since `∂J/∂E = J C⁻¹`;
    /// - `ℂ = ℂ_e − π J (C⁻¹⊗C⁻¹ − 2𝕀(C⁻¹)) − Δπ'(J) J² C⁻¹⊗C⁻¹` (MPa), from
    ///   `∂C⁻¹/∂E = −2𝕀(C⁻¹)`, `𝕀_ijkl = ½(C⁻¹_ik C⁻¹_jl + C⁻¹_il C⁻¹_jk)`
    ///   (Holzapfel 2000, Nonlinear Solid Mechanics, §6.6).
    /// `K_uu = Σ_q B_Lᵀ ℂ B_L w + (∇N_a·S∇N_b) δ_ik w` is accumulated as `dgemm`s over
    /// blocks of quadrature points (each below OpenBLAS's serial threshold).
    /// `K_up`, `K_pp` and the mass residual are those of the generic kernel.
    ///
    /// Index orders, units and the symmetric quasi-Newton tangent: as in
    /// ``evaluate(cell:nodeCount:pressureCount:quadratureCount:gradients:pressureValues:pressureGradients:jxw:displacement:previousDisplacement:pressure:timeStep:material:finiteStrain:solidForce:solidStiffness:residual:stiffness:)``;
    /// `residual` (3n + m) and `stiffness` ((3n + m)², row-major) are overwritten.
    ///
    /// - Parameters:
    ///   - axes: material axes of the cell (rotation, columns = axes).
    ///   - timeStep: Δt (s).
    /// - Returns: the smallest J at the cell's points.
    /// - Throws: ``BiphasicError/compactedSolid(cell:J:solidVolumeFraction:)`` when
    ///   `J ≤ φ0` (or J is not finite) at a point; errors of the solid law other than
    ///   ``MaterialError/nonPositiveJacobian(J:)`` unchanged.
    @discardableResult
    package static func evaluateFiniteStrain(cell: Int, nodeCount n: Int, pressureCount m: Int, quadratureCount nq: Int,
                                            gradients g: UnsafeBufferPointer<Double>, pressureValues pv: UnsafeBufferPointer<Double>,
                                            pressureGradients pg: UnsafeBufferPointer<Double>, jxw: UnsafeBufferPointer<Double>,
                                            displacement u: UnsafeBufferPointer<Double>, previousDisplacement u0: UnsafeBufferPointer<Double>,
                                            pressure p: UnsafeBufferPointer<Double>, timeStep dt: Double,
                                            material: BiphasicMaterial, axes: Tensor3,
                                            residual: UnsafeMutableBufferPointer<Double>,
                                            stiffness: UnsafeMutableBufferPointer<Double>?) throws -> Double {
        let nu = 3 * n, nt = nu + m
        let phi0 = material.solidVolumeFraction
        let solid = material.solid
        // A solid without pore fluid (``BiphasicMaterial/init(solidOnly:)``): no pressure, flow or
        // mass terms; its pressure rows and columns stay zero.
        let fluid = !material.isSolidOnly
        for k in 0..<nt { residual[k] = 0 }
        if let kk = stiffness { for k in 0..<nt * nt { kk[k] = 0 } }
        // K_uu is symmetric: only its row-major lower trapezoid is computed, by `parts` dgemm
        // calls over row strips of K (strip s: rows [s·h, (s+1)·h), columns [0, (s+1)·h)), ≈ 2/3
        // of the full product for 3 strips; mirrored after the loop. Quadrature points per
        // block: balanced blocks with (largest strip) h·nu·6·points ≤ the serial threshold.
        let parts = 3, strip = (nu + parts - 1) / parts
        let maxBlock = max(1, serialGemmWork / (6 * strip * nu))
        let blocks = (nq + maxBlock - 1) / maxBlock
        let block = stiffness == nil ? 1 : (nq + blocks - 1) / max(blocks, 1)
        // Scratch: B_L and ℂ B_L w of one block (6·block × nu each, row-major), the
        // node-level geometric matrix (n × n), gradients of N̂ in x (3m), ∇N and S w ∇N (3n each per point).
        let size = 12 * block * nu + n * n + 3 * m + 6 * n * nq
        var minJ = Double.infinity
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { scratch in
            let bl = scratch.baseAddress!, cb = bl + 6 * block * nu, geo = cb + 6 * block * nu, gpx = geo + n * n
            let gs = gpx + 3 * m, sgs = gs + 3 * n * nq // ∇N and S w ∇N by component rows (3 × n per point)
            let gb = g.baseAddress!, ub = u.baseAddress!, u0b = u0.baseAddress!, pb = p.baseAddress!
            let res = residual.baseAddress!
            var filled = 0 // points in the current block
            for q in 0..<nq {
                let w = jxw[q]
                let gq = gb + q * n * 3
                let (h, h0) = displacementGradients(gq, ub, u0b, nodeCount: n)
                let (f, j, jPrev, fi) = pointKinematics(h, h0)
                guard j > phi0, j.isFinite else { throw BiphasicError.compactedSolid(cell: cell, J: j, solidVolumeFraction: phi0) }
                minJ = min(minJ, j)
                // C⁻¹ = F⁻¹F⁻ᵀ, Voigt order (xx, yy, zz, xy, yz, xz).
                let ci = (fi.0 * fi.0 + fi.1 * fi.1 + fi.2 * fi.2,
                          fi.3 * fi.3 + fi.4 * fi.4 + fi.5 * fi.5,
                          fi.6 * fi.6 + fi.7 * fi.7 + fi.8 * fi.8,
                          fi.0 * fi.3 + fi.1 * fi.4 + fi.2 * fi.5,
                          fi.3 * fi.6 + fi.4 * fi.7 + fi.5 * fi.8,
                          fi.0 * fi.6 + fi.1 * fi.7 + fi.2 * fi.8)
                // Pressure and its spatial gradient at q.
                let pvq = pv.baseAddress! + q * m
                let (pq, gradP) = fluid ? pressureAtPoint(values: pvq, gradients: pg.baseAddress! + q * m * 3, inverse: fi,
                                                          pressure: pb, count: m, spatialGradients: gpx) : (0, (0, 0, 0))
                let osmotic = material.osmosis?.pressure(J: j, solidVolumeFraction: phi0) ?? (value: 0.0, derivative: 0.0)
                let k = fluid ? material.permeability.value(J: max(j, phi0 + 1e-12), solidVolumeFraction: phi0) : 0
                let total = pq + osmotic.value
                // Effective stress and tangent of the solid.
                let fTensor = Tensor3((f.0, f.1, f.2), (f.3, f.4, f.5), (f.6, f.7, f.8))
                let se: SymmetricTensor, de: VoigtMatrix
                do {
                    (se, de) = try solid.secondPiolaKirchhoff(deformationGradient: fTensor, axes: axes)
                } catch MaterialError.nonPositiveJacobian(let jj) {
                    throw BiphasicError.compactedSolid(cell: cell, J: jj, solidVolumeFraction: phi0)
                }
                // S = S_e − π J C⁻¹, times w.
                let pj = total * j
                let s = ((se.components.0 - pj * ci.0) * w, (se.components.1 - pj * ci.1) * w, (se.components.2 - pj * ci.2) * w,
                         (se.components.3 - pj * ci.3) * w, (se.components.4 - pj * ci.4) * w, (se.components.5 - pj * ci.5) * w)
                // Momentum residual B_Lᵀ S w; B_L columns (a, k): rows E11, E22, E33, 2E12, 2E23, 2E13.
                // Mass residual: −N̂ (J − J_prev) w − Δt J k w ∇N̂·∇p.
                let kw = dt * j * k * w
                for b in 0..<m where fluid {
                    res[nu + b] -= pvq[b] * (j - jPrev) * w
                        + kw * (gpx[3 * b] * gradP.0 + gpx[3 * b + 1] * gradP.1 + gpx[3 * b + 2] * gradP.2)
                }
                guard let kk = stiffness else {
                    for a in 0..<n {
                        let g0 = gq[3 * a], g1 = gq[3 * a + 1], g2 = gq[3 * a + 2]
                        // (S w) ∇N_a, then F (S w ∇N_a).
                        let t0 = s.0 * g0 + s.3 * g1 + s.5 * g2
                        let t1 = s.3 * g0 + s.1 * g1 + s.4 * g2
                        let t2 = s.5 * g0 + s.4 * g1 + s.2 * g2
                        res[3 * a] += f.0 * t0 + f.1 * t1 + f.2 * t2
                        res[3 * a + 1] += f.3 * t0 + f.4 * t1 + f.5 * t2
                        res[3 * a + 2] += f.6 * t0 + f.7 * t1 + f.8 * t2
                    }
                    continue
                }
                // B_L of this point into the block (rows 6·filled …).
                let b0 = bl + 6 * filled * nu, b1 = b0 + nu, b2 = b1 + nu, b3 = b2 + nu, b4 = b3 + nu, b5 = b4 + nu
                let fr = ((f.0, f.1, f.2), (f.3, f.4, f.5), (f.6, f.7, f.8))
                for a in 0..<n {
                    let g0 = gq[3 * a], g1 = gq[3 * a + 1], g2 = gq[3 * a + 2]
                    for kc in 0..<3 {
                        let row = kc == 0 ? fr.0 : (kc == 1 ? fr.1 : fr.2)
                        let col = 3 * a + kc
                        b0[col] = row.0 * g0
                        b1[col] = row.1 * g1
                        b2[col] = row.2 * g2
                        b3[col] = row.0 * g1 + row.1 * g0
                        b4[col] = row.1 * g2 + row.2 * g1
                        b5[col] = row.0 * g2 + row.2 * g0
                    }
                }
                for col in 0..<nu {
                    res[col] += b0[col] * s.0 + b1[col] * s.1 + b2[col] * s.2 + b3[col] * s.3 + b4[col] * s.4 + b5[col] * s.5
                }
                // ℂ w: ℂ_e − π J (C⁻¹⊗C⁻¹ − 2𝕀) − Δπ' J² C⁻¹⊗C⁻¹.
                let cio = pj + osmotic.derivative * j * j
                let cfull = ((ci.0, ci.3, ci.5), (ci.3, ci.1, ci.4), (ci.5, ci.4, ci.2))
                @inline(__always) func cinv(_ i: Int, _ jj: Int) -> Double {
                    let row = i == 0 ? cfull.0 : (i == 1 ? cfull.1 : cfull.2)
                    return jj == 0 ? row.0 : (jj == 1 ? row.1 : row.2)
                }
                let civ = (ci.0, ci.1, ci.2, ci.3, ci.4, ci.5)
                @inline(__always) func cvoigt(_ a: Int) -> Double {
                    switch a { case 0: return civ.0; case 1: return civ.1; case 2: return civ.2
                    case 3: return civ.3; case 4: return civ.4; default: return civ.5 }
                }
                let d0 = cb + 6 * filled * nu
                de.values.withUnsafeBufferPointer { dv in
                    for ra in 0..<6 {
                        let (i, jj) = SymmetricTensor.voigtPair(ra)
                        let cra = cvoigt(ra)
                        var cr = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
                        for rb in 0..<6 {
                            let (kx, lx) = SymmetricTensor.voigtPair(rb)
                            let v = (dv[6 * ra + rb] - cio * cra * cvoigt(rb)
                                     + pj * (cinv(i, kx) * cinv(jj, lx) + cinv(i, lx) * cinv(jj, kx))) * w
                            switch rb { case 0: cr.0 = v; case 1: cr.1 = v; case 2: cr.2 = v
                            case 3: cr.3 = v; case 4: cr.4 = v; default: cr.5 = v }
                        }
                        let out = d0 + ra * nu
                        for col in 0..<nu {
                            out[col] = cr.0 * b0[col] + cr.1 * b1[col] + cr.2 * b2[col] + cr.3 * b3[col] + cr.4 * b4[col] + cr.5 * b5[col]
                        }
                    }
                }
                filled += 1
                // Geometric stiffness (∇N_a·S w ∇N_b): ∇N and S w ∇N of this point as component
                // rows (3 × n each) of the cell's stacks; one dgemm after the loop.
                let gsq = gs + 3 * n * q, sgsq = sgs + 3 * n * q
                for a in 0..<n {
                    let g0 = gq[3 * a], g1 = gq[3 * a + 1], g2 = gq[3 * a + 2]
                    gsq[a] = g0; gsq[n + a] = g1; gsq[2 * n + a] = g2
                    sgsq[a] = s.0 * g0 + s.3 * g1 + s.5 * g2
                    sgsq[n + a] = s.3 * g0 + s.1 * g1 + s.4 * g2
                    sgsq[2 * n + a] = s.5 * g0 + s.4 * g1 + s.2 * g2
                }
                // K_up = −N̂_b ∂J/∂u w, ∂J/∂u_{a,i} = J (F⁻ᵀ∇N_a)_i (rows of K; mirrored below).
                let kb = kk.baseAddress!
                for a in 0..<n where fluid {
                    let g0 = gq[3 * a], g1 = gq[3 * a + 1], g2 = gq[3 * a + 2]
                    let x = (-(fi.0 * g0 + fi.3 * g1 + fi.6 * g2) * j * w,
                             -(fi.1 * g0 + fi.4 * g1 + fi.7 * g2) * j * w,
                             -(fi.2 * g0 + fi.5 * g1 + fi.8 * g2) * j * w)
                    let r0 = kb + (3 * a) * nt + nu, r1 = r0 + nt, r2 = r1 + nt
                    for b in 0..<m {
                        let nb = pvq[b]
                        r0[b] += nb * x.0; r1[b] += nb * x.1; r2[b] += nb * x.2
                    }
                }
                // K_pp = −Δt J k w ∇ₓN̂·∇ₓN̂.
                for b in 0..<m where fluid {
                    let row = kb + (nu + b) * nt + nu
                    let x = (gpx[3 * b], gpx[3 * b + 1], gpx[3 * b + 2])
                    for c in 0..<m {
                        row[c] -= kw * (x.0 * gpx[3 * c] + x.1 * gpx[3 * c + 1] + x.2 * gpx[3 * c + 2])
                    }
                }
                // K_uu += B_Lᵀ (ℂ w B_L) over the block, lower trapezoid by strips. Row-major K is
                // column-major X with ld nt; B_L and ℂB_L (row-major, rows × nu) are column-major
                // nu × rows: X[0..<r1, r0..<r1] += (ℂB_L)ᶜ[0..<r1, :] (B_L)ᶜ[r0..<r1, :]ᵀ.
                if filled == block || q == nq - 1 {
                    var r0 = 0
                    while r0 < nu {
                        let r1 = min(nu, r0 + strip)
                        denseMultiplyAdd(transposeA: false, transposeB: true, m: r1, n: r1 - r0, k: 6 * filled, alpha: 1,
                                         a: cb, lda: nu, b: bl + r0, ldb: nu, beta: 1, c: kb + r0 * nt, ldc: nt)
                        r0 = r1
                    }
                    filled = 0
                }
            }
            guard let kk = stiffness else { return }
            let kb = kk.baseAddress!
            // Row-major lower triangle of K_uu → upper.
            for r in 0..<nu {
                for c in (r + 1)..<nu { kb[r * nt + c] = kb[c * nt + r] }
            }
            // Node matrix G = Σ_q ∇Nᵀ (S w ∇N): row-major stacks (3nq × n) are column-major n × 3nq,
            // G (symmetric) = (S w ∇N)ᶜ (∇N)ᶜᵀ.
            denseMultiplyAdd(transposeA: false, transposeB: true, m: n, n: n, k: 3 * nq, alpha: 1,
                             a: sgs, lda: n, b: gs, ldb: n, beta: 0, c: geo, ldc: n)
            // Spread the geometric node matrix to the three diagonal component blocks (both triangles).
            for a in 0..<n {
                for b in a..<n {
                    let v = geo[a * n + b]
                    for i in 0..<3 {
                        kb[(3 * a + i) * nt + 3 * b + i] += v
                        if b != a { kb[(3 * b + i) * nt + 3 * a + i] += v }
                    }
                }
            }
            // K_pu = K_upᵀ.
            for r in 0..<nu {
                for b in 0..<m { kb[(nu + b) * nt + r] = kb[r * nt + nu + b] }
            }
        }
        return minJ
    }
}
