/// What the history says about each meta job, for `metajob history metrics` (Prometheus exposition).
public struct HistoryMetrics: Sendable, Equatable {
    /// Finished runs by meta job and stored state (`succeeded`, `failed`, `cancelled`, `interrupted`).
    public var runs: [RunCount]
    /// The newest finished run of each meta job, with its jobs.
    public var lastRuns: [LastRun]
    /// Failed job runs (`user_error`, `platform_error`) by meta job and job, over the whole history.
    public var jobFailures: [JobFailureCount]

    public init(runs: [RunCount] = [], lastRuns: [LastRun] = [], jobFailures: [JobFailureCount] = []) {
        self.runs = runs
        self.lastRuns = lastRuns
        self.jobFailures = jobFailures
    }
}
