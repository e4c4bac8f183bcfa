/// Reads the members of one JSON object, tracking which were used so that unknown members are
/// refused, and naming every field by its dotted path.
struct FieldReader {
    let path: String
    private let members: JSONObject
    private var used: Set<String> = []

    init(_ value: JSONValue, path: String) throws(LimitsRefusal) {
        guard case .object(let m) = value else {
            throw LimitsRefusal(.wrongType, field: path.isEmpty ? nil : path, "expected an object at \(path.isEmpty ? "top level" : path)")
        }
        self.members = m
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func value(_ key: String) throws(LimitsRefusal) -> JSONValue {
        guard let v = members[key] else {
            throw LimitsRefusal(.missingField, field: fieldPath(key), "required field \(fieldPath(key)) is missing")
        }
        used.insert(key)
        return v
    }

    mutating func object(_ key: String) throws(LimitsRefusal) -> FieldReader {
        try FieldReader(value(key), path: fieldPath(key))
    }

    mutating func number(_ key: String) throws(LimitsRefusal) -> Double {
        guard case .number(let x) = try value(key) else {
            throw LimitsRefusal(.wrongType, field: fieldPath(key), "\(fieldPath(key)) must be a number")
        }
        return x
    }

    mutating func integer(_ key: String) throws(LimitsRefusal) -> Int {
        let x = try number(key)
        guard x == x.rounded(.towardZero), abs(x) <= 1_000_000_000 else {
            throw LimitsRefusal(.wrongType, field: fieldPath(key), "\(fieldPath(key)) = \(x) must be a whole number (|n| ≤ 1e9)")
        }
        return Int(x)
    }

    mutating func string(_ key: String) throws(LimitsRefusal) -> String {
        guard case .string(let s) = try value(key) else {
            throw LimitsRefusal(.wrongType, field: fieldPath(key), "\(fieldPath(key)) must be a string")
        }
        return s
    }

    mutating func bool(_ key: String) throws(LimitsRefusal) -> Bool {
        guard case .bool(let b) = try value(key) else {
            throw LimitsRefusal(.wrongType, field: fieldPath(key), "\(fieldPath(key)) must be true or false")
        }
        return b
    }

    mutating func array(_ key: String) throws(LimitsRefusal) -> [JSONValue] {
        guard case .array(let a) = try value(key) else {
            throw LimitsRefusal(.wrongType, field: fieldPath(key), "\(fieldPath(key)) must be an array")
        }
        return a
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) throws(LimitsRefusal) -> E where E.RawValue == String {
        let s = try string(key)
        guard let e = E(rawValue: s) else {
            throw LimitsRefusal(.wrongType, field: fieldPath(key),
                                "\(fieldPath(key)) = \"\(s)\" is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    /// Refuses any member not read.
    func finish() throws(LimitsRefusal) {
        let unknown = members.keys.filter { !used.contains($0) }.sorted()
        if let first = unknown.first {
            throw LimitsRefusal(.unknownField, field: fieldPath(first), "field \(fieldPath(first)) is not defined by schema \(TractionSafetyModule.schemaMajorVersion).x")
        }
    }
}

extension ForceSafetyLimits {
    /// The document as a JSON value, without a signature.
    public var jsonValue: JSONValue {
        var limitsObject: JSONObject = [:]
        for (name, kp) in Limits.fields {
            let l = limits[keyPath: kp]
            limitsObject[name] = .object([
                "value": .number(l.value), "kind": .string(l.kind.rawValue),
                "criterion": .string(l.criterion), "marginFraction": .number(l.marginFraction),
            ])
        }
        var monitoringObject: JSONObject = [:]
        for (name, kp) in MonitoringSettings.fields { monitoringObject[name] = .number(monitoring[keyPath: kp]) }
        return .object([
            "schemaVersion": .object(["major": .number(Double(schemaVersion.major)), "minor": .number(Double(schemaVersion.minor))]),
            "region": .string(region.rawValue),
            "level": .string(level.text),
            "configuration": .object(["surface": .string(configuration.surface.rawValue), "harness": .string(configuration.harness.rawValue)]),
            "blocked": .bool(blocked),
            "blockReasons": .array(blockReasons.map { .string($0.rawValue) }),
            "limits": .object(limitsObject),
            "monitoring": .object(monitoringObject),
            "provenance": .object([
                "libraryVersion": .string(provenance.libraryVersion),
                "modelId": .string(provenance.modelId),
                "modelDigestSHA256": .string(provenance.modelDigestSHA256),
                "surrogateDigestSHA256": .string(provenance.surrogateDigestSHA256),
                "inputsDigestSHA256": .string(provenance.inputsDigestSHA256),
                "createdAtUnixS": .number(provenance.createdAtUnixS),
                "expiresAtUnixS": .number(provenance.expiresAtUnixS),
            ]),
        ])
    }

    /// Decodes a document (without its `signature` member) from a JSON value, refusing any
    /// missing, unknown or mistyped field and an unsupported major version. Values are not
    /// range-checked here: see ``LimitsValidation``.
    public init(jsonValue: JSONValue) throws(LimitsRefusal) {
        var top = try FieldReader(jsonValue, path: "")
        var version = try top.object("schemaVersion")
        let major = try version.integer("major")
        guard major == TractionSafetyModule.schemaMajorVersion else {
            throw LimitsRefusal(.unsupportedMajorVersion, field: "schemaVersion.major",
                                "schema major version \(major) is not supported; this build reads \(TractionSafetyModule.schemaMajorVersion)")
        }
        let minor = try version.integer("minor")
        try version.finish()
        let region = try top.enumeration("region", SpinalRegion.self)
        let levelText = try top.string("level")
        guard let level = SpinalLevel(levelText) else {
            throw LimitsRefusal(.wrongType, field: "level", "level = \"\(levelText)\" is not a treated motion segment; expected one of \(SpinalLevel.listText)")
        }
        var c = try top.object("configuration")
        let configuration = TractionConfiguration(surface: try c.enumeration("surface", TractionConfiguration.Surface.self),
                                                  harness: try c.enumeration("harness", TractionConfiguration.Harness.self))
        try c.finish()
        let blocked = try top.bool("blocked")
        var reasons: [BlockReason] = []
        for (k, v) in try top.array("blockReasons").enumerated() {
            guard case .string(let s) = v, let r = BlockReason(rawValue: s) else {
                throw LimitsRefusal(.wrongType, field: "blockReasons[\(k)]",
                                    "blockReasons[\(k)] is not one of \(BlockReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            reasons.append(r)
        }
        var limitsReader = try top.object("limits")
        let placeholder = GovernedLimit(value: 0, kind: .clinicalRule, criterion: "", marginFraction: 0)
        var limits = Limits(maxForceN: placeholder, softMaxForceN: placeholder, maxRampUpNPerS: placeholder,
                            maxRampDownNPerS: placeholder, minHoldS: placeholder, maxHoldS: placeholder,
                            minRestS: placeholder, maxCycles: placeholder, maxSessionS: placeholder,
                            minAngleDeg: placeholder, maxAngleDeg: placeholder, restForceFractionMax: placeholder)
        for (name, kp) in Limits.fields {
            var entry = try limitsReader.object(name)
            let value = try entry.number("value")
            let kind = try entry.enumeration("kind", CriterionKind.self)
            let criterion = try entry.string("criterion")
            let margin = try entry.number("marginFraction")
            try entry.finish()
            limits[keyPath: kp] = GovernedLimit(value: value, kind: kind, criterion: criterion, marginFraction: margin)
        }
        try limitsReader.finish()
        var monitoringReader = try top.object("monitoring")
        var monitoring = MonitoringSettings(trackingToleranceN: 0, trackingToleranceDurationS: 0, overshootN: 0,
                                            overshootDurationS: 0, sensorFreshnessTimeoutS: 0, frozenSensorTimeoutS: 0,
                                            frozenSensorMinCommandChangeN: 0)
        for (name, kp) in MonitoringSettings.fields { monitoring[keyPath: kp] = try monitoringReader.number(name) }
        try monitoringReader.finish()
        var p = try top.object("provenance")
        let provenance = Provenance(libraryVersion: try p.string("libraryVersion"), modelId: try p.string("modelId"),
                                    modelDigestSHA256: try p.string("modelDigestSHA256"),
                                    surrogateDigestSHA256: try p.string("surrogateDigestSHA256"),
                                    inputsDigestSHA256: try p.string("inputsDigestSHA256"),
                                    createdAtUnixS: try p.number("createdAtUnixS"), expiresAtUnixS: try p.number("expiresAtUnixS"))
        try p.finish()
        try top.finish()
        self.init(schemaVersion: SchemaVersion(major: major, minor: minor), region: region, level: level, configuration: configuration, blocked: blocked,
                  blockReasons: reasons, limits: limits, monitoring: monitoring, provenance: provenance)
    }
}

extension ForceSafetyLimits {
    /// Reads an unsigned document (or a signed one, whose signature is ignored) from JSON bytes in
    /// any whitespace layout and key order, e.g. a document a tool wrote before `limits sign`.
    /// The grammar is still strict (no duplicate keys, no comments, no NaN); every field is
    /// required, unknown fields are refused, and the values pass ``LimitsValidation``.
    /// - Throws: ``LimitsRefusal`` naming the first problem.
    public init(unsignedJSON bytes: [UInt8]) throws(LimitsRefusal) {
        guard bytes.count <= LimitsLoader.maxDocumentBytes else {
            throw LimitsRefusal(.documentTooLarge, "document is \(bytes.count) bytes; at most \(LimitsLoader.maxDocumentBytes) accepted")
        }
        let tree: JSONValue
        do {
            tree = try StrictJSONParser.parse(bytes)
        } catch {
            throw LimitsRefusal(error.isNonFinite ? .nonFiniteValue : .malformedJSON, field: error.path.isEmpty ? nil : error.path,
                                "byte \(error.offset): \(error.message)")
        }
        guard case .object(var members) = tree else { throw LimitsRefusal(.wrongType, "the document must be a JSON object") }
        members["signature"] = nil
        try self.init(jsonValue: .object(members))
        try LimitsValidation.validate(self)
    }

    /// The canonical JSON bytes of the unsigned document (what `limits sign` reads back).
    public var canonicalUnsignedJSON: [UInt8] { CanonicalJSON.encode(jsonValue) }
}
