import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction disc`: runs the embedded default disc model (or a given
/// biphasic model file) and prints the free-swelling report (when the model has a
/// free-swelling step), the nucleus pressure and the imbibed fluid volume over time,
/// and one comparison line: the minimum nucleus pressure vs Ramos & Martin 1994
/// (−0.013 MPa) and the pressure at the end of the first loading step (the lying
/// preload) vs Wilke et al. 1999 (0.10 MPa); writes results.json/CSV, VTU + PVD and SVG plots.
struct DiscCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disc",
        abstract: "Run the default L4-L5 disc under intermittent traction (biphasic, osmotic swelling); print nucleus pressure and imbibed volume."
    )

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String = "disc-results"

    @Option(name: .long, help: "A biphasic model file to run instead of the embedded default disc.")
    var model: String?

    /// One line on a free-swelling report.
    static func describe(_ r: FreeSwellingReport) -> String {
        String(format: "free swelling to equilibrium: %d steps, %d Newton iterations, pseudo-time %.4g s; volume change %.4g mm³, fluid imbibed %.4g mm³ (mismatch %.2g), equilibrium residual max|p − p_bath|/Δπ_ref = %.2g (Δπ_ref = %.4g MPa), last step ΔV %.2g mm³",
               r.steps, r.iterations, r.duration, r.volumeChange, r.imbibed, abs(r.imbibed - r.volumeChange) / max(abs(r.volumeChange), 1e-300),
               r.residual, r.referenceOsmoticPressure, r.lastStepVolumeChange)
    }

    /// The end of the model's first loading step (s): when the lying preload is in place
    /// (the default disc's `preload` step), nil when the model has a single loading step.
    static func lyingTime(_ model: Model) -> Double? {
        let loading = model.steps.filter { $0.freeSwelling == nil }
        guard loading.count > 1 else { return nil }
        return loading[0].duration
    }

    /// Minimum nucleus pressure vs Ramos & Martin 1994 (below −100 mmHg ≈ −0.013 MPa at the
    /// highest table tensions) and the lying pressure vs Wilke et al. 1999 (lying prone 0.10 MPa).
    static func comparison(times: [Double], pressure: [Double], lyingTime: Double?) -> String {
        let minimum = pressure.enumerated().min { $0.element < $1.element }!
        var line = String(format: "comparison: minimum nucleus pressure %.4f MPa (t = %g s) vs Ramos & Martin 1994 −0.013 MPa (below −100 mmHg)",
                          minimum.element, times[minimum.offset])
        if let t = lyingTime, let i = times.firstIndex(where: { abs($0 - t) <= 1e-9 * max(t, 1) }) {
            line += String(format: "; lying pressure %.4f MPa (t = %g s, end of preload) vs Wilke et al. 1999 0.10 MPa (lying prone)", pressure[i], t)
        }
        return line
    }

    func run() throws {
        do {
            let parsed = try model.map { try Model.load(path: $0) } ?? DefaultDiscModel.model()
            let simulation = try BiphasicSimulation(model: parsed)
            let start = Date()
            let results = try simulation.run(outputDirectory: URL(fileURLWithPath: out))
            let wall = Date().timeIntervalSince(start)
            for notice in simulation.notices { print("note: \(notice)") }
            if let r = simulation.freeSwellingReport { print(Self.describe(r)) }
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
            let swelling = simulation.freeSwellingReport
            let steps = results.steps.count + (swelling?.steps ?? 0)
            let iterations = results.steps.reduce(0) { $0 + $1.iterations } + (swelling?.iterations ?? 0)
            print(String(format: "%d steps, %d Newton iterations (free swelling included), %d unknowns, wall %.2f s (%.3f s per iteration)",
                         steps, iterations, simulation.unknownCount, wall, wall / Double(max(iterations, 1))))
            let stats = simulation.newtonStatistics
            print(String(format: "linear solver (supernodal LDLᵀ: analyse + factor + solve): %.2f s = %.0f%% of the wall time; numeric factorization %.2f s = %.0f%% (%d factorizations, %.1f ms each); assembly %.2f s = %.0f%% (%d evaluations)",
                         simulation.linearSolverSeconds, 100 * simulation.linearSolverSeconds / max(wall, 1e-9),
                         stats.factorSeconds, 100 * stats.factorSeconds / max(wall, 1e-9), stats.factorizations,
                         1e3 * stats.factorSeconds / Double(max(stats.factorizations, 1)),
                         stats.evaluationSeconds, 100 * stats.evaluationSeconds / max(wall, 1e-9), stats.evaluations))
            print("wrote \(out)/results.json, \(out)/results.pvd, \(out)/pressure.svg")
            if let pressure, !pressure.values.isEmpty {
                print(Self.comparison(times: results.times, pressure: pressure.values.map { $0[0] }, lyingTime: Self.lyingTime(parsed)))
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
