import MetaJobCore

extension StyleRole {
    /// The role that colours a job in `state`.
    public static func of(_ state: JobState) -> StyleRole {
        switch state {
        case .pending: return .statePending
        case .queued: return .stateQueued
        case .delayed: return .stateDelayed
        case .submitted: return .stateSubmitted
        case .running: return .stateRunning
        case .succeeded: return .stateSucceeded
        case .userError: return .stateUserError
        case .platformError: return .statePlatformError
        case .cancelled: return .stateCancelled
        case .skipped: return .stateSkipped
        case .notRun: return .stateNotRun
        }
    }
}
