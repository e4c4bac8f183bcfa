import Foundation

/// A minimal line-plot writer (SVG 1.1, no dependencies): one or more series
/// against a shared x axis, with axes, ticks, labels and a legend — e.g. the
/// nucleus pressure (MPa) against time (s).
///
/// ```swift
/// var plot = SVGPlot(title: "Nucleus pressure", xLabel: "time (s)", yLabel: "pressure (MPa)")
/// plot.add(name: "nucleus", x: times, y: pressures)
/// try plot.svg().write(toFile: "pressure.svg", atomically: true, encoding: .utf8)
/// ```
public struct SVGPlot: Sendable {
    /// One polyline.
    public struct Series: Sendable {
        /// Legend text.
        public var name: String
        /// Abscissae (unit of the x label).
        public var x: [Double]
        /// Ordinates (unit of the y label).
        public var y: [Double]
    }
    /// Title above the plot.
    public var title: String
    /// Axis labels (with units).
    public var xLabel: String, yLabel: String
    /// The series drawn.
    public private(set) var series: [Series] = []
    /// Canvas size (px).
    public var width = 720.0, height = 420.0

    /// An empty plot.
    public init(title: String, xLabel: String, yLabel: String) { self.title = title; self.xLabel = xLabel; self.yLabel = yLabel }

    /// Adds a series; non-finite points are skipped when drawing.
    public mutating func add(name: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "x and y must have the same length")
        series.append(Series(name: name, x: x, y: y))
    }

    /// "Nice" tick values covering `[lo, hi]` (about five).
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let span = hi - lo
        guard span > 0, span.isFinite else { return [lo] }
        let raw = span / 5, mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = ceil(lo / step) * step
        var out: [Double] = []
        while t <= hi + 1e-9 * step { out.append(abs(t) < 1e-12 * step ? 0 : t); t += step }
        return out
    }

    /// The SVG document.
    public func svg() -> String {
        let points = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite } }
        var x0 = points.map(\.0).min() ?? 0, x1 = points.map(\.0).max() ?? 1
        var y0 = points.map(\.1).min() ?? 0, y1 = points.map(\.1).max() ?? 1
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { let d = max(abs(y0), 1) * 0.1; y0 -= d; y1 += d }
        let pad = 0.05 * (y1 - y0); y0 -= pad; y1 += pad
        let left = 80.0, right = 20.0, top = 40.0, bottom = 60.0
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * ph }
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func label(_ v: Double) -> String { String(format: "%g", (v * 1e6).rounded() / 1e6) }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(esc(title))</text>\n"
        for t in Self.ticks(x0, x1) {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + ph))\" stroke=\"#e0e0e0\"/>\n"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + ph + 16))\" text-anchor=\"middle\">\(label(t))</text>\n"
        }
        for t in Self.ticks(y0, y1) {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(t)))\" stroke=\"#e0e0e0\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(label(t))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"black\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text transform=\"translate(18 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
        for (k, line) in series.enumerated() {
            let pts = zip(line.x, line.y).filter { $0.0.isFinite && $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }
            let colour = colours[k % colours.count]
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\" points=\"\(pts.joined(separator: " "))\"/>\n"
            let ly = top + 16 + 16 * Double(k)
            s += "<line x1=\"\(f(left + pw - 150))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + pw - 130))\" y2=\"\(f(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(f(left + pw - 125))\" y=\"\(f(ly))\">\(esc(line.name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
