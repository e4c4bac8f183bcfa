import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction run MODEL.json --out DIR`: solve a model file and write
/// `DIR/results.json`, `DIR/results.csv` and VTU files with a PVD collection.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Solve a model file (JSON, units mm-N-s-MPa) and write results.json, results.csv and VTU/PVD files."
    )

    @Argument(help: "The model file (see Schemas/model.schema.json).")
    var model: String

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String

    @Flag(name: .long, help: "No progress bar, no summary.")
    var quiet = false

    func run() throws {
        let directory = URL(fileURLWithPath: out)
        let showBar = !quiet && isatty(STDERR_FILENO) != 0
        do {
            let parsed = try Model.load(path: model)
            if parsed.isBiphasic { try runBiphasic(parsed, directory: directory, showBar: showBar); return }
            let simulation = try Simulation(model: parsed)
            simulation.onProgress = { p in if showBar { drawProgressBar(fraction: p.fraction, time: p.time) } }
            let results = try simulation.run(outputDirectory: directory)
            if showBar { FileHandle.standardError.write(Data("\n".utf8)) }
            if parsed.transport != nil, !quiet {
                print("transport: \(results.times.count) output times; wrote \(directory.appendingPathComponent("transport.json").path)")
            }
            if !quiet {
                print("\(results.steps.count) steps, \(results.times.count) output times, \(simulation.mesh.cellCount) cells, \(simulation.unknownCount) unknowns")
                print("wrote \(directory.appendingPathComponent("results.json").path)")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Redraws the one-line progress bar of `spinetraction run` on standard error:
/// `fraction` of the simulated time done (0…1), `time` the simulated time (s).
func drawProgressBar(fraction: Double, time: Double) {
    let width = 40
    let filled = Int((fraction * Double(width)).rounded(.down))
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(width - filled, 0))
    FileHandle.standardError.write(Data(String(format: "\r  [%@] %3.0f%%  t = %.4g s", bar, fraction * 100, time).utf8))
}
