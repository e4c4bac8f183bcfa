// A custom protocol: progressive steps reached by logarithmic ramps (fast at first, then slowing,
// as computer-controlled tables ramp), applied to the disc by name; prints the load it generated
// and the nucleus pressure per level. `swift run LogarithmicRamp [--small]`.
import Foundation
import SpineTraction

let small = CommandLine.arguments.contains("--small")
var disc = try DefaultDiscModel.model(mesh: small ? .coarse : .standard)
let levels: [Double] = small ? [40, 80] : [40, 80, 120]       // N reaching the disc
let protocolValue = TractionProtocol.steps(levels: levels.map { .init(force: .newtons($0), hold: 60) },
                                           ramp: .logarithmic(duration: 20, segments: 8),
                                           release: .logarithmic(duration: 20, segments: 8),
                                           preload: .init(force: .newtons(17), ramp: 10, duration: 60))
let plan = try disc.apply(protocolValue)
print(String(format: "peak %.0f N; %d curve corners; logarithmic ramps within %.2f %% of the exact curve",
             plan.peakForce, plan.tractionCurve.times.count, 100 * TractionProtocol.Ramp.maximumInterpolationError(segments: 8)))

let results = try await Simulation(model: disc).run()
let pressure = results.nucleusPressure!.scalars      // MPa at the output times
for (i, window) in plan.reportWindows.enumerated() {
    let inWindow = results.times.indices.filter { window.contains(results.times[$0]) }
    let lowest = inWindow.map { pressure[$0] }.min() ?? .nan
    print(String(format: "level %d (%.0f N), %g–%g s: lowest nucleus pressure %.4f MPa", i + 1,
                 i < levels.count ? levels[i] : 0, window.lowerBound, window.upperBound, lowest))
}
