import Dispatch

/// Runs attempts of jobs for the runner. Confined to the runner's queue: every method is called on it,
/// and every `ExecutorEvent` is delivered on it.
public protocol JobExecutor: AnyObject {
    /// Starts an attempt. Reports `.started` then `.output`s then `.finished` (or `.refused`).
    func start(_ request: LaunchRequest)
    /// Stops an attempt: SIGTERM to its process group, SIGKILL after `graceSeconds` (local);
    /// cancels the execution (remote). The attempt still reports `.finished`.
    func terminate(_ key: AttemptKey, graceSeconds: Double)
}
