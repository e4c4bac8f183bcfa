import Foundation
import Biomechanics
import FiniteElements

/// What a model with a ``MotionSegmentDefinition`` reports, at the output times; the extremes of
/// every series (``TimeSeries/extremes``, read by ``TimeSeries/maximum``/``TimeSeries/minimum``)
/// cover every accepted time step.
///
/// Kinematics are those of the first free vertebra (the upper one) relative to the held one, in
/// the model frame (`x` right, `y` anterior, `z` cranial for ``MotionSegment/lumbar(_:patient:mesh:ligaments:divisions:geometry:)``).
///
/// ```swift
/// let r = try await Simulation(model: segment).run()
/// r.ligaments[.flavum]!.strain.maximum       // peak strain, every accepted step
/// r.distraction!.final                      // mm
/// ```
public struct MotionSegmentResults: Sendable {
    /// One entry per ligament definition (per side of a bilateral one), in model order.
    public var ligaments: [LigamentSeries] = []
    /// One entry per facet joint, in model order.
    public var facets: [FacetSeries] = []
    /// Translation of the upper vertebra's reference point (mm; components x, y, z).
    public var translation: TimeSeries
    /// Rotation vector of the upper vertebra (degrees; components x, y, z: about the model axes,
    /// right-handed — with `x` to the right and `y` anterior, flexion is a negative x rotation).
    public var rotation: TimeSeries
    /// Disc height change (mm; components anterior, middle, posterior): the axial (z)
    /// displacement of the upper endplate's anterior rim, reference point and posterior rim,
    /// positive = separation (the lower endplate is held).
    public var discHeightChange: TimeSeries
    /// Distraction (mm): the middle disc height change, positive = separation.
    public var distraction: TimeSeries
    /// The largest annulus fibre strain (engineering, `λ − 1`) over the integration points of the
    /// disc's fibre-reinforced cells, and where it is; nil when the disc has no fibres.
    public var annulusFibreStrain: AnnulusFibreStrainSeries?
    /// With deformable vertebral bodies: the bone's principal strains (nil with rigid vertebrae).
    public var boneStrain: BoneStrainSeries?

    /// Results from their series (units as documented on each property); `boneStrain` only with
    /// deformable vertebral bodies.
    public init(ligaments: [LigamentSeries] = [], facets: [FacetSeries] = [], translation: TimeSeries, rotation: TimeSeries,
                discHeightChange: TimeSeries, distraction: TimeSeries, annulusFibreStrain: AnnulusFibreStrainSeries? = nil,
                boneStrain: BoneStrainSeries? = nil) {
        self.ligaments = ligaments; self.facets = facets; self.translation = translation; self.rotation = rotation
        self.discHeightChange = discHeightChange; self.distraction = distraction; self.annulusFibreStrain = annulusFibreStrain
        self.boneStrain = boneStrain
    }
}

/// The principal strains of deformable vertebral bodies (``VertebralBodies``): of each bone
/// cell's volume-averaged Green–Lagrange strain (cancellous core and smeared shell), the
/// extremes over the cells (``BiphasicProblem/principalStrainExtremes(state:time:cells:)``).
public struct BoneStrainSeries: Sendable {
    /// The most compressive principal strain's magnitude, `max(0, −E_min)` (dimensionless).
    public var compressive: TimeSeries
    /// The largest tensile principal strain, `max(0, E_max)` (dimensionless).
    public var tensile: TimeSeries
}

/// The largest annulus fibre strain over the output times.
///
/// **Measure.** At every integration point of every cell whose solid is fibre-reinforced (the
/// annulus lamellae: ``Biomechanics/FibreReinforcedSolid``) and for each of its fibre families of
/// reference direction `a₀`, the stretch `λ = |F a₀|` (`λ² = Iₙ`, the fibre law's invariant); the
/// strain reported is the **engineering** fibre strain `λ − 1` (dimensionless), the measure of the
/// tissue tests that give annulus failure strains and of the ligament strains
/// (``Biomechanics/FibreStrainSampler``). The Green–Lagrange fibre strain is `(λ² − 1)/2`
/// (``Biomechanics/FibreStrainSample/greenLagrangeStrain``). Strains are relative to the
/// model's reference (unswollen) mesh, not to the free-swollen state.
///
/// The largest over the points may be negative when every fibre is shortened.
public struct AnnulusFibreStrainSeries: Sendable {
    /// Largest `λ − 1` over the annulus's fibre points (dimensionless, unit "1") at each output
    /// time; its ``TimeSeries/extremes`` cover every accepted step.
    public var strain: TimeSeries
    /// Where the largest strain was at each output time.
    public var locations: [FibreStrainLocation]
    /// Where the largest strain over every accepted step was (at `strain.extremes.maximumTime`).
    public var peakLocation: FibreStrainLocation?
    /// Fibre points sampled (integration points × families, over the annulus cells).
    public var samplePoints: Int

    /// A series from its parts (units as documented on each property).
    public init(strain: TimeSeries, locations: [FibreStrainLocation], peakLocation: FibreStrainLocation?, samplePoints: Int) {
        self.strain = strain; self.locations = locations; self.peakLocation = peakLocation; self.samplePoints = samplePoints
    }
}

/// Where a fibre strain was: the cell, its integration point, the lamella and the fibre's angle.
public struct FibreStrainLocation: Sendable, Equatable {
    /// The cell (mesh index).
    public var cell: Int
    /// The integration point (index into the cell type's default quadrature rule).
    public var point: Int
    /// The annulus lamella (0 = innermost), nil when the material has no lamellae.
    public var lamella: Int?
    /// The fibre angle (degrees, from the circumferential towards the axial material axis).
    public var fibreAngle: Double

    /// A location (units as documented on each property).
    public init(cell: Int, point: Int, lamella: Int?, fibreAngle: Double) {
        self.cell = cell; self.point = point; self.lamella = lamella; self.fibreAngle = fibreAngle
    }
}

/// One ligament's outputs (all its fibres) over the output times.
public struct LigamentSeries: Sendable {
    /// The ligament type.
    public var type: LigamentType
    /// Its side.
    public var side: LevelGeometry.Side
    /// Number of fibres.
    public var fibreCount: Int
    /// Largest fibre strain (dimensionless; the strain that drives the force, laxity subtracted).
    public var strain: TimeSeries
    /// Total tensile force of the fibres (N).
    public var force: TimeSeries
    /// Total force over the ligament's failure force (dimensionless); nil without a failure force.
    public var failureRatio: TimeSeries?
    /// Largest fibre strain over the damage threshold (dimensionless); nil without a damage law.
    public var thresholdRatio: TimeSeries?
    /// Largest accumulated fibre laxity (strain).
    public var laxity: TimeSeries
    /// Failure force of the whole ligament (N), if the law gives one.
    public var failureForce: Double?
    /// Damage threshold strain, if the law has a damage law.
    public var damageThreshold: Double?
    /// Failure strain, if the law gives one.
    public var failureStrain: Double?

    /// "LF", "CL left".
    public var name: String { side == .midline ? type.rawValue : "\(type.rawValue) \(side.rawValue)" }
}

/// One facet joint's outputs over the output times.
public struct FacetSeries: Sendable {
    /// The facet's name.
    public var name: String
    /// Total normal contact force (N).
    public var force: TimeSeries
    /// Smallest gap over its sample points (mm; negative = penetration).
    public var gap: TimeSeries
}

extension Array where Element == LigamentSeries {
    /// The ligament of `type` on `side`; without a side, the midline ligament or, for a bilateral
    /// one, the side with the larger peak strain.
    public subscript(_ type: LigamentType, side side: LevelGeometry.Side? = nil) -> LigamentSeries? {
        let matches = filter { $0.type == type && (side == nil || $0.side == side) }
        return matches.max { ($0.strain.maximum ?? -.infinity) < ($1.strain.maximum ?? -.infinity) }
    }
}

extension SimulationResults {
    /// The ligaments of a motion segment (empty without one).
    public var ligaments: [LigamentSeries] { motionSegment?.ligaments ?? [] }
    /// The facet joints of a motion segment (empty without one).
    public var facets: [FacetSeries] { motionSegment?.facets ?? [] }
    /// Distraction of a motion segment (mm), nil without one.
    public var distraction: TimeSeries? { motionSegment?.distraction }
}

extension MotionSegmentResults {
    /// The `motionSegment` member of `results.json`.
    func json() -> JSONValue {
        func series(_ s: TimeSeries) -> JSONValue {
            var m: JSONObject = [("unit", .string(s.unit))]
            if s.components == ["value"] {
                m.append(("values", .array(s.values.map { .number($0[0]) })))
            } else {
                for (k, c) in s.components.enumerated() { m.append((c, .array(s.values.map { .number($0[k]) }))) }
            }
            if let e = s.extremes {
                m.append(("overEveryStep", .object([("minimum", .number(e.minimum)), ("minimumTime", .number(e.minimumTime)),
                                                    ("maximum", .number(e.maximum)), ("maximumTime", .number(e.maximumTime))])))
            }
            return .object(m)
        }
        var ligs: JSONObject = []
        for l in ligaments {
            var m: JSONObject = [("fibres", .number(Double(l.fibreCount))), ("strain", series(l.strain)), ("force", series(l.force)), ("laxity", series(l.laxity))]
            if let r = l.failureRatio { m.append(("failureRatio", series(r))) }
            if let r = l.thresholdRatio { m.append(("thresholdRatio", series(r))) }
            if let f = l.failureForce { m.append(("failureForce", .number(f))) }
            if let t = l.damageThreshold { m.append(("damageThreshold", .number(t))) }
            if let e = l.failureStrain { m.append(("failureStrain", .number(e))) }
            ligs.append((l.name, .object(m)))
        }
        var members: JSONObject = [
            ("ligaments", .object(ligs)),
            ("facets", .object(JSONObject(facets.map { ($0.name, .object([("force", series($0.force)), ("gap", series($0.gap))])) }))),
            ("translation", series(translation)), ("rotation", series(rotation)),
            ("discHeightChange", series(discHeightChange)), ("distraction", series(distraction)),
        ]
        if let a = annulusFibreStrain {
            func location(_ l: FibreStrainLocation) -> JSONValue {
                .object([("cell", .number(Double(l.cell))), ("point", .number(Double(l.point))),
                         ("lamella", l.lamella.map { .number(Double($0)) } ?? .null), ("fibreAngle", .number(l.fibreAngle))])
            }
            var m: JSONObject = [("measure", .string("engineering fibre strain λ − 1, λ = |F a0| at the annulus integration points")),
                                 ("samplePoints", .number(Double(a.samplePoints)))]
            if case let .object(sm) = series(a.strain) { for member in sm { m.append(member) } }
            m.append(("locations", .array(a.locations.map(location))))
            if let p = a.peakLocation { m.append(("peakLocation", location(p))) }
            members.append(("annulusFibreStrain", .object(m)))
        }
        if let b = boneStrain {
            members.append(("boneStrain", .object([("measure", .string("principal strains of each bone cell's volume-averaged Green-Lagrange strain, extremes over the cells")),
                                                    ("compressive", series(b.compressive)), ("tensile", series(b.tensile))])))
        }
        return .object(members)
    }
}

/// Records a motion segment's outputs after every accepted step and at the output times.
struct MotionSegmentRecorder {
    private(set) var coupling: MotionSegmentCoupling
    /// Per series, the values at the output times and the extremes over every step.
    private var values: [String: [[Double]]] = [:]
    private var extremes: [String: TimeSeries.Extremes] = [:]
    /// Where the annulus fibre strain peaked, at each output time and over every step.
    private var fibreLocations: [FibreStrainLocation] = []
    private var fibrePeak: (strain: Double, location: FibreStrainLocation)? = nil
    /// The last accepted step's samples, for ``record(problem:time:state:timeStep:)`` at the same
    /// time, state and step length (an output time is recorded right after the step that reaches
    /// it): the annulus fibre peak scans every annulus integration point, so it is not computed twice.
    private var lastStep: (time: Double, timeStep: Double?, state: [Double], fibre: (strain: Double, location: FibreStrainLocation)?,
                           samples: [(String, [Double])])? = nil

    init(coupling: MotionSegmentCoupling) { self.coupling = coupling }

    /// The same record on `coupling` (a run continued from a checkpoint of another simulation
    /// of the same model up to the checkpoint).
    /// - Throws: ``ModelError`` when the simulation has no motion segment.
    func rebound(to coupling: MotionSegmentCoupling?) throws -> MotionSegmentRecorder {
        guard let coupling else { throw ModelError(.invalidValue, at: "motionSegment", "the checkpoint recorded a motion segment; this model has none") }
        var r = self
        r.coupling = coupling
        return r
    }

    /// The largest annulus fibre strain at state `x` at `time` (s) and where, nil without fibres.
    private func fibreStrain(problem: BiphasicProblem, time: Double, state x: [Double]) -> (strain: Double, location: FibreStrainLocation)? {
        guard let sampler = coupling.fibreStrain, let p = sampler.peak(dofValues: problem.dofValues(unknowns: x, time: time)) else { return nil }
        let lamella = coupling.lamellaOfCell.indices.contains(p.cell) ? coupling.lamellaOfCell[p.cell] : nil
        return (p.strain, FibreStrainLocation(cell: p.cell, point: p.point, lamella: lamella, fibreAngle: p.angleDegrees))
    }

    /// The samples of every series at state `x` (end of a step of length `timeStep` s, nil for none;
    /// `fibre` the annulus fibre strain there).
    private func samples(problem: BiphasicProblem, time: Double, state x: [Double], timeStep: Double?, fibre: Double?) -> [(String, [Double])] {
        let poses = problem.rigidBodyPoses(state: x)
        guard !poses.isEmpty else { return [] }
        let bodies = problem.rigidBodies
        var out: [(String, [Double])] = []
        if let fibre { out.append(("annulusFibreStrain", [fibre])) }
        for (i, l) in coupling.definition.ligaments.enumerated() {
            let results = coupling.ligamentBundles[i].map { bodies.ligaments[$0].result(poses, timeStep: timeStep) }
            let strain = results.map(\.strain).max() ?? 0, force = results.reduce(0) { $0 + $1.force }
            out.append(("lig\(i).strain", [strain]))
            out.append(("lig\(i).force", [force]))
            out.append(("lig\(i).laxity", [results.map(\.laxity).max() ?? 0]))
            if let f = l.failureForce { out.append(("lig\(i).failureRatio", [force / f])) }
            if let d = l.law.damage { out.append(("lig\(i).thresholdRatio", [strain / d.threshold])) }
        }
        for (i, f) in bodies.facets.enumerated() {
            let r = f.result(poses)
            out.append(("facet\(i).force", [r.force]))
            out.append(("facet\(i).gap", [r.minimumGap]))
        }
        let pose = poses[0], rim = coupling.free[0]
        let reference = coupling.definition.vertebrae[rim.index].referencePoint
        out.append(("translation", [pose.translation.x, pose.translation.y, pose.translation.z]))
        let psi = pose.rotationVector * (180 / .pi)
        out.append(("rotation", [psi.x, psi.y, psi.z]))
        var heights = [rim.anterior, reference, rim.posterior].map { pose.displacement(of: $0).z }
        if coupling.endplateNodes != nil || !coupling.boneCells.isEmpty {
            let v = problem.dofValues(unknowns: x, time: time)
            if let pairs = coupling.endplateNodes {
                heights = pairs.map { v[problem.displacementDof(node: $0.upper, component: 2)] - v[problem.displacementDof(node: $0.lower, component: 2)] }
            }
            if !coupling.boneCells.isEmpty, let e = try? problem.principalStrainExtremes(state: x, time: time, cells: coupling.boneCells) {
                out.append(("boneCompressiveStrain", [max(0, -e.minimum)]))
                out.append(("boneTensileStrain", [max(0, e.maximum)]))
            }
        }
        out.append(("discHeightChange", heights))
        out.append(("distraction", [heights[1]]))
        return out
    }

    /// After an accepted step ending at `time` (s) of length `timeStep` (s): tracks the extremes.
    mutating func step(problem: BiphasicProblem, time: Double, state x: [Double], timeStep: Double?) {
        let fibre = fibreStrain(problem: problem, time: time, state: x)
        if let fibre, fibre.strain > (fibrePeak?.strain ?? -.infinity) { fibrePeak = fibre }
        let all = samples(problem: problem, time: time, state: x, timeStep: timeStep, fibre: fibre?.strain)
        lastStep = (time, timeStep, x, fibre, all)
        for (key, v) in all {
            let s = v[0]
            if var e = extremes[key] {
                if s < e.minimum { e.minimum = s; e.minimumTime = time }
                if s > e.maximum { e.maximum = s; e.maximumTime = time }
                e.steps += 1
                extremes[key] = e
            } else {
                extremes[key] = TimeSeries.Extremes(minimum: s, minimumTime: time, maximum: s, maximumTime: time, steps: 1)
            }
        }
    }

    /// At an output time `time` (s).
    mutating func record(problem: BiphasicProblem, time: Double, state x: [Double], timeStep: Double?) {
        let fibre: (strain: Double, location: FibreStrainLocation)?, all: [(String, [Double])]
        if let last = lastStep, last.time == time, last.timeStep == timeStep, last.state == x {
            (fibre, all) = (last.fibre, last.samples)
        } else {
            fibre = fibreStrain(problem: problem, time: time, state: x)
            all = samples(problem: problem, time: time, state: x, timeStep: timeStep, fibre: fibre?.strain)
        }
        if let fibre { fibreLocations.append(fibre.location) }
        for (key, v) in all { values[key, default: []].append(v) }
    }

    /// The typed results.
    func results() -> MotionSegmentResults {
        func series(_ key: String, _ name: String, _ quantity: String, _ unit: String, _ components: [String] = ["value"]) -> TimeSeries {
            TimeSeries(name: name, quantity: quantity, unit: unit, components: components, values: values[key] ?? [],
                       extremes: components == ["value"] ? extremes[key] : nil)
        }
        let ms = coupling.definition
        let ligaments = ms.ligaments.enumerated().map { i, l in
            LigamentSeries(type: l.type, side: l.side, fibreCount: l.fibres.count,
                           strain: series("lig\(i).strain", "\(l.name).strain", "strain", "1"),
                           force: series("lig\(i).force", "\(l.name).force", "force", "N"),
                           failureRatio: l.failureForce == nil ? nil : series("lig\(i).failureRatio", "\(l.name).failureRatio", "failureRatio", "1"),
                           thresholdRatio: l.law.damage == nil ? nil : series("lig\(i).thresholdRatio", "\(l.name).thresholdRatio", "thresholdRatio", "1"),
                           laxity: series("lig\(i).laxity", "\(l.name).laxity", "laxity", "1"),
                           failureForce: l.failureForce, damageThreshold: l.law.damage?.threshold, failureStrain: l.law.failureStrain)
        }
        let facets = ms.facets.enumerated().map { i, f in
            FacetSeries(name: f.name, force: series("facet\(i).force", "\(f.name).force", "force", "N"),
                        gap: series("facet\(i).gap", "\(f.name).gap", "gap", "mm"))
        }
        return MotionSegmentResults(ligaments: ligaments, facets: facets,
                                    translation: series("translation", "translation", "translation", "mm", ["x", "y", "z"]),
                                    rotation: series("rotation", "rotation", "rotation", "degree", ["x", "y", "z"]),
                                    discHeightChange: series("discHeightChange", "discHeightChange", "discHeightChange", "mm", ["anterior", "middle", "posterior"]),
                                    distraction: series("distraction", "distraction", "distraction", "mm"),
                                    annulusFibreStrain: coupling.fibreStrain.map { sampler in
                                        AnnulusFibreStrainSeries(strain: series("annulusFibreStrain", "annulusFibreStrain", "fibreStrain", "1"),
                                                                 locations: fibreLocations, peakLocation: fibrePeak?.location,
                                                                 samplePoints: sampler.sampleCount)
                                    },
                                    boneStrain: coupling.boneCells.isEmpty ? nil
                                        : BoneStrainSeries(compressive: series("boneCompressiveStrain", "boneCompressiveStrain", "strain", "1"),
                                                           tensile: series("boneTensileStrain", "boneTensileStrain", "strain", "1")))
    }
}
