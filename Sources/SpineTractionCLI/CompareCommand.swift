import ArgumentParser
import Foundation
import SpineTraction

extension DefaultDiscModel.MeshLevel: ExpressibleByArgument {}
extension StartingState: ExpressibleByArgument {}

/// `spinetraction compare [--patient P.json] [--level L4-L5] [--mesh coarse|standard] [--sweep] [--start night|day] [--out DIR] [--quiet]`:
/// the professional table, the inversion table and self-manipulation on one patient's motion
/// segment (``ScenarioComparison/run(patient:screening:options:)``); writes `comparison.json`,
/// `report.md` and SVG plots through the run-directory protocol and prints the table.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the professional table, the inversion table and self-manipulation on one patient's motion segment and compare them.",
        discussion: "Writes comparison.json, report.md and SVG plots (nucleus pressure, distraction, ligament strain over its damage threshold) into --out, and prints one table (units in every header). Without --patient: a 70 kg, 175 cm patient, T-score 0, Pfirrmann grade II, no conditions (Examples/patients/default.json)."
    )

    @Option(name: .long, help: "A patient file (JSON: bodyMassKg, heightCm, tScore, discGrade, level, conditions, inversionConditions, spondylolisthesisGrade, monthsSinceSpinalSurgery).")
    var patient: String?

    @Option(name: .long, help: "The treated level (L1-L2 … L5-S1); overrides the patient file's.")
    var level: String?

    @Option(name: .long, help: "Motion-segment mesh: \(DefaultDiscModel.MeshLevel.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mesh: DefaultDiscModel.MeshLevel = .coarse

    @Flag(name: .long, help: "Sweep the self-manipulation peak over 5, 10, 15, 20 and 30 N·m (one thrust each).")
    var sweep = false

    @Option(name: .long, help: "Loading history before the session: night (the freely swollen disc after a night's rest, then a minute of lying preload) or day (then 16 h upright under the weight of the body above the level first).")
    var start: StartingState = .night

    @Option(name: .long, help: "Region: lumbar (the table, inversion and self-manipulation) or cervical (professional cervical traction, the over-the-door device and its rope pulled by hand; --level C2-C3 … C7-T1, default C5-C6).")
    var region: CompareRegion = .lumbar

    @Option(name: .long, parsing: .unconditional, help: "With --region cervical: the door-weight sweep, comma-separated bag masses in kg, each in (0, 50] (default 5, 10, 15, 20, 30 lb).")
    var doorWeights: String?

    @Option(name: .long, parsing: .unconditional, help: "With --region cervical: the sitting-angle sweep, comma-separated pull angles in degrees (flexion positive), each in [−10, 45] (default 0,20,40).")
    var sittingAngles: String?

    @Flag(name: .customLong("deformable-vertebrae"),
          help: "Lumbar: deformable vertebral bodies (cancellous modulus from the patient's T-score, Morgan 2003, through the named density assumption); each row adds the finite-element bone strain over its yield strain (\"FE\" in the bone column, and a Bone section in report.md). About 4-5 times slower.")
    var deformableVertebrae = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        if region == .cervical {
            guard !deformableVertebrae else { throw ValidationError("--deformable-vertebrae: the lumbar motion segment only, not --region cervical") }
            return try await runCervical()
        }
        guard doorWeights == nil, sittingAngles == nil else { throw ValidationError("--door-weights, --sitting-angles: only with --region cervical") }
        let directory = try output.directory(default: "comparison")
        var input: ScreeningInput
        do {
            if let path = patient {
                input = try PatientFile.load(path: path)
            } else {
                input = ScreeningInput(patient: try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5))
            }
            if let level {
                guard let l = try? LumbarLevel(name: level) else {
                    throw ValidationError("--level: expected one of \(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", ")), got \(level)")
                }
                input.patient.level = l
            }
        } catch {
            throw Self.exitError(for: error, keeping: directory)
        }
        var runOptions = ScenarioRunOptions(mesh: mesh, sweep: sweep ? SelfManipulation.peakSweep : [], start: start)
        runOptions.deformableVertebrae = deformableVertebrae
        let options = runOptions
        let screening = input
        try await Self.inRunDirectory(directory, work: {
            try await ScenarioComparison.run(patient: screening.patient, screening: screening, options: options)
        }, write: { cmp, run in
            try cmp.json().write(to: try run.file("comparison.json"), options: .atomic)
            try Data(cmp.markdown().utf8).write(to: try run.file("report.md"), options: .atomic)
            for (name, svg) in Self.plots(cmp) { try Data(svg.utf8).write(to: try run.file(name), options: .atomic) }
        }, summary: { cmp, wall in
            guard !output.quiet else { return }
            print(cmp.table(), terminator: "")
            for n in cmp.notes ?? [] where n.contains("not solved") { print("note: \(n)") }
            for c in cmp.checks { print("band: \(c.quantity) of \(c.scenario) = \(ScenarioComparison.number(c.value)), band \(c.band): \(c.holds ? "holds" : "does not hold")") }
            if let st = cmp.stature {
                print("stature: \(st.levels) × \(ScenarioComparison.number(st.perLevelDistraction)) mm = \(ScenarioComparison.number(st.modelLumbarLengthening)) mm vs measured \(ScenarioComparison.number(st.measuredWithTraction)) mm")
            }
            print("starting state: \(options.start.rawValue) (see report.md, \"How the rows were computed\")")
            print(String(format: "wall time %.1f s; written to %@", wall, directory.path))
        })
    }

    /// SVG plots: nucleus pressure, distraction and the worst ligament's strain over its damage
    /// threshold against time from the start of the session; the sessions (table, inversion) and the
    /// thrusts on separate plots (their time scales differ by 10³).
    static func plots(_ cmp: ScenarioComparison) -> [(String, String)] {
        let groups: [(String, String, [ScenarioTrace])] = [
            ("sessions", "table and inversion", (cmp.traces ?? []).filter { !$0.label.hasPrefix("self-manipulation") }),
            ("thrusts", "self-manipulation", (cmp.traces ?? []).filter { $0.label.hasPrefix("self-manipulation") }),
        ]
        var out: [(String, String)] = []
        for (suffix, title, traces) in groups where !traces.isEmpty {
            var pressure = SVGPlot(title: "Nucleus pressure, \(title)", xLabel: "time from session start (s)", yLabel: "pressure (MPa)")
            var distraction = SVGPlot(title: "Distraction, \(title)", xLabel: "time from session start (s)", yLabel: "distraction (mm)")
            var ligaments = SVGPlot(title: "Ligament strain / damage threshold, \(title)", xLabel: "time from session start (s)", yLabel: "strain / threshold (−)")
            var span = (Double.infinity, -Double.infinity)
            for t in traces {
                // A thrust's plot shows the thrust only (its preload minute would squeeze it to a line).
                // A session's plot starts at most 10 min before it (after a day upright, the day is not plotted).
                let keep = t.times.indices.filter { t.times[$0] >= t.sessionStart - (suffix == "sessions" ? 600 : 1e-9) }
                let x = keep.map { t.times[$0] - t.sessionStart }
                pressure.add(name: t.label, x: x, y: keep.map { t.nucleusPressure[$0] })
                distraction.add(name: t.label, x: x, y: keep.map { t.distraction[$0] })
                if let r = t.ligamentThresholdRatio { ligaments.add(name: t.label, x: x, y: keep.map { r[$0] }) }
                span = (min(span.0, x.first ?? 0), max(span.1, x.last ?? 0))
            }
            if span.0 < span.1 { ligaments.add(name: "damage threshold", x: [span.0, span.1], y: [1, 1]) }
            out += [("pressure-\(suffix).svg", pressure.svg()), ("distraction-\(suffix).svg", distraction.svg()), ("ligaments-\(suffix).svg", ligaments.svg())]
        }
        return out
    }
}
