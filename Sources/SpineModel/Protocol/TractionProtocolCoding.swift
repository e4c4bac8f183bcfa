import Foundation

// The JSON mapping documented on ``TractionProtocol``. Decoding refuses unknown keys and a
// pattern/table/force/ramp object with other than exactly one variant (DecodingError with the
// coding path); the numbers are checked by ``TractionProtocol/validate()``, which
// ``TractionProtocol/resolve(bodyMassKg:)`` always runs.

/// A coding key made from any string (to list an object's keys).
struct ProtocolCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Refuses keys of `decoder`'s object outside `allowed` (typos are never ignored).
private func refuseUnknownKeys(_ decoder: Decoder, allowed: Set<String>) throws {
    let c = try decoder.container(keyedBy: ProtocolCodingKey.self)
    for k in c.allKeys where !allowed.contains(k.stringValue) {
        throw DecodingError.dataCorruptedError(
            forKey: k, in: c, debugDescription: "unknown key \"\(k.stringValue)\"; expected one of: \(allowed.sorted().joined(separator: ", "))")
    }
}

/// The single key present among `variants`, or an error naming them.
private func oneVariant(_ decoder: Decoder, _ variants: [String], what: String) throws -> String {
    let c = try decoder.container(keyedBy: ProtocolCodingKey.self)
    let present = variants.filter { c.contains(ProtocolCodingKey($0)) }
    guard present.count == 1 else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                debugDescription: "\(what): expected exactly one of \(variants.joined(separator: ", ")), got \(present.isEmpty ? "none" : present.joined(separator: ", "))"))
    }
    return present[0]
}

extension TractionProtocol: Codable {
    private enum Keys: String, CodingKey, CaseIterable {
        case `static`, intermittent, steps, custom, preload, pullAngle, table, harness
    }

    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: Set(Keys.allCases.map(\.rawValue)))
        let c = try decoder.container(keyedBy: Keys.self)
        switch try oneVariant(decoder, ["static", "intermittent", "steps", "custom"], what: "protocol pattern") {
        case "static": pattern = .static(try c.decode(Static.self, forKey: .static))
        case "intermittent": pattern = .intermittent(try c.decode(Intermittent.self, forKey: .intermittent))
        case "steps": pattern = .steps(try c.decode(Steps.self, forKey: .steps))
        default: pattern = .custom(try c.decode(CustomCurve.self, forKey: .custom))
        }
        preload = try c.decodeIfPresent(Preload.self, forKey: .preload)
        pullAngle = try c.decodeIfPresent(Double.self, forKey: .pullAngle)
        table = try c.decodeIfPresent(TableConfiguration.self, forKey: .table)
        harness = try c.decodeIfPresent(Harness.self, forKey: .harness)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch pattern {
        case let .static(p): try c.encode(p, forKey: .static)
        case let .intermittent(p): try c.encode(p, forKey: .intermittent)
        case let .steps(p): try c.encode(p, forKey: .steps)
        case let .custom(p): try c.encode(p, forKey: .custom)
        }
        try c.encodeIfPresent(preload, forKey: .preload)
        try c.encodeIfPresent(pullAngle, forKey: .pullAngle)
        try c.encodeIfPresent(table, forKey: .table)
        try c.encodeIfPresent(harness, forKey: .harness)
    }
}

extension TractionProtocol.Force: Codable {
    private enum Keys: String, CodingKey { case newtons, bodyWeightFraction }

    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["newtons", "bodyWeightFraction"])
        let c = try decoder.container(keyedBy: Keys.self)
        switch try oneVariant(decoder, ["newtons", "bodyWeightFraction"], what: "force") {
        case "newtons": self = .newtons(try c.decode(Double.self, forKey: .newtons))
        default: self = .bodyWeightFraction(try c.decode(Double.self, forKey: .bodyWeightFraction))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case let .newtons(x): try c.encode(x, forKey: .newtons)
        case let .bodyWeightFraction(f): try c.encode(f, forKey: .bodyWeightFraction)
        }
    }
}

extension TractionProtocol.Ramp: Codable {
    private enum Keys: String, CodingKey { case shape, duration, segments, curvature }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let shapeName = try c.decode(String.self, forKey: .shape)
        duration = try c.decode(Double.self, forKey: .duration)
        switch shapeName {
        case "linear":
            try refuseUnknownKeys(decoder, allowed: ["shape", "duration"])
            shape = .linear
        case "logarithmic":
            try refuseUnknownKeys(decoder, allowed: ["shape", "duration", "segments", "curvature"])
            shape = .logarithmic(segments: try c.decode(Int.self, forKey: .segments),
                                 curvature: try c.decode(Double.self, forKey: .curvature))
        default:
            throw DecodingError.dataCorruptedError(forKey: .shape, in: c,
                                                   debugDescription: "expected \"linear\" or \"logarithmic\", got \"\(shapeName)\"")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(duration, forKey: .duration)
        switch shape {
        case .linear:
            try c.encode("linear", forKey: .shape)
        case let .logarithmic(n, a):
            try c.encode("logarithmic", forKey: .shape)
            try c.encode(n, forKey: .segments)
            try c.encode(a, forKey: .curvature)
        }
    }
}

extension TractionProtocol.Preload: Codable {
    private enum Keys: String, CodingKey { case force, ramp, duration }
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["force", "ramp", "duration"])
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(force: try c.decode(TractionProtocol.Force.self, forKey: .force),
                  ramp: try c.decode(Double.self, forKey: .ramp), duration: try c.decode(Double.self, forKey: .duration))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(force, forKey: .force)
        try c.encode(ramp, forKey: .ramp)
        try c.encode(duration, forKey: .duration)
    }
}

extension TractionProtocol.TableConfiguration: Codable {
    private enum Keys: String, CodingKey { case split, nonSplit }
    private enum FrictionKeys: String, CodingKey { case frictionCoefficient }

    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["split", "nonSplit"])
        let c = try decoder.container(keyedBy: Keys.self)
        switch try oneVariant(decoder, ["split", "nonSplit"], what: "table") {
        case "split":
            let inner = try c.superDecoder(forKey: .split)
            try refuseUnknownKeys(inner, allowed: [])
            self = .split
        default:
            let inner = try c.superDecoder(forKey: .nonSplit)
            try refuseUnknownKeys(inner, allowed: ["frictionCoefficient"])
            let f = try inner.container(keyedBy: FrictionKeys.self)
            self = .nonSplit(frictionCoefficient: try f.decode(Double.self, forKey: .frictionCoefficient))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .split:
            _ = c.nestedContainer(keyedBy: FrictionKeys.self, forKey: .split)
        case let .nonSplit(mu):
            var f = c.nestedContainer(keyedBy: FrictionKeys.self, forKey: .nonSplit)
            try f.encode(mu, forKey: .frictionCoefficient)
        }
    }
}

extension TractionProtocol.Harness: Codable {}
extension TractionProtocol.ForceUnit: Codable {}

extension TractionProtocol.Static: Codable {
    private enum Keys: String, CodingKey { case pull, ramp, hold, release }
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["pull", "ramp", "hold", "release"])
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(pull: try c.decode(TractionProtocol.Force.self, forKey: .pull),
                  ramp: try c.decode(TractionProtocol.Ramp.self, forKey: .ramp),
                  hold: try c.decode(Double.self, forKey: .hold),
                  release: try c.decodeIfPresent(TractionProtocol.Ramp.self, forKey: .release))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(pull, forKey: .pull)
        try c.encode(ramp, forKey: .ramp)
        try c.encode(hold, forKey: .hold)
        try c.encodeIfPresent(release, forKey: .release)
    }
}

extension TractionProtocol.Intermittent: Codable {
    private enum Keys: String, CodingKey, CaseIterable { case cycles, pull, hold, rest, restLevel, rampUp, rampDown }
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: Set(Keys.allCases.map(\.rawValue)))
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(cycles: try c.decode(Int.self, forKey: .cycles),
                  pull: try c.decode(TractionProtocol.Force.self, forKey: .pull),
                  hold: try c.decode(Double.self, forKey: .hold),
                  rest: try c.decode(Double.self, forKey: .rest),
                  restLevel: try c.decode(Double.self, forKey: .restLevel),
                  rampUp: try c.decode(TractionProtocol.Ramp.self, forKey: .rampUp),
                  rampDown: try c.decode(TractionProtocol.Ramp.self, forKey: .rampDown))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(cycles, forKey: .cycles)
        try c.encode(pull, forKey: .pull)
        try c.encode(hold, forKey: .hold)
        try c.encode(rest, forKey: .rest)
        try c.encode(restLevel, forKey: .restLevel)
        try c.encode(rampUp, forKey: .rampUp)
        try c.encode(rampDown, forKey: .rampDown)
    }
}

extension TractionProtocol.Steps.Level: Codable {
    private enum Keys: String, CodingKey { case force, hold }
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["force", "hold"])
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(force: try c.decode(TractionProtocol.Force.self, forKey: .force), hold: try c.decode(Double.self, forKey: .hold))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(force, forKey: .force)
        try c.encode(hold, forKey: .hold)
    }
}

extension TractionProtocol.Steps: Codable {
    private enum Keys: String, CodingKey { case levels, ramp, release }
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["levels", "ramp", "release"])
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(levels: try c.decode([Level].self, forKey: .levels),
                  ramp: try c.decode(TractionProtocol.Ramp.self, forKey: .ramp),
                  release: try c.decodeIfPresent(TractionProtocol.Ramp.self, forKey: .release))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(levels, forKey: .levels)
        try c.encode(ramp, forKey: .ramp)
        try c.encodeIfPresent(release, forKey: .release)
    }
}

extension TractionProtocol.CustomCurve: Codable {
    private enum Keys: String, CodingKey { case times, forces, unit }
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, allowed: ["times", "forces", "unit"])
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(times: try c.decode([Double].self, forKey: .times), forces: try c.decode([Double].self, forKey: .forces),
                  unit: try c.decode(TractionProtocol.ForceUnit.self, forKey: .unit))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(times, forKey: .times)
        try c.encode(forces, forKey: .forces)
        try c.encode(unit, forKey: .unit)
    }
}
