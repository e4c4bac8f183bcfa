import Foundation
import Testing
@testable import SpineModel
import Biomechanics
import TractionSafety
import FiniteElements

/// The cervical motion segment: its parts against the cited tables and the construction by hand,
/// bad input, ranges of motion against the published means, and the comparison's screening and
/// options.
@Suite("Cervical motion segment", .serialized)
struct CervicalSegmentTests {
    static func patient() throws -> Patient { try Patient(bodyMassKg: 70, heightCm: 175) }

    /// C5-C6: held C6, rigid C5 at (0, 0, h) with h = 5.5 mm (the standard geometry, grade II
    /// factor 1); five ligaments (ALL, PLL, LF, ISL, CL both sides); facets and uncovertebral joints.
    /// Each ligament against the Yoganandan et al. 2000 C5–T1 row by hand: the fibre length is the
    /// source's length L (1e-12 mm), the whole ligament's force per mm of elongation in its linear
    /// region is the source's stiffness k (N/mm): stiffness per unit strain / L = k (1e-12
    /// relative); the failure force is the source's (1e-12 N). The facet plane is inclined 45° to
    /// the transverse plane (its normal 45° from +z towards posterior, 1e-12 rad).
    @Test func partsAgainstTheTables() throws {
        let model = try MotionSegment.cervical(.c5c6, patient: try Self.patient(), mesh: .coarse)
        let ms = try #require(model.motionSegment)
        #expect(ms.vertebrae.map(\.name) == ["C6", "C5"])
        #expect(ms.heldVertebra?.name == "C6")
        #expect(abs(ms.vertebrae[1].referencePoint.z - 5.5) <= 1e-12)
        #expect(ms.ligaments.map(\.name) == ["ALL", "PLL", "LF", "ISL", "CL left", "CL right"])
        let table: [LigamentType: (k: Double, failure: Double, length: Double)] = [
            .anteriorLongitudinal: (17.9, 145.2, 18.3), .posteriorLongitudinal: (23.0, 106.1, 17.9), .capsular: (36.9, 181.1, 6.9),
            .flavum: (21.6, 129.0, 10.7), .interspinous: (6.2, 38.7, 9.9),
        ]
        for l in ms.ligaments {
            let row = try #require(table[l.type])
            for f in l.fibres {
                let d = f.insertion - f.origin
                #expect(abs((d * d).sum().squareRoot() - row.length) <= 1e-12, "\(l.name) fibre length")
            }
            #expect(abs(l.stiffness / row.length / row.k - 1) <= 1e-12, "\(l.name) stiffness")
            #expect(abs((l.failureForce ?? .nan) - row.failure) <= 1e-12, "\(l.name) failure force")
        }
        #expect(ms.facets.map(\.name) == ["C5-C6 facet left", "C5-C6 facet right", "C5-C6 uncovertebral left", "C5-C6 uncovertebral right"])
        let n = ms.facets[0].planeNormal
        #expect(abs(acos(n.z) - .pi / 4) <= 1e-12 && n.y < 0 && abs(n.x) <= 1e-15)
        // Uncovertebral normals face medially: the right joint's towards −x.
        #expect(ms.facets[3].planeNormal.x < 0 && ms.facets[2].planeNormal.x > 0)
    }

    /// Every level builds; the vertebra names follow the level (C7-T1: held T1).
    @Test(arguments: CervicalLevel.allCases)
    func everyLevelBuilds(_ level: CervicalLevel) throws {
        let model = try MotionSegment.cervical(level, patient: try Self.patient(), mesh: .coarse)
        let names = level.rawValue.split(separator: "-").map(String.init)
        #expect(model.motionSegment?.heldVertebra?.name == names[1])
        #expect(model.motionSegment?.freeVertebrae.map(\.name) == [names[0]])
    }

    /// The standard uncovertebral joints against Kumaresan et al. 1997 (abstract) at every level:
    /// the joint's height equals the disc's lateral height (here the level's disc height h, the
    /// elliptic disc having one height) and its medial–lateral depth is 3.8 mm, so the flat patch
    /// from the rim spans `h` vertically and 3.8 mm horizontally: `L sin γ = h` and `L cos γ =
    /// 3.8 mm` for its length `L` along the surface and inclination `γ` (1e-12 mm). In the built
    /// C5-C6 model the joint's outermost and innermost sample rows lie `0.75 L` apart along the
    /// surface (a 4 × 4 lattice), their heights `0.75 h` apart (1e-12 mm), and the normal is
    /// inclined `atan(5.5 / 3.8)` = 55.4° from +z (1e-12 rad).
    @Test(arguments: CervicalLevel.allCases)
    func uncovertebralJointsSpanTheMeasuredExtent(_ level: CervicalLevel) throws {
        let g = CervicalLevelGeometry.standard(level)
        let gamma = try #require(g.uncovertebralInclination) * .pi / 180, length = g.uncovertebralSize.y
        #expect(CervicalLevelGeometry.uncovertebralJointDepth == 3.8)
        #expect(abs(length * sin(gamma) - g.discHeight) <= 1e-12, "vertical extent")
        #expect(abs(length * cos(gamma) - 3.8) <= 1e-12, "medial–lateral extent")
        guard level == .c5c6 else { return }
        let ms = try #require(try MotionSegment.cervical(level, patient: try Self.patient(), mesh: .coarse).motionSegment)
        let right = ms.facets[3]
        #expect(right.name == "C5-C6 uncovertebral right")
        #expect(abs(acos(right.planeNormal.z) - atan(5.5 / 3.8)) <= 1e-12)
        let z = right.points.map(\.z)
        #expect(abs((z.max()! - z.min()!) - 0.75 * 5.5) <= 1e-12)
    }

    /// A lumbar level name for the cervical builder is a typed error naming the field `level` and
    /// saying it is lumbar; a geometry of another level names `geometry.level`; a data set entry
    /// with a length shorter than the disc height it spans names that entry's length; a nucleus
    /// fraction out of range names it.
    @Test func badInput() throws {
        let p = try Self.patient()
        #expect { try MotionSegment.cervical(levelName: "L4-L5", patient: p, mesh: .coarse) } throws: { e in
            guard let c = e as? CervicalError, case .unknownLevel("L4-L5") = c else { return false }
            return c.description.hasPrefix("level:") && c.description.contains("lumbar")
        }
        #expect { try MotionSegment.cervical(.c5c6, patient: p, mesh: .coarse, geometry: .standard(.c3c4)) } throws: { e in
            (e as? ModelError)?.path == "geometry.level"
        }
        var set = CervicalLigamentDataSet.yoganandan2000
        set.lengths[.c5c6]![.anteriorLongitudinal] = 2
        #expect { try MotionSegment.cervical(.c5c6, patient: p, mesh: .coarse, ligaments: set) } throws: { e in
            guard case let AnatomyError.invalidValue(field, value, _) = e else { return false }
            return field == "ligaments.C5-C6.ALL.length" && value == 2
        }
        var g = CervicalLevelGeometry.standard(.c5c6)
        g.nucleusFraction = 1.2
        #expect { try MotionSegment.cervical(.c5c6, patient: p, mesh: .coarse, geometry: g) } throws: { e in
            guard case let AnatomyError.invalidValue(field, _, _) = e else { return false }
            return field == "geometry.C5-C6.nucleusFraction"
        }
        #expect(throws: Never.self) { try CervicalLigamentDataSet.yoganandan2000.validate() }
    }

    /// C5-C6 under 1.0 N·m pure moments against Panjabi et al. 2001
    /// (``CervicalRangeOfMotionReference/panjabi2001C5C6``, via secondary sources): flexion 5.1°
    /// and extension 4.5° (the paper's mean curves as digitized by the SAFER HBM project), lateral
    /// bending 3.25 ± 0.75° and axial rotation 2.5 ± 0.5° (half the left + right table means
    /// 6.5 ± 1.5° and 5.0 ± 1.0°), each within ±50 % of the mean
    /// (``CervicalValidation/rangeOfMotionBand``); the distance in SDs is printed where an SD is known.
    /// Lateral bending and axial rotation run to both sides and the mean of the two is compared,
    /// as the source's one-side values are half its left-plus-right ranges. Coarse mesh: flexion
    /// 3.21° (−37 %), extension 3.79° (−16 %), lateral bending 3.11° right and 3.79° left, mean
    /// 3.45° (+6 %, +0.3 SD). **Axial rotation fails, recorded as a known issue:** 4.29° left and
    /// 3.47° right, mean 3.88°, 55 % above 2.5° (+2.8 SD) — the two sides differ because the
    /// two-lamella annulus is chiral (``MotionSegmentValidation/RangeOfMotion/meanOfSides``), and
    /// the segment is too compliant in torsion on both (no tuning was done; the load sharing,
    /// the causes and what the literature gave for them are in
    /// ``CervicalValidation/verificationRows(mesh:)``: no measured number was found for the facet
    /// joint space or the cervical disc's torsional stiffness, and the uncovertebral joints'
    /// measured depth and height, now in the geometry, change no range of motion); the known issue
    /// turns into a failure when the row starts passing.
    @Test(arguments: [MotionDirection.flexion, .extension, .lateralBending, .axialRotation])
    func rangeOfMotion(_ direction: MotionDirection) throws {
        let r = try CervicalValidation.rangeOfMotion(direction, divisions: .coarse)
        let row = CervicalValidation.rangeOfMotionRow(r, mesh: "coarse")
        let sd = CervicalRangeOfMotionReference.panjabi2001C5C6.standardDeviation[direction]
        print("cervical ROM \(direction): \(r.rangeOfMotion)°\(r.oppositeSide.map { ", opposite side \($0)°, mean \(r.meanOfSides)°" } ?? "") (reference \(row.reference)°\(sd.map { ", \((r.meanOfSides - row.reference) / $0) SD" } ?? "")), ISL \(r.interspinousSupraspinousForce) N, facets + uncovertebral \(r.facetForce) N")
        #expect((r.oppositeSide != nil) == (direction == .lateralBending || direction == .axialRotation))
        if let o = r.oppositeSide { #expect(o > 0 && abs(row.ours - 0.5 * (r.rangeOfMotion + o)) <= 1e-12) }
        #expect(r.rangeOfMotion > 0, "the vertebra turns with the moment")
        if direction == .axialRotation {
            withKnownIssue("the coarse C5-C6 segment's axial rotation at 1.0 N·m is 3.88° (mean of 4.29° left and 3.47° right), 55 % above Panjabi's 2.5° (+2.8 SD)") {
                #expect(row.passed, "\(row)")
            }
        } else {
            #expect(row.passed, "\(row)")
        }
    }

    /// Axial rotation against the hand kinematics of the facet contacts (the diagnosis of the
    /// known issue above). A left (+z) torque ramped to 1.0 N·m over 10 s as in
    /// ``CervicalValidation/rangeOfMotion(_:reference:divisions:rampDuration:)``; at t = 1 s
    /// (0.1 N·m) no joint touches and the upper vertebra turns about z alone, so each facet's
    /// smallest gap follows `g(Δθ) = g(0) ∓ sin β · x · Δθ` for the plane's inclination β = 45° and
    /// the sample point nearest contact: the right facet closes at its lateral-most points
    /// (x = 23 + 0.375 × 10 = 26.75 mm, the 4 × 4 lattice's outer column), the left one opens at its
    /// medial-most (|x| = 23 − 3.75 = 19.25 mm); 0.01 mm, the gap change of the coupled motions
    /// before contact (< 0.05°, < 0.03 mm), which the hand formula leaves out. The right facet then
    /// touches after `g(0) / (sin β · 26.75 mm)` ≈ 1.6° (0.54 mm swollen joint space), rotation
    /// that only the disc resists; at 1.0 N·m the right facet carries load, the left one is open,
    /// and neither uncovertebral joint (a flat surface facing medially at mid-depth, which a turn
    /// about z slides along) carries any.
    @Test func axialRotationFacetKinematics() throws {
        var model = try MotionSegment.cervical(.c5c6, patient: try CervicalValidation.subject(), divisions: .coarse)
        let ramp = 10.0
        model.boundary[named: "preload"] = nil
        model.curves["preload"] = nil
        model.curves["traction"] = try LoadCurve(points: [(0, 0), (ramp, 0)])
        model.curves["moment"] = try .ramp(duration: ramp)
        model.boundary.append(BoundaryCondition(name: "moment", target: .surface("top"),
                                                kind: .rigid(.loads(force: .zero, moment: SIMD3(0, 0, 1000), rotationFree: true, reference: nil, slide: []), curve: "moment")))
        model.steps = [model.steps[0], StepDefinition(name: "axial rotation", duration: ramp, initialStep: 0.5, minStep: 0.01, maxStep: 1)]
        model.outputs.times = [0, 1, ramp]
        let ms = try #require(try Simulation(model: model).runSynchronously().motionSegment)
        #expect(ms.facets.map(\.name) == ["C5-C6 facet left", "C5-C6 facet right", "C5-C6 uncovertebral left", "C5-C6 uncovertebral right"])
        let g = CervicalLevelGeometry.standard(.c5c6)
        let s = sin(g.facetInclination * .pi / 180), outer = g.facetLateralOffset + 0.375 * g.facetSize.x, inner = g.facetLateralOffset - 0.375 * g.facetSize.x
        let dTheta = (ms.rotation.values[1][2] - ms.rotation.values[0][2]) * .pi / 180
        let left = ms.facets[0].gap.scalars, right = ms.facets[1].gap.scalars
        print("axial rotation: Δθ(1 s) = \(dTheta * 180 / .pi)°, right gap \(right[0]) → \(right[1]) mm (hand \(right[0] - s * outer * dTheta)), left \(left[0]) → \(left[1]) mm (hand \(left[0] + s * inner * dTheta)); contact predicted after \(right[0] / (s * outer) * 180 / .pi)°")
        #expect(ms.facets.allSatisfy { $0.force.scalars[1] == 0 }, "no joint touches at 0.1 N·m")
        #expect(abs(right[1] - (right[0] - s * outer * dTheta)) <= 0.01)
        #expect(abs(left[1] - (left[0] + s * inner * dTheta)) <= 0.01)
        #expect(right[2] < 0 && (ms.facets[1].force.final ?? 0) > 0, "the right (contralateral) facet carries the torque")
        #expect(left[2] > 0 && ms.facets[0].force.final == 0, "the left facet is open")
        #expect(ms.facets[2].force.final == 0 && ms.facets[3].force.final == 0, "no uncovertebral load in axial rotation")
    }

    /// C5-C6 flexion plus extension under 1.0 N·m against the table's sagittal range of
    /// Panjabi et al. 2001, 10.4 ± 5.2° (``CervicalRangeOfMotionReference/flexionExtension``),
    /// within ±50 % (= 1 SD here); the row is the sum of the two one-direction runs.
    @Test func flexionPlusExtension() throws {
        let f = try CervicalValidation.rangeOfMotion(.flexion, divisions: .coarse)
        let e = try CervicalValidation.rangeOfMotion(.extension, divisions: .coarse)
        let row = try #require(CervicalValidation.flexionExtensionRow(flexion: f, extension: e, mesh: "coarse"))
        #expect(abs(row.ours - (f.rangeOfMotion + e.rangeOfMotion)) <= 1e-12 && row.reference == 10.4)
        print("cervical ROM flexion + extension: \(row.ours)° (reference 10.4 ± 5.2°, \((row.ours - 10.4) / 5.2) SD)")
        #expect(row.passed, "\(row)")
        #expect(CervicalValidation.flexionExtensionRow(flexion: e, extension: f, mesh: "coarse") == nil, "directions swapped")
    }

    /// Nucleus pressure under manual-distraction force (Gudavalli et al. 2013, cadaveric C5-C6:
    /// mean decreases as high as 168.7 kPa at mean traction forces as high as 119.2 N): the coarse
    /// segment's decrease at 119.2 N within the ±50 % band of the ROM rows, and the pull lowers the
    /// pressure (decrease > 0). **Fails on the coarse mesh, recorded as a known issue:** the coarse
    /// segment's pressure falls by 0.300 MPa (0.084 → −0.216 MPa), 78 % more than the source's
    /// largest mean; the standard mesh (the `spinetraction verify` row, minutes in a debug build)
    /// falls by 0.182 MPa, 8 % above it, inside the band — the coarse mesh's two disc layers do not
    /// resolve the fast (1 s) undrained pressure response, as its lumbar counterpart under-resolves
    /// distraction. The known issue turns into a failure when the coarse row starts passing.
    @Test func distractionPressureDecrease() throws {
        let r = try CervicalValidation.distractionPressureDrop(divisions: .coarse)
        let drop = r.before - r.minimum, reference = CervicalValidation.gudavalli2013.pressureDecrease
        print("cervical distraction 119.2 N: pressure \(r.before) → \(r.minimum) MPa, decrease \(drop) MPa vs \(reference) MPa")
        #expect(drop > 0)
        withKnownIssue("the coarse C5-C6 segment's pressure decrease at 119.2 N is 78 % above Gudavalli's 168.7 kPa (standard mesh: +8 %)") {
            #expect(abs(drop - reference) / reference <= CervicalValidation.rangeOfMotionBand)
        }
    }

    /// Screening by `TractionSafety`'s cervical rules: rheumatoid or inflammatory joint disease is
    /// an absolute cervical contraindication (`inflammatoryJointDisease`, regions [cervical] in
    /// `ContraindicationRules.absolute`); a TMJ disorder lowers the force by its rule's factor 0.8;
    /// a healthy patient has neither.
    @Test func screeningFollowsTheRules() throws {
        let p = try Self.patient()
        let healthy = try CervicalComparison.screening(patient: p, level: .c5c6, conditions: [])
        #expect(healthy.refusals.isEmpty && healthy.limits.force == 1)
        let ra = try CervicalComparison.screening(patient: p, level: .c5c6, conditions: [.inflammatoryJointDisease])
        #expect(ra.refusals.map(\.rule) == [BlockReason.inflammatoryJointDisease.rawValue])
        let tmj = try CervicalComparison.screening(patient: p, level: .c5c6, conditions: [.temporomandibularDisorder])
        let factor = try #require(ContraindicationRules.relative.first { $0.condition == .temporomandibularDisorder }?.forceFactor)
        #expect(tmj.refusals.isEmpty && abs(tmj.limits.force - factor) <= 1e-15)
    }

    /// Bad comparison options are typed errors naming the property: a door weight ≤ 0, a sitting
    /// angle outside [−10°, 45°].
    @Test func badComparisonOptions() {
        for (options, property) in [(CervicalComparisonOptions(doorWeightsKg: [4, 0]), "doorWeightsKg[1]"),
                                    (CervicalComparisonOptions(doorWeightsKg: [-2]), "doorWeightsKg[0]"),
                                    (CervicalComparisonOptions(sittingAngles: [20, 50]), "sittingAngles[1]"),
                                    (CervicalComparisonOptions(sittingAngles: [-11]), "sittingAngles[0]")] {
            #expect { try options.validate() } throws: { e in (e as? ScenarioError)?.property == property }
        }
    }
    /// A short comparison (10 s of preload, one professional cycle of 6 s, one door run of 2 s, one
    /// 2 s hand pull, every pull along the neck, θ = 0°, which keeps the flexion moment and the run short) reports the loads its
    /// scenarios define: the professional row's peak rope force is the protocol's pull (1e-9
    /// relative), the door row's is the drop's exact peak (``OverTheDoorDevice/peakRopeForce()``,
    /// 1e-3 relative: the history is sampled, the peak is not), each TMJ load is the halter's chin
    /// share by hand statics, `T_chin cos 30°` with `T_chin = F sin(30° + θ) / sin 60°` at the peak
    /// rope force (1e-3 relative), and the seated door row's axial force is `F cos θ − W_head`
    /// (`W_head` = 0.081 × 70 kg × 9.81 m/s², 1e-3 relative).
    @Test func shortComparisonCarriesTheLoads() async throws {
        var o = CervicalComparisonOptions(doorWeightsKg: [10 * OverTheDoorDevice.pound], sittingAngles: [0])
        o.door.geometry.pullAngle = 0
        o.professional.geometry.pullAngle = 0
        o.professional.cycles = 1
        o.professional.hold = 2
        o.professional.rest = 2
        o.professional.ramp = .logarithmic(duration: 1)
        o.door.hold = 2
        o.handPull = HandPulledRope(riseTime: 0.5, hold: 1, releaseTime: 0.5, rest: 0, repetitions: 1,
                                    geometry: CervicalTractionGeometry(pullAngle: 0, posture: .seated))
        o.preloadDuration = 10
        let cmp = try await CervicalComparison.run(patient: try Self.patient(), options: o)
        print(cmp.table(), terminator: "")
        #expect(cmp.rows.count == 3)
        let d = Double.pi / 180
        func tmj(_ f: Double, _ theta: Double) -> Double { f * sin((30 + theta) * d) / sin(60 * d) * cos(30 * d) }
        let pro = cmp.rows[0], door = cmp.rows[1]
        #expect(abs(pro.peakRopeForce / o.professional.pull - 1) <= 1e-9)
        #expect(abs(pro.temporomandibularLoad / tmj(o.professional.pull, 0) - 1) <= 1e-3)
        var device = o.door
        device.weightKg = 10 * OverTheDoorDevice.pound
        let peak = try device.peakRopeForce()
        #expect(abs(door.peakRopeForce / peak - 1) <= 1e-3)
        #expect(abs(door.temporomandibularLoad / tmj(peak, 0) - 1) <= 1e-3)
        #expect(abs(door.peakAxialForce / (peak - 0.081 * 70 * 9.81) - 1) <= 1e-3)
        #expect(door.screening.hasPrefix("not screened"))
        // The hand pull is force controlled: its peak is the user's pull exactly, the axial force F − W_head.
        let hand = cmp.rows[2], f = o.handPull!.peakRopeForce
        #expect(abs(hand.peakRopeForce / f - 1) <= 1e-12)
        #expect(abs(hand.peakAxialForce / (f - 0.081 * 70 * 9.81) - 1) <= 1e-9)
        #expect(abs(hand.temporomandibularLoad / tmj(f, 0) - 1) <= 1e-9)
        #expect(hand.screening.hasPrefix("not screened"))
        // Outputs at the pull's corners: the hold's 89 N lifts the upper vertebra off its start.
        #expect(hand.distraction > 0)
    }
}
