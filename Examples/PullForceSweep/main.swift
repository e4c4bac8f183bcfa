// A pull-force sweep: one free swelling, five traction forces run concurrently from the kept
// swollen state, written to CSV. `swift run PullForceSweep [--small] [--out sweep.csv]`.
import Foundation
import SpineTraction

let arguments = CommandLine.arguments
let small = arguments.contains("--small")
let out = arguments.firstIndex(of: "--out").map { arguments[$0 + 1] } ?? "sweep.csv"
let disc = try DefaultDiscModel.model(mesh: small ? .coarse : .standard)
let swollen = try await Simulation(model: disc).freeSwollenState()

let forces: [Double] = [50, 80, 110, 140, 170]     // N reaching the disc
let rows = try await withThrowingTaskGroup(of: (Double, SimulationResults).self) { group in
    for force in forces {
        var member = disc
        member.boundary[named: "traction"]!.force = SIMD3(0, 0, force)
        group.addTask { (force, try await Simulation(model: member).run(from: swollen)) }
    }
    var rows: [(Double, SimulationResults)] = []
    for try await row in group { rows.append(row) }
    return rows.sorted { $0.0 < $1.0 }
}

var csv = "force_N,min_nucleus_pressure_MPa,time_of_minimum_s,imbibed_at_end_mm3\n"
for (force, r) in rows {
    let p = r.nucleusPressure!
    csv += "\(force),\(p.minimum!),\(p.extremes!.minimumTime),\(r.imbibedVolume!.final!)\n"
}
try csv.write(toFile: out, atomically: true, encoding: .utf8)
print(csv, terminator: "")
print("wrote \(out)")
