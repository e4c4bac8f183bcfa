import ArgumentParser
import SpineTraction

/// The main job until the disc model exists: factor and solve a generated 3D system.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Solve a generated 3D Poisson system and print the solver report."
    )

    @Option(help: "Grid points per side of the cube.")
    var size: Int = 12

    func run() throws {
        var coo = COOMatrix(rows: size * size * size, columns: size * size * size)
        let n = size
        func id(_ i: Int, _ j: Int, _ k: Int) -> Int { i + n * (j + n * k) }
        for k in 0..<n { for j in 0..<n { for i in 0..<n {
            let p = id(i, j, k)
            coo.append(p, p, 6)
            if i > 0 { coo.append(p, id(i - 1, j, k), -1); coo.append(id(i - 1, j, k), p, -1) }
            if j > 0 { coo.append(p, id(i, j - 1, k), -1); coo.append(id(i, j - 1, k), p, -1) }
            if k > 0 { coo.append(p, id(i, j, k - 1), -1); coo.append(id(i, j, k - 1), p, -1) }
        } } }
        let a = try coo.csr().symmetricLowerTriangle()
        let solver = LinearSolvers.makeDefault(for: a.dimension, kind: .symmetricPositiveDefinite)
        try solver.analyzeAndFactor(a)
        let x = try solver.solve(a.multiply([Double](repeating: 1, count: a.dimension)))
        let r = solver.report
        print("n = \(r.dimension), nnz(A) = \(r.nonzerosA), nnz(L) = \(r.nonzerosL), residual = \(r.relativeResidual), x[0] = \(x[0])")
    }
}
