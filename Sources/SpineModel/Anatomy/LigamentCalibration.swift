import Foundation

/// Stiffness scale factors per ligament type, applied to a ``LigamentDataSet``.
///
/// A factor multiplies a ligament's per-spring stiffness, its large-strain stiffness (bilinear
/// curves) and its damping (so the damping-to-stiffness ratio, 0.003 s in Remus et al. 2021, is
/// kept). Failure force, failure strain, transition and reference strains are left unchanged:
/// a scaled ligament is stiffer or softer, not stronger. Types without a factor keep factor 1.
///
/// ```swift
/// let softer = try LigamentScaling(factors: [.flavum: 0.5]).apply(to: .remus2021)
/// ```
public struct LigamentScaling: Sendable, Equatable, Codable {
    /// Factor per ligament type (dimensionless, > 0).
    public var factors: [LigamentType: Double]

    /// Factors per ligament type (dimensionless); checked when applied.
    public init(factors: [LigamentType: Double]) { self.factors = factors }

    /// One factor for all seven ligament types.
    public static func global(_ factor: Double) -> LigamentScaling {
        LigamentScaling(factors: Dictionary(uniqueKeysWithValues: LigamentType.allCases.map { ($0, factor) }))
    }

    /// The factor of `type` (1 when none is set).
    public func factor(_ type: LigamentType) -> Double { factors[type] ?? 1 }

    /// Checks every factor.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` naming `scaling.<type>`.
    public func validate() throws {
        for type in LigamentType.allCases {
            if let f = factors[type], !(f.isFinite && f > 0) {
                throw AnatomyError.invalidValue(field: "scaling.\(type)", value: f, expected: "a finite factor > 0")
            }
        }
    }

    /// `set` with every ligament of `levels` scaled (see the type's discussion).
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` for a factor that is not
    ///   finite and positive.
    public func apply(to set: LigamentDataSet, levels: Set<LumbarLevel> = Set(LumbarLevel.allCases)) throws -> LigamentDataSet {
        try validate()
        var out = set
        for level in levels {
            guard let row = set.entries[level] else { continue }
            for (type, p) in row {
                out.entries[level]?[type] = p.scaled(by: factor(type))
            }
        }
        return out
    }
}

extension LigamentProperties {
    /// These properties with stiffness, large-strain stiffness and damping times `factor`.
    public func scaled(by factor: Double) -> LigamentProperties {
        var p = self
        p.stiffnessPerSpring *= factor
        p.dampingPerSpring *= factor
        if case let .bilinear(t, k2) = curve { p.curve = .bilinear(transitionStrain: t, largeStrainStiffness: k2 * factor) }
        return p
    }
}

/// Why a ligament calibration stopped without a result.
public enum LigamentCalibrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A target range of motion is not finite and positive (degrees).
    case invalidTarget(direction: MotionDirection, value: Double)
    /// The ligament groups are unusable: `reason` says how (empty, shared, missing for a target).
    case invalidGroups(reason: String)
    /// A calibration setting is out of range.
    case invalidSetting(name: String, value: Double, expected: String)
    /// The range-of-motion function returned no value for a direction that has a target.
    case missingRangeOfMotion(direction: MotionDirection)
    /// The range-of-motion function returned a value that is not finite and positive (degrees).
    case invalidRangeOfMotion(direction: MotionDirection, value: Double)
    /// The target cannot be reached within the factor range: at the limiting `factor` of the
    /// direction's group (the other groups at their current factors) the range of motion is
    /// still `closest` (degrees).
    case targetOutOfReach(direction: MotionDirection, target: Double, closest: Double, factor: Double)
    /// The iteration stopped after `sweeps` sweeps with these relative residuals
    /// `(ROM − target)/target` (dimensionless).
    case noConvergence(sweeps: Int, residuals: [MotionDirection: Double])

    public var description: String {
        switch self {
        case let .invalidTarget(d, v): return "calibration target \(d): expected a range of motion > 0 degrees, got \(v)"
        case let .invalidGroups(reason): return "calibration groups: \(reason)"
        case let .invalidSetting(name, v, expected): return "calibration.\(name): expected \(expected), got \(v)"
        case let .missingRangeOfMotion(d): return "range-of-motion function: no value for \(d)"
        case let .invalidRangeOfMotion(d, v): return "range-of-motion function: \(d) expected a finite angle > 0 degrees, got \(v)"
        case let .targetOutOfReach(d, t, c, f):
            return "calibration target \(d) = \(t)° out of reach: at the limiting factor \(f) the range of motion is \(c)°"
        case let .noConvergence(n, r):
            let list = MotionDirection.allCases.compactMap { d in r[d].map { "\(d) \($0)" } }.joined(separator: ", ")
            return "calibration did not converge in \(n) sweeps; relative residuals: \(list)"
        }
    }
}

/// The outcome of a calibration: the factors, the calibrated set and its ranges of motion.
public struct LigamentCalibrationResult: Sendable, Equatable {
    /// The factors found (dimensionless); types not calibrated have none.
    public var scaling: LigamentScaling
    /// The calibrated data set (the input scaled by ``scaling``).
    public var set: LigamentDataSet
    /// The ranges of motion of ``set`` (degrees), as the caller's function returned them.
    public var rangeOfMotion: [MotionDirection: Double]
    /// Number of calls of the range-of-motion function.
    public var evaluations: Int
    /// Number of Gauss–Seidel sweeps over the directions.
    public var sweeps: Int
}

/// Scales a ligament data set so that a caller-supplied range-of-motion function meets target
/// ranges of motion.
///
/// Each target direction owns a group of ligament types (``groups``, disjoint) whose stiffness is
/// scaled by one factor `f` (``LigamentScaling``). The factors are found by Gauss–Seidel sweeps
/// over the directions; each sweep solves, for one direction with the other factors fixed, the
/// scalar equation `ln ROM(f) = ln target` in `u = ln f` by a secant step, bracket expansion and
/// the Illinois variant of regula falsi (Dowell & Jarratt 1971, BIT 11:168–174), which converges
/// whenever the range of motion is continuous and decreasing in the group's stiffness. Iteration
/// ends when every relative residual `|ROM − target|/target` is at most ``relativeTolerance``.
///
/// **Default groups** (an assumption of this library: the ligament that dominates each
/// direction's resistance): flexion — ISL, SSL, LF, PLL; extension — ALL; lateral bending — ITL;
/// axial rotation — CL. Pass other groups for another choice; ``LigamentCalibration/global``
/// scales all seven together against one direction.
///
/// The range-of-motion function is the caller's (typically a motion-segment simulation under
/// the pure moments of the reference data, ``RangeOfMotionReference``); it is called with a
/// candidate set and returns degrees per direction.
///
/// ```swift
/// let cal = try LigamentCalibration()
/// let result = try cal.calibrate(.remus2021, targets: [.flexion: 8.9, .extension: 5.8]) { set in
///     try myModel.rangeOfMotion(set)        // [MotionDirection: Double], degrees
/// }
/// result.scaling.factor(.interspinous)
/// ```
public struct LigamentCalibration: Sendable {
    /// The ligament types scaled together for each direction (disjoint); the groups of
    /// directions without a target are left unscaled.
    public var groups: [MotionDirection: [LigamentType]]
    /// The levels whose ligaments are scaled.
    public var levels: Set<LumbarLevel>
    /// Admissible factors (dimensionless, containing 1); a target that needs a factor outside is
    /// out of reach.
    public var factorRange: ClosedRange<Double>
    /// Convergence criterion on `|ROM − target|/target` for every direction (dimensionless).
    public var relativeTolerance: Double
    /// Maximum number of sweeps over the directions.
    public var maxSweeps: Int
    /// Maximum number of function calls in one scalar solve.
    public var maxIterationsPerSolve: Int

    /// The default direction-dominant groups (see the type's discussion).
    public static let defaultGroups: [MotionDirection: [LigamentType]] = [
        .flexion: [.interspinous, .supraspinous, .flavum, .posteriorLongitudinal],
        .extension: [.anteriorLongitudinal],
        .lateralBending: [.intertransverse],
        .axialRotation: [.capsular],
    ]

    /// A calibration; the settings are checked here.
    /// - Throws: ``LigamentCalibrationError/invalidGroups(reason:)`` for an empty or shared
    ///   group, ``LigamentCalibrationError/invalidSetting(name:value:expected:)`` for a bad setting.
    public init(groups: [MotionDirection: [LigamentType]] = LigamentCalibration.defaultGroups,
                levels: Set<LumbarLevel> = Set(LumbarLevel.allCases), factorRange: ClosedRange<Double> = 0.01...100,
                relativeTolerance: Double = 1e-6, maxSweeps: Int = 50, maxIterationsPerSolve: Int = 60) throws {
        var seen: [LigamentType: MotionDirection] = [:]
        for d in MotionDirection.allCases {
            guard let g = groups[d] else { continue }
            guard !g.isEmpty else { throw LigamentCalibrationError.invalidGroups(reason: "the group of \(d) is empty") }
            for t in g {
                if let other = seen[t] { throw LigamentCalibrationError.invalidGroups(reason: "\(t) is in the groups of both \(other) and \(d)") }
                seen[t] = d
            }
        }
        guard !levels.isEmpty else { throw LigamentCalibrationError.invalidGroups(reason: "no level to scale") }
        // The iteration starts from the unscaled set (factor 1), which must lie in the range.
        guard factorRange.lowerBound.isFinite, factorRange.lowerBound > 0, factorRange.lowerBound <= 1 else {
            throw LigamentCalibrationError.invalidSetting(name: "factorRange.lowerBound", value: factorRange.lowerBound, expected: "a finite factor in (0, 1]")
        }
        guard factorRange.upperBound.isFinite, factorRange.upperBound >= 1, factorRange.upperBound > factorRange.lowerBound else {
            throw LigamentCalibrationError.invalidSetting(name: "factorRange.upperBound", value: factorRange.upperBound,
                                                          expected: "a finite factor ≥ 1 above the lower bound")
        }
        guard relativeTolerance.isFinite, relativeTolerance > 0, relativeTolerance < 1 else {
            throw LigamentCalibrationError.invalidSetting(name: "relativeTolerance", value: relativeTolerance, expected: "a tolerance in (0, 1)")
        }
        guard maxSweeps >= 1 else { throw LigamentCalibrationError.invalidSetting(name: "maxSweeps", value: Double(maxSweeps), expected: "at least 1") }
        guard maxIterationsPerSolve >= 2 else {
            throw LigamentCalibrationError.invalidSetting(name: "maxIterationsPerSolve", value: Double(maxIterationsPerSolve), expected: "at least 2")
        }
        self.groups = groups; self.levels = levels; self.factorRange = factorRange
        self.relativeTolerance = relativeTolerance; self.maxSweeps = maxSweeps; self.maxIterationsPerSolve = maxIterationsPerSolve
    }

    /// A calibration that scales all seven ligament types by one factor to meet `direction`.
    /// - Throws: as ``init(groups:levels:factorRange:relativeTolerance:maxSweeps:maxIterationsPerSolve:)``.
    public static func global(_ direction: MotionDirection, levels: Set<LumbarLevel> = Set(LumbarLevel.allCases),
                              factorRange: ClosedRange<Double> = 0.01...100, relativeTolerance: Double = 1e-6) throws -> LigamentCalibration {
        try LigamentCalibration(groups: [direction: LigamentType.allCases], levels: levels, factorRange: factorRange, relativeTolerance: relativeTolerance)
    }

    /// Scales `set` so that `rangeOfMotion` meets `targets` (degrees) within ``relativeTolerance``.
    ///
    /// - Parameters:
    ///   - set: the data set to scale (its factors start at 1).
    ///   - targets: target range of motion per direction (degrees); each needs a group.
    ///   - rangeOfMotion: the caller's model: range of motion (degrees) per direction of a set.
    /// - Throws: ``LigamentCalibrationError`` (a target out of reach names the direction, the
    ///   limiting factor and the closest range of motion), ``AnatomyError`` from scaling, and any
    ///   error of `rangeOfMotion`.
    public func calibrate(_ set: LigamentDataSet, targets: [MotionDirection: Double],
                          rangeOfMotion: (LigamentDataSet) throws -> [MotionDirection: Double]) throws -> LigamentCalibrationResult {
        let directions = MotionDirection.allCases.filter { targets[$0] != nil }
        guard !directions.isEmpty else { throw LigamentCalibrationError.invalidGroups(reason: "no target given") }
        for d in directions {
            let t = targets[d]!
            guard t.isFinite, t > 0 else { throw LigamentCalibrationError.invalidTarget(direction: d, value: t) }
            guard groups[d] != nil else { throw LigamentCalibrationError.invalidGroups(reason: "no ligament group for the target \(d)") }
        }
        let lnLo = log(factorRange.lowerBound), lnHi = log(factorRange.upperBound)
        var u: [MotionDirection: Double] = Dictionary(uniqueKeysWithValues: directions.map { ($0, 0.0) })
        var evaluations = 0
        var memo: (key: [Double], rom: [MotionDirection: Double])?

        func factor(_ lnF: Double) -> Double {
            lnF <= lnLo ? factorRange.lowerBound : (lnF >= lnHi ? factorRange.upperBound : exp(lnF))
        }
        func scaling(_ u: [MotionDirection: Double]) -> LigamentScaling {
            var f: [LigamentType: Double] = [:]
            for d in directions { for t in groups[d]! { f[t] = factor(u[d]!) } }
            return LigamentScaling(factors: f)
        }
        func evaluate(_ u: [MotionDirection: Double]) throws -> [MotionDirection: Double] {
            let key = directions.map { u[$0]! }
            if let memo, memo.key == key { return memo.rom }
            let rom = try rangeOfMotion(scaling(u).apply(to: set, levels: levels))
            evaluations += 1
            for d in directions {
                guard let v = rom[d] else { throw LigamentCalibrationError.missingRangeOfMotion(direction: d) }
                guard v.isFinite, v > 0 else { throw LigamentCalibrationError.invalidRangeOfMotion(direction: d, value: v) }
            }
            memo = (key, rom)
            return rom
        }
        func residuals(_ rom: [MotionDirection: Double]) -> [MotionDirection: Double] {
            Dictionary(uniqueKeysWithValues: directions.map { ($0, (rom[$0]! - targets[$0]!) / targets[$0]!) })
        }
        let lnTol = log1p(relativeTolerance) * 0.5

        for sweep in 1...maxSweeps {
            for d in directions {
                let lnTarget = log(targets[d]!)
                var trial = u
                func g(_ x: Double) throws -> Double {
                    trial[d] = x
                    return log(try evaluate(trial)[d]!) - lnTarget
                }
                u[d] = try solveScalar(d, target: targets[d]!, from: u[d]!, g0: g(u[d]!), lower: lnLo, upper: lnHi, tolerance: lnTol, g: g)
            }
            let rom = try evaluate(u)
            let r = residuals(rom)
            if directions.allSatisfy({ abs(r[$0]!) <= relativeTolerance }) {
                let s = scaling(u)
                return LigamentCalibrationResult(scaling: s, set: try s.apply(to: set, levels: levels), rangeOfMotion: rom,
                                                 evaluations: evaluations, sweeps: sweep)
            }
            if sweep == maxSweeps { throw LigamentCalibrationError.noConvergence(sweeps: sweep, residuals: r) }
        }
        preconditionFailure("unreachable: the last sweep returns or throws")
    }

    /// Solves `g(x) = ln ROM − ln target = 0` on `[lower, upper]` from `x0` (where `g(x0) = g0`)
    /// for a `g` that decreases in `x`; returns a root within `tolerance` on `g`, or the best
    /// point found in ``maxIterationsPerSolve`` calls.
    private func solveScalar(_ d: MotionDirection, target: Double, from x0: Double, g0: Double, lower: Double, upper: Double,
                             tolerance: Double, g: (Double) throws -> Double) throws -> Double {
        if abs(g0) <= tolerance { return x0 }
        func outOfReach(_ x: Double, _ gx: Double) -> LigamentCalibrationError {
            .targetOutOfReach(direction: d, target: target, closest: target * exp(gx),
                              factor: x <= lower ? factorRange.lowerBound : factorRange.upperBound)
        }
        // Bracket: a first step that assumes ROM ∝ 1/f (g falls by Δx), then secant steps
        // (at least doubling the step, at most ×4) until g changes sign or a bound is reached.
        var a = x0, ga = g0
        var b = min(max(x0 + g0, lower), upper)
        if b == a { throw outOfReach(a, ga) }
        var gb = try g(b)
        var calls = 1
        while (ga > 0) == (gb > 0) {
            if abs(gb) <= tolerance { return b }
            if b == lower || b == upper || calls >= maxIterationsPerSolve { throw outOfReach(b, gb) }
            let step = b - a
            var next = b + 2 * step
            let slope = (gb - ga) / step
            if slope.isFinite, slope < 0 {
                let secant = b - gb / slope
                next = b + min(max((secant - b) / step, 2), 4) * step
            }
            a = b; ga = gb
            b = min(max(next, lower), upper)
            gb = try g(b); calls += 1
        }
        if abs(gb) <= tolerance { return b }
        // Illinois regula falsi on [a, b]: wa, wb are the values used for interpolation (halved
        // when an end is kept twice), ga, gb the true ones.
        var wa = ga, wb = gb, kept = 0
        while calls < maxIterationsPerSolve {
            let c = (a * wb - b * wa) / (wb - wa)
            let gc = try g(c); calls += 1
            if abs(gc) <= tolerance { return c }
            if (gc > 0) == (gb > 0) {
                b = c; gb = gc; wb = gc
                if kept == 1 { wa *= 0.5 }
                kept = 1
            } else {
                a = c; ga = gc; wa = gc
                if kept == -1 { wb *= 0.5 }
                kept = -1
            }
        }
        return abs(ga) < abs(gb) ? a : b
    }
}
