/// SplitMix64, the 64-bit generator of Steele, Lea and Flood ("Fast splittable pseudorandom number
/// generators", OOPSLA 2014), with the output mix of Java's `SplittableRandom`: a counter advanced
/// by the golden gamma `0x9E3779B97F4A7C15`, each output a bijective mix of the counter.
///
/// Deterministic on every platform (integer arithmetic only), so a population sampled with one
/// seed is the same on every machine. Each virtual patient gets its own stream
/// (``init(seed:stream:)``), so patient `k` is the same whatever the population size or the shard
/// count.
///
/// ```swift
/// var g = SplitMix64(seed: 42, stream: 7)     // patient 7's draws
/// let u = g.nextUnitInterval()                // in [0, 1)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The counter (advanced by ``gamma`` per output).
    public private(set) var state: UInt64

    /// The golden gamma, ⌊2⁶⁴/φ⌋ rounded to odd.
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A generator whose counter starts at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The generator of stream `stream` (e.g. a patient index) under `seed`: the counter starts at
    /// `mix(seed) xor mix(stream + 1 · gamma)`, so streams of one seed do not overlap in practice
    /// and stream `k` does not depend on how many streams are used.
    public init(seed: UInt64, stream: UInt64) {
        state = Self.mix(seed) ^ Self.mix((stream &+ 1) &* Self.gamma)
    }

    /// The bijective 64-bit finaliser (variant 13 of Stafford's MurmurHash3 mixers, as in SplitMix64).
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state = state &+ Self.gamma
        return Self.mix(state)
    }

    /// A uniform double in [0, 1) with 53 random bits (the top bits of ``next()``).
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
