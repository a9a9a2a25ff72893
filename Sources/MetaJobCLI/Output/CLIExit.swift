#if canImport(Glibc)
import Glibc
#endif

/// The exit codes metajob promises.
public enum CLIExit: Int32, Error, Sendable {
    /// The meta job succeeded (failures only in `fail_dag_on_error: false` jobs count as success).
    case succeeded = 0
    /// The meta job failed.
    case failed = 1
    /// Invalid definition, configuration or usage; nothing was started.
    case invalid = 2
    /// Stopped by SIGHUP (the terminal closed).
    case hungUp = 129
    /// Stopped by SIGINT.
    case interrupted = 130
    /// Stopped by SIGQUIT (Ctrl-\ in a terminal).
    case quit = 131
    /// Stopped by SIGTERM.
    case terminated = 143

    /// The code of a run stopped by `signal` (0, or any other signal: stopped some other way, 130).
    static func stopped(by signal: Int32) -> CLIExit {
        switch signal {
        case SIGHUP: return .hungUp
        case SIGQUIT: return .quit
        case SIGTERM: return .terminated
        default: return .interrupted
        }
    }
}
