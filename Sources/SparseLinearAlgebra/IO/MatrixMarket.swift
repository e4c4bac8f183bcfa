#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the NIST Matrix Market exchange format.
///
/// Supported (Boisvert, Pozo, Remington, "The Matrix Market Exchange Formats:
/// Initial Design", NISTIR 5935, 1996):
/// - `coordinate` matrices with field `real` or `integer` and symmetry
///   `general` (read as a ``CSRMatrix``) or `symmetric` (read as a
///   ``SymmetricMatrix``);
/// - `array` matrices with field `real` or `integer` and symmetry `general`
///   (dense right-hand sides, read as a ``DenseMatrix``).
///
/// Refused with a typed error, never guessed: `pattern` (no values: a solver
/// needs values), `complex`, `hermitian`, `skew-symmetric`.
///
/// Decisions where the format leaves room:
/// - A `symmetric` file stores the lower triangle (row ≥ column), as the
///   format specifies. An entry above the diagonal is **refused** (not mirrored):
///   a file holding both (i, j) and (j, i) would otherwise double the
///   off-diagonal silently.
/// - A coordinate position given twice is refused (naming the second line);
///   explicitly stored zeros are kept as part of the pattern.
/// - Blank lines and `%` comment lines are skipped anywhere after the banner.
/// - NaN and ±Inf are refused.
///
/// Every format error is ``LinearAlgebraError/matrixMarket(line:message:)`` with the
/// 1-based line of the offence; a truncated file names the line after its
/// last line. Line 0 means the file itself could not be opened, read or written.
/// Declared sizes (rows, columns, entries; rows × columns for an array) are
/// checked against ``InputLimits`` — a count limit and the memory they would
/// need — before anything is allocated, and refused with ``InputLimitError``.
///
/// Values are written in the shortest decimal form that reads back to the same
/// `Double` (at most 17 significant digits, the precision `%.17g` guarantees;
/// integral values as plain integers), so reading back what the writers wrote
/// gives the matrix bit for bit.
///
/// Reading speed: integers and short decimals are parsed by hand (Clinger's
/// exact fast path for ≤ 15-digit mantissas and |exponent| ≤ 22), longer ones by
/// `strtod`; an 8 M-entry general file (elasticity 100k) reads in about 1.3 s
/// in a release build on the 2-core machine of SOLVERS.md.
///
/// ```swift
/// let a = try ModelProblems.poissonQ1(nodesX: 10, nodesY: 10, nodesZ: 10)
/// try MatrixMarket.write(a, to: "/tmp/poisson.mtx")
/// guard case .symmetric(let b) = try MatrixMarket.read(path: "/tmp/poisson.mtx") else { return }
/// assert(a == b)
/// ```
public enum MatrixMarket {
    /// A sparse matrix read from a coordinate file.
    public enum SparseMatrix: Sendable, Equatable {
        /// A `general` file: all entries as CSR.
        case general(CSRMatrix)
        /// A `symmetric` file: the lower triangle.
        case symmetric(SymmetricMatrix)
    }

    // MARK: - Reading

    /// As ``read(path:limits:)`` with ``InputLimits/default``.
    public static func read(path: String) throws -> SparseMatrix {
        try read(path: path, limits: .default)
    }

    /// Reads a sparse `coordinate` matrix from the file at `path`.
    ///
    /// - Parameter limits: bounds on the declared sizes (see ``InputLimits``): the dimensions and
    ///   the entry count are checked against them, with the memory the matrix would need, before
    ///   anything is allocated.
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)``, or ``InputLimitError`` for a
    ///   declared size over the limits.
    public static func read(path: String, limits: InputLimits) throws -> SparseMatrix {
        try parseSparse(terminated: readFile(path, limits: limits), limits: limits)
    }

    /// As ``read(bytes:limits:)`` with ``InputLimits/default``.
    public static func read(bytes: [UInt8]) throws -> SparseMatrix {
        try read(bytes: bytes, limits: .default)
    }

    /// Reads a sparse `coordinate` matrix from the bytes of a file.
    ///
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)``, or ``InputLimitError``.
    public static func read(bytes: [UInt8], limits: InputLimits) throws -> SparseMatrix {
        var data = bytes
        data.append(0)
        return try parseSparse(terminated: data, limits: limits)
    }

    /// Parses file bytes followed by one 0 byte (a terminator, so that
    /// `strtod` never reads past the buffer).
    static func parseSparse(terminated data: [UInt8], limits: InputLimits = .default) throws -> SparseMatrix {
        try data.withUnsafeBufferPointer { buffer in
            var parser = Parser(buffer: UnsafeBufferPointer(rebasing: buffer[0..<(buffer.count - 1)]))
            parser.limits = limits
            let header = try parser.banner()
            guard header.format == .coordinate else {
                throw LinearAlgebraError.matrixMarket(line: 1, message: "expected format 'coordinate' for a sparse matrix, got 'array' (read dense files with readDense)")
            }
            return try parser.coordinate(header)
        }
    }

    /// As ``readDense(path:limits:)`` with ``InputLimits/default``.
    public static func readDense(path: String) throws -> DenseMatrix {
        try readDense(path: path, limits: .default)
    }

    /// Reads a dense `array` matrix (e.g. right-hand sides, one column each)
    /// from the file at `path`.
    ///
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)``, or ``InputLimitError``.
    public static func readDense(path: String, limits: InputLimits) throws -> DenseMatrix {
        try parseDense(terminated: readFile(path, limits: limits), limits: limits)
    }

    /// As ``readDense(bytes:limits:)`` with ``InputLimits/default``.
    public static func readDense(bytes: [UInt8]) throws -> DenseMatrix {
        try readDense(bytes: bytes, limits: .default)
    }

    /// Reads a dense `array` matrix from the bytes of a file.
    ///
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)``, or ``InputLimitError``.
    public static func readDense(bytes: [UInt8], limits: InputLimits) throws -> DenseMatrix {
        var data = bytes
        data.append(0)
        return try parseDense(terminated: data, limits: limits)
    }

    static func parseDense(terminated data: [UInt8], limits: InputLimits = .default) throws -> DenseMatrix {
        try data.withUnsafeBufferPointer { buffer in
            var parser = Parser(buffer: UnsafeBufferPointer(rebasing: buffer[0..<(buffer.count - 1)]))
            parser.limits = limits
            let header = try parser.banner()
            guard header.format == .array else {
                throw LinearAlgebraError.matrixMarket(line: 1, message: "expected format 'array' for a dense matrix, got 'coordinate'")
            }
            guard header.symmetry == .general else {
                throw LinearAlgebraError.matrixMarket(line: 1, message: "unsupported symmetry 'symmetric' for an array file: expected 'general'")
            }
            return try parser.array()
        }
    }

    // MARK: - Writing

    /// Writes the lower triangle of a symmetric matrix as a
    /// `coordinate real symmetric` file, column by column.
    ///
    /// - Parameter comment: optional text written as `%` lines after the banner.
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)`` with line 0
    ///   when the file cannot be written.
    public static func write(_ a: SymmetricMatrix, to path: String, comment: String? = nil) throws {
        try writeFile(path, encode(a, comment: comment))
    }

    /// Writes a general sparse matrix as a `coordinate real general` file, row by row.
    ///
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)`` with line 0
    ///   when the file cannot be written.
    public static func write(_ a: CSRMatrix, to path: String, comment: String? = nil) throws {
        try writeFile(path, encode(a, comment: comment))
    }

    /// Writes a dense matrix as an `array real general` file (column-major).
    ///
    /// - Throws: ``LinearAlgebraError/matrixMarket(line:message:)`` with line 0
    ///   when the file cannot be written.
    public static func write(_ a: DenseMatrix, to path: String, comment: String? = nil) throws {
        try writeFile(path, encode(a, comment: comment))
    }

    /// The bytes of a `coordinate real symmetric` file holding `a`'s lower triangle.
    public static func encode(_ a: SymmetricMatrix, comment: String? = nil) -> [UInt8] {
        var out = Writer()
        out.header("%%MatrixMarket matrix coordinate real symmetric", comment: comment)
        out.integer(a.dimension); out.byte(32); out.integer(a.dimension); out.byte(32); out.integer(a.storedCount); out.byte(10)
        out.bytes.reserveCapacity(out.bytes.count + a.storedCount * 32)
        for j in 0..<a.dimension {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                out.entry(Int(a.rowIndices[p]) + 1, j + 1, a.values[p])
            }
        }
        return out.bytes
    }

    /// The bytes of a `coordinate real general` file holding `a`.
    public static func encode(_ a: CSRMatrix, comment: String? = nil) -> [UInt8] {
        var out = Writer()
        out.header("%%MatrixMarket matrix coordinate real general", comment: comment)
        out.integer(a.rows); out.byte(32); out.integer(a.columns); out.byte(32); out.integer(a.nonzeroCount); out.byte(10)
        out.bytes.reserveCapacity(out.bytes.count + a.nonzeroCount * 32)
        for i in 0..<a.rows {
            for p in a.rowStarts[i]..<a.rowStarts[i + 1] {
                out.entry(i + 1, Int(a.columnIndices[p]) + 1, a.values[p])
            }
        }
        return out.bytes
    }

    /// The bytes of an `array real general` file holding `a` column by column.
    public static func encode(_ a: DenseMatrix, comment: String? = nil) -> [UInt8] {
        var out = Writer()
        out.header("%%MatrixMarket matrix array real general", comment: comment)
        out.integer(a.rows); out.byte(32); out.integer(a.columns); out.byte(10)
        for v in a.values { out.real(v); out.byte(10) }
        return out.bytes
    }

    // MARK: - Files

    /// The file's bytes followed by one 0 byte.
    static func readFile(_ path: String, limits: InputLimits) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw LinearAlgebraError.matrixMarket(line: 0, message: "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw LinearAlgebraError.matrixMarket(line: 0, message: "cannot stat '\(path)': \(String(cString: strerror(errno)))")
        }
        let size = Int(st.st_size)
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw LinearAlgebraError.matrixMarket(line: 0, message: "'\(path)' is not a regular file (a directory, device or FIFO)")
        }
        try limits.check(format: "Matrix Market", line: 0, field: "file size (bytes)", value: size, bytesPerItem: 1)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < size {
                let got = Glibc.read(fd, raw.baseAddress! + done, size - done)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw LinearAlgebraError.matrixMarket(line: 0, message: "cannot read '\(path)': \(String(cString: strerror(errno)))")
                }
                if got == 0 { break }
                done += got
            }
        }
        if done < size { bytes.removeLast(size - done) }   // the file shrank while read: keep what was read + terminator
        return bytes
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        guard let file = fopen(path, "wb") else {
            throw LinearAlgebraError.matrixMarket(line: 0, message: "cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            throw LinearAlgebraError.matrixMarket(line: 0, message: "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}

// MARK: - Writer

private struct Writer {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func header(_ banner: String, comment: String?) {
        bytes.append(contentsOf: banner.utf8); bytes.append(10)
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
                bytes.append(37); bytes.append(32); bytes.append(contentsOf: line.utf8); bytes.append(10)
            }
        }
    }

    mutating func integer(_ value: Int) {
        precondition(value >= 0)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[count] = UInt8(48 + v % 10); v /= 10; count += 1 } while v > 0
            for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    /// Shortest round-trip decimal form (Swift's `description` for `Double`).
    mutating func real(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            // Integral values: plain digits (e.g. "-4"), exact.
            if value < 0 || (value == 0 && value.sign == .minus) { bytes.append(45) }
            integer(Int(abs(value)))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    mutating func entry(_ i: Int, _ j: Int, _ v: Double) {
        integer(i); bytes.append(32); integer(j); bytes.append(32); real(v); bytes.append(10)
    }
}

// MARK: - Parser

private enum Format { case coordinate, array }
private enum Symmetry { case general, symmetric }
private struct Header { var format: Format; var symmetry: Symmetry }

/// 10^k for k in 0...22: every one exact in a `Double` (Clinger's fast path).
private let exactPowersOfTen: [Double] = (0...22).map { k in
    var p = 1.0
    for _ in 0..<k { p *= 10 }
    return p
}

private struct Parser {
    let buffer: UnsafeBufferPointer<UInt8>
    var position = 0
    /// 1-based number of the line `position` is on.
    var line = 1
    /// Bounds on declared sizes.
    var limits = InputLimits.default

    init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    func fail(_ message: String, line: Int? = nil) -> LinearAlgebraError {
        .matrixMarket(line: line ?? self.line, message: message)
    }

    // MARK: Lines and tokens

    /// Skips spaces, tabs and carriage returns on the current line.
    @inline(__always)
    mutating func skipBlanks() {
        while position < buffer.count {
            let c = buffer[position]
            if c == 32 || c == 9 || c == 13 { position += 1 } else { break }
        }
    }

    /// The next token on the current line, or nil at the end of the line.
    @inline(__always)
    mutating func token() -> Range<Int>? {
        skipBlanks()
        guard position < buffer.count, buffer[position] != 10 else { return nil }
        let start = position
        while position < buffer.count {
            let c = buffer[position]
            if c == 32 || c == 9 || c == 13 || c == 10 { break }
            position += 1
        }
        return start..<position
    }

    /// Moves past the end of the current line.
    @inline(__always)
    mutating func nextLine() {
        while position < buffer.count && buffer[position] != 10 { position += 1 }
        if position < buffer.count { position += 1; line += 1 }
    }

    var atEnd: Bool { position >= buffer.count }

    /// Skips blank lines and `%` comment lines; returns false at end of file.
    mutating func skipToContent() -> Bool {
        while position < buffer.count {
            let lineStart = position
            skipBlanks()
            if position >= buffer.count { return false }
            let c = buffer[position]
            if c == 10 || c == 37 { nextLine(); continue }
            position = lineStart
            return true
        }
        return false
    }

    func text(_ r: Range<Int>) -> String {
        let limit = min(r.count, 40)
        let s = String(decoding: UnsafeBufferPointer(rebasing: buffer[r.lowerBound..<(r.lowerBound + limit)]), as: UTF8.self)
        return r.count > limit ? s + "…" : s
    }

    // MARK: Numbers

    /// A non-negative decimal integer, or nil when the token is not one.
    @inline(__always)
    func integer(_ r: Range<Int>) -> Int? {
        var p = r.lowerBound
        if buffer[p] == 43 { p += 1 }   // '+'
        guard p < r.upperBound else { return nil }
        var v = 0
        while p < r.upperBound {
            let d = Int(buffer[p]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = s
            p += 1
        }
        return v
    }

    enum RealResult { case value(Double), notNumeric, nonFinite }

    /// A decimal floating-point number: `[+-]digits[.digits][(e|E)[+-]digits]`
    /// (also `.5`, `5.`). NaN/Inf spellings are recognised so they can be refused.
    @inline(__always)
    func real(_ r: Range<Int>) -> RealResult {
        var p = r.lowerBound
        let end = r.upperBound
        var negative = false
        if buffer[p] == 43 || buffer[p] == 45 { negative = buffer[p] == 45; p += 1 }
        var mantissa: UInt64 = 0
        var significant = 0       // significant digits accumulated into mantissa
        var digits = 0            // all mantissa digits seen
        var exponent = 0          // decimal exponent adjustment
        var dropped = false       // digits beyond 19 were dropped
        while p < end, buffer[p] &- 48 < 10 {
            let d = UInt64(buffer[p] &- 48)
            if significant < 19 {
                if mantissa != 0 || d != 0 { mantissa = mantissa * 10 + d; if mantissa != 0 { significant += 1 } }
            } else { exponent += 1; if d != 0 { dropped = true } }
            digits += 1; p += 1
        }
        if p < end, buffer[p] == 46 {   // '.'
            p += 1
            while p < end, buffer[p] &- 48 < 10 {
                let d = UInt64(buffer[p] &- 48)
                if significant < 19 {
                    if mantissa != 0 || d != 0 { mantissa = mantissa * 10 + d; if mantissa != 0 { significant += 1 } }
                    exponent -= 1
                } else if d != 0 { dropped = true }
                digits += 1; p += 1
            }
        }
        guard digits > 0 else { return Self.isNonFiniteSpelling(buffer, r) ? .nonFinite : .notNumeric }
        if p < end, buffer[p] == 101 || buffer[p] == 69 {   // 'e' / 'E'
            p += 1
            var expNegative = false
            if p < end, buffer[p] == 43 || buffer[p] == 45 { expNegative = buffer[p] == 45; p += 1 }
            var e = 0, expDigits = 0
            while p < end, buffer[p] &- 48 < 10 {
                if e < 100_000 { e = e * 10 + Int(buffer[p] &- 48) }
                expDigits += 1; p += 1
            }
            guard expDigits > 0 else { return .notNumeric }
            exponent += expNegative ? -e : e
        }
        guard p == end else { return .notNumeric }
        // Clinger's fast path: mantissa and 10^|e| both exact in a Double.
        if !dropped, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var v = Double(mantissa)
            v = exponent >= 0 ? v * exactPowersOfTen[exponent] : v / exactPowersOfTen[-exponent]
            return .value(negative ? -v : v)
        }
        // Correctly rounded slow path; the byte after the token is whitespace or the 0 terminator.
        let v = strtod(UnsafeRawPointer(buffer.baseAddress! + r.lowerBound).assumingMemoryBound(to: CChar.self), nil)
        return v.isFinite ? .value(v) : .nonFinite
    }

    static func isNonFiniteSpelling(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        var s = String(decoding: UnsafeBufferPointer(rebasing: buffer[r]), as: UTF8.self).lowercased()
        if s.hasPrefix("+") || s.hasPrefix("-") { s.removeFirst() }
        return s == "nan" || s == "inf" || s == "infinity" || s.hasPrefix("nan(")
    }

    mutating func realValue(_ r: Range<Int>, what: String) throws -> Double {
        switch real(r) {
        case .value(let v): return v
        case .notNumeric: throw fail("\(what) '\(text(r))' is not a number")
        case .nonFinite: throw fail("\(what) '\(text(r))' is not finite: NaN and Inf are refused")
        }
    }

    // MARK: Banner and size

    mutating func banner() throws -> Header {
        guard let first = token() else { throw fail("missing banner: expected '%%MatrixMarket matrix coordinate real general|symmetric'") }
        guard text(first) == "%%MatrixMarket" else {
            throw fail("bad banner: expected '%%MatrixMarket', got '\(text(first))'")
        }
        var words: [String] = []
        while let t = token() { words.append(text(t).lowercased()) }
        guard words.count == 4 else {
            throw fail("bad banner: expected 4 words after '%%MatrixMarket' (object format field symmetry), got \(words.count)")
        }
        guard words[0] == "matrix" else { throw fail("unsupported object '\(words[0])': expected 'matrix'") }
        let format: Format
        switch words[1] {
        case "coordinate": format = .coordinate
        case "array": format = .array
        default: throw fail("unsupported format '\(words[1])': expected 'coordinate' or 'array'")
        }
        switch words[2] {
        case "real", "integer": break
        case "pattern": throw fail("unsupported field 'pattern': a solver needs values; expected 'real' or 'integer'")
        default: throw fail("unsupported field '\(words[2])': expected 'real' or 'integer'")
        }
        let symmetry: Symmetry
        switch words[3] {
        case "general": symmetry = .general
        case "symmetric": symmetry = .symmetric
        default: throw fail("unsupported symmetry '\(words[3])': expected 'general' or 'symmetric'")
        }
        nextLine()
        return Header(format: format, symmetry: symmetry)
    }

    mutating func sizeLine(count: Int) throws -> [Int] {
        guard skipToContent() else { throw fail("missing size line: expected \(count == 3 ? "'rows columns entries'" : "'rows columns'"), found end of file") }
        var values: [Int] = []
        while let t = token() {
            guard let v = integer(t) else { throw fail("bad size line: '\(text(t))' is not a non-negative integer") }
            values.append(v)
        }
        guard values.count == count else {
            throw fail("bad size line: expected \(count) integers (\(count == 3 ? "rows columns entries" : "rows columns")), got \(values.count)")
        }
        guard values[0] <= Int(Int32.max), values[1] <= Int(Int32.max) else {
            throw fail("bad size line: dimensions \(values[0]) × \(values[1]) exceed \(Int32.max)")
        }
        return values
    }

    // MARK: Bodies

    mutating func coordinate(_ header: Header) throws -> MatrixMarket.SparseMatrix {
        let size = try sizeLine(count: 3)
        let sizeLineNumber = line
        let rows = size[0], columns = size[1], entries = size[2]
        let symmetric = header.symmetry == .symmetric
        if symmetric && rows != columns {
            throw fail("bad size line: a symmetric matrix must be square, got \(rows) × \(columns)")
        }
        // Declared sizes against the limits before any allocation: the major index array
        // (CSR row starts / CSC column starts, and the bucket cursor) takes 2 × 8 bytes per
        // row/column; each entry takes 28 bytes while read and compressed (two Int32 keys and a
        // Double while read, an Int32 index and a Double after).
        // Each entry line holds at least "i j v\n" (6 bytes, 5 on the last line), so
        // at most `fit` entries can be in the file: a larger announced count is a
        // truncated file, reported at its end, and never sizes an allocation.
        let majorCount = symmetric ? columns : rows
        let fit = min(entries, buffer.count / 6 + 1)
        try limits.check(format: "Matrix Market", line: line, field: "rows", value: rows, bytesPerItem: symmetric ? 0 : 16)
        try limits.check(format: "Matrix Market", line: line, field: "columns", value: columns, bytesPerItem: symmetric ? 16 : 0)
        try limits.check(format: "Matrix Market", line: line, field: "entries", value: fit, bytesPerItem: 28,
                         fixedBytes: (majorCount + 1) * 16)
        nextLine()
        // The "key" is the column for symmetric (lower CSC) and the row for general (CSR).
        var major = [Int32](repeating: 0, count: fit)
        var minor = [Int32](repeating: 0, count: fit)
        var values = [Double](repeating: 0, count: fit)
        try major.withUnsafeMutableBufferPointer { mj in
            try minor.withUnsafeMutableBufferPointer { mn in
                try values.withUnsafeMutableBufferPointer { vs in
                    for k in 0..<entries {
                        guard k < fit, skipToContent() else {
                            throw fail("truncated file: expected \(entries) entries (size line \(sizeLineNumber)), found \(k)")
                        }
                        guard let ti = token() else { throw fail("expected an entry 'row column value'") }
                        guard let tj = token(), let tv = token() else {
                            throw fail("expected 3 tokens 'row column value' for entry \(k + 1) of \(entries)")
                        }
                        if token() != nil { throw fail("expected 3 tokens 'row column value' for entry \(k + 1), got more") }
                        guard let i = integer(ti) else { throw fail("row index '\(text(ti))' is not a positive integer") }
                        guard let j = integer(tj) else { throw fail("column index '\(text(tj))' is not a positive integer") }
                        guard i >= 1 && i <= rows else { throw fail("row index \(i) is outside 1...\(rows)") }
                        guard j >= 1 && j <= columns else { throw fail("column index \(j) is outside 1...\(columns)") }
                        if symmetric && i < j {
                            throw fail("entry (\(i), \(j)) lies above the diagonal: a symmetric file stores the lower triangle (row ≥ column)")
                        }
                        let v = try realValue(tv, what: "value")
                        if symmetric { mj[k] = Int32(j - 1); mn[k] = Int32(i - 1) } else { mj[k] = Int32(i - 1); mn[k] = Int32(j - 1) }
                        vs[k] = v
                        nextLine()
                    }
                }
            }
        }
        if skipToContent() {
            throw fail("more entries than the \(entries) announced on the size line \(sizeLineNumber)")
        }
        let (starts, indices, sorted, duplicate) = Self.compress(majorCount: majorCount, major: major, minor: minor, values: values)
        if let (a, b) = duplicate {
            let (i, j) = symmetric ? (b, a) : (a, b)
            throw fail("entry (\(i + 1), \(j + 1)) is given a second time", line: secondLine(ofRow: i + 1, column: j + 1))
        }
        if symmetric {
            return .symmetric(SymmetricMatrix(uncheckedDimension: rows, columnStarts: starts, rowIndices: indices, values: sorted))
        } else {
            return .general(CSRMatrix(uncheckedRows: rows, columns: columns, rowStarts: starts, columnIndices: indices, values: sorted))
        }
    }

    /// Buckets entries by `major` (counting sort), sorts each bucket by `minor`;
    /// reports the first repeated (major, minor) pair.
    static func compress(majorCount: Int, major: [Int32], minor: [Int32], values: [Double])
        -> ([Int], [Int32], [Double], (Int, Int)?) {
        let count = values.count
        var starts = [Int](repeating: 0, count: majorCount + 1)
        var indices = [Int32](repeating: 0, count: count)
        var sorted = [Double](repeating: 0, count: count)
        var duplicate: (Int, Int)? = nil
        starts.withUnsafeMutableBufferPointer { st in
            for k in 0..<count { st[Int(major[k]) + 1] += 1 }
            for m in 0..<majorCount { st[m + 1] += st[m] }
            var next = Array(st[0..<majorCount])
            indices.withUnsafeMutableBufferPointer { ix in
                sorted.withUnsafeMutableBufferPointer { sv in
                    next.withUnsafeMutableBufferPointer { nx in
                        major.withUnsafeBufferPointer { mj in
                            minor.withUnsafeBufferPointer { mn in
                                values.withUnsafeBufferPointer { vs in
                                    for k in 0..<count {
                                        let m = Int(mj[k]); let q = nx[m]; nx[m] = q + 1
                                        ix[q] = mn[k]; sv[q] = vs[k]
                                    }
                                }
                            }
                        }
                    }
                    // Insertion sort within each bucket: files written column by
                    // column (ours, and most tools') are already sorted: O(nnz).
                    for m in 0..<majorCount {
                        let lo = st[m], hi = st[m + 1]
                        if hi - lo < 2 { continue }
                        for q in (lo + 1)..<hi {
                            let key = ix[q], val = sv[q]
                            var r = q - 1
                            while r >= lo && ix[r] > key { ix[r + 1] = ix[r]; sv[r + 1] = sv[r]; r -= 1 }
                            ix[r + 1] = key; sv[r + 1] = val
                        }
                        if duplicate == nil {
                            for q in (lo + 1)..<hi where ix[q] == ix[q - 1] { duplicate = (m, Int(ix[q])); break }
                        }
                    }
                }
            }
        }
        return (starts, indices, sorted, duplicate)
    }

    /// The line of the second occurrence of position (i, j) (1-based), found by
    /// rescanning the already validated entry lines (error path only).
    func secondLine(ofRow i: Int, column j: Int) -> Int {
        var scan = Parser(buffer: buffer)
        _ = try? scan.banner()
        _ = try? scan.sizeLine(count: 3)
        scan.nextLine()
        var seen = 0
        while scan.skipToContent() {
            if let ti = scan.token(), let tj = scan.token(), scan.integer(ti) == i, scan.integer(tj) == j {
                seen += 1
                if seen == 2 { return scan.line }
            }
            scan.nextLine()
        }
        return 0
    }

    mutating func array() throws -> DenseMatrix {
        let size = try sizeLine(count: 2)
        let sizeLineNumber = line
        let rows = size[0], columns = size[1]
        let (total, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else { throw fail("bad size line: \(rows) × \(columns) values overflow") }
        nextLine()
        // At least "v\n" per value: a larger count is a truncated file, reported at its end.
        let fit = min(total, buffer.count / 2 + 1)
        try limits.check(format: "Matrix Market", line: sizeLineNumber, field: "rows × columns", value: fit, bytesPerItem: 16)
        var values = [Double](repeating: 0, count: fit)
        for k in 0..<total {
            guard k < values.count, skipToContent() else {
                throw fail("truncated file: expected \(total) values (size line \(sizeLineNumber)), found \(k)")
            }
            let t = token()!
            values[k] = try realValue(t, what: "value")
            if token() != nil { throw fail("expected one value per line in an array file") }
            nextLine()
        }
        if skipToContent() {
            throw fail("more values than the \(total) announced on the size line \(sizeLineNumber)")
        }
        var result = DenseMatrix(rows: rows, columns: columns)
        result.values = values
        return result
    }
}
