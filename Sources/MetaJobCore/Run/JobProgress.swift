/// Where one job of a run is, with wall-clock times: the per-job value of a `RunSnapshot`, and what every
/// watcher of a run (screen, history recorder, history reader) keeps and folds `JobUpdate`s into.
public struct JobProgress: Sendable, Equatable, Codable {
    public var state: JobState = .pending
    /// The current (or last) attempt; 0 before the first start.
    public var attempt = 0
    /// Attempts allowed before a failure is final (the state machine's number, carried by each update).
    public var maxAttempts = 1
    public var exitCode: Int32?
    /// Why it failed, was delayed, cancelled or not run.
    public var reason: String?
    public var executionId: String?
    /// When the current attempt was submitted (wall time).
    public var startedAt: Double?
    /// When the job reached its final status (wall time); nil while it is on its way.
    public var endedAt: Double?
    /// For `delayed`: why it waits.
    public var delayReason: DelayReason?
    /// For `delayed`: when it is tried again (wall time).
    public var readyAt: Double?
    /// The earlier run its success was reused from (resume).
    public var reusedFrom: String?
    /// Each attempt's bar on the time axis, oldest first.
    public var spans: [AttemptSpan] = []

    /// A job that has not started; `maxAttempts` is its retries + 1.
    public init(state: JobState = .pending, maxAttempts: Int = 1) {
        self.state = state
        self.maxAttempts = maxAttempts
    }

    /// The most attempts that were started (a refused start lowers `attempt` again; this keeps the count).
    public var attemptsStarted: Int { max(attempt, spans.last?.attempt ?? 0) }
}
