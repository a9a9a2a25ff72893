import MetaJobCore

/// One attempt of a job on the time axis (a bar of the timeline).
struct AttemptSpan: Sendable, Equatable {
    var attempt: Int
    /// Wall time it was submitted.
    var start: Double
    /// Wall time it ended; nil while it runs.
    var end: Double?
    /// The state it is in or ended with.
    var state: JobState
}
