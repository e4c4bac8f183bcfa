import Testing
import Foundation
@testable import SpineModel

/// The published validation numbers, each against its source as printed there.
@Suite("Anatomy: validation data")
struct AnatomyValidationDataTests {
    /// Yamamoto et al., Spine 1989;14:1256 (abstract): mean ROM at 10 N·m, degrees.
    @Test func yamamotoRangesOfMotion() throws {
        let l45 = RangeOfMotionReference.yamamoto1989(.l4l5)
        #expect(l45.mean == [.flexion: 8.9, .extension: 5.8, .axialRotation: 2.2, .lateralBending: 5.7])
        #expect(l45.moment == 10_000 && l45.followerLoad == 0 && l45.specimens == 10)
        #expect(l45.band(.flexion) == nil)                               // the abstract gives no spread
        #expect(RangeOfMotionReference.yamamoto1989(.l5s1).mean[.flexion] == 10.0)
        #expect(RangeOfMotionReference.yamamoto1989(.l2l3).mean[.lateralBending] == 7.0)
        for level in LumbarLevel.allCases {
            let r = RangeOfMotionReference.yamamoto1989(level)
            #expect(r.level == level && Set(r.mean.keys) == Set(MotionDirection.allCases))
        }
    }

    /// Niosi et al. 2006, Eur Spine J 15:913, Table 1 intact rows: mean ± SD at ±7.5 N·m.
    @Test func niosiBands() throws {
        let free = RangeOfMotionReference.niosi2006L3L4(followerLoad: false)
        let loaded = RangeOfMotionReference.niosi2006L3L4(followerLoad: true)
        #expect(free.band(.flexion) == (3.7 - 1.5)...(3.7 + 1.5))
        #expect(loaded.band(.axialRotation, sds: 2) == (1.2 - 1.0)...(1.2 + 1.0))
        #expect(loaded.followerLoad == 600 && free.followerLoad == 0 && free.moment == 7_500 && free.level == .l3l4)
        #expect(RangeOfMotionReference.all(.l3l4).count == 3 && RangeOfMotionReference.all(.l4l5).count == 1)
    }

    /// Wilke 1999 (abstract), Ramos & Martin 1994 (abstract), Gianakopoulos 1985 (abstract),
    /// Hindle et al. 1990 (abstract).
    @Test func pressuresTractionAndLigamentForce() throws {
        #expect(ValidationData.Wilke1999.lyingProne == 0.10 && ValidationData.Wilke1999.relaxedStanding == 0.50)
        #expect(ValidationData.Wilke1999.overnight.start == 0.10 && ValidationData.Wilke1999.overnight.end == 0.24)
        #expect(ValidationData.Wilke1999.overnight.duration == 25_200)
        // −100 mmHg with 1 mmHg = 101325/760 Pa (to 1e-6 relative; the conventional and the torr
        // definitions differ by 1.4e-7): −0.0133322 MPa.
        #expect(abs(ValidationData.ramosMartin1994Threshold / (-100 * 101_325 / 760 * 1e-6) - 1) < 1e-6)
        #expect(ValidationData.gianakopoulos1985Distraction == 0.3...4.0)
        #expect(ValidationData.Hindle1990.peakForceAtFullFlexion == 134 && ValidationData.Hindle1990.interspinousShare == 0.75)
    }
}
