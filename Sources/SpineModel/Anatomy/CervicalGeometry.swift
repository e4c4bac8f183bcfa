import Foundation
import Biomechanics

/// The dimensions of one cervical motion segment (C2-C3 … C7-T1): the disc, the facet joints
/// inclined to the transverse plane, the uncovertebral (Luschka) joints at the lateral rims of the
/// vertebral bodies, and the bony landmarks the ligaments insert on.
///
/// **Frame** (mm) as for the lumbar ``LevelGeometry``: origin at the centre of the lower
/// vertebra's superior endplate, `x` to the patient's right, `y` anterior, `z` cranial; the upper
/// vertebra's inferior endplate centre is at `(0, 0, discHeight)`.
///
/// **Sources and their status.** The defaults of ``standard(_:)`` stand for typical adult values
/// of the kind reported by Panjabi MM et al. 1991, "Cervical human vertebrae: quantitative
/// three-dimensional anatomy of the middle and lower regions", Spine 16(8):861–869 (endplate
/// width and depth, canal depth, spinous processes), by Gilad I, Nissan M 1986, "A study of
/// vertebra and disc geometric relations of the human cervical and lumbar spine", Spine
/// 11(2):154–157 (disc heights), and by Pal GP et al. 2001, "Orientation of the articular facets
/// of the zygapophyseal joints at the cervical and upper thoracic region", J Anat 198:431–441
/// (facet inclination, about 45° to the transverse plane in the middle and lower cervical spine,
/// steeper towards T1).
/// **Not verified:** none of the per-level numbers of ``standard(_:)`` has been checked against
/// those papers' tables; they are approximate values, not transcriptions, and each is a named,
/// editable parameter. The uncovertebral joints' height and medial–lateral depth, and through them
/// their inclination, follow Kumaresan S, Yoganandan N, Pintar FA 1997 (``uncovertebralJointDepth``);
/// the facet patch size, the uncovertebral joints' antero-posterior length and the joint space have
/// no source: they are assumptions of this construction (``jointSpace`` says what was found).
public struct CervicalLevelGeometry: Sendable, Equatable, Codable {
    /// The level.
    public var level: CervicalLevel
    /// Disc height at the centre of the endplates (mm).
    public var discHeight: Double
    /// Endplate depth, anterior–posterior (mm).
    public var endplateDepth: Double
    /// Endplate width, left–right (mm).
    public var endplateWidth: Double
    /// Wedge (lordosis) angle of the disc (degrees; anterior height larger).
    public var wedgeAngle: Double
    /// Inclination of the facet joint plane to the transverse plane (degrees; 0 = horizontal
    /// joint, 90 = vertical). The lower vertebra's superior facet faces posteriorly and cranially.
    public var facetInclination: Double
    /// Facet joint centre: distance from the midline (mm).
    public var facetLateralOffset: Double
    /// Facet joint centre: distance behind the posterior rim of the endplate (mm).
    public var facetPosteriorOffset: Double
    /// Facet articular patch: width left–right and length along the inclined plane (mm).
    public var facetSize: SIMD2<Double>
    /// Spinal canal depth, posterior rim of the endplate to the lamina (mm).
    public var canalDepth: Double
    /// Spinous process length, lamina to tip (mm).
    public var spinousProcessLength: Double
    /// Radius fraction of the nucleus in the elliptic disc section (dimensionless, (0, 1)). The
    /// adult cervical nucleus is fibrocartilaginous and poorly delimited (Mercer S, Bogduk N 1999,
    /// "The ligaments and annulus fibrosus of human adult cervical intervertebral discs", Spine
    /// 24(7):619–626); no radius fraction was found: 0.55, the lumbar builder's value, is an
    /// assumption.
    public var nucleusFraction: Double
    /// Uncovertebral joints: inclination of the uncinate process's articular surface to the
    /// transverse plane (degrees, facing medially and cranially), or nil to leave the joints
    /// out. No measured angle was found; ``standard(_:)`` takes the plane through the joint's
    /// measured extent, `atan(h / d)` for the disc height `h` and the joint depth
    /// ``uncovertebralJointDepth`` `d` (55.4° at C5-C6). The initializer's default, 45°, is an
    /// assumption.
    public var uncovertebralInclination: Double?
    /// Uncovertebral articular patch: length antero-posterior and length along the inclined
    /// surface (mm). The antero-posterior 6 mm is an assumption (Kumaresan et al. 1997 measured the
    /// dorsal-to-ventral length, but its abstract gives no number); ``standard(_:)`` sets the
    /// second to `√(h² + d²)` so that the patch spans the disc height `h` vertically and the
    /// measured depth ``uncovertebralJointDepth`` `d` medial–lateral (6.7 mm at C5-C6). The
    /// initializer's default, 3 mm, is an assumption.
    public var uncovertebralSize: SIMD2<Double>
    /// Joint space of the facet and uncovertebral joints in the reference configuration: the
    /// free gap between the opposing articular surfaces before the penalty contact acts (mm).
    /// 0.5 mm, an assumption (no source), as the lumbar facets'.
    ///
    /// **What the literature gives (searched, none of it is this number).** A CT study of 30
    /// uninjured subaxial cervical spines (Int J Spine Surg 2018, 12(4):510, abstract; authors not
    /// read) reports the upper limit of normal (mean + 2 SD) of the facet joint height — the
    /// bone-to-bone distance across the joint, both cartilage layers included — as 1.54 mm
    /// anterior, 1.27 mm posterior and 2.0 mm mid-joint (the means are not in the abstract).
    /// Fletcher G, Haughton VM, Ho KC, Yu SW 1990, "Age-related changes in the cervical facet
    /// joints: studies with cryomicrotomy, MR, and CT", AJNR (abstract): most adult cervical facet
    /// joints have only a discoloured or microscopically thin layer of cartilage. Yoganandan N et
    /// al. 2003, "Anatomic study of the morphology of human cervical facet joint", Spine
    /// 28(20), doi:10.1097/01.brs.0000085356.89103.a5, measured cartilage thickness and "gap" by
    /// cryomicrotomy — the gap being exposed subchondral bone at the joint margins, as a citing
    /// review reads it, not the joint space; their numbers were not read. A free gap between
    /// articular surfaces is not what these measure: in the living joint the cartilage layers are
    /// apposed across a synovial film, which would put this parameter near 0 with the cartilage's
    /// compliance in the contact penalty (100 N/mm³, itself without a source). Neither number is
    /// changed without a measurement. Sensitivity (C5-C6, coarse mesh, 1.0 N·m axial rotation):
    /// 0.5 mm 4.29°, 0.25 mm 3.82°, 0.1 mm 3.43°, 0.0001 mm 3.15° (+26 % of Panjabi's 2.5°), the
    /// right uncovertebral joint then carrying 2.9, 9.9 and 15.4 N: the gap alone cannot close
    /// the axial-rotation miss.
    public var jointSpace: Double

    public init(level: CervicalLevel, discHeight: Double, endplateDepth: Double, endplateWidth: Double, wedgeAngle: Double,
                facetInclination: Double, facetLateralOffset: Double, facetPosteriorOffset: Double, facetSize: SIMD2<Double> = SIMD2(10, 11),
                canalDepth: Double, spinousProcessLength: Double, nucleusFraction: Double = 0.55,
                uncovertebralInclination: Double? = 45, uncovertebralSize: SIMD2<Double> = SIMD2(6, 3), jointSpace: Double = 0.5) {
        self.level = level; self.discHeight = discHeight; self.endplateDepth = endplateDepth; self.endplateWidth = endplateWidth
        self.wedgeAngle = wedgeAngle; self.facetInclination = facetInclination; self.facetLateralOffset = facetLateralOffset
        self.facetPosteriorOffset = facetPosteriorOffset; self.facetSize = facetSize; self.canalDepth = canalDepth
        self.spinousProcessLength = spinousProcessLength; self.nucleusFraction = nucleusFraction
        self.uncovertebralInclination = uncovertebralInclination; self.uncovertebralSize = uncovertebralSize; self.jointSpace = jointSpace
    }

    /// Typical adult dimensions (mm, degrees) per level; see the type's discussion: these numbers
    /// are **not verified** against the cited tables.
    ///
    /// | level | disc h | EP depth | EP width | wedge | facet incl. | facet lateral | canal | spinous |
    /// |---|---|---|---|---|---|---|---|---|
    /// | C2-C3 | 4.5 | 15.5 | 16.0 | 2 | 40 | 21 | 15 | 22 |
    /// | C3-C4 | 5.0 | 15.5 | 16.5 | 2 | 42 | 22 | 15 | 20 |
    /// | C4-C5 | 5.0 | 16.0 | 17.0 | 3 | 45 | 22 | 15 | 21 |
    /// | C5-C6 | 5.5 | 16.5 | 18.0 | 3 | 45 | 23 | 15 | 23 |
    /// | C6-C7 | 5.5 | 17.0 | 19.5 | 2 | 48 | 24 | 15 | 28 |
    /// | C7-T1 | 5.0 | 17.5 | 21.0 | 1 | 55 | 25 | 15 | 33 |
    ///
    /// Facet centres 9 mm behind the posterior rim of the endplate at every level. Uncovertebral
    /// joints spanning the disc height `h` vertically and ``uncovertebralJointDepth`` `d`
    /// medial–lateral: inclination `atan(h / d)`, patch 6 mm × `√(h² + d²)`.
    public static func standard(_ level: CervicalLevel) -> CervicalLevelGeometry {
        let row: (Double, Double, Double, Double, Double, Double, Double, Double)
        switch level {
        case .c2c3: row = (4.5, 15.5, 16.0, 2, 40, 21, 15, 22)
        case .c3c4: row = (5.0, 15.5, 16.5, 2, 42, 22, 15, 20)
        case .c4c5: row = (5.0, 16.0, 17.0, 3, 45, 22, 15, 21)
        case .c5c6: row = (5.5, 16.5, 18.0, 3, 45, 23, 15, 23)
        case .c6c7: row = (5.5, 17.0, 19.5, 2, 48, 24, 15, 28)
        case .c7t1: row = (5.0, 17.5, 21.0, 1, 55, 25, 15, 33)
        }
        let h = row.0, d = uncovertebralJointDepth
        return CervicalLevelGeometry(level: level, discHeight: h, endplateDepth: row.1, endplateWidth: row.2, wedgeAngle: row.3,
                                     facetInclination: row.4, facetLateralOffset: row.5, facetPosteriorOffset: 9,
                                     canalDepth: row.6, spinousProcessLength: row.7,
                                     uncovertebralInclination: atan(h / d) * 180 / .pi, uncovertebralSize: SIMD2(6, (h * h + d * d).squareRoot()))
    }

    /// Medial–lateral depth of the uncovertebral joint (mm): 3.8 mm, the mean over C2-C3 … C7-T1
    /// (SD 1.8 mm) of Kumaresan S, Yoganandan N, Pintar FA 1997, "Methodology to quantify human
    /// cervical spine uncovertebral joint anatomy", J Musculoskeletal Res 1(2):131–139
    /// (cryomicrotome sections; abstract), which also reports that the joint's height equals the
    /// lateral height of the disc throughout its extent, that the joints are largest at C3–C7 and
    /// smaller at C2-C3 and C7-T1, and that at C3–C7 they extend further ventrally. How solid: an
    /// abstract of a preliminary methodology study, one mean for all levels (its per-level values
    /// were not read); the model's elliptic disc has one height, used for the lateral one.
    public static let uncovertebralJointDepth = 3.8

    /// Anterior disc height (mm): `h + (D/2) tan α`.
    public var anteriorDiscHeight: Double { discHeight + 0.5 * endplateDepth * tan(wedgeAngle * .pi / 180) }
    /// Posterior disc height (mm): `h − (D/2) tan α`.
    public var posteriorDiscHeight: Double { discHeight - 0.5 * endplateDepth * tan(wedgeAngle * .pi / 180) }

    /// Checks every dimension.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` naming the field.
    public func validate() throws {
        let f = "geometry.\(level)"
        for (name, v) in [("discHeight", discHeight), ("endplateDepth", endplateDepth), ("endplateWidth", endplateWidth),
                          ("canalDepth", canalDepth), ("spinousProcessLength", spinousProcessLength), ("facetLateralOffset", facetLateralOffset),
                          ("facetPosteriorOffset", facetPosteriorOffset), ("facetSize.x", facetSize.x), ("facetSize.y", facetSize.y),
                          ("uncovertebralSize.x", uncovertebralSize.x), ("uncovertebralSize.y", uncovertebralSize.y), ("jointSpace", jointSpace)] {
            guard v.isFinite, v > 0 else { throw AnatomyError.invalidValue(field: "\(f).\(name)", value: v, expected: "a length > 0 mm") }
        }
        guard wedgeAngle.isFinite, (-20...30).contains(wedgeAngle) else { throw AnatomyError.invalidValue(field: "\(f).wedgeAngle", value: wedgeAngle, expected: "an angle in [−20, 30] degrees") }
        guard posteriorDiscHeight > 0 else { throw AnatomyError.invalidValue(field: "\(f).wedgeAngle", value: wedgeAngle, expected: "a wedge leaving a posterior disc height > 0 mm") }
        guard facetInclination.isFinite, (5...85).contains(facetInclination) else { throw AnatomyError.invalidValue(field: "\(f).facetInclination", value: facetInclination, expected: "an angle in [5, 85] degrees to the transverse plane") }
        guard nucleusFraction.isFinite, nucleusFraction > 0.1, nucleusFraction < 0.9 else { throw AnatomyError.invalidValue(field: "\(f).nucleusFraction", value: nucleusFraction, expected: "a radius fraction in (0.1, 0.9)") }
        if let u = uncovertebralInclination, !(u.isFinite && (5...85).contains(u)) {
            throw AnatomyError.invalidValue(field: "\(f).uncovertebralInclination", value: u, expected: "an angle in [5, 85] degrees, or none")
        }
    }

    /// Unit normal (reference configuration) of the lower vertebra's superior articular facet,
    /// pointing to the upper vertebra's inferior facet: posterior and cranial, `(0, −sin β, cos β)`
    /// for the inclination `β` (the same on both sides).
    public var lowerFacetNormal: SIMD3<Double> {
        let b = facetInclination * .pi / 180
        return SIMD3(0, -sin(b), cos(b))
    }

    /// Centre of the facet joint on `side` (mm, reference configuration).
    public func facetCentre(side: LevelGeometry.Side) -> SIMD3<Double> {
        SIMD3(side.sign * facetLateralOffset, -0.5 * endplateDepth - facetPosteriorOffset, 0.5 * posteriorDiscHeight)
    }

    /// Unit normal of the uncinate process's articular surface on `side`, towards the upper
    /// vertebra: medial and cranial, `(∓sin γ, 0, cos γ)` for the right/left side.
    public func lowerUncovertebralNormal(side: LevelGeometry.Side) -> SIMD3<Double> {
        let g = (uncovertebralInclination ?? 45) * .pi / 180
        return SIMD3(-side.sign * sin(g), 0, cos(g))
    }

    /// Centre of the uncovertebral joint on `side`: at the lateral rim of the endplate, mid-disc
    /// height, at mid-depth (mm).
    public func uncovertebralCentre(side: LevelGeometry.Side) -> SIMD3<Double> {
        SIMD3(side.sign * 0.5 * endplateWidth, 0, 0.5 * discHeight)
    }

    /// Lower and upper insertion centres (mm) of `type` on `side` for a ligament of length
    /// `length` (the source's bone-to-bone length), placed symmetrically about the mid-height of
    /// the disc where the ligament crosses it: ALL at the anterior rim, PLL at the posterior
    /// rim, LF at the laminae, ISL half-way along the spinous processes, CL at the facet centre.
    /// A construction (no source) whose lengths are the data set's.
    /// - Throws: ``AnatomyError`` for a type the cervical set does not model or a length not
    ///   exceeding the local disc height.
    public func insertion(_ type: LigamentType, side: LevelGeometry.Side = .midline, length: Double) throws -> (lower: SIMD3<Double>, upper: SIMD3<Double>) {
        let half = 0.5 * endplateDepth
        let (x, y, h): (Double, Double, Double)
        switch type {
        case .anteriorLongitudinal: (x, y, h) = (0, half, anteriorDiscHeight)
        case .posteriorLongitudinal: (x, y, h) = (0, -half, posteriorDiscHeight)
        case .flavum: (x, y, h) = (0, -half - canalDepth, posteriorDiscHeight)
        case .interspinous: (x, y, h) = (0, -half - canalDepth - 0.5 * spinousProcessLength, posteriorDiscHeight)
        case .capsular:
            let c = facetCentre(side: side)
            (x, y, h) = (c.x, c.y, 2 * c.z)
        case .supraspinous, .intertransverse:
            throw AnatomyError.missingEntry(field: "geometry.\(level).\(type) (not modelled at a cervical level)")
        }
        let minimum = type == .capsular ? 0.0 : h
        guard length.isFinite, length > minimum else {
            throw AnatomyError.invalidValue(field: "ligaments.\(level).\(type).length", value: length, expected: "a length > \(minimum) mm (the disc height it spans)")
        }
        return (SIMD3(x, y, 0.5 * h - 0.5 * length), SIMD3(x, y, 0.5 * h + 0.5 * length))
    }

    /// The ligaments of `set` at this level as definitions between `lower` and `upper`: each
    /// ligament's ``LigamentProperties/springCount`` fibres spread (no source) over 40 % of the
    /// endplate width (ALL), 30 % (PLL), 40 % (LF), along the spinous process (ISL) and ±3 mm
    /// left–right across each facet (CL).
    /// - Throws: ``AnatomyError`` for a missing or invalid entry; ``Biomechanics/MotionSegmentError``
    ///   for an invalid law.
    public func ligamentDefinitions(_ set: CervicalLigamentDataSet, lower: String, upper: String) throws -> [LigamentDefinition] {
        var out: [LigamentDefinition] = []
        for type in CervicalLigamentDataSet.types {
            let field = "ligaments[\(set.name)].\(level).\(type)"
            let props = try set.properties(level, type)
            try props.validate(field: field)
            guard let length = set.lengths[level]?[type] else { throw AnatomyError.missingEntry(field: "\(field).length") }
            let law = try props.bundleLaw()
            let n = props.springCount
            for side in type.isBilateral ? [LevelGeometry.Side.left, .right] : [.midline] {
                let (lo, up) = try insertion(type, side: side, length: length)
                let offsets = (0..<n).map { n == 1 ? 0.0 : -1 + 2 * Double($0) / Double(n - 1) }
                let fibres = offsets.map { a -> LigamentDefinition.Fibre in
                    let shift: SIMD3<Double>
                    switch type {
                    case .anteriorLongitudinal, .flavum: shift = SIMD3(a * 0.2 * endplateWidth, 0, 0)
                    case .posteriorLongitudinal: shift = SIMD3(a * 0.15 * endplateWidth, 0, 0)
                    case .interspinous: shift = SIMD3(0, a * 0.4 * spinousProcessLength, 0)
                    default: shift = SIMD3(a * 3, 0, 0)
                    }
                    return .init(origin: lo + shift, insertion: up + shift)
                }
                out.append(LigamentDefinition(type: type, side: side, lower: lower, upper: upper, law: law, fibres: fibres))
            }
        }
        return out
    }

    /// Frictionless contacts of both facet joints and, unless ``uncovertebralInclination`` is
    /// nil, both uncovertebral joints: the upper vertebra's surface sampled on a `grid × grid`
    /// lattice of the joint's patch, ``jointSpace`` off the lower vertebra's plane; `penalty` in
    /// N/mm³ (the lumbar facets' 100).
    public func jointContacts(lower: String, upper: String, grid: Int = 4, penalty: Double = 100) throws -> [FacetDefinition] {
        guard grid >= 1 else { throw AnatomyError.invalidValue(field: "contact grid", value: Double(grid), expected: "at least 1 point per side") }
        guard penalty.isFinite, penalty > 0 else { throw AnatomyError.invalidValue(field: "contact penalty", value: penalty, expected: "a penalty > 0 N/mm³") }
        func patch(_ name: String, centre c: SIMD3<Double>, normal n: SIMD3<Double>, along t1: SIMD3<Double>, size: SIMD2<Double>) -> FacetDefinition {
            var t2 = SIMD3(n.y * t1.z - n.z * t1.y, n.z * t1.x - n.x * t1.z, n.x * t1.y - n.y * t1.x)   // n × t1, in the plane
            t2 /= (t2 * t2).sum().squareRoot()
            var points: [SIMD3<Double>] = []
            for i in 0..<grid {
                for j in 0..<grid {
                    let a = (Double(i) + 0.5) / Double(grid) - 0.5, b = (Double(j) + 0.5) / Double(grid) - 0.5
                    points.append(c + jointSpace * n + t1 * (a * size.x) + t2 * (b * size.y))
                }
            }
            let area = size.x * size.y / Double(grid * grid)
            return FacetDefinition(name: name, upper: upper, lower: lower, points: points, areas: [Double](repeating: area, count: points.count),
                                   upperNormal: -n, planePoint: c, planeNormal: n, penalty: penalty)
        }
        var out: [FacetDefinition] = []
        for side in [LevelGeometry.Side.left, .right] {
            out.append(patch("\(level) facet \(side.rawValue)", centre: facetCentre(side: side), normal: lowerFacetNormal, along: SIMD3(1, 0, 0), size: facetSize))
        }
        if uncovertebralInclination != nil {
            for side in [LevelGeometry.Side.left, .right] {
                out.append(patch("\(level) uncovertebral \(side.rawValue)", centre: uncovertebralCentre(side: side), normal: lowerUncovertebralNormal(side: side),
                                 along: SIMD3(0, 1, 0), size: uncovertebralSize))
            }
        }
        return out
    }
}
