import Foundation
import Testing
import Biomechanics
@testable import SpineModel

/// The scenarios with deformable vertebral bodies (``ScenarioRunOptions/deformableVertebrae``):
/// the row's finite-element bone strain, the report's Bone section, and the cervical refusal.
@Suite("Scenario rows with deformable vertebral bodies", .serialized)
struct ScenarioBoneStrainTests {
    static let patient = try! Patient(bodyMassKg: 70, heightCm: 175, tScore: 0, discGrade: .ii, level: .l4l5)

    /// A short table session — one 5 s pull at 40 % BW after a 5 s preload, no recovery, 1 s steps
    /// and outputs — on the coarse segment with the default patient's bone.
    ///
    /// - The model: the bone regions exist, and no rigid condition is left on the disc's `top`
    ///   (the traction and the table's moment act on the upper body's far section).
    /// - The row's strains are the largest of the run's bone strain series over the session's
    ///   output times (to 1e-15), and its ratio is the coarse mesh's bone-strain factor times the
    ///   larger strain over its yield strain (Morgan & Keaveny 2001: 0.77 %, 0.70 %), to 1e-12.
    /// - Against the plane-section bar (closed form): the net pull `F` (peak axial force at the
    ///   level minus the 17 N lying preload) stretches the bodies' section by the E-weighted mean
    ///   axial strain `F / Σ E A` (cancellous core and smeared shell ring). The largest tensile
    ///   principal strain of a cell cannot be below the mean over the section; the disc pulls on
    ///   the endplate through the annulus more than the nucleus, and the table's flexion moment
    ///   adds bending, so it is above it — asserted within [1, 6] × the bar's strain (measured
    ///   ratio printed).
    /// - The printed table marks the value `FE`, and the Markdown report has the Bone section.
    @Test func tableRowReportsTheBoneStrain() async throws {
        let table = ProfessionalTable(pullFraction: 0.4, cycles: 1, hold: 5, rest: 2, restLevel: 0, ramp: .linear(duration: 2))
        let h = try table.historyAtLevel(patient: Self.patient)
        var options = ScenarioRunOptions(); options.preloadDuration = 5; options.deformableVertebrae = true
        let model = try ScenarioRunner.model(patient: Self.patient, mesh: .coarse, options: options, history: h, axialMoment: nil,
                                             recovery: 0, maxStep: 1, outputSpacing: 1, hypermobility: nil)
        #expect(model.regions.contains { $0.region == "upperVertebra" } && model.regions.contains { $0.region == "lowerVertebraShell" })
        for c in model.boundary {
            if case .rigid = c.kind { #expect(c.target != .surface("top"), "\(c.name) still acts on the disc's top") }
        }
        var swollen: [String: SimulationState] = [:]
        let (row, results) = try await ScenarioRunner.runHistory(
            kind: .professionalTable, label: "short table", history: h, axialMoment: nil, patient: Self.patient, options: options,
            recovery: 0, maxStep: 1, outputSpacing: 1, hypermobility: nil, screening: ScreeningVerdict(scenario: .professionalTable, refusals: [], limits: LimitFactors()),
            swollen: &swollen)
        let fe = try #require(row.outcome.boneStrain)
        let series = try #require(results.motionSegment?.boneStrain)
        let t = results.times, start = options.sessionStart, end = start + h.times.last! - h.times.first!
        let window = t.indices.filter { t[$0] >= start - 1e-9 && t[$0] <= end + 1e-9 }
        #expect(abs(fe.compressive - window.map { series.compressive.scalars[$0] }.max()!) <= 1e-15)
        #expect(abs(fe.tensile - window.map { series.tensile.scalars[$0] }.max()!) <= 1e-15)
        let factor = try #require(DeformableVertebrae.measuredBoneStrainFactor(mesh: .coarse, layers: 2, height: 13))
        #expect(fe.discretisationFactor == factor)
        let ratio = factor * max(fe.compressive / 0.0077, fe.tensile / 0.0070)
        #expect(abs(fe.toYield - ratio) <= 1e-12 * ratio)

        guard case let .cylinder(a, b, _, _, fraction, radial, _, _, _, _) = model.mesh,
              case let .isotropicElastic(coreE, _) = model.materials["cancellousBone"]!.solid,
              case let .isotropicElastic(shellE, _) = model.materials["corticalShell"]!.solid else {
            Issue.record("not a cylinder with bone materials"); return
        }
        let inner = fraction + (1 - fraction) * Double(radial - 1) / Double(radial)
        let area = Double.pi * a * b, core = area * inner * inner
        let net = h.axialForce.max()! - options.lyingPreload
        let bar = net / (coreE * core + shellE * (area - core))
        print("short table, deformable bodies: net pull \(net) N, bar strain \(bar), FE tensile \(fe.tensile) (\(fe.tensile / bar) × bar), compressive \(fe.compressive), to yield \(fe.toYield); estimate \(row.outcome.boneStrainToYield)")
        #expect(fe.tensile >= bar && fe.tensile <= 6 * bar)

        let cmp = ScenarioComparison(patient: Self.patient, outcomes: [row.outcome], checks: [])
        #expect(cmp.table().contains("(FE \(ScenarioComparison.number(fe.toYield)))"))
        #expect(cmp.markdown().contains("## Bone (deformable vertebral bodies)"))
    }

    /// A cervical segment has no deformable bodies: refused, naming the option.
    @Test func cervicalRefused() throws {
        var options = ScenarioRunOptions(); options.deformableVertebrae = true
        let h = LevelLoadHistory(times: [0, 1, 2], axialForce: [0, 50, 50], flexionMoment: [0, 0, 0], compressiveFollowerLoad: nil)
        let segment = try MotionSegment.cervical(.c5c6, patient: try Patient(bodyMassKg: 70, heightCm: 175), mesh: .coarse)
        #expect { _ = try ScenarioRunner.model(patient: Self.patient, mesh: .coarse, options: options, history: h, axialMoment: nil, recovery: 0,
                                               maxStep: 1, outputSpacing: 1, hypermobility: nil, segment: segment) } throws: {
            ($0 as? ScenarioError)?.property == "options.deformableVertebrae"
        }
    }
}
