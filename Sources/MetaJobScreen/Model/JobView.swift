import MetaJobCore

/// What the dashboard shows of one job, with wall-clock times (the core's records use the run's own clock).
struct JobView: Sendable, Equatable {
    var name: String
    var team: String?
    var state: JobState = .pending
    var attempt = 0
    var maxAttempts = 1
    /// Retries the definition allows; a user retry grants this many again.
    var retries = 0
    var exitCode: Int32?
    var reason: String?
    var executionId: String?
    var startedAt: Double?
    var endedAt: Double?
    var delayReason: String?
    var readyAt: Double?
    var reusedFrom: String?
    var spans: [AttemptSpan] = []
}
