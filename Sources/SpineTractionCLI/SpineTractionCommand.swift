import ArgumentParser
import SpineTraction

@main
struct SpineTractionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spinetraction",
        abstract: "Finite-element simulation of spinal traction and the force-safety limits it yields.",
        version: "0.1.0",
        subcommands: [
            KeygenCommand.self,
            LimitsCommand.self,
            SolveCommand.self, GenerateCommand.self,
            RunCommand.self,
            VerifyCommand.self,
            DiscCommand.self,
            NutrientCommand.self,
        ]
    )
}
