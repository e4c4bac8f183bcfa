import Crypto
import Foundation
import TractionSafety

/// Why a limits surrogate was refused (a file that does not parse, was built for another library,
/// model, protocol family or criteria, or a patient outside what it covers).
public struct LimitsSurrogateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field concerned (`surrogate.libraryVersion`, `patient.level`, `search.table`, …).
    public var field: String
    /// What was wrong and what was expected.
    public var message: String
    public var description: String { "\(field): \(message)" }
}

/// The motion segment's criterion responses sampled from full solves, so that a patient's force
/// limit takes a bracketing on interpolated curves (milliseconds) instead of full solves (tens of
/// seconds).
///
/// **Which patient inputs act through the model.** ``MotionSegmentLimitSearch`` builds
/// ``MotionSegment/lumbar(_:patient:mesh:ligaments:divisions:geometry:)`` from the patient's
/// *level* (geometry, ligament data) and *disc grade* (height, fixed charge and permeability
/// factors of ``DegenerationPreset``). The body mass acts on a **split** table only through the
/// search ceiling (a fraction of body weight): the force at the level is the table force
/// (friction 0, ``ProfessionalTable/loadAtLevel(tableForce:patient:fractions:)``) and the model has
/// no gravity. The T-score and the height do not enter the model at all (the vertebrae are rigid;
/// bone density acts through the limits builder's bone-density factor). So the surrogate has one
/// cell per level × grade, and in each cell, per ligament data set, every criterion's ratio
/// (``LimitCriteria``) as a function of the peak table force. Grades whose presets are equal
/// (I and II by default) share their responses.
///
/// **Sampling.** Per cell and data set, ``LimitBracketing`` runs with full solves from the top of
/// ``forceRange`` down to a bracket of ``buildRelativeTolerance`` (finer than the search's); every
/// force it simulated, and the bottom of the range, is a sample. Between samples each
/// criterion's ratio is interpolated linearly in the force (an end at `+∞` makes the interval
/// `+∞`: conservative). With each criterion monotone in the force, the interpolated response is
/// admissible exactly where the sampled one is, except inside the one sampled interval that holds
/// the crossing — whose width is at most ``buildRelativeTolerance`` of the limit.
///
/// **Mesh discretisation.** The ratios are those of the search's criteria, discretisation factors
/// included (``LimitCriteria/discretisation``): the sampling brackets the factored limit, where
/// the interpolation must be fine. The factors are part of the criteria the file records and
/// ``check(_:)`` compares, so a surrogate built with other factors is refused (field
/// `surrogate.criteria`).
///
/// **Use.** ``limit(for:)`` runs the same ``LimitBracketing`` as the full-solve search (the
/// search's tolerance and ceiling) on the interpolated responses. It never evaluates outside the
/// sampled range: a ceiling above the range is lowered to the top of the range, which is allowed
/// only where a data set already fails there (the limit then lies inside the range, the other data
/// sets' limits at or above the top); otherwise the patient is refused, as is a search that would
/// need the response below the bottom of the range. A refusal is a ``LimitsSurrogateError``
/// naming the field; ``LimitsComputation/compute(patient:session:search:surrogate:)`` then falls
/// back to full solves and says so.
///
/// **Identity.** The file records the library version (``Simulation/libraryVersion``), a model
/// digest (SHA-256 over every cell's model files, ``cellModelDigest(level:grade:search:)``), the
/// protocol family (``protocolFamilyDigest(_:)``), mesh, data sets and criteria, and a digest of
/// its own content; ``init(json:)`` refuses a file whose digest does not match, and ``check(_:)``
/// one built for another library version, model, protocol family, mesh, data sets or criteria.
/// Solver numerics are not in the model digest: they are covered by the library version.
///
/// ```swift
/// let s = try LimitsSurrogate(json: bytes)
/// let limit = try s.limit(for: MotionSegmentLimitSearch(patient: p))   // table force, N
/// ```
public struct LimitsSurrogate: Sendable, Equatable {
    /// The file format tag. Format 4 stores the criteria's ``LimitCriteria/discretisation``
    /// factors per ligament type (format 2 had one factor for every ligament) and the annulus
    /// fibre strain criterion (``LimitCriteria/maxAnnulusFibreStrain`` and its factor; format 3
    /// had neither), and its ratios are the factored ones (what ``LimitCriteria/evaluate(_:)``
    /// gives); a file of another format is refused (rebuild it).
    public static let format = "spinetraction.limitsSurrogate-4"

    /// One criterion's ratios at a response's forces.
    public struct Criterion: Sendable, Equatable {
        /// Criterion identifier (``CriterionValue/criterion``).
        public var id: String
        /// Safety margin of its bound (dimensionless, ``CriterionValue/marginFraction``).
        public var marginFraction: Double
        /// Ratio (dimensionless, ≥ 0 or `+∞`) at each of the response's forces.
        public var ratios: [Double]
    }

    /// One ligament data set's sampled response in a cell.
    public struct Response: Sendable, Equatable {
        /// The data set's name.
        public var dataSet: String
        /// Sampled peak table forces (N), strictly increasing.
        public var forces: [Double]
        /// Every criterion's ratios, in the order ``LimitCriteria/evaluate(_:)`` gives them.
        public var criteria: [Criterion]
    }

    /// One level × grade.
    public struct Cell: Sendable, Equatable {
        /// The level.
        public var level: LumbarLevel
        /// The Pfirrmann grade.
        public var grade: PfirrmannGrade
        /// SHA-256 (hex) of this cell's model files (``cellModelDigest(level:grade:search:)``).
        public var modelDigest: String
        /// One response per data set, in ``LimitsSurrogate/ligamentDataSets`` order.
        public var responses: [Response]
    }

    /// Library version the responses came from (``Simulation/libraryVersion``).
    public var libraryVersion: String
    /// SHA-256 (hex) over the cells' model digests, in cell order.
    public var modelDigest: String
    /// SHA-256 (hex) of the protocol family (``protocolFamilyDigest(_:)``).
    public var protocolFamilyDigest: String
    /// The protocol family in words (for people; the digest is what is checked).
    public var protocolFamilyDescription: String
    /// The motion segment's mesh.
    public var mesh: DefaultDiscModel.MeshLevel
    /// The ligament data sets, in the order searched.
    public var ligamentDataSets: [String]
    /// The criteria the ratios are for.
    public var criteria: LimitCriteria
    /// Bracket width over the limit of the full-solve sampling (dimensionless).
    public var buildRelativeTolerance: Double
    /// Sampled range of the peak table force (N).
    public var forceRange: ClosedRange<Double>
    /// The cells.
    public var cells: [Cell]

    /// A surrogate from its parts (``build(levels:grades:search:forceRange:relativeTolerance:jobs:progress:)``
    /// or ``init(json:)`` make checked ones).
    init(libraryVersion: String, modelDigest: String, protocolFamilyDigest: String, protocolFamilyDescription: String,
         mesh: DefaultDiscModel.MeshLevel, ligamentDataSets: [String], criteria: LimitCriteria, buildRelativeTolerance: Double,
         forceRange: ClosedRange<Double>, cells: [Cell]) {
        self.libraryVersion = libraryVersion; self.modelDigest = modelDigest; self.protocolFamilyDigest = protocolFamilyDigest
        self.protocolFamilyDescription = protocolFamilyDescription; self.mesh = mesh; self.ligamentDataSets = ligamentDataSets
        self.criteria = criteria; self.buildRelativeTolerance = buildRelativeTolerance; self.forceRange = forceRange; self.cells = cells
    }

    // MARK: - Identity

    /// Reference patient of the model digests (the level and grade vary; mass, height and
    /// T-score do not act on the model, see the type's discussion).
    static func referencePatient(level: LumbarLevel, grade: PfirrmannGrade) throws -> Patient {
        try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: grade, level: level)
    }

    /// Table force (N) of the limit protocol applied to the models that are hashed.
    static let digestTableForce = 1000.0

    /// SHA-256 (hex) of `data`.
    static func sha256(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 (hex) of the protocol family of a table: its one-cycle protocol at a pull of one
    /// body weight (JSON, sorted keys) with its lever arm. Equal for tables that differ only in
    /// pull and cycle count (what the search replaces).
    public static func protocolFamilyDigest(_ table: ProfessionalTable) throws -> String {
        var cycle = table
        cycle.cycles = 1
        cycle.pullFraction = 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(cycle.tractionProtocol())
        data.append(contentsOf: Array("|leverArm=\(table.leverArm)".utf8))
        return sha256(data)
    }

    /// A short description of a table's protocol family.
    public static func protocolFamilyDescription(_ table: ProfessionalTable) -> String {
        let tableText: String
        switch table.table {
        case .split: tableText = "split table"
        case let .nonSplit(mu): tableText = "one-piece table (friction \(mu))"
        }
        return "professional intermittent table, one cycle: \(table.ramp) ramps, \(table.hold) s hold, \(table.rest) s rest at \(table.restLevel) of the pull, \(tableText), harness \(table.harness.rawValue), pull angle \(table.pullAngle)°, lever arm \(table.leverArm) mm"
    }

    /// SHA-256 (hex) of the model files of one cell: for each of the search's data sets, the
    /// motion segment of the reference patient with the limit protocol at 1000 N applied, as the
    /// model file writes it; then the criteria.
    public static func cellModelDigest(level: LumbarLevel, grade: PfirrmannGrade, search: MotionSegmentLimitSearch) throws -> String {
        var s = search
        s.patient = try referencePatient(level: level, grade: grade)
        var data = Data()
        for set in s.ligamentDataSets {
            var m = try MotionSegment.lumbar(level, patient: s.patient, mesh: s.mesh, ligaments: set)
            try MotionSegmentLimitSearch.apply(s.limitProtocol(tableForce: digestTableForce), to: &m, bodyMassKg: s.patient.bodyMassKg)
            data.append(try m.jsonData())
        }
        data.append(contentsOf: Array(criteriaJSON(s.criteria).serialized().utf8))
        return sha256(data)
    }

    static func modelDigest(ofCells cells: [Cell]) -> String {
        sha256(Array(cells.map(\.modelDigest).joined(separator: "\n").utf8))
    }

    // MARK: - Build

    /// Samples the responses with full solves (see the type's discussion).
    /// - Parameters:
    ///   - levels: the levels (at least one, no repeats).
    ///   - grades: the grades (at least one, no repeats).
    ///   - search: table, criteria, data sets and mesh (its patient and ceiling are not used).
    ///   - forceRange: the sampled peak table force (N), bottom > 0.
    ///   - relativeTolerance: bracket width over the limit of the sampling (dimensionless, (0, 0.5]).
    ///   - jobs: cells sampled at the same time (threads, ≥ 1; the result does not depend on it).
    ///   - progress: called with a line of text after each cell (from the sampling threads).
    /// - Throws: ``LimitsSurrogateError``, ``LimitSearchError`` (a non-monotone or nowhere
    ///   admissible response), the model's and solver's errors.
    public static func build(levels: [LumbarLevel], grades: [PfirrmannGrade], search: MotionSegmentLimitSearch,
                             forceRange: ClosedRange<Double> = 100...2400, relativeTolerance: Double = 0.005, jobs: Int = 1,
                             progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> LimitsSurrogate {
        guard !levels.isEmpty, Set(levels).count == levels.count else {
            throw LimitsSurrogateError(field: "levels", message: "expected at least one level, none repeated")
        }
        guard !grades.isEmpty, Set(grades).count == grades.count else {
            throw LimitsSurrogateError(field: "grades", message: "expected at least one grade, none repeated")
        }
        guard forceRange.lowerBound.isFinite, forceRange.upperBound.isFinite, forceRange.lowerBound > 0,
              forceRange.upperBound > 2 * forceRange.lowerBound else {
            throw LimitsSurrogateError(field: "forceRange", message: "\(forceRange) N; expected finite forces, bottom > 0 N, top > 2 × bottom")
        }
        var checked = search
        checked.patient = try referencePatient(level: levels[0], grade: grades[0])
        try checked.validate()
        let familyDigest = try protocolFamilyDigest(search.table)
        // One sampling task per level and distinct disc preset; grades with an equal preset share it.
        var taskList: [(level: LumbarLevel, grade: PfirrmannGrade)] = []
        for level in levels {
            for grade in grades where !taskList.contains(where: { $0.level == level && $0.grade.preset == grade.preset }) {
                taskList.append((level, grade))
            }
        }
        let tasks = taskList
        let results = ResultBox(count: tasks.count)
        DispatchQueue.concurrentPerform(iterations: min(max(1, jobs), tasks.count)) { worker in
            for k in stride(from: worker, to: tasks.count, by: min(max(1, jobs), tasks.count)) {
                let (level, grade) = tasks[k]
                do {
                    var s = search
                    s.patient = try referencePatient(level: level, grade: grade)
                    var responses: [Response] = []
                    for set in s.ligamentDataSets {
                        responses.append(try sample(search: s, dataSet: set, forceRange: forceRange, relativeTolerance: relativeTolerance))
                    }
                    results.set(k, .success(responses))
                    progress("\(level) grade \(grade.rawValue): " + responses.map { "\($0.dataSet) \($0.forces.count) samples" }.joined(separator: ", "))
                } catch {
                    results.set(k, .failure(error))
                    progress("\(level) grade \(grade.rawValue): failed: \(error)")
                }
            }
        }
        var cells: [Cell] = []
        for level in levels {
            for grade in grades {
                let k = tasks.firstIndex { $0.level == level && $0.grade.preset == grade.preset }!
                guard let outcome = results.get(k) else {
                    throw LimitsSurrogateError(field: "build", message: "\(level) grade \(grade.rawValue) was not sampled")
                }
                var s = search
                s.patient = try referencePatient(level: level, grade: grade)
                cells.append(Cell(level: level, grade: grade, modelDigest: try cellModelDigest(level: level, grade: grade, search: s),
                                  responses: try outcome.get()))
            }
        }
        return LimitsSurrogate(libraryVersion: Simulation.libraryVersion, modelDigest: modelDigest(ofCells: cells),
                               protocolFamilyDigest: familyDigest, protocolFamilyDescription: protocolFamilyDescription(search.table),
                               mesh: search.mesh, ligamentDataSets: search.ligamentDataSets.map(\.name), criteria: search.criteria,
                               buildRelativeTolerance: relativeTolerance, forceRange: forceRange, cells: cells)
    }

    /// Per-task outcomes written by the sampling threads.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Swift.Result<[Response], any Error>?]
        init(count: Int) { items = Array(repeating: nil, count: count) }
        func set(_ k: Int, _ r: Swift.Result<[Response], any Error>) { lock.lock(); items[k] = r; lock.unlock() }
        func get(_ k: Int) -> Swift.Result<[Response], any Error>? { lock.lock(); defer { lock.unlock() }; return items[k] }
    }

    /// One data set's response in one cell, from full solves.
    static func sample(search s: MotionSegmentLimitSearch, dataSet set: LigamentDataSet, forceRange: ClosedRange<Double>,
                       relativeTolerance: Double) throws -> Response {
        let base = try MotionSegment.lumbar(s.patient.level, patient: s.patient, mesh: s.mesh, ligaments: set)
        var swellModel = base
        try MotionSegmentLimitSearch.apply(s.limitProtocol(tableForce: forceRange.upperBound), to: &swellModel, bodyMassKg: s.patient.bodyMassKg)
        let swollen = try Simulation(model: swellModel).freeSwollenStateSynchronously()
        func response(_ force: Double) throws -> [CriterionValue] {
            var m = base
            try MotionSegmentLimitSearch.apply(s.limitProtocol(tableForce: force), to: &m, bodyMassKg: s.patient.bodyMassKg)
            let r = try Simulation(model: m).runSynchronously(from: swollen)
            guard let segment = r.motionSegment else {
                throw LimitSearchError.invalidParameter(field: "model.motionSegment", value: 0, expected: "a motion-segment model")
            }
            return s.criteria.evaluate(segment)
        }
        let bracket = try LimitBracketing.largestAdmissibleLoad(ceiling: forceRange.upperBound, relativeTolerance: relativeTolerance,
                                                                response: response)
        var evaluations = bracket.evaluations
        if !evaluations.contains(where: { $0.load == forceRange.lowerBound }) {
            evaluations.append(LimitEvaluation(load: forceRange.lowerBound, criteria: try response(forceRange.lowerBound)))
        }
        evaluations.sort { $0.load < $1.load }
        let ids = evaluations[0].criteria.map(\.criterion)
        var criteria: [Criterion] = []
        for (k, id) in ids.enumerated() {
            var ratios: [Double] = []
            for e in evaluations {
                guard e.criteria.count == ids.count, e.criteria[k].criterion == id else {
                    throw LimitsSurrogateError(field: "criteria", message: "the criteria differ between forces at \(e.load) N (\(set.name))")
                }
                ratios.append(e.criteria[k].ratio)
            }
            criteria.append(Criterion(id: id, marginFraction: evaluations[0].criteria[k].marginFraction, ratios: ratios))
        }
        try LimitBracketing.checkMonotone(evaluations, tolerance: 1e-6)
        return Response(dataSet: set.name, forces: evaluations.map(\.load), criteria: criteria)
    }

    // MARK: - Use

    /// Refuses a surrogate that was not built for `search`'s library version, protocol family,
    /// mesh, data sets, criteria and the patient's level, grade and model; returns the cell.
    /// - Throws: ``LimitsSurrogateError`` naming the field.
    public func check(_ search: MotionSegmentLimitSearch) throws(LimitsSurrogateError) -> Cell {
        guard libraryVersion == Simulation.libraryVersion else {
            throw LimitsSurrogateError(field: "surrogate.libraryVersion", message: "\(libraryVersion); this library is \(Simulation.libraryVersion) (rebuild the surrogate: `spinetraction limits surrogate build`)")
        }
        let family: String
        do { family = try Self.protocolFamilyDigest(search.table) } catch {
            throw LimitsSurrogateError(field: "search.table", message: "the table does not give a protocol (\(error))")
        }
        guard family == protocolFamilyDigest else {
            throw LimitsSurrogateError(field: "surrogate.protocolFamily", message: "built for \(protocolFamilyDescription); the search uses \(Self.protocolFamilyDescription(search.table))")
        }
        guard mesh == search.mesh else {
            throw LimitsSurrogateError(field: "surrogate.mesh", message: "built for the \(mesh) mesh; the search uses the \(search.mesh) mesh")
        }
        guard ligamentDataSets == search.ligamentDataSets.map(\.name) else {
            throw LimitsSurrogateError(field: "surrogate.ligamentDataSets", message: "built for \(ligamentDataSets.joined(separator: ", ")); the search uses \(search.ligamentDataSets.map(\.name).joined(separator: ", "))")
        }
        guard search.deformableVertebrae == nil else {
            throw LimitsSurrogateError(field: "search.deformableVertebrae", message: "the surrogate was built on rigid vertebrae; a search with deformable vertebral bodies needs full solves")
        }
        guard criteria == search.criteria else {
            throw LimitsSurrogateError(field: "surrogate.criteria", message: "built for \(Self.criteriaJSON(criteria).serialized()); the search uses \(Self.criteriaJSON(search.criteria).serialized())")
        }
        let p = search.patient
        guard cells.contains(where: { $0.level == p.level }) else {
            throw LimitsSurrogateError(field: "patient.level", message: "\(p.level); the surrogate covers \(Self.list(cells.map(\.level.rawValue)))")
        }
        guard let cell = cells.first(where: { $0.level == p.level && $0.grade == p.discGrade }) else {
            throw LimitsSurrogateError(field: "patient.discGrade", message: "\(p.discGrade.rawValue); the surrogate covers grades \(Self.list(cells.filter { $0.level == p.level }.map { String($0.grade.rawValue) })) at \(p.level)")
        }
        let digest: String
        do { digest = try Self.cellModelDigest(level: p.level, grade: p.discGrade, search: search) } catch {
            throw LimitsSurrogateError(field: "surrogate.modelDigest", message: "the model of \(p.level) grade \(p.discGrade.rawValue) could not be built to check its digest (\(error))")
        }
        guard digest == cell.modelDigest else {
            throw LimitsSurrogateError(field: "surrogate.modelDigest", message: "the model of \(p.level) grade \(p.discGrade.rawValue) has the digest \(digest); the surrogate was built from \(cell.modelDigest) (the model or its constants changed: rebuild the surrogate)")
        }
        return cell
    }

    /// The patient's force limit from the interpolated responses (see the type's discussion).
    /// - Throws: ``LimitsSurrogateError`` naming the field (a refusal: fall back to full solves).
    public func limit(for search: MotionSegmentLimitSearch) throws(LimitsSurrogateError) -> MotionSegmentForceLimit {
        do { try search.validate() } catch {
            throw LimitsSurrogateError(field: "search", message: "\(error)")
        }
        let cell = try check(search)
        let p = search.patient
        let ceiling = search.ceilingBodyWeightFraction * p.bodyWeight
        let (bottom, top) = (forceRange.lowerBound, forceRange.upperBound)
        let searchCeiling = min(ceiling, top)
        var perSet: [DataSetForceLimit] = []
        var heldAtTop: [String] = []
        for r in cell.responses {
            let limit: BracketedLimit
            do {
                limit = try LimitBracketing.largestAdmissibleLoad(ceiling: searchCeiling, relativeTolerance: search.relativeTolerance) { force in
                    guard force >= bottom else {
                        throw LimitsSurrogateError(field: "patient.bodyMassKg", message: "the search needs the \(r.dataSet) response at \(force) N, below the sampled range [\(bottom), \(top)] N (body weight \(p.bodyWeight) N)")
                    }
                    return Self.interpolate(r, at: force)
                }
            } catch let e as LimitsSurrogateError {
                throw e
            } catch {
                throw LimitsSurrogateError(field: "surrogate.cells[\(p.level) grade \(p.discGrade.rawValue)].\(r.dataSet)", message: "\(error)")
            }
            if ceiling > top, limit.reachedCeiling { heldAtTop.append(r.dataSet) }
            perSet.append(DataSetForceLimit(dataSet: r.dataSet, limit: limit))
        }
        var result = MotionSegmentForceLimit(patient: p, ceiling: ceiling, perDataSet: perSet)
        if heldAtTop.contains(result.governingDataSet.dataSet) {
            throw LimitsSurrogateError(field: "patient.bodyMassKg", message: "\(p.bodyMassKg) kg: the search ceiling \(Self.fmt(ceiling)) N (\(search.ceilingBodyWeightFraction) × body weight) lies above the sampled range [\(bottom), \(top)] N and \(Self.list(heldAtTop)) holds at its top, so the limit may lie above the range")
        }
        result.method = .surrogate(digest: digest, sampledTopN: ceiling > top ? top : nil)
        return result
    }

    /// Every criterion's ratio at `force` (N) inside the sampled range, interpolated linearly.
    static func interpolate(_ r: Response, at force: Double) -> [CriterionValue] {
        let f = r.forces
        var hi = f.firstIndex { $0 >= force } ?? (f.count - 1)
        if hi == 0 { hi = 1 }
        let lo = hi - 1
        let t = min(1, max(0, (force - f[lo]) / (f[hi] - f[lo])))
        return r.criteria.map { c in
            let (a, b) = (c.ratios[lo], c.ratios[hi])
            let v: Double
            if t == 0 { v = a } else if t == 1 { v = b } else if !a.isFinite || !b.isFinite { v = .infinity } else { v = a + t * (b - a) }
            return CriterionValue(criterion: c.id, ratio: v, marginFraction: c.marginFraction)
        }
    }

    static func list(_ items: [String]) -> String {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }.joined(separator: ", ")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.4g", x) }

    // MARK: - File

    static func criteriaJSON(_ c: LimitCriteria) -> JSONValue {
        .object(["ligamentDamageThresholdFraction": .number(c.ligamentDamageThresholdFraction),
                 "ligamentFailureForceFraction": .number(c.ligamentFailureForceFraction),
                 "maxAccumulatedLaxity": .number(c.maxAccumulatedLaxity),
                 "maxDistraction": c.maxDistraction.map { .number($0) } ?? .null,
                 "maxFacetForce": c.maxFacetForce.map { .number($0) } ?? .null,
                 "maxAnnulusFibreStrain": c.maxAnnulusFibreStrain.map { .number($0) } ?? .null,
                 "discretisation": .object(["ligamentStrain": perLigament(c.discretisation.ligamentStrain),
                                            "ligamentForce": perLigament(c.discretisation.ligamentForce),
                                            "distraction": .number(c.discretisation.distraction),
                                            "facetForce": .number(c.discretisation.facetForce),
                                            "annulusFibreStrain": c.discretisation.annulusFibreStrain.map { .number($0) } ?? .null])])
    }

    /// A per-ligament-type table as an object keyed by the type's abbreviation, in
    /// ``LigamentType`` order (a missing type is written as null, which the reader refuses).
    static func perLigament(_ table: [LigamentType: Double]) -> JSONValue {
        .object(JSONObject(LigamentType.allCases.map { type -> (String, JSONValue) in (type.rawValue, table[type].map { .number($0) } ?? .null) }))
    }

    /// The file's members without `digest`, in the written order.
    var contentJSON: JSONObject {
        let cellsJSON: [JSONValue] = cells.map { c in
            .object(["level": .string(c.level.rawValue), "grade": .number(Double(c.grade.rawValue)), "modelDigest": .string(c.modelDigest),
                     "responses": .array(c.responses.map { r in
                         .object(["dataSet": .string(r.dataSet), "forcesN": .array(r.forces.map { .number($0) }),
                                  "criteria": .array(r.criteria.map { k in
                                      .object(["id": .string(k.id), "marginFraction": .number(k.marginFraction),
                                               "ratios": .array(k.ratios.map { .number($0) })])   // +∞ is written as null
                                  })])
                     })])
        }
        return ["format": .string(Self.format), "libraryVersion": .string(libraryVersion), "modelDigest": .string(modelDigest),
                "protocolFamily": .object(["digest": .string(protocolFamilyDigest), "description": .string(protocolFamilyDescription)]),
                "mesh": .string(mesh == .coarse ? "coarse" : "standard"),
                "ligamentDataSets": .array(ligamentDataSets.map { .string($0) }),
                "criteria": Self.criteriaJSON(criteria),
                "buildRelativeTolerance": .number(buildRelativeTolerance),
                "forceRangeN": .array([.number(forceRange.lowerBound), .number(forceRange.upperBound)]),
                "cells": .array(cellsJSON)]
    }

    /// SHA-256 (hex) of the file's content (every member but `digest`, as written).
    public var digest: String { Self.sha256(Array(JSONValue.object(contentJSON).serialized().utf8)) }

    /// The file: ``contentJSON`` with `digest` appended, then a newline.
    public var jsonData: Data {
        var o = contentJSON
        o.append(("digest", .string(digest)))
        return Data((JSONValue.object(o).serialized() + "\n").utf8)
    }

    /// Reads a surrogate file and checks its format, every value and its digest (not yet whether
    /// it fits a search: ``check(_:)``).
    /// - Throws: ``LimitsSurrogateError`` naming the field.
    public init(json bytes: [UInt8]) throws(LimitsSurrogateError) {
        let tree: JSONValue
        do { tree = try JSONValue.parse(bytes, maxDepth: 10, maxNumberLength: 64) } catch {
            throw LimitsSurrogateError(field: "surrogate", message: "not valid JSON: \(error)")
        }
        guard case let .object(o) = tree else { throw LimitsSurrogateError(field: "surrogate", message: "expected one JSON object, got \(tree.summary)") }
        let r = Reader(path: "surrogate", object: o)
        let names = ["format", "libraryVersion", "modelDigest", "protocolFamily", "mesh", "ligamentDataSets", "criteria",
                     "buildRelativeTolerance", "forceRangeN", "cells", "digest"]
        try r.exactly(names)
        let formatTag = try r.string("format")
        guard formatTag == Self.format else {
            throw LimitsSurrogateError(field: "surrogate.format", message: "\(formatTag); expected \(Self.format) (its criteria include the annulus fibre strain and the discretisation factors: rebuild the surrogate with `spinetraction limits surrogate build`)")
        }
        libraryVersion = try r.string("libraryVersion")
        modelDigest = try r.hex("modelDigest")
        let family = try r.object("protocolFamily")
        try family.exactly(["digest", "description"])
        protocolFamilyDigest = try family.hex("digest")
        protocolFamilyDescription = try family.string("description")
        switch try r.string("mesh") {
        case "coarse": mesh = .coarse
        case "standard": mesh = .standard
        case let m: throw LimitsSurrogateError(field: "surrogate.mesh", message: "\(m); expected coarse or standard")
        }
        ligamentDataSets = try r.array("ligamentDataSets").enumerated().map { k, v throws(LimitsSurrogateError) in
            guard case let .string(s) = v else { throw LimitsSurrogateError(field: "surrogate.ligamentDataSets[\(k)]", message: "expected a string") }
            return s
        }
        guard !ligamentDataSets.isEmpty else { throw LimitsSurrogateError(field: "surrogate.ligamentDataSets", message: "empty; expected at least one data set") }
        let c = try r.object("criteria")
        try c.exactly(["ligamentDamageThresholdFraction", "ligamentFailureForceFraction", "maxAccumulatedLaxity", "maxDistraction", "maxFacetForce",
                       "maxAnnulusFibreStrain", "discretisation"])
        let d = try c.object("discretisation")
        try d.exactly(["ligamentStrain", "ligamentForce", "distraction", "facetForce", "annulusFibreStrain"])
        criteria = LimitCriteria(ligamentDamageThresholdFraction: try c.number("ligamentDamageThresholdFraction"),
                                 ligamentFailureForceFraction: try c.number("ligamentFailureForceFraction"),
                                 maxAccumulatedLaxity: try c.number("maxAccumulatedLaxity"),
                                 maxDistraction: try c.optionalNumber("maxDistraction"), maxFacetForce: try c.optionalNumber("maxFacetForce"),
                                 maxAnnulusFibreStrain: try c.optionalNumber("maxAnnulusFibreStrain"),
                                 discretisation: DiscretisationFactors(ligamentStrain: try Self.perLigament(d, "ligamentStrain"),
                                                                       ligamentForce: try Self.perLigament(d, "ligamentForce"),
                                                                       distraction: try d.number("distraction"), facetForce: try d.number("facetForce"),
                                                                       annulusFibreStrain: try d.optionalNumber("annulusFibreStrain")))
        do { try criteria.validate() } catch { throw LimitsSurrogateError(field: "surrogate.criteria", message: "\(error)") }
        buildRelativeTolerance = try r.number("buildRelativeTolerance")
        guard buildRelativeTolerance > 0, buildRelativeTolerance <= 0.5 else {
            throw LimitsSurrogateError(field: "surrogate.buildRelativeTolerance", message: "\(buildRelativeTolerance); expected a fraction in (0, 0.5]")
        }
        let range = try r.array("forceRangeN")
        guard range.count == 2, case let .number(bottom) = range[0], case let .number(top) = range[1], bottom > 0, top > bottom else {
            throw LimitsSurrogateError(field: "surrogate.forceRangeN", message: "expected [bottom, top] N with 0 < bottom < top")
        }
        forceRange = bottom...top
        var cells: [Cell] = []
        for (i, v) in try r.array("cells").enumerated() {
            let path = "surrogate.cells[\(i)]"
            guard case let .object(co) = v else { throw LimitsSurrogateError(field: path, message: "expected an object") }
            let cr = Reader(path: path, object: co)
            try cr.exactly(["level", "grade", "modelDigest", "responses"])
            let levelName = try cr.string("level")
            guard let level = LumbarLevel(rawValue: levelName) else {
                throw LimitsSurrogateError(field: path + ".level", message: "\(levelName); expected one of \(LumbarLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let g = try cr.number("grade")
            guard let grade = PfirrmannGrade(rawValue: Int(exactly: g) ?? 0) else {
                throw LimitsSurrogateError(field: path + ".grade", message: "\(g); expected a Pfirrmann grade 1…5")
            }
            guard !cells.contains(where: { $0.level == level && $0.grade == grade }) else {
                throw LimitsSurrogateError(field: path, message: "\(level) grade \(grade.rawValue) is listed twice")
            }
            var responses: [Response] = []
            for (j, rv) in try cr.array("responses").enumerated() {
                let rp = path + ".responses[\(j)]"
                guard case let .object(ro) = rv else { throw LimitsSurrogateError(field: rp, message: "expected an object") }
                let rr = Reader(path: rp, object: ro)
                try rr.exactly(["dataSet", "forcesN", "criteria"])
                let set = try rr.string("dataSet")
                guard j < ligamentDataSets.count, set == ligamentDataSets[j] else {
                    throw LimitsSurrogateError(field: rp + ".dataSet", message: "\(set); expected the data sets \(ligamentDataSets.joined(separator: ", ")) in this order")
                }
                let forces = try rr.numbers("forcesN", allowInfinity: false)
                guard forces.count >= 2, zip(forces, forces.dropFirst()).allSatisfy({ $0 < $1 }), forces.first == bottom, forces.last == top else {
                    throw LimitsSurrogateError(field: rp + ".forcesN", message: "expected at least two strictly increasing forces from \(bottom) to \(top) N")
                }
                var ks: [Criterion] = []
                for (k, kv) in try rr.array("criteria").enumerated() {
                    let kp = rp + ".criteria[\(k)]"
                    guard case let .object(ko) = kv else { throw LimitsSurrogateError(field: kp, message: "expected an object") }
                    let kr = Reader(path: kp, object: ko)
                    try kr.exactly(["id", "marginFraction", "ratios"])
                    let ratios = try kr.numbers("ratios", allowInfinity: true)
                    guard ratios.count == forces.count, ratios.allSatisfy({ $0 >= 0 }) else {
                        throw LimitsSurrogateError(field: kp + ".ratios", message: "expected \(forces.count) ratios ≥ 0 (null for +∞)")
                    }
                    let margin = try kr.number("marginFraction")
                    guard margin >= 0, margin < 1 else { throw LimitsSurrogateError(field: kp + ".marginFraction", message: "\(margin); expected a fraction in [0, 1)") }
                    ks.append(Criterion(id: try kr.string("id"), marginFraction: margin, ratios: ratios))
                }
                guard !ks.isEmpty else { throw LimitsSurrogateError(field: rp + ".criteria", message: "empty; expected at least one criterion") }
                responses.append(Response(dataSet: set, forces: forces, criteria: ks))
            }
            guard responses.count == ligamentDataSets.count else {
                throw LimitsSurrogateError(field: path + ".responses", message: "\(responses.count) responses; expected one per data set (\(ligamentDataSets.count))")
            }
            cells.append(Cell(level: level, grade: grade, modelDigest: try cr.hex("modelDigest"), responses: responses))
        }
        guard !cells.isEmpty else { throw LimitsSurrogateError(field: "surrogate.cells", message: "empty; expected at least one cell") }
        self.cells = cells
        guard Self.modelDigest(ofCells: cells) == modelDigest else {
            throw LimitsSurrogateError(field: "surrogate.modelDigest", message: "\(modelDigest) is not the digest of the cells' model digests (\(Self.modelDigest(ofCells: cells)))")
        }
        let stated = try r.hex("digest")
        guard stated == digest else {
            throw LimitsSurrogateError(field: "surrogate.digest", message: "\(stated) does not match the content (\(digest)): the file was changed after it was built")
        }
    }

    /// Member access with the path in every error.
    /// Reads a per-ligament-type table (``perLigament(_:)``): exactly one number per ``LigamentType``.
    static func perLigament(_ r: Reader, _ key: String) throws(LimitsSurrogateError) -> [LigamentType: Double] {
        let o = try r.object(key)
        try o.exactly(LigamentType.allCases.map(\.rawValue))
        var table: [LigamentType: Double] = [:]
        for type in LigamentType.allCases { table[type] = try o.number(type.rawValue) }
        return table
    }

    struct Reader {
        var path: String
        var object: JSONObject

        func exactly(_ names: [String]) throws(LimitsSurrogateError) {
            for k in object.keys where !names.contains(k) {
                throw LimitsSurrogateError(field: "\(path).\(k)", message: "unknown member; expected \(names.joined(separator: ", "))")
            }
            for k in names where object[k] == nil { throw LimitsSurrogateError(field: "\(path).\(k)", message: "missing (no value is defaulted)") }
        }
        func value(_ k: String) throws(LimitsSurrogateError) -> JSONValue {
            guard let v = object[k] else { throw LimitsSurrogateError(field: "\(path).\(k)", message: "missing (no value is defaulted)") }
            return v
        }
        func summary(_ k: String) -> String { object[k]?.summary ?? "nothing" }
        func string(_ k: String) throws(LimitsSurrogateError) -> String {
            guard case let .string(s) = try value(k) else { throw LimitsSurrogateError(field: "\(path).\(k)", message: "expected a string, got \(summary(k))") }
            return s
        }
        func hex(_ k: String) throws(LimitsSurrogateError) -> String {
            let s = try string(k)
            guard s.utf8.count == 64, s.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw LimitsSurrogateError(field: "\(path).\(k)", message: "\"\(s)\"; expected 64 lowercase hex characters (SHA-256)")
            }
            return s
        }
        func number(_ k: String) throws(LimitsSurrogateError) -> Double {
            guard case let .number(x) = try value(k) else { throw LimitsSurrogateError(field: "\(path).\(k)", message: "expected a number, got \(summary(k))") }
            return x
        }
        func optionalNumber(_ k: String) throws(LimitsSurrogateError) -> Double? {
            if case .null = try value(k) { return nil }
            return try number(k)
        }
        func array(_ k: String) throws(LimitsSurrogateError) -> [JSONValue] {
            guard case let .array(a) = try value(k) else { throw LimitsSurrogateError(field: "\(path).\(k)", message: "expected an array, got \(summary(k))") }
            return a
        }
        func object(_ k: String) throws(LimitsSurrogateError) -> Reader {
            guard case let .object(o) = try value(k) else { throw LimitsSurrogateError(field: "\(path).\(k)", message: "expected an object, got \(summary(k))") }
            return Reader(path: "\(path).\(k)", object: o)
        }
        func numbers(_ k: String, allowInfinity: Bool) throws(LimitsSurrogateError) -> [Double] {
            var out: [Double] = []
            for (i, v) in try array(k).enumerated() {
                switch v {
                case let .number(x): out.append(x)
                case .null where allowInfinity: out.append(.infinity)
                default: throw LimitsSurrogateError(field: "\(path).\(k)[\(i)]", message: "expected a number\(allowInfinity ? " or null (+∞)" : ""), got \(v.summary)")
                }
            }
            return out
        }
    }
}
