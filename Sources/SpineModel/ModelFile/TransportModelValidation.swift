import Foundation

extension Model {
    /// Name of a key in this model's path style: the file's key or the Swift property.
    private func name(json: String, swift: String) -> String { pathStyle == .json ? json : swift }

    /// Checks that a transport-only model carries no mechanical value that would be ignored
    /// (kinematics other than the default, plane strain, regions, conditions, curves, mechanical
    /// outputs, mechanical increments in a step).
    /// - Throws: ``ModelError`` naming the value.
    func validateTransportOnly() throws {
        let root = rootPath
        func refuse(_ key: String, _ what: String) throws -> Never {
            throw ModelError(.invalidValue, at: root.key(key).description,
                             "a transport-only model (a transport block and no materials) has no solid: \(what)")
        }
        if kinematics != .smallStrain { try refuse("kinematics", "kinematics has no meaning; leave it .smallStrain") }
        if planeStrain { try refuse("planeStrain", "plane strain has no meaning; leave it false") }
        if !regions.isEmpty { try refuse("regions", "region → material entries need materials; give the solutes' regions in the transport block") }
        if !boundary.isEmpty { try refuse("boundary", "mechanical conditions act on nothing; give solute conditions in the transport block") }
        if !curves.isEmpty { try refuse("curves", "no condition reads a load curve") }
        for (key, count) in [("probes", outputs.probes.count), ("surfaces", outputs.surfaces.count), ("regions", outputs.regions.count)] where count > 0 {
            throw ModelError(.invalidValue, at: root.key("outputs").key(key).description,
                             "a transport-only model has no mechanical fields to record: give solute outputs in the transport block's outputs")
        }
        for (i, step) in steps.enumerated() {
            let at = root.key("steps").index(i)
            if step.freeSwelling != nil {
                throw ModelError(.invalidValue, at: at.key("freeSwelling").description, "a transport-only model has no solid to swell")
            }
            for (key, value) in [(name(json: "dt", swift: "initialStep"), step.initialStep), (name(json: "dtMin", swift: "minStep"), step.minStep),
                                 (name(json: "dtMax", swift: "maxStep"), step.maxStep)] where value != step.duration {
                throw ModelError(.invalidValue, at: at.key(key).description,
                                 "a transport-only model has no mechanical increments (build its steps with StepDefinition.transport(name:duration:timeStep:steady:)); the transport's increments are \(name(json: "transport", swift: "transportTimeStep")), got \(JSONValue.number(value).summary) s")
            }
        }
    }

    /// Checks the steps' transport controls: steady steps and per-step increments only where a
    /// transport block runs on its own time (transport-only and solid models), every non-steady step
    /// with increments from somewhere, each control's numbers, and the bounded number of increments.
    /// - Throws: ``ModelError`` naming the step.
    func validateTransportSteps() throws {
        let root = rootPath
        let controlKey = name(json: "transport", swift: "transportTimeStep")
        guard let transport else {
            for (i, step) in steps.enumerated() {
                if step.steady { throw ModelError(.invalidValue, at: root.key("steps").index(i).key("steady").description, "a steady step solves the solutes' steady state: the model has no transport block") }
                if step.transportTimeStep != nil { throw ModelError(.invalidValue, at: root.key("steps").index(i).key(controlKey).description, "the model has no transport block") }
            }
            return
        }
        if isBiphasic {
            for (i, step) in steps.enumerated() {
                if step.steady {
                    throw ModelError(.invalidValue, at: root.key("steps").index(i).key("steady").description,
                                     "a biphasic model steps its solutes with the mechanics; a steady step is available for transport-only and solid models (use the transport block's steadyStart for a steady initial state)")
                }
                if step.transportTimeStep != nil {
                    throw ModelError(.invalidValue, at: root.key("steps").index(i).key(controlKey).description,
                                     "a biphasic model steps its solutes with the mechanics: the step's dt/dtMin/dtMax choose the increments")
                }
            }
            return
        }
        let blockKey = root.key("transport").key("timeStep")
        if let dt = transport.timeStep, !(dt > 0 && dt.isFinite) {
            throw ModelError(.invalidValue, at: blockKey.description, "expected a positive time step (s), got \(JSONValue.number(dt).summary)")
        }
        for (i, step) in steps.enumerated() where !step.steady && step.freeSwelling == nil {
            let at = root.key("steps").index(i).key(controlKey)
            guard let control = step.transportTimeStep ?? transport.timeStep.map(TransportTimeControl.fixed) else {
                throw ModelError(.missingKey, at: at.description,
                                 "expected the transport's increments for this step: \(pathStyle == .json ? "\"transport\": {\"dt\": …} (s) here or the transport block's \"timeStep\"" : "a transportTimeStep here or transport.timeStep"), or a steady step")
            }
            let keys = pathStyle == .json ? ("dt", "dtMin", "dtMax") : ("initial", "minimum", "maximum")
            for (key, value) in [(keys.0, control.initial), (keys.1, control.minimum), (keys.2, control.maximum)] where !(value > 0 && value.isFinite) {
                throw ModelError(.invalidValue, at: (step.transportTimeStep == nil ? blockKey : at.key(key)).description, "expected a positive time increment (s), got \(JSONValue.number(value).summary)")
            }
            guard control.minimum <= control.initial, control.initial <= control.maximum else {
                throw ModelError(.invalidValue, at: at.key(keys.0).description,
                                 "expected \(keys.1) ≤ \(keys.0) ≤ \(keys.2), got \(control.minimum) ≤ \(control.initial) ≤ \(control.maximum) s")
            }
            let fewest = step.duration / control.maximum
            guard fewest <= Double(Self.maxIncrementsPerStep) else {
                throw ModelError(.invalidValue, at: (step.transportTimeStep == nil ? blockKey : at.key(keys.2)).description,
                                 "a \(step.duration) s step in transport increments of at most \(control.maximum) s takes at least \(String(format: "%.0f", fewest.rounded(.up))) increments; the limit is \(Self.maxIncrementsPerStep) (Model.maxIncrementsPerStep): expected a larger time step")
            }
        }
    }
}
