extension LimitsBuilder.Inputs {
    /// Reads builder inputs from JSON, in the shape ``jsonValue`` writes (any whitespace and key
    /// order). Every field is required (`monthsSinceSpinalSurgery` may be `null`; `boneDensity` is
    /// `{"tScore": t}` or `"notAssessed"`); unknown fields are refused. Ranges are checked by
    /// ``LimitsBuilder/build(_:)``.
    /// - Throws: ``LimitsRefusal`` naming the first missing, unknown or mistyped field.
    public init(json bytes: [UInt8]) throws(LimitsRefusal) {
        let tree: JSONValue
        do { tree = try StrictJSONParser.parse(bytes) } catch {
            throw LimitsRefusal(error.isNonFinite ? .nonFiniteValue : .malformedJSON, field: error.path.isEmpty ? nil : error.path,
                                "byte \(error.offset): \(error.message)")
        }
        var top = try FieldReader(tree, path: "")
        var p = try top.object("patient")
        let mass = try p.number("bodyMassKg")
        let region = try p.enumeration("region", SpinalRegion.self)
        let levelText = try p.string("level")
        guard let level = SpinalLevel(levelText) else {
            throw LimitsRefusal(.wrongType, field: "patient.level", "patient.level = \"\(levelText)\" is not a treated motion segment; expected one of \(SpinalLevel.listText)")
        }
        let density: BoneDensity
        switch try p.value("boneDensity") {
        case .string("notAssessed"): density = .notAssessed
        case let v:
            var d = try FieldReader(v, path: "patient.boneDensity")
            density = .tScore(try d.number("tScore"))
            try d.finish()
        }
        var conditions: Set<Condition> = []
        for (k, v) in try p.array("conditions").enumerated() {
            guard case .string(let s) = v, let c = Condition(rawValue: s) else {
                throw LimitsRefusal(.wrongType, field: "patient.conditions[\(k)]", "patient.conditions[\(k)] is not a known condition")
            }
            conditions.insert(c)
        }
        let grade = try p.integer("spondylolisthesisGrade")
        let months: Int?
        if case .null = try p.value("monthsSinceSpinalSurgery") { months = nil } else { months = try p.integer("monthsSinceSpinalSurgery") }
        try p.finish()
        var cr = try top.object("configuration")
        let configuration = TractionConfiguration(surface: try cr.enumeration("surface", TractionConfiguration.Surface.self),
                                                  harness: try cr.enumeration("harness", TractionConfiguration.Harness.self))
        try cr.finish()
        var d = try top.object("device")
        let device = DeviceRating(deviceId: try d.string("deviceId"), maxForceN: try d.number("maxForceN"), maxRampUpNPerS: try d.number("maxRampUpNPerS"),
                                  maxRampDownNPerS: try d.number("maxRampDownNPerS"), minAngleDeg: try d.number("minAngleDeg"),
                                  maxAngleDeg: try d.number("maxAngleDeg"))
        try d.finish()
        var r = try top.object("prescription")
        let prescription = SessionPrescription(
            softMaxForceN: try r.number("softMaxForceN"), minHoldS: try r.number("minHoldS"), maxHoldS: try r.number("maxHoldS"),
            minRestS: try r.number("minRestS"), maxCycles: try r.integer("maxCycles"), maxSessionS: try r.number("maxSessionS"),
            restForceFractionMax: try r.number("restForceFractionMax"), minAngleDeg: try r.number("minAngleDeg"), maxAngleDeg: try r.number("maxAngleDeg"))
        try r.finish()
        var modelLimits: [LimitCandidate] = []
        for (k, v) in try top.array("modelLimits").enumerated() {
            var m = try FieldReader(v, path: "modelLimits[\(k)]")
            let quantity = try m.enumeration("quantity", LimitQuantity.self)
            modelLimits.append(LimitCandidate(quantity, try m.number("value"), kind: try m.enumeration("kind", CriterionKind.self),
                                              criterion: try m.string("criterion"), marginFraction: try m.number("marginFraction")))
            try m.finish()
        }
        let modelId = try top.string("modelId")
        let modelDigest = try top.string("modelDigestSHA256")
        let surrogateDigest = try top.string("surrogateDigestSHA256")
        var mr = try top.object("monitoring")
        var monitoring = MonitoringSettings(trackingToleranceN: 0, trackingToleranceDurationS: 0, overshootN: 0, overshootDurationS: 0,
                                            sensorFreshnessTimeoutS: 0, frozenSensorTimeoutS: 0, frozenSensorMinCommandChangeN: 0)
        for (name, kp) in MonitoringSettings.fields { monitoring[keyPath: kp] = try mr.number(name) }
        try mr.finish()
        let created = try top.number("createdAtUnixS")
        let validity = try top.number("validityS")
        try top.finish()
        self.init(patient: PatientAssessment(bodyMassKg: mass, region: region, level: level, boneDensity: density, conditions: conditions,
                                             spondylolisthesisGrade: grade, monthsSinceSpinalSurgery: months),
                  configuration: configuration, device: device, prescription: prescription, modelLimits: modelLimits, modelId: modelId,
                  modelDigestSHA256: modelDigest, surrogateDigestSHA256: surrogateDigest, monitoring: monitoring,
                  createdAtUnixS: created, validityS: validity)
    }

    /// Canonical JSON bytes of the inputs (the digest covers exactly these bytes).
    public var canonicalJSON: [UInt8] { CanonicalJSON.encode(jsonValue) }
}
