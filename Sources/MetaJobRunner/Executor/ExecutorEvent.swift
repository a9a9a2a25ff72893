import MetaJobCore

/// What an executor reports to the runner, always on the runner's queue.
public enum ExecutorEvent: Sendable {
    /// The attempt is running (process spawned, or execution accepted), with the remote execution id if any.
    case started(AttemptKey, executionId: String?)
    /// Complete lines the attempt wrote, without their line terminator, bytes as written, packed in one
    /// buffer (no array per line).
    case output(AttemptKey, LogStream, LogLines)
    /// The attempt ended. Every output line of the attempt has been reported before this.
    case finished(AttemptKey, AttemptOutcome)
    /// The start was refused for a reason that will pass; the job goes to the delay queue.
    case refused(AttemptKey, DelayReason)
}
