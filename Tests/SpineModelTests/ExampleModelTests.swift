import Testing
import Foundation
@testable import SpineModel
import Biomechanics

/// The package root (this file is Tests/SpineModelTests/ExampleModelTests.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs an example through `Simulation` into a temporary directory and reads
/// `results.json` back with Foundation's JSONSerialization (an independent reader).
func runExample(_ name: String) throws -> [String: Any] {
    let model = try Model.load(path: packageRoot.appendingPathComponent("Examples/models/\(name).json").path)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spinetraction-\(name)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    try Simulation(model: model).runSynchronously(outputDirectory: dir)
    let data = try Data(contentsOf: dir.appendingPathComponent("results.json"))
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results.csv").path))
    return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func series(_ doc: [String: Any], _ group: String, _ name: String, _ key: String = "values") throws -> [Any] {
    let g = try #require(doc[group] as? [String: Any])
    let s = try #require(g[name] as? [String: Any])
    return try #require(s[key] as? [Any])
}

func number(_ v: Any) throws -> Double { try #require((v as? NSNumber)?.doubleValue) }
func vector(_ v: Any) throws -> [Double] { try #require(v as? [Any]).map(number) }

@Suite("Example model files")
struct ExampleModelTests {
    @Test func compressionBoxMatchesUniaxialStress() throws {
        // E = 100 MPa, ν = 0.3, ε_zz = −0.01 on a 10 mm cube: σ_zz = −1 MPa, F_z = −100 N, u_x(10) = +0.03 mm.
        let doc = try runExample("compression-box")
        #expect(try vector(doc["times"]!) == [0, 0.5, 1])
        let ux = try series(doc, "probes", "cornerUx").map(number)
        let szz = try series(doc, "probes", "centreSzz").map(number)
        #expect(abs(ux[2] - 0.03) < 1e-12 && abs(ux[1] - 0.015) < 1e-12)
        #expect(abs(szz[2] + 1) < 1e-12)
        for name in ["topReaction", "topTraction"] {
            let f = try vector(try series(doc, "surfaces", name)[2])
            #expect(abs(f[2] + 100) < 1e-9 && abs(f[0]) < 1e-9 && abs(f[1]) < 1e-9)
        }
        let average = try series(doc, "regions", "stressZ", "average").map(number)
        #expect(abs(average[2] + 1) < 1e-12)
        // Small-strain volume: V₀(1 + tr ε) = 1000 (1 − 0.01 + 2·0.003) mm³.
        #expect(abs(try number(try series(doc, "regions", "volume")[2]) - 996) < 1e-9)
    }

    @Test func lameCylinderWithinHalfPercent() throws {
        let (a, b, p, e, nu) = (5.0, 10.0, 1.0, 100.0, 0.3)
        let A = p * a * a / (b * b - a * a), B = A * b * b
        func ur(_ r: Double) -> Double { (1 + nu) / e * ((1 - 2 * nu) * A * r + B / r) }
        let doc = try runExample("lame-cylinder")
        let inner = try number(try series(doc, "probes", "innerUx")[0]), outer = try number(try series(doc, "probes", "outerUx")[0])
        let hoop = try number(try series(doc, "probes", "hoopAt7.8")[0]), radial = try number(try series(doc, "probes", "radialAt7.8")[0])
        let errors = [abs(inner - ur(a)) / ur(a), abs(outer - ur(b)) / ur(b), abs(hoop - (A + B / (7.8125 * 7.8125))) / (A + B / (7.8125 * 7.8125)),
                      abs(radial - (A - B / (7.8125 * 7.8125))) / p]
        print("Lamé example: relative errors u_r(a), u_r(b), σθθ(7.8125) and |Δσrr(7.8125)|/p = \(errors)")
        // Acceptance: radial displacement and hoop stress within 0.5 %; the (smaller) radial stress within 0.5 % of p.
        #expect(errors.allSatisfy { $0 < 0.005 })
        // Inner area of the quarter tube: π/2 · a · h; force across θ = 0: ∫σθθ dr · h = p a h.
        #expect(abs(try number(try series(doc, "surfaces", "innerArea")[0]) - Double.pi / 2 * a) / (Double.pi / 2 * a) < 1e-4)
        let fy = try vector(try series(doc, "surfaces", "startReaction")[0])[1]
        #expect(abs(abs(fy) - p * a) / (p * a) < 0.005)
    }

    @Test func neoHookeanStretchMatchesClosedForm() throws {
        let m = try NeoHookean(youngsModulus: 2, poissonRatio: 0.3)
        let doc = try runExample("neohookean-stretch")
        for (k, l1) in [(0, 1.25), (1, 1.5)] {
            var l2 = 1.0
            for _ in 0..<50 { let g = m.mu * (l2 * l2 - 1) + m.lambda * log(l1 * l2 * l2); l2 -= g / (2 * m.mu * l2 + 2 * m.lambda / l2) }
            let j = l1 * l2 * l2
            let sxx = (m.mu * (l1 * l1 - 1) + m.lambda * log(j)) / j
            let force = j * sxx / l1
            let got = try number(try series(doc, "probes", "sxx")[k])
            #expect(abs(got - sxx) / sxx < 1e-8)
            #expect(abs(try number(try series(doc, "probes", "lateral")[k]) - (l2 - 1)) < 1e-10)
            #expect(abs(try number(try series(doc, "probes", "J")[k]) - j) < 1e-10)
            #expect(abs(try vector(try series(doc, "surfaces", "pull")[k])[0] - force) / force < 1e-8)
            #expect(abs(try vector(try series(doc, "surfaces", "pullTraction")[k])[0] - force) / force < 1e-8)
            #expect(abs(try number(try series(doc, "regions", "volume")[k]) - j) < 1e-10)
        }
    }

    @Test func rigidEndplateCarriesTheTractionForce() throws {
        let doc = try runExample("rigid-endplate")
        // Equilibrium: the fixed bottom carries the whole 300 N at the end of the ramp and during the hold.
        for k in 0..<2 {
            let f = try vector(try series(doc, "surfaces", "bottomReaction")[k])
            #expect(abs(f[2] + 300) < 1e-8 && abs(f[0]) < 1e-8 && abs(f[1]) < 1e-8)
            // The rigid top transmits the applied force.
            let top = try vector(try series(doc, "surfaces", "topReaction")[k])
            #expect(abs(top[2] - 300) < 1e-8)
            // Rigid endplate: every top node has the same displacement.
            let centre = try number(try series(doc, "probes", "topCentreUz")[k]), rim = try number(try series(doc, "probes", "topRimUz")[k])
            #expect(centre > 0 && abs(centre - rim) < 1e-12 * centre)
        }
        // The hold (t = 10 → 20) does not change a linear elastic state.
        let uz = try series(doc, "probes", "topCentreUz").map(number)
        #expect(abs(uz[0] - uz[1]) < 1e-12 * uz[0])
    }

    @Test func tiltingEndplateBalancesAnAngledPull() throws {
        // 300 N pull at an angle (flexion) on a rigid endplate free to tilt.
        let doc = try runExample("tilted-endplate")
        let f = try vector(try series(doc, "surfaces", "bottomReaction")[0])
        #expect(abs(f[0]) < 1e-8 && abs(f[1] + 50) < 1e-8 && abs(f[2] + 300) < 1e-8)
        // Rigid affine motion: the centre moves as the mean of two rim points symmetric about it; the plate tilts.
        let c = try number(try series(doc, "probes", "centreUz")[0])
        let a = try number(try series(doc, "probes", "frontUz")[0]), b = try number(try series(doc, "probes", "backUz")[0])
        #expect(abs(c - (a + b) / 2) < 1e-12)
        #expect(abs(a - b) > 1e-3 * abs(c))
    }

    @Test func commandLineRunWritesResults() throws {
        // The executable next to the test bundle (same build configuration), else the debug build.
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("spinetraction")
        let exe = FileManager.default.isExecutableFile(atPath: besideTests.path) ? besideTests : packageRoot.appendingPathComponent(".build/debug/spinetraction")
        try #require(FileManager.default.isExecutableFile(atPath: exe.path), "build the CLI first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spinetraction-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = exe
        process.arguments = ["run", packageRoot.appendingPathComponent("Examples/models/compression-box.json").path, "--out", dir.path, "--quiet"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results.json"))) as? [String: Any])
        #expect(abs(try number(try series(doc, "probes", "centreSzz")[2]) + 1) < 1e-12)
        let csv = try String(contentsOf: dir.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5)  // header, units, 3 times
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results.pvd").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("vtu/state_0002.vtu").path))
        // A bad model exits non-zero.
        let bad = Process()
        bad.executableURL = exe
        bad.arguments = ["run", "/nonexistent/model.json", "--out", dir.path, "--quiet"]
        bad.standardError = FileHandle.nullDevice
        try bad.run()
        bad.waitUntilExit()
        #expect(bad.terminationStatus != 0)
    }
}

@Suite("Gmsh-meshed example")
struct GmshExampleTests {
    @Test func gmshBlockIsExact() throws {
        // u = (0.01 x, 0, 0) is exact (ν = 0, linear field in tet10): σ_xx = 1 MPa, F = 1 N.
        let doc = try runExample("gmsh-block")
        #expect(abs(try number(try series(doc, "probes", "sxx")[0]) - 1) < 1e-10)
        #expect(abs(try number(try series(doc, "probes", "ux")[0]) - 0.013) < 1e-12)
        let f = try vector(try series(doc, "surfaces", "rightReaction")[0])
        #expect(abs(f[0] - 1) < 1e-10 && abs(f[1]) < 1e-10 && abs(f[2]) < 1e-10)
    }
}
