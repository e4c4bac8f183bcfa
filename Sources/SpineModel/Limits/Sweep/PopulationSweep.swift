import Foundation
import TractionSafety
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One shard of a population sweep: shard `index` of `count` holds the patients `k` with
/// `k mod count == index` (round robin, so shards get similar mixes of patients).
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    /// The shard (0-based, < ``count``).
    public var index: Int
    /// Number of shards (≥ 1).
    public var count: Int

    /// Largest shard count.
    public static let maximumCount = 1_000_000

    /// Shard `index` of `count`.
    /// - Throws: ``SweepError`` (field `--shard`) when `count` ≤ 0 or above ``maximumCount``, or `index` ∉ [0, count).
    public init(index: Int, count: Int) throws(SweepError) {
        guard count >= 1, count <= Self.maximumCount else {
            throw SweepError(field: "--shard", message: "expected a shard count N in [1, \(Self.maximumCount)], got N = \(count)")
        }
        guard index >= 0, index < count else {
            throw SweepError(field: "--shard", message: "expected a shard index I in [0, \(count - 1)] for N = \(count) (I counts from 0), got I = \(index)")
        }
        self.index = index; self.count = count
    }

    /// Parses `I/N` (e.g. `3/10`; Slurm's `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`).
    /// - Throws: ``SweepError`` naming `--shard`.
    public init(parsing text: String) throws(SweepError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw SweepError(field: "--shard", message: "expected I/N with integers I (from 0) and N, e.g. 0/4, got \"\(text)\"")
        }
        try self.init(index: i, count: n)
    }

    /// The patients of this shard among `total`, ascending.
    public func patients(of total: Int) -> [Int] { Array(stride(from: index, to: total, by: count)) }

    /// The shard's directory name: `shard-IIIII-of-NNNNN` (zero-padded to 6 digits).
    public var directoryName: String { "shard-\(Self.pad(index))-of-\(Self.pad(count))" }

    public var description: String { "\(index)/\(count)" }

    static func pad(_ n: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, 6 - s.count)) + s }
}

/// How a sweep computes each patient's limits.
public enum SweepMethod: String, Sendable, CaseIterable {
    /// Full solves of the motion segment (``MotionSegmentLimitSearch``), as `limits compute --exact`.
    case exact
    /// A verified surrogate when one is built for the protocol family, else full solves (the row's
    /// `method` column says which was used).
    case surrogateIfAvailable = "surrogate-if-available"
}

/// Population sweeps of model-derived force-safety limits: one CSV row per virtual patient,
/// computed in deterministic, resumable shards that merge to the same table whatever the shard count.
///
/// **Shard output.** ``runShard(population:shard:out:command:method:evaluate:progress:)`` writes
/// `OUT/shard-IIIIII-of-NNNNNN/` through the run-directory protocol (``RunDirectory``): one row file
/// `patient-KKKKKKK.csv` per patient (header and one record, written to a temporary name and
/// renamed, so a file is whole or absent) and `shard.json`, then commits. A killed or interrupted
/// shard leaves its staging directory; the next run of the same shard takes the lock, copies
/// every row file of those staging directories that is whole and belongs to this population
/// (its header and its inputs equal what the population gives that patient), deletes them and
/// computes only the missing patients — no row is computed twice or duplicated. A shard already
/// complete (its manifest verifies, its rows are valid) is left as it is.
///
/// **Merge.** ``merge(directories:)`` checks every shard directory's manifest (status complete,
/// every file's size and SHA-256), that the shards are one sharding of one population (same
/// population digest and size, every index 0…N−1 once) and that every patient has exactly one
/// row, then returns the header and the rows in patient order: the same bytes whatever N.
///
/// ```swift
/// let population = try Population(json: bytes)
/// try PopulationSweep.runShard(population: population, shard: try SweepShard(parsing: "0/4"),
///                              out: URL(fileURLWithPath: "sweep"), command: "…", method: .exact)
/// let csv = try PopulationSweep.merge(directories: [URL(fileURLWithPath: "sweep")])
/// ```
public enum PopulationSweep {
    /// The governed limits of a document, in column order.
    public static let limitNames = ["maxForceN", "softMaxForceN", "maxRampUpNPerS", "maxRampDownNPerS", "minHoldS", "maxHoldS",
                                    "minRestS", "maxCycles", "maxSessionS", "minAngleDeg", "maxAngleDeg", "restForceFractionMax"]

    /// The input columns (the patient): index, mass (kg), height (cm), T-score (SD), Pfirrmann
    /// grade, level, conditions (`;`-separated names), Meyerding grade, months since surgery (empty: never).
    public static let inputColumns = ["patient", "bodyMassKg", "heightCm", "tScore", "discGrade", "level", "conditions",
                                      "spondylolisthesisGrade", "monthsSinceSpinalSurgery"]

    /// Every column of the sweep CSV: ``inputColumns``; `method` (exact, surrogate, or
    /// none.absoluteContraindication); `blocked` (0/1) and `blockReasons`; the model's own force
    /// limit (`modelMaxForceN`, N table force; empty when blocked), its criterion and margin
    /// fraction; then for every limit of ``limitNames`` its value (unit in the name), `.kind`,
    /// `.criterion` and `.marginFraction` (the governing criterion and margin of the document);
    /// and `inputsDigestSHA256` (the builder inputs' digest, which the document carries).
    public static let columns: [String] = inputColumns + ["method", "blocked", "blockReasons", "modelMaxForceN", "modelCriterion", "modelMarginFraction"]
        + limitNames.flatMap { [$0, "\($0).kind", "\($0).criterion", "\($0).marginFraction"] } + ["inputsDigestSHA256"]

    /// The CSV header record (CRLF-terminated).
    public static var header: String { CSV.record(columns.map { .text($0) }) }

    /// The per-patient computation of a sweep: limits for one patient and one session by the
    /// method asked for. Every sweep row goes through this one function.
    ///
    /// `.surrogateIfAvailable` reads the limit from `surrogate` (``LimitsSurrogate/limit(for:)``)
    /// and falls back to full solves for a patient it refuses (outside its range, another model);
    /// without a surrogate it runs full solves. The returned `method` says what was used.
    /// - Returns: the limits computation and the method used: `exact`, `surrogate`,
    ///   `exact.surrogateRefused.<field>` (the surrogate refused the patient) or
    ///   `none.absoluteContraindication` (the builder blocks the patient without a model run).
    /// - Throws: as ``LimitsComputation/compute(patient:session:search:)``.
    public static func computeLimits(patient: LimitsPatient, session: LimitsComputation.Session,
                                     method: SweepMethod, surrogate: LimitsSurrogate? = nil) throws -> (result: LimitsComputation.Result, method: String) {
        guard method == .surrogateIfAvailable, let surrogate else {
            let r = try LimitsComputation.compute(patient: patient, session: session)
            return (r, r.modelLimit == nil ? "none.absoluteContraindication" : "exact")
        }
        let r = try LimitsComputation.compute(patient: patient, session: session, surrogate: surrogate)
        if r.modelLimit == nil { return (r, "none.absoluteContraindication") }
        if let refusal = r.surrogateRefusal { return (r, "exact.surrogateRefused.\(refusal.field)") }
        return (r, "surrogate")
    }

    /// The CSV fields of one patient's inputs.
    public static func inputFields(index: Int, patient: LimitsPatient) -> [CSVField] {
        let a = patient.assessment, p = patient.patient
        return [.integer(index), .number(p.bodyMassKg), .number(p.heightCm), .number(p.tScore), .integer(p.discGrade.rawValue),
                .text(p.level.rawValue), .text(a.conditions.sorted().map(\.rawValue).joined(separator: ";")),
                .integer(a.spondylolisthesisGrade), a.monthsSinceSpinalSurgery.map { .number(Double($0)) } ?? .text("")]
    }

    /// The CSV fields of one patient's row (``columns``).
    public static func row(index: Int, patient: LimitsPatient, result: LimitsComputation.Result, method: String) -> [CSVField] {
        let d = result.document
        let model = result.inputs.modelLimits.first { $0.kind == .modelCriterion && $0.quantity == .maxForceN }
        var f = inputFields(index: index, patient: patient)
        f += [.text(method), .integer(d.blocked ? 1 : 0), .text(d.blockReasons.map(\.rawValue).joined(separator: ";")),
              model.map { .number($0.value) } ?? .text(""), .text(model?.criterion ?? ""), model.map { .number($0.marginFraction) } ?? .text("")]
        let l = d.limits
        let limits = [l.maxForceN, l.softMaxForceN, l.maxRampUpNPerS, l.maxRampDownNPerS, l.minHoldS, l.maxHoldS,
                      l.minRestS, l.maxCycles, l.maxSessionS, l.minAngleDeg, l.maxAngleDeg, l.restForceFractionMax]
        for g in limits { f += [.number(g.value), .text(g.kind.rawValue), .text(g.criterion), .number(g.marginFraction)] }
        f.append(.text(result.inputs.digestSHA256))
        return f
    }

    /// What a shard run did.
    public struct ShardSummary: Sendable, Equatable {
        /// The shard directory (complete).
        public var directory: URL
        /// Patients of the shard.
        public var patients: Int
        /// Rows computed by this run.
        public var computed: Int
        /// Rows taken over from an interrupted run's staging directory.
        public var resumed: Int
        /// True when the shard was complete already and nothing was done.
        public var alreadyComplete: Bool
    }

    /// The shard manifest's file name.
    public static let shardFileName = "shard.json"

    /// The row file name of patient `k`.
    public static func rowFileName(_ k: Int) -> String {
        let s = String(k)
        return "patient-" + String(repeating: "0", count: max(0, 7 - s.count)) + s + ".csv"
    }

    /// Runs one shard (see the type's discussion) into `out/<shard directory>`.
    /// - Parameters:
    ///   - population: the population.
    ///   - shard: which shard.
    ///   - out: the sweep's output directory (holds the shard directories).
    ///   - command: recorded in the shard's `run.json`.
    ///   - method: recorded in `shard.json`; passed to `evaluate`.
    ///   - surrogate: the surrogate `.surrogateIfAvailable` reads limits from (nil: full solves).
    ///   - evaluate: the per-patient computation: patient index and patient → result and the method
    ///     used (``computeLimits(patient:session:method:surrogate:)`` unless a caller substitutes its own).
    ///   - shouldStop: polled before each patient; throwing from it stops the run cleanly (the
    ///     staging directory keeps the rows so far and is marked incomplete).
    ///   - progress: called after each patient computed (index, seconds).
    /// - Throws: ``SweepError``, ``RunDirectoryError``, and whatever `evaluate` throws.
    @discardableResult
    public static func runShard(population: Population, shard: SweepShard, out: URL, command: String, method: SweepMethod,
                                surrogate: LimitsSurrogate? = nil,
                                evaluate: ((Int, LimitsPatient) throws -> (result: LimitsComputation.Result, method: String))? = nil,
                                shouldStop: () throws -> Void = {},
                                progress: (Int, Double) -> Void = { _, _ in }) throws -> ShardSummary {
        let target = out.appendingPathComponent(shard.directoryName, isDirectory: true).standardizedFileURL
        let mine = shard.patients(of: population.patientCount)
        let expected = try Dictionary(uniqueKeysWithValues: mine.map { k throws(SweepError) in
            (k, CSV.record(inputFields(index: k, patient: try population.patient(k))))
        })
        let shardRecord = shardManifest(population: population, shard: shard, method: method)

        // A complete shard of this population: nothing to do.
        if (try? RunDirectory.verify(target)) != nil,
           let text = try? String(contentsOf: target.appendingPathComponent(shardFileName), encoding: .utf8), text == shardRecord,
           mine.allSatisfy({ validRow(at: target.appendingPathComponent(rowFileName($0)), inputs: expected[$0]!) }) {
            return ShardSummary(directory: target, patients: mine.count, computed: 0, resumed: 0, alreadyComplete: true)
        }

        let run = try RunDirectory.begin(at: target, command: command, modelDigest: population.digestSHA256, libraryVersion: Simulation.libraryVersion)
        do {
            // Rows of earlier runs of this shard: killed or interrupted staging directories, then
            // the target itself (a complete run of another method or an older manifest).
            var resumed = 0
            let sources = RunDirectory.stagingDirectories(of: target).filter { $0.standardizedFileURL.path != run.staging.standardizedFileURL.path } + [target]
            for k in mine {
                let name = rowFileName(k)
                for dir in sources where validRow(at: dir.appendingPathComponent(name), inputs: expected[k]!) {
                    let bytes = try Data(contentsOf: dir.appendingPathComponent(name))
                    try writeAtomically(bytes, to: try run.file(name))
                    resumed += 1
                    break
                }
            }
            try run.removeStaleStagingDirectories()
            var computed = 0
            for k in mine where !FileManager.default.fileExists(atPath: run.staging.appendingPathComponent(rowFileName(k)).path) {
                try shouldStop()
                let start = Date()
                let patient = try population.patient(k)
                let (result, used) = try evaluate?(k, patient)
                    ?? computeLimits(patient: patient, session: population.session, method: method, surrogate: surrogate)
                let text = header + CSV.record(row(index: k, patient: patient, result: result, method: used))
                try writeAtomically(Data(text.utf8), to: try run.file(rowFileName(k)))
                computed += 1
                progress(k, Date().timeIntervalSince(start))
            }
            try writeAtomically(Data(shardRecord.utf8), to: try run.file(shardFileName))
            try run.commit()
            return ShardSummary(directory: target, patients: mine.count, computed: computed, resumed: resumed, alreadyComplete: false)
        } catch {
            try? run.fail(reason: "\(error)")
            throw error
        }
    }

    /// The shard manifest (`shard.json`): format, population digest and size, shard, method.
    static func shardManifest(population: Population, shard: SweepShard, method: SweepMethod) -> String {
        let o: JSONObject = ["format": .string("spinetraction.sweep-shard"), "version": .number(1),
                             "populationDigestSHA256": .string(population.digestSHA256), "patients": .number(Double(population.patientCount)),
                             "shard": .number(Double(shard.index)), "shards": .number(Double(shard.count)), "method": .string(method.rawValue)]
        return JSONValue.object(o).serialized() + "\n"
    }

    /// True when `url` is a regular file holding the header and exactly one record that starts with
    /// `inputs` (the patient's input fields and the comma after them).
    static func validRow(at url: URL, inputs: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else { return false }
        let h = header
        guard text.hasPrefix(h) else { return false }
        let record = text.dropFirst(h.count)
        let prefix = inputs.dropLast(2) + ","      // the input fields without their CRLF, then the next field
        guard record.hasPrefix(prefix), record.hasSuffix("\r\n") else { return false }
        return record.dropLast(2).range(of: "\r\n") == nil
    }

    /// Writes `data` to `url` through `url.tmp` and a rename, so `url` is whole or absent.
    static func writeAtomically(_ data: Data, to url: URL) throws(SweepError) {
        let tmp = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".tmp")
        do { try data.write(to: tmp) } catch { throw SweepError(field: url.path, message: "cannot write: \(error.localizedDescription)") }
        guard rename(tmp.path, url.path) == 0 else {
            throw SweepError(field: url.path, message: "cannot rename into place: \(String(cString: strerror(errno)))")
        }
    }

    // MARK: - Merge

    /// Merges the shard directories found in `directories` (each a sweep's `--out`) into one CSV
    /// text: the header, then one record per patient in patient order (see the type's discussion).
    /// - Throws: ``SweepError`` naming the directory or file: no shard directory, a shard not
    ///   complete or not matching its manifest, shards of different populations or shard counts,
    ///   a missing or repeated shard, a missing, repeated or malformed row.
    public static func merge(directories: [URL]) throws(SweepError) -> String {
        guard !directories.isEmpty else { throw SweepError(field: "DIR", message: "expected at least one sweep output directory") }
        var shards: [(url: URL, manifest: JSONObject)] = []
        for dir in directories {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() } catch {
                throw SweepError(field: dir.path, message: "cannot list the directory: \(error.localizedDescription)")
            }
            for name in names where name.hasPrefix("shard-") {
                let url = dir.appendingPathComponent(name, isDirectory: true)
                do { try RunDirectory.verify(url) } catch {
                    throw SweepError(field: url.path, message: "not a complete shard (\(error)); rerun it (the rerun resumes)")
                }
                let bytes = FileManager.default.contents(atPath: url.appendingPathComponent(shardFileName).path).map { [UInt8]($0) } ?? []
                guard case let .object(m)? = try? JSONValue.parse(bytes, maxDepth: 4, maxNumberLength: 64) else {
                    throw SweepError(field: url.appendingPathComponent(shardFileName).path, message: "missing or not a JSON object")
                }
                shards.append((url, m))
            }
        }
        guard let first = shards.first else {
            throw SweepError(field: directories.map(\.path).joined(separator: ", "), message: "no shard directory (shard-IIIIII-of-NNNNNN) found")
        }
        func value(_ m: JSONObject, _ k: String) -> JSONValue { m[k] ?? .null }
        let digest = value(first.manifest, "populationDigestSHA256"), total = value(first.manifest, "patients"), count = value(first.manifest, "shards")
        guard case let .number(n) = count, case let .number(p) = total, n >= 1, p >= 1 else {
            throw SweepError(field: first.url.appendingPathComponent(shardFileName).path, message: "expected numbers patients and shards")
        }
        var seen: [Int: URL] = [:]
        for s in shards {
            for (k, v) in [("populationDigestSHA256", digest), ("patients", total), ("shards", count)] where value(s.manifest, k) != v {
                throw SweepError(field: s.url.path, message: "\(k) is \(value(s.manifest, k).summary), \(first.url.path) has \(v.summary): shards of one sweep only")
            }
            guard case let .number(i) = value(s.manifest, "shard") else { throw SweepError(field: s.url.path, message: "shard.json has no shard index") }
            if let other = seen[Int(i)] { throw SweepError(field: s.url.path, message: "shard \(Int(i)) is also in \(other.path)") }
            seen[Int(i)] = s.url
        }
        let missing = (0..<Int(n)).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw SweepError(field: "DIR", message: "shards \(missing.prefix(20).map(String.init).joined(separator: ", "))\(missing.count > 20 ? ", …" : "") of \(Int(n)) are missing")
        }
        let h = header
        var out = h
        for k in 0..<Int(p) {
            let dir = seen[k % Int(n)]!
            let url = dir.appendingPathComponent(rowFileName(k))
            guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
                throw SweepError(field: url.path, message: "patient \(k)'s row is missing")
            }
            guard text.hasPrefix(h) else { throw SweepError(field: url.path, message: "the header differs from this version's columns") }
            let record = text.dropFirst(h.count)
            guard record.hasPrefix("\(k),"), record.hasSuffix("\r\n"), record.dropLast(2).range(of: "\r\n") == nil else {
                throw SweepError(field: url.path, message: "expected one record for patient \(k)")
            }
            out += record
        }
        // No stray rows: every row file of every shard belongs to that shard.
        for (i, dir) in seen {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names where name.hasPrefix("patient-") {
                guard let k = Int(name.dropFirst("patient-".count).dropLast(".csv".count)), k < Int(p), k % Int(n) == i else {
                    throw SweepError(field: dir.appendingPathComponent(name).path, message: "a row that does not belong to shard \(i) of \(Int(n))")
                }
            }
        }
        return out
    }
}
