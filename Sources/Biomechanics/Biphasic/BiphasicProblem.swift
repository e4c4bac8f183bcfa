import Foundation
import FiniteElements
import SparseLinearAlgebra

/// Components of some nodes tied to one common unknown — a rigid, force-driven
/// platen or endplate translating in direction `component` (0 = x, 1 = y, 2 = z).
public struct TiedComponent: Sendable, Equatable {
    /// Mesh nodes that move together.
    public var nodes: [Int]
    /// Displacement component tied.
    public var component: Int
    /// A tie.
    public init(nodes: [Int], component: Int) { self.nodes = nodes; self.component = component }
}

/// A prescribed fluid volume flux into the body through a surface: `q(t) =
/// value × curve(t)` (mm/s, positive = inflow), lumped to pressure nodes by the
/// consistent weights `∫ N̂_b dA` (mm²) of the linear pressure basis.
public struct FluidFluxLoad: Sendable, Equatable {
    /// Pressure-carrying nodes (face corners).
    public var nodes: [Int]
    /// `∫ N̂_b dA` (mm²) per node.
    public var weights: [Double]
    /// Inflow velocity amplitude (mm/s, volume per area per time).
    public var value: Double
    /// Time history.
    public var curve: LoadCurve

    /// Consistent weights of surface `name` of `mesh` (reference configuration).
    /// - Throws: the mesh's error for an unknown surface or a degenerate face.
    public init(mesh: Mesh, surface name: String, value: Double, curve: LoadCurve = .constant) throws {
        var acc: [Int: Double] = [:]
        var cache: [FaceType: FaceValues] = [:]
        for face in try mesh.faces(ofSurface: name) {
            let t = mesh.faceType(face)
            if cache[t] == nil { cache[t] = FaceValues(faceType: t) }
            try cache[t]!.reinit(mesh: mesh, face: face)
            let fv = cache[t]!
            let lin = t.linear
            var n = [Double](repeating: 0, count: lin.nodeCount)
            for q in 0..<fv.quadratureCount {
                let r = fv.table.rule.points[q]
                n.withUnsafeMutableBufferPointer { lin.evaluate(at: SIMD2(r.x, r.y), values: $0.baseAddress, gradients: nil) }
                for a in 0..<lin.nodeCount { acc[fv.nodes[a], default: 0] += n[a] * fv.jxw[q] }
            }
        }
        let keys = acc.keys.sorted()
        nodes = keys; weights = keys.map { acc[$0]! }; self.value = value; self.curve = curve
    }
}

/// Fluid exchange through a semi-permeable surface (Starling/Robin condition):
/// outflow `w·n = L (p − p_ext(t))` with conductance `L` (mm/(MPa·s) = mm³ per
/// mm² per s per MPa) and external pressure `p_ext = value × curve(t)` (MPa) —
/// e.g. a cartilage endplate of permeability `k` and thickness `t`: `L = k/t`
/// (LITERATURE.md: endplate k0 = 7e-15 m⁴/(N·s) = 7e-3 mm⁴/(N·s), t ≈ 0.6 mm →
/// L ≈ 0.012 mm/(MPa·s)). Unlike a drained surface (p pinned to p_ext), the
/// pressure at the surface is free, so fast loading stays undrained.
/// Contributes `−Δt L ∫ N̂_a N̂_b dA` to the pressure block (symmetric, negative semidefinite).
public struct FluidExchange: Sendable {
    /// The faces (reference configuration).
    public var faces: [FaceRef]
    /// Conductance `L` (mm/(MPa·s)), > 0.
    public var conductance: Double
    /// External pressure amplitude (MPa).
    public var pressure: Double
    /// Time history of the external pressure.
    public var curve: LoadCurve
    /// An exchange condition on surface `name`.
    /// - Throws: ``BiphasicError/invalidParameter(name:value:expected:)`` naming `conductance`; the mesh's error for an unknown surface.
    public init(mesh: Mesh, surface name: String, conductance: Double, pressure: Double = 0, curve: LoadCurve = .constant) throws {
        try requirePositive("conductance", conductance, unit: "mm/(MPa s)")
        faces = try mesh.faces(ofSurface: name)
        self.conductance = conductance; self.pressure = pressure; self.curve = curve
    }
}

/// Quasi-static biphasic (poroelastic) mixture on a mesh of quadratic cells:
/// displacement `u` (mm, quadratic, every node) and fluid pressure `p` (MPa,
/// linear on the corner nodes) — the Taylor–Hood pair, inf–sup stable — posed
/// as a ``TransientSystem`` for FiniteElements' adaptive backward-Euler stepper.
///
/// Equations: see ``BiphasicKernel``. The tangent is symmetric indefinite
/// `[[K, −Q], [−Qᵀ, −Δt H]]` and is solved by the supernodal `LDLᵀ`
/// (``matrixKind`` = `.symmetricIndefinite`, one symbolic analysis per run).
///
/// Boundary conditions:
/// - ``prescribed``: displacement components (mm) with load curves, eliminated;
/// - ``drained``: prescribed fluid pressure (MPa; 0 = free draining), eliminated —
///   listed mid-side nodes carry no pressure and are skipped;
/// - ``ties``: rigid platens (components tied to one unknown);
/// - ``rigidBodies``: rigid vertebrae (six unknowns each, finite rotation) tied to endplate
///   nodes, with ligaments and facets (``CoupledRigidBodies``);
/// - ``loads``: nodal forces (N) with load curves;
/// - every other boundary is impermeable (zero flux, the natural condition).
///
/// ```swift
/// let problem = try BiphasicProblem(mesh: mesh, materials: [BiphasicProblem.CellMaterial(law: m)], finiteStrain: false)
/// problem.prescribed = [PrescribedComponent(nodes: bottom, component: 2, value: 0)]
/// problem.drained = [PrescribedComponent(nodes: top, component: 0, value: 0)]
/// try problem.prepare()
/// ```
public final class BiphasicProblem: TransientSystem {
    /// A cell's material and material axes.
    public struct CellMaterial: Sendable {
        /// The mixture.
        public var law: BiphasicMaterial
        /// Material axes (rotation, columns = axes; identity for isotropic laws).
        public var axes: Tensor3
        /// A cell material.
        public init(law: BiphasicMaterial, axes: Tensor3 = .identity) { self.law = law; self.axes = axes }
    }

    /// The mesh (reference coordinates, mm).
    public let mesh: Mesh
    /// Material of each cell.
    public let cellMaterials: [CellMaterial]
    /// Total-Lagrangian finite strain (true) or small strain (false).
    public let finiteStrain: Bool
    /// Prescribed displacement components (mm). Set before ``prepare()``.
    public var prescribed: [PrescribedComponent] = []
    /// Prescribed fluid pressures (MPa; `component` is ignored). Set before ``prepare()``.
    public var drained: [PrescribedComponent] = []
    /// Rigid ties. Set before ``prepare()``.
    public var ties: [TiedComponent] = []
    /// Nodal loads (N).
    public var loads: [NodalLoad] = []
    /// Rigid vertebrae tied to endplate nodes, with their ligaments and facets (six unknowns per
    /// vertebra appended to the system; see ``CoupledRigidBodies``). The vertebrae are set before
    /// ``prepare()``; loads, ligament states and facet multipliers may change between steps.
    public var rigidBodies = CoupledRigidBodies()
    /// Prescribed fluid inflow through surfaces (mm/s).
    public var fluxes: [FluidFluxLoad] = []
    /// Semi-permeable surfaces (Starling exchange with an external pressure).
    public var exchanges: [FluidExchange] = []
    /// Free swelling: while true, nodal ``loads`` and prescribed ``fluxes`` are off and every
    /// prescribed displacement, drained pressure and exchange pressure is held at its value at
    /// t = 0, whatever the step time — the tissue swells against no external mechanical load
    /// (a force-driven rigid endplate is free to move) towards Donnan equilibrium with the bath.
    /// The step time then only measures the swelling's pseudo-time (s).
    public var freeSwelling = false
    /// DOF map: field 0 `u` (3 components, all nodes), field 1 `p` (1 component, corner nodes).
    public let dofMap: DofMap
    /// Equation numbering after elimination (set by ``prepare()``).
    public private(set) var numbering: EquationNumbering?
    /// Assembler (set by ``prepare()``).
    public private(set) var assembler: Assembler?
    /// Compaction events (`J ≤ φ0`) met while evaluating trial states: each made
    /// Newton back-track or the stepper cut the step. A driver prints them.
    public private(set) var compactionEvents: [BiphasicError] = []
    private(set) var condensation: EquationCondensation?
    /// Elimination of the nodes tied to ``rigidBodies`` (nil without vertebrae).
    private(set) var rigidCoupling: RigidBodyCondensation?
    /// The non-symmetric part of the vertebrae's tangent at the last evaluation with a tangent
    /// (``RigidBodyCondensation``), nil without vertebrae.
    private var rigidTangentCorrection: TangentCorrection?
    /// The non-symmetric part of the tangent that the symmetric matrix of the last ``evaluate(_:previous:time:timeStep:residual:tangent:)``
    /// with a tangent does not hold: the rotational stiffness of the rigid vertebrae under a net
    /// moment (``TangentCorrection``; N·mm/rad, N/rad, N·mm/mm on the vertebrae's unknowns). Nil
    /// without vertebrae; the finite elements' own tangent is symmetric (``BiphasicKernel``).
    public var tangentCorrection: TangentCorrection? { rigidCoupling == nil ? nil : rigidTangentCorrection }
    private var fullMatrix: SymmetricMatrix?
    private var prescriptionOfDof: [Int] = []  // index into prescribed (u), drained (offset by prescribed.count), then solidOnlyPressure
    /// The pressures that only solid-only cells touch (``BiphasicMaterial/init(solidOnly:)``),
    /// held at 0 MPa: no equation decides them. Set by ``prepare()``; nil when there are none.
    private var solidOnlyPressure: PrescribedComponent?
    /// Every prescription: ``prescribed``, ``drained``, then the solid-only pressures.
    private var allPrescriptions: [PrescribedComponent] { prescribed + drained + (solidOnlyPressure.map { [$0] } ?? []) }
    private let pressureTables: [CellType: ShapeTable]
    /// Solid stiffness of every cell (row-major 3n × 3n, N/mm) when it is constant
    /// (small strain, linear solid): computed once in ``prepare()``.
    private var solidStiffnessCache: [[Double]]?
    /// Reference geometry per cell (the mesh never moves in a total-Lagrangian
    /// formulation): displacement-basis gradients, `jxw`, pressure-basis gradients.
    private var geometryCache: [CellGeometry]?

    /// A problem with one material per cell (`materials.count` = 1 applies it to all cells).
    /// - Throws: ``BiphasicError/unstableElementPair(cell:cellType:)`` for linear cells (hex8/tet4),
    ///   ``BiphasicError/cellWithoutMaterial(cell:)`` for a nil material.
    public init(mesh: Mesh, materials: [CellMaterial?], finiteStrain: Bool) throws {
        let list = materials.count == 1 ? [CellMaterial?](repeating: materials[0], count: mesh.cellCount) : materials
        precondition(list.count == mesh.cellCount, "one material per cell (or one for all)")
        if let missing = list.firstIndex(where: { $0 == nil }) { throw BiphasicError.cellWithoutMaterial(cell: missing) }
        var tables: [CellType: ShapeTable] = [:]
        for c in 0..<mesh.cellCount {
            let t = mesh.cellType(c)
            guard t.nodeCount > t.cornerCount else { throw BiphasicError.unstableElementPair(cell: c, cellType: "\(t)") }
            if tables[t] == nil {
                tables[t] = ShapeTable(cellType: t.linear, rule: ShapeTable.cached(t, degree: t.defaultQuadratureDegree).rule)
            }
        }
        pressureTables = tables
        self.mesh = mesh
        cellMaterials = list.map { $0! }
        self.finiteStrain = finiteStrain
        dofMap = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3),
                                                 FieldSpec(name: "p", components: 1, interpolation: .linear)])
    }

    public var unknownCount: Int { rigidCoupling?.reducedCount ?? condensation?.reducedCount ?? numbering?.count ?? 0 }
    public var matrixKind: MatrixKind { .symmetricIndefinite }
    public func tangentPattern() -> SymmetricMatrix { rigidCoupling?.pattern ?? condensation?.reducedPattern ?? assembler!.pattern }

    /// True when one Newton iteration solves every step (small strain, linear solid,
    /// constant permeability, no osmosis).
    public var isLinear: Bool {
        !finiteStrain && cellMaterials.allSatisfy { $0.law.solid.isLinear && $0.law.permeability.isConstant && $0.law.osmosis == nil }
    }

    /// Global dof of displacement component `k` at `node`.
    public func displacementDof(node: Int, component k: Int) -> Int { dofMap.dof(field: 0, node: node, component: k)! }
    /// Global dof of the pressure at `node`, nil for a node without pressure (mid-side nodes).
    public func pressureDof(node: Int) -> Int? { dofMap.dof(field: 1, node: node, component: 0) }

    /// Numbers the equations and builds pattern and scatter map.
    /// - Throws: ``LoadError/conflictingConstraint(node:component:first:second:)`` for two different
    ///   prescriptions of one dof.
    public func prepare() throws {
        var prescription = [Int](repeating: -1, count: dofMap.dofCount)
        // Pressure unknowns that no fluid-carrying cell touches: held at 0, after the user's.
        var touchedByFluid = [Bool](repeating: false, count: mesh.nodeCount)
        for c in 0..<mesh.cellCount where !cellMaterials[c].law.isSolidOnly {
            for node in mesh.cellNodes(c) { touchedByFluid[node] = true }
        }
        let solidOnlyNodes = (0..<mesh.nodeCount).filter { !touchedByFluid[$0] && pressureDof(node: $0) != nil }
        solidOnlyPressure = solidOnlyNodes.isEmpty ? nil : PrescribedComponent(nodes: solidOnlyNodes, component: 0, value: 0)
        let all = allPrescriptions
        func set(_ dof: Int, _ k: Int, node: Int, component: Int) throws {
            let old = prescription[dof]
            if old >= 0, old != k {
                let a = all[old], b = all[k]
                guard (a.value == 0 && b.value == 0) || (a.value == b.value && a.curve == b.curve) else {
                    throw LoadError.conflictingConstraint(node: node, component: component, first: a.value, second: b.value)
                }
                return
            }
            prescription[dof] = k
        }
        for (k, pc) in prescribed.enumerated() {
            for node in pc.nodes { try set(displacementDof(node: node, component: pc.component), k, node: node, component: pc.component) }
        }
        for (k, pc) in drained.enumerated() {
            for node in pc.nodes { if let d = pressureDof(node: node) { try set(d, prescribed.count + k, node: node, component: 3) } }
        }
        if let pc = solidOnlyPressure {
            // A user's drained value wins at these nodes (a pressure there is equally undecided).
            for node in pc.nodes { if let d = pressureDof(node: node), prescription[d] < 0 { prescription[d] = all.count - 1 } }
        }
        var groups: [[Int]] = []
        for tie in ties {
            let dofs = tie.nodes.map { displacementDof(node: $0, component: tie.component) }
            if let k = dofs.lazy.map({ prescription[$0] }).first(where: { $0 >= 0 }) {
                for d in dofs { prescription[d] = k }
            } else { groups.append(dofs) }
        }
        prescriptionOfDof = prescription
        let eqs = EquationNumbering(constrained: prescription.map { $0 >= 0 })
        numbering = eqs
        let assembler = try Assembler(dofMap: dofMap, numbering: eqs)
        self.assembler = assembler
        fullMatrix = assembler.pattern
        let tied = groups.map { $0.map { eqs.equation(ofDof: $0) } }
        rigidCoupling = nil
        if rigidBodies.isEmpty {
            condensation = tied.isEmpty ? nil : EquationCondensation(full: assembler.pattern, groups: tied)
        } else {
            try rigidBodies.validate(nodeCount: mesh.nodeCount)
            condensation = nil
            rigidCoupling = try RigidBodyCondensation(full: assembler.pattern, numbering: eqs, mesh: mesh,
                                                      displacementDof: { self.displacementDof(node: $0, component: $1) },
                                                      groups: tied, bodies: rigidBodies)
        }
        var geometry: [CellGeometry] = []
        var tablesCV: [CellType: CellValues] = [:]
        var storage = 0
        for c in 0..<mesh.cellCount {
            let t = mesh.cellType(c)
            storage += ShapeTable.cached(t, degree: t.defaultQuadratureDegree).rule.count * (3 * t.nodeCount + 3 * t.cornerCount + 1)
        }
        if storage <= 50_000_000 {
            geometry.reserveCapacity(mesh.cellCount)
            for c in 0..<mesh.cellCount {
                let t = mesh.cellType(c)
                if tablesCV[t] == nil { tablesCV[t] = CellValues(cellType: t) }
                try tablesCV[t]!.reinit(mesh: mesh, cell: c)
                let cv = tablesCV[t]!
                let table = pressureTables[t]!
                var pg = [Double](repeating: 0, count: cv.quadratureCount * table.basisCount * 3)
                pg.withUnsafeMutableBufferPointer { cv.physicalGradients(of: table, into: $0) }
                geometry.append(CellGeometry(gradients: cv.gradients, jxw: cv.jxw, pressureGradients: pg))
            }
            geometryCache = geometry
        } else { geometryCache = nil }
        solidStiffnessCache = nil
        if !finiteStrain && cellMaterials.allSatisfy({ $0.law.solid.isLinear }) {
            var cache: [[Double]] = []
            cache.reserveCapacity(mesh.cellCount)
            var cv: [CellType: CellValues] = [:]
            for c in 0..<mesh.cellCount {
                let t = mesh.cellType(c)
                if cv[t] == nil { cv[t] = CellValues(cellType: t) }
                try cv[t]!.reinit(mesh: mesh, cell: c)
                let values = cv[t]!
                let n = t.nodeCount, nu = 3 * n
                var k = [Double](repeating: 0, count: nu * nu), f = [Double](repeating: 0, count: nu)
                let zero = [Double](repeating: 0, count: nu)
                let m = cellMaterials[c]
                values.gradients.withUnsafeBufferPointer { g in
                    values.jxw.withUnsafeBufferPointer { w in
                        zero.withUnsafeBufferPointer { z in
                            f.withUnsafeMutableBufferPointer { fp in
                                k.withUnsafeMutableBufferPointer { kp in
                                    SolidKernel.smallStrain(nodeCount: n, quadratureCount: values.quadratureCount, gradients: g, jxw: w, displacement: z,
                                                            elasticity: m.law.solid.smallStrainStiffness(axes: m.axes), force: fp, stiffness: kp)
                                }
                            }
                        }
                    }
                }
                cache.append(k)
            }
            solidStiffnessCache = cache
        }
    }

    /// The zero initial state (unknowns).
    public func initialState() -> [Double] { [Double](repeating: 0, count: unknownCount) }

    /// The full dof vector (mm and MPa) for unknowns `x` at time `t` (s).
    public func dofValues(unknowns x: [Double], time t: Double) -> [Double] {
        let free = rigidCoupling?.expand(x) ?? condensation?.expand(x) ?? x
        let eq = numbering!.equationOfDof
        let all = allPrescriptions
        let t = freeSwelling ? 0 : t
        var v = [Double](repeating: 0, count: dofMap.dofCount)
        for d in 0..<v.count {
            let e = Int(eq[d])
            v[d] = e >= 0 ? free[e] : all[prescriptionOfDof[d]].value(at: t)
        }
        return v
    }

    /// External nodal forces (N) at time `t` (s), as a full dof vector.
    public func externalForces(time t: Double) -> [Double] {
        var f = [Double](repeating: 0, count: dofMap.dofCount)
        if freeSwelling { return f }
        for load in loads {
            let s = load.curve.value(at: t)
            for (k, node) in load.nodes.enumerated() { for c in 0..<3 { f[displacementDof(node: node, component: c)] += s * load.forces[k][c] } }
        }
        return f
    }

    public func evaluate(_ x: [Double], previous: [Double], time: Double, timeStep: Double,
                         residual: inout [Double], tangent: inout SymmetricMatrix?) throws {
        guard timeStep.isFinite, timeStep > 0 else { throw BiphasicError.invalidTimeStep(name: "timeStep", value: timeStep) }
        let v = dofValues(unknowns: x, time: time)
        let v0 = dofValues(unknowns: previous, time: time - timeStep)
        let eqs = numbering!
        var external = externalForces(time: time)
        for flux in fluxes where !freeSwelling {
            let q = flux.value * flux.curve.value(at: time)
            for (k, node) in flux.nodes.enumerated() {
                if let d = pressureDof(node: node) { external[d] -= timeStep * q * flux.weights[k] }
            }
        }
        var rhs = try eqs.restrict(external)
        let kernel = makeKernel(values: v, previous: v0, timeStep: timeStep)
        let assembler = self.assembler!
        do {
            if tangent != nil {
                var k = fullMatrix!
                for i in 0..<k.values.count { k.values[i] = 0 }
                try assembler.assemble(matrix: &k, rhs: &rhs) { c, s, ke, fe in
                    try kernel(c, s, fe, ke)
                    for i in 0..<fe.count { fe[i] = -fe[i] }
                }
                for exchange in exchanges {
                    try assembler.assemble(faces: exchange.faces, matrix: &k, rhs: &rhs,
                                           kernel: exchangeKernel(exchange, values: v, time: time, timeStep: timeStep))
                }
                if rigidCoupling != nil {} else if let cond = condensation { cond.condense(k, into: &tangent!) } else { tangent = k }
                fullMatrix = k
            } else {
                try assembler.assembleVector(rhs: &rhs) { c, s, _, fe in
                    try kernel(c, s, fe, nil)
                    for i in 0..<fe.count { fe[i] = -fe[i] }
                }
                for exchange in exchanges {
                    try assembler.assembleVector(faces: exchange.faces, rhs: &rhs,
                                                 kernel: exchangeKernel(exchange, values: v, time: time, timeStep: timeStep))
                }
            }
        } catch let e as BiphasicError {
            if case .compactedSolid = e { compactionEvents.append(e) }
            throw e
        }
        for i in 0..<rhs.count { rhs[i] = -rhs[i] }
        if let rc = rigidCoupling {
            residual = try rc.condense(residual: rhs, matrix: tangent == nil ? nil : fullMatrix, tangent: &tangent,
                                       correction: &rigidTangentCorrection, state: x,
                                       bodies: rigidBodies, time: time, timeStep: timeStep, loadsOn: !freeSwelling)
        } else {
            residual = condensation?.condense(vector: rhs) ?? rhs
        }
    }

    /// The element residual `R` of every cell summed into a full dof vector
    /// (constrained dofs included; external loads not subtracted): at a
    /// prescribed displacement dof the internal force (N), at a drained pressure
    /// dof `Δt` times the fluid volume flux out of the body there (mm³ in the step).
    public func fullResidual(state x: [Double], previous: [Double], time: Double, timeStep: Double) throws -> [Double] {
        let v = dofValues(unknowns: x, time: time)
        let v0 = dofValues(unknowns: previous, time: time - timeStep)
        let kernel = makeKernel(values: v, previous: v0, timeStep: timeStep)
        var full = [Double](repeating: 0, count: dofMap.dofCount)
        try assembler!.assembleDofVector(into: &full) { c, fe in
            let s = CellScratch()
            try kernel(c, s, fe, nil)
        }
        return full
    }

    /// A face kernel writing `−R` (fe, mm³) and the tangent (ke) of an exchange condition:
    /// `R_b = −Δt L ∫ N̂_b (p − p_ext) dA`, `K_bc = −Δt L ∫ N̂_b N̂_c dA` (linear face basis on the corners).
    func exchangeKernel(_ exchange: FluidExchange, values v: [Double], time: Double, timeStep dt: Double) -> FaceKernel {
        let mesh = self.mesh, dofMap = self.dofMap
        let pExt = exchange.pressure * exchange.curve.value(at: freeSwelling ? 0 : time), l = exchange.conductance
        return { face, scratch, ke, fe in
            let fv = try scratch.values(mesh: mesh, face: face)
            let cellType = mesh.cellType(face.cell)
            let local = cellType.faceNodes(face.face)
            let lin = mesh.faceType(face).linear
            let m = lin.nodeCount
            let nu = 3 * cellType.nodeCount
            let dofs = dofMap.cellDofs(face.cell)
            let n = dofMap.localDofCount(face.cell)
            var shape = [Double](repeating: 0, count: m)
            for q in 0..<fv.quadratureCount {
                let r = fv.table.rule.points[q]
                shape.withUnsafeMutableBufferPointer { lin.evaluate(at: SIMD2(r.x, r.y), values: $0.baseAddress, gradients: nil) }
                var p = 0.0
                for a in 0..<m { p += shape[a] * v[dofs[dofs.startIndex + nu + local[a]]] }
                let w = dt * l * fv.jxw[q]
                for a in 0..<m {
                    let ia = nu + local[a]
                    fe[ia] += w * shape[a] * (p - pExt)
                    for b in 0..<m { ke[ia * n + nu + local[b]] -= w * shape[a] * shape[b] }
                }
            }
        }
    }

    /// Fluid volume (mm³) leaving through the exchange surfaces in a step of length `timeStep`
    /// ending at `time` with state `x`, per exchange condition.
    public func exchangeOutflow(state x: [Double], time: Double, timeStep: Double) throws -> [Double] {
        let v = dofValues(unknowns: x, time: time)
        var out: [Double] = []
        var cache: [FaceType: FaceValues] = [:]
        for exchange in exchanges {
            let pExt = exchange.pressure * exchange.curve.value(at: freeSwelling ? 0 : time)
            var sum = 0.0
            for face in exchange.faces {
                let t = mesh.faceType(face)
                if cache[t] == nil { cache[t] = FaceValues(faceType: t) }
                try cache[t]!.reinit(mesh: mesh, face: face)
                let fv = cache[t]!
                let lin = t.linear
                var shape = [Double](repeating: 0, count: lin.nodeCount)
                for q in 0..<fv.quadratureCount {
                    let r = fv.table.rule.points[q]
                    shape.withUnsafeMutableBufferPointer { lin.evaluate(at: SIMD2(r.x, r.y), values: $0.baseAddress, gradients: nil) }
                    var p = 0.0
                    for a in 0..<lin.nodeCount { p += shape[a] * v[pressureDof(node: fv.nodes[a])!] }
                    sum += timeStep * exchange.conductance * (p - pExt) * fv.jxw[q]
                }
            }
            out.append(sum)
        }
        return out
    }

    /// What happened in one accepted step at the boundary.
    public struct StepFluxes: Sendable {
        /// Sum of the internal force (N) over each requested node set's component.
        public var reactions: [Double]
        /// Fluid volume (mm³) that left the body through drained nodes and exchange
        /// surfaces during the step (negative = imbibed).
        public var outflow: Double
    }

    /// Reaction forces (N) on `(nodes, component)` sets and the fluid volume (mm³)
    /// expelled through all drained dofs during the step from `previous` to `x`.
    public func stepFluxes(state x: [Double], previous: [Double], time: Double, timeStep: Double,
                           reactionSets: [(nodes: [Int], component: Int)]) throws -> StepFluxes {
        let r = try fullResidual(state: x, previous: previous, time: time, timeStep: timeStep)
        let reactions = reactionSets.map { set in set.nodes.reduce(0.0) { $0 + r[displacementDof(node: $1, component: set.component)] } }
        var outflow = 0.0
        let constrained = numbering!.equationOfDof
        for node in 0..<mesh.nodeCount {
            if let d = pressureDof(node: node), constrained[d] < 0 { outflow += r[d] }
        }
        outflow += try exchangeOutflow(state: x, time: time, timeStep: timeStep).reduce(0, +)
        return StepFluxes(reactions: reactions, outflow: outflow)
    }

    /// The cells that carry pore fluid — every cell but those of solid-only materials
    /// (``BiphasicMaterial/init(solidOnly:)``) — or nil when every cell does.
    public var fluidCells: [Int]? {
        let cells = cellMaterials.indices.filter { !cellMaterials[$0].law.isSolidOnly }
        return cells.count == cellMaterials.count ? nil : cells
    }

    /// Volume change (mm³) of the cells that carry pore fluid (``fluidCells``): what the fluid
    /// that entered them must equal.
    public func fluidVolumeChange(state x: [Double], time: Double) throws -> Double {
        try volumeChange(state: x, time: time, cells: fluidCells)
    }

    /// `H = ∂u/∂X` (dimensionless) at integration point `point` of the cell whose values `cv` hold,
    /// from its dofs `dofs` in the full dof vector `v` (mm).
    private func displacementGradient(_ cv: CellValues, point q: Int, dofs: ArraySlice<Int>, values v: [Double]) -> Tensor3 {
        var h = Tensor3((0, 0, 0), (0, 0, 0), (0, 0, 0))
        for a in 0..<cv.basisCount {
            let g = cv.gradient(q, a)
            for i in 0..<3 {
                let ui = v[dofs[dofs.startIndex + 3 * a + i]]
                h[i, 0] += ui * g.x; h[i, 1] += ui * g.y; h[i, 2] += ui * g.z
            }
        }
        return h
    }

    /// Mixture volume change `∫ (J − 1) dV₀` (mm³) over `cells` (all when nil) for state `x` at `time`.
    /// At small strain `J = 1 + ∇·u`.
    public func volumeChange(state x: [Double], time: Double, cells: [Int]? = nil) throws -> Double {
        let v = dofValues(unknowns: x, time: time)
        var sum = 0.0
        var cache: [CellType: CellValues] = [:]
        for c in cells ?? Array(0..<mesh.cellCount) {
            let t = mesh.cellType(c)
            if cache[t] == nil { cache[t] = CellValues(cellType: t) }
            try cache[t]!.reinit(mesh: mesh, cell: c)
            let cv = cache[t]!
            let dofs = dofMap.cellDofs(c)
            for q in 0..<cv.quadratureCount {
                let h = displacementGradient(cv, point: q, dofs: dofs, values: v)
                let j: Double
                if finiteStrain {
                    var f = h
                    for i in 0..<3 { f[i, i] += 1 }
                    j = f.determinant
                } else { j = 1 + h[0, 0] + h[1, 1] + h[2, 2] }
                sum += (j - 1) * cv.jxw[q]
            }
        }
        return sum
    }

    /// The smallest and largest principal strain (dimensionless) over `cells` for state `x` at
    /// `time` (s), each cell's strain tensor averaged over its volume first: Green–Lagrange
    /// `E = ½(FᵀF − I)` at finite strain, the small strain `sym(∇u)` otherwise. The most
    /// compressive strain is the minimum. Averaging per cell keeps the measure finite where a
    /// bonded interface meets a free surface (a corner where point values grow without bound as
    /// the mesh is refined); it equals the point values for a homogeneous strain.
    /// - Throws: errors of the cells' geometry (a degenerate cell).
    public func principalStrainExtremes(state x: [Double], time: Double, cells: [Int]) throws -> (minimum: Double, maximum: Double) {
        let v = dofValues(unknowns: x, time: time)
        var lo = Double.infinity, hi = -Double.infinity
        var cache: [CellType: CellValues] = [:]
        for c in cells {
            let t = mesh.cellType(c)
            if cache[t] == nil { cache[t] = CellValues(cellType: t) }
            try cache[t]!.reinit(mesh: mesh, cell: c)
            let cv = cache[t]!
            let dofs = dofMap.cellDofs(c)
            var e = Tensor3((0, 0, 0), (0, 0, 0), (0, 0, 0))
            var volume = 0.0
            for q in 0..<cv.quadratureCount {
                let h = displacementGradient(cv, point: q, dofs: dofs, values: v)
                let w = cv.jxw[q]
                volume += w
                for i in 0..<3 {
                    for j in 0..<3 {
                        var sum = 0.5 * (h[i, j] + h[j, i])
                        if finiteStrain { for k in 0..<3 { sum += 0.5 * h[k, i] * h[k, j] } }
                        e[i, j] += sum * w
                    }
                }
            }
            for i in 0..<3 { for j in 0..<3 { e[i, j] /= volume } }
            let values = symmetricEigenvalues(e)
            lo = min(lo, values.min); hi = max(hi, values.max)
        }
        return (lo, hi)
    }

    /// Fluid pressure `p`, osmotic pressure `Δπ` and their sum — what a needle
    /// transducer reads (MPa) — at reference point `x` (mm); nil outside the mesh.
    public func pressure(at x: SIMD3<Double>, state: [Double], time: Double, locator: PointLocator) throws -> (fluid: Double, osmotic: Double, transducer: Double)? {
        guard let (c, xi) = locator.locate(x) else { return nil }
        let v = dofValues(unknowns: state, time: time)
        let p = dofMap.evaluate(field: 1, cell: c, reference: xi, dofValues: v)![0]
        var osm = 0.0
        let law = cellMaterials[c].law
        if let o = law.osmosis {
            let t = mesh.cellType(c)
            let rg = t.shapeGradients(at: xi)
            // Physical gradients via the inverse Jacobian.
            var h = Tensor3((0, 0, 0), (0, 0, 0), (0, 0, 0))
            let inv = try physicalGradients(cell: c, referenceGradients: rg)
            let dofs = dofMap.cellDofs(c)
            for a in 0..<t.nodeCount {
                for i in 0..<3 {
                    let ui = v[dofs[dofs.startIndex + 3 * a + i]]
                    for d in 0..<3 { h[i, d] += ui * inv[a][d] }
                }
            }
            var j = 1 + h[0, 0] + h[1, 1] + h[2, 2]
            if finiteStrain { var f = h; for i in 0..<3 { f[i, i] += 1 }; j = f.determinant }
            osm = o.pressure(J: j, solidVolumeFraction: law.solidVolumeFraction).value
        }
        return (p, osm, p + osm)
    }

    private func physicalGradients(cell c: Int, referenceGradients rg: [SIMD3<Double>]) throws -> [SIMD3<Double>] {
        let nodes = mesh.cellNodes(c)
        var col = [SIMD3<Double>](repeating: .zero, count: 3)
        for (a, n) in nodes.enumerated() { let x = mesh.nodes[n]; for e in 0..<3 { col[e] += rg[a][e] * x } }
        // J[i][e] = ∂x_i/∂ξ_e = col[e][i]; gradient = J⁻ᵀ ∇ξ N.
        let jm = Tensor3((col[0].x, col[1].x, col[2].x), (col[0].y, col[1].y, col[2].y), (col[0].z, col[1].z, col[2].z))
        let det = jm.determinant
        guard det > 0 else { throw MeshError.invertedCell(cell: c, type: mesh.cellType(c), determinant: det, at: .zero) }
        func cof(_ i: Int, _ j: Int) -> Double {
            let r = [0, 1, 2].filter { $0 != i }, s = [0, 1, 2].filter { $0 != j }
            let m = jm[r[0], s[0]] * jm[r[1], s[1]] - jm[r[0], s[1]] * jm[r[1], s[0]]
            return ((i + j) % 2 == 0 ? 1 : -1) * m
        }
        // (J⁻¹)[e][i] = cof(i, e)/det; ∂N/∂x_i = Σ_e ∂N/∂ξ_e (J⁻¹)[e][i].
        var out: [SIMD3<Double>] = []
        for g in rg {
            var v = SIMD3<Double>.zero
            for i in 0..<3 { for e in 0..<3 { v[i] += g[e] * cof(i, e) / det } }
            out.append(v)
        }
        return out
    }

    /// A kernel computing a cell's residual `R` into `fe` and tangent into `ke` (when non-nil),
    /// in the DOF map's local order (u: node, component; then p: corner node).
    func makeKernel(values v: [Double], previous v0: [Double], timeStep dt: Double)
        -> @Sendable (Int, CellScratch, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>?) throws -> Void {
        let mesh = self.mesh, materials = cellMaterials, finite = finiteStrain, dofMap = self.dofMap, tables = pressureTables
        let stiffnessCache = solidStiffnessCache
        let geometryCache = self.geometryCache
        return { c, scratch, fe, ke in
            let t = mesh.cellType(c)
            let geometry: CellGeometry
            if let cached = geometryCache?[c] { geometry = cached } else {
                let cv = try scratch.values(mesh: mesh, cell: c)
                var pg = [Double](repeating: 0, count: cv.quadratureCount * t.cornerCount * 3)
                pg.withUnsafeMutableBufferPointer { cv.physicalGradients(of: tables[t]!, into: $0) }
                geometry = CellGeometry(gradients: cv.gradients, jxw: cv.jxw, pressureGradients: pg)
            }
            let n = t.nodeCount, m = t.cornerCount, nq = geometry.jxw.count
            let nu = 3 * n
            let table = tables[t]!
            let dofs = dofMap.cellDofs(c)
            let base = dofs.startIndex
            let ue = scratch.buffer(0, count: nu), u0 = scratch.buffer(1, count: nu), pe = scratch.buffer(2, count: m)
            for k in 0..<nu { ue[k] = v[dofs[base + k]]; u0[k] = v0[dofs[base + k]] }
            for b in 0..<m { pe[b] = v[dofs[base + nu + b]] }
            let sf = scratch.buffer(4, count: nu)
            let sk: UnsafeMutableBufferPointer<Double>? = ke == nil ? nil : scratch.buffer(5, count: nu * nu)
            let material = materials[c]
            try geometry.gradients.withUnsafeBufferPointer { g in
                try geometry.jxw.withUnsafeBufferPointer { w in
                  try geometry.pressureGradients.withUnsafeBufferPointer { pg in
                    if let cache = stiffnessCache {
                        // Linear small-strain solid: f = K u with the cached K.
                        cache[c].withUnsafeBufferPointer { kc in
                            for r in 0..<nu {
                                var sum = 0.0
                                let row = kc.baseAddress! + r * nu
                                for col in 0..<nu { sum += row[col] * ue[col] }
                                sf[r] = sum
                            }
                            if let sk { for i in 0..<nu * nu { sk[i] = kc[i] } }
                        }
                    } else if finite {
                        // One fused pass: solid, pressure and osmotic terms, K_uu as dgemm.
                        _ = try table.values.withUnsafeBufferPointer { pv in
                            try BiphasicKernel.evaluateFiniteStrain(cell: c, nodeCount: n, pressureCount: m, quadratureCount: nq, gradients: g,
                                                                    pressureValues: pv, pressureGradients: pg, jxw: w,
                                                                    displacement: UnsafeBufferPointer(ue), previousDisplacement: UnsafeBufferPointer(u0),
                                                                    pressure: UnsafeBufferPointer(pe), timeStep: dt, material: material.law,
                                                                    axes: material.axes, residual: fe, stiffness: ke)
                        }
                        return
                    } else {
                        SolidKernel.smallStrain(nodeCount: n, quadratureCount: nq, gradients: g, jxw: w, displacement: UnsafeBufferPointer(ue),
                                                elasticity: material.law.solid.smallStrainStiffness(axes: material.axes), force: sf, stiffness: sk)
                    }
                    _ = try table.values.withUnsafeBufferPointer { pv in
                        try BiphasicKernel.evaluate(cell: c, nodeCount: n, pressureCount: m, quadratureCount: nq, gradients: g,
                                                    pressureValues: pv, pressureGradients: pg, jxw: w,
                                                    displacement: UnsafeBufferPointer(ue), previousDisplacement: UnsafeBufferPointer(u0),
                                                    pressure: UnsafeBufferPointer(pe), timeStep: dt, material: material.law, finiteStrain: finite,
                                                    solidForce: UnsafeBufferPointer(sf), solidStiffness: sk.map { UnsafeBufferPointer($0) },
                                                    residual: fe, stiffness: ke)
                    }
                  }
                }
            }
        }
    }
}

/// Reference geometry of one cell at its quadrature points (index orders as in ``CellValues``).
struct CellGeometry: Sendable {
    /// `∂N_a/∂X_d` at `[(q * n + a) * 3 + d]` (1/mm).
    let gradients: [Double]
    /// `det J · w` (mm³).
    let jxw: [Double]
    /// Pressure-basis gradients `[(q * m + b) * 3 + d]` (1/mm).
    let pressureGradients: [Double]
}

/// The smallest and largest eigenvalue of a symmetric 3 × 3 tensor `a`, by the trigonometric
/// solution of its characteristic cubic (Smith OK 1961, Commun ACM 4(4):168).
func symmetricEigenvalues(_ a: Tensor3) -> (min: Double, max: Double) {
    let p1 = a[0, 1] * a[0, 1] + a[0, 2] * a[0, 2] + a[1, 2] * a[1, 2]
    let q = (a[0, 0] + a[1, 1] + a[2, 2]) / 3
    if p1 <= 1e-300 { return (min(a[0, 0], a[1, 1], a[2, 2]), max(a[0, 0], a[1, 1], a[2, 2])) }
    let p2 = (a[0, 0] - q) * (a[0, 0] - q) + (a[1, 1] - q) * (a[1, 1] - q) + (a[2, 2] - q) * (a[2, 2] - q) + 2 * p1
    let p = (p2 / 6).squareRoot()
    var b = a
    for i in 0..<3 { b[i, i] -= q }
    for i in 0..<3 { for j in 0..<3 { b[i, j] /= p } }
    let r = min(1, max(-1, b.determinant / 2))
    let phi = acos(r) / 3
    let largest = q + 2 * p * cos(phi)
    let smallest = q + 2 * p * cos(phi + 2 * Double.pi / 3)
    return (smallest, largest)
}
