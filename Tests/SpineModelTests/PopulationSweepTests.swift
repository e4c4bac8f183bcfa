import Foundation
import Testing
import TractionSafety
@testable import SpineModel

/// A population file's text with the members given replacing the defaults (a 5-patient lumbar population).
private func populationText(_ overrides: [String: String] = [:]) -> String {
    var members: [(String, String)] = [
        ("format", "\"spinetraction.population\""), ("version", "1"), ("seed", "20261206"), ("patients", "5"),
        ("bodyMassKg", #"{"uniform": {"min": 50, "max": 110}}"#),
        ("heightCm", #"{"normal": {"mean": 172, "sd": 9, "min": 150, "max": 200}}"#),
        ("tScore", #"{"normal": {"mean": -0.5, "sd": 1.2, "min": -3.5, "max": 2}}"#),
        ("discGrade", #"{"choices": [1, 2, 3, 4, 5], "weights": [1, 3, 3, 2, 1]}"#),
        ("level", #"{"choices": ["L4-L5", "L5-S1"], "weights": [1, 1]}"#),
        ("conditions", #"{"hypermobility": 0.1, "abdominalAorticAneurysm": 0.2}"#),
        ("spondylolisthesisGrade", "0"), ("monthsSinceSpinalSurgery", "null"),
        ("protocolFamily", "\"professionalIntermittentTable\""),
        ("session", #"""
            {"configuration": {"surface": "splitTable", "harness": "thoracoPelvic"},
             "device": {"deviceId": "ExampleTable", "maxForceN": 900, "maxRampUpNPerS": 50, "maxRampDownNPerS": 100, "minAngleDeg": 0, "maxAngleDeg": 30},
             "prescription": {"softMaxForceN": 300, "minHoldS": 30, "maxHoldS": 75, "minRestS": 20, "maxCycles": 15, "maxSessionS": 1500,
                              "restForceFractionMax": 0.5, "minAngleDeg": 0, "maxAngleDeg": 20},
             "monitoring": {"trackingToleranceN": 15, "trackingToleranceDurationS": 1, "overshootN": 10, "overshootDurationS": 0.5,
                            "sensorFreshnessTimeoutS": 0.2, "frozenSensorTimeoutS": 1, "frozenSensorMinCommandChangeN": 5},
             "createdAtUnixS": 1796500000, "validityS": 604800}
            """#),
    ]
    for (k, v) in overrides {
        if let i = members.firstIndex(where: { $0.0 == k }) { members[i].1 = v } else { members.append((k, v)) }
    }
    members.removeAll { $0.1 == "<absent>" }
    return "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "}"
}

private func population(_ overrides: [String: String] = [:]) throws -> Population {
    try Population(json: Array(populationText(overrides).utf8))
}

/// Φ of the standard normal.
private func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
/// The standard normal density.
private func density(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

@Suite("Population sampling")
struct PopulationSamplingTests {
    /// SplitMix64 against the reference implementation's first outputs for seed 0 (Vigna,
    /// splitmix64.c, prng.di.unimi.it): 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F.
    @Test func splitMixMatchesTheReferenceOutputs() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    /// 20 000 draws against closed forms, each within 4 standard errors: the uniform mass on
    /// [50, 110] kg (mean 80, sd 60/√12); the truncated normal T-score (mean μ + σ(φ(a) − φ(b))/Z,
    /// Z = Φ(b) − Φ(a), a, b the standardized bounds); grade frequencies against weights/Σweights;
    /// each condition's frequency against its probability (binomial standard error).
    @Test func drawsMatchTheirDistributions() throws {
        let p = try population(["patients": "20000"])
        let n = 20_000
        let draws = try (0..<n).map { k throws(SweepError) in try p.draw(k) }
        let mass = draws.map(\.bodyMassKg)
        #expect(mass.allSatisfy { (50...110).contains($0) })
        let massMean = mass.reduce(0, +) / Double(n)
        #expect(abs(massMean - 80) <= 4 * (60 / 12.0.squareRoot()) / Double(n).squareRoot(), "mean mass \(massMean) kg")
        let t = draws.map(\.tScore)
        #expect(t.allSatisfy { (-3.5...2).contains($0) })
        let (mu, sigma) = (-0.5, 1.2), a = (-3.5 - mu) / sigma, b = (2 - mu) / sigma
        let z = phi(b) - phi(a)
        let tMean = mu + sigma * (density(a) - density(b)) / z
        let tVar = sigma * sigma * (1 + (a * density(a) - b * density(b)) / z - pow((density(a) - density(b)) / z, 2))
        let sampleMean = t.reduce(0, +) / Double(n)
        #expect(abs(sampleMean - tMean) <= 4 * tVar.squareRoot() / Double(n).squareRoot(), "T-score mean \(sampleMean), closed form \(tMean)")
        let weights = [1.0, 3, 3, 2, 1]
        for g in 1...5 {
            let q = weights[g - 1] / 10
            let f = Double(draws.filter { $0.discGrade == g }.count) / Double(n)
            #expect(abs(f - q) <= 4 * (q * (1 - q) / Double(n)).squareRoot(), "grade \(g): \(f) vs \(q)")
        }
        for (c, q) in [(Condition.hypermobility, 0.1), (.abdominalAorticAneurysm, 0.2)] {
            let f = Double(draws.filter { $0.conditions.contains(c) }.count) / Double(n)
            #expect(abs(f - q) <= 4 * (q * (1 - q) / Double(n)).squareRoot(), "\(c): \(f) vs \(q)")
        }
    }

    /// Patient k is the same whatever the population size (its own stream), and another seed
    /// gives another patient.
    @Test func patientKDoesNotDependOnThePopulationSize() throws {
        let small = try population(["patients": "5"]), large = try population(["patients": "500"])
        for k in 0..<5 { #expect(try small.patient(k) == large.patient(k)) }
        let other = try population(["seed": "7"])
        #expect(try other.draw(0) != small.draw(0))
        #expect(small.digestSHA256 != large.digestSHA256)
        // Whitespace does not change the digest; a value does.
        let spaced = try Population(json: Array(populationText().replacingOccurrences(of: ", ", with: ",   ").utf8))
        #expect(spaced.digestSHA256 == small.digestSHA256)
    }

    /// Bad populations are refused naming the field.
    @Test(arguments: [
        ("patients", "0", "patients"),
        ("patients", "2.5", "patients"),
        ("bodyMassKg", #"{"uniform": {"min": 90, "max": 60}}"#, "bodyMassKg.uniform"),
        ("bodyMassKg", #"{"uniform": {"min": 10, "max": 60}}"#, "bodyMassKg"),
        ("bodyMassKg", #"{"gamma": {"k": 2}}"#, "bodyMassKg.gamma"),
        ("tScore", #"{"normal": {"mean": 0, "sd": 1, "min": 3.5, "max": 4}}"#, "tScore.normal"),
        ("tScore", #"{"normal": {"mean": 0, "sd": 0, "min": -1, "max": 1}}"#, "tScore.normal.sd"),
        ("heightCm", #"{"constant": -1}"#, "heightCm"),
        ("level", #"{"choices": ["L4-L5", "L7-L8"], "weights": [1, 1]}"#, "level.choices[1]"),
        ("level", #"{"choices": ["L4-L5"], "weights": [1, 1]}"#, "level.weights"),
        ("discGrade", #"{"choices": [1, 6], "weights": [1, 1]}"#, "discGrade.choices[1]"),
        ("discGrade", #"{"choices": [1, 2], "weights": [0, 0]}"#, "discGrade.weights"),
        ("conditions", #"{"hypermobility": 1.5}"#, "conditions.hypermobility"),
        ("conditions", #"{"flu": 0.5}"#, "conditions.flu"),
        ("protocolFamily", "\"homeInversion\"", "protocolFamily"),
        ("seed", "-1", "seed"),
        ("version", "2", "version"),
        ("session", "<absent>", "session"),
        ("colour", "\"red\"", "colour"),
    ])
    func badPopulationIsRefusedNamingTheField(member: String, value: String, field: String) {
        let error = #expect(throws: SweepError.self) { _ = try population([member: value]) }
        #expect(error?.field == field, "\(String(describing: error))")
    }

    /// A session missing a member is refused naming it.
    @Test func badSessionIsRefused() {
        let text = populationText().replacingOccurrences(of: #""validityS": 604800"#, with: #""validity": 604800"#)
        #expect(throws: SweepError.self) { _ = try Population(json: Array(text.utf8)) }
    }
}

@Suite("Population sweep: shards, resume, merge")
struct PopulationSweepTests {
    /// A closed-form stand-in for the model: the model force limit is 0.3 of body weight (N), with
    /// criterion `test.closedForm`, margin 0.5 and a fixed stand-in model digest; the document
    /// comes from the real builder.
    static func closedForm(population: Population, calls: Counter? = nil) -> (Int, LimitsPatient) throws -> (result: LimitsComputation.Result, method: String) {
        { _, patient in
            calls?.increment()
            let blocked = !ContraindicationRules.blockReasons(for: patient.assessment).isEmpty
            let candidate = LimitCandidate(.maxForceN, 0.3 * patient.patient.bodyWeight, kind: .modelCriterion, criterion: "test.closedForm", marginFraction: 0.5)
            let inputs = try LimitsComputation.inputs(patient: patient, session: population.session, modelLimits: blocked ? [] : [candidate], modelId: "test",
                                                         modelDigestSHA256: blocked ? Provenance.none : String(repeating: "ab", count: 32),
                                                         surrogateDigestSHA256: Provenance.none)
            return (LimitsComputation.Result(inputs: inputs, document: try LimitsBuilder.build(inputs), modelLimit: nil), blocked ? "none.absoluteContraindication" : "test")
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func increment() { lock.withLock { n += 1 } }
        var value: Int { lock.withLock { n } }
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Every sharding of 0..<P holds every patient exactly once.
    @Test func shardsPartitionThePatients() throws {
        for n in 1...7 {
            var all: [Int] = []
            for i in 0..<n { all += try SweepShard(index: i, count: n).patients(of: 20) }
            #expect(all.sorted() == Array(0..<20), "N = \(n)")
        }
        #expect(try SweepShard(parsing: "3/10") == SweepShard(index: 3, count: 10))
        for bad in ["3/3", "0/0", "-1/2", "1/-2", "a/b", "1", "1/2/3", ""] {
            #expect(throws: SweepError.self, "\(bad)") { _ = try SweepShard(parsing: bad) }
        }
        #expect(throws: SweepError(field: "--shard", message: "expected a shard index I in [0, 2] for N = 3 (I counts from 0), got I = 3")) {
            _ = try SweepShard(parsing: "3/3")
        }
    }

    /// The same population merged from 1 shard and from 3 shards gives byte-identical CSV with one
    /// row per patient; each row's model limit is the closed form 0.3 × body weight of that
    /// patient (recomputed here from the population) and its inputs are the patient's.
    @Test func mergeIsTheSameWhateverTheShardCount() throws {
        let p = try population(["patients": "7"])
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one"), three = dir.appendingPathComponent("three")
        try PopulationSweep.runShard(population: p, shard: SweepShard(index: 0, count: 1), out: one, command: "test", method: .exact,
                                     evaluate: Self.closedForm(population: p))
        for i in [2, 0, 1] {
            try PopulationSweep.runShard(population: p, shard: SweepShard(index: i, count: 3), out: three, command: "test", method: .exact,
                                         evaluate: Self.closedForm(population: p))
        }
        let a = try PopulationSweep.merge(directories: [one]), b = try PopulationSweep.merge(directories: [three])
        #expect(a == b)
        let lines = a.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count == 8)
        let columns = lines[0].components(separatedBy: ",")
        #expect(columns == PopulationSweep.columns)
        let model = columns.firstIndex(of: "modelMaxForceN")!, mass = columns.firstIndex(of: "bodyMassKg")!
        for k in 0..<7 {
            let fields = lines[k + 1].components(separatedBy: ",")
            let patient = try p.patient(k)
            #expect(fields[0] == "\(k)")
            #expect(Double(fields[mass]) == patient.patient.bodyMassKg)
            if patient.assessment.conditions.contains(.abdominalAorticAneurysm) {
                #expect(fields[model] == "")
            } else {
                let value = try #require(Double(fields[model]))
                #expect(abs(value - 0.3 * patient.patient.bodyWeight) <= 1e-12 * value)
            }
        }
        // Shards spread over two output directories merge to the same table.
        let split = dir.appendingPathComponent("split")
        try PopulationSweep.runShard(population: p, shard: SweepShard(index: 1, count: 3), out: split, command: "test", method: .exact,
                                     evaluate: Self.closedForm(population: p))
        try FileManager.default.removeItem(at: three.appendingPathComponent(SweepShard(index: 1, count: 3).directoryName))
        #expect(try PopulationSweep.merge(directories: [three, split]) == a)
    }

    /// A shard stopped after 2 of its 6 patients keeps them; a second run computes only the 4
    /// missing ones and merges to the same bytes as an uninterrupted run; a third run finds the
    /// shard complete and computes nothing. A SIGKILLed run's staging directory (status `running`,
    /// reproduced by copying the live staging directory) is resumed the same way.
    @Test func killedShardResumesWithoutDuplicatingRows() throws {
        let p = try population(["patients": "6"])
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("reference"), resumed = dir.appendingPathComponent("resumed")
        let shard = try SweepShard(index: 0, count: 1)
        try PopulationSweep.runShard(population: p, shard: shard, out: reference, command: "test", method: .exact, evaluate: Self.closedForm(population: p))

        struct Stop: Error {}
        let first = Counter()
        #expect(throws: Stop.self) {
            try PopulationSweep.runShard(population: p, shard: shard, out: resumed, command: "test", method: .exact,
                                         evaluate: Self.closedForm(population: p, calls: first),
                                         shouldStop: { if first.value == 2 { throw Stop() } })
        }
        #expect(first.value == 2)
        let target = resumed.appendingPathComponent(shard.directoryName)
        #expect(!FileManager.default.fileExists(atPath: target.path))
        let staging = try #require(RunDirectory.stagingDirectories(of: target).first)
        #expect(try RunDirectory.status(of: staging).status == .incomplete)

        let second = Counter()
        let summary = try PopulationSweep.runShard(population: p, shard: shard, out: resumed, command: "test", method: .exact,
                                                   evaluate: Self.closedForm(population: p, calls: second))
        #expect(second.value == 4 && summary.computed == 4 && summary.resumed == 2)
        #expect(RunDirectory.stagingDirectories(of: target).isEmpty)
        #expect(try PopulationSweep.merge(directories: [resumed]) == PopulationSweep.merge(directories: [reference]))

        let third = Counter()
        let again = try PopulationSweep.runShard(population: p, shard: shard, out: resumed, command: "test", method: .exact,
                                                 evaluate: Self.closedForm(population: p, calls: third))
        #expect(again.alreadyComplete && third.value == 0)

        // SIGKILL: a staging directory whose run.json still says running, with 3 rows.
        let killed = dir.appendingPathComponent("killed")
        let fourth = Counter()
        #expect(throws: Stop.self) {
            try PopulationSweep.runShard(population: p, shard: shard, out: killed, command: "test", method: .exact,
                                         evaluate: Self.closedForm(population: p, calls: fourth),
                                         shouldStop: {
                                             guard fourth.value == 3 else { return }
                                             let t = killed.appendingPathComponent(shard.directoryName)
                                             let live = RunDirectory.stagingDirectories(of: t)[0]
                                             try FileManager.default.copyItem(at: live, to: killed.appendingPathComponent(".\(shard.directoryName).partial-999999-dead"))
                                             throw Stop()
                                         })
        }
        let t = killed.appendingPathComponent(shard.directoryName)
        for s in RunDirectory.stagingDirectories(of: t) where try RunDirectory.status(of: s).status == .incomplete {
            try FileManager.default.removeItem(at: s)
        }
        let dead = RunDirectory.stagingDirectories(of: t)
        #expect(dead.count == 1)
        #expect(try RunDirectory.status(of: dead[0]).status == .running)
        let fifth = Counter()
        let s5 = try PopulationSweep.runShard(population: p, shard: shard, out: killed, command: "test", method: .exact,
                                              evaluate: Self.closedForm(population: p, calls: fifth))
        #expect(fifth.value == 3 && s5.resumed == 3)
        #expect(try PopulationSweep.merge(directories: [killed]) == PopulationSweep.merge(directories: [reference]))
    }

    /// Row files that do not belong are recomputed, not taken over: a truncated one, and one of
    /// another population (its inputs differ from this population's patient).
    @Test func invalidLeftoverRowsAreRecomputed() throws {
        let p = try population(["patients": "3"]), other = try population(["patients": "3", "seed": "99"])
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = try SweepShard(index: 0, count: 1)
        let target = dir.appendingPathComponent(shard.directoryName)
        let leftover = dir.appendingPathComponent(".\(shard.directoryName).partial-1-dead")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        // Row 0 of the other population; row 1 of this population cut short.
        let foreign = PopulationSweep.header + CSV.record(PopulationSweep.row(index: 0, patient: try other.patient(0),
            result: try Self.closedForm(population: other)(0, other.patient(0)).result, method: "test"))
        try Data(foreign.utf8).write(to: leftover.appendingPathComponent(PopulationSweep.rowFileName(0)))
        let own = PopulationSweep.header + CSV.record(PopulationSweep.row(index: 1, patient: try p.patient(1),
            result: try Self.closedForm(population: p)(1, p.patient(1)).result, method: "test"))
        try Data(own.utf8.dropLast(40)).write(to: leftover.appendingPathComponent(PopulationSweep.rowFileName(1)))
        let calls = Counter()
        let s = try PopulationSweep.runShard(population: p, shard: shard, out: dir, command: "test", method: .exact,
                                             evaluate: Self.closedForm(population: p, calls: calls))
        #expect(calls.value == 3 && s.resumed == 0)
        #expect(FileManager.default.fileExists(atPath: target.path))
    }

    /// Merge refuses a missing shard, shards of two shard counts, and a row altered after the commit.
    @Test func mergeRefusesIncompleteOrMixedShards() throws {
        let p = try population(["patients": "5"])
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<2 {
            try PopulationSweep.runShard(population: p, shard: SweepShard(index: i, count: 3), out: dir, command: "test", method: .exact,
                                         evaluate: Self.closedForm(population: p))
        }
        #expect(throws: SweepError(field: "DIR", message: "shards 2 of 3 are missing")) { _ = try PopulationSweep.merge(directories: [dir]) }
        try PopulationSweep.runShard(population: p, shard: SweepShard(index: 2, count: 3), out: dir, command: "test", method: .exact,
                                     evaluate: Self.closedForm(population: p))
        _ = try PopulationSweep.merge(directories: [dir])
        // Tamper with one row.
        let row = try dir.appendingPathComponent(SweepShard(index: 1, count: 3).directoryName).appendingPathComponent(PopulationSweep.rowFileName(4))
        var text = try String(contentsOf: row, encoding: .utf8)
        text = text.replacingOccurrences(of: "\r\n4,", with: "\r\n4, ")
        try Data(text.utf8).write(to: row)
        #expect(throws: SweepError.self) { _ = try PopulationSweep.merge(directories: [dir]) }
        // Another shard count in the same directory.
        let mixed = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: mixed) }
        try PopulationSweep.runShard(population: p, shard: SweepShard(index: 0, count: 1), out: mixed, command: "test", method: .exact,
                                     evaluate: Self.closedForm(population: p))
        try PopulationSweep.runShard(population: p, shard: SweepShard(index: 0, count: 2), out: mixed, command: "test", method: .exact,
                                     evaluate: Self.closedForm(population: p))
        #expect(throws: SweepError.self) { _ = try PopulationSweep.merge(directories: [mixed]) }
        #expect(throws: SweepError.self) { _ = try PopulationSweep.merge(directories: [dir.appendingPathComponent("absent")]) }
    }
}
