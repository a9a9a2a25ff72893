/// Which outcomes of a meta job a notification is for.
public enum NotifyWhen: String, Sendable, Equatable, CaseIterable {
    /// Failed or stopped.
    case failure
    case success
    case always

    /// True when a run that `succeeded` (or not) should notify.
    public func matches(succeeded: Bool) -> Bool {
        switch self {
        case .failure: return !succeeded
        case .success: return succeeded
        case .always: return true
        }
    }
}
