extension StyleRole {
    /// The role's key in a theme file (`state.running`, `search.hit`): named by meaning, never by colour.
    public var themeKey: String {
        switch self {
        case .normal: return "normal"
        case .dim: return "dim"
        case .header: return "header"
        case .footer: return "footer"
        case .key: return "key"
        case .border: return "border"
        case .borderFocused: return "border.focused"
        case .selection: return "selection"
        case .edge: return "edge"
        case .upstream: return "upstream"
        case .downstream: return "downstream"
        case .searchHit: return "search.hit"
        case .searchCurrent: return "search.current"
        case .warning: return "warning"
        case .error: return "error"
        case .logStderr: return "log.stderr"
        case .critical: return "critical"
        case .overdue: return "overdue"
        case .expected: return "expected"
        case .statePending: return "state.pending"
        case .stateQueued: return "state.queued"
        case .stateDelayed: return "state.delayed"
        case .stateSubmitted: return "state.submitted"
        case .stateRunning: return "state.running"
        case .stateSucceeded: return "state.succeeded"
        case .stateUserError: return "state.user_error"
        case .statePlatformError: return "state.platform_error"
        case .stateCancelled: return "state.cancelled"
        case .stateSkipped: return "state.skipped"
        case .stateNotRun: return "state.not_run"
        }
    }
}
