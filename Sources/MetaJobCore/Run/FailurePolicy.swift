/// `--on-failure`: what happens to running jobs once the meta job has failed.
public enum FailurePolicy: String, Sendable, Equatable, CaseIterable {
    /// Let them finish (the default).
    case wait
    /// Cancel them.
    case cancel
}
