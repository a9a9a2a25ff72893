/// One change of one job, as published on the event stream.
public struct JobUpdate: Sendable, Equatable, Codable {
    public var job: Int
    public var state: JobState
    public var attempt: Int
    public var exitCode: Int32?
    /// Why it failed, was delayed or cancelled.
    public var reason: String?
    public var executionId: String?
    /// For `delayed`: why it waits.
    public var delayReason: DelayReason?
    /// For `delayed`: when it is tried again (the state machine's clock).
    public var readyAt: Double?
    /// Attempts allowed before a failure is final, as the state machine counts them (nil when not known, as
    /// for updates rebuilt from a history).
    public var maxAttempts: Int?

    public init(job: Int, state: JobState, attempt: Int, exitCode: Int32? = nil, reason: String? = nil,
                executionId: String? = nil, delayReason: DelayReason? = nil, readyAt: Double? = nil,
                maxAttempts: Int? = nil) {
        self.job = job
        self.state = state
        self.attempt = attempt
        self.exitCode = exitCode
        self.reason = reason
        self.executionId = executionId
        self.delayReason = delayReason
        self.readyAt = readyAt
        self.maxAttempts = maxAttempts
    }
}
