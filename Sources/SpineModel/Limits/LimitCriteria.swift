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
/// **Bone** (``boneYieldStrainFraction``, default 0.5; evaluated only with deformable vertebral
/// bodies, ``Model/makeVertebraeDeformable(_:)``): the largest compressive and tensile principal
/// strain of the bone cells (``MotionSegmentResults/boneStrain``, each cell's volume-averaged
/// strain) ≤ this fraction × the vertebral trabecular yield strain, 0.77 % in compression and
/// 0.70 % in tension (Morgan EF, Keaveny TM 2001, J Biomech 34(5):569–577; yield strain is nearly
/// independent of density within a site, so with a linear core stress over density-dependent
/// strength is the same ratio). The fraction 0.5 is argued as for the ligaments (mean values,
/// repeated loading). The strains are multiplied by ``boneStrainDiscretisation`` first: the
/// peak sits in the cells at the disc's endplate, where bone meets the much softer disc, and it
/// grows as those cells get thinner (a stiffness-mismatch edge, not a converging quantity). A
/// continuum strain of trabecular bone means little within three to five trabeculae of an
/// interface (Harrigan TP, Jasty M, Mann RW, Harris WH 1988, J Biomech 21(4):269–275), so the
/// reference is the strain over cells no thinner than that, and the factor scales a coarser
/// mesh's strain up to it (``DeformableVertebrae/measuredBoneStrainFactor(mesh:layers:height:)``). With
/// the default rigid vertebrae the model computes no bone strain and bone density acts on the
/// limits only through the clinical bone-density factor of the limits builder
/// (`ContraindicationRules.boneDensityForceFactor`), which only lowers them.
///
/// **Disc compaction** (``discCompactionCriterion``, always on, no bound to set): a solve whose
/// time step collapses because the disc's solid reached its solid volume (`J ≤ φ0`: no pore space
/// left, ``SimulationError/stepCollapsed(time:step:cause:detail:)`` with
/// ``StepCollapseCause/solidCompacted(cell:J:solidVolumeFraction:)``) is a crushed disc: the load
/// is inadmissible, exactly like a criterion past its bound. The search records it as the
/// criterion `discCompaction` with the ratio `+∞` (and margin fraction 0: the bound is the crush
/// itself, not a fraction of it), beside every other criterion's value up to the collapse when
/// the solve tracked them (``CervicalLimitSearch/stopsAtFirstViolation``), so the bracket bisects
/// below such a load and the monotonicity check still refuses an admissible load above it. It is
/// a result, not a solver failure to hide: no state exists past the collapse on that load path, so
/// no later peak can be computed, and a load that crushes the disc cannot be allowed whatever
/// those peaks would have been.
///
/// **Mesh discretisation** ``discretisation``: each criterion quantity is multiplied by its
/// ``DiscretisationFactors`` factor before it is compared with its bound, so that a limit computed
/// on a mesh whose responses are low against the converged mesh stays on the safe side. Every
/// ratio is the quantity over its bound, so the factor multiplies the ratio exactly. The default
/// here is ``DiscretisationFactors/none``; ``MotionSegmentLimitSearch`` picks the factors of its
/// mesh (``DiscretisationFactors/forMesh(_:)``).
public struct LimitCriteria: Sendable, Equatable {
    /// The criterion a solve reports when the disc's solid compacted (see the type's discussion).
    public static let discCompactionCriterion = "discCompaction"
    /// `discCompaction` with the ratio `+∞` (margin fraction 0).
    static var discCompacted: CriterionValue { CriterionValue(criterion: discCompactionCriterion, ratio: .infinity, marginFraction: 0) }
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
    /// Allowable fraction of the bone's yield strains (dimensionless, (0, 1]); see the type's discussion.
    public var boneYieldStrainFraction: Double = 0.5
    /// Vertebral trabecular yield strain in compression (dimensionless; Morgan & Keaveny 2001).
    public var boneCompressiveYieldStrain: Double = 0.0077
    /// Vertebral trabecular yield strain in tension (dimensionless; Morgan & Keaveny 2001).
    public var boneTensileYieldStrain: Double = 0.0070
    /// Factor (dimensionless, ≥ 1) on the bone strains for the discretisation error of the
    /// bodies' mesh (see the type's discussion); nil: none given — ``MotionSegmentLimitSearch``
    /// then takes the measured one of its mesh and the bodies' layers
    /// (``DeformableVertebrae/measuredBoneStrainFactor(mesh:layers:height:)``) and refuses bodies
    /// without one; ``evaluate(_:)`` gives the bone criteria `+∞` without a factor (a bound that
    /// cannot be checked is not met).
    public var boneStrainDiscretisation: Double? = nil

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
        for (name, v) in [("criteria.boneYieldStrainFraction", boneYieldStrainFraction)] where !(v.isFinite && v > 0 && v <= 1) {
            throw .invalidParameter(field: name, value: v, expected: "a fraction in (0, 1]")
        }
        for (name, v) in [("criteria.boneCompressiveYieldStrain", boneCompressiveYieldStrain), ("criteria.boneTensileYieldStrain", boneTensileYieldStrain)]
            where !(v.isFinite && v > 0) {
            throw .invalidParameter(field: name, value: v, expected: "a finite yield strain > 0")
        }
        if let k = boneStrainDiscretisation, !(k.isFinite && k >= 1) {
            throw .invalidParameter(field: "criteria.boneStrainDiscretisation", value: k, expected: "a finite factor ≥ 1 (nil: the measured one of the mesh)")
        }
        try discretisation.validate()
        if let e = maxAnnulusFibreStrain, discretisation.annulusFibreStrain == nil {
            throw .invalidParameter(field: "criteria.discretisation.annulusFibreStrain", value: e,
                                    expected: "a measured discretisation factor for the annulus fibre strain on this mesh before a bound on it is used")
        }
    }

    /// Every criterion's value for one run of a motion segment (see the type's discussion), each
    /// quantity multiplied by its ``discretisation`` factor before it is divided by its bound.
    /// Identifiers: `ligament.<ALL|…|CL>[-left|-right].failureForce|damageThreshold`,
    /// `laxity`, `distraction`, `facet.<name>.force`, `annulusFibreStrain`, and with deformable
    /// vertebral bodies `bone.compressiveStrain`, `bone.tensileStrain`. With a
    /// ``maxAnnulusFibreStrain`` but no annulus fibre strain in the results (a disc without
    /// fibres) the annulus criterion's ratio is `+∞`: a bound that cannot be checked is not met.
    public func evaluate(_ r: MotionSegmentResults) -> [CriterionValue] {
        var out: [CriterionValue] = []
        var laxity = 0.0
        let k = discretisation
        for l in r.ligaments {
            let id = "ligament." + l.type.rawValue + (l.side == .midline ? "" : "-" + l.side.rawValue)
            if let d = l.thresholdRatio?.maximum {
                out.append(CriterionValue(criterion: id + ".damageThreshold", ratio: k.strainFactor(l.type) * max(0, d) / ligamentDamageThresholdFraction,
                                          marginFraction: 1 - ligamentDamageThresholdFraction))
            }
            if let f = l.failureRatio?.maximum {
                out.append(CriterionValue(criterion: id + ".failureForce", ratio: k.forceFactor(l.type) * max(0, f) / ligamentFailureForceFraction,
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
        if let bone = r.boneStrain {
            for (id, series, yield) in [("bone.compressiveStrain", bone.compressive, boneCompressiveYieldStrain),
                                        ("bone.tensileStrain", bone.tensile, boneTensileYieldStrain)] {
                let ratio = boneStrainDiscretisation.map { Self.ratio($0 * max(0, series.maximum ?? 0), boneYieldStrainFraction * yield) } ?? .infinity
                out.append(CriterionValue(criterion: id, ratio: ratio, marginFraction: 1 - boneYieldStrainFraction))
            }
        }
        return out
    }

    /// `value / bound`; with bound 0, 0 while the value is 0 and `+∞` otherwise.
    static func ratio(_ value: Double, _ bound: Double) -> Double {
        bound > 0 ? value / bound : (value > 0 ? .infinity : 0)
    }
}
