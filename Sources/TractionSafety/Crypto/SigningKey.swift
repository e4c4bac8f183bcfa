import Crypto

/// An Ed25519 private key that signs limits documents (held by the prescribing system, never by
/// a controller).
///
/// Signatures are Ed25519 as RFC 8032 defines it (BoringSSL inside swift-crypto on Linux), which is
/// deterministic: the same key and document give the same signature bytes.
public struct LimitsSigningKey: Sendable {
    /// The 32-byte raw representation (the RFC 8032 seed); store it secret.
    public let rawRepresentation: [UInt8]

    /// A new random key (system randomness).
    public static func generate() -> LimitsSigningKey {
        // A freshly generated key's 32-byte representation is always accepted.
        try! LimitsSigningKey(rawRepresentation: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// A key from its 32-byte raw representation.
    /// - Throws: ``KeyFormatError`` if `rawRepresentation` is not 32 bytes.
    public init(rawRepresentation: [UInt8]) throws(KeyFormatError) {
        guard rawRepresentation.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)) != nil else {
            throw KeyFormatError(message: "an Ed25519 private key is 32 bytes, got \(rawRepresentation.count)")
        }
        self.rawRepresentation = rawRepresentation
    }

    /// A key from 64 lowercase hex characters (surrounding whitespace ignored).
    /// - Throws: ``KeyFormatError`` for anything else.
    public init(hex: String) throws(KeyFormatError) {
        let trimmed = hex.trimmingASCIIWhitespace()
        guard let bytes = Hex.decode(trimmed) else {
            throw KeyFormatError(message: "a private key file holds 64 lowercase hex characters, got \(trimmed.utf8.count) characters")
        }
        try self.init(rawRepresentation: bytes)
    }

    /// A key from the text of a private key file: one line `ed25519-private:` followed by 64
    /// lowercase hex characters (what `spinetraction limits keygen` writes; surrounding whitespace
    /// ignored).
    /// - Throws: ``KeyFormatError`` for a public key file (`ed25519-public:`), an untagged key
    ///   (its kind cannot be checked) or anything else, saying which it is.
    public init(keyFile text: String) throws(KeyFormatError) {
        try self.init(hex: try KeyFileFormat.payload(text, expecting: .privateKey))
    }

    private var key: Curve25519.Signing.PrivateKey {
        // Checked in init.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
    }

    /// The matching public key, to be compiled into or provisioned on controllers.
    public var publicKey: TrustedPublicKey {
        // A 32-byte Ed25519 public key from swift-crypto always has the right length.
        try! TrustedPublicKey(rawRepresentation: Array(key.publicKey.rawRepresentation))
    }

    /// The text of this key's private key file (``init(keyFile:)`` reads it back).
    public var keyFileText: String { KeyFileFormat.privateTag + Hex.encode(rawRepresentation) + "\n" }

    /// Signs `message` (64-byte Ed25519 signature).
    func sign(_ message: [UInt8]) -> [UInt8] {
        // BoringSSL's Ed25519 signing does not fail for a valid key.
        Array(try! key.signature(for: message))
    }
}
