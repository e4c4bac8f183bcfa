import Biomechanics

/// Factors on the criterion quantities of ``LimitCriteria`` for the discretisation error of the
/// motion segment's mesh: the quantity a mesh computes is multiplied by its factor before it is
/// compared with its bound, so that a limit on a mesh that underestimates a quantity is
/// conservative against the converged mesh. Every factor is ≥ 1 (a factor below 1 would raise a
/// limit). Because every criterion ratio is the quantity over its bound (``LimitCriteria/evaluate(_:)``),
/// a factor multiplies the ratio exactly. The ligament factors are **per ligament type**: each
/// ligament's criteria are scaled by its own mesh error, not by the worst one.
///
/// **The measurement** (``measurements``, ``MotionSegmentValidation/meshConvergenceRows(pullBodyWeightFractions:)``).
/// The L4-L5 motion segment (``LigamentDataSet/remus2021``, ligaments referenced in the swollen
/// state) lying 60 s under its 17 N preload, then pulled on a split table to 50 % and, in a second
/// run, to 100 % of body weight over 30 s, on the coarse (2 × 8 × 2 disc elements), standard
/// (2 × 16 × 6) and fine (4 × 24 × 8) mesh. Two pulls, because the limits lie between about half
/// and once the body weight and the mesh error changes with the load; the factor of a quantity is
/// the worst (largest) fine / mesh ratio over both pulls and both sides.
///
/// **Factors of a mesh** (``lumbar(_:)``):
/// - ligament strain, per type: the largest fine / mesh peak-strain ratio of that type's tensile
///   bundles (the ITL's and CL's left and right) over both pulls, at least 1.
/// - ligament force, per type: the largest of its strain factor and, over both shipped data sets
///   (``LigamentDataSet/remus2021``, ``LigamentDataSet/goelBilinear``), both pulls and both sides,
///   `F(ε_fine) / F(ε_mesh)` of the law's elastic force (``Biomechanics/LigamentLaw/elasticForce(strain:)``,
///   L4-L5 constants). A ligament's force is a convex function of its strain, so a strain low by
///   `k` gives a force low by more than `k` (up to `k²` in the quadratic toe of the toe–linear
///   law): the strain ratio alone would not be safe.
/// - Ligament types without a usable tensile measurement take the worst strain and force factor of
///   the measured types (conservative: they bear no tensile criterion under an axial pull, but may
///   under a flexed pull): the capsular ligaments (in compression at both pulls) and, on the coarse
///   mesh, the PLL. The PLL is in compression at 50 % of body weight; at 100 % it is just taut on
///   the coarse mesh (strain 0.0009) and at 0.0263 on the fine one, a ratio of 29 that no factor
///   on an almost-zero strain can represent (``slackFraction``). Its fine-mesh force there is
///   about 2 N (remus2021) and 4 N (goelBilinear), 1–2 % of its criterion bound (half of 384 N),
///   so it cannot govern within the measured loads; a flexed pull, which stretches the PLL, is
///   not covered. On the standard mesh the PLL's own ratio at 100 % (1.13) is used.
/// - distraction: fine / mesh over both pulls, at least 1.
/// - annulus fibre strain (the peak over every annulus integration point, engineering `λ − 1`):
///   fine / mesh over both pulls, at least 1. The coarse mesh **over**estimates it (0.0579 and
///   0.1053 against the fine mesh's 0.0448 and 0.0842: +29 %, +25 %), so its factor is 1; the
///   standard mesh underestimates it by 7 % and 5 % (factor 1.0769). The convergence is not
///   monotone (coarse high, standard low): a point peak of a field, resolved differently by each
///   mesh, so the fine mesh's value is the reference, not a proven converged one.
/// - facet force 1: no facet force was measured, so no factor is claimed (the facet criterion is
///   off by default).
/// - The accumulated laxity is not multiplied: it is not proportional to a strain (it integrates
///   excursions above the damage threshold), and with its default bound 0 its ratio is 0 or `+∞`.
///
/// What is not covered: the measurement is a ramp without a hold (the limit protocols hold and
/// cycle; creep under the hold was not compared between meshes) and one patient (the Wilke
/// subject, 70 kg, grade II disc). The cervical segment has its own measurement and factors
/// (``cervicalMeasurements``, ``cervical(_:)``): its limit protocol through the first hold, so
/// there the hold's creep is compared.
public struct DiscretisationFactors: Sendable, Equatable {
    /// Factor on each ligament type's peak strain (the damage-threshold criterion; dimensionless,
    /// ≥ 1); ``validate()`` requires every ``LigamentType``.
    public var ligamentStrain: [LigamentType: Double]
    /// Factor on each ligament type's peak force (the failure-force criterion; dimensionless, ≥ 1);
    /// ``validate()`` requires every ``LigamentType``.
    public var ligamentForce: [LigamentType: Double]
    /// Factor on the peak distraction (dimensionless, ≥ 1).
    public var distraction: Double
    /// Factor on each facet's peak contact force (dimensionless, ≥ 1).
    public var facetForce: Double
    /// Factor on the peak annulus fibre strain (dimensionless, ≥ 1); nil when it has not been
    /// measured for the mesh (a bound on the annulus fibre strain is then refused by
    /// ``LimitCriteria/validate()``).
    public var annulusFibreStrain: Double?

    /// Factors as given (each checked by ``validate()``).
    public init(ligamentStrain: [LigamentType: Double], ligamentForce: [LigamentType: Double], distraction: Double, facetForce: Double,
                annulusFibreStrain: Double?) {
        self.ligamentStrain = ligamentStrain; self.ligamentForce = ligamentForce
        self.distraction = distraction; self.facetForce = facetForce; self.annulusFibreStrain = annulusFibreStrain
    }

    /// The same strain and force factor for every ligament type (dimensionless, each ≥ 1).
    public static func uniform(ligamentStrain: Double, ligamentForce: Double, distraction: Double, facetForce: Double,
                               annulusFibreStrain: Double?) -> DiscretisationFactors {
        DiscretisationFactors(ligamentStrain: Dictionary(uniqueKeysWithValues: LigamentType.allCases.map { ($0, ligamentStrain) }),
                              ligamentForce: Dictionary(uniqueKeysWithValues: LigamentType.allCases.map { ($0, ligamentForce) }),
                              distraction: distraction, facetForce: facetForce, annulusFibreStrain: annulusFibreStrain)
    }

    /// Every factor 1: the quantities as computed.
    public static let none = uniform(ligamentStrain: 1, ligamentForce: 1, distraction: 1, facetForce: 1, annulusFibreStrain: 1)

    /// One pull of the mesh-convergence measurement (see the type's discussion): the peak
    /// tensile ligament strains (dimensionless) and the distraction (mm) of each mesh.
    public struct Measurement: Sendable {
        /// Peak pull (fraction of body weight).
        public var pullBodyWeightFraction: Double
        /// Peak strain of each tensile bundle: its name (`"ALL"`, `"ITL left"`, …), coarse, standard, fine.
        public var peakStrains: [(ligament: String, coarse: Double, standard: Double, fine: Double)]
        /// Distraction at the end of the pull (mm): coarse, standard, fine.
        public var distraction: (coarse: Double, standard: Double, fine: Double)
        /// Peak annulus fibre strain (engineering, dimensionless): coarse, standard, fine; nil
        /// where it was not measured.
        public var annulusFibreStrain: (coarse: Double, standard: Double, fine: Double)?

        /// The value of `mesh` in a (coarse, standard, fine) triple.
        static func value(_ v: (coarse: Double, standard: Double, fine: Double), _ mesh: DefaultDiscModel.MeshLevel) -> Double {
            mesh == .coarse ? v.coarse : v.standard
        }
    }

    /// The measurement (`spinetraction verify --mesh-convergence`, release; Benchmarks/results/motion-segment.md).
    /// The capsular ligaments were in compression at both pulls, the PLL at 50 % of body weight:
    /// those entries are left out.
    public static let measurements: [Measurement] = [
        Measurement(pullBodyWeightFraction: 0.5, peakStrains: [
            ("ALL", 0.0604911, 0.0648642, 0.0655083), ("LF", 0.111095, 0.130781, 0.133582), ("ISL", 0.116408, 0.140865, 0.14437),
            ("SSL", 0.189217, 0.215269, 0.219003), ("ITL left", 0.0352214, 0.0481981, 0.0500295), ("ITL right", 0.0353664, 0.0480179, 0.049818),
        ], distraction: (0.743748, 0.891635, 0.907366), annulusFibreStrain: (0.0579428, 0.0416294, 0.0448305)),
        Measurement(pullBodyWeightFraction: 1.0, peakStrains: [
            ("ALL", 0.0839569, 0.0929359, 0.0940512), ("PLL", 0.000914215, 0.0232024, 0.0262821), ("LF", 0.176797, 0.20728, 0.211605),
            ("ISL", 0.195344, 0.231789, 0.237126), ("SSL", 0.273301, 0.312123, 0.317808), ("ITL left", 0.079541, 0.100792, 0.103639),
            ("ITL right", 0.0803262, 0.100435, 0.103295),
        ], distraction: (1.30512, 1.55813, 1.58627), annulusFibreStrain: (0.105346, 0.0795721, 0.0841974)),
    ]

    /// The factors of the lumbar motion segment on `mesh` against the fine mesh (see the type's
    /// discussion). Coarse, strain / force: ALL 1.1202 / 1.2296, LF 1.2024 / 1.3402, ISL 1.2402 /
    /// 1.3059, SSL 1.1628 / 1.3295, ITL 1.4204 / 2.0176, PLL and CL the worst (1.4204 / 2.0176);
    /// distraction 1.2200. Standard: ALL 1.0120 / 1.0211, PLL 1.1327 / 1.2831, LF 1.0214 / 1.0327,
    /// ISL 1.0249 / 1.0303, SSL 1.0182 / 1.0324, ITL 1.0380 / 1.0774, CL the worst (1.1327 /
    /// 1.2831); distraction 1.0181. Annulus fibre strain: coarse 1, standard 1.0769.
    public static func lumbar(_ mesh: DefaultDiscModel.MeshLevel) -> DiscretisationFactors {
        var entries: [Entry] = [], distraction: [Double] = [], annulus: [Double] = []
        for m in measurements {
            distraction.append(m.distraction.fine / Measurement.value(m.distraction, mesh))
            if let a = m.annulusFibreStrain { annulus.append(a.fine / Measurement.value(a, mesh)) }
            for s in m.peakStrains {
                let type = LigamentType(rawValue: String(s.ligament.prefix { $0 != " " }))!
                let mine = Measurement.value((s.coarse, s.standard, s.fine), mesh)
                guard mine >= slackFraction * s.fine else { continue }   // slack on this mesh: no factor represents it
                let laws = [LigamentDataSet.remus2021, .goelBilinear].map { elasticForceRatio($0[.l4l5, type], fine: s.fine, mesh: mine) }
                entries.append(Entry(type: type, strainRatio: s.fine / mine, forceRatio: laws.max()!))
            }
        }
        return factors(entries, distractionRatios: distraction,
                       annulusFibreStrainRatios: annulus.count == measurements.count ? annulus : nil)
    }

    /// One usable fine / mesh comparison of a ligament bundle.
    struct Entry {
        var type: LigamentType
        /// Fine / mesh peak strain (dimensionless).
        var strainRatio: Double
        /// Fine / mesh peak force (dimensionless; measured, or from the laws at the two strains).
        var forceRatio: Double
    }

    /// The factors from usable comparisons: per type the worst strain ratio and the worst of its
    /// force and strain ratios, at least 1; types without an entry the worst of all types;
    /// distraction the worst ratio, at least 1; facet force 1; the annulus fibre strain the worst
    /// ratio, at least 1, or nil when not measured at every pull.
    static func factors(_ entries: [Entry], distractionRatios: [Double], annulusFibreStrainRatios: [Double]?) -> DiscretisationFactors {
        var strain: [LigamentType: Double] = [:], force: [LigamentType: Double] = [:]
        for e in entries {
            strain[e.type] = max(strain[e.type] ?? 1, e.strainRatio)
            force[e.type] = max(force[e.type] ?? 1, e.strainRatio, e.forceRatio)
        }
        let worstStrain = strain.values.max() ?? .infinity, worstForce = force.values.max() ?? .infinity
        for type in LigamentType.allCases where strain[type] == nil {
            strain[type] = worstStrain
            force[type] = worstForce
        }
        return DiscretisationFactors(ligamentStrain: strain, ligamentForce: force,
                                     distraction: distractionRatios.reduce(1, max), facetForce: 1,
                                     annulusFibreStrain: annulusFibreStrainRatios.map { $0.reduce(1, max) })
    }

    /// One pull of the cervical mesh-convergence measurement
    /// (``CervicalValidation/limitProtocolMeshConvergenceRows(pulls:)``): the peak strain
    /// (dimensionless) and peak total force (N) of each ligament bundle, the peak distraction (mm)
    /// and the peak annulus fibre strain (dimensionless) through the first hold of the cervical
    /// limit protocol, on the coarse, standard and fine mesh.
    public struct CervicalMeasurement: Sendable {
        /// Halter pull (N).
        public var pull: Double
        /// Each bundle: its name (`"ALL"`, `"CL left"`, …), peak strain and peak force (N): coarse, standard, fine.
        public var ligaments: [(ligament: String, strain: (coarse: Double, standard: Double, fine: Double),
                                force: (coarse: Double, standard: Double, fine: Double))]
        /// Peak distraction (mm): coarse, standard, fine.
        public var distraction: (coarse: Double, standard: Double, fine: Double)
        /// Peak annulus fibre strain (engineering, dimensionless): coarse, standard, fine.
        public var annulusFibreStrain: (coarse: Double, standard: Double, fine: Double)
    }

    /// The cervical measurement (`spinetraction verify --mesh-convergence --mesh-convergence-region
    /// cervical`, release; Benchmarks/results/limits.md): C5-C6, 70 kg, 175 cm, grade II disc,
    /// ``CervicalLigamentDataSet/yoganandan2000``, the limit protocol's defaults (supine, 20° of
    /// flexion, 5 s logarithmic ramp, 30 s hold) at 50, 80 and 150 N of halter pull. Re-measured
    /// in session 12 with the uncovertebral joints of Kumaresan et al. 1997
    /// (``CervicalLevelGeometry/uncovertebralJointDepth``), which carry load under the pull's
    /// flexion moment (branch h20ar at a05333a + the geometry change, 18:15–18:55 UTC, load up to
    /// 6.5, 40 min for `verify --quick` with the nine runs); the fine mesh's values at 50 N and
    /// the PLL, CL, distraction and annulus values at 50 N on every mesh are unchanged to all
    /// digits. (First measured at main 710c4a4, 12:18–12:27 UTC, with 45° × 3 mm joints.) The ALL
    /// is in compression throughout under the flexed pull (its peak, 0, is the swollen reference
    /// state); the peak distraction is the freely swollen state's at every pull (the pull's
    /// flexion lowers the endplate's centre).
    public static let cervicalMeasurements: [CervicalMeasurement] = [
        CervicalMeasurement(pull: 50, ligaments: [
            ("ALL", (0, 0, 0), (0, 0, 0)),
            ("PLL", (0.0155154437, 0.0157468666, 0.0160003653), (0.493862671, 0.508378771, 0.524883728)),
            ("LF", (0.148831829, 0.148444048, 0.148052344), (22.8269041, 22.7338584, 22.6433297)),
            ("ISL", (0.357698327, 0.352151814, 0.348586731), (13.5135953, 13.3118836, 13.1788347)),
            ("CL left", (0.152496155, 0.153555687, 0.153897275), (26.0615475, 26.3207774, 26.4072654)),
            ("CL right", (0.151153923, 0.151920865, 0.152241081), (25.7483442, 25.9458347, 26.0271721)),
        ], distraction: (0.107666136, 0.124014376, 0.120121986), annulusFibreStrain: (0.0393514012, 0.0308279743, 0.0350801592)),
        CervicalMeasurement(pull: 80, ligaments: [
            ("ALL", (0, 0, 0), (0, 0, 0)),
            ("PLL", (0.0254095315, 0.0256127096, 0.0258219891), (1.32306181, 1.34334556, 1.36543221)),
            ("LF", (0.210037911, 0.209401189, 0.208887468), (36.8729469, 36.7203117, 36.6202916)),
            ("ISL", (0.492331205, 0.484358828, 0.480425635), (19.8972468, 19.6047498, 19.4578741)),
            ("CL left", (0.220495471, 0.222436295, 0.222392338), (43.252256, 43.7030624, 43.714575)),
            ("CL right", (0.216750724, 0.21779795, 0.218184214), (42.4369121, 42.705302, 42.8032256)),
        ], distraction: (0.107666136, 0.124014376, 0.120121986), annulusFibreStrain: (0.055126338, 0.0420350986, 0.0478576169)),
        CervicalMeasurement(pull: 150, ligaments: [
            ("ALL", (0, 0, 0), (0, 0, 0)),
            ("PLL", (0.0516966255, 0.0518441982, 0.052014433), (5.4003917, 5.41426726, 5.44683578)),
            ("LF", (0.346836094, 0.346949099, 0.346798776), (68.5074168, 68.415617, 68.3347857)),
            ("ISL", (0.771981266, 0.768375443, 0.765983331), (33.471516, 33.3353634, 33.2436596)),
            ("CL left", (0.38394354, 0.388813437, 0.38982504), (84.6408542, 85.7761004, 86.0099179)),
            ("CL right", (0.368681634, 0.364783669, 0.363475464), (81.0035542, 79.8577226, 79.4637195)),
        ], distraction: (0.107666136, 0.124014376, 0.120121986), annulusFibreStrain: (0.0859352845, 0.067711217, 0.0777296308)),
    ]

    /// The factors of the cervical motion segment on `mesh` against the fine mesh
    /// (``cervicalMeasurements``), built as ``lumbar(_:)`` builds the lumbar ones, except that the
    /// force ratio is the measured one (one shipped cervical data set; the measured peak force of
    /// a bundle is its law's force at its peak strain): per ligament type the worst fine / mesh
    /// peak-strain ratio over both pulls and sides, its force factor the worst of that and the
    /// fine / mesh peak-force ratio, at least 1; bundles in compression on the fine mesh and
    /// bundles slack on the mesh (``slackFraction``) left out; types without a usable bundle
    /// (the SSL and ITL, which a cervical level does not have, and any left out) the worst; the
    /// distraction and the annulus fibre strain the worst fine / mesh ratio, at least 1; facet
    /// force 1.
    ///
    /// The cervical segment's ligament strains are set by the vertebra's rotation under the
    /// pull's flexion moment more than by the disc's compliance, so the coarse mesh is close:
    /// coarse, strain / force: PLL 1.0313 / 1.0628, LF 1 / 1, ISL 1 / 1 (the coarse mesh
    /// overestimates it by 0.8–2.6 % at every pull), CL 1.0153 / 1.0162, ALL, SSL and ITL the worst
    /// (1.0313 / 1.0628); distraction 1.1157; annulus fibre strain 1 (overestimated by 11–15 %).
    /// Standard: PLL 1.0161 / 1.0325, LF 1 / 1, ISL 1 / 1, CL 1.0026 / 1.0033, the rest the worst;
    /// distraction 1 (the standard mesh is 3 % high); annulus fibre strain 1.1480. Pulls above
    /// 150 N are not covered by the measurement.
    public static func cervical(_ mesh: DefaultDiscModel.MeshLevel) -> DiscretisationFactors {
        var entries: [Entry] = [], distraction: [Double] = [], annulus: [Double] = []
        for m in cervicalMeasurements {
            distraction.append(m.distraction.fine / Measurement.value(m.distraction, mesh))
            annulus.append(m.annulusFibreStrain.fine / Measurement.value(m.annulusFibreStrain, mesh))
            for l in m.ligaments {
                let type = LigamentType(rawValue: String(l.ligament.prefix { $0 != " " }))!
                let mine = Measurement.value(l.strain, mesh), mineForce = Measurement.value(l.force, mesh)
                guard l.strain.fine > 0, mine >= slackFraction * l.strain.fine, mineForce > 0 else { continue }
                entries.append(Entry(type: type, strainRatio: l.strain.fine / mine, forceRatio: l.force.fine / mineForce))
            }
        }
        return factors(entries, distractionRatios: distraction, annulusFibreStrainRatios: annulus)
    }

    /// The coarse cervical mesh against the fine one (``cervical(_:)``).
    public static let coarseCervicalAgainstFine = cervical(.coarse)
    /// The standard cervical mesh against the fine one (``cervical(_:)``).
    public static let standardCervicalAgainstFine = cervical(.standard)

    /// The factors of a cervical motion segment on `mesh` (``cervical(_:)``).
    public static func forCervicalMesh(_ mesh: DefaultDiscModel.MeshLevel) -> DiscretisationFactors {
        mesh == .coarse ? coarseCervicalAgainstFine : standardCervicalAgainstFine
    }

    /// A bundle whose strain on the mesh is below this fraction of the fine mesh's (dimensionless)
    /// is slack on the mesh where it is taut on the fine one: no factor on the mesh's value can
    /// represent it, and the entry is left out of ``lumbar(_:)`` (see the type's discussion).
    public static let slackFraction = 0.1

    /// The coarse lumbar mesh against the fine one (``lumbar(_:)``).
    public static let coarseLumbarAgainstFine = lumbar(.coarse)
    /// The standard lumbar mesh against the fine one (``lumbar(_:)``).
    public static let standardLumbarAgainstFine = lumbar(.standard)

    /// `F(fine) / F(mesh)` of a ligament's elastic force (``Biomechanics/LigamentLaw/elasticForce(strain:)``,
    /// per spring: the spring count cancels); `+∞` for a missing or invalid law, so that the
    /// factor is refused by ``validate()`` rather than left out.
    static func elasticForceRatio(_ p: LigamentProperties?, fine: Double, mesh: Double) -> Double {
        guard let p, let law = try? LigamentLaw(stiffness: p.stiffnessPerSpring, curve: p.curve) else { return .infinity }
        return law.elasticForce(strain: fine).force / law.elasticForce(strain: mesh).force
    }

    /// The factors of a lumbar motion segment on `mesh` (``lumbar(_:)``).
    public static func forMesh(_ mesh: DefaultDiscModel.MeshLevel) -> DiscretisationFactors {
        mesh == .coarse ? coarseLumbarAgainstFine : standardLumbarAgainstFine
    }

    /// The strain factor of a ligament type; `+∞` when missing (``validate()`` refuses that first).
    public func strainFactor(_ type: LigamentType) -> Double { ligamentStrain[type] ?? .infinity }
    /// The force factor of a ligament type; `+∞` when missing (``validate()`` refuses that first).
    public func forceFactor(_ type: LigamentType) -> Double { ligamentForce[type] ?? .infinity }

    /// Checks every factor: finite, ≥ 1, one for every ligament type.
    /// - Throws: ``LimitSearchError/invalidParameter(field:value:expected:)`` naming it.
    public func validate() throws(LimitSearchError) {
        let expected = "a finite factor ≥ 1 (a factor below 1 would raise a limit above what the mesh computes)"
        for (name, table) in [("ligamentStrain", ligamentStrain), ("ligamentForce", ligamentForce)] {
            for type in LigamentType.allCases {
                guard let v = table[type] else {
                    throw .invalidParameter(field: "criteria.discretisation.\(name).\(type.rawValue)", value: .nan, expected: "a factor for every ligament type (missing)")
                }
                guard v.isFinite, v >= 1 else { throw .invalidParameter(field: "criteria.discretisation.\(name).\(type.rawValue)", value: v, expected: expected) }
            }
        }
        for (name, v) in [("distraction", distraction), ("facetForce", facetForce), ("annulusFibreStrain", annulusFibreStrain ?? 1)] where !(v.isFinite && v >= 1) {
            throw .invalidParameter(field: "criteria.discretisation.\(name)", value: v, expected: expected)
        }
    }
}
