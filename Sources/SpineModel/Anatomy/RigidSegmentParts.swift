import Foundation
import Biomechanics

extension LevelGeometry {
    /// The ligament bundles of this level from a data set: the lower vertebra is the ground, the
    /// upper vertebra is body `upperBody`, whose reference point should be the centre of its
    /// inferior endplate, `(0, 0, discHeight)`.
    ///
    /// Each ligament's ``LigamentProperties/springCount`` springs are spread over its insertion
    /// (an assumption of this construction, no source): ALL over half the endplate width at the
    /// anterior rim, PLL over 30 % of it at the posterior rim, LF over half of it at the laminae,
    /// ISL along the spinous process from the lamina to the tip, SSL at the tips, ITL ±2 mm
    /// antero-posteriorly at each transverse process tip, CL over ±5 mm along each facet joint.
    /// Bundle names are "`level` `type` [`side`] `i`", e.g. "L4-L5 CL right 3".
    ///
    /// - Throws: ``AnatomyError`` for a missing or invalid entry; ``Biomechanics/MotionSegmentError``
    ///   for a degenerate bundle.
    public func ligamentBundles(_ set: LigamentDataSet, upperBody: Int = 0) throws -> [LigamentBundle] {
        var out: [LigamentBundle] = []
        for type in LigamentType.allCases {
            let props = try set.properties(level, type)
            try props.validate(field: "ligaments[\(set.name)].\(level).\(type)")
            let law = try props.bundleLaw()
            let n = props.springCount
            let sides: [Side] = type.isBilateral ? [.left, .right] : [.midline]
            for side in sides {
                let (lo, up) = insertion(type, side: side)
                let offsets = (0..<n).map { n == 1 ? 0.0 : -1 + 2 * Double($0) / Double(n - 1) }   // −1 … 1
                for (i, a) in offsets.enumerated() {
                    let shift: SIMD3<Double>
                    switch type {
                    case .anteriorLongitudinal: shift = SIMD3(a * 0.25 * endplateWidth, 0, 0)
                    case .posteriorLongitudinal: shift = SIMD3(a * 0.15 * endplateWidth, 0, 0)
                    case .flavum: shift = SIMD3(a * 0.25 * endplateWidth, 0, 0)
                    case .interspinous: shift = SIMD3(0, a * 0.5 * spinousProcessLength, 0)
                    case .supraspinous: shift = .zero
                    case .intertransverse: shift = SIMD3(0, a * 2, 0)
                    case .capsular: shift = facetTangent(side: side) * (a * 5)
                    }
                    let name = "\(level) \(type)" + (side == .midline ? "" : " \(side.rawValue)") + " \(i + 1)"
                    out.append(try LigamentBundle(name: name, origin: .ground(lo + shift), insertion: .body(upperBody, up + shift), law: law))
                }
            }
        }
        return out
    }

    /// Horizontal unit tangent of the facet joint plane on `side`.
    func facetTangent(side: Side) -> SIMD3<Double> {
        let n = lowerFacetNormal(side: side)
        let t = SIMD3(n.y, -n.x, 0)                       // n × z
        return t / (t * t).sum().squareRoot()
    }

    /// Facet contacts of this level: the upper vertebra's inferior articular surface (body
    /// `upperBody`) sampled on a `grid × grid` lattice of a `width × height` (mm) patch, `gap` (mm)
    /// off the lower vertebra's superior articular surface, which is the plane through
    /// ``facetCentre(side:)`` with normal ``lowerFacetNormal(side:)`` on the ground.
    ///
    /// Defaults: a 12 × 14 mm patch and a 0.5 mm joint space are assumptions of this
    /// construction, not published values; `penalty` in N/mm³.
    /// - Throws: ``Biomechanics/MotionSegmentError`` for invalid sizes.
    public func facetContacts(upperBody: Int = 0, width: Double = 12, height: Double = 14, gap: Double = 0.5,
                              grid: Int = 4, penalty: Double = 100) throws -> [FacetContact] {
        guard grid >= 1 else { throw MotionSegmentError.invalidParameter(name: "facet grid", value: Double(grid), expected: "at least 1 point per side") }
        return try [Side.left, .right].map { side in
            let c = facetCentre(side: side), n = lowerFacetNormal(side: side), t = facetTangent(side: side)
            var points: [SIMD3<Double>] = []
            for i in 0..<grid {
                for j in 0..<grid {
                    let a = (Double(i) + 0.5) / Double(grid) - 0.5, b = (Double(j) + 0.5) / Double(grid) - 0.5
                    points.append(c + gap * n + t * (a * width) + SIMD3(0, 0, b * height))
                }
            }
            let area = width * height / Double(grid * grid)
            return try FacetContact(name: "\(level) facet \(side.rawValue)", upperBody: upperBody, points: points,
                                    areas: [Double](repeating: area, count: points.count), upperNormal: -n,
                                    plane: .ground(c), planeNormal: n, penalty: penalty)
        }
    }
}
