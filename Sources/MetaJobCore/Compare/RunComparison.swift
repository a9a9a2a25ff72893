/// What changed between two runs of one meta job, job by job: states, and durations beyond noise.
///
/// Jobs are matched by name. Noise is a change smaller than 25 % of the earlier duration or smaller than 5 s:
/// both must be exceeded, so a 1 s job taking 2 s and a 1-hour job taking 5 s longer are not news.
public struct RunComparison: Sendable, Equatable {
    /// The relative change below which a duration counts as unchanged.
    public static let noiseRatio = 0.25
    /// The absolute change (seconds) below which a duration counts as unchanged.
    public static let noiseSeconds = 5.0

    /// The newer run.
    public var runId: String
    /// The run it is compared with.
    public var previousRunId: String
    /// The newer run's jobs in its order, then the jobs only the earlier run had, in that run's order.
    public var jobs: [JobComparison]

    /// Compares `current` with `previous` (normally the run of the same meta job just before it).
    public init(current: RunDetail, previous: RunDetail) {
        runId = current.summary.runId
        previousRunId = previous.summary.runId
        var before: [String: JobHistory] = [:]
        for job in previous.jobs { before[job.name] = job }
        var rows: [JobComparison] = []
        var seen = Set<String>()
        for job in current.jobs {
            seen.insert(job.name)
            let old = before[job.name]
            let now = Self.duration(of: job), then = old.flatMap(Self.duration(of:))
            rows.append(JobComparison(
                name: job.name, presence: old == nil ? .added : .both, stateBefore: old?.state, stateNow: job.state,
                durationBefore: then, durationNow: now, attemptsBefore: old?.attempts ?? 0, attemptsNow: job.attempts,
                durationChange: Self.change(from: then, to: now)))
        }
        for job in previous.jobs where !seen.contains(job.name) {
            rows.append(JobComparison(
                name: job.name, presence: .removed, stateBefore: job.state, stateNow: nil,
                durationBefore: Self.duration(of: job), durationNow: nil, attemptsBefore: job.attempts, attemptsNow: 0,
                durationChange: nil))
        }
        jobs = rows
    }

    /// The jobs worth a look (`JobComparison.changed`).
    public var changed: [JobComparison] { jobs.filter(\.changed) }

    /// A job's last attempt's duration in seconds: nil when it never started, has not ended, or was reused
    /// from an earlier run (it did not run in this one).
    public static func duration(of job: JobHistory) -> Double? {
        guard job.reusedFrom == nil, let start = job.startedAt, let end = job.endedAt else { return nil }
        return max(0, end - start)
    }

    /// True when going from `before` to `now` seconds is more than noise: at least `noiseRatio` of `before`
    /// and at least `noiseSeconds`.
    public static func isBeyondNoise(before: Double, now: Double) -> Bool {
        let delta = abs(now - before)
        return delta >= noiseSeconds && delta >= noiseRatio * before
    }

    /// Which way a duration moved beyond noise; nil when either is unknown or the move is noise.
    public static func change(from before: Double?, to now: Double?) -> JobComparison.DurationChange? {
        guard let before, let now, isBeyondNoise(before: before, now: now) else { return nil }
        return now > before ? .slower : .faster
    }
}
