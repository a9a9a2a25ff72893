/// How a meta job ended.
public enum RunOutcome: String, Sendable, Equatable {
    /// Every job finished without a failure that fails the meta job.
    case succeeded
    /// A job with `fail_dag_on_error: true` failed for good.
    case failed
    /// The user stopped the run (SIGINT, quit).
    case cancelled
}
