/// When a watcher's next batch of a run's events goes: the dashboard's redraws (`DashboardFeed`) and the control
/// server's sends to its clients (`ControlServer`). The rules as a value (times in seconds of any monotonic clock),
/// so they are tested without waiting.
///
/// Output alone goes at most `logRate` times a second: a flood of lines costs a bounded number of deliveries.
/// A job's state change is news and goes at once — no sooner than `gap` after the last delivery, so two
/// never come back to back — as long as the token bucket allows: each change takes a token, `burst` of them go
/// at once (a cancel is `cancelling`, `cancelled` and the next job starting, a few milliseconds apart), then a
/// steady stream of them — a 10,000-job run — waits for the bucket (`stateRate` tokens a second), or at most
/// `1 / streamRate` when that is sooner.
public struct FeedPacing: Sendable, Equatable {
    /// The least time between two deliveries of output alone.
    public let logInterval: Double
    /// State changes a second that go at once, in the long run (the bucket's refill).
    public let stateRate: Double
    /// State changes that may go at once after a quiet spell (the bucket's size).
    public let burst: Double
    /// The least time between any two deliveries.
    public let gap: Double
    /// The longest a delivery of state changes waits for the bucket (∞: as long as it takes).
    public let streamInterval: Double
    /// When the last delivery went (−∞: none yet).
    public private(set) var lastDelivery = -Double.infinity
    /// The bucket's tokens as of `tokensAt` (a delivery spends one per state change it carries).
    private var tokens: Double
    private var tokensAt = -Double.infinity

    /// Pacing with these rates (a second's deliveries, or changes for `stateRate`) and burst; `streamRate` 0:
    /// none (a delivery waits for its tokens).
    public init(logRate: Double = 30, stateRate: Double = 60, burst: Int = 3, maxRate: Double = 240, streamRate: Double = 0) {
        logInterval = 1 / logRate
        self.stateRate = stateRate
        self.burst = Double(max(1, burst))
        gap = 1 / maxRate
        streamInterval = streamRate > 0 ? 1 / streamRate : .infinity
        tokens = self.burst
    }

    private func tokens(at now: Double) -> Double {
        guard tokensAt.isFinite else { return burst }
        return min(burst, tokens + max(0, now - tokensAt) * stateRate)
    }

    /// When a delivery should go for an event that arrives at `now` (`isLog`: output only); never before `now`.
    public func due(now: Double, isLog: Bool) -> Double { due(now: now, stateChanges: isLog ? 0 : 1) }

    /// When a delivery of `stateChanges` changes (0: output alone) waiting at `now` should go; never before `now`.
    public func due(now: Double, stateChanges: Int) -> Double {
        if stateChanges <= 0 { return max(now, lastDelivery + logInterval) }
        let needed = min(Double(stateChanges), burst)
        let available = tokens(at: now)
        let refilled = available >= needed ? now : min(now + (needed - available) / stateRate, lastDelivery + streamInterval)
        return max(now, lastDelivery + gap, refilled)
    }

    /// A delivery went at `now`; `withStateChange` when it carried more than output.
    public mutating func delivered(at now: Double, withStateChange: Bool) {
        delivered(at: now, stateChanges: withStateChange ? 1 : 0)
    }

    /// A delivery of `stateChanges` changes (0: output alone) went at `now`.
    public mutating func delivered(at now: Double, stateChanges: Int) {
        lastDelivery = now
        guard stateChanges > 0 else { return }
        // A delivery that output (or the stream's interval) brought early may overdraw the bucket by one; the
        // next change then waits longer.
        tokens = max(-1, tokens(at: now) - Double(stateChanges))
        tokensAt = now
    }
}
