/// What a job usually takes, from its past successful attempts: the median and the 90th percentile.
///
/// There is no estimate without samples (the initializer fails), so a job with no past never shows a guessed number.
public struct DurationEstimate: Sendable, Equatable {
    /// How many past attempts are used at most (the newest ones).
    public static let sampleLimit = 20

    /// The median duration in seconds.
    public let median: Double
    /// The 90th percentile in seconds (never below the median).
    public let p90: Double
    /// How many samples the estimate is made of (1 … `sampleLimit`).
    public let sampleCount: Int

    /// The estimate of past successful attempt durations in seconds, newest first; only the first
    /// `sampleLimit` count. Negative and non-finite values are ignored. Nil when no sample is left.
    public init?(samples: [Double]) {
        let usable = samples.prefix(Self.sampleLimit).filter { $0.isFinite && $0 >= 0 }.sorted()
        guard !usable.isEmpty else { return nil }
        median = Self.percentile(0.5, ofSorted: usable)
        p90 = Self.percentile(0.9, ofSorted: usable)
        sampleCount = usable.count
    }

    /// An estimate with known figures (for callers that stored them); `p90` is raised to `median` if below it.
    public init(median: Double, p90: Double, sampleCount: Int = 1) {
        self.median = max(0, median)
        self.p90 = max(self.median, p90)
        self.sampleCount = sampleCount
    }

    /// The `p`-th quantile (0…1) of ascending `sorted` values, interpolating linearly between the two closest
    /// ranks: position h = (n − 1)·p, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (Hyndman–Fan type 7, as
    /// numpy and spreadsheets' PERCENTILE.INC). p = 0.5 is the usual median.
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        precondition(!sorted.isEmpty, "a percentile needs at least one value")
        let h = Double(sorted.count - 1) * min(max(p, 0), 1)
        let low = Int(h.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
    }

    /// Expected seconds left for an attempt that has run `elapsed` seconds: until the median; once past it,
    /// until the p90 (the run is evidently a slow one). Nil once past the p90: the job is overdue and
    /// nothing in its past says how much longer it takes.
    public func remaining(afterRunning elapsed: Double) -> Double? {
        let elapsed = max(0, elapsed)
        if elapsed < median { return median - elapsed }
        if elapsed <= p90 { return p90 - elapsed }
        return nil
    }

    /// True when an attempt that has run `elapsed` seconds is past the p90 of its past successes.
    public func isOverdue(afterRunning elapsed: Double) -> Bool { elapsed > p90 }
}
