/// When a watcher's next batch of a run's events goes: the dashboard's redraws (`DashboardFeed`) and the control
/// server's sends to its clients (`ControlServer`). The rules as a value (times in seconds of any monotonic clock),
/// so they are tested without waiting.
///
/// Output alone goes at most `logRate` times a second: a flood of lines costs a bounded number of deliveries.
/// A job's state change is news and goes at once — no sooner than `gap` after the last delivery, so two
/// never come back to back — as long as the token bucket allows: `burst` changes one by one (a cancel is
/// `cancelling`, `cancelled` and the next job starting, a few milliseconds apart), then a steady stream of
/// them — a 10,000-job run — at most `stateRate` deliveries a second.
public struct FeedPacing: Sendable, Equatable {
    /// The least time between two deliveries of output alone.
    public let logInterval: Double
    /// Deliveries with a state change a second, in the long run.
    public let stateRate: Double
    /// Deliveries with a state change that may go at once after a quiet spell.
    public let burst: Double
    /// The least time between any two deliveries.
    public let gap: Double
    /// When the last delivery went (−∞: none yet).
    public private(set) var lastDelivery = -Double.infinity
    /// The bucket's tokens as of `tokensAt` (one is spent by each delivery with a state change).
    private var tokens: Double
    private var tokensAt = -Double.infinity

    /// Pacing with these rates (a second's deliveries) and burst.
    public init(logRate: Double = 30, stateRate: Double = 60, burst: Int = 3, maxRate: Double = 240) {
        logInterval = 1 / logRate
        self.stateRate = stateRate
        self.burst = Double(max(1, burst))
        gap = 1 / maxRate
        tokens = self.burst
    }

    private func tokens(at now: Double) -> Double {
        guard tokensAt.isFinite else { return burst }
        return min(burst, tokens + max(0, now - tokensAt) * stateRate)
    }

    /// When a delivery should go for an event that arrives at `now` (`isLog`: output only); never before `now`.
    public func due(now: Double, isLog: Bool) -> Double {
        if isLog { return max(now, lastDelivery + logInterval) }
        let available = tokens(at: now)
        let refilled = available >= 1 ? now : now + (1 - available) / stateRate
        return max(now, lastDelivery + gap, refilled)
    }

    /// A delivery went at `now`; `withStateChange` when it carried more than output.
    public mutating func delivered(at now: Double, withStateChange: Bool) {
        lastDelivery = now
        guard withStateChange else { return }
        // A delivery that output brought early may overdraw the bucket by one; the next change then waits longer.
        tokens = max(-1, tokens(at: now) - 1)
        tokensAt = now
    }
}
