/// What the remote executor's state machine (`RemoteState`) is told: the runner's calls, the service's
/// answers and the timers it asked for.
enum RemoteInput: Sendable {
    /// The runner starts an attempt.
    case start(LaunchRequest)
    /// The runner stops an attempt (a second call without grace: stop waiting for the service).
    case terminate(AttemptKey, graceSeconds: Double)
    /// The answer (or the transport's failure) to the request with this ticket.
    case answered(ticket: Int, Result<HTTPReply, TransportFailure>)
    /// The wake-up with this ticket is due.
    case timer(ticket: Int)
    /// Someone is looking at these jobs (graph indices): their logs are read while they run.
    case watch(Set<Int>)
}
