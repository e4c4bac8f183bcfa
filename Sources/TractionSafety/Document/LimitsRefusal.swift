/// Why a limits document was refused. Each code is stable (it is logged and shown to operators).
public enum RefusalReason: String, CaseIterable, Equatable, Sendable {
    /// The document is larger than ``LimitsLoader/maxDocumentBytes``.
    case documentTooLarge
    /// The bytes are not valid, strict JSON (syntax, UTF-8, duplicate key, nesting).
    case malformedJSON
    /// The bytes are valid JSON but not the canonical form that was signed.
    case nonCanonical
    /// The document has no `signature` member.
    case missingSignature
    /// The `signature` member is not `{algorithm: "Ed25519", keyId: 16 hex, value: 128 hex}`.
    case malformedSignature
    /// The signature's key id is not among the controller's trusted keys.
    case unknownKey
    /// The Ed25519 signature does not verify with the trusted key.
    case badSignature
    /// The schema major version is not one this build reads.
    case unsupportedMajorVersion
    /// A required field is missing.
    case missingField
    /// A field this schema version does not define is present.
    case unknownField
    /// A field has the wrong JSON type or an unknown enumeration value.
    case wrongType
    /// A number is not finite (NaN or ±infinity).
    case nonFiniteValue
    /// A number is negative where only non-negative values are meaningful.
    case negativeValue
    /// A value is outside its allowed set or range (e.g. zero hard force, fraction above 1).
    case invalidValue
    /// A minimum exceeds its maximum (hold, angle).
    case minAboveMax
    /// The soft maximum force exceeds the hard maximum.
    case softAboveHard
    /// A value exceeds the controller's compiled-in ceiling (this catches pounds written as newtons).
    case aboveControllerCeiling
    /// The document has expired (now ≥ expiry).
    case expired
    /// The document was created after the controller's current time.
    case notYetValid
    /// The document is for another spinal region than the controller expects.
    case regionMismatch
    /// The document is for another spinal level than the controller expects.
    case levelMismatch
    /// The document's inputs digest differs from the patient digest the controller expects.
    case patientDigestMismatch
    /// The document blocks treatment (absolute contraindication).
    case treatmentBlocked
    /// The document's limits assume another device configuration (support surface or harness)
    /// than the controller's.
    case configurationMismatch
}

/// A refused limits document: a reason code, the field concerned (dotted path, if any) and a
/// message naming the value and what was expected.
public struct LimitsRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reason code.
    public let reason: RefusalReason
    /// The field concerned as a dotted path (e.g. `limits.maxForceN.value`), or nil.
    public let field: String?
    /// Human-readable explanation naming the value and what was expected.
    public let message: String

    /// Creates a refusal.
    public init(_ reason: RefusalReason, field: String? = nil, _ message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    /// `reason [field]: message`.
    public var description: String {
        "\(reason.rawValue)\(field.map { " [\($0)]" } ?? ""): \(message)"
    }
}
