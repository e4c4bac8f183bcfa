import Foundation
import Biomechanics

/// The dimensions of one lumbar motion segment and the insertion points of its ligaments.
///
/// **Frame** (mm): origin at the centre of the lower vertebra's superior endplate; `x` to the
/// patient's right, `y` anterior, `z` cranial. The upper vertebra's inferior endplate centre is at
/// `(0, 0, discHeight)` in the reference configuration; the disc is wedged by ``wedgeAngle``
/// (anterior higher).
///
/// **Sources and their status.** The defaults of ``standard(_:)`` stand for typical adult values
/// of the kind reported by Panjabi MM et al. 1992, "Human lumbar vertebrae: quantitative
/// three-dimensional anatomy", Spine 17(3):299–306 (endplate depth and width, canal depth,
/// spinous and transverse processes), by Zhou SH et al. 2000, Eur Spine J 9:242–248 (disc
/// heights, wedge angles) and by Panjabi MM et al. 1993, Spine 18(10):1298–1310 (facet
/// orientation).
/// **Not verified:** none of the per-level numbers of ``standard(_:)`` has been checked against
/// those papers' tables (the tables were not available to check); they are approximate values,
/// not transcriptions, and each is a named, editable parameter. The insertion points are a
/// geometric construction from these dimensions with offsets that have no source
/// (``attachmentOffset``). A patient geometry (Gmsh, ArtiSynth) replaces all of it.
///
/// **A plausibility comparison, not a verification:** the L4-L5 ligament insertions of the
/// ArtiSynth model of Remus et al. 2021 (one subject, the Visible Human male; repository
/// RemusR9/artisynth_lumbosacralSpineModel, `geometry/L45_Ligs_AS.lig` and `L45_Ligs_MP.lig`)
/// put the midline ALL 37 mm anterior of the PLL (``endplateDepth`` here 36 mm), the SSL 50 mm
/// behind the PLL (canal depth + spinous process here 47 mm), the intertransverse insertions
/// 40–45 mm from the midline (``transverseProcessHalfWidth`` 41 mm) and the capsule springs
/// 12–22 mm from the midline (``facetLateralOffset`` 17 mm).
public struct LevelGeometry: Sendable, Equatable, Codable {
    /// The level.
    public var level: LumbarLevel
    /// Disc height at the centre of the endplates (mm).
    public var discHeight: Double
    /// Endplate depth, anterior–posterior (mm).
    public var endplateDepth: Double
    /// Endplate width, left–right (mm).
    public var endplateWidth: Double
    /// Wedge (lordosis) angle of the disc (degrees; anterior height larger).
    public var wedgeAngle: Double
    /// Facet joint angle to the sagittal plane in the transverse plane (degrees; 0 = sagittal joint).
    public var facetAngle: Double
    /// Facet joint centre: distance from the midline (mm).
    public var facetLateralOffset: Double
    /// Facet joint centre: distance behind the posterior rim of the endplate (mm).
    public var facetPosteriorOffset: Double
    /// Spinal canal depth, posterior rim of the endplate to the lamina (mm).
    public var canalDepth: Double
    /// Spinous process length, lamina to tip (mm).
    public var spinousProcessLength: Double
    /// Half the tip-to-tip width of the transverse processes (mm).
    public var transverseProcessHalfWidth: Double
    /// Vertical distance of a ligament's bony insertion from the endplate plane (mm). No source:
    /// an assumption of this construction.
    public var attachmentOffset: Double

    public init(level: LumbarLevel, discHeight: Double, endplateDepth: Double, endplateWidth: Double, wedgeAngle: Double,
                facetAngle: Double, facetLateralOffset: Double, facetPosteriorOffset: Double, canalDepth: Double,
                spinousProcessLength: Double, transverseProcessHalfWidth: Double, attachmentOffset: Double = 2) {
        self.level = level; self.discHeight = discHeight; self.endplateDepth = endplateDepth; self.endplateWidth = endplateWidth
        self.wedgeAngle = wedgeAngle; self.facetAngle = facetAngle; self.facetLateralOffset = facetLateralOffset
        self.facetPosteriorOffset = facetPosteriorOffset; self.canalDepth = canalDepth
        self.spinousProcessLength = spinousProcessLength; self.transverseProcessHalfWidth = transverseProcessHalfWidth
        self.attachmentOffset = attachmentOffset
    }

    /// Typical adult dimensions (mm, degrees) per level; see the type's discussion: these
    /// numbers are **not verified** against the cited tables.
    ///
    /// | level | disc h | EP depth | EP width | wedge | facet angle | canal | spinous | TP half-width |
    /// |---|---|---|---|---|---|---|---|---|
    /// | L1-L2 | 9.5 | 34 | 44 | 5 | 27 | 17 | 30 | 35 |
    /// | L2-L3 | 10.5 | 35 | 46 | 6 | 33 | 17 | 31 | 40 |
    /// | L3-L4 | 11.0 | 36 | 48 | 7 | 40 | 17 | 31 | 44 |
    /// | L4-L5 | 11.5 | 36 | 50 | 9 | 46 | 18 | 29 | 41 |
    /// | L5-S1 | 11.0 | 35 | 50 | 13 | 50 | 18 | 25 | 45 |
    public static func standard(_ level: LumbarLevel) -> LevelGeometry {
        switch level {
        case .l1l2: return LevelGeometry(level: level, discHeight: 9.5, endplateDepth: 34, endplateWidth: 44, wedgeAngle: 5, facetAngle: 27,
                                         facetLateralOffset: 13, facetPosteriorOffset: 22, canalDepth: 17, spinousProcessLength: 30, transverseProcessHalfWidth: 35)
        case .l2l3: return LevelGeometry(level: level, discHeight: 10.5, endplateDepth: 35, endplateWidth: 46, wedgeAngle: 6, facetAngle: 33,
                                         facetLateralOffset: 14, facetPosteriorOffset: 22, canalDepth: 17, spinousProcessLength: 31, transverseProcessHalfWidth: 40)
        case .l3l4: return LevelGeometry(level: level, discHeight: 11.0, endplateDepth: 36, endplateWidth: 48, wedgeAngle: 7, facetAngle: 40,
                                         facetLateralOffset: 15, facetPosteriorOffset: 22, canalDepth: 17, spinousProcessLength: 31, transverseProcessHalfWidth: 44)
        case .l4l5: return LevelGeometry(level: level, discHeight: 11.5, endplateDepth: 36, endplateWidth: 50, wedgeAngle: 9, facetAngle: 46,
                                         facetLateralOffset: 17, facetPosteriorOffset: 22, canalDepth: 18, spinousProcessLength: 29, transverseProcessHalfWidth: 41)
        case .l5s1: return LevelGeometry(level: level, discHeight: 11.0, endplateDepth: 35, endplateWidth: 50, wedgeAngle: 13, facetAngle: 50,
                                         facetLateralOffset: 19, facetPosteriorOffset: 21, canalDepth: 18, spinousProcessLength: 25, transverseProcessHalfWidth: 45)
        }
    }

    /// Anterior disc height (mm): `h + (D/2) tan α`.
    public var anteriorDiscHeight: Double { discHeight + 0.5 * endplateDepth * tan(wedgeAngle * .pi / 180) }
    /// Posterior disc height (mm): `h − (D/2) tan α`.
    public var posteriorDiscHeight: Double { discHeight - 0.5 * endplateDepth * tan(wedgeAngle * .pi / 180) }

    /// Checks every dimension.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)``.
    public func validate() throws {
        let f = "geometry.\(level)"
        for (name, v) in [("discHeight", discHeight), ("endplateDepth", endplateDepth), ("endplateWidth", endplateWidth),
                          ("canalDepth", canalDepth), ("spinousProcessLength", spinousProcessLength),
                          ("transverseProcessHalfWidth", transverseProcessHalfWidth), ("facetLateralOffset", facetLateralOffset),
                          ("facetPosteriorOffset", facetPosteriorOffset)] {
            guard v.isFinite, v > 0 else { throw AnatomyError.invalidValue(field: "\(f).\(name)", value: v, expected: "a length > 0 mm") }
        }
        guard attachmentOffset.isFinite, attachmentOffset >= 0 else { throw AnatomyError.invalidValue(field: "\(f).attachmentOffset", value: attachmentOffset, expected: "a length ≥ 0 mm") }
        guard wedgeAngle.isFinite, (-20...30).contains(wedgeAngle) else { throw AnatomyError.invalidValue(field: "\(f).wedgeAngle", value: wedgeAngle, expected: "an angle in [−20, 30] degrees") }
        guard facetAngle.isFinite, (0...90).contains(facetAngle) else { throw AnatomyError.invalidValue(field: "\(f).facetAngle", value: facetAngle, expected: "an angle in [0, 90] degrees") }
        guard posteriorDiscHeight > 0 else { throw AnatomyError.invalidValue(field: "\(f).wedgeAngle", value: wedgeAngle, expected: "a wedge leaving a posterior disc height > 0 mm") }
    }

    /// Side of a bilateral structure.
    public enum Side: String, Sendable, Equatable, Codable, CaseIterable {
        case left, right, midline
        var sign: Double { self == .right ? 1 : (self == .left ? -1 : 0) }
    }

    /// Lower and upper insertion points (mm, frame above, reference configuration) of `type` on
    /// `side` (`.midline` for the unpaired ligaments).
    ///
    /// Construction (no source; an assumption stated here): ALL at the anterior rim, PLL at the
    /// posterior rim, LF at the laminae (canal depth behind the posterior rim), ISL half-way along
    /// the spinous processes, SSL at their tips, ITL at the transverse process tips (level with
    /// the posterior rim), CL at the facet centre ± 4 mm vertically around mid-disc height; the
    /// insertions sit ``attachmentOffset`` below the lower endplate and above the upper one.
    public func insertion(_ type: LigamentType, side: Side = .midline) -> (lower: SIMD3<Double>, upper: SIMD3<Double>) {
        let half = 0.5 * endplateDepth, o = attachmentOffset, s = side.sign
        let ha = anteriorDiscHeight, hp = posteriorDiscHeight
        func pair(_ x: Double, _ y: Double, _ h: Double) -> (SIMD3<Double>, SIMD3<Double>) { (SIMD3(x, y, -o), SIMD3(x, y, h + o)) }
        switch type {
        case .anteriorLongitudinal: return pair(0, half, ha)
        case .posteriorLongitudinal: return pair(0, -half, hp)
        case .flavum: return pair(0, -half - canalDepth, hp)
        case .interspinous: return pair(0, -half - canalDepth - 0.5 * spinousProcessLength, hp)
        case .supraspinous: return pair(0, -half - canalDepth - spinousProcessLength, hp)
        case .intertransverse: return pair(s * transverseProcessHalfWidth, -half, discHeight)
        case .capsular:
            let c = SIMD3(s * facetLateralOffset, -half - facetPosteriorOffset, 0.5 * discHeight)
            return (c - SIMD3(0, 0, 4), c + SIMD3(0, 0, 4))
        }
    }

    /// Unit normal (reference configuration) of the lower vertebra's superior articular facet on
    /// `side`, pointing out of it towards the upper vertebra's inferior facet: medial and
    /// posterior, `(∓cos φ, −sin φ, 0)` for the right/left side with the facet angle `φ`.
    public func lowerFacetNormal(side: Side) -> SIMD3<Double> {
        let phi = facetAngle * .pi / 180
        return SIMD3(-side.sign * cos(phi), -sin(phi), 0)
    }

    /// Centre of the facet joint on `side` (mm, reference configuration).
    public func facetCentre(side: Side) -> SIMD3<Double> {
        SIMD3(side.sign * facetLateralOffset, -0.5 * endplateDepth - facetPosteriorOffset, 0.5 * discHeight)
    }
}
