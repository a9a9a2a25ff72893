/// What a retry will do before it is sent: which jobs run again, which succeeded jobs are reused, which jobs
/// stay as they are, and the expected added time.
///
/// The sets follow `RunState`'s retry commands (and `ResumePlan` for resume) rule for rule, and then ask the
/// simulation which of the reset jobs can actually start: a reset job whose dependency stays `not_run` (the
/// meta job is still failed by another job) ends `not_run` again instead of running.
public struct RetryPreview: Sendable, Equatable {
    /// The request previewed.
    public let request: RetryRequest
    /// The request does nothing (`RunState` ignores it): the job is not in a status the command retries,
    /// or `R` with no failed job.
    public let isRefused: Bool
    /// Jobs that will run again, by index (ascending).
    public let rerun: [Int]
    /// Jobs that succeeded and are kept, not run again (for resume: reused from the earlier run).
    /// For resume every job not in `rerun` is here.
    public let reused: [Int]
    /// Every other job: it keeps its status.
    public let unchanged: [Int]
    /// The simulated rest of the run once the retry is sent; its `remaining` is the expected added time.
    public let schedule: ForesightSchedule

    /// The preview of `request` for a run of `graph` whose jobs (by index) are `jobs` now (for a finished run or
    /// a past run to resume, their final statuses), with at most `concurrency` jobs at once, at `now`.
    public init(_ request: RetryRequest, graph: JobGraph, jobs: [ForesightJob], concurrency: Int, now: Double) {
        precondition(graph.count == jobs.count, "one job per graph node")
        self.request = request
        let reset = Self.reset(request, graph: graph, jobs: jobs)
        isRefused = reset == nil
        var isReset = [Bool](repeating: false, count: jobs.count)
        for j in reset ?? [] { isReset[j] = true }

        var after = jobs
        for j in after.indices where isReset[j] {
            after[j].state = .pending
            after[j].forced = true
            after[j].startedAt = nil
            after[j].queuedAt = nil
            after[j].readyAt = nil
        }
        if case .resume = request {
            // A new run: reused jobs count as succeeded, nothing has failed yet and nothing is forced.
            for j in after.indices where !isReset[j] { after[j].state = .succeeded }
            for j in after.indices { after[j].forced = false }
        }
        schedule = ForesightSchedule(graph: graph, jobs: after, concurrency: concurrency, now: now)

        var rerun: [Int] = [], reused: [Int] = [], unchanged: [Int] = []
        for j in jobs.indices {
            if isReset[j] && schedule.spans[j] != nil {
                rerun.append(j)
            } else if !isReset[j] && jobs[j].state == .succeeded {
                reused.append(j)
            } else {
                unchanged.append(j)
            }
        }
        self.rerun = rerun
        self.reused = reused
        self.unchanged = unchanged
    }

    /// The jobs `RunState` puts back to pending for `request` (nil: it ignores the request); for resume,
    /// the jobs `ResumePlan` runs.
    static func reset(_ request: RetryRequest, graph: JobGraph, jobs: [ForesightJob]) -> [Int]? {
        var reset: [Int]
        switch request {
        case .job(let j):
            guard jobs.indices.contains(j), jobs[j].state.isFailure || jobs[j].state == .notRun else { return nil }
            reset = [j] + graph.downstream(of: [j]).filter { jobs[$0].state == .notRun }
        case .failed:
            let failed = jobs.indices.filter { jobs[$0].state.isFailure }
            guard !failed.isEmpty else { return nil }
            reset = failed + graph.downstream(of: failed).filter { jobs[$0].state == .notRun }
        case .downstream(let j):
            guard jobs.indices.contains(j), jobs[j].state.isFinal else { return nil }
            reset = [j] + graph.downstream(of: [j]).filter { jobs[$0].state.isFinal }
        case .resume(let named):
            let named = named.filter { jobs.indices.contains($0) }
            var runs = Set(named)
            runs.formUnion(graph.downstream(of: named))
            for j in jobs.indices where jobs[j].state != .succeeded { runs.insert(j) }
            return runs.sorted()
        }
        var isReset = [Bool](repeating: false, count: jobs.count)
        for j in reset { isReset[j] = true }
        // Once no fatal failure is left, the meta job goes on as if it never failed: every not_run job is pending again.
        let fatalLeft = jobs.indices.contains { jobs[$0].isFatalFailure && !isReset[$0] }
        if !fatalLeft {
            reset += jobs.indices.filter { jobs[$0].state == .notRun && !isReset[$0] }
        }
        return reset
    }
}

