/// One job of a recorded run: its last known state and every state change.
public struct JobHistory: Sendable {
    /// The job's name, unique in the run.
    public var name: String
    /// Its team, if the definition gave one.
    public var team: String?
    /// The last known state (a final status once the run finished).
    public var state: String
    /// Attempts started (0 if it never started).
    public var attempts: Int
    /// The last attempt's exit code.
    public var exitCode: Int32?
    /// Why it failed, was delayed or did not run.
    public var reason: String?
    /// The executor's id of the last attempt.
    public var executionId: String?
    /// When the last attempt was submitted, seconds since 1970.
    public var startedAt: Double?
    /// When it reached its final status, seconds since 1970.
    public var endedAt: Double?
    /// The earlier run its success was reused from (resume).
    public var reusedFrom: String?
    /// The jobs it waited for, by name, as the run's definition said (so a past run's graph needs no re-parse).
    public var dependsOn: [String]
    /// Every state change, oldest first.
    public var events: [JobEventRecord]

    /// A job history; every field as named.
    public init(name: String, team: String?, state: String, attempts: Int, exitCode: Int32?, reason: String?,
                executionId: String?, startedAt: Double?, endedAt: Double?, reusedFrom: String?,
                dependsOn: [String] = [], events: [JobEventRecord]) {
        self.name = name
        self.team = team
        self.state = state
        self.attempts = attempts
        self.exitCode = exitCode
        self.reason = reason
        self.executionId = executionId
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.reusedFrom = reusedFrom
        self.dependsOn = dependsOn
        self.events = events
    }
}
