import Crypto
import Foundation
import TractionSafety

/// A continuous distribution of one patient quantity; its support is always bounded.
public enum PopulationDistribution: Sendable, Equatable {
    /// Every patient has this value.
    case constant(Double)
    /// Uniform on [min, max] (min ≤ max).
    case uniform(min: Double, max: Double)
    /// Normal with this mean and standard deviation (sd > 0), truncated to [min, max] by rejection;
    /// the interval must hold at least ``Population/minimumTruncatedMass`` of the untruncated
    /// distribution.
    case normal(mean: Double, sd: Double, min: Double, max: Double)

    /// The values the distribution can produce.
    public var support: ClosedRange<Double> {
        switch self {
        case let .constant(x): return x...x
        case let .uniform(a, b), let .normal(_, _, a, b): return a...b
        }
    }

    /// One draw.
    /// - Throws: ``SweepError`` when a truncated normal rejects ``Population/maximumRejections``
    ///   draws in a row (impossible in practice once the truncated mass is checked).
    func sample(_ g: inout SplitMix64, field: String) throws(SweepError) -> Double {
        switch self {
        case let .constant(x): return x
        case let .uniform(a, b): return a + (b - a) * g.nextUnitInterval()
        case let .normal(mean, sd, a, b):
            for _ in 0..<Population.maximumRejections {
                // Box–Muller; u1 in (0, 1] so the logarithm is finite.
                let u1 = 1 - g.nextUnitInterval(), u2 = g.nextUnitInterval()
                let x = mean + sd * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
                if x >= a, x <= b { return x }
            }
            throw SweepError(field: field, message: "\(Population.maximumRejections) normal draws in a row fell outside [\(a), \(b)]")
        }
    }

    /// Fraction of the untruncated normal inside [a, b]: Φ((b−μ)/σ) − Φ((a−μ)/σ), Φ(x) = erfc(−x/√2)/2.
    static func normalMass(mean: Double, sd: Double, min a: Double, max b: Double) -> Double {
        let phi = { (x: Double) in 0.5 * Foundation.erfc(-x / 2.0.squareRoot()) }
        return phi((b - mean) / sd) - phi((a - mean) / sd)
    }
}

/// A discrete distribution: values with non-negative weights (probabilities ∝ weights).
public struct PopulationChoice<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The values, in the file's order.
    public var values: [Value]
    /// Their weights (dimensionless, ≥ 0, sum > 0), one per value.
    public var weights: [Double]

    /// One draw: the first value whose cumulative weight exceeds u · total.
    func sample(_ g: inout SplitMix64) -> Value {
        let total = weights.reduce(0, +)
        let target = g.nextUnitInterval() * total
        var cumulative = 0.0
        for (v, w) in zip(values, weights) {
            cumulative += w
            if target < cumulative { return v }
        }
        // Rounding at the top end: the last value with a positive weight.
        return values[weights.lastIndex { $0 > 0 }!]
    }
}

/// A population of virtual patients for a limits sweep: distributions of body mass, height,
/// T-score, disc grade and level, independent probabilities of clinical conditions, the session
/// (device rating, prescription, monitoring) and the protocol family, with a seed.
///
/// **File** (every member required, unknown members refused):
/// ```json
/// {"format": "spinetraction.population", "version": 1, "seed": 20261206, "patients": 24,
///  "bodyMassKg": {"uniform": {"min": 50, "max": 110}},
///  "heightCm": {"normal": {"mean": 172, "sd": 9, "min": 150, "max": 200}},
///  "tScore": {"uniform": {"min": -3, "max": 1}},
///  "discGrade": {"choices": [1, 2, 3, 4], "weights": [1, 3, 3, 1]},
///  "level": {"choices": ["L4-L5", "L5-S1"], "weights": [1, 1]},
///  "conditions": {"hypermobility": 0.1},
///  "spondylolisthesisGrade": 0, "monthsSinceSpinalSurgery": null,
///  "protocolFamily": "professionalIntermittentTable",
///  "session": {"configuration": …, "device": …, "prescription": …, "monitoring": …, "createdAtUnixS": …, "validityS": …}}
/// ```
/// A continuous quantity is `{"constant": x}`, `{"uniform": {"min", "max"}}` or
/// `{"normal": {"mean", "sd", "min", "max"}}` (truncated; always bounded). Supports must lie in the
/// patient file's ranges: body mass (kg) in [20, 300], height (cm) in (0, 300], T-score (SD) in
/// [−6, 4]; disc grades are Pfirrmann 1…5, levels lumbar level names; `conditions` maps
/// ``TractionSafety/Condition`` names to independent probabilities in [0, 1];
/// `spondylolisthesisGrade` (Meyerding 0…5) and `monthsSinceSpinalSurgery` (whole months in [0, 1200], or null)
/// are the same for every patient. `seed` is an integer in [0, 2⁵³]; `patients` in [1, 10⁶].
///
/// **Sampling.** Patient `k` (0-based) draws from its own ``SplitMix64`` stream
/// `(seed, k)` in a fixed order — mass, height, T-score, grade, level, then each listed condition
/// in name order — so it is the same patient whatever the population size or the shard count, on
/// every machine. Values are not rounded.
///
/// ```swift
/// let population = try Population(json: bytes)
/// let p = try population.patient(17)         // a LimitsPatient
/// ```
public struct Population: Sendable, Equatable {
    /// The seed (integer, [0, 2⁵³]).
    public var seed: UInt64
    /// Number of virtual patients ([1, ``maximumPatients``]).
    public var patientCount: Int
    /// Body mass (kg).
    public var bodyMassKg: PopulationDistribution
    /// Standing height (cm).
    public var heightCm: PopulationDistribution
    /// DXA T-score (SD).
    public var tScore: PopulationDistribution
    /// Pfirrmann grade (1…5).
    public var discGrade: PopulationChoice<Int>
    /// Treated level.
    public var level: PopulationChoice<LumbarLevel>
    /// Each condition's probability (dimensionless, [0, 1]), drawn independently in name order.
    public var conditions: [(condition: Condition, probability: Double)]
    /// Meyerding grade (0…5), the same for every patient.
    public var spondylolisthesisGrade: Int
    /// Months since spinal surgery (integer ≥ 0), or nil for never operated; the same for every patient.
    public var monthsSinceSpinalSurgery: Int?
    /// The protocol family (``protocolFamilies``).
    public var protocolFamily: String
    /// The session every patient's limits are computed for.
    public var session: LimitsComputation.Session
    /// SHA-256 (hex) of the file's canonical JSON (parsed and re-serialized: whitespace does not
    /// change it, any value does).
    public var digestSHA256: String

    /// The file's `format` value.
    public static let format = "spinetraction.population"
    /// The file's `version` value.
    public static let version = 1
    /// Largest population (patients).
    public static let maximumPatients = 1_000_000
    /// Smallest fraction of an untruncated normal its [min, max] must hold (dimensionless).
    public static let minimumTruncatedMass = 0.01
    /// Rejected draws in a row after which a truncated normal gives up (with ≥ 1 % mass the chance is below 10⁻⁴³).
    public static let maximumRejections = 10_000
    /// Protocol families a sweep can compute limits for: the professional intermittent table
    /// (``ProfessionalTable`` defaults, as `limits compute`).
    public static let protocolFamilies = ["professionalIntermittentTable"]
    /// The members of a population file.
    public static let members = ["format", "version", "seed", "patients", "bodyMassKg", "heightCm", "tScore", "discGrade", "level",
                                 "conditions", "spondylolisthesisGrade", "monthsSinceSpinalSurgery", "protocolFamily", "session"]

    public static func == (a: Population, b: Population) -> Bool { a.digestSHA256 == b.digestSHA256 }

    /// Reads and checks a population file (see the type's discussion).
    /// - Throws: ``SweepError`` naming the JSON path, the value and what was expected.
    public init(json bytes: [UInt8]) throws(SweepError) {
        let tree: JSONValue
        do { tree = try JSONValue.parse(bytes, maxDepth: 12, maxNumberLength: 64) } catch {
            throw SweepError(field: "population", message: "not valid JSON: \(error)")
        }
        guard case let .object(o) = tree else { throw SweepError(field: "population", message: "expected one JSON object, got \(tree.summary)") }
        for k in o.keys where !Self.members.contains(k) {
            throw SweepError(field: k, message: "unknown member; a population file has \(Self.members.joined(separator: ", "))")
        }
        func member(_ k: String) throws(SweepError) -> JSONValue {
            guard let v = o[k] else { throw SweepError(field: k, message: "missing (no value is defaulted)") }
            return v
        }
        guard case let .string(format) = try member("format"), format == Self.format else {
            throw SweepError(field: "format", message: "expected \"\(Self.format)\", got \(try member("format").summary)")
        }
        let version = try Self.integer(try member("version"), field: "version", in: 0...1_000)
        guard version == Self.version else { throw SweepError(field: "version", message: "expected \(Self.version), got \(version)") }
        seed = UInt64(try Self.integer(try member("seed"), field: "seed", in: 0...(1 << 53)))
        patientCount = try Self.integer(try member("patients"), field: "patients", in: 1...Self.maximumPatients)
        bodyMassKg = try Self.distribution(try member("bodyMassKg"), field: "bodyMassKg", allowed: 20...300, unit: "kg")
        heightCm = try Self.distribution(try member("heightCm"), field: "heightCm", allowed: Double.leastNonzeroMagnitude...300, unit: "cm")
        tScore = try Self.distribution(try member("tScore"), field: "tScore", allowed: -6...4, unit: "SD")
        let grades = try Self.choice(try member("discGrade"), field: "discGrade") { (v, f) throws(SweepError) in
            try Self.integer(v, field: f, in: 1...5)
        }
        discGrade = grades
        level = try Self.choice(try member("level"), field: "level") { (v, f) throws(SweepError) in
            guard case let .string(s) = v else { throw SweepError(field: f, message: "expected a level name such as \"L4-L5\", got \(v.summary)") }
            do { return try LumbarLevel(name: s) } catch {
                throw SweepError(field: f, message: "unknown level \"\(s)\"; expected one of \(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        guard case let .object(c) = try member("conditions") else {
            throw SweepError(field: "conditions", message: "expected an object of condition name → probability ({} for none), got \(try member("conditions").summary)")
        }
        var conditions: [(condition: Condition, probability: Double)] = []
        for (name, value) in c {
            guard let condition = Condition(rawValue: name) else {
                throw SweepError(field: "conditions.\(name)", message: "unknown condition; expected one of \(Condition.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard case let .number(p) = value, p.isFinite, (0...1).contains(p) else {
                throw SweepError(field: "conditions.\(name)", message: "expected a probability in [0, 1], got \(value.summary)")
            }
            conditions.append((condition, p))
        }
        self.conditions = conditions.sorted { $0.condition.rawValue < $1.condition.rawValue }
        spondylolisthesisGrade = try Self.integer(try member("spondylolisthesisGrade"), field: "spondylolisthesisGrade", in: 0...5)
        switch try member("monthsSinceSpinalSurgery") {
        case .null: monthsSinceSpinalSurgery = nil
        case let v: monthsSinceSpinalSurgery = try Self.integer(v, field: "monthsSinceSpinalSurgery", in: 0...1_200)
        }
        guard case let .string(family) = try member("protocolFamily"), Self.protocolFamilies.contains(family) else {
            throw SweepError(field: "protocolFamily", message: "expected one of \(Self.protocolFamilies.map { "\"\($0)\"" }.joined(separator: ", ")), got \(try member("protocolFamily").summary)")
        }
        protocolFamily = family
        let sessionValue = try member("session")
        do { session = try LimitsComputation.Session(json: Array(sessionValue.serialized().utf8)) } catch {
            throw SweepError(field: error.field, message: error.message)
        }
        // The session's contents are checked by the builder-inputs reader: do it now, with patient
        // 0, so a bad session is refused before any shard runs.
        let canonical = tree.serialized()
        digestSHA256 = SHA256.hash(data: Array(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
        do {
            _ = try LimitsComputation.inputs(patient: try patient(0), session: session, modelLimits: [], modelId: "check",
                                            modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none)
        } catch let e as LimitsComputationError {
            throw SweepError(field: e.field, message: e.message)
        } catch let e as SweepError {
            throw e
        } catch {
            throw SweepError(field: "session", message: "\(error)")
        }
    }

    /// The quantities drawn for patient `index`.
    public struct Draw: Sendable, Equatable {
        /// Body mass (kg).
        public var bodyMassKg: Double
        /// Height (cm).
        public var heightCm: Double
        /// T-score (SD).
        public var tScore: Double
        /// Pfirrmann grade (1…5).
        public var discGrade: Int
        /// Level.
        public var level: LumbarLevel
        /// The conditions drawn present, in name order.
        public var conditions: [Condition]
    }

    /// The draws of patient `index` (0-based) from its own stream (see the type's discussion).
    /// - Throws: ``SweepError`` for an index outside [0, ``patientCount``).
    public func draw(_ index: Int) throws(SweepError) -> Draw {
        guard (0..<patientCount).contains(index) else {
            throw SweepError(field: "patient", message: "expected an index in [0, \(patientCount)), got \(index)")
        }
        var g = SplitMix64(seed: seed, stream: UInt64(index))
        let mass = try bodyMassKg.sample(&g, field: "bodyMassKg")
        let height = try heightCm.sample(&g, field: "heightCm")
        let t = try tScore.sample(&g, field: "tScore")
        let grade = discGrade.sample(&g)
        let lvl = level.sample(&g)
        var present: [Condition] = []
        for (c, p) in conditions where g.nextUnitInterval() < p { present.append(c) }
        return Draw(bodyMassKg: mass, heightCm: height, tScore: t, discGrade: grade, level: lvl, conditions: present)
    }

    /// Patient `index` as a limits patient file would give it (checked like one).
    /// - Throws: ``SweepError`` naming the patient and the field the patient file refused.
    public func patient(_ index: Int) throws(SweepError) -> LimitsPatient {
        let d = try draw(index)
        let file: JSONObject = [
            "bodyMassKg": .number(d.bodyMassKg), "heightCm": .number(d.heightCm), "tScore": .number(d.tScore),
            "discGrade": .number(Double(d.discGrade)), "level": .string(d.level.rawValue),
            "conditions": .array(d.conditions.map { .string($0.rawValue) }),
            "spondylolisthesisGrade": .number(Double(spondylolisthesisGrade)),
            "monthsSinceSpinalSurgery": monthsSinceSpinalSurgery.map { .number(Double($0)) } ?? .null,
        ]
        do { return try LimitsPatient(json: Array(JSONValue.object(file).serialized().utf8)) } catch {
            throw SweepError(field: "patients[\(index)]", message: "the sampled patient was refused: \(error)")
        }
    }

    // MARK: - Reading helpers

    static func integer(_ v: JSONValue, field: String, in range: ClosedRange<Int>) throws(SweepError) -> Int {
        guard case let .number(x) = v, x.isFinite, x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw SweepError(field: field, message: "expected an integer in [\(range.lowerBound), \(range.upperBound)], got \(v.summary)")
        }
        return Int(x)
    }

    static func number(_ v: JSONValue?, field: String) throws(SweepError) -> Double {
        guard let v else { throw SweepError(field: field, message: "missing (no value is defaulted)") }
        guard case let .number(x) = v, x.isFinite else { throw SweepError(field: field, message: "expected a finite number, got \(v.summary)") }
        return x
    }

    static func distribution(_ v: JSONValue, field: String, allowed: ClosedRange<Double>, unit: String) throws(SweepError) -> PopulationDistribution {
        guard case let .object(o) = v, o.count == 1, let (kind, body) = o.first else {
            throw SweepError(field: field, message: "expected {\"constant\": x}, {\"uniform\": {\"min\", \"max\"}} or {\"normal\": {\"mean\", \"sd\", \"min\", \"max\"}}, got \(v.summary)")
        }
        func members(_ names: [String]) throws(SweepError) -> JSONObject {
            guard case let .object(b) = body else { throw SweepError(field: "\(field).\(kind)", message: "expected an object with \(names.joined(separator: ", ")), got \(body.summary)") }
            for k in b.keys where !names.contains(k) {
                throw SweepError(field: "\(field).\(kind).\(k)", message: "unknown member; expected \(names.joined(separator: ", "))")
            }
            return b
        }
        let d: PopulationDistribution
        switch kind {
        case "constant":
            d = .constant(try number(body, field: "\(field).constant"))
        case "uniform":
            let b = try members(["min", "max"])
            let a = try number(b["min"], field: "\(field).uniform.min"), z = try number(b["max"], field: "\(field).uniform.max")
            guard a <= z else { throw SweepError(field: "\(field).uniform", message: "expected min ≤ max, got min \(a) > max \(z)") }
            d = .uniform(min: a, max: z)
        case "normal":
            let b = try members(["mean", "sd", "min", "max"])
            let m = try number(b["mean"], field: "\(field).normal.mean"), s = try number(b["sd"], field: "\(field).normal.sd")
            let a = try number(b["min"], field: "\(field).normal.min"), z = try number(b["max"], field: "\(field).normal.max")
            guard s > 0 else { throw SweepError(field: "\(field).normal.sd", message: "expected a standard deviation > 0 \(unit), got \(s)") }
            guard a <= z else { throw SweepError(field: "\(field).normal", message: "expected min ≤ max, got min \(a) > max \(z)") }
            let mass = PopulationDistribution.normalMass(mean: m, sd: s, min: a, max: z)
            guard mass >= Population.minimumTruncatedMass else {
                throw SweepError(field: "\(field).normal", message: "[min, max] = [\(a), \(z)] holds \(mass) of the normal (mean \(m), sd \(s)); expected at least \(Population.minimumTruncatedMass)")
            }
            d = .normal(mean: m, sd: s, min: a, max: z)
        default:
            throw SweepError(field: "\(field).\(kind)", message: "unknown distribution; expected constant, uniform or normal")
        }
        guard allowed.contains(d.support.lowerBound), allowed.contains(d.support.upperBound) else {
            let low = allowed.lowerBound == Double.leastNonzeroMagnitude ? "(0" : "[\(allowed.lowerBound)"
            throw SweepError(field: field, message: "values from \(d.support.lowerBound) to \(d.support.upperBound) \(unit); expected them in \(low), \(allowed.upperBound)] \(unit)")
        }
        return d
    }

    static func choice<V: Sendable & Equatable>(_ v: JSONValue, field: String, value: (JSONValue, String) throws(SweepError) -> V) throws(SweepError) -> PopulationChoice<V> {
        guard case let .object(o) = v else {
            throw SweepError(field: field, message: "expected {\"choices\": [...], \"weights\": [...]}, got \(v.summary)")
        }
        for k in o.keys where k != "choices" && k != "weights" {
            throw SweepError(field: "\(field).\(k)", message: "unknown member; expected choices and weights")
        }
        guard case let .array(choices)? = o["choices"], !choices.isEmpty else {
            throw SweepError(field: "\(field).choices", message: "expected a non-empty array, got \(o["choices"]?.summary ?? "nothing")")
        }
        guard case let .array(weights)? = o["weights"], weights.count == choices.count else {
            throw SweepError(field: "\(field).weights", message: "expected an array of \(choices.count) weights (one per choice), got \(o["weights"]?.summary ?? "nothing")")
        }
        var values: [V] = [], w: [Double] = []
        for (i, c) in choices.enumerated() {
            let x = try value(c, "\(field).choices[\(i)]")
            guard !values.contains(x) else { throw SweepError(field: "\(field).choices[\(i)]", message: "listed twice") }
            values.append(x)
        }
        for (i, x) in weights.enumerated() {
            guard case let .number(y) = x, y.isFinite, y >= 0 else {
                throw SweepError(field: "\(field).weights[\(i)]", message: "expected a weight ≥ 0, got \(x.summary)")
            }
            w.append(y)
        }
        guard w.reduce(0, +) > 0 else { throw SweepError(field: "\(field).weights", message: "expected at least one weight > 0, got all 0") }
        return PopulationChoice(values: values, weights: w)
    }
}
