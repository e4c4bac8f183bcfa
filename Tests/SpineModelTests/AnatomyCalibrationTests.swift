import Testing
import Foundation
@testable import SpineModel

/// A closed-form range-of-motion model: `ROM_d = M_d / (K0_d + Σ_t C_dt · k_t)` with `k_t` the
/// total stiffness (all springs) of ligament type `t` at L4-L5 (N per unit strain). The ROM falls
/// as any ligament stiffens and every direction is coupled to several groups, so the factors
/// that reproduce ROMs made with known factors are known exactly.
private struct ClosedFormROM {
    var moment: [MotionDirection: Double] = [.flexion: 5000, .extension: 5000, .lateralBending: 5000, .axialRotation: 5000]
    var base: [MotionDirection: Double] = [.flexion: 500, .extension: 500, .lateralBending: 500, .axialRotation: 500]
    var coupling: [MotionDirection: [LigamentType: Double]] = [
        .flexion: [.interspinous: 1, .supraspinous: 1, .flavum: 1, .posteriorLongitudinal: 0.5, .capsular: 0.3],
        .extension: [.anteriorLongitudinal: 0.1, .flavum: 0.2, .capsular: 0.2],
        .lateralBending: [.intertransverse: 1, .capsular: 0.3, .flavum: 0.2],
        .axialRotation: [.capsular: 1, .anteriorLongitudinal: 0.02, .intertransverse: 0.2],
    ]
    func callAsFunction(_ set: LigamentDataSet) throws -> [MotionDirection: Double] {
        var out: [MotionDirection: Double] = [:]
        for d in MotionDirection.allCases {
            var k = base[d]!
            for (t, c) in coupling[d]! { k += c * (try set.properties(.l4l5, t)).totalStiffness }
            out[d] = moment[d]! / k
        }
        return out
    }
}

@Suite("Anatomy: ligament calibration")
struct AnatomyCalibrationTests {
    /// Four coupled groups: ROM targets made with the factors 1.7 / 0.6 / 2.5 / 0.35 are met and
    /// the factors recovered to 1e-8 relative (ROM tolerance 1e-12).
    @Test func recoversKnownFactorsOfFourCoupledGroups() throws {
        let model = ClosedFormROM()
        let truth: [MotionDirection: Double] = [.flexion: 1.7, .extension: 0.6, .lateralBending: 2.5, .axialRotation: 0.35]
        var f: [LigamentType: Double] = [:]
        for (d, v) in truth { for t in LigamentCalibration.defaultGroups[d]! { f[t] = v } }
        let targets = try model(LigamentScaling(factors: f).apply(to: .remus2021))
        let cal = try LigamentCalibration(relativeTolerance: 1e-12)
        let result = try cal.calibrate(.remus2021, targets: targets) { try model($0) }
        for (d, v) in truth {
            for t in LigamentCalibration.defaultGroups[d]! {
                #expect(abs(result.scaling.factor(t) / v - 1) < 1e-8, "\(d) \(t): \(result.scaling.factor(t)) vs \(v)")
            }
        }
        for d in MotionDirection.allCases { #expect(abs(result.rangeOfMotion[d]! / targets[d]! - 1) <= 1e-12) }
        #expect(result.sweeps > 1)     // the groups are coupled: one sweep cannot meet all four
        // The returned set is the input scaled by the returned factors, at every level.
        #expect(result.set == (try result.scaling.apply(to: .remus2021)))
        #expect(try result.set.properties(.l1l2, .capsular).stiffnessPerSpring == 55.6 * result.scaling.factor(.capsular))
    }

    /// One global factor against flexion: ROM = M/(K0 + f·S) ⇒ f = (M/target − K0)/S exactly.
    @Test func globalFactorHasTheClosedFormValue() throws {
        let model = ClosedFormROM()
        let s = try model.coupling[.flexion]!.reduce(0.0) { $0 + $1.value * (try LigamentDataSet.remus2021.properties(.l4l5, $1.key)).totalStiffness }
        let target = 4.0
        let exact = (5000 / target - 500) / s
        let result = try LigamentCalibration.global(.flexion, relativeTolerance: 1e-13).calibrate(.remus2021, targets: [.flexion: target]) { try model($0) }
        for t in LigamentType.allCases { #expect(abs(result.scaling.factor(t) / exact - 1) < 1e-10) }
    }

    /// A target that needs a factor above 100 (or below 0.01) is refused, naming the direction,
    /// the limiting factor and the ROM there (the closed form at that factor, to 1e-12).
    @Test func unreachableTargetsAreTypedErrors() throws {
        let model = ClosedFormROM()
        let cal = try LigamentCalibration()
        let atUpper = try model(LigamentScaling(factors: [.anteriorLongitudinal: 100]).apply(to: .remus2021))[.extension]!
        do {
            _ = try cal.calibrate(.remus2021, targets: [.extension: 0.1]) { try model($0) }
            Issue.record("expected targetOutOfReach")
        } catch let LigamentCalibrationError.targetOutOfReach(d, target, closest, factor) {
            #expect(d == .extension && target == 0.1 && factor == 100)
            #expect(abs(closest / atUpper - 1) < 1e-12)
        }
        let atLower = try model(LigamentScaling(factors: [.capsular: 0.01]).apply(to: .remus2021))[.axialRotation]!
        do {
            _ = try cal.calibrate(.remus2021, targets: [.axialRotation: 9.9]) { try model($0) }
            Issue.record("expected targetOutOfReach")
        } catch let LigamentCalibrationError.targetOutOfReach(d, _, closest, factor) {
            #expect(d == .axialRotation && factor == 0.01 && atLower < 9.9)
            #expect(abs(closest / atLower - 1) < 1e-12)
        }
    }

    @Test func badSettingsTargetsAndFunctionsAreTypedErrors() throws {
        #expect(throws: LigamentCalibrationError.invalidGroups(reason: "CL is in the groups of both flexion and axialRotation")) {
            try LigamentCalibration(groups: [.flexion: [.capsular], .axialRotation: [.capsular]])
        }
        #expect(throws: LigamentCalibrationError.invalidGroups(reason: "the group of extension is empty")) {
            try LigamentCalibration(groups: [.extension: []])
        }
        #expect(throws: LigamentCalibrationError.invalidSetting(name: "factorRange.lowerBound", value: 0, expected: "a finite factor in (0, 1]")) {
            try LigamentCalibration(factorRange: 0...10)
        }
        #expect(throws: LigamentCalibrationError.invalidSetting(name: "factorRange.upperBound", value: 0.9, expected: "a finite factor ≥ 1 above the lower bound")) {
            try LigamentCalibration(factorRange: 0.1...0.9)
        }
        #expect(throws: LigamentCalibrationError.invalidSetting(name: "relativeTolerance", value: 0, expected: "a tolerance in (0, 1)")) {
            try LigamentCalibration(relativeTolerance: 0)
        }
        let model = ClosedFormROM()
        let cal = try LigamentCalibration(groups: [.flexion: [.interspinous]])
        #expect(throws: LigamentCalibrationError.invalidTarget(direction: .flexion, value: -1)) {
            try cal.calibrate(.remus2021, targets: [.flexion: -1]) { try model($0) }
        }
        #expect(throws: LigamentCalibrationError.invalidGroups(reason: "no ligament group for the target extension")) {
            try cal.calibrate(.remus2021, targets: [.extension: 3]) { try model($0) }
        }
        #expect(throws: LigamentCalibrationError.missingRangeOfMotion(direction: .flexion)) {
            try cal.calibrate(.remus2021, targets: [.flexion: 3]) { _ in [.extension: 2] }
        }
        #expect(throws: LigamentCalibrationError.invalidRangeOfMotion(direction: .flexion, value: .infinity)) {
            try cal.calibrate(.remus2021, targets: [.flexion: 3]) { _ in [.flexion: .infinity] }
        }
        #expect(throws: AnatomyError.invalidValue(field: "scaling.LF", value: -2, expected: "a finite factor > 0")) {
            try LigamentScaling(factors: [.flavum: -2]).apply(to: .remus2021)
        }
    }

    /// One sweep cannot meet coupled targets to 1e-12: the error carries every residual and they
    /// are the relative ROM errors of the closed form (nonzero, below 1 in size).
    @Test func notConvergedReportsResiduals() throws {
        let model = ClosedFormROM()
        var f: [LigamentType: Double] = [:]
        for (d, v) in [MotionDirection.flexion: 3.0, .axialRotation: 0.2] { for t in LigamentCalibration.defaultGroups[d]! { f[t] = v } }
        let targets = try model(LigamentScaling(factors: f).apply(to: .remus2021)).filter { $0.key == .flexion || $0.key == .axialRotation }
        let cal = try LigamentCalibration(relativeTolerance: 1e-12, maxSweeps: 1)
        do {
            _ = try cal.calibrate(.remus2021, targets: targets) { try model($0) }
            Issue.record("expected noConvergence")
        } catch let LigamentCalibrationError.noConvergence(sweeps, residuals) {
            #expect(sweeps == 1 && Set(residuals.keys) == [.flexion, .axialRotation])
            #expect(residuals.values.contains { abs($0) > 1e-12 } && residuals.values.allSatisfy { abs($0) < 1 })
        }
    }
}
