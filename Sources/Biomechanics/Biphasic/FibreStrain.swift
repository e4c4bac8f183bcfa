import Foundation
import FiniteElements

/// One fibre strain at one integration point of a fibre-reinforced cell.
public struct FibreStrainSample: Sendable, Equatable {
    /// Engineering fibre strain `λ − 1` (dimensionless; negative = the fibre is shorter than in
    /// the reference configuration).
    public var strain: Double
    /// The cell (index into the mesh's cells).
    public var cell: Int
    /// The integration point within the cell (index into the cell type's default quadrature rule,
    /// the rule the problem's kernels integrate with).
    public var point: Int
    /// The fibre family (index into the cell's ``FibreReinforcedSolid/fibres``).
    public var family: Int
    /// The family's direction in its material axes (unit vector; for the annulus's cylindrical
    /// axes: 1 radial, 2 circumferential, 3 axial — see ``FibreFamily/direction``).
    public var direction: SIMD3<Double>

    /// The fibre stretch `λ` (dimensionless).
    public var stretch: Double { strain + 1 }
    /// The Green–Lagrange fibre strain `(λ² − 1)/2` (dimensionless): half of `Iₙ − 1`, the
    /// fibre law's own variable (``FibreFamily``).
    public var greenLagrangeStrain: Double { 0.5 * (stretch * stretch - 1) }
    /// The family's angle (degrees) from the circumferential material axis towards the axial one
    /// (the `angleDegrees` it was built with, in (−180, 180]).
    public var angleDegrees: Double { atan2(direction.z, direction.y) * 180 / .pi }
}

/// The stretch of every fibre family of a ``BiphasicProblem``'s fibre-reinforced cells
/// (``FibreReinforcedSolid``, e.g. the annulus lamellae) at the integration points, from a state's
/// displacements.
///
/// **Measure.** For a family of reference direction `a₀` (global axes: the cell's material axes
/// times ``FibreFamily/direction``) the stretch is `λ = |F a₀|` with `F = I + Σ_a u_a ⊗ ∇N_a`
/// (total Lagrangian, exact for any displacement), so `λ² = a₀·C a₀ = Iₙ`, the fibre law's
/// invariant. The strain reported is the **engineering** fibre strain `λ − 1` — the measure of
/// the tissue tests that give failure strains (gauge-length change over the initial length) and
/// of the ligament strains; the Green–Lagrange strain `(Iₙ − 1)/2 = (λ² − 1)/2` the law works in
/// is ``FibreStrainSample/greenLagrangeStrain``. The stretch is computed from `F` in small-strain
/// problems too (it then agrees with `a₀·ε a₀` to first order).
///
/// **Cost.** The reference geometry is tabulated once: per cell, point and family the direction
/// `a₀` and the scalars `∇N_a·a₀`, so that `F a₀ = a₀ + Σ_a u_a (∇N_a·a₀)`. ``peak(dofValues:)``
/// then reads each cell's displacements once per point and allocates nothing — call it at
/// accepted steps or output times, not inside Newton's iterations.
///
/// ```swift
/// let fibres = try FibreStrainSampler(problem: problem)
/// let peak = fibres.peak(dofValues: problem.dofValues(unknowns: x, time: t))
/// peak?.strain   // largest λ − 1 over every fibre point
/// ```
public struct FibreStrainSampler: Sendable {
    /// The fibre-reinforced cells sampled, in mesh order.
    public let cells: [Int]
    /// Sampled (point, family) pairs over all cells.
    public var sampleCount: Int { sampleCell.count }

    /// Per sample: the position in ``cells``, the point, the family.
    private let sampleCell: [Int32], samplePoint: [Int32], sampleFamily: [Int32]
    /// Per sample: `a₀` (global axes) at `[3s + d]`.
    private let directions: [Double]
    /// Per sample: the material-axes direction of its family.
    private let familyDirections: [SIMD3<Double>]
    /// Per sample: `∇N_a·a₀` (1/mm) at `[offsets[s] + a]`, `a` the cell's nodes.
    private let projected: [Double]
    private let offsets: [Int]
    /// Per cell of ``cells``: the global displacement dofs `(node a, component i)` at `[cellDofOffsets[k] + 3a + i]`.
    private let cellDofs: [Int]
    private let cellDofOffsets: [Int]

    /// Tabulates the fibre directions of `problem`'s cells whose solid is a ``FibreReinforcedSolid``
    /// with at least one family (all such cells, or those among `cells`).
    /// - Throws: ``FiniteElements/MeshError/invertedCell(cell:type:determinant:at:)`` for a cell
    ///   with a non-positive Jacobian.
    public init(problem: BiphasicProblem, cells subset: [Int]? = nil) throws {
        let mesh = problem.mesh
        var cells: [Int] = [], sc: [Int32] = [], sp: [Int32] = [], sf: [Int32] = []
        var dirs: [Double] = [], famDirs: [SIMD3<Double>] = [], proj: [Double] = [], offs: [Int] = []
        var dofs: [Int] = [], dofOffs: [Int] = []
        var values: [CellType: CellValues] = [:]
        for c in subset ?? Array(0..<mesh.cellCount) {
            let material = problem.cellMaterials[c]
            guard let solid = material.law.solid as? FibreReinforcedSolid, !solid.fibres.isEmpty else { continue }
            let t = mesh.cellType(c)
            if values[t] == nil { values[t] = CellValues(cellType: t) }
            try values[t]!.reinit(mesh: mesh, cell: c)
            let cv = values[t]!
            let k = cells.count
            cells.append(c)
            dofOffs.append(dofs.count)
            for node in mesh.cellNodes(c) {
                for i in 0..<3 { dofs.append(problem.displacementDof(node: node, component: i)) }
            }
            let axes = material.axes
            for q in 0..<cv.quadratureCount {
                for (f, family) in solid.fibres.enumerated() {
                    let l = family.direction
                    let a0 = SIMD3(axes[0, 0] * l.x + axes[0, 1] * l.y + axes[0, 2] * l.z,
                                   axes[1, 0] * l.x + axes[1, 1] * l.y + axes[1, 2] * l.z,
                                   axes[2, 0] * l.x + axes[2, 1] * l.y + axes[2, 2] * l.z)
                    sc.append(Int32(k)); sp.append(Int32(q)); sf.append(Int32(f))
                    dirs += [a0.x, a0.y, a0.z]
                    famDirs.append(l)
                    offs.append(proj.count)
                    for a in 0..<cv.basisCount {
                        let g = cv.gradient(q, a)
                        proj.append(g.x * a0.x + g.y * a0.y + g.z * a0.z)
                    }
                }
            }
        }
        self.cells = cells
        sampleCell = sc; samplePoint = sp; sampleFamily = sf
        directions = dirs; familyDirections = famDirs; projected = proj; offsets = offs
        cellDofs = dofs; cellDofOffsets = dofOffs
    }

    /// The engineering strain `λ − 1` of sample `s` (0 ..< ``sampleCount``) for the full dof
    /// vector `v` (mm; ``BiphasicProblem/dofValues(unknowns:time:)``).
    public func strain(sample s: Int, dofValues v: [Double]) -> Double {
        v.withUnsafeBufferPointer { vb in
            projected.withUnsafeBufferPointer { pb in
                cellDofs.withUnsafeBufferPointer { db in strain(s, vb, pb, db) }
            }
        }
    }

    /// The sample with the largest engineering fibre strain `λ − 1` for the full dof vector `v`
    /// (mm); the first such sample on a tie; nil without fibre-reinforced cells.
    public func peak(dofValues v: [Double]) -> FibreStrainSample? {
        guard sampleCount > 0 else { return nil }
        var best = 0, bestStrain = -Double.infinity
        v.withUnsafeBufferPointer { vb in
            projected.withUnsafeBufferPointer { pb in
                cellDofs.withUnsafeBufferPointer { db in
                    for s in 0..<sampleCount {
                        let e = strain(s, vb, pb, db)
                        if e > bestStrain { bestStrain = e; best = s }
                    }
                }
            }
        }
        return sample(best, strain: bestStrain)
    }

    /// Sample `s` described, with strain `strain`.
    public func sample(_ s: Int, strain: Double) -> FibreStrainSample {
        FibreStrainSample(strain: strain, cell: cells[Int(sampleCell[s])], point: Int(samplePoint[s]), family: Int(sampleFamily[s]),
                          direction: familyDirections[s])
    }

    @inline(__always)
    private func strain(_ s: Int, _ v: UnsafeBufferPointer<Double>, _ p: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Int>) -> Double {
        let k = Int(sampleCell[s])
        let dofBase = cellDofOffsets[k]
        let nodes = (k + 1 < cellDofOffsets.count ? cellDofOffsets[k + 1] : cellDofs.count) - dofBase
        var w = SIMD3(directions[3 * s], directions[3 * s + 1], directions[3 * s + 2])
        let base = offsets[s]
        for a in 0..<(nodes / 3) {
            let g = p[base + a]
            let r = dofBase + 3 * a
            w.x += v[d[r]] * g; w.y += v[d[r + 1]] * g; w.z += v[d[r + 2]] * g
        }
        return (w * w).sum().squareRoot() - 1
    }
}
