/// When to ask the Control Service about a remote job next, spending the fixed schedule's request budget
/// where the job's end is expected.
///
/// Without an estimate it is the fixed schedule: one check per interval S. With one (median E, p90 P):
/// the gap to the expected end halves with each check (rare early), and in the window from E − m to P + m
/// (m = max(S, (P − E)/2): ends scatter on both sides of the median) the checks the budget still allows by the
/// window's end are spread evenly over what is left of it, never closer than S/16 nor further than S apart;
/// after the window, every S. Gaps never exceed 8·S, so a job that ends far earlier than usual is still
/// noticed. The budget rule keeps every check count at most the fixed schedule's: the k-th check is never
/// earlier than k·S after the start, so by any moment — and so over any actual run, expected or not — no
/// more checks were made than one per interval, and VEP-1243's J × (2 + E/S) stays the ceiling.
public struct StatusCheckSchedule: Sendable, Equatable {
    /// The shortest gap between checks, as a fraction of the interval.
    public static let finestGap = 1.0 / 16
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

    /// The window (seconds after the start) in which checks are dense; nil for the fixed schedule.
    public var denseWindow: ClosedRange<Double>? {
        guard let estimate, estimate.median > 0 else { return nil }
        let margin = max(interval, (estimate.p90 - estimate.median) / 2)
        return max(0, estimate.median - margin)...(estimate.p90 + margin)
    }

    /// The time of the next check of a job started at `start`, after `checksMade` checks, the last at
    /// `lastCheck` (nil before the first). Times are on the caller's clock; the result is after `lastCheck`.
    public func nextCheck(start: Double, checksMade: Int, lastCheck: Double?) -> Double {
        let previous = max(0, (lastCheck ?? start) - start)
        let made = max(0, checksMade)
        guard let estimate, let window = denseWindow else { return start + previous + interval }
        var gap: Double
        if previous < window.lowerBound {
            gap = (estimate.median - previous) / 2
        } else if previous < window.upperBound {
            // What the budget allows by the window's end, spread over what is left of it.
            let allowed = (window.upperBound / interval).rounded(.down) - Double(made)
            gap = (window.upperBound - previous) / max(1, allowed)
            gap = min(gap, interval)
        } else {
            gap = interval
        }
        gap = min(max(gap, Self.finestGap * interval), Self.longestGap * interval)
        let budget = Double(made + 1) * interval
        return start + max(previous + gap, budget)
    }
}
