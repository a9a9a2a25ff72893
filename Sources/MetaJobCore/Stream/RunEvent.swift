/// One entry of a run's event stream: numbered, timestamped, in the order things happened.
public struct RunEvent: Sendable, Equatable, Codable {
    /// 1, 2, 3, … within a run; a snapshot carries the last number it includes. A log event of n lines takes
    /// n numbers: its lines are `sequence`, `sequence + 1`, … (so each stored line keeps its own number).
    public var sequence: UInt64
    /// Wall-clock time, seconds since 1970.
    public var time: Double
    public var kind: Kind

    /// What happened.
    public enum Kind: Sendable, Equatable, Codable {
        case runStarted
        /// A job's state changed.
        case job(JobUpdate)
        /// Lines a job wrote, in order (bytes as written, without the newlines); never empty.
        case log(job: Int, attempt: Int, stream: LogStream, lines: LogLines)
        /// Pause or concurrency limit changed.
        case controls(paused: Bool, limit: Int)
        /// A finished run was reopened by a retry.
        case runReopened
        /// The run finished (it may still be reopened by a retry from the dashboard).
        case runFinished(RunOutcome)
    }

    /// Lines a job wrote, not a change of the run's state: watchers batch these more loosely (`FeedPacing`).
    public var isLog: Bool {
        if case .log = kind { return true }
        return false
    }

    public init(sequence: UInt64, time: Double, kind: Kind) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
    }
}
