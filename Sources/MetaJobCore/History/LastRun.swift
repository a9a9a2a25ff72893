/// A meta job's newest finished run: when, how long, how it ended, and its jobs.
public struct LastRun: Sendable, Equatable {
    public var metaJob: String
    public var runId: String
    public var state: StoredRunState
    /// Seconds since 1970.
    public var startedAt: Double
    /// Seconds since 1970 (for an interrupted run: its last heartbeat).
    public var endedAt: Double
    public var jobs: [LastRunJob]

    public init(metaJob: String, runId: String, state: StoredRunState, startedAt: Double, endedAt: Double, jobs: [LastRunJob]) {
        self.metaJob = metaJob
        self.runId = runId
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.jobs = jobs
    }
}
