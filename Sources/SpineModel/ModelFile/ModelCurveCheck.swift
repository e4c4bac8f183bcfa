import Foundation
import FiniteElements

extension LoadCurve {
    /// The closure of the times (s) where the curve is not zero, as `(from, to)` with −∞/+∞ where
    /// the constant extrapolation before the first or after the last point is not zero; nil for a
    /// curve that is zero everywhere.
    var support: (from: Double, to: Double)? {
        guard let first = values.firstIndex(where: { $0 != 0 }), let last = values.lastIndex(where: { $0 != 0 }) else { return nil }
        let from = first == 0 ? -Double.infinity : times[first - 1]
        let to = last == values.count - 1 ? Double.infinity : times[last + 1]
        return (from, to)
    }
}

extension Model {
    /// Refuses a load curve that is zero throughout the steps while not zero elsewhere: every load
    /// or prescribed value following it would silently never act (a curve written for a later or
    /// earlier time window, or in ms). A curve that is zero everywhere is an explicit zero and passes.
    /// - Throws: ``ModelError`` (`.invalidValue`) at the curve, naming the steps' time span, the
    ///   curve's nonzero span and the conditions that follow it.
    func checkCurvesAct() throws {
        let end = steps.reduce(0) { $0 + $1.duration }
        guard end > 0 else { return }
        for name in curves.keys.sorted() {
            guard let support = curves[name]!.support, support.to <= 0 || support.from >= end else { continue }
            let users = boundary.indices.filter { boundary[$0].curve == name }.map { rootPath.key("boundary").index($0).description }
            let who = users.isEmpty ? "no condition uses it" : "so \(users.joined(separator: ", ")) never act\(users.count == 1 ? "s" : "")"
            func t(_ x: Double) -> String { x.isInfinite ? (x < 0 ? "−∞" : "∞") : PlausibilityWarning.format(x) }
            throw ModelError(.invalidValue, at: rootPath.key("curves").entry(name).description,
                             "the curve is 0 throughout the steps (0 … \(t(end)) s) and not zero only in \(t(support.from)) … \(t(support.to)) s, \(who): expected a curve with nonzero values within 0 … \(t(end)) s (shift its times into the steps, lengthen the steps, or remove it)")
        }
    }
}
