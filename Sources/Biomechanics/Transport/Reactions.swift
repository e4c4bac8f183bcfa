import Foundation

/// A local reaction between up to four solutes: given the concentrations (mM) of
/// ``species`` it returns each one's net **consumption** rate per unit tissue
/// volume (mM/s = mmol/(L·s); negative = production).
///
/// Implementations must be continuous and return zero consumption of a solute
/// whose concentration is ≤ 0, so that a depleted solute is never driven negative
/// by its own uptake. The transport problem differentiates rates numerically.
public protocol SoluteReaction: Sendable {
    /// Names of the solutes read and written, in the order of the SIMD lanes (1…4).
    var species: [String] { get }
    /// Net consumption rates (mM/s) for concentrations `c` (mM), lanes as ``species``.
    func consumption(_ c: SIMD4<Double>) -> SIMD4<Double>
    /// Checks the parameters, naming `field` in errors.
    func validate(field: String) throws
}

/// Michaelis–Menten uptake of one solute: `Q = Vmax·c/(Km + c)` for `c > 0`, zero for `c ≤ 0`.
public struct MichaelisMentenUptake: SoluteReaction, Equatable {
    /// The consumed solute.
    public var solute: String
    /// Maximum uptake rate per tissue volume (mM/s).
    public var maximumRate: Double
    /// Half-saturation concentration Km (mM), > 0.
    public var halfSaturation: Double

    /// An uptake law.
    /// - Parameters: solute name; `maximumRate` Vmax (mM/s, ≥ 0); `halfSaturation` Km (mM, > 0).
    public init(solute: String, maximumRate: Double, halfSaturation: Double) {
        self.solute = solute; self.maximumRate = maximumRate; self.halfSaturation = halfSaturation
    }

    /// `[solute]`.
    public var species: [String] { [solute] }

    /// `Vmax·c⁺/(Km + c⁺)` in lane 0 (mM/s).
    public func consumption(_ c: SIMD4<Double>) -> SIMD4<Double> {
        let x = max(c[0], 0)
        return SIMD4(maximumRate * x / (halfSaturation + x), 0, 0, 0)
    }

    /// Vmax ≥ 0, Km > 0.
    public func validate(field: String) throws {
        try requireNonNegative(maximumRate, "\(field).Vmax", unit: "mM/s")
        try requirePositive(halfSaturation, "\(field).Km", unit: "mM")
    }
}

/// Energy metabolism of disc cells (oxygen, glucose, lactate coupled through pH): the
/// empirical fits of Bibby, Jones, Ripley & Urban 2005 (Spine 30:487, bovine nucleus cells)
/// as used in the disc nutrition models of Soukane, Shirazi-Adl & Urban 2005/2007
/// (J Biomech Eng 127:1121; J Biomech 40:2645), Shirazi-Adl, Taheri & Urban 2010
/// (J Biomech 43:1330) and Magnier et al. 2009.
///
/// Per cell (nmol/(10⁶ cells·h)), with `P = c_O₂/α` the O₂ tension (kPa), `c_lac` in mM:
/// - O₂ consumption `Q_O₂ = a·(pH − b)·P / (k₀ + k₁·(pH − b) + P)` with `a = 7.28`,
///   `b = 4.95`, `k₀ = 1.46 kPa`, `k₁ = 4.03 kPa` — a Michaelis–Menten law whose maximum rate
///   `a·(pH − b)` and half-saturation tension `k₀ + k₁·(pH − b)` both grow linearly with pH;
///   zero for pH ≤ b (below b the fit turns negative, i.e. meaningless, so it is cut there);
/// - lactate production `exp(a₀ + a_pH·pH + a_P·P + a_P²·P²)` with
///   `(a₀, a_pH, a_P, a_P²) = (−2.47, 0.93, 0.16 /kPa, −0.0058 /kPa²)`;
/// - glucose consumption = ½ × lactate production (glycolysis: 1 glucose → 2 lactate);
/// - `pH = 7.4 − c_lac/11.11` (`c_lac` in mM; 0.090 pH units per mM);
/// - O₂ solubility `α = 0.010268 mM/kPa`.
///
/// Rates are multiplied by the cell density (cells/mL) and converted to mM/s.
/// So that consumption vanishes as glucose runs out (the requirement, and
/// what cell death means for the supply), glycolysis and respiration are further
/// multiplied by `c_glu/(K_glu + c_glu)`; `K_glu` (default 0.03 mM) is an
/// **assumption of this implementation**, small enough not to change rates above
/// ~0.5 mM by more than 6 %.
///
/// **Provenance.** The original paper (Bibby 2005) was **not** read: the search tool
/// returned only its citation and the abstracts of the papers using it. Every constant
/// above is taken from one public implementation that states them: the Abaqus user-element
/// (UEL) Fortran subroutines "Diffusion-Reaction Transport IVD Simulation, coupled with a
/// mechanical IVD simulation" by Estefano Muñoz-Moya (GitHub `estefano23`), two versions of
/// which were read. Their section "Metabolic reactions calculation, based on
/// Bibby et al. (2005)" gives the O₂ law (7.28, 4.95, 1.46, 4.03), the lactate exponent
/// (−2.47, 0.93, 0.16, −0.0058) and glucose = ½ lactate; their pH line, attributed to
/// "Bibby et al. (2005), Soukane et al. (2005, 2007), and Magnier et al. (2009)", gives
/// 7.4 and 1/11.11; their O₂ solubility constant ("oxygen solubility in water") is 0.010268.
/// Two differences from that code, both deliberate: it multiplies the O₂ rate by the tissue
/// water fraction (its O₂ unknown is a tension on the fluid), we use the cell density per
/// tissue volume unchanged; and it prints the 11.11 as "nmol/mL", which would make the pH
/// drop negligible — with lactate in mM (= nmol/mm³, the code's mm units) it gives the
/// 0.09 /mM slope used here. Further exact-string and semantic searches of the stored
/// pages, documentation and code (for "4.03", "1.46", "11.11", "0.0058", "(pH − 4.95)")
/// found no second, independent statement of these constants. An earlier version of this
/// type used a rational O₂ law (`V = 7.28(pH−4.95)/(pH−4.59)`, `Km = 4.6(pH−4.2)/(pH−4.44)`,
/// `pH = 7.5 − 0.1·c_lac`) written from memory without a source; it was removed. Every
/// constant is a stored parameter.
///
/// Viability thresholds (Bibby & Urban 2004, Eur Spine J 13:695; LITERATURE.md):
/// cells die when glucose < 0.5 mM or pH < 6.7.
public struct DiscCellMetabolism: SoluteReaction, Equatable {
    /// Solute names for O₂, glucose and lactate.
    public var oxygen = "oxygen", glucose = "glucose", lactate = "lactate"
    /// Cell density (cells/mL): nucleus 4e6, annulus 9e6, cartilage endplate 15e6
    /// (Maroudas et al. 1975, as used by Soukane 2007).
    public var cellDensity: Double
    /// O₂ solubility α (mM/kPa) converting concentration to tension: 0.010268
    /// (O₂ in water; the Muñoz-Moya UEL, see the type's provenance note).
    public var oxygenSolubility: Double = 0.010268
    /// O₂ consumption slope `a` (nmol/(10⁶ cells·h) per pH unit): 7.28 (Bibby 2005 via the UEL).
    public var oxygenRateCoefficient: Double = 7.28
    /// pH `b` at which O₂ consumption stops (pH units): 4.95 (Bibby 2005 via the UEL).
    public var oxygenPHThreshold: Double = 4.95
    /// Half-saturation O₂ tension at pH = b, `k₀` (kPa): 1.46 (Bibby 2005 via the UEL).
    public var oxygenHalfSaturation: Double = 1.46
    /// Growth of the half-saturation tension per pH unit above b, `k₁` (kPa): 4.03 (Bibby 2005 via the UEL).
    public var oxygenHalfSaturationPerPH: Double = 4.03
    /// Lactate-production exponent coefficients `(a0, a_pH, a_P, a_P²)`: (−2.47, 0.93, 0.16 /kPa, −0.0058 /kPa²) (Bibby 2005 via the UEL).
    public var lactateCoefficients: SIMD4<Double> = SIMD4(-2.47, 0.93, 0.16, -0.0058)
    /// pH at zero lactate (7.4) and its fall per mM lactate (1/11.11 = 0.0900 per mM).
    public var pHAtZeroLactate = 7.4, pHPerLactate = 1 / 11.11
    /// Glucose half-saturation K_glu (mM) of the depletion factor (assumption; see above).
    public var glucoseHalfSaturation = 0.03
    /// Death thresholds: glucose (mM) and pH (Bibby & Urban 2004).
    public var glucoseDeathThreshold = 0.5, pHDeathThreshold = 6.7

    /// A metabolism with the given cell density (cells/mL) and default constants.
    public init(cellDensity: Double) { self.cellDensity = cellDensity }

    /// `[oxygen, glucose, lactate]`.
    public var species: [String] { [oxygen, glucose, lactate] }

    /// Tissue pH at lactate concentration `c` (mM).
    public func pH(lactate c: Double) -> Double { pHAtZeroLactate - pHPerLactate * c }

    /// O₂ consumption per cell (nmol/(10⁶ cells·h)) at tension `p` (kPa) and `pH`, before the glucose factor.
    public func oxygenRatePerCell(tension p: Double, pH ph: Double) -> Double {
        let x = ph - oxygenPHThreshold
        guard x > 0, p > 0 else { return 0 }
        return oxygenRateCoefficient * x * p / (oxygenHalfSaturation + oxygenHalfSaturationPerPH * x + p)
    }

    /// Lactate production per cell (nmol/(10⁶ cells·h)) at tension `p` (kPa) and `pH`, before the glucose factor.
    public func lactateRatePerCell(tension p: Double, pH ph: Double) -> Double {
        let a = lactateCoefficients
        return exp(a[0] + a[1] * ph + a[2] * p + a[3] * p * p)
    }

    /// Net consumption (mM/s) of O₂, glucose and lactate (negative: produced).
    public func consumption(_ c: SIMD4<Double>) -> SIMD4<Double> {
        let p = max(c[0], 0) / oxygenSolubility                  // kPa
        let glu = max(c[1], 0)
        let ph = pH(lactate: max(c[2], 0))
        let g = glu / (glucoseHalfSaturation + glu)
        // nmol/(1e6 cells·h) × cells/mL → nmol/(mL·h) = µM/h; → mM/s.
        let scale = cellDensity * 1e-6 * 1e-3 / 3600
        let qO2 = oxygenRatePerCell(tension: p, pH: ph)
        let lac = lactateRatePerCell(tension: p, pH: ph)
        return SIMD4(scale * qO2 * g, scale * 0.5 * lac * g, -scale * lac * g, 0)
    }

    /// Whether cells survive at glucose `glu` (mM) and lactate `lac` (mM).
    public func isViable(glucose glu: Double, lactate lac: Double) -> Bool {
        glu >= glucoseDeathThreshold && pH(lactate: lac) >= pHDeathThreshold
    }

    /// Non-negative density and rate coefficients; positive solubility, half-saturations and pH slope.
    public func validate(field: String) throws {
        try requireNonNegative(cellDensity, "\(field).cellDensity", unit: "cells/mL")
        try requirePositive(oxygenSolubility, "\(field).oxygenSolubility", unit: "mM/kPa")
        try requireNonNegative(oxygenRateCoefficient, "\(field).oxygenRateCoefficient", unit: "nmol/(10⁶ cells·h) per pH unit")
        // k₀ > 0 and k₁ ≥ 0 keep the half-saturation tension positive for every pH above b.
        try requirePositive(oxygenHalfSaturation, "\(field).oxygenHalfSaturation", unit: "kPa")
        try requireNonNegative(oxygenHalfSaturationPerPH, "\(field).oxygenHalfSaturationPerPH", unit: "kPa per pH unit")
        guard oxygenPHThreshold.isFinite else {
            throw TransportError.invalidParameter(field: "\(field).oxygenPHThreshold", value: "\(oxygenPHThreshold)", expected: "a finite pH")
        }
        guard pHAtZeroLactate.isFinite else {
            throw TransportError.invalidParameter(field: "\(field).pHAtZeroLactate", value: "\(pHAtZeroLactate)", expected: "a finite pH")
        }
        for (i, a) in [lactateCoefficients[0], lactateCoefficients[1], lactateCoefficients[2], lactateCoefficients[3]].enumerated() where !a.isFinite {
            throw TransportError.invalidParameter(field: "\(field).lactateCoefficients[\(i)]", value: "\(a)", expected: "a finite number")
        }
        try requirePositive(glucoseHalfSaturation, "\(field).glucoseHalfSaturation", unit: "mM")
        try requirePositive(pHPerLactate, "\(field).pHPerLactate", unit: "per mM")
        for (name, s) in [("oxygen", oxygen), ("glucose", glucose), ("lactate", lactate)] where s.isEmpty {
            throw TransportError.invalidParameter(field: "\(field).\(name)", value: "\"\"", expected: "a solute name")
        }
    }
}
