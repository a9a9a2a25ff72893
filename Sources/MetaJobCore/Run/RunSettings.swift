/// The settings the state machine runs with, already resolved from flags, environment, file and defaults.
public struct RunSettings: Sendable, Equatable {
    /// At most this many jobs submitted or running at once.
    public var maxConcurrentRunningJobs: Int
    /// A refused start waits at least this long.
    public var delayedJobsMinDelaySeconds: Double
    /// … plus a random 0…this.
    public var delayedJobsRandomizedAddedDelaySeconds: Double
    /// What happens to running jobs when the meta job fails.
    public var onFailure: FailurePolicy
    /// Time between SIGTERM and SIGKILL when a job is stopped.
    public var terminationGraceSeconds: Double

    public init(maxConcurrentRunningJobs: Int = 15, delayedJobsMinDelaySeconds: Double = 30,
                delayedJobsRandomizedAddedDelaySeconds: Double = 600, onFailure: FailurePolicy = .wait,
                terminationGraceSeconds: Double = 10) {
        self.maxConcurrentRunningJobs = maxConcurrentRunningJobs
        self.delayedJobsMinDelaySeconds = delayedJobsMinDelaySeconds
        self.delayedJobsRandomizedAddedDelaySeconds = delayedJobsRandomizedAddedDelaySeconds
        self.onFailure = onFailure
        self.terminationGraceSeconds = terminationGraceSeconds
    }
}
