import Foundation
import Biomechanics
import FiniteElements

/// A problem described by a model file (JSON, see `Schemas/model.schema.json`
/// and the SpineModel documentation): mesh, materials per region, load
/// curves, boundary conditions and loads, steps and outputs.
///
/// Parsing checks everything that can be checked without the mesh (types,
/// ranges, known keys, curve and material names); names of regions and
/// surfaces are checked against the mesh when a ``Simulation`` is built.
/// Every error is a ``ModelError`` naming the JSON path.
///
/// ```swift
/// let model = try Model.load(path: "Examples/models/lame-cylinder.json")
/// let results = try Simulation(model: model).run()
/// ```
public struct Model: Sendable, Equatable {
    /// The only unit system read: mm, N, s, MPa.
    public static let units = "mm-N-s-MPa"

    /// Free text describing the model (the file's `description`).
    public var notes: String?
    /// Where the mesh comes from.
    public var mesh: MeshSource
    /// Small-strain (linear) or finite-strain (total Lagrangian) kinematics.
    public var kinematics: Kinematics
    /// Plane strain in the x–z plane: `u_y = 0` at every node (the mesh is a slice across y,
    /// typically one cell thick). The file's `"planeStrain": true`.
    public var planeStrain = false
    /// Region name → material name, in order (a later entry overrides an earlier one for a cell in both).
    public var regions: [(region: String, material: String)]
    /// Materials by name.
    public var materials: [String: MaterialDefinition]
    /// Load curves by name (times in s, dimensionless values).
    public var curves: [String: LoadCurve]
    /// Boundary conditions and loads, in order.
    public var boundary: [BoundaryCondition]
    /// Steps, run one after the other (each starts where the previous ended).
    public var steps: [StepDefinition]
    /// What to record and when.
    public var outputs: OutputDefinition
    /// Directory relative to which file paths (a Gmsh mesh) are resolved.
    public var baseDirectory: URL
    /// The optional solute-transport block (`transport`), nil when absent.
    public var transport: TransportDefinition? = nil
    /// The traction protocol that generated the traction and preload curves, forces, loading steps
    /// and output times (set by ``apply(_:bodyMassKg:traction:preload:)``; the file's `"protocol"`),
    /// nil when the model is driven by its own curves. ``validate()`` refuses a model whose
    /// generated values were edited without the protocol.
    public var tractionProtocol: TractionProtocol? = nil
    /// Body mass (kg) resolving the protocol's body-weight fractions (the file's `"bodyMassKg"`).
    public var bodyMassKg: Double? = nil
    /// The nonlinear iteration of a biphasic model's steps: full Newton (default) or quasi-Newton
    /// (BFGS on a kept factorization, fewer tangent assemblies and factorizations; see
    /// ``FiniteElements/NewtonMethod``). The file's `"newton"`.
    public var newtonMethod: NewtonMethod = .fullNewton
    /// Error-controlled time steps (``FiniteElements/ErrorControlOptions``: a relative tolerance on
    /// each step's estimated local truncation error) for the biphasic steps and the transport's
    /// adaptive increments; nil (default) adapts the steps from Newton's effort. The file's `"timeControl"`.
    public var errorControl: ErrorControlOptions? = nil
    /// The optional motion segment around the disc (`motionSegment`: rigid vertebrae, ligaments,
    /// facets, follower and gravity loads), nil when absent. Biphasic models only.
    public var motionSegment: MotionSegmentDefinition? = nil
    /// How errors found later name places in this model: JSON paths for a model read from a
    /// file, Swift property paths for one built in code. Not part of equality.
    public var pathStyle: ModelPath.Style = .swift

    /// A model built in code. Check it with ``validate()`` (a ``Simulation`` does).
    /// - Parameters:
    ///   - baseDirectory: where relative file paths in the model (a Gmsh mesh) are resolved
    ///     (default: the current directory).
    public init(mesh: MeshSource, kinematics: Kinematics, regions: [(region: String, material: String)],
                materials: [String: MaterialDefinition], curves: [String: LoadCurve] = [:],
                boundary: [BoundaryCondition], steps: [StepDefinition], outputs: OutputDefinition,
                transport: TransportDefinition? = nil, notes: String? = nil,
                baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        self.mesh = mesh; self.kinematics = kinematics; self.regions = regions; self.materials = materials
        self.curves = curves; self.boundary = boundary; self.steps = steps; self.outputs = outputs
        self.transport = transport; self.notes = notes; self.baseDirectory = baseDirectory
    }

    /// Equal models describe the same problem: every value equal (the base directory and the
    /// path style are not compared).
    public static func == (a: Model, b: Model) -> Bool {
        a.notes == b.notes && a.mesh == b.mesh && a.kinematics == b.kinematics && a.planeStrain == b.planeStrain
            && a.regions.map(\.region) == b.regions.map(\.region) && a.regions.map(\.material) == b.regions.map(\.material)
            && a.materials == b.materials && a.curves == b.curves && a.boundary == b.boundary && a.steps == b.steps
            && a.outputs == b.outputs && a.transport == b.transport && a.tractionProtocol == b.tractionProtocol && a.bodyMassKg == b.bodyMassKg
            && a.motionSegment == b.motionSegment && a.newtonMethod == b.newtonMethod && a.errorControl == b.errorControl
    }

    /// A transport-only (diffusion–reaction) model: solutes on the mesh's regions with no solid —
    /// no materials, regions, conditions or mechanical outputs; the tissue is at rest (reference
    /// porosity, no fluid flow). Steps are ``StepDefinition/transport(name:duration:timeStep:steady:)``.
    /// The model file omits `kinematics`, `regions`, `materials` and `boundary`.
    public static func transportOnly(mesh: MeshSource, transport: TransportDefinition, steps: [StepDefinition], outputs: OutputDefinition,
                                     notes: String? = nil,
                                     baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> Model {
        Model(mesh: mesh, kinematics: .smallStrain, regions: [], materials: [:], boundary: [], steps: steps, outputs: outputs,
              transport: transport, notes: notes, baseDirectory: baseDirectory)
    }

    /// True for a transport-only model: a transport block and no materials.
    public var isTransportOnly: Bool { transport != nil && materials.isEmpty }

    /// The root path in this model's style.
    public var rootPath: ModelPath { ModelPath(style: pathStyle) }

    /// Reads and parses a model file.
    /// - Throws: ``ModelError`` (`.file` when unreadable, otherwise naming the JSON path).
    public static func load(path: String) throws -> Model {
        let url = URL(fileURLWithPath: path)
        let data = try readFile(path: path)
        return try parse(data, baseDirectory: url.deletingLastPathComponent())
    }

    /// Reads and parses a model file (the same as ``load(path:)``).
    /// - Throws: ``ModelError``.
    public init(contentsOf url: URL) throws { self = try Model.load(path: url.path) }

    /// Parses a model from JSON text.
    /// - Parameter baseDirectory: where relative file paths in the model are resolved.
    public static func parse(_ data: Data, baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> Model {
        var model = try ModelParser(baseDirectory: baseDirectory).parse(JSONValue.parse(data))
        model.pathStyle = .json
        return model
    }
}

/// Kinematics of the solid.
public enum Kinematics: String, Sendable, CaseIterable {
    /// Linearized strain; one linear solve per step for linear materials.
    case smallStrain
    /// Total Lagrangian finite strain (Green–Lagrange strain, 2nd Piola–Kirchhoff stress).
    case finiteStrain
}

/// Where the mesh comes from.
public enum MeshSource: Sendable, Equatable {
    /// An axis-aligned box from `origin` (mm) with edge lengths `size` (mm).
    case box(origin: SIMD3<Double>, size: SIMD3<Double>, divisions: SIMD3<Int>, element: CellType)
    /// An elliptic cylinder with semi-axes `a` (x) and `b` (y) (mm), `height` (mm, along z from z = 0),
    /// optionally an inner region named `innerName` whose semi-axes are `innerFraction` of the outer ones.
    /// A circular cylinder has `a == b`. Regions `<innerName>` and `annulus` (or only `annulus`), plus `all`.
    ///
    /// With `vertebrae`, two vertebral bodies of bone are bonded under (`z ∈ [−height, 0]`) and
    /// over (`z ∈ [h, h + height]`) the cylinder, on its cross-section and node for node
    /// (``VertebralBodies``); the cylinder's own regions and surfaces keep their names.
    case cylinder(a: Double, b: Double, height: Double, innerName: String?, innerFraction: Double,
                  radial: Int, around: Int, axial: Int, element: CellType, vertebrae: VertebralBodies? = nil)
    /// A thick-walled tube sector `innerRadius ≤ r ≤ outerRadius`, `0 ≤ θ ≤ angle`
    /// (degrees, ≤ 180), `0 ≤ z ≤ height` (mm). Region `all`; surfaces `inner`,
    /// `outer`, `bottom`, `top`, `start` (θ = 0, the plane y = 0) and `end` (θ = angle).
    case tube(innerRadius: Double, outerRadius: Double, height: Double, angle: Double,
              radial: Int, around: Int, axial: Int, element: CellType)
    /// A Gmsh `.msh` 4.1 ASCII file.
    case gmsh(path: String)
}

/// Deformable vertebral bodies on a generated cylinder (``MeshSource/cylinder(a:b:height:innerName:innerFraction:radial:around:axial:element:vertebrae:)``):
/// the part of each vertebral body between the disc's endplate and the section where the
/// vertebra's rigid part (posterior elements, ligament insertions, loads) begins. Each is an
/// elliptic cylinder on the disc's cross-section and lattice (same rings and cells around), so it
/// shares the disc's endplate nodes.
///
/// Regions: `lowerVertebra` and `upperVertebra` (every ring but the outermost: the cancellous
/// core), `lowerVertebraShell` and `upperVertebraShell` (the outermost ring, where a cortical
/// shell is smeared), `disc` (the cylinder's own cells); `all` holds every cell. Surfaces:
/// `lowerVertebraEnd` (`z = −height`) and `upperVertebraEnd` (`z = h + height`); the cylinder's
/// `top`, `bottom` (now the endplate interfaces) and `outer` are unchanged.
public struct VertebralBodies: Sendable, Equatable {
    /// Height of each vertebral body part (mm, > 0).
    public var height: Double
    /// Cell layers through that height (≥ 1).
    public var layers: Int
    /// Vertebral bodies `height` (mm) tall with `layers` cell layers.
    public init(height: Double, layers: Int) { self.height = height; self.layers = layers }
}

/// One entry of the `boundary` list: where (`target`) and what (`kind`).
public struct BoundaryCondition: Sendable, Equatable {
    /// What the condition acts on.
    public enum Target: Sendable, Equatable {
        /// A named surface (face set).
        case surface(String)
        /// A named node set.
        case nodeSet(String)
    }
    /// What the condition does.
    public enum Kind: Sendable, Equatable {
        /// Fix the listed displacement components (0 = x, 1 = y, 2 = z) to zero.
        case fix([Int])
        /// Prescribe displacement components (mm): `value × curve(t)` each.
        case prescribe([(component: Int, value: Double)], curve: String?)
        /// Symmetry plane: the surface must be planar and normal to a coordinate
        /// axis; the normal displacement component is fixed.
        case symmetry
        /// Pressure (MPa) on the reference surface, positive pushing into the body.
        case pressure(Double, curve: String?)
        /// Traction vector (MPa) on the reference surface.
        case traction(SIMD3<Double>, curve: String?)
        /// Total force (N) spread uniformly (per unit reference area) over a surface.
        case force(SIMD3<Double>, curve: String?)
        /// Force (N) on each node of a node set.
        case nodalForce(SIMD3<Double>, curve: String?)
        /// The surface moves rigidly with a reference point: either loads (force N,
        /// moment N·mm) or a displacement (mm, rotation locked) drive it.
        case rigid(RigidDrive, curve: String?)
        /// Drained surface: prescribed fluid pressure (MPa; 0 = free draining to a bath). Biphasic models only.
        case fluidPressure(Double, curve: String?)
        /// Prescribed fluid inflow through a surface (mm/s, volume per area per time; positive into the body). Biphasic models only.
        case fluidFlux(Double, curve: String?)
        /// Semi-permeable surface: outflow `L (p − p_ext)`, conductance `L` (mm/(MPa·s)),
        /// external pressure `p_ext` (MPa, × curve). Biphasic models only.
        case fluidExchange(conductance: Double, pressure: Double, curve: String?)

        /// Equal kinds with numerically equal values (−0 equals 0, as the model file writes both as `0`).
        public static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case let (.fix(x), .fix(y)): return x == y
            case let (.prescribe(x, c), .prescribe(y, d)):
                return c == d && x.count == y.count && zip(x, y).allSatisfy { $0.component == $1.component && $0.value == $1.value }
            case (.symmetry, .symmetry): return true
            case let (.pressure(x, c), .pressure(y, d)), let (.fluidPressure(x, c), .fluidPressure(y, d)),
                 let (.fluidFlux(x, c), .fluidFlux(y, d)):
                return x == y && c == d
            case let (.traction(x, c), .traction(y, d)), let (.force(x, c), .force(y, d)), let (.nodalForce(x, c), .nodalForce(y, d)):
                return x == y && c == d
            case let (.rigid(x, c), .rigid(y, d)): return x == y && c == d
            case let (.fluidExchange(k, p, c), .fluidExchange(l, q, d)): return k == l && p == q && c == d
            default: return false
            }
        }
    }
    /// How a rigid surface is driven.
    public enum RigidDrive: Sendable, Equatable {
        /// Total force (N) and moment (N·mm, about `reference`, default the surface's
        /// area centroid, mm) on the rigid surface; `rotationFree` lets it tilt (small rotations);
        /// `slide` lists the components (0 = x, 1 = y, 2 = z) the surface may move in freely,
        /// node by node — a frictionless platen (biphasic models only; empty: a bonded surface).
        case loads(force: SIMD3<Double>, moment: SIMD3<Double>, rotationFree: Bool, reference: SIMD3<Double>?, slide: [Int])
        /// Displacement (mm) of the rigid surface.
        case displacement(SIMD3<Double>)
    }
    /// A name a script can find the condition by (`"traction"`); nil: unnamed. Names are unique.
    public var name: String?
    /// Where it acts.
    public var target: Target
    /// What it does.
    public var kind: Kind
    /// Path of this entry (`boundary[3]`), for errors found later; set from its position when a
    /// ``Simulation`` is built. Not part of equality.
    public var path: String = ""

    /// A condition.
    public init(name: String? = nil, target: Target, kind: Kind) {
        self.name = name; self.target = target; self.kind = kind
    }

    public static func == (a: BoundaryCondition, b: BoundaryCondition) -> Bool {
        a.name == b.name && a.target == b.target && a.kind == b.kind
    }

    /// The force (N) of a `force`, `nodalForce` or force-driven `rigid` condition; nil for other
    /// kinds. Setting it changes only the force (setting nil, or on another kind, does nothing).
    ///
    /// ```swift
    /// model.boundary[named: "traction"]!.force = SIMD3(0, 0, 300)   // N
    /// ```
    public var force: SIMD3<Double>? {
        get {
            switch kind {
            case let .force(f, _), let .nodalForce(f, _), let .rigid(.loads(f, _, _, _, _), _): return f
            default: return nil
            }
        }
        set {
            guard let f = newValue else { return }
            switch kind {
            case let .force(_, c): kind = .force(f, curve: c)
            case let .nodalForce(_, c): kind = .nodalForce(f, curve: c)
            case let .rigid(.loads(_, m, free, reference, slide), c): kind = .rigid(.loads(force: f, moment: m, rotationFree: free, reference: reference, slide: slide), curve: c)
            default: break
            }
        }
    }

    /// The scalar value of a `pressure` (MPa), `fluidPressure` (MPa) or `fluidFlux` (mm/s)
    /// condition; nil for other kinds. Setting it changes only the value.
    public var magnitude: Double? {
        get {
            switch kind {
            case let .pressure(v, _), let .fluidPressure(v, _), let .fluidFlux(v, _): return v
            default: return nil
            }
        }
        set {
            guard let v = newValue else { return }
            switch kind {
            case let .pressure(_, c): kind = .pressure(v, curve: c)
            case let .fluidPressure(_, c): kind = .fluidPressure(v, curve: c)
            case let .fluidFlux(_, c): kind = .fluidFlux(v, curve: c)
            default: break
            }
        }
    }

    /// The load curve this condition follows, if any (nil: constant 1).
    public var curve: String? {
        switch kind {
        case .fix, .symmetry: return nil
        case let .prescribe(_, c), let .pressure(_, c), let .traction(_, c), let .force(_, c), let .nodalForce(_, c),
             let .rigid(_, c), let .fluidPressure(_, c), let .fluidFlux(_, c), let .fluidExchange(_, _, c): return c
        }
    }
}

/// One step of the analysis. Times in s.
public struct StepDefinition: Sendable, Equatable {
    /// Name (for reports).
    public var name: String
    /// Length of the step (s).
    public var duration: Double
    /// First time increment (s).
    public var initialStep: Double
    /// Smallest allowed increment (s).
    public var minStep: Double
    /// Largest allowed increment (s).
    public var maxStep: Double
    /// A free-swelling step (biphasic models, first step only): swell with no external load
    /// to Donnan equilibrium before loading; it takes no model time (``duration`` is 0).
    public var freeSwelling: FreeSwellingDefinition? = nil
    /// A steady step (transport-only models and the transport of solid models): the solutes take
    /// the steady state of the step's conditions at its start and keep it through the step (output
    /// times inside it record that state). The file's `"steady": true`.
    public var steady = false
    /// The transport's time increments in this step (transport-only models and the transport of
    /// solid models); nil: the transport block's fixed ``TransportDefinition/timeStep``. The
    /// file's step key `"transport": {"dt": …, "dtMin": …, "dtMax": …}`. Biphasic models step the
    /// solutes with the mechanics and refuse it.
    public var transportTimeStep: TransportTimeControl? = nil

    /// A loading step of `duration` s with adaptive time increments in [`minStep`, `maxStep`] s,
    /// starting at `initialStep` s (default: `maxStep`).
    public init(name: String, duration: Double, initialStep: Double? = nil, minStep: Double, maxStep: Double) {
        self.name = name; self.duration = duration; self.initialStep = initialStep ?? maxStep
        self.minStep = minStep; self.maxStep = maxStep
    }

    /// A step of a transport-only model (``Model/transportOnly(mesh:transport:steps:outputs:notes:baseDirectory:)``):
    /// `duration` s with the transport's increments `timeStep` (nil: the transport block's
    /// ``TransportDefinition/timeStep``), or the steady state throughout when `steady`. A
    /// transport-only model has no mechanical increments: ``initialStep``, ``minStep`` and
    /// ``maxStep`` are set to `duration` and must stay so.
    public static func transport(name: String, duration: Double, timeStep: TransportTimeControl? = nil, steady: Bool = false) -> StepDefinition {
        var s = StepDefinition(name: name, duration: duration, minStep: duration, maxStep: duration)
        s.transportTimeStep = timeStep
        s.steady = steady
        return s
    }

    /// A free-swelling step (first step of a biphasic model; takes no model time).
    /// - Parameters:
    ///   - tolerance: equilibrium tolerance on `max |p − p_bath| / Δπ_ref` (dimensionless, in (0, 1)).
    ///   - maxDuration: pseudo-time cap (s).
    ///   - initialStep, minStep, maxStep: pseudo-time increments (s).
    public static func freeSwelling(name: String = "free swelling", tolerance: Double, maxDuration: Double,
                                    initialStep: Double? = nil, minStep: Double, maxStep: Double) -> StepDefinition {
        var s = StepDefinition(name: name, duration: 0, initialStep: initialStep, minStep: minStep, maxStep: maxStep)
        s.freeSwelling = FreeSwellingDefinition(tolerance: tolerance, maxDuration: maxDuration)
        return s
    }
}

/// The transport's time increments in a step (s): backward-Euler increments starting at
/// ``initial``, halved when Newton fails (down to ``minimum``) and doubled after an increment
/// that converged in at most three Newton iterations (up to ``maximum``); every output time and
/// step end is landed on exactly. With ``minimum`` = ``maximum`` = ``initial`` the increment is fixed.
/// The model file's step key `"transport": {"dt": 60}` (fixed) or `{"dt": 60, "dtMin": 1, "dtMax": 600}`.
public struct TransportTimeControl: Sendable, Equatable {
    /// First increment (s).
    public var initial: Double
    /// Smallest increment (s): a step that fails at it stops the run with the transport's error.
    public var minimum: Double
    /// Largest increment (s).
    public var maximum: Double

    /// Adaptive increments in [`minimum`, `maximum`] s starting at `initial` s.
    public init(initial: Double, minimum: Double, maximum: Double) {
        self.initial = initial; self.minimum = minimum; self.maximum = maximum
    }

    /// A fixed increment of `dt` s.
    public static func fixed(_ dt: Double) -> TransportTimeControl { TransportTimeControl(initial: dt, minimum: dt, maximum: dt) }

    /// True when every increment is ``initial``.
    public var isFixed: Bool { minimum == initial && maximum == initial }
}

/// The `freeSwelling` block of a step (see ``BiphasicProblem/swellFreely(state:tolerance:maxDuration:options:newton:)``).
public struct FreeSwellingDefinition: Sendable, Equatable {
    /// Equilibrium tolerance on `max |p − p_bath| / Δπ_ref` (dimensionless, in (0, 1)).
    public var tolerance: Double
    /// Pseudo-time cap (s): the run stops with an error if equilibrium is not reached by then.
    public var maxDuration: Double
    /// Path of the block (`steps[0].freeSwelling`), set when a ``Simulation`` is built. Not part of equality.
    public var path: String = "steps[0].freeSwelling"

    /// Free swelling to a tolerance (dimensionless) within a pseudo-time cap (s).
    public init(tolerance: Double, maxDuration: Double) { self.tolerance = tolerance; self.maxDuration = maxDuration }

    public static func == (a: FreeSwellingDefinition, b: FreeSwellingDefinition) -> Bool {
        a.tolerance == b.tolerance && a.maxDuration == b.maxDuration
    }
}

/// What to record.
public struct OutputDefinition: Sendable, Equatable {
    /// Output times (s), increasing; the stepper lands on each exactly.
    public var times: [Double]
    /// Point probes.
    public var probes: [Probe]
    /// Surface quantities.
    public var surfaces: [SurfaceOutput]
    /// Region statistics.
    public var regions: [RegionOutput]
    /// Write VTU files + a PVD collection at every output time.
    public var vtu: Bool

    /// Outputs at `times` (s, increasing).
    public init(times: [Double], probes: [Probe] = [], surfaces: [SurfaceOutput] = [], regions: [RegionOutput] = [], vtu: Bool = true) {
        self.times = times; self.probes = probes; self.surfaces = surfaces; self.regions = regions; self.vtu = vtu
    }

    /// A field sampled at a point (interpolated in the element containing it).
    public struct Probe: Sendable, Equatable {
        /// Name in results.
        public var name: String
        /// Field (``SolidField`` names; biphasic models also `p`, `pressure`).
        public var field: String
        /// Point (mm, reference configuration).
        public var at: SIMD3<Double>
        /// Path (`outputs.probes[0]`), set from the position when a ``Simulation`` is built. Not part of equality.
        public var path: String = ""

        /// An output.
        public init(name: String, field: String, at: SIMD3<Double>) { self.name = name; self.field = field; self.at = at }

        public static func == (a: Probe, b: Probe) -> Bool { a.name == b.name && a.field == b.field && a.at == b.at }
    }
    /// A quantity over a named surface.
    public struct SurfaceOutput: Sendable, Equatable {
        /// Name in results.
        public var name: String
        /// Surface name.
        public var surface: String
        /// `reactionForce` (N, from the assembled residual) or `tractionIntegral`
        /// (N, the flux ∫σ·n dA of the Cauchy stress over the reference surface), or `area` (mm²).
        public var quantity: String
        /// Path (`outputs.probes[0]`), set from the position when a ``Simulation`` is built. Not part of equality.
        public var path: String = ""

        /// An output.
        public init(name: String, surface: String, quantity: String) { self.name = name; self.surface = surface; self.quantity = quantity }

        public static func == (a: SurfaceOutput, b: SurfaceOutput) -> Bool { a.name == b.name && a.surface == b.surface && a.quantity == b.quantity }
    }
    /// Average/min/max of a field over a region (over its quadrature points).
    public struct RegionOutput: Sendable, Equatable {
        /// Name in results.
        public var name: String
        /// Region name.
        public var region: String
        /// Field (``SolidField`` names; biphasic models also `p`, `pressure`) or `volume` (mm³, deformed).
        public var quantity: String
        /// Path (`outputs.probes[0]`), set from the position when a ``Simulation`` is built. Not part of equality.
        public var path: String = ""

        /// An output.
        public init(name: String, region: String, quantity: String) { self.name = name; self.region = region; self.quantity = quantity }

        public static func == (a: RegionOutput, b: RegionOutput) -> Bool { a.name == b.name && a.region == b.region && a.quantity == b.quantity }
    }
}

extension Array where Element == BoundaryCondition {
    /// The condition named `name` (see ``BoundaryCondition/name``); setting replaces it
    /// (setting nil removes it).
    public subscript(named name: String) -> BoundaryCondition? {
        get { first { $0.name == name } }
        set {
            guard let i = firstIndex(where: { $0.name == name }) else {
                if let newValue { append(newValue) }
                return
            }
            if let newValue { self[i] = newValue } else { remove(at: i) }
        }
    }
}
