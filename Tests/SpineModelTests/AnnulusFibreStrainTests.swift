import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// The annulus fibre strain of the motion segment's results and its limit criterion, on the
/// coarse L4-L5 segment under pure axial traction.
@Suite("Annulus fibre strain: motion-segment output and limit criterion", .serialized)
struct AnnulusFibreStrainTests {
    static let patient = try! Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)

    /// The coarse segment pulled axially with `force` (N) after the 17 N lying preload
    /// (ramp 10–20 s, hold to 30 s), nodal displacements written at every output time.
    static func run(force: Double) throws -> (results: SimulationResults, engine: BiphasicSimulation) {
        var model = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse)
        model.boundary[named: "traction"]!.force = SIMD3(0, 0, force)
        model.curves["traction"] = try LoadCurve(points: [(0, 0), (10, 0), (20, 1), (30, 1)])
        model.steps[1] = StepDefinition(name: "traction", duration: 30, initialStep: 1, minStep: 0.01, maxStep: 2)
        model.outputs.times = [0, 10, 20, 30]
        model.outputs.vtu = true
        let simulation = try Simulation(model: model)
        guard case let .biphasic(engine) = simulation.engine else { throw LimitSearchError.invalidParameter(field: "engine", value: 0, expected: "biphasic") }
        return (try simulation.runSynchronously(), engine)
    }

    /// The largest `√(a·C a) − 1` over every fibre family at every point of every fibre-reinforced
    /// cell, computed here from the nodal displacements `u` (node-major, mm) with the full
    /// `F = I + Σ u_a ⊗ ∇N_a`, `C = FᵀF` (not the sampler's projected form).
    static func directPeak(problem: BiphasicProblem, displacement u: [Double]) throws -> Double {
        let mesh = problem.mesh
        var best = -Double.infinity
        for c in 0..<mesh.cellCount {
            guard let solid = problem.cellMaterials[c].law.solid as? FibreReinforcedSolid else { continue }
            var cv = CellValues(cellType: mesh.cellType(c))
            try cv.reinit(mesh: mesh, cell: c)
            let nodes = mesh.cellNodes(c)
            let axes = problem.cellMaterials[c].axes
            for q in 0..<cv.quadratureCount {
                var f = [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]
                for (a, n) in nodes.enumerated() {
                    let g = cv.gradient(q, a)
                    for i in 0..<3 { for j in 0..<3 { f[i][j] += u[3 * n + i] * g[j] } }
                }
                var cm = [[0.0, 0, 0], [0, 0, 0], [0, 0, 0]]
                for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { cm[i][j] += f[k][i] * f[k][j] } } }
                for family in solid.fibres {
                    let l = family.direction
                    let a = (0..<3).map { i in axes[i, 0] * l.x + axes[i, 1] * l.y + axes[i, 2] * l.z }
                    var inv = 0.0
                    for i in 0..<3 { for j in 0..<3 { inv += a[i] * cm[i][j] * a[j] } }
                    best = max(best, inv.squareRoot() - 1)
                }
            }
        }
        return best
    }

    /// Pure traction, 150 N and 300 N: at every output time the reported annulus fibre strain
    /// equals the direct computation from the written nodal displacements (independent reference:
    /// full `C`, 1e-12 absolute, round-off) — the free-swollen state at t = 0 included, where it is
    /// the swelling's own fibre stretch (the same for both forces, 1e-12); the peak over every step
    /// is positive and larger at 300 N than at 150 N, and larger under traction than in the
    /// swollen state; the location names an annulus cell of lamella 0 or 1 with a ±30° fibre.
    @Test func peakFibreStrainMatchesTheNodalDisplacementsAndGrowsWithTheForce() throws {
        var peaks: [Double] = [], swollen: [Double] = []
        for force in [150.0, 300.0] {
            let (r, engine) = try Self.run(force: force)
            let ms = try #require(r.motionSegment)
            let a = try #require(ms.annulusFibreStrain)
            let frames = try #require(r.fields?.frames)
            #expect(frames.count == r.times.count && a.strain.values.count == r.times.count && a.locations.count == r.times.count)
            for (k, frame) in frames.enumerated() {
                let u = try #require(frame.pointData.first { $0.name == "displacement" }).values
                let direct = try Self.directPeak(problem: engine.problem, displacement: u)
                #expect(abs(a.strain.values[k][0] - direct) <= 1e-12, "t = \(r.times[k]) s: \(a.strain.values[k][0]) vs \(direct)")
            }
            let annulus = Set(try engine.mesh.cells(inRegion: "annulus"))
            let location = try #require(a.peakLocation)
            #expect(annulus.contains(location.cell) && [0, 1].contains(location.lamella ?? -1))
            #expect(abs(abs(location.fibreAngle) - 30) <= 1e-9)
            #expect(a.samplePoints == annulus.count * 27)
            let peak = try #require(a.strain.maximum)
            print("annulus fibre strain at \(force) N: swollen \(a.strain.values[0][0]), peak \(peak) at t = \(a.strain.extremes!.maximumTime) s (cell \(location.cell), lamella \(location.lamella!), \(location.fibreAngle)°), final \(a.strain.final!)")
            #expect(peak >= a.strain.scalars.max()! - 1e-15)
            peaks.append(peak); swollen.append(a.strain.values[0][0])
        }
        #expect(abs(swollen[0] - swollen[1]) <= 1e-12)
        #expect(peaks[0] > 0 && peaks[1] > peaks[0] && peaks[0] > swollen[0])
    }

    /// The criterion on a run: its ratio is exactly (bit for bit) the reported peak × the factor
    /// over the bound; and a full-solve search (short table protocol, one data set) whose bound is
    /// the peak strain at a 250 N table force finds its limit within 5 % of 250 N, governed by
    /// `annulusFibreStrain`, named in the candidate's criterion, and no longer listed as not evaluated.
    @Test func criterionRatioIsThePeakOverTheBoundAndGovernsASearch() throws {
        let table = ProfessionalTable(hold: 5, rest: 3, ramp: .logarithmic(duration: 3))
        let probe = MotionSegmentLimitSearch(patient: Self.patient, table: table, criteria: LimitCriteria(discretisation: .none),
                                             ligamentDataSets: [.goelBilinear], mesh: .coarse, ceilingBodyWeightFraction: 0.6, relativeTolerance: 0.05)
        var m = try MotionSegment.lumbar(.l4l5, patient: Self.patient, mesh: .coarse, ligaments: .goelBilinear)
        try MotionSegmentLimitSearch.apply(probe.limitProtocol(tableForce: 250), to: &m, bodyMassKg: 70)
        let ms = try #require(try Simulation(model: m).runSynchronously().motionSegment)
        let peak = try #require(ms.annulusFibreStrain?.strain.maximum)
        let k = DiscretisationFactors.uniform(ligamentStrain: 1, ligamentForce: 1, distraction: 1, facetForce: 1, annulusFibreStrain: 1.37)
        let bound = 0.9 * peak
        let value = try #require(LimitCriteria(maxAnnulusFibreStrain: bound, discretisation: k).evaluate(ms).first { $0.criterion == "annulusFibreStrain" })
        #expect(value.ratio == 1.37 * peak / bound && value.marginFraction == 0)

        var search = probe
        search.criteria.maxAnnulusFibreStrain = peak
        let limit = try search.run()
        let l = limit.governingDataSet.limit
        print("annulus-governed search: limit \(limit.limit) N, bracket \(l.upperBracket ?? .nan) N, governing \(l.governing.criterion) \(l.governing.ratio)")
        #expect(l.governing.criterion == "annulusFibreStrain")
        #expect(limit.criterion == "model.motionSegment.goelBilinear.annulusFibreStrain")
        #expect(abs(limit.limit - 250) <= 0.05 * 250)
        #expect(limit.evaluatedAnnulusFibreStrain && !limit.notEvaluated.contains { $0.hasPrefix("annulus") })
        #expect(probe.criteria.maxAnnulusFibreStrain == nil)
    }
}
