import Foundation
import FiniteElements
import SpineModel
import Testing

private typealias P = TractionProtocol

/// The curve's points as [time, value] pairs.
private func points(_ c: LoadCurve) -> [[Double]] { zip(c.times, c.values).map { [$0, $1] } }

@Suite("Traction protocol generation")
struct TractionProtocolGenerationTests {
    @Test("default disc: curve, force, steps and windows equal the hand-written default-disc model (exact)")
    func defaultDisc() throws {
        let plan = try P.defaultDisc.resolve()
        // The traction curve of Examples/models/default-disc.json, written out by hand.
        let expected: [[Double]] = [[0, 0], [60, 0], [70, 1], [130, 1], [140, 0], [170, 0], [180, 1], [240, 1],
                                    [250, 0], [280, 0], [290, 1], [350, 1], [360, 0], [390, 0]]
        #expect(points(plan.tractionCurve) == expected)
        #expect(plan.peakForce == 110)
        #expect(points(plan.tractionForceCurve) == expected.map { [$0[0], 110 * $0[1]] })
        #expect(plan.preloadForce == 17)
        #expect(points(try #require(plan.preloadCurve)) == [[0, 0], [10, 1]])
        // NutrientTractionSimulation's hard-coded report windows.
        #expect(plan.reportWindows == [60...170, 170...280, 280...390])
        #expect(plan.steps.map(\.name) == ["preload", "traction"])
        #expect(plan.steps.map(\.duration) == [60, 330])   // default-disc.json step durations
        #expect(plan.steps[0].mustPoints == [10, 60])
        #expect(plan.steps[1].mustPoints == [70, 130, 140, 170, 180, 240, 250, 280, 290, 350, 360, 390])
        #expect(plan.mustPoints == [0, 10] + expected.dropFirst().map { $0[0] })
        #expect(plan.tractionStart == 60 && plan.duration == 390)
        // Mid-ramp and mid-hold values, linear interpolation by hand: 110 × 0.5 at t = 65 s.
        #expect(plan.tractionForce(at: 65) == 55)
        #expect(plan.tractionForce(at: 100) == 110)
        #expect(plan.tractionForce(at: 155) == 0)
    }

    @Test("rest level: cycles fall to restLevel × pull between cycles, start from and end at 0 N")
    func restLevel() throws {
        let plan = try P.intermittent(cycles: 2, pull: .newtons(200), hold: 60, rest: 30, restLevel: 0.5,
                                      ramp: .linear(duration: 10)).resolve()
        #expect(points(plan.tractionCurve) == [[0, 0], [10, 1], [70, 1], [80, 0.5], [110, 0.5], [120, 1], [180, 1], [190, 0], [220, 0]])
        #expect(plan.reportWindows == [0...110, 110...220])
        #expect(plan.steps.map(\.name) == ["traction"])
    }

    @Test("logarithmic ramp vs F = F_peak·ln(1 + (e−1)t/T) at 1501 times: max error ≤ (e−1)²/(8N²) of the peak, and above half of it")
    func logarithmicRamp() throws {
        let peak = 300.0, T = 15.0, n = 8
        let plan = try P.static(pull: .newtons(peak), ramp: .logarithmic(duration: T, segments: n), hold: 30).resolve()
        #expect(plan.tractionCurve.times.count == n + 2)   // 0, 8 piece ends, hold end
        #expect(plan.steps[0].mustPoints == (1...n).map { Double($0) * T / Double(n) } + [T + 30])
        var maxError = 0.0
        for i in 0...1500 {
            let t = T * Double(i) / 1500
            let exact = peak * Foundation.log(1 + (M_E - 1) * t / T)
            maxError = max(maxError, abs(plan.tractionForce(at: t) - exact))
        }
        let bound = peak * (M_E - 1) * (M_E - 1) / (8 * Double(n * n))
        #expect(abs(P.Ramp.maximumInterpolationError(segments: n) * peak - bound) <= 1e-12 * bound)
        #expect(maxError <= bound)
        #expect(maxError >= 0.5 * bound)   // the bound is tight (measured 0.82 of it), not vacuous
        // Piece ends lie on the exact curve (to rounding).
        for k in 0...n {
            let t = T * Double(k) / Double(n)
            #expect(abs(plan.tractionForce(at: t) - peak * Foundation.log(1 + (M_E - 1) * t / T)) <= 1e-12 * peak)
        }
    }

    @Test("logarithmic release drops fast first: F = A + (B − A)·ln(1 + a s)/ln(1 + a), a = 3, at the piece ends")
    func logarithmicRelease() throws {
        let a = 3.0
        let plan = try P.static(pull: .newtons(100), ramp: .linear(duration: 10), hold: 20,
                                release: .logarithmic(duration: 20, segments: 4, curvature: a)).resolve()
        for k in 0...4 {
            let s = Double(k) / 4
            let exact = 100 + (0 - 100) * Foundation.log(1 + a * s) / Foundation.log(1 + a)
            #expect(abs(plan.tractionForce(at: 30 + 20 * s) - exact) <= 1e-12 * 100)
        }
    }

    @Test("progressive and regressive steps: hand-written curves and one window per level")
    func steps() throws {
        let preload = P.Preload(force: .newtons(17), ramp: 10, duration: 60)
        let levels = [100.0, 200, 300].map { P.Steps.Level(force: .newtons($0), hold: 60) }
        let up = try P.steps(levels: levels, ramp: .linear(duration: 10), release: .linear(duration: 10), preload: preload).resolve()
        #expect(up.peakForce == 300)
        #expect(points(up.tractionForceCurve) == [[0, 0], [60, 0], [70, 100], [130, 100], [140, 200], [200, 200],
                                                  [210, 300], [270, 300], [280, 0]])
        #expect(up.reportWindows == [60...130, 130...200, 200...280])
        let down = try P.steps(levels: levels.reversed(), ramp: .linear(duration: 10)).resolve()
        #expect(points(down.tractionForceCurve) == [[0, 0], [10, 300], [70, 300], [80, 200], [140, 200], [150, 100], [210, 100]])
        #expect(down.reportWindows == [0...70, 70...140, 140...210])
    }

    @Test("body-weight fraction: 0.45 × 80 kg × 9.81 m/s² = 353.16 N (1e-12 relative)")
    func bodyWeight() throws {
        let proto = P.intermittent(cycles: 15, pull: .bodyWeightFraction(0.45), hold: 60, rest: 30, restLevel: 0.5,
                                   ramp: .logarithmic(duration: 15))
        let plan = try proto.resolve(bodyMassKg: 80)
        #expect(abs(plan.peakForce - 353.16) <= 1e-12 * 353.16)
        #expect(plan.reportWindows.count == 15)
        #expect(plan.reportWindows[14].upperBound == 15 * (15 + 60 + 15 + 30))
        // A custom curve in body-weight fractions scales the same way.
        let custom = try P.custom(times: [0, 5, 10], forces: [0, 0.45, 0.2], unit: .bodyWeightFraction).resolve(bodyMassKg: 80)
        #expect(abs(custom.tractionForce(at: 5) - 353.16) <= 1e-12 * 353.16)
        #expect(abs(custom.tractionForce(at: 10) - 0.2 * 80 * 9.81) <= 1e-12 * 353.16)
    }

    @Test("custom curve: points shifted by the preload, one window over the curve")
    func custom() throws {
        let plan = try P.custom(times: [0, 0.2, 0.4, 5], forces: [0, 400, 0, 0],
                                preload: .init(force: .newtons(17), ramp: 10, duration: 60)).resolve()
        #expect(points(plan.tractionForceCurve) == [[0, 0], [60, 0], [60.2, 400], [60.4, 0], [65, 0]])
        #expect(plan.reportWindows == [60...65])
    }

    @Test("300 random intermittent protocols: windows tile the traction phase, one period each, on curve corners; values in [0, 1], peak 1")
    func randomIntermittentInvariants() throws {
        var seed = UInt64(20_261_206)
        func uniform(_ a: Double, _ b: Double) -> Double {   // reproducible LCG, not the system generator
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return a + (b - a) * Double(seed >> 11) / Double(1 << 53)
        }
        for trial in 0..<300 {
            let n = 1 + Int(uniform(0, 20))
            let up: P.Ramp = uniform(0, 1) < 0.5 ? .linear(duration: uniform(0.5, 30))
                : .logarithmic(duration: uniform(0.5, 30), segments: 1 + Int(uniform(0, 16)), curvature: uniform(0.1, 10))
            let down: P.Ramp = uniform(0, 1) < 0.5 ? .linear(duration: uniform(0.5, 30))
                : .logarithmic(duration: uniform(0.5, 30), segments: 1 + Int(uniform(0, 16)))
            let preload: P.Preload? = uniform(0, 1) < 0.5 ? nil : .init(force: .newtons(uniform(1, 50)), ramp: 10, duration: uniform(10, 100))
            let proto = P.intermittent(cycles: n, pull: .newtons(uniform(10, 500)), hold: uniform(1, 120), rest: uniform(1, 60),
                                       restLevel: uniform(0, 1), ramp: up, rampDown: down, preload: preload)
            let plan = try proto.resolve()
            let s = try #require(proto.intermittent)
            let start = preload?.duration ?? 0
            #expect(plan.reportWindows.count == n, "trial \(trial)")
            #expect(plan.reportWindows.first?.lowerBound == start && plan.reportWindows.last?.upperBound == plan.duration)
            let corners = Set(plan.tractionCurve.times)
            for (i, w) in plan.reportWindows.enumerated() {
                if i > 0 { #expect(w.lowerBound == plan.reportWindows[i - 1].upperBound, "trial \(trial)") }
                #expect(abs((w.upperBound - w.lowerBound) - s.period) <= 1e-12 * plan.duration, "trial \(trial)")
                #expect(corners.contains(w.lowerBound) && corners.contains(w.upperBound), "trial \(trial)")
            }
            let pieces = { (r: P.Ramp) -> Int in if case let .logarithmic(k, _) = r.shape { return k } else { return 1 } }
            #expect(plan.tractionCurve.times.count == (start > 0 ? 2 : 1) + n * (pieces(up) + 1 + pieces(down) + 1), "trial \(trial)")
            #expect(plan.tractionCurve.values.allSatisfy { $0 >= 0 && $0 <= 1 } && plan.tractionCurve.values.max() == 1)
            #expect(plan.tractionCurve.values.last == 0)
            #expect(plan.steps.last?.mustPoints == plan.tractionCurve.times.filter { $0 > start })
        }
    }

    @Test("editing in place through the pattern accessors")
    func editing() throws {
        var proto = P.defaultDisc
        proto.intermittent?.hold = 90
        proto.intermittent?.cycles = 2
        let plan = try proto.resolve()
        #expect(plan.reportWindows == [60...200, 200...340])
        #expect(proto.staticPattern == nil)
    }
}

/// One invalid protocol and the error it must give.
struct InvalidProtocolCase: Sendable, CustomTestStringConvertible {
    let name: String
    let proto: TractionProtocol
    let bodyMassKg: Double?
    let expected: TractionProtocolError
    var testDescription: String { name }
}

private let linear10 = P.Ramp.linear(duration: 10)
private func intermittent(cycles: Int = 3, pull: P.Force = .newtons(110), hold: Double = 60, rest: Double = 30,
                          restLevel: Double = 0, ramp: P.Ramp = linear10) -> TractionProtocol {
    P.intermittent(cycles: cycles, pull: pull, hold: hold, rest: rest, restLevel: restLevel, ramp: ramp)
}

private let invalidCases: [InvalidProtocolCase] = {
    var angled = P.defaultDisc; angled.pullAngle = 95
    var friction = P.defaultDisc; friction.table = .nonSplit(frictionCoefficient: -0.1)
    var nanAngle = P.defaultDisc; nanAngle.pullAngle = .nan
    return [
        .init(name: "negative pull", proto: intermittent(pull: .newtons(-5)), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.pull", value: -5, expected: "a finite force > 0 N")),
        .init(name: "zero pull", proto: intermittent(pull: .newtons(0)), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.pull", value: 0, expected: "a finite force > 0 N")),
        .init(name: "zero hold", proto: intermittent(hold: 0), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.hold", value: 0, expected: "a finite hold time > 0 s")),
        .init(name: "zero cycles", proto: intermittent(cycles: 0), bodyMassKg: nil,
              expected: .invalidCount(path: "protocol.intermittent.cycles", count: 0, expected: "at least 1 cycle")),
        .init(name: "rest level above 1", proto: intermittent(restLevel: 1.5), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.restLevel", value: 1.5, expected: "a fraction of the pull in [0, 1]")),
        .init(name: "negative rest level", proto: intermittent(restLevel: -0.1), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.restLevel", value: -0.1, expected: "a fraction of the pull in [0, 1]")),
        .init(name: "zero rest", proto: intermittent(rest: 0), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.rest", value: 0, expected: "a finite rest time > 0 s")),
        .init(name: "fraction without body mass", proto: intermittent(pull: .bodyWeightFraction(0.45)), bodyMassKg: nil,
              expected: .bodyMassRequired(path: "protocol.intermittent.pull")),
        .init(name: "fraction above 1", proto: intermittent(pull: .bodyWeightFraction(1.2)), bodyMassKg: 80,
              expected: .invalidValue(path: "protocol.intermittent.pull", value: 1.2, expected: "a body-weight fraction in (0, 1]")),
        .init(name: "negative body mass", proto: intermittent(pull: .bodyWeightFraction(0.4)), bodyMassKg: -80,
              expected: .invalidBodyMass(value: -80)),
        .init(name: "zero ramp time", proto: intermittent(ramp: .linear(duration: 0)), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.rampUp.duration", value: 0, expected: "a finite ramp time > 0 s")),
        .init(name: "zero log segments", proto: intermittent(ramp: .logarithmic(duration: 10, segments: 0)), bodyMassKg: nil,
              expected: .invalidCount(path: "protocol.intermittent.rampUp.segments", count: 0, expected: "1 … 1000 linear pieces")),
        .init(name: "negative log curvature", proto: intermittent(ramp: .logarithmic(duration: 10, curvature: -1)), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.intermittent.rampUp.curvature", value: -1, expected: "a finite curvature > 0")),
        .init(name: "NaN hold (static)", proto: P.static(pull: .newtons(100), ramp: linear10, hold: .nan), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.static.hold", value: .nan, expected: "a finite hold time > 0 s")),
        .init(name: "infinite pull (static)", proto: P.static(pull: .newtons(.infinity), ramp: linear10, hold: 10), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.static.pull", value: .infinity, expected: "a finite force > 0 N")),
        .init(name: "custom curve not increasing", proto: P.custom(times: [0, 5, 5, 10], forces: [0, 100, 50, 0]), bodyMassKg: nil,
              expected: .notIncreasing(path: "protocol.custom.times", index: 2, time: 5, previous: 5)),
        .init(name: "custom curve NaN force", proto: P.custom(times: [0, 5], forces: [0, .nan]), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.custom.forces[1]", value: .nan, expected: "a finite force ≥ 0 N")),
        .init(name: "custom curve infinite time", proto: P.custom(times: [0, .infinity], forces: [0, 10]), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.custom.times[1]", value: .infinity, expected: "a finite time (s)")),
        .init(name: "custom curve length mismatch", proto: P.custom(times: [0, 5, 10], forces: [0, 10]), bodyMassKg: nil,
              expected: .lengthMismatch(path: "protocol.custom.times", times: 3, forces: 2)),
        .init(name: "custom curve negative force", proto: P.custom(times: [0, 5], forces: [0, -10]), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.custom.forces[1]", value: -10, expected: "a finite force ≥ 0 N")),
        .init(name: "custom curve starting with a jump", proto: P.custom(times: [0, 5], forces: [50, 100]), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.custom.forces[0]", value: 50, expected: "0 (no force jump at the start of traction)")),
        .init(name: "no steps", proto: P.steps(levels: [], ramp: linear10), bodyMassKg: nil,
              expected: .invalidCount(path: "protocol.steps.levels", count: 0, expected: "at least 1 level")),
        .init(name: "negative step hold", proto: P.steps(levels: [.init(force: .newtons(100), hold: 60), .init(force: .newtons(200), hold: -1)],
                                                       ramp: linear10), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.steps.levels[1].hold", value: -1, expected: "a finite hold time > 0 s")),
        .init(name: "preload ramp longer than preload", proto: P.static(pull: .newtons(100), ramp: linear10, hold: 10,
                                                                     preload: .init(force: .newtons(17), ramp: 70, duration: 60)), bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.preload.ramp", value: 70, expected: "a finite ramp time in (0, 60.0] s (0 < ramp ≤ preload.duration)")),
        .init(name: "pull angle 95°", proto: angled, bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.pullAngle", value: 95, expected: "a finite angle in (-90, 90) degrees")),
        .init(name: "NaN pull angle", proto: nanAngle, bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.pullAngle", value: .nan, expected: "a finite angle in (-90, 90) degrees")),
        .init(name: "negative friction", proto: friction, bodyMassKg: nil,
              expected: .invalidValue(path: "protocol.table.nonSplit.frictionCoefficient", value: -0.1, expected: "a finite friction coefficient in [0, 2]")),
    ]
}()

/// Equality that treats NaN values as equal (the enum's == does not).
private func sameError(_ a: TractionProtocolError, _ b: TractionProtocolError) -> Bool {
    if case let .invalidValue(p1, v1, e1) = a, case let .invalidValue(p2, v2, e2) = b {
        return p1 == p2 && e1 == e2 && (v1 == v2 || (v1.isNaN && v2.isNaN))
    }
    return a == b
}

@Suite("Traction protocol validation")
struct TractionProtocolValidationTests {
    @Test("each invalid value gives its typed error naming the property path", arguments: invalidCases)
    func invalid(_ c: InvalidProtocolCase) {
        do {
            _ = try c.proto.resolve(bodyMassKg: c.bodyMassKg)
            Issue.record("\(c.name): resolved without an error")
        } catch {
            #expect(sameError(error, c.expected), "\(c.name): got \(error)")
            #expect(error.path == c.expected.path)
            #expect(error.description.hasPrefix(c.expected.path))
        }
    }
}

@Suite("Traction protocol JSON")
struct TractionProtocolCodingTests {
    static let samples: [TractionProtocol] = {
        var full = P.intermittent(cycles: 15, pull: .bodyWeightFraction(0.45), hold: 60, rest: 30, restLevel: 0.5,
                                  ramp: .logarithmic(duration: 15), rampDown: .linear(duration: 12),
                                  preload: .init(force: .newtons(17), ramp: 10, duration: 60))
        full.pullAngle = 15.5
        full.table = .nonSplit(frictionCoefficient: 0.5)
        full.harness = .thoracoPelvic
        var split = P.static(pull: .newtons(250), ramp: .logarithmic(duration: 7, segments: 13, curvature: 0.1), hold: 600,
                             release: .linear(duration: 20))
        split.table = .split
        split.harness = .pelvic
        return [
            P.defaultDisc, full, split,
            P.steps(levels: [.init(force: .newtons(100), hold: 30), .init(force: .bodyWeightFraction(0.3), hold: 45)],
                    ramp: .linear(duration: 5), release: .logarithmic(duration: 9)),
            P.custom(times: [0, 0.1, 0.25, 1e-3 + 2], forces: [0, 412.5, 1 / 3, 0]),
            P.custom(times: [0, 1], forces: [0, 0.25], unit: .bodyWeightFraction),
        ]
    }()

    @Test("encode → decode gives an equal value (every pattern and optional field)", arguments: 0..<6)
    func roundTrip(_ i: Int) throws {
        let proto = Self.samples[i]
        let data = try JSONEncoder().encode(proto)
        #expect(try JSONDecoder().decode(TractionProtocol.self, from: data) == proto)
    }

    @Test("stable keys: the default disc and a split-table log-ramp protocol encode to the documented text")
    func encodedText() throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try e.encode(P.defaultDisc), as: UTF8.self) ==
            #"{"intermittent":{"cycles":3,"hold":60,"pull":{"newtons":110},"rampDown":{"duration":10,"shape":"linear"},"# +
            #""rampUp":{"duration":10,"shape":"linear"},"rest":30,"restLevel":0},"preload":{"duration":60,"force":{"newtons":17},"ramp":10}}"#)
        var p = P.static(pull: .bodyWeightFraction(0.5), ramp: .logarithmic(duration: 15, segments: 4, curvature: 2), hold: 60)
        p.table = .split
        p.harness = .pelvic
        p.pullAngle = 20
        #expect(String(decoding: try e.encode(p), as: UTF8.self) ==
            #"{"harness":"pelvic","pullAngle":20,"static":{"hold":60,"pull":{"bodyWeightFraction":0.5},"# +
            #""ramp":{"curvature":2,"duration":15,"segments":4,"shape":"logarithmic"}},"table":{"split":{}}}"#)
    }

    @Test("the documented JSON keys decode to the default disc protocol")
    func documentedKeys() throws {
        let text = #"""
        {"intermittent": {"cycles": 3, "pull": {"newtons": 110}, "hold": 60, "rest": 30, "restLevel": 0,
                          "rampUp": {"shape": "linear", "duration": 10}, "rampDown": {"shape": "linear", "duration": 10}},
         "preload": {"force": {"newtons": 17}, "ramp": 10, "duration": 60}}
        """#
        #expect(try JSONDecoder().decode(TractionProtocol.self, from: Data(text.utf8)) == P.defaultDisc)
        let log = #"{"shape": "logarithmic", "duration": 15, "segments": 8, "curvature": 2}"#
        #expect(try JSONDecoder().decode(P.Ramp.self, from: Data(log.utf8)) == .logarithmic(duration: 15, segments: 8, curvature: 2))
        let table = #"{"nonSplit": {"frictionCoefficient": 0.5}}"#
        #expect(try JSONDecoder().decode(P.TableConfiguration.self, from: Data(table.utf8)) == .nonSplit(frictionCoefficient: 0.5))
    }

    @Test("unknown keys, two patterns, and segments on a linear ramp are refused", arguments: [
        #"{"intermittent": {"cycles": 3, "pull": {"newtons": 110}, "hold": 60, "rest": 30, "restLevel": 0, "rampUp": {"shape": "linear", "duration": 10}, "rampDown": {"shape": "linear", "duration": 10}, "hodl": 5}}"#,
        #"{"custom": {"times": [0, 1], "forces": [0, 1], "unit": "newtons"}, "static": {"pull": {"newtons": 1}, "ramp": {"shape": "linear", "duration": 1}, "hold": 1}}"#,
        #"{"static": {"pull": {"newtons": 1}, "ramp": {"shape": "linear", "duration": 1, "segments": 4}, "hold": 1}}"#,
        #"{"static": {"pull": {"newtons": 1, "bodyWeightFraction": 0.2}, "ramp": {"shape": "linear", "duration": 1}, "hold": 1}}"#,
        #"{"static": {"pull": {"newtons": 1}, "ramp": {"shape": "cubic", "duration": 1}, "hold": 1}}"#,
        #"{"custom": {"times": [0, 1], "forces": [0, 1], "unit": "newtons"}, "harness": "neck"}"#,
    ])
    func refused(_ text: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TractionProtocol.self, from: Data(text.utf8)) }
    }
}
