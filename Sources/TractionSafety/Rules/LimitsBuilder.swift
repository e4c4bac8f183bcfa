/// A quantity a limits document bounds (one per ``Limits`` field).
public enum LimitQuantity: String, CaseIterable, Sendable {
    /// Hard maximum force, N.
    case maxForceN
    /// Soft maximum force, N.
    case softMaxForceN
    /// Maximum ramp-up rate, N/s.
    case maxRampUpNPerS
    /// Maximum ramp-down rate, N/s.
    case maxRampDownNPerS
    /// Minimum pull duration, s.
    case minHoldS
    /// Maximum pull duration, s.
    case maxHoldS
    /// Minimum rest duration, s.
    case minRestS
    /// Maximum number of cycles.
    case maxCycles
    /// Maximum session duration, s.
    case maxSessionS
    /// Minimum pull angle, deg.
    case minAngleDeg
    /// Maximum pull angle, deg.
    case maxAngleDeg
    /// Maximum rest force as a fraction of the preceding pull's peak.
    case restForceFractionMax

    /// True for a lower bound (min…): the most restrictive candidate is the largest. For every
    /// other quantity it is the smallest.
    public var isLowerBound: Bool { self == .minHoldS || self == .minRestS || self == .minAngleDeg }

    var keyPath: WritableKeyPath<Limits, GovernedLimit> {
        Limits.fields.first { $0.name == rawValue }!.keyPath
    }
}

/// One proposed value for a limit, from one criterion.
public struct LimitCandidate: Equatable, Sendable {
    /// Which limit.
    public var quantity: LimitQuantity
    /// Proposed value in the quantity's unit (N, N/s, s, deg, count, fraction).
    public var value: Double
    /// Kind of criterion.
    public var kind: CriterionKind
    /// Criterion identifier (ASCII letters, digits, `.`, `_`, `-`, `+`).
    public var criterion: String
    /// Safety margin the criterion built in, fraction in [0, 1).
    public var marginFraction: Double

    /// Creates a candidate.
    public init(_ quantity: LimitQuantity, _ value: Double, kind: CriterionKind, criterion: String, marginFraction: Double = 0) {
        self.quantity = quantity
        self.value = value
        self.kind = kind
        self.criterion = criterion
        self.marginFraction = marginFraction
    }
}

/// Clinical caps as functions of body mass and region, each citing its source.
///
/// Sources (LITERATURE.md, "Traction dosing and devices [G]"):
/// - lumbar: 40–50 % of body weight on a split table is needed for separation → hard cap 50 %
///   of body weight (the top of that range; the rule), soft cap 40 % (its bottom);
/// - cervical: 25–45 lb for measurable posterior separation → hard cap 45 lbf = 200.17 N, soft
///   cap 25 lbf = 111.21 N; flexion angle 15–25°; hold:rest 3:1 to 4:1 → rest ≥ hold/4;
/// - decompression tables: ~15 cycles of ~60 s pull / 30 s rest, ~30 min → session ≤ 1800 s;
///   rest phase at ~50 % of set force (Triton) → rest-force fraction ≤ 0.5; lumbar pull angle 0–30°.
public enum ClinicalCaps {
    /// Standard gravity, m/s² (converts body mass in kg to body weight in N).
    public static let standardGravity = 9.80665
    /// Newtons per pound-force (exact: 0.45359237 kg × 9.80665 m/s²).
    public static let newtonsPerPoundForce = 4.4482216152605
    /// Lumbar hard cap, fraction of body weight.
    public static let lumbarHardFractionOfBodyWeight = 0.5
    /// Lumbar soft cap, fraction of body weight.
    public static let lumbarSoftFractionOfBodyWeight = 0.4
    /// Cervical hard cap, lbf.
    public static let cervicalHardPoundsForce = 45.0
    /// Cervical soft cap, lbf.
    public static let cervicalSoftPoundsForce = 25.0
    /// Longest session, s.
    public static let maxSessionS = 1800.0
    /// Highest rest force fraction.
    public static let restForceFractionMax = 0.5
    /// Cervical hold:rest ratio upper bound (rest ≥ hold / 4).
    public static let cervicalMaxHoldToRestRatio = 4.0

    /// The clinical candidates for `patient` (body mass in kg). The cervical rest rule needs the
    /// prescribed maximum hold, s.
    public static func candidates(for patient: PatientAssessment, prescribedMaxHoldS: Double) -> [LimitCandidate] {
        let weightN = patient.bodyMassKg * standardGravity
        switch patient.region {
        case .lumbar:
            return [
                LimitCandidate(.maxForceN, lumbarHardFractionOfBodyWeight * weightN, kind: .clinicalRule, criterion: "clinical.lumbar.halfBodyWeight"),
                LimitCandidate(.softMaxForceN, lumbarSoftFractionOfBodyWeight * weightN, kind: .clinicalRule, criterion: "clinical.lumbar.fortyPercentBodyWeight"),
                LimitCandidate(.maxSessionS, maxSessionS, kind: .clinicalRule, criterion: "clinical.decompressionTable.session30min"),
                LimitCandidate(.restForceFractionMax, restForceFractionMax, kind: .clinicalRule, criterion: "clinical.decompressionTable.restHalfForce"),
                LimitCandidate(.minAngleDeg, 0, kind: .clinicalRule, criterion: "clinical.lumbar.pullAngle0to30"),
                LimitCandidate(.maxAngleDeg, 30, kind: .clinicalRule, criterion: "clinical.lumbar.pullAngle0to30"),
            ]
        case .cervical:
            return [
                LimitCandidate(.maxForceN, cervicalHardPoundsForce * newtonsPerPoundForce, kind: .clinicalRule, criterion: "clinical.cervical.45lbf"),
                LimitCandidate(.softMaxForceN, cervicalSoftPoundsForce * newtonsPerPoundForce, kind: .clinicalRule, criterion: "clinical.cervical.25lbf"),
                LimitCandidate(.maxSessionS, maxSessionS, kind: .clinicalRule, criterion: "clinical.decompressionTable.session30min"),
                LimitCandidate(.restForceFractionMax, restForceFractionMax, kind: .clinicalRule, criterion: "clinical.decompressionTable.restHalfForce"),
                LimitCandidate(.minAngleDeg, 15, kind: .clinicalRule, criterion: "clinical.cervical.flexion15to25"),
                LimitCandidate(.maxAngleDeg, 25, kind: .clinicalRule, criterion: "clinical.cervical.flexion15to25"),
                LimitCandidate(.minRestS, prescribedMaxHoldS / cervicalMaxHoldToRestRatio, kind: .clinicalRule, criterion: "clinical.cervical.holdRestAtMost4to1"),
            ]
        }
    }
}

/// The traction device's rating (from its manufacturer).
public struct DeviceRating: Equatable, Sendable {
    /// Identifier of the device model (ASCII letters, digits, `.`, `_`, `-`).
    public var deviceId: String
    /// Rated maximum force, N.
    public var maxForceN: Double
    /// Rated maximum ramp-up rate, N/s.
    public var maxRampUpNPerS: Double
    /// Rated maximum ramp-down rate, N/s.
    public var maxRampDownNPerS: Double
    /// Smallest pull angle the device supports, deg.
    public var minAngleDeg: Double
    /// Largest pull angle the device supports, deg.
    public var maxAngleDeg: Double

    /// Creates a rating.
    public init(deviceId: String, maxForceN: Double, maxRampUpNPerS: Double, maxRampDownNPerS: Double, minAngleDeg: Double, maxAngleDeg: Double) {
        self.deviceId = deviceId
        self.maxForceN = maxForceN
        self.maxRampUpNPerS = maxRampUpNPerS
        self.maxRampDownNPerS = maxRampDownNPerS
        self.minAngleDeg = minAngleDeg
        self.maxAngleDeg = maxAngleDeg
    }
}

/// The clinician's prescription for the session (all timing limits come from it, capped by
/// ``ClinicalCaps``).
public struct SessionPrescription: Equatable, Sendable {
    /// Prescribed soft maximum force, N.
    public var softMaxForceN: Double
    /// Shortest pull phase, s.
    public var minHoldS: Double
    /// Longest pull phase, s.
    public var maxHoldS: Double
    /// Shortest rest phase, s.
    public var minRestS: Double
    /// Number of cycles.
    public var maxCycles: Int
    /// Session duration, s.
    public var maxSessionS: Double
    /// Rest force as a fraction of the pull force.
    public var restForceFractionMax: Double
    /// Pull angle range, deg.
    public var minAngleDeg: Double
    /// Pull angle range, deg.
    public var maxAngleDeg: Double

    /// Creates a prescription.
    public init(softMaxForceN: Double, minHoldS: Double, maxHoldS: Double, minRestS: Double, maxCycles: Int, maxSessionS: Double,
                restForceFractionMax: Double, minAngleDeg: Double, maxAngleDeg: Double) {
        self.softMaxForceN = softMaxForceN
        self.minHoldS = minHoldS
        self.maxHoldS = maxHoldS
        self.minRestS = minRestS
        self.maxCycles = maxCycles
        self.maxSessionS = maxSessionS
        self.restForceFractionMax = restForceFractionMax
        self.minAngleDeg = minAngleDeg
        self.maxAngleDeg = maxAngleDeg
    }
}

/// Why the builder refused its inputs (field, value, what was expected).
public struct LimitsBuildError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input field concerned.
    public let field: String
    /// What was wrong.
    public let message: String
    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}

/// Builds a ``ForceSafetyLimits`` document: for every limit, the most restrictive of the clinical
/// caps, the device rating, the prescription and the caller's model-derived limits (e.g. the
/// ligament-strain limit from the spine model), then lowered — never raised — by relative
/// contraindications and bone density; blocked when an absolute contraindication applies.
///
/// Deterministic: the same ``Inputs`` give an identical document (the creation time is an input).
public enum LimitsBuilder {
    /// Everything a document is built from. Its canonical JSON's SHA-256 is the document's
    /// `inputsDigestSHA256`.
    public struct Inputs: Equatable, Sendable {
        /// The patient findings.
        public var patient: PatientAssessment
        /// The device configuration the limits are for (support surface and harness).
        public var configuration: TractionConfiguration
        /// The device rating.
        public var device: DeviceRating
        /// The prescription.
        public var prescription: SessionPrescription
        /// Model-derived limits (any quantity; each must be kind `.modelCriterion`).
        public var modelLimits: [LimitCandidate]
        /// Identifier of the model that produced `modelLimits` (e.g. `"clinical-only"` if none).
        public var modelId: String
        /// SHA-256 (64 lowercase hex) of the model definition behind `modelLimits`, or
        /// ``Provenance/none`` when `modelLimits` is empty.
        public var modelDigestSHA256: String
        /// SHA-256 (64 lowercase hex) of the surrogate file `modelLimits` were read from, or
        /// ``Provenance/none`` (full solves, or no model limits).
        public var surrogateDigestSHA256: String
        /// Monitoring settings for the controller.
        public var monitoring: MonitoringSettings
        /// Creation time, s since 1970-01-01T00:00:00Z.
        public var createdAtUnixS: Double
        /// Validity, s (expiry = creation + validity), in (0, 90 days].
        public var validityS: Double

        /// Creates inputs.
        public init(patient: PatientAssessment, configuration: TractionConfiguration, device: DeviceRating, prescription: SessionPrescription,
                    modelLimits: [LimitCandidate], modelId: String, modelDigestSHA256: String, surrogateDigestSHA256: String,
                    monitoring: MonitoringSettings, createdAtUnixS: Double, validityS: Double) {
            self.patient = patient
            self.configuration = configuration
            self.device = device
            self.prescription = prescription
            self.modelLimits = modelLimits
            self.modelId = modelId
            self.modelDigestSHA256 = modelDigestSHA256
            self.surrogateDigestSHA256 = surrogateDigestSHA256
            self.monitoring = monitoring
            self.createdAtUnixS = createdAtUnixS
            self.validityS = validityS
        }

        /// Canonical JSON of the inputs (what the digest covers). Contains no personal data.
        public var jsonValue: JSONValue {
            let p = patient
            let density: JSONValue
            switch p.boneDensity {
            case .tScore(let t): density = .object(["tScore": .number(t)])
            case .notAssessed: density = .string("notAssessed")
            }
            var monitoringObject: JSONObject = [:]
            for (name, kp) in MonitoringSettings.fields { monitoringObject[name] = .number(monitoring[keyPath: kp]) }
            let rx = prescription
            return .object([
                "patient": .object([
                    "bodyMassKg": .number(p.bodyMassKg), "region": .string(p.region.rawValue), "level": .string(p.level.text),
                    "boneDensity": density, "conditions": .array(p.conditions.sorted().map { .string($0.rawValue) }),
                    "spondylolisthesisGrade": .number(Double(p.spondylolisthesisGrade)),
                    "monthsSinceSpinalSurgery": p.monthsSinceSpinalSurgery.map { .number(Double($0)) } ?? .null,
                ]),
                "configuration": .object(["surface": .string(configuration.surface.rawValue), "harness": .string(configuration.harness.rawValue)]),
                "device": .object([
                    "deviceId": .string(device.deviceId), "maxForceN": .number(device.maxForceN),
                    "maxRampUpNPerS": .number(device.maxRampUpNPerS), "maxRampDownNPerS": .number(device.maxRampDownNPerS),
                    "minAngleDeg": .number(device.minAngleDeg), "maxAngleDeg": .number(device.maxAngleDeg),
                ]),
                "prescription": .object([
                    "softMaxForceN": .number(rx.softMaxForceN), "minHoldS": .number(rx.minHoldS), "maxHoldS": .number(rx.maxHoldS),
                    "minRestS": .number(rx.minRestS), "maxCycles": .number(Double(rx.maxCycles)), "maxSessionS": .number(rx.maxSessionS),
                    "restForceFractionMax": .number(rx.restForceFractionMax), "minAngleDeg": .number(rx.minAngleDeg),
                    "maxAngleDeg": .number(rx.maxAngleDeg),
                ]),
                "modelLimits": .array(modelLimits.map {
                    .object(["quantity": .string($0.quantity.rawValue), "value": .number($0.value), "kind": .string($0.kind.rawValue),
                             "criterion": .string($0.criterion), "marginFraction": .number($0.marginFraction)])
                }),
                "modelId": .string(modelId),
                "modelDigestSHA256": .string(modelDigestSHA256),
                "surrogateDigestSHA256": .string(surrogateDigestSHA256),
                "monitoring": .object(monitoringObject),
                "createdAtUnixS": .number(createdAtUnixS),
                "validityS": .number(validityS),
            ])
        }

        /// SHA-256 of the canonical inputs, 64 lowercase hex: the patient digest a controller expects.
        public var digestSHA256: String { Hex.encode(CryptoPrimitives.sha256(CanonicalJSON.encode(jsonValue))) }
    }

    /// Builds the document, or refuses inputs that are non-finite, negative or out of range.
    public static func build(_ inputs: Inputs) throws(LimitsBuildError) -> ForceSafetyLimits {
        try validate(inputs)
        let p = inputs.patient
        let rx = inputs.prescription
        let d = inputs.device
        var candidates = ClinicalCaps.candidates(for: p, prescribedMaxHoldS: rx.maxHoldS)
        candidates += [
            LimitCandidate(.maxForceN, d.maxForceN, kind: .deviceRating, criterion: "device.\(d.deviceId).maxForce"),
            LimitCandidate(.maxRampUpNPerS, d.maxRampUpNPerS, kind: .deviceRating, criterion: "device.\(d.deviceId).maxRampUp"),
            LimitCandidate(.maxRampDownNPerS, d.maxRampDownNPerS, kind: .deviceRating, criterion: "device.\(d.deviceId).maxRampDown"),
            LimitCandidate(.minAngleDeg, d.minAngleDeg, kind: .deviceRating, criterion: "device.\(d.deviceId).angleRange"),
            LimitCandidate(.maxAngleDeg, d.maxAngleDeg, kind: .deviceRating, criterion: "device.\(d.deviceId).angleRange"),
            LimitCandidate(.softMaxForceN, rx.softMaxForceN, kind: .prescription, criterion: "prescription.softMaxForce"),
            LimitCandidate(.minHoldS, rx.minHoldS, kind: .prescription, criterion: "prescription.minHold"),
            LimitCandidate(.maxHoldS, rx.maxHoldS, kind: .prescription, criterion: "prescription.maxHold"),
            LimitCandidate(.minRestS, rx.minRestS, kind: .prescription, criterion: "prescription.minRest"),
            LimitCandidate(.maxCycles, Double(rx.maxCycles), kind: .prescription, criterion: "prescription.cycles"),
            LimitCandidate(.maxSessionS, rx.maxSessionS, kind: .prescription, criterion: "prescription.session"),
            LimitCandidate(.restForceFractionMax, rx.restForceFractionMax, kind: .prescription, criterion: "prescription.restForceFraction"),
            LimitCandidate(.minAngleDeg, rx.minAngleDeg, kind: .prescription, criterion: "prescription.angleRange"),
            LimitCandidate(.maxAngleDeg, rx.maxAngleDeg, kind: .prescription, criterion: "prescription.angleRange"),
        ]
        candidates += inputs.modelLimits

        // The most restrictive candidate per quantity (first one wins a tie: deterministic).
        var chosen: [LimitQuantity: GovernedLimit] = [:]
        for q in LimitQuantity.allCases {
            var best: LimitCandidate?
            for c in candidates where c.quantity == q {
                if let b = best {
                    if q.isLowerBound ? c.value > b.value : c.value < b.value { best = c }
                } else {
                    best = c
                }
            }
            // Every quantity has a clinical, device or prescription candidate above.
            let b = best!
            chosen[q] = GovernedLimit(value: b.value, kind: b.kind, criterion: b.criterion, marginFraction: b.marginFraction)
        }

        // Relative contraindications and bone density: factors ≤ 1 on force, ramp-up, session.
        var forceFactor = ContraindicationRules.boneDensityForceFactor(p.boneDensity)
        var rampUpFactor = 1.0
        var sessionFactor = 1.0
        var forceCodes: [String] = forceFactor < 1 ? ["boneDensity"] : []
        var rampCodes: [String] = []
        var sessionCodes: [String] = []
        for rule in ContraindicationRules.relativeRules(for: p) {
            if rule.forceFactor < 1 { forceFactor *= rule.forceFactor; forceCodes.append(rule.condition.rawValue) }
            if rule.rampUpFactor < 1 { rampUpFactor *= rule.rampUpFactor; rampCodes.append(rule.condition.rawValue) }
            if rule.sessionFactor < 1 { sessionFactor *= rule.sessionFactor; sessionCodes.append(rule.condition.rawValue) }
        }
        if p.spondylolisthesisGrade == 1 {
            forceFactor *= ContraindicationRules.spondylolisthesisGrade1ForceFactor
            rampUpFactor *= ContraindicationRules.spondylolisthesisGrade1RampUpFactor
            forceCodes.append("spondylolisthesisGrade1")
            rampCodes.append("spondylolisthesisGrade1")
        }
        func lower(_ q: LimitQuantity, by factor: Double, codes: [String]) {
            guard factor < 1, let base = chosen[q] else { return }
            chosen[q] = GovernedLimit(value: base.value * factor, kind: .relativeContraindication,
                                      criterion: criterionIdentifier("relative.", codes), marginFraction: 1 - factor)
        }
        lower(.maxForceN, by: forceFactor, codes: forceCodes)
        lower(.softMaxForceN, by: forceFactor, codes: forceCodes)
        lower(.maxRampUpNPerS, by: rampUpFactor, codes: rampCodes)
        lower(.maxSessionS, by: sessionFactor, codes: sessionCodes)
        // The soft maximum never exceeds the hard one.
        if chosen[.softMaxForceN]!.value > chosen[.maxForceN]!.value { chosen[.softMaxForceN] = chosen[.maxForceN] }

        let blockReasons = ContraindicationRules.blockReasons(for: p)
        if !blockReasons.isEmpty {
            let blockedForce = GovernedLimit(value: 0, kind: .absoluteContraindication,
                                             criterion: criterionIdentifier("absolute.", blockReasons.map(\.rawValue)), marginFraction: 0)
            chosen[.maxForceN] = blockedForce
            chosen[.softMaxForceN] = blockedForce
        }

        var limits = Limits(maxForceN: chosen[.maxForceN]!, softMaxForceN: chosen[.softMaxForceN]!, maxRampUpNPerS: chosen[.maxRampUpNPerS]!,
                            maxRampDownNPerS: chosen[.maxRampDownNPerS]!, minHoldS: chosen[.minHoldS]!, maxHoldS: chosen[.maxHoldS]!,
                            minRestS: chosen[.minRestS]!, maxCycles: chosen[.maxCycles]!, maxSessionS: chosen[.maxSessionS]!,
                            minAngleDeg: chosen[.minAngleDeg]!, maxAngleDeg: chosen[.maxAngleDeg]!,
                            restForceFractionMax: chosen[.restForceFractionMax]!)
        for q in LimitQuantity.allCases { limits[keyPath: q.keyPath] = chosen[q]! }
        let document = ForceSafetyLimits(
            schemaVersion: .current, region: p.region, level: p.level, configuration: inputs.configuration, blocked: !blockReasons.isEmpty, blockReasons: blockReasons,
            limits: limits, monitoring: inputs.monitoring,
            provenance: Provenance(libraryVersion: TractionSafetyModule.libraryVersion, modelId: inputs.modelId,
                                   modelDigestSHA256: inputs.modelDigestSHA256, surrogateDigestSHA256: inputs.surrogateDigestSHA256,
                                   inputsDigestSHA256: inputs.digestSHA256, createdAtUnixS: inputs.createdAtUnixS,
                                   expiresAtUnixS: inputs.createdAtUnixS + inputs.validityS))
        // The same checks as signing and loading: a document outside ``LimitsRanges`` (e.g. a device
        // rating above the table's ramp-rate bound) is refused here, naming the document field.
        do { try LimitsValidation.validate(document) } catch {
            throw LimitsBuildError(field: error.field ?? "document", message: "the built document is refused: \(error)")
        }
        return document
    }

    /// `prefix` + the codes joined by `+`, within the 128 characters a criterion identifier may
    /// have: codes that do not fit are counted in a `+<n>more` suffix (the inputs digest records
    /// them all).
    static func criterionIdentifier(_ prefix: String, _ codes: [String]) -> String {
        let full = prefix + codes.joined(separator: "+")
        if full.utf8.count <= 128 { return full }
        var kept: [String] = []
        for (k, code) in codes.enumerated() {
            let candidate = prefix + (kept + [code]).joined(separator: "+") + "+\(codes.count - k - 1)more"
            if candidate.utf8.count > 128 { break }
            kept.append(code)
        }
        return prefix + kept.joined(separator: "+") + "+\(codes.count - kept.count)more"
    }

    static func validate(_ i: Inputs) throws(LimitsBuildError) {
        func check(_ field: String, _ x: Double, _ range: ClosedRange<Double>, _ unit: String) throws(LimitsBuildError) {
            guard x.isFinite, range.contains(x) else {
                throw LimitsBuildError(field: field, message: "\(x) \(unit) is outside [\(range.lowerBound), \(range.upperBound)] \(unit)")
            }
        }
        let p = i.patient
        try check("patient.bodyMassKg", p.bodyMassKg, 20...300, "kg")
        if case .tScore(let t) = p.boneDensity { try check("patient.boneDensity.tScore", t, -6...4, "SD") }
        guard p.level.region == p.region else {
            throw LimitsBuildError(field: "patient.level", message: "\(p.level) does not belong to region \(p.region.rawValue)")
        }
        guard (0...5).contains(p.spondylolisthesisGrade) else {
            throw LimitsBuildError(field: "patient.spondylolisthesisGrade", message: "\(p.spondylolisthesisGrade) is not a Meyerding grade 0…5")
        }
        if let m = p.monthsSinceSpinalSurgery, m < 0 {
            throw LimitsBuildError(field: "patient.monthsSinceSpinalSurgery", message: "\(m) months is negative")
        }
        guard i.configuration.fits(p.region) else {
            throw LimitsBuildError(field: "configuration", message: "\(i.configuration) cannot treat the \(p.region.rawValue) region; expected \(TractionConfiguration.accepted)")
        }
        for (field, s) in [("modelDigestSHA256", i.modelDigestSHA256), ("surrogateDigestSHA256", i.surrogateDigestSHA256)]
        where !(s == Provenance.none || LimitsValidation.isHexDigest(s)) {
            throw LimitsBuildError(field: field, message: "\"\(s)\" is neither 64 lowercase hex characters nor \"none\"")
        }
        if !i.modelLimits.isEmpty && i.modelDigestSHA256 == Provenance.none {
            throw LimitsBuildError(field: "modelDigestSHA256", message: "\"none\" but \(i.modelLimits.count) model limits are given; expected the digest of the model they came from")
        }
        let big = 0...1.0e6
        try check("device.maxForceN", i.device.maxForceN, big, "N")
        try check("device.maxRampUpNPerS", i.device.maxRampUpNPerS, big, "N/s")
        try check("device.maxRampDownNPerS", i.device.maxRampDownNPerS, big, "N/s")
        try check("device.minAngleDeg", i.device.minAngleDeg, 0...90, "deg")
        try check("device.maxAngleDeg", i.device.maxAngleDeg, 0...90, "deg")
        guard LimitsValidation.isCriterionIdentifier(i.device.deviceId) else {
            throw LimitsBuildError(field: "device.deviceId", message: "\"\(i.device.deviceId)\" must be 1–128 characters of A–Z a–z 0–9 . _ - +")
        }
        let rx = i.prescription
        try check("prescription.softMaxForceN", rx.softMaxForceN, big, "N")
        try check("prescription.minHoldS", rx.minHoldS, big, "s")
        try check("prescription.maxHoldS", rx.maxHoldS, big, "s")
        try check("prescription.minRestS", rx.minRestS, big, "s")
        try check("prescription.maxCycles", Double(rx.maxCycles), 1...LimitsRanges.limitValues.first { $0.name == "maxCycles" }!.range.upperBound, "cycles")
        try check("prescription.maxSessionS", rx.maxSessionS, big, "s")
        try check("prescription.restForceFractionMax", rx.restForceFractionMax, 0...1, "")
        try check("prescription.minAngleDeg", rx.minAngleDeg, 0...90, "deg")
        try check("prescription.maxAngleDeg", rx.maxAngleDeg, 0...90, "deg")
        for (k, c) in i.modelLimits.enumerated() {
            try check("modelLimits[\(k)].value", c.value, big, "")
            try check("modelLimits[\(k)].marginFraction", c.marginFraction, 0...0.999_999, "")
            guard c.kind == .modelCriterion, LimitsValidation.isCriterionIdentifier(c.criterion) else {
                throw LimitsBuildError(field: "modelLimits[\(k)]", message: "kind must be modelCriterion and criterion an identifier, got \(c.kind.rawValue) \"\(c.criterion)\"")
            }
        }
        // Monitoring and times: the document's own ranges (``LimitsRanges``), so a document the
        // builder accepts is one the loader accepts.
        for (name, range, unit) in LimitsRanges.monitoringValues {
            let kp = MonitoringSettings.fields.first { $0.name == name }!.keyPath
            try check("monitoring.\(name)", i.monitoring[keyPath: kp], range, unit)
        }
        try check("createdAtUnixS", i.createdAtUnixS, LimitsRanges.plausibleUnixS, "s")
        try check("validityS", i.validityS, 1...LimitsRanges.maxValidityS, "s")
        if let problem = LimitsValidation.printableASCIIProblem(i.modelId) {
            throw LimitsBuildError(field: "modelId", message: "\"\(i.modelId)\" \(problem)")
        }
    }
}
