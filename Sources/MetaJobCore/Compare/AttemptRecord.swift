/// One attempt of a job, told apart from its others: when it ran, how it ended, with which exit code and why.
/// What a job's details list side by side when it had several attempts.
public struct AttemptRecord: Sendable, Equatable {
    /// The attempt's number (1, 2, …).
    public var attempt: Int
    /// Wall time it was submitted (or first seen running).
    public var start: Double
    /// Wall time it ended; nil while it runs.
    public var end: Double?
    /// The state it ended with; nil while it runs.
    public var state: JobState?
    /// Its exit code, when it had one.
    public var exitCode: Int32?
    /// Why it failed or was cancelled, as the run said.
    public var reason: String?

    /// A record; every field as named.
    public init(attempt: Int, start: Double, end: Double? = nil, state: JobState? = nil, exitCode: Int32? = nil,
                reason: String? = nil) {
        self.attempt = attempt
        self.start = start
        self.end = end
        self.state = state
        self.exitCode = exitCode
        self.reason = reason
    }

    /// Seconds from submission to end; nil while it runs.
    public var duration: Double? { end.map { max(0, $0 - start) } }
}
