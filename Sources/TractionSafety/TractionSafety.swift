/// Force-safety limits for traction-table controllers.
///
/// `TractionSafety` is the only SpineTraction module a traction-table controller links. It
/// imports Foundation and swift-crypto and nothing else. It provides:
/// - ``ForceSafetyLimits``: the signed limits document (schema in `Schemas/force-safety-limits.schema.json`);
/// - ``LimitsLoader``: fail-closed loading against the controller's ``ControllerExpectations``;
/// - ``LimitsBuilder`` with ``ContraindicationRules`` and ``ClinicalCaps``: how a document is made;
/// - ``TractionEnvelope``: the per-sample runtime check of commanded and measured force.
///
/// Units are SI and appear in field names: newtons (N), seconds (s), degrees (deg), kilograms (kg).
/// (They coincide with the library's mm–N–s–MPa system for force and time.)
public enum TractionSafetyModule {
    /// Major version of the limits-document schema this build reads. A document with another major
    /// version is refused (``RefusalReason/unsupportedMajorVersion``).
    ///
    /// Version 2 added the device ``TractionConfiguration`` and the model and surrogate digests of
    /// ``Provenance``. Compatibility: a version-1 controller refuses a version-2 document (its major
    /// version), and this build refuses a version-1 document, which does not say which
    /// configuration its limits assume — both fail closed; documents are rebuilt, not migrated.
    public static let schemaMajorVersion = 2
    /// Minor version of the schema this build writes. A reader accepts any minor version of its
    /// major version, but still refuses every field it does not know.
    public static let schemaMinorVersion = 0
    /// Version of this library, written into every document's provenance.
    public static let libraryVersion = "0.1.0"
}
