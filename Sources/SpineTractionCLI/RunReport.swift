import Foundation
import SpineTraction

/// The report `spinetraction run` prints: driven by what the model records.
struct RunReport {
    let model: Model
    let simulation: Simulation
    let results: SimulationResults
    let wall: Double
    let directory: URL

    func print() {
        if let r = results.freeSwelling { Swift.print(Self.describe(r)) }
        if let pressure = results.nucleusPressure {
            var header = "t (s)".padding(toLength: 9, withPad: " ", startingAt: 0) + "  nucleus pressure (MPa)"
            let volumes = results.imbibedBySurface.keys.sorted()
            if results.imbibedVolume != nil { header += "  imbibed (mm³)" }
            for v in volumes { header += "  via \(v) (mm³)" }
            Swift.print(header)
            for (i, t) in results.times.enumerated() {
                var line = String(format: "%-9.4g  %22.6f", t, pressure.scalars[i])
                if let total = results.imbibedVolume { line += String(format: "  %13.4f", total.scalars[i]) }
                for v in volumes { line += String(format: "  %*.4f", max(v.count + 10, 12), results.imbibedBySurface[v]!.scalars[i]) }
                Swift.print(line)
            }
        }
        let standardNames = Set(["nucleusPressure"])
        for s in results.probes + results.surfaces + results.regions + results.solutes where s.components == ["value"] && !standardNames.contains(s.name) {
            if let last = s.values.last { Swift.print("  \(s.name) (\(s.quantity)) at t = \(results.times.last ?? 0) s: \(last[0]) \(s.unit)") }
        }
        if let n = results.nutrients { Self.printNutrients(n) }
        if let segment = results.motionSegment { Swift.print(segment.report) }
        let swelling = results.freeSwelling
        let steps = results.steps.count + (swelling?.steps ?? 0)
        let iterations = results.steps.reduce(0) { $0 + $1.iterations } + (swelling?.iterations ?? 0)
        Swift.print(String(format: "%@ model: %d steps, %d Newton iterations%@, %d cells, %d unknowns, wall %.2f s (%.3f s per iteration)",
                           simulation.kind.rawValue, steps, iterations, swelling == nil ? "" : " (free swelling included)",
                           simulation.mesh.cellCount, simulation.unknownCount, wall, wall / Double(max(iterations, 1))))
        if let stats = results.statistics {
            Swift.print(String(format: "linear solver (analyse + factor + solve): %.2f s = %.0f%% of the wall time; numeric factorization %.2f s = %.0f%% (%d factorizations, %.1f ms each); assembly %.2f s = %.0f%% (%d evaluations)",
                               stats.linearSolverSeconds, 100 * stats.linearSolverSeconds / max(wall, 1e-9),
                               stats.factorSeconds, 100 * stats.factorSeconds / max(wall, 1e-9), stats.factorizations,
                               1e3 * stats.factorSeconds / Double(max(stats.factorizations, 1)),
                               stats.evaluationSeconds, 100 * stats.evaluationSeconds / max(wall, 1e-9), stats.evaluations))
        }
        Swift.print("wrote \(directory.path)/results.json" + (model.transport != nil && !model.isTransportOnly ? " and transport.json" : ""))
        if let pressure = results.nucleusPressure, !pressure.values.isEmpty {
            Swift.print(Self.comparison(times: results.times, pressure: pressure, lyingTime: Self.lyingTime(model)))
        }
    }

    /// The disc-nutrition summary: concentrations at the start, the end and their extremes, the
    /// glucose budget per traction cycle and the run's glucose balance.
    static func printNutrients(_ n: NutrientReport) {
        func row(_ name: String, _ s: NutrientReport.Snapshot) {
            Swift.print(name.padding(toLength: 24, withPad: " ", startingAt: 0)
                        + String(format: "min O₂ %6.3f kPa  min glucose %6.3f mM  max lactate %6.3f mM  viable %6.4f",
                                 s.minOxygen, s.minGlucose, s.maxLactate, s.viableFraction))
        }
        row("start (t = 0)", n.start)
        row("end", n.final)
        row("extremes over the run", n.extremes)
        if !n.cycles.isEmpty {
            Swift.print("glucose per traction cycle (mmol): imbibed, consumed, content change")
            for c in n.cycles {
                Swift.print(String(format: "  [%5.0f, %5.0f] s  %.6e  %.6e  %+.6e", c.window.lowerBound, c.window.upperBound,
                                   c.glucoseImbibed, c.glucoseConsumed, c.contentChange))
            }
        }
        Swift.print(String(format: "glucose balance error %.2e (relative to throughput; inflow through %@)", n.glucoseBalanceError,
                           n.inflowSurfaces.joined(separator: ", ")))
    }

    /// One line on a free-swelling report.
    static func describe(_ r: FreeSwellingReport) -> String {
        String(format: "free swelling to equilibrium: %d steps, %d Newton iterations, pseudo-time %.4g s; volume change %.4g mm³, fluid imbibed %.4g mm³ (mismatch %.2g), equilibrium residual max|p − p_bath|/Δπ_ref = %.2g (Δπ_ref = %.4g MPa), last step ΔV %.2g mm³",
               r.steps, r.iterations, r.duration, r.volumeChange, r.imbibed, abs(r.imbibed - r.volumeChange) / max(abs(r.volumeChange), 1e-300),
               r.residual, r.referenceOsmoticPressure, r.lastStepVolumeChange)
    }

    /// The end of the model's first loading step (s): when the lying preload is in place
    /// (the default disc's `preload` step), nil when the model has a single loading step.
    static func lyingTime(_ model: Model) -> Double? {
        let loading = model.steps.filter { $0.freeSwelling == nil }
        guard loading.count > 1 else { return nil }
        return loading[0].duration
    }

    /// Minimum nucleus pressure (over every accepted step) vs Ramos & Martin 1994 (below −100 mmHg
    /// ≈ −0.013 MPa at the highest table tensions) and the lying pressure vs Wilke et al. 1999
    /// (lying prone 0.10 MPa).
    static func comparison(times: [Double], pressure: TimeSeries, lyingTime: Double?) -> String {
        let values = pressure.scalars
        let minimum = pressure.extremes.map { ($0.minimum, $0.minimumTime) }
            ?? values.enumerated().min { $0.element < $1.element }.map { ($0.element, times[$0.offset]) }!
        var line = String(format: "comparison: minimum nucleus pressure %.4f MPa (t = %g s) vs Ramos & Martin 1994 −0.013 MPa (below −100 mmHg)",
                          minimum.0, minimum.1)
        if let t = lyingTime, let i = times.firstIndex(where: { abs($0 - t) <= 1e-9 * max(t, 1) }) {
            line += String(format: "; lying pressure %.4f MPa (t = %g s, end of preload) vs Wilke et al. 1999 0.10 MPa (lying prone)", values[i], t)
        }
        return line
    }
}
