/// Why a load or constraint could not be set up.
public enum LoadError: Error, Equatable, CustomStringConvertible {
    /// A symmetry plane must be planar and normal to a coordinate axis; `normal`
    /// is the first face normal found that is not (unit vector).
    case symmetryPlaneNotAxisAligned(surface: String, normal: SIMD3<Double>)
    /// A surface has zero area (mm²), so a total force cannot be spread over it.
    case zeroArea(surface: String)
    /// A node is constrained twice with different values (mm).
    case conflictingConstraint(node: Int, component: Int, first: Double, second: Double)

    public var description: String {
        switch self {
        case let .symmetryPlaneNotAxisAligned(s, n):
            return "surface \"\(s)\": a symmetry plane must be flat and normal to x, y or z, found normal (\(n.x), \(n.y), \(n.z))"
        case let .zeroArea(s): return "surface \"\(s)\" has zero area: cannot spread a force over it"
        case let .conflictingConstraint(node, c, a, b):
            return "node \(node) component \(c): prescribed twice, \(a) and \(b)"
        }
    }
}
