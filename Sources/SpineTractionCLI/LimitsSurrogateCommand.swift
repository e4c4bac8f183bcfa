import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction limits surrogate`: build the limits surrogate file.
struct LimitsSurrogateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surrogate",
        abstract: "Build the limits surrogate: criterion responses sampled from full solves, so that `limits compute` takes seconds.",
        subcommands: [Build.self]
    )

    /// `limits surrogate build`.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sample the motion segment's criterion responses per level and disc grade with full solves and write the surrogate file.",
            discussion: """
                For each level × Pfirrmann grade and each ligament data set (remus2021, goelBilinear), the \
                coarse motion segment runs the limit protocol of `limits compute` (one professional-table \
                cycle, split table, 0° pull angle) at the forces a bracketing from the top of the force range \
                to a 0.5 % bracket needs, plus the bottom of the range; grades with equal disc presets share \
                their responses. Body mass, height and T-score do not act on the model on a split table, so \
                they are not dimensions. The file records the library version, the model digest, the \
                protocol family and its own digest; `limits compute --surrogate FILE` refuses a file that \
                does not match and then falls back to full solves, saying so. Takes minutes to an hour.
                """
        )
        @Option(help: "Where to write the surrogate file (JSON).") var output: String
        @Option(help: "Comma-separated levels (default: all five lumbar levels).") var levels: String = "L1-L2,L2-L3,L3-L4,L4-L5,L5-S1"
        @Option(help: "Comma-separated Pfirrmann grades (default: 1,2,3,4,5).") var grades: String = "1,2,3,4,5"
        @Option(name: .customLong("force-range-n"), help: "Sampled table-force range, N: BOTTOM,TOP (default 100,2400).") var forceRange: String = "100,2400"
        @Option(help: "Cells sampled at the same time (threads; the file does not depend on it).") var jobs: Int = 1

        func run() throws {
            var levelList: [LumbarLevel] = []
            for name in levels.split(separator: ",", omittingEmptySubsequences: false) {
                do { levelList.append(try LumbarLevel(name: String(name))) } catch {
                    throw ValidationError("--levels \(levels): '\(name)' is not one of \(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            var gradeList: [PfirrmannGrade] = []
            for g in grades.split(separator: ",", omittingEmptySubsequences: false) {
                guard let n = Int(g), let grade = PfirrmannGrade(rawValue: n) else {
                    throw ValidationError("--grades \(grades): '\(g)' is not a Pfirrmann grade 1…5")
                }
                gradeList.append(grade)
            }
            let parts = forceRange.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            guard parts.count == 2, let bottom = parts[0], let top = parts[1], bottom.isFinite, top.isFinite, bottom > 0, top > 2 * bottom else {
                throw ValidationError("--force-range-n \(forceRange): expected BOTTOM,TOP in N with 0 < 2 × BOTTOM < TOP")
            }
            guard (1...64).contains(jobs) else { throw ValidationError("--jobs \(jobs): expected 1 … 64") }
            let start = Date()
            let template = MotionSegmentLimitSearch(patient: try Patient(bodyMassKg: 70, heightCm: 175))
            let surrogate = try LimitsSurrogate.build(levels: levelList, grades: gradeList, search: template, forceRange: bottom...top, jobs: jobs) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            try LimitsCommand.write(surrogate.jsonData, to: output, what: "--output")
            print("built \(output): \(surrogate.cells.count) cells, digest \(surrogate.digest), model digest \(surrogate.modelDigest)")
            print(String(format: "wall %.1f s", Date().timeIntervalSince(start)))
        }
    }
}
