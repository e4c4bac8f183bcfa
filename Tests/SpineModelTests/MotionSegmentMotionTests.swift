import Testing
import Foundation
@testable import SpineModel
import Biomechanics
import FiniteElements

/// The motion segment against published in-vitro and in-vivo motion: ranges of motion under pure
/// moments, inversion distraction, and where the standing nucleus pressure comes from. Coarse
/// mesh and short ramps (the standard-mesh rows are `spinetraction verify`'s).
@Suite("Motion segment motion checks", .serialized)
struct MotionSegmentMotionTests {
    /// The standing load path: the upper vertebra's force balance bounds the disc's axial force by
    /// the follower load ± the posterior elements' total force (their z components are at most
    /// their magnitudes), within 0.5 N (the residual tolerance of the solve); scaling the section to the
    /// Remus et al. 2021 L4-L5 area scales the pressure rise over the swollen state by the inverse
    /// area ratio (nominal stress F/A; the height is unchanged, so not exactly self-similar:
    /// within 10 %).
    @Test func wilkeLoadPath() throws {
        let d = try MotionSegmentValidation.wilkeDiagnosis(divisions: .coarse, comparisons: false)
        print("Wilke diagnosis (coarse): swollen \(d.swollenPressure) MPa, standing \(d.standingPressure) MPa, disc only \(d.discOnlyPressure) MPa (swollen \(d.discOnlySwollenPressure)), bare default disc \(d.bareDefaultDiscPressure) MPa (swollen \(d.bareDefaultDiscSwollenPressure)), disc axial force \(d.discAxialForce) N, ligaments \(d.ligamentForce) N, facets \(d.facetForce) N, area \(d.endplateArea) mm², pressure factor \(d.pressureFactor), at the Remus area \(d.remusAreaPressure) MPa")
        #expect(abs(d.discAxialForce - 500) <= d.ligamentForce + d.facetForce + 0.5)
        let ratio = (d.remusAreaPressure - d.swollenPressure) / (d.standingPressure - d.swollenPressure)
        #expect(abs(ratio / (d.endplateArea / ValidationData.remus2021L4L5DiscArea) - 1) <= 0.10, "rise ratio \(ratio)")
    }

    /// Ranges of motion of L4-L5 under 10 N·m pure moments, no preload (Yamamoto I et al. 1989,
    /// Spine 14:1256–1260, means: flexion 8.9°, extension 5.8°, lateral bending 5.7°, axial
    /// rotation 2.2°), each within ±50 % of the mean (``MotionSegmentValidation/rangeOfMotionBand``:
    /// the source gives no spread). Lateral bending and axial rotation run to both sides and the
    /// mean is compared (the source's "one side"); coarse mesh: lateral bending 6.61° right and
    /// 6.68° left (mean 6.64°, +17 %), axial rotation 2.10° left and 1.70° right (mean 1.90°,
    /// −14 %) — the chiral two-lamella annulus resists a turn to the right more
    /// (``MotionSegmentValidation/RangeOfMotion/meanOfSides``). The interspinous + supraspinous
    /// force at the end of flexion is printed next to the 134 N of Hindle et al. 1990.
    @Test(arguments: MotionDirection.allCases)
    func rangeOfMotion(_ direction: MotionDirection) throws {
        let r = try MotionSegmentValidation.rangeOfMotion(direction, divisions: .coarse)
        let row = MotionSegmentValidation.rangeOfMotionRow(r, mesh: "coarse")
        print("ROM \(direction): \(r.rangeOfMotion)°\(r.oppositeSide.map { ", opposite side \($0)°, mean \(r.meanOfSides)°" } ?? "") (Yamamoto \(row.reference)°), ISL + SSL \(r.interspinousSupraspinousForce) N (Hindle 1990: \(ValidationData.Hindle1990.peakForceAtFullFlexion) N at full flexion), facets \(r.facetForce) N")
        #expect(r.rangeOfMotion > 0, "the vertebra turns with the moment")
        #expect((r.oppositeSide != nil) == (direction == .lateralBending || direction == .axialRotation))
        if let o = r.oppositeSide { #expect(o > 0 && abs(row.ours - 0.5 * (r.rangeOfMotion + o)) <= 1e-12) }
        #expect(row.passed, "\(row)")
    }

    /// Full inversion (Gianakopoulos et al. 1985, Arch Phys Med Rehabil 66:100–102): the weight of
    /// the body cranial to L4-L5 (0.536 × 70 kg × 9.81 = 368 N by Dempster's fractions) distracts
    /// L4-L5 by 0.3–4.0 mm (change from the unloaded state) after a 10 s ramp and 50 s hang.
    @Test func inversionDistraction() throws {
        let (row, d, force) = try MotionSegmentValidation.gianakopoulosInversion(divisions: .coarse, duration: 60)
        print("Gianakopoulos: \(row); distraction \(d) mm under \(force) N")
        #expect(abs(force - 0.536 * 70 * 9.81) <= 1e-9 * force)
        #expect(row.passed, "\(row)")
    }

    /// Mesh divisions out of range are typed errors naming the field and the value.
    @Test func badDivisions() {
        for (d, field) in [(SegmentMesh(radial: 3, around: 16, axial: 6), "divisions.radial"), (SegmentMesh(radial: 2, around: 10, axial: 6), "divisions.around"),
                           (SegmentMesh(radial: 2, around: 16, axial: 1), "divisions.axial")] {
            #expect { try d.validate() } throws: { e in
                guard case let AnatomyError.invalidValue(f, _, _) = e else { return false }
                return f == field
            }
        }
        #expect(throws: AnatomyError.self) { try MotionSegment.lumbar(.l4l5, patient: try Patient(bodyMassKg: 70, heightCm: 175), divisions: SegmentMesh(radial: 0, around: 8, axial: 2)) }
    }
}
