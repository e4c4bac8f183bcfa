/// Force-safety limits for traction-table controllers (see issue: TractionSafety).
public enum TractionSafetyModule {
    /// Version of the limits-document schema this build reads.
    public static let schemaMajorVersion = 1
}
