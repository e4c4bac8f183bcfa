import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction keygen`: alias of `spinetraction limits keygen`.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Alias of `limits keygen`: generate an Ed25519 key pair for signing limits documents.",
        discussion: "Same as `spinetraction limits keygen --output <prefix>`; see its help for the key file format."
    )

    @Option(name: .customLong("output"), help: "Path prefix of the two key files.")
    var prefix: String

    func run() throws { try LimitsCommand.writeKeyPair(prefix: prefix) }
}
