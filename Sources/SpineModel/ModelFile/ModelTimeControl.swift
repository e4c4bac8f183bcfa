import Foundation
import FiniteElements

// The model file's optional `"timeControl"` object: error-controlled time steps for the biphasic
// steps and the transport's adaptive increments. `{"errorTolerance": 1e-3}` — the relative
// tolerance of each step's estimated local truncation error (``ErrorControlOptions``); absent:
// the steps adapt from Newton's effort alone.

extension Model {
    /// Reads the `"timeControl"` object.
    /// - Throws: ``ModelError`` naming `timeControl.errorTolerance`.
    static func parseTimeControl(_ v: JSONValue) throws -> ErrorControlOptions {
        var r = try JSONReader(v, path: "timeControl")
        let tolerance = try JSONAccess.number(try r.required("errorTolerance"), "timeControl.errorTolerance")
        try r.finish(allowed: ["errorTolerance"])
        do {
            return try ErrorControlOptions(relativeTolerance: tolerance)
        } catch let TimeStepperError.invalidOption(_, value, expected) {
            throw ModelError(.invalidValue, at: "timeControl.errorTolerance", "expected \(expected), got \(value)")
        }
    }

    /// The `"timeControl"` object, or nil when the steps are not error-controlled (not written).
    var timeControlJSON: JSONValue? {
        guard let e = errorControl else { return nil }
        return .object([("errorTolerance", .number(e.relativeTolerance))])
    }

    /// Error control drives biphasic steps and transport increments; a solid (quasi-static)
    /// model without transport has no time-discretisation error to control.
    /// - Throws: ``ModelError`` at `timeControl` for a solid model without a transport block.
    func validateTimeControl() throws {
        guard errorControl != nil, !isBiphasic, transport == nil else { return }
        throw ModelError(.invalidValue, at: rootPath.key(pathStyle == .json ? "timeControl" : "errorControl").description,
                         "error-controlled time steps are available for biphasic models and transport increments; this model is solid (quasi-static) without transport: remove it")
    }
}
