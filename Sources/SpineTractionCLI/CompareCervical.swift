import ArgumentParser
import Foundation
import SpineTraction

/// The region `spinetraction compare` compares.
enum CompareRegion: String, ExpressibleByArgument, CaseIterable {
    case lumbar, cervical
}

extension CompareCommand {
    /// What a comparison's error becomes: a usage error stays one (exit 64); an interruption says
    /// that `directory` keeps its previous results (exit 130); anything else is printed (exit 1).
    static func exitError(for error: Error, keeping directory: URL) -> Error {
        switch error {
        case let usage as ValidationError:
            return usage
        case is CancellationError:
            FileHandle.standardError.write(Data("\ninterrupted; \(directory.path) keeps its previous results\n".utf8))
            return ExitCode(130)
        case let cancelled as SimulationCancelled:
            FileHandle.standardError.write(Data("\ninterrupted: \(cancelled); \(directory.path) keeps its previous results\n".utf8))
            return ExitCode(130)
        default:
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return ExitCode(1)
        }
    }

    /// `compare --region cervical`: professional cervical traction against the over-the-door device
    /// on the cervical segment (``CervicalComparison/run(patient:level:conditions:options:)``), with
    /// the door-weight and sitting-angle sweeps; writes `comparison.json` and `report.md` and prints
    /// the table (units in every header).
    /// The comma-separated numbers of `text`.
    /// - Throws: `ValidationError` naming `flag` for an entry that is not a number.
    static func numbers(_ text: String, flag: String, unit: String) throws -> [Double] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            guard let x = Double(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("\(flag): expected comma-separated numbers in \(unit), got \"\(part)\"")
            }
            return x
        }
    }

    func runCervical() async throws {
        guard !sweep else { throw ValidationError("--sweep: the self-manipulation sweep is lumbar only; with --region cervical use --door-weights and --sitting-angles") }
        guard start == .night else {
            throw ValidationError("--start \(start.rawValue): the cervical comparison starts from the night's rest only (the day-upright history is modelled for the lumbar levels)")
        }
        var level = CervicalLevel.c5c6
        if let name = self.level {
            do { level = try CervicalLevel(name: name) } catch { throw ValidationError("--level: " + String(error.description.dropFirst("level: ".count))) }
        }
        var options = CervicalComparisonOptions(mesh: mesh)
        if let doorWeights { options.doorWeightsKg = try Self.numbers(doorWeights, flag: "--door-weights", unit: "kg") }
        if let sittingAngles { options.sittingAngles = try Self.numbers(sittingAngles, flag: "--sitting-angles", unit: "degrees") }
        do { try options.validate() } catch {
            let flag = error.property.hasPrefix("doorWeightsKg") ? "--door-weights" : (error.property.hasPrefix("sittingAngles") ? "--sitting-angles" : "options")
            throw ValidationError("\(flag): \(error)")
        }
        let directory = try output.directory(default: "comparison-cervical")
        do {
            var input: ScreeningInput
            if let path = patient {
                input = try PatientFile.load(path: path)
            } else {
                input = ScreeningInput(patient: try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii))
            }
            let run = try RunDirectory.begin(at: directory, command: CommandLine.arguments.joined(separator: " "), modelDigest: nil,
                                             libraryVersion: Simulation.libraryVersion)
            do {
                let start = Date()
                let (p, conditions) = (input.patient, input.conditions)
                let task = Task { try await CervicalComparison.run(patient: p, level: level, conditions: conditions, options: options) }
                let watchers = cancelOnInterrupt(task)
                defer { for w in watchers { w.cancel() } }
                let cmp = try await task.value
                let wall = Date().timeIntervalSince(start)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(cmp).write(to: try run.file("comparison.json"), options: .atomic)
                let report = "# Cervical traction compared: \(level), \(p.bodyMassKg) kg\n\n```\n" + cmp.table() + "```\n"
                try Data(report.utf8).write(to: try run.file("report.md"), options: .atomic)
                try run.commit()
                guard !output.quiet else { return }
                print(cmp.table(), terminator: "")
                print(String(format: "wall time %.1f s; written to %@", wall, directory.path))
            } catch {
                try? run.fail(reason: "\(error)")
                throw error
            }
        } catch {
            throw Self.exitError(for: error, keeping: directory)
        }
    }
}
