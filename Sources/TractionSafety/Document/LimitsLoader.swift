/// A key file or key bytes had the wrong format.
public struct KeyFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, naming the length or character found.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// An Ed25519 public key a controller trusts, with its key id.
public struct TrustedPublicKey: Equatable, Hashable, Sendable {
    /// The 32-byte raw Ed25519 public key.
    public let rawRepresentation: [UInt8]
    /// Key id: the first 16 lowercase hex characters of SHA-256 of the raw public key.
    public let keyId: String

    /// A trusted key from its 32 raw bytes.
    /// - Throws: ``KeyFormatError`` if it is not 32 bytes.
    public init(rawRepresentation: [UInt8]) throws(KeyFormatError) {
        guard rawRepresentation.count == 32 else {
            throw KeyFormatError(message: "an Ed25519 public key is 32 bytes, got \(rawRepresentation.count)")
        }
        self.rawRepresentation = rawRepresentation
        self.keyId = String(Hex.encode(CryptoPrimitives.sha256(rawRepresentation)).prefix(16))
    }

    /// A trusted key from 64 lowercase hex characters (surrounding whitespace ignored).
    /// - Throws: ``KeyFormatError`` for anything else.
    public init(hex: String) throws(KeyFormatError) {
        let trimmed = hex.trimmingASCIIWhitespace()
        guard let bytes = Hex.decode(trimmed) else {
            throw KeyFormatError(message: "a public key file holds 64 lowercase hex characters, got \(trimmed.utf8.count) characters")
        }
        try self.init(rawRepresentation: bytes)
    }
}

extension TrustedPublicKey {
    /// A trusted key from the text of a public key file: one line `ed25519-public:` followed by 64
    /// lowercase hex characters (what `spinetraction limits keygen` writes).
    /// - Throws: ``KeyFormatError`` for a private key file, an untagged key or anything else.
    public init(keyFile text: String) throws(KeyFormatError) {
        try self.init(hex: try KeyFileFormat.payload(text, expecting: .publicKey))
    }

    /// The text of this key's public key file.
    public var keyFileText: String { KeyFileFormat.publicTag + Hex.encode(rawRepresentation) + "\n" }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let u = Array(utf8)
        var lo = 0, hi = u.count
        func ws(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        while lo < hi, ws(u[lo]) { lo += 1 }
        while hi > lo, ws(u[hi - 1]) { hi -= 1 }
        return String(decoding: u[lo..<hi], as: UTF8.self)
    }
}

/// The controller's own compiled-in ceilings: no document may exceed them, whatever its signature.
///
/// They are the device's absolute mechanical limits; they catch a document written in the wrong
/// unit (e.g. 660 "N" that was really 660 lbf ≈ 2936 N, or lbf values where N are expected).
public struct ControllerCeilings: Equatable, Sendable {
    /// Largest hard force the device may ever apply, N.
    public var maxForceN: Double
    /// Fastest force increase the device may ever apply, N/s.
    public var maxRampUpNPerS: Double
    /// Fastest force decrease the device may ever apply, N/s.
    public var maxRampDownNPerS: Double
    /// Longest pull phase, s.
    public var maxHoldS: Double
    /// Longest session, s.
    public var maxSessionS: Double
    /// Most cycles in a session.
    public var maxCycles: Double

    /// Creates ceilings (all must be finite and positive, else every load is refused).
    public init(maxForceN: Double, maxRampUpNPerS: Double, maxRampDownNPerS: Double, maxHoldS: Double, maxSessionS: Double, maxCycles: Double) {
        self.maxForceN = maxForceN
        self.maxRampUpNPerS = maxRampUpNPerS
        self.maxRampDownNPerS = maxRampDownNPerS
        self.maxHoldS = maxHoldS
        self.maxSessionS = maxSessionS
        self.maxCycles = maxCycles
    }
}

/// What a controller expects of a document it loads: the checks beyond the document itself.
public struct ControllerExpectations: Sendable {
    /// Public keys the controller trusts (looked up by key id).
    public var trustedKeys: [TrustedPublicKey]
    /// The controller's compiled-in ceilings.
    public var ceilings: ControllerCeilings
    /// The region the controller is set up for.
    public var region: SpinalRegion
    /// The level the session is prescribed for.
    public var level: SpinalLevel
    /// The controller's device configuration (support surface and harness); it must equal the
    /// document's.
    public var configuration: TractionConfiguration
    /// The patient digest (64 lowercase hex) the prescription system gave the controller; it must
    /// equal the document's `provenance.inputsDigestSHA256`.
    public var inputsDigestSHA256: String
    /// The controller's current time, seconds since 1970-01-01T00:00:00Z (passed in; the loader
    /// reads no clock).
    public var nowUnixS: Double

    /// Creates expectations.
    public init(trustedKeys: [TrustedPublicKey], ceilings: ControllerCeilings, region: SpinalRegion, level: SpinalLevel,
                configuration: TractionConfiguration, inputsDigestSHA256: String, nowUnixS: Double) {
        self.trustedKeys = trustedKeys
        self.ceilings = ceilings
        self.region = region
        self.level = level
        self.configuration = configuration
        self.inputsDigestSHA256 = inputsDigestSHA256
        self.nowUnixS = nowUnixS
    }
}

/// SHA-256 of a signed document's exact bytes, stored inline (no heap) so every envelope event
/// can carry it.
public struct LimitsDigest: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes as four big-endian words.
    public let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest is 32 bytes")
        func word(_ k: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[8 * k + $1]) } }
        words = (word(0), word(1), word(2), word(3))
    }

    /// The digest's 32 bytes.
    public var bytes: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (56 - 8 * $0)) } }
    }

    /// 64 lowercase hex characters.
    public var description: String { Hex.encode(bytes) }

    /// Equal when all 32 bytes are equal.
    public static func == (a: LimitsDigest, b: LimitsDigest) -> Bool { a.words == b.words }

    /// Hashes the 32 bytes.
    public func hash(into h: inout Hasher) { h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3) }
}

/// A document that passed every check of ``LimitsLoader``. Only the loader creates one, so holding
/// a `LoadedLimits` is proof the checks ran.
public struct LoadedLimits: Sendable {
    /// The verified document.
    public let document: ForceSafetyLimits
    /// SHA-256 of the exact signed bytes loaded.
    public let digest: LimitsDigest
    /// Key id of the key that signed it.
    public let keyId: String

    init(document: ForceSafetyLimits, digest: LimitsDigest, keyId: String) {
        self.document = document
        self.digest = digest
        self.keyId = keyId
    }
}

/// Loads a signed limits document, fail-closed.
///
/// The checks, in order (the first failure is thrown as a ``LimitsRefusal``; nothing is ever
/// defaulted): size; strict JSON; canonical form (so any changed byte is either a content change
/// or a non-canonical document); signature present and well-formed; key id trusted; Ed25519
/// signature valid; schema major version; every field present, known and of the right type;
/// ``LimitsValidation``; controller ceilings; creation/expiry against the controller's clock;
/// region, level and patient digest; not blocked.
public enum LimitsLoader {
    /// Largest document accepted, bytes.
    public static let maxDocumentBytes = 65_536

    /// Loads and checks `bytes` against `expectations`.
    public static func load(_ bytes: [UInt8], expecting expectations: ControllerExpectations) throws(LimitsRefusal) -> LoadedLimits {
        let (document, keyId) = try verifiedDocument(bytes, trustedKeys: expectations.trustedKeys)
        try LimitsValidation.validate(document)
        try checkExpectations(document, expectations)
        return LoadedLimits(document: document, digest: LimitsDigest(CryptoPrimitives.sha256(bytes)), keyId: keyId)
    }

    /// Parses, checks canonical form and signature, and decodes; no value checks
    /// (``load(_:expecting:)`` runs them, and the controller's expectations).
    public static func verifiedDocument(_ bytes: [UInt8], trustedKeys: [TrustedPublicKey]) throws(LimitsRefusal) -> (ForceSafetyLimits, keyId: String) {
        guard bytes.count <= maxDocumentBytes else {
            throw LimitsRefusal(.documentTooLarge, "document is \(bytes.count) bytes; at most \(maxDocumentBytes) accepted")
        }
        let tree: JSONValue
        do {
            tree = try StrictJSONParser.parse(bytes)
        } catch {
            throw LimitsRefusal(error.isNonFinite ? .nonFiniteValue : .malformedJSON, field: error.path.isEmpty ? nil : error.path,
                                "byte \(error.offset): \(error.message)")
        }
        let canonical = CanonicalJSON.encode(tree)
        if canonical != bytes {
            var k = 0
            while k < min(canonical.count, bytes.count), canonical[k] == bytes[k] { k += 1 }
            throw LimitsRefusal(.nonCanonical, "document differs from its canonical form at byte \(k) (whitespace, key order, number or escape form); signed documents must be byte-exact")
        }
        guard case .object(var members) = tree else {
            throw LimitsRefusal(.wrongType, "the document must be a JSON object")
        }
        guard let signatureValue = members.removeValue(forKey: "signature") else {
            throw LimitsRefusal(.missingSignature, field: "signature", "the document has no signature")
        }
        guard case .object(let sig) = signatureValue, sig.count == 3,
              case .string("Ed25519") = sig["algorithm"],
              case .string(let keyId) = sig["keyId"], LimitsValidation.isHexDigest(keyId, length: 16),
              case .string(let valueHex) = sig["value"], LimitsValidation.isHexDigest(valueHex, length: 128),
              let signature = Hex.decode(valueHex)
        else {
            throw LimitsRefusal(.malformedSignature, field: "signature",
                                "signature must be {algorithm: \"Ed25519\", keyId: 16 lowercase hex, value: 128 lowercase hex}")
        }
        guard let key = trustedKeys.first(where: { $0.keyId == keyId }) else {
            throw LimitsRefusal(.unknownKey, field: "signature.keyId", "key id \(keyId) is not among the \(trustedKeys.count) trusted keys")
        }
        let message = CanonicalJSON.encode(.object(members))
        guard CryptoPrimitives.ed25519Verify(signature: signature, message: message, publicKey: key.rawRepresentation) else {
            throw LimitsRefusal(.badSignature, field: "signature.value", "Ed25519 signature does not verify with key \(keyId)")
        }
        return (try ForceSafetyLimits(jsonValue: .object(members)), keyId)
    }

    /// The checks against the controller: ceilings, validity period, region, level, configuration,
    /// patient, block.
    static func checkExpectations(_ d: ForceSafetyLimits, _ e: ControllerExpectations) throws(LimitsRefusal) {
        let c = e.ceilings
        for (field, value, ceiling, unit) in [
            ("limits.maxForceN.value", d.limits.maxForceN.value, c.maxForceN, "N"),
            ("limits.softMaxForceN.value", d.limits.softMaxForceN.value, c.maxForceN, "N"),
            ("limits.maxRampUpNPerS.value", d.limits.maxRampUpNPerS.value, c.maxRampUpNPerS, "N/s"),
            ("limits.maxRampDownNPerS.value", d.limits.maxRampDownNPerS.value, c.maxRampDownNPerS, "N/s"),
            ("limits.maxHoldS.value", d.limits.maxHoldS.value, c.maxHoldS, "s"),
            ("limits.maxSessionS.value", d.limits.maxSessionS.value, c.maxSessionS, "s"),
            ("limits.maxCycles.value", d.limits.maxCycles.value, c.maxCycles, ""),
        ] where !(value <= ceiling) {  // also refuses when a ceiling is NaN
            throw LimitsRefusal(.aboveControllerCeiling, field: field,
                                "\(field) = \(value) \(unit) exceeds this controller's ceiling \(ceiling) \(unit) (a value in the wrong unit, e.g. lbf for N, lands here)")
        }
        if !(e.nowUnixS >= d.provenance.createdAtUnixS) {
            throw LimitsRefusal(.notYetValid, field: "provenance.createdAtUnixS",
                                "document created at \(d.provenance.createdAtUnixS) s, after the controller's time \(e.nowUnixS) s")
        }
        if !(e.nowUnixS < d.provenance.expiresAtUnixS) {
            throw LimitsRefusal(.expired, field: "provenance.expiresAtUnixS",
                                "document expired at \(d.provenance.expiresAtUnixS) s; the controller's time is \(e.nowUnixS) s")
        }
        if d.region != e.region {
            throw LimitsRefusal(.regionMismatch, field: "region", "document is for region \(d.region.rawValue); the controller expects \(e.region.rawValue)")
        }
        if d.level != e.level {
            throw LimitsRefusal(.levelMismatch, field: "level", "document is for level \(d.level); the controller expects \(e.level)")
        }
        if d.configuration != e.configuration {
            throw LimitsRefusal(.configurationMismatch, field: "configuration",
                                "document's limits assume \(d.configuration); the controller is \(e.configuration)")
        }
        if d.provenance.inputsDigestSHA256 != e.inputsDigestSHA256 {
            throw LimitsRefusal(.patientDigestMismatch, field: "provenance.inputsDigestSHA256",
                                "document inputs digest \(d.provenance.inputsDigestSHA256) differs from the expected \(e.inputsDigestSHA256)")
        }
        if d.blocked {
            throw LimitsRefusal(.treatmentBlocked, field: "blockReasons",
                                "treatment is blocked by absolute contraindication(s): \(d.blockReasons.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
