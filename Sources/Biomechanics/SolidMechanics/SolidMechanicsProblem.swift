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
/// tangent `∂f_int/∂u` (N/mm), both assembled through a precomputed scatter map.
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
        /// A cell material.
        public init(law: any SolidMaterial, axes: Tensor3 = .identity) { self.law = law; self.axes = axes }
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
    /// Node lists of rigid (force-driven) surfaces, each tied to one translation. Set before ``prepare()``.
    public var rigidNodeGroups: [[Int]] = []

    /// Equation of each displacement DOF `3·node + component` (−1: prescribed).
    public private(set) var equationOfDof: [Int] = []
    /// For each prescribed DOF, the index into ``prescribed`` of its prescription.
    public private(set) var prescriptionOfDof: [Int] = []
    private var condensation: EquationCondensation?
    private var fullPattern: SymmetricMatrix?
    private var fullMatrix: SymmetricMatrix?
    /// Per cell: for local pair `(r, c)` of its `3n` DOFs, the stored entry of
    /// the full pattern (lower triangle) it adds to, or −1.
    private var scatter: [[Int32]] = []
    private var cellValues: [CellType: CellValues] = [:]

    /// A problem on `mesh` with one material per cell.
    /// - Throws: ``SolidMechanicsError/cellWithoutMaterial(cell:)`` if `cellMaterials` has nil entries.
    public init(mesh: Mesh, cellMaterials: [CellMaterial?], finiteStrain: Bool) throws {
        precondition(cellMaterials.count == mesh.cellCount)
        if let missing = cellMaterials.firstIndex(where: { $0 == nil }) { throw SolidMechanicsError.cellWithoutMaterial(cell: missing) }
        self.mesh = mesh
        self.cellMaterials = cellMaterials.map { $0! }
        self.finiteStrain = finiteStrain
    }

    /// True when every material is linear and kinematics are small: one Newton
    /// iteration per step is exact.
    public var isLinear: Bool { !finiteStrain && cellMaterials.allSatisfy { $0.law.isLinear } }

    /// Number of displacement DOFs (3 per node).
    public var dofCount: Int { 3 * mesh.nodeCount }

    /// Number of unknowns after elimination and condensation.
    public var unknownCount: Int { condensation?.reducedCount ?? fullPattern?.dimension ?? 0 }

    public var matrixKind: MatrixKind { .symmetricPositiveDefinite }

    public func tangentPattern() -> SymmetricMatrix { condensation?.reducedPattern ?? fullPattern! }

    /// Numbers the equations, builds the sparsity pattern and the scatter map.
    /// Call after setting ``prescribed`` and ``rigidNodeGroups``.
    /// - Throws: ``LoadError/conflictingConstraint(node:component:first:second:)``.
    public func prepare() throws {
        let n = dofCount
        var prescription = [Int](repeating: -1, count: n)
        for (k, p) in prescribed.enumerated() {
            for node in p.nodes {
                let dof = 3 * node + p.component
                let old = prescription[dof]
                if old >= 0, old != k {
                    let q = prescribed[old]
                    let same = (q.value == 0 && p.value == 0) || (q.value == p.value && q.curve == p.curve)
                    if !same { throw LoadError.conflictingConstraint(node: node, component: p.component, first: q.value, second: p.value) }
                    continue
                }
                prescription[dof] = k
            }
        }
        // A rigid group with one prescribed member moves as that member in that direction.
        var groups: [[Int]] = []
        for nodes in rigidNodeGroups {
            for c in 0..<3 {
                let dofs = nodes.map { 3 * $0 + c }
                if let k = dofs.lazy.map({ prescription[$0] }).first(where: { $0 >= 0 }) {
                    for d in dofs {
                        if prescription[d] >= 0, prescription[d] != k {
                            let q = prescribed[prescription[d]], p = prescribed[k]
                            if !((q.value == 0 && p.value == 0) || (q.value == p.value && q.curve == p.curve)) {
                                throw LoadError.conflictingConstraint(node: d / 3, component: c, first: q.value, second: p.value)
                            }
                        }
                        prescription[d] = k
                    }
                } else {
                    groups.append(dofs)
                }
            }
        }
        var equation = [Int](repeating: -1, count: n)
        var count = 0
        for d in 0..<n where prescription[d] < 0 { equation[d] = count; count += 1 }
        equationOfDof = equation
        prescriptionOfDof = prescription
        // Pattern: per column, the rows ≥ column coupled through a cell.
        var columns = [[Int32]](repeating: [], count: count)
        for c in 0..<mesh.cellCount {
            let eqs = cellEquations(c)
            for a in eqs where a >= 0 { for b in eqs where b >= a { columns[a].append(Int32(b)) } }
        }
        var starts = [0], rows: [Int32] = []
        rows.reserveCapacity(columns.reduce(0) { $0 + $1.count } / 4)
        for j in 0..<count {
            let unique = Array(Set(columns[j])).sorted()
            rows.append(contentsOf: unique)
            starts.append(rows.count)
            columns[j] = []
        }
        let pattern = try SymmetricMatrix(dimension: count, columnStarts: starts, rowIndices: rows, values: [Double](repeating: 0, count: rows.count))
        fullPattern = pattern
        fullMatrix = pattern
        scatter = (0..<mesh.cellCount).map { c in
            let eqs = cellEquations(c)
            let m = eqs.count
            var map = [Int32](repeating: -1, count: m * m)
            for r in 0..<m where eqs[r] >= 0 {
                for s in 0..<m where eqs[s] >= 0 && eqs[r] >= eqs[s] {
                    let col = eqs[s], row = Int32(eqs[r])
                    var lo = starts[col], hi = starts[col + 1]
                    while lo < hi { let mid = (lo + hi) / 2; if rows[mid] < row { lo = mid + 1 } else { hi = mid } }
                    map[r * m + s] = Int32(lo)
                }
            }
            return map
        }
        let tied = groups.map { $0.map { equation[$0] } }
        condensation = tied.isEmpty ? nil : EquationCondensation(full: pattern, groups: tied)
    }

    /// Equations of the local DOFs of cell `c` (node, then component).
    func cellEquations(_ c: Int) -> [Int] {
        mesh.cellNodes(c).flatMap { node in (0..<3).map { equationOfDof[3 * node + $0] } }
    }

    /// The full displacement vector (mm, `3·node + component`) for unknowns `x` at time `t` (s).
    public func displacement(unknowns x: [Double], time t: Double) -> [Double] {
        let free = condensation?.expand(x) ?? x
        var u = [Double](repeating: 0, count: dofCount)
        for d in 0..<dofCount {
            let e = equationOfDof[d]
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
        try loopCells(displacement: u, withStiffness: false) { c, nodes, fe, _ in
            for (a, node) in nodes.enumerated() { for i in 0..<3 { f[3 * node + i] += fe[3 * a + i] } }
        }
        return f
    }

    public func predictor(previous: [Double], time: Double, timeStep: Double) -> [Double] { previous }

    public func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep: Double,
                         residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        let u = displacement(unknowns: x, time: time)
        let fext = externalForces(time: time)
        let nFree = fullPattern!.dimension
        var r = [Double](repeating: 0, count: nFree)
        for d in 0..<dofCount where equationOfDof[d] >= 0 { r[equationOfDof[d]] = -fext[d] }
        let wantK = tangent != nil
        var k = fullMatrix!
        if wantK { for i in 0..<k.values.count { k.values[i] = 0 } }
        try k.values.withUnsafeMutableBufferPointer { kv in
            try r.withUnsafeMutableBufferPointer { rp in
                try loopCells(displacement: u, withStiffness: wantK) { c, nodes, fe, ke in
                    let m = 3 * nodes.count
                    let eqs = cellEquations(c)
                    for a in 0..<m where eqs[a] >= 0 { rp[eqs[a]] += fe[a] }
                    guard let ke else { return }
                    scatter[c].withUnsafeBufferPointer { map in
                        for p in 0..<m * m where map[p] >= 0 { kv[Int(map[p])] += ke[p] }
                    }
                }
            }
        }
        if let cond = condensation {
            residual = cond.condense(vector: r)
            if wantK { cond.condense(k, into: &tangent!) }
        } else {
            residual = r
            if wantK { tangent = k }
        }
        fullMatrix = k
    }

    /// Calls `body(cell, nodes, force, stiffness)` for every cell with its
    /// internal force (N) and, if asked, stiffness (N/mm), row-major `3n × 3n`.
    func loopCells(displacement u: [Double], withStiffness: Bool,
                   _ body: (Int, ArraySlice<Int>, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>?) throws -> Void) throws {
        var fe = [Double](repeating: 0, count: 81), ke = [Double](repeating: 0, count: 81 * 81), ue = [Double](repeating: 0, count: 81)
        for c in 0..<mesh.cellCount {
            let type = mesh.cellType(c)
            if cellValues[type] == nil { cellValues[type] = CellValues(cellType: type) }
            try cellValues[type]!.reinit(mesh: mesh, cell: c)
            let cv = cellValues[type]!
            let nodes = mesh.cellNodes(c)
            for (a, node) in nodes.enumerated() { for i in 0..<3 { ue[3 * a + i] = u[3 * node + i] } }
            let n = nodes.count, material = cellMaterials[c]
            try cv.gradients.withUnsafeBufferPointer { g in
                try cv.jxw.withUnsafeBufferPointer { w in
                    try ue.withUnsafeBufferPointer { up in
                        try fe.withUnsafeMutableBufferPointer { fp in
                            try ke.withUnsafeMutableBufferPointer { kp in
                                let fv = UnsafeMutableBufferPointer(rebasing: fp[0..<3 * n])
                                let kvb = withStiffness ? UnsafeMutableBufferPointer(rebasing: kp[0..<9 * n * n]) : nil
                                let uv = UnsafeBufferPointer(rebasing: up[0..<3 * n])
                                if finiteStrain {
                                    do {
                                        try SolidKernel.finiteStrain(nodeCount: n, quadratureCount: cv.quadratureCount, gradients: g, jxw: w,
                                                                     displacement: uv, material: material.law, axes: material.axes,
                                                                     force: fv, stiffness: kvb)
                                    } catch let MaterialError.nonPositiveJacobian(j) {
                                        throw SolidMechanicsError.invertedMaterialPoint(cell: c, J: j)
                                    }
                                } else {
                                    SolidKernel.smallStrain(nodeCount: n, quadratureCount: cv.quadratureCount, gradients: g, jxw: w,
                                                            displacement: uv, elasticity: material.law.smallStrainStiffness(axes: material.axes),
                                                            force: fv, stiffness: kvb)
                                }
                                try body(c, nodes, fv, kvb)
                            }
                        }
                    }
                }
            }
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
}
