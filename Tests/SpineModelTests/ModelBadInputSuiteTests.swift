import Testing
import Foundation
@testable import SpineModel

/// The bad-input suite: every case is a base model with one text edit, the error kind it must
/// get and the path it must name, plus what the message must mention (the bad value, what was
/// expected). A case passes only when parsing + building a ``Simulation`` throws exactly that
/// ``ModelError`` — no crash, no other error type, no silent acceptance.
struct BadInput: CustomTestStringConvertible, Sendable {
    enum Base: Sendable { case solid, biphasic, transport }
    let base: Base
    let old: String, new: String
    let kind: ModelError.Kind
    let path: String
    let mentions: [String]

    init(_ base: Base, _ old: String, _ new: String, _ kind: ModelError.Kind, _ path: String, _ mentions: [String]) {
        self.base = base; self.old = old; self.new = new; self.kind = kind; self.path = path; self.mentions = mentions
    }

    var testDescription: String { "\(path) ← \(new.prefix(60))" }

    var text: String {
        let b: String
        switch base {
        case .solid: b = validModel
        case .biphasic: b = badInputBiphasicModel
        case .transport: b = badInputTransportModel
        }
        precondition(b.contains(old), "test bug: \(old) not in the base model")
        return b.replacingOccurrences(of: old, with: new)
    }
}

/// A confined biphasic column with Donnan swelling (the mp01 material).
let badInputBiphasicModel = """
{
  "units": "mm-N-s-MPa",
  "mesh": {"generate": {"box": {"size": [1, 1, 1], "divisions": [1, 1, 1], "element": "hex20"}}},
  "kinematics": "finiteStrain",
  "regions": {"all": "cartilage"},
  "materials": {"cartilage": {"type": "biphasic", "phi0": 0.2, "solid": {"type": "neoHookean", "E": 1, "nu": 0},
                              "permeability": {"type": "constant", "k0": 1e-3},
                              "osmotic": {"cF0": -200, "bath": 150, "T": 310}}},
  "boundary": [
    {"surface": "x-", "fix": ["ux"]}, {"surface": "x+", "fix": ["ux"]},
    {"surface": "y-", "fix": ["uy"]}, {"surface": "y+", "fix": ["uy"]},
    {"surface": "bottom", "fix": ["uz"]},
    {"surface": "top", "fluidPressure": 0}
  ],
  "steps": [{"name": "swell", "duration": 100, "dt": 1, "dtMin": 0.001, "dtMax": 100}],
  "outputs": {"times": [0, 100], "probes": [{"name": "topUz", "field": "uz", "at": [0.5, 0.5, 1]}]}
}
"""

/// The solid base with a glucose transport block.
let badInputTransportModel = validModel.replacingOccurrences(of: "\"outputs\": {", with: """
"transport": {"solutes": {"glucose": {"unit": "mM", "initial": 4, "materials": {"all": {"diffusivity": {"type": "constant", "D": 9.3e-4}}}}},
                "reactions": [{"region": "all", "type": "michaelisMenten", "solute": "glucose", "Vmax": 4e-4, "Km": 0.5}],
                "boundary": [{"solute": "glucose", "surface": "x-", "concentration": 4}], "timeStep": 0.5},
  "outputs": {
""")

let badInputs: [BadInput] = [
    BadInput(.solid, "\"units\": \"mm-N-s-MPa\"", "\"units\": \"m-N-s-Pa\"", .units, "units", ["\"m-N-s-Pa\"", "mm-N-s-MPa"]),
    BadInput(.solid, "\"units\": \"mm-N-s-MPa\",", "", .missingKey, "units", ["missing"]),
    BadInput(.solid, "\"units\": \"mm-N-s-MPa\"", "\"units\": 1", .wrongType, "units", ["1"]),
    BadInput(.solid, "\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\", \"solver\": \"fast\",", .unknownKey, "solver", ["units, mesh"]),
    BadInput(.solid, "\"kinematics\": \"smallStrain\",", "\"kinematics\": \"large\",", .invalidValue, "kinematics", ["\"large\"", "\"smallStrain\""]),
    BadInput(.solid, "\"kinematics\": \"smallStrain\",", "", .missingKey, "kinematics", ["missing"]),
    BadInput(.solid, "\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\", \"planeStrain\": \"yes\",", .wrongType, "planeStrain", ["\"yes\"", "true or false"]),
    BadInput(.solid, "\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\", \"description\": 5,", .wrongType, "description", ["5", "string"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{}", .missingKey, "mesh", ["generate", "file"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}, \"tube\": {}}}", .invalidValue, "mesh.generate", ["box", "tube"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"sphere\": {\"radius\": 1}}}", .unknownKey, "mesh.generate.sphere", ["box, cylinder"]),
    BadInput(.solid, "\"size\": [10, 10, 10]", "\"size\": [-10, 10, 10]", .invalidValue, "mesh.generate.box.size[0]", ["-10", "mm"]),
    BadInput(.solid, "\"size\": [10, 10, 10]", "\"size\": [10, 10]", .invalidValue, "mesh.generate.box.size", ["got 2"]),
    BadInput(.solid, "\"divisions\": [1, 1, 1]", "\"divisions\": [1, 1.5, 1]", .invalidValue, "mesh.generate.box.divisions[1]", ["1.5", "whole number"]),
    BadInput(.solid, "\"divisions\": [1, 1, 1]", "\"divisions\": [1, 1, 2147483648]", .invalidValue, "mesh.generate.box.divisions[2]", ["2147483648", "999999999"]),
    BadInput(.solid, "\"divisions\": [1, 1, 1]", "\"divisions\": [1000, 1000, 1000]", .invalidValue, "mesh.generate.box.divisions", ["1000 × 1000 × 1000", "2000000"]),
    BadInput(.solid, "\"divisions\": [1, 1, 1]", "\"divisions\": [1, 1]", .invalidValue, "mesh.generate.box.divisions", ["got 2"]),
    BadInput(.solid, "\"element\": \"hex8\"", "\"element\": \"hex9\"", .invalidValue, "mesh.generate.box.element", ["\"hex9\"", "\"hex8\""]),
    BadInput(.solid, "\"element\": \"hex8\"", "\"element\": \"hex8\", \"colour\": \"red\"", .unknownKey, "mesh.generate.box.colour", ["size"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"file\": \"no-such-mesh.msh\"}", .invalidValue, "mesh.file", ["no-such-mesh.msh"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"file\": 7}", .wrongType, "mesh.file", ["7"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"cylinder\": {\"radius\": 5, \"height\": 10, \"divisions\": {\"radial\": 1, \"around\": 6, \"height\": 1}, \"element\": \"hex8\"}}}", .invalidValue, "mesh.generate.cylinder.divisions.around", ["6", "multiple of 4"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"cylinder\": {\"radius\": 5, \"inner\": {\"name\": \"np\", \"fraction\": 1}, \"height\": 10, \"divisions\": {\"radial\": 1, \"around\": 8, \"height\": 1}, \"element\": \"hex8\"}}}", .invalidValue, "mesh.generate.cylinder.inner.fraction", ["1", "(0, 1)"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"cylinder\": {\"radius\": 5, \"height\": 10, \"divisions\": {\"radial\": 1, \"around\": 8, \"height\": 1}, \"element\": \"tet4\"}}}", .invalidValue, "mesh.generate.cylinder.element", ["\"tet4\"", "hex8"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"cylinder\": {\"radius\": 0, \"height\": 10, \"divisions\": {\"radial\": 1, \"around\": 8, \"height\": 1}, \"element\": \"hex8\"}}}", .invalidValue, "mesh.generate.cylinder.radius", ["0", "positive"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"tube\": {\"innerRadius\": 5, \"outerRadius\": 4, \"height\": 10, \"angle\": 90, \"divisions\": {\"radial\": 1, \"around\": 2, \"height\": 1}, \"element\": \"hex8\"}}}", .invalidValue, "mesh.generate.tube.outerRadius", ["4", "innerRadius"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"tube\": {\"innerRadius\": 5, \"outerRadius\": 10, \"height\": 10, \"angle\": 200, \"divisions\": {\"radial\": 1, \"around\": 2, \"height\": 1}, \"element\": \"hex8\"}}}", .invalidValue, "mesh.generate.tube.angle", ["200", "180"]),
    BadInput(.solid, "{\"generate\": {\"box\": {\"size\": [10, 10, 10], \"divisions\": [1, 1, 1], \"element\": \"hex8\"}}}", "{\"generate\": {\"tube\": {\"innerRadius\": 5, \"outerRadius\": 10, \"height\": 10, \"angle\": 90, \"divisions\": { \"around\": 2, \"height\": 1}, \"element\": \"hex8\"}}}", .missingKey, "mesh.generate.tube.divisions.radial", ["missing"]),
    BadInput(.solid, "\"E\": 100", "\"E\": -4", .invalidValue, "materials.gel.E", ["-4", "positive"]),
    BadInput(.solid, "\"E\": 100", "\"E\": \"100\"", .wrongType, "materials.gel.E", ["\"100\"", "number"]),
    BadInput(.solid, "\"nu\": 0.3", "\"nu\": 0.5", .invalidValue, "materials.gel.nu", ["0.5"]),
    BadInput(.solid, "\"nu\": 0.3", "\"nu\": -1", .invalidValue, "materials.gel.nu", ["-1"]),
    BadInput(.solid, "\"isotropicElastic\"", "\"viscoelastic\"", .invalidValue, "materials.gel.type", ["\"viscoelastic\"", "\"neoHookean\""]),
    BadInput(.solid, ", \"nu\": 0.3", "", .missingKey, "materials.gel.nu", ["missing"]),
    BadInput(.solid, "\"nu\": 0.3", "\"nu\": 0.3, \"colour\": \"red\"", .unknownKey, "materials.gel.colour", ["E, nu"]),
    BadInput(.solid, "\"materials\": {\"gel\": {\"type\": \"isotropicElastic\", \"E\": 100, \"nu\": 0.3}}", "\"materials\": {}", .invalidValue, "materials", ["at least one material"]),
    BadInput(.solid, "{\"type\": \"isotropicElastic\", \"E\": 100, \"nu\": 0.3}", "{\"type\": \"orthotropicElastic\", \"E1\": 10, \"E2\": 10, \"E3\": 20, \"nu12\": 0.3, \"nu13\": 0.3, \"nu23\": 0.3, \"G12\": 4, \"G13\": 4}", .missingKey, "materials.gel.G23", ["missing"]),
    BadInput(.solid, "{\"type\": \"isotropicElastic\", \"E\": 100, \"nu\": 0.3}", "{\"type\": \"orthotropicElastic\", \"E1\": 10, \"E2\": 10, \"E3\": 20, \"nu12\": 0.9, \"nu13\": 0.9, \"nu23\": 0.9, \"G12\": 4, \"G13\": 4, \"G23\": 4}", .invalidValue, "materials.gel.nu13", ["0.9", "√(E1/E3)"]),
    BadInput(.solid, "{\"type\": \"isotropicElastic\", \"E\": 100, \"nu\": 0.3}", "{\"type\": \"orthotropicElastic\", \"E1\": 10, \"E2\": 10, \"E3\": 20, \"nu12\": 0.3, \"nu13\": 0.3, \"nu23\": 0.3, \"G12\": -4, \"G13\": 4, \"G23\": 4}", .invalidValue, "materials.gel.G12", ["-4"]),
    BadInput(.solid, "{\"type\": \"isotropicElastic\", \"E\": 100, \"nu\": 0.3}", "{\"type\": \"orthotropicElastic\", \"E1\": 10, \"E2\": 10, \"E3\": 20, \"nu12\": 0.3, \"nu13\": 0.3, \"nu23\": 0.3, \"G12\": 4, \"G13\": 4, \"G23\": 4, \"axes\": {\"type\": \"cylindrical\", \"origin\": [0, 0, 0], \"axis\": [0, 0, 0]}}", .invalidValue, "materials.gel.axes.axis", ["[0, 0, 0]", "non-zero"]),
    BadInput(.solid, "{\"type\": \"isotropicElastic\", \"E\": 100, \"nu\": 0.3}", "{\"type\": \"orthotropicElastic\", \"E1\": 10, \"E2\": 10, \"E3\": 20, \"nu12\": 0.3, \"nu13\": 0.3, \"nu23\": 0.3, \"G12\": 4, \"G13\": 4, \"G23\": 4, \"axes\": {\"type\": \"polar\"}}", .invalidValue, "materials.gel.axes.type", ["\"polar\"", "\"cylindrical\""]),
    BadInput(.solid, "\"all\": \"gel\"", "\"all\": \"jelly\"", .unknownName, "regions.all", ["\"jelly\"", "gel"]),
    BadInput(.solid, "\"all\": \"gel\"", "\"nucleus\": \"gel\"", .unknownName, "regions.nucleus", ["\"nucleus\"", "all"]),
    BadInput(.solid, "\"regions\": {\"all\": \"gel\"}", "\"regions\": {}", .invalidValue, "regions", ["at least one region"]),
    BadInput(.solid, "\"regions\": {\"all\": \"gel\"}", "\"regions\": [\"all\"]", .wrongType, "regions", ["an array", "object"]),
    BadInput(.biphasic, "\"phi0\": 0.2", "\"phi0\": 1.2", .invalidValue, "materials.cartilage.phi0", ["1.2", "(0, 1)"]),
    BadInput(.biphasic, "\"phi0\": 0.2", "\"phi0\": 0", .invalidValue, "materials.cartilage.phi0", ["0", "(0, 1)"]),
    BadInput(.biphasic, "\"k0\": 1e-3", "\"k0\": -1", .invalidValue, "materials.cartilage.permeability.k0", ["-1", "positive"]),
    BadInput(.biphasic, "\"type\": \"constant\"", "\"type\": \"darcy\"", .invalidValue, "materials.cartilage.permeability.type", ["\"darcy\"", "\"holmesMow\""]),
    BadInput(.biphasic, "\"type\": \"constant\", \"k0\": 1e-3", "\"type\": \"holmesMow\", \"k0\": 1e-3, \"alpha\": 2", .missingKey, "materials.cartilage.permeability.M", ["missing"]),
    BadInput(.biphasic, "\"cF0\": -200", "\"cF0\": 200", .invalidValue, "materials.cartilage.osmotic.cF0", ["200", "non-positive"]),
    BadInput(.biphasic, "\"bath\": 150", "\"bath\": 0", .invalidValue, "materials.cartilage.osmotic.bath", ["0", "positive"]),
    BadInput(.biphasic, "\"T\": 310", "\"T\": -5", .invalidValue, "materials.cartilage.osmotic.T", ["-5", "positive"]),
    BadInput(.biphasic, "\"T\": 310", "\"temperature\": 310", .unknownKey, "materials.cartilage.osmotic.temperature", ["cF0, bath, T"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}", "\"solid\": {\"type\": \"biphasic\"}", .invalidValue, "materials.cartilage.solid", ["biphasic"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0},", "", .missingKey, "materials.cartilage.solid", ["missing"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}", "\"solid\": {\"type\": \"neoHookean\", \"E\": 0, \"nu\": 0}", .invalidValue, "materials.cartilage.solid.E", ["0", "positive"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}", "\"solid\": {\"type\": \"fibreReinforced\", \"matrix\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}, \"axes\": {\"type\": \"cylindrical\", \"origin\": [0.5, 0.5, 0], \"axis\": [0, 0, 1]}, \"fibres\": [{\"angle\": 30, \"xi\": 5, \"alpha\": 2, \"beta\": 1}]}", .invalidValue, "materials.cartilage.solid.fibres[0].beta", ["1", "2"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}", "\"solid\": {\"type\": \"fibreReinforced\", \"matrix\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}, \"axes\": {\"type\": \"cylindrical\", \"origin\": [0.5, 0.5, 0], \"axis\": [0, 0, 1]}, \"fibres\": [{\"angle\": 30, \"xi\": -5, \"alpha\": 2, \"beta\": 2.5}]}", .invalidValue, "materials.cartilage.solid.fibres[0].xi", ["-5"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}", "\"solid\": {\"type\": \"fibreReinforced\", \"matrix\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}, \"axes\": {\"type\": \"cylindrical\", \"origin\": [0.5, 0.5, 0], \"axis\": [0, 0, 1]}}", .missingKey, "materials.cartilage.solid.fibres", ["missing"]),
    BadInput(.biphasic, "\"solid\": {\"type\": \"neoHookean\", \"E\": 1, \"nu\": 0}", "\"solid\": {\"type\": \"fibreReinforced\", \"matrix\": {\"type\": \"biphasic\"}, \"axes\": {\"type\": \"cylindrical\", \"origin\": [0.5, 0.5, 0], \"axis\": [0, 0, 1]}, \"fibres\": [{\"angle\": 30, \"xi\": 5, \"alpha\": 2, \"beta\": 2.5}]}", .invalidValue, "materials.cartilage.solid.matrix", ["biphasic"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[[0, 0], [1, 1], [1, 2]]", .invalidValue, "curves.ramp[2][0]", ["1", "increase"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[[0, 0], [1, 1, 2]]", .invalidValue, "curves.ramp[1]", ["got 3"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[]", .invalidValue, "curves.ramp", ["no points"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[[0, 0], [1, \"a\"]]", .wrongType, "curves.ramp[1][1]", ["\"a\"", "number"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[[100, 0], [200, 1]]", .invalidValue, "curves.ramp", ["0 … 1 s", "100 … ∞ s"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[[-2, 1], [-1, 0]]", .invalidValue, "curves.ramp", ["0 … 1 s", "−∞ … -1 s"]),
    BadInput(.solid, "[[0, 0], [1, 1]]", "[[0, 0], [1000, 1]], \"late\": [[2, 0], [3, 1]]", .invalidValue, "curves.late", ["2 … ∞ s", "no condition uses it"]),
    BadInput(.solid, "\"curves\": {\"ramp\": [[0, 0], [1, 1]]}", "\"curves\": [[0, 0], [1, 1]]", .wrongType, "curves", ["an array", "object"]),
    BadInput(.solid, "\"boundary\": [", "\"boundary\": 5, \"extra\": [", .wrongType, "boundary", ["5", "array"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"fix\": [\"ux\", \"uy\", \"uz\"]}", .missingKey, "boundary[0]", ["surface", "nodeSet"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"nodeSet\": \"b\", \"fix\": [\"ux\"]}", .invalidValue, "boundary[0]", ["surface and nodeSet"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\"}", .missingKey, "boundary[0]", ["fix, prescribe"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\"], \"pressure\": 1}", .invalidValue, "boundary[0]", ["fix and pressure"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": []}", .invalidValue, "boundary[0].fix", ["non-empty"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uq\"]}", .invalidValue, "boundary[0].fix[1]", ["\"uq\"", "\"ux\""]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"prescribe\": {}}", .invalidValue, "boundary[1].prescribe", ["ux, uy, uz"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"prescribe\": {\"uw\": 1}}", .unknownKey, "boundary[1].prescribe.uw", ["ux, uy, uz"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"prescribe\": {\"uz\": \"-0.1\"}}", .wrongType, "boundary[1].prescribe.uz", ["\"-0.1\"", "number"]),
    BadInput(.solid, "\"curve\": \"ramp\"", "\"curve\": \"rampp\"", .unknownName, "boundary[1].curve", ["\"rampp\"", "ramp"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"], \"curve\": \"ramp\"}", .invalidValue, "boundary[0].curve", ["fix takes no curve"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}, {\"surface\": \"x-\", \"symmetry\": false}", .invalidValue, "boundary[1].symmetry", ["expected true"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}, {\"nodeSet\": \"tip\", \"pressure\": 1}", .invalidValue, "boundary[1].pressure", ["surface", "nodeSet"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}, {\"surface\": \"top\", \"nodalForce\": [0, 0, 1]}", .invalidValue, "boundary[1].nodalForce", ["node set"]),
    BadInput(.solid, "\"surface\": \"top\"", "\"surface\": \"topp\"", .unknownName, "boundary[1].surface", ["\"topp\"", "top"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}, {\"nodeSet\": \"tip\", \"nodalForce\": [0, 0, 1]}", .unknownName, "boundary[1].nodeSet", ["\"tip\"", "no node sets"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"name\": \"a\", \"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}, {\"name\": \"a\", \"surface\": \"x-\", \"fix\": [\"ux\"]}", .invalidValue, "boundary[1].name", ["\"a\"", "duplicate"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"rigid\": {\"moment\": [0, 1, 0]}}", .invalidValue, "boundary[1].rigid.moment", ["rotation"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"rigid\": {\"displacement\": [0, 0, 1], \"force\": [0, 0, 1]}}", .invalidValue, "boundary[1].rigid.force", ["not both"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"rigid\": {\"force\": [0, 0, 1], \"slide\": [\"ux\", \"uy\", \"uz\"]}}", .invalidValue, "boundary[1].rigid.slide", ["at least one"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"rigid\": {}}", .missingKey, "boundary[1].rigid", ["force", "displacement"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"rigid\": {\"force\": [0, 0, 1], \"rotation\": \"wobbly\"}}", .invalidValue, "boundary[1].rigid.rotation", ["\"wobbly\"", "\"free\""]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"fluidPressure\": 0}", .invalidValue, "boundary[1]", ["biphasic"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"fluidExchange\": {\"conductance\": 0}}", .invalidValue, "boundary[1].fluidExchange.conductance", ["0", "positive"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"traction\": [0, 1]}", .invalidValue, "boundary[1].traction", ["got 2"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"force\": [0, 0, \"x\"]}", .wrongType, "boundary[1].force[2]", ["\"x\""]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"pressure\": true}", .wrongType, "boundary[1].pressure", ["true", "number"]),
    BadInput(.solid, "{\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"pressure\": 1, \"colour\": \"red\"}", .unknownKey, "boundary[1].colour", ["name, surface"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]},", "", .unconstrained, "boundary", ["rigid body", "translation along x", "rotation about an axis along z"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]}", "{\"surface\": \"bottom\", \"fix\": [\"uz\"]}", .unconstrained, "boundary", ["rigid body", "translation along y"]),
    BadInput(.solid, "{\"surface\": \"bottom\", \"fix\": [\"ux\", \"uy\", \"uz\"]},\n    {\"surface\": \"top\", \"prescribe\": {\"uz\": -0.1}, \"curve\": \"ramp\"}", "{\"surface\": \"top\", \"pressure\": 0.1}", .unconstrained, "boundary", ["6 unrestrained motions"]),
    BadInput(.solid, "\"steps\": [{\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}]", "\"steps\": []", .invalidValue, "steps", ["at least one step"]),
    BadInput(.solid, "\"duration\": 1,", "\"duration\": 0,", .invalidValue, "steps[0].duration", ["0", "positive"]),
    BadInput(.solid, "\"duration\": 1,", "\"duration\": -1,", .invalidValue, "steps[0].duration", ["-1", "positive"]),
    BadInput(.solid, "\"dtMin\": 0.1", "\"dtMin\": 2", .invalidValue, "steps[0].dtMin", ["2", "dtMax"]),
    BadInput(.solid, "\"dtMin\": 0.1", "\"dt\": 5, \"dtMin\": 0.1", .invalidValue, "steps[0].dt", ["5", "[dtMin, dtMax]"]),
    BadInput(.solid, "\"dtMin\": 0.1, \"dtMax\": 1", "\"dtMin\": 1e-12, \"dtMax\": 1e-12", .invalidValue, "steps[0].dtMax", ["1000000000000", "1000000"]),
    BadInput(.solid, "\"duration\": 1,", "\"duration\": 1e300,", .invalidValue, "steps[0].dtMax", ["1e+300", "1000000"]),
    BadInput(.solid, "\"dtMax\": 1}", "\"dtMax\": 1, \"dtmin\": 0.1}", .unknownKey, "steps[0].dtmin", ["dtMin"]),
    BadInput(.solid, "\"steps\": [{", "\"steps\": [{\"name\": 5, ", .wrongType, "steps[0].name", ["5", "string"]),
    BadInput(.solid, "\"steps\": [{\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}]", "\"steps\": [{\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}, {\"freeSwelling\": {\"tolerance\": 1e-3, \"maxDuration\": 10}, \"dtMin\": 0.1, \"dtMax\": 1}]", .invalidValue, "steps[1].freeSwelling", ["first step"]),
    BadInput(.solid, "\"steps\": [{\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}]", "\"steps\": [{\"freeSwelling\": {\"tolerance\": 1e-3, \"maxDuration\": 10}, \"duration\": 5, \"dtMin\": 0.1, \"dtMax\": 1}, {\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}]", .invalidValue, "steps[0].duration", ["remove \"duration\""]),
    BadInput(.solid, "\"steps\": [{\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}]", "\"steps\": {\"duration\": 1, \"dtMin\": 0.1, \"dtMax\": 1}", .wrongType, "steps", ["an object", "array"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": [2]", .invalidValue, "outputs.times[0]", ["2.0", "1.0 s"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": [1, 0.5]", .invalidValue, "outputs.times[1]", ["0.5", "increasing"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": []", .invalidValue, "outputs.times", ["at least one"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": [-1]", .invalidValue, "outputs.times[0]", ["-1", "non-negative"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": {\"every\": 1e-9}", .invalidValue, "outputs.times.every", ["100000", "1e-05"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": {\"every\": 0}", .invalidValue, "outputs.times.every", ["0", "positive"]),
    BadInput(.solid, "\"times\": [1]", "\"times\": {\"each\": 1}", .missingKey, "outputs.times.every", ["missing"]),
    BadInput(.solid, "\"at\": [5, 5, 10]", "\"at\": [5, 5, 11]", .invalidValue, "outputs.probes[0].at", ["[5.0, 5.0, 11.0]", "outside the mesh"]),
    BadInput(.solid, "\"field\": \"uz\"", "\"field\": \"temperature\"", .invalidValue, "outputs.probes[0].field", ["\"temperature\"", "\"ux\""]),
    BadInput(.solid, "\"name\": \"p\"", "\"name\": \"\"", .invalidValue, "outputs.probes[0].name", ["empty"]),
    BadInput(.solid, "\"name\": \"p\"", "\"name\": \"a,b\\n=cmd()\"", .invalidValue, "outputs.probes[0].name", ["a,b"]),
    BadInput(.solid, "\"name\": \"p\"", "\"name\": \"../x\"", .invalidValue, "outputs.probes[0].name", ["../x"]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"regions\": [{\"name\": \"p\", \"region\": \"all\", \"quantity\": \"uz\"}]", .invalidValue, "outputs.regions[0].name", ["\"p\"", "duplicate"]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"surfaces\": [{\"name\": \"s\", \"surface\": \"lid\", \"quantity\": \"area\"}]", .unknownName, "outputs.surfaces[0].surface", ["\"lid\"", "top"]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"surfaces\": [{\"name\": \"s\", \"surface\": \"top\", \"quantity\": \"heat\"}]", .invalidValue, "outputs.surfaces[0].quantity", ["\"heat\"", "\"area\""]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"regions\": [{\"name\": \"r\", \"region\": \"all\", \"quantity\": \"mass\"}]", .invalidValue, "outputs.regions[0].quantity", ["\"mass\"", "\"volume\""]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"regions\": [{\"name\": \"r\", \"region\": \"disc\", \"quantity\": \"volume\"}]", .unknownName, "outputs.regions[0].region", ["\"disc\"", "all"]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"vtu\": \"yes\"", .wrongType, "outputs.vtu", ["\"yes\"", "true or false"]),
    BadInput(.solid, "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}]", "\"times\": [1], \"probes\": [{\"name\": \"p\", \"field\": \"uz\", \"at\": [5, 5, 10]}], \"plots\": true", .unknownKey, "outputs.plots", ["times, probes"]),
    BadInput(.solid, "\"at\": [5, 5, 10]", "\"at\": [5, 5]", .invalidValue, "outputs.probes[0].at", ["got 2"]),
    BadInput(.transport, "\"unit\": \"mM\"", "\"unit\": \"mg/L\"", .units, "transport.solutes.glucose.unit", ["\"mg/L\"", "\"mM\""]),
    BadInput(.transport, "\"D\": 9.3e-4", "\"D\": -1", .invalidValue, "transport.solutes.glucose.materials.all.diffusivity.D", ["-1", "mm²/s"]),
    BadInput(.transport, "\"solute\": \"glucose\", \"Vmax\"", "\"solute\": \"oxygen\", \"Vmax\"", .unknownName, "transport.reactions[0].solute", ["\"oxygen\"", "glucose"]),
    BadInput(.transport, "\"timeStep\": 0.5", "\"timeStep\": 0", .invalidValue, "transport.timeStep", ["0", "positive"]),
    BadInput(.transport, "\"timeStep\": 0.5", "\"timeStep\": 1e-7", .invalidValue, "transport.timeStep", ["10000000 increments", "1000000"]),
    BadInput(.transport, "\"Km\": 0.5", "\"Km\": 0", .invalidValue, "transport.reactions[0].Km", ["0", "mM"]),
    BadInput(.transport, "\"concentration\": 4", "\"concentration\": -4", .invalidValue, "transport.boundary[0].concentration", ["-4", "non-negative"]),
    // Unknown names in the biphasic and transport engines list what the mesh has, or say it has none.
    BadInput(.biphasic, "{\"surface\": \"bottom\", \"fix\": [\"uz\"]},", "{\"surface\": \"bottom\", \"fix\": [\"uz\"]}, {\"nodeSet\": \"tip\", \"fix\": [\"ux\"]},", .unknownName, "boundary[5].nodeSet", ["\"tip\"", "the mesh has no node sets"]),
    BadInput(.biphasic, "\"probes\": [{\"name\": \"topUz\", \"field\": \"uz\", \"at\": [0.5, 0.5, 1]}]", "\"probes\": [{\"name\": \"topUz\", \"field\": \"uz\", \"at\": [0.5, 0.5, 1]}], \"regions\": [{\"name\": \"r\", \"region\": \"disc\", \"quantity\": \"volume\"}]", .unknownName, "outputs.regions[0].region", ["\"disc\"", "the mesh has: all"]),
    BadInput(.biphasic, "\"probes\": [{\"name\": \"topUz\", \"field\": \"uz\", \"at\": [0.5, 0.5, 1]}]", "\"probes\": [{\"name\": \"topUz\", \"field\": \"uz\", \"at\": [0.5, 0.5, 1]}], \"surfaces\": [{\"name\": \"s\", \"surface\": \"lid\", \"quantity\": \"reactionForce\"}]", .unknownName, "outputs.surfaces[0].surface", ["\"lid\"", "the mesh has: ", "top"]),
    BadInput(.transport, "\"materials\": {\"all\": {\"diffusivity\"", "\"materials\": {\"disc\": {\"diffusivity\"", .unknownName, "transport.solutes.glucose.materials.disc", ["\"disc\"", "the mesh has: all"]),
    BadInput(.transport, "[{\"region\": \"all\", \"type\": \"michaelisMenten\"", "[{\"region\": \"disc\", \"type\": \"michaelisMenten\"", .unknownName, "transport.reactions[0].region", ["\"disc\"", "the mesh has: all"]),
    BadInput(.transport, "\"surface\": \"x-\", \"concentration\"", "\"surface\": \"lid\", \"concentration\"", .unknownName, "transport.boundary[0].surface", ["\"lid\"", "the mesh has: ", "x-"]),
]

@Suite("Bad-input suite: every case names its field and value")
struct ModelBadInputSuiteTests {
    @Test func basesAreValid() throws {
        for text in [validModel, badInputBiphasicModel, badInputTransportModel] {
            #expect(modelError(text) == nil)
        }
        #expect(badInputs.count >= 100)
    }

    @Test(arguments: badInputs)
    func refused(_ c: BadInput) throws {
        let error: ModelError
        do {
            _ = try Simulation(model: try Model.parse(Data(c.text.utf8)))
            Issue.record("accepted: \(c.new)")
            return
        } catch let e as ModelError { error = e }
        #expect(error.kind == c.kind, "\(error)")
        #expect(error.path == c.path, "\(error)")
        // The rendered message names the place and every expected fragment (the value, what was expected).
        #expect(error.description.hasPrefix(c.path.isEmpty ? "" : "\(c.path): "))
        for m in c.mentions { #expect(error.description.contains(m), "\(error) does not mention \(m)") }
    }

    /// Byte-level cases: encodings, empty and truncated text, nesting, escapes, numbers. Each is a
    /// `.syntax` error at `line L, column C` whose message says what is wrong (and, for
    /// encodings, to save the file as UTF-8 without BOM).
    static let byteCases: [(name: String, data: Data, path: String, mentions: [String])] = {
        let text = validModel
        var utf16le = Data([0xFF, 0xFE]); utf16le.append(text.data(using: .utf16LittleEndian)!)
        var utf16be = Data([0xFE, 0xFF]); utf16be.append(text.data(using: .utf16BigEndian)!)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        func edit(_ old: String, _ new: String) -> Data { Data(text.replacingOccurrences(of: old, with: new).utf8) }
        return [
            ("UTF-8 BOM", Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8), "line 1, column 1", ["byte-order mark", "UTF-8 without BOM"]),
            ("UTF-16 LE", utf16le, "line 1, column 1", ["UTF-16", "UTF-8 without BOM"]),
            ("UTF-16 BE", utf16be, "line 1, column 1", ["UTF-16", "UTF-8 without BOM"]),
            ("UTF-16 LE without BOM", text.data(using: .utf16LittleEndian)!, "line 1, column 1", ["UTF-16", "UTF-8 without BOM"]),
            ("empty", Data(), "line 1, column 1", ["end of file"]),
            ("truncated", Data(text.utf8.prefix(40)), "line 3", ["unterminated string"]),
            ("deep nesting", Data(("{\"units\": " + deep + "}").utf8), "line 1", ["nesting deeper than 64"]),
            ("trailing comma", edit("\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\",,"), "line 4, column 31", []),
            ("comment", edit("\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\", // linear"), "line 4", []),
            ("duplicate key", edit("\"kinematics\": \"smallStrain\",", "\"kinematics\": \"smallStrain\", \"kinematics\": \"finiteStrain\","), "line 4", ["duplicate", "kinematics"]),
            ("lone surrogate", edit("\"units\": \"mm-N-s-MPa\",", "\"units\": \"mm-N-s-MPa\", \"description\": \"\\ud800\","), "line 2", ["surrogate"]),
            ("NaN literal", edit("\"E\": 100", "\"E\": NaN"), "line 6", []),
            ("number out of range", edit("\"E\": 100", "\"E\": 1e400"), "line 6", []),
            ("invalid UTF-8", Data(text.utf8.prefix(30)) + Data([0xC3, 0x28]) + Data(text.utf8.dropFirst(32)), "line 3", ["UTF-8"]),
        ]
    }()

    @Test func byteLevelCasesNameLineAndColumn() {
        for c in Self.byteCases {
            do {
                _ = try Model.parse(c.data)
                Issue.record("\(c.name): accepted")
            } catch let e as ModelError {
                #expect(e.kind == .syntax, "\(c.name): \(e)")
                #expect(e.path.hasPrefix(c.path), "\(c.name): \(e)")
                for m in c.mentions { #expect(e.message.contains(m), "\(c.name): \(e) does not mention \(m)") }
            } catch {
                Issue.record("\(c.name): \(error)")
            }
        }
        // A valid surrogate pair (U+1F600) in a string is accepted and decoded.
        let emoji = validModel.replacingOccurrences(of: "\"units\": \"mm-N-s-MPa\",", with: "\"units\": \"mm-N-s-MPa\", \"description\": \"\\ud83d\\ude00\",")
        #expect((try? Model.parse(Data(emoji.utf8)))?.notes == "\u{1F600}")
    }
}
