/// Checks a document's values on their own (no controller expectations): finite, non-negative,
/// in range, consistent. ``LimitsLoader`` runs it on every load, ``LimitsSigner`` before signing.
public enum LimitsValidation {
    /// Refuses the first problem found, in this order: a number non-finite or outside its closed
    /// range (``LimitsRanges``, field by field in document order), values outside their allowed
    /// set (identifiers, positive limits when not blocked, monitoring amounts ≤ a quarter of the
    /// hard maximum), min > max, soft > hard, provenance format (digest, printable-ASCII
    /// identifiers, model and surrogate digests, validity ≤ 90 days), block consistency, the level's
    /// region and the configuration's fit to the region.
    public static func validate(_ d: ForceSafetyLimits) throws(LimitsRefusal) {
        // 1. Every number finite and inside its closed range (one table: ``LimitsRanges``).
        for (row, x) in zip(LimitsRanges.rows, LimitsRanges.values(of: d)) { try LimitsRanges.check(row, x) }
        // 2. Values in their allowed set.
        if d.schemaVersion.major != TractionSafetyModule.schemaMajorVersion {
            throw LimitsRefusal(.unsupportedMajorVersion, field: "schemaVersion.major",
                                "schema major version \(d.schemaVersion.major) is not supported; this build reads \(TractionSafetyModule.schemaMajorVersion)")
        }
        if d.schemaVersion.minor < 0 {
            throw LimitsRefusal(.negativeValue, field: "schemaVersion.minor", "schemaVersion.minor = \(d.schemaVersion.minor) is negative")
        }
        for (name, kp) in Limits.fields {
            let l = d.limits[keyPath: kp]
            if !isCriterionIdentifier(l.criterion) {
                throw LimitsRefusal(.invalidValue, field: "limits.\(name).criterion",
                                    "limits.\(name).criterion = \"\(l.criterion)\" must be 1–128 characters of A–Z a–z 0–9 . _ - +")
            }
        }
        let L = d.limits
        if !d.blocked {
            for (name, l) in [("maxForceN", L.maxForceN), ("maxRampUpNPerS", L.maxRampUpNPerS),
                              ("maxRampDownNPerS", L.maxRampDownNPerS), ("maxHoldS", L.maxHoldS),
                              ("minRestS", L.minRestS), ("maxCycles", L.maxCycles), ("maxSessionS", L.maxSessionS)]
            where l.value <= 0 {
                throw LimitsRefusal(.invalidValue, field: "limits.\(name).value",
                                    "limits.\(name).value = \(l.value); expected > 0 in a document that does not block treatment")
            }
        }
        if !d.blocked {
            // Monitoring force amounts stay a fraction of the hard maximum, so no stop is disabled
            // by a tolerance larger than the forces involved.
            let cap = LimitsRanges.monitoringForceFractionOfMaxForce * L.maxForceN.value
            for (name, x) in [("trackingToleranceN", d.monitoring.trackingToleranceN), ("overshootN", d.monitoring.overshootN),
                              ("frozenSensorMinCommandChangeN", d.monitoring.frozenSensorMinCommandChangeN)] where !(x <= cap) {
                throw LimitsRefusal(.invalidValue, field: "monitoring.\(name)",
                                    "monitoring.\(name) = \(x) N exceeds \(LimitsRanges.monitoringForceFractionOfMaxForce) × limits.maxForceN.value = \(cap) N")
            }
        }
        // 3. Consistency.
        if L.minHoldS.value > L.maxHoldS.value {
            throw LimitsRefusal(.minAboveMax, field: "limits.minHoldS.value",
                                "limits.minHoldS.value = \(L.minHoldS.value) s exceeds limits.maxHoldS.value = \(L.maxHoldS.value) s")
        }
        if L.minAngleDeg.value > L.maxAngleDeg.value {
            throw LimitsRefusal(.minAboveMax, field: "limits.minAngleDeg.value",
                                "limits.minAngleDeg.value = \(L.minAngleDeg.value) deg exceeds limits.maxAngleDeg.value = \(L.maxAngleDeg.value) deg")
        }
        if L.softMaxForceN.value > L.maxForceN.value {
            throw LimitsRefusal(.softAboveHard, field: "limits.softMaxForceN.value",
                                "limits.softMaxForceN.value = \(L.softMaxForceN.value) N exceeds limits.maxForceN.value = \(L.maxForceN.value) N")
        }
        // 4. Provenance.
        if !isHexDigest(d.provenance.inputsDigestSHA256) {
            throw LimitsRefusal(.invalidValue, field: "provenance.inputsDigestSHA256",
                                "provenance.inputsDigestSHA256 = \"\(d.provenance.inputsDigestSHA256)\"; expected 64 lowercase hex characters")
        }
        for (field, s) in [("provenance.modelDigestSHA256", d.provenance.modelDigestSHA256),
                           ("provenance.surrogateDigestSHA256", d.provenance.surrogateDigestSHA256)]
        where !(s == Provenance.none || isHexDigest(s)) {
            throw LimitsRefusal(.invalidValue, field: field, "\(field) = \"\(s)\"; expected 64 lowercase hex characters or \"none\"")
        }
        let modelGoverned = Limits.fields.filter { d.limits[keyPath: $0.1].kind == .modelCriterion }.map(\.0)
        if let first = modelGoverned.first, d.provenance.modelDigestSHA256 == Provenance.none {
            throw LimitsRefusal(.invalidValue, field: "provenance.modelDigestSHA256",
                                "provenance.modelDigestSHA256 = \"none\" but limits.\(first) is governed by a model criterion; expected the model's digest")
        }
        if d.provenance.surrogateDigestSHA256 != Provenance.none && d.provenance.modelDigestSHA256 == Provenance.none {
            throw LimitsRefusal(.invalidValue, field: "provenance.modelDigestSHA256",
                                "provenance.modelDigestSHA256 = \"none\" but a surrogate digest is given; a surrogate is built on a model")
        }
        for (field, s) in [("provenance.libraryVersion", d.provenance.libraryVersion), ("provenance.modelId", d.provenance.modelId)] {
            if let problem = printableASCIIProblem(s) {
                throw LimitsRefusal(.invalidValue, field: field, "\(field) \(problem)")
            }
        }
        if d.provenance.expiresAtUnixS <= d.provenance.createdAtUnixS {
            throw LimitsRefusal(.minAboveMax, field: "provenance.expiresAtUnixS",
                                "provenance.expiresAtUnixS = \(d.provenance.expiresAtUnixS) is not after createdAtUnixS = \(d.provenance.createdAtUnixS)")
        }
        let validity = d.provenance.expiresAtUnixS - d.provenance.createdAtUnixS
        if validity > LimitsRanges.maxValidityS {
            throw LimitsRefusal(.invalidValue, field: "provenance.expiresAtUnixS",
                                "validity expiresAtUnixS − createdAtUnixS = \(validity) s exceeds \(LimitsRanges.maxValidityS) s (90 days)")
        }
        // 5. Blocking consistency and the level's region.
        if d.blocked == d.blockReasons.isEmpty {
            throw LimitsRefusal(.invalidValue, field: "blockReasons",
                                "blocked = \(d.blocked) but blockReasons has \(d.blockReasons.count) entries; expected reasons exactly when blocked")
        }
        if d.blockReasons != Array(Set(d.blockReasons)).sorted() {
            throw LimitsRefusal(.invalidValue, field: "blockReasons", "blockReasons must be sorted and unique")
        }
        if d.level.region != d.region {
            throw LimitsRefusal(.invalidValue, field: "level", "level \(d.level) does not belong to region \(d.region.rawValue)")
        }
        if !d.configuration.fits(d.region) {
            throw LimitsRefusal(.invalidValue, field: "configuration",
                                "configuration \(d.configuration) cannot treat the \(d.region.rawValue) region; expected \(TractionConfiguration.accepted)")
        }
    }

    /// Nil when `s` is 1–128 characters of printable ASCII (0x21–0x7E: no space, no control,
    /// no non-ASCII character such as a zero-width space or a Cyrillic look-alike); otherwise
    /// what is wrong, naming the first offending character.
    static func printableASCIIProblem(_ s: String) -> String? {
        if s.isEmpty { return "is empty; expected 1–128 printable ASCII characters" }
        if s.utf8.count > 128 { return "is \(s.utf8.count) bytes; expected 1–128 printable ASCII characters" }
        for (k, u) in s.unicodeScalars.enumerated() where !(0x21...0x7E).contains(u.value) {
            let code = "U+" + String(u.value, radix: 16, uppercase: true).leftPadded(to: 4)
            return "has \(code) at character \(k); expected printable ASCII (0x21–0x7E) only"
        }
        return nil
    }

    static func isCriterionIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 128 && s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
        }
    }

    static func isHexDigest(_ s: String, length: Int = 64) -> Bool {
        s.utf8.count == length && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
