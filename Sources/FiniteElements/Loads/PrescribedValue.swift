/// A prescribed nodal value following a load curve: `value × curve(t)` on
/// component `component` of every node in `nodes` (units of the field, e.g. mm).
public struct PrescribedComponent: Sendable, Equatable {
    /// Mesh node indices.
    public var nodes: [Int]
    /// Field component (0-based: 0 = x for a displacement).
    public var component: Int
    /// Amplitude (unit of the field).
    public var value: Double
    /// Time history of the amplitude (``LoadCurve/constant`` for a fixed value).
    public var curve: LoadCurve

    /// A prescribed component.
    public init(nodes: [Int], component: Int, value: Double, curve: LoadCurve = .constant) {
        self.nodes = nodes; self.component = component; self.value = value; self.curve = curve
    }

    /// The prescribed value at time `t` (s).
    @inlinable public func value(at t: Double) -> Double { value * curve.value(at: t) }
}

/// A force on nodes following a load curve: `force × curve(t)` on each node
/// (N; for distributed loads the consistent nodal forces of ``SurfaceLoads``).
public struct NodalLoad: Sendable, Equatable {
    /// Force per node (N), one per entry of ``nodes``.
    public var forces: [SIMD3<Double>]
    /// Mesh node indices.
    public var nodes: [Int]
    /// Time history of the amplitude.
    public var curve: LoadCurve

    /// A nodal load with per-node forces (N).
    public init(nodes: [Int], forces: [SIMD3<Double>], curve: LoadCurve = .constant) {
        precondition(nodes.count == forces.count)
        self.nodes = nodes; self.forces = forces; self.curve = curve
    }

    /// The non-zero entries of a per-node force array (N) as a load.
    public init(nodalForces: [SIMD3<Double>], curve: LoadCurve = .constant) {
        var n: [Int] = [], f: [SIMD3<Double>] = []
        for (i, v) in nodalForces.enumerated() where v != .zero { n.append(i); f.append(v) }
        self.init(nodes: n, forces: f, curve: curve)
    }
}
