/// One state change of one job, as recorded.
public struct JobEventRecord: Sendable, Equatable {
    /// Seconds since 1970.
    public var time: Double
    /// The state entered (`running`, `user_error`, …).
    public var state: String
    /// The attempt it belongs to (0 before the first start).
    public var attempt: Int
    /// The attempt's exit code, for a finished attempt.
    public var exitCode: Int32?
    /// Why it failed, was delayed or cancelled.
    public var reason: String?
    /// The executor's id of the attempt (a remote execution id; nil locally).
    public var executionId: String?
    /// For `delayed`: `conflict`, `server_error` or `retry_backoff`.
    public var delayReason: String?
    /// For `delayed`: when it is tried again, seconds since 1970.
    public var readyAt: Double?

    /// An event; every field as named.
    public init(time: Double, state: String, attempt: Int, exitCode: Int32?, reason: String?, executionId: String?,
                delayReason: String?, readyAt: Double?) {
        self.time = time
        self.state = state
        self.attempt = attempt
        self.exitCode = exitCode
        self.reason = reason
        self.executionId = executionId
        self.delayReason = delayReason
        self.readyAt = readyAt
    }
}
