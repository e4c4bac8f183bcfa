import FiniteElements
import SparseLinearAlgebra

/// Why a solid-mechanics problem could not be set up or evaluated.
public enum SolidMechanicsError: Error, Equatable, CustomStringConvertible {
    /// A cell has no material (it lies in no region that was given one).
    case cellWithoutMaterial(cell: Int)
    /// A material point of a cell is inverted (`det F ≤ 0`) at the current iterate.
    case invertedMaterialPoint(cell: Int, J: Double)

    public var description: String {
        switch self {
        case let .cellWithoutMaterial(c): return "cell \(c) lies in no region with a material: every cell needs one"
        case let .invertedMaterialPoint(c, j): return "cell \(c): det F = \(j) at a quadrature point (element inverted)"
        }
    }
}

/// Quasi-static solid mechanics on a mesh: the displacement field (3
/// components at every node, mm), materials per cell, prescribed components
/// with load curves, nodal/surface loads with load curves, and rigid
/// surfaces — posed as a ``TransientSystem`` so the adaptive stepper drives it
/// in (pseudo-)time.
///
/// Unknowns: the free displacement components after Dirichlet elimination
/// (prescribed components are removed from the system, not penalized) and
/// master–slave condensation of rigid surfaces (every node of a rigid surface
/// shares one translation per direction: ``EquationCondensation``; rotation
/// of a rigid surface is locked). Residual `R = f_int(u) − f_ext(t)` (N),
/// tangent `∂f_int/∂u` (N/mm), both assembled by FiniteElements' ``Assembler``
/// (precomputed scatter map, one worker per core).
///
/// ```swift
/// let problem = try SolidMechanicsProblem(mesh: mesh, cellMaterials: materials, finiteStrain: false)
/// problem.prescribed = [PrescribedComponent(nodes: bottom, component: 2, value: 0)]
/// problem.loads = [NodalLoad(nodalForces: forces, curve: ramp)]
/// try problem.prepare()
/// ```
public final class SolidMechanicsProblem: TransientSystem {
    /// A cell's material: the law and the rotation whose columns are its axes.
    public struct CellMaterial: Sendable {
        /// The constitutive law.
        public var law: any SolidMaterial
        /// Material axes at the cell (rotation; identity for isotropic laws).
        public var axes: Tensor3
        /// The small-strain elasticity matrix in global axes (MPa), computed once.
        public let elasticity: VoigtMatrix
        /// A cell material.
        public init(law: any SolidMaterial, axes: Tensor3 = .identity) {
            self.law = law; self.axes = axes
            elasticity = law.smallStrainStiffness(axes: axes)
        }
    }

    /// The mesh (coordinates in mm).
    public let mesh: Mesh
    /// Material of each cell.
    public let cellMaterials: [CellMaterial]
    /// Total-Lagrangian finite strain (true) or small strain (false).
    public let finiteStrain: Bool
    /// Prescribed displacement components (mm). Set before ``prepare()``.
    public var prescribed: [PrescribedComponent] = []
    /// Applied nodal loads (N). May change between steps.
    public var loads: [NodalLoad] = []
    /// Rigid surfaces coupled to reference points. Set before ``prepare()``.
    public var rigidBodies: [RigidBody] = []

    /// A set of nodes (a rigid surface) moving as one body with a reference
    /// point: `u = U + θ × (X − X_ref)` (translation `U`, mm; small rotation `θ`,
    /// rad), by master–slave elimination — the nodes' displacements are not
    /// unknowns, `U` and `θ` are. A force (N) and a moment (N·mm, about the
    /// reference point) follow a load curve.
    ///
    /// With `rotationFree == false` only `U` is unknown (rotation locked); a node
    /// of such a body that is also prescribed in some direction then prescribes
    /// the whole body in that direction. With `rotationFree == true` no node
    /// may be prescribed (``LoadError/conflictingConstraint(node:component:first:second:)``).
    /// The rotation is linearized: exact for small rotations.
    public struct RigidBody: Sendable {
        /// Mesh nodes of the body.
        public var nodes: [Int]
        /// Reference point (mm).
        public var reference: SIMD3<Double>
        /// Whether the body may rotate.
        public var rotationFree: Bool
        /// Applied force (N), times ``curve``.
        public var force: SIMD3<Double>
        /// Applied moment about ``reference`` (N·mm), times ``curve``; must be zero when rotation is locked.
        public var moment: SIMD3<Double>
        /// Time history of force and moment.
        public var curve: LoadCurve
        /// A rigid body.
        public init(nodes: [Int], reference: SIMD3<Double>, rotationFree: Bool, force: SIMD3<Double> = .zero,
                    moment: SIMD3<Double> = .zero, curve: LoadCurve = .constant) {
            self.nodes = nodes; self.reference = reference; self.rotationFree = rotationFree
            self.force = force; self.moment = moment; self.curve = curve
        }
    }

    /// Reduced unknown of each rigid body's `U_x, U_y, U_z, θ_x, θ_y, θ_z` (−1: prescribed or locked).
    public private(set) var rigidUnknowns: [[Int]] = []

    /// The displacement field's DOF map (field `u`, 3 components on every node:
    /// DOF `3·node + component`).
    public let dofMap: DofMap
    /// Equation numbering after Dirichlet elimination (set by ``prepare()``).
    public private(set) var numbering: EquationNumbering?
    /// For each prescribed DOF, the index into ``prescribed`` of its prescription (−1: free).
    public private(set) var prescriptionOfDof: [Int] = []
    /// Assembly pattern and scatter map over the free equations (set by ``prepare()``).
    public private(set) var assembler: Assembler?
    private var condensation: EquationCondensation?
    private var fullMatrix: SymmetricMatrix?

    /// A problem on `mesh` with one material per cell.
    /// - Throws: ``SolidMechanicsError/cellWithoutMaterial(cell:)`` if `cellMaterials` has nil entries.
    public init(mesh: Mesh, cellMaterials: [CellMaterial?], finiteStrain: Bool) throws {
        precondition(cellMaterials.count == mesh.cellCount)
        if let missing = cellMaterials.firstIndex(where: { $0 == nil }) { throw SolidMechanicsError.cellWithoutMaterial(cell: missing) }
        self.mesh = mesh
        self.cellMaterials = cellMaterials.map { $0! }
        self.finiteStrain = finiteStrain
        dofMap = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3)])
    }

    /// True when every material is linear and kinematics are small: one Newton
    /// iteration per step is exact.
    public var isLinear: Bool { !finiteStrain && cellMaterials.allSatisfy { $0.law.isLinear } }

    /// A linear problem's tangent never changes: factored once per run.
    public var hasConstantTangent: Bool { isLinear }

    /// Equation of each displacement DOF (−1: prescribed).
    public var equationOfDof: [Int32] { numbering?.equationOfDof ?? [] }

    /// Number of displacement DOFs (3 per node).
    public var dofCount: Int { dofMap.dofCount }

    /// Number of unknowns after elimination and condensation.
    public var unknownCount: Int { condensation?.reducedCount ?? numbering?.count ?? 0 }

    public var matrixKind: MatrixKind { .symmetricPositiveDefinite }

    public func tangentPattern() -> SymmetricMatrix { condensation?.reducedPattern ?? assembler!.pattern }

    /// Numbers the equations, builds the sparsity pattern and the scatter map.
    /// Call after setting ``prescribed`` and ``rigidNodeGroups``.
    /// - Throws: ``LoadError/conflictingConstraint(node:component:first:second:)``.
    public func prepare() throws {
        let n = dofCount
        func compatible(_ q: PrescribedComponent, _ p: PrescribedComponent) -> Bool {
            (q.value == 0 && p.value == 0) || (q.value == p.value && q.curve == p.curve)
        }
        var prescription = [Int](repeating: -1, count: n)
        for (k, p) in prescribed.enumerated() {
            for node in p.nodes {
                let dof = 3 * node + p.component
                let old = prescription[dof]
                if old >= 0, old != k {
                    if !compatible(prescribed[old], p) {
                        throw LoadError.conflictingConstraint(node: node, component: p.component, first: prescribed[old].value, second: p.value)
                    }
                    continue
                }
                prescription[dof] = k
            }
        }
        // A locked-rotation body with one prescribed member moves as that member in that direction.
        for body in rigidBodies {
            for c in 0..<3 {
                let dofs = body.nodes.map { 3 * $0 + c }
                guard let k = dofs.lazy.map({ prescription[$0] }).first(where: { $0 >= 0 }) else { continue }
                if body.rotationFree {
                    throw LoadError.conflictingConstraint(node: dofs.first { prescription[$0] >= 0 }! / 3, component: c,
                                                          first: prescribed[k].value, second: .nan)
                }
                for d in dofs {
                    if prescription[d] >= 0, !compatible(prescribed[prescription[d]], prescribed[k]) {
                        throw LoadError.conflictingConstraint(node: d / 3, component: c, first: prescribed[prescription[d]].value, second: prescribed[k].value)
                    }
                    prescription[d] = k
                }
            }
        }
        prescriptionOfDof = prescription
        let eqs = EquationNumbering(constrained: prescription.map { $0 >= 0 })
        numbering = eqs
        let assembler = try Assembler(dofMap: dofMap, numbering: eqs)
        self.assembler = assembler
        fullMatrix = assembler.pattern
        // Master–slave map: free non-slave equations first, then each body's unknowns.
        guard !rigidBodies.isEmpty else { condensation = nil; rigidUnknowns = []; return }
        var slaveOf = [Int](repeating: -1, count: eqs.count)   // body index of a slave equation
        for (bi, body) in rigidBodies.enumerated() {
            for node in body.nodes { for c in 0..<3 {
                let e = eqs.equation(ofDof: 3 * node + c)
                if e >= 0 { slaveOf[e] = bi }
            } }
        }
        var map = [[(index: Int, coefficient: Double)]](repeating: [], count: eqs.count)
        var next = 0
        for e in 0..<eqs.count where slaveOf[e] < 0 { map[e] = [(next, 1)]; next += 1 }
        var unknowns: [[Int]] = []
        for body in rigidBodies {
            var ids = [Int](repeating: -1, count: 6)
            for c in 0..<3 where body.nodes.contains(where: { eqs.equation(ofDof: 3 * $0 + c) >= 0 }) { ids[c] = next; next += 1 }
            if body.rotationFree { for c in 3..<6 { ids[c] = next; next += 1 } }
            unknowns.append(ids)
        }
        for e in 0..<eqs.count where slaveOf[e] >= 0 {
            let body = rigidBodies[slaveOf[e]], ids = unknowns[slaveOf[e]]
            let dof = eqs.dofOfEquation[e], node = dof / 3, c = dof % 3
            let r = mesh.nodes[node] - body.reference
            var list: [(index: Int, coefficient: Double)] = [(ids[c], 1)]
            if body.rotationFree {
                // (θ × r)_c: x: θy rz − θz ry; y: θz rx − θx rz; z: θx ry − θy rx.
                let (j, k) = ((c + 1) % 3, (c + 2) % 3)
                list.append((ids[3 + j], r[k]))
                list.append((ids[3 + k], -r[j]))
            }
            map[e] = list
        }
        rigidUnknowns = unknowns
        condensation = EquationCondensation(full: assembler.pattern, map: map, reducedCount: next)
    }

    /// Translation (mm) and rotation (rad) of each rigid body for unknowns `x`
    /// (a prescribed direction of a locked body reports its prescribed value at `time`).
    public func rigidBodyMotion(unknowns x: [Double], time: Double) -> [(translation: SIMD3<Double>, rotation: SIMD3<Double>)] {
        let u = displacement(unknowns: x, time: time)
        return rigidBodies.enumerated().map { bi, body in
            var t = SIMD3<Double>.zero, r = SIMD3<Double>.zero
            for c in 0..<3 {
                t[c] = rigidUnknowns[bi][c] >= 0 ? x[rigidUnknowns[bi][c]] : u[3 * body.nodes[0] + c]
                if rigidUnknowns[bi][3 + c] >= 0 { r[c] = x[rigidUnknowns[bi][3 + c]] }
            }
            return (t, r)
        }
    }

    /// The full displacement vector (mm, `3·node + component`) for unknowns `x` at time `t` (s).
    public func displacement(unknowns x: [Double], time t: Double) -> [Double] {
        let free = condensation?.expand(x) ?? x
        let eq = numbering!.equationOfDof
        var u = [Double](repeating: 0, count: dofCount)
        for d in 0..<dofCount {
            let e = Int(eq[d])
            u[d] = e >= 0 ? free[e] : prescribed[prescriptionOfDof[d]].value(at: t)
        }
        return u
    }

    /// External nodal forces (N, `3·node + component`) at time `t` (s).
    public func externalForces(time t: Double) -> [Double] {
        var f = [Double](repeating: 0, count: dofCount)
        for load in loads {
            let s = load.curve.value(at: t)
            for (k, node) in load.nodes.enumerated() { for c in 0..<3 { f[3 * node + c] += s * load.forces[k][c] } }
        }
        return f
    }

    /// The internal force `f_int(u)` (N) at every DOF, constrained ones included
    /// (their value minus the external force is the reaction).
    public func internalForces(displacement u: [Double]) throws -> [Double] {
        var f = [Double](repeating: 0, count: dofCount)
        let kernel = makeKernel(displacement: u, sign: 1)
        try assembler!.assembleDofVector(into: &f) { c, fe in try kernel(c, nil, fe, nil) }
        return f
    }

    public func predictor(previous: [Double], time: Double, timeStep: Double) -> [Double] { previous }

    public func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep: Double,
                         residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        let u = displacement(unknowns: x, time: time)
        let fext = externalForces(time: time)
        let eqs = numbering!
        // rhs = f_ext − f_int = −R on the free equations.
        var rhs = try eqs.restrict(fext)
        let kernel = makeKernel(displacement: u, sign: -1)
        let assembler = self.assembler!
        if tangent != nil {
            var k = fullMatrix!
            for i in 0..<k.values.count { k.values[i] = 0 }
            try assembler.assemble(matrix: &k, rhs: &rhs) { (c: Int, scratch: CellScratch, ke: UnsafeMutableBufferPointer<Double>, fe: UnsafeMutableBufferPointer<Double>) in
                try kernel(c, scratch, fe, ke)
            }
            if let cond = condensation { cond.condense(k, into: &tangent!) } else { tangent = k }
            fullMatrix = k
        } else {
            try assembler.assembleVector(rhs: &rhs) { c, fe in try kernel(c, nil, fe, nil) }
        }
        for i in 0..<rhs.count { rhs[i] = -rhs[i] }
        residual = condensation?.condense(vector: rhs) ?? rhs
        // Loads on rigid bodies act on their reference unknowns.
        for (bi, body) in rigidBodies.enumerated() {
            let s = body.curve.value(at: time)
            for c in 0..<3 {
                if rigidUnknowns[bi][c] >= 0 { residual[rigidUnknowns[bi][c]] -= s * body.force[c] }
                if rigidUnknowns[bi][3 + c] >= 0 { residual[rigidUnknowns[bi][3 + c]] -= s * body.moment[c] }
            }
        }
    }

    /// A kernel writing `sign · f_int` (N) of a cell and, when a matrix buffer is
    /// given, its tangent stiffness (N/mm), both in the DOF map's local order
    /// (node, then component) — the order ``SolidKernel`` uses.
    /// With a per-thread scratch the cell's ``CellValues`` are reused, not reallocated.
    func makeKernel(displacement u: [Double], sign: Double)
        -> @Sendable (Int, CellScratch?, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>?) throws -> Void {
        let mesh = self.mesh, materials = cellMaterials, finite = finiteStrain
        return { c, scratch, fe, ke in
            let cv: CellValues
            if let scratch { cv = try scratch.values(mesh: mesh, cell: c) } else {
                var fresh = CellValues(cellType: mesh.cellType(c))
                try fresh.reinit(mesh: mesh, cell: c)
                cv = fresh
            }
            let nodes = mesh.cellNodes(c)
            let n = nodes.count, material = materials[c]
            var ue = [Double](repeating: 0, count: 3 * n)
            for (a, node) in nodes.enumerated() { for i in 0..<3 { ue[3 * a + i] = u[3 * node + i] } }
            try cv.gradients.withUnsafeBufferPointer { g in
                try cv.jxw.withUnsafeBufferPointer { w in
                    try ue.withUnsafeBufferPointer { up in
                        if finite {
                            do {
                                try SolidKernel.finiteStrain(nodeCount: n, quadratureCount: cv.quadratureCount, gradients: g, jxw: w, displacement: up,
                                                             material: material.law, axes: material.axes, force: fe, stiffness: ke)
                            } catch let MaterialError.nonPositiveJacobian(j) {
                                throw SolidMechanicsError.invertedMaterialPoint(cell: c, J: j)
                            }
                        } else {
                            SolidKernel.smallStrain(nodeCount: n, quadratureCount: cv.quadratureCount, gradients: g, jxw: w, displacement: up,
                                                    elasticity: material.elasticity, force: fe, stiffness: ke)
                        }
                    }
                }
            }
            if sign != 1 { for i in 0..<fe.count { fe[i] *= sign } }
        }
    }
}

/// A ``SolidMechanicsProblem`` frozen at one time, as a ``NonlinearSystem``
/// (equilibrium at `t`, e.g. the initial state before stepping).
public final class StaticEquilibrium: NonlinearSystem {
    /// The problem.
    public let problem: SolidMechanicsProblem
    /// The time (s) at which loads and prescribed values are evaluated.
    public let time: Double
    /// Equilibrium of `problem` at `time` (s).
    public init(_ problem: SolidMechanicsProblem, time: Double) { self.problem = problem; self.time = time }
    public var unknownCount: Int { problem.unknownCount }
    public var matrixKind: MatrixKind { problem.matrixKind }
    public func tangentPattern() -> SymmetricMatrix { problem.tangentPattern() }
    public func evaluate(_ x: [Double], residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        try problem.evaluate(x, previous: x, time: time, timeStep: 1, residual: &residual, tangent: &tangent)
    }
    public var hasConstantTangent: Bool { problem.hasConstantTangent }
}
