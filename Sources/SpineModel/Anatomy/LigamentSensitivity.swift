import Foundation

/// One named variant of a ligament data set: the set itself, or the set with one ligament
/// type's stiffness scaled at every level.
public struct LigamentVariant: Sendable, Equatable {
    /// Name of the variant: the set's name, then the ligament and the change in per cent, e.g.
    /// `"remus2021"`, `"remus2021 LF -50%"`, `"remus2021 LF +50%"`.
    public var name: String
    /// Name of the data set it was made from.
    public var baseName: String
    /// The scaled ligament type; nil for the unmodified set.
    public var ligament: LigamentType?
    /// The stiffness factor applied to ``ligament`` (dimensionless; 1 for the unmodified set).
    public var factor: Double
    /// The variant's data set (its ``LigamentDataSet/name`` is ``name``).
    public var set: LigamentDataSet
}

extension LigamentDataSet {
    /// The set itself, then for every ligament type (in ``LigamentType/allCases`` order) and every
    /// factor (in the order given) the set with that type's stiffness, large-strain stiffness
    /// and damping multiplied by the factor at every level (``LigamentScaling``). The default
    /// `[0.5, 1.5]` gives the ±50 % variants: 1 + 7 × 2 = 15 sets.
    ///
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` for a factor that is not
    ///   finite and positive, or equal to 1 (it would duplicate the unmodified set).
    public func sensitivityVariants(factors: [Double] = [0.5, 1.5]) throws -> [LigamentVariant] {
        for (i, f) in factors.enumerated() {
            guard f.isFinite, f > 0, f != 1 else { throw AnatomyError.invalidValue(field: "sensitivity.factors[\(i)]", value: f, expected: "a finite factor > 0 other than 1") }
        }
        var out = [LigamentVariant(name: name, baseName: name, ligament: nil, factor: 1, set: self)]
        for type in LigamentType.allCases {
            for f in factors {
                let vname = "\(name) \(type) \(Self.percentLabel(f))"
                var s = try LigamentScaling(factors: [type: f]).apply(to: self)
                s.name = vname
                out.append(LigamentVariant(name: vname, baseName: name, ligament: type, factor: f, set: s))
            }
        }
        return out
    }

    /// "+50%", "-50%", "+12.5%" for the factors 1.5, 0.5, 1.125.
    static func percentLabel(_ factor: Double) -> String {
        let p = (factor - 1) * 100
        let r = p.rounded()
        let body = abs(p - r) < 1e-9 ? String(Int(r)) : String(p)
        return (p > 0 ? "+" : "") + body + "%"
    }
}

/// The traction results of one run that enter a sensitivity table.
public struct TractionSummary: Sendable, Equatable {
    /// Minimum nucleus pressure during the session (MPa).
    public var minimumNucleusPressure: Double
    /// Peak disc distraction at the disc centre (mm).
    public var peakDistraction: Double
    /// Peak strain per ligament type over all its bundles and the session (dimensionless).
    public var peakStrain: [LigamentType: Double]

    public init(minimumNucleusPressure: Double, peakDistraction: Double, peakStrain: [LigamentType: Double]) {
        self.minimumNucleusPressure = minimumNucleusPressure; self.peakDistraction = peakDistraction; self.peakStrain = peakStrain
    }
}

/// A table of results per data set or variant: one row per variant, one column per quantity,
/// written as CSV or Markdown.
///
/// ``standard(ligaments:)`` has the columns of the ligament sensitivity study: range of motion
/// per direction (degrees), minimum nucleus pressure (MPa), peak distraction (mm) and peak strain
/// per ligament (dimensionless). A missing value (a run that did not compute it) is nil and
/// is written as an empty CSV field and "—" in Markdown; a value that is not finite is refused.
///
/// ```swift
/// var table = SensitivityTable.standard()
/// for v in try LigamentDataSet.remus2021.sensitivityVariants() {
///     try table.append(v.name, rangeOfMotion: rom(v.set), traction: run(v.set))
/// }
/// print(table.markdown())
/// ```
public struct SensitivityTable: Sendable, Equatable {
    /// A column: a quantity and its unit.
    public struct Column: Sendable, Equatable, Hashable {
        /// The quantity, e.g. "flexion ROM".
        public var name: String
        /// Its unit, e.g. "deg", "MPa", "mm", "-" for dimensionless.
        public var unit: String
        public init(name: String, unit: String) { self.name = name; self.unit = unit }
        /// "name (unit)".
        public var header: String { "\(name) (\(unit))" }
    }

    /// A row: the variant's name and one value per column (nil where missing).
    public struct Row: Sendable, Equatable {
        /// The variant's name.
        public var name: String
        /// Values in column order, in the columns' units.
        public var values: [Double?]
    }

    /// The columns, in order.
    public private(set) var columns: [Column]
    /// The rows, in the order appended.
    public private(set) var rows: [Row] = []

    /// An empty table with these columns.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` for no column, or
    ///   ``AnatomyError/missingEntry(field:)`` naming a repeated column.
    public init(columns: [Column]) throws {
        guard !columns.isEmpty else { throw AnatomyError.invalidValue(field: "sensitivity.columns", value: 0, expected: "at least 1 column") }
        var seen = Set<String>()
        for c in columns where !seen.insert(c.header).inserted {
            throw AnatomyError.invalidValue(field: "sensitivity.columns[\(c.header)]", value: 2, expected: "each column once")
        }
        self.columns = columns
    }

    /// The column of the range of motion in `direction` (degrees).
    public static func romColumn(_ direction: MotionDirection) -> Column {
        Column(name: "\(direction) ROM", unit: "deg")
    }
    /// The column of the minimum nucleus pressure (MPa).
    public static let pressureColumn = Column(name: "min nucleus pressure", unit: "MPa")
    /// The column of the peak distraction (mm).
    public static let distractionColumn = Column(name: "peak distraction", unit: "mm")
    /// The column of the peak strain of `type` (dimensionless).
    public static func strainColumn(_ type: LigamentType) -> Column { Column(name: "peak strain \(type)", unit: "-") }

    /// The table of the ligament sensitivity study: ROM per direction, minimum nucleus pressure,
    /// peak distraction, peak strain per type of `ligaments`.
    public static func standard(ligaments: [LigamentType] = LigamentType.allCases) -> SensitivityTable {
        // The columns are distinct by construction (ligament types made unique, order kept).
        var seen = Set<LigamentType>()
        let types = ligaments.filter { seen.insert($0).inserted }
        let cols = MotionDirection.allCases.map(romColumn) + [pressureColumn, distractionColumn] + types.map(strainColumn)
        return SensitivityTable(distinctColumns: cols)
    }

    private init(distinctColumns: [Column]) { columns = distinctColumns }

    /// Appends a row of values in column order.
    /// - Throws: ``AnatomyError/invalidValue(field:value:expected:)`` for a wrong number of values
    ///   or a value that is not finite (naming the row and column).
    public mutating func append(_ name: String, values: [Double?]) throws {
        guard values.count == columns.count else {
            throw AnatomyError.invalidValue(field: "sensitivity.rows[\(name)].count", value: Double(values.count), expected: "\(columns.count) values, one per column")
        }
        for (c, v) in zip(columns, values) {
            if let v, !v.isFinite { throw AnatomyError.invalidValue(field: "sensitivity.rows[\(name)].\(c.header)", value: v, expected: "a finite number") }
        }
        rows.append(Row(name: name, values: values))
    }

    /// Appends a row from a run's range of motion (degrees) and traction results, placing each in
    /// its ``standard(ligaments:)`` column; columns without a value stay empty.
    /// - Throws: ``AnatomyError/missingEntry(field:)`` for a value whose column the table lacks;
    ///   ``AnatomyError/invalidValue(field:value:expected:)`` for a value that is not finite.
    public mutating func append(_ name: String, rangeOfMotion: [MotionDirection: Double], traction: TractionSummary?) throws {
        var byHeader: [String: Double] = [:]
        for (d, v) in rangeOfMotion { byHeader[Self.romColumn(d).header] = v }
        if let traction {
            byHeader[Self.pressureColumn.header] = traction.minimumNucleusPressure
            byHeader[Self.distractionColumn.header] = traction.peakDistraction
            for (t, v) in traction.peakStrain { byHeader[Self.strainColumn(t).header] = v }
        }
        let headers = Set(columns.map(\.header))
        for h in byHeader.keys.sorted() where !headers.contains(h) { throw AnatomyError.missingEntry(field: "sensitivity.columns[\(h)]") }
        try append(name, values: columns.map { byHeader[$0.header] })
    }

    /// The table as CSV (RFC 4180): a header line `variant,<name> (<unit>),…`, then one line per
    /// row; numbers in Swift's shortest round-trip form, missing values empty; fields with a
    /// comma, quote or line break are quoted.
    public func csv() -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [(["variant"] + columns.map(\.header)).map(field).joined(separator: ",")]
        for r in rows {
            lines.append(([field(r.name)] + r.values.map { $0.map { "\($0)" } ?? "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table as a Markdown pipe table, numbers with `significantDigits` significant digits
    /// (`%g`), missing values "—"; a "|" in a name is escaped.
    public func markdown(significantDigits: Int = 4) -> String {
        let digits = max(1, significantDigits)
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| variant | " + columns.map { esc($0.header) }.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---:|", count: columns.count)]
        for r in rows {
            let cells = r.values.map { $0.map { String(format: "%.\(digits)g", $0) } ?? "—" }
            lines.append("| " + esc(r.name) + " | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SensitivityTable {
    /// Runs `run` on the set of every variant, in order, and tabulates the results in a
    /// ``standard(ligaments:)`` table, one row per variant named by ``LigamentVariant/name``.
    ///
    /// ```swift
    /// let table = try SensitivityTable.study(LigamentDataSet.remus2021.sensitivityVariants()) { set in
    ///     (rangeOfMotion: try rom(set), traction: try session(set))
    /// }
    /// try table.csv().write(to: url, atomically: true, encoding: .utf8)
    /// ```
    /// - Throws: the first error of `run`, or an ``AnatomyError`` for a result that does not fit
    ///   the table (a value that is not finite, a ligament without a column).
    public static func study(_ variants: [LigamentVariant], ligaments: [LigamentType] = LigamentType.allCases,
                             run: (LigamentDataSet) throws -> (rangeOfMotion: [MotionDirection: Double], traction: TractionSummary?)) throws -> SensitivityTable {
        var table = standard(ligaments: ligaments)
        for v in variants {
            let r = try run(v.set)
            try table.append(v.name, rangeOfMotion: r.rangeOfMotion, traction: r.traction)
        }
        return table
    }
}
