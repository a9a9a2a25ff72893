/// A recorded run's state, as the history stores and derives it. (`RunState` is the live run's state machine.)
public enum StoredRunState: String, Sendable, Equatable, CaseIterable {
    /// Its process is recording it now.
    case running
    /// Every job that fails the meta job succeeded.
    case succeeded
    /// A job that fails the meta job failed.
    case failed
    /// Stopped by a signal or the user.
    case cancelled
    /// Stored as running, but its process is gone (or its heartbeat stopped): it never recorded an end.
    case interrupted

    /// The state a run that ended with `outcome` is stored with.
    public init(_ outcome: RunOutcome) {
        switch outcome {
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }

    /// True once the run ended (or its process did): nothing will change it any more.
    public var isOver: Bool { self != .running }
}
