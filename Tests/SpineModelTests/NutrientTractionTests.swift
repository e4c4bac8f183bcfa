import Foundation
import Testing
import Biomechanics
import FiniteElements
@testable import SpineModel

/// O₂/glucose/lactate transport staggered with the biphasic default disc under traction.
@Suite("Nutrients under intermittent traction")
struct NutrientTractionTests {
    /// The default disc with a coarse mesh and one shortened traction cycle, so the debug test stays fast
    /// (``NutrientTractionSimulation/coarseVerificationModel()``, shared with `spinetraction verify`).
    static func coarseDisc() throws -> Model { try NutrientTractionSimulation.coarseVerificationModel() }

    /// Independent reference: the glucose conservation law. Over the coupled run the content
    /// change must equal Σ Δt·(surface inflow − consumption) (1e-8 relative to the throughput),
    /// and per cycle the imbibed moles (surface integral) must equal content change + consumed.
    @Test("Coupled run: glucose balance exact to 1e-8; imbibed per cycle = content change + consumption")
    func glucoseConservation() throws {
        let sim = try NutrientTractionSimulation(model: Self.coarseDisc(), cycles: [20...70])
        let r = try sim.run()
        print("coupled nutrient run (coarse): steps \(r.steps), balance error \(r.glucoseBalanceError), steady min glucose \(r.steady.minGlucose) mM, cycle \(r.cycles[0]); wall \(r.wallTime) s, transport \(r.transportTime) s, mechanics \(r.mechanicsTime) s")
        #expect(r.steps > 10)
        #expect(r.glucoseBalanceError < 1e-8)
        let c = r.cycles[0]
        let scale = abs(c.glucoseImbibed) + abs(c.glucoseConsumed)
        #expect(scale > 0)
        let error = abs(c.glucoseImbibed - c.glucoseConsumed - c.contentChange) / scale
        print("cycle 1: imbibed \(c.glucoseImbibed) mmol, consumed \(c.glucoseConsumed) mmol, content change \(c.contentChange) mmol, relative mismatch \(error)")
        #expect(error < 1e-8)
        // Concentrations stay within physical bounds: glucose between 0 and the blood value, O₂ below blood.
        #expect(r.extremes.minGlucose >= 0 && r.extremes.minGlucose <= sim.nutrition.bloodGlucose)
        #expect(r.extremes.minOxygen <= sim.nutrition.bloodOxygen)
    }
}
