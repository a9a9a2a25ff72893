/// An event the state machine is told about.
public enum RunInput: Sendable, Equatable {
    /// Begin the run.
    case start
    /// An attempt is running (process spawned / execution accepted).
    case attemptStarted(job: Int, attempt: Int, executionId: String?)
    /// An attempt ended.
    case attemptFinished(job: Int, attempt: Int, outcome: AttemptOutcome)
    /// An attempt's start was refused for a passing reason: into the delay queue.
    case attemptRefused(job: Int, attempt: Int, reason: DelayReason)
    /// Time passed: deadlines up to `now` are due.
    case timer
    /// A user command.
    case command(RunCommand)
}
