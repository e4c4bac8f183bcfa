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

/// Energy metabolism of disc cells (oxygen, glucose, lactate coupled through pH),
/// as measured on bovine nucleus cells by Bibby et al. 2005 (Spine 30:487) and
/// used in the disc nutrition models of Soukane, Shirazi-Adl & Urban 2007
/// (J Biomech 40:2645) and Shirazi-Adl, Taheri & Urban 2010 (J Biomech 43:1330).
///
/// Per cell (nmol/(10⁶ cells·h)), with `P = c_O₂/α` the O₂ tension (kPa) and pH
/// from lactate:
/// - O₂ consumption `V(pH)·P/(Km(pH) + P)`, `V = 7.28·(pH − 4.95)/(pH − 4.59)`,
///   `Km = 4.6·(pH − 4.2)/(pH − 4.44)` kPa (zero for pH ≤ 4.95);
/// - lactate production `exp(−2.47 + 0.93·pH + 0.16·P − 0.0058·P²)`;
/// - glucose consumption = ½ × lactate production (glycolysis: 1 glucose → 2 lactate);
/// - `pH = pH₀ − s·c_lac` with `pH₀ = 7.5`, `s = 0.1` per mM (the linear pH–lactate relation of the Soukane models).
///
/// Rates are multiplied by the cell density (cells/mL) and converted to mM/s.
/// So that consumption vanishes as glucose runs out (the requirement, and
/// what cell death means for the supply), glycolysis and respiration are further
/// multiplied by `c_glu/(K_glu + c_glu)`; `K_glu` (default 0.03 mM) is an
/// **assumption of this implementation**, small enough not to change rates above
/// ~0.5 mM by more than 6 %.
///
/// **Provenance — not confirmed.** Two searches (2026-11-25) of the stored public pages,
/// documentation and code returned only abstracts and reference lists: Soukane, Shirazi-Adl &
/// Urban 2005 (J Biomech Eng 127:1121, O₂–lactate coupling through pH), Soukane 2007 (J Biomech
/// 40:2645), Malandrino, Noailly & Lacroix 2011 (PLoS Comput Biol 7:e1002112, PMC3150290),
/// the 3D L5–S1 model of PMC2899342, Shirazi-Adl, Taheri & Urban 2010 (J Biomech 43:1330,
/// whose reference list cites Bibby 2005 Spine 30:487 and Bibby & Urban 2004 Eur Spine J
/// 13:695), and no public code implementing the fits (exact-string searches for the
/// constants `(pH - 4.95)` and `0.0058` found nothing relevant). The constants above
/// (7.28, 4.95, 4.59; 4.6, 4.2, 4.44; −2.47, 0.93, 0.16, −0.0058; pH 7.5 − 0.1·c_lac) are
/// therefore **written from memory of the published fits and unverified**; check them
/// against Bibby 2005 (Table/Eqs.) and Soukane 2007 before quantitative use. Every constant
/// is a stored parameter.
///
/// Viability thresholds (Bibby & Urban 2004, Eur Spine J 13:695; LITERATURE.md):
/// cells die when glucose < 0.5 mM or pH < 6.7.
public struct DiscCellMetabolism: SoluteReaction, Equatable {
    /// Solute names for O₂, glucose and lactate.
    public var oxygen = "oxygen", glucose = "glucose", lactate = "lactate"
    /// Cell density (cells/mL): nucleus 4e6, annulus 9e6, cartilage endplate 15e6
    /// (Maroudas et al. 1975, as used by Soukane 2007).
    public var cellDensity: Double
    /// O₂ solubility α (mM/kPa) converting concentration to tension; 1.03e-2
    /// (O₂ in water at 37 °C, Henry's law).
    public var oxygenSolubility: Double = 1.03e-2
    /// O₂ consumption coefficient (nmol/(10⁶ cells·h)): 7.28 (Bibby 2005).
    public var oxygenRateCoefficient: Double = 7.28
    /// pH offsets of `V(pH)` (4.95, 4.59) and of `Km(pH)` (4.2, 4.44) (Bibby 2005).
    public var vmaxPHOffsets: SIMD2<Double> = SIMD2(4.95, 4.59)
    /// pH offsets of `Km(pH)`.
    public var kmPHOffsets: SIMD2<Double> = SIMD2(4.2, 4.44)
    /// Km coefficient (kPa): 4.6 (Bibby 2005).
    public var kmCoefficient: Double = 4.6
    /// Lactate-production exponent coefficients `(a0, a_pH, a_P, a_P²)`: (−2.47, 0.93, 0.16 /kPa, −0.0058 /kPa²) (Bibby 2005).
    public var lactateCoefficients: SIMD4<Double> = SIMD4(-2.47, 0.93, 0.16, -0.0058)
    /// pH at zero lactate (7.5) and its fall per mM lactate (0.1 /mM).
    public var pHAtZeroLactate = 7.5, pHPerLactate = 0.1
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

    /// Net consumption (mM/s) of O₂, glucose and lactate (negative: produced).
    public func consumption(_ c: SIMD4<Double>) -> SIMD4<Double> {
        let p = max(c[0], 0) / oxygenSolubility                  // kPa
        let glu = max(c[1], 0)
        let ph = pH(lactate: max(c[2], 0))
        let g = glu / (glucoseHalfSaturation + glu)
        // nmol/(1e6 cells·h) × cells/mL → nmol/(mL·h) = µM/h; → mM/s.
        let scale = cellDensity * 1e-6 * 1e-3 / 3600
        var qO2 = 0.0
        if ph > vmaxPHOffsets[0] {
            let v = oxygenRateCoefficient * (ph - vmaxPHOffsets[0]) / (ph - vmaxPHOffsets[1])
            let km = kmCoefficient * (ph - kmPHOffsets[0]) / (ph - kmPHOffsets[1])
            qO2 = v * p / (km + p)
        }
        let a = lactateCoefficients
        let lac = exp(a[0] + a[1] * ph + a[2] * p + a[3] * p * p)
        return SIMD4(scale * qO2 * g, scale * 0.5 * lac * g, -scale * lac * g, 0)
    }

    /// Whether cells survive at glucose `glu` (mM) and lactate `lac` (mM).
    public func isViable(glucose glu: Double, lactate lac: Double) -> Bool {
        glu >= glucoseDeathThreshold && pH(lactate: lac) >= pHDeathThreshold
    }

    /// Positive density, solubility, coefficients; offsets ordered so the rates are finite.
    public func validate(field: String) throws {
        try requireNonNegative(cellDensity, "\(field).cellDensity", unit: "cells/mL")
        try requirePositive(oxygenSolubility, "\(field).oxygenSolubility", unit: "mM/kPa")
        try requireNonNegative(oxygenRateCoefficient, "\(field).oxygenRateCoefficient", unit: "nmol/(10⁶ cells·h)")
        try requirePositive(kmCoefficient, "\(field).Km", unit: "kPa")
        try requirePositive(glucoseHalfSaturation, "\(field).glucoseHalfSaturation", unit: "mM")
        try requirePositive(pHPerLactate, "\(field).pHPerLactate", unit: "per mM")
        // V(pH) and Km(pH) must stay finite and positive for every pH above the V cut-off (vmaxPHOffsets[0]).
        guard vmaxPHOffsets[0] > vmaxPHOffsets[1], vmaxPHOffsets[0] > kmPHOffsets[0], vmaxPHOffsets[0] > kmPHOffsets[1] else {
            throw TransportError.invalidParameter(field: "\(field).pHOffsets", value: "\(vmaxPHOffsets), \(kmPHOffsets)",
                                                  expected: "all offsets below the V cut-off \(vmaxPHOffsets[0]) so V and Km stay finite and positive above it")
        }
        for (name, s) in [("oxygen", oxygen), ("glucose", glucose), ("lactate", lactate)] where s.isEmpty {
            throw TransportError.invalidParameter(field: "\(field).\(name)", value: "\"\"", expected: "a solute name")
        }
    }
}
