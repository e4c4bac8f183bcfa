// A degenerated disc against a healthy one under the same traction, run concurrently.
// Degeneration here is two edits of the nucleus (assumptions for illustration, not library
// presets): half the fixed charge (proteoglycan loss) and half the permeability.
// `swift run DegeneratedDisc [--small]`.
import Foundation
import SpineTraction

let small = CommandLine.arguments.contains("--small")
let healthy = try DefaultDiscModel.model(mesh: small ? .coarse : .standard)
var degenerated = healthy
degenerated.materials["np"]!.biphasic!.osmotic!.cF0 *= 0.5             // mEq/L
degenerated.materials["np"]!.biphasic!.permeability.k0 *= 0.5          // mm⁴/(N·s)

async let a = Simulation(model: healthy).run()
async let b = Simulation(model: degenerated).run()
let (h, d) = try await (a, b)

print("disc          min nucleus pressure (MPa)   imbibed at end (mm³)   free-swelling imbibed (mm³)")
for (name, r) in [("healthy", h), ("degenerated", d)] {
    print(name.padding(toLength: 14, withPad: " ", startingAt: 0)
          + String(format: "%26.4f   %20.2f   %27.2f", r.nucleusPressure!.minimum!, r.imbibedVolume!.final!, r.freeSwelling?.imbibed ?? 0))
}
