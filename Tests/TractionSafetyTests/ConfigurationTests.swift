import Foundation
import Testing
@testable import TractionSafety

/// Schema 2: the device configuration a document's limits assume, and the digests of the model
/// and surrogate behind model-derived limits.
@Suite("Device configuration and model provenance")
struct ConfigurationTests {
    /// Every configuration is accepted for exactly the region it can treat: 2 lumbar surfaces ×
    /// 2 lumbar harnesses and 2 cervical surfaces × 2 cervical harnesses, nothing else (16 pairs).
    @Test func configurationsFitTheirRegionOnly() {
        var lumbar = 0, cervical = 0
        for s in TractionConfiguration.Surface.allCases {
            for h in TractionConfiguration.Harness.allCases {
                let c = TractionConfiguration(surface: s, harness: h)
                #expect(!(c.fits(.lumbar) && c.fits(.cervical)), "\(c)")
                lumbar += c.fits(.lumbar) ? 1 : 0
                cervical += c.fits(.cervical) ? 1 : 0
            }
        }
        #expect(lumbar == 4 && cervical == 4)
    }

    /// A controller of another configuration refuses the document, naming both configurations;
    /// the same controller with the document's configuration loads it.
    @Test func aControllerOfAnotherConfigurationRefuses() {
        #expect(Fixtures.refusal(Fixtures.signed) == nil)
        for other in [TractionConfiguration(surface: .nonSplitTable, harness: .thoracoPelvic),
                      TractionConfiguration(surface: .splitTable, harness: .pelvic)] {
            var e = Fixtures.expectations
            e.configuration = other
            let r = Fixtures.refusal(Fixtures.signed, e)
            #expect(r?.reason == .configurationMismatch && r?.field == "configuration", "\(String(describing: r))")
            #expect(r?.message.contains("splitTable/thoracoPelvic") == true && r?.message.contains(other.description) == true)
        }
    }

    /// A signed document whose configuration cannot treat its region is refused by the loader's
    /// own validation (invalidValue at `configuration`), whatever the controller expects.
    @Test func aConfigurationOfTheOtherRegionIsRefused() {
        let bytes = Fixtures.resigned { $0.set(["configuration", "harness"], .string("headHalter")) }
        var e = Fixtures.expectations
        e.configuration = TractionConfiguration(surface: .splitTable, harness: .headHalter)
        let r = Fixtures.refusal(bytes, e)
        #expect(r?.reason == .invalidValue && r?.field == "configuration", "\(String(describing: r))")
    }

    /// Model and surrogate digests: 64 lowercase hex or "none"; a model-governed limit needs the
    /// model's digest; a surrogate digest without a model digest is refused.
    @Test func modelAndSurrogateDigestsAreChecked() throws {
        // A model limit below the 0.5 BW clinical cap (343 N for 70 kg) governs the hard force.
        var governed = Fixtures.inputs
        governed.modelLimits = [LimitCandidate(.maxForceN, 250, kind: .modelCriterion, criterion: "model.test", marginFraction: 0.5)]
        let document = try LimitsBuilder.build(governed)
        #expect(document.limits.maxForceN.kind == .modelCriterion)
        var e = Fixtures.expectations
        e.inputsDigestSHA256 = governed.digestSHA256
        #expect(Fixtures.refusal(try LimitsSigner.sign(document, with: Fixtures.key), e) == nil)
        for (path, value) in [(["provenance", "modelDigestSHA256"], "none"),
                              (["provenance", "modelDigestSHA256"], String(repeating: "A", count: 64)),
                              (["provenance", "surrogateDigestSHA256"], "nil"),
                              (["provenance", "surrogateDigestSHA256"], String(repeating: "a", count: 63))] {
            var tree = document.jsonValue
            tree.set(path, .string(value))
            let r = Fixtures.refusal(LimitsSigner.signJSON(tree, with: Fixtures.key), e)
            #expect(r?.reason == .invalidValue && r?.field == path.joined(separator: "."), "\(path) = \(value): \(String(describing: r))")
        }
        // A document with no model limit may say "none"; a surrogate digest then is refused.
        var clinical = Fixtures.inputs
        clinical.modelLimits = []
        clinical.modelDigestSHA256 = Provenance.none
        let d = try? LimitsBuilder.build(clinical)
        #expect(d != nil && d?.provenance.modelDigestSHA256 == "none")
        var surrogateOnly = d!
        surrogateOnly.provenance.surrogateDigestSHA256 = String(repeating: "e", count: 64)
        #expect(throws: LimitsRefusal.self) { try LimitsValidation.validate(surrogateOnly) }
    }

    /// The builder refuses what the loader would: a configuration of the other region, model
    /// limits without a model digest, a malformed digest — each naming its input field.
    @Test func builderRefusesBadConfigurationAndDigests() {
        func field(_ change: (inout LimitsBuilder.Inputs) -> Void) -> String? {
            var i = Fixtures.inputs
            change(&i)
            do { _ = try LimitsBuilder.build(i); return nil } catch { return error.field }
        }
        #expect(field { $0.configuration = TractionConfiguration(surface: .seated, harness: .headHalter) } == "configuration")
        #expect(field { $0.configuration = TractionConfiguration(surface: .splitTable, harness: .occipitalCradle) } == "configuration")
        #expect(field { $0.modelDigestSHA256 = Provenance.none } == "modelDigestSHA256")
        #expect(field { $0.surrogateDigestSHA256 = "deadbeef" } == "surrogateDigestSHA256")
        #expect(field { _ in } == nil)
    }

    /// The inputs JSON carries the configuration and digests and round-trips exactly; they are
    /// covered by the inputs digest (another configuration, another patient digest).
    @Test func inputsCarryTheConfiguration() throws {
        #expect(try LimitsBuilder.Inputs(json: Fixtures.inputs.canonicalJSON) == Fixtures.inputs)
        var other = Fixtures.inputs
        other.configuration.surface = .nonSplitTable
        #expect(other.digestSHA256 != Fixtures.inputs.digestSHA256)
        #expect(try LimitsBuilder.build(other).configuration == other.configuration)
    }
}
