import Foundation
import TractionSafety

/// Why a session file or a limits computation was refused.
public struct LimitsComputationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field concerned (`session.device.maxForceN`, `--exact`, …).
    public var field: String
    /// What was wrong and what was expected.
    public var message: String
    public var description: String { "\(field): \(message)" }
}

/// Computes an **unsigned** force-safety limits document for one patient from the model: the
/// motion-segment force limit (``MotionSegmentLimitSearch``) becomes a `.modelCriterion`
/// candidate of ``TractionSafety/LimitsBuilder``, which takes the minimum with the clinical caps,
/// the device rating and the prescription and then applies the contraindication and
/// bone-density factors (which only lower limits). Signing stays a separate step (`limits sign`).
///
/// The model is named in `provenance.modelId` (``modelId(mesh:)``) and identified by
/// `provenance.modelDigestSHA256` (``MotionSegmentLimitSearch/modelDigestSHA256()``); the model
/// limit, its criterion and margin are in the builder inputs, whose SHA-256 the document carries
/// (`provenance.inputsDigestSHA256`). The session's `configuration` (support surface and harness)
/// must be the search's table and harness: the document then tells the controller which
/// configuration its limits assume.
///
/// A patient with an absolute contraindication gets a blocked document without a model run (the
/// builder blocks it whatever the model says); ``Result/modelLimit`` is then nil.
///
/// A cervical patient (``LimitsPatient/cervicalLevel``) gets the halter-pull limit of
/// ``CervicalLimitSearch`` (full solves; the session's configuration must be its posture's
/// surface, `supine` or `seated`, with a cervical harness), capped by the builder's cervical
/// clinical rules (45 lbf hard, 25 lbf soft). The surrogate holds lumbar responses only: with a
/// surrogate, a cervical patient is a refusal (field `patient.region`) and full solves follow.
///
/// The limit comes from full solves (``compute(patient:session:search:)``, tens of seconds) or
/// from a ``LimitsSurrogate`` (``compute(patient:session:search:surrogate:)`` or
/// ``compute(patient:session:search:surrogateFile:)``, well under a second), which falls back to
/// full solves when the surrogate refuses and records why in ``Result/surrogateRefusal`` and
/// `provenance.modelId`.
///
/// ```swift
/// let p = try LimitsPatient(json: patientBytes)
/// let s = try LimitsComputation.Session(json: sessionBytes)
/// let r = try LimitsComputation.compute(patient: p, session: s, surrogateFile: surrogateBytes)
/// if let why = r.surrogateRefusal { print("full solves: \(why)") }
/// let unsigned = r.document.canonicalUnsignedJSON    // then `limits sign`
/// ```
public enum LimitsComputation {
    /// Identifier written to `provenance.modelId` for a full-solve limit on `mesh`.
    public static func modelId(mesh: DefaultDiscModel.MeshLevel) -> String {
        "SpineModel.motionSegment.\(mesh == .coarse ? "coarse" : "standard").fullSolve.limitSearch-1"
    }

    /// Identifier written to `provenance.modelId` for a full-solve cervical limit on `mesh`
    /// (``CervicalLimitSearch``).
    public static func cervicalModelId(mesh: DefaultDiscModel.MeshLevel) -> String {
        "SpineModel.cervicalSegment.\(mesh == .coarse ? "coarse" : "standard").fullSolve.limitSearch-1"
    }

    /// Identifier written to `provenance.modelId` for a limit from the surrogate with `digest`
    /// (its first 16 hex characters) on `mesh`.
    /// Ends in `.forceOnly`: the surrogate gives the force limit only (see ``forceOnlyReason``).
    public static func surrogateModelId(mesh: DefaultDiscModel.MeshLevel, digest: String) -> String {
        "SpineModel.motionSegment.\(mesh == .coarse ? "coarse" : "standard").surrogate-1.\(digest.prefix(16)).forceOnly"
    }

    /// Why a document from the surrogate path (the surrogate or its full-solve fallback) has no
    /// model limits on the ramp-up rate, hold or cycles: its `provenance.modelId` ends in `.forceOnly`.
    public static let forceOnlyReason = "the surrogate gives the force limit only: the ramp-up rate, hold and cycles limits come from full solves (--exact); this document has none from the model, so the device and clinical limits govern them"

    /// Identifier written to `provenance.modelId` for a full-solve limit computed because the
    /// surrogate was refused: the document records the fallback.
    public static func fallbackModelId(mesh: DefaultDiscModel.MeshLevel) -> String {
        modelId(mesh: mesh) + ".surrogateRefused.forceOnly"
    }

    /// Everything of the builder inputs that is not the patient or the model: device rating,
    /// prescription, monitoring settings, creation time and validity.
    public struct Session: Sendable, Equatable {
        /// The JSON members (`configuration`, `device`, `prescription`, `monitoring`, `createdAtUnixS`, `validityS`).
        public var members: JSONObject

        /// The members a session file has (the builder inputs of `limits example --inputs`
        /// without `patient`, `modelLimits`, `modelId` and the model and surrogate digests).
        public static let memberNames = ["configuration", "device", "prescription", "monitoring", "createdAtUnixS", "validityS"]

        /// Reads a session file: one JSON object with exactly ``memberNames``; their contents are
        /// checked by the builder-inputs reader and the builder.
        /// - Throws: ``LimitsComputationError`` naming the member.
        public init(json bytes: [UInt8]) throws(LimitsComputationError) {
            let tree: JSONValue
            do { tree = try JSONValue.parse(bytes, maxDepth: 8, maxNumberLength: 64) } catch {
                throw LimitsComputationError(field: "session", message: "not valid JSON: \(error)")
            }
            guard case let .object(o) = tree else { throw LimitsComputationError(field: "session", message: "expected one JSON object, got \(tree.summary)") }
            for k in o.keys where !Self.memberNames.contains(k) {
                throw LimitsComputationError(field: "session.\(k)", message: "unknown member; a session file has exactly \(Self.memberNames.joined(separator: ", ")) (the patient comes from the patient file, the model limits from the computation)")
            }
            for k in Self.memberNames where o[k] == nil {
                throw LimitsComputationError(field: "session.\(k)", message: "missing (no value is defaulted)")
            }
            members = o
        }
    }

    /// What ``compute(patient:session:search:)`` returns.
    public struct Result: Sendable {
        /// The builder inputs (with the model limit).
        public var inputs: LimitsBuilder.Inputs
        /// The unsigned document.
        public var document: ForceSafetyLimits
        /// The model's force limit; nil when an absolute contraindication blocks treatment (no model run).
        public var modelLimit: MotionSegmentForceLimit?
        /// The ramp-up rate, hold and cycles limits (full solves only; empty on the surrogate path and
        /// without a model run); only those with a binding criterion are candidates in ``inputs``.
        public var protocolLimits: [ProtocolLimit] = []
        /// The protocol quantities whose search refused (``LimitSearchError``): they have no model
        /// limit in the document (the device or clinical one governs); the caller should say so.
        public var protocolLimitRefusals: [ProtocolQuantity: LimitSearchError] = [:]
        /// Why the surrogate was refused when a surrogate was given and the limit came from full
        /// solves instead (the document's `provenance.modelId` then ends in `.surrogateRefused`).
        public var surrogateRefusal: LimitsSurrogateError?
        /// The peak table force (N) the ramp-up rate, hold and cycles were searched at and the
        /// candidate that set it (``protocolSearchForce(modelLimit:inputs:)``); nil when they were
        /// not searched (surrogate path, no model run).
        public var protocolSearchForce: LimitCandidate? = nil
    }

    /// The builder inputs for a patient and a session, with `modelLimits`, `modelId` and the model
    /// and surrogate digests (64 lowercase hex, or ``TractionSafety/Provenance/none``) given.
    /// - Throws: ``LimitsComputationError`` naming the field the builder-inputs reader refused.
    public static func inputs(patient: LimitsPatient, session: Session, modelLimits: [LimitCandidate], modelId: String,
                              modelDigestSHA256: String, surrogateDigestSHA256: String) throws(LimitsComputationError) -> LimitsBuilder.Inputs {
        let p = patient.assessment
        var patientObject: JSONObject = [
            "bodyMassKg": .number(p.bodyMassKg), "region": .string(p.region.rawValue), "level": .string(p.level.text),
            "conditions": .array(p.conditions.sorted().map { .string($0.rawValue) }),
            "spondylolisthesisGrade": .number(Double(p.spondylolisthesisGrade)),
            "monthsSinceSpinalSurgery": p.monthsSinceSpinalSurgery.map { .number(Double($0)) } ?? .null,
        ]
        switch p.boneDensity {
        case let .tScore(t): patientObject.append(("boneDensity", .object(["tScore": .number(t)])))
        case .notAssessed: patientObject.append(("boneDensity", .string("notAssessed")))
        }
        var top: JSONObject = ["patient": .object(patientObject), "modelLimits": .array([]), "modelId": .string(modelId),
                               "modelDigestSHA256": .string(modelDigestSHA256), "surrogateDigestSHA256": .string(surrogateDigestSHA256)]
        top.append(contentsOf: session.members)
        var inputs: LimitsBuilder.Inputs
        do { inputs = try LimitsBuilder.Inputs(json: Array(JSONValue.object(top).serialized().utf8)) } catch {
            throw LimitsComputationError(field: "session." + (error.field ?? ""), message: "\(error)")
        }
        inputs.modelLimits = modelLimits
        return inputs
    }

    /// Runs the full-solve limit search (unless an absolute contraindication blocks treatment)
    /// and builds the unsigned document.
    /// - Parameter search: the search to run; nil for ``MotionSegmentLimitSearch/init(patient:table:criteria:ligamentDataSets:mesh:ceilingBodyWeightFraction:relativeTolerance:)``
    ///   with its defaults for the patient.
    /// - Throws: ``LimitsComputationError``, ``LimitSearchError``, the model's errors,
    ///   ``TractionSafety/LimitsBuildError``.
    public static func compute(patient: LimitsPatient, session: Session, search: MotionSegmentLimitSearch? = nil) throws -> Result {
        if let level = patient.cervicalLevel {
            guard search == nil else {
                throw LimitsComputationError(field: "search", message: "a lumbar limit search for a patient treated at the cervical level \(level); give a CervicalLimitSearch (compute(patient:session:cervicalSearch:))")
            }
            return try compute(patient: patient, session: session, cervicalSearch: nil)
        }
        let s = search ?? MotionSegmentLimitSearch(patient: patient.patient)
        guard s.patient == patient.patient else {
            throw LimitsComputationError(field: "search.patient", message: "the search's patient differs from the patient file's")
        }
        // Validate the session before the (long) model run.
        let checked = try inputs(patient: patient, session: session, modelLimits: [], modelId: modelId(mesh: s.mesh),
                                 modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none)
        let expected = s.configuration
        guard checked.configuration == expected else {
            throw LimitsComputationError(field: "session.configuration",
                                         message: "\(checked.configuration) differs from the searched protocol's table and harness (\(expected)); the limits would be for another configuration")
        }
        let blocked = !ContraindicationRules.blockReasons(for: patient.assessment).isEmpty
        let limit = blocked ? nil : try s.run()
        var protocolLimits: [ProtocolLimit] = [], refusals: [ProtocolQuantity: LimitSearchError] = [:]
        var peak: LimitCandidate?
        if let limit {
            peak = protocolSearchForce(modelLimit: limit.candidate, inputs: checked)
            // Each quantity on its own: a search that refuses (no admissible value, a non-monotone
            // response) gives no model limit for that quantity, recorded, never a guessed one.
            for q in ProtocolQuantity.allCases {
                var p = protocolSearch(force: s, forceLimit: limit, inputs: checked)
                p.quantities = [q]
                do { protocolLimits += try p.run().map { var l = $0; l.peakSetBy = peak; return l } } catch let e as LimitSearchError { refusals[q] = e }
            }
        }
        let i = try inputs(patient: patient, session: session, modelLimits: limit.map { [$0.candidate] + protocolLimits.compactMap(\.candidate) } ?? [],
                           modelId: blocked ? "none.absoluteContraindication" : modelId(mesh: s.mesh),
                           modelDigestSHA256: blocked ? Provenance.none : try s.modelDigestSHA256(), surrogateDigestSHA256: Provenance.none)
        return Result(inputs: i, document: try LimitsBuilder.build(i), modelLimit: limit, protocolLimits: protocolLimits,
                      protocolLimitRefusals: refusals, protocolSearchForce: peak)
    }

    /// The ramp-up rate, hold and cycles search of a full-solve computation: peak at
    /// ``protocolSearchForce(modelLimit:inputs:)``, ranges ending at the device's ramp-up rate and
    /// the prescription's largest hold and number of cycles (beyond them the builder's minimum
    /// takes those values anyway).
    public static func protocolSearch(force: MotionSegmentLimitSearch, forceLimit: MotionSegmentForceLimit,
                                      inputs: LimitsBuilder.Inputs) -> ProtocolLimitSearch {
        ProtocolLimitSearch(force: force, peakTableForce: protocolSearchForce(modelLimit: forceLimit.candidate, inputs: inputs).value,
                            rampUpRateCeiling: inputs.device.maxRampUpNPerS, holdCeiling: inputs.prescription.maxHoldS,
                            cyclesCeiling: inputs.prescription.maxCycles)
    }

    /// The peak force (N) the ramp-up rate, hold and cycles are searched at: the smallest of the
    /// model's force limit (`modelLimit`, `.maxForceN`) and the hard force caps of
    /// ``TractionSafety/LimitsBuilder`` that depend on neither the bone density nor any
    /// contraindication — the clinical cap of the patient's region (lumbar: half of body weight;
    /// ``TractionSafety/ClinicalCaps``) and the device's rated force. The first of them wins a tie
    /// (model, clinical, device).
    ///
    /// **Why these and no others.** The document's `maxForceN` is the minimum of these candidates,
    /// then lowered by the bone-density factor, relative contraindications and a grade-1
    /// spondylolisthesis, and the controller refuses every set-point above it. So no force the
    /// controller allows exceeds this peak, for any T-score or condition: limits found at it hold
    /// there (the criteria rise with the force; the search checks monotonicity), and since the
    /// peak does not depend on the T-score or the conditions, neither can raise the limits. The
    /// factors are left out on purpose: with them a lower T-score would lower the peak and so
    /// *raise* the hold and cycles limits. The prescription gives only a soft maximum force, which
    /// the controller lets an acknowledged set-point exceed up to the hard maximum
    /// (``TractionSafety/TractionEnvelope``), so it does not bound the peak either.
    ///
    /// The result is the candidate that governs (its value, kind and criterion); a study reports
    /// it with the limits (``Result/protocolSearchForce``, ``ProtocolLimit/peakSetBy``).
    public static func protocolSearchForce(modelLimit: LimitCandidate, inputs: LimitsBuilder.Inputs) -> LimitCandidate {
        let caps = ClinicalCaps.candidates(for: inputs.patient, prescribedMaxHoldS: inputs.prescription.maxHoldS).filter { $0.quantity == .maxForceN }
            + [LimitCandidate(.maxForceN, inputs.device.maxForceN, kind: .deviceRating, criterion: "device.\(inputs.device.deviceId).maxForce")]
        var best = modelLimit
        for c in caps where c.value < best.value { best = c }
        return best
    }

    /// As ``compute(patient:session:search:)`` for a cervical patient (``LimitsPatient/cervicalLevel``):
    /// the limit is the halter pull of ``CervicalLimitSearch`` (full solves), capped by the
    /// builder's cervical clinical rules, and the largest ramp-up rate, hold and cycles per session
    /// of ``CervicalProtocolLimitSearch`` at ``protocolSearchForce(modelLimit:inputs:)`` (ranges
    /// ending at the device's ramp-up rate and the prescription's hold and cycles; a quantity whose
    /// search refuses gets no model limit, recorded in ``Result/protocolLimitRefusals``);
    /// `provenance.modelId` is ``cervicalModelId(mesh:)``.
    /// - Parameter cervicalSearch: the search to run; nil for
    ///   ``CervicalLimitSearch/init(patient:level:traction:harness:criteria:ligamentDataSets:mesh:ceilingHardCapMultiple:relativeTolerance:lyingPreload:preloadDuration:outputSpacing:)``
    ///   with its defaults for the patient and level, the harness taken from the session's configuration.
    /// - Throws: as ``compute(patient:session:search:)``; ``LimitsComputationError`` (field
    ///   `patient.region`) for a lumbar patient; (field `session.configuration.harness`) for a
    ///   default search and a session whose harness is not cervical (`headHalter` or `occipitalCradle`).
    public static func compute(patient: LimitsPatient, session: Session, cervicalSearch: CervicalLimitSearch?) throws -> Result {
        try cervical(patient: patient, session: session, search: cervicalSearch, refusal: nil)
    }

    /// The cervical computation; with `refusal` (why a surrogate was refused) the document's
    /// `provenance.modelId` records the fallback.
    static func cervical(patient: LimitsPatient, session: Session, search: CervicalLimitSearch?,
                         refusal: LimitsSurrogateError?) throws -> Result {
        guard let level = patient.cervicalLevel else {
            throw LimitsComputationError(field: "patient.region", message: "lumbar (level \(patient.patient.level)); a cervical limit search needs a cervical patient (\"region\": \"cervical\")")
        }
        let checked = try inputs(patient: patient, session: session, modelLimits: [], modelId: cervicalModelId(mesh: .coarse),
                                 modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none)
        var s: CervicalLimitSearch
        if let search { s = search } else {
            let harness = checked.configuration.harness
            guard harness == .headHalter || harness == .occipitalCradle else {
                throw LimitsComputationError(field: "session.configuration.harness",
                                             message: "\(harness.rawValue) is not a cervical harness; a cervical patient's session needs headHalter or occipitalCradle")
            }
            s = CervicalLimitSearch(patient: patient.patient, level: level)
            s.harness = harness
        }
        guard s.patient == patient.patient, s.level == level else {
            throw LimitsComputationError(field: "search.patient", message: "the search's patient or level (\(s.level)) differs from the patient file's (\(level))")
        }
        guard checked.configuration == s.configuration else {
            throw LimitsComputationError(field: "session.configuration",
                                         message: "\(checked.configuration) differs from the searched cervical protocol's posture and harness (\(s.configuration)); the limits would be for another configuration")
        }
        let blocked = !ContraindicationRules.blockReasons(for: patient.assessment).isEmpty
        let limit = blocked ? nil : try s.run()
        // Full solves also bound the ramp-up rate, hold and cycles (CervicalProtocolLimitSearch), each
        // on its own; after a refused surrogate the force alone, as the surrogate path gives.
        var protocolLimits: [ProtocolLimit] = [], refusals: [ProtocolQuantity: LimitSearchError] = [:]
        var peak: LimitCandidate?
        if let limit, refusal == nil {
            peak = protocolSearchForce(modelLimit: limit.candidate, inputs: checked)
            for q in ProtocolQuantity.allCases {
                let p = CervicalProtocolLimitSearch(force: s, peakPull: peak!.value, rampUpRateCeiling: checked.device.maxRampUpNPerS,
                                                    holdCeiling: checked.prescription.maxHoldS, cyclesCeiling: checked.prescription.maxCycles,
                                                    quantities: [q])
                do { protocolLimits += try p.run().map { var l = $0; l.peakSetBy = peak; return l } } catch let e as LimitSearchError { refusals[q] = e }
            }
        }
        let id = blocked ? "none.absoluteContraindication" : cervicalModelId(mesh: s.mesh) + (refusal == nil ? "" : ".surrogateRefused")
        let i = try inputs(patient: patient, session: session, modelLimits: limit.map { [$0.candidate] + protocolLimits.compactMap(\.candidate) } ?? [],
                           modelId: id, modelDigestSHA256: blocked ? Provenance.none : try s.modelDigestSHA256(), surrogateDigestSHA256: Provenance.none)
        return Result(inputs: i, document: try LimitsBuilder.build(i), modelLimit: limit, protocolLimits: protocolLimits,
                      protocolLimitRefusals: refusals, surrogateRefusal: blocked ? nil : refusal, protocolSearchForce: peak)
    }

    /// As ``compute(patient:session:search:)``, with the limit from `surrogate`
    /// (``LimitsSurrogate/limit(for:)``, milliseconds). When the surrogate refuses the search (another
    /// library version, model, protocol family, mesh, data sets or criteria, or a patient outside its
    /// range), the limit comes from full solves and ``Result/surrogateRefusal`` says why; the
    /// document's `provenance.modelId` is then ``fallbackModelId(mesh:)`` — never a silent
    /// fallback. The caller should tell the user (the CLI writes it to stderr).
    /// - Throws: as ``compute(patient:session:search:)``.
    public static func compute(patient: LimitsPatient, session: Session, search: MotionSegmentLimitSearch? = nil,
                               surrogate: LimitsSurrogate) throws -> Result {
        try compute(patient: patient, session: session, search: search, surrogateOrRefusal: .success(surrogate))
    }

    /// As ``compute(patient:session:search:surrogate:)`` from the bytes of a surrogate file: a file
    /// that ``LimitsSurrogate/init(json:)`` refuses is a refusal like any other (full solves,
    /// ``Result/surrogateRefusal`` set).
    public static func compute(patient: LimitsPatient, session: Session, search: MotionSegmentLimitSearch? = nil,
                               surrogateFile bytes: [UInt8]) throws -> Result {
        let parsed: Swift.Result<LimitsSurrogate, LimitsSurrogateError>
        do { parsed = .success(try LimitsSurrogate(json: bytes)) } catch { parsed = .failure(error) }
        return try compute(patient: patient, session: session, search: search, surrogateOrRefusal: parsed)
    }

    /// The surrogate path; `cervicalSearch` is the search a cervical patient's full solves use
    /// after the surrogate's refusal (nil: ``CervicalLimitSearch``'s defaults).
    static func compute(patient: LimitsPatient, session: Session, search: MotionSegmentLimitSearch?,
                        surrogateOrRefusal: Swift.Result<LimitsSurrogate, LimitsSurrogateError>,
                        cervicalSearch: CervicalLimitSearch? = nil) throws -> Result {
        if let level = patient.cervicalLevel {
            // The surrogate holds the lumbar segment's responses to the professional table only.
            guard search == nil else {
                throw LimitsComputationError(field: "search", message: "a lumbar limit search for a patient treated at the cervical level \(level)")
            }
            let refusal = LimitsSurrogateError(field: "patient.region", message: "cervical (\(level)): the surrogate holds the lumbar motion segment's responses to the professional table only")
            return try cervical(patient: patient, session: session, search: cervicalSearch, refusal: refusal)
        }
        let s = search ?? MotionSegmentLimitSearch(patient: patient.patient)
        guard s.patient == patient.patient else {
            throw LimitsComputationError(field: "search.patient", message: "the search's patient differs from the patient file's")
        }
        let checked = try inputs(patient: patient, session: session, modelLimits: [], modelId: modelId(mesh: s.mesh),
                                 modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none)
        guard checked.configuration == s.configuration else {
            throw LimitsComputationError(field: "session.configuration",
                                         message: "\(checked.configuration) differs from the searched protocol's table and harness (\(s.configuration)); the limits would be for another configuration")
        }
        if !ContraindicationRules.blockReasons(for: patient.assessment).isEmpty {
            return try compute(patient: patient, session: session, search: s)
        }
        let limit: MotionSegmentForceLimit, id: String, surrogateDigest: String, refusal: LimitsSurrogateError?
        do throws(LimitsSurrogateError) {
            let surrogate = try surrogateOrRefusal.get()
            limit = try surrogate.limit(for: s)
            id = surrogateModelId(mesh: s.mesh, digest: surrogate.digest)
            surrogateDigest = surrogate.digest
            refusal = nil
        } catch {
            limit = try s.run()
            id = fallbackModelId(mesh: s.mesh)
            surrogateDigest = Provenance.none
            refusal = error
        }
        // The model digest is the one a full solve would record (the patient's own models), so the
        // documents of the two paths differ only in the limit, `modelId` and the surrogate digest.
        let i = try inputs(patient: patient, session: session, modelLimits: [limit.candidate], modelId: id,
                           modelDigestSHA256: try s.modelDigestSHA256(), surrogateDigestSHA256: surrogateDigest)
        return Result(inputs: i, document: try LimitsBuilder.build(i), modelLimit: limit, surrogateRefusal: refusal)
    }
}
