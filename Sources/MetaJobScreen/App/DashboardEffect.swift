import MetaJobCore

/// What the dashboard asks of the outside world; the session performs these and answers with messages.
public enum DashboardEffect: Sendable, Equatable {
    /// A command for the live run's state machine (retry, cancel, pause, concurrency, stop).
    case send(RunCommand)
    /// Leave the dashboard. `stopRunning`: the user confirmed stopping jobs that still run.
    case quit(stopRunning: Bool)
    /// Leave the dashboard and let the run go on without it (offered for a run started in the background).
    case detach
    /// Load past runs for the browser (answered with `.historyRuns`).
    case loadHistory
    /// Load one past run (answered with `.pastRun`).
    case openPastRun(runId: String)
    /// Load one attempt's stored log (answered with `.pastLogs`).
    case loadLogs(runId: String, job: String, attempt: Int)
    /// Compare a past run with the previous run of its meta job (answered with `.comparison`).
    case loadComparison(runId: String)
    /// Write one attempt's stored log, bytes exactly as recorded, to a new file at `path` (never over an
    /// existing one); answered with `.logSaved` or `.failed`.
    case saveLog(runId: String, job: String, attempt: Int, path: String)
    /// Put `text` on the terminal's clipboard (OSC 52, written by the driver; `text` is already sanitised).
    case copyToClipboard(String)
    /// Load the expected durations of the live run's jobs from the history (answered with `.estimates`).
    case loadEstimates(runId: String, metaJob: String, jobs: [String])
    /// Resume a past run (the history issue's resume); answered with `.live` for the new run.
    case resume(runId: String)
}
