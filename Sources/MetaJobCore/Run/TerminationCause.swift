/// Why the state machine asked for an attempt to be stopped; decides the attempt's final status.
public enum TerminationCause: Sendable, Equatable {
    /// The user cancelled this job → `cancelled`.
    case user
    /// `timeout_seconds` passed → `platform_error`.
    case timeout
    /// The user stopped the whole run → `cancelled`.
    case runStopped
    /// The meta job failed and `--on-failure cancel` → `cancelled`.
    case failurePolicy
}
