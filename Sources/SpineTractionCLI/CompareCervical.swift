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

    /// Runs `work` as a task that an interrupt (SIGINT, SIGTERM) cancels, in a new run directory at
    /// `directory` (the run-directory protocol): `write` puts the results in it, the run is
    /// committed, then `summary` prints (with the wall time, s). A failure marks the run failed —
    /// the directory keeps its previous results — and becomes the command's exit (``exitError(for:keeping:)``).
    static func inRunDirectory<T: Sendable>(_ directory: URL, work: @escaping @Sendable () async throws -> T,
                                            write: (T, RunDirectory) throws -> Void, summary: (T, Double) -> Void) async throws {
        do {
            let run = try RunDirectory.begin(at: directory, command: CommandLine.arguments.joined(separator: " "), modelDigest: nil,
                                             libraryVersion: Simulation.libraryVersion)
            do {
                let start = Date()
                let task = Task { try await work() }
                let watchers = cancelOnInterrupt(task)
                defer { for w in watchers { w.cancel() } }
                let value = try await task.value
                let wall = Date().timeIntervalSince(start)
                try write(value, run)
                try run.commit()
                summary(value, wall)
            } catch {
                try? run.fail(reason: "\(error)")
                throw error
            }
        } catch {
            throw exitError(for: error, keeping: directory)
        }
    }

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

    /// `compare --region cervical`: professional cervical traction against the over-the-door device
    /// on the cervical segment (``CervicalComparison/run(patient:level:conditions:options:)``), with
    /// the door-weight and sitting-angle sweeps; writes `comparison.json` and `report.md` and prints
    /// the table (units in every header).
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
        let input: ScreeningInput
        do {
            if let path = patient {
                input = try PatientFile.load(path: path)
            } else {
                input = ScreeningInput(patient: try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii))
            }
        } catch {
            throw Self.exitError(for: error, keeping: directory)
        }
        let (p, conditions, chosen, at) = (input.patient, input.conditions, options, level)
        try await Self.inRunDirectory(directory, work: {
            try await CervicalComparison.run(patient: p, level: at, conditions: conditions, options: chosen)
        }, write: { cmp, run in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(cmp).write(to: try run.file("comparison.json"), options: .atomic)
            let report = "# Cervical traction compared: \(at), \(p.bodyMassKg) kg\n\n```\n" + cmp.table() + "```\n"
            try Data(report.utf8).write(to: try run.file("report.md"), options: .atomic)
        }, summary: { cmp, wall in
            guard !output.quiet else { return }
            print(cmp.table(), terminator: "")
            print(String(format: "wall time %.1f s; written to %@", wall, directory.path))
        })
    }
}
