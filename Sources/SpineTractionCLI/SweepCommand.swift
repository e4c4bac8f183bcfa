import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction sweep`: model-derived limits for a population of virtual patients, in shards.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Force-safety limits for a population of virtual patients, in deterministic resumable shards (Slurm job arrays).",
        discussion: """
            spinetraction sweep POPULATION.json --shard I/N --out DIR --method exact   computes shard I of N \
            into DIR/shard-IIIIII-of-NNNNNN (one row file per patient; rerunning a killed shard computes only \
            the missing patients). spinetraction sweep merge DIR... --out F.csv checks that every shard is \
            complete and merges them into one CSV row per patient (inputs, limits, governing criteria, \
            margins): the same bytes whatever N. scripts/sweep-slurm.sh runs the shards as a Slurm job array.
            """,
        subcommands: [Shard.self, Merge.self],
        defaultSubcommand: Shard.self
    )

    /// `sweep POPULATION.json --shard I/N --out DIR --method M`.
    struct Shard: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shard",
            abstract: "Compute one shard of a population sweep (the default: `sweep POPULATION.json …`).",
            discussion: """
                POPULATION.json: {"format": "spinetraction.population", "version": 1, "seed", "patients", \
                "bodyMassKg", "heightCm", "tScore" (each {"constant": x}, {"uniform": {"min", "max"}} or \
                {"normal": {"mean", "sd", "min", "max"}}), "discGrade", "level" ({"choices": […], "weights": […]}), \
                "conditions" ({name: probability}), "spondylolisthesisGrade", "monthsSinceSpinalSurgery", \
                "protocolFamily" ("professionalIntermittentTable"), "session" (as the --session file of \
                `limits compute`)} (Examples/populations/). Shard I of N holds the patients k with k mod N = I. \
                --method exact: full solves (as `limits compute --exact`); surrogate-if-available: a verified \
                surrogate when one is built, else full solves (the CSV's method column says which). \
                SIGINT/SIGTERM stop after the patient in progress; the rows so far are kept for the rerun.
                """
        )
        @Argument(help: "Population file (JSON).") var population: String
        @Option(help: "Which shard: I/N with I from 0 to N-1.") var shard: String
        @Option(help: "Sweep output directory (the shard writes DIR/shard-IIIIII-of-NNNNNN).") var out: String
        @Option(help: "How each patient's limits are computed: exact or surrogate-if-available.") var method: String
        @Option(help: "Surrogate file for --method surrogate-if-available (e.g. Examples/limits/limits-surrogate.json).") var surrogate: String?
        @Flag(help: "No line per patient.") var quiet = false

        func run() throws {
            guard let m = SweepMethod(rawValue: method) else {
                throw ValidationError("--method: expected one of \(SweepMethod.allCases.map(\.rawValue).joined(separator: ", ")), got \(method)")
            }
            var surrogateValue: LimitsSurrogate?
            switch (m, surrogate) {
            case (.exact, .some):
                throw ValidationError("--surrogate: given with --method exact, which never reads a surrogate")
            case (.surrogateIfAvailable, .none):
                throw ValidationError("--surrogate: --method surrogate-if-available needs the surrogate file (e.g. Examples/limits/limits-surrogate.json)")
            case (.surrogateIfAvailable, .some(let path)):
                do { surrogateValue = try LimitsSurrogate(json: try LimitsCommand.read(path, what: "--surrogate")) } catch let e as LimitsSurrogateError {
                    // A file the surrogate reader refuses is said, and every patient then gets full solves.
                    FileHandle.standardError.write(Data("note: the surrogate \(path) was refused (\(e)); every patient is computed by full solves\n".utf8))
                }
            case (.exact, .none):
                break
            }
            let spec: SweepShard
            do { spec = try SweepShard(parsing: shard) } catch { throw ValidationError(error.description) }
            guard !out.isEmpty else { throw ValidationError("--out: expected a directory path, got an empty string") }
            let populationValue: Population
            do { populationValue = try Population(json: try LimitsCommand.read(population, what: "POPULATION")) } catch let e as SweepError {
                throw ValidationError("\(population): \(e)")
            }
            let monitor = RunSignalMonitor.install()
            defer { monitor.uninstall() }
            let start = Date()
            let summary: PopulationSweep.ShardSummary
            do {
                summary = try PopulationSweep.runShard(
                    population: populationValue, shard: spec, out: URL(fileURLWithPath: out),
                    command: CommandLine.arguments.joined(separator: " "), method: m, surrogate: surrogateValue,
                    shouldStop: { try monitor.checkInterrupted() },
                    progress: { k, seconds in
                        if !quiet { FileHandle.standardOutput.write(Data(String(format: "patient %d: %.1f s\n", k, seconds).utf8)) }
                    })
            } catch RunDirectoryError.interrupted(let signal) {
                FileHandle.standardError.write(Data("interrupted: shard \(spec) keeps its rows so far for the rerun\n".utf8))
                RunSignalMonitor.exitBySignal(signal)
            } catch let e as SweepError {
                FileHandle.standardError.write(Data("error: \(e)\n".utf8))
                throw ExitCode(1)
            } catch let e as RunDirectoryError {
                FileHandle.standardError.write(Data("error: \(e)\n".utf8))
                throw ExitCode(1)
            }
            if summary.alreadyComplete {
                print("shard \(spec): complete already (\(summary.patients) patients) in \(summary.directory.path)")
            } else {
                print(String(format: "shard %@: %d patients (%d computed, %d resumed) in %@; wall %.1f s",
                             spec.description, summary.patients, summary.computed, summary.resumed, summary.directory.path, Date().timeIntervalSince(start)))
            }
        }
    }

    /// `sweep merge DIR... --out F.csv`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge complete shards into one CSV (one row per patient, patient order).",
            discussion: "Refuses (exit 1, naming the directory) an incomplete or altered shard, shards of different populations or shard counts, and a missing or repeated shard or row. The CSV is written to a temporary name and renamed."
        )
        @Argument(help: "Sweep output directories (each holds shard-… directories).") var directories: [String]
        @Option(help: "The CSV file to write.") var out: String

        func run() throws {
            guard !directories.isEmpty else { throw ValidationError("DIR: expected at least one sweep output directory") }
            guard !out.isEmpty else { throw ValidationError("--out: expected a file path, got an empty string") }
            let text: String
            do { text = try PopulationSweep.merge(directories: directories.map { URL(fileURLWithPath: $0) }) } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let url = URL(fileURLWithPath: out)
            let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
            try LimitsCommand.write(Data(text.utf8), to: tmp.path, what: "--out")
            guard rename(tmp.path, url.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: tmp)
                throw ValidationError("--out '\(out)': cannot rename into place: \(reason)")
            }
            let rows = text.components(separatedBy: "\r\n").count - 2
            print("merged \(rows) rows into \(out)")
        }
    }
}
