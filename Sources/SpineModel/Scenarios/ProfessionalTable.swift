import Foundation

/// A professional, computer-controlled decompression table session as a value: the table's
/// ``TractionProtocol`` and the axial force and flexion moment that reach the treated level.
///
/// **Defaults and where they come from** (every one is a `var`):
/// - ``pullFraction`` 0.5 of body weight: "a minimum force of 40–50 % BW on a friction-free surface
///   is necessary to cause vertebral separation" (Saunders HomeTrac/STx brochure 2004, vendor
///   guidance); clinical trials used 1/5, 1/3 and 1/2 BW (BioMed Res Int 2021, article 2561502).
/// - ``cycles`` 15, ``hold`` 60 s, ``rest`` 30 s: the VAX-D protocol of 15 one-minute distractions
///   with 30 s relaxation (practitioner description, thesportschiropractor.com).
/// - ``restLevel`` 0.5 of the pull: the rest phase at about half the set force (Triton guidance;
///   VAX-D patent US 6,039,737, "rise to ≈ 50 % of maximum above baseline").
/// - ``ramp`` logarithmic (VAX-D patent US 6,039,737: "approximately logarithmic" rise; DRX9000
///   510(k) K060735: "logarithmic distraction tensions"), 15 s up and down — an **assumption** (no
///   published ramp time): it makes 15 cycles last 30 min, the session length of the VAX-D protocol.
///   The last ramp down ends at 0 N (DRX9000C-SL 510(k) K243366: the session ramps to zero).
/// - ``table`` split (friction-free: DRX5000 510(k) K023160 and VAX-D-type tables); a one-piece table
///   loses `μ × W_caudal` to friction with `μ ≈ 0.5` (clinical guidance on non-split tables).
/// - ``harness`` thoracic and pelvic (DRX5000 510(k) K023160: pelvic and chest harnesses); stored
///   only — the harness's loads on the ribs and pelvis are outside the model.
/// - ``pullAngle`` 0° (DRX5000 510(k) K023160 allows 0–30°).
/// - ``leverArm`` 100 mm — an **assumption** (no published value): the axial distance from the
///   level's centre to where the rope's line of action meets the pelvis.
///
/// **Force at the level** (N), for a table force `F` (N) at pull angle `α` above the table plane,
/// the weight caudal to the level `W_c = (1 − f_cranial) · m · g` (``BodySegmentFractions``) and the
/// friction coefficient `μ` (0 on a split table):
///
///     F_axial = max(0, F cos α − μ · W_c)
///     M_flexion = F sin α · d            (N·mm, d = leverArm in mm)
///
/// Both are upper bounds: the friction uses the full caudal weight (the rope's lift `F sin α` is not
/// subtracted from the normal force), and the whole transverse component is assumed to reach the
/// level as a flexion moment (the table's reaction under the pelvis is not redistributed).
/// Hysteresis of friction during the release is neglected.
///
/// ```swift
/// let table = ProfessionalTable()                                 // 0.5 BW, split, 15 × (60 s + 30 s)
/// let proto = try table.tractionProtocol()                        // drives a Simulation
/// let atLevel = try table.loadAtLevel(tableForce: 392.4, patient: p)   // N, N·mm
/// ```
public struct ProfessionalTable: Sendable, Equatable {
    /// Pull (hold) force as a fraction of body weight (dimensionless, in (0, 1]).
    public var pullFraction: Double
    /// Number of pull cycles (1 … 100).
    public var cycles: Int
    /// Hold time at the pull (s), > 0.
    public var hold: Double
    /// Rest time between cycles (s), > 0.
    public var rest: Double
    /// Rest force as a fraction of the pull (dimensionless, [0, 1]).
    public var restLevel: Double
    /// Ramp up (and down) between the rest level and the pull.
    public var ramp: TractionProtocol.Ramp
    /// Split (friction-free) or one-piece table.
    public var table: TractionProtocol.TableConfiguration
    /// The harness the table pulls through.
    public var harness: TractionProtocol.Harness
    /// Pull angle above the table plane (degrees, [0, 30]); flexion of the lumbar spine.
    public var pullAngle: Double
    /// Axial distance (mm, > 0) from the level's centre to where the rope's line of action meets the pelvis.
    public var leverArm: Double

    /// A session; every default is listed, with its source, in the type's discussion.
    public init(pullFraction: Double = 0.5, cycles: Int = 15, hold: Double = 60, rest: Double = 30, restLevel: Double = 0.5,
                ramp: TractionProtocol.Ramp = .logarithmic(duration: 15), table: TractionProtocol.TableConfiguration = .split,
                harness: TractionProtocol.Harness = .thoracoPelvic, pullAngle: Double = 0, leverArm: Double = 100) {
        self.pullFraction = pullFraction; self.cycles = cycles; self.hold = hold; self.rest = rest; self.restLevel = restLevel
        self.ramp = ramp; self.table = table; self.harness = harness; self.pullAngle = pullAngle; self.leverArm = leverArm
    }

    /// Friction coefficient of a one-piece table suggested by clinical guidance (dimensionless).
    public static let nonSplitFrictionCoefficient = 0.5

    /// Checks every number.
    /// - Throws: ``ScenarioError`` naming the property (`table.pullFraction`, …).
    public func validate() throws(ScenarioError) {
        try requireValue(pullFraction, in: Double.leastNonzeroMagnitude...1, "table.pullFraction", "a body-weight fraction in (0, 1]")
        try requireCount(cycles, in: 1...100, "table.cycles", "1 … 100 cycles")
        try requireValue(hold, above: 0, "table.hold", "a finite hold time > 0 s")
        try requireValue(rest, above: 0, "table.rest", "a finite rest time > 0 s")
        try requireValue(restLevel, in: 0...1, "table.restLevel", "a fraction of the pull in [0, 1]")
        try requireValue(ramp.duration, above: 0, "table.ramp.duration", "a finite ramp time > 0 s")
        if case let .logarithmic(n, a) = ramp.shape {
            try requireCount(n, in: 1...TractionProtocol.Ramp.maximumSegments, "table.ramp.segments", "1 … \(TractionProtocol.Ramp.maximumSegments) linear pieces")
            try requireValue(a, above: 0, "table.ramp.curvature", "a finite curvature > 0")
        }
        if case let .nonSplit(mu) = table {
            try requireValue(mu, in: 0...2, "table.table.nonSplit.frictionCoefficient", "a friction coefficient in [0, 2]")
        }
        try requireValue(pullAngle, in: 0...30, "table.pullAngle", "an angle in [0, 30] degrees (DRX5000 510(k) K023160)")
        try requireValue(leverArm, above: 0, "table.leverArm", "a finite lever arm > 0 mm")
    }

    /// The table's protocol: intermittent, the pull as a fraction of body weight (the table force, N,
    /// before friction), with the table, harness and pull angle stored.
    /// - Throws: ``ScenarioError`` for a bad property.
    public func tractionProtocol() throws(ScenarioError) -> TractionProtocol {
        try validate()
        var p = TractionProtocol.intermittent(cycles: cycles, pull: .bodyWeightFraction(pullFraction), hold: hold, rest: rest,
                                              restLevel: restLevel, ramp: ramp)
        p.table = table; p.harness = harness; p.pullAngle = pullAngle
        return p
    }

    /// The friction coefficient in use (0 on a split table).
    public var frictionCoefficient: Double {
        if case let .nonSplit(mu) = table { return mu }
        return 0
    }

    /// The load at the patient's level for a table force `tableForce` (N, ≥ 0); see the type's discussion.
    /// - Throws: ``ScenarioError`` for a bad property or a negative force.
    public func loadAtLevel(tableForce: Double, patient: Patient, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> TableLoadAtLevel {
        try validate()
        try requireValidPatient(patient)
        try requireValue(tableForce, in: 0...Double.greatestFiniteMagnitude, "tableForce", "a finite force ≥ 0 N")
        let alpha = pullAngle * .pi / 180
        let caudalWeight = (1 - fractions.fractionCranial(to: patient.level)) * patient.bodyWeight
        let friction = frictionCoefficient * caudalWeight
        let along = tableForce * cos(alpha)
        return TableLoadAtLevel(tableForce: tableForce, frictionLoss: min(along, friction), axialForce: max(0, along - friction),
                                flexionMoment: tableForce * sin(alpha) * leverArm)
    }

    /// The axial force and flexion moment at the level over the session: the table's force curve
    /// mapped through ``loadAtLevel(tableForce:patient:fractions:)``, with a point added where the
    /// table force crosses the friction (so the piecewise-linear history is exact).
    /// - Throws: ``ScenarioError`` for a bad property; a protocol error is reported under `table`.
    public func historyAtLevel(patient: Patient, fractions: BodySegmentFractions = .dempster) throws(ScenarioError) -> LevelLoadHistory {
        try requireValidPatient(patient)
        let resolved: ResolvedTractionProtocol
        do { resolved = try tractionProtocol().resolve(bodyMassKg: patient.bodyMassKg) } catch let e as ScenarioError { throw e } catch {
            throw .invalidValue(property: "table", value: pullFraction, expected: "a protocol that resolves (\(error))")
        }
        let curve = resolved.tractionForceCurve
        let alpha = pullAngle * .pi / 180
        let friction = frictionCoefficient * (1 - fractions.fractionCranial(to: patient.level)) * patient.bodyWeight
        var times: [Double] = [], forces: [Double] = []
        for i in curve.times.indices {
            if i > 0 {
                let (t0, f0, t1, f1) = (curve.times[i - 1], curve.values[i - 1], curve.times[i], curve.values[i])
                let a0 = f0 * cos(alpha) - friction, a1 = f1 * cos(alpha) - friction
                if friction > 0, (a0 < 0) != (a1 < 0), a0 != 0, a1 != 0 {
                    let s = a0 / (a0 - a1)
                    times.append(t0 + s * (t1 - t0)); forces.append(f0 + s * (f1 - f0))
                }
            }
            times.append(curve.times[i]); forces.append(curve.values[i])
        }
        var axial: [Double] = [], moment: [Double] = []
        for f in forces {
            let l = try loadAtLevel(tableForce: max(0, f), patient: patient, fractions: fractions)
            axial.append(l.axialForce); moment.append(l.flexionMoment)
        }
        return LevelLoadHistory(times: times, axialForce: axial, flexionMoment: moment, compressiveFollowerLoad: nil)
    }
}

/// The load a table force produces at the treated level.
public struct TableLoadAtLevel: Sendable, Equatable {
    /// Force the table applies (N).
    public var tableForce: Double
    /// Part of its axial component lost to the lower body's friction on a one-piece table (N).
    public var frictionLoss: Double
    /// Axial tension reaching the level (N).
    public var axialForce: Double
    /// Flexion moment at the level (N·mm).
    public var flexionMoment: Double
}

/// A load history at the treated level: time points and, at each, the axial tension, the flexion
/// moment and (inversion with guarding) a compressive follower load; piecewise linear between points.
public struct LevelLoadHistory: Sendable, Equatable {
    /// Times (s), increasing.
    public var times: [Double]
    /// Axial tension at each time (N, ≥ 0).
    public var axialForce: [Double]
    /// Flexion moment at each time (N·mm).
    public var flexionMoment: [Double]
    /// Compressive follower load of guarding muscles at each time (N, ≥ 0), nil when off.
    public var compressiveFollowerLoad: [Double]?

    /// Creates a value from its parts (units as documented on each property).
    public init(times: [Double], axialForce: [Double], flexionMoment: [Double], compressiveFollowerLoad: [Double]?) {
        self.times = times; self.axialForce = axialForce; self.flexionMoment = flexionMoment
        self.compressiveFollowerLoad = compressiveFollowerLoad
    }

    /// Largest axial tension (N).
    public var peakAxialForce: Double { axialForce.max() ?? 0 }

    /// The axial tension as a custom ``TractionProtocol`` (N), to drive a model whose upper vertebra
    /// is pulled directly (the first point must be 0 N, as every custom curve).
    public var axialProtocol: TractionProtocol { .custom(times: times.map { $0 - times[0] }, forces: axialForce, unit: .newtons) }
}
