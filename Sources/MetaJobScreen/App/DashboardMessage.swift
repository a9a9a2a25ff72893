import MetaJobCore



/// Everything that can happen to the dashboard: keys, the terminal, the live run, answers to its effects.
/// The driver/session turns the outside world into these; `Dashboard.update` is the only thing that reads them.
public enum DashboardMessage: Sendable {
    case key(Key)
    /// The terminal's size (at start and on SIGWINCH).
    case resize(width: Int, height: Int)
    /// Wall-clock time, seconds since 1970: elapsed times and delay countdowns move with it.
    case tick(now: Double)
    /// A live run to show (the run at start, or the new run after a resume from the browser).
    case live(RunSnapshot)
    /// Events of the live run since the last message, in order (coalesced by the session).
    case events([RunEvent])
    /// Lines of a live attempt the session dropped before delivering them, because newer lines alone already
    /// fill what the screen keeps (a flood): counted with the earlier lines that are only in the history.
    /// Sent before the `events` holding that attempt's newer lines.
    case logLinesSkipped(job: Int, attempt: Int, count: Int)
    /// Answer to `.loadHistory`: past runs, newest first.
    case historyRuns([RunSummary])
    /// Answer to `.openPastRun` (and its refreshes while that run is still going in another process).
    /// `dependsOn`: each job's dependencies (nil when unknown: the jobs are shown without edges); the session
    /// reads them with the run, off the UI queue.
    case pastRun(RunDetail, dependsOn: [[String]]? = nil)
    /// Answer to `.loadLogs`: one attempt's stored lines, oldest first.
    case pastLogs(runId: String, job: String, attempt: Int, lines: [StoredLogLine])
    /// Answer to `.loadComparison`: nil when the history has no earlier run of that meta job.
    case comparison(runId: String, RunComparison?)
    /// Answer to `.saveLog`: the file written and its size.
    case logSaved(path: String, bytes: Int)
    /// Answer to `.loadEstimates`: what each job of the live run `runId` usually takes, by job name (jobs
    /// without a past success are absent).
    case estimates(runId: String, byJob: [String: DurationEstimate])
    /// An effect failed (history unreadable, resume refused): shown to the user, never fatal.
    case failed(String)
}
