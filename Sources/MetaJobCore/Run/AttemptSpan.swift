/// One attempt of a job on the time axis: when it was submitted, when it ended, how it is or ended.
public struct AttemptSpan: Sendable, Equatable, Codable {
    /// The attempt's number (1, 2, …).
    public var attempt: Int
    /// Wall time it was submitted.
    public var start: Double
    /// Wall time it ended; nil while it runs.
    public var end: Double?
    /// The state it is in or ended with.
    public var state: JobState

    /// A span; every field as named.
    public init(attempt: Int, start: Double, end: Double?, state: JobState) {
        self.attempt = attempt
        self.start = start
        self.end = end
        self.state = state
    }
}
