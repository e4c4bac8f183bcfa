// Fuzz-build stand-in for swift-crypto's `Crypto` module as SpineModel uses it (SHA-256 of run
// files and model digests), compiled as a module named `Crypto` together with
// Fuzz/CryptoStub.swift (whose plain-Swift FIPS 180-4 SHA-256 it calls). Only the API SpineModel
// calls: `SHA256.hash(data:)`, `SHA256()`, `update(bufferPointer:)`, `finalize()`. It buffers the
// whole message; the fuzz target never runs a simulation, so no large file is ever hashed.

import Foundation

public struct SHA256 {
    private var message: [UInt8] = []

    public init() {}

    public mutating func update(bufferPointer: UnsafeRawBufferPointer) { message.append(contentsOf: bufferPointer) }

    public mutating func update<D: DataProtocol>(data: D) { message.append(contentsOf: data) }

    public func finalize() -> [UInt8] { CryptoPrimitives.sha256(message) }

    public static func hash<D: DataProtocol>(data: D) -> [UInt8] { CryptoPrimitives.sha256(Array(data)) }
}
