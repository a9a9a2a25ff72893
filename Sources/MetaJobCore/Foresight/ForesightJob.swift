/// One job as the look-ahead sees it: plain values a caller copies from a run's snapshot.
public struct ForesightJob: Sendable, Equatable {
    /// Its state now.
    public var state: JobState
    /// What it usually takes; nil when its past has no successful attempt.
    public var estimate: DurationEstimate?
    /// When the current attempt was submitted (for `submitted` and `running`), on the caller's clock.
    public var startedAt: Double?
    /// When it entered the ready queue (for `queued`): queued jobs start in this order, ties by job index.
    public var queuedAt: Double?
    /// When it leaves the delay queue (for `delayed`).
    public var readyAt: Double?
    /// Its definition's `fail_dag_on_error`: a failure for good fails the meta job.
    public var failDagOnError: Bool
    /// The user asked for it to run (a retry): it may start even while the meta job is failed.
    public var forced: Bool

    /// A job in `state`; the times that do not apply to that state are ignored.
    public init(state: JobState, estimate: DurationEstimate? = nil, startedAt: Double? = nil, queuedAt: Double? = nil,
                readyAt: Double? = nil, failDagOnError: Bool = true, forced: Bool = false) {
        self.state = state
        self.estimate = estimate
        self.startedAt = startedAt
        self.queuedAt = queuedAt
        self.readyAt = readyAt
        self.failDagOnError = failDagOnError
        self.forced = forced
    }

    /// True when its dependents may run after it (as `RunState` decides): success, skip, or a failure
    /// that does not fail the meta job.
    public var unblocksDependents: Bool {
        state.unblocksDependents || (state.isFailure && !failDagOnError)
    }

    /// True when it failed the meta job: a final failure of a `fail_dag_on_error` job.
    public var isFatalFailure: Bool { state.isFailure && failDagOnError }
}
