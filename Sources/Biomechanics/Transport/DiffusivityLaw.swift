/// A table of diffusivity against compressive strain, interpolated linearly
/// between its points and held at its end values outside them.
public struct StrainDiffusivityTable: Sendable, Equatable, Codable {
    /// Compressive strain (dimensionless, > 0 in compression), strictly increasing.
    public let strains: [Double]
    /// Diffusivity at each strain (mm²/s), > 0.
    public let diffusivities: [Double]

    /// A table; throws when the strains are not increasing or a diffusivity is not positive.
    /// - Parameters:
    ///   - strains: compressive strains (dimensionless), strictly increasing, at least one.
    ///   - diffusivities: diffusivities (mm²/s) at those strains.
    ///   - field: name used in error messages.
    public init(strains: [Double], diffusivities: [Double], field: String = "diffusivity.table") throws {
        guard !strains.isEmpty, strains.count == diffusivities.count else {
            throw TransportError.invalidParameter(field: field, value: "\(strains.count) strains, \(diffusivities.count) diffusivities",
                                                  expected: "the same number (≥ 1) of strains and diffusivities")
        }
        for (i, d) in diffusivities.enumerated() { try requirePositive(d, "\(field).diffusivities[\(i)]", unit: "mm²/s") }
        for i in 0..<strains.count {
            guard strains[i].isFinite else { throw TransportError.invalidParameter(field: "\(field).strains[\(i)]", value: "\(strains[i])", expected: "a finite strain") }
            if i > 0 && !(strains[i] > strains[i - 1]) {
                throw TransportError.invalidParameter(field: "\(field).strains[\(i)]", value: "\(strains[i])", expected: "strains strictly increasing")
            }
        }
        self.strains = strains
        self.diffusivities = diffusivities
    }

    /// The diffusivity (mm²/s) at compressive strain `e` (dimensionless).
    public func value(at e: Double) -> Double {
        if e <= strains[0] { return diffusivities[0] }
        if e >= strains[strains.count - 1] { return diffusivities[diffusivities.count - 1] }
        var i = 1
        while strains[i] < e { i += 1 }
        let t = (e - strains[i - 1]) / (strains[i] - strains[i - 1])
        return diffusivities[i - 1] + t * (diffusivities[i] - diffusivities[i - 1])
    }
}

/// How a solute's effective diffusivity in the tissue depends on the tissue state.
///
/// The diffusivity is a tensor `D = D_t·I + (D_a − D_t)·a⊗a` with `a` the unit
/// axial direction (the disc axis, default z): isotropic laws have `D_a = D_t`.
/// All diffusivities are effective tissue values in mm²/s (1 cm²/s = 100 mm²/s).
public enum DiffusivityLaw: Sendable, Equatable {
    /// A constant isotropic diffusivity (mm²/s).
    case constant(Double)
    /// Constant, transversely isotropic: `axial` along `axis`, `transverse` across it (mm²/s).
    case anisotropic(axial: Double, transverse: Double, axis: SIMD3<Double>)
    /// Mackie–Meares obstruction model `D = D0·(φ/(2−φ))²` with `φ` the tissue's
    /// fluid volume fraction (porosity) and `D0` the free (aqueous) diffusivity (mm²/s).
    /// Mackie & Meares 1955, Proc R Soc Lond A 232:498; used for disc solutes by
    /// Malandrino et al. 2011 (PLoS Comput Biol 7:e1002112).
    case mackieMeares(freeDiffusivity: Double)
    /// Strain-dependent, tabulated: `axial` along `axis`, `transverse` across it
    /// (nil = same as axial), each a table against compressive strain.
    case strainTable(axial: StrainDiffusivityTable, transverse: StrainDiffusivityTable?, axis: SIMD3<Double>)

    /// O₂ in annulus fibrosus, measured (Yuan et al. 2009, Ann Biomed Eng 37:2456, via
    /// LITERATURE.md "Nutrients"): 1.43e-5, 1.05e-5, 7.7e-6 cm²/s at 4.7 %, 14.2 %,
    /// 23.7 % compressive strain — i.e. 1.43e-3, 1.05e-3, 7.7e-4 mm²/s. Isotropic.
    public static let yuan2009AnnulusOxygen: DiffusivityLaw = .strainTable(
        axial: try! StrainDiffusivityTable(strains: [0.047, 0.142, 0.237], diffusivities: [1.43e-3, 1.05e-3, 7.7e-4]),
        transverse: nil, axis: SIMD3(0, 0, 1))

    /// Glucose in annulus fibrosus, measured (Jackson et al. 2008, J Biomech Eng 130:044505,
    /// via LITERATURE.md): axial 1.38 / 1.00 / 0.77 e-6 cm²/s and radial 0.92 / 0.73 / 0.54 e-6 cm²/s
    /// at 0 / 10 / 20 % strain (×100 for mm²/s). Anisotropic about the disc axis z: the
    /// radial value is used across the axis.
    public static let jackson2008AnnulusGlucose: DiffusivityLaw = .strainTable(
        axial: try! StrainDiffusivityTable(strains: [0, 0.1, 0.2], diffusivities: [1.38e-4, 1.00e-4, 0.77e-4]),
        transverse: try! StrainDiffusivityTable(strains: [0, 0.1, 0.2], diffusivities: [0.92e-4, 0.73e-4, 0.54e-4]),
        axis: SIMD3(0, 0, 1))

    /// Checks the parameters; `field` names the law in error messages.
    public func validate(field: String) throws {
        switch self {
        case .constant(let d): try requirePositive(d, "\(field).D", unit: "mm²/s")
        case let .anisotropic(a, t, axis):
            try requirePositive(a, "\(field).axial", unit: "mm²/s")
            try requirePositive(t, "\(field).transverse", unit: "mm²/s")
            try Self.checkAxis(axis, field)
        case .mackieMeares(let d0): try requirePositive(d0, "\(field).D0", unit: "mm²/s")
        case let .strainTable(_, _, axis): try Self.checkAxis(axis, field)
        }
    }

    private static func checkAxis(_ a: SIMD3<Double>, _ field: String) throws {
        let n = (a * a).sum().squareRoot()
        guard n.isFinite && n > 0 else { throw TransportError.invalidParameter(field: "\(field).axis", value: "\(a)", expected: "a non-zero direction") }
    }

    /// Axial and transverse diffusivities (mm²/s) and the unit axis, for porosity
    /// `phi` (fluid volume fraction, in (0, 1)) and compressive strain `strain`.
    public func evaluate(porosity phi: Double, strain: Double) -> (axial: Double, transverse: Double, axis: SIMD3<Double>) {
        let z = SIMD3<Double>(0, 0, 1)
        switch self {
        case .constant(let d): return (d, d, z)
        case let .anisotropic(a, t, axis): return (a, t, axis / (axis * axis).sum().squareRoot())
        case .mackieMeares(let d0):
            let r = phi / (2 - phi)
            let d = d0 * r * r
            return (d, d, z)
        case let .strainTable(axial, transverse, axis):
            let a = axial.value(at: strain)
            return (a, transverse?.value(at: strain) ?? a, axis / (axis * axis).sum().squareRoot())
        }
    }
}
