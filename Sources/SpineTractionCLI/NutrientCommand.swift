import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction nutrient`: the default disc (or a given biphasic model) under its traction
/// protocol with O₂/glucose/lactate transport staggered after every biphasic step; prints the
/// steady and loaded concentrations, glucose imbibed per traction cycle and the wall time split
/// between mechanics and transport.
struct NutrientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nutrient",
        abstract: "Disc nutrition (O₂, glucose, lactate) under the default intermittent traction protocol, staggered with the biphasic disc."
    )

    @Option(name: .long, help: "A biphasic model file (regions nucleus/annulus, surfaces top/bottom/outer) instead of the embedded default disc.")
    var model: String?

    @Flag(name: .long, help: "Use the coarse verification disc (8 cells around, one shortened cycle) instead of the default disc; for profiling.")
    var coarse = false

    @Flag(name: .long, help: "Run transport on the quadratic biphasic mesh itself instead of the linear cells of its corner nodes (slower; for profiling).")
    var quadraticTransport = false

    func run() throws {
        do {
            if coarse && model != nil { throw ValidationError("--coarse and --model exclude each other") }
            let parsed = try coarse ? NutrientTractionSimulation.coarseVerificationModel() : model.map { try Model.load(path: $0) }
            let sim = try NutrientTractionSimulation(model: parsed,
                                                     cornerMesh: !quadraticTransport)
            let r = try sim.run()
            func row(_ name: String, _ s: NutrientTractionSimulation.Snapshot) {
                print(name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "min O₂ %6.3f kPa  min glucose %6.3f mM  max lactate %6.3f mM  viable %6.4f",
                             s.minOxygen, s.minGlucose, s.maxLactate, s.viableFraction))
            }
            row("steady (unloaded)", r.steady)
            row("end of protocol", r.final)
            row("extremes over protocol", r.extremes)
            print("glucose per traction cycle (mmol): imbibed, consumed, content change")
            for c in r.cycles {
                print(String(format: "  [%5.0f, %5.0f] s  %.6e  %.6e  %+.6e", c.window.lowerBound, c.window.upperBound, c.glucoseImbibed, c.glucoseConsumed, c.contentChange))
            }
            print(String(format: "glucose balance error %.2e (relative to throughput)", r.glucoseBalanceError))
            let simulated = sim.biphasic.model.steps.reduce(0) { $0 + $1.duration }
            print(String(format: "%d steps, %d biphasic + %d transport unknowns; wall %.2f s per simulated protocol (%.0f s): mechanics %.2f s (%.1f %%), transport %.2f s (%.1f %%)",
                         r.steps, r.biphasicUnknowns, r.transportUnknowns, r.wallTime, simulated, r.mechanicsTime, 100 * r.mechanicsTime / r.wallTime,
                         r.transportTime, 100 * r.transportTime / r.wallTime))
            let p = sim.transport.profile
            print(String(format: "transport solver: %d equations, nnz(L+U) %d, %d perturbed pivots; %d Newton iterations; tangent assembly %.2f s (%d), residual assembly %.2f s (%d), sparse LU analysis %.2f s, factorization %.2f s (%d), solves %.2f s",
                         p.equations, p.factorNonzeros, p.perturbedPivots, p.newtonIterations, p.matrixAssembly, p.matrixAssemblies, p.residualAssembly,
                         p.residualAssemblies, p.analysis, p.factorization, p.factorizations, p.solve))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
