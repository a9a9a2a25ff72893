import MetaJobCore

/// A job's summary row as the events left it.
struct JobSummary {
    var state: JobState
    var attempts = 0
    var exitCode: Int32?
    var reason: String?
    var executionId: String?
    var startedAt: Double?
    var endedAt: Double?

    mutating func apply(_ u: JobUpdate, at time: Double) {
        if u.state == .submitted { startedAt = time }
        state = u.state
        attempts = max(attempts, u.attempt)
        exitCode = u.exitCode
        reason = u.reason
        executionId = u.executionId
        // A user retry puts a finished job back on its way: it has no end until it finishes again.
        endedAt = u.state.isFinal ? time : nil
    }
}
