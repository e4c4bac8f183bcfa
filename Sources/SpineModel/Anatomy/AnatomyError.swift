/// Why a patient, a level or an anatomical data table was refused, naming the field, its value
/// and what was expected.
///
/// ```text
/// patient.tScore: expected a T-score in [−6, 4], got 5.2
/// ```
public enum AnatomyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A number is out of its admissible range; `field` is a path such as `patient.bodyMassKg` or
    /// `ligaments[remus2021].L4-L5.flavum.stiffness`.
    case invalidValue(field: String, value: Double, expected: String)
    /// A level name that is not one of L1-L2 … L5-S1.
    case unknownLevel(String)
    /// A data set lacks a ligament or a level.
    case missingEntry(field: String)

    public var description: String {
        switch self {
        case let .invalidValue(field, value, expected): return "\(field): expected \(expected), got \(value)"
        case let .unknownLevel(name): return "level: expected one of \(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\""
        case let .missingEntry(field): return "\(field): missing"
        }
    }
}

/// A lumbar motion segment level.
public enum LumbarLevel: String, Sendable, Equatable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, CustomStringConvertible {
    case l1l2 = "L1-L2"
    case l2l3 = "L2-L3"
    case l3l4 = "L3-L4"
    case l4l5 = "L4-L5"
    case l5s1 = "L5-S1"

    /// The level named `name` ("L4-L5", also "L4/L5", "L4L5", "l4l5", "L45").
    /// - Throws: ``AnatomyError/unknownLevel(_:)``.
    public init(name: String) throws {
        let key = name.uppercased().filter { $0.isLetter || $0.isNumber }
        let table: [String: LumbarLevel] = ["L1L2": .l1l2, "L12": .l1l2, "L2L3": .l2l3, "L23": .l2l3, "L3L4": .l3l4, "L34": .l3l4,
                                            "L4L5": .l4l5, "L45": .l4l5, "L5S1": .l5s1, "L51": .l5s1, "L5S": .l5s1]
        guard let level = table[key] else { throw AnatomyError.unknownLevel(name) }
        self = level
    }

    public var description: String { rawValue }

    /// Decodes a level from its name (any spelling ``init(name:)`` accepts).
    /// - Throws: ``AnatomyError/unknownLevel(_:)``.
    public init(from decoder: Decoder) throws {
        try self.init(name: decoder.singleValueContainer().decode(String.self))
    }
}
