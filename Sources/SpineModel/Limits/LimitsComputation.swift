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
/// ```swift
/// let p = try LimitsPatient(json: patientBytes)
/// let s = try LimitsComputation.Session(json: sessionBytes)
/// let r = try LimitsComputation.compute(patient: p, session: s)
/// let unsigned = r.document.canonicalUnsignedJSON    // then `limits sign`
/// ```
public enum LimitsComputation {
    /// Identifier written to `provenance.modelId` for a full-solve limit on `mesh`.
    public static func modelId(mesh: DefaultDiscModel.MeshLevel) -> String {
        "SpineModel.motionSegment.\(mesh == .coarse ? "coarse" : "standard").fullSolve.limitSearch-1"
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
        let i = try inputs(patient: patient, session: session, modelLimits: limit.map { [$0.candidate] } ?? [],
                           modelId: blocked ? "none.absoluteContraindication" : modelId(mesh: s.mesh),
                           modelDigestSHA256: blocked ? Provenance.none : try s.modelDigestSHA256(), surrogateDigestSHA256: Provenance.none)
        return Result(inputs: i, document: try LimitsBuilder.build(i), modelLimit: limit)
    }
}
