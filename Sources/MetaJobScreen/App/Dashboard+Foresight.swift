import MetaJobCore

extension Dashboard {
    // MARK: - Foresight: expected durations, the ETA, retry previews

    /// The history answered with what the live run's jobs usually take: keep them by job index.
    mutating func applyEstimates(runId: String, _ byJob: [String: DurationEstimate]) -> [DashboardEffect] {
        guard let run = live, run.runId == runId else { return [] }
        foresight.estimates = run.graph.names.map { byJob[$0] }
        foresight.computedAt = -.infinity
        refreshForesight()
        return []
    }

    /// Simulates the rest of the live run again when it is due: at most once a second, and a quarter of a
    /// second after a job started or ended, the limit changed or a retry was sent (a 10,000-job run ends jobs
    /// in every event batch; one simulation per batch would cost the UI queue more than it shows).
    mutating func refreshForesight() {
        guard let run = live, foresight.estimates != nil, run.isRunning else {
            foresight.schedule = nil
            foresight.onPath = []
            return
        }
        let since = now - foresight.computedAt
        guard foresight.schedule == nil || since >= 1 || (foresight.dirty && since >= 0.25) || since < 0 else { return }
        let schedule = ForesightSchedule(graph: run.graph, jobs: foresightJobs(run), concurrency: run.limit, now: now)
        var onPath = [Bool](repeating: false, count: run.graph.count)
        // Without a single estimate the "path" is only the order jobs would start in: nothing to highlight.
        if schedule.precision != .none { for j in schedule.criticalPath { onPath[j] = true } }
        foresight.schedule = schedule
        foresight.onPath = onPath
        foresight.computedAt = now
        foresight.dirty = false
    }

    /// The live run's jobs as the look-ahead sees them (times on the wall clock, as `now`).
    func foresightJobs(_ run: RunView) -> [ForesightJob] {
        // While the meta job is failed, a job that is neither final nor running can only be one the user retried.
        let failed = run.jobs.contains { $0.state.isFailure && $0.failDagOnError }
        return run.jobs.indices.map { j in
            let job = run.jobs[j]
            return ForesightJob(state: job.state, estimate: foresight.estimate(j), startedAt: job.startedAt,
                                readyAt: job.readyAt, failDagOnError: job.failDagOnError,
                                forced: failed && !job.state.isFinal && !job.state.holdsSlot)
        }
    }

    /// Opens the preview of a retry; the command is sent only once the user confirms it.
    mutating func previewRetry(_ request: RetryRequest, _ command: RunCommand, _ run: RunView) -> [DashboardEffect] {
        let preview = RetryPreview(request, graph: run.graph, jobs: foresightJobs(run), concurrency: run.limit, now: now)
        overlay = .confirmRetry(command, preview)
        return []
    }

    /// Keys while a retry preview is open: `Enter` (or `y`) sends it, `Esc` (or `n`, `q`) cancels.
    mutating func retryPreviewKey(_ key: Key, _ command: RunCommand) -> [DashboardEffect] {
        switch key {
        case .enter, .character("y"), .character("Y"):
            overlay = nil
            foresight.dirty = true
            status = StatusMessage(text: retryStatus(command), role: .dim)
            return [.send(command)]
        case .escape, .character("n"), .character("N"), .character("q"):
            overlay = nil
            status = StatusMessage(text: "not retried", role: .dim)
            return []
        default:
            return []
        }
    }

    /// What the footer says once a retry was sent.
    private func retryStatus(_ command: RunCommand) -> String {
        let name: (Int) -> String = { j in self.live.map { $0.jobs.indices.contains(j) ? $0.jobs[j].name : "" } ?? "" }
        switch command {
        case .retry(let job): return "retrying \(name(job))"
        case .retryDownstream(let job): return "rerunning \(name(job)) and everything downstream of it"
        default:
            let failed = live.map { $0.count(.userError) + $0.count(.platformError) + $0.count(.cancelled) } ?? 0
            return "retrying \(failed) failed job\(failed == 1 ? "" : "s")"
        }
    }

    // MARK: - Per job

    /// What a running job's estimate says now: time left, or overdue; nil without an estimate or when the
    /// job is not running.
    func expectation(_ j: Int, _ job: JobView) -> JobExpectation? {
        guard !showingPast, job.state.holdsSlot, let start = job.startedAt, let estimate = foresight.estimate(j) else { return nil }
        let elapsed = max(0, now - start)
        if let left = estimate.remaining(afterRunning: elapsed) {
            return .left(left, fraction: min(1, elapsed / max(estimate.median, 0.001)))
        }
        return .overdue(elapsed: elapsed, p90: estimate.p90)
    }
}
