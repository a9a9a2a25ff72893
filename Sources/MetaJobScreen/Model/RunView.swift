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

    /// Applies one job update at wall time `time`.
    mutating func apply(_ update: JobUpdate, time: Double, origin: Double) {
        guard jobs.indices.contains(update.job) else { return }
        var job = jobs[update.job]
        let old = job.state
        if update.state == .submitted && (update.attempt != job.attempt || !old.holdsSlot) {
            job.startedAt = time
            job.endedAt = nil
            job.spans.append(AttemptSpan(attempt: update.attempt, start: time, end: nil, state: .submitted))
        }
        job.state = update.state
        job.attempt = update.attempt
        if update.state == .pending && old.isFinal { job.maxAttempts = job.attempt + job.retries + 1 }
        job.maxAttempts = max(job.maxAttempts, update.attempt)
        job.exitCode = update.exitCode
        job.reason = update.reason
        job.executionId = update.executionId
        job.delayReason = update.delayReason?.description
        job.readyAt = update.readyAt.map { origin + $0 }
        if update.state == .pending { job.endedAt = nil }
        if let last = job.spans.indices.last, job.spans[last].end == nil {
            job.spans[last].state = update.state == .delayed ? job.spans[last].state : update.state
            if !update.state.holdsSlot { job.spans[last].end = time }
        }
        if update.state.isFinal { job.endedAt = time }
        jobs[update.job] = job
        counts[old.ordinal] -= 1
        counts[update.state.ordinal] += 1
        if old.holdsSlot != update.state.holdsSlot { slotsUsed += update.state.holdsSlot ? 1 : -1 }
    }
}
