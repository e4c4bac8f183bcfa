/// A place in a ``Model``, rendered the way its author wrote it: as a JSON path for a model
/// read from a file (`materials.np.permeability.k0`) or as a Swift property path for a model
/// built in code (`materials["np"].biphasic.permeability.k0`).
///
/// Every ``ModelError`` names such a place.
public struct ModelPath: Sendable, Equatable, CustomStringConvertible {
    /// How the path is written.
    public enum Style: Sendable, Equatable {
        /// JSON keys joined by dots, array indices in brackets (`boundary[2].surface`).
        case json
        /// Swift properties joined by dots, dictionary keys and indices in brackets
        /// (`materials["np"].solid.E`).
        case swift
    }

    enum Component: Sendable, Equatable {
        /// A property that the JSON file spells the same way.
        case key(String)
        /// A dictionary entry (`materials.np` / `materials["np"]`).
        case entry(String)
        /// An array element.
        case index(Int)
        /// A level that exists only in the JSON file.
        case jsonOnly(String)
        /// A level that exists only in the Swift value.
        case swiftOnly(String)
    }

    /// How this path renders.
    public var style: Style
    var components: [Component] = []

    /// The empty path (the model itself) in `style`.
    public init(style: Style) { self.style = style }

    func appending(_ c: Component) -> ModelPath { var p = self; p.components.append(c); return p }
    /// The path of property (JSON key) `key` below this one.
    func key(_ key: String) -> ModelPath { appending(.key(key)) }
    /// The path of dictionary entry `name` below this one.
    func entry(_ name: String) -> ModelPath { appending(.entry(name)) }
    /// The path of array element `i` below this one.
    func index(_ i: Int) -> ModelPath { appending(.index(i)) }
    /// A dotted field name as the constitutive laws report it (`permeability.k0`, `lamellae.angles[1]`).
    func field(_ dotted: String) -> ModelPath {
        var p = self
        for part in dotted.split(separator: ".") {
            if let open = part.firstIndex(of: "["), let i = Int(part[part.index(after: open)...].dropLast()) {
                p = p.key(String(part[..<open])).index(i)
            } else {
                p = p.key(String(part))
            }
        }
        return p
    }

    public var description: String {
        var out = ""
        for c in components {
            switch (c, style) {
            case let (.key(k), _), let (.jsonOnly(k), .json), let (.swiftOnly(k), .swift):
                out += out.isEmpty ? k : ".\(k)"
            case let (.entry(k), .json): out += out.isEmpty ? k : ".\(k)"
            case let (.entry(k), .swift): out += "[\"\(k)\"]"
            case let (.index(i), _): out += "[\(i)]"
            case (.jsonOnly, .swift), (.swiftOnly, .json): break
            }
        }
        return out
    }
}
