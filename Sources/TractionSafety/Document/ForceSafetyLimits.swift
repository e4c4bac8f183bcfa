/// The force-safety limits document: what a traction-table controller may do for one patient,
/// spinal region and level, and why.
///
/// Its JSON form (schema `Schemas/force-safety-limits.schema.json`) carries SI units in every
/// numeric field name. A document is made by ``LimitsBuilder``, signed by ``LimitsSigner`` and read
/// back only through ``LimitsLoader``, which refuses it unless every check passes.
///
/// ```swift
/// let signed = try LimitsSigner.sign(document, with: key)      // canonical bytes
/// let loaded = try LimitsLoader.load(signed, expecting: expectations)
/// ```
public struct ForceSafetyLimits: Equatable, Sendable {
    /// Schema version the document was written with.
    public var schemaVersion: SchemaVersion
    /// The spinal region treated.
    public var region: SpinalRegion
    /// The spinal level, e.g. `"L4-L5"` or `"C5-C6"` (validated by ``SpinalLevel``).
    public var level: SpinalLevel
    /// The device configuration the limits assume (support surface and harness); a controller
    /// whose configuration differs refuses the document.
    public var configuration: TractionConfiguration
    /// True when an absolute contraindication forbids treatment; the loader then refuses the
    /// document (``RefusalReason/treatmentBlocked``).
    public var blocked: Bool
    /// The absolute contraindications that block treatment, sorted by raw value, unique; empty
    /// exactly when ``blocked`` is false.
    public var blockReasons: [BlockReason]
    /// The limits, each with the criterion that governs it.
    public var limits: Limits
    /// Monitoring settings for the runtime envelope.
    public var monitoring: MonitoringSettings
    /// Where the document comes from and how long it is valid.
    public var provenance: Provenance

    /// Creates a document from its parts (no validation: see ``LimitsValidation``).
    public init(schemaVersion: SchemaVersion, region: SpinalRegion, level: SpinalLevel, configuration: TractionConfiguration,
                blocked: Bool, blockReasons: [BlockReason], limits: Limits, monitoring: MonitoringSettings, provenance: Provenance) {
        self.schemaVersion = schemaVersion
        self.region = region
        self.level = level
        self.configuration = configuration
        self.blocked = blocked
        self.blockReasons = blockReasons
        self.limits = limits
        self.monitoring = monitoring
        self.provenance = provenance
    }
}

/// A schema version: a reader refuses another major version; minor versions of its major are
/// accepted, but any field the reader does not know is still refused.
public struct SchemaVersion: Equatable, Sendable {
    /// Major version (incompatible changes).
    public var major: Int
    /// Minor version (additions).
    public var minor: Int
    /// Creates a version.
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }
    /// The version this build writes.
    public static let current = SchemaVersion(major: TractionSafetyModule.schemaMajorVersion,
                                              minor: TractionSafetyModule.schemaMinorVersion)
}

/// The traction device's configuration that a document's limits assume.
///
/// The force a controller measures is not the force at the level: on a non-split table the
/// friction of the lower body's section is lost before the spine sees any force, and a seated
/// halter carries the head's weight. Limits computed for one configuration say nothing about
/// another, so the document names its configuration and the loader refuses a mismatch
/// (``RefusalReason/configurationMismatch``).
public struct TractionConfiguration: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// What supports the patient.
    public enum Surface: String, CaseIterable, Equatable, Hashable, Sendable {
        /// A lumbar table whose lower section rolls free during the pull (friction-free).
        case splitTable
        /// A lumbar table without a split section (friction of the lower body lost before the spine).
        case nonSplitTable
        /// Lying supine on a cervical traction table or device.
        case supine
        /// Seated (cervical devices: over-the-door, seated units).
        case seated
    }
    /// What carries the pull to the patient.
    public enum Harness: String, CaseIterable, Equatable, Hashable, Sendable {
        /// A pelvic harness, the thorax held by armrests or a counter-harness (lumbar).
        case pelvic
        /// Thoracic and pelvic harnesses (lumbar).
        case thoracoPelvic
        /// A head halter through the occiput and the chin (cervical).
        case headHalter
        /// An occipital wedge or cradle, no chin strap (cervical).
        case occipitalCradle
    }
    /// The support surface.
    public var surface: Surface
    /// The harness.
    public var harness: Harness
    /// Creates a configuration.
    public init(surface: Surface, harness: Harness) { self.surface = surface; self.harness = harness }

    /// Whether the configuration can treat `region`: a split or non-split table with a pelvic or
    /// thoraco-pelvic harness for lumbar traction; supine or seated with a halter or cradle for
    /// cervical traction.
    public func fits(_ region: SpinalRegion) -> Bool {
        let lumbarHarness = harness == .pelvic || harness == .thoracoPelvic
        switch region {
        case .lumbar: return (surface == .splitTable || surface == .nonSplitTable) && lumbarHarness
        case .cervical: return (surface == .supine || surface == .seated) && !lumbarHarness
        }
    }
    /// What ``fits(_:)`` accepts, for messages.
    public static let accepted = "splitTable or nonSplitTable with pelvic or thoracoPelvic (lumbar); supine or seated with headHalter or occipitalCradle (cervical)"
    /// `surface/harness`, e.g. `splitTable/pelvic`.
    public var description: String { "\(surface.rawValue)/\(harness.rawValue)" }
}

/// The spinal region a document is for.
public enum SpinalRegion: String, CaseIterable, Equatable, Sendable {
    /// Cervical traction (head halter / occipital wedge).
    case cervical
    /// Lumbar traction (pelvic harness).
    case lumbar
}

/// A spinal motion segment that traction treats, e.g. `L4-L5`, `L5-S1` or `C5-C6`: one of
/// ``all``, nothing else.
///
/// The list holds the segments with an intervertebral disc that a cervical halter or a lumbar
/// harness loads: C2-C3 … C6-C7 and the cervicothoracic junction C7-T1 (cervical region);
/// the thoracolumbar junction T12-L1, L1-L2 … L4-L5 and the lumbosacral segment L5-S1 (lumbar
/// region). C0-C1 and C1-C2 have no disc; the thoracic segments T1-T2 … T11-T12 are held by the rib
/// cage and treated by neither region, so they are refused. A reversed (`L5-L4`), non-adjacent
/// (`L2-L5`), cross-region (`L4-C1`) or non-existent (`L4-L9`) level is refused.
public struct SpinalLevel: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The level's text, e.g. `"L4-L5"`.
    public let text: String
    /// The region whose traction loads this segment.
    public let region: SpinalRegion

    /// Every accepted level, top to bottom, with its region.
    public static let all: [(text: String, region: SpinalRegion)] = [
        ("C2-C3", .cervical), ("C3-C4", .cervical), ("C4-C5", .cervical), ("C5-C6", .cervical), ("C6-C7", .cervical),
        ("C7-T1", .cervical),
        ("T12-L1", .lumbar), ("L1-L2", .lumbar), ("L2-L3", .lumbar), ("L3-L4", .lumbar), ("L4-L5", .lumbar), ("L5-S1", .lumbar),
    ]

    /// The level named `text` (exactly as in ``all``); nil for anything else.
    public init?(_ text: String) {
        guard let entry = Self.all.first(where: { $0.text == text }) else { return nil }
        self.text = entry.text
        self.region = entry.region
    }

    /// The accepted levels as one comma-separated list (for messages).
    public static var listText: String { all.map(\.text).joined(separator: ", ") }

    /// The level's text.
    public var description: String { text }
}

/// An absolute contraindication code (see ``ContraindicationRules`` for the rule and its source).
public enum BlockReason: String, CaseIterable, Comparable, Sendable {
    /// Spinal tumour or metastasis.
    case spinalTumour
    /// Spinal infection (osteomyelitis, discitis).
    case spinalInfection
    /// Acute vertebral fracture.
    case acuteFracture
    /// Spinal instability, spondylolisthesis grade ≥ 2, or a pars defect.
    case spinalInstability
    /// Abdominal aortic aneurysm (lumbar traction).
    case abdominalAorticAneurysm
    /// Pregnancy.
    case pregnancy
    /// Severe osteoporosis: T-score ≤ −2.5 plus a fragility fracture.
    case severeOsteoporosis
    /// Spinal surgery less than 6 months ago, or spinal instrumentation (rods, screws, fusion).
    case recentSurgeryOrInstrumentation
    /// Cauda equina or central cord compression.
    case cordOrCaudaEquinaCompression
    /// Rheumatoid or acute inflammatory joint disease (cervical traction).
    case inflammatoryJointDisease
    /// Known or suspected cervical arterial dysfunction (cervical traction).
    case cervicalArterialDysfunction
    /// Craniovertebral ligament laxity: Down syndrome, os odontoideum and the like (cervical traction).
    case craniovertebralInstability

    /// Orders codes by raw value, the order a document lists them in.
    public static func < (a: BlockReason, b: BlockReason) -> Bool { a.rawValue < b.rawValue }
}

/// What kind of criterion governs a limit.
public enum CriterionKind: String, CaseIterable, Equatable, Sendable {
    /// A published clinical dosing rule (``ClinicalCaps``).
    case clinicalRule
    /// The traction device's rating, supplied by the caller.
    case deviceRating
    /// A criterion evaluated on the biomechanical model (e.g. ligament strain), supplied by the caller.
    case modelCriterion
    /// The treating clinician's prescription, supplied by the caller.
    case prescription
    /// One or more relative contraindications lowering the limit (``ContraindicationRules``).
    case relativeContraindication
    /// An absolute contraindication forcing a blocked document's force limits to zero.
    case absoluteContraindication
}

/// A limit value with the criterion that governs it.
public struct GovernedLimit: Equatable, Sendable {
    /// The limit, in the unit the field name states (N, N/s, s, deg, count, or a fraction).
    public var value: Double
    /// The kind of the governing criterion.
    public var kind: CriterionKind
    /// Identifier of the governing criterion, e.g. `clinical.lumbar.halfBodyWeight` or
    /// `model.ligamentStrain.PLL` (ASCII letters, digits, `.`, `_`, `-`, `+`; 1–128 characters).
    public var criterion: String
    /// Safety margin built into the governing criterion, as a fraction in [0, 1): e.g. 0.5 for a
    /// ligament-strain limit set at half the failure strain; 0 for a clinical or device cap.
    public var marginFraction: Double

    /// Creates a governed limit.
    public init(value: Double, kind: CriterionKind, criterion: String, marginFraction: Double) {
        self.value = value
        self.kind = kind
        self.criterion = criterion
        self.marginFraction = marginFraction
    }
}

/// The limits of one document. Every field name states its unit.
public struct Limits: Equatable, Sendable {
    /// Hard maximum traction force, N. The envelope never lets the set-point exceed it.
    public var maxForceN: GovernedLimit
    /// Soft (advisory) maximum force, N (≤ hard). Exceeding it needs an explicit acknowledgement.
    public var softMaxForceN: GovernedLimit
    /// Fastest allowed force increase, N/s.
    public var maxRampUpNPerS: GovernedLimit
    /// Fastest allowed force decrease, N/s.
    public var maxRampDownNPerS: GovernedLimit
    /// Shortest pull phase (ramp up, hold, ramp down to rest), s.
    public var minHoldS: GovernedLimit
    /// Longest pull phase, s.
    public var maxHoldS: GovernedLimit
    /// Shortest rest phase between pulls, s.
    public var minRestS: GovernedLimit
    /// Most pull cycles in a session (a whole number).
    public var maxCycles: GovernedLimit
    /// Longest session, from the first sample, s.
    public var maxSessionS: GovernedLimit
    /// Smallest pull angle (flexion), deg.
    public var minAngleDeg: GovernedLimit
    /// Largest pull angle (flexion), deg.
    public var maxAngleDeg: GovernedLimit
    /// Highest rest force as a fraction of the preceding pull's peak, in [0, 1].
    public var restForceFractionMax: GovernedLimit

    /// Creates the limits.
    public init(maxForceN: GovernedLimit, softMaxForceN: GovernedLimit, maxRampUpNPerS: GovernedLimit,
                maxRampDownNPerS: GovernedLimit, minHoldS: GovernedLimit, maxHoldS: GovernedLimit,
                minRestS: GovernedLimit, maxCycles: GovernedLimit, maxSessionS: GovernedLimit,
                minAngleDeg: GovernedLimit, maxAngleDeg: GovernedLimit, restForceFractionMax: GovernedLimit) {
        self.maxForceN = maxForceN
        self.softMaxForceN = softMaxForceN
        self.maxRampUpNPerS = maxRampUpNPerS
        self.maxRampDownNPerS = maxRampDownNPerS
        self.minHoldS = minHoldS
        self.maxHoldS = maxHoldS
        self.minRestS = minRestS
        self.maxCycles = maxCycles
        self.maxSessionS = maxSessionS
        self.minAngleDeg = minAngleDeg
        self.maxAngleDeg = maxAngleDeg
        self.restForceFractionMax = restForceFractionMax
    }

    /// The JSON field names, in document order, with key paths (used by encoding, decoding,
    /// validation and tests).
    public static var fields: [(name: String, keyPath: WritableKeyPath<Limits, GovernedLimit>)] { [
        ("maxForceN", \.maxForceN), ("softMaxForceN", \.softMaxForceN),
        ("maxRampUpNPerS", \.maxRampUpNPerS), ("maxRampDownNPerS", \.maxRampDownNPerS),
        ("minHoldS", \.minHoldS), ("maxHoldS", \.maxHoldS), ("minRestS", \.minRestS),
        ("maxCycles", \.maxCycles), ("maxSessionS", \.maxSessionS),
        ("minAngleDeg", \.minAngleDeg), ("maxAngleDeg", \.maxAngleDeg),
        ("restForceFractionMax", \.restForceFractionMax),
    ] }
}

/// Monitoring settings the controller's envelope applies. Each lies in its closed range in
/// ``LimitsRanges`` (which also explains why those bounds keep every stop effective).
public struct MonitoringSettings: Equatable, Sendable {
    /// Largest allowed |measured − set-point|, N, before ``trackingToleranceDurationS`` runs.
    public var trackingToleranceN: Double
    /// How long the tracking error may stay above ``trackingToleranceN``, s.
    public var trackingToleranceDurationS: Double
    /// Overshoot amount: measured above the set-point by more than this is an overshoot, and
    /// measured above the hard maximum by more than this stops at once, N.
    public var overshootN: Double
    /// How long an overshoot (or a measured force above the hard maximum) may last, s.
    public var overshootDurationS: Double
    /// Longest time the load-cell timestamp may go without advancing, s.
    public var sensorFreshnessTimeoutS: Double
    /// Longest time the load-cell reading may stay bit-identical while the set-point moves, s.
    public var frozenSensorTimeoutS: Double
    /// Set-point change during a frozen reading that makes it suspicious, N.
    public var frozenSensorMinCommandChangeN: Double

    /// Creates monitoring settings.
    public init(trackingToleranceN: Double, trackingToleranceDurationS: Double, overshootN: Double,
                overshootDurationS: Double, sensorFreshnessTimeoutS: Double, frozenSensorTimeoutS: Double,
                frozenSensorMinCommandChangeN: Double) {
        self.trackingToleranceN = trackingToleranceN
        self.trackingToleranceDurationS = trackingToleranceDurationS
        self.overshootN = overshootN
        self.overshootDurationS = overshootDurationS
        self.sensorFreshnessTimeoutS = sensorFreshnessTimeoutS
        self.frozenSensorTimeoutS = frozenSensorTimeoutS
        self.frozenSensorMinCommandChangeN = frozenSensorMinCommandChangeN
    }

    /// The JSON field names with key paths.
    public static var fields: [(name: String, keyPath: WritableKeyPath<MonitoringSettings, Double>)] { [
        ("trackingToleranceN", \.trackingToleranceN), ("trackingToleranceDurationS", \.trackingToleranceDurationS),
        ("overshootN", \.overshootN), ("overshootDurationS", \.overshootDurationS),
        ("sensorFreshnessTimeoutS", \.sensorFreshnessTimeoutS), ("frozenSensorTimeoutS", \.frozenSensorTimeoutS),
        ("frozenSensorMinCommandChangeN", \.frozenSensorMinCommandChangeN),
    ] }
}

/// Where a document comes from. Contains no personal data: the patient enters only through
/// ``inputsDigestSHA256``, a SHA-256 of the builder's (de-identified) inputs.
public struct Provenance: Equatable, Sendable {
    /// Version of the SpineTraction library that built the document.
    public var libraryVersion: String
    /// Identifier of the model that produced model-derived limits (e.g. `"clinical-only"`).
    public var modelId: String
    /// SHA-256 (64 lowercase hex characters) of the model definition the model-derived limits
    /// were computed on, or `"none"` when no limit is model-derived.
    public var modelDigestSHA256: String
    /// SHA-256 (64 lowercase hex characters) of the surrogate file the model-derived limits were
    /// read from, or `"none"` when they come from full solves or there are none.
    public var surrogateDigestSHA256: String
    /// SHA-256 (64 lowercase hex characters) of the canonical builder inputs (``LimitsBuilder/Inputs``).
    public var inputsDigestSHA256: String
    /// Creation time, seconds since 1970-01-01T00:00:00Z (an input, never read from a clock).
    public var createdAtUnixS: Double
    /// Expiry, seconds since 1970-01-01T00:00:00Z; the loader refuses the document at or after it.
    public var expiresAtUnixS: Double

    /// The value of ``modelDigestSHA256`` or ``surrogateDigestSHA256`` when there is no model or
    /// no surrogate: `"none"`.
    public static let none = "none"

    /// Creates provenance.
    public init(libraryVersion: String, modelId: String, modelDigestSHA256: String, surrogateDigestSHA256: String,
                inputsDigestSHA256: String, createdAtUnixS: Double, expiresAtUnixS: Double) {
        self.libraryVersion = libraryVersion
        self.modelId = modelId
        self.modelDigestSHA256 = modelDigestSHA256
        self.surrogateDigestSHA256 = surrogateDigestSHA256
        self.inputsDigestSHA256 = inputsDigestSHA256
        self.createdAtUnixS = createdAtUnixS
        self.expiresAtUnixS = expiresAtUnixS
    }
}
