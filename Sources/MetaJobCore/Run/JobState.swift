/// A job's state in a run: the states on the way and VDK's final statuses (plus `not_run`).
public enum JobState: String, Sendable, Equatable, CaseIterable {
    /// Waiting for its dependencies.
    case pending
    /// Ready, waiting for a free slot.
    case queued
    /// In the delay queue: a refused start or a retry backoff.
    case delayed
    /// Start requested; not yet confirmed running.
    case submitted
    case running
    case succeeded
    case userError = "user_error"
    case platformError = "platform_error"
    case cancelled
    case skipped
    /// Never started because the meta job stopped.
    case notRun = "not_run"

    /// A dense index (0 ..< allCases.count), for per-state counters kept in arrays.
    public var ordinal: Int {
        switch self {
        case .pending: return 0
        case .queued: return 1
        case .delayed: return 2
        case .submitted: return 3
        case .running: return 4
        case .succeeded: return 5
        case .userError: return 6
        case .platformError: return 7
        case .cancelled: return 8
        case .skipped: return 9
        case .notRun: return 10
        }
    }

    /// True for the statuses a job ends in.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .userError, .platformError, .cancelled, .skipped, .notRun: return true
        default: return false
        }
    }

    /// True while the job holds a concurrency slot.
    public var holdsSlot: Bool { self == .submitted || self == .running }

    /// True for final statuses that are failures (retryable by the user).
    public var isFailure: Bool { self == .userError || self == .platformError || self == .cancelled }

    /// True when dependents may run after this state whatever `fail_dag_on_error` says (VDK's `finalize_job`:
    /// only success; a skip fails the DAG when the flag is true, like a failure).
    public var unblocksDependents: Bool { self == .succeeded }
}
