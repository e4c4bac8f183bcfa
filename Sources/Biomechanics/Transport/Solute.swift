import FiniteElements

/// The transport properties of one solute in one region.
public struct SoluteMaterial: Sendable, Equatable {
    /// Effective tissue diffusivity law (mm²/s).
    public var diffusivity: DiffusivityLaw
    /// Content per tissue volume per unit concentration (dimensionless): the
    /// accessible fluid fraction. 1 (default) makes `c` a concentration per tissue
    /// volume, as in the Soukane/Shirazi-Adl diffusion models.
    public var capacity: Double
    /// When true the capacity is the current porosity of the tissue
    /// (``TissueState/porosity``) instead of ``capacity``.
    public var capacityIsPorosity: Bool
    /// Partition coefficient (dimensionless, > 0): a prescribed external concentration
    /// `c_ext` on a surface of this region sets `c = K·c_ext` (glucose in annulus 0.71–0.82, LITERATURE.md).
    public var partition: Double

    /// A material.
    /// - Parameters: `diffusivity` (mm²/s law); `capacity` (dimensionless, > 0, default 1);
    ///   `capacityIsPorosity` (default false); `partition` (dimensionless, > 0, default 1).
    public init(diffusivity: DiffusivityLaw, capacity: Double = 1, capacityIsPorosity: Bool = false, partition: Double = 1) {
        self.diffusivity = diffusivity; self.capacity = capacity; self.capacityIsPorosity = capacityIsPorosity; self.partition = partition
    }

    /// Checks every parameter, naming `field` in errors.
    public func validate(field: String) throws {
        try diffusivity.validate(field: "\(field).diffusivity")
        try requirePositive(capacity, "\(field).capacity", unit: "(dimensionless)")
        try requirePositive(partition, "\(field).partition", unit: "(dimensionless)")
    }
}

/// A solute field (one scalar concentration, mM, per mesh node of its regions).
public struct Solute: Sendable, Equatable {
    /// Field name (e.g. `oxygen`, `glucose`, `lactate`).
    public var name: String
    /// Materials by region, in precedence order: a cell takes the first listed region that contains it.
    /// The solute lives on the union of these regions.
    public var materials: [(region: String, material: SoluteMaterial)]
    /// Initial concentration (mM) where no other initial state is given.
    public var initialConcentration: Double
    /// Concentration unit; only `"mM"` (mmol/L = mol/m³) is accepted.
    public var unit: String

    /// A solute.
    public init(name: String, materials: [(region: String, material: SoluteMaterial)], initialConcentration: Double = 0, unit: String = "mM") {
        self.name = name; self.materials = materials; self.initialConcentration = initialConcentration; self.unit = unit
    }

    /// Equal names, units, initial values and materials.
    public static func == (a: Solute, b: Solute) -> Bool {
        a.name == b.name && a.unit == b.unit && a.initialConcentration == b.initialConcentration
            && a.materials.map(\.region) == b.materials.map(\.region) && a.materials.map(\.material) == b.materials.map(\.material)
    }

    /// The regions the solute lives on.
    public var regions: [String] { materials.map(\.region) }
}

/// A boundary condition of a solute on a named surface. Surfaces without a
/// condition are impermeable to the solute's diffusive flux (no flux; the
/// convective flux `c·w·n` leaves freely where fluid flows out).
public enum SoluteBoundaryCondition: Sendable, Equatable {
    /// Prescribed external concentration `value` (mM) times an optional load curve:
    /// the tissue concentration on the surface is `partition × value × curve(t)`.
    case concentration(solute: String, surface: String, value: Double, curve: LoadCurve? = nil)
    /// Prescribed diffusive inflow (mM·mm/s = 1e-6 mmol/(mm²·s)), positive into the tissue.
    case flux(solute: String, surface: String, inflow: Double)
    /// Endplate exchange: the concentration `value` (mM) is prescribed on the open part of
    /// the surface only — the central faces making up `openFraction` of its area, central
    /// meaning nearest to `centre` (mm; nil = the surface's area centroid) measured across
    /// the surface's mean normal — and the rest (calcified/sclerotic endplate) is
    /// impermeable (Soukane et al. 2007 "exchange area"; Shirazi-Adl et al. 2010).
    /// The realised fraction is quantised by the faces (``SoluteTransportProblem/openAreaFractions``).
    case exchange(solute: String, surface: String, value: Double, openFraction: Double, centre: SIMD3<Double>? = nil)

    /// The solute named by the condition.
    public var solute: String {
        switch self { case let .concentration(s, _, _, _), let .flux(s, _, _), let .exchange(s, _, _, _, _): return s }
    }
    /// The surface named by the condition.
    public var surface: String {
        switch self { case let .concentration(_, s, _, _), let .flux(_, s, _), let .exchange(_, s, _, _, _): return s }
    }
}

/// The mechanical state the transport sees during one step (staggered coupling):
/// per-cell porosity and compressive strain, and the Darcy fluid flux.
///
/// Staggering: a caller solving the biphasic problem first advances the mechanics
/// from `t_n` to `t_{n+1}`, then hands the end-of-step state here and calls
/// ``SoluteTransportProblem/step(_:)``. The transport step is backward Euler with
/// the fluid flux and diffusivities of `t_{n+1}`; the content uses the capacity of
/// `t_{n+1}` for the new and that of `t_n` for the old concentration
/// (`(κⁿ⁺¹cⁿ⁺¹ − κⁿcⁿ)/Δt`), and the convection is in conservative form, so solute is
/// conserved exactly over every staggered step whatever flux field is handed over
/// (continuous or cell-wise). ``darcyDivergence`` (for SUPG only) should be the one that
/// balances the mixture's volume change (`∇·w = −Δ(tr ε)/Δt`, incompressible constituents).
public struct TissueState: Sendable {
    /// Fluid volume fraction per cell (dimensionless, in (0, 1)); nil = use `referencePorosity`.
    public var porosity: [Double]?
    /// Porosity used where ``porosity`` is nil (dimensionless).
    public var referencePorosity: Double = 0.8
    /// Compressive volumetric strain per cell (dimensionless, > 0 in compression); nil = 0.
    public var compressiveStrain: [Double]?
    /// Darcy flux `w = φ(v_f − v_s)` (mm/s) at a point of a cell; nil = no flow.
    public var darcyFlux: (@Sendable (_ cell: Int, _ x: SIMD3<Double>) -> SIMD3<Double>)?
    /// `∇·w` (1/s) at a point of a cell; nil = 0. Used only in the SUPG strong residual
    /// (the Galerkin convection is in conservative form and needs no divergence, so the
    /// solute balance is exact whatever is given here).
    public var darcyDivergence: (@Sendable (_ cell: Int, _ x: SIMD3<Double>) -> Double)?

    /// A state with no flow, reference porosity and no strain.
    public init() {}
}
