import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction nutrient [--out DIR] [--model M.json]`: the old name of
/// `spinetraction run --example nutrient-traction` (or `run M.json`, a model with a transport
/// block), kept one release. The nutrient report (O₂, glucose, lactate, viable fraction, glucose
/// per traction cycle) is part of `run`'s report for every model whose transport has a cell metabolism.
struct NutrientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nutrient",
        abstract: "Old name of `run --example nutrient-traction`.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String = "nutrient-traction-results"

    @Option(name: .long, help: "A model file with a transport block to run instead of the embedded nutrient-traction example.")
    var model: String?

    func run() async throws { try await runOldExampleCommand("nutrient", example: "nutrient-traction", model: model, out: out) }
}
