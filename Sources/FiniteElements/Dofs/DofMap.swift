/// Which nodes of a cell carry a field.
public enum FieldInterpolation: String, Sendable, Codable, Hashable {
    /// All nodes of the cell, with the cell's own basis (e.g. quadratic displacement on hex20).
    case mesh
    /// Corner nodes only, with the linear basis ``CellType/linear`` (e.g. the
    /// linear pressure of a Taylor–Hood pair on hex20/hex27/tet10).
    case linear
}

/// A field to number: its name, components, interpolation and the regions it lives on.
///
/// ```swift
/// let u = FieldSpec(name: "u", components: 3)                                   // everywhere
/// let p = FieldSpec(name: "p", components: 1, interpolation: .linear, regions: ["nucleus"])
/// ```
public struct FieldSpec: Sendable, Equatable, Hashable, Codable {
    /// Field name (unique within a ``DofMap``).
    public var name: String
    /// Components per node: 3 for displacement, 1 for pressure or a concentration.
    public var components: Int
    /// Which nodes of a cell carry the field.
    public var interpolation: FieldInterpolation
    /// Regions the field lives on; nil means every cell of the mesh.
    public var regions: [String]?

    /// A field specification.
    public init(name: String, components: Int, interpolation: FieldInterpolation = .mesh, regions: [String]? = nil) {
        self.name = name; self.components = components; self.interpolation = interpolation; self.regions = regions
    }
}

/// Errors of DOF numbering, constraints and assembly.
public enum DofError: Error, Equatable, CustomStringConvertible {
    /// No field has this name.
    case unknownField(name: String, available: [String])
    /// A field specification is invalid (`parameter` names the bad part).
    case invalidField(field: String, parameter: String, value: String, expected: String)
    /// Node `node` does not carry field `field` (it lies outside the field's regions,
    /// or is not a corner node of a linear field).
    case nodeWithoutField(field: String, node: Int)
    /// A component index outside `0..<components`.
    case componentOutOfRange(field: String, component: Int, components: Int)
    /// A prescribed value is not finite.
    case nonFiniteValue(field: String, node: Int, component: Int, value: Double)
    /// A vector has the wrong length (`what` names it).
    case dimensionMismatch(what: String, expected: Int, got: Int)
    /// A cell index outside the mesh.
    case cellOutOfRange(cell: Int, cellCount: Int)
    /// A dof index outside `0..<dofCount`.
    case dofOutOfRange(dof: Int, dofCount: Int)
    /// The pattern handed to assembly is not the assembler's.
    case patternMismatch
    /// The assembler was built for the other ``MatrixStructure``.
    case structureMismatch(expected: String, got: String)

    /// A one-line message naming the offending item, its value and what was expected.
    public var description: String {
        switch self {
        case let .unknownField(name, available):
            return "unknown field '\(name)'; available: \(available.joined(separator: ", "))"
        case let .invalidField(field, parameter, value, expected):
            return "field '\(field)' \(parameter): expected \(expected), got \(value)"
        case let .nodeWithoutField(field, node):
            return "node \(node) does not carry field '\(field)'"
        case let .componentOutOfRange(field, component, components):
            return "field '\(field)' has components 0..<\(components), got component \(component)"
        case let .nonFiniteValue(field, node, component, value):
            return "prescribed value of field '\(field)' component \(component) at node \(node) is \(value): expected a finite number"
        case let .dimensionMismatch(what, expected, got):
            return "\(what): expected length \(expected), got \(got)"
        case let .cellOutOfRange(cell, count):
            return "cell \(cell) is outside 0..<\(count)"
        case let .dofOutOfRange(dof, count):
            return "dof \(dof) is outside 0..<\(count)"
        case .patternMismatch:
            return "the matrix pattern is not the one this assembler built (use Assembler.makeMatrix())"
        case let .structureMismatch(expected, got):
            return "this call needs an assembler built with structure .\(expected), got .\(got)"
        }
    }
}

/// Numbers the degrees of freedom of several fields, each on its own regions
/// with its own interpolation, and lists each cell's dofs.
///
/// **Global dof order**: node by node; at each node the fields that live there
/// in declaration order; within a field its components.
///
/// **Local dof order of a cell** (the row/column order of element matrices):
/// field (declaration order, fields absent from the cell skipped), then local
/// node (`0..<fieldNodeCount(cell:field:)`, VTK order — corners first), then
/// component. So the dof of field `f`, local node `a`, component `k` is
/// `cellDofs(c)[localRange(cell: c, field: f).lowerBound + a * components + k]`.
///
/// ```swift
/// let dofs = try DofMap(mesh: mesh, fields: [FieldSpec(name: "u", components: 3),
///                                            FieldSpec(name: "p", components: 1, interpolation: .linear)])
/// let uz = dofs.dof(field: 0, node: 17, component: 2)     // Int? — nil if node 17 has no u
/// ```
public struct DofMap: Sendable {
    /// The mesh numbered.
    public let mesh: Mesh
    /// The fields, in declaration order.
    public let fields: [FieldSpec]
    /// Total number of dofs (constrained ones included).
    public let dofCount: Int
    /// First dof of field `f` at node `n`: `nodeFieldDof[n * fields.count + f]`, −1 when absent.
    public let nodeFieldDof: [Int]
    /// `cellCount + 1` offsets into ``cellDofIndices``.
    public let cellDofOffsets: [Int]
    /// Global dofs of every cell in local order, cell after cell.
    public let cellDofIndices: [Int]
    /// `fieldLocalOffsets[c * (fields.count + 1) + f]`: start of field `f` in cell `c`'s local dofs
    /// (equal to the next start when the field is absent).
    public let fieldLocalOffsets: [Int]

    /// Numbers `fields` on `mesh`.
    ///
    /// - Throws: ``DofError/invalidField(field:parameter:value:expected:)`` for a duplicate
    ///   name or components < 1; ``MeshError/unknownSet(kind:name:available:)`` for an unknown region.
    public init(mesh: Mesh, fields: [FieldSpec]) throws {
        var names = Set<String>()
        for f in fields {
            guard names.insert(f.name).inserted else {
                throw DofError.invalidField(field: f.name, parameter: "name", value: f.name, expected: "a unique field name")
            }
            guard f.components >= 1 else {
                throw DofError.invalidField(field: f.name, parameter: "components", value: "\(f.components)", expected: "an integer ≥ 1")
            }
        }
        let nf = fields.count
        // Which cells carry each field.
        var cellHas = [Bool](repeating: false, count: mesh.cellCount * nf)
        for (f, spec) in fields.enumerated() {
            if let regions = spec.regions {
                for r in regions { for c in try mesh.cells(inRegion: r) { cellHas[c * nf + f] = true } }
            } else {
                for c in 0..<mesh.cellCount { cellHas[c * nf + f] = true }
            }
        }
        func fieldNodes(_ c: Int, _ f: Int) -> Int {
            guard cellHas[c * nf + f] else { return 0 }
            let t = mesh.cellType(c)
            return fields[f].interpolation == .linear ? t.cornerCount : t.nodeCount
        }
        var nodeHas = [Bool](repeating: false, count: mesh.nodeCount * nf)
        for c in 0..<mesh.cellCount {
            let nodes = mesh.cellNodes(c)
            for f in 0..<nf {
                let m = fieldNodes(c, f)
                var a = 0
                for n in nodes where a < m { nodeHas[n * nf + f] = true; a += 1 }
            }
        }
        var start = [Int](repeating: -1, count: mesh.nodeCount * nf)
        var next = 0
        for n in 0..<mesh.nodeCount {
            for f in 0..<nf where nodeHas[n * nf + f] { start[n * nf + f] = next; next += fields[f].components }
        }
        var offsets = [0]
        var indices: [Int] = []
        var local: [Int] = []
        local.reserveCapacity(mesh.cellCount * (nf + 1))
        for c in 0..<mesh.cellCount {
            let nodes = Array(mesh.cellNodes(c))
            var count = 0
            for f in 0..<nf {
                local.append(count)
                let m = fieldNodes(c, f)
                for a in 0..<m {
                    let s = start[nodes[a] * nf + f]
                    for k in 0..<fields[f].components { indices.append(s + k) }
                }
                count += m * fields[f].components
            }
            local.append(count)
            offsets.append(indices.count)
        }
        self.mesh = mesh
        self.fields = fields
        dofCount = next
        nodeFieldDof = start
        cellDofOffsets = offsets
        cellDofIndices = indices
        fieldLocalOffsets = local
    }

    /// The (field, node, component) of global dof `d`, or nil when `d` is out of range (O(nodes · fields)).
    public func location(ofDof d: Int) -> (field: Int, node: Int, component: Int)? {
        guard d >= 0 && d < dofCount else { return nil }
        for n in 0..<mesh.nodeCount {
            for f in 0..<fields.count {
                let s = nodeFieldDof[n * fields.count + f]
                if s >= 0 && d >= s && d < s + fields[f].components { return (f, n, d - s) }
            }
        }
        return nil
    }

    /// Index of the field named `name`.
    public func fieldIndex(_ name: String) throws -> Int {
        guard let i = fields.firstIndex(where: { $0.name == name }) else {
            throw DofError.unknownField(name: name, available: fields.map(\.name))
        }
        return i
    }

    /// The global dof of `field`'s `component` at `node`, or nil when the node does not carry the field.
    @inlinable
    public func dof(field: Int, node: Int, component: Int) -> Int? {
        precondition(component >= 0 && component < fields[field].components, "component \(component) out of range")
        let s = nodeFieldDof[node * fields.count + field]
        return s < 0 ? nil : s + component
    }

    /// Global dofs of cell `c`, in local order.
    @inlinable public func cellDofs(_ c: Int) -> ArraySlice<Int> { cellDofIndices[cellDofOffsets[c]..<cellDofOffsets[c + 1]] }

    /// Number of local dofs of cell `c` (the element matrix is this square).
    @inlinable public func localDofCount(_ c: Int) -> Int { cellDofOffsets[c + 1] - cellDofOffsets[c] }

    /// Positions of field `f`'s dofs within cell `c`'s local dofs (empty when absent).
    @inlinable public func localRange(cell c: Int, field f: Int) -> Range<Int> {
        let base = c * (fields.count + 1)
        return fieldLocalOffsets[base + f]..<fieldLocalOffsets[base + f + 1]
    }

    /// Number of nodes of cell `c` carrying field `f` (0 when absent).
    @inlinable public func fieldNodeCount(cell c: Int, field f: Int) -> Int { localRange(cell: c, field: f).count / fields[f].components }

    /// The basis of field `f` on cell `c`: the cell type, or its linear version
    /// for a ``FieldInterpolation/linear`` field.
    @inlinable public func basis(cell c: Int, field f: Int) -> CellType {
        fields[f].interpolation == .linear ? mesh.cellType(c).linear : mesh.cellType(c)
    }

    /// Largest local dof count over all cells.
    public var maxLocalDofCount: Int { (0..<mesh.cellCount).reduce(0) { max($0, localDofCount($1)) } }

    /// Nodes that carry field `f` (sorted).
    public func nodes(ofField f: Int) -> [Int] {
        (0..<mesh.nodeCount).filter { nodeFieldDof[$0 * fields.count + f] >= 0 }
    }

    /// Number of dofs of field `f`.
    public func dofCount(ofField f: Int) -> Int { nodes(ofField: f).count * fields[f].components }

    /// Nodal values of field `f` from a full dof vector: `[node * components + k]`,
    /// NaN at nodes that do not carry the field (VTU output shows them as blank).
    public func nodalValues(field f: Int, from dofValues: [Double]) throws -> [Double] {
        guard dofValues.count == dofCount else { throw DofError.dimensionMismatch(what: "dof vector", expected: dofCount, got: dofValues.count) }
        let m = fields[f].components
        var out = [Double](repeating: .nan, count: mesh.nodeCount * m)
        for n in 0..<mesh.nodeCount {
            let s = nodeFieldDof[n * fields.count + f]
            if s >= 0 { for k in 0..<m { out[n * m + k] = dofValues[s + k] } }
        }
        // Linear fields on quadratic cells: interpolate mid-edge/face/body nodes from the corners
        // (so VTU output and probes see the field's own linear interpolant).
        if fields[f].interpolation == .linear {
            for c in 0..<mesh.cellCount where fieldNodeCount(cell: c, field: f) > 0 {
                let t = mesh.cellType(c)
                guard t.nodeCount > t.cornerCount else { continue }
                let nodes = Array(mesh.cellNodes(c))
                let ref = t.referenceNodes
                for a in t.cornerCount..<t.nodeCount where out[nodes[a] * m].isNaN {
                    let n = t.linear.shapeValues(at: ref[a])
                    for k in 0..<m {
                        var v = 0.0
                        for b in 0..<t.cornerCount { v += n[b] * out[nodes[b] * m + k] }
                        out[nodes[a] * m + k] = v
                    }
                }
            }
        }
        return out
    }
}
