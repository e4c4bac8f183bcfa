import Foundation

/// The default disc model (`Examples/models/default-disc.json`), embedded so the
/// main job runs without files: an L4-L5-sized biphasic disc (nucleus + annulus with
/// ±30° fibres in alternating lamellae, Donnan swelling) between rigid endplates,
/// swollen freely to equilibrium, preloaded to lying, then pulled in intermittent
/// traction. See the `description` inside for the materials and their sources.
/// A test keeps this copy identical to the file.
///
/// Chosen values (each argued in the `description`):
/// - free swelling first (no load, bath p = 0), tolerance 1e-3 on `max |p − p_bath| / Δπ(J = 1)`;
/// - lying preload 17 N (compressive): the nucleus transducer pressure at the end of the
///   60 s preload step is then 0.10 MPa, Wilke et al. 1999 (lying prone 0.10 MPa);
/// - traction 110 N: the axial force reaching the bare disc (no ligaments, facets or
///   muscles in the model), not the table force — a 300 N table pull (44 % of 70 kg body
///   weight) minus non-split-table friction of the lower body (0.5 × 42.5 % BW = 146 N)
///   times the disc's stiffness share against the spinal ligaments in parallel (324/(324 + 137.5)
///   = 0.70; ligament EA/L from BMC Musculoskelet Disord 2010;11:151, LITERATURE.md).
///   With it the minimum nucleus pressure is ≈ −0.02 MPa (≈ −150 mmHg), against Ramos &
///   Martin 1994's "below −100 mmHg (−0.013 MPa)" (secondary sources −100 to −150 mmHg);
///   applying the full 300 N to the bare disc gave ≈ −0.15 MPa, an order of magnitude
///   below the measurement, because the table force is not the disc force.
public enum DefaultDiscModel {
    /// The model file's text (JSON, units mm-N-s-MPa).
    public static let json = #"""
{
  "units": "mm-N-s-MPa",
  "description": "Default L4-L5 disc under intermittent traction (biphasic, Donnan swelling, finite strain). Elliptic cylinder 50 x 34 x 10 mm (semi-axes 25, 17), nucleus = inner 55% of the semi-axes, between rigid endplates: lower fixed, upper rigid and force-driven. Step 1, free swelling: no external load (upper endplate free), blood/bath at p = 0 through the exchange surfaces, until max |p - p_bath| <= 1e-3 x Delta pi(J = 1) (the fluid pressure equals the bath pressure everywhere: drained Donnan equilibrium); it takes no model time, t = 0 is the swollen disc. Step 2, lying preload: 17 N over 10 s, held to 60 s; 17 N is chosen so the nucleus transducer pressure at 60 s is 0.10 MPa (Wilke et al. 1999, lying prone 0.10 MPa). Step 3, 3 traction cycles (10 s ramp, 60 s hold, 10 s release, 30 s rest) of 110 N added to the preload. 110 N is the axial force reaching the disc, not the table force (the disc is bare: no ligaments, facets or muscles): a 300 N table pull (44% of a 70 kg body weight; 40-50% BW guidance, LITERATURE.md) minus the lower-body friction of a non-split table (0.5 x 42.5% BW = 146 N, LITERATURE.md) leaves 154 N through the lumbar spine, shared between the disc and the spinal ligaments in parallel by stiffness: k_disc/(k_disc + k_lig) = 324/(324 + 137.5) = 0.70, with k_lig = sum of EA/L of ALL, PLL, LF, ISL, SSL and both ITL (BMC Musculoskelet Disord 2010;11:151 small-strain E, area, length; capsular ligaments, facets and muscle tone not counted) and k_disc = this model's undrained tensile stiffness (0.93 mm under a 300 N pull); 154 x 0.70 = 108 N, rounded to 110 N. Endplates and annulus periphery exchange fluid with blood/bath (p_ext = 0) through a semi-permeable layer, conductance L = k/t = 7e-3 mm^4/(N s) / 0.6 mm = 0.012 mm/(MPa s) (cartilage endplate k0 = 7e-15 m^4/Ns, LITERATURE.md; the same L is assumed at the periphery). Materials (LITERATURE.md): nucleus matrix H_A ~ 0.31 MPa (Perie 2005); annulus matrix H_A ~ 0.67 MPa with tension-only fibres at +30 deg and -30 deg in alternating lamellae (2 lamellae = the 2 annulus element rings, inner +30, outer -30; xi = 20 MPa per lamella = the former homogenized pair 2 x 10 MPa, same fibre content); permeability exponential in void ratio (Argoubi & Shirazi-Adl 1996: k0 = 3e-16 m^4/Ns = 3e-4 mm^4/(N s), M = 12; nucleus e0 = 4 -> phi0 = 0.2, annulus e0 = 2.33 -> phi0 = 0.3); fixed charge -150 mEq/L nucleus (chosen for ~0.1 MPa lying pressure; literature 200-300) and -80 mEq/L annulus (assumed), bath 150 mM, 310 K.",
  "mesh": {"generate": {"ellipticCylinder": {"a": 25, "b": 17, "height": 10, "inner": {"name": "nucleus", "fraction": 0.55},
                                              "divisions": {"radial": 2, "around": 16, "height": 6}, "element": "hex20"}}},
  "kinematics": "finiteStrain",
  "regions": {"nucleus": "np", "annulus": "af"},
  "materials": {
    "np": {"type": "biphasic", "phi0": 0.2,
           "solid": {"type": "neoHookean", "E": 0.3, "nu": 0.1},
           "permeability": {"type": "exponentialVoidRatio", "k0": 3e-4, "M": 12},
           "osmotic": {"cF0": -150, "bath": 150, "T": 310}},
    "af": {"type": "biphasic", "phi0": 0.3,
           "solid": {"type": "fibreReinforced", "matrix": {"type": "neoHookean", "E": 0.6, "nu": 0.2},
                     "axes": {"type": "cylindrical", "origin": [0, 0, 0], "axis": [0, 0, 1]},
                     "lamellae": {"count": 2, "angles": [30, -30], "xi": 20, "alpha": 0, "beta": 2}},
           "permeability": {"type": "exponentialVoidRatio", "k0": 3e-4, "M": 12},
           "osmotic": {"cF0": -80, "bath": 150, "T": 310}}
  },
  "curves": {
    "preload": [[0, 0], [10, 1]],
    "traction": [[0, 0], [60, 0], [70, 1], [130, 1], [140, 0], [170, 0], [180, 1], [240, 1], [250, 0], [280, 0], [290, 1], [350, 1], [360, 0], [390, 0]]
  },
  "boundary": [
    {"surface": "bottom", "fix": ["ux", "uy", "uz"]},
    {"name": "preload", "surface": "top", "rigid": {"force": [0, 0, -17]}, "curve": "preload"},
    {"name": "traction", "surface": "top", "rigid": {"force": [0, 0, 110]}, "curve": "traction"},
    {"surface": "top", "fluidExchange": {"conductance": 0.012, "pressure": 0}},
    {"surface": "bottom", "fluidExchange": {"conductance": 0.012, "pressure": 0}},
    {"surface": "outer", "fluidExchange": {"conductance": 0.012, "pressure": 0}}
  ],
  "steps": [{"name": "free swelling", "freeSwelling": {"tolerance": 1e-3, "maxDuration": 1e8}, "dt": 1e5, "dtMin": 1, "dtMax": 1e8},
            {"name": "preload", "duration": 60, "dt": 1, "dtMin": 0.01, "dtMax": 10},
            {"name": "traction", "duration": 330, "dt": 1, "dtMin": 0.01, "dtMax": 10}],
  "outputs": {
    "times": {"every": 10},
    "probes": [{"name": "nucleusPressure", "field": "pressure", "at": [0, 0, 5]},
               {"name": "nucleusFluidPressure", "field": "p", "at": [0, 0, 5]},
               {"name": "discHeightChange", "field": "uz", "at": [0, 0, 10]}],
    "surfaces": [{"name": "imbibedEndplates", "surface": "top", "quantity": "fluidVolume"},
                 {"name": "imbibedLowerEndplate", "surface": "bottom", "quantity": "fluidVolume"},
                 {"name": "imbibedPeriphery", "surface": "outer", "quantity": "fluidVolume"}],
    "regions": [{"name": "nucleusVolumeChange", "region": "nucleus", "quantity": "volumeChange"},
                {"name": "discVolumeChange", "region": "all", "quantity": "volumeChange"}]
  }
}
"""#

    /// Mesh resolutions of the disc (hex20 cells; radial rings per region × cells around × layers).
    public enum MeshLevel: String, Sendable, CaseIterable {
        /// 1 ring per region × 8 around × 2 layers: seconds per protocol, for scripts and tests.
        case coarse
        /// 2 × 16 × 6, the published numbers' mesh (the model file's).
        case standard
    }

    /// The default disc at the given mesh level.
    /// - Throws: ``ModelError`` (never for the embedded text; a test parses it).
    public static func model(mesh level: MeshLevel = .standard) throws -> Model {
        var model = try Model.parse(Data(json.utf8))
        model.pathStyle = .swift
        if level == .coarse {
            model.mesh = .cylinder(a: 25, b: 17, height: 10, innerName: "nucleus", innerFraction: 0.55, radial: 1, around: 8, axial: 2, element: .hex20)
        }
        return model
    }
}
