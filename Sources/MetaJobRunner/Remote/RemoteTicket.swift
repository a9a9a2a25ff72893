import MetaJobCore

/// What a request or wake-up the state machine is waiting for belongs to: one attempt (by key and by its
/// place in the order of starts, so an answer for an earlier attempt with the same key is ignored) and why.
struct RemoteTicket: Sendable {
    enum Purpose: Sendable {
        /// The start request (POST).
        case start
        /// The list of the job's executions, looking for one a start may have created.
        case list
        /// Waiting before listing again.
        case relist
        /// Reading an execution an interrupted run left running.
        case reattach(executionId: String)
        /// Waiting for the next status check.
        case poll
        /// A status check.
        case status
        /// The cancel (DELETE).
        case cancel
        /// The logs read after the end, then the end is reported with this status.
        case finalLogs(JobState, reason: String?)
        /// Waiting for the next read of a watched job's logs.
        case liveTimer
        /// A read of a watched job's logs while it runs.
        case liveLogs
    }

    var key: AttemptKey
    var slot: Int
    var purpose: Purpose
}
