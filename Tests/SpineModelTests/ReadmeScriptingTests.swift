import Testing
import Foundation
import SpineModel

/// The README's Scripting snippet, compiled and run as a user would: an external package that
/// depends on this one by path, the snippet as its `main.swift`. Its printed numbers must equal the
/// same models run in this process.
@Suite("README scripting snippet")
struct ReadmeScriptingTests {
    static let marker = "<!-- scripting snippet: compiled and run by Tests/SpineModelTests/ReadmeScriptingTests.swift -->"

    /// The snippet: the ```swift block after the marker.
    static func snippet() throws -> String {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let after = try #require(readme.range(of: marker), "README.md lost the scripting marker")
        let rest = readme[after.upperBound...]
        let open = try #require(rest.range(of: "```swift\n"))
        let close = try #require(rest[open.upperBound...].range(of: "\n```"))
        return String(rest[open.upperBound..<close.lowerBound]) + "\n"
    }

    /// Runs `executable` with `arguments` in `directory`, bounded by `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], in directory: URL, timeout: Double) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let output = Box()
        let reader = Thread { output.data = pipe.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 10)
            Issue.record("\(executable) \(arguments) did not finish in \(timeout) s")
        }
        while reader.isExecuting { Thread.sleep(forTimeInterval: 0.05) }
        return (process.terminationStatus, String(decoding: output.data, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(30)))
    func snippetBuildsAndRunsFromAnExternalPackage() async throws {
        let code = try Self.snippet()
        #expect(!code.contains("\"{\""), "the snippet must not contain JSON text")
        #expect(!code.contains("series(named:"), "standard quantities are properties, not string keys")
        // The package lives under .build-snippet (git-ignored) so that repeated runs build incrementally.
        let dir = packageRoot.appendingPathComponent(".build-snippet/ReadmeSnippet")
        let sources = dir.appendingPathComponent("Sources/ReadmeSnippet")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        let manifest = """
        // swift-tools-version: 6.1
        import PackageDescription
        let package = Package(
            name: "ReadmeSnippet",
            dependencies: [.package(path: "\(packageRoot.path)")],
            targets: [.executableTarget(name: "ReadmeSnippet",
                                        dependencies: [.product(name: "SpineTraction", package: "\(packageRoot.lastPathComponent)")])]
        )
        """
        try manifest.write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try code.write(to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        let build = try Self.run("/usr/bin/env", ["swift", "build", "--package-path", dir.path], in: dir, timeout: 1500)
        #expect(build.status == 0, "\(build.output.suffix(3000))")
        guard build.status == 0 else { return }
        let run = try Self.run(dir.appendingPathComponent(".build/debug/ReadmeSnippet").path, [], in: dir, timeout: 600)
        #expect(run.status == 0, "\(run.output.suffix(3000))")

        // The same models in this process (the snippet's lines, not its text).
        var healthy = try DefaultDiscModel.model(mesh: .coarse)
        try healthy.apply(.intermittent(cycles: 2, pull: .newtons(110), hold: 60, rest: 30, ramp: .logarithmic(duration: 10),
                                        preload: .init(force: .newtons(17), ramp: 10, duration: 60)))
        var degenerated = healthy
        degenerated.materials["np"]!.biphasic!.permeability.k0 *= 0.5
        for (name, model) in [("healthy", healthy), ("degenerated", degenerated)] {
            let r = try await Simulation(model: model).run()
            let line = try #require(run.output.split(separator: "\n").first { $0.hasPrefix("\(name) ") }, "no line for \(name) in:\n\(run.output)")
            let numbers = line.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: ";,"))) }
            #expect(numbers.count == 2, "\(line)")
            guard numbers.count == 2 else { continue }
            #expect(abs(numbers[0] - r.nucleusPressure!.minimum!) <= 1e-12 * max(abs(numbers[0]), 1e-3), "\(line)")
            #expect(abs(numbers[1] - r.imbibedVolume!.final!) <= 1e-12 * max(abs(numbers[1]), 1), "\(line)")
        }
    }
}
