/// One job of a run set beside the same job (by name) in an earlier run of the meta job.
public struct JobComparison: Sendable, Equatable {
    /// Whether the job is in both runs.
    public enum Presence: String, Sendable, Equatable {
        case both
        /// Only in the newer run.
        case added
        /// Only in the earlier run.
        case removed
    }

    /// Which way a duration moved beyond noise.
    public enum DurationChange: String, Sendable, Equatable {
        case slower, faster
    }

    /// The job's name.
    public var name: String
    public var presence: Presence
    /// Its final state in the earlier run (nil when it was not there).
    public var stateBefore: String?
    /// Its state in the newer run (nil when it is not there).
    public var stateNow: String?
    /// Its last attempt's duration in the earlier run (nil: not there, never ran, still running, or reused).
    public var durationBefore: Double?
    /// Its last attempt's duration in the newer run.
    public var durationNow: Double?
    /// Attempts in each run.
    public var attemptsBefore: Int
    public var attemptsNow: Int
    /// Set only when both durations are known and differ beyond noise (`RunComparison.isBeyondNoise`).
    public var durationChange: DurationChange?

    /// A comparison row; every field as named.
    public init(name: String, presence: Presence, stateBefore: String?, stateNow: String?, durationBefore: Double?,
                durationNow: Double?, attemptsBefore: Int, attemptsNow: Int, durationChange: DurationChange?) {
        self.name = name
        self.presence = presence
        self.stateBefore = stateBefore
        self.stateNow = stateNow
        self.durationBefore = durationBefore
        self.durationNow = durationNow
        self.attemptsBefore = attemptsBefore
        self.attemptsNow = attemptsNow
        self.durationChange = durationChange
    }

    /// The job's final state differs between the runs (a job in only one of them counts as changed).
    public var statusChanged: Bool { presence == .both && stateBefore != stateNow }

    /// Something a reader should look at: it appeared, disappeared, changed state or took notably longer or shorter.
    public var changed: Bool { presence != .both || statusChanged || durationChange != nil }
}
