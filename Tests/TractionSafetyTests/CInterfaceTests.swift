import Testing
@testable import TractionSafety

/// The C entry points, called through their Swift declarations with the same pointer arguments a
/// C caller passes.
@Suite("C interface")
struct CInterfaceTests {
    static func load(_ doc: [UInt8], ceilingN: Double = 1000, region: Int32 = 1, level: String = "L4-L5",
                     surface: Int32 = 0, harness: Int32 = 1, digest: String = Fixtures.inputs.digestSHA256, now: Double = Fixtures.createdAt + 60) -> (Int32, OpaquePointer?, String) {
        var handle: OpaquePointer?
        var message = [CChar](repeating: 0, count: 256)
        let key = Fixtures.key.publicKey.rawRepresentation
        let rc = doc.withUnsafeBufferPointer { d in
            key.withUnsafeBufferPointer { k in
                level.withCString { l in
                    digest.withCString { g in
                        ts_envelope_load(d.baseAddress, d.count, k.baseAddress, ceilingN, 100, 200, 600, 3600, 50, region, l, surface, harness, g, now, 16,
                                         &handle, &message, message.count)
                    }
                }
            }
        }
        return (rc, handle, String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    @Test func loadCheckFree() {
        let (rc, handle, message) = Self.load(Fixtures.signed)
        #expect(rc == 0 && handle != nil && message.isEmpty)
        var clamp = 0.0
        var reason: Int32 = -1
        #expect(ts_envelope_check(handle, 0, 0, 0, 0, 0, &clamp, &reason) == 0)
        // 20 N after 0.1 s is 200 N/s > 50 N/s: clamp to 5 N, reason rampUpTooFast (3).
        #expect(ts_envelope_check(handle, 0.1, 20, 0, 0.1, 0, &clamp, &reason) == 1)
        #expect(abs(clamp - 5) < 1e-9 && reason == Int32(ClampReason.rampUpTooFast.rawValue))
        #expect(ts_envelope_check(handle, 0.2, .nan, 0, 0.2, 0, &clamp, &reason) == 3)
        #expect(reason == Int32(StopReason.invalidInput.rawValue))
        ts_envelope_free(handle)
        #expect(ts_envelope_check(nil, 0, 0, 0, 0, 0, nil, nil) == -1)
    }

    @Test func refusalsReturnTheirCodeAndMessage() {
        var tampered = Fixtures.signed
        tampered[100] ^= 1
        let (rc, handle, message) = Self.load(tampered)
        #expect(rc != 0 && handle == nil && !message.isEmpty)
        let (rc2, _, message2) = Self.load(Fixtures.signed, ceilingN: 100)
        #expect(rc2 == RefusalReason.aboveControllerCeiling.cCode && rc2 == 17)    // TS_ABOVE_CONTROLLER_CEILING
        #expect(message2.hasPrefix("aboveControllerCeiling"))
        #expect(Self.load(Fixtures.signed, region: 0).0 == RefusalReason.regionMismatch.cCode)
        #expect(Self.load(Fixtures.signed, region: 7).0 == 100)
        #expect(Self.load(Fixtures.signed, now: Fixtures.createdAt + 8 * 86_400).0 == 18)   // TS_EXPIRED
        #expect(RefusalReason.treatmentBlocked.cCode == 23)
        #expect(RefusalReason.configurationMismatch.cCode == 24)                           // header's last code
        // The controller's configuration: a code outside the header's lists is a bad argument; a
        // valid configuration other than the document's is refused (TS_CONFIGURATION_MISMATCH).
        #expect(Self.load(Fixtures.signed, surface: 4).0 == 100 && Self.load(Fixtures.signed, harness: -1).0 == 100)
        let nonSplit = Self.load(Fixtures.signed, surface: 1)
        #expect(nonSplit.0 == 24 && nonSplit.2.contains("splitTable/thoracoPelvic"), "\(nonSplit.2)")
        #expect(Self.load(Fixtures.signed, harness: 0).0 == 24)
        // A claimed length above the size limit is refused before any byte is read.
        var bigHandle: OpaquePointer?
        let tiny: [UInt8] = [0x7B]
        let trusted = Fixtures.key.publicKey.rawRepresentation
        let bigRC = tiny.withUnsafeBufferPointer { d in
            trusted.withUnsafeBufferPointer { k in
                ts_envelope_load(d.baseAddress, 1 << 40, k.baseAddress, 1000, 100, 200, 600, 3600, 50, 1, "L4-L5", 0, 1, Fixtures.inputs.digestSHA256,
                                 Fixtures.createdAt, 4, &bigHandle, nil, 0)
            }
        }
        #expect(bigRC == RefusalReason.documentTooLarge.cCode && bigHandle == nil)
    }
}
