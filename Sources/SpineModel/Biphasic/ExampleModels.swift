import Foundation

/// The models `spinetraction run --example NAME` runs, embedded so they need no files. Tests
/// keep each equal to its file in `Examples/models/`.
public enum ExampleModels {
    /// Names, in the order `spinetraction run --help` lists them.
    public static let names = ["disc", "nutrient-traction", "motion-segment"]

    /// The example named `name`.
    /// - Throws: ``ModelError`` of kind `.unknownName` naming the known examples.
    public static func model(named name: String) throws -> Model {
        switch name {
        case "disc": return try DefaultDiscModel.model()
        case "nutrient-traction": return try nutrientTraction()
        case "motion-segment": return try motionSegment()
        default:
            throw ModelError(.unknownName, at: "--example", "unknown example \"\(name)\"; the examples are: \(names.joined(separator: ", "))")
        }
    }

    /// `Examples/models/nutrient-traction.json`: the default disc (``DefaultDiscModel``) with O₂,
    /// glucose and lactate carried by its fluid and consumed by its cells.
    public static func nutrientTraction() throws -> Model {
        var model = try DefaultDiscModel.model()
        model.notes = nutrientTractionNotes
        model.transport = try TransportParser.parse(try JSONValue.parse(Data(nutrientTractionTransport.utf8)))
        return model
    }

    static let nutrientTractionNotes = "Disc nutrition under traction: the default L4-L5 disc of default-disc.json (free swelling, lying preload, three 110 N traction cycles; see that file for the mechanics and its sources) with O2, glucose and lactate carried by its fluid and consumed by the cells (Bibby 2005 metabolism: nucleus 4e6, annulus 9e6 cells/mL). Blood values (5.8 kPa O2 = 0.05955 mM, glucose 4 mM, lactate 0.8 mM) on the outer annulus and, through the cartilage endplates, on the central 60 % of each endplate (exchange area; the endplate is not meshed). Capacity = current porosity; steady state for the unloaded reference tissue, then one transport step after every biphasic step (`spinetraction run` staggers them; transport on the linear corner-node cells). transport.json reports the glucose imbibed through each surface (cumulative, mmol), region min/max and the viable fraction."

    /// The `transport` block of `Examples/models/nutrient-traction.json` (JSON, units mM, mm²/s, s).
    static let nutrientTractionTransport = #"""
{"solutes": {"oxygen": {"unit": "mM", "initial": 0.05955, "materials": {"nucleus": {"diffusivity": {"type": "constant", "D": 0.003}, "capacity": "porosity"}, "annulus": {"diffusivity": {"type": "yuan2009AnnulusOxygen"}, "capacity": "porosity"}}}, "glucose": {"unit": "mM", "initial": 4.0, "materials": {"nucleus": {"diffusivity": {"type": "constant", "D": 0.00093}, "capacity": "porosity"}, "annulus": {"diffusivity": {"type": "constant", "D": 0.00062}, "capacity": "porosity"}}}, "lactate": {"unit": "mM", "initial": 0.8, "materials": {"nucleus": {"diffusivity": {"type": "constant", "D": 0.0014}, "capacity": "porosity"}, "annulus": {"diffusivity": {"type": "constant", "D": 0.001}, "capacity": "porosity"}}}}, "reactions": [{"region": "nucleus", "type": "discCellMetabolism", "cellDensity": 4000000.0}, {"region": "annulus", "type": "discCellMetabolism", "cellDensity": 9000000.0}], "boundary": [{"solute": "oxygen", "surface": "outer", "concentration": 0.05955}, {"solute": "oxygen", "surface": "top", "exchange": {"value": 0.05955, "openFraction": 0.6, "centre": [0, 0, 10]}}, {"solute": "oxygen", "surface": "bottom", "exchange": {"value": 0.05955, "openFraction": 0.6, "centre": [0, 0, 0]}}, {"solute": "glucose", "surface": "outer", "concentration": 4.0}, {"solute": "glucose", "surface": "top", "exchange": {"value": 4.0, "openFraction": 0.6, "centre": [0, 0, 10]}}, {"solute": "glucose", "surface": "bottom", "exchange": {"value": 4.0, "openFraction": 0.6, "centre": [0, 0, 0]}}, {"solute": "lactate", "surface": "outer", "concentration": 0.8}, {"solute": "lactate", "surface": "top", "exchange": {"value": 0.8, "openFraction": 0.6, "centre": [0, 0, 10]}}, {"solute": "lactate", "surface": "bottom", "exchange": {"value": 0.8, "openFraction": 0.6, "centre": [0, 0, 0]}}], "steadyStart": true, "timeStep": 600, "outputs": {"probes": [{"name": "centreOxygen", "solute": "oxygen", "at": [0, 0, 5]}, {"name": "centreGlucose", "solute": "glucose", "at": [0, 0, 5]}], "regions": [{"name": "oxygen", "solute": "oxygen", "region": "all"}, {"name": "glucose", "solute": "glucose", "region": "all"}, {"name": "lactate", "solute": "lactate", "region": "all"}], "surfaces": [{"name": "glucoseInTop", "solute": "glucose", "surface": "top"}, {"name": "glucoseInBottom", "solute": "glucose", "surface": "bottom"}, {"name": "glucoseInOuter", "solute": "glucose", "surface": "outer"}], "viable": [{"name": "viableFraction", "reaction": 0}]}}
"""#
}
