/// One state change of one job, as recorded.
public struct JobEventRecord: Sendable, Equatable {
    /// Seconds since 1970.
    public var time: Double
    public var state: String
    public var attempt: Int
    public var exitCode: Int32?
    public var reason: String?
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
