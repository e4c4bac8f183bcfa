import Foundation
import Testing
import Biomechanics
@testable import SpineModel

/// Runs `body` and expects a ``ScenarioError`` naming `property`.
func expectScenarioError(_ property: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a ScenarioError for \(property), got none", sourceLocation: sourceLocation)
    } catch let e as ScenarioError {
        #expect(e.property == property, "\(e)", sourceLocation: sourceLocation)
        #expect(e.description.hasPrefix(property + ": expected "), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a ScenarioError for \(property), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Scenario presets: table, inversion, self-manipulation")
struct ScenarioPresetTests {
    let patient = try! Patient(bodyMassKg: 80, heightCm: 178, tScore: 0, level: .l4l5)

    /// Inversion tension against 0.536·m·g·sin θ evaluated by hand for 80 kg (m·g·0.536 = 420.6528 N):
    /// the frictionless column of the body-segment estimate, to 1e-9 relative.
    @Test(arguments: [(20.0, 143.8717309463439), (30, 210.3264), (45, 297.4464474051086), (60, 364.29601097305476), (90, 420.6528)])
    func inversionTensionFrictionless(angle: Double, expected: Double) throws {
        let inv = InversionTable(angle: angle, bedFriction: 0)
        #expect(abs(inv.tension(atAngle: angle, patient: patient) - expected) <= 1e-9 * expected)
        let h = try inv.historyAtLevel(patient: patient)
        #expect(abs(h.peakAxialForce - expected) <= 1e-9 * expected)
    }

    /// With bed friction μ = 0.5: W (sin 60° − 0.5 cos 60°) = 259.13281097305475 N by hand; at 20° the
    /// friction holds the body (sin 20° < 0.5 cos 20°): exactly 0 N.
    @Test func inversionTensionWithFriction() throws {
        let inv = InversionTable(angle: 60, bedFriction: 0.5)
        #expect(abs(inv.tension(atAngle: 60, patient: patient) - 259.13281097305475) <= 1e-9 * 259.13)
        #expect(inv.tension(atAngle: 20, patient: patient) == 0)
    }

    /// The time course: half way through the tilt the angle is 30° (tension W sin 30° = 210.3264 N
    /// frictionless); the session lasts 2·tilt + hold; guarding equals its set value at the hold
    /// and G·sin 30°/sin 60° half way through the tilt.
    @Test func inversionHistory() throws {
        let inv = InversionTable(angle: 60, tiltTime: 10, hold: 180, bedFriction: 0, guardingLoad: 100, tiltSegments: 2)
        let h = try inv.historyAtLevel(patient: patient)
        #expect(h.times == [0, 5, 10, 190, 195, 200])
        #expect(abs(h.axialForce[1] - 210.3264) <= 1e-9 * 210)
        #expect(abs(h.axialForce[4] - 210.3264) <= 1e-9 * 210)
        #expect(h.axialForce[0] == 0 && h.axialForce[5] == 0)
        let g = try #require(h.compressiveFollowerLoad)
        #expect(abs(g[2] - 100) <= 1e-12)
        #expect(abs(g[1] - 100 * 0.5 / (3.0.squareRoot() / 2)) <= 1e-9)
        #expect(inv.duration == 200)
    }

    /// Table at 0.5 BW on a one-piece table (μ = 0.5) pulling at 20°: friction μ·(1 − 0.536)·m·g =
    /// 182.0736 N; axial 392.4 cos 20° − 182.0736 = 186.6617843963905 N; moment 392.4 sin 20° · 100 mm =
    /// 13420.870424099241 N·mm (hand-evaluated, 1e-9 relative).
    @Test func tableLoadAtLevel() throws {
        let t = ProfessionalTable(table: .nonSplit(frictionCoefficient: 0.5), pullAngle: 20)
        let l = try t.loadAtLevel(tableForce: 392.4, patient: patient)
        #expect(abs(l.frictionLoss - 182.0736) <= 1e-9 * 182)
        #expect(abs(l.axialForce - 186.6617843963905) <= 1e-9 * 186)
        #expect(abs(l.flexionMoment - 13420.870424099241) <= 1e-9 * 13420)
        // Split table, straight pull: everything reaches the level.
        let s = try ProfessionalTable().loadAtLevel(tableForce: 392.4, patient: patient)
        #expect(s.axialForce == 392.4 && s.flexionMoment == 0 && s.frictionLoss == 0)
        // A force below the friction loses all of itself.
        #expect(try t.loadAtLevel(tableForce: 100, patient: patient).axialForce == 0)
    }

    /// The protocol: 0.5 × 80 kg × 9.81 = 392.4 N peak; 15 cycles of (15 + 60 + 15 + 30) s = 1800 s;
    /// at mid-hold of cycle 1 the table pulls 392.4 N; rest level 196.2 N.
    @Test func tableProtocol() throws {
        let t = ProfessionalTable()
        let r = try t.tractionProtocol().resolve(bodyMassKg: 80)
        #expect(abs(r.peakForce - 392.4) <= 1e-9)
        #expect(t.sessionDuration == 1800)
        #expect(abs(r.tractionForce(at: 15 + 30) - 392.4) <= 1e-9)
        #expect(abs(r.tractionForce(at: 15 + 60 + 15 + 15) - 196.2) <= 1e-9)
        #expect(try t.tractionProtocol().table == .split)
    }

    /// History at the level on a one-piece table: at mid-hold 186.66 N (the hand value above), and
    /// the points added where the table force crosses the friction are exactly 0 N.
    @Test func tableHistoryAtLevel() throws {
        let t = ProfessionalTable(table: .nonSplit(frictionCoefficient: 0.5), pullAngle: 20)
        let h = try t.historyAtLevel(patient: patient)
        let i = try #require(h.times.firstIndex(of: 15 + 60))
        #expect(abs(h.axialForce[i] - 186.6617843963905) <= 1e-9 * 186)
        #expect(h.times == h.times.sorted())
        // One crossing of the friction (182.0736 N = F cos 20°) in the first ramp up and one in the
        // last ramp down; the rest level 196.2 N stays above it (196.2 cos 20° = 184.37 N).
        let curve = try t.tractionProtocol().resolve(bodyMassKg: 80).tractionForceCurve
        #expect(h.times.count == curve.times.count + 2)
        let added = h.times.indices.filter { !curve.times.contains(h.times[$0]) }
        #expect(added.count == 2)
        for i in added { #expect(h.axialForce[i] <= 1e-9) }
        #expect(h.axialForce.max()! > 186)
        #expect(h.axialForce.allSatisfy { $0 >= 0 })
    }

    /// The thrust against its definition, evaluated by hand for 15 N·m, preload 69.7/1010.9 of the
    /// peak (M_p = 1034.2269265011375 N·mm): t₁ = 0.5, t₂ = 1.0, t₃ = 1.15, t₄ = 1.3, t₅ = 1.8 s.
    @Test func thrustCurveAgainstDefinition() throws {
        let m = SelfManipulation()
        let mp = 1034.2269265011375, dm = 15_000 - mp
        let cases: [(Double, Double)] = [
            (0, 0), (0.125, 151.45902674323102), (0.5, mp), (0.75, mp), (1.075, 8017.113463250568),
            (1.15, 15_000), (1.1875, 12954.759885642337), (1.3, mp), (1.55, mp / 2), (1.8, 0), (2.5, 0), (-1, 0),
        ]
        for (t, expected) in cases {
            #expect(abs(m.axialMoment(at: t) - expected) <= 1e-9 * 15_000, "t = \(t)")
            #expect(abs(m.flexionMoment(at: t) - 0.5 * expected) <= 1e-9 * 15_000)
        }
        #expect(abs(m.peakTime - 1.15) <= 1e-12 && abs(m.duration - 1.8) <= 1e-12)
        #expect(abs(m.axialMoment(at: 1.15 - 0.075) - (mp + dm / 2)) <= 1e-9 * 15_000)
        // C¹: one-sided difference slopes at the phase ends vanish to O(h): with h = 1e-6 s at most
        // ΔM·π²·h/(4T²) ≈ 1.5 N·mm/s, against a mean thrust slope ΔM/T ≈ 93 000 N·mm/s; bound 10 N·mm/s.
        for tb in [0.5, 1.0, 1.15, 1.3, 1.8] {
            let h = 1e-6
            #expect(abs(m.axialMoment(at: tb) - m.axialMoment(at: tb - h)) / h < 10, "t = \(tb)")
            #expect(abs(m.axialMoment(at: tb + h) - m.axialMoment(at: tb)) / h < 10, "t = \(tb)")
        }
        // The sampled history lies on the curve.
        let hist = try m.thrustHistory(samplesPerPhase: 4)
        #expect(hist.times.first == 0 && abs(hist.times.last! - 1.8) <= 1e-12)
        for (t, v) in zip(hist.times, hist.axialMoment) { #expect(v == m.axialMoment(at: t)) }
        #expect(hist.axialMoment.max() == 15_000)
    }

    /// The sweep's five peaks (N·mm) are the assumed 5–30 N·m range and include the default.
    @Test func sweep() {
        #expect(SelfManipulation.peakSweep == [5_000, 10_000, 15_000, 20_000, 30_000])
        #expect(SelfManipulation.peakSweep.contains(SelfManipulation().peakAxialMoment))
    }

    /// The hypermobile preset: stiffness × 0.7 on both slopes, 0.02 laxity added to the bundle.
    @Test func hypermobile() throws {
        let law = try LigamentLaw(stiffness: 100, curve: .bilinear(transitionStrain: 0.1, largeStrainStiffness: 300))
        let soft = try HypermobileSegment.assumed.apply(to: law)
        #expect(abs(soft.stiffness - 70) <= 1e-12)
        #expect(soft.curve.transitionStrain == 0.1)
        if case let .bilinear(_, k2) = soft.curve { #expect(abs(k2 - 210) <= 1e-12) }
        let b = try LigamentBundle(name: "b", origin: .ground(.zero), insertion: .ground(SIMD3(0, 0, 10)), law: law)
        let hb = try HypermobileSegment.assumed.apply(to: b)
        #expect(hb.state.laxity == 0.02)
        // Strain at the same length falls by the laxity: (11 − 10)/10 − 0.02 = 0.08.
        #expect(abs(hb.strain(length: 11) - 0.08) <= 1e-12)
        #expect(SelfManipulation.hypermobile.hypermobility == .assumed)
    }

    // MARK: - Bad input, one property at a time

    @Test func tableBadInput() {
        func check(_ p: String, _ edit: (inout ProfessionalTable) -> Void) {
            var t = ProfessionalTable(); edit(&t)
            expectScenarioError(p) { _ = try t.tractionProtocol() }
        }
        check("table.pullFraction") { $0.pullFraction = 0 }
        check("table.pullFraction") { $0.pullFraction = 1.2 }
        check("table.pullFraction") { $0.pullFraction = .nan }
        check("table.cycles") { $0.cycles = 0 }
        check("table.hold") { $0.hold = -1 }
        check("table.rest") { $0.rest = 0 }
        check("table.restLevel") { $0.restLevel = 1.5 }
        check("table.ramp.duration") { $0.ramp.duration = 0 }
        check("table.ramp.segments") { $0.ramp = .logarithmic(duration: 15, segments: 0) }
        check("table.ramp.curvature") { $0.ramp = .logarithmic(duration: 15, curvature: -1) }
        check("table.table.nonSplit.frictionCoefficient") { $0.table = .nonSplit(frictionCoefficient: -0.1) }
        check("table.pullAngle") { $0.pullAngle = 31 }
        check("table.pullAngle") { $0.pullAngle = -1 }
        check("table.leverArm") { $0.leverArm = 0 }
        expectScenarioError("tableForce") { _ = try ProfessionalTable().loadAtLevel(tableForce: -1, patient: patient) }
        var bad = patient; bad.bodyMassKg = -80
        expectScenarioError("patient.bodyMassKg") { _ = try ProfessionalTable().loadAtLevel(tableForce: 100, patient: bad) }
        expectScenarioError("patient.bodyMassKg") { _ = try ProfessionalTable().historyAtLevel(patient: bad) }
        expectScenarioError("patient.bodyMassKg") { _ = try InversionTable().historyAtLevel(patient: bad) }
        expectScenarioError("patient.bodyMassKg") { _ = try Screening.evaluate(ScreeningInput(patient: bad)) }
    }

    @Test func inversionBadInput() {
        func check(_ p: String, _ edit: (inout InversionTable) -> Void) {
            var t = InversionTable(); edit(&t)
            expectScenarioError(p) { _ = try t.historyAtLevel(patient: patient) }
        }
        check("inversion.angle") { $0.angle = 19.9 }
        check("inversion.angle") { $0.angle = 95 }
        check("inversion.tiltTime") { $0.tiltTime = 0 }
        check("inversion.hold") { $0.hold = .infinity }
        check("inversion.bedFriction") { $0.bedFriction = -0.1 }
        check("inversion.guardingLoad") { $0.guardingLoad = -5 }
        check("inversion.tiltSegments") { $0.tiltSegments = 0 }
    }

    @Test func selfManipulationBadInput() {
        func check(_ p: String, _ edit: (inout SelfManipulation) -> Void) {
            var t = SelfManipulation(); edit(&t)
            expectScenarioError(p) { _ = try t.thrustHistory() }
        }
        check("selfManipulation.peakAxialMoment") { $0.peakAxialMoment = 0 }
        check("selfManipulation.preloadFraction") { $0.preloadFraction = 1 }
        check("selfManipulation.preloadRamp") { $0.preloadRamp = 0 }
        check("selfManipulation.preloadHold") { $0.preloadHold = -1 }
        check("selfManipulation.riseTime") { $0.riseTime = 0 }
        check("selfManipulation.unloadTime") { $0.unloadTime = .nan }
        check("selfManipulation.flexionRatio") { $0.flexionRatio = -1 }
        check("selfManipulation.thrustsPerDay") { $0.thrustsPerDay = 0 }
        check("selfManipulation.days") { $0.days = 0 }
        check("selfManipulation.thrustInterval") { $0.thrustInterval = 1 }
        check("selfManipulation.thrustInterval") { $0.thrustsPerDay = 1000; $0.thrustInterval = 100 }
        check("hypermobility.stiffnessFactor") { $0.hypermobility = HypermobileSegment(stiffnessFactor: 1.5, initialLaxity: 0) }
        check("hypermobility.initialLaxity") { $0.hypermobility = HypermobileSegment(stiffnessFactor: 0.7, initialLaxity: -0.1) }
        expectScenarioError("samplesPerPhase") { _ = try SelfManipulation().thrustHistory(samplesPerPhase: 0) }
    }
}
