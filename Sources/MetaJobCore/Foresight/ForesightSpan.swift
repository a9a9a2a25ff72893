/// Where one job sits in the simulated schedule: an expected bar for the timeline.
public struct ForesightSpan: Sendable, Equatable {
    /// When it starts (for a job already running: when its attempt was submitted).
    public var start: Double
    /// When it is expected to end.
    public var end: Double
    /// False when it has no estimate (or is overdue): it was counted as ending at once, `end` is a lower bound.
    public var isEstimated: Bool

    /// A bar from `start` to `end`.
    public init(start: Double, end: Double, isEstimated: Bool) {
        self.start = start
        self.end = end
        self.isEstimated = isEstimated
    }
}
