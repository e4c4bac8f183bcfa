import Foundation
import Testing
import SparseLinearAlgebra
@testable import FiniteElements

/// The Gmsh reader checks every declared count before allocating (against the lines left and
/// against ``InputLimits``), reads CRLF files, and refuses bad counts with typed errors.
@Suite("Gmsh import: resource bounds and bad input")
struct GmshLimitsTests {
    static let good = try! String(contentsOfFile: GmshTests.path("box_hex8.msh"), encoding: .utf8)

    /// The good file with the line after `header` replaced by `replacement`.
    static func replacingLine(after header: String, with replacement: String, offset: Int = 1) -> String {
        var lines = good.components(separatedBy: "\n")
        let k = lines.firstIndex(of: header)!
        lines[k + offset] = replacement
        return lines.joined(separator: "\n")
    }

    static func gmshError(_ text: String, limits: InputLimits = .default) -> (line: Int, message: String)? {
        do { _ = try GmshReader.parse(text, limits: limits) } catch let MeshError.gmsh(line, message) { return (line, message) } catch { return nil }
        return nil
    }

    static func limitError(_ text: String, limits: InputLimits = .default) -> InputLimitError? {
        do { _ = try GmshReader.parse(text, limits: limits) } catch let e as InputLimitError { return e } catch { return nil }
        return nil
    }

    /// CRLF line ends read to the same mesh as LF (reference: the LF file, 27 nodes, 8 hexes, volume 2 mm³).
    @Test func crlfReadsLikeLF() throws {
        let lf = try GmshReader.parse(Self.good)
        let crlf = try GmshReader.parse(Self.good.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(crlf.nodeCount == 27 && crlf.cellCount == 8 && crlf.nodeCount == lf.nodeCount)
        #expect(crlf.surfaces["top"]?.count == 4)
        #expect(abs(try crlf.volume(region: "block") - 2) < 1e-12)
    }

    /// `$Nodes` claiming 1e12 nodes: refused before allocation, naming the field, value, limit and estimate.
    @Test func nodesClaimingATrillion() throws {
        let text = Self.replacingLine(after: "$Nodes", with: "1 1000000000000 1 1000000000000")
        let e = try #require(Self.limitError(text))
        #expect(e.field == "$Nodes numNodes" && e.value == 1_000_000_000_000 && e.maxCount == Int(Int32.max))
        #expect(e.estimatedBytes == 1_000_000_000_000 * GmshReader.bytesPerNode)
        #expect(e.description.contains("1000000000000") && e.description.contains("Gmsh"))
    }

    /// `$Elements` claiming 1e12 elements: refused the same way.
    @Test func elementsClaimingATrillion() throws {
        let text = Self.replacingLine(after: "$Elements", with: "1 1000000000000 1 1000000000000")
        let e = try #require(Self.limitError(text))
        #expect(e.field == "$Elements numElements" && e.value == 1_000_000_000_000)
    }

    /// A memory cap below the estimate refuses even a small file: 27 nodes × 104 B = 2808 B > 1000 B.
    @Test func memoryCapOverridable() throws {
        let e = try #require(Self.limitError(Self.good, limits: InputLimits(memoryCapBytes: 1000)))
        #expect(e.field == "$Nodes numNodes" && e.value == 27 && e.estimatedBytes == 2808 && e.memoryCapBytes == 1000)
        #expect(throws: Never.self) { try GmshReader.parse(Self.good, limits: InputLimits(memoryCapBytes: 1 << 20)) }
    }

    /// Counts larger than the lines left, negative counts and inconsistent block sizes are
    /// refused with the line and what is wrong.
    @Test(arguments: [
        ("$Nodes", "1 1000000 1 1000000", 1, "$Nodes numNodes = 1000000 but only"),
        ("$PhysicalNames", "-5", 1, "$PhysicalNames count = -5 is negative"),
        ("$PhysicalNames", "900000", 1, "$PhysicalNames count = 900000 but only"),
        ("$Entities", "8 12 6 1000000000000", 1, "$Entities count of dimension 3 = 1000000000000 but only"),
        ("$Entities", "-1 12 6 1", 1, "$Entities count of dimension 0 = -1 is negative"),
        ("$Elements", "900000 8 1 8", 1, "$Elements numEntityBlocks = 900000 but only"),
        ("$Elements", "1 900000 1 900000", 1, "$Elements numElements = 900000 but only"),
    ] as [(String, String, Int, String)])
    func declaredCountsChecked(header: String, line: String, offset: Int, expected: String) throws {
        let e = try #require(Self.gmshError(Self.replacingLine(after: header, with: line, offset: offset)))
        #expect(e.message.contains(expected), "\(e)")
    }

    /// A node block holding more nodes than the `$Nodes` header declares.
    @Test func nodeBlocksExceedDeclaredTotal() throws {
        var lines = Self.good.components(separatedBy: "\n")
        let k = lines.firstIndex(of: "$Nodes")!
        let header = lines[k + 1].split(separator: " ")
        lines[k + 1] = "\(header[0]) 1 \(header[2]) \(header[3])"
        let e = try #require(Self.gmshError(lines.joined(separator: "\n")))
        #expect(e.message.contains("node blocks hold more than the 1 nodes"))
    }

    /// An element block of entity dimension 7 is refused (it would index a missing table).
    @Test func elementDimensionOutOfRange() throws {
        var lines = Self.good.components(separatedBy: "\n")
        let k = lines.firstIndex(of: "$Elements")!
        var t = lines[k + 2].split(separator: " ").map(String.init)
        t[0] = "7"
        lines[k + 2] = t.joined(separator: " ")
        let e = try #require(Self.gmshError(lines.joined(separator: "\n")))
        #expect(e.line == k + 3 && e.message.contains("entity dimension 7"))
    }

    /// A negative or oversized number of physical tags on an entity line is refused (no trap).
    @Test(arguments: ["-2", "99999999999"])
    func entityPhysicalTagCount(count: String) throws {
        var lines = Self.good.components(separatedBy: "\n")
        let k = lines.firstIndex(of: "$Entities")!
        var t = lines[k + 2].split(separator: " ").map(String.init)   // first point: tag x y z np ...
        t[4] = count
        lines[k + 2] = t.joined(separator: " ")
        let e = try #require(Self.gmshError(lines.joined(separator: "\n")))
        #expect(e.line == k + 3 && e.message.contains("number of physical tags = \(count)"))
    }

    /// A directory or a missing path is an I/O error saying what it is.
    @Test func notARegularFile() {
        #expect(throws: MeshError.io(path: "/tmp", message: "not a regular file (a directory, device or FIFO); expected a .msh file")) {
            try GmshReader.read(path: "/tmp")
        }
        #expect(throws: MeshError.io(path: "/nonexistent/x.msh", message: "no such file, or it cannot be accessed")) {
            try GmshReader.read(path: "/nonexistent/x.msh")
        }
    }

    /// Every committed fuzz regression input (`Fuzz/regressions-gmsh/*.bin`) is refused with a
    /// typed error naming a line (MeshError) or a declared size (InputLimitError); none traps.
    @Test func fuzzRegressionInputs() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz/regressions-gmsh").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
        #expect(files.count >= 6)
        for f in files {
            let text = String(decoding: try Data(contentsOf: dir.appendingPathComponent(f)), as: UTF8.self)
            do { _ = try GmshReader.parse(text); Issue.record("\(f) parsed") } catch let e as MeshError {
                guard case .gmsh(let line, _) = e else { Issue.record("\(f): \(e)"); continue }
                #expect(line > 0, "\(f)")
            } catch let e as InputLimitError {
                #expect(e.value > e.maxCount || e.estimatedBytes > e.memoryCapBytes, "\(f)")
            }
        }
    }
}
