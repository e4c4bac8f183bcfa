/// Every way a mesh operation can refuse its input.
///
/// Each case names what a user needs to find the problem: the cell, node or
/// set, the offending value, and what was expected. Cell and node numbers are
/// 0-based indices into the ``Mesh`` unless stated otherwise.
public enum MeshError: Error, Equatable, CustomStringConvertible {
    /// A cell references node `node`, outside `0..<nodeCount`.
    case nodeIndexOutOfRange(cell: Int, node: Int, nodeCount: Int)
    /// A connectivity array has the wrong length.
    case connectivityCount(expected: Int, got: Int)
    /// A node coordinate is NaN or infinite.
    case nonFiniteCoordinate(node: Int)
    /// The Jacobian determinant of `cell` is ≤ 0 (inverted or degenerate) at the
    /// reference point `at`; `determinant` in mm³ per reference volume.
    case invertedCell(cell: Int, type: CellType, determinant: Double, at: SIMD3<Double>)
    /// A named set (`kind` = "region", "surface", "node set") does not exist.
    case unknownSet(kind: String, name: String, available: [String])
    /// A named set references an index out of range.
    case setIndexOutOfRange(kind: String, name: String, index: Int, bound: Int)
    /// A face reference names a face the cell does not have.
    case faceOutOfRange(cell: Int, face: Int, faceCount: Int)
    /// A generator parameter is invalid: `parameter` names it, `value` is what
    /// was given, `expected` says what is accepted.
    case invalidParameter(parameter: String, value: String, expected: String)
    /// A Gmsh file is malformed or unsupported; `line` is 1-based.
    case gmsh(line: Int, message: String)
    /// A file could not be read or written.
    case io(path: String, message: String)

    /// A one-line message naming the offending item, its value and what was expected.
    public var description: String {
        switch self {
        case let .nodeIndexOutOfRange(cell, node, count):
            return "cell \(cell) references node \(node): expected an index in 0..<\(count)"
        case let .connectivityCount(expected, got):
            return "connectivity has \(got) entries, expected \(expected)"
        case let .nonFiniteCoordinate(node):
            return "node \(node) has a non-finite coordinate"
        case let .invertedCell(cell, type, det, at):
            return "cell \(cell) (\(type.rawValue)) is inverted or degenerate: Jacobian determinant \(det) ≤ 0 at reference point (\(at.x), \(at.y), \(at.z))"
        case let .unknownSet(kind, name, available):
            return "unknown \(kind) '\(name)'; " + (available.isEmpty ? "the mesh has none" : "available: \(available.sorted().joined(separator: ", "))")
        case let .setIndexOutOfRange(kind, name, index, bound):
            return "\(kind) '\(name)' references index \(index): expected 0..<\(bound)"
        case let .faceOutOfRange(cell, face, count):
            return "cell \(cell) has no face \(face): expected 0..<\(count)"
        case let .invalidParameter(parameter, value, expected):
            return "\(parameter): expected \(expected), got \(value)"
        case let .gmsh(line, message):
            return "Gmsh file line \(line): \(message)"
        case let .io(path, message):
            return "\(path): \(message)"
        }
    }
}
