import Foundation
import Testing
@testable import SpineModel

/// Integrates `m x'' + c x' + k x = p(t)` with classical fourth-order Runge–Kutta at a fixed step —
/// an independent reference for the exact piecewise integration of ``OverTheDoorDevice``.
/// Returns the largest `k x + c x'` over `[0, duration]`.
private func rungeKuttaPeak(mass: Double, stiffness: Double, damping: Double, load: (Double) -> Double,
                            duration: Double, steps: Int) -> Double {
    func f(_ t: Double, _ x: Double, _ v: Double) -> (Double, Double) { (v, (load(t) - damping * v - stiffness * x) / mass) }
    var (x, v, peak) = (0.0, 0.0, 0.0)
    let h = duration / Double(steps)
    for i in 0..<steps {
        let t = Double(i) * h
        let k1 = f(t, x, v)
        let k2 = f(t + h / 2, x + h / 2 * k1.0, v + h / 2 * k1.1)
        let k3 = f(t + h / 2, x + h / 2 * k2.0, v + h / 2 * k2.1)
        let k4 = f(t + h, x + h * k3.0, v + h * k3.1)
        x += h / 6 * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0)
        v += h / 6 * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1)
        peak = max(peak, stiffness * x + damping * v)
    }
    return peak
}

@Suite("Cervical traction: halter statics, head weight, the over-the-door drop")
struct CervicalLoadTests {
    /// Spreader-bar equilibrium by hand for a symmetric 30°/30° halter, 100 N at 20° of flexion:
    /// T_chin = 100 sin 50°/sin 60° = 88.4551930891918 N, T_occ = 100 sin 10°/sin 60° = 20.05116442405804 N,
    /// TMJ = T_chin cos 30° = 76.60444431189782 N (to 1e-9 N); the strap forces balance the rope (1e-9 N).
    @Test func halterSplitAgainstHandStatics() throws {
        let s = try Halter().split(ropeForce: 100, pullAngle: 20)
        #expect(abs(s.chinStrap - 88.4551930891918) <= 1e-9)
        #expect(abs(s.occipitalStrap - 20.05116442405804) <= 1e-9)
        #expect(abs(s.temporomandibularLoad - 76.60444431189782) <= 1e-9)
        #expect(s.slack == nil)
        let d = Double.pi / 180
        let along = s.chinStrap * cos(30 * d) + s.occipitalStrap * cos(30 * d)
        let across = s.chinStrap * sin(30 * d) - s.occipitalStrap * sin(30 * d)
        #expect(abs(along - 100 * cos(20 * d)) <= 1e-9 && abs(across - 100 * sin(20 * d)) <= 1e-9)
    }

    /// A pull more anterior than the chin strap (40° > 30°): the occipital strap goes slack and the
    /// whole 100 N runs through the chin, TMJ = 100 cos 40°; at 0° the symmetric halter splits evenly.
    @Test func halterSlackAndSymmetry() throws {
        let s = try Halter().split(ropeForce: 100, pullAngle: 40)
        #expect(s.slack == .occipitalSlack && s.occipitalStrap == 0 && s.chinStrap == 100)
        #expect(abs(s.temporomandibularLoad - 100 * cos(40 * Double.pi / 180)) <= 1e-12)
        let even = try Halter().split(ropeForce: 100, pullAngle: 0)
        #expect(abs(even.chinShare - 0.5) <= 1e-12)
    }

    /// Seated, 70 kg (head and neck 0.081 × 70 × 9.81 = 55.6227 N), 100 N at 20°, lever 120 mm, head
    /// offset 10 mm: axial 100 cos 20° − 55.6227 = 38.34656207859084 N, flexion moment
    /// 100 sin 20° · 120 + 55.6227 · 10 = 4660.4687199080245 N·mm (by hand, 1e-9 relative).
    @Test func seatedHeadWeightLever() throws {
        let g = CervicalTractionGeometry(pullAngle: 20, posture: .seated)
        let l = try g.loadAtLevel(ropeForce: 100, bodyMassKg: 70)
        #expect(abs(l.headWeight - 55.6227) <= 1e-9 * 55.6227)
        #expect(abs(l.axialForce - 38.34656207859084) <= 1e-9 * 38.35)
        #expect(abs(l.flexionMoment - 4660.4687199080245) <= 1e-9 * 4660.5)
        // 10 lb (44.5 N) seated does not even lift the head: compression at the level.
        #expect(try g.loadAtLevel(ropeForce: 10 * OverTheDoorDevice.pound * 9.81, bodyMassKg: 70).axialForce < 0)
    }

    /// Supine with head friction 0.3: the surface bears 55.6227 − 100 sin 20° N, friction takes 0.3 of
    /// it: axial 87.5430563783609 N by hand (1e-9 relative); a sliding headpiece (μ = 0) passes 100 cos 20°.
    @Test func supineFriction() throws {
        let l = try CervicalTractionGeometry(pullAngle: 20, posture: .supine(headFriction: 0.3)).loadAtLevel(ropeForce: 100, bodyMassKg: 70)
        #expect(abs(l.axialForce - 87.5430563783609) <= 1e-9 * 87.54)
        let free = try CervicalTractionGeometry(pullAngle: 20).loadAtLevel(ropeForce: 100, bodyMassKg: 70)
        #expect(abs(free.axialForce - 100 * cos(20 * Double.pi / 180)) <= 1e-12)
    }

    /// Undamped, a bag let go at once peaks at twice its weight (the dynamic load factor of a suddenly
    /// applied load) and one let go over t_r at 1 + |sin(ω t_r/2)|/(ω t_r/2) = 1.2129461321812645 for
    /// 10 lb on 10 N/mm (ω = 46.95340905460195 rad/s), t_r = 0.2 s — both closed forms to 1e-6.
    @Test func dropAgainstClosedForms() throws {
        var door = OverTheDoorDevice(releaseTime: 0, dampingRatio: 0)
        #expect(abs(door.naturalFrequency - 46.95340905460195) <= 1e-9)
        #expect(abs(try door.dynamicLoadFactor() - 2) <= 1e-6)
        door.releaseTime = 0.2
        #expect(abs(try door.dynamicLoadFactor() - 1.2129461321812645) <= 1e-6)
    }

    /// With damping (ζ = 0.1 and 0.3, sudden and 0.05 s releases) the exact piecewise integration
    /// against a fourth-order Runge–Kutta integration at 1/20000 of a period (1e-6 relative), and the
    /// rope force settles at the bag's weight after 60 periods (1e-6 relative).
    @Test(arguments: [(0.1, 0.0), (0.3, 0.0), (0.1, 0.05), (0.3, 0.05)])
    func dampedDropAgainstRungeKutta(zeta: Double, release: Double) throws {
        let door = OverTheDoorDevice(releaseTime: release, dampingRatio: zeta)
        let m = door.weightKg * 1e-3, k = door.stiffness, c = 2 * zeta * (k * m).squareRoot(), w = door.weight
        let period = 2 * Double.pi / door.naturalFrequency
        let duration = release + 3 * period
        let reference = rungeKuttaPeak(mass: m, stiffness: k, damping: c, load: { release > 0 ? w * min(1, $0 / release) : w },
                                       duration: duration, steps: Int(duration / period * 20_000))
        #expect(abs(try door.peakRopeForce() - reference) <= 1e-6 * reference)
        let settle = try door.dropHistory(duration: release + 60 * period, samples: 2000)
        #expect(abs(settle.ropeForce.last! - w) <= 1e-6 * w)
    }

    /// The sitting position sets the angle: 300 mm in front of the door, 800 mm below the pulley,
    /// atan(300/800) = 20.556045219583467° (1e-12); with the back to the door, extension.
    @Test func pullAngleFromSittingPosition() throws {
        #expect(abs(try OverTheDoorDevice.pullAngle(horizontalDistance: 300, pulleyHeight: 800) - 20.556045219583467) <= 1e-12)
        #expect(abs(try OverTheDoorDevice.pullAngle(horizontalDistance: 300, pulleyHeight: 800, facingDoor: false) + 20.556045219583467) <= 1e-12)
    }

    /// The professional protocol's history: the hold reaches the pull (25 lb = 111.2435287425 N by
    /// hand) and, supine on a sliding headpiece at 20°, 104.53472306951237 N at the level (1e-9 relative);
    /// the door's history ends its hold at the bag's weight.
    @Test func sessionHistories() throws {
        let pro = try ProfessionalCervicalTraction().historyAtLevel(bodyMassKg: 70)
        #expect(abs(pro.peakRopeForce - 111.2435287425) <= 1e-9 * 111.24)
        #expect(abs(pro.peakAxialForce - 104.53472306951237) <= 1e-9 * 104.53)
        let door = OverTheDoorDevice(weightKg: 20 * OverTheDoorDevice.pound)
        let h = try door.historyAtLevel(bodyMassKg: 70)
        let atHoldEnd = h.times.firstIndex(of: door.hold)!
        #expect(abs(h.ropeForce[atHoldEnd] - door.weight) <= 1e-12 * door.weight)
        #expect(h.peakRopeForce > door.weight && h.peakRopeForce <= 2 * door.weight)
    }

    /// Bad input names the field: door weight ≤ 0, pull angle outside [−10°, 45°], an implausible
    /// head mass, and a lumbar level given as cervical (the message says it is lumbar).
    @Test func badInputNamesTheField() throws {
        expectScenarioError("door.weightKg") { _ = try OverTheDoorDevice(weightKg: 0).peakRopeForce() }
        expectScenarioError("door.weightKg") { _ = try OverTheDoorDevice(weightKg: -3).peakRopeForce() }
        expectScenarioError("pullAngle") { _ = try CervicalTractionGeometry(pullAngle: 50).loadAtLevel(ropeForce: 10, bodyMassKg: 70) }
        expectScenarioError("pullAngle") { _ = try CervicalTractionGeometry(pullAngle: -11).loadAtLevel(ropeForce: 10, bodyMassKg: 70) }
        expectScenarioError("headMassKg") { _ = try CervicalTractionGeometry(headMassKg: 15).loadAtLevel(ropeForce: 10, bodyMassKg: 70) }
        expectScenarioError("door.dampingRatio") { _ = try OverTheDoorDevice(dampingRatio: 1).peakRopeForce() }
        #expect(throws: CervicalError.unknownLevel("L4-L5")) { try CervicalLevel(name: "L4-L5") }
        #expect(CervicalError.unknownLevel("L4-L5").description.contains("lumbar"))
        #expect(try CervicalLevel(name: "c5/c6") == .c5c6 && CervicalLevel(name: "C56") == .c5c6 && CervicalLevel(name: "C7-T1") == .c7t1)
    }

    /// The hand-pulled rope against its definition evaluated by hand: 2 pulls of 89 N, rise 0.3 s,
    /// hold 10 s, release 0.5 s, rest 10 s — corners at 0, 0.3, 10.3, 10.8, 20.8, 21.1, 31.1, 31.6,
    /// 41.6 s (1e-12 s) with forces 0, F, F, 0, 0, F, F, 0, 0 (exact); seated at 20°, the axial force
    /// at the level during the hold is `F cos 20° − 0.081 × 70 kg × 9.81 m/s²` (1e-9 relative) and the
    /// TMJ load `F sin 50° / sin 60° · cos 30°` (halter statics of the first test, 1e-9 relative).
    @Test func handPullAgainstItsDefinition() throws {
        let f = 20 * OverTheDoorDevice.pound * 9.81
        let hand = HandPulledRope(peakRopeForce: f, repetitions: 2)
        let c = try hand.ropeForceCurve()
        let corners = [0, 0.3, 10.3, 10.8, 20.8, 21.1, 31.1, 31.6, 41.6]
        #expect(c.times.count == corners.count && zip(c.times, corners).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(c.ropeForce == [0, f, f, 0, 0, f, f, 0, 0])
        let h = try hand.historyAtLevel(bodyMassKg: 70)
        let d = Double.pi / 180
        #expect(abs(h.axialForce[1] / (f * cos(20 * d) - 0.081 * 70 * 9.81) - 1) <= 1e-9)
        #expect(abs(h.temporomandibularLoad[2] / (f * sin(50 * d) / sin(60 * d) * cos(30 * d)) - 1) <= 1e-9)
        #expect(abs(h.peakRopeForce - f) <= 1e-12 * f)
        // Without rests the pulls follow one another: the last corner is the last release.
        let packed = try HandPulledRope(peakRopeForce: f, rest: 0, repetitions: 2).ropeForceCurve()
        #expect(packed.times.count == 7 && abs(packed.times.last! - 21.6) <= 1e-12)
    }

    /// Bad hand-pull input names the field.
    @Test func handPullBadInput() {
        expectScenarioError("handPull.peakRopeForce") { _ = try HandPulledRope(peakRopeForce: 0).ropeForceCurve() }
        expectScenarioError("handPull.peakRopeForce") { _ = try HandPulledRope(peakRopeForce: 500).ropeForceCurve() }
        expectScenarioError("handPull.riseTime") { _ = try HandPulledRope(riseTime: 0).ropeForceCurve() }
        expectScenarioError("handPull.hold") { _ = try HandPulledRope(hold: -1).ropeForceCurve() }
        expectScenarioError("handPull.releaseTime") { _ = try HandPulledRope(releaseTime: .nan).ropeForceCurve() }
        expectScenarioError("handPull.rest") { _ = try HandPulledRope(rest: -1).ropeForceCurve() }
        expectScenarioError("handPull.repetitions") { _ = try HandPulledRope(repetitions: 0).ropeForceCurve() }
        expectScenarioError("pullAngle") { _ = try HandPulledRope(geometry: CervicalTractionGeometry(pullAngle: 60, posture: .seated)).ropeForceCurve() }
    }
}
