import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction disc`: runs the embedded default disc model (or a given
/// biphasic model file) and prints the nucleus pressure and the imbibed fluid
/// volume over time; writes results.json/CSV, VTU + PVD and SVG plots.
struct DiscCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disc",
        abstract: "Run the default L4-L5 disc under intermittent traction (biphasic, osmotic swelling); print nucleus pressure and imbibed volume."
    )

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String = "disc-results"

    @Option(name: .long, help: "A biphasic model file to run instead of the embedded default disc.")
    var model: String?

    func run() throws {
        do {
            let parsed = try model.map { try Model.load(path: $0) } ?? DefaultDiscModel.model()
            let simulation = try BiphasicSimulation(model: parsed)
            let start = Date()
            let results = try simulation.run(outputDirectory: URL(fileURLWithPath: out))
            let wall = Date().timeIntervalSince(start)
            for notice in simulation.notices { print("note: \(notice)") }
            let pressure = results.probes.first { $0.quantity == "pressure" } ?? results.probes.first { $0.quantity == "p" }
            let volumes = results.surfaces.filter { $0.quantity == "fluidVolume" }
            var header = "t (s)".padding(toLength: 9, withPad: " ", startingAt: 0)
            if let pressure { header += "  \(pressure.name) (MPa)" }
            for v in volumes { header += "  \(v.name) (mm³)" }
            print(header)
            for (i, t) in results.times.enumerated() {
                var line = String(format: "%-9.4g", t)
                if let pressure { line += String(format: "  %14.6f", pressure.values[i][0]) }
                for v in volumes { line += String(format: "  %14.4f", v.values[i][0]) }
                print(line)
            }
            let iterations = results.steps.reduce(0) { $0 + $1.iterations }
            print(String(format: "%d steps, %d Newton iterations, %d unknowns, wall %.2f s (%.3f s per iteration)",
                         results.steps.count, iterations, simulation.unknownCount, wall, wall / Double(max(iterations, 1))))
            print(String(format: "linear solver (supernodal LDLᵀ: analyse + factor + solve): %.2f s = %.0f%% of the wall time",
                         simulation.linearSolverSeconds, 100 * simulation.linearSolverSeconds / max(wall, 1e-9)))
            print("wrote \(out)/results.json, \(out)/results.pvd, \(out)/pressure.svg")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
