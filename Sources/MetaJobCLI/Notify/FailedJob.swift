/// A job that did not succeed, as a notification reports it.
struct FailedJob: Encodable, Equatable {
    var name: String
    /// `user_error`, `platform_error` or `cancelled`.
    var state: String
    /// Why, as the runner recorded it (exit code, signal, timeout, the Control Service's words).
    var reason: String?
    var exitCode: Int32?
    var attempts: Int
    /// False for `fail_dag_on_error: false` jobs, whose failure does not fail the meta job.
    var failsMetaJob: Bool
}
