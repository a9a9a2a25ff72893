/// Everything the run knows about one job right now: what observers read from a snapshot.
public struct JobRecord: Sendable, Equatable {
    public var state: JobState = .pending
    /// The current (or last) attempt; 0 before the first start.
    public var attempt: Int = 0
    /// Attempts allowed before the failure is final (`retries` + 1, extended by user retries).
    public var maxAttempts: Int
    public var exitCode: Int32?
    public var reason: String?
    public var executionId: String?
    /// When the current attempt was submitted (state machine clock).
    public var startedAt: Double?
    /// When the job reached its final status.
    public var endedAt: Double?
    public var delayReason: DelayReason?
    public var readyAt: Double?
    /// Set when the state machine asked for the running attempt to stop.
    public var termination: TerminationCause?
    /// Dependencies that have not finished in a way that lets this job run.
    public var unmetDependencies: Int
    /// The user asked for this job to run: it may start even while the meta job is failed.
    public var forced: Bool = false
    /// Reused from an earlier run (resume): succeeded there, not run here.
    public var reusedFrom: String?
    /// The failure status of the last failed attempt, while a retry is pending.
    var lastFailure: JobState?

    public init(maxAttempts: Int, unmetDependencies: Int) {
        self.maxAttempts = maxAttempts
        self.unmetDependencies = unmetDependencies
    }
}
