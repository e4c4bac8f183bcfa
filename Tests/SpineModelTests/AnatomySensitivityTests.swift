import Testing
import Foundation
@testable import SpineModel

@Suite("Anatomy: ligament sensitivity variants and tables")
struct AnatomySensitivityTests {
    /// 1 + 7 × 2 variants; each scales exactly one type's stiffness, large-strain stiffness and
    /// damping by its factor at every level (exact products) and leaves everything else equal.
    @Test(arguments: [LigamentDataSet.remus2021, LigamentDataSet.goelBilinear])
    func plusMinusFiftyPercentVariants(base: LigamentDataSet) throws {
        let variants = try base.sensitivityVariants()
        #expect(variants.count == 15)
        #expect(variants[0].name == base.name && variants[0].ligament == nil && variants[0].set == base)
        #expect(variants.map(\.name)[1...4] == ["\(base.name) ALL -50%", "\(base.name) ALL +50%", "\(base.name) PLL -50%", "\(base.name) PLL +50%"])
        #expect(Set(variants.map(\.name)).count == 15)
        for v in variants.dropFirst() {
            let scaled = v.ligament!
            #expect(v.set.name == v.name && v.baseName == base.name && (v.factor == 0.5 || v.factor == 1.5))
            for level in LumbarLevel.allCases {
                for type in LigamentType.allCases {
                    let p = try v.set.properties(level, type), q = try base.properties(level, type)
                    if type != scaled { #expect(p == q); continue }
                    #expect(p.stiffnessPerSpring == q.stiffnessPerSpring * v.factor && p.dampingPerSpring == q.dampingPerSpring * v.factor)
                    if case let .bilinear(t, k2) = q.curve { #expect(p.curve == .bilinear(transitionStrain: t, largeStrainStiffness: k2 * v.factor)) }
                    else { #expect(p.curve == q.curve) }
                    #expect(p.failureForce == q.failureForce && p.referenceStrain == q.referenceStrain && p.springCount == q.springCount)
                }
            }
        }
        #expect(try base.sensitivityVariants(factors: [1.125]).map(\.name)[1] == "\(base.name) ALL +12.5%")
        #expect(throws: AnatomyError.invalidValue(field: "sensitivity.factors[1]", value: 1, expected: "a finite factor > 0 other than 1")) {
            try base.sensitivityVariants(factors: [0.5, 1])
        }
    }

    /// The writers against hand-written text.
    @Test func csvAndMarkdownWriters() throws {
        var t = SensitivityTable.standard(ligaments: [.flavum])
        #expect(t.columns.map(\.header) == ["flexion ROM (deg)", "extension ROM (deg)", "lateralBending ROM (deg)", "axialRotation ROM (deg)",
                                            "min nucleus pressure (MPa)", "peak distraction (mm)", "peak strain LF (-)"])
        try t.append("remus2021", rangeOfMotion: [.flexion: 8.25, .extension: 5.5], traction: TractionSummary(minimumNucleusPressure: -0.0125, peakDistraction: 1.5, peakStrain: [.flavum: 0.0625]))
        try t.append("a \"b\", c", values: [1, nil, nil, nil, nil, nil, 0.1])
        #expect(t.csv() == """
            variant,flexion ROM (deg),extension ROM (deg),lateralBending ROM (deg),axialRotation ROM (deg),min nucleus pressure (MPa),peak distraction (mm),peak strain LF (-)
            remus2021,8.25,5.5,,,-0.0125,1.5,0.0625
            "a ""b"", c",1.0,,,,,,0.1

            """)
        #expect(t.markdown(significantDigits: 3) == """
            | variant | flexion ROM (deg) | extension ROM (deg) | lateralBending ROM (deg) | axialRotation ROM (deg) | min nucleus pressure (MPa) | peak distraction (mm) | peak strain LF (-) |
            |---|---:|---:|---:|---:|---:|---:|---:|
            | remus2021 | 8.25 | 5.5 | — | — | -0.0125 | 1.5 | 0.0625 |
            | a "b", c | 1 | — | — | — | — | — | 0.1 |

            """)
    }

    @Test func tablesRefuseBadRows() throws {
        var t = SensitivityTable.standard(ligaments: [.flavum])
        #expect(throws: AnatomyError.invalidValue(field: "sensitivity.rows[x].count", value: 2, expected: "7 values, one per column")) {
            try t.append("x", values: [1, 2])
        }
        #expect(throws: AnatomyError.invalidValue(field: "sensitivity.rows[x].peak distraction (mm)", value: .infinity, expected: "a finite number")) {
            try t.append("x", values: [1, 2, 3, 4, 5, .infinity, 7])
        }
        #expect(throws: AnatomyError.missingEntry(field: "sensitivity.columns[peak strain ALL (-)]")) {
            try t.append("x", rangeOfMotion: [:], traction: TractionSummary(minimumNucleusPressure: 0, peakDistraction: 0, peakStrain: [.anteriorLongitudinal: 0.1]))
        }
        #expect(t.rows.isEmpty)
        let c = SensitivityTable.Column(name: "a", unit: "mm")
        #expect(throws: AnatomyError.invalidValue(field: "sensitivity.columns[a (mm)]", value: 2, expected: "each column once")) {
            try SensitivityTable(columns: [c, c])
        }
    }

    /// The study driver runs every variant once and puts each result in its row and column: with
    /// `ROM_flexion = 1000 / k_LF` and `peak strain LF = 1 / k_LF` (k_LF the L4-L5 flavum total
    /// stiffness), the LF −50 % row holds exactly twice the baseline values.
    @Test func studyTabulatesEveryVariant() throws {
        var calls = 0
        let table = try SensitivityTable.study(LigamentDataSet.remus2021.sensitivityVariants(), ligaments: [.flavum]) { set in
            calls += 1
            let k = try set.properties(.l4l5, .flavum).totalStiffness
            return (rangeOfMotion: [.flexion: 1000 / k], traction: TractionSummary(minimumNucleusPressure: -0.01, peakDistraction: 1, peakStrain: [.flavum: 1 / k]))
        }
        #expect(calls == 15 && table.rows.count == 15)
        let base = table.rows[0], soft = table.rows.first { $0.name == "remus2021 LF -50%" }!
        #expect(base.values[0] == 1000 / 330 && soft.values[0] == 1000 / 165)
        #expect(soft.values[6] == 1 / 165.0 && base.values[1] == nil)
    }
}
