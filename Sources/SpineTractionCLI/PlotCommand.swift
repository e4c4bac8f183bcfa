import ArgumentParser
import Foundation
import SpineTraction
import SpineModel

/// `spinetraction plot RESULTS.json [--out DIR]`: SVG line plots of every series of a results
/// file against time, one plot per unit (all pressures in MPa together, all volumes in mm³, …).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot a results.json: one SVG per unit (MPa, mm, mm³, N, …) with every series of that unit against time."
    )

    @Argument(help: "A results.json written by `spinetraction run`.")
    var results: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let source = URL(fileURLWithPath: results)
        let directory = try output.directory(default: source.deletingLastPathComponent().path)
        do {
            let data: Data
            var info = stat()
            guard stat(results, &info) == 0 else { throw ValidationError("cannot read \(results): \(String(cString: strerror(errno)))") }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw ValidationError("cannot read \(results): not a regular file (a directory, device or FIFO); give a results.json written by spinetraction run")
            }
            do { data = try Data(contentsOf: source) } catch { throw ValidationError("cannot read \(results): \(error.localizedDescription)") }
            let document: JSONValue
            do { document = try JSONValue.parse(data) } catch { throw ValidationError("\(results): \(error)") }
            let written = try Self.plot(document, into: directory, file: results)
            if !output.quiet { for f in written { print("wrote \(f)") } }
        } catch let e as ValidationError {
            throw e
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Writes the plots; returns the paths written.
    /// - Throws: a message naming the key when the document is not a results file.
    static func plot(_ doc: JSONValue, into directory: URL, file: String) throws -> [String] {
        guard case let .object(members) = doc, let timesValue = members.first(where: { $0.key == "times" })?.value,
              case let .array(timeItems) = timesValue else {
            throw ValidationError("\(file): expected a results document with a \"times\" array (written by spinetraction run)")
        }
        let times = timeItems.compactMap { if case let .number(x) = $0 { return x }; return nil }
        var byUnit: [String: [(String, [Double])]] = [:]
        for group in ["probes", "surfaces", "regions", "standard"] {
            guard case let .object(series)? = members.first(where: { $0.key == group })?.value else { continue }
            for (name, entry) in series {
                guard case let .object(fields) = entry, case let .string(unit)? = fields.first(where: { $0.key == "unit" })?.value else { continue }
                for (key, value) in fields {
                    guard case let .array(items) = value, items.count == times.count else { continue }
                    if key == "values", items.allSatisfy({ if case .number = $0 { return true }; return false }) {
                        byUnit[unit, default: []].append((name, items.map { if case let .number(x) = $0 { return x }; return .nan }))
                    } else if key == "values" {
                        for (c, label) in ["x", "y", "z"].enumerated() {
                            let ys = items.map { item -> Double in if case let .array(v) = item, v.count == 3, case let .number(x) = v[c] { return x }; return .nan }
                            byUnit[unit, default: []].append(("\(name).\(label)", ys))
                        }
                    } else if ["average", "min", "max"].contains(key) {
                        byUnit[unit, default: []].append(("\(name).\(key)", items.map { if case let .number(x) = $0 { return x }; return .nan }))
                    }
                }
            }
        }
        guard !byUnit.isEmpty else { throw ValidationError("\(file): no series to plot") }
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ValidationError("cannot create \(directory.path): \(error.localizedDescription)")
        }
        var written: [String] = []
        for unit in byUnit.keys.sorted() {
            var plot = SVGPlot(title: "Series in \(unit)", xLabel: "time (s)", yLabel: unit)
            for (name, ys) in byUnit[unit]! { plot.add(name: name, x: times, y: ys) }
            let stem = unit.replacingOccurrences(of: "²", with: "2").replacingOccurrences(of: "³", with: "3").unicodeScalars
                .map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? String($0) : "_" }.joined()
            let path = directory.appendingPathComponent("plot-\(stem).svg").path
            do { try plot.svg().write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw ValidationError("cannot write \(path): \(error.localizedDescription)")
            }
            written.append(path)
        }
        return written
    }
}
