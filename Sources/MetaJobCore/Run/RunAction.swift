/// What the state machine asks its runner to do, or tells its observers.
public enum RunAction: Sendable, Equatable {
    /// Start this attempt of this job.
    case startAttempt(job: Int, attempt: Int)
    /// Stop this attempt (SIGTERM, SIGKILL after `graceSeconds`; cancel remotely).
    case terminateAttempt(job: Int, attempt: Int, graceSeconds: Double)
    /// A job's state changed (publish it).
    case jobChanged(JobUpdate)
    /// The run's controls changed: paused, concurrency limit (publish it).
    case controlsChanged(paused: Bool, limit: Int)
    /// The run finished with this outcome.
    case runFinished(RunOutcome)
    /// A finished run was reopened by a retry.
    case runReopened
}
