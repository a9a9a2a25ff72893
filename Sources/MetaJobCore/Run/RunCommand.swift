/// What a user (the dashboard, a signal) can ask of a running meta job.
public enum RunCommand: Sendable, Equatable, Codable {
    /// Run a failed, cancelled or not_run job again; its not_run dependents become pending.
    case retry(job: Int)
    /// Retry every failed or cancelled job.
    case retryFailed
    /// Run a job and everything downstream of it again, successful jobs included.
    case retryDownstream(job: Int)
    /// Cancel one job (running: terminate it; waiting: it ends `cancelled`).
    case cancel(job: Int)
    /// Stop the run: nothing new starts, running jobs are terminated. `immediate` skips the grace period.
    case stop(immediate: Bool)
    /// Stop starting new jobs; running ones go on.
    case pause
    /// Start new jobs again.
    case resume
    /// Change the concurrency limit (≥ 1).
    case setConcurrency(Int)
}
