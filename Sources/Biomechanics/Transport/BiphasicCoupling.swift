import FiniteElements

extension TissueState {
    /// The tissue state a transport step sees after a biphasic step (staggered coupling):
    /// per cell, evaluated at the cell's centre from the biphasic solution at the end of
    /// the step,
    /// - volume ratio `J = 1 + ∇·u` (small strain) or `det F` (finite strain),
    /// - porosity `φ = 1 − φs/J` (`φs` the material's solid volume fraction),
    /// - compressive volumetric strain `1 − J` (for strain-dependent diffusivities),
    /// - Darcy flux `w = −k(J)·∇p` (mm/s; `k` mm⁴/(N·s), `p` MPa; the referential
    ///   gradient — the small-strain form) with `k` at the centre and `∇p` of the cell's
    ///   linear pressure at the point (reference coordinates from the centre's affine map,
    ///   exact for parallelepipeds and straight tetrahedra),
    /// - `∇·w = −(Jⁿ⁺¹ − Jⁿ)/Δt` (1/s) when the previous state and step are given (the
    ///   mixture's volume balance; used by SUPG only).
    ///
    /// The transport mesh must be the biphasic mesh (same cell numbering). Solute
    /// conservation over the staggered step is exact because the transport convection is
    /// in conservative form (see ``SoluteTransportProblem``); the fluid volume that the
    /// cell-wise flux carries through a surface approximates the biphasic solution's
    /// consistent outflow (the test measures the difference).
    ///
    /// - Parameters:
    ///   - problem: the biphasic problem.
    ///   - dofValues: its full dof vector at the end of the step (`problem.dofValues(unknowns:time:)`).
    ///   - previous: the full dof vector at the start of the step, or nil.
    ///   - timeStep: the step (s), used with `previous`.
    public init(biphasic problem: BiphasicProblem, dofValues: [Double], previous: [Double]? = nil, timeStep: Double? = nil) throws {
        self.init()
        let mesh = problem.mesh
        let nc = mesh.cellCount
        var porosity = [Double](repeating: 0, count: nc), strain = porosity, divergence = porosity
        var permeability = [Double](repeating: 0, count: nc)
        struct PressureCell: Sendable { var centre: SIMD3<Double>; var xc: SIMD3<Double>; var rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>); var type: CellType; var values: [Double] }
        var cellsP: [PressureCell] = []
        func kinematics(_ c: Int, _ v: [Double]) -> (J: Double, pressure: PressureCell) {
            let type = mesh.cellType(c)
            let centre: SIMD3<Double> = type.faceCount == 6 ? .zero : SIMD3(0.25, 0.25, 0.25)
            let nodes = Array(mesh.cellNodes(c))
            var values = [Double](repeating: 0, count: type.nodeCount), grads = [Double](repeating: 0, count: 3 * type.nodeCount)
            values.withUnsafeMutableBufferPointer { vp in grads.withUnsafeMutableBufferPointer { gp in type.evaluate(at: centre, values: vp.baseAddress!, gradients: gp.baseAddress!) } }
            let jac = grads.withUnsafeBufferPointer { mesh.jacobian(cell: c, referenceGradients: $0.baseAddress!) }
            let (r0, r1, r2) = jac.inverseRows()
            func physical(_ g: [Double], _ a: Int) -> SIMD3<Double> { g[3 * a] * r0 + g[3 * a + 1] * r1 + g[3 * a + 2] * r2 }
            // Displacement gradient H[i][j] = ∂u_i/∂X_j.
            var h = [SIMD3<Double>](repeating: .zero, count: 3)
            for a in 0..<type.nodeCount {
                let g = physical(grads, a)
                for i in 0..<3 { h[i] += v[problem.displacementDof(node: nodes[a], component: i)] * g }
            }
            let j: Double
            if problem.finiteStrain {
                let f0 = SIMD3<Double>(1 + h[0].x, h[0].y, h[0].z), f1 = SIMD3<Double>(h[1].x, 1 + h[1].y, h[1].z), f2 = SIMD3<Double>(h[2].x, h[2].y, 1 + h[2].z)
                j = (f0 * SIMD3(f1.y * f2.z - f1.z * f2.y, f1.z * f2.x - f1.x * f2.z, f1.x * f2.y - f1.y * f2.x)).sum()
            } else {
                j = 1 + h[0].x + h[1].y + h[2].z
            }
            // Pressure: linear basis on the corner nodes.
            let lin = type.linear
            var xc = SIMD3<Double>.zero
            for a in 0..<type.nodeCount { xc += values[a] * mesh.nodes[nodes[a]] }
            let pv = (0..<lin.nodeCount).map { a in problem.pressureDof(node: nodes[a]).map { v[$0] } ?? 0 }
            return (j, PressureCell(centre: centre, xc: xc, rows: (r0, r1, r2), type: lin, values: pv))
        }
        for c in 0..<nc {
            let law = problem.cellMaterials[c].law
            let (j, pc) = kinematics(c, dofValues)
            cellsP.append(pc)
            guard j > law.solidVolumeFraction else {
                throw TransportError.invalidParameter(field: "biphasic.J[cell \(c)]", value: "\(j)", expected: "J > solid volume fraction \(law.solidVolumeFraction) (compacted solid)")
            }
            porosity[c] = 1 - law.solidVolumeFraction / j
            strain[c] = 1 - j
            permeability[c] = law.permeability.value(J: j, solidVolumeFraction: law.solidVolumeFraction)
            if let previous, let timeStep, timeStep > 0 { divergence[c] = -(j - kinematics(c, previous).J) / timeStep }
        }
        self.porosity = porosity
        compressiveStrain = strain
        let k = permeability, pcs = cellsP
        darcyFlux = { c, x in
            let pc = pcs[c]
            let d = x - pc.xc
            let xi = pc.centre + SIMD3((pc.rows.0 * d).sum(), (pc.rows.1 * d).sum(), (pc.rows.2 * d).sum())
            let g = pc.type.shapeGradients(at: xi)
            var gp = SIMD3<Double>.zero
            for a in 0..<g.count { gp += pc.values[a] * (g[a].x * pc.rows.0 + g[a].y * pc.rows.1 + g[a].z * pc.rows.2) }
            return -k[c] * gp
        }
        if previous != nil, timeStep != nil {
            let d = divergence
            darcyDivergence = { c, _ in d[c] }
        }
    }
}
