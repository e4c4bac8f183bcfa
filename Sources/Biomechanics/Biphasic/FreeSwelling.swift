import FiniteElements
import SparseLinearAlgebra

/// What a free-swelling run did (``BiphasicProblem/swellFreely(state:tolerance:maxDuration:options:newton:observer:)``).
public struct FreeSwellingReport: Sendable, Equatable {
    /// Pseudo-time the swelling took (s): the tissue's real time to equilibrium under the
    /// model's permeability, not part of the model's loading clock.
    public var duration: Double
    /// Accepted backward-Euler steps, their Newton iterations, and the failed attempts (cuts).
    public var steps: Int, iterations: Int, retries: Int
    /// Change of the mixture volume `∫ J dV₀` (mm³) over the whole body during the swelling.
    public var volumeChange: Double
    /// Fluid volume that entered through the drained and exchange surfaces (mm³).
    public var imbibed: Double
    /// Volume change of the last step (mm³) — how far from steady the run stopped.
    public var lastStepVolumeChange: Double
    /// Equilibrium residual `max |p − p_bath| / Δπ_ref` (dimensionless) at the end.
    public var residual: Double
    /// The bath pressure `p_bath` (MPa) and the reference Donnan pressure `Δπ_ref` (MPa, the
    /// largest `Δπ(J = 1)` over the materials) that scales the residual.
    public var bathPressure: Double, referenceOsmoticPressure: Double

    /// A report (e.g. read back from a restart file); units as the properties'.
    public init(duration: Double, steps: Int, iterations: Int, retries: Int, volumeChange: Double, imbibed: Double,
                lastStepVolumeChange: Double, residual: Double, bathPressure: Double, referenceOsmoticPressure: Double) {
        self.duration = duration; self.steps = steps; self.iterations = iterations; self.retries = retries
        self.volumeChange = volumeChange; self.imbibed = imbibed; self.lastStepVolumeChange = lastStepVolumeChange
        self.residual = residual; self.bathPressure = bathPressure; self.referenceOsmoticPressure = referenceOsmoticPressure
    }
}

extension BiphasicProblem {
    /// The bath pressure (MPa) every drained and exchange surface sees at t = 0, and the
    /// largest reference Donnan pressure `Δπ(J = 1)` (MPa) of the materials.
    /// - Throws: ``BiphasicError/freeSwellingImpossible(reason:)`` without any drained or
    ///   exchange surface, with unequal bath pressures (then equilibrium is a steady flow,
    ///   not free swelling), or without a charged material.
    public func freeSwellingBath() throws -> (pressure: Double, osmotic: Double) {
        var values = drained.map { $0.value(at: 0) }
        values += exchanges.map { $0.pressure * $0.curve.value(at: 0) }
        guard let first = values.first else {
            throw BiphasicError.freeSwellingImpossible(reason: "no drained (fluidPressure) or fluidExchange surface: no fluid can enter")
        }
        guard let other = values.first(where: { abs($0 - first) > 1e-12 * max(1, abs(first)) }) else {
            let osmotic = cellMaterials.map { m in m.law.osmosis.map { $0.pressure(J: 1, solidVolumeFraction: m.law.solidVolumeFraction).value } ?? 0 }.max() ?? 0
            guard osmotic > 0 else {
                throw BiphasicError.freeSwellingImpossible(reason: "no material has a fixed charge (osmotic block): nothing drives swelling")
            }
            return (first, osmotic)
        }
        throw BiphasicError.freeSwellingImpossible(reason: "the bath pressure must be the same on every drained and exchange surface at t = 0; got \(first) and \(other) MPa")
    }

    /// Equilibrium residual `max_nodes |p − p_bath| / Δπ_ref` (dimensionless) of state `x`:
    /// at drained (free-swelling) equilibrium no fluid flows, so the fluid pressure equals the
    /// bath pressure everywhere and the Donnan pressure is carried by the solid alone.
    public func swellingResidual(state x: [Double], bath: Double, osmotic: Double) -> Double {
        let v = dofValues(unknowns: x, time: 0)
        var worst = 0.0
        for node in 0..<mesh.nodeCount { if let d = pressureDof(node: node) { worst = max(worst, abs(v[d] - bath)) } }
        return worst / osmotic
    }

    /// Free swelling from `state` to Donnan equilibrium: ``freeSwelling`` on (no external
    /// load, boundary values frozen at t = 0), adaptive backward Euler in pseudo-time from 0
    /// until ``swellingResidual(state:bath:osmotic:)`` ≤ `tolerance` after an accepted step.
    /// Backward Euler is L-stable, so large steps approach the steady state safely; the
    /// transient itself is not the point. The fluid imbibed is summed from the drained-dof
    /// reactions and the exchange outflow of every step (independent of the volume change:
    /// their agreement is the mass balance).
    /// - Parameters:
    ///   - tolerance: relative equilibrium tolerance in (0, 1).
    ///   - maxDuration: pseudo-time cap (s).
    ///   - options: step control (first, smallest, largest step in s).
    ///   - newton: the solver (its reference norm is restored afterwards).
    ///   - observer: called after every accepted pseudo-time increment (pseudo-time s, Newton
    ///     iterations); an error it throws stops the swelling and is rethrown.
    /// - Throws: ``BiphasicError/freeSwellingImpossible(reason:)``,
    ///   ``BiphasicError/freeSwellingNotConverged(maxDuration:residual:tolerance:)``, the stepper's errors.
    public func swellFreely(state: inout [Double], tolerance: Double, maxDuration: Double,
                            options: TimeStepperOptions, newton: NewtonSolver,
                            observer: ((_ pseudoTime: Double, _ iterations: Int) throws -> Void)? = nil) throws -> FreeSwellingReport {
        guard tolerance.isFinite, tolerance > 0, tolerance < 1 else {
            throw BiphasicError.invalidParameter(name: "freeSwelling.tolerance", value: tolerance, expected: "a relative tolerance in (0, 1)")
        }
        try requirePositive("freeSwelling.maxDuration", maxDuration, unit: "s")
        let (bath, osmotic) = try freeSwellingBath()
        freeSwelling = true
        let savedReference = newton.options.referenceNorm
        defer { freeSwelling = false; newton.options.referenceNorm = savedReference }
        let stepper = AdaptiveTimeStepper(options: options, newton: newton)
        let start = try fluidVolumeChange(state: state, time: 0)
        var report = FreeSwellingReport(duration: 0, steps: 0, iterations: 0, retries: 0, volumeChange: 0, imbibed: 0,
                                        lastStepVolumeChange: 0, residual: swellingResidual(state: state, bath: bath, osmotic: osmotic),
                                        bathPressure: bath, referenceOsmoticPressure: osmotic)
        struct Reached: Error {}
        var previous = state, previousTime = 0.0
        do {
            try stepper.run(self, from: 0, to: maxDuration, state: &state) { accepted, x in
                let dt = accepted.time - previousTime
                let fluxes = try self.stepFluxes(state: x, previous: previous, time: accepted.time, timeStep: dt, reactionSets: [])
                let volume = try self.fluidVolumeChange(state: x, time: accepted.time) - start
                report.imbibed -= fluxes.outflow
                report.lastStepVolumeChange = volume - report.volumeChange
                report.volumeChange = volume
                report.duration = accepted.time
                report.steps += 1; report.iterations += accepted.iterations; report.retries += accepted.retries
                report.residual = self.swellingResidual(state: x, bath: bath, osmotic: osmotic)
                previous = x; previousTime = accepted.time
                if report.residual <= tolerance { throw Reached() }
                try observer?(accepted.time, accepted.iterations)
            }
        } catch is Reached { return report }
        throw BiphasicError.freeSwellingNotConverged(maxDuration: maxDuration, residual: report.residual, tolerance: tolerance)
    }
}
