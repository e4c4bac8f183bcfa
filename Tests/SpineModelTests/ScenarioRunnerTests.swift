import Foundation
import Testing
import Biomechanics
import FiniteElements
import TractionSafety
@testable import SpineModel

@Suite("Scenario runner: load histories on the motion segment, outcomes, patient files")
struct ScenarioRunnerTests {
    let patient = try! Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)

    /// The coarse segment's model of a short table session — one 5 s pull at 40 % BW after a 5 s
    /// preload, 20 s of recovery, 1 s steps and outputs — and the session's end (s).
    static func shortTableSession(_ patient: Patient, errorControl: ErrorControlOptions? = nil) throws -> (model: Model, sessionEnd: Double) {
        let table = ProfessionalTable(pullFraction: 0.4, cycles: 1, hold: 5, rest: 2, restLevel: 0, ramp: .linear(duration: 2))
        let h = try table.historyAtLevel(patient: patient)
        var options = ScenarioRunOptions(); options.preloadDuration = 5
        options.errorControl = errorControl
        let m = try ScenarioRunner.model(patient: patient, mesh: .coarse, options: options, history: h, axialMoment: nil, recovery: 20,
                                         maxStep: 1, outputSpacing: 1, hypermobility: nil)
        return (m, 5 + h.times.last!)
    }

    /// The model's applied loads reproduce the table's history at the level: `traction` force ×
    /// its curve = axial force, `moment` vector × its curve = (−flexion, 0, 0), at every history
    /// point shifted by the preload time (relative 1e-12 of the peak). A one-piece table at 20°
    /// makes the axial force not proportional to the moment (the friction is subtracted), so the
    /// two curves must differ.
    @Test func tableLoadsReproduceHistory() throws {
        let table = ProfessionalTable(cycles: 2, hold: 20, rest: 10, table: .nonSplit(frictionCoefficient: 0.5), pullAngle: 20)
        let h = try table.historyAtLevel(patient: patient)
        var options = ScenarioRunOptions(); options.preloadDuration = 7
        let m = try ScenarioRunner.model(patient: patient, mesh: .coarse, options: options, history: h, axialMoment: nil, recovery: 30,
                                         maxStep: 5, outputSpacing: 5, hypermobility: nil)
        let force = m.boundary[named: "traction"]!.force!, moment = m.boundary[named: "moment"]!
        guard case let .rigid(.loads(_, vector, _, _, _), _) = moment.kind else { Issue.record("moment is not a rigid load"); return }
        let (fPeak, mPeak) = (h.axialForce.max()!, h.flexionMoment.max()!)
        #expect(fPeak > 0 && mPeak > 0)
        for (i, t) in h.times.enumerated() {
            let at = 7 + t - h.times[0]
            #expect(abs(force.z * m.curves["traction"]!.value(at: at) - h.axialForce[i]) <= 1e-12 * fPeak)
            let mv = vector * m.curves["moment"]!.value(at: at)
            #expect(abs(mv.x + h.flexionMoment[i]) <= 1e-12 * mPeak && mv.y == 0 && mv.z == 0)
        }
        #expect(m.boundary[named: "preload"]!.force == SIMD3(0, 0, -17))
        #expect(m.steps.map(\.name).suffix(3) == ["preload", "session", "recovery"])
        #expect(m.steps.suffix(3).map(\.duration) == [7, h.times.last! - h.times[0], 30])
    }

    /// The thrust's moments on the vertebra against the pulse's definition
    /// (``SelfManipulation/axialMoment(at:)``): axial rotation about +z, flexion (ratio × axial) about −x.
    @Test func thrustLoadsReproduceDefinition() throws {
        let crack = SelfManipulation(peakAxialMoment: 20_000, flexionRatio: 0.4)
        let (h, axial) = try ScenarioRunner.thrustHistory(crack)
        var options = ScenarioRunOptions(); options.preloadDuration = 3
        let m = try ScenarioRunner.model(patient: patient, mesh: .coarse, options: options, history: h, axialMoment: axial, recovery: 0,
                                         maxStep: 0.01, outputSpacing: 0.05, hypermobility: nil)
        guard case let .rigid(.loads(_, vector, _, _, _), _) = m.boundary[named: "moment"]!.kind else { Issue.record("no moment"); return }
        for t in stride(from: 0.0, through: crack.duration, by: 0.013) {
            let mv = vector * m.curves["moment"]!.value(at: 3 + t)
            // The history samples the pulse; between samples it is linear, so compare at the samples' resolution.
            let exact = crack.axialMoment(at: t)
            #expect(abs(mv.z - exact) <= 0.02 * 20_000, "t = \(t)")
            #expect(abs(mv.x + 0.4 * mv.z) <= 1e-9 * 20_000)
        }
        for (i, t) in h.times.enumerated() {
            let mv = vector * m.curves["moment"]!.value(at: 3 + t)
            #expect(abs(mv.z - crack.axialMoment(at: t)) <= 1e-9 * 20_000 && abs(axial[i] - crack.axialMoment(at: t)) <= 1e-12 * 20_000)
        }
        #expect(m.boundary[named: "traction"]!.force == SIMD3(0, 0, 0))
        #expect(m.steps.last!.maxStep == 0.01)
    }

    /// Moments that are not proportional cannot share the vertebra's one moment curve: refused, naming the first
    /// sample off the line through the driver's peak (flexion 1000 where 0.5 × 1000 = 500 was expected).
    @Test func disproportionateMomentsRefused() {
        let h = LevelLoadHistory(times: [0, 1, 2], axialForce: [0, 0, 0], flexionMoment: [0, 1000, 1000], compressiveFollowerLoad: nil)
        expectScenarioError("history.flexionMoment[1]") {
            _ = try ScenarioRunner.model(patient: patient, mesh: .coarse, options: ScenarioRunOptions(), history: h, axialMoment: [0, 1000, 2000],
                                         recovery: 0, maxStep: 0.1, outputSpacing: 0.1, hypermobility: nil)
        }
    }

    /// The bone estimate against the formula evaluated by hand (Python, 1e-9 relative): endplate
    /// 50 × 36 mm (A = π·25·18, W = π·25·18²/4), E = 4730 ρ^1.56 MPa; ρ = 0.2 g/cm³ at T = 0 and
    /// 0.2·(1 − 0.11·2.8) at T = −2.8. −500 N alone: σ/E/0.0077; +300 N with 20 N·m flexion:
    /// (300/A + 20000/W)/E/0.0070 (tension yield).
    @Test(arguments: [(0.0, 0.1195773593884425, 1.2481219045500322), (-2.8, 0.21236524908535698, 2.2166212776753813)])
    func boneEstimateByHand(tScore: Double, compression: Double, tensionWithBending: Double) throws {
        let p = try Patient(bodyMassKg: 70, heightCm: 175, tScore: tScore, level: .l4l5)
        let b = BoneLoadEstimate()
        #expect(abs(b.strainToYield(axial: [-500], moment: [0], width: 50, depth: 36, patient: p) - compression) <= 1e-9 * compression)
        #expect(abs(b.strainToYield(axial: [300], moment: [20_000], width: 50, depth: 36, patient: p) - tensionWithBending) <= 1e-9 * tensionWithBending)
        #expect(abs(b.strainToYield(axial: [-500, 300, 0], moment: [0, 20_000, 0], width: 50, depth: 36, patient: p) - tensionWithBending) <= 1e-9 * tensionWithBending)
    }

    /// Time below zero with linear crossings, by hand: [1, −1, −1, 1] at 0, 1, 2, 3 s crosses at 0.5 s
    /// and 2.5 s → 2 s; [−2, 2] over 4 s → 2 s; never below → 0 (exact).
    @Test func timeBelowZeroByHand() {
        #expect(ScenarioRunner.timeBelowZero([1, -1, -1, 1], times: [0, 1, 2, 3]) == 2)
        #expect(ScenarioRunner.timeBelowZero([-2, 2], times: [0, 4]) == 2)
        #expect(ScenarioRunner.timeBelowZero([0.1, 0.2], times: [0, 4]) == 0)
    }

    /// A short table session (one 5 s pull at 40 % BW) run end to end on the coarse segment: the
    /// row's imbibed fluid equals the disc's volume change over the session (the mixture's
    /// conservation of volume: intrinsically incompressible constituents; relative 1e-6 of the
    /// larger), the traction separates the endplates (distraction > 0, the upper vertebra rises),
    /// and the recovery row's fluid equals the volume change from the session's start to the end.
    @Test func shortSessionEndToEnd() async throws {
        let (m, end) = try Self.shortTableSession(patient)
        var swollen: [String: SimulationState] = [:]
        let r = try await ScenarioRunner.simulate(m, swollen: &swollen)
        let row = try ScenarioRunner.outcome(kind: .professionalTable, label: "short", results: r, sessionStart: 5, sessionEnd: end, recovery: 20,
                                             bone: 0, screening: ScreeningVerdict(scenario: .professionalTable, refusals: [], limits: LimitFactors()))
        let volume = try #require(r.series(named: "discVolumeChange"))
        let dv = ScenarioRunner.value(volume, times: r.times, at: end) - ScenarioRunner.value(volume, times: r.times, at: 5)
        #expect(abs(row.outcome.imbibedFluid - dv) <= 1e-6 * max(abs(dv), abs(row.outcome.imbibedFluid)), "\(row.outcome.imbibedFluid) vs \(dv)")
        let dvAll = ScenarioRunner.value(volume, times: r.times, at: r.times.last!) - ScenarioRunner.value(volume, times: r.times, at: 5)
        let rec = try #require(row.outcome.recovery)
        #expect(abs(rec.imbibedFluid - dvAll) <= 1e-6 * max(abs(dvAll), abs(rec.imbibedFluid)))
        #expect(row.outcome.distraction > 0)
        #expect(row.trace.times.count == row.trace.nucleusPressure.count && row.trace.times.count == row.trace.distraction.count)
        #expect(swollen.count == 1)
    }

    /// The short session with error-controlled steps (``ScenarioRunOptions/errorControl``, tol
    /// 1e-3): the model carries the tolerance; every estimated step has err ≤ 1; the first step after
    /// each rate jump of a load curve inside the loading steps is estimated by step doubling (its two
    /// halves reported as two steps); and the row's imbibed fluid, summed from the steps' fluxes,
    /// still equals the disc's volume change over the session (relative 1e-6, as with the default
    /// steps) — the halves are booked as the backward-Euler steps they are.
    @Test func errorControlledShortSession() async throws {
        let tolerance = try ErrorControlOptions(relativeTolerance: 1e-3)
        let (m, end) = try Self.shortTableSession(patient, errorControl: tolerance)
        #expect(m.errorControl == tolerance)
        var swollen: [String: SimulationState] = [:]
        let r = try await ScenarioRunner.simulate(m, swollen: &swollen)
        for s in r.steps { if let e = s.errorNorm, s.timeStep > 1e-6 { #expect(e <= 1, "err \(e) at t = \(s.time)") } }
        let jumps = Set(m.curves.values.flatMap(\.rateJumps)).filter { $0 > 0 && $0 < r.times.last! }.sorted()
        #expect(!jumps.isEmpty)
        for t in jumps {
            let k = try #require(r.steps.firstIndex { abs($0.time - t) <= 1e-9 }, "a step lands on the corner at \(t) s")
            if k + 1 < r.steps.count { #expect(r.steps[k + 1].doublingIterations > 0, "the step after the corner at \(t) s is doubled") }
        }
        let row = try ScenarioRunner.outcome(kind: .professionalTable, label: "short", results: r, sessionStart: 5, sessionEnd: end, recovery: 20,
                                             bone: 0, screening: ScreeningVerdict(scenario: .professionalTable, refusals: [], limits: LimitFactors()))
        let volume = try #require(r.series(named: "discVolumeChange"))
        let dv = ScenarioRunner.value(volume, times: r.times, at: end) - ScenarioRunner.value(volume, times: r.times, at: 5)
        #expect(abs(row.outcome.imbibedFluid - dv) <= 1e-6 * max(abs(dv), abs(row.outcome.imbibedFluid)), "\(row.outcome.imbibedFluid) vs \(dv)")
        print("error-controlled short session: \(r.steps.count) steps, \(r.steps.filter { $0.doublingIterations > 0 }.count) doubled, imbibed \(row.outcome.imbibedFluid) mm³")
    }

    /// The example patient files parse to the values written in them; the osteoporotic one (T = −2.8)
    /// is refused for inversion by the osteoporosis rule (WHO T ≤ −2.5) and the report names it.
    @Test func examplePatientFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let d = try PatientFile.load(path: root.appendingPathComponent("Examples/patients/default.json").path)
        #expect(d.patient == (try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)))
        #expect(d.conditions.isEmpty && d.inversionConditions.isEmpty)
        let o = try PatientFile.load(path: root.appendingPathComponent("Examples/patients/osteoporotic.json").path)
        #expect(o.patient.tScore == -2.8)
        let verdicts = try Screening.evaluate(o)
        #expect(verdicts[.inversionTable]!.refusals.map(\.rule).contains("osteoporosis"))
        let row = ScenarioOutcome(scenario: .inversionTable, label: "inversion 60°", minimumNucleusPressure: 0, timeBelowZeroPressure: 0,
                                  imbibedFluid: 0, glucoseImbibed: nil, distraction: 0, ligaments: [], laxityAfterDays: nil, days: nil,
                                  facetForce: 0, boneStrainToYield: 0, boneStressToStrength: 0, screening: verdicts[.inversionTable]!)
        let md = ScenarioComparison(patient: o.patient, outcomes: [row]).markdown()
        #expect(md.contains("a clinic would refuse this patient: rule osteoporosis"))
    }

    /// A patient file with conditions: parsed into the screening's sets.
    @Test func conditionsParsed() throws {
        let json = #"{"bodyMassKg": 80, "heightCm": 180, "conditions": ["pregnancy"], "inversionConditions": ["glaucoma"], "spondylolisthesisGrade": 1, "monthsSinceSpinalSurgery": 14}"#
        let s = try PatientFile.parse(Data(json.utf8))
        #expect(s.conditions == [.pregnancy] && s.inversionConditions == [.glaucoma])
        #expect(s.spondylolisthesisGrade == 1 && s.monthsSinceSpinalSurgery == 14)
        #expect(s.patient.tScore == 0 && s.patient.discGrade == .ii && s.patient.level == .l4l5)
    }

    /// Bad patient files: a typed error naming the field, the value and what was expected.
    @Test(arguments: [
        (#"{"heightCm": 175}"#, PatientFileError.missing(field: "bodyMassKg")),
        (#"{"bodyMassKg": 70, "heightCm": 175, "tScore": 7}"#, .invalidValue(field: "tScore", value: "7.0", expected: "a T-score in [−6, 4]")),
        (#"{"bodyMassKg": "70", "heightCm": 175}"#, .invalidValue(field: "bodyMassKg", value: "\"70\"", expected: "a number")),
        (#"{"bodyMassKg": 70, "heightCm": 175, "discGrade": 6}"#, .invalidValue(field: "discGrade", value: "6", expected: "a Pfirrmann grade 1…5")),
        (#"{"bodyMassKg": 70, "heightCm": 175, "discGrade": 2.5}"#, .invalidValue(field: "discGrade", value: "2.5", expected: "a whole number")),
        (#"{"bodyMassKg": 70, "heightCm": 175, "conditions": ["flu"]}"#, .invalidValue(field: "conditions[0]", value: "flu", expected: "one of " + Condition.allCases.map(\.rawValue).joined(separator: ", "))),
        (#"{"bodyMassKg": 70, "heightCm": 175, "spondylolisthesisGrade": 7}"#, .invalidValue(field: "spondylolisthesisGrade", value: "7", expected: "a Meyerding grade 0…5")),
        (#"{"bodyMassKg": 70, "heightCm": 175, "weight": 3}"#, .unknownField(field: "weight", known: PatientFile.fields)),
    ])
    func badPatientFile(json: String, expected: PatientFileError) {
        #expect(throws: expected) { _ = try PatientFile.parse(Data(json.utf8)) }
    }

    /// Bad run options: typed errors naming the option.
    @Test func badOptions() {
        var o = ScenarioRunOptions(); o.preloadDuration = 0
        expectScenarioError("options.preloadDuration") { try o.validate() }
        o = ScenarioRunOptions(); o.sweep = [5000, -1]
        expectScenarioError("options.sweep[1]") { try o.validate() }
        o = ScenarioRunOptions(); o.recoveryDuration = .nan
        expectScenarioError("options.recoveryDuration") { try o.validate() }
        o = ScenarioRunOptions(); o.bone.tensileYieldStrain = 0
        expectScenarioError("bone.tensileYieldStrain") { try o.validate() }
    }
}
