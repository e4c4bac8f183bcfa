import Testing
import Foundation
@testable import Biomechanics

/// The biphasic verification problems on coarse meshes, each against its closed
/// form (errors printed; tolerances from issue 4).
@Suite("Biphasic verification")
struct BiphasicVerificationTests {
    func check(_ rows: [VerificationRow]) {
        for row in rows {
            print(row)
            #expect(row.passed, "\(row)")
        }
    }

    @Test func confinedRampRelaxMatchesMow1980() throws {
        check(try BiphasicVerification.confinedRampRelax(cells: 6, timeStep: 1))
    }

    @Test func confinedRampRelaxNeoHookeanMatchesFEBio() throws {
        check(try BiphasicVerification.confinedRampRelax(cells: 4, timeStep: 2, finiteStrain: true))
    }

    @Test func terzaghiCreepWithinOnePercent() throws {
        check(try BiphasicVerification.terzaghiCreep(cells: 10))
    }

    /// A solid-only layer (no pore fluid) under a Terzaghi column: Terzaghi's closed form with an
    /// impermeable base, plus the layer's confined settlement σ L/E (tolerances in the rows).
    @Test(arguments: [false, true]) func terzaghiCreepOnASolidBase(finiteStrain: Bool) throws {
        check(try BiphasicVerification.terzaghiCreepOnSolidBase(cells: 10, finiteStrain: finiteStrain))
    }

    @Test func semiPermeableCreepMatchesRobinSeries() throws {
        check(try BiphasicVerification.semiPermeableCreep(cells: 8))
    }

    @Test func mandelCryerOvershootWithoutOscillation() throws {
        check(try BiphasicVerification.mandel(cellsX: 8, cellsY: 2))
    }

    @Test func unconfinedCompressionMatchesArmstrong1984() throws {
        check(try BiphasicVerification.unconfinedCompression(around: 12, radial: 6))
    }

    @Test func donnanConfinedSwellingEquilibrium() throws {
        check(try BiphasicVerification.donnanSwelling(cells: 3))
    }
}
