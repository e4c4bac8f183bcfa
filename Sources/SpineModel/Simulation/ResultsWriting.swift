import Foundation
import FiniteElements

extension SimulationResults {
    /// File formats ``write(to:formats:)`` writes.
    public enum Format: String, Sendable, CaseIterable {
        /// `results.json`: every series with its unit, the typed quantities under `standard`, the steps.
        case json
        /// `results.csv`: one row per output time, one column per component; units in the second row.
        case csv
        /// `plot-UNIT.svg`: one line plot per unit with every series of that unit against time.
        case svg
        /// `vtu/results-NNNN.vtu` per output time + `results.pvd` (ParaView): the ``fields``.
        case vtu
    }

    /// Writes these results into `directory` through the run-directory protocol: the files appear
    /// together, with a `run.json` manifest, only when all are written; an earlier complete run in
    /// the directory is replaced atomically, anything else there is refused.
    ///
    /// - Throws: ``RunDirectoryError`` for the directory, ``ModelError`` of kind `.file` for a write;
    ///   ``ModelError`` of kind `.invalidValue` when `.vtu` is asked of results without ``fields``.
    public func write(to directory: URL, formats: Set<Format> = [.json, .csv, .svg]) throws {
        let run = try RunDirectory.begin(at: directory, command: "SimulationResults.write", modelDigest: nil,
                                         libraryVersion: Simulation.libraryVersion)
        do {
            func save(_ text: String, _ name: String) throws {
                let url = try run.file(name)
                do { try text.write(to: url, atomically: false, encoding: .utf8) } catch {
                    throw ModelError(.file, at: url.path, "cannot write: \(error.localizedDescription)")
                }
            }
            if formats.contains(.json) {
                try save(json(nodeCount: nodeCount, cellCount: cellCount, unknowns: unknownCount).serialized() + "\n", "results.json")
            }
            if formats.contains(.csv) { try save(csv, "results.csv") }
            if formats.contains(.svg) {
                for (unit, plot) in plotsByUnit() { try save(plot.svg(), "plot-\(Self.fileStem(unit)).svg") }
            }
            if formats.contains(.vtu) {
                guard let fields else {
                    throw ModelError(.invalidValue, at: "formats", "these results carry no fields: run a model whose outputs.vtu is true to write VTU")
                }
                var pvd = PVDCollection(path: try run.file("results.pvd").path)
                for (k, frame) in fields.frames.enumerated() {
                    let name = String(format: "vtu/results-%04d.vtu", k)
                    let url = run.staging.appendingPathComponent(name)
                    do {
                        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                        try VTUWriter.write(mesh: fields.mesh, pointData: frame.pointData, cellData: frame.cellData, to: url.path)
                        try pvd.add(time: frame.time, file: name)
                    } catch { throw ModelError(.file, at: url.path, "cannot write: \(error)") }
                }
                do { try pvd.write() } catch { throw ModelError(.file, at: pvd.path, "cannot write: \(error)") }
            }
            _ = try run.commit()
        } catch {
            try? run.fail(reason: String(describing: error))
            throw error
        }
    }

    /// One plot per unit: every scalar series (and every component of the others) against time.
    public func plotsByUnit() -> [(unit: String, plot: SVGPlot)] {
        var byUnit: [String: [(String, [Double])]] = [:]
        let standard = [nucleusPressure, imbibedVolume, heightChange].compactMap { $0 } + imbibedBySurface.keys.sorted().map { imbibedBySurface[$0]! }
        for s in probes + surfaces + regions + solutes + standard {
            for (k, c) in s.components.enumerated() {
                byUnit[s.unit, default: []].append((s.components.count == 1 ? s.name : "\(s.name).\(c)", s.values.map { $0[k] }))
            }
        }
        return byUnit.keys.sorted().map { unit in
            var plot = SVGPlot(title: "Series in \(unit)", xLabel: "time (s)", yLabel: unit)
            for (name, ys) in byUnit[unit]! { plot.add(name: name, x: times, y: ys) }
            return (unit, plot)
        }
    }

    /// An ASCII file-name stem for a unit (`mm³` → `mm3`).
    static func fileStem(_ unit: String) -> String {
        unit.replacingOccurrences(of: "²", with: "2").replacingOccurrences(of: "³", with: "3").unicodeScalars
            .map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? String($0) : "_" }.joined()
    }
}
