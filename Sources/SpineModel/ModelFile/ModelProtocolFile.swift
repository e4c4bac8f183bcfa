import Foundation

// The model file's `"protocol"` and `"bodyMassKg"`: the traction protocol a model was driven by
// (``Model/apply(_:bodyMassKg:traction:preload:)``), kept with the curves, forces, steps and output
// times it generated. The protocol is the one source of truth: reading a file or validating a
// value re-applies it and refuses a model whose traction or preload curve, force, loading steps or
// last output time differ from what it generates (someone edited one and not the other).

extension Model {
    /// Decodes the `"protocol"` object of a model file (the ``TractionProtocol`` JSON mapping), also
    /// a protocol file of its own (`spinetraction run --protocol FILE`).
    /// - Throws: ``ModelError`` naming the JSON path under `protocol`.
    public static func decodeProtocol(_ value: JSONValue) throws -> TractionProtocol {
        do {
            return try JSONDecoder().decode(TractionProtocol.self, from: Data(value.serialized().utf8))
        } catch let DecodingError.dataCorrupted(context) {
            throw ModelError(.invalidValue, at: protocolPath(context.codingPath), context.debugDescription)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ModelError(.missingKey, at: protocolPath(context.codingPath + [key]), "required key missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw ModelError(.invalidValue, at: protocolPath(context.codingPath), "expected a value of type \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ModelError(.invalidValue, at: protocolPath(context.codingPath), "expected a value of type \(type), got null")
        } catch {
            throw ModelError(.invalidValue, at: "protocol", "\(error)")
        }
    }

    private static func protocolPath(_ keys: [any CodingKey]) -> String {
        keys.reduce("protocol") { path, key in key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)" }
    }

    /// The `"protocol"` object of a model file.
    static func encodeProtocol(_ p: TractionProtocol) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try JSONValue.parse(try encoder.encode(p))
    }

    /// Checks that ``tractionProtocol`` (with ``bodyMassKg``) is valid and generates exactly this
    /// model's traction and preload curves and forces, loading steps (names and durations) and
    /// last output time; that a body mass is given only with a protocol.
    /// - Throws: ``ModelError`` naming the first value that differs (or the protocol's own error).
    func validateProtocol() throws {
        let root = rootPath
        guard let p = tractionProtocol else {
            if let m = bodyMassKg {
                throw ModelError(.invalidValue, at: root.key("bodyMassKg").description, "a body mass (\(m) kg) is only read with a traction protocol; remove it or give the protocol")
            }
            return
        }
        var generated = self
        do {
            try generated.apply(p, bodyMassKg: bodyMassKg)
        } catch let e as TractionProtocolError {
            // The error's path is the file's (`protocol.intermittent.hold`); in Swift the property is `tractionProtocol`.
            let at = pathStyle == .json || !e.path.hasPrefix("protocol") ? e.path : "tractionProtocol" + e.path.dropFirst("protocol".count)
            throw ModelError(.invalidValue, at: at, e.description.replacingOccurrences(of: "\(e.path): ", with: ""))
        }
        func differs(_ at: ModelPath, _ what: String) -> ModelError {
            ModelError(.invalidValue, at: at.description,
                       "\(what) differs from what the traction protocol generates: edit the protocol (\(pathStyle == .json ? "\"protocol\"" : "tractionProtocol")) and apply it again, or remove the protocol to drive the model by its own curves")
        }
        for name in ["traction", "preload"] {
            if generated.curves[name] != curves[name] { throw differs(root.key("curves").entry(name), "the \(name) curve") }
            if let i = boundary.firstIndex(where: { $0.name == name }), generated.boundary[named: name]?.force != boundary[i].force {
                throw differs(root.key("boundary").index(i), "the force of condition \"\(name)\"")
            }
        }
        let loading = steps.filter { $0.freeSwelling == nil }, expected = generated.steps.filter { $0.freeSwelling == nil }
        guard loading.map(\.name) == expected.map(\.name), loading.map(\.duration) == expected.map(\.duration) else {
            throw differs(root.key("steps"), "the loading steps (\(loading.map { "\($0.name) \($0.duration) s" }.joined(separator: ", ")))")
        }
        guard outputs.times.last == generated.outputs.times.last else {
            throw differs(root.key("outputs").key("times"), "the last output time (\(outputs.times.last ?? 0) s)")
        }
    }
}
