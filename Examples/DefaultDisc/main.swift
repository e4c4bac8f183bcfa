// The default L4-L5 disc under intermittent traction, scripted: build, run, read typed results.
// `swift run DefaultDisc` (add `--small` for the coarse mesh, seconds instead of a minute in debug).
import Foundation
import SpineTraction

let small = CommandLine.arguments.contains("--small")
let model = try DefaultDiscModel.model(mesh: small ? .coarse : .standard)
let simulation = try Simulation(model: model)
let results = try await simulation.run()

let pressure = results.nucleusPressure!          // MPa, needle-transducer reading at the nucleus centroid
let lying = pressure.scalars[results.times.firstIndex(of: 60)!]
print("L4-L5 disc, \(simulation.unknownCount) unknowns, \(results.steps.count) steps")
print(String(format: "nucleus pressure: lying %.4f MPa (Wilke et al. 1999: 0.10), minimum %.4f MPa at t = %g s (Ramos & Martin 1994: below −0.013)",
             lying, pressure.minimum!, pressure.extremes!.minimumTime))
print(String(format: "fluid imbibed since t = 0: %.2f mm³; height change at the end: %+.4f mm",
             results.imbibedVolume!.final!, results.heightChange!.final!))
for (surface, volume) in results.imbibedBySurface.sorted(by: { $0.key < $1.key }) {
    print(String(format: "  through %@: %.2f mm³", surface, volume.final!))
}
