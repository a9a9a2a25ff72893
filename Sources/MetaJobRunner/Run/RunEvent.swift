import MetaJobCore

/// One entry of a run's event stream: numbered, timestamped, in the order things happened.
public struct RunEvent: Sendable {
    /// 1, 2, 3, … within a run; a snapshot carries the last number it includes.
    public var sequence: UInt64
    /// Wall-clock time, seconds since 1970.
    public var time: Double
    public var kind: Kind

    /// What happened.
    public enum Kind: Sendable {
        case runStarted
        /// A job's state changed.
        case job(JobUpdate)
        /// A line a job wrote (bytes as written, without the newline).
        case log(job: Int, attempt: Int, stream: LogStream, line: [UInt8])
        /// Pause or concurrency limit changed.
        case controls(paused: Bool, limit: Int)
        /// A finished run was reopened by a retry.
        case runReopened
        /// The run finished (it may still be reopened by a retry from the dashboard).
        case runFinished(RunOutcome)
    }

    public init(sequence: UInt64, time: Double, kind: Kind) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
    }
}
