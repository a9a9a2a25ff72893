import MetaJobCore

/// What the dashboard shows of one job: its names and its progress (kept by the core's one fold of job
/// progress, `JobProgress.apply`), with wall-clock times.
struct JobView: Sendable, Equatable {
    var name: String
    var team: String?
    /// Retries the definition allows.
    var retries = 0
    /// Its definition's `fail_dag_on_error` (the look-ahead needs it; a past run's jobs keep the default).
    var failDagOnError = true
    var progress = JobProgress()
    /// Each attempt's times, exit code and reason (the details list them side by side when there are several).
    var attempts: [AttemptRecord] = []

    init(name: String) {
        self.name = name
    }

    var state: JobState {
        get { progress.state }
        set { progress.state = newValue }
    }
    var attempt: Int { progress.attempt }
    var maxAttempts: Int { progress.maxAttempts }
    var exitCode: Int32? { progress.exitCode }
    var startedAt: Double? { progress.startedAt }
    /// When it ended, or while it waits for a retry, when its failed attempt ended.
    var endedAt: Double? { progress.lastAttemptEnd }
    var readyAt: Double? { progress.readyAt }
    var spans: [AttemptSpan] { progress.spans }
    /// Text from the run (reason, execution id, reused-from): neutralised for the screen.
    var reason: String? { progress.reason.map(ScreenText.label) }
    var executionId: String? { progress.executionId.map(ScreenText.label) }
    var reusedFrom: String? { progress.reusedFrom.map(ScreenText.label) }
    var delayReason: String? { progress.delayReason.map { ScreenText.label($0.description) } }
}
