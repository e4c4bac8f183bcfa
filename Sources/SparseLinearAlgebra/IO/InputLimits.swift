import Foundation

/// Resource bounds a file reader checks every size the file declares against, before it
/// allocates anything for it.
///
/// A declared size passes when it is at most ``maxCount`` and the memory it would need (the
/// reader's estimate, bytes) is at most ``memoryCapBytes``. The default cap is half the machine's
/// physical memory (`ProcessInfo.processInfo.physicalMemory`); pass a smaller cap to bound a
/// service, or a larger one to read a file that needs it.
public struct InputLimits: Sendable, Equatable {
    /// Largest count any declared size may have (entries, nodes, elements, dimension).
    public var maxCount: Int
    /// Largest memory a declared size may need, bytes.
    public var memoryCapBytes: Int

    /// Creates limits.
    public init(maxCount: Int = InputLimits.defaultMaxCount, memoryCapBytes: Int = InputLimits.defaultMemoryCapBytes) {
        self.maxCount = maxCount
        self.memoryCapBytes = memoryCapBytes
    }

    /// Default ``maxCount``: 2^31 − 1 (indices are stored as 32-bit integers).
    public static let defaultMaxCount = Int(Int32.max)
    /// Default ``memoryCapBytes``: half the physical memory.
    public static var defaultMemoryCapBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }
    /// The defaults.
    public static var `default`: InputLimits { InputLimits() }

    /// Refuses `value` of `field` (declared on `line` of a `format` file) when it exceeds
    /// ``maxCount`` or when `bytesPerItem` × `value` (+ `fixedBytes`) exceeds ``memoryCapBytes``.
    public func check(format: String, line: Int, field: String, value: Int, bytesPerItem: Int, fixedBytes: Int = 0) throws(InputLimitError) {
        let (product, overflow) = value.multipliedReportingOverflow(by: bytesPerItem)
        let estimate = overflow ? Int.max : product.addingReportingOverflow(fixedBytes).overflow ? Int.max : product + fixedBytes
        if value < 0 || value > maxCount || estimate > memoryCapBytes {
            throw InputLimitError(format: format, line: line, field: field, value: value, maxCount: maxCount,
                                  estimatedBytes: estimate, memoryCapBytes: memoryCapBytes)
        }
    }
}

/// A size declared by an input file exceeds its limit or the memory it would need exceeds the cap;
/// thrown before anything is allocated for it.
public struct InputLimitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file format, e.g. `"Gmsh"` or `"Matrix Market"`.
    public let format: String
    /// 1-based line of the declaration.
    public let line: Int
    /// The declared size, e.g. `"$Nodes numNodes"` or `"rows"`.
    public let field: String
    /// The declared value.
    public let value: Int
    /// The count limit (``InputLimits/maxCount``).
    public let maxCount: Int
    /// Memory the declared size would need, bytes (saturating at `Int.max`).
    public let estimatedBytes: Int
    /// The memory cap (``InputLimits/memoryCapBytes``), bytes.
    public let memoryCapBytes: Int

    /// One line naming the field, value, limit and estimate.
    public var description: String {
        "\(format) line \(line): \(field) = \(value) exceeds the input limits (count ≤ \(maxCount), memory ≤ \(memoryCapBytes) bytes); it would need about \(estimatedBytes) bytes. Pass larger InputLimits to read it."
    }
}
