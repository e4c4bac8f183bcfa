import Foundation
import Testing
import Biomechanics
import TractionSafety
@testable import SpineModel

@Suite("Scenario runner: glucose per session and the starting state")
struct ScenarioGlucoseStartTests {
    let patient = try! Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
    let screening = ScreeningVerdict(scenario: .professionalTable, refusals: [], limits: LimitFactors())

    /// A short table session (one 5 s pull at 40 % BW after 5 s of lying preload, 20 s of recovery)
    /// with the nutrient transport coupled to the motion segment's disc. References:
    /// - conservation of glucose over the session: imbibed − consumed = content change, to 1e-8 of
    ///   |imbibed| + |consumed| (the transport's fluxes and reaction are integrated independently of
    ///   the content, which is read off the concentration field);
    /// - the balance error from the start of the run to the end of the session (same law over every step) ≤ 1e-8;
    /// - one-way coupling: the mechanics equal the run without transport (nucleus pressure, imbibed
    ///   volume and distraction at every output time, 1e-10 relative to each series' largest value),
    ///   so the row's other columns do not change when the glucose column is filled.
    @Test func glucoseConservedAndMechanicsUnchanged() async throws {
        let (m, end) = try ScenarioRunnerTests.shortTableSession(patient)
        var swollen: [String: SimulationState] = [:]
        let (coupled, g) = try await ScenarioRunner.simulateWithGlucose(m, window: 5...end, nutrition: DiscNutritionModel(), swollen: &swollen)
        let plain = try await ScenarioRunner.simulate(m, swollen: &swollen)
        #expect(swollen.count == 1)
        let scale = abs(g.imbibed) + abs(g.consumed)
        #expect(scale > 0)
        #expect(abs(g.imbibed - g.consumed - g.contentChange) <= 1e-8 * scale, "\(g)")
        #expect(g.balanceError <= 1e-8)
        #expect(g.minimumConcentration > 0)
        #expect(coupled.times == plain.times)
        for (a, b) in [(coupled.nucleusPressure!, plain.nucleusPressure!), (coupled.imbibedVolume!, plain.imbibedVolume!),
                       (coupled.motionSegment!.distraction, plain.motionSegment!.distraction)] {
            let big = b.scalars.map(abs).max()!
            for (x, y) in zip(a.scalars, b.scalars) { #expect(abs(x - y) <= 1e-10 * big, "\(a.name): \(x) vs \(y)") }
        }
        let row = try ScenarioRunner.outcome(kind: .professionalTable, label: "short", results: coupled, sessionStart: 5, sessionEnd: end,
                                             recovery: 20, bone: 0, screening: screening, glucose: g)
        #expect(row.outcome.glucoseImbibed == g.imbibed && row.outcome.glucose == g)
        #expect(ScenarioComparison.cells(row.outcome)[4] == ScenarioComparison.number(g.imbibed))
        // A per-ligament damage threshold replaces the law's for that ligament only: the SSL's
        // ratios become its peak and rest strains over 0.2 (exact), every other ligament's stay.
        let ssl = try #require(coupled.motionSegment!.ligaments.first { $0.type == .supraspinous })
        let given = try ScenarioRunner.outcome(kind: .professionalTable, label: "short", results: coupled, sessionStart: 5, sessionEnd: end,
                                               recovery: 20, bone: 0, screening: screening, glucose: g, thresholds: [.supraspinous: 0.2])
        for (a, b) in zip(row.outcome.ligaments, given.outcome.ligaments) {
            if a.ligament == ssl.name {
                #expect(b.fractionOfDamageThreshold == ssl.strain.maximum! / 0.2 && b.restFractionOfDamageThreshold == b.restStrain! / 0.2)
            } else {
                #expect(a == b)
            }
        }
        var bad = ScenarioRunOptions(); bad.damageThresholds = [.interspinous: 0]
        expectScenarioError("options.damageThresholds[ISL]") { try bad.validate() }
    }

    /// The day start's model: the upright load is the weight cranial to L4-L5 by Dempster's
    /// fractions (0.536 × 70 kg × 9.81 m/s² = 368.1 N, by hand), on over the ramp, off over the
    /// ramp before the lying preload; the session's loads are shifted by the upright day
    /// (relative 1e-12); the steps are the day, lying down, the preload, the session, the recovery.
    @Test func dayStartModel() throws {
        let table = ProfessionalTable(pullFraction: 0.4, cycles: 1, hold: 5, rest: 2, restLevel: 0, ramp: .linear(duration: 2))
        let h = try table.historyAtLevel(patient: patient)
        var o = ScenarioRunOptions(); o.preloadDuration = 5; o.start = .day; o.uprightDuration = 7200; o.uprightRamp = 60
        #expect(o.sessionStart == 7205)
        let m = try ScenarioRunner.model(patient: patient, mesh: .coarse, options: o, history: h, axialMoment: nil, recovery: 20,
                                         maxStep: 1, outputSpacing: 1, hypermobility: nil)
        let w = 0.536 * 70 * 9.81
        let up = m.boundary[named: "upright"]!.force!, curve = m.curves["upright"]!
        #expect(abs(up.z + w) <= 1e-9 * w && up.x == 0 && up.y == 0)
        for (t, v) in [(0.0, 0.0), (30, 0.5), (60, 1), (3600, 1), (7140, 1), (7170, 0.5), (7200, 0), (7205, 0), (7300, 0)] {
            #expect(abs(curve.value(at: t) - v) <= 1e-12, "t = \(t)")
        }
        #expect(m.steps.map(\.name).suffix(5) == ["upright", "lie down", "preload", "session", "recovery"])
        #expect(m.steps.suffix(5).map(\.duration) == [7140, 60, 5, h.times.last! - h.times[0], 20])
        let force = m.boundary[named: "traction"]!.force!
        let peak = h.axialForce.max()!
        for (i, t) in h.times.enumerated() {
            #expect(abs(force.z * m.curves["traction"]!.value(at: 7205 + t - h.times[0]) - h.axialForce[i]) <= 1e-12 * peak)
        }
        #expect(m.curves["traction"]!.value(at: 7000) == 0)
        o.uprightRamp = 4000
        expectScenarioError("options.uprightRamp") { try o.validate() }
        o.uprightRamp = 60; o.uprightLoad = -5
        expectScenarioError("options.uprightLoad") { try o.validate() }
    }

    /// The day start against the night start on the coarse L4-L5 segment, at the session's start
    /// (the same short table session after each): the day leaves less fluid and a lower disc.
    /// Reference: the measured diurnal loss of lumbar disc volume, whose published means span
    /// 5.4 % (Martin JT et al. 2022, Eur Spine J, doi 10.1007/s00586-021-07097-4: −5.4 % to
    /// −8.5 % by level, morning to evening) to 18.7 % (Botsford DJ, Esses SI, Ogilvie-Harris DJ
    /// 1994, Spine 19(8):935–940: L4-5 after 4 h standing and 3 h sitting against 6 h supine;
    /// −16.2 % over L3–S1): the fluid lost over the day over the disc's volume at the night start
    /// (elliptic cylinder) must lie in [5.4 %, 18.7 %]. The height loss is printed, not asserted: it
    /// exceeds Martin's measured height band (95 % limits −4.7 % to −10.6 %; see the report).
    @Test func dayStartLosesFluidAndHeight() async throws {
        let table = ProfessionalTable(pullFraction: 0.4, cycles: 1, hold: 5, rest: 2, restLevel: 0, ramp: .linear(duration: 2))
        let h = try table.historyAtLevel(patient: patient)
        var swollen: [String: SimulationState] = [:]
        var at: [StartingState: (fluid: Double, height: Double)] = [:]
        for start in StartingState.allCases {
            var o = ScenarioRunOptions(); o.preloadDuration = 5; o.start = start
            let m = try ScenarioRunner.model(patient: patient, mesh: .coarse, options: o, history: h, axialMoment: nil, recovery: 0,
                                             maxStep: 1, outputSpacing: 1, hypermobility: nil)
            let r = try await ScenarioRunner.simulate(m, swollen: &swollen)
            let ms = try #require(r.motionSegment), v = try #require(r.imbibedVolume)
            at[start] = (ScenarioRunner.value(v, times: r.times, at: o.sessionStart), ScenarioRunner.value(ms.distraction, times: r.times, at: o.sessionStart))
        }
        #expect(swollen.count == 2)   // the upright condition is part of the day model's swelling key: one swollen state per start
        let night = try #require(at[.night]), day = try #require(at[.day])
        #expect(day.fluid < night.fluid && day.height < night.height)
        let g = LevelGeometry.standard(.l4l5)
        let discHeight = g.discHeight * patient.discGrade.preset.heightFactor
        let volume = Double.pi * g.endplateWidth / 2 * g.endplateDepth / 2 * (discHeight + night.height)
        let volumeLoss = (night.fluid - day.fluid) / volume, heightLoss = (night.height - day.height) / (discHeight + night.height)
        print("day start: fluid \(day.fluid - night.fluid) mm³ (\(volumeLoss) of \(volume) mm³), height \(day.height - night.height) mm (\(heightLoss))")
        #expect(volumeLoss >= 0.054 && volumeLoss <= 0.187, "volume lost over the day \(volumeLoss)")
    }
}
