/// Why a model file was refused, always naming the place: a JSON path such as
/// `materials.annulus.E` or `boundary[2].surface`, or a line and column for
/// malformed JSON.
///
/// ```text
/// materials.annulus.E: expected a positive number, got -4
/// ```
public struct ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Equatable {
        /// The text is not valid JSON (``ModelError/path`` is `line L, column C`).
        case syntax
        /// A required key is absent.
        case missingKey
        /// A key the format does not define (typos are never ignored).
        case unknownKey
        /// A value has the wrong JSON type.
        case wrongType
        /// A value has the right type but is out of range or inconsistent.
        case invalidValue
        /// A name (material, surface, region, curve) that is not defined.
        case unknownName
        /// The `units` key is not `mm-N-s-MPa`.
        case units
        /// A file could not be read.
        case file
        /// A finite value outside its plausible range, refused by a strict run (see ``PlausibilityWarning``).
        case implausible
        /// The model can move as a rigid body: a translation or rotation no condition restrains.
        case unconstrained
    }

    /// The kind of problem.
    public let kind: Kind
    /// Where: a JSON path (`outputs.probes[0].at`), `line L, column C`, or a file path.
    public let path: String
    /// What was expected and what was found.
    public let message: String

    /// An error of `kind` at `path`.
    public init(_ kind: Kind, at path: String, _ message: String) {
        self.kind = kind; self.path = path; self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
