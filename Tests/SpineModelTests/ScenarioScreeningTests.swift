import Foundation
import Testing
import TractionSafety
@testable import SpineModel

@Suite("Scenario screening: contraindications for the three scenarios")
struct ScenarioScreeningTests {
    func patient(tScore: Double = 0) -> Patient { try! Patient(bodyMassKg: 80, heightCm: 178, tScore: tScore, level: .l4l5) }

    /// An absolute traction contraindication marks all three scenarios, naming the rule, and the
    /// verdict is data (nothing is refused to run).
    @Test func absoluteTractionRule() throws {
        let v = try Screening.evaluate(ScreeningInput(patient: patient(), conditions: [.pregnancy]))
        for kind in ScenarioKind.allCases {
            let verdict = try #require(v[kind])
            #expect(verdict.clinicWouldRefuse)
            #expect(verdict.refusals.map(\.rule) == ["pregnancy"])
            #expect(verdict.summary == "a clinic would refuse this patient: rule pregnancy")
        }
    }

    /// An inversion-specific condition refuses inversion only; the table and self-manipulation are clear.
    @Test func inversionOnlyRule() throws {
        let v = try Screening.evaluate(ScreeningInput(patient: patient(), inversionConditions: [.glaucoma, .anticoagulants]))
        #expect(v[.inversionTable]!.refusals.map(\.rule) == ["glaucoma", "anticoagulants"])
        #expect(v[.inversionTable]!.summary == "a clinic would refuse this patient: rule glaucoma, anticoagulants")
        #expect(v[.inversionTable]!.refusals[0].citation.contains("Friberg TR, Weinreb RN 1985, JAMA 253(12):1755"))
        #expect(!v[.professionalTable]!.clinicWouldRefuse && !v[.selfManipulation]!.clinicWouldRefuse)
        #expect(v[.professionalTable]!.summary == "no absolute contraindication")
    }

    /// T-score −2.8: inversion refused (osteoporosis, vendor list); the table not refused but its force
    /// factor is (1 − 0.12·1.8)^1.56 = 0.6841212140986813 (hand-evaluated, 1e-12); uncontrolled
    /// hypertension adds × 0.8 force, × 0.75 rate, × 2/3 session and refuses inversion.
    @Test func lowDensityAndHypertension() throws {
        let v = try Screening.evaluate(ScreeningInput(patient: patient(tScore: -2.8), conditions: [.uncontrolledHypertension]))
        #expect(v[.inversionTable]!.refusals.map(\.rule) == ["uncontrolledHypertension", "osteoporosis"])
        #expect(!v[.professionalTable]!.clinicWouldRefuse)
        let f = v[.professionalTable]!.limits
        #expect(abs(f.force - 0.6841212140986813 * 0.8) <= 1e-12)
        #expect(abs(f.rampUp - 0.75) <= 1e-12 && abs(f.session - 2.0 / 3.0) <= 1e-12)
        #expect(f.rules == ["boneDensity", "uncontrolledHypertension"])
        #expect(v[.professionalTable]!.summary == "no absolute contraindication; limits lowered by boneDensity, uncontrolledHypertension")
        // Applied: 0.5 BW × 0.5473 = 0.27365 BW.
        let t = try ProfessionalTable().limited(by: f)
        #expect(abs(t.pullFraction - 0.5 * 0.6841212140986813 * 0.8) <= 1e-12)
    }

    /// Every inversion rule is data with a citation, and each condition has a rule.
    @Test func inversionRulesAreCited() {
        #expect(Screening.inversionRules.allSatisfy { !$0.citation.isEmpty })
        let names = Set(Screening.inversionRules.map(\.name))
        for c in InversionCondition.allCases { #expect(names.contains(c.rawValue), "\(c)") }
    }

    /// Property: relative contraindications never raise a number. For every subset of the relative
    /// rules (2⁷ subsets), T-scores 0, −1.5, −2.4 and −4 and spondylolisthesis grades 0 and 1, every
    /// factor is in (0, 1] and each scenario's force, loading rate and session length after
    /// `limited(by:)` are ≤ the original (table: pull, peak loading rate, session length; inversion:
    /// angle, tension at the hold, tilt rate, hold; self-manipulation: peak moment, its rate, thrusts a day).
    @Test func relativeRulesNeverRaise() throws {
        let relative = ContraindicationRules.relative.map(\.condition)
        let table = ProfessionalTable(), inversion = InversionTable(angle: 70), crack = SelfManipulation()
        var checked = 0
        for mask in 0..<(1 << relative.count) {
            let conditions = Set(relative.indices.filter { mask & (1 << $0) != 0 }.map { relative[$0] })
            for t in [0.0, -1.5, -2.4, -4] {
                for grade in [0, 1] {
                    let p = patient(tScore: t)
                    let v = try Screening.evaluate(ScreeningInput(patient: p, conditions: conditions, spondylolisthesisGrade: grade))
                    for kind in ScenarioKind.allCases {
                        let f = v[kind]!.limits
                        #expect(f.force > 0 && f.force <= 1 && f.rampUp > 0 && f.rampUp <= 1 && f.session > 0 && f.session <= 1)
                    }
                    let f = v[.professionalTable]!.limits
                    let lt = try table.limited(by: f)
                    #expect(lt.pullFraction <= table.pullFraction)
                    #expect(lt.peakLoadingRate(patient: p) <= table.peakLoadingRate(patient: p) * (1 + 1e-12))
                    #expect(lt.peakLoadingRate(patient: p) <= table.peakLoadingRate(patient: p) * f.rampUp * (1 + 1e-12))
                    #expect(lt.sessionDuration <= table.sessionDuration * f.session * (1 + 1e-12))
                    let li = try inversion.limited(by: v[.inversionTable]!.limits)
                    #expect(li.angle <= inversion.angle)
                    #expect(li.tension(atAngle: li.angle, patient: p) <= inversion.tension(atAngle: inversion.angle, patient: p) * (1 + 1e-12))
                    #expect(li.angle / li.tiltTime <= inversion.angle / inversion.tiltTime * (1 + 1e-12))
                    #expect(li.hold <= inversion.hold)
                    let lm = try crack.limited(by: v[.selfManipulation]!.limits)
                    #expect(lm.peakAxialMoment <= crack.peakAxialMoment)
                    #expect(lm.peakAxialMoment / lm.riseTime <= crack.peakAxialMoment / crack.riseTime * (1 + 1e-12))
                    #expect(lm.thrustsPerDay <= crack.thrustsPerDay)
                    checked += 1
                }
            }
        }
        #expect(checked == 128 * 8)
    }

    @Test func badInput() {
        let p = patient()
        expectScenarioError("screening.spondylolisthesisGrade") { _ = try Screening.evaluate(ScreeningInput(patient: p, spondylolisthesisGrade: 6)) }
        expectScenarioError("screening.monthsSinceSpinalSurgery") { _ = try Screening.evaluate(ScreeningInput(patient: p, monthsSinceSpinalSurgery: -1)) }
        expectScenarioError("limits.force") { _ = try ProfessionalTable().limited(by: LimitFactors(force: 1.2)) }
        expectScenarioError("limits.rampUp") { _ = try InversionTable().limited(by: LimitFactors(rampUp: 0)) }
        expectScenarioError("limits.session") { _ = try SelfManipulation().limited(by: LimitFactors(session: .nan)) }
        expectScenarioError("inversion.angle") { _ = try InversionTable(angle: 30, bedFriction: 0).limited(by: LimitFactors(force: 0.3)) }
    }
}
