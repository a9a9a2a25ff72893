/// One job of a meta job's newest finished run.
public struct LastRunJob: Sendable, Equatable {
    public var name: String
    public var state: JobState
    /// Seconds from its first start to its end; nil when it never ran (skipped, not run, reused).
    public var durationSeconds: Double?

    public init(name: String, state: JobState, durationSeconds: Double?) {
        self.name = name
        self.state = state
        self.durationSeconds = durationSeconds
    }
}
