import ArgumentParser
import Foundation
import SpineTraction

extension RunCommand {
    /// Runs a model whose regions are biphasic (``BiphasicSimulation``): the
    /// same progress bar and summary as solid models, plus the pressure probes
    /// and imbibed volumes at the last output time and every cut-step notice.
    func runBiphasic(_ model: Model, directory: URL, showBar: Bool) throws {
        let simulation = try BiphasicSimulation(model: model)
        let results: SimulationResults
        if model.transport != nil {
            // Solutes carried by the fluid: transport on the linear cells of the corner nodes
            // (same cell numbering), stepped after every biphasic step.
            let transport = try TransportSimulation(model: model, mesh: NutrientTractionSimulation.cornerMesh(of: simulation.mesh))
            let both = try transport.runCoupled(with: simulation, outputDirectory: directory) { fraction, time in
                if showBar { drawProgressBar(fraction: fraction, time: time) }
            }
            results = both.mechanics
            if !quiet {
                print("transport (staggered with the biphasic steps, \(transport.problem.dofMap.dofCount) unknowns on the corner-node mesh): \(both.transport.times.count) output times; wrote \(directory.appendingPathComponent("transport.json").path)")
            }
        } else {
            results = try simulation.run(outputDirectory: directory) { fraction, time in
                if showBar { drawProgressBar(fraction: fraction, time: time) }
            }
        }
        if showBar { FileHandle.standardError.write(Data("\n".utf8)) }
        for notice in simulation.notices { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
        guard !quiet else { return }
        if let r = simulation.freeSwellingReport { print(DiscCommand.describe(r)) }
        print("\(results.steps.count) steps, \(results.times.count) output times, \(simulation.mesh.cellCount) cells, \(simulation.unknownCount) unknowns (biphasic u–p)")
        for s in results.probes + results.surfaces + results.regions where s.components == ["value"] {
            if let last = s.values.last { print("  \(s.name) (\(s.quantity)) at t = \(results.times.last ?? 0) s: \(last[0]) \(s.unit)") }
        }
        print("wrote \(directory.appendingPathComponent("results.json").path)")
    }
}
