// libFuzzer harness for the limits loader (see Fuzz/README.md and scripts/fuzz-smoke.sh).
// Compiled together with the TractionSafety sources (one module), with Fuzz/CryptoStub.swift in
// place of the swift-crypto-backed primitives.

/// Trusted key: the test fixture key (seed bytes 1…32), id 65b60673d6ed884b, which signed the seed corpus.
let fuzzExpectations = ControllerExpectations(
    trustedKeys: [try! TrustedPublicKey(hex: "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664")],
    ceilings: ControllerCeilings(maxForceN: 1000, maxRampUpNPerS: 100, maxRampDownNPerS: 200, maxHoldS: 600, maxSessionS: 3600, maxCycles: 50),
    region: .lumbar, level: SpinalLevel("L4-L5")!, configuration: TractionConfiguration(surface: .splitTable, harness: .thoracoPelvic),
    inputsDigestSHA256: "40fe9635b8f1eb14cda9a91b05bfa6abf6b128d8e609dd36ca602c00985cc5cb", nowUnixS: 1_795_568_400)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLimitsLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Loader: must return or throw, never trap.
    do {
        let loaded = try LimitsLoader.load(bytes, expecting: fuzzExpectations)
        // If it loads (the stub accepts any well-formed signature), drive an envelope with values from the input.
        var envelope = TractionEnvelope(limits: loaded, eventCapacity: 4)
        var t = 0.0
        for b in bytes.prefix(64) {
            t += Double(b % 7) * 0.05
            _ = envelope.check(timeS: t, commandedN: Double(b), measuredN: Double(b) * 0.9, sensorTimeS: t)
        }
    } catch {
        _ = error.description
    }
    // The lenient reader used by `limits sign` too.
    _ = try? ForceSafetyLimits(unsignedJSON: bytes)
    return 0
}
