// BusyMachine: wall time of three jobs alone and as concurrent copies in one process,
// for the busy-machine benchmark (Benchmarks/results/busy-machine.md). The busy loops
// of case (b) are started outside, by the shell (`yes > /dev/null &` twice).
//
//   BusyMachine --case bp05|disc|factor30k [--copies N] [--repeat R]
//
//   bp05      — Examples/models/biphasic-unconfined.json, as `spinetraction run` does it;
//   disc      — the default disc protocol, as `spinetraction disc` does it;
//   factor30k — one numeric LDLᵀ factorization of the 30k Q1–Q1 u–p matrix
//               (`spinetraction generate poro --size 30k`), analysed beforehand.
// With --copies N (default 1) N copies run at once in a TaskGroup, each with its own
// simulation / solver, sharing the process's ThreadBudget. Prints one line per repeat:
// the wall time of each copy, the total, the load average, and the largest relative
// difference of the copies' numbers from the first copy's (0 = identical).

import Foundation
import SparseLinearAlgebra
import SpineModel

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name) else { return nil }
    guard i + 1 < args.count else { fail("\(name): expected a value") }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BusyMachine: \(message)\n".utf8))
    exit(2)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

nonisolated(unsafe) let job = option("--case") ?? "bp05"
let copies = Int(option("--copies") ?? "1") ?? 0
let repeats = Int(option("--repeat") ?? "1") ?? 0
guard copies >= 1 else { fail("--copies: expected a positive integer") }
guard repeats >= 1 else { fail("--repeat: expected a positive integer") }
nonisolated(unsafe) let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The numbers a copy produced, to compare copies.
typealias Numbers = [Double]

/// One copy of the job: its numbers.
func runOnce() throws -> Numbers {
    switch job {
    case "bp05", "disc":
        let model = job == "disc" ? try DefaultDiscModel.model()
            : try Model.load(path: root.appendingPathComponent("Examples/models/biphasic-unconfined.json").path)
        let simulation = try BiphasicSimulation(model: model)
        let results = try simulation.run()
        var numbers: Numbers = []
        for p in results.probes { for v in p.values { numbers += v } }
        for s in results.surfaces { for v in s.values { numbers += v } }
        return numbers
    case "factor30k":
        return try factorJob()
    default:
        fail("--case: expected bp05, disc or factor30k, got \(job)")
    }
}

/// The 30k u–p matrix, made once.
nonisolated(unsafe) let poro: SymmetricMatrix? = job == "factor30k" ? try! ModelProblems.named("poro", size: "30k").matrix : nil

/// Analyse (not timed separately: small), factor, solve A x = A·1; the numbers are x.
func factorJob() throws -> Numbers {
    let a = poro!
    let solver = SupernodalLDLT()
    try solver.analyze(a)
    try solver.factor(a)
    var b = [Double](repeating: 0, count: a.dimension)
    a.multiply([Double](repeating: 1, count: a.dimension), into: &b)
    try solver.solve(&b, count: 1)
    return b
}

func relativeDifference(_ a: Numbers, _ b: Numbers) -> Double {
    guard a.count == b.count else { return .infinity }
    var scale = 0.0, diff = 0.0
    for (x, y) in zip(a, b) { scale = max(scale, abs(x)); diff = max(diff, abs(x - y)) }
    return scale > 0 ? diff / scale : diff
}

print("BusyMachine --case \(job) --copies \(copies): ThreadBudget.total = \(ThreadBudget.total), OpenBLAS set single-threaded: \(ThreadBudget.configureBLAS())")
for r in 1...repeats {
    let load = loadAverage()
    let clock = ContinuousClock()
    let start = clock.now
    var results: [(index: Int, wall: Double, numbers: Numbers)] = []
    if copies == 1 {
        let numbers = try runOnce()
        results = [(0, seconds(clock.now - start), numbers)]
    } else {
        results = try await withThrowingTaskGroup(of: (Int, Double, Numbers).self) { group in
            for i in 0..<copies {
                group.addTask {
                    let s = clock.now
                    let numbers = try runOnce()
                    return (i, seconds(clock.now - s), numbers)
                }
            }
            var all: [(index: Int, wall: Double, numbers: Numbers)] = []
            for try await (i, w, n) in group { all.append((i, w, n)) }
            return all.sorted { $0.index < $1.index }
        }
    }
    let total = seconds(clock.now - start)
    let spread = results.dropFirst().map { relativeDifference(results[0].numbers, $0.numbers) }.max() ?? 0
    print(String(format: "repeat %d: copies %@ s, total %.3f s, load %@, max relative difference between copies %.2e",
                 r, results.map { String(format: "%.3f", $0.wall) }.joined(separator: " "), total, load, spread))
}
