/// Checks a document's values on their own (no controller expectations): finite, non-negative,
/// in range, consistent. ``LimitsLoader`` runs it on every load, ``LimitsSigner`` before signing.
public enum LimitsValidation {
    /// Refuses the first problem found, in this order: non-finite values, negative values, values
    /// outside their allowed set, min > max, soft > hard, provenance format, block consistency.
    public static func validate(_ d: ForceSafetyLimits) throws(LimitsRefusal) {
        // 1. Every number finite and non-negative.
        var numbers: [(String, Double)] = []
        for (name, kp) in Limits.fields {
            numbers.append(("limits.\(name).value", d.limits[keyPath: kp].value))
            numbers.append(("limits.\(name).marginFraction", d.limits[keyPath: kp].marginFraction))
        }
        for (name, kp) in MonitoringSettings.fields { numbers.append(("monitoring.\(name)", d.monitoring[keyPath: kp])) }
        numbers.append(("provenance.createdAtUnixS", d.provenance.createdAtUnixS))
        numbers.append(("provenance.expiresAtUnixS", d.provenance.expiresAtUnixS))
        for (field, x) in numbers where !x.isFinite {
            throw LimitsRefusal(.nonFiniteValue, field: field, "\(field) = \(x) is not a finite number")
        }
        for (field, x) in numbers where x < 0 {
            throw LimitsRefusal(.negativeValue, field: field, "\(field) = \(x) is negative; expected ≥ 0")
        }
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
            if l.marginFraction >= 1 {
                throw LimitsRefusal(.invalidValue, field: "limits.\(name).marginFraction",
                                    "limits.\(name).marginFraction = \(l.marginFraction); expected a fraction in [0, 1)")
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
        if L.maxCycles.value != L.maxCycles.value.rounded(.towardZero) || L.maxCycles.value > 1_000_000 {
            throw LimitsRefusal(.invalidValue, field: "limits.maxCycles.value", "limits.maxCycles.value = \(L.maxCycles.value); expected a whole number ≤ 1000000")
        }
        if L.restForceFractionMax.value > 1 {
            throw LimitsRefusal(.invalidValue, field: "limits.restForceFractionMax.value",
                                "limits.restForceFractionMax.value = \(L.restForceFractionMax.value); expected a fraction in [0, 1]")
        }
        if L.maxAngleDeg.value > 90 {
            throw LimitsRefusal(.invalidValue, field: "limits.maxAngleDeg.value", "limits.maxAngleDeg.value = \(L.maxAngleDeg.value) deg; expected ≤ 90")
        }
        for (name, kp) in MonitoringSettings.fields where d.monitoring[keyPath: kp] <= 0 {
            throw LimitsRefusal(.invalidValue, field: "monitoring.\(name)", "monitoring.\(name) = \(d.monitoring[keyPath: kp]); expected > 0")
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
        for (field, s) in [("provenance.libraryVersion", d.provenance.libraryVersion), ("provenance.modelId", d.provenance.modelId)]
        where s.isEmpty || s.utf8.count > 128 {
            throw LimitsRefusal(.invalidValue, field: field, "\(field) must be 1–128 bytes, got \(s.utf8.count)")
        }
        if d.provenance.expiresAtUnixS <= d.provenance.createdAtUnixS {
            throw LimitsRefusal(.minAboveMax, field: "provenance.expiresAtUnixS",
                                "provenance.expiresAtUnixS = \(d.provenance.expiresAtUnixS) is not after createdAtUnixS = \(d.provenance.createdAtUnixS)")
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
