import Dispatch

/// Runs attempts of jobs for the runner. Confined to the runner's queue: every method is called on it,
/// and every `ExecutorEvent` is delivered on it.
public protocol JobExecutor: AnyObject {
    /// Starts an attempt. Reports `.started` then `.output`s then `.finished` (or `.refused`).
    func start(_ request: LaunchRequest)
    /// Stops an attempt: SIGTERM to its process group, SIGKILL after `graceSeconds` (local);
    /// cancels the execution (remote). The attempt still reports `.finished`.
    func terminate(_ key: AttemptKey, graceSeconds: Double)
    /// Someone is looking at exactly these jobs (graph indices): an executor whose jobs' output does not
    /// arrive by itself (remote) fetches it while they run. Local processes stream anyway: no-op by default.
    func setWatched(jobs: Set<Int>)
}

extension JobExecutor {
    /// Output arrives as it is written whether or not anyone watches.
    public func setWatched(jobs: Set<Int>) {}
}
