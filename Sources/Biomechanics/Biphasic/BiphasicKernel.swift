import Foundation

/// The mixed u–p element kernel of a biphasic mixture with incompressible
/// constituents (Biot α = 1, no storage), backward Euler in time.
///
/// Weak form per cell, total Lagrangian (finite strain; FEBio's biphasic
/// formulation, FEBio Theory Manual §2.5/§5.7: effective stress plus `−p I`,
/// permeability in the current configuration):
/// - momentum `R_u = ∫ B_Lᵀ S_e dV₀ − ∫ (p + Δπ(J)) ∂J/∂u dV₀` (N), with
///   `∂J/∂u_{a,i} = J ∂N_a/∂x_i` — i.e. `∫ ∇ₓδu : σ dv` with `σ = σ_e − (p + Δπ) I`;
/// - mass, multiplied by `−Δt` so the Jacobian is symmetric:
///   `R_p = −∫ N̂_b (J − J_prev) dV₀ − Δt ∫ J k(J) ∇ₓN̂_b·∇ₓp dV₀` (mm³).
///   (`Δt ∫ δp W·N dA₀` — the outflow through a drained boundary in the step —
///   is what `R_p` equals at a prescribed-pressure node: the fluid reaction.)
///
/// Tangent (symmetric indefinite, `[[K, −Q], [−Qᵀ, −Δt H]]`):
/// `K_uu` = solid material + geometric stiffness `− (p + Δπ) ∂²J/∂u² − Δπ'(J) ∂J/∂u ⊗ ∂J/∂u`,
/// `K_up = K_puᵀ = −∫ N̂_b ∂J/∂u dV₀`, `K_pp = −Δt ∫ J k ∇ₓN̂·∇ₓN̂ dV₀`.
/// The non-symmetric term `−Δt ∂(J k ∇ₓN̂·∇ₓp)/∂u` is omitted (a symmetric
/// quasi-Newton tangent; it vanishes at small strain with constant `k`, where
/// the tangent is exact and one Newton iteration solves a step).
///
/// Small strain: `J = 1 + ∇·u`, `∂J/∂u_{a,i} = ∂N_a/∂X_i`, no geometric terms.
///
/// Index orders (basix style):
/// - `gradients[(q * n + a) * 3 + d]` displacement-basis gradients w.r.t. `X` (1/mm);
/// - `pressureValues[q * m + b]`, `pressureGradients[(q * m + b) * 3 + d]` (1/mm);
/// - `displacement[a * 3 + i]` (mm), `pressure[b]` (MPa);
/// - `residual[k]`, `k < 3n`: `3a + i`; `k ≥ 3n`: `3n + b` (N, then mm³);
/// - `stiffness[r * (3n + m) + c]` row-major, same order.
public enum BiphasicKernel {
    /// Evaluates the residual (and tangent when `stiffness` is non-nil) of one cell.
    ///
    /// - Parameters:
    ///   - solidForce/solidStiffness: the solid's effective-stress internal force
    ///     (3n) and stiffness (3n × 3n) from ``SolidKernel`` (added in).
    ///   - timeStep: Δt (s).
    ///   - cell: reported in errors.
    /// - Returns: the smallest J at the cell's points.
    /// - Throws: ``BiphasicError/compactedSolid(cell:J:solidVolumeFraction:)`` when
    ///   `J ≤ φ0` at a point (finite strain).
    @inlinable
    @discardableResult
    package static func evaluate(cell: Int, nodeCount n: Int, pressureCount m: Int, quadratureCount nq: Int,
                                gradients g: UnsafeBufferPointer<Double>, pressureValues pv: UnsafeBufferPointer<Double>,
                                pressureGradients pg: UnsafeBufferPointer<Double>, jxw: UnsafeBufferPointer<Double>,
                                displacement u: UnsafeBufferPointer<Double>, previousDisplacement u0: UnsafeBufferPointer<Double>,
                                pressure p: UnsafeBufferPointer<Double>, timeStep dt: Double,
                                material: BiphasicMaterial, finiteStrain: Bool,
                                solidForce: UnsafeBufferPointer<Double>, solidStiffness: UnsafeBufferPointer<Double>?,
                                residual: UnsafeMutableBufferPointer<Double>, stiffness: UnsafeMutableBufferPointer<Double>?) throws -> Double {
        let nu = 3 * n, nt = nu + m
        for k in 0..<nt { residual[k] = k < nu ? solidForce[k] : 0 }
        if let kk = stiffness {
            for k in 0..<nt * nt { kk[k] = 0 }
            if let ks = solidStiffness {
                for r in 0..<nu { for c in 0..<nu { kk[r * nt + c] = ks[r * nu + c] } }
            }
        }
        let phi0 = material.solidVolumeFraction
        var minJ = Double.infinity
        // A solid without pore fluid: the solid's force and stiffness alone (copied above).
        if material.isSolidOnly { return minJ }
        var gx = [Double](repeating: 0, count: nu)   // spatial gradients of N_a (1/mm)
        var gpx = [Double](repeating: 0, count: 3 * m) // spatial gradients of N̂_b
        for q in 0..<nq {
            let w = jxw[q]
            let gq = g.baseAddress! + q * n * 3
            // F, F_prev (or the small-strain divergence).
            let (h, h0) = displacementGradients(gq, u.baseAddress!, u0.baseAddress!, nodeCount: n)
            var j: Double, jPrev: Double
            // Rows of F⁻ᵀ applied to a reference gradient: gx_i = Σ_J Finv[J][i] g_J.
            var fi = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0) // Finv row-major
            if finiteStrain {
                let k = pointKinematics(h, h0)
                j = k.j; jPrev = k.jPrevious
                guard j > phi0, j.isFinite else { throw BiphasicError.compactedSolid(cell: cell, J: j, solidVolumeFraction: phi0) }
                fi = k.inverse
            } else {
                j = 1 + h.0 + h.4 + h.8
                jPrev = 1 + h0.0 + h0.4 + h0.8
            }
            minJ = min(minJ, j)
            let scale = finiteStrain ? j : 1.0   // ∂J/∂u_{a,i} = scale · gx_{a,i}
            for a in 0..<n {
                let g0 = gq[3 * a], g1 = gq[3 * a + 1], g2 = gq[3 * a + 2]
                gx[3 * a] = fi.0 * g0 + fi.3 * g1 + fi.6 * g2
                gx[3 * a + 1] = fi.1 * g0 + fi.4 * g1 + fi.7 * g2
                gx[3 * a + 2] = fi.2 * g0 + fi.5 * g1 + fi.8 * g2
            }
            let pvq = pv.baseAddress! + q * m
            let (pq, gradP) = gpx.withUnsafeMutableBufferPointer { gp in
                pressureAtPoint(values: pvq, gradients: pg.baseAddress! + q * m * 3, inverse: fi,
                                pressure: p.baseAddress!, count: m, spatialGradients: gp.baseAddress!)
            }
            var osmotic = (value: 0.0, derivative: 0.0)
            if let o = material.osmosis {
                guard j > phi0 else { throw BiphasicError.compactedSolid(cell: cell, J: j, solidVolumeFraction: phi0) }
                osmotic = o.pressure(J: j, solidVolumeFraction: phi0)
            }
            let k = material.permeability.value(J: max(j, phi0 + 1e-12), solidVolumeFraction: phi0)
            let total = pq + osmotic.value
            // Momentum: −∫ (p + Δπ) ∂J/∂u.
            for r in 0..<nu { residual[r] -= total * scale * gx[r] * w }
            // Mass: −N̂ (J − J_prev) − Δt J k ∇N̂·∇p.
            let kw = dt * scale * k * w
            for b in 0..<m {
                residual[nu + b] -= pvq[b] * (j - jPrev) * w
                    + kw * (gpx[3 * b] * gradP.0 + gpx[3 * b + 1] * gradP.1 + gpx[3 * b + 2] * gradP.2)
            }
            guard let kk = stiffness else { continue }
            // K_uu: −(p+Δπ) ∂²J − Δπ' ∂J⊗∂J.
            let geo = finiteStrain ? total * j * w : 0
            let osm = -osmotic.derivative * scale * scale * w
            // K_uu[(a,i),(b,l)] += (osm − geo)·gx_ai·gx_bl + geo·gx_al·gx_bi.
            if geo != 0 || osm != 0 {
                let c1 = osm - geo
                gx.withUnsafeBufferPointer { gp in
                    for a in 0..<n {
                        let ga = (gp[3 * a], gp[3 * a + 1], gp[3 * a + 2])
                        for i in 0..<3 {
                            let gai = i == 0 ? ga.0 : (i == 1 ? ga.1 : ga.2)
                            let row = kk.baseAddress! + (3 * a + i) * nt
                            for b in 0..<n {
                                let gb0 = gp[3 * b], gb1 = gp[3 * b + 1], gb2 = gp[3 * b + 2]
                                let gbi = i == 0 ? gb0 : (i == 1 ? gb1 : gb2)
                                row[3 * b] += c1 * gai * gb0 + geo * ga.0 * gbi
                                row[3 * b + 1] += c1 * gai * gb1 + geo * ga.1 * gbi
                                row[3 * b + 2] += c1 * gai * gb2 + geo * ga.2 * gbi
                            }
                        }
                    }
                }
            }
            // K_up = K_puᵀ = −N̂_b ∂J/∂u.
            for r in 0..<nu {
                let row = kk.baseAddress! + r * nt
                let d = -scale * gx[r] * w
                for b in 0..<m {
                    let v = pvq[b] * d
                    row[nu + b] += v
                    kk[(nu + b) * nt + r] += v
                }
            }
            for b in 0..<m {
                let row = kk.baseAddress! + (nu + b) * nt + nu
                for c in 0..<m {
                    row[c] -= kw * (gpx[3 * b] * gpx[3 * c] + gpx[3 * b + 1] * gpx[3 * c + 1] + gpx[3 * b + 2] * gpx[3 * c + 2])
                }
            }
        }
        return minJ
    }
}

/// Nine doubles, row-major: a 3×3 tensor in the kernels' hot loops.
@usableFromInline typealias Tensor9 = (Double, Double, Double, Double, Double, Double, Double, Double, Double)

/// `H = ∂u/∂X` and `H₀ = ∂u₀/∂X` (row-major, dimensionless) at one quadrature point from the
/// reference gradients `gq` (3 per node, 1/mm) and the nodal displacements `u`, `u₀` (3 per node, mm).
@inlinable @inline(__always)
func displacementGradients(_ gq: UnsafePointer<Double>, _ u: UnsafePointer<Double>, _ u0: UnsafePointer<Double>,
                           nodeCount n: Int) -> (Tensor9, Tensor9) {
    var h = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    var h0 = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    for a in 0..<n {
        let ga = (gq[3 * a], gq[3 * a + 1], gq[3 * a + 2])
        let ua = (u[3 * a], u[3 * a + 1], u[3 * a + 2]), va = (u0[3 * a], u0[3 * a + 1], u0[3 * a + 2])
        h.0 += ua.0 * ga.0; h.1 += ua.0 * ga.1; h.2 += ua.0 * ga.2
        h.3 += ua.1 * ga.0; h.4 += ua.1 * ga.1; h.5 += ua.1 * ga.2
        h.6 += ua.2 * ga.0; h.7 += ua.2 * ga.1; h.8 += ua.2 * ga.2
        h0.0 += va.0 * ga.0; h0.1 += va.0 * ga.1; h0.2 += va.0 * ga.2
        h0.3 += va.1 * ga.0; h0.4 += va.1 * ga.1; h0.5 += va.1 * ga.2
        h0.6 += va.2 * ga.0; h0.7 += va.2 * ga.1; h0.8 += va.2 * ga.2
    }
    return (h, h0)
}

/// `F = I + H`, `J = det F`, `J₀ = det(I + H₀)` and `F⁻¹` (row-major; meaningless when `J ≤ 0`,
/// which the caller refuses first).
@inlinable @inline(__always)
func pointKinematics(_ h: Tensor9, _ h0: Tensor9) -> (f: Tensor9, j: Double, jPrevious: Double, inverse: Tensor9) {
    let f = (1 + h.0, h.1, h.2, h.3, 1 + h.4, h.5, h.6, h.7, 1 + h.8)
    let c0 = f.4 * f.8 - f.5 * f.7, c1 = f.5 * f.6 - f.3 * f.8, c2 = f.3 * f.7 - f.4 * f.6
    let j = f.0 * c0 + f.1 * c1 + f.2 * c2
    let fp = (1 + h0.0, h0.1, h0.2, h0.3, 1 + h0.4, h0.5, h0.6, h0.7, 1 + h0.8)
    let jPrev = fp.0 * (fp.4 * fp.8 - fp.5 * fp.7) + fp.1 * (fp.5 * fp.6 - fp.3 * fp.8) + fp.2 * (fp.3 * fp.7 - fp.4 * fp.6)
    let r = 1 / j
    let fi = (c0 * r, (f.2 * f.7 - f.1 * f.8) * r, (f.1 * f.5 - f.2 * f.4) * r,
              c1 * r, (f.0 * f.8 - f.2 * f.6) * r, (f.2 * f.3 - f.0 * f.5) * r,
              c2 * r, (f.1 * f.6 - f.0 * f.7) * r, (f.0 * f.4 - f.1 * f.3) * r)
    return (f, j, jPrev, fi)
}

/// Pressure `p` (MPa) and its spatial gradient `∇ₓp` (MPa/mm) at one point from the pressure
/// basis values and reference gradients there, `F⁻¹` (row-major) and the nodal pressures; also
/// writes the spatial gradients of the pressure basis (`3·count`, 1/mm) into `spatialGradients`.
@inlinable @inline(__always)
func pressureAtPoint(values pvq: UnsafePointer<Double>, gradients pgq: UnsafePointer<Double>, inverse fi: Tensor9,
                     pressure p: UnsafePointer<Double>, count m: Int,
                     spatialGradients gpx: UnsafeMutablePointer<Double>) -> (Double, (Double, Double, Double)) {
    var pq = 0.0, gradP = (0.0, 0.0, 0.0)
    for b in 0..<m {
        let g0 = pgq[3 * b], g1 = pgq[3 * b + 1], g2 = pgq[3 * b + 2]
        let x0 = fi.0 * g0 + fi.3 * g1 + fi.6 * g2
        let x1 = fi.1 * g0 + fi.4 * g1 + fi.7 * g2
        let x2 = fi.2 * g0 + fi.5 * g1 + fi.8 * g2
        gpx[3 * b] = x0; gpx[3 * b + 1] = x1; gpx[3 * b + 2] = x2
        pq += pvq[b] * p[b]
        gradP.0 += x0 * p[b]; gradP.1 += x1 * p[b]; gradP.2 += x2 * p[b]
    }
    return (pq, gradP)
}
