/// C entry points for controllers written in C (declared in `CInterface/traction_safety.h`).
///
/// Load a signed document into an envelope with ``ts_envelope_load``, call ``ts_envelope_check``
/// at every control tick, release with ``ts_envelope_free``. Only the load allocates.

/// Heap box owning an envelope for C callers.
final class EnvelopeBox {
    var envelope: TractionEnvelope
    init(_ e: TractionEnvelope) { envelope = e }
}

extension RefusalReason {
    /// Stable C code: 1 + the case's position in ``RefusalReason`` (0 means success).
    public var cCode: Int32 { Int32(Self.allCases.firstIndex(of: self)!) + 1 }
}

/// Loads and checks a signed document and creates an envelope. Returns 0 and sets `*out`, or a
/// ``RefusalReason/cCode`` (also 100 for a bad argument) and writes a NUL-terminated message into
/// `message` (up to `messageCapacity` bytes, may be NULL).
///
/// - Parameters: document bytes and length; the 32-byte trusted public key; the controller's
///   ceilings (N, N/s, N/s, s, s, count); region (0 cervical, 1 lumbar); level (C string, e.g.
///   "L4-L5"); the device configuration: surface (0 split table, 1 non-split table, 2 supine,
///   3 seated) and harness (0 pelvic, 1 thoraco-pelvic, 2 head halter, 3 occipital cradle); expected inputs digest (64 hex, C string); current time (s since 1970);
///   event-log capacity (1…``TractionEnvelope/maxEventCapacity``). Every argument is checked and
///   a bad one returns 100 (`TS_BAD_ARGUMENT`) with a message naming it; the call never aborts.
@_cdecl("ts_envelope_load")
public func ts_envelope_load(
    _ document: UnsafePointer<UInt8>?, _ documentLength: Int, _ publicKey32: UnsafePointer<UInt8>?,
    _ ceilingMaxForceN: Double, _ ceilingMaxRampUpNPerS: Double, _ ceilingMaxRampDownNPerS: Double,
    _ ceilingMaxHoldS: Double, _ ceilingMaxSessionS: Double, _ ceilingMaxCycles: Double,
    _ region: Int32, _ level: UnsafePointer<CChar>?, _ surface: Int32, _ harness: Int32, _ inputsDigestHex: UnsafePointer<CChar>?, _ nowUnixS: Double,
    _ eventCapacity: Int32,
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ message: UnsafeMutablePointer<CChar>?, _ messageCapacity: Int
) -> Int32 {
    func fail(_ code: Int32, _ text: String) -> Int32 {
        if let message, messageCapacity > 0 {
            let bytes = Array(text.utf8.prefix(messageCapacity - 1))
            for (k, b) in bytes.enumerated() { message[k] = CChar(bitPattern: b) }
            message[bytes.count] = 0
        }
        return code
    }
    guard let document else { return fail(100, "bad argument: document is NULL") }
    guard documentLength >= 0 else { return fail(100, "bad argument: document_length = \(documentLength) is negative") }
    guard let publicKey32 else { return fail(100, "bad argument: public_key is NULL") }
    guard let level else { return fail(100, "bad argument: level is NULL") }
    guard let inputsDigestHex else { return fail(100, "bad argument: inputs_digest_hex is NULL") }
    guard let out else { return fail(100, "bad argument: out is NULL") }
    guard eventCapacity >= 1, Int(eventCapacity) <= TractionEnvelope.maxEventCapacity else {
        return fail(100, "bad argument: event_capacity = \(eventCapacity); expected 1...\(TractionEnvelope.maxEventCapacity)")
    }
    guard let regionValue = region == 0 ? SpinalRegion.cervical : region == 1 ? .lumbar : nil else {
        return fail(100, "bad argument: region = \(region); expected 0 (cervical) or 1 (lumbar)")
    }
    let surfaces: [TractionConfiguration.Surface] = [.splitTable, .nonSplitTable, .supine, .seated]
    let harnesses: [TractionConfiguration.Harness] = [.pelvic, .thoracoPelvic, .headHalter, .occipitalCradle]
    guard surface >= 0, Int(surface) < surfaces.count else {
        return fail(100, "bad argument: surface = \(surface); expected 0 (split table), 1 (non-split table), 2 (supine) or 3 (seated)")
    }
    guard harness >= 0, Int(harness) < harnesses.count else {
        return fail(100, "bad argument: harness = \(harness); expected 0 (pelvic), 1 (thoraco-pelvic), 2 (head halter) or 3 (occipital cradle)")
    }
    let configuration = TractionConfiguration(surface: surfaces[Int(surface)], harness: harnesses[Int(harness)])
    guard documentLength <= LimitsLoader.maxDocumentBytes else {
        return fail(RefusalReason.documentTooLarge.cCode, "document is \(documentLength) bytes; at most \(LimitsLoader.maxDocumentBytes) accepted")
    }
    // C strings are read up to a bound (never past it): a level is at most 6 characters, a digest 64.
    guard let levelText = boundedCString(level, maxLength: 16), let spinalLevel = SpinalLevel(levelText) else {
        return fail(100, "bad argument: level is not one of \(SpinalLevel.listText) (NUL-terminated)")
    }
    guard let digestText = boundedCString(inputsDigestHex, maxLength: 64), LimitsValidation.isHexDigest(digestText) else {
        return fail(100, "bad argument: inputs_digest_hex is not 64 lowercase hex characters followed by NUL")
    }
    guard nowUnixS.isFinite else { return fail(100, "bad argument: now_unix_s = \(nowUnixS) is not finite") }
    for (name, c) in [("ceiling_max_force_n", ceilingMaxForceN), ("ceiling_max_ramp_up_n_per_s", ceilingMaxRampUpNPerS),
                      ("ceiling_max_ramp_down_n_per_s", ceilingMaxRampDownNPerS), ("ceiling_max_hold_s", ceilingMaxHoldS),
                      ("ceiling_max_session_s", ceilingMaxSessionS), ("ceiling_max_cycles", ceilingMaxCycles)] where !(c.isFinite && c > 0) {
        return fail(100, "bad argument: \(name) = \(c); expected a finite number > 0")
    }
    let key: TrustedPublicKey
    do { key = try TrustedPublicKey(rawRepresentation: Array(UnsafeBufferPointer(start: publicKey32, count: 32))) } catch {
        return fail(100, error.message)
    }
    let expectations = ControllerExpectations(
        trustedKeys: [key],
        ceilings: ControllerCeilings(maxForceN: ceilingMaxForceN, maxRampUpNPerS: ceilingMaxRampUpNPerS, maxRampDownNPerS: ceilingMaxRampDownNPerS,
                                     maxHoldS: ceilingMaxHoldS, maxSessionS: ceilingMaxSessionS, maxCycles: ceilingMaxCycles),
        region: regionValue, level: spinalLevel, configuration: configuration, inputsDigestSHA256: digestText, nowUnixS: nowUnixS)
    do {
        let loaded = try LimitsLoader.load(Array(UnsafeBufferPointer(start: document, count: documentLength)), expecting: expectations)
        let box = EnvelopeBox(TractionEnvelope(limits: loaded, eventCapacity: Int(eventCapacity)))
        out.pointee = OpaquePointer(Unmanaged.passRetained(box).toOpaque())
        return fail(0, "")
    } catch {
        return fail(error.reason.cCode, error.description)
    }
}

/// Checks one sample. Returns 0 continue, 1 clamp (`*clampToN` set, `*reasonCode` = ClampReason
/// raw value), 2 ramp down and stop, 3 stop now (`*reasonCode` = StopReason raw value); -1 for a
/// null envelope. `acknowledged` ≠ 0 acknowledges a soft-limit excursion. Allocation-free.
@_cdecl("ts_envelope_check")
public func ts_envelope_check(
    _ envelope: OpaquePointer?, _ timeS: Double, _ commandedN: Double, _ measuredN: Double, _ sensorTimeS: Double,
    _ acknowledged: Int32, _ clampToN: UnsafeMutablePointer<Double>?, _ reasonCode: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let envelope else { return -1 }
    let box = Unmanaged<EnvelopeBox>.fromOpaque(UnsafeRawPointer(envelope)).takeUnretainedValue()
    let decision = box.envelope.check(timeS: timeS, commandedN: commandedN, measuredN: measuredN, sensorTimeS: sensorTimeS,
                                      softLimitAcknowledged: acknowledged != 0)
    switch decision {
    case .continue:
        reasonCode?.pointee = 0
        return 0
    case .clamp(let to, let reason):
        clampToN?.pointee = to
        reasonCode?.pointee = Int32(reason.rawValue)
        return 1
    case .rampDownAndStop(let reason):
        reasonCode?.pointee = Int32(reason.rawValue)
        return 2
    case .stopNow(let reason):
        reasonCode?.pointee = Int32(reason.rawValue)
        return 3
    }
}

/// Releases an envelope created by ``ts_envelope_load`` (NULL is ignored).
@_cdecl("ts_envelope_free")
public func ts_envelope_free(_ envelope: OpaquePointer?) {
    guard let envelope else { return }
    Unmanaged<EnvelopeBox>.fromOpaque(UnsafeRawPointer(envelope)).release()
}

/// The C string at `p` if a NUL occurs within its first `maxLength` + 1 bytes; nil otherwise
/// (reads at most `maxLength` + 1 bytes).
func boundedCString(_ p: UnsafePointer<CChar>, maxLength: Int) -> String? {
    var bytes: [UInt8] = []
    for k in 0...maxLength {
        let c = p[k]
        if c == 0 { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(UInt8(bitPattern: c))
    }
    return nil
}
