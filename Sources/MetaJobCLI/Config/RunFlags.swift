import MetaJobCore

/// The settings given on the command line (nil where not given).
public struct RunFlags: Sendable, Equatable {
    public var maxConcurrent: Int?
    public var executor: ExecutorKind?
    public var onFailure: FailurePolicy?
    public var gracePeriodSeconds: Double?

    public init(maxConcurrent: Int? = nil, executor: ExecutorKind? = nil, onFailure: FailurePolicy? = nil,
                gracePeriodSeconds: Double? = nil) {
        self.maxConcurrent = maxConcurrent
        self.executor = executor
        self.onFailure = onFailure
        self.gracePeriodSeconds = gracePeriodSeconds
    }
}
