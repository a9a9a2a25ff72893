import MetaJobCore

/// Every setting of a run after layering flag > environment > definition file > default.
public struct ResolvedConfiguration: Sendable, Equatable {
    public var settings: RunSettings
    public var executor: ExecutorKind
    public var timeBetweenStatusCheckSeconds: Double
    public var localRunJobPath: String?
    public var controlServiceURL: String?
}
