import Foundation

/// A published band checked against one scenario's result.
public struct BandCheck: Sendable, Equatable, Codable {
    /// What is checked, with its unit (e.g. `min nucleus pressure (MPa)`).
    public var quantity: String
    /// The row checked (the outcome's label).
    public var scenario: String
    /// The model's value, in the quantity's unit.
    public var value: Double
    /// The band as text (e.g. `< -0.01333`).
    public var band: String
    /// Whether the value lies in the band.
    public var holds: Bool
    /// The source of the band.
    public var citation: String

    /// Creates a value from its parts (units as documented on each property).
    public init(quantity: String, scenario: String, value: Double, band: String, holds: Bool, citation: String) {
        self.quantity = quantity; self.scenario = scenario; self.value = value; self.band = band; self.holds = holds; self.citation = citation
    }
}

/// The published bands a comparison is checked against, each applicable only to the scenario
/// settings the measurement had.
public enum PublishedBands {
    /// Table traction on a split table at ≤ 50 % of body weight lowered the L4-L5 nucleus pressure
    /// below −100 mmHg (``ValidationData/ramosMartin1994Threshold``, Ramos & Martin 1994, J Neurosurg).
    /// Nil when `table` is not a split table at ≤ 0.5 BW (the band does not apply).
    public static func tableNucleusPressure(table: ProfessionalTable, outcome: ScenarioOutcome) -> BandCheck? {
        guard table.table == .split, table.pullFraction <= 0.5 else { return nil }
        let limit = ValidationData.ramosMartin1994Threshold
        return BandCheck(quantity: "min nucleus pressure (MPa)", scenario: outcome.label, value: outcome.minimumNucleusPressure,
                         band: "< " + ScenarioComparison.number(limit), holds: outcome.minimumNucleusPressure < limit,
                         citation: "Ramos G, Martin W 1994, J Neurosurg: below −100 mmHg on a VAX-D table")
    }

    /// Inversion at 60–90° distracted the lower lumbar spaces by 0.3–4.0 mm
    /// (``ValidationData/gianakopoulos1985Distraction``, Gianakopoulos et al. 1985, Arch Phys Med
    /// Rehabil 66(2):100–102). Nil when the inversion angle is outside 60–90°.
    public static func inversionDistraction(inversion: InversionTable, outcome: ScenarioOutcome) -> BandCheck? {
        guard (60...90).contains(inversion.angle) else { return nil }
        let band = ValidationData.gianakopoulos1985Distraction
        return BandCheck(quantity: "distraction (mm)", scenario: outcome.label, value: outcome.distraction,
                         band: "\(ScenarioComparison.number(band.lowerBound))–\(ScenarioComparison.number(band.upperBound))",
                         holds: band.contains(outcome.distraction),
                         citation: "Gianakopoulos G et al. 1985, Arch Phys Med Rehabil 66(2):100–102")
    }
}

/// The per-level distraction of a table session at 1/3 of body weight, times the five lumbar
/// levels, next to the measured stature gain: a comparison, not a pass band.
///
/// Measured: +8.94 mm of stature after 25 min of horizontal traction at 1/3 BW, against +3.33 mm
/// after 25 min of crook lying, most of it in the first 15 min ("Effect of lumbar traction on
/// stature", Spine 1990, doi 10.1097/00007632-199006000-00017; authors not verified).
public struct StatureComparison: Sendable, Equatable, Codable {
    /// The model's distraction of one level (mm).
    public var perLevelDistraction: Double
    /// Lumbar levels the per-level value is multiplied by.
    public var levels: Int
    /// Measured stature gain with traction (mm).
    public var measuredWithTraction: Double
    /// Measured stature gain lying without traction (mm).
    public var measuredCrookLying: Double

    /// Creates a value from its parts (units as documented on each property).
    public init(perLevelDistraction: Double, levels: Int = 5, measuredWithTraction: Double = 8.94, measuredCrookLying: Double = 3.33) {
        self.perLevelDistraction = perLevelDistraction; self.levels = levels
        self.measuredWithTraction = measuredWithTraction; self.measuredCrookLying = measuredCrookLying
    }

    /// The model's lumbar lengthening, `levels × perLevelDistraction` (mm).
    public var modelLumbarLengthening: Double { Double(levels) * perLevelDistraction }
    /// Measured gain minus the model's lengthening (mm).
    public var difference: Double { measuredWithTraction - modelLumbarLengthening }

    /// Why the two need not agree.
    public static let explanation = "Stature also grows without traction (crook lying alone gave 3.33 mm), through the thoracic and cervical discs, and through posture (lordosis flattening); the model gives the axial distraction of one lumbar level under its own protocol, assumed the same at all five levels."
}
