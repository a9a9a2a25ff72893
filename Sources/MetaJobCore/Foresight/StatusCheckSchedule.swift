/// When to ask the Control Service about a remote job next, spending the fixed schedule's request budget
/// where the job's end is expected.
///
/// Without an estimate it is the fixed schedule: one check per interval S. With one (median E, p90 P):
/// the gap to the expected end halves with each check (rare early, dense just before E), checks come every
/// S/4 from E to P, and every S after P. Gaps never exceed 8·S, so a job that ends far earlier than usual is
/// still noticed. The budget rule keeps every check count at most the fixed schedule's: the k-th check
/// is never earlier than k·S after the start, so by any moment — and so over any actual run, expected or
/// not — no more checks were made than one per interval, and VEP-1243's J × (2 + E/S) stays the ceiling.
public struct StatusCheckSchedule: Sendable, Equatable {
    /// The shortest gap between checks, as a fraction of the interval.
    public static let finestGap = 0.25
    /// The longest gap between checks, in intervals.
    public static let longestGap = 8.0

    /// The fixed status interval S in seconds (> 0).
    public let interval: Double
    /// The job's expected duration; nil: the fixed schedule.
    public let estimate: DurationEstimate?

    /// A schedule for checks every `interval` seconds, timed by `estimate` when there is one.
    public init(interval: Double, estimate: DurationEstimate?) {
        precondition(interval > 0, "a status interval is positive")
        self.interval = interval
        self.estimate = estimate
    }

    /// The time of the next check of a job started at `start`, after `checksMade` checks, the last at
    /// `lastCheck` (nil before the first). Times are on the caller's clock; the result is after `lastCheck`.
    public func nextCheck(start: Double, checksMade: Int, lastCheck: Double?) -> Double {
        let previous = max(0, (lastCheck ?? start) - start)
        guard let estimate, estimate.median > 0 else { return start + previous + interval }
        let expected = estimate.median
        var gap: Double
        if previous < expected {
            gap = (expected - previous) / 2
        } else if previous < estimate.p90 {
            gap = 0
        } else {
            gap = interval
        }
        gap = min(max(gap, Self.finestGap * interval), Self.longestGap * interval)
        let budget = Double(max(0, checksMade) + 1) * interval
        return start + max(previous + gap, budget)
    }
}
