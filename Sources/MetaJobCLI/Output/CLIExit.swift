/// The exit codes metajob promises.
public enum CLIExit: Int32, Error, Sendable {
    /// The meta job succeeded (failures only in `fail_dag_on_error: false` jobs count as success).
    case succeeded = 0
    /// The meta job failed.
    case failed = 1
    /// Invalid definition, configuration or usage; nothing was started.
    case invalid = 2
    /// Stopped by SIGINT.
    case interrupted = 130
    /// Stopped by SIGTERM.
    case terminated = 143
}
