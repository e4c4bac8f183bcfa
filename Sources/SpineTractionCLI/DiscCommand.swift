import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction disc [--out DIR] [--model M.json]`: the old name of
/// `spinetraction run --example disc` (or `run M.json`), kept one release.
struct DiscCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disc",
        abstract: "Old name of `run --example disc`.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String = "disc-results"

    @Option(name: .long, help: "A biphasic model file to run instead of the embedded default disc.")
    var model: String?

    func run() async throws { try await runOldExampleCommand("disc", example: "disc", model: model, out: out) }
}
