import DequeModule
import HeapModule

/// The rest of a run, simulated: when each job left is expected to start and end, when the run ends, and the
/// chain of jobs that decides that end (the critical path).
///
/// The simulation plays `RunState`'s rules forward with expected durations instead of real ends: a job is
/// ready when every dependency ended in a way that lets it run, ready jobs start in FIFO order while fewer
/// than `concurrency` jobs hold a slot, a delayed job becomes ready at its deadline. Every job is assumed to
/// succeed on its next attempt and to take its median (a running one: `DurationEstimate.remaining`).
/// A job without an estimate takes no time and makes the result a lower bound (`ForesightPrecision`).
/// Work is O((jobs + edges) · log jobs); nothing is read from a clock.
public struct ForesightSchedule: Sendable, Equatable {
    /// The time the simulation starts from (the caller's "now").
    public let now: Double
    /// When the last job left is expected to end (`now` when nothing is left).
    public let end: Double
    /// How far `end` can be trusted.
    public let precision: ForesightPrecision
    /// Per job index: its expected bar if it runs now or will run; nil for jobs that are done or will never start.
    public let spans: [ForesightSpan?]
    /// The chain that decides `end`, first job first (empty when nothing is left). See `criticalPath(…)`.
    public let criticalPath: [Int]
    /// Jobs that run now or will run.
    public let jobsLeft: Int
    /// Of those, the jobs without an estimate (or overdue).
    public let jobsWithoutEstimate: Int
    /// The meta job has failed (a `fail_dag_on_error` job failed for good): only running jobs and jobs the
    /// user asked to retry still run, and the run will end failed unless those retries clear every failure.
    public let metaJobFailed: Bool

    /// Seconds from `now` to `end`.
    public var remaining: Double { end - now }

    /// Simulates the rest of a run of `graph` whose jobs (by index) are `jobs`, at most `concurrency` jobs
    /// holding a slot, from `now`. When `stopping`, nothing new starts (the user stopped the run). A paused run
    /// is simulated as if it resumed now: whether to show the result while paused is the caller's choice.
    public init(graph: JobGraph, jobs: [ForesightJob], concurrency: Int, now: Double, stopping: Bool = false) {
        precondition(graph.count == jobs.count, "one job per graph node")
        let n = jobs.count
        let failed = jobs.contains { $0.isFatalFailure }
        // While the meta job is failed only forced jobs start (RunState.pump); after a stop, none.
        let mayStart = jobs.map { !stopping && (!failed || $0.forced) && !$0.state.isFinal }

        var spans = [ForesightSpan?](repeating: nil, count: n)
        var readyTime = [Double](repeating: now, count: n)
        // Which earlier job's end the job's start waited for: the dependency that made it ready, or the job
        // whose end freed the slot it took. -1: neither (it was ready now, or left the delay queue).
        var readiedBy = [Int](repeating: -1, count: n)
        var slotFreedBy = [Int](repeating: -1, count: n)
        var unmet = [Int](repeating: 0, count: n)
        var events = Heap<Deadline>()
        var sequence: UInt64 = 0
        var ready = Deque<Int>()
        var slotsUsed = 0
        var left = 0
        var unknown = 0
        let limit = max(1, concurrency)

        for j in 0..<n where jobs[j].state == .pending {
            unmet[j] = graph.dependencies[j].reduce(0) { $0 + (jobs[$1].unblocksDependents ? 0 : 1) }
        }
        // Jobs holding a slot end first, in the order they started.
        let holding = (0..<n).filter { jobs[$0].state.holdsSlot }
            .sorted { (jobs[$0].startedAt ?? now, $0) < (jobs[$1].startedAt ?? now, $1) }
        for j in holding {
            let started = min(jobs[j].startedAt ?? now, now)
            let rest = jobs[j].estimate?.remaining(afterRunning: now - started)
            spans[j] = ForesightSpan(start: started, end: now + (rest ?? 0), isEstimated: rest != nil)
            slotsUsed += 1
            left += 1
            if rest == nil { unknown += 1 }
            sequence += 1
            events.insert(Deadline(time: now + (rest ?? 0), sequence: sequence, job: j, token: Self.ends))
        }
        // The ready queue as the state machine holds it: queued jobs by the time they were queued.
        let queued = (0..<n).filter { jobs[$0].state == .queued && mayStart[$0] }
            .sorted { (jobs[$0].queuedAt ?? now, $0) < (jobs[$1].queuedAt ?? now, $1) }
        ready.append(contentsOf: queued)
        // Pending jobs with nothing left to wait for (a retry just reset them) are ready now, in index order.
        ready.append(contentsOf: (0..<n).filter { jobs[$0].state == .pending && unmet[$0] == 0 && mayStart[$0] })
        for j in 0..<n where jobs[j].state == .delayed && mayStart[j] {
            sequence += 1
            readyTime[j] = max(now, jobs[j].readyAt ?? now)
            events.insert(Deadline(time: readyTime[j], sequence: sequence, job: j, token: Self.leavesDelay))
        }

        var t = now
        var last = -1
        var lastEnd = now
        var endedBy = -1  // the job whose end is being handled, if the current step is an end
        while true {
            // Start what may start (RunState.pump).
            while slotsUsed < limit, let j = ready.popFirst() {
                slotsUsed += 1
                left += 1
                let median = jobs[j].estimate?.median
                if median == nil { unknown += 1 }
                spans[j] = ForesightSpan(start: t, end: t + (median ?? 0), isEstimated: median != nil)
                if readyTime[j] < t, endedBy >= 0 { slotFreedBy[j] = endedBy }
                sequence += 1
                events.insert(Deadline(time: t + (median ?? 0), sequence: sequence, job: j, token: Self.ends))
            }
            guard let event = events.popMin() else { break }
            t = event.time
            let j = event.job
            if event.token == Self.leavesDelay {
                endedBy = -1
                ready.append(j)
                continue
            }
            endedBy = j
            slotsUsed -= 1
            if t >= lastEnd { lastEnd = t; last = j }
            for d in graph.dependents[j] where jobs[d].state == .pending {
                unmet[d] -= 1
                if unmet[d] == 0 && mayStart[d] {
                    readyTime[d] = t
                    readiedBy[d] = j
                    ready.append(d)
                }
            }
        }

        self.now = now
        self.end = lastEnd
        self.spans = spans
        self.jobsLeft = left
        self.jobsWithoutEstimate = unknown
        self.metaJobFailed = failed
        if unknown == 0 {
            precision = .expected
        } else {
            precision = lastEnd > now ? .atLeast : .none
        }
        criticalPath = Self.criticalPath(endingWith: last, spans: spans, readyTime: readyTime,
                                         readiedBy: readiedBy, slotFreedBy: slotFreedBy)
    }

    /// Walks back from the last job to end: a job that started later than it was ready waited for a slot, so
    /// the job whose end freed that slot comes before it; a job that started when it became ready waited for
    /// the dependency whose end made it ready. The walk stops at a job that was ready from the start, left the
    /// delay queue, or was already running.
    static func criticalPath(endingWith last: Int, spans: [ForesightSpan?], readyTime: [Double],
                             readiedBy: [Int], slotFreedBy: [Int]) -> [Int] {
        var path: [Int] = []
        var j = last
        while j >= 0 {
            path.append(j)
            let start = spans[j]?.start ?? readyTime[j]
            j = (start > readyTime[j] && slotFreedBy[j] >= 0) ? slotFreedBy[j] : readiedBy[j]
        }
        return path.reversed()
    }

    /// Event kinds, kept in `Deadline.token`.
    private static let ends = 0
    private static let leavesDelay = 1
}
