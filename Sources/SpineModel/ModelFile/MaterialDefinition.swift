import Foundation
import Biomechanics
import FiniteElements

/// A material of a ``Model``: one value holds everything the material is — the solid law, its
/// axes and fibres (or annulus lamellae) and, for a biphasic tissue, the solid volume fraction,
/// permeability and osmotic (Donnan) swelling. The constitutive laws the solver uses are built
/// from it when a ``Simulation`` is made; nothing else stores a copy.
///
/// ```swift
/// var model = try DefaultDiscModel.model()
/// model.materials["np"]!.biphasic!.permeability.k0 *= 0.5   // mm⁴/(N·s)
/// model.materials["af"]!.solid.fibreReinforced!.lamellae!.count = 4
/// ```
///
/// In a model file a solid material is written as its solid (`{"type": "neoHookean", "E": 1,
/// "nu": 0.3}`) and a biphasic one as `{"type": "biphasic", "phi0": …, "solid": {…},
/// "permeability": {…}, "osmotic": {…}}`.
public struct MaterialDefinition: Sendable, Equatable {
    /// The solid (for a biphasic material: its solid matrix).
    public var solid: SolidDefinition
    /// The mixture's fluid-phase properties; nil for a purely solid material.
    public var biphasic: BiphasicDefinition?

    /// A material from its parts.
    public init(solid: SolidDefinition, biphasic: BiphasicDefinition? = nil) {
        self.solid = solid; self.biphasic = biphasic
    }

    /// A biphasic material.
    /// - Parameters:
    ///   - phi0: solid volume fraction in the reference state (dimensionless, in (0, 1)).
    ///   - solid: the solid matrix.
    ///   - permeability: `k(J)`, `k0` in mm⁴/(N·s).
    ///   - osmotic: Donnan swelling (nil: none).
    public static func biphasic(phi0: Double, solid: SolidDefinition, permeability: Permeability,
                                osmotic: OsmoticDefinition? = nil) -> MaterialDefinition {
        MaterialDefinition(solid: solid, biphasic: BiphasicDefinition(phi0: phi0, permeability: permeability, osmotic: osmotic))
    }

    /// The model-file `type`: the solid's type, or `biphasic`.
    public var type: String { biphasic == nil ? solid.type : "biphasic" }

    /// Material axes of the solid (cylindrical for an annulus, `.global` for isotropic laws).
    public var axes: MaterialAxes { solid.axes }

    /// The annulus lamellae of a fibre-reinforced solid, if it has them.
    public var lamellae: LamellaeDefinition? { solid.fibreReinforced?.lamellae }

    /// Path of the solid below the material's path.
    func solidPath(_ path: ModelPath) -> ModelPath {
        biphasic == nil ? path.appending(.swiftOnly("solid")) : path.key("solid")
    }

    /// The solid law (for lamellae: lamella 0's on placeholder ellipses — cells get theirs from
    /// ``lamellaLaws(mesh:at:)``).
    /// - Throws: ``ModelError`` naming the offending parameter below `path`.
    func law(at path: ModelPath) throws -> any SolidMaterial { try solid.law(at: solidPath(path)) }

    /// The biphasic mixture, or nil for a solid material.
    /// - Throws: ``ModelError`` naming the offending parameter below `path`.
    func mixture(at path: ModelPath) throws -> BiphasicMaterial? {
        guard let b = biphasic else { return nil }
        return try b.mixture(solid: try law(at: path), at: path.appending(.swiftOnly("biphasic")))
    }

    /// Checks every parameter (laws built and thrown away).
    /// - Throws: ``ModelError`` naming the offending parameter below `path`.
    public func validate(at path: ModelPath) throws {
        if biphasic != nil { _ = try mixture(at: path) } else { _ = try law(at: path) }
        if biphasic == nil, case .fibreReinforced = solid {
            throw ModelError(.invalidValue, at: solidPath(path).description, "a fibre-reinforced solid is available as the solid of a biphasic material only")
        }
    }
}

/// A solid constitutive law with its parameters (MPa for moduli).
public indirect enum SolidDefinition: Sendable, Equatable {
    /// Isotropic linear elasticity: Young's modulus `E` (MPa, > 0), Poisson's ratio `nu` (in (−1, 0.5)).
    case isotropicElastic(E: Double, nu: Double)
    /// Compressible neo-Hookean (finite strain): `E` (MPa, > 0), `nu` (in (−1, 0.5)).
    case neoHookean(E: Double, nu: Double)
    /// Orthotropic linear elasticity in the given material axes.
    case orthotropicElastic(OrthotropicConstants, axes: MaterialAxes)
    /// A ground matrix with tension-only fibre families (biphasic materials only).
    case fibreReinforced(FibreReinforcedDefinition)

    /// The model-file `type`.
    public var type: String {
        switch self {
        case .isotropicElastic: return "isotropicElastic"
        case .neoHookean: return "neoHookean"
        case .orthotropicElastic: return "orthotropicElastic"
        case .fibreReinforced: return "fibreReinforced"
        }
    }

    /// The fibre-reinforced definition (nil for other laws); setting it replaces the law.
    public var fibreReinforced: FibreReinforcedDefinition? {
        get { if case let .fibreReinforced(f) = self { return f }; return nil }
        set { if let newValue { self = .fibreReinforced(newValue) } }
    }

    /// Young's modulus `E` (MPa) of an isotropic law or of a fibre-reinforced solid's isotropic
    /// matrix; nil otherwise. Setting it on other laws does nothing (check for nil first).
    public var youngsModulus: Double? {
        get {
            switch self {
            case let .isotropicElastic(e, _), let .neoHookean(e, _): return e
            case let .fibreReinforced(f): return f.matrix.youngsModulus
            case .orthotropicElastic: return nil
            }
        }
        set {
            guard let e = newValue else { return }
            switch self {
            case let .isotropicElastic(_, nu): self = .isotropicElastic(E: e, nu: nu)
            case let .neoHookean(_, nu): self = .neoHookean(E: e, nu: nu)
            case var .fibreReinforced(f): f.matrix.youngsModulus = e; self = .fibreReinforced(f)
            case .orthotropicElastic: break
            }
        }
    }

    /// Material axes (`.global` for isotropic laws).
    public var axes: MaterialAxes {
        switch self {
        case .isotropicElastic, .neoHookean: return .global
        case let .orthotropicElastic(_, axes): return axes
        case let .fibreReinforced(f): return f.axes
        }
    }

    /// The validated law (lamellae: lamella 0 on placeholder ellipses).
    func law(at path: ModelPath) throws -> any SolidMaterial {
        do {
            switch self {
            case let .isotropicElastic(e, nu): return try IsotropicLinearElastic(youngsModulus: e, poissonRatio: nu)
            case let .neoHookean(e, nu): return try NeoHookean(youngsModulus: e, poissonRatio: nu)
            case let .orthotropicElastic(c, _):
                return try OrthotropicLinearElastic(E1: c.E1, E2: c.E2, E3: c.E3, nu12: c.nu12, nu13: c.nu13, nu23: c.nu23,
                                                    G12: c.G12, G13: c.G13, G23: c.G23)
            case let .fibreReinforced(f):
                return try f.nominalLaw(at: path.appending(.swiftOnly("fibreReinforced")))
            }
        } catch let MaterialError.invalidParameter(name, value, expected) {
            throw ModelError(.invalidValue, at: path.field(name).description, "expected \(expected), got \(JSONValue.number(value).summary)")
        } catch let e as MaterialError {
            throw ModelError(.invalidValue, at: path.description, e.description)
        }
    }
}

/// The nine constants of an orthotropic linear-elastic solid in its material axes
/// (moduli in MPa, Poisson's ratios dimensionless).
public struct OrthotropicConstants: Sendable, Equatable {
    /// Young's moduli along material axes 1, 2, 3 (MPa).
    public var E1: Double, E2: Double, E3: Double
    /// Poisson's ratios `ν_ij` (dimensionless).
    public var nu12: Double, nu13: Double, nu23: Double
    /// Shear moduli (MPa).
    public var G12: Double, G13: Double, G23: Double

    /// The constants (moduli MPa).
    public init(E1: Double, E2: Double, E3: Double, nu12: Double, nu13: Double, nu23: Double, G12: Double, G13: Double, G23: Double) {
        self.E1 = E1; self.E2 = E2; self.E3 = E3; self.nu12 = nu12; self.nu13 = nu13; self.nu23 = nu23
        self.G12 = G12; self.G13 = G13; self.G23 = G23
    }
}

/// A ground matrix reinforced by tension-only fibres: either families present in every cell
/// (``fibres``) or one family per annulus lamella (``lamellae``) — exactly one of the two.
public struct FibreReinforcedDefinition: Sendable, Equatable {
    /// The ground matrix (an isotropic or orthotropic solid).
    public var matrix: SolidDefinition
    /// Material axes of the fibres (cylindrical about the disc axis for an annulus).
    public var axes: MaterialAxes
    /// Fibre families present in every cell (empty when ``lamellae`` is set).
    public var fibres: [FibreDefinition]
    /// One family per lamella (nil when ``fibres`` is used).
    public var lamellae: LamellaeDefinition?

    /// A fibre-reinforced solid.
    public init(matrix: SolidDefinition, axes: MaterialAxes, fibres: [FibreDefinition] = [], lamellae: LamellaeDefinition? = nil) {
        self.matrix = matrix; self.axes = axes; self.fibres = fibres; self.lamellae = lamellae
    }

    /// The law with every family (fibres) or lamella 0's family on placeholder ellipses (lamellae).
    func nominalLaw(at path: ModelPath) throws -> any SolidMaterial {
        let matrixLaw = try matrix.law(at: path.key("matrix"))
        if case .fibreReinforced = matrix {
            throw ModelError(.invalidValue, at: path.key("matrix").description, "expected an isotropic or orthotropic matrix, got a fibre-reinforced one")
        }
        if let lamellae {
            guard fibres.isEmpty else {
                throw ModelError(.invalidValue, at: path.key("lamellae").description, "give either \"fibres\" (every family in every cell) or \"lamellae\" (one family per lamella), not both")
            }
            let resolved = try lamellae.resolve(inner: lamellae.inner ?? SIMD2(1, 1), outer: lamellae.outer ?? SIMD2(2, 2),
                                                axes: axes, at: path)
            return resolved.solid(matrix: matrixLaw, lamella: 0)
        }
        guard !fibres.isEmpty else {
            throw ModelError(.missingKey, at: path.key("fibres").description, "expected at least one fibre family (or \"lamellae\")")
        }
        let families = try fibres.enumerated().map { i, f in try f.family(at: path.key("fibres").index(i)) }
        return FibreReinforcedSolid(matrix: matrixLaw, fibres: families)
    }
}

/// One tension-only fibre family: `angle` (degrees from the circumferential towards the axial
/// material axis), strain-energy constants `xi` (MPa, ≥ 0), `alpha` (≥ 0) and `beta` (≥ 2).
public struct FibreDefinition: Sendable, Equatable {
    /// Angle (degrees).
    public var angle: Double
    /// Fibre modulus `ξ` (MPa).
    public var xi: Double
    /// Exponential coefficient `α` (dimensionless).
    public var alpha: Double
    /// Power `β` (dimensionless).
    public var beta: Double

    /// A fibre family.
    public init(angle: Double, xi: Double, alpha: Double, beta: Double) {
        self.angle = angle; self.xi = xi; self.alpha = alpha; self.beta = beta
    }

    func family(at path: ModelPath) throws -> FibreFamily {
        do { return try FibreFamily(angleDegrees: angle, xi: xi, alpha: alpha, beta: beta) } catch let BiphasicError.invalidParameter(name, value, expected) {
            throw ModelError(.invalidValue, at: path.field(name.replacingOccurrences(of: "fibres.", with: "")).description,
                             "expected \(expected), got \(JSONValue.number(value).summary)")
        }
    }
}

/// The annulus as `count` lamellae of equal thickness between two concentric ellipses, fibre
/// angles cycled from the innermost lamella outwards (see `AnnulusLamellae`). The ellipses are
/// given (semi-axes in mm along x and y) or, when nil, taken from a generated elliptic-cylinder
/// mesh with an inner region; their centre is the origin of the cylindrical material axes.
public struct LamellaeDefinition: Sendable, Equatable {
    /// Number of lamellae (≥ 1).
    public var count: Int
    /// Fibre angles (degrees) cycled from the innermost lamella outwards.
    public var angles: [Double]
    /// Fibre law `ξ` (MPa), `α`, `β` (dimensionless), the same in every lamella.
    public var xi: Double, alpha: Double, beta: Double
    /// Inner and outer semi-axes (mm, x and y); nil: from the generated mesh.
    public var inner: SIMD2<Double>?, outer: SIMD2<Double>?

    /// Lamellae with the given fibre law; ellipses from the mesh unless given.
    public init(count: Int, angles: [Double], xi: Double, alpha: Double, beta: Double,
                inner: SIMD2<Double>? = nil, outer: SIMD2<Double>? = nil) {
        self.count = count; self.angles = angles; self.xi = xi; self.alpha = alpha; self.beta = beta
        self.inner = inner; self.outer = outer
    }

    /// The lamellae with the given ellipses; `path` is the fibre-reinforced solid's.
    func resolve(inner: SIMD2<Double>, outer: SIMD2<Double>, axes: MaterialAxes, at path: ModelPath) throws -> AnnulusLamellae {
        guard case let .cylindrical(origin, axis) = axes else {
            throw ModelError(.invalidValue, at: path.key("axes").description, "lamellae need cylindrical material axes about the disc axis, e.g. {\"type\": \"cylindrical\", \"origin\": [0, 0, 0], \"axis\": [0, 0, 1]}")
        }
        guard axis.0 == 0, axis.1 == 0 else {
            throw ModelError(.invalidValue, at: path.key("axes").key("axis").description, "lamellae are concentric ellipses in the x–y plane: expected an axis along z, [0, 0, 1], got [\(axis.0), \(axis.1), \(axis.2)]")
        }
        guard (self.inner == nil) == (self.outer == nil) else {
            throw ModelError(.missingKey, at: path.key("lamellae").description, "give both \"inner\" and \"outer\" semi-axes (mm), or neither (taken from a generated cylinder mesh)")
        }
        do {
            return try AnnulusLamellae(count: count, angles: angles, xi: xi, alpha: alpha, beta: beta,
                                       innerSemiAxes: inner, outerSemiAxes: outer, centre: SIMD2(origin.0, origin.1))
        } catch let BiphasicError.invalidParameter(name, value, expected) {
            throw ModelError(.invalidValue, at: path.field(name).description, "expected \(expected), got \(JSONValue.number(value).summary)")
        }
    }

    /// The lamellae on `mesh`: the given ellipses, or for a generated (elliptic) cylinder with an
    /// inner region, inner = fraction × (a, b), outer = (a, b); `path` is the fibre-reinforced solid's.
    func resolve(mesh: MeshSource, axes: MaterialAxes, at path: ModelPath) throws -> AnnulusLamellae {
        if let inner, let outer { return try resolve(inner: inner, outer: outer, axes: axes, at: path) }
        guard case let .cylinder(a, b, _, innerName, fraction, _, _, _, _, _) = mesh, innerName != nil else {
            throw ModelError(.missingKey, at: path.key("lamellae").description, "expected \"inner\" and \"outer\" semi-axes [along x, along y] (mm): the mesh is not a generated cylinder with an inner region")
        }
        return try resolve(inner: SIMD2(fraction * a, fraction * b), outer: SIMD2(a, b), axes: axes, at: path)
    }
}

/// The fluid phase of a biphasic material.
public struct BiphasicDefinition: Sendable, Equatable {
    /// Solid volume fraction `φ0` in the reference state (dimensionless, in (0, 1)).
    public var phi0: Double
    /// Hydraulic permeability `k(J)` (`k0` in mm⁴/(N·s)).
    public var permeability: Permeability
    /// Donnan osmotic swelling (nil: none).
    public var osmotic: OsmoticDefinition?

    /// The fluid-phase properties.
    public init(phi0: Double, permeability: Permeability, osmotic: OsmoticDefinition? = nil) {
        self.phi0 = phi0; self.permeability = permeability; self.osmotic = osmotic
    }

    func mixture(solid: any SolidMaterial, at path: ModelPath) throws -> BiphasicMaterial {
        do {
            let osmosis = try osmotic.map { try DonnanOsmosis(fixedChargeDensity: $0.cF0, bathConcentration: $0.bath, temperature: $0.T) }
            return try BiphasicMaterial(solid: solid, permeability: permeability, solidVolumeFraction: phi0, osmosis: osmosis)
        } catch let BiphasicError.invalidParameter(name, value, expected) {
            throw ModelError(.invalidValue, at: path.field(name).description, "expected \(expected), got \(JSONValue.number(value).summary)")
        }
    }
}

/// Donnan osmotic swelling of a charged tissue.
public struct OsmoticDefinition: Sendable, Equatable {
    /// Fixed charge density in the reference state (mEq/L, ≤ 0).
    public var cF0: Double
    /// Bath (external) salt concentration (mM, > 0).
    public var bath: Double
    /// Absolute temperature (K).
    public var T: Double

    /// Swelling from a fixed charge (mEq/L), a bath concentration (mM) and a temperature (K, default 310).
    public init(cF0: Double, bath: Double, T: Double = 310) { self.cF0 = cF0; self.bath = bath; self.T = T }
}

extension Permeability {
    /// The reference permeability `k0` (mm⁴/(N·s)) of any law; setting it keeps the other parameters.
    public var k0: Double {
        get {
            switch self {
            case let .constant(k0), let .holmesMow(k0, _, _), let .exponentialVoidRatio(k0, _): return k0
            }
        }
        set {
            switch self {
            case .constant: self = .constant(k0: newValue)
            case let .holmesMow(_, alpha, m): self = .holmesMow(k0: newValue, alpha: alpha, M: m)
            case let .exponentialVoidRatio(_, m): self = .exponentialVoidRatio(k0: newValue, M: m)
            }
        }
    }
}
