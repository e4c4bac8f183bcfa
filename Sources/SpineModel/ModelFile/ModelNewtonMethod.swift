import Foundation
import FiniteElements

// The model file's optional `"newton"` object: which nonlinear iteration a biphasic model's steps
// use. `{"method": "fullNewton"}` (the default when absent) or `{"method": "bfgs", "maxUpdates": 30,
// "reformRatio": 0.9, "timeStepChange": 0.25, "maxConditionNumber": 1e5}` — quasi-Newton (BFGS,
// Matthies & Strang 1979) on a kept factorization; the four parameters are optional with these
// defaults (``QuasiNewtonOptions``).

extension Model {
    /// Reads the `"newton"` object.
    /// - Throws: ``ModelError`` naming `newton.method` or the parameter.
    static func parseNewtonMethod(_ v: JSONValue) throws -> NewtonMethod {
        var r = try JSONReader(v, path: "newton")
        let method = try JSONAccess.choice(try r.required("method"), "newton.method", ["fullNewton", "bfgs"])
        guard method == "bfgs" else {
            try r.finish(allowed: ["method"])
            return .fullNewton
        }
        let defaults = try QuasiNewtonOptions()
        let maxUpdates = try r.optional("maxUpdates").map { try JSONAccess.integer($0, "newton.maxUpdates", minimum: 0) } ?? defaults.maxUpdates
        let reformRatio = try r.optional("reformRatio").map { try JSONAccess.number($0, "newton.reformRatio") } ?? defaults.reformRatio
        let timeStepChange = try r.optional("timeStepChange").map { try JSONAccess.number($0, "newton.timeStepChange") } ?? defaults.timeStepChange
        let maxCondition = try r.optional("maxConditionNumber").map { try JSONAccess.number($0, "newton.maxConditionNumber") } ?? defaults.maxConditionNumber
        try r.finish(allowed: ["method", "maxUpdates", "reformRatio", "timeStepChange", "maxConditionNumber"])
        do {
            return .bfgs(try QuasiNewtonOptions(maxUpdates: maxUpdates, reformRatio: reformRatio, timeStepChange: timeStepChange,
                                                maxConditionNumber: maxCondition))
        } catch let NewtonOptionError.invalidOption(name, value, expected) {
            throw ModelError(.invalidValue, at: "newton.\(name)", "expected \(expected), got \(value)")
        }
    }

    /// The `"newton"` object, or nil for the default full Newton (not written).
    var newtonJSON: JSONValue? {
        guard case let .bfgs(o) = newtonMethod else { return nil }
        return .object([("method", .string("bfgs")), ("maxUpdates", .number(Double(o.maxUpdates))), ("reformRatio", .number(o.reformRatio)),
                        ("timeStepChange", .number(o.timeStepChange)), ("maxConditionNumber", .number(o.maxConditionNumber))])
    }

    /// Quasi-Newton runs on the biphasic engine only.
    /// - Throws: ``ModelError`` at `newton.method` for another model kind.
    func validateNewtonMethod() throws {
        guard case .bfgs = newtonMethod, !isBiphasic else { return }
        throw ModelError(.invalidValue, at: rootPath.key(pathStyle == .json ? "newton" : "newtonMethod").description,
                         "quasi-Newton (bfgs) is available for biphasic models; this model is \(isTransportOnly ? "transport-only" : "solid"): use fullNewton")
    }
}
