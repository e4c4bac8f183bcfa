import ArgumentParser
import Foundation
import SpineTraction

/// `spinetraction limits`: make keys, build, sign, check and show force-safety limits documents.
struct LimitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Make keys for, build, sign and check force-safety limits documents.",
        subcommands: [Keygen.self, Build.self, Sign.self, Check.self, Verify.self, Example.self, Compute.self, LimitsSurrogateCommand.self]
    )

    /// Largest file the limits commands read, bytes (a document is at most 64 KiB; inputs and keys
    /// are smaller still).
    static let maxFileBytes = 1 << 20

    /// Reads a whole regular file of at most `maxFileBytes` bytes.
    static func read(_ path: String, what: String) throws -> [UInt8] {
        guard !path.isEmpty else { throw ValidationError("\(what): the path is empty") }
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw ValidationError("\(what) '\(path)': no such file or not readable")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ValidationError("\(what) '\(path)' is not a regular file (a directory, device or FIFO); give a file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxFileBytes else {
            throw ValidationError("\(what) '\(path)' is \(size) bytes; at most \(maxFileBytes) bytes are read")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(what) '\(path)': permission denied or unreadable")
        }
        return [UInt8](data)
    }

    /// Writes `data` to `path`; a failure is a usage error naming the option, the path and the
    /// system's reason (never a raw Foundation error).
    static func write(_ data: Data, to path: String, what: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(what): the path is empty") }
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            let ns = error as NSError
            let code = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
                ?? (ns.domain == NSPOSIXErrorDomain ? Int32(ns.code) : nil)
            throw ValidationError("\(what) '\(path)': cannot write the file: \(code.map { String(cString: strerror($0)) } ?? whyNotWritable(path))")
        }
    }

    /// Why a file cannot be created at `path`, from its directory (`stat`, `access`).
    static func whyNotWritable(_ path: String) -> String {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return "it is a directory" }
        guard stat(parent, &info) == 0 else { return "directory \(parent): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "\(parent) is not a directory" }
        guard access(parent, W_OK) == 0 else { return "directory \(parent): \(String(cString: strerror(errno)))" }
        return "the system refused to create it"
    }

    /// Writes the two key files of a new key pair (`<prefix>.key` mode 0600, `<prefix>.pub`).
    static func writeKeyPair(prefix: String) throws {
        guard !prefix.isEmpty else { throw ValidationError("--output: the path prefix is empty") }
        let keyPath = prefix + ".key", pubPath = prefix + ".pub"
        for path in [keyPath, pubPath] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; refusing to overwrite a key")
        }
        let key = LimitsSigningKey.generate()
        guard FileManager.default.createFile(atPath: keyPath, contents: Data(key.keyFileText.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("--output '\(keyPath)': cannot write the file: \(whyNotWritable(keyPath))")
        }
        try write(Data(key.publicKey.keyFileText.utf8), to: pubPath, what: "--output")
        print("key id \(key.publicKey.keyId)")
        print("private key: \(keyPath) (keep secret)")
        print("public key:  \(pubPath)")
    }

    /// `limits keygen`.
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an Ed25519 key pair for signing limits documents.",
            discussion: """
                Writes <prefix>.key ('\(KeyFileFormat.privateTag)' + 64 hex characters, the private seed, file \
                mode 0600) and <prefix>.pub ('\(KeyFileFormat.publicTag)' + 64 hex characters, to provision \
                on controllers), and prints the key id (first 16 hex characters of SHA-256 of the public \
                key). The tag lets `limits sign` refuse a public key and `limits check` a private one. \
                Refuses to overwrite existing files.
                """
        )
        @Option(name: .customLong("output"), help: "Path prefix of the two key files.") var prefix: String
        func run() throws { try LimitsCommand.writeKeyPair(prefix: prefix) }
    }

    /// `limits build`.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an unsigned limits document from builder inputs (patient findings, device, prescription, model limits).",
            discussion: "Prints the inputs digest: the patient digest the controller must expect. `limits example --inputs` prints an inputs file to start from. A patient with an absolute contraindication gets a blocked document (reported as BLOCKED), which no controller loads."
        )
        @Option(help: "Builder inputs (JSON).") var inputs: String
        @Option(help: "Where to write the unsigned document.") var output: String

        func run() throws {
            let builderInputs = try LimitsBuilder.Inputs(json: try LimitsCommand.read(inputs, what: "--inputs"))
            let document = try LimitsBuilder.build(builderInputs)
            try LimitsCommand.write(Data(document.canonicalUnsignedJSON), to: output, what: "--output")
            if document.blocked {
                print("built \(output): BLOCKED by \(document.blockReasons.map(\.rawValue).joined(separator: ", ")) (no controller loads it)")
            } else {
                print("built \(output): maxForceN \(document.limits.maxForceN.value) [\(document.limits.maxForceN.criterion)]")
            }
            print("inputs digest \(builderInputs.digestSHA256)")
        }
    }

    /// `limits sign`.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate an unsigned limits document and write its canonical signed form.",
            discussion: "The input may use any whitespace and key order; every field is required and every value is checked first (the same table of ranges as the builder and the loader). The key must be a private key file ('\(KeyFileFormat.privateTag)…'); a public key file is refused. The output is the exact byte form controllers load (no trailing newline)."
        )
        @Option(help: "Private key file written by `spinetraction limits keygen` (.key).") var key: String
        @Option(help: "Unsigned limits document (JSON).") var input: String
        @Option(help: "Where to write the signed document.") var output: String

        func run() throws {
            let signingKey: LimitsSigningKey
            do {
                signingKey = try LimitsSigningKey(keyFile: String(decoding: try LimitsCommand.read(key, what: "--key"), as: UTF8.self))
            } catch let error as KeyFormatError {
                throw ValidationError("--key \(key): \(error.message)")
            }
            let document = try ForceSafetyLimits(unsignedJSON: try LimitsCommand.read(input, what: "--input"))
            let signed = try LimitsSigner.sign(document, with: signingKey)
            try LimitsCommand.write(Data(signed), to: output, what: "--output")
            print("signed \(output): key id \(signingKey.publicKey.keyId), \(signed.count) bytes")
        }
    }

    /// The controller's expectations, as options (shared by `check` and its alias `verify`).
    struct ControllerOptions: ParsableArguments {
        @Option(name: .customLong("public-key"), help: "Trusted public key file (.pub); repeat for several.") var publicKeys: [String] = []
        @Option(help: "Signed limits document.") var document: String
        @Option(help: "Region the controller is set up for: cervical or lumbar.") var region: String
        @Option(help: "Level the session is prescribed for, e.g. L4-L5.") var level: String
        @Option(help: "The controller's support surface: splitTable, nonSplitTable, supine or seated.") var surface: String
        @Option(help: "The controller's harness: pelvic, thoracoPelvic, headHalter or occipitalCradle.") var harness: String
        @Option(name: .customLong("patient-digest"), help: "Patient (inputs) digest the prescription system gave the controller, 64 hex.") var patientDigest: String
        @Option(name: .customLong("ceiling-max-force-n"), parsing: .unconditional, help: "Controller ceiling: hard force, N.") var ceilingMaxForceN: Double
        @Option(name: .customLong("ceiling-max-ramp-up-n-per-s"), parsing: .unconditional, help: "Controller ceiling: ramp-up rate, N/s.") var ceilingMaxRampUpNPerS: Double
        @Option(name: .customLong("ceiling-max-ramp-down-n-per-s"), parsing: .unconditional, help: "Controller ceiling: ramp-down rate, N/s.") var ceilingMaxRampDownNPerS: Double
        @Option(name: .customLong("ceiling-max-hold-s"), parsing: .unconditional, help: "Controller ceiling: pull phase, s.") var ceilingMaxHoldS: Double
        @Option(name: .customLong("ceiling-max-session-s"), parsing: .unconditional, help: "Controller ceiling: session, s.") var ceilingMaxSessionS: Double
        @Option(name: .customLong("ceiling-max-cycles"), parsing: .unconditional, help: "Controller ceiling: cycles.") var ceilingMaxCycles: Double
        @Option(name: .customLong("now-unix-s"), parsing: .unconditional,
                help: "The controller's current time, s since 1970-01-01T00:00:00Z (required: expiry is never skipped).") var nowUnixS: Double

        /// The expectations, or a usage error naming the option, the value and what is expected.
        func expectations() throws -> ControllerExpectations {
            guard !publicKeys.isEmpty else { throw ValidationError("--public-key: give at least one trusted public key file (.pub)") }
            let keys = try publicKeys.map { path in
                do { return try TrustedPublicKey(keyFile: String(decoding: try LimitsCommand.read(path, what: "--public-key"), as: UTF8.self)) } catch let e as KeyFormatError {
                    throw ValidationError("--public-key \(path): \(e.message)")
                }
            }
            guard let r = SpinalRegion(rawValue: region) else {
                throw ValidationError("--region \(region): expected one of \(SpinalRegion.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let l = SpinalLevel(level) else { throw ValidationError("--level \(level): expected one of \(SpinalLevel.listText)") }
            guard l.region == r else { throw ValidationError("--level \(level) belongs to region \(l.region.rawValue), not --region \(region)") }
            guard let s = TractionConfiguration.Surface(rawValue: surface) else {
                throw ValidationError("--surface \(surface): expected one of \(TractionConfiguration.Surface.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let h = TractionConfiguration.Harness(rawValue: harness) else {
                throw ValidationError("--harness \(harness): expected one of \(TractionConfiguration.Harness.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let configuration = TractionConfiguration(surface: s, harness: h)
            guard configuration.fits(r) else {
                throw ValidationError("--surface \(surface) --harness \(harness): cannot treat --region \(region); expected \(TractionConfiguration.accepted)")
            }
            guard patientDigest.utf8.count == 64, patientDigest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw ValidationError("--patient-digest: expected 64 lowercase hex characters (the inputs digest `limits build` prints), got \(patientDigest.utf8.count) characters")
            }
            for (name, c) in [("--ceiling-max-force-n", ceilingMaxForceN), ("--ceiling-max-ramp-up-n-per-s", ceilingMaxRampUpNPerS),
                              ("--ceiling-max-ramp-down-n-per-s", ceilingMaxRampDownNPerS), ("--ceiling-max-hold-s", ceilingMaxHoldS),
                              ("--ceiling-max-session-s", ceilingMaxSessionS), ("--ceiling-max-cycles", ceilingMaxCycles)] where !(c.isFinite && c > 0) {
                throw ValidationError("\(name) \(c): expected a finite number > 0")
            }
            let window = LimitsRanges.plausibleUnixS
            guard nowUnixS.isFinite, window.contains(nowUnixS) else {
                let hint = nowUnixS > 1e11 ? " (a millisecond timestamp? give seconds)" : ""
                throw ValidationError("--now-unix-s \(nowUnixS): expected the current time in seconds since 1970-01-01T00:00:00Z within [\(Int(window.lowerBound)), \(Int(window.upperBound))] (2020–2100)\(hint)")
            }
            return ControllerExpectations(
                trustedKeys: keys,
                ceilings: ControllerCeilings(maxForceN: ceilingMaxForceN, maxRampUpNPerS: ceilingMaxRampUpNPerS, maxRampDownNPerS: ceilingMaxRampDownNPerS,
                                             maxHoldS: ceilingMaxHoldS, maxSessionS: ceilingMaxSessionS, maxCycles: ceilingMaxCycles),
                region: r, level: l, configuration: configuration, inputsDigestSHA256: patientDigest, nowUnixS: nowUnixS)
        }

        /// Loads the document exactly as the controller would and reports; exits 0 (loads),
        /// ``refusedExitCode`` or ``blockedExitCode``.
        func check() throws {
            let e = try expectations()
            let bytes = try LimitsCommand.read(document, what: "--document")
            do {
                let loaded = try LimitsLoader.load(bytes, expecting: e)
                let doc = loaded.document
                print("loads: key id \(loaded.keyId), digest \(loaded.digest)")
                print("region \(doc.region.rawValue), level \(doc.level), configuration \(doc.configuration)")
                for (name, kp) in Limits.fields {
                    let l = doc.limits[keyPath: kp]
                    print("  \(name) = \(l.value)  [\(l.kind.rawValue): \(l.criterion), margin \(l.marginFraction)]")
                }
                print("inputs digest \(doc.provenance.inputsDigestSHA256)")
                print("created \(doc.provenance.createdAtUnixS) s, expires \(doc.provenance.expiresAtUnixS) s")
            } catch {
                if error.reason == .treatmentBlocked {
                    print("blocked: \(error.message)")
                    throw ExitCode(Check.blockedExitCode)
                }
                print("refused: \(error)")
                throw ExitCode(Check.refusedExitCode)
            }
        }
    }

    /// `limits check`.
    struct Check: ParsableCommand {
        /// Exit status when the controller would refuse the document (any reason but a block).
        static let refusedExitCode: Int32 = 2
        /// Exit status when the document blocks treatment (absolute contraindication).
        static let blockedExitCode: Int32 = 3

        static let configuration = CommandConfiguration(
            abstract: "Check a signed limits document exactly as a controller loads it.",
            discussion: """
                Takes the controller's expectations (trusted keys, region, level, device configuration \
                (--surface, --harness), patient digest, the six \
                ceilings and the current time, all required) and runs the controller's loader. Exit status: \
                0 the controller would load the document (its limits are printed); 2 refused (prints \
                `refused: <reason> [<field>]: <message>`); 3 blocked by an absolute contraindication \
                (prints `blocked: …`); 64 a bad option (message names it). A negative number may follow \
                its option directly (`--now-unix-s -1`).
                """
        )
        @OptionGroup var options: ControllerOptions
        func run() throws { try options.check() }
    }

    /// `limits verify`: an alias of `limits check`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Alias of `limits check` (same options, same exit codes).",
            discussion: "Kept for scripts written against earlier versions; use `limits check`."
        )
        @OptionGroup var options: ControllerOptions
        func run() throws {
            FileHandle.standardError.write(Data("note: `limits verify` is an alias of `limits check`\n".utf8))
            try options.check()
        }
    }

    /// `limits example`.
    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an example unsigned limits document (70 kg lumbar patient, L4-L5, clinical caps only), or with --inputs its builder inputs."
        )
        @Option(name: .customLong("created-at-unix-s"), parsing: .unconditional, help: "Creation time, s since 1970-01-01T00:00:00Z.") var createdAtUnixS: Double
        @Flag(help: "Print the builder inputs instead of the document.") var inputs = false

        func run() throws {
            let inputs = LimitsBuilder.Inputs(
                patient: PatientAssessment(bodyMassKg: 70, region: .lumbar, level: SpinalLevel("L4-L5")!, boneDensity: .tScore(0),
                                           conditions: [], spondylolisthesisGrade: 0, monthsSinceSpinalSurgery: nil),
                configuration: TractionConfiguration(surface: .splitTable, harness: .thoracoPelvic),
                device: DeviceRating(deviceId: "ExampleTable", maxForceN: 900, maxRampUpNPerS: 50, maxRampDownNPerS: 100, minAngleDeg: 0, maxAngleDeg: 30),
                prescription: SessionPrescription(softMaxForceN: 300, minHoldS: 30, maxHoldS: 75, minRestS: 20, maxCycles: 15, maxSessionS: 1500,
                                                  restForceFractionMax: 0.5, minAngleDeg: 0, maxAngleDeg: 20),
                modelLimits: [], modelId: "clinical-only", modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none,
                monitoring: MonitoringSettings(trackingToleranceN: 15, trackingToleranceDurationS: 1, overshootN: 10, overshootDurationS: 0.5,
                                               sensorFreshnessTimeoutS: 0.2, frozenSensorTimeoutS: 1, frozenSensorMinCommandChangeN: 5),
                createdAtUnixS: createdAtUnixS, validityS: 7 * 86_400)
            if self.inputs {
                // The inputs are printed as given; `limits build` checks their ranges.
                print(String(decoding: inputs.canonicalJSON, as: UTF8.self))
                return
            }
            let document = try LimitsBuilder.build(inputs)
            print(String(decoding: document.canonicalUnsignedJSON, as: UTF8.self))
        }
    }

    /// `limits compute`.
    struct Compute: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute an unsigned limits document for a patient from the motion-segment model (the surrogate, or full solves with --exact).",
            discussion: """
                PATIENT.json: {"bodyMassKg", "heightCm", "tScore", "discGrade", "level", "conditions", \
                "spondylolisthesisGrade", "monthsSinceSpinalSurgery"} (every member required; \
                Examples/patients/limits-*.json). --session: {"configuration", "device", "prescription", \
                "monitoring", "createdAtUnixS", "validityS"} as in `limits example --inputs`; its configuration \
                must be the protocol family's (splitTable, thoracoPelvic by default). The protocol family is the \
                professional intermittent table (split table, thoraco-pelvic harness, 0° pull angle, logarithmic 15 s ramps, 60 s \
                hold), or, with --protocol FILE (a lumbar patient), the hold, rest, rest level, ramp, table, harness and pull \
                angle of an intermittent TractionProtocol file (e.g. Examples/limits/family-linear-ramps.json; its pull and cycles \
                are not used: the searches find them; the committed surrogate refuses another family, and full solves follow; \
                for a cervical patient the hold, rest, rest level, ramp and pull angle of the cervical traction cycle); \
                the limit is the largest table force for which every ligament stays at or below half \
                its failure force, no laxity accumulates and the disc distracts at most 4 mm (the annulus fibre \
                strain is bounded only when --max-annulus-fibre-strain gives a bound: no verified literature \
                value), worst case over \
                the remus2021 and goelBilinear ligament data sets, bracketed to 1 % on one cycle (coarse \
                mesh, each ligament's strain and force and the distraction scaled up by the discretisation \
                factors measured against the fine mesh at 50 % and 100 % of body weight, per ligament: ALL \
                force 1.230, ITL 2.018, distraction 1.220). It becomes a model-criterion candidate of the limits builder, which still takes the \
                minimum with the clinical caps, device rating and prescription. The output is unsigned: \
                sign it with `limits sign`. With --surrogate FILE (built by `limits surrogate build`; \
                Examples/limits/limits-surrogate.json) the limit comes from the surrogate's interpolated \
                responses in well under a second; when the surrogate refuses (another library version or \
                model digest, another protocol family, a patient outside its range) the command says why on \
                stderr, computes the limit with full solves and records the fallback in the document's \
                provenance.modelId (…surrogateRefused). With --exact the limit comes from full solves (tens \
                of seconds), and so do (lumbar and cervical) the largest ramp-up rate (up to the device's rating), \
                hold (up to the prescription's) and cycles per session (up to the prescription's, the whole \
                session solved, accumulated laxity included), each at the largest peak force the document can \
                allow whatever the bone density and conditions (the smallest of the model force limit, the \
                clinical cap and the device rating) with the other values the protocol's; a quantity for which no criterion binds in its range gets no model limit (the \
                device or clinical one governs). The surrogate gives the force only: its documents have no \
                model ramp-up, hold or cycles limit, their provenance.modelId ends in .forceOnly and the \
                command says so. One of the two is required. A patient with an absolute contraindication gets \
                a BLOCKED document without a model run. A cervical patient ("region": "cervical", level C2-C3 … \
                C7-T1; Examples/patients/limits-cervical.json) gets the cervical motion segment under one cycle of \
                professional cervical traction (5 s logarithmic ramps, 30 s hold, rest at 25 %, 20° of flexion, \
                the head's weight 8.1 % of body mass), the same criteria on the cervical ligaments, searched up to \
                twice the 45 lbf clinical hard cap (with --exact also the ramp-up rate, hold and cycles at the \
                cervical peak); its session's configuration is supine or seated \
                with a headHalter or occipitalCradle (Examples/patients/limits-session-cervical.json). The \
                surrogate (lumbar only) refuses a cervical patient: full solves of the force only.
                """
        )
        @Argument(help: "Patient file (JSON).") var patientFile: String
        @Option(help: "Session file: device rating, prescription, monitoring, creation time, validity (JSON).") var session: String
        @Option(help: "Treated level, e.g. L4-L5 or C5-C6 (replaces the patient file's level; it must agree with the file's region).") var level: String?
        @Option(help: "Where to write the unsigned document.") var output: String
        @Option(help: "Surrogate file (`limits surrogate build`); the limit comes from it unless it refuses.") var surrogate: String?
        @Flag(help: "Compute the limit with full solves of the motion segment.") var exact = false
        @Option(name: .customLong("max-annulus-fibre-strain"), parsing: .unconditional,
                help: "Bound on the largest annulus fibre strain (engineering λ − 1, > 0); default none: no verified literature bound, the criterion is off. On the coarse lumbar and cervical meshes its discretisation factor is 1 (they overestimate the peak fibre strain against the fine mesh).")
        var maxAnnulusFibreStrain: Double?
        @Flag(name: .customLong("deformable-vertebrae"),
              help: "With --exact, lumbar: deformable vertebral bodies (cancellous modulus from the patient's T-score, Morgan 2003, through the named density assumption), which add the bone-strain criterion (half the vertebral yield strains). Slower; the surrogate is built on rigid vertebrae.")
        var deformableVertebrae = false
        @Option(name: .long, help: "The protocol family (a TractionProtocol JSON file, as `run --protocol` reads): an intermittent protocol whose hold, rest, rest level, ramp, table, harness and pull angle replace the professional table's defaults (a cervical patient: the hold, rest, rest level, ramp and pull angle of the cervical traction cycle); its pull and cycles are not used (the searches find them). The committed surrogate is built for the default lumbar family and refuses another (full solves then).")
        var `protocol`: String?

        func run() throws {
            guard exact != (surrogate != nil) else {
                throw ValidationError(exact ? "--exact and --surrogate exclude each other: give one"
                                            : "give --surrogate FILE (the limits surrogate, e.g. Examples/limits/limits-surrogate.json: seconds) or --exact (full solves of the motion segment: tens of seconds)")
            }
            let surrogateBytes = try surrogate.map { try LimitsCommand.read($0, what: "--surrogate") }
            let patient: LimitsPatient
            do { patient = try LimitsPatient(json: try LimitsCommand.read(patientFile, what: "PATIENT"), levelName: level) } catch let e as PatientFileError {
                throw ValidationError("\(patientFile)\(level.map { " with --level \($0)" } ?? ""): \(e)")
            }
            if level != nil { print("level \(patient.levelText) (from --level; it replaces the patient file's level)") }
            let sessionValue: LimitsComputation.Session
            do { sessionValue = try LimitsComputation.Session(json: try LimitsCommand.read(session, what: "--session")) } catch let e as LimitsComputationError {
                throw ValidationError("--session \(session): \(e)")
            }
            let start = Date()
            // A protocol family or a bound on the annulus fibre strain changes the default search.
            var search: MotionSegmentLimitSearch? = nil, cervicalSearch: CervicalLimitSearch? = nil
            if let path = `protocol`, let level = patient.cervicalLevel {
                let family: CervicalLimitFamily
                do { family = try ProfessionalCervicalTraction.limitFamily(try RunCommand.loadProtocol(path)) } catch {
                    throw ValidationError("--protocol \(path): \(error)")
                }
                let t = family.traction
                var c = CervicalLimitSearch(patient: patient.patient, level: level, traction: t)
                // The harness of the session, as the default cervical search takes it.
                c.harness = try LimitsComputation.inputs(patient: patient, session: sessionValue, modelLimits: [], modelId: "none",
                                                         modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none).configuration.harness
                do { try c.validate() } catch { throw ValidationError("--protocol \(path): \(error)") }
                print("protocol family from \(path): professional cervical traction, \(t.ramp.duration) s \(t.ramp.shape) ramps, \(t.hold) s hold, \(t.rest) s rest at \(t.restLevel) of the pull, pull angle \(t.geometry.pullAngle)°; not used: \(family.notUsed)")
                if let bound = maxAnnulusFibreStrain { c.criteria.maxAnnulusFibreStrain = bound }
                cervicalSearch = c
            } else if let path = `protocol` {
                let family: LimitProtocolFamily
                do { family = try ProfessionalTable.limitFamily(try RunCommand.loadProtocol(path)) } catch {
                    throw ValidationError("--protocol \(path): \(error)")
                }
                var l = MotionSegmentLimitSearch(patient: patient.patient, table: family.table)
                do { try l.validate() } catch { throw ValidationError("--protocol \(path): \(error)") }
                print("protocol family from \(path): \(LimitsSurrogate.protocolFamilyDescription(family.table)); not used: \(family.notUsed)")
                if let bound = maxAnnulusFibreStrain { l.criteria.maxAnnulusFibreStrain = bound }
                search = l
            } else if let bound = maxAnnulusFibreStrain {
                if let level = patient.cervicalLevel {
                    var c = CervicalLimitSearch(patient: patient.patient, level: level)
                    // The harness of the session, as the default cervical search takes it.
                    c.harness = try LimitsComputation.inputs(patient: patient, session: sessionValue, modelLimits: [], modelId: "none",
                                                             modelDigestSHA256: Provenance.none, surrogateDigestSHA256: Provenance.none).configuration.harness
                    c.criteria.maxAnnulusFibreStrain = bound
                    cervicalSearch = c
                } else {
                    var l = MotionSegmentLimitSearch(patient: patient.patient)
                    l.criteria.maxAnnulusFibreStrain = bound
                    search = l
                }
            }
            if deformableVertebrae {
                guard exact else { throw ValidationError("--deformable-vertebrae needs --exact: the surrogate is built on rigid vertebrae") }
                guard patient.cervicalLevel == nil else {
                    throw ValidationError("--deformable-vertebrae: not available for a cervical patient (\(patient.levelText)) yet; the lumbar motion segment only")
                }
                var l = search ?? MotionSegmentLimitSearch(patient: patient.patient)
                l.deformableVertebrae = .forPatient(patient.patient)
                print("deformable vertebral bodies: \(l.deformableVertebrae!.height) mm of bone, cancellous E = \(String(format: "%.4g", l.deformableVertebrae!.cancellousModulus)) MPa from T-score \(patient.patient.tScore); bone strains × \(l.effectiveCriteria.boneStrainDiscretisation.map { String(format: "%.4g", $0) } ?? "none (refused)") for the \(l.mesh.rawValue) mesh")
                search = l
            }
            let result: LimitsComputation.Result
            if let bytes = surrogateBytes {
                result = try LimitsComputation.compute(patient: patient, session: sessionValue, search: search, surrogateFile: bytes)
            } else if patient.cervicalLevel != nil {
                result = try LimitsComputation.compute(patient: patient, session: sessionValue, cervicalSearch: cervicalSearch)
            } else {
                result = try LimitsComputation.compute(patient: patient, session: sessionValue, search: search)
            }
            let wall = Date().timeIntervalSince(start)
            if let refusal = result.surrogateRefusal {
                FileHandle.standardError.write(Data("note: the surrogate was refused (\(refusal)); the limit was computed with full solves instead (provenance.modelId \(result.document.provenance.modelId))\n".utf8))
            }
            try Data(result.document.canonicalUnsignedJSON).write(to: URL(fileURLWithPath: output))
            if let m = result.modelLimit {
                print(m.report, terminator: "")
                if let peak = result.protocolSearchForce {
                    print(String(format: "ramp-up rate, hold and cycles searched at a peak %@ of %.4g N", result.protocolLimits.first?.peakName ?? "table force", peak.value)
                          + " (\(peak.criterion): the smallest of the model force limit, the clinical cap and the device rating, which depend on neither bone density nor conditions)")
                }
                for p in result.protocolLimits { print(p.report, terminator: "") }
                for q in ProtocolQuantity.allCases {
                    if let e = result.protocolLimitRefusals[q] { print("note: no model \(q.rawValue) limit (the device or clinical limit governs): the search refused: \(e)") }
                }
                if surrogateBytes != nil { print("note: \(LimitsComputation.forceOnlyReason)") }
            } else {
                print("model not run: an absolute contraindication blocks treatment")
            }
            let d = result.document
            if d.blocked {
                print("computed \(output): BLOCKED by \(d.blockReasons.map(\.rawValue).joined(separator: ", ")) (no controller loads it)")
            } else {
                print("computed \(output) (unsigned): maxForceN \(d.limits.maxForceN.value) [\(d.limits.maxForceN.kind.rawValue): \(d.limits.maxForceN.criterion)]")
            }
            print("inputs digest \(result.inputs.digestSHA256)")
            print(String(format: "wall %.2f s", wall))
        }
    }
}
