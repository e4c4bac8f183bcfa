import Foundation
import Biomechanics
import FiniteElements

extension CervicalValidation {
    /// The halter pulls (N) of the cervical mesh-convergence study, 50, 80 and 150 N: below, at
    /// and above the default patient's cervical limit (about 77 N on the coarse mesh), the largest
    /// above the 25 lbf (111.2 N) soft clinical cap.
    /// ``DiscretisationFactors/cervicalMeasurements`` was measured at these pulls; a pull above
    /// the largest is not covered by it. `spinetraction verify --mesh-convergence` runs them.
    public static let meshConvergencePulls: [Double] = [50, 80, 150]

    /// The criterion quantities of the cervical limit protocol through the end of its first
    /// hold (``CervicalLimitSearch``'s defaults: professional cervical traction at 20° of flexion,
    /// supine, after the 17 N lying preload held 60 s: the 5 s logarithmic ramp and the 30 s hold)
    /// at one halter pull on one mesh, for the mesh-convergence study of the cervical limits
    /// (``DiscretisationFactors/cervical(_:)``).
    public struct LimitProtocolSample: Sendable {
        /// The disc mesh.
        public var divisions: SegmentMesh
        /// Halter pull (N).
        public var pull: Double
        /// Unknowns of the run.
        public var unknowns: Int
        /// Peak distraction of the upper endplate's centre through the hold (mm).
        public var peakDistraction: Double
        /// Peak strain (dimensionless) and peak total force (N) of each ligament bundle through
        /// the hold, in model order (`"ALL"`, `"CL left"`, …).
        public var ligaments: [(name: String, strain: Double, force: Double)]
        /// Peak annulus fibre strain through the hold (engineering `λ − 1`, dimensionless).
        public var peakAnnulusFibreStrain: Double
    }

    /// Runs the cervical limit protocol at `pull` (N, halter) on `divisions` at `level` for
    /// ``subject()`` with ``CervicalLigamentDataSet/yoganandan2000`` from the freely swollen
    /// state to the end of the first hold: the preload, the ramp and the hold, where each
    /// criterion's peak over the cycle is reached (the pull only falls after the hold), so the
    /// ramp down and the rest are not solved.
    /// - Throws: the model's and solver's errors.
    public static func limitProtocolSample(_ divisions: SegmentMesh, pull: Double, level: CervicalLevel = .c5c6) throws -> LimitProtocolSample {
        let patient = try subject()
        let search = CervicalLimitSearch(patient: patient, level: level)
        let segment = try MotionSegment.cervical(level, patient: patient, mesh: search.mesh, ligaments: .yoganandan2000, divisions: divisions)
        var model = try search.model(pull: pull, segment: segment)
        // Cut the session step at the end of the hold.
        let holdEnd = search.preloadDuration + search.traction.ramp.duration + search.traction.hold
        guard let k = model.steps.firstIndex(where: { $0.name == "session" }) else {
            throw ModelError(.invalidValue, at: "steps", "the cervical limit protocol's model has no session step")
        }
        let sessionStart = model.steps[..<k].filter { $0.freeSwelling == nil }.reduce(0) { $0 + $1.duration }
        model.steps[k].duration = holdEnd - sessionStart
        model.steps.removeSubrange((k + 1)...)
        model.outputs.times = model.outputs.times.filter { $0 <= holdEnd } + (model.outputs.times.contains(holdEnd) ? [] : [holdEnd])
        let swollen = try Simulation(model: model).freeSwollenStateSynchronously()
        let r = try Simulation(model: model).runSynchronously(from: swollen)
        guard let ms = r.motionSegment else {
            throw ModelError(.invalidValue, at: "motionSegment", "the cervical limit protocol's model has no motion segment")
        }
        return LimitProtocolSample(divisions: divisions, pull: pull, unknowns: r.unknownCount, peakDistraction: ms.distraction.maximum ?? .nan,
                                   ligaments: ms.ligaments.map { ($0.name, $0.strain.maximum ?? .nan, $0.force.maximum ?? .nan) },
                                   peakAnnulusFibreStrain: ms.annulusFibreStrain?.strain.maximum ?? .nan)
    }

    /// Rows comparing `sample` with the `reference` (finer) mesh at the same pull: relative
    /// difference of the peak distraction and of each ligament's peak strain (over
    /// max(|reference|, 1e-3)) and peak force (over max(|reference|, 0.1 N)), tolerance 2 %.
    public static func limitProtocolConvergenceRows(_ sample: LimitProtocolSample, reference: LimitProtocolSample) -> [VerificationRow] {
        let label = "cervical mesh convergence \(sample.divisions) vs \(reference.divisions), limit protocol at \(sample.pull) N"
        func row(_ q: String, _ a: Double, _ b: Double, floor: Double) -> VerificationRow {
            VerificationRow(problem: label, quantity: q, ours: a, reference: b, error: abs(a - b) / max(abs(b), floor), tolerance: 0.02)
        }
        var rows = [row("peak distraction (mm)", sample.peakDistraction, reference.peakDistraction, floor: 1e-3),
                    row("peak annulus fibre strain", sample.peakAnnulusFibreStrain, reference.peakAnnulusFibreStrain, floor: 1e-3)]
        for (a, b) in zip(sample.ligaments, reference.ligaments) {
            rows.append(row("peak strain \(a.name)", a.strain, b.strain, floor: 1e-3))
            rows.append(row("peak force \(a.name) (N)", a.force, b.force, floor: 0.1))
        }
        return rows
    }

    /// The cervical mesh-convergence rows: coarse and standard against fine, the limit protocol
    /// through its hold at each pull of `pulls` (N, halter; minutes per pull, the fine mesh
    /// dominates; default ``meshConvergencePulls``).
    /// - Throws: the model's and solver's errors.
    public static func limitProtocolMeshConvergenceRows(pulls: [Double] = meshConvergencePulls) throws -> [VerificationRow] {
        try pulls.flatMap { pull in
            let fine = try limitProtocolSample(.fine, pull: pull)
            return try [SegmentMesh.coarse, .standard].flatMap { limitProtocolConvergenceRows(try limitProtocolSample($0, pull: pull), reference: fine) }
        }
    }
}
