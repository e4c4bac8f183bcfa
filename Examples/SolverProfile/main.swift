// Measures the supernodal solvers on generated 3D FE systems and prints one
// line per phase, with the dgemm rate measured in the same run.
//
//   swift build -c release --product SolverProfile
//   .build/release/SolverProfile elast 32      # Q1 elasticity, 32³ hexes (n = 104544)
//   .build/release/SolverProfile poro 19       # Biot u–p Q1–Q1, 19³ hexes (n = 30400)
import CLAPACK
import Foundation
import SparseLinearAlgebra

/// Q1 hexahedral element matrices on a cube of side h (mm), 2×2×2 Gauss:
/// elasticity (E, ν in MPa / –), Biot coupling ∫ div(N_u) N_p (α = 1),
/// and permeability ∫ ∇N_p·∇N_p (to be scaled by κΔt).
func elementMatrices(h: Double, youngs: Double, poisson: Double) -> (k: [Double], q: [Double], hp: [Double]) {
    let lambda = youngs * poisson / ((1 + poisson) * (1 - 2 * poisson))
    let mu = youngs / (2 * (1 + poisson))
    var k = [Double](repeating: 0, count: 24 * 24)
    var q = [Double](repeating: 0, count: 24 * 8)
    var hp = [Double](repeating: 0, count: 64)
    let g = 1 / 3.0.squareRoot()
    let detJ = (h / 2) * (h / 2) * (h / 2)
    for gz in [-g, g] { for gy in [-g, g] { for gx in [-g, g] {
        var n = [Double](repeating: 0, count: 8)
        var d = [[Double]](repeating: [0, 0, 0], count: 8)
        for a in 0..<8 {
            let xa = Double(a & 1) * 2 - 1, ya = Double((a >> 1) & 1) * 2 - 1, za = Double((a >> 2) & 1) * 2 - 1
            n[a] = (1 + gx * xa) * (1 + gy * ya) * (1 + gz * za) / 8
            d[a][0] = xa * (1 + gy * ya) * (1 + gz * za) / 8 * 2 / h
            d[a][1] = ya * (1 + gx * xa) * (1 + gz * za) / 8 * 2 / h
            d[a][2] = za * (1 + gx * xa) * (1 + gy * ya) / 8 * 2 / h
        }
        for a in 0..<8 { for b in 0..<8 {
            let dot = d[a][0] * d[b][0] + d[a][1] * d[b][1] + d[a][2] * d[b][2]
            hp[a + 8 * b] += dot * detJ
            for i in 0..<3 {
                q[(3 * a + i) + 24 * b] += d[a][i] * n[b] * detJ
                for j in 0..<3 {
                    var v = lambda * d[a][i] * d[b][j] + mu * d[a][j] * d[b][i]
                    if i == j { v += mu * dot }
                    k[(3 * a + i) + 24 * (3 * b + j)] += v * detJ
                }
            }
        } }
    } } }
    return (k, q, hp)
}

/// Assembles Q1 elasticity (withPressure = false) or the Biot u–p step
/// [[K, −Q], [−Qᵀ, −κΔt H]] on e³ hexes of the unit cube; u clamped on z = 0,
/// p = 0 on z = 1. Dofs are numbered node by node.
func assemble(elements e: Int, withPressure: Bool, kappaDt: Double = 1e-4) throws -> SymmetricMatrix {
    let nn = e + 1
    let (ke, qe, he) = elementMatrices(h: 1 / Double(e), youngs: 1, poisson: 0.3)
    let per = withPressure ? 4 : 3
    var dof = [Int](repeating: -1, count: nn * nn * nn * per)
    var count = 0
    for z in 0..<nn { for y in 0..<nn { for x in 0..<nn {
        let node = x + nn * (y + nn * z)
        for c in 0..<3 where z > 0 { dof[node * per + c] = count; count += 1 }
        if withPressure && z < nn - 1 { dof[node * per + 3] = count; count += 1 }
    } } }
    var coo = COOMatrix(rows: count, columns: count)
    coo.reserve(e * e * e * (withPressure ? 32 * 32 : 24 * 24))
    var local = [Int](repeating: 0, count: 32)
    for z in 0..<e { for y in 0..<e { for x in 0..<e {
        for a in 0..<8 {
            let node = (x + (a & 1)) + nn * ((y + ((a >> 1) & 1)) + nn * (z + ((a >> 2) & 1)))
            for c in 0..<3 { local[3 * a + c] = dof[node * per + c] }
            if withPressure { local[24 + a] = dof[node * per + 3] }
        }
        for j in 0..<24 where local[j] >= 0 { for i in 0..<24 where local[i] >= 0 { coo.append(local[i], local[j], ke[i + 24 * j]) } }
        if withPressure {
            for b in 0..<8 where local[24 + b] >= 0 {
                for i in 0..<24 where local[i] >= 0 {
                    coo.append(local[i], local[24 + b], -qe[i + 24 * b]); coo.append(local[24 + b], local[i], -qe[i + 24 * b])
                }
                for a in 0..<8 where local[24 + a] >= 0 { coo.append(local[24 + a], local[24 + b], -kappaDt * he[a + 8 * b]) }
            }
        }
    } } }
    return try coo.csr().symmetricLowerTriangle()
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t = ContinuousClock.now
    try body()
    let d = (ContinuousClock.now - t).components
    return Double(d.seconds) + Double(d.attoseconds) * 1e-18
}

func dgemmRate(_ n: Int) -> Double {
    var a = (0..<(n * n)).map { Double($0 % 7) * 0.1 }, b = a, c = [Double](repeating: 0, count: n * n)
    var nn = Int32(n), one = 1.0, zero = 0.0
    var t = CChar(UInt8(ascii: "N"))
    dgemm_(&t, &t, &nn, &nn, &nn, &one, &a, &nn, &b, &nn, &zero, &c, &nn, 1, 1)
    let s = seconds { dgemm_(&t, &t, &nn, &nn, &nn, &one, &a, &nn, &b, &nn, &zero, &c, &nn, 1, 1) }
    return 2 * Double(n) * Double(n) * Double(n) / s / 1e9
}

func load() -> String { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" }

let args = CommandLine.arguments
let problem = args.count > 1 ? args[1] : "elast"
// `SolverProfile lu <file.mtx> [repeats]`: the general sparse LU on a Matrix Market
// `general` file; b = A·1, prints analyse / factor (each repeat) / solve and max|x − 1|.
if problem == "lu" {
    guard args.count > 2, case .general(let m) = try MatrixMarket.read(path: args[2]) else {
        print("usage: SolverProfile lu <general.mtx> [repeats]"); exit(2)
    }
    let count = args.count > 3 ? Int(args[3])! : 3
    let lu = SparseLU()
    let tA = try seconds { try lu.analyze(m) }
    var times: [Double] = []
    for _ in 0..<count { times.append(try seconds { try lu.factor(m) }) }
    let b = m.multiply([Double](repeating: 1, count: m.rows))
    var x = b
    let tS = try seconds { try lu.solve(&x, count: 1) }
    let err = x.map { abs($0 - 1) }.max() ?? 0
    let r = lu.report
    print(String(format: "lu n=%d nnz(A)=%d nnz(L+U)=%.2fM supernodes=%d flops=%.3e analyze=%.3f s factor=%@ s solve=%.4f s perturbed=%d refinement=%d residual=%.2e max|x-1|=%.2e load %@",
                 m.rows, m.nonzeroCount, Double(r.nonzerosL) / 1e6, r.supernodes, r.factorFlops, tA,
                 times.map { String(format: "%.3f", $0) }.joined(separator: ","), tS, r.perturbedPivots, r.iterations,
                 r.relativeResidual, err, load()))
    exit(0)
}
let e = args.count > 2 ? Int(args[2])! : 21
let repeats = args.count > 3 ? Int(args[3])! : 2
var a: SymmetricMatrix!
let tAssemble = try seconds { a = try assemble(elements: e, withPressure: problem == "poro",
                                            kappaDt: Double(ProcessInfo.processInfo.environment["KAPPA_DT"] ?? "1e-4")!) }
print("\(problem) e=\(e): n=\(a.dimension) nnz(A)=\(a.fullNonzeroCount) assembled in \(String(format: "%.2f", tAssemble)) s; load \(load()); OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")")
let gemm = dgemmRate(3000)
print(String(format: "dgemm n=3000: %.1f GFLOP/s", gemm))
if ProcessInfo.processInfo.environment["WARMUP"] != nil {
    let small = try assemble(elements: 8, withPressure: problem == "poro")
    let w: any LinearSolver = problem == "poro" ? SupernodalLDLT() : SupernodalCholesky()
    if let c = w as? SupernodalCholesky { c.parallelWorkThreshold = 0 }
    if let c = w as? SupernodalLDLT { c.parallelWorkThreshold = 0 }
    try w.analyzeAndFactor(small)
    print("warm-up factor \(w.report.factorSeconds) s")
}
let pivotTolerance = Double(ProcessInfo.processInfo.environment["PIVOT_TOL"] ?? "1e-13")!
let solver: any LinearSolver = problem == "poro" ? SupernodalLDLT(pivotTolerance: pivotTolerance, maxRefinementSteps: 20) : SupernodalCholesky()
if let t = ProcessInfo.processInfo.environment["SN_THREADS"].flatMap({ Int($0) }) {
    (solver as? SupernodalCholesky)?.threads = t
    (solver as? SupernodalLDLT)?.threads = t
}
let tAnalyze = try seconds { try solver.analyze(a) }
var factorTimes: [Double] = []
for _ in 0..<repeats { factorTimes.append(try seconds { try solver.factor(a) }) }
let b = a.multiply([Double](repeating: 1, count: a.dimension))
var x = b
let tSolve = try seconds { try solver.solve(&x, count: 1) }
var err = 0.0
for v in x { err = max(err, abs(v - 1)) }
let r = solver.report
let best = factorTimes.min()!
print(String(format: "nnz(L)=%.2fM supernodes=%d flops=%.3e analyze=%.3f s factor=%@ s (best %.3f s, %.1f GFLOP/s = %.0f%% of dgemm) solve=%.4f s (%d refinement steps) residual=%.2e max|x-1|=%.2e",
             Double(r.nonzerosL) / 1e6, r.supernodes, r.factorFlops, tAnalyze,
             factorTimes.map { String(format: "%.3f", $0) }.joined(separator: ","), best, r.factorFlops / best / 1e9,
             100 * r.factorFlops / best / 1e9 / gemm, tSolve, r.iterations, r.relativeResidual, err))
if let an = (solver as? SupernodalCholesky)?.analysis ?? (solver as? SupernodalLDLT)?.analysis {
    print("stack \(an.stackSize / 131072) MiB, largest front \(an.largestFront), workers \(an.schedule.workerCount), exact nnz(L) \(an.exactNonzerosL)")
}
if let inertia = r.inertia { print("inertia \(inertia), perturbed pivots \(r.perturbedPivots); load \(load())") }
if ProcessInfo.processInfo.environment["PROFILE_ANALYSIS"] != nil {
    var ord: Ordering!
    let tOrd = try seconds { ord = try Ordering.compute(.nestedDissection, for: a) }
    let tGraph = seconds { _ = AdjacencyGraph(a) }
    let tPerm = seconds { _ = a.permuted(by: ord.permutation) }
    let tSym = try seconds { _ = try SupernodalAnalysis(a, ordering: ord) }
    print(String(format: "metis %.3f s, graph %.3f s, permuted %.3f s, symbolic (given ordering) %.3f s", tOrd, tGraph, tPerm, tSym))
}
if let path = ProcessInfo.processInfo.environment["SAVE_MTX"] {
    // Matrix Market coordinate real symmetric (lower triangle), for side-by-side runs.
    var out = "%%MatrixMarket matrix coordinate real symmetric\n\(a.dimension) \(a.dimension) \(a.storedCount)\n"
    out.reserveCapacity(a.storedCount * 40)
    for j in 0..<a.dimension { for p in a.columnStarts[j]..<a.columnStarts[j + 1] { out += "\(Int(a.rowIndices[p]) + 1) \(j + 1) \(a.values[p])\n" } }
    try out.write(toFile: path, atomically: false, encoding: .utf8)
    print("wrote \(path)")
}
if let smaps = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) {
    print(smaps.split(separator: "\n").filter { $0.hasPrefix("Rss") || $0.hasPrefix("AnonHuge") }.joined(separator: "; "))
}
