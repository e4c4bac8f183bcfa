import Foundation
import Testing
@testable import TractionSafety

/// The limits chain fails closed: one table of ranges (``LimitsRanges``) enforced identically by
/// the builder, the signer, the unsigned-document reader and the loader, tested field by field at
/// the boundary ± 1 ulp; levels from one list; times in seconds; printable identifiers; key kinds;
/// encodings; the C entry point's arguments.
@Suite("Fail closed: ranges, levels, times, identifiers, keys, encodings, C arguments")
struct FailClosedTests {
    // MARK: - Helpers

    /// The document tree with the numeric field at dotted `path` set to `x`.
    static func tree(setting path: String, to x: Double, in base: JSONValue = Fixtures.document.jsonValue) -> JSONValue {
        var t = base
        t.set(path.split(separator: ".").map(String.init), .number(x))
        return t
    }

    /// The refusal of each path of the chain for a tree: signer (decoded + validated), unsigned
    /// reader, loader (validly signed bytes).
    static func refusals(_ t: JSONValue) -> [(String, LimitsRefusal?)] {
        let unsigned = CanonicalJSON.encode(t)
        let viaSigner: LimitsRefusal?
        do {
            let d = try ForceSafetyLimits(jsonValue: t)
            _ = try LimitsSigner.sign(d, with: Fixtures.key)
            viaSigner = nil
        } catch { viaSigner = error }
        let viaUnsigned: LimitsRefusal?
        do { _ = try ForceSafetyLimits(unsignedJSON: unsigned); viaUnsigned = nil } catch { viaUnsigned = error }
        let viaLoader = Fixtures.refusal(LimitsSigner.signJSON(t, with: Fixtures.key))
        return [("sign", viaSigner), ("unsigned", viaUnsigned), ("load", viaLoader)]
    }

    // MARK: - The table at its boundaries

    /// The table covers every number of the document exactly once (the numeric member paths of
    /// the fixture document's JSON).
    @Test func tableCoversEveryNumber() {
        func numericPaths(_ v: JSONValue, _ prefix: String) -> [String] {
            switch v {
            case .number: return [prefix]
            case .object(let m): return m.keys.sorted().flatMap { numericPaths(m[$0]!, prefix.isEmpty ? $0 : prefix + "." + $0) }
            default: return []
            }
        }
        let document = Set(numericPaths(Fixtures.document.jsonValue, "")).subtracting(["schemaVersion.major", "schemaVersion.minor"])
        #expect(Set(LimitsRanges.rows.map(\.field)) == document)
        #expect(LimitsRanges.rows.count == document.count)
    }

    /// Every row: both ends accepted, one ulp outside refused with that field named (the table's
    /// own check, which every path calls).
    @Test(arguments: LimitsRanges.rows.map(\.field))
    func tableBoundaryPlusMinusOneUlp(field: String) throws {
        let row = try #require(LimitsRanges.row(field))
        for inside in [row.range.lowerBound, row.range.upperBound] {
            #expect(throws: Never.self) { try LimitsRanges.check(row, inside) }
        }
        for outside in [row.range.lowerBound.nextDown, row.range.upperBound.nextUp, .nan, .infinity] {
            do {
                try LimitsRanges.check(row, outside)
                Issue.record("\(field) = \(outside) accepted")
            } catch {
                #expect(error.field == field)
                #expect(error.reason == (outside.isFinite ? (outside < 0 && row.range.lowerBound >= 0 ? .negativeValue : .invalidValue) : .nonFiniteValue))
            }
        }
    }

    /// Every field one ulp above its range is refused by the signer, the unsigned reader and the
    /// loader alike, each naming the field.
    @Test(arguments: LimitsRanges.rows.map(\.field))
    func aboveRangeRefusedByEveryPath(field: String) throws {
        let row = try #require(LimitsRanges.row(field))
        for (path, refusal) in Self.refusals(Self.tree(setting: field, to: row.range.upperBound.nextUp)) {
            #expect(refusal?.field == field, "\(path)")
            #expect(refusal?.reason == .invalidValue, "\(path)")
        }
    }

    /// Every field one ulp below its range is refused by every path.
    @Test(arguments: LimitsRanges.rows.map(\.field))
    func belowRangeRefusedByEveryPath(field: String) throws {
        let row = try #require(LimitsRanges.row(field))
        let below = row.range.lowerBound.nextDown
        for (path, refusal) in Self.refusals(Self.tree(setting: field, to: below)) {
            #expect(refusal?.field == field, "\(path)")
            #expect(refusal?.reason == (below < 0 ? .negativeValue : .invalidValue), "\(path)")
        }
    }

    /// Monitoring fields at the ends of their ranges load (where the cross-field rule allows: the
    /// force amounts are capped by a quarter of the 343.2 N hard maximum = 85.8 N).
    @Test(arguments: LimitsRanges.monitoringValues.map(\.name))
    func monitoringBoundsLoad(name: String) throws {
        let (_, range, _) = try #require(LimitsRanges.monitoringValues.first { $0.name == name })
        let cap = LimitsRanges.monitoringForceFractionOfMaxForce * Fixtures.document.limits.maxForceN.value
        for x in [range.lowerBound, min(range.upperBound, cap)] {
            let t = Self.tree(setting: "monitoring.\(name)", to: x)
            #expect(Fixtures.refusal(LimitsSigner.signJSON(t, with: Fixtures.key)) == nil, "\(name) = \(x)")
        }
    }

    /// The cross-field cap: a force amount exactly a quarter of the hard maximum loads, one ulp
    /// more is refused (the issue's 1e9 N values are far beyond).
    @Test(arguments: ["trackingToleranceN", "overshootN", "frozenSensorMinCommandChangeN"])
    func monitoringForceAmountsCappedByHardMaximum(name: String) {
        var d = Fixtures.document
        d.limits.maxForceN.value = 160
        d.limits.softMaxForceN.value = 100
        let kp = MonitoringSettings.fields.first { $0.name == name }!.keyPath
        d.monitoring[keyPath: kp] = 40
        #expect(throws: Never.self) { try LimitsValidation.validate(d) }
        d.monitoring[keyPath: kp] = (40.0).nextUp
        #expect(throws: LimitsRefusal(.invalidValue, field: "monitoring.\(name)",
                                      "monitoring.\(name) = \((40.0).nextUp) N exceeds 0.25 × limits.maxForceN.value = 40.0 N")) {
            try LimitsValidation.validate(d)
        }
    }

    /// The issue's values: monitoring thresholds of 1e9, a hard maximum of 1e300 and an expiry of
    /// 1e300 are refused by every path, naming the field.
    @Test(arguments: [("monitoring.overshootN", 1e9), ("monitoring.sensorFreshnessTimeoutS", 1e9),
                      ("monitoring.trackingToleranceN", 1e9), ("limits.maxForceN.value", 1e300),
                      ("provenance.expiresAtUnixS", 1e300), ("limits.maxCycles.value", 1e6)])
    func issueValuesRefused(field: String, value: Double) {
        for (path, refusal) in Self.refusals(Self.tree(setting: field, to: value)) {
            #expect(refusal?.field == field && refusal?.reason == .invalidValue, "\(path): \(String(describing: refusal))")
        }
    }

    /// The builder refuses monitoring inputs one ulp outside the same table, naming the field.
    @Test(arguments: LimitsRanges.monitoringValues.map(\.name))
    func builderUsesTheSameMonitoringRanges(name: String) throws {
        let (_, range, _) = try #require(LimitsRanges.monitoringValues.first { $0.name == name })
        let kp = MonitoringSettings.fields.first { $0.name == name }!.keyPath
        for x in [range.lowerBound.nextDown, range.upperBound.nextUp] {
            var i = Fixtures.inputs
            i.monitoring[keyPath: kp] = x
            #expect(throws: LimitsBuildError.self) { try LimitsBuilder.build(i) }
            do { _ = try LimitsBuilder.build(i) } catch { #expect(error.field == "monitoring.\(name)") }
        }
    }

    /// A device rating above the table's ramp bound yields a document the loader would refuse, so
    /// the builder refuses it, naming the document field.
    @Test func builderRefusesADocumentOutsideTheTable() {
        var i = Fixtures.inputs
        i.device.maxRampUpNPerS = 1000.0.nextUp
        do { _ = try LimitsBuilder.build(i); Issue.record("built") } catch { #expect(error.field == "limits.maxRampUpNPerS.value") }
    }

    // MARK: - Times

    /// Validity: exactly 90 days loads; one ulp more is refused.
    @Test func validityAtMostNinetyDays() {
        let created = Fixtures.createdAt
        var d = Fixtures.document
        d.provenance.expiresAtUnixS = created + LimitsRanges.maxValidityS
        #expect(throws: Never.self) { try LimitsValidation.validate(d) }
        d.provenance.expiresAtUnixS = (created + LimitsRanges.maxValidityS).nextUp
        do { try LimitsValidation.validate(d); Issue.record("accepted") } catch {
            #expect(error.field == "provenance.expiresAtUnixS" && error.reason == .invalidValue && error.message.contains("90 days"))
        }
        var i = Fixtures.inputs
        i.validityS = LimitsRanges.maxValidityS.nextUp
        do { _ = try LimitsBuilder.build(i); Issue.record("built") } catch { #expect(error.field == "validityS") }
    }

    /// Millisecond timestamps are refused with a hint, by the document checks and the builder.
    @Test func millisecondTimestampsRefused() {
        let ms = Fixtures.createdAt * 1000
        for (path, refusal) in Self.refusals(Self.tree(setting: "provenance.createdAtUnixS", to: ms)) {
            #expect(refusal?.field == "provenance.createdAtUnixS" && refusal?.message.contains("millisecond") == true, "\(path)")
        }
        var i = Fixtures.inputs
        i.createdAtUnixS = ms
        do { _ = try LimitsBuilder.build(i); Issue.record("built") } catch { #expect(error.field == "createdAtUnixS") }
    }

    // MARK: - Levels

    /// The twelve treated segments parse and map to their region (C7-T1 cervical, T12-L1 lumbar).
    @Test func acceptedLevels() {
        #expect(SpinalLevel.all.count == 12)
        for (text, region) in SpinalLevel.all { #expect(SpinalLevel(text)?.region == region) }
        #expect(SpinalLevel("C7-T1")?.region == .cervical && SpinalLevel("T12-L1")?.region == .lumbar)
    }

    /// Reversed, non-adjacent, cross-region, non-existent, disc-less, thoracic and misspelled
    /// levels are refused by the loader as `wrongType` on `level`.
    @Test(arguments: ["L5-L4", "L4-L9", "L4-C1", "L2-L5", "C1-C2", "C0-C1", "T6-T7", "l4-l5", "L4-L5 ", "L4\u{2013}L5",
                      "L4-L5\u{200B}", "L05-S1", "S1-S2", ""])
    func refusedLevels(text: String) {
        var t = Fixtures.document.jsonValue
        t.set(["level"], .string(text))
        let r = Fixtures.refusal(LimitsSigner.signJSON(t, with: Fixtures.key))
        #expect(r?.reason == .wrongType && r?.field == "level")
        #expect(SpinalLevel(text) == nil)
    }

    /// A level of the other region is refused as invalid (cervical level in a lumbar document).
    @Test func levelOfTheOtherRegion() {
        var t = Fixtures.document.jsonValue
        t.set(["level"], .string("C7-T1"))
        let r = Fixtures.refusal(LimitsSigner.signJSON(t, with: Fixtures.key))
        #expect(r?.reason == .invalidValue && r?.field == "level")
    }

    // MARK: - Identifiers

    /// modelId and libraryVersion must be printable ASCII: zero-width, homoglyph, space, control,
    /// empty and over-long values are refused by every path, naming the field.
    @Test(arguments: [("provenance.modelId", "test\u{200B}model"), ("provenance.modelId", "t\u{0435}st-model"),  // Cyrillic е
                      ("provenance.modelId", "test model"), ("provenance.modelId", "test\tmodel"), ("provenance.modelId", ""),
                      ("provenance.modelId", String(repeating: "m", count: 129)), ("provenance.modelId", "model\u{FEFF}"),
                      ("provenance.libraryVersion", "0.1.0\u{202E}"), ("provenance.libraryVersion", "０.1.0")])
    func nonPrintableIdentifiersRefused(field: String, value: String) {
        var t = Fixtures.document.jsonValue
        t.set(field.split(separator: ".").map(String.init), .string(value))
        for (path, refusal) in Self.refusals(t) {
            #expect(refusal?.field == field && refusal?.reason == .invalidValue, "\(path): \(String(describing: refusal))")
        }
    }

    /// The builder refuses a modelId with a zero-width space.
    @Test func builderRefusesHiddenCharactersInModelId() {
        var i = Fixtures.inputs
        i.modelId = "model\u{200B}"
        do { _ = try LimitsBuilder.build(i); Issue.record("built") } catch {
            #expect(error.field == "modelId" && error.message.contains("U+200B"))
        }
    }

    // MARK: - Keys

    /// Key files carry their kind: each reader refuses the other kind and untagged hex.
    @Test func keyFilesAreCheckedForTheirKind() throws {
        let key = Fixtures.key
        #expect(try LimitsSigningKey(keyFile: key.keyFileText).rawRepresentation == key.rawRepresentation)
        #expect(try TrustedPublicKey(keyFile: key.publicKey.keyFileText) == key.publicKey)
        #expect(throws: KeyFormatError.self) { try LimitsSigningKey(keyFile: key.publicKey.keyFileText) }
        do { _ = try LimitsSigningKey(keyFile: key.publicKey.keyFileText) } catch { #expect(error.message.contains("public key file")) }
        do { _ = try TrustedPublicKey(keyFile: key.keyFileText) } catch { #expect(error.message.contains("private key file")) }
        do { _ = try LimitsSigningKey(keyFile: Hex.encode(key.rawRepresentation)); Issue.record("untagged accepted") } catch {
            #expect(error.message.contains("without a kind tag"))
        }
        do { _ = try TrustedPublicKey(keyFile: Hex.encode(key.publicKey.rawRepresentation)); Issue.record("untagged accepted") } catch {
            #expect(error.message.contains("without a kind tag"))
        }
        do { _ = try LimitsSigningKey(keyFile: "ed25519-private:abc"); Issue.record("short accepted") } catch {
            #expect(error.message.contains("64 lowercase hex"))
        }
    }

    // MARK: - Encodings and escapes

    /// A byte-order mark or UTF-16 text is refused with a message saying how to fix the file.
    @Test(arguments: [([0xEF, 0xBB, 0xBF] as [UInt8], "UTF-8 byte-order mark"), ([0xFF, 0xFE], "UTF-16 or UTF-32 byte-order mark"),
                      ([0xFE, 0xFF], "UTF-16 or UTF-32 byte-order mark"), ([0x00], "looks like UTF-16")])
    func byteOrderMarksAndUTF16Refused(prefix: [UInt8], expected: String) {
        var body = Fixtures.document.canonicalUnsignedJSON
        if prefix == [0x00] { body = Array(body.map { [0x00, $0] }.joined()) } else { body = prefix + body }
        do { _ = try ForceSafetyLimits(unsignedJSON: body); Issue.record("accepted") } catch {
            #expect(error.reason == .malformedJSON && error.message.contains(expected) && error.message.contains("save it as UTF-8 without BOM"))
        }
        let r = Fixtures.refusal(prefix == [0x00] ? body : prefix + Fixtures.signed)
        #expect(r?.reason == .malformedJSON && r?.message.contains("without BOM") == true)
    }

    /// A valid surrogate-pair escape decodes to its scalar (U+1F600); lone or reversed halves are refused.
    @Test func surrogatePairs() throws {
        #expect(try StrictJSONParser.parse(Array(#""\ud83d\ude00""#.utf8)) == .string("\u{1F600}"))
        #expect(try StrictJSONParser.parse(Array(#""\uD83D\uDE00x""#.utf8)) == .string("\u{1F600}x"))
        for bad in [#""\ud83d""#, #""\ude00\ud83d""#, #""\ud83d\u0041""#] {
            #expect(throws: JSONParseError.self) { try StrictJSONParser.parse(Array(bad.utf8)) }
        }
    }

    // MARK: - C entry point arguments

    static func cLoad(capacity: Int32 = 16, region: Int32 = 1, level: [CChar] = Array("L4-L5".utf8CString),
                      digest: [CChar] = Array(Fixtures.inputs.digestSHA256.utf8CString), now: Double = Fixtures.createdAt + 60,
                      ceiling: Double = 1000, length: Int? = nil, nullDocument: Bool = false) -> (Int32, String) {
        var handle: OpaquePointer?
        var message = [CChar](repeating: 0, count: 512)
        let doc = Fixtures.signed
        let key = Fixtures.key.publicKey.rawRepresentation
        let rc = doc.withUnsafeBufferPointer { d in
            key.withUnsafeBufferPointer { k in
                level.withUnsafeBufferPointer { l in
                    digest.withUnsafeBufferPointer { g in
                        ts_envelope_load(nullDocument ? nil : d.baseAddress, length ?? d.count, k.baseAddress, ceiling, 100, 200, 600, 3600, 50,
                                         region, l.baseAddress, 0, 1, g.baseAddress, now, capacity, &handle, &message, message.count)
                    }
                }
            }
        }
        ts_envelope_free(handle)
        return (rc, String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Every bad argument returns TS_BAD_ARGUMENT (100) with a message naming it; nothing aborts.
    @Test func cArgumentsValidated() {
        #expect(TractionEnvelope.maxEventCapacity == 65_536)
        #expect(Self.cLoad(capacity: 65_536).0 == 0 && Self.cLoad(capacity: 1).0 == 0)
        let cases: [(String, (Int32, String))] = [
            ("event_capacity", Self.cLoad(capacity: Int32.max)),
            ("event_capacity", Self.cLoad(capacity: 65_537)),
            ("event_capacity", Self.cLoad(capacity: 0)),
            ("event_capacity", Self.cLoad(capacity: -5)),
            ("region", Self.cLoad(region: -1)),
            ("level", Self.cLoad(level: Array(repeating: CChar(65), count: 40) + [0])),   // no NUL within 16 bytes
            ("level", Self.cLoad(level: Array("L5-L4".utf8CString))),
            ("inputs_digest_hex", Self.cLoad(digest: Array("abc".utf8CString))),
            ("now_unix_s", Self.cLoad(now: .nan)),
            ("ceiling_max_force_n", Self.cLoad(ceiling: -1)),
            ("ceiling_max_force_n", Self.cLoad(ceiling: .infinity)),
            ("document_length", Self.cLoad(length: -1)),
            ("document is NULL", Self.cLoad(nullDocument: true)),
        ]
        for (name, (rc, message)) in cases {
            #expect(rc == 100 && message.contains(name), "\(name): \(rc) \(message)")
        }
    }
}
