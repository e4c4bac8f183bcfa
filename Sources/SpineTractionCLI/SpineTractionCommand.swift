import ArgumentParser
import Foundation
import SpineTraction

/// The `spinetraction` command table (one design for every command; later commands —
/// `sweep`, `limits compute` — follow it):
///
/// | command | what it does |
/// |---|---|
/// | `run MODEL.json \| --example NAME [--out DIR] [--quiet]` | any model kind through one pipeline; report from the model's outputs |
/// | `compare [--patient P.json] [--level L] [--mesh coarse\|standard] [--sweep] [--out DIR]` | the three decompression scenarios on one patient's motion segment, compared |
/// | `verify [--quick] [--csv PATH]` | every verification problem vs its closed form |
/// | `plot RESULTS.json [--out DIR]` | SVG plots of a results file's series |
/// | `limits keygen\|build\|sign\|check\|example` | force-safety limits documents |
/// | `dev solve\|generate` | developer tools: sparse solves and benchmark matrices |
///
/// Conventions: a positional argument names the input file; `--out DIR` the output directory;
/// `--quiet` silences reports; options taking a fixed set of names list them in `--help`.
/// Old names (`disc`, `nutrient`, `solve`, `generate`, `keygen`) still work for one release and say so.
@main
struct SpineTractionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spinetraction",
        abstract: "Finite-element simulation of spinal traction and the force-safety limits it yields.",
        version: "0.2.0",
        subcommands: [
            RunCommand.self,
            CompareCommand.self,
            VerifyCommand.self,
            PlotCommand.self,
            LimitsCommand.self,
            SweepCommand.self,
            DevCommand.self,
            // Old names, kept one release.
            DiscCommand.self,
            NutrientCommand.self,
            KeygenCommand.self,
            OldName<SolveCommand>.self, OldName<GenerateCommand>.self,
        ]
    )
}

/// `spinetraction dev solve|generate`: developer tools.
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Developer tools: solve a Matrix Market system, generate benchmark matrices.",
        subcommands: [SolveCommand.self, GenerateCommand.self]
    )
}

/// Options every command that writes results shares.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String?

    @Flag(name: .long, help: "No progress bar, no report.")
    var quiet = false

    /// The output directory: `--out`, else `fallback`.
    /// - Throws: `ValidationError` for an empty `--out`.
    func directory(default fallback: String) throws -> URL {
        if let out {
            guard !out.isEmpty else { throw ValidationError("--out: expected a directory path, got an empty string") }
            return URL(fileURLWithPath: out)
        }
        return URL(fileURLWithPath: fallback)
    }
}

/// Runs an old example command (`disc`, `nutrient`) as `run --example EXAMPLE --out OUT`, or
/// `run MODEL --out OUT` when a model file is given, after the alias note.
func runOldExampleCommand(_ old: String, example: String, model: String?, out: String) async throws {
    noteAlias(old, model.map { "run \($0)" } ?? "run --example \(example)")
    let arguments = (model.map { [$0] } ?? ["--example", example]) + ["--out", out]
    guard var command = try RunCommand.parseAsRoot(arguments) as? RunCommand else { throw ExitCode(64) }
    try await command.run()
}

/// Prints a note on standard error that an old command name is an alias.
func noteAlias(_ old: String, _ new: String) {
    FileHandle.standardError.write(Data("note: `spinetraction \(old)` is `spinetraction \(new)`; the old name goes away in the next release\n".utf8))
}

/// An old top-level name of a command that moved (`solve` → `dev solve`): hidden from help,
/// says so on standard error, then runs the command with the same arguments.
struct OldName<Command: ParsableCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Command._commandName, abstract: "Old name of `dev \(Command._commandName)`.", shouldDisplay: false)
    }

    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() throws {
        noteAlias(Command._commandName, "dev \(Command._commandName)")
        var command = try Command.parseAsRoot(arguments)
        try command.run()
    }
}
