import Crypto

/// The two cryptographic primitives the loader needs, isolated so that the fuzz harness
/// (`Fuzz/`) can compile the loader without swift-crypto (see `Fuzz/README.md`).
enum CryptoPrimitives {
    /// SHA-256 of `bytes` (32 bytes).
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// True when `signature` is a valid Ed25519 signature of `message` under the 32-byte public key `publicKey`.
    static func ed25519Verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
