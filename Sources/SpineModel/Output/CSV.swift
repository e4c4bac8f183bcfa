/// One CSV cell: text is quoted and formula-escaped, numbers are written as numbers.
public enum CSVField: Sendable, Equatable {
    /// Text from anywhere (names, labels, user input): quoted per RFC 4180 when needed and
    /// formula-escaped (see ``CSV``).
    case text(String)
    /// A number, written in Swift's shortest round-trip form (`0.1`, `1e-05`, `-3.5`, `nan`, `inf`); never escaped.
    case number(Double)
    /// A whole number, written in decimal; never escaped.
    case integer(Int)
}

/// Why a CSV table was refused.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Column `index` has an empty name.
    case emptyColumnName(index: Int)
    /// Column `index`'s name contains a control or invisible character (Unicode scalar value).
    case controlCharacterInColumnName(index: Int, name: String, scalar: UInt32)
    /// Row `row` (0-based, header not counted) has `count` fields; the table has `expected` columns.
    case wrongFieldCount(row: Int, count: Int, expected: Int)

    public var description: String {
        switch self {
        case let .emptyColumnName(i): return "columns[\(i)]: expected a non-empty column name"
        case let .controlCharacterInColumnName(i, n, u):
            return "columns[\(i)]: expected a column name without control or invisible characters, got \(OutputName.quoted(n)) (contains U+\(String(u, radix: 16, uppercase: true)))"
        case let .wrongFieldCount(r, n, e): return "row \(r): expected \(e) fields (one per column), got \(n)"
        }
    }
}

/// CSV text that spreadsheets read as data, never as formulas.
///
/// **Quoting (RFC 4180).** A text field containing a comma, a double quote, CR or LF is enclosed in
/// double quotes, with each double quote doubled. Records end with CRLF (RFC 4180 §2).
///
/// **Formula escaping (OWASP, "CSV Injection").** A text field whose first character is `=`, `+`,
/// `-`, `@`, tab (0x09) or carriage return (0x0D) gets a leading apostrophe `'` and is enclosed in
/// double quotes, so a spreadsheet shows it as text instead of evaluating it. Numbers
/// (``CSVField/number(_:)``, ``CSVField/integer(_:)``) are never escaped, so `-0.02` stays a number.
///
/// ```swift
/// var csv = try CSVTable(columns: ["time (s)", "label"])
/// try csv.append([.number(0.5), .text("a,b\n=cmd()")])
/// try csv.append([.number(-1.5), .text("=cmd()")])
/// csv.text   // "time (s),label\r\n0.5,\"a,b\n=cmd()\"\r\n-1.5,\"'=cmd()\"\r\n"
/// ```
public enum CSV {
    /// First characters that make a spreadsheet evaluate a cell (OWASP CSV Injection).
    public static let formulaTriggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// The text of one field.
    public static func encode(_ field: CSVField) -> String {
        switch field {
        case let .text(s): return escapeText(s)
        case let .number(x): return x.description
        case let .integer(n): return String(n)
        }
    }

    /// A text field formula-escaped and quoted as described on the type.
    public static func escapeText(_ s: String) -> String {
        var body = s
        var quote = false
        // The first Unicode scalar decides ("\r\n" is one Character in Swift, so look at scalars).
        if let first = s.unicodeScalars.first, formulaTriggers.contains(Character(first)) {
            body = "'" + s
            quote = true
        }
        if !quote {
            quote = s.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        }
        guard quote else { return body }
        return "\"" + body.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields joined with commas, ended with CRLF.
    public static func record(_ fields: [CSVField]) -> String {
        fields.map(encode).joined(separator: ",") + "\r\n"
    }
}

/// A CSV table built row by row: a header of column names, then records of ``CSVField``s
/// (see ``CSV`` for the quoting and escaping rules).
public struct CSVTable: Sendable, Equatable {
    /// Column names, in order.
    public let columns: [String]
    /// The text so far (header and records, CRLF line ends).
    public private(set) var text: String
    /// Records appended so far (header not counted).
    public private(set) var rowCount = 0

    /// A table with these column names: each non-empty and free of control and invisible characters
    /// (commas, quotes and leading `=` are quoted and escaped like any text).
    /// - Throws: ``CSVError``.
    public init(columns: [String]) throws(CSVError) {
        for (i, c) in columns.enumerated() {
            guard !c.isEmpty else { throw .emptyColumnName(index: i) }
            for u in c.unicodeScalars {
                switch u.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator:
                    throw .controlCharacterInColumnName(index: i, name: c, scalar: u.value)
                default: break
                }
            }
        }
        self.columns = columns
        text = CSV.record(columns.map { .text($0) })
    }

    /// Appends one record of exactly `columns.count` fields.
    /// - Throws: ``CSVError/wrongFieldCount(row:count:expected:)``.
    public mutating func append(_ fields: [CSVField]) throws(CSVError) {
        guard fields.count == columns.count else { throw .wrongFieldCount(row: rowCount, count: fields.count, expected: columns.count) }
        text += CSV.record(fields)
        rowCount += 1
    }
}
