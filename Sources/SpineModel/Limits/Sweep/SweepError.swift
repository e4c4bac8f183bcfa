import Foundation

/// Why a population file, a shard specification, a sweep or a merge was refused. Every case names
/// the field (a JSON path such as `bodyMassKg.uniform.min`, an option such as `--shard`, or a path)
/// and says what was expected.
public struct SweepError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where the problem is: a JSON path in the population file, a command-line option, a file or directory.
    public var field: String
    /// What was wrong and what was expected.
    public var message: String

    /// An error naming `field`.
    public init(field: String, message: String) { self.field = field; self.message = message }

    public var description: String { "\(field): \(message)" }
}
