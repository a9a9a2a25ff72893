import MetaJobCore

/// The run on screen — the live one (kept current from its events) or a past one from the history.
struct RunView: Sendable {
    /// As given (ids go back into effects); neutralise before drawing.
    var runId: String
    var metaJobName: String
    var startedBy: String
    var graph: JobGraph
    var jobs: [JobView]
    /// Jobs per state, by `JobState.ordinal`, kept as updates arrive.
    var counts: [Int]
    /// nil while running; the outcome word once finished.
    var outcome: String?
    var startTime: Double
    var endTime: Double?
    var paused = false
    var limit = 0
    var slotsUsed = 0
    /// Read from the history (no commands; `r` resumes it).
    var isPast = false

    var isRunning: Bool { outcome == nil }

    init(runId: String, metaJobName: String, startedBy: String, graph: JobGraph, jobs: [JobView], startTime: Double) {
        self.runId = runId
        self.metaJobName = metaJobName
        self.startedBy = startedBy
        self.graph = graph
        self.jobs = jobs
        self.startTime = startTime
        counts = [Int](repeating: 0, count: JobState.allCases.count)
        for job in jobs { counts[job.state.ordinal] += 1 }
        slotsUsed = jobs.reduce(0) { $0 + ($1.state.holdsSlot ? 1 : 0) }
    }

    func count(_ state: JobState) -> Int { counts[state.ordinal] }

    /// Applies one job update at wall time `time` (the core's fold) and keeps the counts.
    mutating func apply(_ update: JobUpdate, time: Double, origin: Double) {
        guard jobs.indices.contains(update.job) else { return }
        let old = jobs[update.job].state
        jobs[update.job].progress.apply(update, at: time, origin: origin)
        jobs[update.job].attempts.note(update.state, attempt: update.attempt, exitCode: update.exitCode,
                                       reason: update.reason, at: time)
        counts[old.ordinal] -= 1
        counts[update.state.ordinal] += 1
        if old.holdsSlot != update.state.holdsSlot { slotsUsed += update.state.holdsSlot ? 1 : -1 }
    }
}
