import Testing
import TractionSafety

@Test func schemaMajorVersionIsOne() { #expect(TractionSafetyModule.schemaMajorVersion == 1) }
