import Foundation
import FiniteElements

/// A default disc-nutrition problem: O₂, glucose and lactate in nucleus, annulus and
/// cartilage endplates with the Bibby 2005 cell metabolism, supplied from the blood
/// through the endplates (over the nucleus and inner annulus) and at the outer annulus
/// — the set-up of Soukane et al. 2007 (J Biomech 40:2645) and Shirazi-Adl et al. 2010
/// (J Biomech 43:1330).
///
/// Geometry (mm; an L4–L5-sized disc): disc radius ``radius`` (20.6, the equal-area radius
/// √(25·17) of the project's default 50 × 34 mm elliptic disc, `DefaultDiscModel`), nucleus
/// radius ``nucleusRadius`` (0.55 × radius, as that disc's nucleus), height
/// ``height`` with cartilage endplates of ``endplateThickness`` at top and bottom over
/// `r < endplateRadius`. ``axisymmetricMesh()`` builds a thin hex8 wedge (the
/// axisymmetric problem in 3D, cheap enough for tests); any mesh with regions
/// `nucleus`, `annulus`, `endplate` and surfaces `endplate-top`, `endplate-bottom`,
/// `outer` works with ``makeProblem(mesh:openFraction:)``.
///
/// Diffusivities (mm²/s): annulus O₂ is the measured strain table of LITERATURE.md
/// (``DiffusivityLaw/yuan2009AnnulusOxygen``); annulus glucose 6.2e-4, inside the measured
/// human annulus range 4.5e-5 … 9.8e-4 of LITERATURE.md; nucleus and endplate values, and
/// all lactate values, are typical inputs of the Soukane/Shirazi-Adl models (nucleus O₂
/// 3.0e-3, glucose 9.3e-4, lactate 1.4e-3; endplate 0.7 × nucleus; annulus lactate 1.0e-3)
/// that the search tool could not retrieve here and that are kept as parameters.
/// With Jackson's lower measured annulus glucose diffusivity
/// (``DiffusivityLaw/jackson2008AnnulusGlucose``, ~1e-4 mm²/s) and 9e6 cells/mL the
/// annulus runs out of glucose in this geometry even with healthy endplates.
///
/// Cell death vs endplate exchange area (steady state, glucose < 0.5 mM; open part central),
/// measured on ``axisymmetricMesh(wedgeAngle:)`` with 24 × 8 cells and the sourced Bibby
/// constants of ``DiscCellMetabolism``: with the 20.6 mm default disc death starts
/// between 33 % (all viable, min glucose 0.67 mM) and 26 % (viable 0.98, min glucose 0.46 mM)
/// open area. Shirazi-Adl, Taheri & Urban 2010 (J Biomech 43:1330, abstract: "cell death
/// initiated first as CEP exchange area dropped below ~40 %") — ours is about 10 points lower.
/// Their own geometry, diffusivities and closure pattern could not be retrieved. Measured
/// earlier with an unsourced O₂ law and `pH = 7.5 − 0.1·c_lac` (since removed): 41 %–33 % for
/// this disc, 25 %–20 % for an 18 mm disc (nucleus 9, endplate 12 mm), 51 %–36 % for a
/// 22.5 mm × 11 mm disc, 25 %–15 % for a 12 mm-high 18 mm disc (12 radial cells) — the onset
/// is mainly set by the radial distance from the open endplate to the annulus periphery.
/// Blood-side values (LITERATURE.md): O₂ 5.8 kPa, glucose 4.0 mM, lactate 0.8 mM.
public struct DiscNutritionModel: Sendable {
    /// Disc radius (mm).
    public var radius = 20.6
    /// Nucleus radius (mm).
    public var nucleusRadius = 11.3
    /// Radius over which the cartilage endplate covers the disc and exchanges with blood (mm): ⅔ of ``radius``.
    public var endplateRadius = 13.7
    /// Disc height including both cartilage endplates (mm).
    public var height = 10.0
    /// Cartilage endplate thickness (mm).
    public var endplateThickness = 0.75
    /// Wedge cells: radial, axial (24 radial cells resolve the exchange area in ≈ 8 % steps).
    public var cells = (radial: 24, axial: 8)
    /// Blood-side O₂ tension (kPa).
    public var bloodOxygen = 5.8
    /// Blood-side glucose and lactate (mM).
    public var bloodGlucose = 4.0, bloodLactate = 0.8
    /// Cell metabolism of nucleus, annulus and endplate (cell densities 4e6, 9e6, 15e6 cells/mL).
    public var nucleusCells = DiscCellMetabolism(cellDensity: 4e6)
    /// Annulus metabolism.
    public var annulusCells = DiscCellMetabolism(cellDensity: 9e6)
    /// Endplate metabolism.
    public var endplateCells = DiscCellMetabolism(cellDensity: 15e6)
    /// Diffusivity laws per solute and region.
    public var oxygen: (nucleus: DiffusivityLaw, annulus: DiffusivityLaw, endplate: DiffusivityLaw) =
        (.constant(3.0e-3), .yuan2009AnnulusOxygen, .constant(2.1e-3))
    /// Glucose diffusivities.
    public var glucose: (nucleus: DiffusivityLaw, annulus: DiffusivityLaw, endplate: DiffusivityLaw) =
        (.constant(9.3e-4), .constant(6.2e-4), .constant(6.5e-4))
    /// Lactate diffusivities.
    public var lactate: (nucleus: DiffusivityLaw, annulus: DiffusivityLaw, endplate: DiffusivityLaw) =
        (.constant(1.4e-3), .constant(1.0e-3), .constant(9.8e-4))

    /// When true every solute's capacity is the tissue's current porosity
    /// (``SoluteMaterial/capacityIsPorosity``: concentration per fluid volume, as needed when
    /// the tissue deforms); false (default) uses capacity 1 (per tissue volume, the
    /// Soukane/Shirazi-Adl convention). Steady states do not depend on it.
    public var capacityIsPorosity = false

    /// The default model.
    public init() {}

    /// A thin wedge (`wedgeAngle` degrees) of hex8 cells on `r ∈ [r0, radius]`, `z ∈ [0, height]`,
    /// `r0 = 1 %` of the radius (a no-flux inner face stands in for the axis). Regions
    /// `nucleus`, `annulus`, `endplate`, `all`; surfaces `outer`, `endplate-top`,
    /// `endplate-bottom`, `top`, `bottom`.
    public func axisymmetricMesh(wedgeAngle: Double = 5) throws -> Mesh {
        let r0 = 0.01 * radius
        let nr = cells.radial, nz = cells.axial
        // Radial breakpoints at the nucleus and endplate edges; axial at the endplates.
        func graded(_ stops: [Double], _ n: Int) -> [Double] {
            let total = stops.last! - stops.first!
            var coords = [stops[0]]
            for k in 1..<stops.count {
                let len = stops[k] - stops[k - 1]
                let m = max(1, Int((Double(n) * len / total).rounded()))
                for i in 1...m { coords.append(stops[k - 1] + len * Double(i) / Double(m)) }
            }
            return coords
        }
        let rs = graded([r0, nucleusRadius, endplateRadius, radius], nr)
        var zs = [0.0, endplateThickness]
        let inner = graded([endplateThickness, height - endplateThickness], max(2, nz - 2))
        zs += inner.dropFirst()
        zs.append(height)
        var mesh = try MeshGenerator.box(x: Grading(coordinates: rs), y: .uniform(from: 0, to: 1, cells: 1), z: Grading(coordinates: zs), cellType: .hex8)
        let half = wedgeAngle * .pi / 180 / 2
        for i in mesh.nodes.indices {
            let p = mesh.nodes[i]
            let theta = (p.y - 0.5) * 2 * half
            mesh.nodes[i] = SIMD3(p.x * cos(theta), p.x * sin(theta), p.z)
        }
        var np: [Int] = [], af: [Int] = [], ep: [Int] = []
        for c in 0..<mesh.cellCount {
            let x = mesh.cellCoordinates(c).reduce(SIMD3<Double>.zero, +) / Double(mesh.cellNodes(c).count)
            let r = (x.x * x.x + x.y * x.y).squareRoot()
            if r < endplateRadius && (x.z < endplateThickness || x.z > height - endplateThickness) { ep.append(c) }
            else if r < nucleusRadius { np.append(c) } else { af.append(c) }
        }
        try mesh.addRegion("nucleus", cells: np)
        try mesh.addRegion("annulus", cells: af)
        try mesh.addRegion("endplate", cells: ep)
        func faceCentre(_ f: FaceRef) -> SIMD3<Double> {
            let n = mesh.faceNodes(f)
            return n.reduce(SIMD3<Double>.zero) { $0 + mesh.nodes[$1] } / Double(n.count)
        }
        let top = try mesh.faces(ofSurface: "z+"), bottom = try mesh.faces(ofSurface: "z-")
        func inside(_ f: FaceRef) -> Bool { let x = faceCentre(f); return (x.x * x.x + x.y * x.y).squareRoot() < endplateRadius }
        try mesh.addSurface("endplate-top", faces: top.filter(inside))
        try mesh.addSurface("endplate-bottom", faces: bottom.filter(inside))
        try mesh.addSurface("outer", faces: try mesh.faces(ofSurface: "x+"))
        return mesh
    }

    /// The transport problem on `mesh` (default: ``axisymmetricMesh(wedgeAngle:)``) with the
    /// endplates open over `openFraction` of their area (the part nearest the disc axis
    /// x = y = 0; 1 = healthy).
    public func makeProblem(mesh given: Mesh? = nil, openFraction: Double = 1, options: TransportOptions = TransportOptions()) throws -> SoluteTransportProblem {
        let mesh = try given ?? axisymmetricMesh()
        let o2 = bloodOxygen * nucleusCells.oxygenSolubility
        func solute(_ name: String, _ laws: (nucleus: DiffusivityLaw, annulus: DiffusivityLaw, endplate: DiffusivityLaw), _ initial: Double) -> Solute {
            Solute(name: name, materials: [("endplate", SoluteMaterial(diffusivity: laws.endplate, capacityIsPorosity: capacityIsPorosity)),
                                           ("nucleus", SoluteMaterial(diffusivity: laws.nucleus, capacityIsPorosity: capacityIsPorosity)),
                                           ("annulus", SoluteMaterial(diffusivity: laws.annulus, capacityIsPorosity: capacityIsPorosity))], initialConcentration: initial)
        }
        var bcs: [SoluteBoundaryCondition] = []
        for (name, value) in [("oxygen", o2), ("glucose", bloodGlucose), ("lactate", bloodLactate)] {
            bcs.append(.concentration(solute: name, surface: "outer", value: value))
            for s in ["endplate-top", "endplate-bottom"] {
                bcs.append(openFraction >= 1 ? .concentration(solute: name, surface: s, value: value)
                                             : .exchange(solute: name, surface: s, value: value, openFraction: openFraction, centre: .zero))
            }
        }
        return try SoluteTransportProblem(
            mesh: mesh,
            solutes: [solute("oxygen", oxygen, o2), solute("glucose", glucose, bloodGlucose), solute("lactate", lactate, bloodLactate)],
            reactions: [("endplate", endplateCells), ("nucleus", nucleusCells), ("annulus", annulusCells)],
            boundaryConditions: bcs, options: options)
    }
}
