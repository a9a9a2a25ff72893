import MetaJobCore

/// A job's summary row as the events left it: the core's job progress, kept by its one fold (`JobProgress.apply`).
typealias JobSummary = JobProgress

extension JobProgress {
    /// The `attempts` column: attempts started (a refused start is counted until the next one replaces it).
    var attempts: Int { attemptsStarted }
}
