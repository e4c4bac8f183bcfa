/// Dirichlet conditions: dofs with prescribed values, to be *eliminated* from
/// the unknowns (their values lifted to the right-hand side), never penalized.
///
/// Values carry the unit of their field (mm for displacement, MPa for pressure,
/// mmol/L for a concentration).
///
/// ```swift
/// var bc = DirichletConditions(dofMap: dofs)
/// try bc.prescribe(field: "u", components: [0, 1, 2], nodes: mesh.nodes(ofSurface: "bottom"), value: 0)
/// try bc.prescribe(field: "u", component: 2, nodes: mesh.nodes(ofSurface: "top")) { x in 0.1 * x.z }
/// let eqs = EquationNumbering(conditions: bc)
/// ```
public struct DirichletConditions: Sendable {
    /// The numbering the dofs refer to.
    public let dofMap: DofMap
    /// True for each constrained dof.
    public private(set) var isConstrained: [Bool]
    /// Prescribed value of each dof (0 where not constrained).
    public private(set) var values: [Double]

    /// No constraints yet.
    public init(dofMap: DofMap) {
        self.dofMap = dofMap
        isConstrained = [Bool](repeating: false, count: dofMap.dofCount)
        values = [Double](repeating: 0, count: dofMap.dofCount)
    }

    /// Constrains one dof (a later call for the same dof overwrites the value).
    public mutating func prescribe(dof: Int, value: Double) throws {
        guard dof >= 0 && dof < dofMap.dofCount else { throw DofError.dofOutOfRange(dof: dof, dofCount: dofMap.dofCount) }
        guard value.isFinite else {
            let at = dofMap.location(ofDof: dof)!
            throw DofError.nonFiniteValue(field: dofMap.fields[at.field].name, node: at.node, component: at.component, value: value)
        }
        isConstrained[dof] = true
        values[dof] = value
    }

    /// Constrains `component` of field `field` at every node of `nodes` to `value(x)` (x in mm).
    ///
    /// - Throws: ``DofError/unknownField(name:available:)``, ``DofError/componentOutOfRange(field:component:components:)``,
    ///   ``DofError/nodeWithoutField(field:node:)`` (a node outside the field's regions),
    ///   ``DofError/nonFiniteValue(field:node:component:value:)``.
    public mutating func prescribe(field: String, component: Int, nodes: [Int], value: (SIMD3<Double>) -> Double) throws {
        let f = try dofMap.fieldIndex(field)
        let m = dofMap.fields[f].components
        guard component >= 0 && component < m else { throw DofError.componentOutOfRange(field: field, component: component, components: m) }
        for n in nodes {
            guard n >= 0 && n < dofMap.mesh.nodeCount, let d = dofMap.dof(field: f, node: n, component: component) else {
                throw DofError.nodeWithoutField(field: field, node: n)
            }
            let v = value(dofMap.mesh.nodes[n])
            guard v.isFinite else { throw DofError.nonFiniteValue(field: field, node: n, component: component, value: v) }
            isConstrained[d] = true
            values[d] = v
        }
    }

    /// Constrains `component` of `field` at `nodes` to the constant `value`.
    public mutating func prescribe(field: String, component: Int, nodes: [Int], value: Double) throws {
        try prescribe(field: field, component: component, nodes: nodes) { _ in value }
    }

    /// Constrains several components of `field` at `nodes` to the constant `value`.
    public mutating func prescribe(field: String, components: [Int], nodes: [Int], value: Double) throws {
        for k in components { try prescribe(field: field, component: k, nodes: nodes, value: value) }
    }

    /// Like `prescribe(field:component:nodes:value:)` with a closure, but skips nodes that
    /// do not carry the field (e.g. a pressure condition on a surface whose edge
    /// nodes carry no linear pressure). Returns the number of dofs constrained.
    @discardableResult
    public mutating func prescribeWhereDefined(field: String, component: Int, nodes: [Int], value: (SIMD3<Double>) -> Double) throws -> Int {
        let f = try dofMap.fieldIndex(field)
        let carrying = nodes.filter { $0 >= 0 && $0 < dofMap.mesh.nodeCount && dofMap.dof(field: f, node: $0, component: 0) != nil }
        try prescribe(field: field, component: component, nodes: carrying, value: value)
        return carrying.count
    }

    /// Removes the constraint of one dof.
    public mutating func release(dof: Int) {
        isConstrained[dof] = false
        values[dof] = 0
    }

    /// Indices of the constrained dofs (sorted).
    public var constrainedDofs: [Int] { (0..<isConstrained.count).filter { isConstrained[$0] } }

    /// Scales every prescribed value by `factor` (e.g. a load-curve value) and returns the full
    /// dof vector of prescribed values (0 at free dofs).
    public func scaledValues(_ factor: Double) -> [Double] { values.map { $0 * factor } }
}

/// The unknowns left after eliminating the constrained dofs: free dofs keep their
/// relative order and are numbered `0..<count`.
public struct EquationNumbering: Sendable, Equatable {
    /// Number of dofs (constrained ones included).
    public let dofCount: Int
    /// Equation of each dof, −1 for a constrained dof.
    public let equationOfDof: [Int32]
    /// Dof of each equation.
    public let dofOfEquation: [Int]

    /// Number of unknowns.
    @inlinable public var count: Int { dofOfEquation.count }

    /// Numbers the dofs not flagged in `constrained`.
    public init(constrained: [Bool]) {
        var eq = [Int32](repeating: -1, count: constrained.count)
        var back: [Int] = []
        for (d, c) in constrained.enumerated() where !c { eq[d] = Int32(back.count); back.append(d) }
        dofCount = constrained.count
        equationOfDof = eq
        dofOfEquation = back
    }

    /// Numbers the dofs left free by `conditions`.
    public init(conditions: DirichletConditions) { self.init(constrained: conditions.isConstrained) }

    /// Equation of dof `d`, or −1 when constrained.
    @inlinable public func equation(ofDof d: Int) -> Int { Int(equationOfDof[d]) }

    /// The unknowns' part of a full dof vector.
    public func restrict(_ full: [Double]) throws -> [Double] {
        guard full.count == dofCount else { throw DofError.dimensionMismatch(what: "dof vector", expected: dofCount, got: full.count) }
        return dofOfEquation.map { full[$0] }
    }

    /// A full dof vector: unknowns from `unknowns`, constrained dofs from `prescribed`
    /// (a full-length vector, e.g. ``DirichletConditions/values``).
    public func expand(_ unknowns: [Double], prescribed: [Double]) throws -> [Double] {
        guard unknowns.count == count else { throw DofError.dimensionMismatch(what: "unknown vector", expected: count, got: unknowns.count) }
        guard prescribed.count == dofCount else { throw DofError.dimensionMismatch(what: "prescribed vector", expected: dofCount, got: prescribed.count) }
        var full = prescribed
        for (e, d) in dofOfEquation.enumerated() { full[d] = unknowns[e] }
        return full
    }
}
