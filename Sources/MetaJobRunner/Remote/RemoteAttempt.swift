/// One attempt of one job on the Control Service, as `RemoteState` tracks it: a plain value, changed only by
/// the state machine.
struct RemoteAttempt: Sendable {
    enum Phase: Sendable {
        /// The start request (or the list after a start that got no answer, or a re-attach read) is in flight.
        case starting
        /// The execution runs; its status is checked every interval.
        case polling
        /// The execution ended; its logs are being read.
        case finishing
    }

    let request: LaunchRequest
    let team: String
    /// This attempt's place in the order of starts: spreads the first status checks over the interval, and
    /// tells this attempt's answers from those of an earlier one with the same key.
    let slot: Int
    var phase: Phase = .starting
    var executionId: String?
    var logsURL: String?
    /// Wall-clock seconds when the last start request was sent (an execution begun after it is ours).
    var submittedAt: Double = 0
    /// Start requests that got no usable answer so far.
    var startTimeouts = 0
    /// List requests that failed in a row after a start got no answer.
    var listFailures = 0
    /// Status checks that failed in a row (connection errors, 5xx): they back off.
    var pollFailures = 0
    /// The ticket of the one status-check wake-up that counts: an older one firing does nothing.
    var pollTimer: Int?
    /// Monotonic seconds when the execution began, as far as we know: status checks timed by expectation
    /// count from it.
    var runningSince: Double = 0
    /// Status checks sent so far, and when the last one was (the schedule's budget counts them).
    var checksMade = 0
    var lastCheck: Double?
    var cancelRequested = false
    var cancelSent = false
    /// What of the execution's logs has been passed on.
    var logs = RemoteLogCursor()
    /// The ticket of the one live-logs wake-up that counts (a watched job only).
    var liveTimer: Int?
    /// A live logs read is in flight: no second one.
    var liveReading = false
    /// Live logs reads that failed in a row: they back off like status checks.
    var liveFailures = 0

    init(request: LaunchRequest, team: String, slot: Int) {
        self.request = request
        self.team = team
        self.slot = slot
    }

    /// The job's path on the service.
    var jobPath: String { ControlServiceClient.jobPath(team: team, job: request.jobName) }

    /// The execution's path on the service (only once it has an id).
    var executionPath: String { jobPath + "/executions/" + ControlServiceClient.segment(executionId ?? "") }
}
