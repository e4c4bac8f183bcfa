import Biomechanics

/// Why a run stopped before the end of its steps although its input was valid (bad input is a
/// ``ModelError``; a cancelled run throws ``SimulationCancelled``).
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The time step collapsed: the adaptive stepper could not get past a time (s) — it failed
    /// ``FiniteElements/TimeStepperOptions/maxCutsWithoutProgress`` attempts in a row without
    /// progress (``FiniteElements/TimeStepperError/stepCollapsed(time:step:target:cuts:reason:)``),
    /// or, for a compacted solid, failed at the step's `dtMin`
    /// (``FiniteElements/TimeStepperError/stepTooSmall(time:minStep:reason:)``). The run stops
    /// instead of crawling on with ever shorter steps.
    /// - `time`: the end of the last accepted step (s; pseudo-time during free swelling): the
    ///   state there is converged, the state just after it could not be computed.
    /// - `step`: the length of the last failed attempt (s).
    /// - `cause`: why the attempts failed (``StepCollapseCause``).
    /// - `detail`: the stepper's own message (attempts, the time they aimed at, Newton's last failure).
    case stepCollapsed(time: Double, step: Double, cause: StepCollapseCause, detail: String)

    public var description: String {
        switch self {
        case let .stepCollapsed(t, dt, cause, detail):
            return "the run stopped at t = \(t) s: the time step collapsed (last attempt Δt = \(dt) s): \(cause) [\(detail)]"
        }
    }
}

/// Why a time step collapsed (``SimulationError/stepCollapsed(time:step:cause:detail:)``).
public enum StepCollapseCause: Equatable, Sendable, CustomStringConvertible {
    /// The failed attempts compacted a biphasic solid to its solid volume: at a quadrature point of
    /// `cell` (element index in the mesh) the volume ratio `J` (dimensionless) reached
    /// `solidVolumeFraction` φ0 (dimensionless) — no pore space left. The last such event is
    /// named. The tissue is crushed there under the applied load; no admissible state exists past
    /// ``SimulationError/stepCollapsed(time:step:cause:detail:)``'s `time` on this path.
    case solidCompacted(cell: Int, J: Double, solidVolumeFraction: Double)
    /// Newton failed for another reason (its message).
    case solverFailure(String)

    public var description: String {
        switch self {
        case let .solidCompacted(c, j, phi):
            return "solid compacted at element \(c), J = \(j) ≤ φ0 = \(phi) (no pore space left: the disc is crushed under this load)"
        case let .solverFailure(m): return "Newton failed: \(m)"
        }
    }
}
