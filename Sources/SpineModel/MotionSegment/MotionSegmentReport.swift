import Foundation

extension MotionSegmentResults {
    /// A plain-text summary: distraction and disc height change, facet forces, and per ligament
    /// the peak strain (over every accepted step) with its margin to the damage threshold and to
    /// failure (force over failure force, or strain over failure strain when the data give one).
    ///
    /// Margins: `threshold − peak strain` (strain) when the law has a damage law; `1 − peak force /
    /// failure force` (fraction of the failure force left) when it has a failure force.
    public var report: String {
        var lines: [String] = []
        if let final = distraction.final, let peak = distraction.maximum {
            lines.append(String(format: "disc distraction (middle height change): final %.4f mm, largest %.4f mm (t = %.4g s)", final, peak, distraction.extremes?.maximumTime ?? .nan))
        }
        if let h = discHeightChange.values.last {
            lines.append(String(format: "disc height change at the end: anterior %.4f, middle %.4f, posterior %.4f mm", h[0], h[1], h[2]))
        }
        for f in facets {
            lines.append("facet \(f.name): " + String(format: "largest force %.3f N, smallest gap %.4f mm", f.force.maximum ?? .nan, f.gap.minimum ?? .nan))
        }
        lines.append("ligament   fibres  peak strain  peak force (N)  margin to damage threshold  margin to failure")
        for l in ligaments {
            let strain = l.strain.maximum ?? .nan, force = l.force.maximum ?? .nan
            let damage = l.damageThreshold.map { String(format: "%.4f (threshold %.3g)", $0 - strain, $0) } ?? "no threshold in the data"
            var failure = "no failure value in the data"
            if let f = l.failureForce {
                failure = String(format: "%.1f%% of %.0f N left", 100 * (1 - force / f), f)
            } else if let e = l.failureStrain {
                failure = String(format: "%.4f strain (failure %.3g)", e - strain, e)
            }
            lines.append(l.name.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: "  %6d  %11.5f  %14.3f  ", l.fibreCount, strain, force) + damage + "  " + failure)
        }
        return lines.joined(separator: "\n")
    }
}
