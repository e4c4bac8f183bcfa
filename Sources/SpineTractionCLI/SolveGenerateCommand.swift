import ArgumentParser
import SpineTraction

/// `spinetraction generate FAMILY --size NAME -o file.mtx`: writes a model
/// problem (``ModelProblems``) as a Matrix Market symmetric file.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a generated 3D FE model matrix (elasticity|poisson|poro|taylor-hood) as Matrix Market.",
        discussion: """
        Sizes: tiny, small, 30k, 100k, 300k. The 30k/100k/300k elasticity, poisson and poro \
        matrices have the n and nnz(A) of shared/anchors/SOLVERS.md (e.g. elasticity 30k: \
        22³ nodes, n = 30492); taylor-hood 30k is Q2–Q1 on 11×10×10 elements, n = 30437.
        """
    )

    @Argument(help: "Model family: elasticity, poisson, poro (Q1–Q1 u–p) or taylor-hood (Q2–Q1 u–p).")
    var family: String

    @Option(help: "Size name: tiny, small, 30k, 100k, 300k.")
    var size: String = "small"

    @Option(name: [.customShort("o"), .long], help: "Output .mtx path.")
    var output: String

    @Flag(help: "Write both triangles as a 'general' file instead of the lower triangle as 'symmetric'.")
    var general = false

    func run() throws {
        let (a, kind) = try ModelProblems.named(family, size: size)
        let comment = "SpineTraction ModelProblems \(family) \(size): n = \(a.dimension), \(kind.rawValue)"
        if general {
            try MatrixMarket.write(a.fullCSR(), to: output, comment: comment)
        } else {
            try MatrixMarket.write(a, to: output, comment: comment)
        }
        print("\(output): n = \(a.dimension), nnz(A) = \(a.fullNonzeroCount), \(kind.rawValue)")
    }
}
