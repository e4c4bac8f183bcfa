import Biomechanics
import Foundation

/// The safety criteria a force limit must keep, with their allowable bounds.
///
/// Each criterion gives a ratio (response over allowable bound); a load is admissible when every
/// ratio is ≤ 1. Every bound is a `var`; a study should state the values it used.
///
/// **Ligaments.**
/// - ``ligamentDamageThresholdFraction`` (default 0.5): a ligament whose law has a damage law
///   (``Biomechanics/LigamentDamage``) keeps its largest fibre strain ≤ this fraction × the
///   damage-threshold strain. The shipped data sets (``LigamentDataSet/remus2021``,
///   ``LigamentDataSet/goelBilinear``) have no damage law — no lumbar sub-failure damage strain
///   was found in the literature; the only number seen is structural damage of the rat medial
///   collateral ligament at 5.14 % strain (Provenzano et al., as cited in an ASME Summer
///   Bioengineering Conference 2011 abstract; the primary figure was not verified), not a spinal ligament — so for them this
///   criterion is inactive and the failure-force criterion below governs.
/// - ``ligamentFailureForceFraction`` (default 0.5): a ligament with a failure force keeps its
///   peak total force ≤ this fraction × the failure force. **Argument for 0.5** (a judgement, not
///   a published value): the failure forces are single means from cadaveric tests (ALL 510, PLL
///   384, LF 340, ISL 130, SSL 200, ITL 70 N; BMC Musculoskelet Disord 2010, 11:151, Table 3)
///   with no scatter attached to them in the data sets, the damage onset lies below failure (the
///   rat data above: damage well before rupture), and traction is applied repeatedly (15 cycles a
///   session, many sessions): keeping the peak at half the mean failure force leaves a factor of
///   two for specimen scatter and sub-failure damage. Lower it for a more cautious study.
/// - The capsular ligament has neither a failure force nor a damage law in either data set: no
///   facet-capsule criterion can be evaluated (stated, not guessed).
///
/// **Accumulated laxity** ``maxAccumulatedLaxity`` (strain, default 0): the largest accumulated
/// fibre laxity over the limit protocol. The default 0 allows none: the limit keeps every fibre
/// below the onset of damage. With the shipped data sets (no damage law) laxity stays 0.
///
/// **Disc distraction** ``maxDistraction`` (mm, default 4.0): the peak distraction of the upper
/// endplate's centre. 4.0 mm is the largest lower-lumbar distraction measured in vivo under
/// traction (0.3–4.0 mm with inverted traction, n = 20; Gianakopoulos G et al. 1985, Arch Phys
/// Med Rehabil 66(2):100–102) — the limit keeps the model within what was observed in patients.
/// nil turns it off.
///
/// **Facet force** ``maxFacetForce`` (N, default nil = off): no published allowable facet contact
/// force under traction was found; under axial traction the facets separate. A study may set one.
///
/// **Annulus fibre strain** ``maxAnnulusFibreStrain`` (engineering strain `λ − 1`, default nil =
/// off): the largest annulus fibre strain of the run (``MotionSegmentResults/annulusFibreStrain``:
/// every fibre family at every integration point of the annulus, every accepted step), times
/// ``DiscretisationFactors/annulusFibreStrain``, over this bound. **No default bound**: no
/// annulus damage or failure strain could be verified. The search tool (pages corpus) found the
/// abstracts of Green TP, Adams MA, Dolan P 1993 (Eur Spine J, "Tensile properties of the annulus
/// fibrosus II. Ultimate tensile strength and fatigue life", doi:10.1007/BF00299448: vertical multi-lamellar slices pulled
/// to failure and cyclically), Ebara S et al. 1996 (Spine, doi:10.1097/00007632-199602150-00009, "Tensile properties of
/// nondegenerate human lumbar anulus fibrosus": multi-layer circumferential specimens, failure
/// strain measured) and Fujita Y et al. 1997 (J Orthop Res 15(6):814–819, radial specimens),
/// none of which states a failure strain in its abstract; Skaggs et al. 1994, Holzapfel et al.
/// 2005 and Isaacs et al. 2014 (single lamellae, fibre bundles) were not found. These tests
/// also measure *tissue* (grip-to-grip) strain of specimens whose fibres lie off the pulling
/// axis, not the fibre strain this criterion bounds, so even their numbers would need a
/// conversion. A study that sets a bound should state its source, its measure (engineering, not
/// Green–Lagrange: `λ − 1 = √(1 + 2E) − 1`) and whether it is a damage onset or a rupture
/// strain, and take a fraction of it as for the ligaments. While the bound is nil the criterion
/// is not evaluated and ``MotionSegmentForceLimit/notEvaluated`` says so; the peak strain is
/// still reported in the results.
///
/// **Bone**: the motion segment's vertebrae are rigid bodies, so the model computes no bone strain
/// or stress and no bone criterion is evaluated here. Bone density acts on the limits through the
/// clinical bone-density factor of the limits builder (`ContraindicationRules.boneDensityForceFactor`),
/// which only lowers them.
///
/// **Mesh discretisation** ``discretisation``: each criterion quantity is multiplied by its
/// ``DiscretisationFactors`` factor before it is compared with its bound, so that a limit computed
/// on a mesh whose responses are low against the converged mesh stays on the safe side. Every
/// ratio is the quantity over its bound, so the factor multiplies the ratio exactly. The default
/// here is ``DiscretisationFactors/none``; ``MotionSegmentLimitSearch`` picks the factors of its
/// mesh (``DiscretisationFactors/forMesh(_:)``).
public struct LimitCriteria: Sendable, Equatable {
    /// Allowable fraction of a ligament's damage-threshold strain (dimensionless, (0, 1]).
    public var ligamentDamageThresholdFraction: Double
    /// Allowable fraction of a ligament's failure force (dimensionless, (0, 1]).
    public var ligamentFailureForceFraction: Double
    /// Largest accumulated fibre laxity (strain, ≥ 0; 0 allows none).
    public var maxAccumulatedLaxity: Double
    /// Largest disc distraction (mm, > 0), nil for no distraction criterion.
    public var maxDistraction: Double?
    /// Largest contact force of either facet (N, > 0), nil for no facet criterion.
    public var maxFacetForce: Double?
    /// Largest annulus fibre strain (engineering `λ − 1`, dimensionless, > 0), nil for no
    /// annulus criterion (the default: no verified literature bound, see the type's discussion).
    public var maxAnnulusFibreStrain: Double?
    /// Factors on the criterion quantities for the mesh's discretisation error (dimensionless, ≥ 1).
    public var discretisation: DiscretisationFactors

    /// Criteria with the defaults argued in the type's discussion.
    public init(ligamentDamageThresholdFraction: Double = 0.5, ligamentFailureForceFraction: Double = 0.5,
                maxAccumulatedLaxity: Double = 0, maxDistraction: Double? = 4.0, maxFacetForce: Double? = nil,
                maxAnnulusFibreStrain: Double? = nil, discretisation: DiscretisationFactors = .none) {
        self.ligamentDamageThresholdFraction = ligamentDamageThresholdFraction
        self.ligamentFailureForceFraction = ligamentFailureForceFraction
        self.maxAccumulatedLaxity = maxAccumulatedLaxity
        self.maxDistraction = maxDistraction
        self.maxFacetForce = maxFacetForce
        self.maxAnnulusFibreStrain = maxAnnulusFibreStrain
        self.discretisation = discretisation
    }

    /// Checks every bound.
    /// - Throws: ``LimitSearchError/invalidParameter(field:value:expected:)`` naming it.
    public func validate() throws(LimitSearchError) {
        for (name, v) in [("criteria.ligamentDamageThresholdFraction", ligamentDamageThresholdFraction),
                          ("criteria.ligamentFailureForceFraction", ligamentFailureForceFraction)] where !(v.isFinite && v > 0 && v <= 1) {
            throw .invalidParameter(field: name, value: v, expected: "a fraction in (0, 1]")
        }
        guard maxAccumulatedLaxity.isFinite, maxAccumulatedLaxity >= 0 else {
            throw .invalidParameter(field: "criteria.maxAccumulatedLaxity", value: maxAccumulatedLaxity, expected: "a finite strain ≥ 0")
        }
        if let d = maxDistraction, !(d.isFinite && d > 0) {
            throw .invalidParameter(field: "criteria.maxDistraction", value: d, expected: "a finite distraction > 0 mm (nil for none)")
        }
        if let f = maxFacetForce, !(f.isFinite && f > 0) {
            throw .invalidParameter(field: "criteria.maxFacetForce", value: f, expected: "a finite force > 0 N (nil for none)")
        }
        if let e = maxAnnulusFibreStrain, !(e.isFinite && e > 0) {
            throw .invalidParameter(field: "criteria.maxAnnulusFibreStrain", value: e,
                                    expected: "a finite engineering fibre strain λ − 1 > 0 (nil for none)")
        }
        try discretisation.validate()
        if let e = maxAnnulusFibreStrain, discretisation.annulusFibreStrain == nil {
            throw .invalidParameter(field: "criteria.discretisation.annulusFibreStrain", value: e,
                                    expected: "a measured discretisation factor for the annulus fibre strain on this mesh before a bound on it is used (the coarse mesh's has not been measured: set one, or search on the standard mesh)")
        }
    }

    /// Every criterion's value for one run of a motion segment (see the type's discussion), each
    /// quantity multiplied by its ``discretisation`` factor before it is divided by its bound.
    /// Identifiers: `ligament.<ALL|…|CL>[-left|-right].failureForce|damageThreshold`,
    /// `laxity`, `distraction`, `facet.<name>.force`, `annulusFibreStrain`. With a
    /// ``maxAnnulusFibreStrain`` but no annulus fibre strain in the results (a disc without
    /// fibres) the annulus criterion's ratio is `+∞`: a bound that cannot be checked is not met.
    public func evaluate(_ r: MotionSegmentResults) -> [CriterionValue] {
        var out: [CriterionValue] = []
        var laxity = 0.0
        let k = discretisation
        for l in r.ligaments {
            let id = "ligament." + l.type.rawValue + (l.side == .midline ? "" : "-" + l.side.rawValue)
            if let d = l.thresholdRatio?.maximum {
                out.append(CriterionValue(criterion: id + ".damageThreshold", ratio: k.ligamentStrain * max(0, d) / ligamentDamageThresholdFraction,
                                          marginFraction: 1 - ligamentDamageThresholdFraction))
            }
            if let f = l.failureRatio?.maximum {
                out.append(CriterionValue(criterion: id + ".failureForce", ratio: k.ligamentForce * max(0, f) / ligamentFailureForceFraction,
                                          marginFraction: 1 - ligamentFailureForceFraction))
            }
            laxity = max(laxity, l.laxity.maximum ?? 0)
        }
        out.append(CriterionValue(criterion: "laxity", ratio: Self.ratio(laxity, maxAccumulatedLaxity), marginFraction: 0))
        if let bound = maxDistraction {
            out.append(CriterionValue(criterion: "distraction", ratio: Self.ratio(k.distraction * max(0, r.distraction.maximum ?? 0), bound), marginFraction: 0))
        }
        if let bound = maxFacetForce {
            for f in r.facets {
                let name = String(f.name.map { $0.isLetter || $0.isNumber ? $0 : "-" })
                out.append(CriterionValue(criterion: "facet.\(name).force", ratio: Self.ratio(k.facetForce * max(0, f.force.maximum ?? 0), bound), marginFraction: 0))
            }
        }
        if let bound = maxAnnulusFibreStrain {
            // No factor (refused by validate()) or no annulus strain: +∞, a bound that cannot be checked is not met.
            let ratio = k.annulusFibreStrain.flatMap { f in r.annulusFibreStrain?.strain.maximum.map { Self.ratio(f * max(0, $0), bound) } } ?? .infinity
            out.append(CriterionValue(criterion: "annulusFibreStrain", ratio: ratio, marginFraction: 0))
        }
        return out
    }

    /// `value / bound`; with bound 0, 0 while the value is 0 and `+∞` otherwise.
    static func ratio(_ value: Double, _ bound: Double) -> Double {
        bound > 0 ? value / bound : (value > 0 ? .infinity : 0)
    }
}

/// Factors on the criterion quantities of ``LimitCriteria`` for the discretisation error of the
/// motion segment's mesh: the quantity a mesh computes is multiplied by its factor before it is
/// compared with its bound, so that a limit on a mesh that underestimates a quantity is
/// conservative against the converged mesh. Every factor is ≥ 1 (a factor below 1 would raise a
/// limit). Because every criterion ratio is the quantity over its bound (``LimitCriteria/evaluate(_:)``),
/// a factor multiplies the ratio exactly.
///
/// **The coarse lumbar mesh** (``coarseLumbarAgainstFine``). Measured on the L4-L5 motion segment
/// (``LigamentDataSet/remus2021``, ligaments referenced in the swollen state) pulled on a split
/// table to 50 % of body weight after a 60 s lying preload, coarse (2 × 8 × 2 disc elements)
/// against fine (4 × 24 × 8) mesh (``MotionSegmentValidation/meshConvergenceRows()``):
///
/// | quantity | coarse | fine | fine / coarse |
/// |---|---|---|---|
/// | distraction (mm) | 0.743748 | 0.907366 | 1.2200 |
/// | peak strain ALL | 0.0604911 | 0.0655083 | 1.0829 |
/// | peak strain LF | 0.111095 | 0.133582 | 1.2024 |
/// | peak strain ISL | 0.116408 | 0.14437 | 1.2402 |
/// | peak strain SSL | 0.189217 | 0.219003 | 1.1574 |
/// | peak strain ITL left | 0.0352214 | 0.0500295 | 1.4204 |
/// | peak strain ITL right | 0.0353664 | 0.049818 | 1.4086 |
///
/// (PLL and CL are in compression there and bear no tensile criterion; they are left out.)
/// - ``ligamentStrain`` = the worst ratio over the tensile ligaments: ITL left, 0.0500295 / 0.0352214 = 1.4204.
/// - ``distraction`` = 0.907366 / 0.743748 = 1.2200.
/// - ``ligamentForce``: the table gives strains, and a ligament's force is a convex function of its
///   strain, so a strain that is low by a factor `k` gives a force low by *more* than `k` (up to
///   `k²` in the quadratic toe of the toe–linear law). The factor is the worst over the tensile
///   ligaments and both shipped data sets of `F(ε_fine) / F(ε_coarse)`, each law's elastic force
///   (``Biomechanics/LigamentLaw/elasticForce(strain:)``, L4-L5 constants) at the table's strains:
///   ITL of ``LigamentDataSet/remus2021``, still in its quadratic toe (transition 0.10), gives
///   (0.0500295 / 0.0352214)² = 2.0176. For the toe–linear law `F(kε)/F(ε) ≤ k²` at every strain, so
///   the factor bounds that law for any load at which the strains are low by no more than the
///   table says; the table itself was measured at one load (50 % of body weight), and how the
///   mesh error changes with the load was not measured. One factor serves every ligament, the
///   worst: the ALL, which governs most limits, is only 8 % low on the coarse mesh, so its
///   limits are conservative by much more than its own error (per-ligament factors would be
///   tighter and still safe).
/// - ``facetForce`` = 1: the table has no facet force (no measurement, so no factor is claimed;
///   the facet criterion is off by default).
/// - ``annulusFibreStrain`` = nil (**not measured**): the peak annulus fibre strain is a point
///   value of a field whose resolution changes with the mesh, while the ligament strains follow
///   the vertebra's motion, so the ligament strain factor is not borrowed for it; the coarse/fine
///   comparison (`spinetraction verify --mesh-convergence` now has a "peak annulus fibre strain"
///   row) was not run in time. With no factor a bound on the annulus fibre strain is refused on
///   the coarse mesh (``LimitCriteria/validate()``): set a measured factor, or search on the
///   standard mesh.
/// - The accumulated laxity is not multiplied: it is not proportional to a strain (it integrates
///   excursions above the damage threshold), and with its default bound 0 its ratio is 0 or `+∞`.
///
/// **The standard mesh** is within 2.4 % of the fine mesh in every tensile strain but the ITL's
/// (3.7 %) and 1.7 % in distraction: it uses ``none`` (factor 1; the annulus fibre strain's
/// convergence on it was not measured either), as does the cervical segment, whose mesh
/// convergence has not been measured.
public struct DiscretisationFactors: Sendable, Equatable {
    /// Factor on every ligament's peak strain (the damage-threshold criterion; dimensionless, ≥ 1).
    public var ligamentStrain: Double
    /// Factor on every ligament's peak force (the failure-force criterion; dimensionless, ≥ 1).
    public var ligamentForce: Double
    /// Factor on the peak distraction (dimensionless, ≥ 1).
    public var distraction: Double
    /// Factor on each facet's peak contact force (dimensionless, ≥ 1).
    public var facetForce: Double
    /// Factor on the peak annulus fibre strain (dimensionless, ≥ 1); nil when it has not been
    /// measured for the mesh (a bound on the annulus fibre strain is then refused).
    public var annulusFibreStrain: Double?

    /// Factors as given (each checked by ``validate()``).
    public init(ligamentStrain: Double, ligamentForce: Double, distraction: Double, facetForce: Double, annulusFibreStrain: Double?) {
        self.ligamentStrain = ligamentStrain; self.ligamentForce = ligamentForce
        self.distraction = distraction; self.facetForce = facetForce; self.annulusFibreStrain = annulusFibreStrain
    }

    /// Every factor 1: the quantities as computed.
    public static let none = DiscretisationFactors(ligamentStrain: 1, ligamentForce: 1, distraction: 1, facetForce: 1, annulusFibreStrain: 1)

    /// Peak tensile ligament strains (dimensionless) of the coarse and the fine lumbar mesh in the
    /// measurement of the type's discussion, by ligament name.
    public static let measuredPeakStrains: [(ligament: String, coarse: Double, fine: Double)] = [
        ("ALL", 0.0604911, 0.0655083), ("LF", 0.111095, 0.133582), ("ISL", 0.116408, 0.14437), ("SSL", 0.189217, 0.219003),
        ("ITL left", 0.0352214, 0.0500295), ("ITL right", 0.0353664, 0.049818),
    ]
    /// Distraction (mm) of the coarse and the fine lumbar mesh in the same measurement.
    public static let measuredDistraction = (coarse: 0.743748, fine: 0.907366)

    /// The coarse lumbar mesh against the fine one (see the type's discussion): strain 1.4204,
    /// force 2.0176, distraction 1.2200, facet force 1, annulus fibre strain not measured (nil).
    public static let coarseLumbarAgainstFine: DiscretisationFactors = {
        let strain = measuredPeakStrains.map { $0.fine / $0.coarse }.max()!
        var force = strain
        for set in [LigamentDataSet.remus2021, .goelBilinear] {
            for m in measuredPeakStrains {
                let type = LigamentType(rawValue: String(m.ligament.prefix { $0 != " " }))!
                force = max(force, elasticForceRatio(set[.l4l5, type], fine: m.fine, coarse: m.coarse))
            }
        }
        return DiscretisationFactors(ligamentStrain: strain, ligamentForce: force,
                                     distraction: measuredDistraction.fine / measuredDistraction.coarse, facetForce: 1,
                                     annulusFibreStrain: nil)
    }()

    /// `F(fine) / F(coarse)` of a ligament's elastic force (``Biomechanics/LigamentLaw/elasticForce(strain:)``,
    /// per spring: the spring count cancels); `+∞` for a missing or invalid law, so that the
    /// factor is refused by ``validate()`` rather than left out.
    static func elasticForceRatio(_ p: LigamentProperties?, fine: Double, coarse: Double) -> Double {
        guard let p, let law = try? LigamentLaw(stiffness: p.stiffnessPerSpring, curve: p.curve) else { return .infinity }
        return law.elasticForce(strain: fine).force / law.elasticForce(strain: coarse).force
    }

    /// The factors of a lumbar motion segment on `mesh`: ``coarseLumbarAgainstFine`` for the
    /// coarse mesh, ``none`` for the standard one (converged to 2.5 %).
    public static func forMesh(_ mesh: DefaultDiscModel.MeshLevel) -> DiscretisationFactors {
        mesh == .coarse ? coarseLumbarAgainstFine : none
    }

    /// Checks every factor.
    /// - Throws: ``LimitSearchError/invalidParameter(field:value:expected:)`` naming it.
    public func validate() throws(LimitSearchError) {
        for (name, v) in [("ligamentStrain", ligamentStrain), ("ligamentForce", ligamentForce), ("distraction", distraction), ("facetForce", facetForce),
                          ("annulusFibreStrain", annulusFibreStrain ?? 1)]
        where !(v.isFinite && v >= 1) {
            throw .invalidParameter(field: "criteria.discretisation.\(name)", value: v,
                                    expected: "a finite factor ≥ 1 (a factor below 1 would raise a limit above what the mesh computes)")
        }
    }
}
