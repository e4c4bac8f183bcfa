import Crypto
import Foundation
import TractionSafety

/// The largest table force of a professional intermittent-table session for which every
/// ``LimitCriteria`` criterion holds in the patient's lumbar motion segment, found with full
/// solves, worst case over the ligament data sets.
///
/// **Limit protocol.** One representative cycle of the table's session (``ProfessionalTable``
/// with `cycles = 1`: its ramp shape, hold, rest level and table configuration), the table force
/// mapped to the level as ``ProfessionalTable/historyAtLevel(patient:fractions:)`` does and applied
/// axially to the upper vertebra of ``MotionSegment/lumbar(_:patient:mesh:ligaments:)`` after the
/// model's 17 N lying preload held 60 s. One cycle gives each criterion its peak: with the shipped
/// data sets (no damage law) nothing accumulates from cycle to cycle.
///
/// **Mesh.** Both meshes underestimate the ligament strains and the distraction against the
/// fine mesh — the coarse one by 8–30 %, the standard one by 1–4 % —, so their limits would err
/// on the unsafe side; the default criteria scale each ligament's strain and force and the
/// distraction up by the mesh's measured factors (``DiscretisationFactors/forMesh(_:)``, per
/// ligament type, worst over two pulls) before comparing them with their bounds
/// (``LimitCriteria/discretisation``), so the limit is conservative against the converged mesh.
///
/// **Search.** ``LimitBracketing`` on the table force (N) from ``ceilingBodyWeightFraction`` of
/// body weight down, to ``relativeTolerance``; the free-swollen disc is computed once per data
/// set and every run starts from it. The limit is the smallest of the data sets' limits; it is a
/// simulated, admissible force (never extrapolated).
///
/// **Supported family.** Pull angle 0° only: a pull angle adds a flexion moment
/// (``ProfessionalTable/loadAtLevel(tableForce:patient:fractions:)``) that this search does not
/// apply, so a table with `pullAngle > 0` is refused.
///
/// ```swift
/// let p = try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
/// let limit = try MotionSegmentLimitSearch(patient: p).run()
/// limit.limit                 // N (table force)
/// limit.candidate             // a .modelCriterion LimitCandidate for LimitsBuilder
/// ```
public struct MotionSegmentLimitSearch: Sendable {
    /// The patient (mass for the body-weight ceiling and the friction, disc grade and level for the model).
    public var patient: Patient
    /// The protocol family: its ramp, hold, rest level, table and harness (its `pullFraction` and
    /// `cycles` are replaced by the searched force and one cycle).
    public var table: ProfessionalTable
    /// The criteria and their bounds.
    public var criteria: LimitCriteria
    /// The ligament data sets the limit is the worst case over (at least one).
    public var ligamentDataSets: [LigamentDataSet]
    /// The motion segment's mesh.
    public var mesh: DefaultDiscModel.MeshLevel
    /// Largest table force searched, as a fraction of body weight (dimensionless, (0, 3]). Above
    /// the clinical caps (0.5 of body weight) on purpose: the model's own limit is then found and
    /// reported even where a clinical cap governs the document.
    public var ceilingBodyWeightFraction: Double
    /// Bracket width over the limit at which the search stops (dimensionless, (0, 0.5]).
    public var relativeTolerance: Double
    /// Deformable vertebral bodies (``Model/makeVertebraeDeformable(_:)``), which add the bone
    /// criteria of ``LimitCriteria``; nil (the default) for rigid vertebrae.
    public var deformableVertebrae: DeformableVertebrae? = nil

    /// The model's lying preload (17 N ramped 10 s, held to 60 s), applied before the cycle.
    public static let lyingPreload = TractionProtocol.Preload(force: .newtons(17), ramp: 10, duration: 60)

    /// A search with the professional table's defaults, both shipped ligament data sets, the
    /// coarse mesh, a ceiling of two body weights and a 1 % bracket.
    /// - Parameter criteria: the criteria; nil for the default bounds with the discretisation
    ///   factors of `mesh` (``DiscretisationFactors/forMesh(_:)``: the strains, forces and
    ///   distraction the mesh underestimates are scaled up to the fine mesh's, per ligament type).
    public init(patient: Patient, table: ProfessionalTable = ProfessionalTable(), criteria: LimitCriteria? = nil,
                ligamentDataSets: [LigamentDataSet] = [.remus2021, .goelBilinear], mesh: DefaultDiscModel.MeshLevel = .coarse,
                ceilingBodyWeightFraction: Double = 2, relativeTolerance: Double = 0.01) {
        self.patient = patient; self.table = table
        self.criteria = criteria ?? LimitCriteria(discretisation: .forMesh(mesh))
        self.ligamentDataSets = ligamentDataSets
        self.mesh = mesh; self.ceilingBodyWeightFraction = ceilingBodyWeightFraction; self.relativeTolerance = relativeTolerance
    }

    /// Checks the search's parameters.
    /// - Throws: ``LimitSearchError`` naming the field; ``AnatomyError`` for the patient;
    ///   ``ScenarioError`` for the table.
    public func validate() throws {
        try patient.validate()
        try table.validate()
        try criteria.validate()
        guard table.pullAngle == 0 else {
            throw LimitSearchError.unsupportedProtocol(field: "table.pullAngle", value: table.pullAngle,
                                                       expected: "0° (a pull angle adds a flexion moment the limit search does not apply)")
        }
        if let v = deformableVertebrae {
            try v.validate()
            guard effectiveCriteria.boneStrainDiscretisation != nil else {
                throw LimitSearchError.invalidParameter(field: "criteria.boneStrainDiscretisation", value: Double(v.layers),
                                                        expected: "a bone-strain discretisation factor: none was measured for the \(mesh.rawValue) mesh with \(v.layers) layers of \(v.height) mm bone (measured: \(DeformableVertebrae.measuredBoneStrainMeshes)); give one in the criteria")
            }
        }
        guard !ligamentDataSets.isEmpty else {
            throw LimitSearchError.invalidParameter(field: "ligamentDataSets", value: 0, expected: "at least one ligament data set")
        }
        guard ceilingBodyWeightFraction.isFinite, ceilingBodyWeightFraction > 0, ceilingBodyWeightFraction <= 3 else {
            throw LimitSearchError.invalidParameter(field: "ceilingBodyWeightFraction", value: ceilingBodyWeightFraction, expected: "a fraction of body weight in (0, 3]")
        }
        guard relativeTolerance.isFinite, relativeTolerance > 0, relativeTolerance <= 0.5 else {
            throw LimitSearchError.invalidParameter(field: "relativeTolerance", value: relativeTolerance, expected: "a fraction in (0, 0.5]")
        }
    }

    /// The limit protocol for a table force (N): one cycle of the table's force curve scaled to
    /// `tableForce`, each point mapped to the axial force at the level by
    /// ``ProfessionalTable/loadAtLevel(tableForce:patient:fractions:)`` (with a point added where
    /// the table force crosses a one-piece table's friction, so the piecewise-linear history is
    /// exact), after the lying preload. Unlike a table session, the force may exceed one body
    /// weight (the search's ceiling).
    /// - Throws: ``ScenarioError`` for a bad table or force; ``TractionProtocolError``.
    public func limitProtocol(tableForce: Double) throws -> TractionProtocol {
        var cycle = table
        cycle.cycles = 1
        cycle.pullFraction = 1
        let unit = try cycle.tractionProtocol().resolve(bodyMassKg: patient.bodyMassKg)
        let shape = unit.tractionCurve                        // dimensionless, peak 1
        let mu = table.frictionCoefficient
        let caudalFriction = mu * (1 - BodySegmentFractions.dempster.fractionCranial(to: patient.level)) * patient.bodyWeight
        var times: [Double] = [], forces: [Double] = []
        for i in shape.times.indices {
            if i > 0, caudalFriction > 0 {
                let (t0, t1) = (shape.times[i - 1], shape.times[i])
                let a0 = tableForce * shape.values[i - 1] - caudalFriction, a1 = tableForce * shape.values[i] - caudalFriction
                if (a0 < 0) != (a1 < 0), a0 != 0, a1 != 0 {
                    times.append(t0 + a0 / (a0 - a1) * (t1 - t0)); forces.append(0)
                }
            }
            times.append(shape.times[i])
            forces.append(try table.loadAtLevel(tableForce: max(0, tableForce * shape.values[i]), patient: patient).axialForce)
        }
        var p = TractionProtocol.custom(times: times.map { $0 - times[0] }, forces: forces, unit: .newtons, preload: Self.lyingPreload)
        p.table = table.table; p.harness = table.harness; p.pullAngle = table.pullAngle
        return p
    }

    /// Applies a limit protocol and drops the model's record of it (``Model/tractionProtocol``,
    /// ``Model/bodyMassKg``): the record is part of what a kept free-swollen state is keyed on,
    /// and the limit protocols differ only in their force, which does not act during free swelling.
    static func apply(_ p: TractionProtocol, to model: inout Model, bodyMassKg: Double) throws {
        try model.apply(p, bodyMassKg: bodyMassKg)
        model.tractionProtocol = nil
        model.bodyMassKg = nil
    }

    /// The device configuration the search's protocol is for: the table (split or not) and the
    /// harness of ``table``.
    public var configuration: TractionConfiguration {
        let surface: TractionConfiguration.Surface
        switch table.table {
        case .split: surface = .splitTable
        case .nonSplit: surface = .nonSplitTable
        }
        let harness: TractionConfiguration.Harness
        switch table.harness {
        case .pelvic: harness = .pelvic
        case .thoracoPelvic: harness = .thoracoPelvic
        case .cervical: harness = .headHalter
        }
        return TractionConfiguration(surface: surface, harness: harness)
    }

    /// SHA-256 (64 lowercase hex) of the models the search solves: the model files
    /// (``Model/jsonData()``) of the motion segment with each ligament data set, in order, each
    /// preceded by its byte count. Any change of geometry, material, ligament constant or mesh
    /// changes it.
    /// - Throws: the builder's errors.
    public func modelDigestSHA256() throws -> String {
        var hasher = SHA256()
        for set in ligamentDataSets {
            let data = try segment(set).jsonData()
            withUnsafeBytes(of: UInt64(data.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: data)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// ``criteria`` with the bone-strain factor filled in when none is given and the vertebral
    /// bodies are deformable: the measured factor of ``mesh`` and the bodies' layers
    /// (``DeformableVertebrae/measuredBoneStrainFactor(mesh:layers:height:)``; nil when none was measured,
    /// which ``validate()`` refuses).
    public var effectiveCriteria: LimitCriteria {
        var c = criteria
        if c.boneStrainDiscretisation == nil, let v = deformableVertebrae {
            c.boneStrainDiscretisation = DeformableVertebrae.measuredBoneStrainFactor(mesh: mesh, layers: v.layers, height: v.height)
        }
        return c
    }

    /// The motion segment of `set`, with ``deformableVertebrae`` when set.
    func segment(_ set: LigamentDataSet) throws -> Model {
        var model = try MotionSegment.lumbar(patient.level, patient: patient, mesh: mesh, ligaments: set)
        if let v = deformableVertebrae { try model.makeVertebraeDeformable(v) }
        return model
    }

    /// Runs the search (every data set, full solves on the calling thread).
    /// - Throws: ``LimitSearchError``; the model's and solver's errors.
    public func run() throws -> MotionSegmentForceLimit {
        try validate()
        let ceiling = ceilingBodyWeightFraction * patient.bodyWeight
        var perSet: [DataSetForceLimit] = []
        for set in ligamentDataSets {
            let base = try segment(set)
            let limit = try Self.bracketedLimit(ceiling: ceiling, relativeTolerance: relativeTolerance, criteria: effectiveCriteria) { force in
                var m = base
                try Self.apply(limitProtocol(tableForce: force), to: &m, bodyMassKg: patient.bodyMassKg)
                return m
            }
            perSet.append(DataSetForceLimit(dataSet: set.name, limit: limit))
        }
        return MotionSegmentForceLimit(patient: patient, ceiling: ceiling, perDataSet: perSet)
    }

    /// The search shared by the lumbar and cervical limits: the free-swollen state of the model at
    /// the ceiling is computed once, then ``LimitBracketing`` runs full solves of `model(force)`
    /// from it and evaluates `criteria` on each with `evaluate` (by default a solve to the end of
    /// the protocol, ``evaluate(_:from:criteria:)``). `model` must give models that differ only in
    /// their loads (one free-swelling key). With `sharedSteps` (the name of a model step, e.g. the
    /// lying preload, before which and in which every searched load acts alike) that step is
    /// solved once, on the ceiling's model, and every searched run continues from its end
    /// (``RunCheckpoint``: the same numbers as a run from the swollen state); a searched model
    /// that does not act like the ceiling's up to there is refused (``ModelError``), not solved
    /// otherwise.
    /// - Throws: ``LimitSearchError``; the model's and solver's errors.
    static func bracketedLimit(ceiling: Double, relativeTolerance: Double, criteria: LimitCriteria, sharedSteps: String? = nil,
                               evaluate: (Model, SearchStart, LimitCriteria) throws -> [CriterionValue] = evaluate,
                               model: (Double) throws -> Model) throws -> BracketedLimit {
        let top = try model(ceiling)
        let swollen = try Simulation(model: top).freeSwollenStateSynchronously()
        var start = SearchStart(swollen: swollen, checkpoint: nil)
        if let name = sharedSteps {
            guard let index = top.steps.firstIndex(where: { $0.name == name }) else {
                throw ModelError(.unknownName, at: top.rootPath.key("steps").description, "no step named \"\(name)\" to share between the searched runs")
            }
            start.checkpoint = try Simulation(model: top).checkpointSynchronously(from: swollen, afterStep: index)
        }
        return try LimitBracketing.largestAdmissibleLoad(ceiling: ceiling, relativeTolerance: relativeTolerance) { force in
            try evaluate(model(force), start, criteria)
        }
    }

    /// Where a searched run starts: the freely swollen state, or the checkpoint at the end of the
    /// steps every searched load shares (see ``bracketedLimit(ceiling:relativeTolerance:criteria:sharedSteps:evaluate:model:)``).
    struct SearchStart {
        /// The freely swollen state (t = 0).
        var swollen: SimulationState
        /// The shared steps' end, when the search shares them.
        var checkpoint: RunCheckpoint?

        /// Runs `simulation` from the checkpoint when there is one, else from the swollen state.
        /// - Throws: ``ModelError`` for a model that does not fit the start; the solver's errors.
        func run(_ simulation: Simulation) throws -> SimulationResults {
            if let checkpoint { return try simulation.runSynchronously(resuming: checkpoint) }
            return try simulation.runSynchronously(from: swollen)
        }
    }

    /// Every criterion's value for one full solve of `model` from `start`; a solve stopped by a
    /// compacted disc gives `discCompaction` at `+∞` alone (``LimitCriteria``, "Disc compaction").
    /// - Throws: ``LimitSearchError`` for a model without a motion segment; the solver's errors.
    static func evaluate(_ model: Model, from start: SearchStart, criteria: LimitCriteria) throws -> [CriterionValue] {
        let r: SimulationResults
        do { r = try start.run(Simulation(model: model)) }
        catch SimulationError.stepCollapsed(_, _, .solidCompacted, _) { return [LimitCriteria.discCompacted] }
        guard let segment = r.motionSegment else {
            throw LimitSearchError.invalidParameter(field: "model.motionSegment", value: 0, expected: "a motion-segment model")
        }
        return criteria.evaluate(segment)
    }

    /// ``evaluate(_:from:criteria:)`` from the freely swollen state.
    static func evaluate(_ model: Model, from swollen: SimulationState, criteria: LimitCriteria) throws -> [CriterionValue] {
        try evaluate(model, from: SearchStart(swollen: swollen, checkpoint: nil), criteria: criteria)
    }
}

/// How a ``MotionSegmentForceLimit`` was obtained.
public enum LimitMethod: Sendable, Equatable {
    /// Full solves of the motion segment at every searched force.
    case fullSolve
    /// Interpolated responses of a ``LimitsSurrogate`` (its digest); `sampledTopN` (N) is the top
    /// of its sampled range when the search ceiling lay above it and the search started there.
    case surrogate(digest: String, sampledTopN: Double?)
}

/// One ligament data set's force limit.
public struct DataSetForceLimit: Sendable, Equatable {
    /// The data set's name (``LigamentDataSet/name``).
    public var dataSet: String
    /// The bracketed limit (table force, N).
    public var limit: BracketedLimit
}

/// The result of a ``MotionSegmentLimitSearch`` (a table force) or a ``CervicalLimitSearch`` (a
/// halter pull): the limit (worst case over the data sets) and every data set's bracket.
public struct MotionSegmentForceLimit: Sendable, Equatable {
    /// The patient searched.
    public var patient: Patient
    /// The search ceiling (N, table force or halter pull).
    public var ceiling: Double
    /// Every data set's limit, in the order searched.
    public var perDataSet: [DataSetForceLimit]
    /// How the responses were obtained.
    public var method: LimitMethod = .fullSolve
    /// The cervical level of a ``CervicalLimitSearch`` (the limit is then a halter pull and
    /// ``patient``'s lumbar level is not used); nil for the lumbar segment (a table force).
    public var cervicalLevel: CervicalLevel? = nil

    /// What the limit's force is: "table force" (lumbar) or "halter pull" (cervical).
    public var forceName: String { cervicalLevel == nil ? "table force" : "halter pull" }

    /// Criteria that are never evaluated on the lumbar segment, with the reason (see ``LimitCriteria``).
    public static let criteriaNotEvaluated = [
        "facet capsule strain: the capsular ligament has no failure force or damage law in the shipped data sets",
        "bone strain and stress: the vertebrae are rigid bodies (bone density acts through the builder's bone-density factor)",
    ]

    /// Why the annulus fibre strain criterion is not evaluated when the criteria set no bound.
    public static let annulusFibreStrainNotEvaluated =
        "annulus fibre strain: reported, but no bound set (LimitCriteria.maxAnnulusFibreStrain is nil: no verified literature damage strain)"

    /// True when the searches evaluated the annulus fibre strain criterion (`annulusFibreStrain`
    /// among the criteria of every data set's evaluations).
    public var evaluatedAnnulusFibreStrain: Bool {
        !perDataSet.isEmpty && perDataSet.allSatisfy { d in
            d.limit.evaluations.contains { $0.criteria.contains { $0.criterion == "annulusFibreStrain" } }
        }
    }

    /// Criteria of this segment that were not evaluated, with the reason: for the cervical
    /// segment the capsular ligaments have a failure force (a criterion) but no damage law; the
    /// annulus fibre strain when the criteria set no bound for it.
    public var notEvaluated: [String] {
        let annulus = evaluatedAnnulusFibreStrain ? [] : [Self.annulusFibreStrainNotEvaluated]
        let all = cervicalLevel == nil ? annulus + Self.criteriaNotEvaluated
            : annulus + ["facet capsule strain: the capsular ligaments have no damage law in the cervical data set (their failure force is a criterion)",
                         "bone strain and stress: the vertebrae are rigid bodies (bone density acts through the builder's bone-density factor)"]
        return evaluatedBoneStrain ? all.filter { !$0.hasPrefix("bone strain") } : all
    }

    /// True when the searches evaluated the bone criteria (deformable vertebral bodies).
    public var evaluatedBoneStrain: Bool {
        !perDataSet.isEmpty && perDataSet.allSatisfy { d in
            d.limit.evaluations.contains { $0.criteria.contains { $0.criterion.hasPrefix("bone.") } }
        }
    }

    /// The governing data set: the one with the smallest limit (the first one on a tie).
    public var governingDataSet: DataSetForceLimit {
        var best = perDataSet[0]
        for d in perDataSet.dropFirst() where d.limit.limit < best.limit.limit { best = d }
        return best
    }

    /// The limit (N, ``forceName``): the smallest of the data sets' limits.
    public var limit: Double { governingDataSet.limit.limit }

    /// Criterion identifier of the limit: `model.motionSegment.<data set>.<criterion>`
    /// (`model.cervicalSegment.…` for a cervical level), or `….<data set>.searchCeiling` when
    /// every criterion held up to the ceiling.
    public var criterion: String {
        let g = governingDataSet
        let name = g.limit.reachedCeiling ? "searchCeiling" : g.limit.governing.criterion
        return "model.\(cervicalLevel == nil ? "motionSegment" : "cervicalSegment").\(g.dataSet).\(name)"
    }

    /// The limit as a ``TractionSafety/LimitCandidate`` of kind `.modelCriterion` on the hard force.
    public var candidate: LimitCandidate {
        let g = governingDataSet
        return LimitCandidate(.maxForceN, limit, kind: .modelCriterion, criterion: criterion,
                              marginFraction: g.limit.reachedCeiling ? 0 : g.limit.governing.marginFraction)
    }

    /// A plain-text report: per data set the limit, bracket, governing criterion and evaluations.
    public var report: String {
        var s = "force limit \(Self.format(limit)) N (\(forceName)\(cervicalLevel.map { " at \($0)" } ?? "")) governed by \(criterion)\n"
        let evaluated: String
        switch method {
        case .fullSolve:
            evaluated = "solves"
        case let .surrogate(digest, top):
            evaluated = "evaluations of the interpolated response"
            s += "  from the surrogate \(digest.prefix(16))… (responses sampled from full solves, interpolated in the table force)\n"
            if let top { s += "  the ceiling \(Self.format(ceiling)) N lies above the sampled range: searched from its top, \(Self.format(top)) N\n" }
        }
        for d in perDataSet {
            let l = d.limit
            let bracket = l.upperBracket.map { "[\(Self.format(l.limit)), \(Self.format($0))] N (width \(Self.format(100 * l.relativeBracketWidth)) %)" }
                ?? (l.limit < ceiling ? "every criterion holds at the top of the sampled range, \(Self.format(l.limit)) N (its limit is at or above it)"
                                      : "every criterion holds at the ceiling \(Self.format(l.limit)) N")
            s += "  \(d.dataSet): \(bracket); governing \(l.governing.criterion) (ratio \(Self.format(l.governing.ratio)) above, \(Self.format(l.governingRatioAtLimit)) at the limit); \(l.evaluations.count) \(evaluated)\n"
            if let a = l.evaluations.first(where: { $0.load == l.limit })?.criteria.first(where: { $0.criterion == "annulusFibreStrain" }) {
                s += "    annulusFibreStrain ratio at the limit \(Self.format(a.ratio))\n"
            }
        }
        s += "  not evaluated: " + notEvaluated.joined(separator: "; ") + "\n"
        return s
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
