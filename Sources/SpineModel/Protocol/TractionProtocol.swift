import Foundation

/// A traction protocol: the force–time history a traction table applies to the upper vertebra
/// (the lower one held), with an optional lying preload before it — one value from which the
/// load curves, the time steps with their must-points and the per-cycle report windows are all
/// generated (``resolve(bodyMassKg:)``).
///
/// **Time.** `t = 0` s is the start of the preload (in the default disc model: the freely swollen
/// disc); the traction pattern starts when the preload ends (`preload.duration`, or at 0 s without
/// a preload). All times are in s, forces in N (or a fraction of body weight, resolved with
/// g = 9.81 m/s²), angles in degrees.
///
/// **Patterns** (``Pattern``):
/// - ``static(pull:ramp:hold:release:preload:)`` — ramp to a force and hold it (then optionally release);
/// - ``intermittent(cycles:pull:hold:rest:restLevel:ramp:rampDown:preload:)`` — cycles of ramp up, hold,
///   ramp down to a rest level, rest;
/// - ``steps(levels:ramp:release:preload:)`` — progressive (rising) or regressive (falling) force levels,
///   each held;
/// - ``custom(times:forces:unit:preload:)`` — any force–time curve.
///
/// The scenarios' geometry (``pullAngle``, ``table``, ``harness``) is stored and validated; only the
/// force history is used by the generator.
///
/// ```swift
/// var table = TractionProtocol.intermittent(cycles: 15, pull: .bodyWeightFraction(0.45),
///                                           hold: 60, rest: 30, restLevel: 0.5,
///                                           ramp: .logarithmic(duration: 15))
/// table.preload = .init(force: .newtons(17), ramp: 10, duration: 60)
/// table.intermittent?.hold = 90                       // edit in place
/// let plan = try table.resolve(bodyMassKg: 80)        // 353.16 N peak
/// plan.reportWindows                                  // one window (s) per cycle
/// ```
///
/// **JSON** (the model file embeds it as `"protocol": {...}`; every key is required unless marked
/// optional, unknown keys are refused). Exactly one pattern key:
/// - `"static": {"pull": F, "ramp": R, "hold": s, "release": R?}`
/// - `"intermittent": {"cycles": n, "pull": F, "hold": s, "rest": s, "restLevel": f, "rampUp": R, "rampDown": R}`
/// - `"steps": {"levels": [{"force": F, "hold": s}, …], "ramp": R, "release": R?}`
/// - `"custom": {"times": [s, …], "forces": [N or fraction, …], "unit": "newtons" | "bodyWeightFraction"}`
///
/// and optionally `"preload": {"force": F, "ramp": s, "duration": s}`, `"pullAngle": degrees`,
/// `"table": {"split": {}}` or `{"nonSplit": {"frictionCoefficient": μ}}`, `"harness": "pelvic" |
/// "thoracoPelvic" | "cervical"`. A force `F` is `{"newtons": N}` or `{"bodyWeightFraction": f}`; a ramp
/// `R` is `{"shape": "linear", "duration": s}` or `{"shape": "logarithmic", "duration": s,
/// "segments": n, "curvature": a}`. Error paths (``TractionProtocolError/path``) are these JSON paths
/// under `protocol`.
public struct TractionProtocol: Sendable, Equatable {
    /// The traction force pattern (what happens after the preload).
    public var pattern: Pattern
    /// The lying preload before traction, or nil for none.
    public var preload: Preload?
    /// Pull angle (degrees) of the rope to the table's long axis in the sagittal plane, flexion positive;
    /// nil = not stated. Valid: finite, −90 < angle < 90. Stored for the scenarios; not used by the generator.
    public var pullAngle: Double?
    /// The table the patient lies on (split or not, with the lower body's friction), nil = not stated.
    /// Stored for the scenarios; not used by the generator.
    public var table: TableConfiguration?
    /// The harness the pull acts through, nil = not stated. Stored for the scenarios; not used by the generator.
    public var harness: Harness?

    /// A protocol from its parts.
    public init(pattern: Pattern, preload: Preload? = nil, pullAngle: Double? = nil,
                table: TableConfiguration? = nil, harness: Harness? = nil) {
        self.pattern = pattern
        self.preload = preload
        self.pullAngle = pullAngle
        self.table = table
        self.harness = harness
    }

    // MARK: - Parts

    /// A force (N), given in newtons or as a fraction of the patient's body weight.
    public enum Force: Sendable, Equatable, Hashable {
        /// A force in N.
        case newtons(Double)
        /// A fraction of body weight (dimensionless, 0 < f ≤ 1): `f × bodyMassKg × 9.81` N.
        case bodyWeightFraction(Double)

        /// Standard gravity (m/s²) used to turn a body mass into a weight.
        public static let gravity = 9.81

        /// The force in N. `path` names the property in errors.
        /// - Throws: ``TractionProtocolError`` for a non-finite or non-positive force, a fraction outside
        ///   (0, 1], a fraction without `bodyMassKg`, or an invalid body mass.
        public func newtons(bodyMassKg: Double?, path: String) throws(TractionProtocolError) -> Double {
            switch self {
            case let .newtons(x):
                guard x.isFinite, x > 0 else { throw .invalidValue(path: path, value: x, expected: "a finite force > 0 N") }
                return x
            case let .bodyWeightFraction(f):
                guard f.isFinite, f > 0, f <= 1 else {
                    throw .invalidValue(path: path, value: f, expected: "a body-weight fraction in (0, 1]")
                }
                guard let m = bodyMassKg else { throw .bodyMassRequired(path: path) }
                guard m.isFinite, m > 0 else { throw .invalidBodyMass(value: m) }
                return f * m * Self.gravity
            }
        }

        /// Checks the number without resolving a body-weight fraction.
        func validate(path: String) throws(TractionProtocolError) {
            switch self {
            case let .newtons(x):
                guard x.isFinite, x > 0 else { throw .invalidValue(path: path, value: x, expected: "a finite force > 0 N") }
            case let .bodyWeightFraction(f):
                guard f.isFinite, f > 0, f <= 1 else {
                    throw .invalidValue(path: path, value: f, expected: "a body-weight fraction in (0, 1]")
                }
            }
        }
    }

    /// How a force changes from one level to another over `duration` (s).
    ///
    /// **Logarithmic.** Computer-controlled decompression tables advertise "logarithmic" ramps — fast
    /// at first, then slowing as the force nears its target — but no published formula defines one,
    /// so the shape is a parameter. Going from level `A` to level `B` (N) over `T` (s):
    ///
    ///     F(t) = A + (B − A) · ln(1 + a·t/T) / ln(1 + a),   0 ≤ t ≤ T,
    ///
    /// with curvature `a > 0` (default `e − 1`, which makes the denominator 1: the initial slope is
    /// `a/ln(1+a)` = 1.72 times and the final slope `a/((1+a)ln(1+a))` = 0.63 times the linear one).
    /// The same form is used up and down (a release drops fast first). A `LoadCurve` is piecewise
    /// linear, so the ramp is discretised into `segments` equal-time pieces whose ends are curve
    /// corners (must-points). The interpolation error of a piece of width `h = T/N` is at most
    /// `h²/8 · max|F''|`, and `|F''|` is largest at `t = 0`, so
    ///
    ///     max |F_linear − F| ≤ |B − A| · a² / (8 N² ln(1 + a))
    ///
    /// (``maximumInterpolationError(segments:curvature:)``; for `a = e − 1`: `0.369 · |B − A| / N²`,
    /// 0.58 % of the force change at the default 8 segments).
    public struct Ramp: Sendable, Equatable, Hashable {
        /// The curve's shape.
        public enum Shape: Sendable, Equatable, Hashable {
            /// Straight line.
            case linear
            /// `ln(1 + a·t/T)/ln(1 + a)` with curvature `a` (dimensionless, > 0, finite), discretised into
            /// `segments` pieces (1 … 1000).
            case logarithmic(segments: Int, curvature: Double)
        }

        /// Ramp time (s), > 0.
        public var duration: Double
        /// The shape.
        public var shape: Shape

        /// A ramp of `duration` (s) with `shape`.
        public init(duration: Double, shape: Shape) {
            self.duration = duration
            self.shape = shape
        }

        /// A straight ramp of `duration` (s).
        public static func linear(duration: Double) -> Ramp { Ramp(duration: duration, shape: .linear) }

        /// A logarithmic ramp of `duration` (s) in `segments` linear pieces with curvature `curvature`
        /// (default `e − 1`; see the type's discussion).
        public static func logarithmic(duration: Double, segments: Int = defaultSegments,
                                       curvature: Double = defaultCurvature) -> Ramp {
            Ramp(duration: duration, shape: .logarithmic(segments: segments, curvature: curvature))
        }

        /// Default number of linear pieces of a logarithmic ramp (max error 0.58 % of the force change).
        public static let defaultSegments = 8
        /// Default curvature `a = e − 1` of a logarithmic ramp (dimensionless).
        public static let defaultCurvature = M_E - 1
        /// Largest number of linear pieces of a logarithmic ramp.
        public static let maximumSegments = 1000

        /// The ramp's progress (0 at `t = 0`, 1 at `t = 1`) at the fraction `s` ∈ [0, 1] of its duration,
        /// exact (not discretised).
        public func progress(atFraction s: Double) -> Double {
            switch shape {
            case .linear: return s
            case let .logarithmic(_, a): return Foundation.log1p(a * s) / Foundation.log1p(a)
            }
        }

        /// Bound on `|piecewise-linear − exact| / |B − A|` of a logarithmic ramp discretised into
        /// `segments` equal-time pieces: `a² / (8 N² ln(1 + a))` (dimensionless).
        public static func maximumInterpolationError(segments: Int, curvature: Double = defaultCurvature) -> Double {
            curvature * curvature / (8 * Double(segments * segments) * Foundation.log1p(curvature))
        }

        /// Fractions of the duration (0 < s ≤ 1, increasing, last = 1) where the discretised ramp has corners.
        var cornerFractions: [Double] {
            switch shape {
            case .linear: return [1]
            case let .logarithmic(n, _): return (1...n).map { $0 == n ? 1 : Double($0) / Double(n) }
            }
        }

        func validate(path: String) throws(TractionProtocolError) {
            guard duration.isFinite, duration > 0 else {
                throw .invalidValue(path: path + ".duration", value: duration, expected: "a finite ramp time > 0 s")
            }
            if case let .logarithmic(n, a) = shape {
                guard (1...Self.maximumSegments).contains(n) else {
                    throw .invalidCount(path: path + ".segments", count: n, expected: "1 … \(Self.maximumSegments) linear pieces")
                }
                guard a.isFinite, a > 0 else {
                    throw .invalidValue(path: path + ".curvature", value: a, expected: "a finite curvature > 0")
                }
            }
        }
    }

    /// The lying preload applied before traction: a compressive force (N, stated as a positive
    /// magnitude) ramped linearly over `ramp` (s) and held until `duration` (s); it stays applied
    /// during traction (the table pull adds to it).
    public struct Preload: Sendable, Equatable, Hashable {
        /// Compressive force (N, > 0) or body-weight fraction.
        public var force: Force
        /// Linear ramp time (s), 0 < ramp ≤ duration.
        public var ramp: Double
        /// Length of the preload phase (s), after which traction starts.
        public var duration: Double

        /// A preload of `force` ramped over `ramp` (s) and held to `duration` (s).
        public init(force: Force, ramp: Double, duration: Double) {
            self.force = force
            self.ramp = ramp
            self.duration = duration
        }
    }

    /// The table the patient lies on.
    public enum TableConfiguration: Sendable, Equatable, Hashable {
        /// A split (friction-free) table: the lower section slides with the pull.
        case split
        /// A one-piece table: the lower body's friction (coefficient μ, dimensionless, 0 ≤ μ ≤ 2) takes
        /// part of the pull before the lumbar spine sees it.
        case nonSplit(frictionCoefficient: Double)
    }

    /// The harness through which the table pulls.
    public enum Harness: String, Sendable, Equatable, Hashable, CaseIterable {
        /// Pelvic harness, thorax held by a counter-harness or armrests (lumbar traction).
        case pelvic
        /// Thoracic and pelvic harnesses (lumbar traction).
        case thoracoPelvic
        /// Head halter or occipital cradle (cervical traction).
        case cervical
    }

    /// Unit of a custom curve's force values.
    public enum ForceUnit: String, Sendable, Equatable, Hashable, CaseIterable {
        /// Values in N.
        case newtons
        /// Values are fractions of body weight (0 … 1).
        case bodyWeightFraction
    }

    /// What the table does after the preload.
    public enum Pattern: Sendable, Equatable {
        /// Ramp to the pull force and hold it (``TractionProtocol/Static``).
        case `static`(Static)
        /// Ramp–hold–release–rest cycles.
        case intermittent(Intermittent)
        /// Force levels, each held.
        case steps(Steps)
        /// A force–time curve given point by point.
        case custom(CustomCurve)
    }

    /// Static (sustained) traction: ramp from 0 to `pull` over `ramp`, hold for `hold` (s), then
    /// release to 0 over `release` (or end at the end of the hold when nil).
    public struct Static: Sendable, Equatable {
        /// Pull force.
        public var pull: Force
        /// Ramp up from 0.
        public var ramp: Ramp
        /// Hold time (s), > 0.
        public var hold: Double
        /// Release to 0 after the hold, or nil to end while pulling.
        public var release: Ramp?

        /// A static pattern.
        public init(pull: Force, ramp: Ramp, hold: Double, release: Ramp? = nil) {
            self.pull = pull; self.ramp = ramp; self.hold = hold; self.release = release
        }
    }

    /// Intermittent traction: `cycles` cycles of ramp up (`rampUp`), hold `hold` (s) at `pull`, ramp down
    /// (`rampDown`) to `restLevel × pull`, rest `rest` (s). The first ramp starts from 0 N and the last
    /// ramp down ends at 0 N (a session ends released); in between, force falls to the rest level
    /// (clinical tables rest at about half the pull). Report window `i` (s) is cycle `i` from the start
    /// of its ramp up to the end of its rest.
    public struct Intermittent: Sendable, Equatable {
        /// Number of cycles, ≥ 1.
        public var cycles: Int
        /// Pull (hold) force.
        public var pull: Force
        /// Hold time at the pull (s), > 0.
        public var hold: Double
        /// Rest time between the ramp down and the next ramp up (s), > 0.
        public var rest: Double
        /// Rest force as a fraction of the pull (dimensionless, 0 … 1).
        public var restLevel: Double
        /// Ramp from the rest level (from 0 in the first cycle) to the pull.
        public var rampUp: Ramp
        /// Ramp from the pull to the rest level (to 0 in the last cycle).
        public var rampDown: Ramp

        /// An intermittent pattern.
        public init(cycles: Int, pull: Force, hold: Double, rest: Double, restLevel: Double = 0,
                    rampUp: Ramp, rampDown: Ramp) {
            self.cycles = cycles; self.pull = pull; self.hold = hold; self.rest = rest
            self.restLevel = restLevel; self.rampUp = rampUp; self.rampDown = rampDown
        }

        /// Length of one cycle (s): ramp up + hold + ramp down + rest.
        public var period: Double { rampUp.duration + hold + rampDown.duration + rest }
    }

    /// Progressive (rising) or regressive (falling) steps: from 0, ramp (`ramp`) to each level's force
    /// and hold it for its `hold` (s), then release to 0 over `release` (or end at the last hold when
    /// nil). Report window `i` (s) runs from the start of the ramp into level `i` to the start of the
    /// ramp into level `i + 1` (the last one to the end of the release).
    public struct Steps: Sendable, Equatable {
        /// One level.
        public struct Level: Sendable, Equatable, Hashable {
            /// The force held.
            public var force: Force
            /// Hold time (s), > 0.
            public var hold: Double
            /// A level of `force` held `hold` (s).
            public init(force: Force, hold: Double) { self.force = force; self.hold = hold }
        }

        /// The levels in the order applied (≥ 1).
        public var levels: [Level]
        /// Ramp between consecutive levels (and from 0 to the first).
        public var ramp: Ramp
        /// Release to 0 after the last level, or nil to end while pulling.
        public var release: Ramp?

        /// A steps pattern.
        public init(levels: [Level], ramp: Ramp, release: Ramp? = nil) {
            self.levels = levels; self.ramp = ramp; self.release = release
        }
    }

    /// A custom force–time curve: `forces[i]` (in `unit`) at `times[i]` (s after the preload),
    /// linear between points, the last value held after the last point. It must start at
    /// `[0, 0]` (no jump at the start of traction), times strictly increasing, forces ≥ 0 with a
    /// maximum > 0. One report window spans the whole curve.
    public struct CustomCurve: Sendable, Equatable {
        /// Point times (s) from the start of traction, strictly increasing, first = 0.
        public var times: [Double]
        /// Force at each time, in `unit` (N or body-weight fraction), ≥ 0, first = 0.
        public var forces: [Double]
        /// The unit of `forces`.
        public var unit: ForceUnit

        /// A custom curve.
        public init(times: [Double], forces: [Double], unit: ForceUnit = .newtons) {
            self.times = times; self.forces = forces; self.unit = unit
        }
    }

    // MARK: - Factories

    /// Static traction: ramp to `pull`, hold `hold` (s), optional release. See ``Static``.
    public static func `static`(pull: Force, ramp: Ramp, hold: Double, release: Ramp? = nil,
                                preload: Preload? = nil) -> TractionProtocol {
        TractionProtocol(pattern: .static(Static(pull: pull, ramp: ramp, hold: hold, release: release)), preload: preload)
    }

    /// Intermittent traction. `ramp` is the ramp up, and the ramp down too unless `rampDown` is given.
    /// See ``Intermittent``.
    public static func intermittent(cycles: Int, pull: Force, hold: Double, rest: Double, restLevel: Double = 0,
                                    ramp: Ramp, rampDown: Ramp? = nil, preload: Preload? = nil) -> TractionProtocol {
        TractionProtocol(pattern: .intermittent(Intermittent(cycles: cycles, pull: pull, hold: hold, rest: rest,
                                                             restLevel: restLevel, rampUp: ramp, rampDown: rampDown ?? ramp)),
                         preload: preload)
    }

    /// Progressive or regressive steps. See ``Steps``.
    public static func steps(levels: [Steps.Level], ramp: Ramp, release: Ramp? = nil,
                             preload: Preload? = nil) -> TractionProtocol {
        TractionProtocol(pattern: .steps(Steps(levels: levels, ramp: ramp, release: release)), preload: preload)
    }

    /// A custom force–time curve. See ``CustomCurve``.
    public static func custom(times: [Double], forces: [Double], unit: ForceUnit = .newtons,
                              preload: Preload? = nil) -> TractionProtocol {
        TractionProtocol(pattern: .custom(CustomCurve(times: times, forces: forces, unit: unit)), preload: preload)
    }

    /// The default disc model's protocol: 17 N lying preload (10 s ramp, held to 60 s), then 3 cycles
    /// of 110 N (10 s linear ramps, 60 s hold, 30 s rest at 0 N).
    public static let defaultDisc = TractionProtocol.intermittent(
        cycles: 3, pull: .newtons(110), hold: 60, rest: 30, restLevel: 0, ramp: .linear(duration: 10),
        preload: Preload(force: .newtons(17), ramp: 10, duration: 60))

    // MARK: - Editing in place

    /// The intermittent pattern, or nil for another pattern; `proto.intermittent?.hold = 90` edits in
    /// place. Assigning a value makes the pattern intermittent; assigning nil leaves the pattern as is.
    public var intermittent: Intermittent? {
        get { if case let .intermittent(p) = pattern { return p } else { return nil } }
        set { if let p = newValue { pattern = .intermittent(p) } }
    }

    /// The static pattern, or nil for another pattern (see ``intermittent``).
    public var staticPattern: Static? {
        get { if case let .static(p) = pattern { return p } else { return nil } }
        set { if let p = newValue { pattern = .static(p) } }
    }

    /// The steps pattern, or nil for another pattern (see ``intermittent``).
    public var stepsPattern: Steps? {
        get { if case let .steps(p) = pattern { return p } else { return nil } }
        set { if let p = newValue { pattern = .steps(p) } }
    }

    /// The custom curve, or nil for another pattern (see ``intermittent``).
    public var customCurve: CustomCurve? {
        get { if case let .custom(p) = pattern { return p } else { return nil } }
        set { if let p = newValue { pattern = .custom(p) } }
    }

    // MARK: - Validation

    /// Checks every number of the protocol (without resolving body-weight fractions).
    /// - Throws: ``TractionProtocolError`` naming the first offending property.
    public func validate() throws(TractionProtocolError) {
        let root = "protocol"
        if let p = preload {
            try p.force.validate(path: root + ".preload.force")
            guard p.duration.isFinite, p.duration > 0 else {
                throw .invalidValue(path: root + ".preload.duration", value: p.duration, expected: "a finite duration > 0 s")
            }
            guard p.ramp.isFinite, p.ramp > 0, p.ramp <= p.duration else {
                throw .invalidValue(path: root + ".preload.ramp", value: p.ramp,
                                    expected: "a finite ramp time in (0, \(p.duration)] s (0 < ramp ≤ preload.duration)")
            }
        }
        if let a = pullAngle {
            guard a.isFinite, a > -90, a < 90 else {
                throw .invalidValue(path: root + ".pullAngle", value: a, expected: "a finite angle in (-90, 90) degrees")
            }
        }
        if case let .nonSplit(mu)? = table {
            guard mu.isFinite, mu >= 0, mu <= 2 else {
                throw .invalidValue(path: root + ".table.nonSplit.frictionCoefficient", value: mu,
                                    expected: "a finite friction coefficient in [0, 2]")
            }
        }
        func positiveTime(_ x: Double, _ path: String, _ what: String) throws(TractionProtocolError) {
            guard x.isFinite, x > 0 else { throw .invalidValue(path: path, value: x, expected: "a finite \(what) > 0 s") }
        }
        switch pattern {
        case let .static(s):
            let p = root + ".static"
            try s.pull.validate(path: p + ".pull")
            try s.ramp.validate(path: p + ".ramp")
            try positiveTime(s.hold, p + ".hold", "hold time")
            try s.release?.validate(path: p + ".release")
        case let .intermittent(s):
            let p = root + ".intermittent"
            guard s.cycles >= 1 else { throw .invalidCount(path: p + ".cycles", count: s.cycles, expected: "at least 1 cycle") }
            try s.pull.validate(path: p + ".pull")
            try positiveTime(s.hold, p + ".hold", "hold time")
            try positiveTime(s.rest, p + ".rest", "rest time")
            guard s.restLevel.isFinite, s.restLevel >= 0, s.restLevel <= 1 else {
                throw .invalidValue(path: p + ".restLevel", value: s.restLevel, expected: "a fraction of the pull in [0, 1]")
            }
            try s.rampUp.validate(path: p + ".rampUp")
            try s.rampDown.validate(path: p + ".rampDown")
            let end = Double(s.cycles) * s.period
            guard end.isFinite else {
                throw .invalidValue(path: p + ".cycles", value: Double(s.cycles), expected: "a finite protocol length (cycles × period)")
            }
        case let .steps(s):
            let p = root + ".steps"
            guard !s.levels.isEmpty else { throw .invalidCount(path: p + ".levels", count: 0, expected: "at least 1 level") }
            for (i, l) in s.levels.enumerated() {
                try l.force.validate(path: p + ".levels[\(i)].force")
                try positiveTime(l.hold, p + ".levels[\(i)].hold", "hold time")
            }
            try s.ramp.validate(path: p + ".ramp")
            try s.release?.validate(path: p + ".release")
        case let .custom(c):
            let p = root + ".custom"
            guard c.times.count == c.forces.count else {
                throw .lengthMismatch(path: p + ".times", times: c.times.count, forces: c.forces.count)
            }
            guard c.times.count >= 2 else {
                throw .invalidCount(path: p + ".times", count: c.times.count, expected: "at least 2 points")
            }
            for (i, t) in c.times.enumerated() {
                guard t.isFinite else { throw .invalidValue(path: p + ".times[\(i)]", value: t, expected: "a finite time (s)") }
                if i == 0, t != 0 { throw .invalidValue(path: p + ".times[0]", value: t, expected: "0 s (the curve starts at the start of traction)") }
                if i > 0, !(t > c.times[i - 1]) {
                    throw .notIncreasing(path: p + ".times", index: i, time: t, previous: c.times[i - 1])
                }
            }
            let unitText = c.unit == .newtons ? "a finite force ≥ 0 N" : "a body-weight fraction in [0, 1]"
            for (i, f) in c.forces.enumerated() {
                guard f.isFinite, f >= 0, c.unit == .newtons || f <= 1 else {
                    throw .invalidValue(path: p + ".forces[\(i)]", value: f, expected: unitText)
                }
                if i == 0, f != 0 {
                    throw .invalidValue(path: p + ".forces[0]", value: f, expected: "0 (no force jump at the start of traction)")
                }
            }
            let peak = c.forces.max() ?? 0
            guard peak > 0 else { throw .invalidValue(path: p + ".forces", value: peak, expected: "a largest force > 0") }
        }
    }
}
