import Testing
import Foundation
import Biomechanics
@testable import SpineModel

/// The shipped ligament tables against the published numbers, value by value.
@Suite("Anatomy: ligament tables against their sources")
struct AnatomyLigamentTableTests {
    /// Remus et al. 2021 (PLoS ONE 16:e0250456), repository RemusR9/artisynth_lumbosacralSpineModel
    /// at commit bb81cb1, `geometry/L??_Ligs_{AS,MP}_UWMat.lig` rows (ε_r, ε_t, k, area) and the
    /// spring counts of `geometry/L??_Ligs_{AS,MP}.lig`, transcribed here for every level. Exact
    /// equality: the data set must hold the file's decimal numbers.
    @Test func remusTableMatchesTheRepositoryFilesAtEveryLevel() throws {
        // (type, ε_r, ε_t, springs, area) common to every level except the ALL ε_t.
        let common: [(LigamentType, Double, Double, Int, Double)] = [
            (.posteriorLongitudinal, 0.12, 0.23, 5, 14.4), (.flavum, -0.03, 0.09, 11, 75), (.interspinous, -0.02, 0.05, 8, 40),
            (.supraspinous, -0.08, 0.20, 1, 30), (.intertransverse, 0.02, 0.10, 2, 12), (.capsular, 0.55, 0.95, 10, 36)]
        // k per spring, order ALL PLL LF ISL SSL ITL CL, and the ALL transition strain.
        let k: [LumbarLevel: ([Double], Double)] = [
            .l1l2: ([412.25, 191.40, 25.5, 2.88, 35.84, 150, 55.6], 0.07),
            .l2l3: ([509.25, 411.80, 27.6, 2.75, 38.64, 150, 44.4], 0.07),
            .l3l4: ([582, 118.90, 38.1, 3.5, 36.4, 150, 42.4], 0.07),
            .l4l5: ([485, 290, 30, 2.5, 28, 150, 40], 0.08),
            .l5s1: ([291, 246, 22.2, 2.58, 19.88, 150, 24.8], 0.08),
        ]
        let order: [LigamentType] = [.anteriorLongitudinal, .posteriorLongitudinal, .flavum, .interspinous, .supraspinous, .intertransverse, .capsular]
        let set = LigamentDataSet.remus2021
        for (level, (ks, allEt)) in k {
            for (type, kv) in zip(order, ks) {
                let p = try set.properties(level, type)
                #expect(p.stiffnessPerSpring == kv, "\(level) \(type) k")
                #expect(p.dampingPerSpring == 0.003 * kv, "\(level) \(type) damping 0.003 s·k")
            }
            let all = try set.properties(level, .anteriorLongitudinal)
            #expect(all.curve == .toeLinear(transitionStrain: allEt) && all.springCount == 9 && all.crossSection == 24)
            #expect(abs(1 / (1 + all.referenceStrain) - (1 - 0.03)) < 1e-15)
            for (type, er, et, n, area) in common {
                let p = try set.properties(level, type)
                #expect(p.curve == .toeLinear(transitionStrain: et) && p.springCount == n && p.crossSection == area, "\(level) \(type)")
                // Rest length L₀(1 + ε_r) ⇔ slack length L₀/(1 + ε_ref): 1/(1 + ε_ref) = 1 + ε_r to 1e-15.
                #expect(abs(1 / (1 + p.referenceStrain) - (1 + er)) < 1e-15, "\(level) \(type) ε_r")
            }
        }
    }

    /// BMC Musculoskelet Disord 2010;11:151, Table 3 (PMC2913991): E small/large strain (MPa),
    /// transition strain (%), area (mm²), failure load (N); k = E·A. Exact equality.
    @Test func literatureTableMatchesTable3() throws {
        let rows: [(LigamentType, Double, Double, Double, Double, Double)] = [
            (.anteriorLongitudinal, 7.8, 12, 20, 53, 510), (.posteriorLongitudinal, 10, 11, 50, 16, 384), (.flavum, 15, 6.2, 19.5, 67, 340),
            (.interspinous, 10, 14, 11.6, 26, 130), (.supraspinous, 8, 20, 15, 23, 200), (.intertransverse, 10, 18, 59, 1.8, 70)]
        for level in LumbarLevel.allCases {
            for (type, e1, etPercent, e2, area, failure) in rows {
                let p = try LigamentDataSet.goelBilinear.properties(level, type)
                #expect(p.stiffnessPerSpring == e1 * area && p.failureForce == failure && p.crossSection == area)
                guard case let .bilinear(et, k2) = p.curve else { Issue.record("\(type) is not bilinear"); continue }
                #expect(abs(et - etPercent / 100) < 1e-15 && k2 == e2 * area)
            }
        }
    }
}
