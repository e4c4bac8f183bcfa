/// Signs limits documents: validates, canonicalizes, signs with Ed25519, and returns the exact
/// bytes a controller must receive.
public enum LimitsSigner {
    /// The canonical signed bytes of `document`.
    ///
    /// The signature covers the canonical form (see ``LimitsLoader``) of the document without its
    /// `signature` member; the result is the canonical form of the document with
    /// `signature = {algorithm: "Ed25519", keyId, value}` added. Same document and key → same bytes.
    /// - Throws: ``LimitsRefusal`` if the document fails ``LimitsValidation``.
    public static func sign(_ document: ForceSafetyLimits, with key: LimitsSigningKey) throws(LimitsRefusal) -> [UInt8] {
        try LimitsValidation.validate(document)
        return signJSON(document.jsonValue, with: key)
    }

    /// Signs an arbitrary JSON object as a document (no validation). Used by `limits sign` after
    /// its own decoding, and by tests that need validly signed but otherwise faulty documents.
    public static func signJSON(_ unsigned: JSONValue, with key: LimitsSigningKey) -> [UInt8] {
        guard case .object(var members) = unsigned else { return CanonicalJSON.encode(unsigned) }
        members["signature"] = nil
        let message = CanonicalJSON.encode(.object(members))
        let signature = key.sign(message)
        members["signature"] = .object([
            "algorithm": .string("Ed25519"),
            "keyId": .string(key.publicKey.keyId),
            "value": .string(Hex.encode(signature)),
        ])
        return CanonicalJSON.encode(.object(members))
    }
}
