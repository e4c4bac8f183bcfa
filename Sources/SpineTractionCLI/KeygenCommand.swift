import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction keygen`: makes an Ed25519 key pair for signing force-safety limits documents.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate an Ed25519 key pair for signing limits documents.",
        discussion: """
            Writes <prefix>.key (64 hex characters, the private seed, file mode 0600) and \
            <prefix>.pub (64 hex characters, the public key to provision on controllers), and \
            prints the key id (first 16 hex characters of SHA-256 of the public key). Refuses to \
            overwrite existing files.
            """
    )

    @Option(name: .customLong("output"), help: "Path prefix of the two key files.")
    var prefix: String

    func run() throws {
        let keyPath = prefix + ".key", pubPath = prefix + ".pub"
        for path in [keyPath, pubPath] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; refusing to overwrite a key")
        }
        let key = LimitsSigningKey.generate()
        guard FileManager.default.createFile(atPath: keyPath, contents: Data((Hex.encode(key.rawRepresentation) + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(keyPath)")
        }
        try Data((Hex.encode(key.publicKey.rawRepresentation) + "\n").utf8).write(to: URL(fileURLWithPath: pubPath))
        print("key id \(key.publicKey.keyId)")
        print("private key: \(keyPath) (keep secret)")
        print("public key:  \(pubPath)")
    }
}
