import Foundation
import Testing

/// `spinetraction verify` refuses option combinations it would otherwise ignore.
@Suite("CLI verify refuses options it would ignore")
struct VerifyCLITests {
    /// `--mesh-convergence-region` without `--mesh-convergence` is a usage error (exit 64) naming
    /// both flags and the value given, before any problem runs (nothing on standard output).
    @Test(arguments: ["lumbar", "cervical", "both"])
    func meshConvergenceRegionNeedsMeshConvergence(_ region: String) throws {
        let r = try spinetraction(["verify", "--quick", "--mesh-convergence-region", region], timeout: 60)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--mesh-convergence-region \(region) is read only with --mesh-convergence"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
    }
}
