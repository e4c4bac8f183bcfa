import Biomechanics
import Foundation
import Testing
import TractionSafety
@testable import SpineModel

/// The mesh-discretisation factors of the limit criteria (against the measured coarse/fine table
/// and the ligament laws' closed forms, and applied exactly on the exact and the surrogate path)
/// and the peak force of the protocol searches (each cap governing in turn, independent of the
/// T-score and the conditions).
@Suite("Limits: mesh-discretisation factors and the protocol searches' peak force")
struct LimitDiscretisationTests {
    static func series(_ v: [Double]) -> TimeSeries { TimeSeries(name: "s", quantity: "q", unit: "1", components: ["value"], values: v.map { [$0] }) }

    /// The per-ligament factors are the measured table's ratios (``DiscretisationFactors/measurements``,
    /// two pulls, 50 % and 100 % of body weight), to a relative 1e-12: strain of a type = its worst
    /// fine / mesh ratio over both pulls and sides (at least 1), leaving out an entry slack on the
    /// mesh (below 0.1 × the fine strain: the coarse PLL at 100 %); distraction likewise. Force
    /// factors by hand from the laws' closed forms: the ITL stays in the quadratic toe of the
    /// remus2021 law (F = k ε² / (2 ε_t), ε_t = 0.10 above every ITL strain) and is linear in the
    /// goelBilinear law below its transition (0.18), so its force factor is its strain factor
    /// squared; the coarse ALL's is the remus2021 linear branch at 100 %, (0.0940512 − 0.04) /
    /// (0.0839569 − 0.04) (ε_t = 0.08 at L4-L5). Every force factor is ≥ its strain factor
    /// (convex laws); types without a usable entry (CL; the coarse PLL) take the worst factors;
    /// facet force 1; annulus fibre strain coarse 1 (the coarse mesh overestimates it), standard
    /// 0.0448305 / 0.0416294. The left-out PLL entry's fine-mesh force is below 5 % of its criterion
    /// bound (half of 384 N) in both data sets (the reason it may be left out). The criteria's own
    /// default is factor 1, and a search without criteria gets its mesh's factors.
    @Test func factorsAreTheMeasuredTablesRatios() throws {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * abs(b) }
        let table = DiscretisationFactors.measurements
        #expect(table.map(\.pullBodyWeightFraction) == [0.5, 1.0])
        for mesh in DefaultDiscModel.MeshLevel.allCases {
            let k = DiscretisationFactors.lumbar(mesh)
            func ratios(_ name: String) -> [Double] {
                table.flatMap { m in
                    m.peakStrains.filter { $0.ligament.hasPrefix(name) }.compactMap { e in
                        let mine = mesh == .coarse ? e.coarse : e.standard
                        return mine >= 0.1 * e.fine ? e.fine / mine : nil
                    }
                }
            }
            var measured: [LigamentType] = [.anteriorLongitudinal, .flavum, .interspinous, .supraspinous, .intertransverse]
            if mesh == .standard { measured.append(.posteriorLongitudinal) }
            #expect(ratios("PLL").count == (mesh == .coarse ? 0 : 1))
            for type in measured {
                let r = ratios(type.rawValue)
                #expect(!r.isEmpty)
                #expect(close(k.strainFactor(type), max(1, r.max()!)), "\(mesh) \(type): \(k.strainFactor(type))")
                #expect(k.forceFactor(type) >= k.strainFactor(type))
            }
            let itl = k.strainFactor(.intertransverse)
            #expect(close(k.forceFactor(.intertransverse), itl * itl), "\(mesh) ITL force \(k.forceFactor(.intertransverse))")
            let worstStrain = measured.map(k.strainFactor).max()!, worstForce = measured.map(k.forceFactor).max()!
            for type in LigamentType.allCases where !measured.contains(type) {
                #expect(k.strainFactor(type) == worstStrain && k.forceFactor(type) == worstForce, "\(mesh) \(type)")
            }
            let d = table.map { $0.distraction.fine / (mesh == .coarse ? $0.distraction.coarse : $0.distraction.standard) }
            #expect(close(k.distraction, max(1, d.max()!)))
            #expect(k.facetForce == 1)
            try k.validate()
            #expect(DiscretisationFactors.forMesh(mesh) == k)
        }
        let coarse = DiscretisationFactors.coarseLumbarAgainstFine
        #expect(close(coarse.forceFactor(.anteriorLongitudinal), (0.0940512 - 0.04) / (0.0839569 - 0.04)), "\(coarse.forceFactor(.anteriorLongitudinal))")
        #expect(close(coarse.strainFactor(.intertransverse), 0.0500295 / 0.0352214))
        // The coarse PLL entry left out: its fine-mesh force at 100 % against half its failure force.
        let pll = try #require(table[1].peakStrains.first { $0.ligament == "PLL" })
        #expect(pll.coarse < 0.1 * pll.fine)
        for set in [LigamentDataSet.remus2021, .goelBilinear] {
            let p = try #require(set[.l4l5, .posteriorLongitudinal])
            let law = try LigamentLaw(stiffness: p.stiffnessPerSpring, curve: p.curve)
            let force = Double(p.springCount) * law.elasticForce(strain: pll.fine).force
            #expect(force < 0.05 * 0.5 * 384, "\(set.name): PLL \(force) N")
        }
        // The annulus fibre strain's factor is measured only where the table has it at every pull;
        // without it a bound on it is refused, naming the factor.
        for mesh in DefaultDiscModel.MeshLevel.allCases {
            let k = DiscretisationFactors.lumbar(mesh)
            if let f = k.annulusFibreStrain {
                let r = table.map { m in m.annulusFibreStrain.map { $0.fine / (mesh == .coarse ? $0.coarse : $0.standard) } ?? .nan }
                #expect(close(f, max(1, r.max()!)), "\(mesh) annulus \(f)")
                try LimitCriteria(maxAnnulusFibreStrain: 0.1, discretisation: k).validate()
            }
        }
        // By hand: the coarse mesh overestimates the peak (factor 1), the standard one is 7 % low at 50 %.
        #expect(DiscretisationFactors.coarseLumbarAgainstFine.annulusFibreStrain == 1)
        #expect(DiscretisationFactors.standardLumbarAgainstFine.annulusFibreStrain.map { close($0, 0.0448305 / 0.0416294) } == true)
        var unmeasured = DiscretisationFactors.coarseLumbarAgainstFine
        unmeasured.annulusFibreStrain = nil
        do { try LimitCriteria(maxAnnulusFibreStrain: 0.1, discretisation: unmeasured).validate(); Issue.record("accepted an unmeasured factor") }
        catch let LimitSearchError.invalidParameter(field, _, _) { #expect(field == "criteria.discretisation.annulusFibreStrain") }
        catch { Issue.record("\(error)") }
        #expect(DiscretisationFactors.none.annulusFibreStrain == 1)
        try LimitCriteria(maxAnnulusFibreStrain: 0.1).validate()
        #expect(LimitCriteria().discretisation == .none)
        let p = try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
        #expect(MotionSegmentLimitSearch(patient: p).criteria == LimitCriteria(discretisation: .coarseLumbarAgainstFine))
        #expect(MotionSegmentLimitSearch(patient: p, mesh: .standard).criteria == LimitCriteria(discretisation: .standardLumbarAgainstFine))
        #expect(MotionSegmentLimitSearch(patient: p, criteria: LimitCriteria(maxDistraction: 3)).criteria.discretisation == .none)
    }

    /// The cervical factors are the cervical table's ratios (``DiscretisationFactors/cervicalMeasurements``:
    /// the limit protocol through its hold at 50, 80 and 150 N), to a relative 1e-12, rebuilt here
    /// from the table: per type the worst fine / mesh strain ratio over the pulls and sides (at
    /// least 1) and, for the force, the worst of that and the measured force ratio; bundles in
    /// compression or slack on the fine mesh (the ALL, under a flexed pull) left out, so the ALL,
    /// SSL and ITL (absent at a cervical level) take the worst. By hand: the coarse mesh
    /// overestimates the ISL at every pull (factor 1), the coarse PLL's force is its worst ratio
    /// 0.524883728 / 0.493862671 N (at 50 N), the coarse distraction 0.120121986 / 0.107666136 (the freely swollen state's, at
    /// every pull), and the coarse mesh overestimates the annulus fibre strain (factor 1). The
    /// cervical search gets its mesh's factors unless criteria are given.
    @Test func cervicalFactorsAreTheMeasuredTablesRatios() throws {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * abs(b) }
        let table = DiscretisationFactors.cervicalMeasurements
        #expect(table.map(\.pull) == CervicalValidation.meshConvergencePulls && CervicalValidation.meshConvergencePulls == [50, 80, 150])
        func at(_ v: (coarse: Double, standard: Double, fine: Double), _ mesh: DefaultDiscModel.MeshLevel) -> Double { mesh == .coarse ? v.coarse : v.standard }
        for mesh in DefaultDiscModel.MeshLevel.allCases {
            let k = DiscretisationFactors.cervical(mesh)
            var strain: [LigamentType: Double] = [:], force: [LigamentType: Double] = [:]
            for m in table {
                for l in m.ligaments where l.strain.fine > 0 && at(l.strain, mesh) >= 0.1 * l.strain.fine {
                    let type = try #require(LigamentType(rawValue: String(l.ligament.split(separator: " ")[0])))
                    let r = l.strain.fine / at(l.strain, mesh)
                    strain[type] = max(strain[type] ?? 1, r)
                    force[type] = max(force[type] ?? 1, r, l.force.fine / at(l.force, mesh))
                }
            }
            #expect(Set(strain.keys) == [.posteriorLongitudinal, .flavum, .interspinous, .capsular], "\(mesh): \(strain.keys)")
            for (type, v) in strain {
                #expect(close(k.strainFactor(type), v), "\(mesh) \(type) strain \(k.strainFactor(type)) vs \(v)")
                #expect(close(k.forceFactor(type), force[type]!), "\(mesh) \(type) force \(k.forceFactor(type)) vs \(force[type]!)")
            }
            for type in [LigamentType.anteriorLongitudinal, .supraspinous, .intertransverse] {
                #expect(k.strainFactor(type) == strain.values.max()! && k.forceFactor(type) == force.values.max()!, "\(mesh) \(type)")
            }
            let d = table.map { $0.distraction.fine / at($0.distraction, mesh) }.reduce(1, max)
            let a = table.map { $0.annulusFibreStrain.fine / at($0.annulusFibreStrain, mesh) }.reduce(1, max)
            #expect(close(k.distraction, d) && k.annulusFibreStrain.map { close($0, a) } == true)
            #expect(k.facetForce == 1)
            try k.validate()
            #expect(DiscretisationFactors.forCervicalMesh(mesh) == k)
        }
        let coarse = DiscretisationFactors.coarseCervicalAgainstFine
        #expect(coarse.strainFactor(.interspinous) == 1 && coarse.forceFactor(.interspinous) == 1)
        #expect(close(coarse.forceFactor(.posteriorLongitudinal), 0.524883728 / 0.493862671))
        #expect(close(coarse.distraction, 0.120121986 / 0.107666136))
        #expect(coarse.annulusFibreStrain == 1)
        let p = try Patient(bodyMassKg: 70, heightCm: 175)
        #expect(CervicalLimitSearch(patient: p).criteria == LimitCriteria(discretisation: .coarseCervicalAgainstFine))
        #expect(CervicalLimitSearch(patient: p, mesh: .standard).criteria == LimitCriteria(discretisation: .standardCervicalAgainstFine))
        #expect(CervicalLimitSearch(patient: p, criteria: LimitCriteria(maxDistraction: 3)).criteria.discretisation == .none)
    }

    /// On the exact path (``LimitCriteria/evaluate(_:)`` of a motion segment's results) every
    /// criterion's ratio with factors is its own ligament type's factor × its ratio without, to a
    /// relative 1e-12 (ISL and ITL given different factors): the
    /// failure force (ISL 65 of 130 N), the damage threshold (ISL strain 0.8 of its threshold), the
    /// distraction (2 of 4 mm) and the facet force (30 of 100 N); the laxity is not multiplied.
    /// Factors below 1, infinite or NaN are refused naming the factor.
    @Test func factorsMultiplyEveryRatioExactly() throws {
        let isl = LigamentSeries(type: .interspinous, side: .midline, fibreCount: 1, strain: Self.series([0, 0.1]), force: Self.series([0, 65]),
                                 failureRatio: Self.series([0, 0.5]), thresholdRatio: Self.series([0, 0.8]), laxity: Self.series([0, 0]), failureForce: 130)
        let itl = LigamentSeries(type: .intertransverse, side: .left, fibreCount: 1, strain: Self.series([0, 0.03]), force: Self.series([0, 7]),
                                 failureRatio: Self.series([0, 0.1]), thresholdRatio: nil, laxity: Self.series([0, 0]), failureForce: 70)
        let annulus = AnnulusFibreStrainSeries(strain: Self.series([0.01, 0.06]), locations: [], peakLocation: nil, samplePoints: 1)
        let results = MotionSegmentResults(ligaments: [isl, itl], facets: [FacetSeries(name: "left facet", force: Self.series([0, 30]), gap: Self.series([1, 1]))],
                                           translation: Self.series([0]), rotation: Self.series([0]), discHeightChange: Self.series([0]),
                                           distraction: Self.series([0, 2]), annulusFibreStrain: annulus)
        var k = DiscretisationFactors.uniform(ligamentStrain: 1.1, ligamentForce: 1.2, distraction: 1.21, facetForce: 1.05, annulusFibreStrain: 1.15)
        k.ligamentStrain[.interspinous] = 1.3; k.ligamentForce[.interspinous] = 1.7
        k.ligamentStrain[.intertransverse] = 1.4; k.ligamentForce[.intertransverse] = 1.9
        let plain = LimitCriteria(maxFacetForce: 100, maxAnnulusFibreStrain: 0.08).evaluate(results)
        let scaled = LimitCriteria(maxFacetForce: 100, maxAnnulusFibreStrain: 0.08, discretisation: k).evaluate(results)
        #expect(plain.map(\.criterion) == scaled.map(\.criterion))
        #expect(plain.map(\.criterion) == ["ligament.ISL.damageThreshold", "ligament.ISL.failureForce", "ligament.ITL-left.failureForce", "laxity",
                                           "distraction", "facet.left-facet.force", "annulusFibreStrain"])
        for (a, b) in zip(plain, scaled) {
            let factor: Double
            switch a.criterion {
            case let c where c.hasSuffix(".damageThreshold"): factor = k.strainFactor(c.contains("ISL") ? .interspinous : .intertransverse)
            case let c where c.hasSuffix(".failureForce"): factor = k.forceFactor(c.contains("ISL") ? .interspinous : .intertransverse)
            case "distraction": factor = k.distraction
            case let c where c.hasPrefix("facet."): factor = k.facetForce
            case "annulusFibreStrain": factor = k.annulusFibreStrain!
            default: factor = 1
            }
            #expect(abs(b.ratio - factor * a.ratio) <= 1e-12 * factor * a.ratio, "\(a.criterion)")
            #expect(a.marginFraction == b.marginFraction)
        }
        // The hand values: 0.8 / 0.5, 0.5 / 0.5, 2 / 4, 30 / 100, then × the factor.
        #expect(abs(scaled[0].ratio - 1.3 * 1.6) <= 1e-12 && abs(scaled[1].ratio - 1.7) <= 1e-12 && abs(scaled[2].ratio - 1.9 * 0.2) <= 1e-12)
        #expect(abs(scaled[4].ratio - 1.21 * 0.5) <= 1e-12 && abs(scaled[5].ratio - 1.05 * 0.3) <= 1e-12 && scaled[3].ratio == 0)
        #expect(abs(scaled[6].ratio - 1.15 * 0.06 / 0.08) <= 1e-12)   // peak fibre strain 0.06 of 0.08
        var unmeasured = k
        unmeasured.annulusFibreStrain = nil
        #expect(LimitCriteria(maxAnnulusFibreStrain: 0.08, discretisation: unmeasured).evaluate(results).last?.ratio == .infinity)
        // Without a bound there is no annulus criterion; with one but no fibres, +∞ (unchecked = not met).
        #expect(!LimitCriteria().evaluate(results).contains { $0.criterion == "annulusFibreStrain" })
        var bare = results
        bare.annulusFibreStrain = nil
        #expect(LimitCriteria(maxAnnulusFibreStrain: 0.08).evaluate(bare).last.map { $0.criterion == "annulusFibreStrain" && $0.ratio == .infinity } == true)
        for bad in [0.0, -0.1, .infinity, .nan] {
            do { try LimitCriteria(maxAnnulusFibreStrain: bad).validate(); Issue.record("accepted \(bad)") } catch let LimitSearchError.invalidParameter(field, _, _) {
                #expect(field == "criteria.maxAnnulusFibreStrain")
            } catch { Issue.record("\(error)") }
        }
        for bad in [0.99, .infinity, .nan] {
            var c = LimitCriteria(discretisation: k)
            c.discretisation.ligamentForce[.flavum] = bad
            #expect(throws: LimitSearchError.self) { try c.validate() }
            do { try c.validate() } catch let LimitSearchError.invalidParameter(field, _, _) {
                #expect(field == "criteria.discretisation.ligamentForce.LF")
            } catch { Issue.record("\(error)") }
        }
        var missing = LimitCriteria(discretisation: k)
        missing.discretisation.ligamentStrain[.capsular] = nil
        do { try missing.validate(); Issue.record("a missing ligament type's factor was accepted") } catch let LimitSearchError.invalidParameter(field, _, _) {
            #expect(field == "criteria.discretisation.ligamentStrain.CL")
        } catch { Issue.record("\(error)") }
    }

    /// A one-cell surrogate whose stored ratios are `ratios(F)` with criteria `criteria`.
    static func surrogate(criteria: LimitCriteria, forces: [Double], ratio: (Double) -> Double) throws -> LimitsSurrogate {
        var s = LimitsSurrogateTests.search(try LimitsSurrogateTests.patient(mass: 70))
        s.criteria = criteria
        let digest = try LimitsSurrogate.cellModelDigest(level: .l4l5, grade: .ii, search: s)
        let cell = LimitsSurrogate.Cell(level: .l4l5, grade: .ii, modelDigest: digest, responses: [
            .init(dataSet: "remus2021", forces: forces, criteria: [.init(id: "ligament.ALL.failureForce", marginFraction: 0.5, ratios: forces.map(ratio))])])
        let table = LimitsSurrogateTests.shortTable
        return LimitsSurrogate(libraryVersion: Simulation.libraryVersion, modelDigest: LimitsSurrogate.modelDigest(ofCells: [cell]),
                               protocolFamilyDigest: try LimitsSurrogate.protocolFamilyDigest(table),
                               protocolFamilyDescription: LimitsSurrogate.protocolFamilyDescription(table), mesh: .coarse,
                               ligamentDataSets: ["remus2021"], criteria: criteria, buildRelativeTolerance: 0.005,
                               forceRange: forces.first!...forces.last!, cells: [cell])
    }

    /// On the surrogate path the stored ratios are the factored ones (the build samples
    /// ``LimitCriteria/evaluate(_:)`` of the search's criteria): a response linear in the force,
    /// raw ratio F / 900 N, stored × the coarse ALL force factor gives a limit that brackets
    /// the closed-form root 900 / that factor N to the search's 1 %; the factors round-trip through the
    /// file bit for bit; a surrogate built with other factors (none) is refused for a coarse search
    /// naming `surrogate.criteria`; a file of the previous format, one without the factors, and one
    /// whose per-ligament table names an unknown ligament type are
    /// refused naming the field.
    @Test func surrogatePathUsesTheFactoredRatiosAndRefusesOtherFactors() throws {
        let k = DiscretisationFactors.coarseLumbarAgainstFine
        let forces = [100.0, 300, 500, 700, 900, 1200, 1600]
        let factored = try Self.surrogate(criteria: LimitCriteria(discretisation: k), forces: forces) { k.forceFactor(.anteriorLongitudinal) * $0 / 900 }
        let search = LimitsSurrogateTests.search(try LimitsSurrogateTests.patient(mass: 70))
        #expect(search.criteria.discretisation == k)
        let r = try factored.limit(for: search)
        let root = 900 / k.forceFactor(.anteriorLongitudinal)
        let l = r.perDataSet[0].limit
        #expect(r.limit <= root && root <= l.upperBracket!, "limit \(r.limit) N, root \(root) N")
        #expect(l.relativeBracketWidth <= 0.01)

        let back = try LimitsSurrogate(json: [UInt8](factored.jsonData))
        #expect(back == factored && back.criteria.discretisation == k)

        let unfactored = try Self.surrogate(criteria: LimitCriteria(), forces: forces) { $0 / 900 }
        #expect(LimitsSurrogateTests.field { _ = try unfactored.limit(for: search) } == "surrogate.criteria")

        let text = String(decoding: factored.jsonData, as: UTF8.self)
        #expect(text.contains("\"format\":\"spinetraction.limitsSurrogate-4\"") || text.contains("\"format\": \"spinetraction.limitsSurrogate-4\""))
        let old = text.replacingOccurrences(of: "spinetraction.limitsSurrogate-4", with: "spinetraction.limitsSurrogate-3")
        #expect(LimitsSurrogateTests.field { _ = try LimitsSurrogate(json: Array(old.utf8)) } == "surrogate.format")
        let without = text.replacingOccurrences(of: "\"discretisation\"", with: "\"discretisationX\"")
        #expect(without != text)
        #expect(LimitsSurrogateTests.field { _ = try LimitsSurrogate(json: Array(without.utf8)) } == "surrogate.criteria.discretisationX")
        // A ligament type's factor under another name (the per-ligament table must name exactly every type).
        let renamed = text.replacingOccurrences(of: "\"CL\":", with: "\"CX\":")
        #expect(renamed != text)
        #expect(LimitsSurrogateTests.field { _ = try LimitsSurrogate(json: Array(renamed.utf8)) } == "surrogate.criteria.discretisation.ligamentStrain.CX")
    }

    // MARK: - The protocol searches' peak force

    static func inputs(mass: Double = 70, tScore: Double = 0, conditions: [String] = [], deviceMaxForceN: Double? = nil) throws -> LimitsBuilder.Inputs {
        var i = try LimitsComputation.inputs(patient: LimitsPatient(json: LimitSearchTests.patientFile(mass: mass, tScore: tScore, conditions: conditions)),
                                             session: LimitSearchTests.session, modelLimits: [], modelId: "test",
                                             modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none)
        if let d = deviceMaxForceN { i.device.maxForceN = d }
        return i
    }

    static func model(_ value: Double) -> LimitCandidate {
        LimitCandidate(.maxForceN, value, kind: .modelCriterion, criterion: "model.motionSegment.remus2021.ligament.ALL.failureForce", marginFraction: 0.5)
    }

    /// Each cap governs in turn, against values by hand (70 kg: half body weight
    /// 0.5 × 70 × 9.80665 = 343.23275 N; device 900 N in the session): the model limit 866 N → the
    /// clinical cap 343.23275 N; the model limit 300 N → 300 N (model); a device rated 250 N → 250 N
    /// (device); 120 kg (half body weight 588.399 N) with the model limit 866 N → 588.399 N; a tie
    /// goes to the model. The prescription's soft maximum (300 N) never enters: the controller lets
    /// an acknowledged set-point exceed it up to the hard maximum.
    @Test func peakForceEachCapGoverningInTurn() throws {
        let half = 0.5 * 70 * 9.80665
        var f = LimitsComputation.protocolSearchForce(modelLimit: Self.model(866), inputs: try Self.inputs())
        #expect(abs(f.value - half) <= 1e-12 * half && f.kind == .clinicalRule && f.criterion == "clinical.lumbar.halfBodyWeight")
        f = LimitsComputation.protocolSearchForce(modelLimit: Self.model(300), inputs: try Self.inputs())
        #expect(f == Self.model(300))
        f = LimitsComputation.protocolSearchForce(modelLimit: Self.model(866), inputs: try Self.inputs(deviceMaxForceN: 250))
        #expect(f.value == 250 && f.kind == .deviceRating && f.criterion == "device.TestTable-1.maxForce")
        f = LimitsComputation.protocolSearchForce(modelLimit: Self.model(866), inputs: try Self.inputs(mass: 120))
        #expect(abs(f.value - 0.5 * 120 * 9.80665) <= 1e-12 * f.value && f.kind == .clinicalRule)
        f = LimitsComputation.protocolSearchForce(modelLimit: Self.model(half), inputs: try Self.inputs())
        #expect(f.kind == .modelCriterion)
        // The search a computation runs is at that peak.
        let p = try Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)
        let limit = MotionSegmentForceLimit(patient: p, ceiling: 1373, perDataSet: [DataSetForceLimit(dataSet: "remus2021", limit: try LimitBracketing.largestAdmissibleLoad(ceiling: 1373) { x in
            [CriterionValue(criterion: "ligament.ALL.failureForce", ratio: x / 866, marginFraction: 0.5)] })])
        let s = LimitsComputation.protocolSearch(force: MotionSegmentLimitSearch(patient: p), forceLimit: limit, inputs: try Self.inputs())
        #expect(abs(s.peakTableForce - half) <= 1e-12 * half && s.holdCeiling == 75 && s.cyclesCeiling == 15 && s.rampUpRateCeiling == 50)
    }

    /// A protocol limit records the cap that set its peak: its criterion (and its candidate's) ends
    /// in `.atPeak.<kind>`, its report names the cap's criterion; without one nothing is appended.
    @Test func protocolLimitNamesWhatSetItsPeak() throws {
        let bound = try LimitBracketing.largestAdmissibleLoad(ceiling: 75) { h in [CriterionValue(criterion: "ligament.ALL.failureForce", ratio: h / 64, marginFraction: 0.5)] }
        var hold = ProtocolLimit(quantity: .hold, peakTableForce: 343.23275, ceiling: 75, perDataSet: [DataSetForceLimit(dataSet: "remus2021", limit: bound)])
        #expect(hold.criterion == "model.motionSegment.remus2021.hold.ligament.ALL.failureForce")
        hold.peakSetBy = LimitsComputation.protocolSearchForce(modelLimit: Self.model(866), inputs: try Self.inputs())
        #expect(hold.criterion == "model.motionSegment.remus2021.hold.ligament.ALL.failureForce.atPeak.clinicalRule")
        #expect(hold.candidate?.criterion == hold.criterion && hold.candidate?.value == bound.limit)
        #expect(hold.report.contains("at a peak table force of 343.2 N (set by clinical.lumbar.halfBodyWeight)"))
    }

    /// The peak does not depend on the T-score (2 … −5) or on any relative contraindication or a
    /// grade-1 spondylolisthesis (equal candidate, to the bit), and it is never below the
    /// document's hard maximum force (every force the controller allows is covered by the search).
    @Test func peakForceIgnoresBoneDensityAndConditionsAndCoversTheDocument() throws {
        let reference = LimitsComputation.protocolSearchForce(modelLimit: Self.model(866), inputs: try Self.inputs())
        var variants: [LimitsBuilder.Inputs] = []
        for k in 0...28 { variants.append(try Self.inputs(tScore: 2 - 0.25 * Double(k))) }
        let relative = ["hypermobility", "cardiacInsufficiency", "respiratoryInsufficiency", "uncontrolledHypertension", "hiatalHernia", "claustrophobia"]
        for c in relative { variants.append(try Self.inputs(conditions: [c])) }
        variants.append(try Self.inputs(tScore: -3, conditions: relative))
        var spondy = try Self.inputs()
        spondy.patient.spondylolisthesisGrade = 1
        variants.append(spondy)
        for i in variants {
            let f = LimitsComputation.protocolSearchForce(modelLimit: Self.model(866), inputs: i)
            #expect(f == reference)
            var withModel = i
            withModel.modelLimits = [Self.model(866)]
            withModel.modelDigestSHA256 = LimitSearchTests.testModelDigest
            let d = try LimitsBuilder.build(withModel)
            #expect(d.limits.maxForceN.value <= f.value)
        }
    }
}
