/// The key file format: a kind tag, then 64 lowercase hex characters, on one line.
///
/// Private and public Ed25519 keys are both 32 bytes, so only the tag tells them apart: signing
/// with a public key read as a private seed would produce a signature anyone can forge.
public enum KeyFileFormat {
    /// The kind of key a file holds.
    public enum Kind: Sendable {
        /// An Ed25519 private seed (`.key`).
        case privateKey
        /// An Ed25519 public key (`.pub`).
        case publicKey
    }
    /// Tag of a private key file.
    public static let privateTag = "ed25519-private:"
    /// Tag of a public key file.
    public static let publicTag = "ed25519-public:"

    /// The hex payload of a key file of kind `kind`.
    static func payload(_ text: String, expecting kind: Kind) throws(KeyFormatError) -> String {
        let t = text.trimmingASCIIWhitespace()
        let (wanted, other) = kind == .privateKey ? (privateTag, publicTag) : (publicTag, privateTag)
        if t.hasPrefix(wanted) { return String(t.dropFirst(wanted.count)) }
        if t.hasPrefix(other) {
            throw KeyFormatError(message: kind == .privateKey
                ? "this is a public key file (\(publicTag)…); signing needs the private key file (.key) written by `spinetraction limits keygen`"
                : "this is a private key file (\(privateTag)…); a verifier needs the public key file (.pub) — never copy a private key to a controller")
        }
        if Hex.decode(t) != nil {
            throw KeyFormatError(message: "the key file holds 64 hex characters without a kind tag, so whether it is a private or a public key cannot be checked; regenerate it with `spinetraction limits keygen`, or prefix the line with '\(wanted)' if it is \(kind == .privateKey ? "a private" : "a public") key")
        }
        throw KeyFormatError(message: "a \(kind == .privateKey ? "private" : "public") key file holds one line '\(wanted)' followed by 64 lowercase hex characters, got \(t.utf8.count) characters")
    }
}
