import Foundation
import FiniteElements

/// Writes `text` to `url`, a file error as ``ModelError`` of kind `.file` naming the path.
func writeText(_ text: String, to url: URL) throws {
    do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
        throw ModelError(.file, at: url.path, "cannot write: \(error.localizedDescription)")
    }
}

/// The files every engine writes at the end of a run: `results.json` (`document`), `results.csv`
/// and, when `vtuFiles` is given (time s, file relative to `dir`), the `results.pvd` collection.
func writeResultFiles(document: JSONValue, results: SimulationResults, vtuFiles: [(Double, String)]?, into dir: URL) throws {
    try writeText(document.serialized() + "\n", to: dir.appendingPathComponent("results.json"))
    try writeText(results.csv, to: dir.appendingPathComponent("results.csv"))
    guard let vtuFiles else { return }
    var pvd = PVDCollection(path: dir.appendingPathComponent("results.pvd").path)
    do {
        for (t, file) in vtuFiles { try pvd.add(time: t, file: file) }
        try pvd.write()
    } catch { throw ModelError(.file, at: pvd.path, String(describing: error)) }
}
