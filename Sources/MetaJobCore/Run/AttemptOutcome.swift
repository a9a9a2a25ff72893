/// How an attempt ended, as the executor saw it; the state machine maps it to a final status.
public enum AttemptOutcome: Sendable, Equatable {
    /// The process exited with this code.
    case exited(code: Int32)
    /// The process was killed by this signal.
    case signaled(signal: Int32)
    /// The process could not be started.
    case spawnFailed(message: String)
    /// The executor decided the status itself (a VDK run summary, a remote execution's status).
    case status(JobState, exitCode: Int32?, reason: String?)
}
