/// The top-level settings of a definition file; nil where the file is silent.
public struct DefinitionSettings: Sendable, Equatable {
    public var executor: ExecutorKind?
    public var maxConcurrentRunningJobs: Int?
    public var delayedJobsMinDelaySeconds: Double?
    public var delayedJobsRandomizedAddedDelaySeconds: Double?
    public var timeBetweenStatusCheckSeconds: Double?
    public var controlServiceURL: String?
    /// `notifications:`: commands and a webhook for when the meta job ends.
    public var notifications = NotificationSettings()

    public init(executor: ExecutorKind? = nil, maxConcurrentRunningJobs: Int? = nil,
                delayedJobsMinDelaySeconds: Double? = nil, delayedJobsRandomizedAddedDelaySeconds: Double? = nil,
                timeBetweenStatusCheckSeconds: Double? = nil, controlServiceURL: String? = nil) {
        self.executor = executor
        self.maxConcurrentRunningJobs = maxConcurrentRunningJobs
        self.delayedJobsMinDelaySeconds = delayedJobsMinDelaySeconds
        self.delayedJobsRandomizedAddedDelaySeconds = delayedJobsRandomizedAddedDelaySeconds
        self.timeBetweenStatusCheckSeconds = timeBetweenStatusCheckSeconds
        self.controlServiceURL = controlServiceURL
    }
}
