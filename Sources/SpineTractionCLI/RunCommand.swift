import ArgumentParser
import Foundation
import SpineTraction

/// The example models `run --example` knows.
enum ExampleName: String, CaseIterable, ExpressibleByArgument {
    case disc
    case nutrientTraction = "nutrient-traction"
    case motionSegment = "motion-segment"
}

/// `spinetraction run MODEL.json | --example NAME [--out DIR] [--quiet]`: one pipeline for every
/// model kind (solid, biphasic, biphasic with solutes); writes `results.json`, `results.csv`,
/// VTU/PVD and SVG plots (and `transport.*` for solutes) and prints a report driven by the
/// model's outputs: the standard disc quantities when the model has them, the last value of every
/// scalar output, the free-swelling report, Newton's counts and time shares.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Solve a model file or an embedded example and write results.json, results.csv, VTU/PVD and SVG plots.",
        discussion: "Examples: \(ExampleName.allCases.map(\.rawValue).joined(separator: ", ")). `--example disc` is the default L4-L5 disc under intermittent traction (the main job); `--example motion-segment` the L4-L5 motion segment (disc, rigid vertebrae, ligaments, facets) of a 70 kg patient on a split table."
    )

    @Argument(help: "The model file (see Schemas/model.schema.json).")
    var model: String?

    @Option(name: .long, help: "An embedded example instead of a file: \(ExampleName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var example: ExampleName?

    @Option(name: .long, help: "A traction protocol file (TractionProtocol JSON, the model file's \"protocol\" object) to drive the model's `traction`/`preload` conditions by.")
    var `protocol`: String?

    @Option(name: .long, parsing: .unconditional, help: "Body mass (kg) resolving the protocol's body-weight fractions.")
    var bodyMass: Double?

    @Flag(name: .long, help: ArgumentHelp("Refuse the model when a value is implausible (a plausibility warning becomes an error, exit 1).", discussion: "Without it, warnings are printed to standard error and the run goes on."))
    var strict = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (model == nil) != (example == nil) else {
            throw ValidationError("give a model file or --example NAME (one of them)")
        }
        if let m = bodyMass {
            guard `protocol` != nil else { throw ValidationError("--body-mass is read only with --protocol") }
            guard m > 0, m.isFinite else { throw ValidationError("--body-mass: expected a body mass > 0 kg, got \(m)") }
        }
    }

    func run() async throws {
        let name = example?.rawValue ?? URL(fileURLWithPath: model ?? "model").deletingPathExtension().lastPathComponent
        let directory = try output.directory(default: "\(name)-results")
        do {
            var parsed = try example.map { try ExampleModels.model(named: $0.rawValue) } ?? Model.load(path: model!)
            if let path = `protocol` {
                try parsed.apply(try Self.loadProtocol(path), bodyMassKg: bodyMass)
            }
            try await Self.solve(parsed, directory: directory, quiet: output.quiet, label: CommandLine.arguments.joined(separator: " "), strict: strict)
        } catch let error as ExitCode {
            throw error
        } catch let cancelled as SimulationCancelled {
            FileHandle.standardError.write(Data("\ninterrupted: \(cancelled); \(directory.path) keeps its previous results, the partial output is in a staging directory beside it marked incomplete\n".utf8))
            throw ExitCode(130)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Reads a traction protocol file (the ``TractionProtocol`` JSON of the model file's `"protocol"`).
    static func loadProtocol(_ path: String) throws -> TractionProtocol {
        let data = try Model.readFile(path: path, what: "protocol file")
        return try Model.decodeProtocol(try JSONValue.parse(data))
    }

    /// Runs `model` into `directory` and prints the report (unless `quiet`). SIGINT and SIGTERM
    /// cancel the run: it stops after the increment in progress and throws ``SimulationCancelled``.
    /// Plausibility warnings go to standard error before the run (`strict` refuses the model instead).
    static func solve(_ model: Model, directory: URL, quiet: Bool, label: String, strict: Bool = false) async throws {
        let showBar = !quiet && isatty(STDERR_FILENO) != 0
        if strict {
            // Every warning, then the error for the first.
            for w in model.plausibilityWarnings() { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        }
        let simulation = try Simulation(model: model, strict: strict)
        let warned = Set(simulation.warnings.map(\.description))
        if !strict { for w in simulation.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) } }
        simulation.onProgress = ProgressLine(bar: showBar, quiet: quiet).callback
        simulation.runLabel = label
        let start = Date()
        let task = Task { try await simulation.run(outputDirectory: directory) }
        let watchers = cancelOnInterrupt(task)
        defer { for w in watchers { w.cancel() } }
        let results = try await task.value
        let wall = Date().timeIntervalSince(start)
        if showBar { FileHandle.standardError.write(Data("\n".utf8)) }
        for notice in results.notices where !warned.contains(notice) { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
        guard !quiet else { return }
        RunReport(model: model, simulation: simulation, results: results, wall: wall, directory: directory).print()
    }
}

/// Progress for `run`: a redrawn bar on a terminal, otherwise (logs, CI) one line every 10 s of
/// wall time so a long run is never silent. The environment variable
/// `SPINETRACTION_PROGRESS_INTERVAL_S` (seconds ≥ 0) sets another interval; 0 prints every increment.
final class ProgressLine: @unchecked Sendable {
    let bar: Bool, quiet: Bool
    let interval: Double
    var last = Date()
    init(bar: Bool, quiet: Bool) {
        self.bar = bar; self.quiet = quiet
        let name = "SPINETRACTION_PROGRESS_INTERVAL_S"
        if let text = ProcessInfo.processInfo.environment[name] {
            if let seconds = Double(text), seconds.isFinite, seconds >= 0 { interval = seconds } else {
                FileHandle.standardError.write(Data("warning: \(name)=\(text): expected a number of seconds ≥ 0; progress lines every 10 s\n".utf8))
                interval = 10
            }
        } else {
            interval = 10
        }
    }

    var callback: (SimulationProgress) -> Void {
        { [self] p in
            if bar { drawProgressBar(fraction: p.fraction, time: p.time, phase: p.phase); return }
            guard !quiet, Date().timeIntervalSince(last) >= interval else { return }
            last = Date()
            let what = p.phase == .freeSwelling ? String(format: "free swelling, pseudo-time %.4g s", p.time)
                : String(format: "%@: t = %.4g s (%.0f%%)", p.stepName, p.time, 100 * p.fraction)
            FileHandle.standardError.write(Data("progress: \(what)\n".utf8))
        }
    }
}

/// Redraws the one-line progress bar on standard error: `fraction` of the simulated time done
/// (0…1), `time` the simulated time (s; pseudo-time during free swelling).
func drawProgressBar(fraction: Double, time: Double, phase: SimulationProgress.Phase = .loading) {
    let width = 40
    let filled = Int((fraction * Double(width)).rounded(.down))
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(width - filled, 0))
    let label = phase == .freeSwelling ? "free swelling, pseudo-t" : "t"
    FileHandle.standardError.write(Data(String(format: "\r  [%@] %3.0f%%  %@ = %.4g s", bar, fraction * 100, label, time).utf8))
}

/// SIGINT and SIGTERM cancel `task` (the run then stops within its increment and keeps earlier
/// results, exit 130) instead of killing the process; cancel the returned sources when done.
func cancelOnInterrupt<T>(_ task: Task<T, any Error>) -> [DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { task.cancel() }
        source.resume()
        return source
    }
}
